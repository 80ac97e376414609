/*
 * flush.c: the flusher thread (flush.h).  Two fixed queues of typed jobs
 * under one mutex: the writer queues, the flusher runs them.  Neither side
 * is real time, and each job waits on the disk far longer than the lock is
 * held.  What the writer hears of goes on the done list, a lock-free
 * stack that the writer takes whole.  Flusher thread, but for the queueing
 * functions (writer thread).
 */
#include "flush.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fileset.h"
#include "fsutil.h"
#include "log.h"

#define FL_SLOTS	256		/* jobs queued; then the writer waits */

enum fl_type { FL_OPEN, FL_WRITE, FL_CLOSE, FL_FINISH, FL_DROP, FL_DIRSYNC,
	FL_RETAIN };

/*
 * The writer's samples go first: its jobs (open, write, close) wait in
 * FL_NOW and
 * run before any in FL_LATER (finishing files, directory syncs, drops,
 * retention), whose syncs of a whole file and deletions may take long.
 * Each queue runs in order.
 */
enum { FL_NOW, FL_LATER, FL_LANES };

struct fl_lane {
	struct fl_job	*slots;		/* FL_SLOTS */
	uint64_t	 head, tail;	/* jobs run, jobs queued */
};

struct fl_job {
	enum fl_type	 type;
	int		 fd;		/* the file's own descriptor, or -1 */
	int		 dir;		/* FL_FINISH: sync the directory too */
	uint64_t	 frames;	/* FL_FINISH */
	unsigned	 nloud;		/* FL_FINISH */
	struct fmt_loudness loud[CFG_LOUD_MAX];
	double		 keep_hours, keep_gb;	/* FL_RETAIN */
	struct fset	*set;		/* FL_OPEN, FL_CLOSE */
	struct fset_buf	*buf;		/* FL_WRITE */
	char		 text[FLUSH_TEXT_BYTES];
	char		 path[FLUSH_PATH_BYTES];
};

struct flush {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 work;		/* the flusher: a job, or stop */
	pthread_cond_t	 room;		/* the writer: a slot, or a job ran */
	struct fl_lane	 lane[FL_LANES];
	int		 stop;
	int		 held;		/* flush_hold */
	_Atomic(struct flush_note *) notes;	/* the done list, newest
					   first */

	/* The flusher thread only. */
	struct retain	*retain;
	char		*retain_dir;
	double		 keep_hours, keep_gb;
};

/*
 * Syncs the directory that holds path, so that a file's name (new, or
 * renamed) survives a power cut as its data does: POSIX promises that
 * only for a sync of the directory itself.
 */
static void
fl_sync_dir(const char *path)
{
	char	dir[FLUSH_PATH_BYTES];
	char	*slash;
	int	fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		log_warn("directory %s: sync", dir);
	if (fd >= 0)
		close(fd);
}

/* Onto the done list.  Without memory the note is lost, said. */
static void
fl_note(struct flush *fl, enum flush_note_type type, const char *path,
    const char *text, uint64_t n, int named, const struct fl_job *j)
{
	struct flush_note *nt = malloc(sizeof(*nt));

	if (nt == NULL) {
		log_warnx("file %s: %s: the writer is not told", path,
		    strerror(ENOMEM));
		return;
	}
	nt->type = type;
	nt->n = n;
	nt->named = named;
	nt->nloud = j != NULL ? j->nloud : 0;
	if (nt->nloud > 0)
		memcpy(nt->loud, j->loud, nt->nloud * sizeof(nt->loud[0]));
	snprintf(nt->text, sizeof(nt->text), "%s", text);
	snprintf(nt->path, sizeof(nt->path), "%s", path);
	nt->next = atomic_load_explicit(&fl->notes, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(&fl->notes, &nt->next,
	    nt, memory_order_release, memory_order_relaxed))
		;
}

