/*
 * notify.h: what recd tells its service manager (sd_notify: READY,
 * STATUS, WATCHDOG, STOPPING) and the control socket it may be handed
 * (socket activation).  The only module that knows systemd; built without
 * it (make SYSTEMD=0) every function here does nothing.  Main thread.
 */
#ifndef RECD_DAEMON_NOTIFY_H
#define RECD_DAEMON_NOTIFY_H

#include <stddef.h>

#include <uv.h>

#define NOTIFY_STATUS_MS	2000	/* how often STATUS= is refreshed */

struct cap;
struct notify;
struct writer;

/* "systemd" when recd was built with libsystemd, else "none". */
const char	*notify_backend(void);

/*
 * Watches the writer and cap (both must outlive it) on a timer of loop.
 * Without a service manager to talk to (no $NOTIFY_SOCKET) it stays
 * inert and starts no timer.  Returns NULL with errno set.
 */
struct notify	*notify_new(uv_loop_t *, struct writer *, struct cap *);
/* The JACK client changed: NULL while the server is away. */
void		 notify_set_cap(struct notify *, struct cap *);
/*
 * deaf: a take is asked for and JACK runs our callback no more (the
 * liveness guard, live.h).  The watchdog goes unfed until it is 0 again.
 * NULL is allowed.
 */
void		 notify_set_deaf(struct notify *, int deaf);
/*
 * The daemon is up: READY=1 goes out at once when idle (wait_files 0),
 * else as soon as the writer has the first files open.  NULL is allowed.
 */
void		 notify_start(struct notify *, int wait_files);
/*
 * STOPPING=1 and a last STATUS, and the timer stops; the memory goes with
 * the timer's close callback (run the loop to finish).  NULL is allowed.
 */
void		 notify_stop(struct notify *);

/*
 * Socket activation: the one listening Unix stream socket the service
 * manager passed (LISTEN_FDS), as a descriptor, with its path in path.
 * -ENOENT when none was passed (recd makes its own); another negative
 * errno, with the reason in err, when what was passed is not usable.
 */
int		 notify_listen_fd(char *path, size_t pathlen, char *err,
		    size_t errlen);

#endif
