/*
 * alarm.h: alarms that never change what is recorded: a silent channel, a
 * channel with no source, clipping, and the conditions recd already tells
 * (JACK stalled or away, disk low or full, write errors), in one list.
 * Pure: fed with what the writer and the loop know and the time, it says
 * what rose and what cleared; the loop logs, sends and runs hooks.  Main
 * thread.
 */
#ifndef RECD_DAEMON_ALARM_H
#define RECD_DAEMON_ALARM_H

#include <stdint.h>

#define ALARM_NO_SOURCE_NS	3000000000LL	/* a port without a source */
#define ALARM_CLIP_NS		60000000000LL	/* one clip alarm a minute */
#define ALARM_SIGNAL_GAP_NS	1000000000LL	/* signal with a gap this long
						   starts counting anew */

enum alarm_kind {
	ALARM_SILENCE,		/* per channel */
	ALARM_NO_SOURCE,	/* per channel */
	ALARM_CLIP,		/* per channel, with a count */
	ALARM_STALLED,		/* JACK runs recd no more */
	ALARM_JACK_LOST,	/* the server is away during a take */
	ALARM_DISK_LOW,		/* below disk_warn_mb */
	ALARM_DISK_FULL,	/* paused: below disk_min_mb */
	ALARM_WRITE_ERROR,	/* paused after a write error */
	ALARM_DISK_SLOW,	/* paused: its disk behind the stream */
	ALARM_KINDS
};

/* What the loop knows at one tick. */
struct alarm_in {
	int		 taking;	/* a take is asked for */
	const int64_t	*loud_ns;	/* nch: CLOCK_MONOTONIC of the last
					   writer pass with a sample at or
					   above the threshold */
	const uint64_t	*clips;		/* nch: clipped samples so far */
	const unsigned char *connected;	/* nch: the port has a source;
					   NULL: unknown (no client) */
	int		 global[ALARM_KINDS];	/* the conditions from
						   ALARM_STALLED on */
};

/* One change: an alarm rose or cleared. */
struct alarm_change {
	enum alarm_kind	 kind;
	unsigned	 ch;		/* from 1; 0: not a channel's */
	int		 cleared;
	int64_t		 since_ns;	/* when it began (CLOCK_MONOTONIC) */
	uint64_t	 count;		/* ALARM_CLIP: clipped samples */
};

struct alarms;

/* Returns NULL with errno set. */
struct alarms	*alarm_new(unsigned nch);
void		 alarm_del(struct alarms *);
/*
 * silence_ns: a watched channel below the threshold this long is silent
 * (0: no silence alarm); clear_ns: this much signal clears it.  watch:
 * nch flags, the channels watched for silence (NULL: all).
 */
void		 alarm_config(struct alarms *, int64_t silence_ns,
		    int64_t clear_ns, const unsigned char *watch);
/* One tick; then alarm_next gives what changed, in order. */
void		 alarm_tick(struct alarms *, const struct alarm_in *,
		    int64_t now_ns);
int		 alarm_next(struct alarms *, struct alarm_change *);
/* The alarms up now, one at a time from i = 0; 0 past the last. */
int		 alarm_active(const struct alarms *, unsigned i,
		    struct alarm_change *);
const char	*alarm_name(enum alarm_kind);

#endif
