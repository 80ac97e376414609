/*
 * test_diskw.c: the disk watch's verdicts without a disk: low once below
 * disk_warn_mb and ok once back above it with room (not on every look,
 * not flapping at the line), full below disk_min_mb, room only with the
 * margin above it, nothing for an unknown free space.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "diskw.h"

#define MB	DISKW_MB

static void
test_warn(void **state)
{
	struct diskw d = { 0 };

	(void)state;
	/* warn 100 MB, min 10 MB */
	assert_int_equal(diskw_judge(&d, 500 * MB, 100, 10), DISKW_ROOM);
	assert_int_equal(diskw_judge(&d, 99 * MB, 100, 10),
	    DISKW_LOW | DISKW_ROOM);
	/* Said once. */
	assert_int_equal(diskw_judge(&d, 98 * MB, 100, 10), DISKW_ROOM);
	/* Back at the line, not above it with room: still low. */
	assert_int_equal(diskw_judge(&d, 101 * MB, 100, 10), DISKW_ROOM);
	assert_int_equal(diskw_judge(&d, (100 + DISKW_RESUME_MB) * MB, 100,
	    10), DISKW_OK | DISKW_ROOM);
	assert_int_equal(diskw_judge(&d, 500 * MB, 100, 10), DISKW_ROOM);
}

static void
test_full(void **state)
{
	struct diskw d = { 0 };

	(void)state;
	assert_int_equal(diskw_judge(&d, 9 * MB, 100, 10),
	    DISKW_LOW | DISKW_FULL);
	assert_int_equal(diskw_judge(&d, 9 * MB, 100, 10), DISKW_FULL);
	/* Above min, within the margin: neither full nor room. */
	assert_int_equal(diskw_judge(&d, 20 * MB, 100, 10), 0);
	assert_int_equal(diskw_judge(&d, (10 + DISKW_RESUME_MB) * MB, 100,
	    10), DISKW_ROOM);
	/* Unknown: no verdict, and the state stays. */
	assert_int_equal(diskw_judge(&d, -1, 100, 10), 0);
	assert_int_equal(d.low, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warn),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
