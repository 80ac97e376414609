/*
 * test_gate.c: the silence gate without JACK or a disk, fed made-up
 * records whose quiet samples say which frame they are: where it opens,
 * how much pre-roll goes first (never past where it last closed, never
 * more than it kept), which span is written, where it closes after the
 * hold, which channels open it, and a gap losing the pre-roll.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gate.h"

#define NCH	2
#define N	64		/* frames a record */
#define PRE	100		/* pre-roll */
#define HOLD	50
#define LOUD	0.5f		/* above -40 dBFS */

static float		 buf[NCH][N];
static const float	*planes[NCH] = { buf[0], buf[1] };

/* Quiet (below -40 dBFS) samples that name their frame. */
static float
quiet(uint64_t frame)
{
	return (float)(frame % 4096) * 1e-6f;
}

/* A record at ft64, loud on channel ch (-1: none) at frames [a, b). */
static void
rec(uint64_t ft64, int ch, size_t a, size_t b)
{
	size_t		i;
	unsigned	c;

	for (c = 0; c < NCH; c++)
		for (i = 0; i < N; i++)
			buf[c][i] = (int)c == ch && i >= a && i < b ? LOUD :
			    quiet(ft64 + i);
}

static void
setup_gate(struct gate *g, char *const *chans, size_t n)
{
	assert_int_equal(gate_init(g, NCH), 0);
	assert_int_equal(gate_configure(g, -40, chans, n, PRE), 0);
	gate_turn_on(g, 0, 0);
	gate_reset(g);
}

/* Feeds a record; returns the span. */
static struct gate_span
feed(struct gate *g, uint64_t ft64)
{
	struct gate_span sp;

	gate_judge(g, planes, N, ft64, HOLD, &sp);
	gate_after(g, planes, N, &sp);
	return sp;
}

static void
test_preroll_and_hold(void **state)
{
	struct gate		 g;
	struct gate_span	 sp;
	const float		*pp[NCH];
	uint64_t		 done = 0, k, i, frame = 1038;

	(void)state;
	setup_gate(&g, NULL, 0);
	rec(1000, -1, 0, 0);
	sp = feed(&g, 1000);
	assert_false(sp.opens);
	assert_int_equal(sp.end, 0);
	assert_int_equal(g.pre.len, N);
	rec(1064, -1, 0, 0);
	feed(&g, 1064);
	assert_int_equal(g.pre.len, PRE);
	/* Loud at frame 10 of the record at 1128 (1138) only. */
	rec(1128, 0, 10, 11);
	gate_judge(&g, planes, N, 1128, HOLD, &sp);
	assert_true(sp.opens);
	assert_int_equal(sp.start, 1038);
	assert_int_equal(sp.loud, 1138);
	assert_int_equal(sp.from_pre, 90);
	assert_int_equal(sp.off, 0);
	/* Closes HOLD frames after the last loud one. */
	assert_true(sp.closes);
	assert_int_equal(sp.close_at, 1138 + 1 + HOLD);
	assert_int_equal(sp.end, 1138 + 1 + HOLD - 1128);
	/* The pre-roll, oldest first, frame by frame. */
	while ((k = gate_preroll(&g, &sp, done, pp)) > 0) {
		for (i = 0; i < k; i++, frame++)
			assert_true(pp[1][i] == quiet(frame));
		done += k;
	}
	assert_int_equal(done, 90);
	assert_int_equal(frame, 1128);
	gate_after(&g, planes, N, &sp);
	assert_false(g.open);
	assert_int_equal(g.closed_at, 1189);
	assert_int_equal(g.pre.len, N - sp.end);
	/* Loud at once: the pre-roll reaches back to the close, no further. */
	rec(1192, 1, 0, N);
	gate_judge(&g, planes, N, 1192, HOLD, &sp);
	assert_true(sp.opens);
	assert_int_equal(sp.start, 1189);
	assert_int_equal(sp.from_pre, 3);
	assert_false(sp.closes);
	assert_int_equal(sp.end, N);
	gate_after(&g, planes, N, &sp);
	/* Loud to its end: quiet after it, closed once the hold is over. */
	rec(1256, -1, 0, 0);
	sp = feed(&g, 1256);
	assert_false(sp.opens);
	assert_true(sp.closes);
	assert_int_equal(sp.close_at, 1255 + 1 + HOLD);
	assert_int_equal(sp.end, 1255 + 1 + HOLD - 1256);
	assert_int_equal(g.pre.len, N - sp.end);
	/* A hold longer than a record keeps it open across records. */
	rec(1320, 0, 0, N);
	gate_judge(&g, planes, N, 1320, 2 * N, &sp);
	gate_after(&g, planes, N, &sp);
	rec(1384, -1, 0, 0);
	gate_judge(&g, planes, N, 1384, 2 * N, &sp);
	assert_false(sp.closes);
	assert_int_equal(sp.off, 0);
	assert_int_equal(sp.end, N);
	gate_after(&g, planes, N, &sp);
	assert_true(g.open);
	gate_free(&g);
}

