/*
 * writer.c: the writer thread's loop (writer_priv.h).  Every tick it
 * takes every record out of the ring, judges from the record headers
 * whether a gap lies before it, and hands it to the take (writer_take.c),
 * which converts the samples in one pass into the open files; then the
 * commands from the loop, and housekeeping: the flusher's results, header
 * refreshes and syncs, the disk watch and retention.  What waits on the
 * disk it hands to its flusher thread (flush.c), so that a slow disk does
 * not hold up the ring.  Writer thread.
 */
#include "writer_priv.h"


#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfgout.h"
#include "fsutil.h"
#include "log.h"
#include "ring.h"

/*
 * How many frames are truly missing before record h.  Drops are counted
 * exactly by the callback.  JACK's frame time also moves when audio was
 * lost without a drop of ours (an xrun of the device), but after an xrun
 * JACK re-estimates its clock, and the time stamp of a single period can
 * be off while the audio runs on (seen with the dummy backend: +256 then
 * -256).  So a jump that the drops do not explain counts only when the
 * next record stays on the new timeline.  Returns 1 when that needs the
 * next record and it is not there yet (final: there will be none).
 */
static int
wr_judge(struct writer *w, const struct cap_rec *h, size_t len, int final,
    int64_t *gap)
{
	const struct cap_rec	*nx;
	int64_t			 jump;

	*gap = 0;
	if (!w->have_pos)
		return 0;
	jump = (int32_t)(h->frame_time - (uint32_t)w->pos);
	*gap = jump;
	if (jump == (int64_t)h->dropped)
		return 0;
	nx = ring_record(w->ring, len, sizeof(*nx));
	if (nx == NULL)
		return !final;
	if (nx->dropped == 0 && nx->frame_time ==
	    (uint32_t)(w->pos + h->dropped + h->nframes)) {
		log_info("jack: the time stamp of one period was off by %lld "
		    "frames (xrun); the audio runs on without a gap",
		    (long long)(jump - (int64_t)h->dropped));
		*gap = (int64_t)h->dropped;
	}
	return 0;
}

/* Whether every output is paused: the take writes nothing now. */
static int
wr_all_paused(const struct writer *w)
{
	unsigned i;

	for (i = 0; i < w->nout; i++)
		if (w->out[i].paused == WP_NONE)
			return 0;
	return 1;
}

/*
 * A record does not follow the last one: each output marks the gap in
 * its files, or counts it where it writes nothing now.
 */
static void
wr_take_gap(struct writer *w, uint64_t ft64, uint32_t ft, int64_t gap,
    uint64_t dropped)
{
	struct wr_out	*o;
	unsigned	 i;

	for (i = 0; i < w->nout; i++) {
		o = &w->out[i];
		/*
		 * A slow output's files wait for its disk: it writes nothing
		 * now either, and the gap is in its pause.  One whose disk
		 * is behind would hold up the others with the gap's files:
		 * it is slow from here.
		 */
		if (o->paused == WP_DISK_SLOW || wr_slow_if_behind(o))
			continue;
		if (o->cur->open && o->paused == WP_NONE &&
		    (!w->gate.on || w->gate.open))
			wr_gap(o, ft64, ft, gap, dropped);
		else
			wr_gap_idle(o, ft64, gap, dropped);
	}
	if (!w->gate.open)
		gate_gap(&w->gate, ft64);
}

