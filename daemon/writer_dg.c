/*
 * writer_dg.c: the MD5 of the WAV files of outputs that share a
 * conversion (writer_priv.h), made by the writer as it hands the samples
 * out, so that a mirror hashes its audio once.  Writer thread.
 *
 * Files in lockstep (a set of each output, begun at the same frame, in
 * the same format and layout) hold the same bytes from the same pieces of
 * the shared conversion, and share one digest: the output that writes a
 * piece first hashes it, the others find those bytes hashed already and
 * go on.  A file that gets other bytes (silence of its own, a conversion
 * of its own) takes a digest of its own, from the state before its
 * twin's last run: the outputs write each piece in turn, so a twin is
 * never more than that run ahead.
 */
#include "writer_priv.h"

#include <stdlib.h>
#include <string.h>

#include "fmt.h"

static const unsigned char wr_zeros[4096];

static void
wr_dg_release(struct fset_file *f)
{
	if (f->dg != NULL && --f->dg->refs == 0)
		free(f->dg);
	f->dg = NULL;
	f->hashed = 0;
}

/*
 * A set of another output of o's group begun at s's frame, in s's format
 * and layout, and rotating as o does (so that the files also end
 * together); NULL: none.
 */
static struct fset *
wr_dg_twin(struct wr_out *o, const struct fset *s)
{
	struct writer	*w = o->w;
	struct wr_out	*p;
	struct fset	*t;
	unsigned	 i, k;

	for (i = 0; i < w->nout; i++) {
		p = &w->out[i];
		if (p == o || p->share != o->share ||
		    p->cfg.rotate_seconds != o->cfg.rotate_seconds ||
		    p->cfg.rotate_align != o->cfg.rotate_align)
			continue;
		for (k = 0; k < 2; k++) {
			t = k == 0 ? p->cur : p->next;
			if (t != s && (t->open || t->opening) &&
			    t->start == s->start && t->fmt == s->fmt &&
			    t->split == s->split && t->n == s->n &&
			    t->par.digest_given)
				return t;
		}
	}
	return NULL;
}

/*
 * s is being opened (wr_open_begin): the digest of each of its files,
 * shared with a twin's, or its own.  Without memory for them the files
 * hash themselves, as those of an output of its own do.
 */
void
wr_dg_attach(struct wr_out *o, struct fset *s)
{
	struct fset	*t;
	struct wr_dg	*d;
	unsigned	 i;

	for (i = 0; i < s->n; i++) {
		s->f[i].dg = NULL;
		s->f[i].hashed = 0;
	}
	s->par.digest_given = o->share >= 0 && s->kind->be->digest != NULL;
	if (!s->par.digest_given)
		return;
	t = wr_dg_twin(o, s);
	for (i = 0; i < s->n; i++) {
		/* The twin's file may have one run in already: a piece
		 * whose boundary opened s (wr_dg_add takes it). */
		if (t != NULL && (d = t->f[i].dg) != NULL && d->base == 0) {
			d->refs++;
			s->f[i].dg = d;
			continue;
		}
		if ((d = calloc(1, sizeof(*d))) == NULL) {
			wr_dg_drop(s);
			s->par.digest_given = 0;
			return;
		}
		MD5Init(&d->ctx);
		d->prev = d->ctx;
		d->refs = 1;
		s->f[i].dg = d;
	}
}

/*
 * f's digest, with f at its head (a twin's that holds other bytes is
 * left for one of its own), for a run that does not continue the last
 * one.  NULL: f has none any more.
 */
static struct wr_dg *
wr_dg_head(struct fset_file *f)
{
	struct wr_dg	*d = f->dg, *n;

	if (f->hashed != d->bytes) {
		if (f->hashed != d->base ||
		    (n = malloc(sizeof(*n))) == NULL) {
			/* Cannot be (see the top), but then no digest. */
			wr_dg_release(f);
			return NULL;
		}
		n->ctx = n->prev = d->prev;
		n->bytes = n->base = d->base;
		n->zeros = n->base_zeros = d->base_zeros;
		n->seq = n->p_from = n->p_to = 0;
		n->refs = 1;
		wr_dg_release(f);
		f->dg = d = n;
		f->hashed = d->bytes;
	}
	d->prev = d->ctx;
	d->base = d->bytes;
	d->base_zeros = d->zeros;
	return d;
}

/*
 * len bytes at p went into f's buffer: frames `from' on of the shared
 * piece seq of one group's scratch (wr_fill names it), or seq 0, bytes of
 * f's own.
 */
void
wr_dg_add(struct fset_file *f, const void *p, size_t len, uint64_t seq,
    uint64_t from, uint64_t frames)
{
	struct wr_dg	*d = f->dg;

	if (d == NULL || len == 0)
		return;
	/* The twin hashed these bytes, at this place. */
	if (seq != 0 && d->seq == seq && from >= d->p_from &&
	    from + frames <= d->p_to && f->hashed == d->base +
	    (from - d->p_from) * (len / frames)) {
		f->hashed += len;
		return;
	}
	if (seq == 0 || f->hashed != d->bytes || d->seq != seq ||
	    from != d->p_to) {
		if ((d = wr_dg_head(f)) == NULL)
			return;
		d->seq = seq;
		d->p_from = d->p_to = from;
	}
	MD5Update(&d->ctx, p, len);
	d->bytes += len;
	d->p_to += frames;
	f->hashed += len;
}

/* bytes of silence went into f (its backend's silence). */
void
wr_dg_zeros(struct fset_file *f, uint64_t bytes)
{
	struct wr_dg	*d;
	uint64_t	 left;
	size_t		 n;

	if (f->dg == NULL || bytes == 0 || (d = wr_dg_head(f)) == NULL)
		return;
	d->seq = 0;
	/* As the WAV file's own digest: a long gap gets none. */
	d->zeros += bytes;
	for (left = bytes; d->zeros <= WR_DG_ZEROS_MAX && left > 0;
	    left -= n) {
		n = left < sizeof(wr_zeros) ? (size_t)left : sizeof(wr_zeros);
		MD5Update(&d->ctx, wr_zeros, n);
	}
	d->bytes += bytes;
	f->hashed += bytes;
}

/*
 * s is retired (fset_retire): each file's digest to its backend, for the
 * close.  A file whose twin ran ahead of its end (it cannot, since twins
 * rotate alike; a rotate command turns every output at one frame) gets
 * none, as a file whose write failed.
 */
void
wr_dg_end(struct fset *s)
{
	struct fset_file *f;
	struct wr_dg	*d;
	unsigned char	 md5[16];
	MD5_CTX		 c;
	unsigned	 i;

	for (i = 0; i < s->n; i++) {
		f = &s->f[i];
		if ((d = f->dg) == NULL || f->h == NULL) {
			wr_dg_release(f);
			continue;
		}
		if (f->hashed == d->bytes && d->zeros <= WR_DG_ZEROS_MAX) {
			c = d->ctx;
			MD5Final(md5, &c);
			f->be->digest(f->h, md5);
		} else if (f->hashed == d->base &&
		    d->base_zeros <= WR_DG_ZEROS_MAX) {
			c = d->prev;
			MD5Final(md5, &c);
			f->be->digest(f->h, md5);
		}
		wr_dg_release(f);
	}
}

/* The digests of s, which is thrown away (or freed): none to give. */
void
wr_dg_drop(struct fset *s)
{
	unsigned i;

	for (i = 0; s->f != NULL && i < s->n; i++)
		wr_dg_release(&s->f[i]);
}
