/*
 * test_loud.c: a file's loudness (daemon/loud.c) on signals of known
 * loudness: a 1 kHz sine peaking at -20 dBFS on one channel is -23.00
 * LUFS (BS.1770-4: a 0 dBFS sine on one channel reads -3.01), on two
 * channels at -23 dBFS too; its true peak is its peak, its loudness range
 * 0.  Groups take their own channels; silence gives nothing; the gating
 * of blocks leaves the quiet ones out.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "loud.h"

#define RATE	48000
#define SECS	10
#define NCH	3
#define PIECE	1000		/* frames a call: not a 100 ms block */

static float	*buf[NCH];

/* Channel c: a 1 kHz sine peaking at dbfs[c] (-HUGE_VAL: silence). */
static void
sines(const double dbfs[NCH])
{
	unsigned	c;
	size_t		i;
	double		a;

	for (c = 0; c < NCH; c++) {
		a = isfinite(dbfs[c]) ? pow(10, dbfs[c] / 20) : 0;
		for (i = 0; i < (size_t)RATE * SECS; i++)
			buf[c][i] = (float)(a * sin(2 * M_PI * (double)i /
			    (RATE / 1000)));
	}
}

static void
measure(const unsigned *first, const unsigned *last, unsigned n,
    struct fmt_loudness *v)
{
	struct loud	*l;
	char		 err[256];
	size_t		 off;

	l = loud_new(RATE, first, last, n, err, sizeof(err));
	assert_non_null(l);
	for (off = 0; off < (size_t)RATE * SECS; off += PIECE)
		loud_add(l, (const float *const *)buf, off, PIECE);
	assert_int_equal(loud_get(l, v), n);
	loud_del(l);
}

static int
setup(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0; c < NCH; c++)
		if ((buf[c] = malloc((size_t)RATE * SECS * sizeof(float))) ==
		    NULL)
			return -1;
	return 0;
}

static int
teardown(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0; c < NCH; c++)
		free(buf[c]);
	return 0;
}

static void
test_sines(void **state)
{
	static const double	 dbfs[NCH] = { -20, -23, -23 };
	static const unsigned	 first[3] = { 1, 2, 1 }, last[3] = { 1, 3, 3 };
	struct fmt_loudness	 v[3];

	(void)state;
	sines(dbfs);
	measure(first, last, 3, v);
	/* Mono at -20 dBFS and stereo at -23 dBFS: both -23 LUFS. */
	assert_int_equal(v[0].first, 1);
	assert_int_equal(v[0].last, 1);
	assert_int_equal(v[1].first, 2);
	assert_int_equal(v[1].last, 3);
	assert_true(fabs(v[0].integrated + 23.0) < 0.01);
	assert_true(fabs(v[1].integrated + 23.0) < 0.01);
	assert_true(fabs(v[0].true_peak + 20.0) < 0.05);
	assert_true(fabs(v[1].true_peak + 23.0) < 0.05);
	assert_true(fabs(v[0].range) < 0.1);
	assert_true(fabs(v[0].momentary_max + 23.0) < 0.01);
	assert_true(fabs(v[0].short_term_max + 23.0) < 0.01);
	assert_true(fabs(v[1].short_term_max + 23.0) < 0.01);
	/*
	 * Three channels, each weighing 1: the sum of their energies (a
	 * sine's mean square is half its peak's; K-weighting at 1 kHz makes
	 * up for the -0.691).
	 */
	assert_true(fabs(v[2].integrated - 10 * log10(0.5 * (pow(10, -2.0) +
	    2 * pow(10, -2.3)))) < 0.02);
	assert_true(fabs(v[2].true_peak + 20.0) < 0.05);
}

/* Silence has no loudness and no peak; fed as src NULL, the same. */
static void
test_silence(void **state)
{
	static const unsigned	 first = 1, last = 2;
	struct fmt_loudness	 v;
	struct loud		*l;
	char			 err[256];

	(void)state;
	l = loud_new(RATE, &first, &last, 1, err, sizeof(err));
	assert_non_null(l);
	loud_add(l, NULL, 0, (uint64_t)RATE * SECS);
	assert_int_equal(loud_get(l, &v), 1);
	assert_false(isfinite(v.integrated));
	assert_false(isfinite(v.true_peak));
	assert_false(isfinite(v.momentary_max));
	assert_false(isfinite(v.short_term_max));
	loud_del(l);
}

/*
 * Half the time -20 dBFS, half -60 (40 LU quieter): the relative gate
 * leaves the quiet half out, so the whole reads as the loud half, but
 * for the three 400 ms blocks across the step (3/4, 1/2 and 1/4 of them
 * loud: 48.5 loud blocks' energy over 50 blocks).  The maxima are the
 * loud half's; the range is that of the 3 s windows across the step.
 */
static void
test_gating(void **state)
{
	static const unsigned	 first = 1, last = 1;
	struct fmt_loudness	 v;
	size_t			 i;

	(void)state;
	for (i = 0; i < (size_t)RATE * SECS; i++)
		buf[0][i] = (float)((i < (size_t)RATE * SECS / 2 ? 0.1 :
		    0.001) * sin(2 * M_PI * (double)i / (RATE / 1000)));
	measure(&first, &last, 1, &v);
	assert_true(fabs(v.integrated - (-23.0 + 10 * log10(48.5 / 50))) <
	    0.01);
	assert_true(fabs(v.momentary_max + 23.0) < 0.01);
	assert_true(v.range > 3 && v.range < 20);
}

/* The gate alone: blocks below the relative gate do not count. */
static void
test_gated(void **state)
{
	static uint64_t	count[LOUD_BINS];
	static double	sum[LOUD_BINS];
	double		z20 = pow(10, (-20 + 0.691) / 10);
	double		z60 = pow(10, (-60 + 0.691) / 10);
	double		z25 = pow(10, (-25 + 0.691) / 10);

	(void)state;
	assert_false(isfinite(loud_gated(count, sum)));
	/* Bins are 0.1 LU from -70: -20 LUFS is bin 500. */
	count[500] = 10;
	sum[500] = 10 * z20;
	count[100] = 1000;
	sum[100] = 1000 * z60;
	assert_true(fabs(loud_gated(count, sum) + 20.0) < 1e-9);
	/* -25 passes the gate: the mean of energies, not of LUFS. */
	count[450] = 10;
	sum[450] = 10 * z25;
	assert_true(fabs(loud_gated(count, sum) - (-0.691 + 10 *
	    log10((z20 + z25) / 2))) < 1e-9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sines),
		cmocka_unit_test(test_silence),
		cmocka_unit_test(test_gating),
		cmocka_unit_test(test_gated),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
