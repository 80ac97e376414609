/*
 * test_hooks.c: hook runs on a real libuv loop with the real /bin/sh.
 * Hooks tell the test where they are by writing lines to a fifo that the
 * loop reads ("start N", "end N") and wait on a fifo of their own that the
 * test opens to let them go: the loop and the fifos are the only
 * synchronisation.  alarm() bounds the whole run.
 */
#include <sys/stat.h>
#include <sys/wait.h>

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
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "hooks.h"
#include "log.h"

#define TEST_TIMEOUT_S	120	/* the whole binary */
#define WAIT_MS		20000	/* one wait_for */
#define MAX_DONE	64
#define MAX_EVENTS	64

struct done {
	char	 hook[32];
	char	 path[256];
	int	 status;
};

struct fx {
	uv_loop_t	 loop;
	struct hooks	*h;
	char		 dir[64];
	char		 ev[128];		/* the events fifo */
	uv_pipe_t	 evpipe;		/* its read end */
	int		 evpipe_open;
	int		 ev_wfd;		/* our write end, kept */
	char		 evbuf[4096];		/* a partial line */
	size_t		 evlen;
	char		 events[MAX_EVENTS][32];
	unsigned	 nevents;
	struct done	 done[MAX_DONE];
	unsigned	 ndone;
	int		 timed_out;
};

static void
on_done(void *arg, const char *hook, const char *path, int status)
{
	struct fx	*f = arg;
	struct done	*d;

	assert_true(f->ndone < MAX_DONE);
	d = &f->done[f->ndone++];
	snprintf(d->hook, sizeof(d->hook), "%s", hook);
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->status = status;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/recd-test-hooks.XXXXXX");
	if (mkdtemp(f->dir) == NULL || uv_loop_init(&f->loop) != 0)
		return -1;
	f->ev_wfd = -1;
	*state = f;
	return 0;
}

static void
rm_tree(const char *dir)
{
	DIR		*d = opendir(dir);
	struct dirent	*e;
	char		 p[512];

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static void
close_evpipe(struct fx *f)
{
	if (f->evpipe_open) {
		uv_close((uv_handle_t *)&f->evpipe, NULL);
		f->evpipe_open = 0;
	}
	if (f->ev_wfd >= 0) {
		close(f->ev_wfd);
		f->ev_wfd = -1;
	}
}

/*
 * A failed test may leave hooks waiting at their gates: let them all go,
 * so that they do not outlive the test or trip the next one.
 */
static void
release_all(struct fx *f)
{
	DIR		*d = opendir(f->dir);
	struct dirent	*e;
	char		 p[512];
	int		 fd;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "gate-", 5) != 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
		/* Fails (ENXIO) where nobody waits, which is fine. */
		fd = open(p, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
	}
	closedir(d);
}

static void
on_tick(uv_timer_t *t)
{
	(void)t;
}

/*
 * After a failure: lets every hook go until none is left (a hook between
 * its start line and its gate is let go on a later tick), for at most 5 s.
 */
static void
drain(struct fx *f)
{
	uv_timer_t	t;
	int		i;

	if (f->h == NULL)
		return;
	uv_timer_init(&f->loop, &t);
	uv_timer_start(&t, on_tick, 10, 10);
	for (i = 0; i < 500 && (hooks_running(f->h) > 0 ||
	    hooks_queued(f->h) > 0); i++) {
		release_all(f);
		uv_run(&f->loop, UV_RUN_ONCE);
	}
	uv_close((uv_handle_t *)&t, NULL);
}

/* Everything closed, nothing left running, no zombie. */
static int
teardown(void **state)
{
	struct fx	*f = *state;
	int		 rc;

	drain(f);
	hooks_close(f->h);
	close_evpipe(f);
	uv_run(&f->loop, UV_RUN_DEFAULT);
	rc = uv_loop_close(&f->loop);
	assert_int_equal(rc, 0);
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	rm_tree(f->dir);
	free(f);
	return 0;
}

static void
on_deadline(uv_timer_t *t)
{
	struct fx *f = t->data;

	f->timed_out = 1;
}

