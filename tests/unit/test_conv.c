/*
 * test_conv.c: unit tests for common/conv: exact bytes at the boundaries,
 * JACK round trips of every 16- and 24-bit code, NaN/Inf and clip metering,
 * the fast path against the scalar reference, libsndfile as an independent
 * writer, and TPDF dither.  Single-threaded; libsndfile's files live in a
 * private directory that the group setup makes and the teardown removes.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sndfile.h>

#include "conv.h"

#define T_NFMT		4
#define T_MAXCH		1100	/* most channels any test converts */
#define T_CANARY	0xa5	/* fill byte around output buffers */
#define T_GUARD		16	/* canary bytes each side of an output */
#define T_S16_MAX	32767
#define T_S24_MAX	8388607

static const enum conv_fmt t_fmts[T_NFMT] = {
	CONV_PCM16, CONV_PCM24, CONV_PCM32, CONV_FLOAT32
};
static const char *const t_fmt_names[T_NFMT] = {
	"pcm16", "pcm24", "pcm32", "float32"
};

/* Files the libsndfile tests may leave behind when an assertion fails. */
static const char *const t_files[] = {
	"pcm16.wav", "pcm24.wav", "pcm24b.wav", "pcm32.wav", "float.wav"
};

struct t_group {
	char	dir[PATH_MAX];		/* private temporary directory */
};

/* Deterministic randomness (xorshift64*); every test owns its own. */
struct t_rng {
	uint64_t	s;
};

