/*
 * hooks.c: user hook commands through uv_spawn.  A run is queued by
 * hooks_run and started from a zero-delay timer, so that a caller is never
 * called back from inside hooks_run and a failed spawn is reported the
 * same way wherever it happens.  libuv reaps the children; each run's
 * memory goes with its process handle's close callback, the module's with
 * the last one.  Main thread.
 */
#include "hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define HK_SHELL	"/bin/sh"

extern char **environ;

struct hk_run {
	uv_process_t	 proc;		/* proc.data is us */
	struct hooks	*h;
	struct hk_run	*next;		/* queue or live list */
	char		*hook;
	char		*cmd;
	char		*path;
	char		**env;		/* extra "KEY=VALUE" copies */
	char		*input;		/* its stdin, or NULL: /dev/null */
	uint64_t	 start_ns;	/* uv_hrtime at spawn */
};

struct hooks {
	uv_loop_t	*loop;
	uv_timer_t	 kick;		/* starts queued runs */
	unsigned	 max_running;
	unsigned	 running;
	unsigned	 queued;
	struct hk_run	*head, *tail;	/* the queue, oldest first */
	struct hk_run	*live;		/* running, in no order */
	hooks_done_fn	 done;
	void		*arg;
	int		 closing;
	int		 handles;	/* open or closing handles */
};

static void
hk_free_run(struct hk_run *r)
{
	char **e;

	if (r->env != NULL)
		for (e = r->env; *e != NULL; e++)
			free(*e);
	free(r->env);
	free(r->input);
	free(r->hook);
	free(r->cmd);
	free(r->path);
	free(r);
}

static void
hk_handle_gone(struct hooks *h)
{
	if (--h->handles == 0 && h->closing)
		free(h);
}

static void
hk_run_closed(uv_handle_t *handle)
{
	struct hk_run	*r = handle->data;
	struct hooks	*h = r->h;

	hk_free_run(r);
	hk_handle_gone(h);
}

static void
hk_kick_closed(uv_handle_t *handle)
{
	hk_handle_gone(handle->data);
}

static void
hk_unlink_live(struct hooks *h, struct hk_run *r)
{
	struct hk_run **pp;

	for (pp = &h->live; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			return;
		}
	}
}

/* The length of "KEY=" in a "KEY=VALUE" entry, or 0 if it has none. */
static size_t
hk_keylen(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq == NULL || eq == kv ? 0 : (size_t)(eq - kv) + 1;
}

/*
 * recd's environment with the run's entries on top: an inherited KEY that
 * the run sets again is left out, so the hook sees one value, the run's.
 * The strings are borrowed; only the array is to be freed.
 */
static char **
hk_env(const struct hk_run *r)
{
	char	**env, **e, **x;
	size_t	 n = 0, m = 0, k, len;

	for (e = environ; *e != NULL; e++)
		n++;
	for (x = r->env; *x != NULL; x++)
		m++;
	if ((env = calloc(n + m + 1, sizeof(*env))) == NULL)
		return NULL;
	k = 0;
	for (e = environ; *e != NULL; e++) {
		for (x = r->env; *x != NULL; x++) {
			len = hk_keylen(*x);
			if (strncmp(*e, *x, len) == 0)
				break;
		}
		if (*x == NULL)
			env[k++] = *e;
	}
	for (x = r->env; *x != NULL; x++)
		env[k++] = *x;
	return env;
}

static void
hk_report(struct hooks *h, const struct hk_run *r, int status)
{
	if (h->done != NULL)
		h->done(h->arg, r->hook, r->path, status);
}

static void
hk_pump(struct hooks *);

static void
hk_exited(uv_process_t *proc, int64_t exit_status, int term_signal)
{
	struct hk_run	*r = proc->data;
	struct hooks	*h = r->h;
	double		 secs = (double)(uv_hrtime() - r->start_ns) / 1e9;
	int		 status;

	h->running--;
	hk_unlink_live(h, r);
	if (term_signal != 0) {
		status = -term_signal;
		log_warnx("hook %s: %s: killed by signal %d (%.2f s)", r->hook,
		    r->path, term_signal, secs);
	} else {
		status = (int)exit_status;
		if (status == 0)
			log_info("hook %s: %s: exit 0 (%.2f s)", r->hook,
			    r->path, secs);
		else
			log_warnx("hook %s: %s: exit %d (%.2f s)", r->hook,
			    r->path, status, secs);
	}
	/* r lives on until the close callback, past the report. */
	uv_close((uv_handle_t *)proc, hk_run_closed);
	hk_report(h, r, status);
	hk_pump(h);
}

