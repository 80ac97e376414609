/*
 * writer_take.c: the take (writer_priv.h), carrying out take.c's
 * verdicts: when a take begins and ends, its timeline (TimeReference
 * across files and gaps), gaps found in the records, the files that the
 * silence gate's spans open and close, and a change of rate or a stall
 * (an output's pauses: writer_pause.c).  Writer thread.
 */
#include "writer_priv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "take.h"

/* The frame in the take that extended frame x is. */
uint64_t
wr_take_frame(const struct writer *w, uint64_t x)
{
	return w->in_take && x >= w->take_pos0 ? x - w->take_pos0 : 0;
}

/* Pre-roll and the gate's timeline start again from the next record. */
void
wr_gate_reset(struct writer *w)
{
	gate_reset(&w->gate);
	atomic_store(&w->st_gate, w->gate.on ? 0 : -1);
}

/* The files of o end here: the ones opened ahead are thrown away. */
void
wr_end_files(struct wr_out *o, const char *cue_end)
{
	wr_discard_set(o, o->next);
	(void)wr_close_cur(o, cue_end);
}

/* Frames into o's files; a failure goes to wr_error.  0 or -errno. */
int
wr_write(struct wr_out *o, const float *const *src, size_t off, uint64_t n)
{
	int rc;

	if ((rc = wr_put(o, src, off, n)) != 0)
		wr_error(o, -rc);
	return rc;
}

/* Whether o takes what comes now: its files are open, it is not paused. */
static int
wr_taking(const struct wr_out *o)
{
	return o->cur->open && o->paused == WP_NONE;
}

/*
 * The most frames a piece of wr_write_all may have with several outputs:
 * what a buffer of each output's files holds, so that no piece makes an
 * output hand its disk two buffers at once (and wait for the first:
 * wr_lagging judges one).
 */
static uint64_t
wr_piece_max(const struct writer *w)
{
	const struct fset	*s;
	uint64_t		 m = WR_SHARE_FRAMES, b;
	unsigned		 i;

	for (i = 0; i < w->nout; i++) {
		s = w->out[i].cur;
		if (s->open && (b = s->buf_bytes / s->frame_bytes) < m)
			m = b;
	}
	return m;
}

/*
 * Frames into every output whose files are open.  Outputs of the same
 * channels share one conversion of each piece (wr_put): with any, the
 * frames go in pieces they all write in turn; so they do with several
 * outputs, each piece one that an output whose disk is behind the
 * stream is left out of, rather than waited for (wr_slow).
 */
void
wr_write_all(struct writer *w, const float *const *src, size_t off,
    uint64_t n)
{
	uint64_t	k, max = w->nout > 1 ? wr_piece_max(w) : WR_SHARE_FRAMES;
	unsigned	i;

	while (n > 0) {
		k = n;
		if ((w->shared || w->nout > 1) && k > max)
			k = max;
		w->sh_seq++;
		w->sh_src = src;
		w->sh_off = off;
		w->sh_n = k;
		for (i = 0; i < w->nout; i++) {
			if (!wr_taking(&w->out[i]))
				continue;
			if (w->nout > 1 && wr_lagging(&w->out[i], src, k))
				wr_slow(&w->out[i]);
			else
				(void)wr_write(&w->out[i], src, off, k);
		}
		off += k;
		n -= k;
	}
	w->sh_src = NULL;
}

/*
 * A time of the take for a log line, on its timeline as its names are:
 * 10:02:17.123, ending in Z in UTC, or in the take's offset once local
 * time has left it.
 */
