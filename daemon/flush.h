/*
 * flush.h: the flusher, the writer's second thread.  It does what waits
 * on the disk, so that the writer only converts: writing the samples out
 * (the writer's own jobs, flush_call), finishing closed files (sync, final
 * name, directory sync, ledger) and retention.
 *
 * Two queues, each run in order: the writer's jobs (flush_call) run first;
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

#include "retain.h"

#define FLUSH_PATH_BYTES	(PATH_MAX + 128)	/* a recording's path */

struct flush;

/* Run on the flusher thread. */
struct flush_ops {
	/*
	 * A file is finished: synced, and renamed from PATH.partial to PATH
	 * when named is 1 (0: the rename failed, logged, and it keeps the
	 * .partial name).  text and frames are what flush_finish was given.
	 * The directory sync that makes the names durable follows the last
	 * file of a set.
	 */
	void	(*finished)(void *arg, const char *path, const char *text,
		    uint64_t frames, int named);
	retain_deleted_fn deleted;	/* retention deleted a file */
	void	*arg;
};

/* Starts the thread.  NULL with the reason in err. */
struct flush	*flush_new(const struct flush_ops *, char *err, size_t errlen);
/* Runs every job still queued, then ends the thread.  NULL is allowed. */
void		 flush_del(struct flush *);

/*
 * PATH.partial is complete: fsync fd and close it, give the file its
 * final name PATH without ever replacing a file, add it to the ledger,
 * and call finished.  dir: then sync the directory, so that the name is
 * as durable as the data (give it with the last file of a set), and
 * apply retention.
 */
void		 flush_finish(struct flush *, int fd, const char *path,
		    const char *text, uint64_t frames, int dir);
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
 * Runs fn(arg) on the flusher thread, in turn with the other jobs, and
 * returns the job's number for flush_done.  fn must not queue jobs.  What
 * fn writes, the writer may read once flush_done said so (the lock orders
 * them).
 */
uint64_t	 flush_call(struct flush *, void (*fn)(void *), void *arg);
/* 1 once job seq has run; flush_wait_for returns then. */
int		 flush_done(struct flush *, uint64_t seq);
void		 flush_wait_for(struct flush *, uint64_t seq);
/* Returns once every job queued so far, in both queues, has run. */
void		 flush_wait(struct flush *);

#endif
