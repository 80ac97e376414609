/*
 * test_clock.c: the take's clocks without JACK or a disk: wall-clock
 * boundaries (from local midnight, midnight itself, a first file too short
 * to keep), files of exactly rotate_seconds while the sample clock keeps
 * time, a re-alignment once it drifts past 10 ms (and its size), and the
 * TimeReference on the frame clock and the wall clock, across midnight.
 * Local time is UTC here, and Europe/Berlin where a zone matters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"

#define NS	1000000000LL
#define RATE	48000

/* 2025-12-02 00:00:00 UTC */
#define DAY0	1764633600LL

static struct timespec
at(int64_t sec_of_day, long ns)
{
	struct timespec t = { (time_t)(DAY0 + sec_of_day), ns };

	return t;
}

static int
utc(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void
test_boundaries(void **state)
{
	struct timespec t = at(10 * 3600 + 2 * 60 + 30, 500), b;

	(void)state;
	assert_int_equal(clock_since_midnight_ns(&t),
	    (int64_t)(10 * 3600 + 150) * NS + 500);
	b = clock_next_boundary(&t, 300);
	assert_int_equal(b.tv_sec, DAY0 + 10 * 3600 + 5 * 60);
	assert_int_equal(b.tv_nsec, 0);
	/* On a boundary: the next one. */
	b = clock_next_boundary(&b, 300);
	assert_int_equal(b.tv_sec, DAY0 + 10 * 3600 + 10 * 60);
	/* A period that does not divide the day: midnight is one too. */
	t = at(86400 - 3, 0);
	b = clock_next_boundary(&t, 7);
	assert_int_equal(b.tv_sec, DAY0 + 86400);
	assert_int_equal(clock_frames_between(0, NS / 3, RATE), 16000);
	assert_int_equal(clock_frames_between(NS, 0, RATE), -RATE);
}

static void
test_plan(void **state)
{
	struct timespec	 wall = at(3600 + 30, 0), nominal;
	struct clock_plan p;

	(void)state;
	clock_plan_rotation(0, 1, RATE, 1000, &wall, NULL, &p);
	assert_true(p.at == CLOCK_NEVER);
	/* Not aligned: rotate_seconds of frames, whatever the wall says. */
	clock_plan_rotation(60, 0, RATE, 1000, &wall, NULL, &p);
	assert_int_equal(p.at, 1000 + 60 * RATE);
	assert_int_equal(p.wall.tv_sec, wall.tv_sec + 60);
	/* Aligned, a new take at 01:00:30: the file ends at 01:01:00. */
	clock_plan_rotation(60, 1, RATE, 1000, &wall, NULL, &p);
	assert_int_equal(p.wall.tv_sec, DAY0 + 3600 + 60);
	assert_int_equal(p.at, 1000 + 30 * RATE);
	assert_true(p.drift_s == 0);
	/* 50 ms before a boundary is no file at all: the next one. */
	wall = at(3600 + 59, 950000000);
	clock_plan_rotation(60, 1, RATE, 0, &wall, NULL, &p);
	assert_int_equal(p.wall.tv_sec, DAY0 + 3600 + 120);
	assert_int_equal(p.at, (uint64_t)(RATE * 60 + RATE / 20));
	/*
	 * At a boundary (nominal 01:01:00): the sample clock measured the
	 * boundary 5 ms late; the file holds exactly 60 s.
	 */
	nominal = at(3600 + 60, 0);
	wall = at(3600 + 60, 5000000);
	clock_plan_rotation(60, 1, RATE, 5000, &wall, &nominal, &p);
	assert_int_equal(p.at, 5000 + 60 * RATE);
	assert_true(p.drift_s == 0);
	/* 50 ms late: re-aligned, the file 50 ms short, and said. */
	wall = at(3600 + 60, 50000000);
	clock_plan_rotation(60, 1, RATE, 5000, &wall, &nominal, &p);
	assert_int_equal(p.at, 5000 + 60 * RATE - RATE / 20);
	assert_true(p.drift_s > 0.0499 && p.drift_s < 0.0501);
	assert_int_equal(p.wall.tv_sec, DAY0 + 3600 + 120);
}

static void
test_time_ref(void **state)
{
	struct timespec t = at(12 * 3600, 500000000);
	uint64_t	day = (uint64_t)CLOCK_DAY_S * RATE;

	(void)state;
	assert_int_equal(clock_time_ref_at(&t, RATE),
	    (uint64_t)12 * 3600 * RATE + RATE / 2);
	assert_int_equal(clock_time_ref(1000, 50, 150, RATE), 1100);
	/* Past midnight it starts again from 0. */
	assert_int_equal(clock_time_ref(day - 10, 0, 25, RATE), 15);
}

/* Local midnight is the zone's: 01:30 in Berlin is 00:30 UTC in winter. */
static void
test_local_time(void **state)
{
	struct timespec t = at(30 * 60, 0);

	(void)state;
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	if (clock_since_midnight_ns(&t) == 30 * 60 * NS) {
		utc(NULL);
		skip();		/* no tzdata: the zone is UTC */
	}
	assert_int_equal(clock_since_midnight_ns(&t), 90 * 60 * NS);
	assert_int_equal(clock_time_ref_at(&t, RATE),
	    (uint64_t)90 * 60 * RATE);
	utc(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_time_ref),
		cmocka_unit_test(test_local_time),
	};

	return cmocka_run_group_tests(tests, utc, NULL);
}