/*
 * The read end of a pipe that holds r's input, whole, for its stdin.  The
 * input is an event of a few kB, and a new pipe holds 64 kB (Linux; 16 kB
 * at least elsewhere): the write never waits, and a longer input is cut
 * (logged) rather than waited for.  -1 when there is no pipe (logged; the
 * hook gets /dev/null).
 */
static int
hk_input(const struct hk_run *r)
{
	size_t	len = strlen(r->input);
	ssize_t	n;
	int	fd[2];

	if (pipe(fd) != 0) {
		log_warn("hook %s: %s: pipe for its input", r->hook, r->path);
		return -1;
	}
	(void)fcntl(fd[0], F_SETFD, FD_CLOEXEC);
	(void)fcntl(fd[1], F_SETFD, FD_CLOEXEC);
	(void)fcntl(fd[1], F_SETFL, O_NONBLOCK);
	n = write(fd[1], r->input, len);
	if (n < 0 || (size_t)n < len)
		log_warnx("hook %s: %s: its input was cut at %zd of %zu bytes",
		    r->hook, r->path, n < 0 ? (ssize_t)0 : n, len);
	close(fd[1]);
	return fd[0];
}

static void
hk_start(struct hooks *h, struct hk_run *r)
{
	uv_process_options_t	 opt;
	uv_stdio_container_t	 stdio[3];
	char			*args[6];
	char			**env;
	int			 rc, in = -1;

	args[0] = "sh";
	args[1] = "-c";
	args[2] = r->cmd;
	args[3] = "sh";		/* $0 */
	args[4] = r->path;	/* $1 */
	args[5] = NULL;
	/* libuv gives an ignored stdin /dev/null in the child. */
	stdio[0].flags = UV_IGNORE;
	if (r->input != NULL && (in = hk_input(r)) >= 0) {
		stdio[0].flags = UV_INHERIT_FD;
		stdio[0].data.fd = in;
	}
	stdio[1].flags = UV_INHERIT_FD;
	stdio[1].data.fd = 1;
	stdio[2].flags = UV_INHERIT_FD;
	stdio[2].data.fd = 2;
	memset(&opt, 0, sizeof(opt));
	opt.exit_cb = hk_exited;
	opt.file = HK_SHELL;
	opt.args = args;
	opt.stdio = stdio;
	opt.stdio_count = 3;
	/* Its own session: a Ctrl-C meant for recd is not meant for it. */
	opt.flags = UV_PROCESS_DETACHED;
	r->proc.data = r;
	env = hk_env(r);
	if (env == NULL) {
		rc = UV_ENOMEM;
	} else {
		opt.env = env;
		r->start_ns = uv_hrtime();
		/* The handle is initialised even when the spawn fails. */
		rc = uv_spawn(h->loop, &r->proc, &opt);
		h->handles++;
		free(env);
	}
	if (in >= 0)
		close(in);
	if (rc == 0) {
		h->running++;
		r->next = h->live;
		h->live = r;
		return;
	}
	log_errx("hook %s: %s: cannot run \"%s\": %s", r->hook, r->path,
	    r->cmd, uv_strerror(rc));
	hk_report(h, r, HOOKS_NOT_RUN);
	if (env != NULL)
		uv_close((uv_handle_t *)&r->proc, hk_run_closed);
	else
		hk_free_run(r);
}

/* Starts queued runs while there is room. */
static void
hk_pump(struct hooks *h)
{
	struct hk_run *r;

	while (!h->closing && h->running < h->max_running &&
	    (r = h->head) != NULL) {
		h->head = r->next;
		if (h->head == NULL)
			h->tail = NULL;
		h->queued--;
		r->next = NULL;
		hk_start(h, r);
	}
}

static void
hk_kicked(uv_timer_t *t)
{
	hk_pump(t->data);
}

