/*
 * hooks.h: user hook commands (on_file_closed and the like), run by
 * /bin/sh from the libuv loop without ever waiting for them.  At most
 * max_running run at once; the others wait their turn in a bounded FIFO.
 * Main thread: everything runs in the libuv loop.
 */
#ifndef RECD_DAEMON_HOOKS_H
#define RECD_DAEMON_HOOKS_H

#include <limits.h>

#include <uv.h>

#define HOOKS_QUEUE_MAX	10000	/* runs waiting; more are refused */
#define HOOKS_NOT_RUN	INT_MIN	/* status: /bin/sh did not start */

struct hooks;

/*
 * Called once per run that was started, when it ends: status is the exit
 * status (0..255), -N when signal N killed it, or HOOKS_NOT_RUN when the
 * shell could not be started.  Never called from inside hooks_run, nor
 * after hooks_close.  hook and path are valid during the call only.
 */
typedef void	(*hooks_done_fn)(void *arg, const char *hook,
		    const char *path, int status);

/* Returns NULL with errno set (EINVAL when max_running is 0). */
struct hooks	*hooks_new(uv_loop_t *, unsigned max_running);
void		 hooks_set_done(struct hooks *, hooks_done_fn, void *arg);
/*
 * Queues one run of `/bin/sh -c CMD sh PATH`: the command sees the file
 * as "$1".  Its environment is recd's, plus env (NULL or a NULL-terminated
 * list of "KEY=VALUE", which win over recd's own KEY); stdin is /dev/null,
 * stdout and stderr are recd's (the log).  hook names the hook in log
 * lines.  Everything is copied.  The run starts from the loop, never
 * inside this call.  Each end is logged:
 *   hook on_file_closed: PATH: exit 0 (1.23 s)		info
 *   hook on_file_closed: PATH: exit 3 (0.02 s)		warning
 *   hook on_file_closed: PATH: killed by signal 9 (4.00 s)	warning
 *   hook on_file_closed: PATH: cannot run "CMD": reason	error
 * Returns 0, -EINVAL for an empty command or an env entry without "=",
 * -ENOBUFS (logged, naming the file) when HOOKS_QUEUE_MAX runs already
 * wait, -ENOMEM.
 */
int		 hooks_run(struct hooks *, const char *hook, const char *cmd,
		    const char *path, const char *const env[]);
/* The same, with input (NULL: /dev/null) as the command's stdin. */
int		 hooks_run_input(struct hooks *, const char *hook,
		    const char *cmd, const char *path, const char *const env[],
		    const char *input);
unsigned	 hooks_running(const struct hooks *);
unsigned	 hooks_queued(const struct hooks *);
/*
 * Stops: runs not started yet are dropped (their count logged); running
 * ones are left to finish on their own, not killed (they are started in
 * their own session, so a Ctrl-C on recd's terminal does not reach them
 * either), and no longer reaped: call this when recd exits, when init
 * takes them over.  The memory goes with the last close callback (run
 * the loop to finish).  NULL is allowed.
 */
void		 hooks_close(struct hooks *);

#endif
