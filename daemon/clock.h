/*
 * clock.h: the take's clocks, as pure arithmetic: wall-clock rotation
 * boundaries, how many frames a file between two of them holds (and when
 * the sample clock has drifted off the wall clock), the bext
 * TimeReference (samples since midnight), and the labels (names, dates)
 * of a time.  A take runs on one timeline, in the UTC offset it began in
 * (off_s, seconds east of UTC: 0 with timezone utc), so that nothing of
 * it jumps at a daylight-saving change.  No state, no I/O, no log: the
 * writer thread calls it and decides what to say.
 */
#ifndef RECD_DAEMON_CLOCK_H
#define RECD_DAEMON_CLOCK_H

#include <stdint.h>
#include <time.h>

#define CLOCK_NEVER		UINT64_MAX	/* no boundary */
#define CLOCK_DAY_S		86400
#define CLOCK_MIN_FIRST_NS	100000000LL	/* a first file shorter than
						   0.1 s runs on to the
						   following boundary */
#define CLOCK_MAX_DRIFT_NS	10000000LL	/* re-align files past 10 ms */
#define CLOCK_ZONE_BYTES	8		/* "+0200", "-0930", "UTC" */

/* The next boundary of a stretch of files. */
struct clock_plan {
	uint64_t	 at;		/* its frame, or CLOCK_NEVER */
	struct timespec	 wall;		/* its wall time */
	double		 drift_s;	/* re-aligned: the sample clock was
					   this far off the wall clock; else 0 */
};

int64_t		clock_ts_ns(const struct timespec *);
struct timespec	clock_ns_ts(int64_t ns);
/*
 * The offset a take that begins at t runs in: local time's at t (the TZ
 * environment variable, else /etc/localtime), or 0 with utc.
 */
long		clock_offset(time_t t, int utc);
/* Nanoseconds since midnight of t, in offset off_s. */
int64_t		clock_since_midnight_ns(const struct timespec *t, long off_s);
/*
 * The first wall-clock boundary after t: a multiple of period_s counted
 * from midnight in offset off_s, and midnight itself.
 */
struct timespec	clock_next_boundary(const struct timespec *t, long period_s,
		    long off_s);
/* Frames at rate in the wall time from from_ns to to_ns, rounded. */
int64_t		clock_frames_between(int64_t from_ns, int64_t to_ns,
		    unsigned rate);
/*
 * The boundary after the stretch that starts at frame start (wall time
 * wall, as measured now), for rotate_s seconds (0: never), aligned to
 * the wall clock in offset off_s or not.  nominal is the aligned wall time the stretch
 * stands for (the boundary it began at), or NULL for a new take.  Files
 * between boundaries hold exactly rotate_s seconds of frames; only when
 * the sample clock has drifted more than CLOCK_MAX_DRIFT_NS from the wall
 * clock does a file get the frames that bring the boundaries back onto
 * it (drift_s says by how much).
 */
void		clock_plan_rotation(long rotate_s, int align, long off_s,
		    unsigned rate, uint64_t start, const struct timespec *wall,
		    const struct timespec *nominal, struct clock_plan *out);
/* The TimeReference of frame, when frame0's was ref0: the frame clock. */
uint64_t	clock_time_ref(uint64_t ref0, uint64_t frame0, uint64_t frame,
		    unsigned rate);
/* The TimeReference of a sample at wall time t: the wall clock. */
uint64_t	clock_time_ref_at(const struct timespec *t, unsigned rate,
		    long off_s);
/*
 * The broken-down time of t on a timeline in offset off_s, for strftime:
 * UTC with utc (%Z "UTC"), local time when local time at t has offset
 * off_s, else t + off_s with %z and %Z both giving off_s as "+hhmm"
 * (written to zone, CLOCK_ZONE_BYTES, which tm then points to).  Returns
 * 1 in that last case: the label is not what a local clock shows at t,
 * so it must say its offset; else 0.
 */
int		clock_label_tm(time_t t, long off_s, int utc, char *zone,
		    struct tm *tm);
/* off_s as "+hhmm" or "-hhmm" (ISO 8601's basic form) into zone. */
void		clock_zone(long off_s, char *zone);
/*
 * Whether a strftime template shows the zone (%z or %Z, not %%z): then
 * the names say their offset by themselves.
 */
int		clock_template_has_zone(const char *tmpl);
/*
 * A name: tmpl expanded by strftime at t on the timeline in offset off_s
 * (clock_label_tm), into buf (len bytes).  When the label is not local
 * time's and tmpl shows no zone, the offset follows ("...-030000+0200"),
 * so that the hour a fall-back change repeats is not named twice.  %s is
 * t's seconds since the epoch, whatever the zone.  Returns the length, or 0 when tmpl expands to nothing or buf is too
 * short; *shifted gets clock_label_tm's answer.
 */
#define CLOCK_TMPL_BYTES	2048	/* a template with %s written out */
size_t		clock_expand(const char *tmpl, time_t t, long off_s, int utc,
		    char *buf, size_t len, int *shifted);

#endif