static void
fl_deleted(void *arg, const char *path, uint64_t bytes, const char *why)
{
	fl_note(arg, FLUSH_DELETED, path, why, bytes, 0, NULL);
}

static void
fl_retain_apply(struct flush *fl)
{
	if (fl->retain == NULL || (fl->keep_hours <= 0 && fl->keep_gb <= 0))
		return;
	retain_apply(fl->retain, fl->keep_hours, fl->keep_gb, time(NULL),
	    fl_deleted, fl);
}

/* New settings; the ledger of another directory when it changed. */
static void
fl_retain(struct flush *fl, const struct fl_job *j)
{
	char err[512];

	fl->keep_hours = j->keep_hours;
	fl->keep_gb = j->keep_gb;
	/* Again after a failure: the directory may exist by now. */
	if (fl->retain == NULL || strcmp(fl->retain_dir, j->path) != 0) {
		retain_close(fl->retain);
		free(fl->retain_dir);
		fl->retain = NULL;
		if ((fl->retain_dir = strdup(j->path)) == NULL) {
			log_warnx("retention: %s", strerror(ENOMEM));
			return;
		}
		fl->retain = retain_open(j->path, err, sizeof(err));
		if (fl->retain == NULL)
			log_warnx("retention: %s; recd keeps no ledger of its "
			    "files, and deletes none", err);
	}
	fl_retain_apply(fl);
}

/* Renames, never over a file (fsutil.c). */
static int
fl_rename(const char *from, const char *to)
{
	int rc = fs_rename_noreplace(from, to);

	if (rc == 1) {
		log_warn("file %s: unlink after the link to %s", from, to);
		rc = 0;
	}
	return rc;
}

/* The file is complete: synced, then named. */
static void
fl_finish(struct flush *fl, const struct fl_job *j)
{
	char	partial[FLUSH_PATH_BYTES + sizeof(FS_PARTIAL)];
	int	named = 1, rc;

	snprintf(partial, sizeof(partial), "%s" FS_PARTIAL, j->path);
	if (fsync(j->fd) != 0)
		log_warn("file %s: sync", partial);
	if ((rc = fl_rename(partial, j->path)) != 0) {
		log_warnx("file %s: rename to %s: %s", partial, j->path,
		    strerror(-rc));
		named = 0;
	}
	close(j->fd);		/* and with it the flock, now it is named */
	/* The ledger of recd's own files, for retention. */
	if (named && fl->retain != NULL && retain_add(fl->retain, j->path) != 0)
		log_warnx("retention: %s: not in the ledger", j->path);
	fl_note(fl, FLUSH_FINISHED, j->path, j->text, j->frames, named, j);
	if (j->dir) {
		/* The final names, as durable as the data synced above. */
		fl_sync_dir(j->path);
		fl_retain_apply(fl);
	}
}

static void
fl_run(struct flush *fl, const struct fl_job *j)
{
	switch (j->type) {
	case FL_OPEN:
		j->set->job_err = fset_open_files(j->set);
		break;
	case FL_WRITE:
		fset_write_buf(j->buf);
		break;
	case FL_CLOSE:
		fset_close_set(j->set);
		break;
	case FL_FINISH:
		fl_finish(fl, j);
		break;
	case FL_DROP:
		close(j->fd);
		break;
	case FL_DIRSYNC:
		fl_sync_dir(j->path);
		break;
	case FL_RETAIN:
		fl_retain(fl, j);
		break;
	}
}

/* The lane whose next job runs first, or -1: none waits. */
static int
fl_ready(const struct flush *fl)
{
	int k;

	for (k = 0; k < FL_LANES; k++)
		if (fl->lane[k].head != fl->lane[k].tail)
			return k;
	return -1;
}

