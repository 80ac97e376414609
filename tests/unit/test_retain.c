/*
 * test_retain.c: the retention ledger on real temp directories: what is
 * deleted, by age (with a made-up now) and by size, and above all what is
 * not: files changed or replaced after recd finished them, files recd
 * never finished, anything outside DIR, DIR itself.  Log lines are caught
 * from stderr to check that warnings name their culprit.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include "log.h"
#include "retain.h"

#define HOUR_S		3600
#define MAX_DELETED	32

struct fx {
	char		 top[64];	/* mkdtemp'd: DIR and "outside" */
	char		 dir[96];	/* TOP/rec: the recordings */
	char		 ledger[128];
	struct retain	*r;
	char		 deleted[MAX_DELETED][256];
	uint64_t	 bytes[MAX_DELETED];
	char		 why[MAX_DELETED][64];
	unsigned	 ndeleted;
	int		 saved_stderr;
	char		 log[128];	/* captured stderr */
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

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->top, sizeof(f->top), "/tmp/recd-test-retain.XXXXXX");
	if (mkdtemp(f->top) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/rec", f->top);
	snprintf(f->ledger, sizeof(f->ledger), "%s/%s", f->dir,
	    RETAIN_LEDGER);
	snprintf(f->log, sizeof(f->log), "%s/stderr", f->top);
	if (mkdir(f->dir, 0755) != 0)
		return -1;
	f->saved_stderr = -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	retain_close(f->r);
	rm_tree(f->top);
	free(f);
	return 0;
}

static void
on_deleted(void *arg, const char *path, uint64_t bytes, const char *why)
{
	struct fx *f = arg;

	assert_true(f->ndeleted < MAX_DELETED);
	snprintf(f->deleted[f->ndeleted], sizeof(f->deleted[0]), "%s", path);
	snprintf(f->why[f->ndeleted], sizeof(f->why[0]), "%s", why);
	f->bytes[f->ndeleted++] = bytes;
}

/* Log lines go to TOP/stderr until stop_log(), which returns them. */
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

/* DIR/rel (or TOP/rel when in_top), with its parents, of len bytes. */
static void
path_of(struct fx *f, const char *rel, int in_top, char *p, size_t plen)
{
	snprintf(p, plen, "%s/%s", in_top ? f->top : f->dir, rel);
}