static void
wr_hms(const struct writer *w, const struct timespec *at, char *buf,
    size_t len)
{
	struct tm	tm;
	char		zone[CLOCK_ZONE_BYTES], hms[16];
	int		utc = w->cfg.timezone == CFG_TZ_UTC, shifted;

	shifted = clock_label_tm(at->tv_sec, w->take_off, utc, zone, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(buf, len, "%.8s.%03d%s", hms,
	    (int)(at->tv_nsec / 1000000) % 1000, utc ? "Z" : shifted ? zone :
	    "");
}

/* Starts a new stretch of o's files at frame `start'. */
static int
wr_begin(struct wr_out *o, uint64_t start, uint32_t start_ft,
    const struct fset *before, const char *cue0)
{
	struct writer	*w = o->w;
	struct fset	*s = o->cur;
	int		 rc;

	s->start = start;
	cap_frame_wall_time(w->cap, start_ft, &s->wall);
	if (before != NULL)
		/* Keep the timeline of the frame clock across the gap. */
		s->time_ref = clock_time_ref(before->time_ref, before->start,
		    start, w->rate);
	else if (w->anchored)
		/* A take's files share one timeline, counted in frames. */
		s->time_ref = clock_time_ref(w->anchor_ref, w->anchor_frame,
		    start, w->rate);
	else
		s->time_ref = clock_time_ref_at(&s->wall, w->rate,
		    w->take_off);
	w->anchored = 1;
	w->anchor_frame = start;
	w->anchor_ref = s->time_ref;
	snprintf(s->cue0, sizeof(s->cue0), "%s", cue0 != NULL ? cue0 : "");
	if ((rc = wr_open_set(o, s)) != 0) {
		wr_error(o, -rc);
		return -1;
	}
	wr_announce(o, s);
	w->began = 1;
	wr_plan_rotation(o, start, &s->wall, NULL);
	atomic_store(&o->st_open, 1);
	atomic_store(&w->st_recording, 1);
	return 0;
}

/*
 * A record does not follow the last one: frames were dropped or JACK's
 * clock jumped.  Log it, count it, mark it in o's files; then end them
 * there (split) or fill the gap with silence.
 */
void
wr_gap(struct wr_out *o, uint64_t ft64, uint32_t ft, int64_t gap,
    uint64_t dropped)
{
	struct writer	*w = o->w;
	struct fset	 before;
	struct timespec	 at;
	char		 label[128], when[32];
	const char	*cause;
	uint64_t	 frame = o->cur->written;

	cause = take_gap_cause(gap, dropped);
	atomic_fetch_add(&o->st_gaps, 1);
	atomic_fetch_add(&o->st_gap_frames, gap > 0 ? (uint64_t)gap : 0);
	cap_frame_wall_time(w->cap, (uint32_t)o->pos, &at);
	wr_hms(w, &at, when, sizeof(when));
	log_warnx("%sgap: %lld frames (%.3f s) at %s, frame %llu of %s: %s",
	    WR_WHO(o), (long long)gap, (double)gap / w->rate, when,
	    (unsigned long long)frame,
	    o->cur->open ? o->cur->f[0].path : "(no file)", cause);
	wr_oevent(o, WEV_GAP, o->cur->open ? o->cur->f[0].path : NULL, cause,
	    gap > 0 ? (uint64_t)gap : 0, frame);
	if (!o->cur->open) {
		o->pos = ft64;
		return;
	}
	if (take_fills_gap(o->cfg.gap_policy, gap, w->rate)) {
		snprintf(label, sizeof(label), "gap: %lld frames of silence: "
		    "%s", (long long)gap, cause);
		wr_mark(o, frame, label);
		(void)wr_write(o, NULL, 0, (uint64_t)gap);
		return;
	}
	snprintf(label, sizeof(label), "gap: %lld frames missing after this "
	    "point: %s", (long long)gap, cause);
	before = *o->cur;
	wr_close_cur(o, label);
	wr_discard_set(o, o->next);
	o->pos = ft64;
	snprintf(label, sizeof(label), "gap: %lld frames missing before this "
	    "file: %s", (long long)gap, cause);
	wr_begin(o, ft64, ft, gap > 0 ? &before : NULL, label);
}

/*
 * o resumed while another output of the same rotation records on: o's
 * files end where that one's do, and from there on both rotate at the
 * same frames, so that a mirror's files after its pause are named and
 * cut as the other's, frame for frame.
 */
static void
wr_rejoin(struct wr_out *o)
{
	struct writer		*w = o->w;
	const struct wr_out	*p;
	unsigned		 i;

	for (i = 0; i < w->nout; i++) {
		p = &w->out[i];
		if (p == o || !wr_taking(p) || p->rotate_at == WR_NEVER ||
		    p->rotate_at <= o->pos ||
		    p->cfg.rotate_seconds != o->cfg.rotate_seconds ||
		    p->cfg.rotate_align != o->cfg.rotate_align)
			continue;
		o->rotate_at = p->rotate_at;
		o->rotate_wall = p->rotate_wall;
		return;
	}
}

/*
 * Opens o's files whose frame 0 is extended frame `at'.  After a pause
 * they begin with a marker, and the gap is logged, counted and reported.
 */
int
wr_open_at(struct wr_out *o, uint64_t at, const char *cue)
{
	struct writer	*w = o->w;
	char		 label[160];
	uint64_t	 lost;

	o->pos = at;
	if (o->gap_pending) {
		o->gap_pending = 0;
		lost = o->gap_lost_s > 0 ? (uint64_t)llround(o->gap_lost_s *
		    w->rate) : at > o->pause_from ? at - o->pause_from : 0;
		o->gap_lost_s = 0;
		atomic_fetch_add(&o->st_gaps, 1);
		atomic_fetch_add(&o->st_gap_frames, lost);
		snprintf(label, sizeof(label), "gap: about %.3f s not recorded "
		    "before this file: %s", (double)lost / w->rate,
		    o->pause_why);
		log_warnx("%sgap: %llu frames (%.3f s) not recorded: %s",
		    WR_WHO(o), (unsigned long long)lost,
		    (double)lost / w->rate, o->pause_why);
		wr_oevent(o, WEV_RESUMED, NULL, o->pause_why, lost,
		    wr_take_frame(w, at));
		cue = label;
		if (wr_begin(o, at, (uint32_t)at, NULL, cue) != 0)
			return -1;
		wr_rejoin(o);
		return 0;
	}
	return wr_begin(o, at, (uint32_t)at, NULL, cue);
}

/*
 * Whether a take that begins with the record at ft64 (JACK frame time ft)
 * has a pre-record, and how much (*pre, from 0): prerecord_seconds before
 * the start command's frame (take_from, *cmd), as far as the writer kept
 * what came then, in one piece up to ft64.  None for a take that no start
 * command began, or with the gate on (its pre-roll does that).
 */
static int
wr_prerec_frames(struct writer *w, uint64_t ft64, uint32_t ft, uint64_t *cmd,
    uint64_t *pre)
{
	uint64_t want, kept;

	*cmd = ft64 - (uint32_t)(ft - w->take_from);
	*pre = 0;
	if (!w->take_prerec || w->cfg.prerecord_seconds <= 0)
		return 0;
	if (w->gate.on) {
		log_info("pre-record: none with the gate on (its pre-roll "
		    "keeps what came before the signal)");
		return 0;
	}
	want = (uint64_t)llround(w->cfg.prerecord_seconds * w->rate) +
	    (ft64 - *cmd);
	kept = w->prerec_end == ft64 ? w->prerec.len : 0;
	*pre = kept < want ? kept : want;
	if (kept < want)
		log_warnx("pre-record: %.3f s kept of the %.3f s asked for "
		    "(all recd heard in one piece since it connected, a gap "
		    "or the last take)", kept > ft64 - *cmd ? (double)(kept -
		    (ft64 - *cmd)) / w->rate : 0.0, w->cfg.prerecord_seconds);
	return 1;
}

/*
 * The take begins with n frames of pre-record before ft64: files open
 * where they start, the pre-record goes in, and a marker shows where
 * the start command came (cmd).
 */
static void
wr_prerec_write(struct writer *w, uint64_t ft64, uint64_t n, uint64_t cmd)
{
	const float	**planes = w->gate.pre_planes;
	struct wr_out	 *o;
	uint64_t	  done, k;
	unsigned	  i;

	for (i = 0; i < w->nout; i++)
		if (w->out[i].paused == WP_NONE)
			(void)wr_open_at(&w->out[i], ft64 - n, NULL);
	for (done = 0; (k = hist_tail(&w->prerec, n, done, planes)) > 0;
	    done += k)
		wr_write_all(w, planes, 0, k);
	for (i = 0; i < w->nout; i++) {
		o = &w->out[i];
		if (o->cur->open && cmd >= o->cur->start)
			wr_mark(o, cmd - o->cur->start, "start: the command "
			    "came here; what is before it is pre-record");
	}
}

/* The first record of a take. */
void
wr_take_begin(struct writer *w, uint64_t ft64, uint32_t ft)
{
	struct timespec wall;
	uint64_t	pre, cmd;
	int		told;

	told = wr_prerec_frames(w, ft64, ft, &cmd, &pre);
	w->in_take = 1;
	w->anchored = 0;
	w->take_pos0 = ft64 - pre;
	w->stop_why = NULL;
	atomic_store(&w->st_take_frames, 0);
	cap_frame_wall_time(w->cap, (uint32_t)(ft64 - pre), &wall);
	w->take_off = clock_offset(wall.tv_sec, w->cfg.timezone == CFG_TZ_UTC);
	w->zone_told = 0;
	atomic_store(&w->st_take_start, (long long)wall.tv_sec);
	atomic_store(&w->st_gate_since, 0);
	wr_gate_reset(w);
	wr_event(w, WEV_TAKE_STARTED, NULL, NULL, 0, 0);
	if (w->gate.on)
		log_info("gate: closed until a sample reaches %.1f dBFS",
		    w->cfg.gate_threshold_dbfs);
	if (pre > 0)
		wr_prerec_write(w, ft64, pre, cmd);
	if (told)
		log_info("pre-record: the take begins at JACK frame %u, "
		    "%.3f s before the start command's frame %u",
		    (uint32_t)(ft64 - pre), ((double)cmd - (double)(ft64 -
		    pre)) / w->rate, (uint32_t)cmd);
	hist_clear(&w->prerec);
	atomic_store(&w->st_prerec, 0);
}

/*
 * The pre-record's buffer, as prerecord_seconds asks at this rate, and
 * room for what comes between the command's frame and the first record
 * of the take (less than a period).
 */
void
wr_prerec_setup(struct writer *w)
{
	uint64_t cap = (uint64_t)llround(w->cfg.prerecord_seconds * w->rate);

	if (cap > 0)
		cap += WR_PREREC_SLACK;
	/* A new size starts empty; another option changed keeps it. */
	if (cap != w->prerec.cap) {
		if (hist_size(&w->prerec, w->nch, cap) != 0)
			log_warnx("pre-record: no memory for %.1f s of %u "
			    "channels", w->cfg.prerecord_seconds, w->nch);
		else if (cap > 0)
			log_info("pre-record: up to %.1f s kept while not "
			    "recording (%.0f MB)", w->cfg.prerecord_seconds,
			    (double)cap * w->nch * sizeof(float) / 1e6);
	}
	if (w->gate.on)
		hist_clear(&w->prerec);
	atomic_store(&w->st_prerec, w->prerec.len);
}

/*
 * The record at ft64, JACK frame time ft (in w->planes), came while
 * nothing is recorded.  Nothing from before the sources were connected is
 * kept, nor with the gate on: its pre-roll does that job.
 */
void
wr_prerec_keep(struct writer *w, uint64_t ft64, uint32_t ft, size_t n)
{
	if (w->prerec.cap == 0 || w->gate.on || !w->listening ||
	    (int32_t)(ft - w->listen_from) < 0)
		return;
	if (w->prerec_end != ft64)
		hist_clear(&w->prerec);
	hist_keep(&w->prerec, w->planes, 0, n);
	w->prerec_end = ft64 + n;
	atomic_store(&w->st_prerec, w->prerec.len);
}

static void
wr_take_end(struct writer *w)
{
	struct wr_out	*o;
	unsigned	 i;

	for (i = 0; i < w->nout; i++) {
		o = &w->out[i];
		wr_end_files(o, NULL);
		wr_flush_wait(o);
		o->paused = WP_NONE;
		o->gap_pending = 0;
		o->gap_lost_s = 0;
		atomic_store(&o->st_paused, WP_NONE);
		atomic_store(&o->st_open, 0);
	}
	w->recording = 0;
	w->in_take = 0;
	wr_gate_reset(w);
	atomic_store(&w->st_recording, 0);
	atomic_store(&w->st_take_start, 0);
	log_info("take stopped%s%s", w->stop_why != NULL ? ": " : "",
	    w->stop_why != NULL ? w->stop_why : "");
	wr_event(w, WEV_TAKE_STOPPED, NULL, w->stop_why,
	    atomic_load(&w->st_take_frames), 0);
	w->stop_why = NULL;
}

static void
wr_when(const struct writer *w, uint64_t x, char *buf, size_t len)
{
	struct timespec	at;

	cap_frame_wall_time(w->cap, (uint32_t)x, &at);
	wr_hms(w, &at, buf, len);
}

/*
 * The gate opened (sp): files begin (or go on after a marker) where its
 * stretch begins, in every output that is not paused, and the pre-roll
 * before the record is written first.
 */
static void
wr_gate_opened(struct writer *w, const struct gate_span *sp)
{
	const float	**planes = w->gate.pre_planes;
	struct wr_out	 *o;
	uint64_t	  s = sp->start, done, k;
	char		  label[160], when[24];
	unsigned	  i;

	wr_when(w, s, when, sizeof(when));
	for (i = 0; i < w->nout; i++) {
		o = &w->out[i];
		if (o->paused != WP_NONE)
			continue;
		if (o->cur->open && (w->cfg.gate_split ||
		    (o->rotate_at != WR_NEVER && s >= o->rotate_at)))
			wr_end_files(o, NULL);
		if (o->cur->open) {
			/* gate_split false: the same files go on after a
			 * marker. */
			o->pos = s;
			snprintf(label, sizeof(label), "gate: opened; this "
			    "stretch began at %s, %.3f s after the last one "
			    "ended", when, (double)(s - w->gate.closed_at) /
			    w->rate);
			wr_mark(o, o->cur->written, label);
		} else {
			snprintf(label, sizeof(label), "gate: opened; this "
			    "stretch began at %s", when);
			(void)wr_open_at(o, s, label);
		}
	}
	atomic_store(&w->st_gate, 1);
	atomic_store(&w->st_gate_since, wr_take_frame(w, s));
	log_info("gate: open at %s, frame %llu of the take, with %.3f s of "
	    "pre-roll", when, (unsigned long long)wr_take_frame(w, s),
	    (double)(sp->loud - s) / w->rate);
	wr_event(w, WEV_GATE_OPENED, wr_first_open(w), NULL, sp->loud - s,
	    wr_take_frame(w, s));
	for (done = 0; (k = gate_preroll(&w->gate, sp, done, planes)) > 0;
	    done += k)
		wr_write_all(w, planes, 0, k);
}

/* The gate closed at frame at: told, and with gate_split the files end. */
static void
wr_gate_closed(struct writer *w, uint64_t at)
{
	char		when[24];
	unsigned	i;

	wr_when(w, at, when, sizeof(when));
	atomic_store(&w->st_gate, 0);
	atomic_store(&w->st_gate_since, wr_take_frame(w, at));
	log_info("gate: closed at %s, frame %llu of the take, after %.3f s",
	    when, (unsigned long long)wr_take_frame(w, at),
	    (double)(at - w->gate.seg_start) / w->rate);
	wr_event(w, WEV_GATE_CLOSED, wr_first_open(w), NULL,
	    at - w->gate.seg_start, wr_take_frame(w, at));
	for (i = 0; w->cfg.gate_split && i < w->nout; i++) {
		if (w->out[i].paused == WP_DISK_SLOW)
			continue;	/* finished as its disk catches up */
		wr_end_files(&w->out[i], "gate: closed");
		atomic_store(&w->out[i].st_open, 0);
	}
}

/*
 * One record through the gate (gate.c says which span to write, and
 * where it opened and closed); here the files follow.
 */
void
wr_gated(struct writer *w, const struct cap_rec *h, uint64_t ft64)
{
	uint64_t		hold = (uint64_t)llround(
				    w->cfg.gate_hold_seconds * w->rate);
	struct gate_span	sp;
	struct wr_out		*o;
	unsigned		i;

	wr_peaks_only(w, h);
	for (i = 0; i < w->nout; i++) {
		o = &w->out[i];
		/* Files of a closed gate end at their boundary. */
		if (!w->gate.open && o->cur->open && o->paused == WP_NONE &&
		    o->rotate_at != WR_NEVER && ft64 >= o->rotate_at) {
			wr_end_files(o, NULL);
			atomic_store(&o->st_open, 0);
		}
		/* A paused output that resumed while the gate is open. */
		if (w->gate.open && o->paused == WP_NONE && !o->cur->open)
			(void)wr_open_at(o, ft64, NULL);
	}
	gate_judge(&w->gate, w->planes, h->nframes, ft64, hold, &sp);
	if (sp.opens)
		wr_gate_opened(w, &sp);
	if (sp.end > sp.off) {
		for (i = 0; i < w->nout; i++)
			if (wr_taking(&w->out[i]))
				w->out[i].pos = ft64 + sp.off;
		wr_write_all(w, w->planes, sp.off, sp.end - sp.off);
	}
	if (sp.closes)
		wr_gate_closed(w, sp.close_at);
	gate_after(&w->gate, w->planes, h->nframes, &sp);
}

/*
 * A gap where o writes nothing (paused, or the gate closed): counted and
 * told.
 */
void
wr_gap_idle(struct wr_out *o, uint64_t ft64, int64_t gap, uint64_t dropped)
{
	struct writer	*w = o->w;
	const char	*cause;

	cause = take_gap_cause(gap, dropped);
	atomic_fetch_add(&o->st_gaps, 1);
	atomic_fetch_add(&o->st_gap_frames, gap > 0 ? (uint64_t)gap : 0);
	log_warnx("%sgap: %lld frames (%.3f s) while nothing was being "
	    "written (%s): %s", WR_WHO(o), (long long)gap,
	    (double)gap / w->rate, o->paused != WP_NONE ? "paused" :
	    "gate closed", cause);
	wr_oevent(o, WEV_GAP, NULL, cause, gap > 0 ? (uint64_t)gap : 0, 0);
	o->pos = ft64;
}

/*
 * The gate as the configuration asks: threshold, channels, and the
 * pre-roll buffer, sized for the rate.  Turned on during a take, the gate
 * counts as open from here; turned off, files open with the next record.
 */
void
wr_gate_setup(struct writer *w)
{
	uint64_t cap = (uint64_t)llround(w->cfg.gate_preroll_seconds *
		     w->rate);

	if (gate_configure(&w->gate, w->cfg.gate_threshold_dbfs,
	    w->cfg.gate_channels.v, w->cfg.gate_channels.n, cap) != 0)
		log_warn("gate: pre-roll of %.1f s", (double)cap / w->rate);
	if (w->cfg.gate && !w->gate.on) {
		gate_turn_on(&w->gate, w->pos, wr_first_open(w) != NULL);
		atomic_store(&w->st_gate, w->gate.open);
	} else if (!w->cfg.gate && w->gate.on) {
		gate_turn_off(&w->gate);
		wr_gate_reset(w);
	}
}

/*
 * A take as asked (want_take): it begins with the first record from
 * take_from on (unless recording failed for good), or it ends.
 */
void
wr_take_want(struct writer *w)
{
	if (w->want_take && !w->recording && !atomic_load(&w->st_failed)) {
		w->recording = 1;
		w->skipping = 1;
		w->skip_until = w->take_from;
	} else if (!w->want_take && (w->recording || w->in_take))
		wr_take_end(w);
}

/*
 * Record h is the first at a new sample rate (PipeWire's clock.force-rate;
 * cap_rt.c tags each record).  A file holds one rate, the one in its
 * header: the files end with the last record at the old rate, and the
 * next ones start with h, at h's rate, after a gap of what the change
 * lost (JACK's frame time says: a period, under PipeWire).  The take's
 * timeline starts again from the wall clock.
 */
void
wr_rate_change(struct writer *w, const struct cap_rec *h)
{
	struct wr_out	*o;
	int64_t		 lost = 0;
	unsigned	 was = w->rate, i;

	if (w->have_pos) {
		lost = (int32_t)(h->frame_time - (uint32_t)w->pos);
		if (lost < 0)
			lost = 0;
	}
	log_info("rate: %u Hz from JACK frame %u on (was %u)%s", h->rate,
	    h->frame_time, was, wr_first_open(w) != NULL ?
	    "; the files end here" : "");
	for (i = 0; i < w->nout; i++) {
		o = &w->out[i];
		/* A slow output's files end as its disk catches up. */
		if (w->in_take && o->paused != WP_DISK_SLOW) {
			wr_end_files(o, "the sample rate changed after this "
			    "point");
			atomic_store(&o->st_open, 0);
			if (lost > 0 && !o->gap_pending) {
				o->gap_pending = 1;
				o->gap_lost_s = (double)lost / h->rate;
				snprintf(o->pause_why, sizeof(o->pause_why),
				    "the sample rate changed from %u to %u Hz",
				    was, h->rate);
			}
		}
		o->rotate_at = WR_NEVER;
	}
	w->anchored = 0;
	w->rate = h->rate;
	w->have_pos = 0;
	wr_gate_setup(w);	/* the pre-roll, sized for the rate */
	wr_gate_reset(w);
	wr_prerec_setup(w);
	hist_clear(&w->prerec);
}

/*
 * Record h is the first after a stall that the loop's liveness guard saw
 * (writer_stalled).  The length comes from the wall clock, as the loop
 * measured it, less what JACK's frame time shows already (wr_judge takes
 * that part).  A take's files end at the stall, and the next ones start
 * after a gap of that length, with their time from the wall clock.
 * Returns 1 while the length is not known yet (final: it never will be).
 */
int
wr_stall_check(struct writer *w, const struct cap_rec *h, int final)
{
	struct wr_out	*o;
	uint64_t	 sc = w->stall_cycle;	/* last + 1 */
	int64_t		 ns, lost, jump, slack;
	char		 why[64];
	unsigned	 i;

	if (sc == 0 || sc == w->stall_done || h->cycle < sc)
		return 0;
	/*
	 * Only the first record after the stall starts the gap.  A later
	 * one means the writer had the first before it was told (the stall
	 * ended as it was seen): nothing to place.
	 */
	if (h->cycle != sc) {
		w->stall_done = sc;
		return 0;
	}
	ns = w->stall_ns;
	if (ns < 0 && !final)
		return 1;
	w->stall_done = sc;
	jump = w->have_pos ? (int32_t)(h->frame_time - (uint32_t)w->pos) : 0;
	lost = llround((double)(ns > 0 ? ns : 0) * w->rate / 1e9) -
	    (int64_t)h->nframes;
	/*
	 * The loop measures the stall to its tick (100 ms) at either end:
	 * when JACK's frame time shows about as much, it is the exact
	 * measure, and wr_judge takes it.
	 */
	slack = (int64_t)w->rate / 5 + (int64_t)h->nframes;
	if (!w->in_take || lost <= jump + slack)
		return 0;
	/*
	 * What JACK's frame time shows of it, wr_judge reports as usual; and
	 * the timeline of frames goes on (have_pos stays), so that the
	 * dummy driver's first stamp after a stall, a period off and taken
	 * back by the next one, is no gap either.
	 */
	if (jump > 0)
		lost -= jump;
	snprintf(why, sizeof(why), "JACK ran recd no more for %.1f s "
	    "(stalled)", (double)ns / 1e9);
	for (i = 0; i < w->nout; i++) {
		o = &w->out[i];
		if (o->paused == WP_DISK_SLOW || wr_slow_if_behind(o))
			continue;	/* its files end as its disk catches up */
		if (o->cur->open) {
			wr_end_files(o, "JACK stalled after this point");
			atomic_store(&o->st_open, 0);
			o->gap_pending = 1;
			o->gap_lost_s = (double)lost / w->rate;
			snprintf(o->pause_why, sizeof(o->pause_why), "%s",
			    why);
		} else {
			/* Paused, the gate closed, or no file yet. */
			atomic_fetch_add(&o->st_gaps, 1);
			atomic_fetch_add(&o->st_gap_frames, (uint64_t)lost);
			log_warnx("%sgap: %lld frames (%.3f s) while nothing "
			    "was being written: %s", WR_WHO(o),
			    (long long)lost, (double)lost / w->rate, why);
			wr_oevent(o, WEV_GAP, NULL, why, (uint64_t)lost, 0);
		}
		o->rotate_at = WR_NEVER;
	}
	w->anchored = 0;	/* the next files' time: the wall clock's */
	wr_gate_reset(w);
	return 0;
}