static void *
fl_main(void *arg)
{
	struct flush	*fl = arg;
	struct fl_lane	*l;
	struct fl_job	*j;
	int		 k;

	fs_thread_name("recd-flush");	/* for top -H, perf */
	pthread_mutex_lock(&fl->lock);
	for (;;) {
		/* Held, nothing starts; stopping lets go of the hold. */
		while (((k = fl_ready(fl)) < 0 || fl->held) && !fl->stop)
			pthread_cond_wait(&fl->work, &fl->lock);
		if (k < 0)
			break;
		/* The writer fills only slots past tail: this one stays. */
		l = &fl->lane[k];
		j = &l->slots[l->head % FL_SLOTS];
		pthread_mutex_unlock(&fl->lock);
		fl_run(fl, j);
		pthread_mutex_lock(&fl->lock);
		l->head++;
		pthread_cond_broadcast(&fl->room);
	}
	pthread_mutex_unlock(&fl->lock);
	return NULL;
}

struct flush *
flush_new(char *err, size_t errlen)
{
	struct flush	*fl;
	int		 rc, k;

	fl = calloc(1, sizeof(*fl));
	for (k = 0; fl != NULL && k < FL_LANES; k++)
		if ((fl->lane[k].slots = calloc(FL_SLOTS,
		    sizeof(struct fl_job))) == NULL)
			goto nomem;
	if (fl == NULL)
		goto nomem;
	atomic_init(&fl->notes, NULL);
	pthread_mutex_init(&fl->lock, NULL);
	pthread_cond_init(&fl->work, NULL);
	pthread_cond_init(&fl->room, NULL);
	rc = pthread_create(&fl->thread, NULL, fl_main, fl);
	if (rc != 0) {
		snprintf(err, errlen, "flusher: thread: %s", strerror(rc));
		pthread_cond_destroy(&fl->room);
		pthread_cond_destroy(&fl->work);
		pthread_mutex_destroy(&fl->lock);
		goto fail;
	}
	return fl;
nomem:
	snprintf(err, errlen, "flusher: %s", strerror(ENOMEM));
fail:
	for (k = 0; fl != NULL && k < FL_LANES; k++)
		free(fl->lane[k].slots);
	free(fl);
	return NULL;
}

void
flush_del(struct flush *fl)
{
	if (fl == NULL)
		return;
	pthread_mutex_lock(&fl->lock);
	fl->stop = 1;
	pthread_cond_signal(&fl->work);
	pthread_mutex_unlock(&fl->lock);
	pthread_join(fl->thread, NULL);
	pthread_cond_destroy(&fl->room);
	pthread_cond_destroy(&fl->work);
	pthread_mutex_destroy(&fl->lock);
	retain_close(fl->retain);
	free(fl->retain_dir);
	flush_notes_free(flush_notes(fl));	/* nobody took them */
	free(fl->lane[FL_NOW].slots);
	free(fl->lane[FL_LATER].slots);
	free(fl);
}

/* A free slot of lane k, waiting for one; the lock is held on return. */
static struct fl_job *
fl_slot(struct flush *fl, int k, enum fl_type type, int fd, const char *path)
{
	struct fl_lane	*l = &fl->lane[k];
	struct fl_job	*j;

	pthread_mutex_lock(&fl->lock);
	while (l->tail - l->head >= FL_SLOTS)
		pthread_cond_wait(&fl->room, &fl->lock);
	j = &l->slots[l->tail % FL_SLOTS];
	j->type = type;
	j->fd = fd;
	j->dir = 0;
	j->frames = 0;
	j->nloud = 0;
	j->text[0] = '\0';
	snprintf(j->path, sizeof(j->path), "%s", path != NULL ? path : "");
	return j;
}

/* Queues the slot that fl_slot gave and lets go of the lock. */
static void
fl_queue(struct flush *fl, int k)
{
	fl->lane[k].tail++;
	pthread_cond_signal(&fl->work);
	pthread_mutex_unlock(&fl->lock);
}