static uint64_t
t_rng_next(struct t_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

static double
t_rng_unit(struct t_rng *r)
{
	return (double)(t_rng_next(r) >> 11) * 0x1p-53;
}

static float
t_from_bits(uint32_t u)
{
	float	f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

static uint32_t
t_bits(float f)
{
	uint32_t	u;

	memcpy(&u, &f, sizeof(u));
	return u;
}

/*
 * How JACK2 turns an N-bit code into a float (common/memops.c,
 * sample_move_dS_s16 and _s24): code * (1 / (2^(N-1) - 1)), in float.
 */
static float
t_jack_float(int32_t code, int bits)
{
	const float	scale16 = (float)(1.0 / T_S16_MAX);
	const float	scale24 = (float)(1.0 / T_S24_MAX);

	return (float)code * (bits == 16 ? scale16 : scale24);
}

/* Any float, weighted towards the cases conv treats specially. */
static float
t_rand_sample(struct t_rng *r)
{
	uint64_t	k = t_rng_next(r) % 100;
	float		sign = t_rng_next(r) & 1 ? -1.0f : 1.0f;

	if (k < 55)
		return (float)(t_rng_unit(r) * 2.4 - 1.2);
	if (k < 60) {
		static const float exact[] = { 0.0f, -0.0f, 1.0f, -1.0f };

		return exact[t_rng_next(r) % 4];
	}
	if (k < 65) {
		static const uint32_t nan[] = {
			0x7fc00000, 0xffc00000, 0x7fa00001, 0xffffffff
		};

		return t_from_bits(nan[t_rng_next(r) % 4]);
	}
	if (k < 70)
		return sign * INFINITY;
	if (k < 75)
		return sign * (float)(t_rng_unit(r) * 1e30);
	if (k < 80)
		return sign * t_from_bits((uint32_t)(t_rng_next(r) % 0x800000));
	if (k < 90)
		return sign * (1.0f + (float)(t_rng_next(r) % 64 - 32) *
		    0x1p-24f);
	return t_jack_float((int32_t)(t_rng_next(r) % (2 * T_S24_MAX + 2)) -
	    T_S24_MAX - 1, 24);
}

/* The code in a sample's bytes, sign-extended; pcm32 as the whole word. */
static int32_t
t_code(enum conv_fmt fmt, const unsigned char *p)
{
	uint32_t	u;
	int32_t		v;

	switch (fmt) {
	case CONV_PCM16:
		u = (uint32_t)p[0] | (uint32_t)p[1] << 8;
		return (int32_t)(u ^ 0x8000) - 0x8000;
	case CONV_PCM24:
		u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
		return (int32_t)(u ^ 0x800000) - 0x800000;
	default:
		u = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		memcpy(&v, &u, sizeof(v));
		return v;
	}
}

/*
 * Four little-endian bytes as a word: one load, so that checking 2^24
 * samples stays quick under TSan, which instruments every load.
 */
static uint32_t
t_le32(const unsigned char *p)
{
	unsigned char	b[4];

	memcpy(b, p, sizeof(b));
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

/* The bytes of a PCM code as the WAV format lays them out. */
static void
t_code_bytes(enum conv_fmt fmt, int32_t code, unsigned char *b)
{
	uint32_t	u = (uint32_t)code;

	if (fmt == CONV_PCM32) {
		b[0] = 0;
		b[1] = (unsigned char)u;
		b[2] = (unsigned char)(u >> 8);
		b[3] = (unsigned char)(u >> 16);
		return;
	}
	b[0] = (unsigned char)u;
	b[1] = (unsigned char)(u >> 8);
	if (fmt == CONV_PCM24)
		b[2] = (unsigned char)(u >> 16);
}

static const char *
t_fmt_name(enum conv_fmt fmt)
{
	int	k;

	for (k = 0; k < T_NFMT; k++)
		if (t_fmts[k] == fmt)
			return t_fmt_names[k];
	return "?";
}

static void *
t_alloc(size_t len)
{
	void	*p = malloc(len);

	assert_non_null(p);
	return p;
}

static int
t_group_setup(void **state)
{
	struct t_group	*g;
	const char	*tmp = getenv("TMPDIR");
	int		 n;

	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -1;
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	n = snprintf(g->dir, sizeof(g->dir), "%s/test_conv.XXXXXX", tmp);
	if (n < 0 || (size_t)n >= sizeof(g->dir) || mkdtemp(g->dir) == NULL) {
		free(g);
		return -1;
	}
	*state = g;
	return 0;
}

static void
t_path(const struct t_group *g, const char *name, char *path, size_t len)
{
	int	n = snprintf(path, len, "%s/%s", g->dir, name);

	assert_true(n > 0 && (size_t)n < len);
}

static int
t_group_teardown(void **state)
{
	struct t_group	*g = *state;
	char		 path[PATH_MAX + 32];
	size_t		 k;
	int		 rc;

	for (k = 0; k < sizeof(t_files) / sizeof(t_files[0]); k++) {
		snprintf(path, sizeof(path), "%s/%s", g->dir, t_files[k]);
		unlink(path);
	}
	rc = rmdir(g->dir);
	free(g);
	return rc == 0 ? 0 : -1;
}

/* One input and the exact bytes it must become. */
struct t_case {
	float		in;
	int		clip;		/* 1: counted as a clip */
	unsigned char	b[4];		/* little-endian sample bytes */
};

/*
 * Converts the case alone (the fast path's scalar tail) and as five copies
 * (four vector lanes and a tail), through conv_mono and conv_mono_ref, and
 * checks every sample's bytes, the clip count and the peak.
 */
static void
t_check_case(enum conv_fmt fmt, const struct t_case *tc)
{
	static const size_t	reps[] = { 1, 5 };
	float			in[5], peak, want_peak;
	unsigned char		out[5 * 4];
	uint64_t		clips;
	size_t			bytes, r, i;
	int			path;

	bytes = conv_sample_bytes(fmt);
	want_peak = isnan(tc->in) ? 0.0f : fabsf(tc->in);
	for (r = 0; r < 2; r++)
		for (path = 0; path < 2; path++) {
			for (i = 0; i < reps[r]; i++)
				in[i] = tc->in;
			peak = 0.0f;
			clips = 0;
			if (path == 0)
				conv_mono(fmt, in, reps[r], out, &peak, &clips,
				    NULL);
			else
				conv_mono_ref(fmt, in, reps[r], out, &peak,
				    &clips, NULL);
			for (i = 0; i < reps[r]; i++)
				if (memcmp(out + i * bytes, tc->b, bytes) != 0)
					fail_msg("%s %s: %a (%08x) sample %zu: "
					    "%08x, want %08x", t_fmt_name(fmt),
					    path ? "ref" : "fast",
					    (double)tc->in, t_bits(tc->in), i,
					    (unsigned)t_code(fmt,
					    out + i * bytes),
					    (unsigned)t_code(fmt, tc->b));
			if (clips != reps[r] * (uint64_t)tc->clip)
				fail_msg("%s %s: %a: %llu clips, want %llu",
				    t_fmt_name(fmt), path ? "ref" : "fast",
				    (double)tc->in, (unsigned long long)clips,
				    (unsigned long long)(reps[r] * tc->clip));
			assert_int_equal(t_bits(peak), t_bits(want_peak));
		}
}

static void
t_check_cases(enum conv_fmt fmt, const struct t_case *tc, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		t_check_case(fmt, &tc[i]);
}

static void
test_sample_bytes(void **state)
{
	(void)state;
	assert_int_equal(conv_sample_bytes(CONV_PCM16), 2);
	assert_int_equal(conv_sample_bytes(CONV_PCM24), 3);
	assert_int_equal(conv_sample_bytes(CONV_PCM32), 4);
	assert_int_equal(conv_sample_bytes(CONV_FLOAT32), 4);
}

static void
test_pcm16_bytes(void **state)
{
	const struct t_case	tc[] = {
		{ 0.0f, 0, { 0x00, 0x00 } },
		{ -0.0f, 0, { 0x00, 0x00 } },
		{ 1.0f, 0, { 0xff, 0x7f } },
		{ -1.0f, 0, { 0x01, 0x80 } },
		{ 1.0f / 32767.0f, 0, { 0x01, 0x00 } },
		{ -1.0f / 32767.0f, 0, { 0xff, 0xff } },
		{ 32766.0f / 32767.0f, 0, { 0xfe, 0x7f } },
		{ nextafterf(1.0f, 0.0f), 0, { 0xff, 0x7f } },
		{ nextafterf(-1.0f, 0.0f), 0, { 0x01, 0x80 } },
		{ nextafterf(1.0f, 2.0f), 1, { 0xff, 0x7f } },
		{ nextafterf(-1.0f, -2.0f), 1, { 0x01, 0x80 } },
		/* JACK's float for code -32768: below -1, clipped. */
		{ -32768.0f / 32767.0f, 1, { 0x01, 0x80 } },
		{ 2.0f, 1, { 0xff, 0x7f } },
		{ -2.0f, 1, { 0x01, 0x80 } },
		{ FLT_MAX, 1, { 0xff, 0x7f } },
		{ -FLT_MAX, 1, { 0x01, 0x80 } },
		{ INFINITY, 1, { 0xff, 0x7f } },
		{ -INFINITY, 1, { 0x01, 0x80 } },
		{ NAN, 1, { 0x00, 0x00 } },
		{ -NAN, 1, { 0x00, 0x00 } },
		{ FLT_TRUE_MIN, 0, { 0x00, 0x00 } },
		/* 16383.5 and -16383.5: ties go to the even code. */
		{ 0.5f, 0, { 0x00, 0x40 } },
		{ -0.5f, 0, { 0x00, 0xc0 } },
	};

	(void)state;
	t_check_cases(CONV_PCM16, tc, sizeof(tc) / sizeof(tc[0]));
}

static void
test_pcm24_bytes(void **state)
{
	const struct t_case	tc[] = {
		{ 0.0f, 0, { 0x00, 0x00, 0x00 } },
		{ -0.0f, 0, { 0x00, 0x00, 0x00 } },
		{ 1.0f, 0, { 0xff, 0xff, 0x7f } },
		{ -1.0f, 0, { 0x01, 0x00, 0x80 } },
		{ 1.0f / 8388607.0f, 0, { 0x01, 0x00, 0x00 } },
		{ -1.0f / 8388607.0f, 0, { 0xff, 0xff, 0xff } },
		{ 8388606.0f / 8388607.0f, 0, { 0xfe, 0xff, 0x7f } },
		/*
		 * 1 - 2^-24 times 8388607 is 8388606.50000006; as a float it
		 * is 8388606.5, a tie, so the code is the even 8388606.
		 */
		{ nextafterf(1.0f, 0.0f), 0, { 0xfe, 0xff, 0x7f } },
		{ nextafterf(-1.0f, 0.0f), 0, { 0x02, 0x00, 0x80 } },
		{ nextafterf(1.0f, 2.0f), 1, { 0xff, 0xff, 0x7f } },
		{ nextafterf(-1.0f, -2.0f), 1, { 0x01, 0x00, 0x80 } },
		/* JACK's float for code -8388608: below -1, clipped. */
		{ -8388608.0f / 8388607.0f, 1, { 0x01, 0x00, 0x80 } },
		{ 2.0f, 1, { 0xff, 0xff, 0x7f } },
		{ -2.0f, 1, { 0x01, 0x00, 0x80 } },
		{ INFINITY, 1, { 0xff, 0xff, 0x7f } },
		{ -INFINITY, 1, { 0x01, 0x00, 0x80 } },
		{ NAN, 1, { 0x00, 0x00, 0x00 } },
		{ FLT_TRUE_MIN, 0, { 0x00, 0x00, 0x00 } },
		/* 4194303.5 and -4194303.5: ties go to the even code. */
		{ 0.5f, 0, { 0x00, 0x00, 0x40 } },
		{ -0.5f, 0, { 0x00, 0x00, 0xc0 } },
	};

	(void)state;
	t_check_cases(CONV_PCM24, tc, sizeof(tc) / sizeof(tc[0]));
}

static void
test_pcm32_bytes(void **state)
{
	/* The 24-bit code in the top three bytes; the low byte is 0. */
	const struct t_case	tc[] = {
		{ 0.0f, 0, { 0x00, 0x00, 0x00, 0x00 } },
		{ 1.0f, 0, { 0x00, 0xff, 0xff, 0x7f } },
		{ -1.0f, 0, { 0x00, 0x01, 0x00, 0x80 } },
		{ 1.0f / 8388607.0f, 0, { 0x00, 0x01, 0x00, 0x00 } },
		{ -1.0f / 8388607.0f, 0, { 0x00, 0xff, 0xff, 0xff } },
		{ nextafterf(1.0f, 0.0f), 0, { 0x00, 0xfe, 0xff, 0x7f } },
		{ nextafterf(1.0f, 2.0f), 1, { 0x00, 0xff, 0xff, 0x7f } },
		{ nextafterf(-1.0f, -2.0f), 1, { 0x00, 0x01, 0x00, 0x80 } },
		{ -8388608.0f / 8388607.0f, 1, { 0x00, 0x01, 0x00, 0x80 } },
		{ INFINITY, 1, { 0x00, 0xff, 0xff, 0x7f } },
		{ -INFINITY, 1, { 0x00, 0x01, 0x00, 0x80 } },
		{ NAN, 1, { 0x00, 0x00, 0x00, 0x00 } },
		{ 0.5f, 0, { 0x00, 0x00, 0x00, 0x40 } },
		{ -0.5f, 0, { 0x00, 0x00, 0x00, 0xc0 } },
	};

	(void)state;
	t_check_cases(CONV_PCM32, tc, sizeof(tc) / sizeof(tc[0]));
}

static void
test_float32_bytes(void **state)
{
	/* Finite values bit for bit, even past full scale. */
	const struct t_case	tc[] = {
		{ 0.0f, 0, { 0x00, 0x00, 0x00, 0x00 } },
		{ -0.0f, 0, { 0x00, 0x00, 0x00, 0x80 } },
		{ 1.0f, 0, { 0x00, 0x00, 0x80, 0x3f } },
		{ -1.0f, 0, { 0x00, 0x00, 0x80, 0xbf } },
		{ 0.5f, 0, { 0x00, 0x00, 0x00, 0x3f } },
		{ nextafterf(1.0f, 2.0f), 1, { 0x01, 0x00, 0x80, 0x3f } },
		{ 2.0f, 1, { 0x00, 0x00, 0x00, 0x40 } },
		{ -2.0f, 1, { 0x00, 0x00, 0x00, 0xc0 } },
		{ FLT_MAX, 1, { 0xff, 0xff, 0x7f, 0x7f } },
		{ FLT_TRUE_MIN, 0, { 0x01, 0x00, 0x00, 0x00 } },
		{ -FLT_TRUE_MIN, 0, { 0x01, 0x00, 0x00, 0x80 } },
		{ INFINITY, 1, { 0x00, 0x00, 0x80, 0x3f } },
		{ -INFINITY, 1, { 0x00, 0x00, 0x80, 0xbf } },
		{ NAN, 1, { 0x00, 0x00, 0x00, 0x00 } },
		{ -NAN, 1, { 0x00, 0x00, 0x00, 0x00 } },
	};

	(void)state;
	t_check_cases(CONV_FLOAT32, tc, sizeof(tc) / sizeof(tc[0]));
}

/*
 * A float whose product with scale, rounded to float, is exactly target
 * (a half-integer), or NaN when none lies near target / scale.
 */
static float
t_find_tie(float scale, double target)
{
	volatile float	p;
	float		f;
	int		k;

	f = (float)(target / scale);
	for (k = 0; k < 64; k++)
		f = nextafterf(f, -INFINITY);
	for (k = 0; k < 128; k++) {
		p = f * scale;
		if ((double)p == target)
			return f;
		f = nextafterf(f, INFINITY);
	}
	return NAN;
}

static void
test_ties_to_even(void **state)
{
	static const struct {
		enum conv_fmt	fmt;
		double		scaled;		/* f * scale, in float */
		int32_t		code;
	} tc[] = {
		{ CONV_PCM16, 0.5, 0 },
		{ CONV_PCM16, 1.5, 2 },
		{ CONV_PCM16, 2.5, 2 },
		{ CONV_PCM16, -2.5, -2 },
		{ CONV_PCM16, -3.5, -4 },
		{ CONV_PCM16, 1000.5, 1000 },
		{ CONV_PCM16, 32765.5, 32766 },
		{ CONV_PCM16, -32766.5, -32766 },
		{ CONV_PCM24, 0.5, 0 },
		{ CONV_PCM24, -0.5, 0 },
		{ CONV_PCM24, 2.5, 2 },
		{ CONV_PCM24, -3.5, -4 },
		{ CONV_PCM24, 8388605.5, 8388606 },
		{ CONV_PCM24, -8388604.5, -8388604 },
		{ CONV_PCM32, 2.5, 2 },
		{ CONV_PCM32, 8388605.5, 8388606 },
		{ CONV_PCM32, -8388604.5, -8388604 },
	};
	struct t_case	c;
	size_t		i;
	float		scale;

	(void)state;
	for (i = 0; i < sizeof(tc) / sizeof(tc[0]); i++) {
		scale = tc[i].fmt == CONV_PCM16 ? 32767.0f : 8388607.0f;
		memset(&c, 0, sizeof(c));
		c.in = t_find_tie(scale, tc[i].scaled);
		if (isnan(c.in))
			fail_msg("no float gives %.1f", tc[i].scaled);
		t_code_bytes(tc[i].fmt, tc[i].code, c.b);
		t_check_case(tc[i].fmt, &c);
	}
}

/*
 * Every 24-bit code, made a float as JACK2 makes it, must come back as
 * itself in pcm24 and shifted by 8 in pcm32; -8388608 (below -1.0 as a
 * float) clips to -8388607.  The reference converts every code to pcm24
 * as well (its pcm32 differs only in the store, covered elsewhere): that
 * alone costs a second under TSan.
 */
static void
test_roundtrip_24(void **state)
{
	enum { CHUNK = 1 << 16 };
	float		*in, peak[3] = { 0 };
	unsigned char	*o24, *o32, *r24;
	uint64_t	 clips[3] = { 0 }, bad = 0;
	uint32_t	 w24, w32;
	int32_t		 base, x, want, first_bad = 0;
	size_t		 i;
	int		 k;

	(void)state;
	in = t_alloc(CHUNK * sizeof(*in));
	o24 = t_alloc(CHUNK * 3);
	o32 = t_alloc(CHUNK * 4);
	r24 = t_alloc(CHUNK * 3);
	for (base = -T_S24_MAX - 1; base <= T_S24_MAX; base += CHUNK) {
		for (i = 0; i < CHUNK; i++)
			in[i] = t_jack_float(base + (int32_t)i, 24);
		conv_mono(CONV_PCM24, in, CHUNK, o24, &peak[0], &clips[0],
		    NULL);
		conv_mono(CONV_PCM32, in, CHUNK, o32, &peak[1], &clips[1],
		    NULL);
		conv_mono_ref(CONV_PCM24, in, CHUNK, r24, &peak[2], &clips[2],
		    NULL);
		for (i = 0; i < CHUNK; i++) {
			x = base + (int32_t)i;
			want = x < -T_S24_MAX ? -T_S24_MAX : x;
			if (i < CHUNK - 1)
				w24 = t_le32(o24 + 3 * i);
			else
				w24 = t_le32(o24 + 3 * i - 1) >> 8;
			w32 = t_le32(o32 + 4 * i);
			if ((w24 & 0xffffff) != ((uint32_t)want & 0xffffff) ||
			    w32 != (uint32_t)want << 8) {
				if (bad++ == 0)
					first_bad = x;
			}
		}
		if (memcmp(o24, r24, 3 * CHUNK) != 0)
			fail_msg("ref differs from fast near %d", (int)base);
	}
	if (bad != 0)
		fail_msg("%llu codes do not round-trip, the first is %d",
		    (unsigned long long)bad, (int)first_bad);
	for (k = 0; k < 3; k++) {
		assert_int_equal(clips[k], 1);
		assert_int_equal(t_bits(peak[k]),
		    t_bits(-t_jack_float(-T_S24_MAX - 1, 24)));
	}
	free(in);
	free(o24);
	free(o32);
	free(r24);
}

/* The same for all 65536 16-bit codes. */
static void
test_roundtrip_16(void **state)
{
	enum { N = 65536 };
	float		*in, peak[2] = { 0 };
	unsigned char	*out, *ref;
	uint64_t	 clips[2] = { 0 }, bad = 0;
	int32_t		 x, want, first_bad = 0;
	size_t		 i;

	(void)state;
	in = t_alloc(N * sizeof(*in));
	out = t_alloc(N * 2);
	ref = t_alloc(N * 2);
	for (i = 0; i < N; i++)
		in[i] = t_jack_float((int32_t)i - T_S16_MAX - 1, 16);
	conv_mono(CONV_PCM16, in, N, out, &peak[0], &clips[0], NULL);
	conv_mono_ref(CONV_PCM16, in, N, ref, &peak[1], &clips[1], NULL);
	for (i = 0; i < N; i++) {
		x = (int32_t)i - T_S16_MAX - 1;
		want = x < -T_S16_MAX ? -T_S16_MAX : x;
		if (t_code(CONV_PCM16, out + 2 * i) != want ||
		    t_code(CONV_PCM16, ref + 2 * i) != want) {
			if (bad++ == 0)
				first_bad = x;
		}
	}
	if (bad != 0)
		fail_msg("%llu codes do not round-trip, the first is %d",
		    (unsigned long long)bad, (int)first_bad);
	assert_int_equal(clips[0], 1);
	assert_int_equal(clips[1], 1);
	assert_int_equal(t_bits(peak[0]),
	    t_bits(-t_jack_float(-T_S16_MAX - 1, 16)));
	assert_int_equal(t_bits(peak[1]), t_bits(peak[0]));
	free(in);
	free(out);
	free(ref);
}

/* The code a PCM format writes for +full scale: 32767, 8388607, ...<<8. */
static int32_t
t_limit(enum conv_fmt fmt)
{
	switch (fmt) {
	case CONV_PCM16:
		return T_S16_MAX;
	case CONV_PCM24:
		return T_S24_MAX;
	default:
		return T_S24_MAX * 256;
	}
}

/*
 * NaN, Inf and out-of-range samples in some channels of an interleaved
 * block: what each becomes, and that every channel keeps its own peak and
 * clip count.  Nine frames: two vectors and a scalar tail.
 */
static void
test_nan_inf_per_channel(void **state)
{
	enum { NCH = 4, NF = 9 };
	static const float	ch0[NF] = {
		/* The peak is a negative sample's magnitude. */
		-0.75f, 0.5f, 0.25f, -0.125f, 0.0f, -0.5f, 0.7f, -0.74f, 0.1f
	};
	static const float	ch1[NF] = {
		0.1f, 0.2f, NAN, 0.3f, 0.4f, 0.5f, INFINITY, 0.6f, 0.7f
	};
	static const float	ch2[NF] = {
		0.1f, -2.0f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, -NAN, 1.5f
	};
	static const float	ch3[NF] = {
		NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN
	};
	static const float	quiet[NF] = { 0.01f, -0.01f, 0.01f, -0.01f,
		0.01f, -0.01f, 0.01f, -0.01f, 0.01f };
	const float *const	src[NCH] = { ch0, ch1, ch2, ch3 };
	const float *const	qsrc[NCH] = { quiet, quiet, quiet, quiet };
	unsigned char		out[NF * NCH * 4], ref[NF * NCH * 4];
	float			peak[NCH], rpeak[NCH];
	uint64_t		clips[NCH], rclips[NCH];
	int32_t			code[NF][NCH], lim;
	size_t			bytes, f, c;
	int			k;

	(void)state;
	for (k = 0; k < T_NFMT; k++) {
		enum conv_fmt	fmt = t_fmts[k];

		bytes = conv_sample_bytes(fmt);
		for (c = 0; c < NCH; c++) {
			peak[c] = rpeak[c] = c == 3 ? 0.125f : 0.0f;
			clips[c] = rclips[c] = 10 * (uint64_t)c;
		}
		conv_interleave(fmt, src, NCH, NF, out, peak, clips, NULL);
		conv_interleave_ref(fmt, src, NCH, NF, ref, rpeak, rclips,
		    NULL);
		assert_memory_equal(out, ref, NF * NCH * bytes);
		assert_memory_equal(peak, rpeak, sizeof(peak));
		assert_memory_equal(clips, rclips, sizeof(clips));

		assert_int_equal(t_bits(peak[0]), t_bits(0.75f));
		assert_int_equal(t_bits(peak[1]), t_bits(INFINITY));
		assert_int_equal(t_bits(peak[2]), t_bits(2.0f));
		assert_int_equal(t_bits(peak[3]), t_bits(0.125f));
		assert_int_equal(clips[0], 0);
		assert_int_equal(clips[1], 10 + 2);
		assert_int_equal(clips[2], 20 + 3);
		assert_int_equal(clips[3], 30 + NF);

		for (f = 0; f < NF; f++)
			for (c = 0; c < NCH; c++)
				code[f][c] = t_code(fmt,
				    out + (f * NCH + c) * bytes);
		if (fmt == CONV_FLOAT32) {
			assert_int_equal(code[2][1], 0);
			assert_int_equal(code[6][1], (int32_t)t_bits(1.0f));
			assert_int_equal(code[1][2], (int32_t)t_bits(-2.0f));
			assert_int_equal(code[7][2], 0);
			assert_int_equal(code[8][2], (int32_t)t_bits(1.5f));
			assert_int_equal(code[0][0], (int32_t)t_bits(-0.75f));
		} else {
			lim = t_limit(fmt);
			assert_int_equal(code[2][1], 0);
			assert_int_equal(code[6][1], lim);
			assert_int_equal(code[1][2], -lim);
			assert_int_equal(code[7][2], 0);
			assert_int_equal(code[8][2], lim);
			assert_true(code[0][0] < 0);
		}
		for (f = 0; f < NF; f++)
			assert_int_equal(code[f][3], 0);

		/* Peaks only rise and clips only add up. */
		conv_interleave(fmt, qsrc, NCH, NF, out, peak, clips, NULL);
		assert_int_equal(t_bits(peak[0]), t_bits(0.75f));
		assert_int_equal(t_bits(peak[3]), t_bits(0.125f));
		assert_int_equal(clips[1], 10 + 2);
		assert_int_equal(clips[3], 30 + NF);
	}
}

/* Random everything for one comparison of the fast path with the ref. */
struct t_run {
	float		*plane;			/* nch * (nframes + 1) */
	const float	*src[T_MAXCH];		/* 4 bytes off alignment */
	unsigned char	*out, *ref;		/* bytes + 2 * T_GUARD each */
	float		 peak[2][T_MAXCH];
	uint64_t	 clips[2][T_MAXCH];
	uint32_t	 dither[2][T_MAXCH];
};

static void
t_run_init(struct t_run *t, struct t_rng *r, unsigned nch, size_t nframes,
    size_t bytes)
{
	size_t		i, len = nframes * nch * bytes + 2 * T_GUARD;
	unsigned	c;

	assert_true(nch <= T_MAXCH);
	t->plane = t_alloc(nch * (nframes + 1) * sizeof(float));
	for (c = 0; c < nch; c++) {
		float	*p = t->plane + c * (nframes + 1) + 1;

		for (i = 0; i < nframes; i++)
			p[i] = t_rand_sample(r);
		t->src[c] = p;
	}
	t->out = t_alloc(len);
	t->ref = t_alloc(len);
	memset(t->out, T_CANARY, len);
	memset(t->ref, T_CANARY, len);
	for (c = 0; c < nch; c++) {
		/* Some channels start at -0 or NaN: those survive too. */
		if (c % 7 == 5)
			t->peak[0][c] = -0.0f;
		else if (c % 11 == 9)
			t->peak[0][c] = NAN;
		else
			t->peak[0][c] = (float)t_rng_unit(r) * 0.5f;
		t->clips[0][c] = t_rng_next(r) >> 24;
		t->dither[0][c] = (uint32_t)t_rng_next(r);
	}
	memcpy(t->peak[1], t->peak[0], sizeof(t->peak[0]));
	memcpy(t->clips[1], t->clips[0], sizeof(t->clips[0]));
	memcpy(t->dither[1], t->dither[0], sizeof(t->dither[0]));
}

static void
t_run_done(struct t_run *t)
{
	free(t->plane);
	free(t->out);
	free(t->ref);
}

static void
t_check_guard(const unsigned char *buf, size_t len, const char *what)
{
	size_t	i;

	for (i = 0; i < T_GUARD; i++)
		if (buf[i] != T_CANARY || buf[T_GUARD + len + i] != T_CANARY)
			fail_msg("%s: wrote outside its buffer", what);
}

/*
 * conv_interleave (or conv_mono when mono) on one path against the
 * reference for one shape: output bytes, peaks (bit for bit), clip counts
 * and dither states.  The path writes at an odd address; nothing may land
 * outside.
 */
static void
t_compare(struct t_rng *r, enum conv_path path, enum conv_fmt fmt,
    unsigned nch, size_t nframes, int dither, int mono)
{
	struct t_run	 t;
	size_t		 bytes, len, i;
	uint32_t	*d0, *d1;

	bytes = conv_sample_bytes(fmt);
	len = nframes * nch * bytes;
	t_run_init(&t, r, nch, nframes, bytes);
	d0 = dither ? t.dither[0] : NULL;
	d1 = dither ? t.dither[1] : NULL;
	if (mono) {
		conv_mono_path(path, fmt, t.src[0], nframes,
		    t.out + T_GUARD + 1, t.peak[0], t.clips[0], d0);
		conv_mono_ref(fmt, t.src[0], nframes, t.ref + T_GUARD,
		    t.peak[1], t.clips[1], d1);
	} else {
		conv_interleave_path(path, fmt, t.src, nch, nframes,
		    t.out + T_GUARD + 1, t.peak[0], t.clips[0], d0);
		conv_interleave_ref(fmt, t.src, nch, nframes, t.ref + T_GUARD,
		    t.peak[1], t.clips[1], d1);
	}
	/* memcmp first: a byte loop is slow under TSan. */
	if (memcmp(t.out + T_GUARD + 1, t.ref + T_GUARD, len) != 0)
		for (i = 0; i < len; i++)
			if (t.out[T_GUARD + 1 + i] != t.ref[T_GUARD + i])
					fail_msg("path %d %s %s nch %u nframes "
				    "%zu dither %d: frame %zu channel %zu "
				    "differs",
				    (int)path, t_fmt_name(fmt),
				    mono ? "mono" : "interleave", nch, nframes,
				    dither, i / bytes / nch, i / bytes % nch);
	/* The path's buffer is shifted by one byte. */
	for (i = 0; i < T_GUARD + 1; i++)
		assert_int_equal(t.out[i], T_CANARY);
	for (i = T_GUARD + 1 + len; i < len + 2 * T_GUARD; i++)
		assert_int_equal(t.out[i], T_CANARY);
	t_check_guard(t.ref, len, "ref");
	assert_memory_equal(t.peak[0], t.peak[1], nch * sizeof(float));
	assert_memory_equal(t.clips[0], t.clips[1], nch * sizeof(uint64_t));
	assert_memory_equal(t.dither[0], t.dither[1], nch * sizeof(uint32_t));
	t_run_done(&t);
}

/* Every shape of a list, in every format, with and without dither. */
static void
t_compare_shapes(struct t_rng *r, enum conv_path path, unsigned nch,
    const size_t *nfs, size_t n)
{
	size_t	b;
	int	k, dither;

	for (k = 0; k < T_NFMT; k++)
		for (dither = 0; dither < 2; dither++)
			for (b = 0; b < n; b++) {
				if (nch == 1)
					t_compare(r, path, t_fmts[k], 1,
					    nfs[b], dither, 1);
				t_compare(r, path, t_fmts[k], nch, nfs[b],
				    dither, 0);
			}
}

/*
 * Every path this machine runs, against the reference: every channel
 * count up to 70 (groups of four channels and each remainder), frame
 * counts around the vector widths (4 and 8), and runs long enough to take
 * several blocks (the paths interleave in blocks of 64 KiB of output).
 */
static void
test_paths_match_ref(void **state)
{
	static const size_t	nfs[] = { 0, 1, 3, 4, 5, 7, 8, 9, 15, 257,
				    1000 };
	static const size_t	long_nfs[] = { 2100, 4099 };
	static const unsigned	long_nchs[] = { 1, 2, 3, 5, 8 };
	static const size_t	wide_nfs[] = { 1, 5, 257 };
	static const unsigned	wide_nchs[] = { 256, 1100 };
	struct t_rng		r = { 0x9e3779b97f4a7c15ull };
	unsigned		nch;
	size_t			a;
	int			path;

	(void)state;
	assert_true(conv_path_ok(CONV_PATH_REF));
	for (path = CONV_PATH_REF + 1; path < CONV_NPATH; path++) {
		if (!conv_path_ok((enum conv_path)path))
			continue;
		for (nch = 1; nch <= 70; nch++)
			t_compare_shapes(&r, (enum conv_path)path, nch, nfs,
			    sizeof(nfs) / sizeof(nfs[0]));
		for (a = 0; a < sizeof(long_nchs) / sizeof(long_nchs[0]); a++)
			t_compare_shapes(&r, (enum conv_path)path,
			    long_nchs[a], long_nfs,
			    sizeof(long_nfs) / sizeof(long_nfs[0]));
		for (a = 0; a < sizeof(wide_nchs) / sizeof(wide_nchs[0]); a++)
			t_compare_shapes(&r, (enum conv_path)path,
			    wide_nchs[a], wide_nfs,
			    sizeof(wide_nfs) / sizeof(wide_nfs[0]));
	}
#if defined(__SSE2__)
	/* On x86 the loop above must have had a fast path to test. */
	assert_true(conv_path_ok(CONV_PATH_SSE2));
#endif
	assert_false(conv_path_ok(CONV_NPATH));
}

/*
 * A stream converted in uneven pieces gives the same bytes, meters and
 * dither states as in one call: nothing may depend on where calls cut.
 */
static void
test_cut_anywhere(void **state)
{
	enum { NCH = 3, NF = 1000 };
	static const size_t	cuts[] = { 1, 3, 255, 741 };
	struct t_rng		r = { 42 };
	struct t_run		t;
	const float		*src[NCH];
	size_t			bytes, off, i;
	unsigned		c;
	int			k;

	(void)state;
	for (k = 0; k < T_NFMT; k++) {
		bytes = conv_sample_bytes(t_fmts[k]);
		t_run_init(&t, &r, NCH, NF, bytes);
		conv_interleave(t_fmts[k], t.src, NCH, NF, t.ref, t.peak[1],
		    t.clips[1], t.dither[1]);
		for (off = 0, i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
			for (c = 0; c < NCH; c++)
				src[c] = t.src[c] + off;
			conv_interleave(t_fmts[k], src, NCH, cuts[i],
			    t.out + off * NCH * bytes, t.peak[0], t.clips[0],
			    t.dither[0]);
			off += cuts[i];
		}
		assert_int_equal(off, NF);
		assert_memory_equal(t.out, t.ref, NF * NCH * bytes);
		assert_memory_equal(t.peak[0], t.peak[1], sizeof(t.peak[0]));
		assert_memory_equal(t.clips[0], t.clips[1],
		    sizeof(t.clips[0]));
		assert_memory_equal(t.dither[0], t.dither[1],
		    sizeof(t.dither[0]));
		t_run_done(&t);
	}
}

/* Reads a WAV file and returns a copy of its data chunk's bytes. */
static unsigned char *
t_wav_data(const char *path, size_t *len)
{
	FILE		*fp;
	unsigned char	*buf, *data;
	long		 size;
	size_t		 off, n;

	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	size = ftell(fp);
	assert_true(size >= 12);
	rewind(fp);
	buf = t_alloc((size_t)size);
	assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	assert_memory_equal(buf, "RIFF", 4);
	assert_memory_equal(buf + 8, "WAVE", 4);
	for (off = 12; off + 8 <= (size_t)size; off += 8 + n + (n & 1)) {
		n = (size_t)buf[off + 4] | (size_t)buf[off + 5] << 8 |
		    (size_t)buf[off + 6] << 16 | (size_t)buf[off + 7] << 24;
		if (memcmp(buf + off, "data", 4) != 0)
			continue;
		assert_true(off + 8 + n <= (size_t)size);
		data = t_alloc(n + 1);
		memcpy(data, buf + off + 8, n);
		free(buf);
		*len = n;
		return data;
	}
	free(buf);
	fail_msg("%s: no data chunk", path);
	return NULL;
}

static SNDFILE *
t_sf_create(const char *path, int subformat, unsigned nch)
{
	SF_INFO	 info;
	SNDFILE	*sf;

	memset(&info, 0, sizeof(info));
	info.samplerate = 48000;
	info.channels = (int)nch;
	info.format = SF_FORMAT_WAV | subformat;
	sf = sf_open(path, SFM_WRITE, &info);
	if (sf == NULL)
		fail_msg("%s: %s", path, sf_strerror(NULL));
	/*
	 * Normalised floats without libsndfile's clipping: libsndfile then
	 * writes lrintf(f * (2^(N-1) - 1)), computed in float (src/pcm.c,
	 * f2les_array, f2let_array), which is the inverse of JACK2's scaling
	 * that conv promises.  Its clipping mode scales by 2^31 and truncates
	 * instead, which is not.
	 */
	sf_command(sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
	sf_command(sf, SFC_SET_CLIPPING, NULL, SF_FALSE);
	return sf;
}

/*
 * Input for the libsndfile comparison: in range and past it (no NaN or
 * Inf: libsndfile leaves those undefined), exact +-1 and 0, and for 16 bits
 * values whose scaled product is an exact tie.  Returns how many samples
 * are ties at this scale, so the test can insist there are some.
 */
static size_t
t_sf_input(struct t_rng *r, float scale, float *const ch[], unsigned nch,
    size_t nframes)
{
	volatile float	p;
	size_t		i, ties = 0;
	unsigned	c;
	uint64_t	k;

	for (c = 0; c < nch; c++)
		for (i = 0; i < nframes; i++) {
			k = t_rng_next(r) % 100;
			if (k < 70)
				ch[c][i] = (float)(t_rng_unit(r) * 2.5 - 1.25);
			else if (k < 75)
				ch[c][i] = k % 2 ? 1.0f : -1.0f;
			else if (k < 78)
				ch[c][i] = 0.0f;
			else if (k < 88)
				ch[c][i] = (float)(t_rng_unit(r) * 0.5 + 0.5);
			else
				ch[c][i] = t_find_tie(scale,
				    (double)(t_rng_next(r) % 65534) - 32767.0 +
				    0.5);
			assert_false(isnan(ch[c][i]));
			p = ch[c][i] * scale;
			if (fabsf(ch[c][i]) <= 1.0f && p - floorf(p) == 0.5f)
				ties++;
		}
	return ties;
}

/*
 * Our interleaved bytes against libsndfile's data chunk for the same
 * frames.  libsndfile gets its own interleaved copy, built here, so a wrong
 * channel order in conv shows.  For the PCM formats libsndfile's input is
 * clamped to [-1, 1] first: that clamp is the one rule this test states
 * itself; libsndfile does the scaling, rounding, byte order and packing.
 * Clip counts and peaks are checked against plain counts of the input.
 */
static void
t_sf_compare(const struct t_group *g, enum conv_fmt fmt)
{
	enum { NCH = 3, NF = 1001 };
	struct t_rng	 r = { 0x5eed0000ull + (uint64_t)fmt };
	float		*plane, *inter, *ch[NCH], peak[NCH] = { 0 }, want;
	int		*ints;
	uint64_t	 clips[NCH] = { 0 }, nclip;
	unsigned char	*out, *data;
	char		 path[PATH_MAX + 32], path24[PATH_MAX + 32];
	const float	*src[NCH];
	size_t		 bytes, len = 0, i, ties;
	unsigned	 c;
	SNDFILE		*sf;
	SF_INFO		 info;

	bytes = conv_sample_bytes(fmt);
	plane = t_alloc(NCH * NF * sizeof(float));
	inter = t_alloc(NCH * NF * sizeof(float));
	ints = t_alloc(NCH * NF * sizeof(int));
	out = t_alloc(NCH * NF * bytes);
	for (c = 0; c < NCH; c++) {
		ch[c] = plane + c * NF;
		src[c] = ch[c];
	}
	ties = t_sf_input(&r, fmt == CONV_PCM16 ? 32767.0f : 8388607.0f,
	    ch, NCH, NF);
	if (fmt != CONV_FLOAT32 && ties < 50)
		fail_msg("%s: only %zu ties in the input", t_fmt_name(fmt),
		    ties);
	for (i = 0; i < NF; i++)
		for (c = 0; c < NCH; c++) {
			inter[i * NCH + c] = ch[c][i];
			if (fmt != CONV_FLOAT32)
				inter[i * NCH + c] = fmaxf(-1.0f,
				    fminf(1.0f, ch[c][i]));
		}
	conv_interleave(fmt, src, NCH, NF, out, peak, clips, NULL);

	switch (fmt) {
	case CONV_PCM16:
		t_path(g, "pcm16.wav", path, sizeof(path));
		sf = t_sf_create(path, SF_FORMAT_PCM_16, NCH);
		assert_int_equal(sf_writef_float(sf, inter, NF), NF);
		assert_int_equal(sf_close(sf), 0);
		break;
	case CONV_PCM24:
	case CONV_PCM32:
		t_path(g, fmt == CONV_PCM24 ? "pcm24.wav" : "pcm24b.wav",
		    path24, sizeof(path24));
		sf = t_sf_create(path24, SF_FORMAT_PCM_24, NCH);
		assert_int_equal(sf_writef_float(sf, inter, NF), NF);
		assert_int_equal(sf_close(sf), 0);
		if (fmt == CONV_PCM24) {
			memcpy(path, path24, sizeof(path));
			break;
		}
		/*
		 * Our 32-bit format is the 24-bit code in the top bits.
		 * libsndfile reads 24-bit data into the top 24 bits of an int,
		 * and writes an int to PCM_32 as it is: so its 24-bit file,
		 * read as ints and written again as 32-bit, is what we must
		 * write.
		 */
		memset(&info, 0, sizeof(info));
		sf = sf_open(path24, SFM_READ, &info);
		assert_non_null(sf);
		assert_int_equal(sf_readf_int(sf, ints, NF), NF);
		assert_int_equal(sf_close(sf), 0);
		assert_int_equal(unlink(path24), 0);
		t_path(g, "pcm32.wav", path, sizeof(path));
		sf = t_sf_create(path, SF_FORMAT_PCM_32, NCH);
		assert_int_equal(sf_writef_int(sf, ints, NF), NF);
		assert_int_equal(sf_close(sf), 0);
		break;
	case CONV_FLOAT32:
		t_path(g, "float.wav", path, sizeof(path));
		sf = t_sf_create(path, SF_FORMAT_FLOAT, NCH);
		assert_int_equal(sf_writef_float(sf, inter, NF), NF);
		assert_int_equal(sf_close(sf), 0);
		break;
	}

	data = t_wav_data(path, &len);
	assert_int_equal(len, NCH * NF * bytes);
	for (i = 0; i < len; i++)
		if (out[i] != data[i])
			fail_msg("%s: frame %zu channel %zu: %d, libsndfile "
			    "%d (input %a)", t_fmt_name(fmt), i / bytes / NCH,
			    i / bytes % NCH,
			    (int)t_code(fmt, out + i / bytes * bytes),
			    (int)t_code(fmt, data + i / bytes * bytes),
			    (double)ch[i / bytes % NCH][i / bytes / NCH]);
	free(data);

	if (fmt == CONV_FLOAT32) {
		double	sfpeak[NCH];

		/* libsndfile keeps a PEAK chunk for float files. */
		memset(&info, 0, sizeof(info));
		sf = sf_open(path, SFM_READ, &info);
		assert_non_null(sf);
		assert_int_equal(sf_command(sf, SFC_GET_MAX_ALL_CHANNELS,
		    sfpeak, sizeof(sfpeak)), SF_TRUE);
		assert_int_equal(sf_close(sf), 0);
		for (c = 0; c < NCH; c++)
			assert_true((double)peak[c] == sfpeak[c]);
	}
	assert_int_equal(unlink(path), 0);

	for (c = 0; c < NCH; c++) {
		want = 0.0f;
		nclip = 0;
		for (i = 0; i < NF; i++) {
			want = fmaxf(want, fabsf(ch[c][i]));
			nclip += fabsf(ch[c][i]) > 1.0f;
		}
		assert_true(nclip > 0);
		assert_int_equal(clips[c], nclip);
		assert_int_equal(t_bits(peak[c]), t_bits(want));
	}
	free(plane);
	free(inter);
	free(ints);
	free(out);
}

static void
test_sndfile_pcm16(void **state)
{
	t_sf_compare(*state, CONV_PCM16);
}

static void
test_sndfile_pcm24(void **state)
{
	t_sf_compare(*state, CONV_PCM24);
}

static void
test_sndfile_pcm32(void **state)
{
	t_sf_compare(*state, CONV_PCM32);
}

static void
test_sndfile_float32(void **state)
{
	t_sf_compare(*state, CONV_FLOAT32);
}

/*
 * TPDF dither on a constant 0.3 (9830.1 LSB): every code within 1 LSB of
 * the undithered 9830, the error's mean 0 and its variance 1/4 LSB^2
 * (1/12 for rounding plus 1/6 for triangular noise; no dither gives 0,
 * rectangular 1/6).  Without dither, every code is exactly 9830.
 */
static void
test_dither_tpdf(void **state)
{
	enum { N = 1 << 17 };
	volatile float	 scaled;
	float		*in, peak = 0.0f;
	unsigned char	*out;
	uint64_t	 clips = 0;
	uint32_t	 seed = 0x12345678;
	double		 e, sum = 0.0, sumsq = 0.0, mean, var;
	int32_t		 code;
	size_t		 i, moved = 0;
	int		 path;

	(void)state;
	in = t_alloc(N * sizeof(*in));
	out = t_alloc(N * 2);
	for (i = 0; i < N; i++)
		in[i] = 0.3f;
	scaled = 0.3f * 32767.0f;
	conv_mono(CONV_PCM16, in, N, out, &peak, &clips, NULL);
	for (i = 0; i < N; i++)
		assert_int_equal(t_code(CONV_PCM16, out + 2 * i), 9830);

	for (path = 0; path < 2; path++) {
		sum = sumsq = 0.0;
		moved = 0;
		if (path == 0)
			conv_mono(CONV_PCM16, in, N, out, &peak, &clips, &seed);
		else
			conv_mono_ref(CONV_PCM16, in, N, out, &peak, &clips,
			    &seed);
		for (i = 0; i < N; i++) {
			code = t_code(CONV_PCM16, out + 2 * i);
			if (code < 9829 || code > 9831)
				fail_msg("sample %zu: %d", i, (int)code);
			moved += code != 9830;
			e = code - (double)scaled;
			sum += e;
			sumsq += e * e;
		}
		mean = sum / N;
		var = sumsq / N - mean * mean;
		if (fabs(mean) > 0.01 || var < 0.23 || var > 0.27)
			fail_msg("%s: error mean %g, variance %g",
			    path ? "ref" : "fast", mean, var);
		assert_true(moved > N / 10);
	}
	assert_int_equal(clips, 0);
	free(in);
	free(out);
}

/*
 * Dither at and past full scale: +-1.0 may move inward but never wraps or
 * counts as a clip; clipped samples and NaN are written undithered.
 */
static void
test_dither_limits(void **state)
{
	enum { N = 1001 };
	static const struct {
		float	in;
		int32_t	lo, hi;		/* the codes allowed */
		int	clip;
	} tc[] = {
		{ 1.0f, 32766, 32767, 0 },
		{ -1.0f, -32767, -32766, 0 },
		{ 0.0f, -1, 1, 0 },
		{ 1.5f, 32767, 32767, 1 },
		{ -1.5f, -32767, -32767, 1 },
		{ INFINITY, 32767, 32767, 1 },
		{ NAN, 0, 0, 1 },
	};
	float		in[N], peak;
	unsigned char	out[2 * N];
	uint64_t	clips;
	uint32_t	seed = 7;
	int32_t		code;
	size_t		i, k, spread;

	(void)state;
	for (k = 0; k < sizeof(tc) / sizeof(tc[0]); k++) {
		for (i = 0; i < N; i++)
			in[i] = tc[k].in;
		peak = 0.0f;
		clips = 0;
		conv_mono(CONV_PCM16, in, N, out, &peak, &clips, &seed);
		spread = 0;
		for (i = 0; i < N; i++) {
			code = t_code(CONV_PCM16, out + 2 * i);
			if (code < tc[k].lo || code > tc[k].hi)
				fail_msg("%a: sample %zu: %d", (double)tc[k].in,
				    i, (int)code);
			spread += code != t_code(CONV_PCM16, out);
		}
		assert_int_equal(clips, tc[k].clip ? N : 0);
		/* Where two codes are allowed, the noise uses both. */
		if (tc[k].lo != tc[k].hi)
			assert_true(spread > 0);
	}
}

/*
 * Dither is for 16 bits only: other formats give the undithered bytes and
 * leave the states alone.  Channels with distinct seeds get distinct noise.
 */
static void
test_dither_scope(void **state)
{
	enum { N = 257 };
	struct t_rng	 r = { 99 };
	float		 a[N], peak[2] = { 0 };
	const float	*src[2] = { a, a };
	unsigned char	 out[N * 2 * 4], plain[N * 4];
	uint64_t	 clips[2] = { 0 };
	uint32_t	 seed[2] = { 1, 2 };
	size_t		 i, differ = 0;
	int		 k;

	(void)state;
	for (i = 0; i < N; i++)
		a[i] = t_rand_sample(&r);
	for (k = 1; k < T_NFMT; k++) {
		conv_mono(t_fmts[k], a, N, plain, peak, clips, NULL);
		conv_mono(t_fmts[k], a, N, out, peak, clips, seed);
		assert_memory_equal(out, plain,
		    N * conv_sample_bytes(t_fmts[k]));
		conv_interleave(t_fmts[k], src, 2, N, out, peak, clips, seed);
		assert_int_equal(seed[0], 1);
		assert_int_equal(seed[1], 2);
	}
	for (i = 0; i < N; i++)
		a[i] = 0.3f;
	conv_interleave(CONV_PCM16, src, 2, N, out, peak, clips, seed);
	assert_true(seed[0] != 1 && seed[1] != 2);
	for (i = 0; i < N; i++)
		differ += memcmp(out + 4 * i, out + 4 * i + 2, 2) != 0;
	assert_true(differ > N / 10);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_sample_bytes),
		cmocka_unit_test(test_pcm16_bytes),
		cmocka_unit_test(test_pcm24_bytes),
		cmocka_unit_test(test_pcm32_bytes),
		cmocka_unit_test(test_float32_bytes),
		cmocka_unit_test(test_ties_to_even),
		cmocka_unit_test(test_roundtrip_24),
		cmocka_unit_test(test_roundtrip_16),
		cmocka_unit_test(test_nan_inf_per_channel),
		cmocka_unit_test(test_paths_match_ref),
		cmocka_unit_test(test_cut_anywhere),
		cmocka_unit_test(test_sndfile_pcm16),
		cmocka_unit_test(test_sndfile_pcm24),
		cmocka_unit_test(test_sndfile_pcm32),
		cmocka_unit_test(test_sndfile_float32),
		cmocka_unit_test(test_dither_tpdf),
		cmocka_unit_test(test_dither_limits),
		cmocka_unit_test(test_dither_scope),
	};

	return cmocka_run_group_tests(tests, t_group_setup, t_group_teardown);
}