static void
make_file_at(const char *p, size_t len)
{
	char	 q[512], *s;
	FILE	*fp;
	size_t	 i;

	snprintf(q, sizeof(q), "%s", p);
	for (s = strchr(q + 1, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(q, 0755);
		*s = '/';
	}
	fp = fopen(p, "w");
	assert_non_null(fp);
	for (i = 0; i < len; i++)
		fputc('x', fp);
	assert_int_equal(fclose(fp), 0);
}

static void
make_file(struct fx *f, const char *rel, size_t len)
{
	char p[512];

	path_of(f, rel, 0, p, sizeof(p));
	make_file_at(p, len);
}

static int
exists(struct fx *f, const char *rel)
{
	struct stat	st;
	char		p[512];

	path_of(f, rel, 0, p, sizeof(p));
	return lstat(p, &st) == 0;
}

static void
open_retain(struct fx *f)
{
	char err[256] = "";

	f->r = retain_open(f->dir, err, sizeof(err));
	if (f->r == NULL)
		fail_msg("retain_open: %s", err);
}

static void
add(struct fx *f, const char *rel)
{
	assert_int_equal(retain_add(f->r, rel), 0);
}

/* A ledger line for DIR/rel as it is now, finished at finish_s. */
static void
ledger_line(struct fx *f, FILE *fp, long long finish_s, const char *rel)
{
	struct stat	st;
	char		p[512];

	path_of(f, rel, 0, p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	fprintf(fp, "%lld %lld %lld %s\n", finish_s, (long long)st.st_size,
	    (long long)st.st_mtime, rel);
}

static long long
mtime_of(struct fx *f, const char *rel)
{
	struct stat	st;
	char		p[512];

	path_of(f, rel, 0, p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	return (long long)st.st_mtime;
}

static int
apply(struct fx *f, double hours, double gb, time_t now)
{
	return retain_apply(f->r, hours, gb, now, on_deleted, f);
}

static void
test_by_hours(void **state)
{
	struct fx	*f = *state;
	time_t		 t = time(NULL);
	char		 p[512];

	make_file(f, "a.wav", 100);
	make_file(f, "2026-11-24/b.wav", 200);
	open_retain(f);
	add(f, "a.wav");
	add(f, "2026-11-24/b.wav");
	assert_int_equal(retain_count(f->r), 2);
	assert_int_equal(retain_bytes(f->r), 300);
	/* Half an hour on: nothing is older than an hour. */
	assert_int_equal(apply(f, 1, 0, t + HOUR_S / 2), 0);
	assert_true(exists(f, "a.wav"));
	assert_int_equal(apply(f, 1, 0, t + 2 * HOUR_S), 2);
	assert_int_equal(f->ndeleted, 2);
	path_of(f, "a.wav", 0, p, sizeof(p));
	assert_string_equal(f->deleted[0], p);
	assert_int_equal(f->bytes[0], 100);
	assert_string_equal(f->why[0], "older than 1 h");
	assert_int_equal(f->bytes[1], 200);
	assert_false(exists(f, "a.wav"));
	assert_false(exists(f, "2026-11-24/b.wav"));
	/* The emptied day directory goes, DIR and its ledger stay. */
	assert_false(exists(f, "2026-11-24"));
	assert_true(exists(f, RETAIN_LEDGER));
	assert_int_equal(retain_count(f->r), 0);
	assert_int_equal(retain_bytes(f->r), 0);
}

/* Ages from the ledger itself: only those past keep_hours go. */
static void
test_by_hours_mixed_ages(void **state)
{
	struct fx	*f = *state;
	time_t		 t = 1800000000;
	FILE		*fp;

	make_file(f, "old.wav", 10);
	make_file(f, "middle.wav", 10);
	make_file(f, "new.wav", 10);
	fp = fopen(f->ledger, "w");
	assert_non_null(fp);
	ledger_line(f, fp, t - 10 * HOUR_S, "old.wav");
	ledger_line(f, fp, t - 5 * HOUR_S - 1, "middle.wav");
	ledger_line(f, fp, t - 1 * HOUR_S, "new.wav");
	fclose(fp);
	open_retain(f);
	assert_int_equal(retain_count(f->r), 3);
	assert_int_equal(apply(f, 5, 0, t), 2);
	assert_false(exists(f, "old.wav"));
	assert_false(exists(f, "middle.wav"));
	assert_true(exists(f, "new.wav"));
	assert_int_equal(retain_count(f->r), 1);
}

static void
test_by_size(void **state)
{
	struct fx	*f = *state;
	time_t		 t = time(NULL);

	make_file(f, "1.wav", 1000);
	make_file(f, "2.wav", 2000);
	make_file(f, "3.wav", 3000);
	open_retain(f);
	add(f, "1.wav");
	add(f, "2.wav");
	add(f, "3.wav");
	assert_int_equal(retain_bytes(f->r), 6000);
	/* 6000 bytes fit in 6500: nothing to do. */
	assert_int_equal(apply(f, 0, 6500e-9, t), 0);
	/* 4500 bytes: the two oldest go, 3000 bytes are left. */
	assert_int_equal(apply(f, 0, 4500e-9, t), 2);
	assert_false(exists(f, "1.wav"));
	assert_false(exists(f, "2.wav"));
	assert_true(exists(f, "3.wav"));
	assert_int_equal(f->ndeleted, 2);
	assert_true(strstr(f->deleted[0], "/1.wav") != NULL);
	assert_true(strstr(f->deleted[1], "/2.wav") != NULL);
	assert_string_equal(f->why[0], "over 4.5e-06 GB");
	assert_int_equal(retain_bytes(f->r), 3000);
	assert_int_equal(retain_count(f->r), 1);
	assert_int_equal(apply(f, 0, 4500e-9, t), 0);
}

static void
test_ledger_persists(void **state)
{
	struct fx	*f = *state;
	time_t		 t = time(NULL);
	char		 abs[512];

	make_file(f, "a.wav", 10);
	make_file(f, "d/b.wav", 20);
	make_file(f, "c.wav", 30);
	open_retain(f);
	add(f, "a.wav");
	/* An absolute path under DIR is kept as DIR-relative. */
	path_of(f, "d/b.wav", 0, abs, sizeof(abs));
	add(f, abs);
	retain_close(f->r);
	f->r = NULL;
	open_retain(f);
	assert_int_equal(retain_count(f->r), 2);
	assert_int_equal(retain_bytes(f->r), 30);
	add(f, "c.wav");
	/* 60 bytes in 35: a and b go, oldest first. */
	assert_int_equal(apply(f, 0, 35e-9, t), 2);
	assert_false(exists(f, "a.wav"));
	assert_false(exists(f, "d"));
	retain_close(f->r);
	f->r = NULL;
	open_retain(f);
	assert_int_equal(retain_count(f->r), 1);
	assert_int_equal(retain_bytes(f->r), 30);
	assert_int_equal(apply(f, 1, 0, t + 2 * HOUR_S), 1);
	assert_false(exists(f, "c.wav"));
}

/* Size or mtime changed after recd finished it: someone else's now. */
static void
test_changed_file_kept(void **state)
{
	struct fx	*f = *state;
	time_t		 t = time(NULL);
	struct timeval	 tv[2];
	const char	*log;
	char		 p[512];
	FILE		*fp;

	make_file(f, "grown.wav", 100);
	make_file(f, "touched.wav", 100);
	open_retain(f);
	add(f, "grown.wav");
	add(f, "touched.wav");
	path_of(f, "grown.wav", 0, p, sizeof(p));
	fp = fopen(p, "a");
	assert_non_null(fp);
	fputs("more", fp);
	fclose(fp);
	path_of(f, "touched.wav", 0, p, sizeof(p));
	tv[0].tv_sec = tv[1].tv_sec = t - 1000;
	tv[0].tv_usec = tv[1].tv_usec = 0;
	assert_int_equal(utimes(p, tv), 0);
	start_log(f);
	assert_int_equal(apply(f, 1, 0, t + 2 * HOUR_S), 0);
	log = stop_log(f);
	assert_true(exists(f, "grown.wav"));
	assert_true(exists(f, "touched.wav"));
	assert_int_equal(f->ndeleted, 0);
	/* Forgotten, with a warning naming each. */
	assert_int_equal(retain_count(f->r), 0);
	assert_non_null(strstr(log, "grown.wav: changed since recd"));
	assert_non_null(strstr(log, "touched.wav: changed since recd"));
}

static void
test_replaced_file_kept(void **state)
{
	struct fx	*f = *state;
	time_t		 t = time(NULL);
	const char	*log;
	char		 p[512], q[512], out[512];

	make_file(f, "dir.wav", 10);
	make_file(f, "link.wav", 10);
	make_file(f, "sub/moved.wav", 10);
	open_retain(f);
	add(f, "dir.wav");
	add(f, "link.wav");
	add(f, "sub/moved.wav");
	/* A directory where the file was. */
	path_of(f, "dir.wav", 0, p, sizeof(p));
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkdir(p, 0755), 0);
	/* A symlink to a file outside DIR, of the same size. */
	path_of(f, "link.wav", 0, p, sizeof(p));
	path_of(f, "target.wav", 1, out, sizeof(out));
	make_file_at(out, 10);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink(out, p), 0);
	/*
	 * Its directory moved out of DIR and a symlink put in its place:
	 * the very same file (size, mtime) is now somebody else's.
	 */
	path_of(f, "sub", 0, p, sizeof(p));
	path_of(f, "sub", 1, q, sizeof(q));
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(symlink(q, p), 0);
	start_log(f);
	assert_int_equal(apply(f, 0, 1e-9, t), 0);
	log = stop_log(f);
	assert_true(exists(f, "dir.wav"));
	assert_true(exists(f, "link.wav"));
	assert_int_equal(access(out, F_OK), 0);
	path_of(f, "sub/moved.wav", 1, q, sizeof(q));
	assert_int_equal(access(q, F_OK), 0);
	assert_int_equal(retain_count(f->r), 0);
	assert_non_null(strstr(log, "dir.wav: no longer a regular file"));
	assert_non_null(strstr(log, "link.wav: no longer a regular file"));
	assert_non_null(strstr(log, "/rec/sub is no longer a directory"));
}

/* Files recd never finished stay, and so do the directories they are in. */
static void
test_outside_ledger_never(void **state)
{
	struct fx	*f = *state;
	time_t		 t = time(NULL);

	make_file(f, "mine.wav", 10);
	make_file(f, "theirs.wav", 10);
	make_file(f, "day/mine.wav", 10);
	make_file(f, "day/open.wav.partial", 10);
	make_file(f, "x/y/z.wav", 10);
	make_file(f, "x/notes.txt", 10);
	open_retain(f);
	add(f, "mine.wav");
	add(f, "day/mine.wav");
	add(f, "x/y/z.wav");
	assert_int_equal(apply(f, 1, 1e-9, t + 2 * HOUR_S), 3);
	assert_false(exists(f, "mine.wav"));
	assert_false(exists(f, "day/mine.wav"));
	assert_false(exists(f, "x/y"));
	assert_true(exists(f, "theirs.wav"));
	assert_true(exists(f, "day/open.wav.partial"));
	assert_true(exists(f, "x/notes.txt"));
	assert_int_equal(access(f->dir, F_OK), 0);
}

/*
 * Even with its ledger removed by hand, so that DIR is empty once its
 * last file goes, DIR itself stays.
 */
static void
test_dir_never_removed(void **state)
{
	struct fx *f = *state;

	make_file(f, "only.wav", 10);
	open_retain(f);
	add(f, "only.wav");
	assert_int_equal(unlink(f->ledger), 0);
	assert_int_equal(apply(f, 0, 1e-9, time(NULL)), 1);
	assert_false(exists(f, "only.wav"));
	assert_int_equal(access(f->dir, F_OK), 0);
	/* And the ledger is back, empty. */
	assert_true(exists(f, RETAIN_LEDGER));
}

/* A file gone by other hands: its entry goes quietly, nothing else. */
static void
test_gone_file_dropped(void **state)
{
	struct fx	*f = *state;
	char		 p[512];

	make_file(f, "gone.wav", 10);
	make_file(f, "kept.wav", 10);
	open_retain(f);
	add(f, "gone.wav");
	add(f, "kept.wav");
	path_of(f, "gone.wav", 0, p, sizeof(p));
	assert_int_equal(unlink(p), 0);
	assert_int_equal(apply(f, 0, 15e-9, time(NULL)), 0);
	assert_true(exists(f, "kept.wav"));
	assert_int_equal(retain_count(f->r), 1);
	assert_int_equal(retain_bytes(f->r), 10);
}

static void
test_corrupt_lines_skipped(void **state)
{
	struct fx	*f = *state;
	time_t		 t = time(NULL);
	const char	*log;
	char		 line[600];
	long long	 mtime;
	FILE		*fp;

	make_file(f, "good 1.wav", 10);
	make_file(f, "good 2.wav", 10);
	make_file(f, "victim.wav", 10);
	make_file(f, "a/b.wav", 10);
	path_of(f, "escape.wav", 1, line, sizeof(line));
	make_file_at(line, 10);
	/* Every bad line but 3 has the victim's true size and mtime. */
	mtime = mtime_of(f, "victim.wav");
	fp = fopen(f->ledger, "w");
	assert_non_null(fp);
	fputs("# a comment\n", fp);				/* 1 */
	ledger_line(f, fp, t - 100, "good 1.wav");		/* 2 */
	fputs("garbage\n", fp);					/* 3 */
	fprintf(fp, "1 10 x%lld victim.wav\n", mtime);		/* 4 */
	fprintf(fp, "1 10 %lld\n", mtime);			/* 5 */
	fprintf(fp, "1 10 %lld ../escape.wav\n", mtime);	/* 6 */
	fprintf(fp, "1 10 %lld %s/victim.wav\n", mtime, f->dir);	/* 7 */
	fprintf(fp, "1 10 %lld a//b.wav\n", mtime);		/* 8 */
	fputs("\n", fp);					/* 9 */
	fprintf(fp, "-5 10 %lld victim.wav\n", mtime);		/* 10 */
	ledger_line(f, fp, t - 50, "good 2.wav");		/* 11 */
	fprintf(fp, "1 10 %lld victim.wav", mtime);		/* 12 */
	fclose(fp);
	start_log(f);
	open_retain(f);
	log = stop_log(f);
	assert_int_equal(retain_count(f->r), 2);
	snprintf(line, sizeof(line), "%s:3: ", f->ledger);
	assert_non_null(strstr(log, line));
	snprintf(line, sizeof(line), "%s:4: ", f->ledger);
	assert_non_null(strstr(log, line));
	snprintf(line, sizeof(line), "%s:5: ", f->ledger);
	assert_non_null(strstr(log, line));
	snprintf(line, sizeof(line), "%s:6: ", f->ledger);
	assert_non_null(strstr(log, line));
	snprintf(line, sizeof(line), "%s:7: ", f->ledger);
	assert_non_null(strstr(log, line));
	snprintf(line, sizeof(line), "%s:8: ", f->ledger);
	assert_non_null(strstr(log, line));
	snprintf(line, sizeof(line), "%s:10: ", f->ledger);
	assert_non_null(strstr(log, line));
	snprintf(line, sizeof(line), "%s:12: an unfinished line", f->ledger);
	assert_non_null(strstr(log, line));
	snprintf(line, sizeof(line), "%s:9: ", f->ledger);
	assert_null(strstr(log, line));
	/* Rewritten without them: no warning the second time. */
	retain_close(f->r);
	f->r = NULL;
	start_log(f);
	open_retain(f);
	log = stop_log(f);
	assert_null(strstr(log, "skipped"));
	assert_int_equal(retain_count(f->r), 2);
	assert_int_equal(apply(f, 0, 1e-9, t), 2);
	assert_true(exists(f, "victim.wav"));
	assert_true(exists(f, "a/b.wav"));
	path_of(f, "escape.wav", 1, line, sizeof(line));
	assert_int_equal(access(line, F_OK), 0);
}

static void
test_odd_names(void **state)
{
	struct fx	*f = *state;
	const char	*names[] = { "take one.wav", "  two leading.wav",
			    "trailing .wav ", "tab\there.wav",
			    "back\\slash.wav",
			    "caf\xc3\xa9 \xe2\x98\x83.wav", "a  b/c d.wav",
			    "#hash.wav", "1 2 3 4.wav" };
	size_t		 i, n = sizeof(names) / sizeof(names[0]);
	char		 p[512];

	for (i = 0; i < n; i++)
		make_file(f, names[i], 10 + i);
	make_file(f, "new\nline.wav", 10);
	open_retain(f);
	for (i = 0; i < n; i++)
		add(f, names[i]);
	start_log(f);
	assert_int_equal(retain_add(f->r, "new\nline.wav"), -EINVAL);
	/* Named on one log line. */
	assert_non_null(strstr(stop_log(f),
	    "new\\x0aline.wav: a newline in the name"));
	retain_close(f->r);
	f->r = NULL;
	open_retain(f);
	assert_int_equal(retain_count(f->r), n);
	assert_int_equal(apply(f, 0, 1e-9, time(NULL)), (int)n);
	for (i = 0; i < n; i++) {
		path_of(f, names[i], 0, p, sizeof(p));
		assert_string_equal(f->deleted[i], p);
		assert_false(exists(f, names[i]));
	}
	assert_true(exists(f, "new\nline.wav"));
}

static void
test_add_refuses(void **state)
{
	struct fx	*f = *state;
	char		 p[512], q[512];

	make_file(f, "ok.wav", 10);
	make_file(f, "sub/x.wav", 10);
	path_of(f, "outside.wav", 1, p, sizeof(p));
	make_file_at(p, 10);
	open_retain(f);
	/* Outside DIR, by absolute path or by "..". */
	assert_int_equal(retain_add(f->r, p), -EINVAL);
	assert_int_equal(retain_add(f->r, "../outside.wav"), -EINVAL);
	assert_int_equal(retain_add(f->r, "sub/../ok.wav"), -EINVAL);
	/* Not a regular file; missing; the ledger itself. */
	assert_int_equal(retain_add(f->r, "sub"), -EINVAL);
	assert_int_equal(retain_add(f->r, "missing.wav"), -ENOENT);
	add(f, "ok.wav");
	assert_int_equal(retain_add(f->r, RETAIN_LEDGER), -EINVAL);
	/* Under a directory that is a symlink. */
	path_of(f, "sub", 0, p, sizeof(p));
	path_of(f, "viasym", 0, q, sizeof(q));
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(retain_add(f->r, "viasym/x.wav"), -EINVAL);
	assert_int_equal(retain_count(f->r), 1);
	/* Added again: one entry, with its new size. */
	make_file(f, "ok.wav", 25);
	add(f, "ok.wav");
	assert_int_equal(retain_count(f->r), 1);
	assert_int_equal(retain_bytes(f->r), 25);
	retain_close(f->r);
	f->r = NULL;
	open_retain(f);
	assert_int_equal(retain_count(f->r), 1);
	assert_int_equal(retain_bytes(f->r), 25);
}

static void
test_open_errors(void **state)
{
	struct fx	*f = *state;
	char		 err[256] = "", p[512];

	path_of(f, "nope", 1, p, sizeof(p));
	assert_null(retain_open(p, err, sizeof(err)));
	assert_non_null(strstr(err, p));
	assert_non_null(strstr(err, "No such file"));
	make_file(f, "plain", 1);
	path_of(f, "plain", 0, p, sizeof(p));
	assert_null(retain_open(p, err, sizeof(err)));
	assert_non_null(strstr(err, "not a directory"));
}

/*
 * DIR given relative, with a trailing slash: paths that start with it are
 * taken from the current directory, others from DIR.
 */
static void
test_relative_dir(void **state)
{
	struct fx	*f = *state;
	char		 err[256] = "", p[512];
	int		 here = open(".", O_RDONLY);

	assert_true(here >= 0);
	make_file(f, "x.wav", 10);
	make_file(f, "y.wav", 10);
	assert_int_equal(chdir(f->top), 0);
	f->r = retain_open("rec/", err, sizeof(err));
	assert_int_equal(retain_add(f->r, "rec/x.wav"), 0);
	assert_int_equal(retain_add(f->r, "y.wav"), 0);
	assert_int_equal(fchdir(here), 0);
	close(here);
	assert_non_null(f->r);
	assert_int_equal(retain_count(f->r), 2);
	assert_int_equal(apply(f, 0, 1e-9, time(NULL)), 2);
	path_of(f, "x.wav", 0, p, sizeof(p));
	assert_string_equal(f->deleted[0], p);
	path_of(f, "y.wav", 0, p, sizeof(p));
	assert_string_equal(f->deleted[1], p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_by_hours, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_by_hours_mixed_ages,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_by_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ledger_persists, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_changed_file_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replaced_file_kept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_outside_ledger_never,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_gone_file_dropped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dir_never_removed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_lines_skipped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_add_refuses, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_relative_dir, setup,
		    teardown),
	};

	log_init("test_retain", LOG_LVL_DEBUG);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
