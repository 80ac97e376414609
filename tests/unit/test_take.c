/*
 * test_take.c: the take's policy (take.c) without JACK or a disk: what
 * a failed write leads to under each write_error, that no space always
 * waits for space, when the disk watch pauses and resumes a take, when a
 * paused take records again, and which gaps are filled with silence.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "diskw.h"
#include "take.h"

#define S	1000000000LL

static void
test_write_error(void **state)
{
	(void)state;
	assert_int_equal(take_on_error(CFG_WERR_RETRY, EIO), TAKE_PAUSE_RETRY);
	assert_int_equal(take_on_error(CFG_WERR_STOP, EIO), TAKE_STOP);
	assert_int_equal(take_on_error(CFG_WERR_EXIT, EIO), TAKE_EXIT);
	/* No space waits for space, whatever retry or stop say ... */
	assert_int_equal(take_on_error(CFG_WERR_RETRY, ENOSPC),
	    TAKE_PAUSE_FULL);
	assert_int_equal(take_on_error(CFG_WERR_STOP, EDQUOT),
	    TAKE_PAUSE_FULL);
	/* ... but exit is exit. */
	assert_int_equal(take_on_error(CFG_WERR_EXIT, ENOSPC), TAKE_EXIT);
}

static void
test_disk(void **state)
{
	(void)state;
	/* Full while writing: pause; while paused or idle: nothing more. */
	assert_int_equal(take_on_disk(DISKW_FULL, 1, WP_NONE,
	    CFG_RESUME_AUTO), TAKE_DISK_PAUSE);
	assert_int_equal(take_on_disk(DISKW_FULL | DISKW_LOW, 1, WP_NONE,
	    CFG_RESUME_AUTO), TAKE_DISK_PAUSE);
	assert_int_equal(take_on_disk(DISKW_FULL, 1, WP_DISK_FULL,
	    CFG_RESUME_AUTO), TAKE_DISK_SAME);
	assert_int_equal(take_on_disk(DISKW_FULL, 0, WP_NONE,
	    CFG_RESUME_AUTO), TAKE_DISK_SAME);
	/* A warning alone changes nothing. */
	assert_int_equal(take_on_disk(DISKW_LOW, 1, WP_NONE,
	    CFG_RESUME_AUTO), TAKE_DISK_SAME);
	/* Room again: by itself, or a start command, as disk_resume says. */
	assert_int_equal(take_on_disk(DISKW_ROOM, 1, WP_DISK_FULL,
	    CFG_RESUME_AUTO), TAKE_DISK_RESUME);
	assert_int_equal(take_on_disk(DISKW_ROOM, 1, WP_DISK_FULL,
	    CFG_RESUME_START), TAKE_DISK_WAIT);
	/* Room does not end a pause for a write error. */
	assert_int_equal(take_on_disk(DISKW_ROOM, 1, WP_WRITE_ERROR,
	    CFG_RESUME_AUTO), TAKE_DISK_SAME);
}

static void
test_resume(void **state)
{
	(void)state;
	/* Waiting for a start command: only that. */
	assert_false(take_may_resume(WP_WAIT_START, 0, 100 * S, 0));
	assert_true(take_may_resume(WP_WAIT_START, 1, 0, 0));
	/* After a write error: the next try, or a start command earlier. */
	assert_false(take_may_resume(WP_WRITE_ERROR, 0, 5 * S, 10 * S));
	assert_true(take_may_resume(WP_WRITE_ERROR, 0, 10 * S, 10 * S));
	assert_true(take_may_resume(WP_WRITE_ERROR, 1, 5 * S, 10 * S));
	/* A full disk ends with space, never with a start command. */
	assert_false(take_may_resume(WP_DISK_FULL, 1, 100 * S, 0));
	assert_false(take_may_resume(WP_NONE, 1, 100 * S, 0));
}

static void
test_gaps(void **state)
{
	(void)state;
	assert_false(take_fills_gap(CFG_GAP_SPLIT, 256, 48000));
	assert_true(take_fills_gap(CFG_GAP_SILENCE, 256, 48000));
	/* Backwards, or longer than TAKE_MAX_SILENCE_S: the files end. */
	assert_false(take_fills_gap(CFG_GAP_SILENCE, -256, 48000));
	assert_true(take_fills_gap(CFG_GAP_SILENCE,
	    (int64_t)TAKE_MAX_SILENCE_S * 48000, 48000));
	assert_false(take_fills_gap(CFG_GAP_SILENCE,
	    (int64_t)TAKE_MAX_SILENCE_S * 48000 + 1, 48000));
	assert_string_equal(take_gap_cause(256, 256),
	    "ring full, the writer fell behind");
	assert_string_equal(take_gap_cause(256, 0),
	    "JACK's frame time jumped (xrun)");
	assert_string_equal(take_gap_cause(512, 256),
	    "ring full and JACK's frame time jumped");
	assert_string_equal(take_gap_cause(-256, 0),
	    "JACK's frame time went backwards");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_disk),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_gaps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