static void
wr_record(struct writer *w, const struct cap_rec *h, const float *data,
    int64_t gap)
{
	struct wr_out	*o;
	uint64_t	 ft64;
	unsigned	 i;

	/*
	 * pos extends JACK's 32-bit frame time (it wraps every day or so at
	 * 48 kHz) to 64 bits; gap (negative: the clock went backwards) says
	 * where this record lies from there.
	 */
	ft64 = w->have_pos ? w->pos + (uint64_t)gap : h->frame_time;
	for (i = 0; i < w->nch; i++)
		w->planes[i] = data + (size_t)i * h->nframes;
	/* Records from before the take was asked for are not part of it. */
	if (w->recording && w->skipping) {
		if ((int32_t)(h->frame_time - w->skip_until) < 0) {
			wr_peaks_only(w, h);
			wr_prerec_keep(w, ft64, h->frame_time, h->nframes);
			w->pos = ft64 + h->nframes;
			w->have_pos = 1;
			return;
		}
		w->skipping = 0;
	}
	if (!w->recording) {
		wr_peaks_only(w, h);
		wr_prerec_keep(w, ft64, h->frame_time, h->nframes);
		w->pos = ft64 + h->nframes;
		w->have_pos = 1;
		return;
	}
	if (!w->in_take)
		wr_take_begin(w, ft64, h->frame_time);
	else if (w->have_pos && gap != 0)
		wr_take_gap(w, ft64, h->frame_time, gap, h->dropped);
	w->have_pos = 1;
	if (wr_all_paused(w))
		/* As with one output: nothing judged, the meters go on. */
		wr_peaks_only(w, h);
	else if (w->gate.on)
		wr_gated(w, h, ft64);
	else {
		for (i = 0; i < w->nout; i++) {
			o = &w->out[i];
			if (o->paused == WP_NONE && !o->cur->open)
				(void)wr_open_at(o, ft64, NULL);
		}
		/* The main output's conversion measures the meters. */
		if (w->out[0].paused != WP_NONE)
			wr_peaks_only(w, h);
		wr_write_all(w, w->planes, 0, h->nframes);
	}
	w->pos = ft64 + h->nframes;
}

/*
 * Retention is the flusher's: it keeps the ledger as it finishes files,
 * and applies keep_hours and keep_gb after each set it finished, when the
 * settings come and every minute; each output's in its own directory.
 */
static void
wr_retain_post(struct wr_out *o)
{
	flush_retain(o->fl, o->cfg.directory, o->cfg.keep_hours,
	    o->cfg.keep_gb);
}

/*
 * A new configuration: the take's options, and each output's, as the
 * loop derived them (their names, number and channels stay: cfgout_check
 * sees to that).
 */
static void
wr_configure(struct writer *w, struct cfg *c, struct cfg_out *v, size_t n)
{
	size_t i;

	cfg_done(&w->cfg);
	w->cfg = *c;
	free(c);
	if (n != w->nout)
		log_warnx("outputs: %zu now, %u before; they keep their "
		    "options until recd restarts", n, w->nout);
	for (i = 0; n == w->nout && i < n; i++) {
		cfg_done(&w->out[i].cfg);
		w->out[i].cfg = v[i].cfg;
		memset(&v[i].cfg, 0, sizeof(v[i].cfg));
		wr_retain_post(&w->out[i]);
	}
	cfg_outputs_free(v, n);
	wr_out_share(w);
}

/* Commands from the loop (struct wr_cmd), in the order sent. */
static void
wr_commands(struct writer *w)
{
	const struct wr_cmd	*c;
	struct wr_out		*o;
	unsigned		 i;
	int			 told;

	while ((c = ring_record(w->cmdq, 0, sizeof(*c))) != NULL) {
		switch (c->type) {
		case WR_CMD_ROTATE:
			/* At the next frame: the next record starts new files. */
			for (i = 0, told = 0; i < w->nout; i++) {
				o = &w->out[i];
				if (!o->cur->open || o->pos <= o->cur->start)
					continue;
				o->rotate_at = o->pos;
				cap_frame_wall_time(w->cap, (uint32_t)o->pos,
				    &o->rotate_wall);
				if (!told++)
					log_info("rotate: asked for");
			}
			break;
		case WR_CMD_MARK:
			if (wr_first_open(w) == NULL)
				break;
			for (i = 0; i < w->nout; i++)
				if (w->out[i].paused == WP_NONE)
					wr_mark(&w->out[i],
					    w->out[i].cur->written, c->label);
			wr_event(w, WEV_MARK, NULL, c->label, 0,
			    atomic_load(&w->st_take_frames));
			break;
		case WR_CMD_CONFIG:
			/* Mode, format and names apply from the next files. */
			wr_configure(w, c->cfg, c->outs, c->nouts);
			w->silence_lin = (float)pow(10,
			    w->cfg.silence_threshold_dbfs / 20);
			wr_gate_setup(w);
			wr_prerec_setup(w);
			break;
		case WR_CMD_TAKE:
			w->want_take = c->on;
			w->take_from = c->from;
			w->take_prerec = c->prerec;
			wr_take_want(w);
			break;
		case WR_CMD_RESUME:
			for (i = 0; i < w->nout; i++)
				w->out[i].resume_req = 1;
			break;
		case WR_CMD_LISTEN:
			w->listening = 1;
			w->listen_from = c->from;
			hist_clear(&w->prerec);
			break;
		case WR_CMD_STALL:
			/*
			 * last + 1, the first cycle after the stall, so that
			 * 0 says none even for a client that stalled before
			 * its first period.  Its length comes later.
			 */
			w->stall_cycle = c->cycle + 1;
			w->stall_ns = -1;
			break;
		case WR_CMD_UNSTALL:
			w->stall_ns = c->ns;
			break;
		}
		ring_release(w->cmdq, sizeof(*c));
	}
}

