/*
 * clock.h: the take's clocks, as pure arithmetic: wall-clock rotation
 * boundaries, how many frames a file between two of them holds (and when
 * the sample clock has drifted off the wall clock), and the bext
 * TimeReference (samples since local midnight).  No state, no I/O, no
 * log: the writer thread calls it and decides what to say.
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

/* The next boundary of a stretch of files. */
struct clock_plan {
	uint64_t	 at;		/* its frame, or CLOCK_NEVER */
	struct timespec	 wall;		/* its wall time */
	double		 drift_s;	/* re-aligned: the sample clock was
					   this far off the wall clock; else 0 */
};

int64_t		clock_ts_ns(const struct timespec *);
struct timespec	clock_ns_ts(int64_t ns);
/* Nanoseconds since local midnight of t. */
int64_t		clock_since_midnight_ns(const struct timespec *t);
/*
 * The first wall-clock boundary after t: a multiple of period_s counted
 * from local midnight, and midnight itself.
 */
struct timespec	clock_next_boundary(const struct timespec *t, long period_s);
/* Frames at rate in the wall time from from_ns to to_ns, rounded. */
int64_t		clock_frames_between(int64_t from_ns, int64_t to_ns,
		    unsigned rate);
/*
 * The boundary after the stretch that starts at frame start (wall time
 * wall, as measured now), for rotate_s seconds (0: never), aligned to
 * the wall clock or not.  nominal is the aligned wall time the stretch
 * stands for (the boundary it began at), or NULL for a new take.  Files
 * between boundaries hold exactly rotate_s seconds of frames; only when
 * the sample clock has drifted more than CLOCK_MAX_DRIFT_NS from the wall
 * clock does a file get the frames that bring the boundaries back onto
 * it (drift_s says by how much).
 */
void		clock_plan_rotation(long rotate_s, int align, unsigned rate,
		    uint64_t start, const struct timespec *wall,
		    const struct timespec *nominal, struct clock_plan *out);
/* The TimeReference of frame, when frame0's was ref0: the frame clock. */
uint64_t	clock_time_ref(uint64_t ref0, uint64_t frame0, uint64_t frame,
		    unsigned rate);
/* The TimeReference of a sample at wall time t: the wall clock. */
uint64_t	clock_time_ref_at(const struct timespec *t, unsigned rate);

#endif
