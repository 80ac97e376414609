/*
 * test_live.c: the liveness guard's verdicts, driven with made-up cycle
 * counts and times: when a stall is said (once), when the periods are
 * back, when a fresh client is asked for, and when recd gives up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "live.h"

#define MS	1000000LL
#define S	1000000000LL
#define NV	(LIVE_GIVE_UP + 1)	/* verdicts */

/* Verdicts every 100 ms from t0 to t1 (ns) with a count that stands still:
 * how many of each. */
static void
idle(struct live *l, uint64_t cycles, int64_t t0, int64_t t1, int n[NV])
{
	int64_t t;

	for (t = t0; t <= t1; t += 100 * MS)
		n[live_check(l, cycles, t)]++;
}

static void
test_periods_flow(void **state)
{
	struct live	l;
	int64_t		t;
	uint64_t	c = 7;

	(void)state;
	/* 4800 frames at 48 kHz: one period every 100 ms, all of them. */
	live_attach(&l, c, 0, 48000, 4800, 0);
	for (t = 0; t < 60 * S; t += 100 * MS)
		assert_int_equal(live_check(&l, ++c, t), LIVE_OK);
	assert_int_equal(live_age_ns(&l, t), 100 * MS);
}

/* Status between ticks: periods that came since the last look are news. */
static void
test_seen_age(void **state)
{
	struct live	l;

	(void)state;
	live_attach(&l, 3, 0, 48000, 1024, 0);
	assert_int_equal(live_check(&l, 4, 1 * S), LIVE_OK);
	/* A tick later the count has moved: a period came within it. */
	assert_int_equal(live_seen_age_ns(&l, 9, 1 * S + 240 * MS), 0);
	/* It has not: the time since the guard saw it move. */
	assert_int_equal(live_seen_age_ns(&l, 4, 1 * S + 240 * MS),
	    240 * MS);
	/* Nothing changed in the guard: its stall comes as before. */
	assert_int_equal(live_check(&l, 4, 2 * S), LIVE_STALLED);
	assert_int_equal(live_seen_age_ns(&l, 4, 2 * S), 1 * S);
}

static void
test_stall_said_once_then_reconnect(void **state)
{
	struct live	l;
	int		n[NV] = { 0 };

	(void)state;
	live_attach(&l, 0, 0, 48000, 1024, 0);
	assert_int_equal(live_check(&l, 5, 1 * S), LIVE_OK);
	/* Just under a second after the last period: nothing yet. */
	assert_int_equal(live_check(&l, 5, 2 * S - 1), LIVE_OK);
	assert_int_equal(live_check(&l, 5, 2 * S), LIVE_STALLED);
	assert_int_equal(live_age_ns(&l, 2 * S), 1 * S);
	/* Said once; a fresh client only after LIVE_RECONNECT_NS more. */
	idle(&l, 5, 2 * S + 100 * MS, 2 * S + LIVE_RECONNECT_NS - 1, n);
	assert_int_equal(n[LIVE_OK], 39);
	assert_int_equal(n[LIVE_STALLED] + n[LIVE_RECONNECT] +
	    n[LIVE_GIVE_UP], 0);
	assert_int_equal(live_check(&l, 5, 2 * S + LIVE_RECONNECT_NS),
	    LIVE_RECONNECT);
	/* Asked once: the loop is making the new client. */
	idle(&l, 5, 7 * S, 30 * S, n);
	assert_int_equal(n[LIVE_RECONNECT] + n[LIVE_GIVE_UP], 0);
}

static void
test_back_after_stall(void **state)
{
	struct live l;

	(void)state;
	live_attach(&l, 100, 0, 48000, 256, 0);
	assert_int_equal(live_check(&l, 100, 1500 * MS), LIVE_STALLED);
	assert_int_equal(live_check(&l, 100, 3 * S), LIVE_OK);
	assert_int_equal(live_check(&l, 101, 3100 * MS), LIVE_BACK);
	assert_int_equal(live_check(&l, 102, 3200 * MS), LIVE_OK);
	/* A second stall is a new one, said again. */
	assert_int_equal(live_check(&l, 102, 4200 * MS), LIVE_STALLED);
}

static void
test_long_periods(void **state)
{
	struct live l;

	(void)state;
	/* 8192 frames at 8 kHz: three periods are 3.072 s, not 1 s. */
	live_attach(&l, 0, 0, 8000, 8192, 0);
	assert_int_equal(live_check(&l, 0, 3 * S), LIVE_OK);
	assert_int_equal(live_check(&l, 0, 3072 * MS), LIVE_STALLED);
	/* The quantum shrinks: the stall time follows. */
	live_attach(&l, 0, 0, 8000, 8192, 0);
	live_set_period(&l, 48000, 256);
	assert_int_equal(live_check(&l, 0, 1 * S), LIVE_STALLED);
}

