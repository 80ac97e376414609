/*
 * live.c: the liveness guard (live.h): a verdict from the process
 * callback's cycle count and the time.  No JACK, no clock of its own, so
 * that a unit test drives it.  Main thread.
 */
#include "live.h"

void
live_set_period(struct live *l, unsigned rate, uint32_t period)
{
	int64_t ns = rate > 0 ? (int64_t)period * LIVE_STALL_PERIODS *
	    1000000000LL / rate : 0;

	l->stall_ns = ns > LIVE_STALL_MIN_NS ? ns : LIVE_STALL_MIN_NS;
}

void
live_attach(struct live *l, uint64_t cycles, int64_t now_ns, unsigned rate,
    uint32_t period, int fresh)
{
	l->cycles = cycles;
	l->last_ns = now_ns;
	l->stalled = 0;
	l->asked = 0;
	l->fresh = fresh;
	live_set_period(l, rate, period);
}

enum live_verdict
live_check(struct live *l, uint64_t cycles, int64_t now_ns)
{
	int64_t age;

	if (cycles != l->cycles) {
		l->cycles = cycles;
		l->last_ns = now_ns;
		l->fresh = 0;
		l->asked = 0;
		if (l->stalled) {
			l->stalled = 0;
			return LIVE_BACK;
		}
		return LIVE_OK;
	}
	age = now_ns - l->last_ns;
	if (age < l->stall_ns)
		return LIVE_OK;
	if (!l->stalled) {
		l->stalled = 1;
		return LIVE_STALLED;
	}
	if (age < l->stall_ns + LIVE_RECONNECT_NS || l->asked)
		return LIVE_OK;
	l->asked = 1;
	/* A client made afresh for a stall, and deaf as well: the process
	 * as a whole is what must start again. */
	return l->fresh ? LIVE_GIVE_UP : LIVE_RECONNECT;
}

int64_t
live_age_ns(const struct live *l, int64_t now_ns)
{
	return now_ns - l->last_ns;
}
