/*
 * clock.c: rotation boundaries, drift and TimeReference (clock.h).  Pure
 * functions (local time through localtime_r); called on the writer
 * thread.
 */
#include "clock.h"

#include <math.h>
#include <stdlib.h>

#define CLOCK_NS	1000000000LL

int64_t
clock_ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * CLOCK_NS + ts->tv_nsec;
}

struct timespec
clock_ns_ts(int64_t ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / CLOCK_NS);
	ts.tv_nsec = (long)(ns % CLOCK_NS);
	return ts;
}

int64_t
clock_since_midnight_ns(const struct timespec *t)
{
	struct tm tm;

	localtime_r(&t->tv_sec, &tm);
	return ((int64_t)tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec) *
	    CLOCK_NS + t->tv_nsec;
}

struct timespec
clock_next_boundary(const struct timespec *t, long period_s)
{
	int64_t sod = clock_since_midnight_ns(t);
	int64_t p = (int64_t)period_s * CLOCK_NS;
	int64_t next = (sod / p + 1) * p;

	if (next > (int64_t)CLOCK_DAY_S * CLOCK_NS)
		next = (int64_t)CLOCK_DAY_S * CLOCK_NS;
	return clock_ns_ts(clock_ts_ns(t) + (next - sod));
}

int64_t
clock_frames_between(int64_t from_ns, int64_t to_ns, unsigned rate)
{
	return llround((double)(to_ns - from_ns) * rate / 1e9);
}

void
clock_plan_rotation(long rotate_s, int align, unsigned rate, uint64_t start,
    const struct timespec *wall, const struct timespec *nominal,
    struct clock_plan *out)
{
	int64_t frames, exact;

	out->drift_s = 0;
	if (rotate_s == 0) {
		out->at = CLOCK_NEVER;
		out->wall = *wall;
		return;
	}
	if (!align) {
		out->wall = clock_ns_ts(clock_ts_ns(nominal != NULL ? nominal :
		    wall) + (int64_t)rotate_s * CLOCK_NS);
		out->at = start + (uint64_t)rotate_s * rate;
		return;
	}
	out->wall = clock_next_boundary(nominal != NULL ? nominal : wall,
	    rotate_s);
	if (nominal == NULL && clock_ts_ns(&out->wall) - clock_ts_ns(wall) <
	    CLOCK_MIN_FIRST_NS)
		out->wall = clock_next_boundary(&out->wall, rotate_s);
	frames = clock_frames_between(clock_ts_ns(wall),
	    clock_ts_ns(&out->wall), rate);
	if (nominal != NULL) {
		exact = clock_frames_between(clock_ts_ns(nominal),
		    clock_ts_ns(&out->wall), rate);
		if (llabs(frames - exact) * CLOCK_NS / rate <=
		    CLOCK_MAX_DRIFT_NS)
			frames = exact;
		else
			out->drift_s = (double)(exact - frames) / rate;
	}
	if (frames < 1)
		frames = 1;
	out->at = start + (uint64_t)frames;
}

uint64_t
clock_time_ref(uint64_t ref0, uint64_t frame0, uint64_t frame, unsigned rate)
{
	return (ref0 + (frame - frame0)) % ((uint64_t)CLOCK_DAY_S * rate);
}

uint64_t
clock_time_ref_at(const struct timespec *t, unsigned rate)
{
	return (uint64_t)(clock_since_midnight_ns(t) * (double)rate / 1e9);
}
