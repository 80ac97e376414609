/*
 * conv.c: float to WAV sample bytes, with peaks and clip counts in the same
 * pass.  Runs on the writer thread for every sample it writes, so nothing
 * here allocates or makes a system call.  The _ref functions define the
 * result; the SSE2 path must match them bit for bit (test_conv checks).
 */
#include "conv.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/*
 * With dither, both paths round f * lim to a float before adding the
 * noise; a fused multiply-add would round once and break the bit-for-bit
 * match.  GCC does not fuse in ISO C mode (-std=c11); clang needs telling.
 */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/*
 * Full-scale codes and the shift of 32-bit files: jack2 common/memops.c
 * reads an N-bit code x as x * (1 / (2^(N-1) - 1)) (SAMPLE_16BIT_SCALING,
 * SAMPLE_24BIT_SCALING), clips to the symmetric SAMPLE_<N>BIT_MIN/MAX, and
 * writes S32 devices as the 24-bit code << 8 (float_24u32).
 */
#define CONV_S16_MAX	32767.0f
#define CONV_S24_MAX	8388607.0f
#define CONV_S32_SHIFT	8

/*
 * TPDF dither.  A channel's state is a Weyl counter that steps by
 * CONV_DITHER_WEYL (2^32 / golden ratio, odd: period 2^32) once per sample;
 * the noise is a hash of the counter.  Nothing chains one sample's noise to
 * the last but an add, so the fast path makes four at a time; a serial
 * generator such as xorshift32 made the dithered path as slow as the
 * scalar loop.  The hash is a bijection, so over the period every 32-bit
 * value comes once: its two halves are independent uniforms u1, u2, and
 * u1 - u2, a multiple of 2^-16 below 1 in magnitude, is exact in a float.
 */
#define CONV_DITHER_WEYL	0x9e3779b9u
#define CONV_DITHER_STEP	0x1p-16f

/* MurmurHash3's 32-bit finalizer (Appleby, public domain): full avalanche. */
#define CONV_MIX_MUL1	0x85ebca6bu
#define CONV_MIX_MUL2	0xc2b2ae35u

static inline uint32_t
conv_mix(uint32_t x)
{
	x ^= x >> 16;
	x *= CONV_MIX_MUL1;
	x ^= x >> 13;
	x *= CONV_MIX_MUL2;
	x ^= x >> 16;
	return x;
}

/* Triangular noise in (-1, 1) LSB for the next sample of a channel. */
static inline float
conv_tpdf(uint32_t *state)
{
	uint32_t	x;

	*state += CONV_DITHER_WEYL;
	x = conv_mix(*state);
	return (float)((int32_t)(x >> 16) - (int32_t)(x & 0xffff)) *
	    CONV_DITHER_STEP;
}

/*
 * The rule for one sample of an integer format: lim is the full-scale code
 * as a float, d the dither in LSB (0 without).  Returns the code.
 */
static inline int32_t
conv_int_one(float f, float lim, float d, float *peak, uint64_t *clips)
{
	float	a, x;

	a = fabsf(f);
	if (a > *peak)			/* false for NaN */
		*peak = a;
	if (!(a <= 1.0f)) {		/* |f| > 1, +-Inf or NaN */
		(*clips)++;
		if (isnan(f))
			return 0;
		return f > 0.0f ? (int32_t)lim : -(int32_t)lim;
	}
	x = f * lim;
	x += d;
	/* Only dither can push an in-range sample past the limit. */
	if (x > lim)
		x = lim;
	else if (x < -lim)
		x = -lim;
	return (int32_t)lrintf(x);
}

/* The rule for one sample of CONV_FLOAT32. */
static inline float
conv_float_one(float f, float *peak, uint64_t *clips)
{
	float	a;

	a = fabsf(f);
	if (a > *peak)
		*peak = a;
	if (!(a <= 1.0f)) {
		(*clips)++;
		if (isnan(f))
			return 0.0f;
		if (isinf(f))
			return f > 0.0f ? 1.0f : -1.0f;
	}
	return f;
}

