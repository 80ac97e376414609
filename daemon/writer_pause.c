/*
 * writer_pause.c: an output's pauses (writer_priv.h), carrying out
 * take.c's verdicts: a write error (write_error), a disk below
 * disk_min_mb or full, and, with several outputs, a disk behind the
 * stream, which the writer leaves rather than wait for (WP_DISK_SLOW:
 * waiting would hold up every output until the ring is full); and how
 * each ends, the frames between a gap its next files report.  Writer
 * thread.
 */
#include "writer_priv.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "take.h"

/* Recording failed for good (write_error exit): the loop ends recd. */
static void
wr_fail(struct writer *w)
{
	w->recording = 0;
	atomic_store(&w->st_failed, 1);
	atomic_store(&w->st_recording, 0);
	if (w->notify != NULL)
		w->notify(w->notify_arg);
}

/* Every output paused: the gate starts again when one resumes. */
void
wr_gate_if_paused(struct writer *w)
{
	unsigned i;

	for (i = 0; i < w->nout && w->out[i].paused != WP_NONE; i++)
		;
	if (i == w->nout)
		wr_gate_reset(w);
}

/*
 * Nothing is written to o for now, though the take goes on: every file
 * of it is finished, and the frames until it resumes are a gap that its
 * next files report.  The other outputs record on.
 */
static void
wr_pause(struct wr_out *o, enum writer_pause why, const char *text)
{
	struct writer	*w = o->w;

	/* Where the gap begins: where o stopped writing, or where the take
	 * is when it wrote nothing (the gate closed, before the first). */
	o->pause_from = o->cur->open ? o->pos : w->pos;
	wr_end_files(o, NULL);
	wr_flush_wait(o);	/* synced and named before the log says so */
	o->paused = why;
	snprintf(o->pause_why, sizeof(o->pause_why), "%s",
	    why == WP_DISK_FULL ? "disk full" : "write error");
	atomic_store(&o->st_paused, why);
	atomic_store(&o->st_open, 0);
	log_errx("%srecording paused: %s; every file is finished", WR_WHO(o),
	    text);
	wr_oevent(o, WEV_PAUSED, NULL, text, 0, wr_take_frame(w,
	    o->pause_from));
	wr_gate_if_paused(w);
}

/* o's pause ends (text: why): its next files open with the next record. */
void
wr_unpause(struct wr_out *o, const char *text)
{
	log_info("%srecording resumes: %s", WR_WHO(o), text);
	o->paused = WP_NONE;
	o->gap_pending = 1;
	atomic_store(&o->st_paused, WP_NONE);
}

/*
 * A write, an open or a header update of o failed; the cause is logged
 * with the path.  Its files are finished to what reached them, then
 * take.c says what follows (write_error, or a wait for space).
 */
void
wr_error(struct wr_out *o, int err)
{
	struct writer	*w = o->w;
	char		 text[PATH_MAX + 64];

	/* A slow output's error ends its wait too (waiting for its disk). */
	if (o->paused == WP_DISK_SLOW) {
		o->paused = WP_NONE;
		atomic_store(&o->st_paused, WP_NONE);
	}
	wr_discard_set(o, o->next);
	wr_oevent(o, WEV_WRITE_ERROR, o->cur->open ? o->cur->f[0].path : NULL,
	    strerror(err), (uint64_t)err, 0);
	wr_close_cur(o, NULL);
	atomic_store(&o->st_open, 0);
	switch (take_on_error(o->cfg.write_error, err)) {
	case TAKE_EXIT:
		wr_fail(w);
		break;
	case TAKE_PAUSE_FULL:
		snprintf(text, sizeof(text), "directory %s: %s",
		    o->cfg.directory, strerror(err));
		wr_pause(o, WP_DISK_FULL, text);
		break;
	case TAKE_STOP:
		log_errx("%stake stopped after a write error (write_error "
		    "stop); start records again", WR_WHO(o));
		w->want_take = 0;
		w->stop_why = "write error";
		break;
	case TAKE_PAUSE_RETRY:
		snprintf(text, sizeof(text), "%s; trying again every %d s",
		    strerror(err), WRITER_RETRY_S);
		wr_pause(o, WP_WRITE_ERROR, text);
		o->retry_ns = wr_mono_ns() + WR_RETRY_NS;
		break;
	}
}

