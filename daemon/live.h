/*
 * live.h: the liveness guard.  Is JACK still running our process
 * callback?  Pure: fed with the callback's cycle count (cap_cycles) and
 * the time, it returns a verdict, and the loop acts on it (log, event,
 * status, watchdog, a fresh client, exit).  Main thread.
 */
#ifndef RECD_DAEMON_LIVE_H
#define RECD_DAEMON_LIVE_H

#include <stdint.h>

#define LIVE_STALL_MIN_NS	1000000000LL	/* no period for 1 s ... */
#define LIVE_STALL_PERIODS	3		/* ... or 3 periods if longer */
/* Still no period this long after the stall was seen: a fresh client. */
#define LIVE_RECONNECT_NS	4000000000LL
/*
 * Starved: JACK runs the callback for fewer than 9 in 10 of the server's
 * periods, LIVE_STARVED_WINDOWS windows of LIVE_WINDOW_NS in a row.  (JACK2
 * leaves a client that another's failed open poisoned part deaf: see
 * test_deaf.  How often such a client is still run is a race between the
 * server and the client upstream of it: a quarter of the periods on one
 * machine, two thirds on another, so no "half" will do.)  Two windows, so
 * that a passing stall of the whole machine is not taken for it.
 */
#define LIVE_WINDOW_NS		3000000000LL
#define LIVE_STARVED_WINDOWS	2
#define LIVE_STARVED_RUN	9	/* run for fewer than this ... */
#define LIVE_STARVED_OF		10	/* ... in this many periods */
/*
 * A new client that is not itself a replacement (at start-up, or when the
 * server came back: when JACK2's fault strikes) is judged on its first
 * window alone when JACK runs it for fewer than 3 in 4 periods, so that a
 * poisoned client is replaced after 3 s, not 6.  That window begins at
 * the client's first period, so that the time activation takes does not
 * count, and its bar is lower than the two windows' 9 in 10, so that a
 * healthy client must miss a quarter of its periods (0.75 s of the 3) to
 * be taken for starved; between the two bars it counts as the first of
 * two windows.
 */
#define LIVE_FIRST_RUN		3	/* run for fewer than this ... */
#define LIVE_FIRST_OF		4	/* ... in this many periods */

enum live_verdict {
	LIVE_OK,		/* periods come, or nothing changed */
	LIVE_STALLED,		/* none for the stall time: say so, once */
	LIVE_BACK,		/* they came back after a stall */
	LIVE_RECONNECT,		/* none for long: drop the client, connect
				   afresh (once: live_attach) */
	LIVE_STARVED,		/* too few periods for long: the same */
	LIVE_OVERLOADED,	/* a fresh client starved too: say so, once,
				   and record what comes */
	LIVE_GIVE_UP		/* a fresh client did not help: exit 1 */
};

struct live {
	uint64_t	 cycles;	/* the count when it last moved */
	int64_t		 last_ns;	/* CLOCK_MONOTONIC: when it moved */
	int64_t		 stall_ns;	/* stalled after this long */
	int		 stalled;	/* LIVE_STALLED said, not BACK yet */
	int		 asked;		/* LIVE_RECONNECT said for this one */
	int		 fresh;		/* the client is the reconnection's,
					   and it has run no period yet */
	unsigned	 rate;		/* Hz */
	uint32_t	 period;	/* frames */
	int64_t		 win_ns;	/* this window began then ... */
	uint64_t	 win_cycles;	/* ... with this count */
	int		 starved;	/* windows in a row with too few */
	int		 first;		/* 1: no period yet, 2: in the first
					   window, judged alone (LIVE_FIRST_RUN);
					   0: no more, or a fresh client */
	uint64_t	 got, expected;	/* periods in the last window */
};

/*
 * A client begins (activated at now_ns, its count at cycles).  fresh: it
 * replaces one dropped after LIVE_RECONNECT or LIVE_STARVED, so that it
 * stalling too is LIVE_GIVE_UP, and it starving too LIVE_OVERLOADED;
 * else its first window may be LIVE_STARVED alone (LIVE_FIRST_RUN).  rate
 * and period size the stall time.
 */
void		 live_attach(struct live *, uint64_t cycles, int64_t now_ns,
		    unsigned rate, uint32_t period, int fresh);
/* The period or the rate changed: the stall time follows. */
void		 live_set_period(struct live *, unsigned rate,
		    uint32_t period);
/* Called often (every tick, 250 ms): the verdict for the count seen now. */
enum live_verdict live_check(struct live *, uint64_t cycles, int64_t now_ns);
/* The last window's periods, run and expected: for LIVE_STARVED's text. */
void		 live_window(const struct live *, uint64_t *got,
		    uint64_t *expected);
/* Nanoseconds since the last period (since live_attach: none yet). */
int64_t		 live_age_ns(const struct live *, int64_t now_ns);
/*
 * The same for status, between ticks, with the count as it is now: 0 when
 * it moved since the last live_check (a period came within the tick, and
 * more will be along), else live_age_ns.  Changes nothing: the verdicts
 * are the tick's to act on.
 */
int64_t		 live_seen_age_ns(const struct live *, uint64_t cycles,
		    int64_t now_ns);

#endif