/*
 * Little-endian stores, a byte at a time so that they are right on any host
 * and at any alignment; compilers turn them into single stores.
 */
static inline void
conv_put16(unsigned char *p, uint32_t u)
{
	p[0] = (unsigned char)u;
	p[1] = (unsigned char)(u >> 8);
}

static inline void
conv_put24(unsigned char *p, uint32_t u)
{
	p[0] = (unsigned char)u;
	p[1] = (unsigned char)(u >> 8);
	p[2] = (unsigned char)(u >> 16);
}

static inline void
conv_put32(unsigned char *p, uint32_t u)
{
	p[0] = (unsigned char)u;
	p[1] = (unsigned char)(u >> 8);
	p[2] = (unsigned char)(u >> 16);
	p[3] = (unsigned char)(u >> 24);
}

/*
 * Codes travel as uint32_t from here on: the 32-bit shift and the byte
 * stores are then defined for negative codes too.
 */
static inline void
conv_put_one(enum conv_fmt fmt, unsigned char *p, float f, float *peak,
    uint64_t *clips, uint32_t *dither)
{
	uint32_t	u;
	float		d, g;

	switch (fmt) {
	case CONV_PCM16:
		d = dither != NULL ? conv_tpdf(dither) : 0.0f;
		u = (uint32_t)conv_int_one(f, CONV_S16_MAX, d, peak, clips);
		conv_put16(p, u);
		break;
	case CONV_PCM24:
		u = (uint32_t)conv_int_one(f, CONV_S24_MAX, 0.0f, peak, clips);
		conv_put24(p, u);
		break;
	case CONV_PCM32:
		u = (uint32_t)conv_int_one(f, CONV_S24_MAX, 0.0f, peak, clips);
		conv_put32(p, u << CONV_S32_SHIFT);
		break;
	case CONV_FLOAT32:
		g = conv_float_one(f, peak, clips);
		memcpy(&u, &g, sizeof(u));
		conv_put32(p, u);
		break;
	}
}

size_t
conv_sample_bytes(enum conv_fmt fmt)
{
	switch (fmt) {
	case CONV_PCM16:
		return 2;
	case CONV_PCM24:
		return 3;
	case CONV_PCM32:
	case CONV_FLOAT32:
		return 4;
	}
	return 0;
}

void
conv_interleave_ref(enum conv_fmt fmt, const float *const src[],
    unsigned nch, size_t nframes, void *dst, float peak[], uint64_t clips[],
    uint32_t dither[])
{
	unsigned char	*p = dst;
	size_t		 bytes, i;
	unsigned	 c;

	bytes = conv_sample_bytes(fmt);
	assert(bytes != 0);
	for (i = 0; i < nframes; i++)
		for (c = 0; c < nch; c++, p += bytes)
			conv_put_one(fmt, p, src[c][i], &peak[c], &clips[c],
			    dither != NULL ? &dither[c] : NULL);
}

void
conv_mono_ref(enum conv_fmt fmt, const float *src, size_t nframes,
    void *dst, float *peak, uint64_t *clips, uint32_t *dither)
{
	conv_interleave_ref(fmt, &src, 1, nframes, dst, peak, clips, dither);
}

#if defined(__SSE2__)

/*
 * The fast path works per channel on blocks of frames: convert four
 * samples at a time into 32-bit codes in a scratch array on the stack
 * (16 KiB, stays in L1), in file order (a channel's codes nch apart when
 * interleaving), then pack the whole block into the file layout at once.
 * Every block ends with the scalar rule for its last n % 4 samples, so each
 * sample gets exactly what conv_put_one gives it.  x86 is little-endian, so
 * copying a uint32_t to memory lays it out as a WAV sample.
 */