static void
test_fresh_client_deaf_gives_up(void **state)
{
	struct live	l;
	int		n[NV] = { 0 };

	(void)state;
	live_attach(&l, 0, 10 * S, 48000, 256, 1);
	idle(&l, 0, 10 * S, 30 * S, n);
	assert_int_equal(n[LIVE_STALLED], 1);
	assert_int_equal(n[LIVE_RECONNECT], 0);
	assert_int_equal(n[LIVE_GIVE_UP], 1);
}

/* Periods every 100 ms from t0 to t1, `per' of them each time: the
 * verdicts, counted.  Returns the count at the end. */
static uint64_t
run(struct live *l, uint64_t c, unsigned per, int64_t t0, int64_t t1,
    int n[NV])
{
	int64_t t;

	for (t = t0; t < t1; t += 100 * MS)
		n[live_check(l, c += per, t)]++;
	return c;
}

static void
test_fresh_client_that_runs_is_forgiven(void **state)
{
	struct live	l;
	int		n[NV] = { 0 };
	uint64_t	c;

	(void)state;
	/* 48 kHz, 480 frames: 10 periods every 100 ms. */
	live_attach(&l, 0, 0, 48000, 480, 1);
	c = run(&l, 0, 10, 100 * MS, 4 * S, n);
	assert_int_equal(n[LIVE_OK], 39);
	/* A whole window kept up: a later stall asks for a fresh client
	 * again, not for the end. */
	assert_int_equal(live_check(&l, c, 5 * S), LIVE_STALLED);
	assert_int_equal(live_check(&l, c, 5 * S + LIVE_RECONNECT_NS),
	    LIVE_RECONNECT);
}

static void
test_starved(void **state)
{
	struct live	l;
	int		n[NV] = { 0 };
	uint64_t	c;

	(void)state;
	/*
	 * A first window with every period, then 3 of 10, as a client JACK2
	 * left half deaf: said after two windows (the first began at the
	 * first period, 100 ms in), once.
	 */
	live_attach(&l, 0, 0, 48000, 480, 0);
	c = run(&l, 0, 10, 100 * MS, LIVE_WINDOW_NS + 200 * MS, n);
	c = run(&l, c, 3, LIVE_WINDOW_NS + 200 * MS,
	    3 * LIVE_WINDOW_NS + 100 * MS, n);
	assert_int_equal(n[LIVE_OK], 90);
	assert_int_equal(live_check(&l, c += 3, 3 * LIVE_WINDOW_NS + 100 * MS),
	    LIVE_STARVED);
	run(&l, c, 3, 3 * LIVE_WINDOW_NS + 200 * MS, 20 * S, n);
	assert_int_equal(n[LIVE_STALLED] + n[LIVE_GIVE_UP] + n[LIVE_RECONNECT] +
	    n[LIVE_STARVED], 0);
	/* One bad window alone, not the first (the whole machine stalled):
	 * nothing. */
	memset(n, 0, sizeof(n));
	live_attach(&l, 0, 0, 48000, 480, 0);
	c = run(&l, 0, 10, 100 * MS, LIVE_WINDOW_NS + 200 * MS, n);
	c = run(&l, c, 3, LIVE_WINDOW_NS + 200 * MS,
	    2 * LIVE_WINDOW_NS + 200 * MS, n);
	run(&l, c, 10, 2 * LIVE_WINDOW_NS + 200 * MS, 20 * S, n);
	assert_int_equal(n[LIVE_OK], 199);
	/* 7 of 10, as a poisoned client on a faster machine: starved too. */
	memset(n, 0, sizeof(n));
	live_attach(&l, 0, 0, 48000, 480, 0);
	run(&l, 0, 7, 100 * MS, 20 * S, n);
	assert_int_equal(n[LIVE_STARVED], 1);
	/* 9 of 10 is enough. */
	memset(n, 0, sizeof(n));
	live_attach(&l, 0, 0, 48000, 480, 0);
	run(&l, 0, 9, 100 * MS, 20 * S, n);
	assert_int_equal(n[LIVE_OK], 199);
	/* A fresh client as starved: not judged on its first window alone;
	 * said once, after two, and recd goes on. */
	memset(n, 0, sizeof(n));
	live_attach(&l, 0, 0, 48000, 480, 1);
	c = run(&l, 0, 3, 100 * MS, 2 * LIVE_WINDOW_NS, n);
	assert_int_equal(n[LIVE_OK], 59);
	run(&l, c, 3, 2 * LIVE_WINDOW_NS, 20 * S, n);
	assert_int_equal(n[LIVE_OVERLOADED], 1);
	assert_int_equal(n[LIVE_GIVE_UP] + n[LIVE_STARVED], 0);
}

