/*
 * ctlsrv.h: the control socket (protocol/PROTOCOL.md): clients, lines,
 * limits, subscriptions and the pacing of levels.  What commands do is the
 * caller's.  Main thread: everything runs in the libuv loop.
 */
#ifndef RECD_DAEMON_CTLSRV_H
#define RECD_DAEMON_CTLSRV_H

#include <stddef.h>

#include <cJSON.h>
#include <uv.h>

#include "proto.h"

#define CTLSRV_MAX_CLIENTS	64
#define CTLSRV_QUEUE_MAX	(1 << 20)	/* bytes waiting for a client */
#define CTLSRV_LEVELS_MAX	(64 << 10)	/* ... past which levels skip */

/* Who is on the other end of a client's connection (-1: unknown). */
struct ctlsrv_peer {
	long	 uid;
	long	 pid;
	int	 readonly;	/* it came on the read-only socket */
};

struct ctlsrv_ops {
	/*
	 * Runs a request other than subscribe and unsubscribe: returns its
	 * result, or NULL with *code (a PROTO_E_ string) and msg set.  peer
	 * says who asked, for the log of what changed.
	 */
	cJSON	*(*request)(void *arg, const struct proto_req *,
		    const struct ctlsrv_peer *, const char **code, char *msg,
		    size_t msglen);
	/*
	 * Fills nch peaks and clip flags gathered since its last call;
	 * returns 0 when nothing was measured since (no writer pass).
	 */
	int	 (*levels)(void *arg, float *peak, unsigned char *clip);
	void	*arg;
	unsigned nch;
	char	*hello;		/* the greeting line; ctlsrv frees it */
	/*
	 * Read-only (after OpenBSD bgpd's restricted socket): only status,
	 * get, options, ports and (un)subscribe; the rest is refused with
	 * read_only.  The socket is 0666, its directory made 0755.
	 */
	int	 readonly;
};

struct ctlsrv;

/*
 * Listens on path: a stale socket left by a dead recd is replaced, a live
 * one is an error ("recd already running on PATH"); a missing parent
 * directory is made 0750; the socket is 0660.  Returns NULL with the
 * reason in err.
 */
struct ctlsrv	*ctlsrv_new(uv_loop_t *, const char *path,
		    const struct ctlsrv_ops *, char *err, size_t errlen);
/*
 * Listens on fd, a listening socket the service manager handed over
 * (socket activation); path is its name, for messages.  The socket's
 * file, mode and directory are the manager's: never changed or removed.
 */
struct ctlsrv	*ctlsrv_new_fd(uv_loop_t *, int fd, const char *path,
		    const struct ctlsrv_ops *, char *err, size_t errlen);
/* Sends an event line (with its \n) to every events subscriber. */
void		 ctlsrv_event(struct ctlsrv *, const char *line);
unsigned	 ctlsrv_clients(const struct ctlsrv *);
/* A new greeting for clients from now on (the rate changed); takes it. */
void		 ctlsrv_set_hello(struct ctlsrv *, char *hello);
/*
 * Stops listening, removes the socket (unless inherited) and stops reading
 * from clients (no more commands); events still reach them.
 */
void		 ctlsrv_stop(struct ctlsrv *);
/*
 * Stops, then closes every client once the lines queued for it are out
 * (at most a second); the memory goes with the last close callback
 * (run the loop to finish).
 */
void		 ctlsrv_close(struct ctlsrv *);

#endif
