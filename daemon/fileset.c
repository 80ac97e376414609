/*
 * fileset.c: a stretch's files as a whole (fileset.h): created, written
 * out, closed.  The flusher thread runs these as jobs, or the writer
 * thread does when it must wait anyway (the start of a take, a stop).
 */
#include "fileset.h"

#include <sys/file.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "loud.h"

/*
 * The meters of file i of s.  Made here, on the flusher for the files of
 * the next boundary: libebur128 allocates and clears 3 s of audio a
 * channel (64 meters took 170-220 ms on fresh memory), which the writer
 * must not wait for.
 */
static void
fset_loud_new(struct fset *s, unsigned i)
{
	unsigned	g, ch = i + 1;
	char		err[256];

	if (s->nloud == 0)
		return;
	if (!s->split)
		s->f[i].loud = loud_new(s->par.rate, s->loud_first,
		    s->loud_last, s->nloud, err, sizeof(err));
	else {
		for (g = 0; g < s->nloud; g++)
			if (s->loud_first[g] <= ch && ch <= s->loud_last[g])
				break;
		if (g == s->nloud)
			return;
		s->f[i].loud = loud_new(s->par.rate, &ch, &ch, 1, err,
		    sizeof(err));
	}
	if (s->f[i].loud == NULL)
		log_warnx("file %s: %s: recorded without it", s->f[i].path,
		    err);
}

/*
 * Creates the files that wr_open_begin named, each locked and with a
 * descriptor for the flusher.  Touches nothing but s, so that it runs on
 * either thread: on the flusher for the files of the next boundary
 * (creating 64 files took 10-17 ms on ext4, where a new inode is slow
 * after many deletions), on the writer at the start of a take.  Returns 0
 * or -errno, logged; the caller throws the set away then.
 */
int
fset_open_files(struct fset *s)
{
	struct fmt_par	par;
	char		partial[FSET_PARTIAL_BYTES], err[512];
	unsigned	i;
	int		rc;

	for (i = 0; i < s->n; i++) {
		snprintf(partial, sizeof(partial), "%s" FS_PARTIAL,
		    s->f[i].path);
		if (i == 0 && (rc = fs_mkdirs(partial, 0, NULL, 0)) != 0) {
			log_errx("directory for %s: mkdir: %s", partial,
			    strerror(-rc));
			return rc;
		}
		/* A split file's one channel is channel i. */
		par = s->par;
		par.set_index = i;
		par.set_files = s->n;
		par.first_channel = s->split ? i + 1 : 1;
		if (s->split && par.names != NULL)
			par.names = &s->par.names[i];
		s->f[i].h = s->kind->be->open(partial, &par, err,
		    sizeof(err));
		if (s->f[i].h == NULL) {
			rc = -errno;
			log_errx("%s", err);
			return rc;
		}
		/*
		 * Held until the flusher has finished the file, so that the
		 * repair at start-up of another recd on this directory leaves
		 * it alone.  The flusher's descriptor shares it.
		 */
		if (flock(s->f[i].be->fd(s->f[i].h), LOCK_EX | LOCK_NB) != 0)
			log_warn("file %s: lock", partial);
		s->f[i].sfd = fcntl(s->f[i].be->fd(s->f[i].h),
		    F_DUPFD_CLOEXEC, 0);
		if (s->f[i].sfd < 0) {
			rc = -errno;
			log_err("file %s: dup", partial);
			return rc;
		}
		if (s->cue0[0] != '\0')
			s->f[i].be->mark(s->f[i].h, 0, s->cue0);
		fset_loud_new(s, i);
	}
	return 0;
}

/* fileset.h; a flusher job (flush_write). */
void
fset_write_buf(struct fset_buf *b)
{
	const struct fmt_backend	*be = b->f->be;
	void				*h = b->f->h;
	uint64_t			 off;
	int		 rc = 0;

	if (b->f->failed != 0) {
		b->err = b->f->failed;
		return;
	}
	if (b->len > 0) {
		rc = be->write(h, b->p, b->len);
		if (rc != 0) {
			log_errx("file %s" FS_PARTIAL ": write: %s", b->f->path,
			    strerror(-rc));
			b->f->failed = rc;
		}
		while (be->writeback_due != NULL && be->writeback_due(h, &off))
			be->writeback_step(be->fd(h), off);
	}
	if (rc == 0 && b->update && (rc = be->update(h)) != 0)
		log_errx("file %s" FS_PARTIAL ": header: %s", b->f->path,
		    strerror(-rc));
	if (rc == 0 && b->sync && be->sync(h) != 0)
		log_warn("file %s" FS_PARTIAL ": sync", b->f->path);
	b->err = rc;
}

/*
 * Closes the files of s: the last bytes, the final header and markers.
 * Touches nothing but s, so that it runs on either thread: on the flusher
 * for the files of the last boundary (64 buffers to write out took 4-5 ms
 * of the pass), on the writer otherwise.  Returns 0 or the first error,
 * logged.
 */
int
fset_close_files(struct fset *s, const char *cue_end)
{
	struct fset_file	*f;
	struct fset_buf	*b;
	char		 err[512];
	unsigned	 i;
	int		 rc = 0, r;

	for (i = 0; i < s->n; i++) {
		f = &s->f[i];
		b = &f->b[f->fill];
		r = b->len > 0 && f->failed == 0 ?
		    f->be->write(f->h, b->p, b->len) : 0;
		b->len = 0;
		if (r != 0) {
			log_errx("file %s" FS_PARTIAL ": write: %s", f->path,
			    strerror(-r));
			if (rc == 0)
				rc = r;
		}
		if (cue_end != NULL)
			f->be->mark(f->h, s->frames, cue_end);
		/* A file whose write failed keeps its header as it is. */
		if (f->nloud > 0 && f->be->loudness != NULL &&
		    f->failed == 0 && r == 0 &&
		    (r = f->be->loudness(f->h, &f->loudv[0])) != 0) {
			log_errx("file %s" FS_PARTIAL ": loudness: %s", f->path,
			    strerror(-r));
			if (rc == 0)
				rc = r;
		}
		r = f->be->close(f->h, err, sizeof(err));
		f->h = NULL;
		if (r != 0) {
			log_errx("%s", err);
			if (rc == 0)
				rc = r;
		}
	}
	return rc;
}

/* fileset.h; a flusher job (flush_close). */
void
fset_close_set(struct fset *s)
{
	unsigned	 i, k;
	int		 rc = 0;

	/* The writes before this job, which the writer did not take back. */
	for (i = 0; i < s->n; i++)
		for (k = 0; k < 2; k++)
			if (s->f[i].b[k].busy && rc == 0)
				rc = s->f[i].b[k].err;
	s->job_err = fset_close_files(s, NULL);
	if (rc != 0)
		s->job_err = rc;
}

/* Nothing more goes into s: its files are to be closed. */
void
fset_retire(struct fset *s)
{
	s->open = 0;
	s->closing = 1;
	s->frames = s->written;
}

/*
 * Places the samples of an empty buffer where the backend's write takes
 * them straight to the disk (its lead): each buffer has FMT_ALIGN bytes
 * of room for that.  lead reads only what open set, so the flusher may
 * be writing the file meanwhile.
 */
void
fset_aim(struct fset_file *f, struct fset_buf *b)
{
	if (b->len == 0)
		b->p = b->base + f->be->lead(f->h, f->handed);
}