struct hooks *
hooks_new(uv_loop_t *loop, unsigned max_running)
{
	struct hooks *h;

	if (max_running == 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->loop = loop;
	h->max_running = max_running;
	uv_timer_init(loop, &h->kick);
	h->kick.data = h;
	h->handles = 1;
	return h;
}

void
hooks_set_done(struct hooks *h, hooks_done_fn done, void *arg)
{
	h->done = done;
	h->arg = arg;
}

/* Copies the NULL-terminated env; NULL with errno set. */
static char **
hk_copy_env(const char *const env[])
{
	char	**c;
	size_t	 n = 0, i;

	while (env != NULL && env[n] != NULL)
		n++;
	if ((c = calloc(n + 1, sizeof(*c))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (hk_keylen(env[i]) == 0)
			errno = EINVAL;
		else if ((c[i] = strdup(env[i])) != NULL)
			continue;
		while (i-- > 0)
			free(c[i]);
		free(c);
		return NULL;
	}
	return c;
}

static struct hk_run *
hk_new_run(struct hooks *h, const char *hook, const char *cmd,
    const char *path, const char *const env[], const char *input)
{
	struct hk_run	*r;
	int		 saved;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->h = h;
	if ((r->env = hk_copy_env(env)) == NULL ||
	    (r->hook = strdup(hook)) == NULL ||
	    (r->cmd = strdup(cmd)) == NULL ||
	    (r->path = strdup(path)) == NULL ||
	    (input != NULL && (r->input = strdup(input)) == NULL)) {
		saved = errno;
		hk_free_run(r);
		errno = saved;
		return NULL;
	}
	return r;
}

int
hooks_run(struct hooks *h, const char *hook, const char *cmd,
    const char *path, const char *const env[])
{
	return hooks_run_input(h, hook, cmd, path, env, NULL);
}

int
hooks_run_input(struct hooks *h, const char *hook, const char *cmd,
    const char *path, const char *const env[], const char *input)
{
	struct hk_run *r;

	if (h->closing)
		return -ECANCELED;
	if (cmd[0] == '\0') {
		log_errx("hook %s: %s: empty command; not run", hook, path);
		return -EINVAL;
	}
	if (h->queued >= HOOKS_QUEUE_MAX) {
		log_errx("hook %s: %s: not run: %d runs already wait for their "
		    "turn", hook, path, HOOKS_QUEUE_MAX);
		return -ENOBUFS;
	}
	if ((r = hk_new_run(h, hook, cmd, path, env, input)) == NULL) {
		if (errno == EINVAL)
			log_errx("hook %s: %s: an environment entry without "
			    "\"=\"; not run", hook, path);
		else
			log_errx("hook %s: %s: out of memory; not run", hook,
			    path);
		return errno == EINVAL ? -EINVAL : -ENOMEM;
	}
	if (h->tail != NULL)
		h->tail->next = r;
	else
		h->head = r;
	h->tail = r;
	h->queued++;
	if (h->running < h->max_running)
		uv_timer_start(&h->kick, hk_kicked, 0, 0);
	return 0;
}

unsigned
hooks_running(const struct hooks *h)
{
	return h->running;
}

unsigned
hooks_queued(const struct hooks *h)
{
	return h->queued;
}

void
hooks_close(struct hooks *h)
{
	struct hk_run	*r;
	unsigned	 dropped = h != NULL ? h->queued : 0;

	if (h == NULL || h->closing)
		return;
	h->closing = 1;
	while ((r = h->head) != NULL) {
		h->head = r->next;
		hk_free_run(r);
	}
	h->tail = NULL;
	h->queued = 0;
	if (dropped > 0)
		log_warnx("hooks: %u runs not started yet; dropped", dropped);
	if (h->running > 0)
		log_info("hooks: %u still running; left to finish on their own",
		    h->running);
	/* Closing a process handle leaves the child be; libuv kills nothing. */
	while ((r = h->live) != NULL) {
		h->live = r->next;
		uv_close((uv_handle_t *)&r->proc, hk_run_closed);
	}
	h->running = 0;
	uv_close((uv_handle_t *)&h->kick, hk_kick_closed);
}