/* Runs the loop until pred(f) holds; fails after WAIT_MS. */
static void
wait_for(struct fx *f, int (*pred)(struct fx *, unsigned), unsigned n,
    const char *what)
{
	uv_timer_t t;

	uv_timer_init(&f->loop, &t);
	t.data = f;
	uv_timer_start(&t, on_deadline, WAIT_MS, 0);
	while (!pred(f, n) && !f->timed_out)
		uv_run(&f->loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&t, NULL);
	uv_run(&f->loop, UV_RUN_NOWAIT);
	if (f->timed_out)
		fail_msg("timed out waiting for %s", what);
}

static int
ndone_is(struct fx *f, unsigned n)
{
	return f->ndone >= n;
}

static int
nevents_is(struct fx *f, unsigned n)
{
	return f->nevents >= n;
}

static void
ev_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct fx *f = h->data;

	(void)hint;
	buf->base = f->evbuf + f->evlen;
	buf->len = sizeof(f->evbuf) - f->evlen;
}

static void
ev_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct fx	*f = s->data;
	char		*nl;
	size_t		 len;

	(void)buf;
	assert_true(n >= 0 || n == UV_EAGAIN);
	if (n <= 0)
		return;
	f->evlen += (size_t)n;
	while ((nl = memchr(f->evbuf, '\n', f->evlen)) != NULL) {
		len = (size_t)(nl - f->evbuf);
		assert_true(f->nevents < MAX_EVENTS);
		snprintf(f->events[f->nevents++], sizeof(f->events[0]), "%.*s",
		    (int)len, f->evbuf);
		memmove(f->evbuf, nl + 1, f->evlen - len - 1);
		f->evlen -= len + 1;
	}
}

/*
 * The events fifo: our own write end keeps it from reaching EOF between
 * hooks; each hook's line is shorter than PIPE_BUF, so it arrives whole.
 */
static void
open_events(struct fx *f)
{
	int fd;

	snprintf(f->ev, sizeof(f->ev), "%s/events", f->dir);
	assert_int_equal(mkfifo(f->ev, 0600), 0);
	fd = open(f->ev, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(fd >= 0);
	f->ev_wfd = open(f->ev, O_WRONLY | O_CLOEXEC);
	assert_true(f->ev_wfd >= 0);
	assert_int_equal(uv_pipe_init(&f->loop, &f->evpipe, 0), 0);
	f->evpipe.data = f;
	assert_int_equal(uv_pipe_open(&f->evpipe, fd), 0);
	f->evpipe_open = 1;
	assert_int_equal(uv_read_start((uv_stream_t *)&f->evpipe, ev_alloc,
	    ev_read), 0);
}

/* Makes DIR/gate-NAME, a fifo that a hook waits on until release(). */
static void
make_gate(struct fx *f, const char *name)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/gate-%s", f->dir, name);
	assert_int_equal(mkfifo(p, 0600), 0);
}

/*
 * Lets the hook waiting on gate-NAME go.  It has told us it started, so
 * it is about to open the gate: this open waits for that, not longer.
 */
static void
release(struct fx *f, const char *name)
{
	char	p[256];
	int	fd;

	snprintf(p, sizeof(p), "%s/gate-%s", f->dir, name);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	close(fd);
}