void
flush_finish(struct flush *fl, int fd, const char *path, const char *text,
    uint64_t frames, int dir, const struct fmt_loudness *loud,
    unsigned nloud)
{
	struct fl_job *j = fl_slot(fl, FL_LATER, FL_FINISH, fd, path);

	snprintf(j->text, sizeof(j->text), "%s", text);
	j->frames = frames;
	j->dir = dir;
	j->nloud = nloud < CFG_LOUD_MAX ? nloud : CFG_LOUD_MAX;
	if (j->nloud > 0)
		memcpy(j->loud, loud, j->nloud * sizeof(j->loud[0]));
	fl_queue(fl, FL_LATER);
}

void
flush_drop(struct flush *fl, int fd)
{
	fl_slot(fl, FL_LATER, FL_DROP, fd, NULL);
	fl_queue(fl, FL_LATER);
}

void
flush_dirsync(struct flush *fl, const char *path)
{
	fl_slot(fl, FL_LATER, FL_DIRSYNC, -1, path);
	fl_queue(fl, FL_LATER);
}

void
flush_retain(struct flush *fl, const char *dir, double keep_hours,
    double keep_gb)
{
	struct fl_job *j = fl_slot(fl, FL_LATER, FL_RETAIN, -1, dir);

	j->keep_hours = keep_hours;
	j->keep_gb = keep_gb;
	fl_queue(fl, FL_LATER);
}

/* Queues a job of the writer's; returns its number. */
static uint64_t
fl_now(struct flush *fl, enum fl_type type, struct fset *set,
    struct fset_buf *buf)
{
	struct fl_job	*j = fl_slot(fl, FL_NOW, type, -1, NULL);
	uint64_t	 seq = fl->lane[FL_NOW].tail;

	j->set = set;
	j->buf = buf;
	fl_queue(fl, FL_NOW);
	return seq;
}

uint64_t
flush_open(struct flush *fl, struct fset *set)
{
	return fl_now(fl, FL_OPEN, set, NULL);
}

uint64_t
flush_write(struct flush *fl, struct fset_buf *buf)
{
	return fl_now(fl, FL_WRITE, NULL, buf);
}

uint64_t
flush_close(struct flush *fl, struct fset *set)
{
	return fl_now(fl, FL_CLOSE, set, NULL);
}

int
flush_done(struct flush *fl, uint64_t seq)
{
	int done;

	pthread_mutex_lock(&fl->lock);
	done = fl->lane[FL_NOW].head > seq;
	pthread_mutex_unlock(&fl->lock);
	return done;
}

void
flush_wait_for(struct flush *fl, uint64_t seq)
{
	pthread_mutex_lock(&fl->lock);
	while (fl->lane[FL_NOW].head <= seq)
		pthread_cond_wait(&fl->room, &fl->lock);
	pthread_mutex_unlock(&fl->lock);
}

void
flush_wait(struct flush *fl)
{
	uint64_t until[FL_LANES];
	int k;

	pthread_mutex_lock(&fl->lock);
	for (k = 0; k < FL_LANES; k++)
		until[k] = fl->lane[k].tail;
	for (k = 0; k < FL_LANES; k++)
		while (fl->lane[k].head < until[k])
			pthread_cond_wait(&fl->room, &fl->lock);
	pthread_mutex_unlock(&fl->lock);
}

struct flush_note *
flush_notes(struct flush *fl)
{
	struct flush_note *n, *next, *old = NULL;

	n = atomic_exchange_explicit(&fl->notes, NULL, memory_order_acquire);
	/* Newest first on the stack: the caller wants them in order. */
	for (; n != NULL; n = next) {
		next = n->next;
		n->next = old;
		old = n;
	}
	return old;
}

void
flush_notes_free(struct flush_note *n)
{
	struct flush_note *next;

	for (; n != NULL; n = next) {
		next = n->next;
		free(n);
	}
}

void
flush_hold(struct flush *fl, int on)
{
	pthread_mutex_lock(&fl->lock);
	fl->held = on;
	pthread_cond_signal(&fl->work);
	pthread_mutex_unlock(&fl->lock);
}