#define CONV_SCRATCH	4096		/* codes: 16 KiB */

/* Per-block meter accumulators, one lane per vector lane. */
struct conv_meter {
	__m128		 peak;		/* largest |f| so far, per lane */
	__m128i		 clips;		/* clipped samples, per lane */
};

static inline void
conv_meter_init(struct conv_meter *m, float peak)
{
	m->peak = _mm_set1_ps(peak);
	m->clips = _mm_setzero_si128();
}

/*
 * Takes the peak and clip count of four samples and returns the mask of
 * those that are clipped (|f| > 1, +-Inf, NaN).  max_ps returns its second
 * operand when the first is NaN, which is how NaN leaves the peak alone,
 * as the scalar "a > peak" does.
 */
static inline __m128
conv_meter_add(struct conv_meter *m, __m128 f)
{
	__m128	a, bad;

	a = _mm_andnot_ps(_mm_set1_ps(-0.0f), f);
	m->peak = _mm_max_ps(a, m->peak);
	bad = _mm_cmpnle_ps(a, _mm_set1_ps(1.0f));
	m->clips = _mm_sub_epi32(m->clips, _mm_castps_si128(bad));
	return bad;
}

/*
 * Folds the lanes into *peak and *clips.  The lanes all started from *peak
 * and only ever took larger values, so the same "greater than" across them
 * gives what the scalar loop gives, even for a NaN or -0 *peak.
 */
static inline void
conv_meter_done(const struct conv_meter *m, float *peak, uint64_t *clips)
{
	float		lane[4], p;
	uint32_t	n[4];
	int		k;

	_mm_storeu_ps(lane, m->peak);
	_mm_storeu_si128((__m128i *)n, m->clips);
	p = lane[0];
	for (k = 1; k < 4; k++)
		if (lane[k] > p)
			p = lane[k];
	*peak = p;
	*clips += (uint64_t)n[0] + n[1] + n[2] + n[3];
}

/* f clamped to [-1, 1] with NaN as 0, times lim: exact at the limits. */
static inline __m128
conv_scale4(__m128 f, __m128 lim)
{
	__m128	x;

	/* max_ps(NaN, -1) is -1; the ordered mask then makes it 0. */
	x = _mm_min_ps(_mm_max_ps(f, _mm_set1_ps(-1.0f)), _mm_set1_ps(1.0f));
	x = _mm_and_ps(x, _mm_cmpord_ps(f, f));
	return _mm_mul_ps(x, lim);
}

/* Four codes to codes[0], codes[stride], ... */
static inline void
conv_store4(uint32_t *codes, __m128i q, size_t stride)
{
	if (stride == 1) {
		_mm_storeu_si128((__m128i *)codes, q);
		return;
	}
	codes[0] = (uint32_t)_mm_cvtsi128_si32(q);
	codes[stride] = (uint32_t)_mm_cvtsi128_si32(_mm_shuffle_epi32(q, 1));
	codes[2 * stride] = (uint32_t)_mm_cvtsi128_si32(
	    _mm_shuffle_epi32(q, 2));
	codes[3 * stride] = (uint32_t)_mm_cvtsi128_si32(
	    _mm_shuffle_epi32(q, 3));
}

/*
 * Integer codes for n samples.  _mm_cvtps_epi32 rounds to nearest even
 * under the default MXCSR, as lrintf does under the default rounding mode.
 */
static void
conv_block_int(const float *src, size_t n, float lim, int shift,
    uint32_t *codes, size_t stride, float *peak, uint64_t *clips)
{
	struct conv_meter	 m;
	const __m128		 vlim = _mm_set1_ps(lim);
	const __m128i		 count = _mm_cvtsi32_si128(shift);
	__m128i			 q;
	size_t			 i;
	uint32_t		 u;

	conv_meter_init(&m, *peak);
	for (i = 0; i + 4 <= n; i += 4) {
		__m128	f = _mm_loadu_ps(src + i);

		conv_meter_add(&m, f);
		q = _mm_cvtps_epi32(conv_scale4(f, vlim));
		q = _mm_sll_epi32(q, count);
		conv_store4(codes + i * stride, q, stride);
	}
	conv_meter_done(&m, peak, clips);
	for (; i < n; i++) {
		u = (uint32_t)conv_int_one(src[i], lim, 0.0f, peak, clips);
		codes[i * stride] = u << shift;
	}
}