static int
exists(const char *dir, const char *name)
{
	char		p[256];
	struct stat	st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

static void
new_hooks(struct fx *f, unsigned max)
{
	f->h = hooks_new(&f->loop, max);
	assert_non_null(f->h);
	hooks_set_done(f->h, on_done, f);
}

/* The environment for the hooks: where the test's files are. */
static void
dir_env(struct fx *f, char *d, size_t dlen, char *ev, size_t evlen)
{
	snprintf(d, dlen, "D=%s", f->dir);
	snprintf(ev, evlen, "EV=%s", f->ev);
}

static void
test_path_and_env(void **state)
{
	struct fx	*f = *state;
	char		 d[128], path[128], out[256], line[512];
	const char	*env[] = { "RECD_TEST_VAR=hello world", d, NULL };
	FILE		*fp;

	new_hooks(f, 4);
	snprintf(d, sizeof(d), "D=%s", f->dir);
	snprintf(path, sizeof(path), "%s/take one.wav", f->dir);
	setenv("RECD_TEST_INHERITED", "from recd", 1);
	setenv("RECD_TEST_VAR", "recd's own value", 1);
	assert_int_equal(hooks_run(f->h, "on_file_closed",
	    "printf '%s|%s|%s\\n' \"$1\" \"$RECD_TEST_VAR\" "
	    "\"$RECD_TEST_INHERITED\" >\"$D/out\"", path, env), 0);
	/* Started from the loop, never inside hooks_run. */
	assert_int_equal(f->ndone, 0);
	assert_int_equal(hooks_queued(f->h), 1);
	assert_int_equal(hooks_running(f->h), 0);
	wait_for(f, ndone_is, 1, "the hook's end");
	assert_string_equal(f->done[0].hook, "on_file_closed");
	assert_string_equal(f->done[0].path, path);
	assert_int_equal(f->done[0].status, 0);
	assert_int_equal(hooks_running(f->h), 0);
	snprintf(out, sizeof(out), "%s/out", f->dir);
	fp = fopen(out, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	snprintf(out, sizeof(out), "%s|hello world|from recd\n", path);
	assert_string_equal(line, out);
	unsetenv("RECD_TEST_INHERITED");
	unsetenv("RECD_TEST_VAR");
}

/* The input reaches the command's stdin whole, as it was when queued;
 * without one, stdin is empty. */
static void
test_input(void **state)
{
	struct fx	*f = *state;
	char		 d[128], out[256], got[256];
	const char	*env[] = { d, NULL };
	char		 input[] = "{\"event\":\"alarm\",\"kind\":\"clip\"}\n";
	FILE		*fp;
	size_t		 n;

	new_hooks(f, 1);
	snprintf(d, sizeof(d), "D=%s", f->dir);
	assert_int_equal(hooks_run_input(f->h, "on_alarm",
	    "cat >\"$D/in\"", "alarm", env, input), 0);
	input[2] = 'X';		/* copied: the run sees the first text */
	assert_int_equal(hooks_run(f->h, "on_file_closed",
	    "cat >\"$D/none\"", "f", env), 0);
	wait_for(f, ndone_is, 2, "two ends");
	snprintf(out, sizeof(out), "%s/in", f->dir);
	assert_non_null(fp = fopen(out, "r"));
	n = fread(got, 1, sizeof(got) - 1, fp);
	got[n] = '\0';
	fclose(fp);
	assert_string_equal(got, "{\"event\":\"alarm\",\"kind\":\"clip\"}\n");
	snprintf(out, sizeof(out), "%s/none", f->dir);
	assert_non_null(fp = fopen(out, "r"));
	assert_int_equal(fread(got, 1, sizeof(got), fp), 0);
	fclose(fp);
}

static int
status_of(struct fx *f, const char *path)
{
	unsigned i;

	for (i = 0; i < f->ndone; i++)
		if (strcmp(f->done[i].path, path) == 0)
			return f->done[i].status;
	fail_msg("no status for %s", path);
	return 0;
}

static void
test_exit_signal_and_missing(void **state)
{
	struct fx *f = *state;

	new_hooks(f, 4);
	assert_int_equal(hooks_run(f->h, "h", "exit 3", "three", NULL), 0);
	assert_int_equal(hooks_run(f->h, "h", "kill -9 $$", "nine", NULL), 0);
	assert_int_equal(hooks_run(f->h, "h", "true", "zero", NULL), 0);
	assert_int_equal(hooks_run(f->h, "h",
	    "/nonexistent/recd-no-such-command \"$1\"", "missing", NULL), 0);
	wait_for(f, ndone_is, 4, "four ends");
	assert_int_equal(status_of(f, "three"), 3);
	assert_int_equal(status_of(f, "nine"), -9);
	assert_int_equal(status_of(f, "zero"), 0);
	/* sh's own "command not found". */
	assert_int_equal(status_of(f, "missing"), 127);
}

/* An environment the kernel refuses (E2BIG) makes the spawn itself fail. */
static void
test_spawn_failure(void **state)
{
	struct fx	*f = *state;
	size_t		 len = 4 << 20;
	char		*big = malloc(len + 1);
	const char	*env[] = { big, NULL };

	assert_non_null(big);
	memcpy(big, "BIG=", 4);
	memset(big + 4, 'x', len - 4);
	big[len] = '\0';
	new_hooks(f, 1);
	assert_int_equal(hooks_run(f->h, "h", "true", "big", env), 0);
	free(big);
	assert_int_equal(hooks_run(f->h, "h", "true", "after", NULL), 0);
	wait_for(f, ndone_is, 2, "the failed spawn and the next run");
	assert_string_equal(f->done[0].path, "big");
	assert_int_equal(f->done[0].status, HOOKS_NOT_RUN);
	/* A failed start frees its slot for the next one. */
	assert_string_equal(f->done[1].path, "after");
	assert_int_equal(f->done[1].status, 0);
}

static void
test_bad_arguments(void **state)
{
	struct fx	*f = *state;
	const char	*noeq[] = { "A=1", "NOEQUALS", NULL };
	const char	*nokey[] = { "=1", NULL };

	assert_null(hooks_new(&f->loop, 0));
	assert_int_equal(errno, EINVAL);
	new_hooks(f, 1);
	assert_int_equal(hooks_run(f->h, "h", "", "p", NULL), -EINVAL);
	assert_int_equal(hooks_run(f->h, "h", "true", "p", noeq), -EINVAL);
	assert_int_equal(hooks_run(f->h, "h", "true", "p", nokey), -EINVAL);
	assert_int_equal(hooks_queued(f->h), 0);
}

static int
count_prefix(struct fx *f, const char *prefix)
{
	unsigned	i;
	int		n = 0;

	for (i = 0; i < f->nevents; i++)
		n += strncmp(f->events[i], prefix, strlen(prefix)) == 0;
	return n;
}

/* How many ran at once, as the hooks themselves saw it. */
static int
max_overlap(struct fx *f)
{
	unsigned	i;
	int		now = 0, max = 0;

	for (i = 0; i < f->nevents; i++) {
		now += strncmp(f->events[i], "start ", 6) == 0 ? 1 : -1;
		if (now > max)
			max = now;
	}
	return max;
}

static int
ended_and_done(struct fx *f, unsigned n)
{
	return count_prefix(f, "end ") >= (int)n && f->ndone >= n;
}

#define GATED_HOOK	"echo \"start $1\" >\"$EV\"; " \
			"read x <\"$D/gate-$1\"; " \
			"echo \"end $1\" >\"$EV\""

static void
test_limit_and_order(void **state)
{
	struct fx	*f = *state;
	char		 d[128], ev[160], name[8], want[16];
	const char	*env[] = { d, ev, NULL };
	unsigned	 i, n = 5;

	open_events(f);
	dir_env(f, d, sizeof(d), ev, sizeof(ev));
	new_hooks(f, 2);
	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "%u", i);
		make_gate(f, name);
		assert_int_equal(hooks_run(f->h, "h", GATED_HOOK, name, env),
		    0);
	}
	wait_for(f, nevents_is, 2, "two starts");
	assert_int_equal(count_prefix(f, "start "), 2);
	assert_int_equal(hooks_running(f->h), 2);
	assert_int_equal(hooks_queued(f->h), 3);
	/* The first two in either order: they were started together. */
	assert_true((strcmp(f->events[0], "start 1") == 0 &&
	    strcmp(f->events[1], "start 2") == 0) ||
	    (strcmp(f->events[0], "start 2") == 0 &&
	    strcmp(f->events[1], "start 1") == 0));
	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "%u", i);
		release(f, name);
		wait_for(f, ended_and_done, i, "an end");
		assert_string_equal(f->done[i - 1].path, name);
		assert_int_equal(f->done[i - 1].status, 0);
		if (i + 2 <= n) {
			/* Its slot went to the oldest waiting run. */
			wait_for(f, nevents_is, 2 * i + 2, "the next start");
			snprintf(want, sizeof(want), "start %u", i + 2);
			assert_string_equal(f->events[2 * i + 1], want);
			assert_int_equal(hooks_running(f->h), 2);
		}
	}
	assert_int_equal(count_prefix(f, "start "), 5);
	assert_int_equal(max_overlap(f), 2);
	assert_int_equal(hooks_running(f->h), 0);
	assert_int_equal(hooks_queued(f->h), 0);
}