/*
 * Whether writing k more frames (src NULL: silence) into o now would
 * wait for o's flusher: a file's other buffer is still being written
 * and the one being filled cannot take them, or a boundary falls in
 * them while the next files are being opened or the old ones closed.
 */
int
wr_lagging(const struct wr_out *o, const float *const *src, uint64_t k)
{
	const struct fset	*s = o->cur;
	const struct fset_buf	*b, *other;
	unsigned		 i;

	if (o->rotate_at != WR_NEVER && o->rotate_at < o->pos + k) {
		if ((o->next->opening && !flush_done(o->fl, o->next->job)) ||
		    (o->old->closing && !flush_done(o->fl, o->old->job)))
			return 1;
		/* Only those before the boundary go into these files. */
		k = o->rotate_at > o->pos ? o->rotate_at - o->pos : 0;
	}
	for (i = 0; i < s->n; i++) {
		b = &s->f[i].b[s->f[i].fill];
		other = &s->f[i].b[s->f[i].fill ^ 1];
		if (!other->busy || flush_done(o->fl, other->job))
			continue;
		if (src == NULL || b->len + k * s->frame_bytes > s->buf_bytes)
			return 1;
	}
	return 0;
}

/*
 * o's disk is behind the stream (wr_lagging): waiting for it would hold
 * up every output, so o writes nothing from here on.  Its files stay with
 * its flusher, which writes out what it has and finishes them as it
 * catches up (wr_slow_check); o resumes then, the frames between a gap
 * its next files report.  With one output there is nothing to shield:
 * the writer waits, and the ring's gap comes if the disk stays behind.
 */
void
wr_slow(struct wr_out *o)
{
	struct writer	*w = o->w;
	char		 text[PATH_MAX + 96];

	o->pause_from = o->pos;
	o->paused = WP_DISK_SLOW;
	snprintf(o->pause_why, sizeof(o->pause_why), "disk too slow");
	atomic_store(&o->st_paused, WP_DISK_SLOW);
	atomic_store(&o->st_open, 0);
	/* The files take nothing more: their digests are final now. */
	wr_dg_end(o->cur);
	wr_mark(o, o->cur->written, "the disk was too slow after this "
	    "point");
	snprintf(text, sizeof(text), "directory %s: the disk is behind the "
	    "stream (a file's writes waited on by both its buffers)",
	    o->cfg.directory);
	log_errx("%srecording paused: %s; the files are finished as it "
	    "catches up", WR_WHO(o), text);
	wr_oevent(o, WEV_PAUSED, NULL, text, 0, wr_take_frame(w,
	    o->pause_from));
	wr_gate_if_paused(w);
}

/* Whether any job of o's flusher on its files is not done yet. */
static int
wr_behind(const struct wr_out *o)
{
	const struct fset	*s = o->cur;
	unsigned		 i, k;

	if ((o->next->opening && !flush_done(o->fl, o->next->job)) ||
	    (o->old->closing && !flush_done(o->fl, o->old->job)))
		return 1;
	for (i = 0; i < s->n; i++)
		for (k = 0; k < 2; k++)
			if (s->f[i].b[k].busy &&
			    !flush_done(o->fl, s->f[i].b[k].job))
				return 1;
	return 0;
}

/*
 * Before o's files end or fill with silence (a gap, a stall), which waits
 * for every job of them: with several outputs, if its disk is behind, o
 * is slow from here (wr_slow), and the gap is in its pause.  Returns 1
 * then.
 */
int
wr_slow_if_behind(struct wr_out *o)
{
	if (o->w->nout < 2 || !o->cur->open || o->paused != WP_NONE ||
	    !wr_behind(o))
		return 0;
	wr_slow(o);
	return 1;
}