/* Takes every whole record out of the ring. */
static void
wr_drain(struct writer *w, int final)
{
	const struct cap_rec	*h;
	const unsigned char	*rec;
	size_t			 len;
	int64_t			 gap;
	int			 measured = 0;

	wr_take_want(w);
	wr_commands(w);
	(void)ring_fill(w->ring);
	while ((h = ring_record(w->ring, 0, sizeof(*h))) != NULL) {
		len = cap_rec_bytes(w->nch, h->nframes);
		rec = ring_record(w->ring, 0, len);
		if (rec == NULL)
			break;
		if (h->rate != 0 && h->rate != w->rate)
			wr_rate_change(w, h);
		if (wr_stall_check(w, h, final) != 0 ||
		    wr_judge(w, h, len, final, &gap) != 0)
			break;
		wr_record(w, (const struct cap_rec *)rec,
		    (const float *)(rec + sizeof(*h)), gap);
		ring_release(w->ring, len);
		measured = 1;
	}
	wr_publish_levels(w, measured);
	atomic_store(&w->st_fill, ring_fill(w->ring));
	atomic_store(&w->st_high_water, ring_high_water(w->ring));
}


static void
wr_retention(struct wr_out *o, int64_t now)
{
	if ((o->cfg.keep_hours <= 0 && o->cfg.keep_gb <= 0) ||
	    now < o->next_retain_ns)
		return;
	o->next_retain_ns = now + WR_RETAIN_NS;
	wr_retain_post(o);
}

/*
 * Header refreshes and syncs fall due per file, spread over their period
 * from the file's open on, so that 64 split files do not all write out
 * their buffers in one pass.  Returns 1 when *at is due, and sets the next.
 */
static int
wr_due(int64_t *at, int64_t now, double seconds)
{
	int64_t period = (int64_t)(seconds * 1e9);

	if (now < *at)
		return 0;
	*at += period;
	if (*at <= now)
		*at = now + period;
	return 1;
}

static void
wr_housekeeping(struct wr_out *o, int64_t now)
{
	struct fset	*s = o->cur;
	struct fset_file	*f;
	unsigned	 i;
	int		 rc, update, sync;

	if ((rc = wr_old_done(o, 0)) != 0) {
		wr_error(o, -rc);
		return;
	}
	if (wr_next_done(o, 0) != 0)
		log_warnx("%snext files: will try again", WR_WHO(o));
	wr_notes(o);
	wr_retention(o, now);
	wr_disk(o, now);
	wr_pause_check(o, now);
	if (o->paused == WP_DISK_SLOW) {
		wr_slow_check(o);
		return;
	}
	if (!s->open)
		return;
	wr_prepare(o);
	for (i = 0; i < s->n && s->open; i++) {
		f = &s->f[i];
		/* A write the flusher finished: did it fail? */
		if ((rc = wr_reclaim(o, &f->b[f->fill ^ 1], 0)) != 0) {
			wr_error(o, -rc);
			return;
		}
		/*
		 * Still being written: with several outputs the refresh
		 * waits for the next pass rather than the writer for the
		 * disk (one slow disk must not hold up the others).
		 */
		if (o->w->nout > 1 && f->b[f->fill ^ 1].busy)
			continue;
		/*
		 * What the buffer holds goes to the file before the header
		 * is refreshed or the file synced, so that a kill or a
		 * power cut takes no more than header_seconds or
		 * fsync_seconds.
		 */
		update = wr_due(&f->update_ns, now, o->cfg.header_seconds);
		sync = o->cfg.fsync_seconds > 0 &&
		    wr_due(&f->sync_ns, now, o->cfg.fsync_seconds);
		if ((update || sync) &&
		    (rc = wr_flush(o, f, update, sync)) != 0) {
			wr_error(o, -rc);
			return;
		}
	}
}

