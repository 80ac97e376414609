/*
 * test_hist.c: the newest frames of a planar stream (daemon/hist.c):
 * what it keeps when full, reading the newest n back in pieces across
 * the wrap, a record longer than it, and a new size starting empty.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hist.h"

#define NCH	2
#define CAP	100

/* n frames from frame `first' on: channel c's sample is frame + c/10. */
static void
feed(struct hist *h, uint64_t first, size_t n)
{
	static float	buf[NCH][300];
	const float	*planes[NCH] = { buf[0], buf[1] };
	size_t		i;
	unsigned	c;

	for (c = 0; c < NCH; c++)
		for (i = 0; i < n; i++)
			buf[c][i] = (float)(first + i) + (float)c / 10;
	hist_keep(h, planes, 0, n);
}

/* The newest n frames read back are frames [end - n, end), in order. */
static void
expect_tail(const struct hist *h, uint64_t n, uint64_t end)
{
	const float	*planes[NCH];
	uint64_t	 done = 0, k, i, pieces = 0;
	unsigned	 c;

	while ((k = hist_tail(h, n, done, planes)) > 0) {
		for (c = 0; c < NCH; c++)
			for (i = 0; i < k; i++)
				assert_float_equal(planes[c][i],
				    (float)(end - n + done + i) +
				    (float)c / 10, 1e-6);
		done += k;
		pieces++;
	}
	assert_int_equal(done, n);
	assert_true(pieces <= 2);	/* one wrap at most */
}

static void
test_keeps_the_newest(void **state)
{
	struct hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(hist_size(&h, NCH, CAP), 0);
	assert_int_equal(h.len, 0);
	feed(&h, 0, 30);
	assert_int_equal(h.len, 30);
	expect_tail(&h, 30, 30);
	feed(&h, 30, 60);
	feed(&h, 90, 45);		/* full: wraps */
	assert_int_equal(h.len, CAP);
	expect_tail(&h, CAP, 135);
	expect_tail(&h, 17, 135);
	hist_free(&h);
}

static void
test_longer_than_it(void **state)
{
	struct hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(hist_size(&h, NCH, CAP), 0);
	feed(&h, 0, 7);
	feed(&h, 7, 250);		/* only its last CAP frames stay */
	assert_int_equal(h.len, CAP);
	expect_tail(&h, CAP, 257);
	hist_free(&h);
}

static void
test_size_and_clear(void **state)
{
	struct hist h;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(hist_size(&h, NCH, CAP), 0);
	feed(&h, 0, 50);
	hist_clear(&h);
	assert_int_equal(h.len, 0);
	feed(&h, 1000, 20);
	expect_tail(&h, 20, 1020);
	/* Another size starts empty; none keeps nothing. */
	assert_int_equal(hist_size(&h, NCH, CAP / 2), 0);
	assert_int_equal(h.len, 0);
	feed(&h, 0, 80);
	assert_int_equal(h.len, CAP / 2);
	expect_tail(&h, CAP / 2, 80);
	assert_int_equal(hist_size(&h, NCH, 0), 0);
	feed(&h, 0, 10);
	assert_int_equal(h.len, 0);
	hist_free(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keeps_the_newest),
		cmocka_unit_test(test_longer_than_it),
		cmocka_unit_test(test_size_and_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
