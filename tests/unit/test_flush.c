/*
 * test_flush.c: the flusher thread on real files in a temp directory:
 * finishing (sync, final name without ever replacing a file, ledger, a
 * note on the done list), order and back-pressure past a full queue, the
 * writer's jobs before the others, flush_del running what is still
 * queued, retention after finished sets, and write-back of a WAV file that
 * grows.  alarm() turns a deadlock into a failure.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fileset.h"
#include "flush.h"
#include "fsutil.h"
#include "log.h"
#include "retain.h"
#include "wav.h"

#define TEST_TIMEOUT_S	120	/* the whole binary */
#define WAIT_S		20	/* one wait for the queue to fill */
#define FLUSH_SLOTS	256	/* FL_SLOTS in flush.c: the queue's length */
#define MAX_FIN		16	/* notes kept in full */
#define MAX_DEL		16
#define MANY		1000	/* jobs for the order test: about 4 queues */
#define DEL_JOBS	300	/* jobs left queued for flush_del */
#define WB_STEP		((uint64_t)4 << 20)	/* WAV_WB_BYTES in wav.c */
#define WB_DATA		(12 * (1 << 20))	/* bytes: three steps */
#define WB_CHUNK	(1 << 20)

struct fin {
	char		 path[FLUSH_PATH_BYTES];
	char		 text[64];
	uint64_t	 frames;
	int		 named;
	unsigned	 nloud;
	struct fmt_loudness loud[CFG_LOUD_MAX];
};

struct fx {
	char		 dir[64];	/* mkdtemp'd: the recordings */
	char		 log[128];	/* captured stderr, outside dir */
	int		 saved_stderr;
	struct flush	*fl;

	/* From the done list (collect), by the thread that queues. */
	struct fin	 fin[MAX_FIN];
	unsigned	 nfin;
	unsigned	 out_of_order;	/* frames != index (check_order) */
	int		 check_order;
	char		 deleted[MAX_DEL][FLUSH_PATH_BYTES];
	uint64_t	 del_bytes[MAX_DEL];
	unsigned	 ndel;

	/* The order test: lock for what both threads touch. */
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	unsigned	 queued;	/* calls returned to the producer */
	unsigned	 overrun;	/* queued more than the queue holds */
	char		 error[600];	/* the producer's failure */
};

static void
rm_tree(const char *path)
{
	struct stat	 st;
	DIR		*d;
	struct dirent	*e;
	char		 p[1024];

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			rm_tree(p);
		}
		closedir(d);
	}
	rmdir(path);
}

/* Takes the done list: finished files into fin, deleted ones into
 * deleted. */
static void
collect(struct fx *f)
{
	struct flush_note *list, *n;

	list = flush_notes(f->fl);
	for (n = list; n != NULL; n = n->next) {
		if (n->type == FLUSH_DELETED) {
			if (f->ndel < MAX_DEL) {
				snprintf(f->deleted[f->ndel],
				    sizeof(f->deleted[0]), "%s", n->path);
				f->del_bytes[f->ndel] = n->n;
			}
			f->ndel++;
			continue;
		}
		if (f->check_order && n->n != f->nfin)
			f->out_of_order++;
		if (f->nfin < MAX_FIN) {
			snprintf(f->fin[f->nfin].path,
			    sizeof(f->fin[0].path), "%s", n->path);
			snprintf(f->fin[f->nfin].text,
			    sizeof(f->fin[0].text), "%s", n->text);
			f->fin[f->nfin].frames = n->n;
			f->fin[f->nfin].named = n->named;
			f->fin[f->nfin].nloud = n->nloud;
			memcpy(f->fin[f->nfin].loud, n->loud,
			    sizeof(n->loud));
		}
		f->nfin++;
	}
	flush_notes_free(list);
}

/* Every job queued so far has run; the done list taken. */
static void
wait_all(struct fx *f)
{
	flush_wait(f->fl);
	collect(f);
}