/*
 * A slow output's flusher has done every write it was given: its files
 * go to the flusher to be finished (as at a boundary, the writer waiting
 * for nothing), and o records again, from the next record on.  A write
 * that failed meanwhile is an error as any.
 */
void
wr_slow_check(struct wr_out *o)
{
	struct fset	*s = o->cur;
	unsigned	 i, k;
	int		 rc = 0, r;

	if (o->old->closing || wr_behind(o))
		return;
	if (!s->open) {
		wr_unpause(o, "its files were ended meanwhile");
		return;
	}
	for (i = 0; i < s->n; i++)
		for (k = 0; k < 2; k++)
			if ((r = wr_reclaim(o, &s->f[i].b[k], 0)) != 0 &&
			    rc == 0)
				rc = r;
	wr_discard_set(o, o->next);	/* its job is done: no wait */
	o->paused = WP_NONE;
	if (rc != 0) {
		wr_error(o, -rc);
		return;
	}
	wr_close_cur_later(o);
	o->rotate_at = WR_NEVER;
	wr_unpause(o, "its disk caught up");
}

/*
 * Free space on o's filesystem: below disk_warn_mb a warning, below
 * disk_min_mb a pause of o with every file of it finished, and back
 * above it (with some room, so that it does not flap) recording again,
 * by itself or on a start command as disk_resume says.
 */
void
wr_disk(struct wr_out *o, int64_t now)
{
	struct writer	*w = o->w;
	long long	 free_b;
	unsigned	 v;
	char		 text[PATH_MAX + 96];

	if (now < o->next_disk_ns && !o->resume_req)
		return;
	o->next_disk_ns = now + WR_DISK_NS;
	free_b = diskw_free(o->cfg.directory);
	o->disk_free = free_b;
	atomic_store(&o->st_disk_free, free_b);
	v = diskw_judge(&o->disk, free_b, o->cfg.disk_warn_mb,
	    o->cfg.disk_min_mb);
	if (v & DISKW_LOW) {
		log_warnx("%sdisk %s: %lld MB free, below disk_warn_mb (%ld)",
		    WR_WHO(o), o->cfg.directory, free_b / WR_MB,
		    o->cfg.disk_warn_mb);
		wr_oevent(o, WEV_DISK_LOW, o->cfg.directory, "low",
		    (uint64_t)free_b, 0);
		atomic_store(&o->st_disk_low, 1);
	} else if (v & DISKW_OK) {
		log_info("%sdisk %s: %lld MB free again", WR_WHO(o),
		    o->cfg.directory, free_b / WR_MB);
		wr_oevent(o, WEV_DISK_LOW, o->cfg.directory, "ok",
		    (uint64_t)free_b, 0);
		atomic_store(&o->st_disk_low, 0);
	}
	switch (take_on_disk(v, w->recording, o->paused, o->cfg.disk_resume)) {
	case TAKE_DISK_SAME:
		break;
	case TAKE_DISK_PAUSE:
		snprintf(text, sizeof(text), "disk %s: %lld MB free, below "
		    "disk_min_mb (%ld)", o->cfg.directory, free_b / WR_MB,
		    o->cfg.disk_min_mb);
		wr_pause(o, WP_DISK_FULL, text);
		break;
	case TAKE_DISK_RESUME:
		wr_unpause(o, "there is disk space again");
		break;
	case TAKE_DISK_WAIT:
		o->paused = WP_WAIT_START;
		atomic_store(&o->st_paused, WP_WAIT_START);
		log_info("%sdisk %s: %lld MB free again; recording waits for "
		    "a start command (disk_resume start)", WR_WHO(o),
		    o->cfg.directory, free_b / WR_MB);
		break;
	}
}

/* A pause of o ends: on a start command, or the next try after an error. */
void
wr_pause_check(struct wr_out *o, int64_t now)
{
	int req = o->resume_req;

	o->resume_req = 0;
	if (!take_may_resume(o->paused, req, now, o->retry_ns))
		return;
	wr_unpause(o, o->paused == WP_WAIT_START ? "start command" :
	    "trying again after the write error");
}
