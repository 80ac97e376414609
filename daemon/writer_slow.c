/*
 * writer_slow.c: an output whose disk falls behind the stream, with
 * several outputs (writer_priv.h): the writer leaves it (WP_DISK_SLOW)
 * rather than wait for it, which would hold up every output until the
 * ring is full; its flusher finishes its files as it catches up, and it
 * records again with the frames between a gap.  Writer thread.
 */
#include "writer_priv.h"

#include <limits.h>
#include <stdio.h>

#include "log.h"

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