static void
test_fifo_one_at_a_time(void **state)
{
	struct fx	*f = *state;
	char		 d[128], out[256], got[64];
	const char	*env[] = { d, NULL };
	const char	*names[] = { "a", "b", "c", "d", "e" };
	unsigned	 i;
	FILE		*fp;
	size_t		 len;

	snprintf(d, sizeof(d), "D=%s", f->dir);
	new_hooks(f, 1);
	for (i = 0; i < 5; i++)
		assert_int_equal(hooks_run(f->h, "h",
		    "echo \"$1\" >>\"$D/order\"", names[i], env), 0);
	assert_int_equal(hooks_queued(f->h), 5);
	wait_for(f, ndone_is, 5, "five ends");
	for (i = 0; i < 5; i++)
		assert_string_equal(f->done[i].path, names[i]);
	snprintf(out, sizeof(out), "%s/order", f->dir);
	fp = fopen(out, "r");
	assert_non_null(fp);
	len = fread(got, 1, sizeof(got) - 1, fp);
	fclose(fp);
	got[len] = '\0';
	assert_string_equal(got, "a\nb\nc\nd\ne\n");
}

/*
 * hooks_close: the waiting runs never start, the running one is neither
 * killed nor waited for, every handle is closed (the loop ends) and ASan
 * sees every byte freed.  The test reaps the orphan itself.
 */
