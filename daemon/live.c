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
	/*
	 * A window's count means nothing across a change of period.  A first
	 * window cut short is not judged alone: PipeWire may change the
	 * quantum as a client joins, and the change may cost periods.
	 */
	if (rate != l->rate || period != l->period) {
		l->win_ns = l->last_ns;
		l->win_cycles = l->cycles;
		l->starved = 0;
		l->first = 0;
	}
	l->rate = rate;
	l->period = period;
}

void
live_attach(struct live *l, uint64_t cycles, int64_t now_ns, unsigned rate,
    uint32_t period, int fresh)
{
	l->cycles = cycles;
	l->last_ns = now_ns;
	l->win_ns = now_ns;
	l->win_cycles = cycles;
	l->starved = 0;
	l->got = l->expected = 0;
	l->stalled = 0;
	l->asked = 0;
	l->fresh = fresh;
	l->rate = 0;
	live_set_period(l, rate, period);
	l->first = fresh ? 0 : 1;
}

/*
 * At the end of each window: did JACK run us for 9 in 10 of the periods
 * that the wall clock says the server had?  1 when it has not,
 * LIVE_STARVED_WINDOWS times in a row, or in a new client's first window
 * when it was run for fewer than 3 in 4.
 */
static int
live_starved(struct live *l, uint64_t cycles, int64_t now_ns)
{
	int64_t	span = now_ns - l->win_ns;
	int	first = l->first == 2;

	if (span < LIVE_WINDOW_NS || l->period == 0)
		return 0;
	l->got = cycles - l->win_cycles;
	l->expected = (uint64_t)((double)span * l->rate / l->period / 1e9);
	l->win_ns = now_ns;
	l->win_cycles = cycles;
	l->first = 0;
	if (l->got * LIVE_STARVED_OF >= l->expected * LIVE_STARVED_RUN) {
		l->starved = 0;
		return 0;
	}
	if (first && l->got * LIVE_FIRST_OF < l->expected * LIVE_FIRST_RUN)
		return 1;
	return ++l->starved >= LIVE_STARVED_WINDOWS;
}

enum live_verdict
live_check(struct live *l, uint64_t cycles, int64_t now_ns)
{
	int64_t age;

	if (cycles != l->cycles) {
		l->cycles = cycles;
		l->last_ns = now_ns;
		/* The first window begins with the first period seen. */
		if (l->first == 1) {
			l->first = 2;
			l->win_ns = now_ns;
			l->win_cycles = cycles;
		}
		if (l->stalled) {
			l->stalled = 0;
			l->asked = 0;
			return LIVE_BACK;
		}
		if (!l->asked && live_starved(l, cycles, now_ns)) {
			l->asked = 1;
			/* A fresh client starved as well: the machine or
			 * the server may be overloaded, and a third client
			 * or a new process would fare no better.  What
			 * comes is recorded, its gaps logged. */
			return l->fresh ? LIVE_OVERLOADED : LIVE_STARVED;
		}
		/* A fresh client that keeps up has made good. */
		if (l->starved == 0 && now_ns - l->win_ns < LIVE_WINDOW_NS &&
		    l->got > 0)
			l->fresh = 0;
		return LIVE_OK;
	}
	age = now_ns - l->last_ns;
	if (age < l->stall_ns)
		return LIVE_OK;
	if (!l->stalled) {
		l->stalled = 1;
		/* A stall is the stall's to handle: a first window that holds
		 * one is not judged alone. */
		if (l->first == 2)
			l->first = 0;
		return LIVE_STALLED;
	}
	if (age < l->stall_ns + LIVE_RECONNECT_NS || l->asked)
		return LIVE_OK;
	l->asked = 1;
	/* A client made afresh for a stall, and deaf as well: the process
	 * as a whole is what must start again. */
	return l->fresh ? LIVE_GIVE_UP : LIVE_RECONNECT;
}

void
live_window(const struct live *l, uint64_t *got, uint64_t *expected)
{
	*got = l->got;
	*expected = l->expected;
}

int64_t
live_age_ns(const struct live *l, int64_t now_ns)
{
	return now_ns - l->last_ns;
}

int64_t
live_seen_age_ns(const struct live *l, uint64_t cycles, int64_t now_ns)
{
	return cycles != l->cycles ? 0 : live_age_ns(l, now_ns);
}
