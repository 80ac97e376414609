/*
 * test_live.c: the liveness guard's verdicts, driven with made-up cycle
 * counts and times: when a stall is said (once), when the periods are
 * back, when a fresh client is asked for, and when recd gives up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "live.h"

#define MS	1000000LL
#define S	1000000000LL

/* Verdicts every 100 ms from t0 to t1 (ns) with a count that stands still:
 * how many of each. */
static void
idle(struct live *l, uint64_t cycles, int64_t t0, int64_t t1, int n[5])
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
	live_attach(&l, c, 0, 48000, 256, 0);
	for (t = 0; t < 60 * S; t += 100 * MS)
		assert_int_equal(live_check(&l, ++c, t), LIVE_OK);
	assert_int_equal(live_age_ns(&l, t), 100 * MS);
}

static void
test_stall_said_once_then_reconnect(void **state)
{
	struct live	l;
	int		n[5] = { 0 };

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
	int		n[5] = { 0 };

	(void)state;
	live_attach(&l, 0, 10 * S, 48000, 256, 1);
	idle(&l, 0, 10 * S, 30 * S, n);
	assert_int_equal(n[LIVE_STALLED], 1);
	assert_int_equal(n[LIVE_RECONNECT], 0);
	assert_int_equal(n[LIVE_GIVE_UP], 1);
}

static void
test_fresh_client_that_runs_is_forgiven(void **state)
{
	struct live l;

	(void)state;
	live_attach(&l, 0, 0, 48000, 256, 1);
	assert_int_equal(live_check(&l, 1, 100 * MS), LIVE_OK);
	/* It ran once: a later stall asks for a fresh client again. */
	assert_int_equal(live_check(&l, 1, 1100 * MS), LIVE_STALLED);
	assert_int_equal(live_check(&l, 1, 1100 * MS + LIVE_RECONNECT_NS),
	    LIVE_RECONNECT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periods_flow),
		cmocka_unit_test(test_stall_said_once_then_reconnect),
		cmocka_unit_test(test_back_after_stall),
		cmocka_unit_test(test_long_periods),
		cmocka_unit_test(test_fresh_client_deaf_gives_up),
		cmocka_unit_test(test_fresh_client_that_runs_is_forgiven),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