static void
test_close_drops_queue(void **state)
{
	struct fx	*f = *state;
	char		 d[128], ev[160], name[8];
	const char	*env[] = { d, ev, NULL };
	unsigned	 i;
	int		 st;
	pid_t		 pid;

	open_events(f);
	dir_env(f, d, sizeof(d), ev, sizeof(ev));
	make_gate(f, "1");
	new_hooks(f, 1);
	/* After the close nobody reads the events fifo: it must not write. */
	assert_int_equal(hooks_run(f->h, "h", "echo \"start $1 $$\" >\"$EV\"; "
	    "read x <\"$D/gate-$1\"; : >\"$D/ended\"", "1", env), 0);
	for (i = 2; i <= 4; i++) {
		snprintf(name, sizeof(name), "%u", i);
		assert_int_equal(hooks_run(f->h, "h", ": >\"$D/ran-$1\"", name,
		    env), 0);
	}
	wait_for(f, nevents_is, 1, "the first start");
	assert_int_equal(sscanf(f->events[0], "start 1 %d", &pid), 1);
	assert_int_equal(hooks_running(f->h), 1);
	assert_int_equal(hooks_queued(f->h), 3);
	hooks_close(f->h);
	f->h = NULL;
	release(f, "1");
	close_evpipe(f);
	/* Returns only once no handle is left. */
	assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_true(exists(f->dir, "ended"));
	assert_false(exists(f->dir, "ran-2"));
	assert_false(exists(f->dir, "ran-3"));
	assert_false(exists(f->dir, "ran-4"));
	assert_int_equal(f->ndone, 0);
}

/* Past HOOKS_QUEUE_MAX waiting runs, the next is refused. */
static void
test_queue_bound(void **state)
{
	struct fx	*f = *state;
	char		 d[128];
	const char	*env[] = { d, NULL };
	unsigned	 i;

	snprintf(d, sizeof(d), "D=%s", f->dir);
	new_hooks(f, 1);
	/* No loop turn in between: none of them starts. */
	for (i = 0; i < HOOKS_QUEUE_MAX; i++)
		assert_int_equal(hooks_run(f->h, "h", ": >\"$D/ran\"", "p",
		    env), 0);
	assert_int_equal(hooks_queued(f->h), HOOKS_QUEUE_MAX);
	assert_int_equal(hooks_run(f->h, "h", "true", "one too many", NULL),
	    -ENOBUFS);
	hooks_close(f->h);
	f->h = NULL;
	assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
	assert_false(exists(f->dir, "ran"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_path_and_env, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_input, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_signal_and_missing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_spawn_failure, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_limit_and_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fifo_one_at_a_time,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_drops_queue, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_queue_bound, setup,
		    teardown),
	};

	log_init("test_hooks", LOG_LVL_INFO);
	alarm(TEST_TIMEOUT_S);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
