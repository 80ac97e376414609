/*
 * cap.h: recd's JACK client: our input ports, their connections, and the
 * process callback that copies every period into the ring.  Main thread,
 * except where a function says otherwise.
 */
#ifndef RECD_DAEMON_CAP_H
#define RECD_DAEMON_CAP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cfg.h"

#define CAP_MAX_PERIOD	8192	/* frames; JACK2's largest buffer size */

/*
 * One ring record per period: this header, then one block of nframes
 * floats per channel, in channel order.  32 bytes, so that the blocks stay
 * 16-byte aligned in the ring.
 */
struct cap_rec {
	uint32_t	 nframes;	/* frames in each block */
	uint32_t	 frame_time;	/* JACK frame time of the first frame */
	uint64_t	 dropped;	/* frames dropped just before this one
					   because the ring was full */
	uint32_t	 rate;		/* Hz: the server's, as its sample-rate
					   callback last said */
	uint32_t	 reserved;	/* zero */
	uint64_t	 cycle;		/* cap_cycles for this period: where a
					   stall the guard saw falls */
};

/* The connect value that stands for every physical capture port, in
 * the server's order (JackPortIsPhysical). */
#define CAP_PHYSICAL	"physical"


/* Bytes of one record of nch channels and nframes frames. */
size_t		 cap_rec_bytes(unsigned nch, uint32_t nframes);

struct cap;
struct ring;

/*
 * Opens the JACK client (never starting a server), registers the input
 * ports and builds a ring for buffer_seconds of audio at the server's rate.
 * notify(arg) is called from JACK's own threads when the server goes away,
 * an xrun happens, or the sample rate or the period changes: it must be
 * async-signal-safe (uv_async_send is).
 * Returns NULL with the reason in err.
 */
struct cap	*cap_open(const struct cfg *, void (*notify)(void *), void *arg,
		    char *err, size_t errlen);
/* Starts the callback, then connects the sources (missing ones: a warning). */
int		 cap_activate(struct cap *, const struct cfg *, char *err,
		    size_t errlen);
/* Stops the callback; after it the ring gets no more records. */
void		 cap_deactivate(struct cap *);
void		 cap_close(struct cap *);

struct ring	*cap_ring(struct cap *);
/* Any thread: the server's rate and period now (they change while it
 * runs under PipeWire: clock.force-rate, clock.force-quantum). */
unsigned	 cap_rate(const struct cap *);		/* Hz */
uint32_t	 cap_period(const struct cap *);		/* frames */
unsigned	 cap_channels(const struct cap *);
const char	*cap_port_short_name(const struct cap *, unsigned ch);

/* Main thread: our port's full name, and what feeds it (NULL-terminated,
 * free with cap_free_names; NULL when nothing does). */
const char	*cap_port_name(const struct cap *, unsigned ch);
const char	**cap_port_sources(const struct cap *, unsigned ch);
void		 cap_free_names(const char **);
/* Main thread: does anything feed our port ch? */
int		 cap_port_connected(const struct cap *, unsigned ch);
/* Main thread: drops our connections and makes those of cfg's connect. */
void		 cap_reconnect(struct cap *, const struct cfg *);
/*
 * Main thread: when ports appeared since the last call (a USB interface
 * plugged in, a client started), connects those that cfg's connect asks
 * for to our ports that have no source; returns how many it connected.
 */
int		 cap_connect_new(struct cap *, const struct cfg *);

/* Any thread: counters kept by JACK's threads. */
uint64_t	 cap_dropped_frames(const struct cap *);
uint64_t	 cap_xruns(const struct cap *);
int		 cap_server_lost(const struct cap *);
/*
 * Any thread: how many times JACK has run the process callback since the
 * client was activated.  It stands still while the server does not run
 * us: the liveness guard (live.h) watches it.
 */
uint64_t	 cap_cycles(const struct cap *);

/*
 * Any thread but the real-time one: the wall-clock (CLOCK_REALTIME) time at
 * which JACK frame `frame' was captured, to within the time it takes to
 * read two clocks.
 */
void		 cap_frame_wall_time(const struct cap *, uint32_t frame,
		    struct timespec *);

/* Any thread but the real-time one: JACK's frame time now. */
uint32_t	 cap_frame_now(const struct cap *);

/* The process callback, on JACK's real-time thread (cap_rt.c). */
int		 cap_process_rt(uint32_t nframes, void *arg);

#endif