static void
test_first_window_alone(void **state)
{
	struct live	l;
	int		n[NV] = { 0 };
	uint64_t	c;

	(void)state;
	/*
	 * A new client (at start-up, or the server back) that JACK runs for
	 * 3 of 10 periods, its first 300 ms after activation: starved at the
	 * end of its first window, which began at its first period, 3 s
	 * sooner than two windows would say it.
	 */
	live_attach(&l, 0, 0, 48000, 480, 0);
	idle(&l, 0, 100 * MS, 300 * MS, n);
	c = run(&l, 0, 3, 400 * MS, 400 * MS + LIVE_WINDOW_NS, n);
	assert_int_equal(n[LIVE_OK], 33);
	assert_int_equal(live_check(&l, c += 3, 400 * MS + LIVE_WINDOW_NS),
	    LIVE_STARVED);
	run(&l, c, 3, 500 * MS + LIVE_WINDOW_NS, 20 * S, n);
	assert_int_equal(n[LIVE_STARVED] + n[LIVE_STALLED] +
	    n[LIVE_RECONNECT] + n[LIVE_GIVE_UP] + n[LIVE_OVERLOADED], 0);
	/*
	 * A healthy client whose first period comes 900 ms after activation
	 * (a busy server): counted from the activation, its first window
	 * would have 22 of 30 periods, under 3 in 4.  Not starved.
	 */
	memset(n, 0, sizeof(n));
	live_attach(&l, 0, 0, 48000, 480, 0);
	idle(&l, 0, 100 * MS, 800 * MS, n);
	run(&l, 0, 10, 900 * MS, 20 * S, n);
	assert_int_equal(n[LIVE_OK], 199);
	/*
	 * 8 of 10, between the two bars: the first window alone is not
	 * enough, but it is the first of two.
	 */
	memset(n, 0, sizeof(n));
	live_attach(&l, 0, 0, 48000, 480, 0);
	c = run(&l, 0, 8, 100 * MS, 2 * LIVE_WINDOW_NS + 100 * MS, n);
	assert_int_equal(n[LIVE_OK], 60);
	assert_int_equal(live_check(&l, c + 8, 2 * LIVE_WINDOW_NS + 100 * MS),
	    LIVE_STARVED);
	/*
	 * The server frozen for 2 s in the first window (a stall, said and
	 * ended as such): that window is not judged alone.
	 */
	memset(n, 0, sizeof(n));
	live_attach(&l, 0, 0, 48000, 480, 0);
	c = run(&l, 0, 10, 100 * MS, 1 * S, n);
	idle(&l, c, 1 * S, 2900 * MS, n);
	run(&l, c, 10, 3 * S, 20 * S, n);
	assert_int_equal(n[LIVE_STALLED], 1);
	assert_int_equal(n[LIVE_BACK], 1);
	assert_int_equal(n[LIVE_STARVED] + n[LIVE_RECONNECT], 0);
	/*
	 * The period changes before the first window ends (PipeWire as a
	 * client joins): that window is not judged alone; two whole ones
	 * after the change are needed.
	 */
	memset(n, 0, sizeof(n));
	live_attach(&l, 0, 0, 48000, 480, 0);
	c = run(&l, 0, 3, 100 * MS, 1 * S, n);
	live_set_period(&l, 48000, 240);
	c = run(&l, c, 6, 1 * S, 900 * MS + 2 * LIVE_WINDOW_NS, n);
	assert_int_equal(n[LIVE_OK], 68);
	assert_int_equal(live_check(&l, c + 6, 900 * MS + 2 * LIVE_WINDOW_NS),
	    LIVE_STARVED);
}

static void
test_period_change_starts_a_window(void **state)
{
	struct live	l;
	int		n[NV] = { 0 };
	uint64_t	c;

	(void)state;
	/*
	 * A first window with every period, one with too few (3 of 10 every
	 * 100 ms), then all of them, and just before the third window ends
	 * the quantum drops to a quarter (40 every 100 ms).  Counted against
	 * the new quantum from the window's start, the third window would
	 * look starved too: the change must start a window of its own.
	 */
	live_attach(&l, 0, 0, 48000, 480, 0);
	c = run(&l, 0, 10, 100 * MS, LIVE_WINDOW_NS + 200 * MS, n);
	c = run(&l, c, 3, LIVE_WINDOW_NS + 200 * MS,
	    2 * LIVE_WINDOW_NS + 200 * MS, n);
	c = run(&l, c, 10, 2 * LIVE_WINDOW_NS + 200 * MS, 8800 * MS, n);
	live_set_period(&l, 48000, 120);
	run(&l, c, 40, 8800 * MS, 20 * S, n);
	assert_int_equal(n[LIVE_STARVED], 0);
	assert_int_equal(n[LIVE_OK], 199);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periods_flow),
		cmocka_unit_test(test_seen_age),
		cmocka_unit_test(test_stall_said_once_then_reconnect),
		cmocka_unit_test(test_back_after_stall),
		cmocka_unit_test(test_long_periods),
		cmocka_unit_test(test_fresh_client_deaf_gives_up),
		cmocka_unit_test(test_fresh_client_that_runs_is_forgiven),
		cmocka_unit_test(test_starved),
		cmocka_unit_test(test_first_window_alone),
		cmocka_unit_test(test_period_change_starts_a_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
