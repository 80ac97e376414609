/*
 * test_clock.c: the take's clocks without JACK or a disk: wall-clock
 * boundaries (from midnight, midnight itself, a first file too short to
 * keep), files of exactly rotate_seconds while the sample clock keeps
 * time, a re-alignment once it drifts past 10 ms (and its size), the
 * TimeReference on the frame clock and the wall clock, across midnight,
 * and in a take's UTC offset; names and labels across daylight-saving
 * changes both ways.  Local time is UTC here, and central European time
 * as a POSIX TZ rule (no tzdata needed) where a zone matters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"

#define NS	1000000000LL
#define RATE	48000

/* 2025-12-02 00:00:00 UTC */
#define DAY0	1764633600LL
/* Central European time; the EU's changes are at 01:00 UTC. */
#define CET_TZ	"CET-1CEST,M3.5.0,M10.5.0/3"
#define FALL	1761440400LL	/* 2025-10-26 01:00 UTC: 03:00 CEST is
				   02:00 CET */
#define SPRING	1743296400LL	/* 2025-03-30 01:00 UTC: 02:00 CET is
				   03:00 CEST */

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
	assert_int_equal(clock_since_midnight_ns(&t, 0),
	    (int64_t)(10 * 3600 + 150) * NS + 500);
	b = clock_next_boundary(&t, 300, 0);
	assert_int_equal(b.tv_sec, DAY0 + 10 * 3600 + 5 * 60);
	assert_int_equal(b.tv_nsec, 0);
	/* On a boundary: the next one. */
	b = clock_next_boundary(&b, 300, 0);
	assert_int_equal(b.tv_sec, DAY0 + 10 * 3600 + 10 * 60);
	/* A period that does not divide the day: midnight is one too. */
	t = at(86400 - 3, 0);
	b = clock_next_boundary(&t, 7, 0);
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
	clock_plan_rotation(0, 1, 0, RATE, 1000, &wall, NULL, &p);
	assert_true(p.at == CLOCK_NEVER);
	/* Not aligned: rotate_seconds of frames, whatever the wall says. */
	clock_plan_rotation(60, 0, 0, RATE, 1000, &wall, NULL, &p);
	assert_int_equal(p.at, 1000 + 60 * RATE);
	assert_int_equal(p.wall.tv_sec, wall.tv_sec + 60);
	/* Aligned, a new take at 01:00:30: the file ends at 01:01:00. */
	clock_plan_rotation(60, 1, 0, RATE, 1000, &wall, NULL, &p);
	assert_int_equal(p.wall.tv_sec, DAY0 + 3600 + 60);
	assert_int_equal(p.at, 1000 + 30 * RATE);
	assert_true(p.drift_s == 0);
	/* 50 ms before a boundary is no file at all: the next one. */
	wall = at(3600 + 59, 950000000);
	clock_plan_rotation(60, 1, 0, RATE, 0, &wall, NULL, &p);
	assert_int_equal(p.wall.tv_sec, DAY0 + 3600 + 120);
	assert_int_equal(p.at, (uint64_t)(RATE * 60 + RATE / 20));
	/*
	 * At a boundary (nominal 01:01:00): the sample clock measured the
	 * boundary 5 ms late; the file holds exactly 60 s.
	 */
	nominal = at(3600 + 60, 0);
	wall = at(3600 + 60, 5000000);
	clock_plan_rotation(60, 1, 0, RATE, 5000, &wall, &nominal, &p);
	assert_int_equal(p.at, 5000 + 60 * RATE);
	assert_true(p.drift_s == 0);
	/* 50 ms late: re-aligned, the file 50 ms short, and said. */
	wall = at(3600 + 60, 50000000);
	clock_plan_rotation(60, 1, 0, RATE, 5000, &wall, &nominal, &p);
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
	assert_int_equal(clock_time_ref_at(&t, RATE, 0),
	    (uint64_t)12 * 3600 * RATE + RATE / 2);
	assert_int_equal(clock_time_ref(1000, 50, 150, RATE), 1100);
	/* Past midnight it starts again from 0. */
	assert_int_equal(clock_time_ref(day - 10, 0, 25, RATE), 15);
}

static void
cet(void)
{
	setenv("TZ", CET_TZ, 1);
	tzset();
}

/*
 * Midnight is the take's offset's: 00:30 UTC is 01:30 at +0100 and 23:30
 * the day before at -0100; boundaries and TimeReference count from it.
 */
static void
test_offsets(void **state)
{
	struct timespec t = at(30 * 60, 0), b;

	(void)state;
	assert_int_equal(clock_since_midnight_ns(&t, 3600), 90 * 60 * NS);
	assert_int_equal(clock_since_midnight_ns(&t, -3600),
	    (int64_t)(86400 - 30 * 60) * NS);
	assert_int_equal(clock_time_ref_at(&t, RATE, 5 * 3600 + 1800),
	    (uint64_t)(6 * 3600) * RATE);
	/* Daily files at -0100 start at 01:00 UTC. */
	b = clock_next_boundary(&t, 86400, -3600);
	assert_int_equal(b.tv_sec, DAY0 + 3600);
	/* The zone decides the offset a take begins in; utc says 0. */
	cet();
	assert_int_equal(clock_offset(FALL - 1, 0), 7200);
	assert_int_equal(clock_offset(FALL, 0), 3600);
	assert_int_equal(clock_offset(SPRING, 0), 7200);
	assert_int_equal(clock_offset(FALL - 1, 1), 0);
	utc(NULL);
}