static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));
	char		 err[256] = "";

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/recd-test-flush.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->log, sizeof(f->log), "%s.stderr", f->dir);
	f->saved_stderr = -1;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->fl = flush_new(err, sizeof(err));
	if (f->fl == NULL) {
		fprintf(stderr, "flush_new: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	flush_del(f->fl);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	rm_tree(f->dir);
	unlink(f->log);
	free(f);
	return 0;
}

/* Log lines go to the log file until stop_log(), which returns them. */
static void
start_log(struct fx *f)
{
	int fd = open(f->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	f->saved_stderr = dup(STDERR_FILENO);
	assert_true(f->saved_stderr >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
}

static const char *
stop_log(struct fx *f)
{
	static char	 buf[16384];
	FILE		*fp;
	size_t		 n;

	dup2(f->saved_stderr, STDERR_FILENO);
	close(f->saved_stderr);
	f->saved_stderr = -1;
	fp = fopen(f->log, "r");
	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* Shown as well, for whoever reads a failure. */
	fputs(buf, stderr);
	return buf;
}

static void
path_of(struct fx *f, const char *name, char *p, size_t plen)
{
	snprintf(p, plen, "%s/%s", f->dir, name);
}

/* DIR/name with content; returns a descriptor of it, as the writer has. */
static int
make_file(struct fx *f, const char *name, const char *content)
{
	char	p[512];
	size_t	len = strlen(content);
	int	fd;

	path_of(f, name, p, sizeof(p));
	fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		fail_msg("%s: open: %s", p, strerror(errno));
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	return fd;
}

/* DIR/name's content, at most len - 1 bytes; "" when it is missing. */
static const char *
read_file(struct fx *f, const char *name, char *buf, size_t len)
{
	char	p[512];
	ssize_t	n;
	int	fd;

	path_of(f, name, p, sizeof(p));
	buf[0] = '\0';
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		return buf;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int
exists(struct fx *f, const char *name)
{
	struct stat	st;
	char		p[512];

	path_of(f, name, p, sizeof(p));
	return lstat(p, &st) == 0;
}

static int
fd_closed(int fd)
{
	return fcntl(fd, F_GETFD) == -1 && errno == EBADF;
}

/* Queues the finish of DIR/name.partial, made with content. */
static void
finish(struct fx *f, const char *name, const char *content, uint64_t frames,
    int dir)
{
	char	partial[256], p[512];
	int	fd;

	snprintf(partial, sizeof(partial), "%s" FS_PARTIAL, name);
	fd = make_file(f, partial, content);
	path_of(f, name, p, sizeof(p));
	flush_finish(f->fl, fd, p, "2 pcm24 48000", frames, dir, NULL, 0);
}

static void
test_finish(void **state)
{
	static const struct fmt_loudness loud[2] = {
		{ 1, 2, -23.0, 1.5, -20.0, -22.0, -21.0 },
		{ 3, 3, -30.0, 2.5, -25.0, -29.0, -28.0 }
	};
	struct fx	*f = *state;
	char		 p[512], buf[64];
	int		 fd;

	fd = make_file(f, "a.wav" FS_PARTIAL, "take one");
	path_of(f, "a.wav", p, sizeof(p));
	flush_finish(f->fl, fd, p, "2 pcm24 48000", 123456789012ULL, 1, loud,
	    2);
	wait_all(f);
	/* First, before anything here could get the number again. */
	assert_true(fd_closed(fd));
	assert_string_equal(read_file(f, "a.wav", buf, sizeof(buf)),
	    "take one");
	assert_false(exists(f, "a.wav" FS_PARTIAL));
	assert_int_equal(f->nfin, 1);
	assert_string_equal(f->fin[0].path, p);
	assert_string_equal(f->fin[0].text, "2 pcm24 48000");
	assert_true(f->fin[0].frames == 123456789012ULL);
	assert_int_equal(f->fin[0].named, 1);
	/* The file's loudness goes with its note, for file_closed. */
	assert_int_equal(f->fin[0].nloud, 2);
	assert_memory_equal(f->fin[0].loud, loud, sizeof(loud));
	/* No retention asked for: no ledger either. */
	assert_false(exists(f, RETAIN_LEDGER));
}

/* A file that took the name meanwhile is never replaced. */
static void
test_finish_never_replaces(void **state)
{
	struct fx	*f = *state;
	char		 p[256], want[600], buf[64];
	const char	*log;
	int		 fd;

	close(make_file(f, "b.wav", "somebody else's"));
	fd = make_file(f, "b.wav" FS_PARTIAL, "ours");
	path_of(f, "b.wav", p, sizeof(p));
	start_log(f);
	flush_finish(f->fl, fd, p, "1 pcm16 44100", 7, 1, NULL, 0);
	wait_all(f);
	assert_true(fd_closed(fd));
	log = stop_log(f);
	assert_string_equal(read_file(f, "b.wav", buf, sizeof(buf)),
	    "somebody else's");
	assert_string_equal(read_file(f, "b.wav" FS_PARTIAL, buf,
	    sizeof(buf)), "ours");
	assert_int_equal(f->nfin, 1);
	assert_string_equal(f->fin[0].path, p);
	assert_true(f->fin[0].frames == 7);
	assert_int_equal(f->fin[0].named, 0);
	/* The warning names both files. */
	snprintf(want, sizeof(want), "file %s" FS_PARTIAL ": rename to %s",
	    p, p);
	if (strstr(log, want) == NULL)
		fail_msg("no \"%s\" in the log", want);
}

static void
test_drop_closes(void **state)
{
	struct fx	*f = *state;
	int		 fd;

	fd = make_file(f, "c.wav" FS_PARTIAL, "dropped");
	flush_drop(f->fl, fd);
	wait_all(f);
	assert_true(fd_closed(fd));
	assert_int_equal(f->nfin, 0);
	/* Dropping is closing: the file itself is the writer's to remove. */
	assert_true(exists(f, "c.wav" FS_PARTIAL));
}

/*
 * The writer of the order test: MANY finishes, one after another.  Not
 * the test's thread, so no cmocka asserts: a failure is kept in error.
 */
static void *
producer(void *arg)
{
	struct fx	*f = arg;
	char		 p[512], content[32];
	unsigned	 i;
	size_t		 len;
	int		 fd;

	for (i = 0; i < MANY; i++) {
		snprintf(p, sizeof(p), "%s/f%04u.wav" FS_PARTIAL, f->dir, i);
		len = (size_t)snprintf(content, sizeof(content), "file %u", i);
		fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, content, len) != (ssize_t)len) {
			pthread_mutex_lock(&f->lock);
			snprintf(f->error, sizeof(f->error), "%s: %s", p,
			    strerror(errno));
			pthread_cond_broadcast(&f->cond);
			pthread_mutex_unlock(&f->lock);
			break;
		}
		p[strlen(p) - strlen(FS_PARTIAL)] = '\0';
		flush_finish(f->fl, fd, p, "1 float32 96000", i, i % 10 == 9,
		    NULL, 0);
		/*
		 * Job i is queued: at most FLUSH_SLOTS jobs wait, so every
		 * one before those has run and is on the done list.
		 */
		collect(f);
		pthread_mutex_lock(&f->lock);
		if (i + 1 > f->nfin + FLUSH_SLOTS)
			f->overrun++;
		f->queued++;
		pthread_cond_broadcast(&f->cond);
		pthread_mutex_unlock(&f->lock);
	}
	return NULL;
}

/*
 * Four queues' worth from another thread, with the flusher held until the
 * queue is full: the producer then waits (it never gets more than a queue
 * ahead of the flusher), nothing deadlocks, and the notes come in the
 * order the jobs were queued.  The producer takes the done list, as the
 * writer does; this thread takes the rest once it has ended.
 */
static void
test_order_backpressure(void **state)
{
	struct fx	*f = *state;
	struct timespec	 until;
	pthread_t	 t;
	char		 name[32], want[32], buf[64];
	unsigned	 i, queued;
	int		 rc = 0;

	f->check_order = 1;
	flush_hold(f->fl, 1);
	assert_int_equal(pthread_create(&t, NULL, producer, f), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WAIT_S;
	pthread_mutex_lock(&f->lock);
	while (f->queued < FLUSH_SLOTS && f->error[0] == '\0' && rc == 0)
		rc = pthread_cond_timedwait(&f->cond, &f->lock, &until);
	queued = f->queued;
	pthread_mutex_unlock(&f->lock);
	flush_hold(f->fl, 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	if (f->error[0] != '\0')
		fail_msg("producer: %s", f->error);
	/* Held: the queue was full, no more. */
	assert_int_equal(queued, FLUSH_SLOTS);
	wait_all(f);
	assert_int_equal(f->overrun, 0);
	assert_int_equal(f->nfin, MANY);
	assert_int_equal(f->out_of_order, 0);
	for (i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "f%04u.wav", i);
		snprintf(want, sizeof(want), "file %u", i);
		assert_string_equal(read_file(f, name, buf, sizeof(buf)),
		    want);
		snprintf(name, sizeof(name), "f%04u.wav" FS_PARTIAL, i);
		assert_false(exists(f, name));
	}
}

/*
 * The writer's jobs run before finishes queued ahead of them, and
 * flush_done / flush_wait_for see them through.  Held, the flusher gets
 * four finishes, the first of c0.wav.partial, then an open of a set whose
 * file is c0.wav: its open (O_EXCL) of c0.wav.partial fails if it runs
 * first, as it must, and succeeds once the finish has renamed the file.
 */
static void
test_writer_jobs_first(void **state)
{
	struct fx		*f = *state;
	struct fset		 s;
	struct fset_file	 ff;
	char			 name[32], want[32];
	uint64_t		 seq;
	unsigned		 i;

	flush_hold(f->fl, 1);
	for (i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "c%u.wav", i);
		snprintf(want, sizeof(want), "file %u", i);
		finish(f, name, want, i, 0);
	}
	memset(&s, 0, sizeof(s));
	memset(&ff, 0, sizeof(ff));
	s.f = &ff;
	s.n = 1;
	s.kind = fmt_kind(0);
	s.par.channels = 1;
	s.par.rate = 48000;
	s.par.bits = s.kind->bits;
	ff.be = s.kind->be;
	ff.sfd = -1;
	path_of(f, "c0.wav", ff.path, sizeof(ff.path));
	s.job_err = 1;
	start_log(f);
	seq = flush_open(f->fl, &s);
	assert_false(flush_done(f->fl, seq));
	flush_hold(f->fl, 0);
	flush_wait_for(f->fl, seq);
	assert_true(flush_done(f->fl, seq));
	wait_all(f);
	(void)stop_log(f);
	assert_int_equal(s.job_err, -EEXIST);
	assert_null(ff.h);
	assert_int_equal(f->nfin, 4);
}

/* flush_del runs what is still queued before the thread ends. */
static void
test_del_runs_queued(void **state)
{
	struct fx	*f = *state;
	char		 name[32], want[32], buf[64];
	unsigned	 i;

	for (i = 0; i < DEL_JOBS; i++) {
		snprintf(name, sizeof(name), "d%04u.wav", i);
		snprintf(want, sizeof(want), "file %u", i);
		finish(f, name, want, i, 0);
	}
	flush_del(f->fl);
	f->fl = NULL;
	for (i = 0; i < DEL_JOBS; i++) {
		snprintf(name, sizeof(name), "d%04u.wav", i);
		snprintf(want, sizeof(want), "file %u", i);
		assert_string_equal(read_file(f, name, buf, sizeof(buf)),
		    want);
		snprintf(name, sizeof(name), "d%04u.wav" FS_PARTIAL, i);
		assert_false(exists(f, name));
	}
}

/* The ledger's paths, in order, one per line of out. */
static void
ledger_paths(struct fx *f, char *out, size_t outlen)
{
	char	 p[512], line[1024], *s;
	FILE	*fp;
	size_t	 n = 0;

	path_of(f, RETAIN_LEDGER, p, sizeof(p));
	out[0] = '\0';
	if ((fp = fopen(p, "r")) == NULL)
		fail_msg("%s: open: %s", p, strerror(errno));
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (line[0] == '#')
			continue;
		/* FINISH_S SIZE_BYTES MTIME_S PATH */
		s = line;
		s = strchr(s, ' ') != NULL ? strchr(s, ' ') + 1 : s;
		s = strchr(s, ' ') != NULL ? strchr(s, ' ') + 1 : s;
		s = strchr(s, ' ') != NULL ? strchr(s, ' ') + 1 : s;
		n += snprintf(out + n, outlen - n, "%s", s);
		assert_true(n < outlen);
	}
	fclose(fp);
}

/*
 * Finished files go into the ledger once retention is set for their
 * directory; a limit then deletes the oldest, at once and again after
 * each finish that closes a set (dir 1), never after one that does not.
 */
static void
test_retention(void **state)
{
	struct fx	*f = *state;
	char		 p[512], paths[4096], kb[1001];

	memset(kb, 'x', sizeof(kb) - 1);
	kb[sizeof(kb) - 1] = '\0';
	flush_retain(f->fl, f->dir, 0, 0);
	finish(f, "a.wav", kb, 0, 1);
	finish(f, "b.wav", kb, 1, 1);
	finish(f, "c.wav", kb, 2, 1);
	wait_all(f);
	assert_int_equal(f->nfin, 3);
	assert_int_equal(f->ndel, 0);
	ledger_paths(f, paths, sizeof(paths));
	assert_string_equal(paths, "a.wav\nb.wav\nc.wav\n");

	/* 2500 bytes: the oldest of 3000 goes. */
	flush_retain(f->fl, f->dir, 0, 2.5e-6);
	wait_all(f);
	assert_int_equal(f->ndel, 1);
	path_of(f, "a.wav", p, sizeof(p));
	assert_string_equal(f->deleted[0], p);
	assert_true(f->del_bytes[0] == 1000);
	assert_false(exists(f, "a.wav"));
	assert_true(exists(f, "b.wav"));
	ledger_paths(f, paths, sizeof(paths));
	assert_string_equal(paths, "b.wav\nc.wav\n");

	/* Not the end of a set: 3000 bytes stay until one is. */
	finish(f, "d.wav", kb, 3, 0);
	wait_all(f);
	assert_int_equal(f->ndel, 1);
	assert_true(exists(f, "b.wav"));
	finish(f, "e.wav", kb, 4, 1);
	wait_all(f);
	assert_int_equal(f->ndel, 3);
	path_of(f, "b.wav", p, sizeof(p));
	assert_string_equal(f->deleted[1], p);
	path_of(f, "c.wav", p, sizeof(p));
	assert_string_equal(f->deleted[2], p);
	assert_true(exists(f, "d.wav"));
	assert_true(exists(f, "e.wav"));
	ledger_paths(f, paths, sizeof(paths));
	assert_string_equal(paths, "d.wav\ne.wav\n");

	/* A tiny limit takes everything but the ledger. */
	flush_retain(f->fl, f->dir, 0, 1e-9);
	wait_all(f);
	assert_int_equal(f->ndel, 5);
	assert_false(exists(f, "d.wav"));
	assert_false(exists(f, "e.wav"));
	assert_true(exists(f, RETAIN_LEDGER));
}

static void
fill(unsigned char *buf, size_t len, size_t at)
{
	size_t i;

	/* Unlike any page or chunk: a misplaced byte shows. */
	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)((at + i) * 7 + (at + i) / 4093);
}

