/*
 * cap_priv.h: what cap.c (main thread) and cap_rt.c (JACK's real-time
 * thread) share.  No other module includes it.
 */
#ifndef RECD_DAEMON_CAP_PRIV_H
#define RECD_DAEMON_CAP_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <jack/jack.h>

struct ring;

struct cap {
	jack_client_t	 *client;
	jack_port_t	**ports;	/* nch, ours */
	char		**short_names;	/* nch, for file names */
	unsigned	  nch;
	unsigned	  rate0;	/* Hz, when the client was opened */
	struct ring	 *ring;
	void		(*notify)(void *);
	void		 *notify_arg;
	int		  active;
	/* The last (frame time, CLOCK_REALTIME ns) seen, for after a loss. */
	pthread_mutex_t	  ref_mtx;
	uint32_t	  ref_frame;
	int64_t		  ref_ns;

	/* Real-time thread only. */
	uint64_t	  pending_drop;	/* frames, for the next record */

	/* Written by JACK's threads, read by any. */
	atomic_uint_fast64_t dropped;	/* frames, since start */
	atomic_uint_fast64_t xruns;
	atomic_int	  lost;		/* the server went away */
	atomic_int	  quiet;	/* stopping: record nothing more */
	atomic_int	  ports_new;	/* a port appeared: connect it? */
	atomic_uint	  rate;		/* Hz, from the sample-rate callback */
	atomic_uint	  period;	/* frames, from the buffer-size one */

	/* Written by the real-time thread, read by any. */
	atomic_uint_fast64_t cycles;	/* process callbacks run */
};

#endif
