/*
 * writer_ctl.c: the writer as the loop sees it (writer.h): created,
 * started and stopped, steered through one command queue, read through
 * its event queue and counters.  Main thread; writer_attach only while
 * the writer thread is stopped.
 */
#include "writer_priv.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "ring.h"

struct writer *
writer_new(const struct cfg *cfg, struct cap *cap, void (*notify)(void *),
    void *arg, char *err, size_t errlen)
{
	struct writer	*w;
	int		 gate_ok;

	w = calloc(1, sizeof(*w));
	if (w == NULL || cfg_copy(&w->cfg, cfg, err, errlen) != 0) {
		free(w);
		snprintf(err, errlen, "writer: %s", strerror(ENOMEM));
		return NULL;
	}
	w->cap = cap;
	w->ring = cap_ring(cap);
	w->nch = cap_channels(cap);
	w->rate = cap_rate(cap);
	w->notify = notify;
	w->notify_arg = arg;
	atomic_init(&w->st_gate, -1);
	w->wake[0] = w->wake[1] = -1;
	if (pipe(w->wake) != 0 ||
	    fcntl(w->wake[0], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(w->wake[1], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(w->wake[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(w->wake[1], F_SETFD, FD_CLOEXEC) != 0) {
		snprintf(err, errlen, "writer: pipe: %s", strerror(errno));
		writer_del(w);
		return NULL;
	}
	w->planes = calloc(w->nch, sizeof(*w->planes));
	w->peak = calloc(w->nch, sizeof(*w->peak));
	w->clips = calloc(w->nch, sizeof(*w->clips));
	w->clips_seen = calloc(w->nch, sizeof(*w->clips_seen));
	w->peak_bits = calloc(w->nch, sizeof(*w->peak_bits));
	w->clip = calloc(w->nch, sizeof(*w->clip));
	w->loud_ns = calloc(w->nch, sizeof(*w->loud_ns));
	w->clip_total = calloc(w->nch, sizeof(*w->clip_total));
	w->peak2_bits = calloc(w->nch, sizeof(*w->peak2_bits));
	w->silence_lin = (float)pow(10, w->cfg.silence_threshold_dbfs / 20);
	gate_ok = gate_init(&w->gate, w->nch) == 0;
	w->cmdq = ring_new(WR_CMD_SLOTS * sizeof(struct wr_cmd),
	    sizeof(struct wr_cmd), err, errlen);
	if (w->planes == NULL || w->peak == NULL ||
	    w->clips == NULL || w->clips_seen == NULL ||
	    w->peak_bits == NULL || w->clip == NULL || w->cmdq == NULL ||
	    w->loud_ns == NULL || w->clip_total == NULL ||
	    w->peak2_bits == NULL || !gate_ok)
		goto nomem;
	if (wr_out_setup(w, &w->cfg, err, errlen) != 0) {
		writer_del(w);
		return NULL;
	}
	/* Each output's files open and close at a shared boundary. */
	w->evq = ring_new(WR_EV_SLOTS * w->nout * sizeof(struct writer_event),
	    sizeof(struct writer_event), err, errlen);
	if (w->evq == NULL)
		goto nomem;
	return w;
nomem:
	snprintf(err, errlen, "writer: %s", strerror(ENOMEM));
	writer_del(w);
	return NULL;
}

/* Every output's flusher ended (after its last job). */
static void
wr_flushers_del(struct writer *w)
{
	unsigned i;

	for (i = 0; i < w->nout; i++) {
		wr_flush_wait(&w->out[i]);
		flush_del(w->out[i].fl);
		w->out[i].fl = NULL;
	}
}

/*
 * Each output has its flusher: one disk's jobs wait behind no other's.
 * With several outputs, one whose disk falls behind the stream is left
 * (WP_DISK_SLOW) rather than waited for, until it catches up; with one,
 * a disk slower than the stream holds up the writer once both of a
 * file's buffers wait on it (wr_reclaim), and then the ring, until it is
 * full (gaps, counted and reported).
 */
int
writer_start(struct writer *w, char *err, size_t errlen)
{
	unsigned	i;
	int		rc;

	for (i = 0; i < w->nout; i++)
		if ((w->out[i].fl = flush_new(err, errlen)) == NULL) {
			wr_flushers_del(w);
			return -ENOMEM;
		}
	rc = pthread_create(&w->thread, NULL, wr_main, w);
	if (rc != 0) {
		snprintf(err, errlen, "writer: thread: %s", strerror(rc));
		wr_flushers_del(w);
		return -rc;
	}
	w->started = 1;
	return 0;
}

void
writer_stop(struct writer *w)
{
	if (!w->started)
		return;
	atomic_store(&w->stop, 1);
	pthread_join(w->thread, NULL);
	/* Every file the writer closed is finished, and told, when this
	 * returns. */
	wr_flushers_del(w);
	atomic_store(&w->stop, 0);
	w->started = 0;
}

void
writer_attach(struct writer *w, struct cap *cap, double lost_s,
    const char *why)
{
	struct wr_out	*o;
	unsigned	 i;

	w->cap = cap;
	w->ring = cap_ring(cap);
	w->rate = cap_rate(cap);
	w->have_pos = 0;
	w->recording = 0;	/* skips what came before the connections */
	w->anchored = 0;	/* another server, another frame clock */
	w->stall_cycle = 0;	/* the new client counts anew */
	w->stall_done = 0;
	gate_resize(&w->gate);	/* the pre-roll, sized again for the rate */
	wr_gate_reset(w);
	for (i = 0; i < w->nout; i++) {
		o = &w->out[i];
		o->rotate_at = WR_NEVER;
		if (w->in_take) {
			o->gap_pending = 1;
			o->gap_lost_s = lost_s > 0 ? lost_s : 1.0 / w->rate;
			snprintf(o->pause_why, sizeof(o->pause_why), "%s",
			    why);
		}
	}
}

/*
 * Queues a command of type for the writer; the fields that type uses are
 * in c (may be NULL).  -EAGAIN when the queue is full.
 */
static int
wr_send(struct writer *w, enum wr_cmd_type type, const struct wr_cmd *c)
{
	struct wr_cmd *q;

	q = ring_reserve_rt(w->cmdq, sizeof(*q));
	if (q == NULL)
		return -EAGAIN;
	if (c != NULL)
		*q = *c;
	else
		memset(q, 0, sizeof(*q));
	q->type = type;
	ring_commit_rt(w->cmdq, sizeof(*q));
	return 0;
}

void
writer_stalled(struct writer *w, uint64_t last)
{
	struct wr_cmd c = { .cycle = last };

	if (wr_send(w, WR_CMD_STALL, &c) != 0)
		log_warnx("writer: its queue is full: the stall's gap is "
		    "measured by JACK's frame time alone");
}

void
writer_unstalled(struct writer *w, int64_t stall_ns)
{
	struct wr_cmd c = { .ns = stall_ns };

	if (wr_send(w, WR_CMD_UNSTALL, &c) != 0)
		log_warnx("writer: its queue is full: the stall's gap is "
		    "measured by JACK's frame time alone");
}

void
writer_del(struct writer *w)
{
	const struct wr_cmd	*c;

	if (w == NULL)
		return;
	writer_stop(w);
	wr_out_free(w);
	/* Configurations sent but never taken. */
	while (w->cmdq != NULL &&
	    (c = ring_record(w->cmdq, 0, sizeof(*c))) != NULL) {
		if (c->type == WR_CMD_CONFIG) {
			cfg_done(c->cfg);
			free(c->cfg);
			cfg_outputs_free(c->outs, c->nouts);
		}
		ring_release(w->cmdq, sizeof(*c));
	}
	ring_del(w->cmdq);
	ring_del(w->evq);
	if (w->wake[0] >= 0)
		close(w->wake[0]);
	if (w->wake[1] >= 0)
		close(w->wake[1]);
	free(w->planes);
	free(w->peak);
	free(w->clips);
	free(w->clips_seen);
	free(w->peak_bits);
	free(w->clip);
	free(w->loud_ns);
	free(w->clip_total);
	free(w->peak2_bits);
	gate_free(&w->gate);
	hist_free(&w->prerec);
	cfg_done(&w->cfg);
	free(w);
}

void
writer_get_stats(struct writer *w, struct writer_stats *st)
{
	st->recording = atomic_load(&w->st_recording);
	st->failed = atomic_load(&w->st_failed);
	st->frames = atomic_load(&w->out[0].st_frames);
	st->files_opened = atomic_load(&w->out[0].st_opened);
	st->files_closed = atomic_load(&w->out[0].st_closed);
	st->gaps = atomic_load(&w->out[0].st_gaps);
	st->gap_frames = atomic_load(&w->out[0].st_gap_frames);
	st->ring_high_water = atomic_load(&w->st_high_water);
	st->ring_fill = atomic_load(&w->st_fill);
	st->take_frames = atomic_load(&w->st_take_frames);
	st->take_start = (time_t)atomic_load(&w->st_take_start);
	st->disk_free = atomic_load(&w->out[0].st_disk_free);
	st->events_lost = atomic_load(&w->st_events_lost);
	st->gate = atomic_load(&w->st_gate);
	st->gate_since = atomic_load(&w->st_gate_since);
	st->prerec_frames = atomic_load(&w->st_prerec);
	st->paused = atomic_load(&w->out[0].st_paused);
	st->pass_max_ns = atomic_load(&w->st_pass_max_ns);
	st->turn_max_ns = atomic_load(&w->st_turn_max_ns);
}

int
writer_rotate(struct writer *w)
{
	return wr_send(w, WR_CMD_ROTATE, NULL);
}

int
writer_mark(struct writer *w, const char *label)
{
	struct wr_cmd c = { .type = WR_CMD_MARK };

	snprintf(c.label, sizeof(c.label), "%s", label != NULL ? label : "");
	return wr_send(w, WR_CMD_MARK, &c);
}

int
writer_listen(struct writer *w, uint32_t from)
{
	struct wr_cmd c = { .from = from };

	return wr_send(w, WR_CMD_LISTEN, &c);
}

int
writer_resume(struct writer *w)
{
	return wr_send(w, WR_CMD_RESUME, NULL);
}

int
writer_config(struct writer *w, const struct cfg *cfg)
{
	struct wr_cmd	 q = { .type = WR_CMD_CONFIG };
	struct cfg	*c;
	char		 err[256];
	int		 rc;

	c = malloc(sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	if ((rc = cfg_copy(c, cfg, err, sizeof(err))) != 0) {
		free(c);
		return rc;
	}
	/* The outputs, derived here: the writer parses nothing. */
	if ((rc = cfg_outputs(c, &q.outs, &q.nouts, err, sizeof(err))) != 0) {
		log_warnx("writer: %s", err);
		cfg_done(c);
		free(c);
		return rc;
	}
	q.cfg = c;
	rc = wr_send(w, WR_CMD_CONFIG, &q);
	if (rc != 0) {
		cfg_done(c);
		free(c);
		cfg_outputs_free(q.outs, q.nouts);
	}
	return rc;
}

int
writer_event(struct writer *w, struct writer_event *e)
{
	const struct writer_event *q;

	q = ring_record(w->evq, 0, sizeof(*q));
	if (q == NULL)
		return 0;
	memcpy(e, q, sizeof(*e));
	ring_release(w->evq, sizeof(*q));
	return 1;
}

int
writer_levels(struct writer *w, float peak[], unsigned char clip[])
{
	union { float f; unsigned u; } v;
	long long now = (long long)wr_mono_ns();
	uint64_t seq = atomic_load(&w->levels_seq);
	ssize_t n = 0;
	unsigned c;

	/*
	 * Meters start: end the writer's slow tick (wr_sleep).  A full pipe
	 * means a wake-up is pending already.
	 */
	if (now - atomic_exchange(&w->levels_ns, now) >= WR_METER_NS)
		n = write(w->wake[1], "", 1);
	(void)n;
	for (c = 0; c < w->nch; c++) {
		v.u = atomic_exchange(&w->peak_bits[c], 0);
		peak[c] = v.f;
		clip[c] = atomic_exchange(&w->clip[c], 0);
	}
	if (seq == w->levels_seen)
		return 0;
	w->levels_seen = seq;
	return 1;
}

void
writer_alarm_levels(struct writer *w, int64_t loud_ns[], uint64_t clips[],
    float peak[])
{
	union { float f; unsigned u; } v;
	unsigned c;

	for (c = 0; c < w->nch; c++) {
		loud_ns[c] = atomic_load(&w->loud_ns[c]);
		clips[c] = atomic_load(&w->clip_total[c]);
		v.u = atomic_exchange(&w->peak2_bits[c], 0);
		peak[c] = v.f;
	}
}

int
writer_take(struct writer *w, int on, uint32_t from, int prerec)
{
	struct wr_cmd c = { .on = on, .from = from, .prerec = prerec };

	return wr_send(w, WR_CMD_TAKE, &c);
}

void
writer_test_stall(struct writer *w, unsigned ms)
{
	atomic_store(&w->stall_ms, ms);
}

uint64_t
writer_beats(struct writer *w)
{
	return atomic_load(&w->beats);
}

unsigned
writer_outputs(struct writer *w)
{
	return w->nout;
}

int
writer_out_stats(struct writer *w, unsigned i, struct writer_out_stats *st)
{
	struct wr_out *o;

	if (i >= w->nout)
		return -ENOENT;
	o = &w->out[i];
	snprintf(st->name, sizeof(st->name), "%s", o->name);
	st->channels = o->nch;
	st->open = atomic_load(&o->st_open);
	st->paused = atomic_load(&o->st_paused);
	st->frames = atomic_load(&o->st_frames);
	st->files_opened = atomic_load(&o->st_opened);
	st->files_closed = atomic_load(&o->st_closed);
	st->gaps = atomic_load(&o->st_gaps);
	st->gap_frames = atomic_load(&o->st_gap_frames);
	st->disk_free = atomic_load(&o->st_disk_free);
	st->disk_low = atomic_load(&o->st_disk_low);
	return 0;
}