/*
 * A file that grows past 8 MiB through struct wav hands each complete
 * write-back step to the flusher once, in order; then a sync and the
 * finish, and the data read back is what was written.
 */
static void
test_writeback(void **state)
{
	struct fx	*f = *state;
	struct wav_par	 par;
	struct wav	*w;
	struct stat	 st;
	unsigned char	*buf, *back;
	uint64_t	 offs[8], off, frames;
	char		 p[512], partial[512], err[256] = "";
	size_t		 at;
	unsigned	 n = 0;
	int		 fd, sfd;

#if !defined(__linux__)
	skip();
#endif
	path_of(f, "w.wav", p, sizeof(p));
	path_of(f, "w.wav" FS_PARTIAL, partial, sizeof(partial));
	memset(&par, 0, sizeof(par));
	par.channels = 2;
	par.rate = 48000;
	par.bits = 16;
	w = wav_open(partial, &par, err, sizeof(err));
	if (w == NULL)
		fail_msg("%s", err);
	sfd = fcntl(wav_fd(w), F_DUPFD_CLOEXEC, 0);
	assert_true(sfd >= 0);
	buf = malloc(WB_CHUNK);
	back = malloc(WB_DATA);
	assert_non_null(buf);
	assert_non_null(back);
	for (at = 0; at < WB_DATA; at += WB_CHUNK) {
		fill(buf, WB_CHUNK, at);
		assert_int_equal(wav_write(w, buf, WB_CHUNK), 0);
		while (wav_writeback_due(w, &off)) {
			assert_true(n < sizeof(offs) / sizeof(offs[0]));
			offs[n++] = off;
			wav_writeback_step(sfd, off);
		}
	}
	/* The header comes first: 12 MiB of data end past 12 MiB. */
	assert_int_equal(n, 3);
	assert_true(offs[0] == 0);
	assert_true(offs[1] == WB_STEP);
	assert_true(offs[2] == 2 * WB_STEP);
	assert_int_equal(fdatasync(sfd), 0);
	frames = wav_frames(w);
	assert_true(frames == WB_DATA / 4);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	flush_finish(f->fl, sfd, p, "2 pcm16 48000", frames, 1, NULL, 0);
	wait_all(f);
	assert_true(fd_closed(sfd));
	assert_int_equal(f->nfin, 1);
	assert_int_equal(f->fin[0].named, 1);
	assert_true(f->fin[0].frames == frames);
	assert_false(exists(f, "w.wav" FS_PARTIAL));

	/*
	 * No cues and even-sized data: the data end the file, but for the
	 * MD5 chunk (24 bytes).
	 */
	fd = open(p, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(st.st_size > WB_DATA + 24);
	assert_int_equal(pread(fd, buf, 12, 0), 12);
	assert_memory_equal(buf, "RIFF", 4);
	assert_memory_equal(buf + 8, "WAVE", 4);
	assert_int_equal(pread(fd, buf, 4, st.st_size - 24), 4);
	assert_memory_equal(buf, "MD5 ", 4);
	assert_int_equal(pread(fd, back, WB_DATA, st.st_size - 24 - WB_DATA),
	    WB_DATA);
	close(fd);
	for (at = 0; at < WB_DATA; at += WB_CHUNK) {
		fill(buf, WB_CHUNK, at);
		if (memcmp(back + at, buf, WB_CHUNK) != 0)
			fail_msg("%s: data differ in the MiB at %zu", p, at);
	}
	free(back);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_finish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finish_never_replaces,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_closes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_writer_jobs_first, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_order_backpressure,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_del_runs_queued, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_retention, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_writeback, setup,
		    teardown),
	};

	log_init("test_flush", LOG_LVL_DEBUG);
	alarm(TEST_TIMEOUT_S);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
