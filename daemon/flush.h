/*
 * flush.h: the flusher, the writer's second thread.  It does what waits
 * on the disk, so that the writer only converts: typed jobs that open a
 * set of files, write a buffer out and close a set (the writer's own,
 * fileset.c's code), finish closed files (sync, final name, directory
 * sync, ledger), drop files thrown away, sync a directory, and retention.
 *
 * What the writer must hear of comes back on a done list, never through a
 * call into the writer: a job's number is done (flush_done), and a file
 * finished or deleted (flush_notes, which the writer drains each pass).
 * The list is lock-free: the flusher pushes, the writer takes it whole.
 *
 * Two queues, each run in order: the writer's jobs (open, write, close)
 * run first;
 * the others wait until none of those does, since syncing a whole file or
 * deleting one may take long and the writer may be waiting for a buffer.
 * The writer queues a file's finish only once the job that closed it has
 * run, so a file's data is written before it is finished.  A job that
 * names a file carries a descriptor of its own, a dup that the writer
 * made when it opened the file, so that the writer may close its own at
 * once; flush_finish and flush_drop close it.  The flock on the file is
 * held until then, so a repair at start-up of another recd leaves the file
 * alone until it has its final name.
 *
 * Every function but the callbacks is for the writer thread only.  Queueing
 * waits while a queue is full (the disk is behind): that is the
 * back-pressure, and the ring carries the audio meanwhile.
 */
#ifndef RECD_DAEMON_FLUSH_H
#define RECD_DAEMON_FLUSH_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "fmt.h"
#include "retain.h"

#define FLUSH_PATH_BYTES	(PATH_MAX + 128)	/* a recording's path */

#define FLUSH_TEXT_BYTES	64

struct flush;
struct fset;
struct fset_buf;

/* On the done list, oldest first. */
enum flush_note_type {
	FLUSH_FINISHED,		/* a file synced and renamed from
				   PATH.partial to PATH (named 1), or left
				   .partial (named 0: the rename failed,
				   logged); text and n (frames) are what
				   flush_finish was given, and loud */
	FLUSH_DELETED		/* retention deleted path: n bytes, text why */
};

struct flush_note {
	struct flush_note	*next;
	enum flush_note_type	 type;
	uint64_t		 n;
	int			 named;
	char			 text[FLUSH_TEXT_BYTES];
	char			 path[FLUSH_PATH_BYTES];
	unsigned		 nloud;		/* FLUSH_FINISHED */
	struct fmt_loudness	 loud[CFG_LOUD_MAX];
};

/* Starts the thread.  NULL with the reason in err. */
struct flush	*flush_new(char *err, size_t errlen);
/* Runs every job still queued, then ends the thread.  NULL is allowed. */
void		 flush_del(struct flush *);

/*
 * PATH.partial is complete: fsync fd and close it, give the file its
 * final name PATH without ever replacing a file, add it to the ledger,
 * and call finished.  dir: then sync the directory, so that the name is
 * as durable as the data (give it with the last file of a set), and
 * apply retention.  The file's nloud loudness values (at most
 * CFG_LOUD_MAX) go with its note.
 */
void		 flush_finish(struct flush *, int fd, const char *path,
		    const char *text, uint64_t frames, int dir,
		    const struct fmt_loudness *loud, unsigned nloud);
/* The file was thrown away: closes fd. */
void		 flush_drop(struct flush *, int fd);
/* Syncs the directory that holds path: a new name survives a power cut. */
void		 flush_dirsync(struct flush *, const char *path);
/*
 * Retention for the files of dir (ledger dir/.recd-ledger, opened again
 * when dir changes): keep_hours and keep_gb from now on (0 and 0: none),
 * applied now and after each finished set.
 */
void		 flush_retain(struct flush *, const char *dir,
		    double keep_hours, double keep_gb);
/*
 * The writer's jobs, run before any finish, drop or retention queued: each
 * returns its number for flush_done.  While a job runs, the flusher owns
 * what it names; the writer reads the result (job_err, err) once
 * flush_done said so (the lock orders them).
 */
uint64_t	 flush_open(struct flush *, struct fset *);	/* the files */
uint64_t	 flush_write(struct flush *, struct fset_buf *);
uint64_t	 flush_close(struct flush *, struct fset *);	/* after its
								   writes */
/* 1 once job seq has run; flush_wait_for returns then. */
int		 flush_done(struct flush *, uint64_t seq);
void		 flush_wait_for(struct flush *, uint64_t seq);
/* Returns once every job queued so far, in both queues, has run. */
void		 flush_wait(struct flush *);
/*
 * The done list: every note pushed since the last call, oldest first, for
 * the caller to free (flush_notes_free).  One thread takes them: the
 * writer, or after it has stopped the thread that stopped it.
 */
struct flush_note *flush_notes(struct flush *);
void		 flush_notes_free(struct flush_note *);
/* Test hook: held (1), the flusher starts no job until let go (0). */
void		 flush_hold(struct flush *, int);

#endif