/*
 * Keeps the longest pass, and the longest that did rotation work (the
 * boundary, the next files handed to the flusher or taken back from it),
 * for status and the benchmarks: how long the ring must carry the audio
 * alone.  A pass that began files for a take (a start, a gap, the gate)
 * is not a rotation, even if it also prepared the next files.
 */
static void
wr_time_pass(struct writer *w, int64_t t0)
{
	uint64_t ns = (uint64_t)(wr_mono_ns() - t0);

	if (!w->began && ns > atomic_load(&w->st_pass_max_ns))
		atomic_store(&w->st_pass_max_ns, ns);
	if (w->turned && !w->began && ns > atomic_load(&w->st_turn_max_ns))
		atomic_store(&w->st_turn_max_ns, ns);
	w->turned = w->began = 0;
}

/*
 * Sleeps until the next pass.  Meters need a pass every WR_TICK_NS;
 * without them, every wake-up is CPU spent for nothing (on a 2-core VM it
 * cost more than the work of the pass at 2 ch), so the writer wakes 12x
 * less often (at 16 ch, 0.4 ms a second less than at 100 ms), never more
 * rarely than 8 times a ring's length, and often enough that a pass takes
 * about WR_PASS_BYTES at most (at 64 ch/48 kHz every 125 ms): a longer
 * pass is a longer wait at a rotation.  When
 * meters start, writer_levels ends the slow tick through the pipe, so
 * that the first meter frames have data.
 */
static void
wr_sleep(struct writer *w, int64_t now)
{
	struct pollfd	pfd;
	char		buf[16];
	int64_t		ns = WR_IDLE_TICK_NS, most;

	if (now - atomic_load(&w->levels_ns) < WR_METER_NS)
		ns = WR_TICK_NS;
	most = (int64_t)(w->cfg.buffer_seconds * 1e9) / 8;
	if (ns > most)
		ns = most;
	most = (int64_t)(WR_PASS_BYTES * 1e9 / ((double)w->nch * w->rate *
	    sizeof(float)));
	if (ns > most)
		ns = most;
	if (ns < WR_TICK_NS)
		ns = WR_TICK_NS;
	pfd.fd = w->wake[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, (int)(ns / 1000000)) > 0)
		while (read(w->wake[0], buf, sizeof(buf)) > 0)
			;
}

void *
wr_main(void *arg)
{
	struct writer	*w = arg;
	int64_t		 t0;
	unsigned	 stall, i;
	int		 stopping;

	fs_thread_name("recd-writer");	/* for top -H, perf */
	wr_gate_setup(w);
	wr_prerec_setup(w);
	hist_clear(&w->prerec);	/* a new client: another frame clock */
	w->listening = 0;	/* until its sources are connected */
	atomic_store(&w->st_prerec, 0);
	for (i = 0; i < w->nout; i++)
		wr_retain_post(&w->out[i]);
	for (;;) {
		stall = atomic_exchange(&w->stall_ms, 0);
		if (stall > 0) {
			struct timespec ts = { stall / 1000,
			    (long)(stall % 1000) * 1000000 };

			log_warnx("test hook: the writer stalls for %u ms",
			    stall);
			while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
				;
		}
		stopping = atomic_load(&w->stop);
		t0 = wr_mono_ns();
		wr_drain(w, stopping);
		for (i = 0; i < w->nout; i++)
			wr_housekeeping(&w->out[i], wr_mono_ns());
		atomic_fetch_add(&w->beats, 1);
		wr_time_pass(w, t0);
		if (stopping)
			break;
		/*
		 * Behind (after a slow disk, or fed faster than real time):
		 * drain again at once rather than let the ring fill up.
		 */
		if (ring_fill(w->ring) < ring_capacity(w->ring) /
		    WR_BEHIND_DIV)
			wr_sleep(w, wr_mono_ns());
	}
	/*
	 * The flushers finish the last files, and apply retention after
	 * them as after every set, before writer_stop returns.
	 */
	for (i = 0; i < w->nout; i++) {
		wr_end_files(&w->out[i], NULL);
		atomic_store(&w->out[i].st_open, 0);
	}
	atomic_store(&w->st_recording, 0);
	return NULL;
}