static void
test_zone(void **state)
{
	char z[CLOCK_ZONE_BYTES];

	(void)state;
	clock_zone(7200, z);
	assert_string_equal(z, "+0200");
	clock_zone(-(9 * 3600 + 30 * 60), z);
	assert_string_equal(z, "-0930");
	clock_zone(0, z);
	assert_string_equal(z, "+0000");
	assert_true(clock_template_has_zone("recd-%H%M%S%z"));
	assert_true(clock_template_has_zone("%Z/recd"));
	assert_true(clock_template_has_zone("%_5z"));
	assert_false(clock_template_has_zone("%Y-%m-%d/recd-%Y%m%d-%H%M%S"));
	assert_false(clock_template_has_zone("100%%z"));
	assert_false(clock_template_has_zone("trailing%"));
	assert_true(clock_template_has_zone("100%%%z"));
}

/* Labels: UTC's, local time's, or the take's once local time left it. */
static void
test_labels(void **state)
{
	struct tm	tm;
	char		z[CLOCK_ZONE_BYTES], s[64];

	(void)state;
	cet();
	assert_int_equal(clock_label_tm(FALL, 0, 1, z, &tm), 0);
	strftime(s, sizeof(s), "%H:%M:%S %Z", &tm);
	assert_string_equal(s, "01:00:00 UTC");
	/* The last second of summer time, in a take begun in it. */
	assert_int_equal(clock_label_tm(FALL - 1, 7200, 0, z, &tm), 0);
	strftime(s, sizeof(s), "%H:%M:%S %z", &tm);
	assert_string_equal(s, "02:59:59 +0200");
	/* Then local time says 02:00 again: the take's label goes on. */
	assert_int_equal(clock_label_tm(FALL, 7200, 0, z, &tm), 1);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
	assert_string_equal(s, "2025-10-26 03:00:00 +0200 +0200");
	/* A take begun after the change is in local time. */
	assert_int_equal(clock_label_tm(FALL, 3600, 0, z, &tm), 0);
	strftime(s, sizeof(s), "%H:%M:%S %z", &tm);
	assert_string_equal(s, "02:00:00 +0100");
	/* Spring: local time skips 02:00 to 03:00; a winter take does not. */
	assert_int_equal(clock_label_tm(SPRING + 60, 3600, 0, z, &tm), 1);
	strftime(s, sizeof(s), "%H:%M %z", &tm);
	assert_string_equal(s, "02:01 +0100");
	utc(NULL);
}

/*
 * A take from 02:30 CEST to 03:00 CET (two hours) with files of
 * five minutes: every name is new and they sort in time order, whatever
 * the template; with a zone in the template, recd adds nothing.
 */
static void
test_names_fall_back(void **state)
{
	static const char *const tmpls[] = {
		"%Y-%m-%d/recd-%Y%m%d-%H%M%S", "%H%M", "%H%M%S%z"
	};
	char		 names[19][64];
	long		 off;
	size_t		 i, k, n;
	int		 shifted;

	(void)state;
	cet();
	off = clock_offset(FALL - 1800, 0);
	for (k = 0; k < sizeof(tmpls) / sizeof(tmpls[0]); k++) {
		for (i = 0; i < 19; i++) {
			n = clock_expand(tmpls[k], FALL - 1800 +
			    (time_t)i * 300, off, 0, names[i],
			    sizeof(names[i]), &shifted);
			assert_true(n > 0 && n == strlen(names[i]));
			assert_int_equal(shifted, i >= 6);
			if (i > 0 && strcmp(names[i - 1], names[i]) >= 0)
				fail_msg("%s: \"%s\" then \"%s\"", tmpls[k],
				    names[i - 1], names[i]);
		}
	}
	/* The last: 03:00 CET, on the take's timeline 04:00 CEST. */
	assert_string_equal(names[18], "040000+0200");
	clock_expand(tmpls[0], FALL + 1800, off, 0, names[0],
	    sizeof(names[0]), &shifted);
	assert_string_equal(names[0], "2025-10-26/recd-20251026-033000+0200");
	/* UTC names are UTC's, with no offset added. */
	clock_expand(tmpls[0], FALL + 1800, 0, 1, names[0],
	    sizeof(names[0]), &shifted);
	assert_string_equal(names[0], "2025-10-26/recd-20251026-013000");
	assert_false(shifted);
	/* %s is the time's, in UTC and on a shifted timeline alike (strftime
	 * took the label for local time); %%s is no %s. */
	clock_expand("%s %%s %H", FALL + 1800, 0, 1, names[0],
	    sizeof(names[0]), &shifted);
	snprintf(names[1], sizeof(names[1]), "%lld %%s 01",
	    (long long)(FALL + 1800));
	assert_string_equal(names[0], names[1]);
	clock_expand("%s-%H", FALL + 1800, off, 0, names[0],
	    sizeof(names[0]), &shifted);
	snprintf(names[1], sizeof(names[1]), "%lld-03+0200",
	    (long long)(FALL + 1800));
	assert_string_equal(names[0], names[1]);
	/* No room: 0, never a cut name. */
	assert_int_equal(clock_expand(tmpls[1], FALL + 1800, off, 0,
	    names[0], 5, &shifted), 0);
	utc(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_time_ref),
		cmocka_unit_test(test_offsets),
		cmocka_unit_test(test_zone),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_names_fall_back),
	};

	return cmocka_run_group_tests(tests, utc, NULL);
}