/* The low 32 bits of a * b in each lane (SSE2 has no pmulld). */
static inline __m128i
conv_mul32(__m128i a, __m128i b)
{
	__m128i	even, odd;

	even = _mm_mul_epu32(a, b);
	odd = _mm_mul_epu32(_mm_srli_epi64(a, 32), _mm_srli_epi64(b, 32));
	even = _mm_shuffle_epi32(even, _MM_SHUFFLE(0, 0, 2, 0));
	odd = _mm_shuffle_epi32(odd, _MM_SHUFFLE(0, 0, 2, 0));
	return _mm_unpacklo_epi32(even, odd);
}

/* conv_tpdf for four counters at once. */
static inline __m128
conv_tpdf4(__m128i s)
{
	__m128i	x;

	x = _mm_xor_si128(s, _mm_srli_epi32(s, 16));
	x = conv_mul32(x, _mm_set1_epi32((int32_t)CONV_MIX_MUL1));
	x = _mm_xor_si128(x, _mm_srli_epi32(x, 13));
	x = conv_mul32(x, _mm_set1_epi32((int32_t)CONV_MIX_MUL2));
	x = _mm_xor_si128(x, _mm_srli_epi32(x, 16));
	x = _mm_sub_epi32(_mm_srli_epi32(x, 16),
	    _mm_and_si128(x, _mm_set1_epi32(0xffff)));
	return _mm_mul_ps(_mm_cvtepi32_ps(x), _mm_set1_ps(CONV_DITHER_STEP));
}

/*
 * 16-bit codes with TPDF dither.  Lane k of the counters holds the value
 * that the scalar loop would reach k + 1 samples on, so every sample gets
 * the noise it gets there.  Clipped samples get none, so that they land
 * exactly on the limit.
 */
static void
conv_block_dither(const float *src, size_t n, uint32_t *state,
    uint32_t *codes, size_t stride, float *peak, uint64_t *clips)
{
	struct conv_meter	 m;
	const __m128		 vlim = _mm_set1_ps(CONV_S16_MAX);
	const __m128		 vnlim = _mm_set1_ps(-CONV_S16_MAX);
	const __m128i		 step = _mm_set1_epi32(
				    (int32_t)(4 * CONV_DITHER_WEYL));
	__m128i			 ctr;
	__m128			 x, d, bad;
	uint32_t		 s = *state;
	size_t			 i;

	ctr = _mm_set_epi32((int32_t)(s + 4 * CONV_DITHER_WEYL),
	    (int32_t)(s + 3 * CONV_DITHER_WEYL),
	    (int32_t)(s + 2 * CONV_DITHER_WEYL),
	    (int32_t)(s + CONV_DITHER_WEYL));
	conv_meter_init(&m, *peak);
	for (i = 0; i + 4 <= n; i += 4) {
		__m128	f = _mm_loadu_ps(src + i);

		bad = conv_meter_add(&m, f);
		x = conv_scale4(f, vlim);
		d = _mm_andnot_ps(bad, conv_tpdf4(ctr));
		ctr = _mm_add_epi32(ctr, step);
		x = _mm_add_ps(x, d);
		x = _mm_min_ps(_mm_max_ps(x, vnlim), vlim);
		conv_store4(codes + i * stride, _mm_cvtps_epi32(x), stride);
	}
	conv_meter_done(&m, peak, clips);
	s += (uint32_t)i * CONV_DITHER_WEYL;
	for (; i < n; i++)
		codes[i * stride] = (uint32_t)conv_int_one(src[i], CONV_S16_MAX,
		    conv_tpdf(&s), peak, clips);
	*state = s;
}