static void
test_first_record_and_channels(void **state)
{
	struct gate		 g;
	struct gate_span	 sp;
	char			*two[] = { "2" };

	(void)state;
	setup_gate(&g, two, 1);
	/* Channel 1 is not one that opens it. */
	rec(500, 0, 0, N);
	sp = feed(&g, 500);
	assert_false(sp.opens);
	assert_false(g.open);
	/* The take's first loud record: no pre-roll from before it began. */
	gate_reset(&g);
	rec(600, 1, 5, 6);
	gate_judge(&g, planes, N, 600, HOLD, &sp);
	assert_true(sp.opens);
	assert_int_equal(sp.start, 600);
	assert_int_equal(sp.from_pre, 0);
	assert_int_equal(sp.off, 0);
	gate_after(&g, planes, N, &sp);
	gate_free(&g);
}

static void
test_gap_loses_preroll(void **state)
{
	struct gate		 g;
	struct gate_span	 sp;

	(void)state;
	setup_gate(&g, NULL, 0);
	rec(0, -1, 0, 0);
	feed(&g, 0);
	rec(64, -1, 0, 0);
	feed(&g, 64);
	assert_int_equal(g.pre.len, PRE);
	/* 1000 frames lost: what was kept is not the time before the next. */
	gate_gap(&g, 1128);
	assert_int_equal(g.pre.len, 0);
	rec(1128, 0, 20, 21);
	gate_judge(&g, planes, N, 1128, HOLD, &sp);
	assert_true(sp.opens);
	assert_int_equal(sp.start, 1128);
	assert_int_equal(sp.from_pre, 0);
	gate_after(&g, planes, N, &sp);
	gate_free(&g);
}

/*
 * Open, then a gap longer than the hold: the next quiet record closes it
 * at its first frame, and nothing of it is written.  (The span's end was
 * computed from a frame before the record, and wrapped.)
 */
static void
test_hold_ran_out_in_a_gap(void **state)
{
	struct gate		 g;
	struct gate_span	 sp;

	(void)state;
	setup_gate(&g, NULL, 0);
	rec(0, 0, 0, N);
	gate_judge(&g, planes, N, 0, HOLD, &sp);
	assert_true(sp.opens);
	assert_false(sp.closes);
	gate_after(&g, planes, N, &sp);
	rec(10000, -1, 0, 0);
	gate_judge(&g, planes, N, 10000, HOLD, &sp);
	assert_true(sp.closes);
	assert_int_equal(sp.close_at, 10000);
	assert_int_equal(sp.off, 0);
	assert_int_equal(sp.end, 0);
	gate_after(&g, planes, N, &sp);
	assert_false(g.open);
	assert_int_equal(g.pre.len, N);
	gate_free(&g);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_preroll_and_hold),
		cmocka_unit_test(test_first_record_and_channels),
		cmocka_unit_test(test_gap_loses_preroll),
		cmocka_unit_test(test_hold_ran_out_in_a_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