/* Float bits for n samples: NaN to +0, +-Inf to +-1, the rest as is. */
static void
conv_block_float(const float *src, size_t n, uint32_t *codes, size_t stride,
    float *peak, uint64_t *clips)
{
	struct conv_meter	 m;
	const __m128		 sign = _mm_set1_ps(-0.0f);
	const __m128		 inf = _mm_set1_ps(INFINITY);
	__m128			 f, is_nan, is_inf, o;
	size_t			 i;
	float			 g;

	conv_meter_init(&m, *peak);
	for (i = 0; i + 4 <= n; i += 4) {
		f = _mm_loadu_ps(src + i);
		conv_meter_add(&m, f);
		is_nan = _mm_cmpunord_ps(f, f);
		is_inf = _mm_cmpeq_ps(_mm_andnot_ps(sign, f), inf);
		o = _mm_andnot_ps(_mm_or_ps(is_nan, is_inf), f);
		o = _mm_or_ps(o, _mm_and_ps(is_inf,
		    _mm_or_ps(_mm_and_ps(f, sign), _mm_set1_ps(1.0f))));
		conv_store4(codes + i * stride, _mm_castps_si128(o), stride);
	}
	conv_meter_done(&m, peak, clips);
	for (; i < n; i++) {
		g = conv_float_one(src[i], peak, clips);
		memcpy(&codes[i * stride], &g, sizeof(g));
	}
}

/* n samples of one channel to codes, stride apart. */
static void
conv_block(enum conv_fmt fmt, const float *src, size_t n, uint32_t *codes,
    size_t stride, float *peak, uint64_t *clips, uint32_t *dither)
{
	switch (fmt) {
	case CONV_PCM16:
		if (dither != NULL)
			conv_block_dither(src, n, dither, codes, stride, peak,
			    clips);
		else
			conv_block_int(src, n, CONV_S16_MAX, 0, codes, stride,
			    peak, clips);
		break;
	case CONV_PCM24:
		conv_block_int(src, n, CONV_S24_MAX, 0, codes, stride, peak,
		    clips);
		break;
	case CONV_PCM32:
		conv_block_int(src, n, CONV_S24_MAX, CONV_S32_SHIFT, codes,
		    stride, peak, clips);
		break;
	case CONV_FLOAT32:
		conv_block_float(src, n, codes, stride, peak, clips);
		break;
	}
}

/*
 * 24-bit codes to 3-byte samples, four at a time: the low three bytes of
 * each pair of codes are joined within a 64-bit lane, then the two lanes'
 * six bytes are joined into twelve, stored with one 16-byte store whose
 * last four bytes the next store overwrites.  The last stores, which
 * would run past the end, are byte stores.
 */
static void
conv_pack24(const uint32_t *codes, size_t n, unsigned char *p)
{
	const __m128i	low24 = _mm_set1_epi32(0xffffff);
	const __m128i	even = _mm_set_epi32(0, -1, 0, -1);
	const __m128i	lane0 = _mm_set_epi32(0, 0, -1, -1);
	__m128i		v, x;
	size_t		i;

	for (i = 0; i + 6 <= n; i += 4) {	/* 3 * i + 16 <= 3 * n */
		v = _mm_and_si128(_mm_loadu_si128((const __m128i *)(codes +
		    i)), low24);
		x = _mm_or_si128(_mm_and_si128(v, even),
		    _mm_srli_epi64(_mm_andnot_si128(even, v), 8));
		x = _mm_or_si128(_mm_and_si128(x, lane0),
		    _mm_srli_si128(_mm_andnot_si128(lane0, x), 2));
		_mm_storeu_si128((__m128i *)(p + 3 * i), x);
	}
	for (; i < n; i++)
		conv_put24(p + 3 * i, codes[i]);
}

/* Codes to a run of samples in file order. */
static void
conv_pack(enum conv_fmt fmt, const uint32_t *codes, size_t n,
    unsigned char *p)
{
	size_t	i = 0;

	switch (fmt) {
	case CONV_PCM16:
		/* The codes fit, so the saturating pack only narrows. */
		for (; i + 8 <= n; i += 8) {
			__m128i	lo, hi;

			lo = _mm_loadu_si128((const __m128i *)(codes + i));
			hi = _mm_loadu_si128((const __m128i *)(codes + i + 4));
			_mm_storeu_si128((__m128i *)(p + 2 * i),
			    _mm_packs_epi32(lo, hi));
		}
		for (; i < n; i++)
			conv_put16(p + 2 * i, codes[i]);
		break;
	case CONV_PCM24:
		conv_pack24(codes, n, p);
		break;
	case CONV_PCM32:
	case CONV_FLOAT32:
		memcpy(p, codes, 4 * n);
		break;
	}
}

/*
 * Blocks of as many frames as the scratch array holds (a multiple of 4,
 * so that the vector loop covers every block but the last): each channel
 * is converted into its column of the block, then the block is packed as
 * one run.  More channels than leave four frames a block (recd takes 256)
 * go through the scalar loop.
 */
void
conv_interleave(enum conv_fmt fmt, const float *const src[], unsigned nch,
    size_t nframes, void *dst, float peak[], uint64_t clips[],
    uint32_t dither[])
{
	uint32_t	 codes[CONV_SCRATCH];
	unsigned char	*out = dst;
	size_t		 bytes, block, i, n;
	unsigned	 c;

	if (nch == 1) {
		conv_mono(fmt, src[0], nframes, dst, peak, clips, dither);
		return;
	}
	block = CONV_SCRATCH / nch / 4 * 4;
	if (block == 0) {
		conv_interleave_ref(fmt, src, nch, nframes, dst, peak, clips,
		    dither);
		return;
	}
	bytes = conv_sample_bytes(fmt);
	assert(bytes != 0);
	for (i = 0; i < nframes; i += n) {
		n = nframes - i < block ? nframes - i : block;
		for (c = 0; c < nch; c++)
			conv_block(fmt, src[c] + i, n, codes + c, nch,
			    &peak[c], &clips[c], dither != NULL ? &dither[c] :
			    NULL);
		conv_pack(fmt, codes, n * nch, out + i * nch * bytes);
	}
}

void
conv_mono(enum conv_fmt fmt, const float *src, size_t nframes, void *dst,
    float *peak, uint64_t *clips, uint32_t *dither)
{
	uint32_t	 codes[CONV_SCRATCH];
	unsigned char	*out = dst;
	size_t		 bytes, i, n;

	bytes = conv_sample_bytes(fmt);
	assert(bytes != 0);
	for (i = 0; i < nframes; i += n) {
		n = nframes - i < CONV_SCRATCH ? nframes - i : CONV_SCRATCH;
		conv_block(fmt, src + i, n, codes, 1, peak, clips, dither);
		conv_pack(fmt, codes, n, out + i * bytes);
	}
}

#else /* !__SSE2__ */

void
conv_interleave(enum conv_fmt fmt, const float *const src[], unsigned nch,
    size_t nframes, void *dst, float peak[], uint64_t clips[],
    uint32_t dither[])
{
	conv_interleave_ref(fmt, src, nch, nframes, dst, peak, clips, dither);
}

void
conv_mono(enum conv_fmt fmt, const float *src, size_t nframes, void *dst,
    float *peak, uint64_t *clips, uint32_t *dither)
{
	conv_mono_ref(fmt, src, nframes, dst, peak, clips, dither);
}

#endif /* __SSE2__ */
