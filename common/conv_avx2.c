/*
 * conv_avx2.c: the AVX2 path of conv_interleave and conv_mono, eight lanes
 * where conv_sse2.c has four; conv.c takes it only where the CPU says it
 * has AVX2.  Writer thread.
 */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "conv_priv.h"

#if defined(CONV_HAVE_AVX2)
#include <immintrin.h>

/*
 * The layout and the rules are those of conv_sse2.c, whose comments say
 * why each step gives the scalar result; this file has the same steps on
 * eight lanes.  AVX2 shuffles and unpacks work within each 128-bit half,
 * so eight frames of a group of four channels transpose into four
 * registers that each hold frame j in the low half and frame j + 4 in the
 * high half.  Every function here is compiled for AVX2 whatever the
 * build's flags, which is why each carries CONV_AVX2.
 */
#define CONV_AVX2	__attribute__((target("avx2")))

/* One channel's running state in the vector loops. */
struct conv_ch8 {
	__m256		 peak;		/* largest |f| so far, per lane */
	__m256i		 clips;		/* clipped samples, per lane */
	__m256i		 ctr;		/* dither: lane k is k + 1 samples on */
};

CONV_AVX2 static inline void
conv_ch8_init(struct conv_ch8 *ch, float peak, const uint32_t *dither)
{
	uint32_t	s = dither != NULL ? *dither : 0;

	ch->peak = _mm256_set1_ps(peak);
	ch->clips = _mm256_setzero_si256();
	ch->ctr = _mm256_add_epi32(_mm256_set1_epi32((int32_t)s),
	    _mm256_mullo_epi32(_mm256_set_epi32(8, 7, 6, 5, 4, 3, 2, 1),
	    _mm256_set1_epi32((int32_t)CONV_DITHER_WEYL)));
}

/* Folds the lanes as conv_ch_done does (conv_sse2.c). */
CONV_AVX2 static inline void
conv_ch8_done(const struct conv_ch8 *ch, size_t n, float *peak,
    uint64_t *clips, uint32_t *dither)
{
	float		lane[8], p;
	uint32_t	c[8];
	uint64_t	sum = 0;
	int		k;

	_mm256_storeu_ps(lane, ch->peak);
	_mm256_storeu_si256((__m256i *)c, ch->clips);
	p = lane[0];
	for (k = 1; k < 8; k++)
		if (lane[k] > p)
			p = lane[k];
	for (k = 0; k < 8; k++)
		sum += c[k];
	*peak = p;
	*clips += sum;
	if (dither != NULL)
		*dither += (uint32_t)n * CONV_DITHER_WEYL;
}

/* Peak and clips of eight samples; returns the clipped ones' mask. */
CONV_AVX2 static inline __m256
conv_meter8(struct conv_ch8 *ch, __m256 f)
{
	__m256	a, bad;

	a = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), f);
	ch->peak = _mm256_max_ps(a, ch->peak);
	bad = _mm256_cmp_ps(a, _mm256_set1_ps(1.0f), _CMP_NLE_UQ);
	ch->clips = _mm256_sub_epi32(ch->clips, _mm256_castps_si256(bad));
	return bad;
}

/* 24-bit codes; NaN becomes 0x80000000 (see conv_q24 in conv_sse2.c). */
CONV_AVX2 static inline __m256i
conv_q24_8(struct conv_ch8 *ch, __m256 f)
{
	const __m256	lim = _mm256_set1_ps(CONV_S24_MAX);
	__m256		x;

	conv_meter8(ch, f);
	x = _mm256_min_ps(lim, _mm256_mul_ps(f, lim));
	x = _mm256_max_ps(_mm256_set1_ps(-CONV_S24_MAX), x);
	return _mm256_cvtps_epi32(x);
}

CONV_AVX2 static inline __m256i
conv_q32_8(struct conv_ch8 *ch, __m256 f)
{
	return _mm256_slli_epi32(conv_q24_8(ch, f), CONV_S32_SHIFT);
}

/* f clamped to [-1, 1] with NaN as 0, times lim. */
CONV_AVX2 static inline __m256
conv_scale8(__m256 f, __m256 lim)
{
	__m256	x;

	x = _mm256_min_ps(_mm256_max_ps(f, _mm256_set1_ps(-1.0f)),
	    _mm256_set1_ps(1.0f));
	x = _mm256_and_ps(x, _mm256_cmp_ps(f, f, _CMP_ORD_Q));
	return _mm256_mul_ps(x, lim);
}

CONV_AVX2 static inline __m256i
conv_q16_8(struct conv_ch8 *ch, __m256 f)
{
	conv_meter8(ch, f);
	return _mm256_cvtps_epi32(conv_scale8(f,
	    _mm256_set1_ps(CONV_S16_MAX)));
}

/* conv_tpdf for eight counters at once. */
CONV_AVX2 static inline __m256
conv_tpdf8(__m256i s)
{
	__m256i	x;

	x = _mm256_xor_si256(s, _mm256_srli_epi32(s, 16));
	x = _mm256_mullo_epi32(x, _mm256_set1_epi32((int32_t)CONV_MIX_MUL1));
	x = _mm256_xor_si256(x, _mm256_srli_epi32(x, 13));
	x = _mm256_mullo_epi32(x, _mm256_set1_epi32((int32_t)CONV_MIX_MUL2));
	x = _mm256_xor_si256(x, _mm256_srli_epi32(x, 16));
	x = _mm256_sub_epi32(_mm256_srli_epi32(x, 16),
	    _mm256_and_si256(x, _mm256_set1_epi32(0xffff)));
	return _mm256_mul_ps(_mm256_cvtepi32_ps(x),
	    _mm256_set1_ps(CONV_DITHER_STEP));
}

/* 16-bit codes with TPDF dither; clipped samples get none. */
CONV_AVX2 static inline __m256i
conv_q16d_8(struct conv_ch8 *ch, __m256 f)
{
	const __m256	lim = _mm256_set1_ps(CONV_S16_MAX);
	__m256		x, d, bad;

	bad = conv_meter8(ch, f);
	x = conv_scale8(f, lim);
	d = _mm256_andnot_ps(bad, conv_tpdf8(ch->ctr));
	ch->ctr = _mm256_add_epi32(ch->ctr,
	    _mm256_set1_epi32((int32_t)(8 * CONV_DITHER_WEYL)));
	x = _mm256_add_ps(x, d);
	x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-CONV_S16_MAX)),
	    lim);
	return _mm256_cvtps_epi32(x);
}

/* Float bits: NaN to +0, +-Inf to +-1, the rest as is. */
CONV_AVX2 static inline __m256i
conv_qf_8(struct conv_ch8 *ch, __m256 f)
{
	const __m256	sign = _mm256_set1_ps(-0.0f);
	__m256		is_nan, is_inf, o;

	conv_meter8(ch, f);
	is_nan = _mm256_cmp_ps(f, f, _CMP_UNORD_Q);
	is_inf = _mm256_cmp_ps(_mm256_andnot_ps(sign, f),
	    _mm256_set1_ps(INFINITY), _CMP_EQ_OQ);
	o = _mm256_andnot_ps(_mm256_or_ps(is_nan, is_inf), f);
	o = _mm256_or_ps(o, _mm256_and_ps(is_inf,
	    _mm256_or_ps(_mm256_and_ps(f, sign), _mm256_set1_ps(1.0f))));
	return _mm256_castps_si256(o);
}

/*
 * Four 24-bit codes in each half to twelve bytes at the bottom of that
 * half: one byte shuffle.
 */
CONV_AVX2 static inline __m256i
conv_pack24_8(__m256i v)
{
	const __m256i	take = _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10,
			    12, 13, 14, -1, -1, -1, -1, 0, 1, 2, 4, 5, 6, 8, 9,
			    10, 12, 13, 14, -1, -1, -1, -1);

	return _mm256_shuffle_epi8(v, take);
}

/*
 * Twelve bytes at the bottom of x to p.  wide: the four bytes after them
 * are written later, so one 16-byte store may run over them.
 */
CONV_AVX2 static inline void
conv_put12_8(unsigned char *p, __m128i x, int wide)
{
	uint32_t	u;

	if (wide) {
		_mm_storeu_si128((__m128i *)p, x);
		return;
	}
	_mm_storel_epi64((__m128i *)p, x);
	u = (uint32_t)_mm_extract_epi32(x, 2);
	memcpy(p + 8, &u, sizeof(u));
}

/*
 * Mono: n samples (a multiple of 8) of one channel to contiguous file
 * samples.  The 24-bit loop gathers its 24 bytes at the bottom and stores
 * 32 while the next vector's store will cover the rest.
 */
CONV_AVX2 static void
conv_mono8_avx2(enum conv_fmt fmt, const float *src, size_t n,
    unsigned char *p, struct conv_ch8 *ch, int dither)
{
	const __m256i	join = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
	__m256i		a;
	size_t		i;

	switch (fmt) {
	case CONV_PCM16:
		for (i = 0; i < n; i += 8) {
			a = dither ? conv_q16d_8(ch, _mm256_loadu_ps(src + i)) :
			    conv_q16_8(ch, _mm256_loadu_ps(src + i));
			/* The codes fit: the saturating pack only narrows. */
			_mm_storeu_si128((__m128i *)(p + 2 * i),
			    _mm_packs_epi32(_mm256_castsi256_si128(a),
			    _mm256_extracti128_si256(a, 1)));
		}
		break;
	case CONV_PCM24:
		for (i = 0; i < n; i += 8) {
			a = conv_pack24_8(conv_q24_8(ch,
			    _mm256_loadu_ps(src + i)));
			a = _mm256_permutevar8x32_epi32(a, join);
			if (i + 8 < n) {
				_mm256_storeu_si256((__m256i *)(p + 3 * i), a);
				continue;
			}
			_mm_storeu_si128((__m128i *)(p + 3 * i),
			    _mm256_castsi256_si128(a));
			_mm_storel_epi64((__m128i *)(p + 3 * i + 16),
			    _mm256_extracti128_si256(a, 1));
		}
		break;
	case CONV_PCM32:
		for (i = 0; i < n; i += 8)
			_mm256_storeu_si256((__m256i *)(p + 4 * i),
			    conv_q32_8(ch, _mm256_loadu_ps(src + i)));
		break;
	case CONV_FLOAT32:
		for (i = 0; i < n; i += 8)
			_mm256_storeu_si256((__m256i *)(p + 4 * i),
			    conv_qf_8(ch, _mm256_loadu_ps(src + i)));
		break;
	}
}

CONV_AVX2 void
conv_mono_avx2(enum conv_fmt fmt, const float *src, size_t nframes,
    void *dst, float *peak, uint64_t *clips, uint32_t *dither)
{
	struct conv_ch8	 ch;
	unsigned char	*p = dst;
	size_t		 bytes, n, i;

	bytes = conv_sample_bytes(fmt);
	assert(bytes != 0);
	if (fmt != CONV_PCM16)
		dither = NULL;
	n = nframes / 8 * 8;
	conv_ch8_init(&ch, *peak, dither);
	conv_mono8_avx2(fmt, src, n, p, &ch, dither != NULL);
	conv_ch8_done(&ch, n, peak, clips, dither);
	for (i = n; i < nframes; i++)
		conv_put_one(fmt, p + i * bytes, src[i], peak, clips, dither);
}

/*
 * Four registers, one per channel, to four that hold frame j (j = 0..3)
 * in the low half and frame j + 4 in the high half.
 */
CONV_AVX2 static inline void
conv_transpose8(__m256i q[4])
{
	__m256i	t0, t1, t2, t3;

	t0 = _mm256_unpacklo_epi32(q[0], q[1]);
	t1 = _mm256_unpacklo_epi32(q[2], q[3]);
	t2 = _mm256_unpackhi_epi32(q[0], q[1]);
	t3 = _mm256_unpackhi_epi32(q[2], q[3]);
	q[0] = _mm256_unpacklo_epi64(t0, t1);
	q[1] = _mm256_unpackhi_epi64(t0, t1);
	q[2] = _mm256_unpacklo_epi64(t2, t3);
	q[3] = _mm256_unpackhi_epi64(t2, t3);
}

/* Four frames of four 16-bit samples, two per register, fb bytes apart. */
CONV_AVX2 static inline void
conv_put16x4_avx2(unsigned char *p, size_t fb, __m128i a, __m128i b)
{
	_mm_storel_epi64((__m128i *)p, a);
	_mm_storeh_pi((__m64 *)(p + fb), _mm_castsi128_ps(a));
	_mm_storel_epi64((__m128i *)(p + 2 * fb), b);
	_mm_storeh_pi((__m64 *)(p + 3 * fb), _mm_castsi128_ps(b));
}

/*
 * See CONV_PREFETCH_BYTES.  The address is made as an integer: it may lie
 * past the end of a channel's samples, where a prefetch does no harm but
 * pointer arithmetic is undefined.
 */
CONV_AVX2 static inline void
conv_prefetch1(const float *s)
{
	_mm_prefetch((const char *)((uintptr_t)s + CONV_PREFETCH_BYTES),
	    _MM_HINT_T0);
}

CONV_AVX2 static inline void
conv_prefetch4(const float *s0, const float *s1, const float *s2,
    const float *s3, size_t i)
{
	conv_prefetch1(s0 + i);
	conv_prefetch1(s1 + i);
	conv_prefetch1(s2 + i);
	conv_prefetch1(s3 + i);
}

/*
 * The group loops: four channels, n frames (a multiple of 8), into their
 * places in frames fb bytes apart, with locals written out per channel
 * for the reason given in conv_sse2.c.
 */
CONV_AVX2 static void
conv_group16_avx2(const float *const s[4], size_t n, unsigned char *p,
    size_t fb, struct conv_ch8 ch[4], int dither)
{
	const float	*s0 = s[0], *s1 = s[1], *s2 = s[2], *s3 = s[3];
	struct conv_ch8	 c0 = ch[0], c1 = ch[1], c2 = ch[2], c3 = ch[3];
	__m256i		 q[4], a, b;
	size_t		 i;

	for (i = 0; i < n; i += 8, p += 8 * fb) {
		conv_prefetch4(s0, s1, s2, s3, i);
		if (dither) {
			q[0] = conv_q16d_8(&c0, _mm256_loadu_ps(s0 + i));
			q[1] = conv_q16d_8(&c1, _mm256_loadu_ps(s1 + i));
			q[2] = conv_q16d_8(&c2, _mm256_loadu_ps(s2 + i));
			q[3] = conv_q16d_8(&c3, _mm256_loadu_ps(s3 + i));
		} else {
			q[0] = conv_q16_8(&c0, _mm256_loadu_ps(s0 + i));
			q[1] = conv_q16_8(&c1, _mm256_loadu_ps(s1 + i));
			q[2] = conv_q16_8(&c2, _mm256_loadu_ps(s2 + i));
			q[3] = conv_q16_8(&c3, _mm256_loadu_ps(s3 + i));
		}
		conv_transpose8(q);
		/* Halves: frames 0, 1 | 4, 5 and 2, 3 | 6, 7. */
		a = _mm256_packs_epi32(q[0], q[1]);
		b = _mm256_packs_epi32(q[2], q[3]);
		conv_put16x4_avx2(p, fb, _mm256_castsi256_si128(a),
		    _mm256_castsi256_si128(b));
		conv_put16x4_avx2(p + 4 * fb, fb,
		    _mm256_extracti128_si256(a, 1),
		    _mm256_extracti128_si256(b, 1));
	}
	ch[0] = c0;
	ch[1] = c1;
	ch[2] = c2;
	ch[3] = c3;
}

/*
 * Four frames of packed 24-bit samples, one per register, fb bytes apart,
 * in ascending order (conv_interleave_avx2 relies on it); wide as in
 * conv_put12_8.
 */
CONV_AVX2 static inline void
conv_put24x4_avx2(unsigned char *p, size_t fb, __m128i a, __m128i b,
    __m128i c, __m128i d, int wide)
{
	conv_put12_8(p, a, wide);
	conv_put12_8(p + fb, b, wide);
	conv_put12_8(p + 2 * fb, c, wide);
	conv_put12_8(p + 3 * fb, d, wide);
}

/* Four frames of 32-bit samples, one per register, fb bytes apart. */
CONV_AVX2 static inline void
conv_put32x4_avx2(unsigned char *p, size_t fb, __m128i a, __m128i b,
    __m128i c, __m128i d)
{
	_mm_storeu_si128((__m128i *)p, a);
	_mm_storeu_si128((__m128i *)(p + fb), b);
	_mm_storeu_si128((__m128i *)(p + 2 * fb), c);
	_mm_storeu_si128((__m128i *)(p + 3 * fb), d);
}

/* wide: the four bytes after each twelve are written later. */
CONV_AVX2 static void
conv_group24_avx2(const float *const s[4], size_t n, unsigned char *p,
    size_t fb, struct conv_ch8 ch[4], int wide)
{
	const float	*s0 = s[0], *s1 = s[1], *s2 = s[2], *s3 = s[3];
	struct conv_ch8	 c0 = ch[0], c1 = ch[1], c2 = ch[2], c3 = ch[3];
	__m256i		 q[4];
	size_t		 i;

	for (i = 0; i < n; i += 8, p += 8 * fb) {
		conv_prefetch4(s0, s1, s2, s3, i);
		q[0] = conv_q24_8(&c0, _mm256_loadu_ps(s0 + i));
		q[1] = conv_q24_8(&c1, _mm256_loadu_ps(s1 + i));
		q[2] = conv_q24_8(&c2, _mm256_loadu_ps(s2 + i));
		q[3] = conv_q24_8(&c3, _mm256_loadu_ps(s3 + i));
		conv_transpose8(q);
		q[0] = conv_pack24_8(q[0]);
		q[1] = conv_pack24_8(q[1]);
		q[2] = conv_pack24_8(q[2]);
		q[3] = conv_pack24_8(q[3]);
		conv_put24x4_avx2(p, fb, _mm256_castsi256_si128(q[0]),
		    _mm256_castsi256_si128(q[1]), _mm256_castsi256_si128(q[2]),
		    _mm256_castsi256_si128(q[3]), wide);
		conv_put24x4_avx2(p + 4 * fb, fb,
		    _mm256_extracti128_si256(q[0], 1),
		    _mm256_extracti128_si256(q[1], 1),
		    _mm256_extracti128_si256(q[2], 1),
		    _mm256_extracti128_si256(q[3], 1), wide);
	}
	ch[0] = c0;
	ch[1] = c1;
	ch[2] = c2;
	ch[3] = c3;
}

/* 32-bit codes, or float bits when isfloat. */
CONV_AVX2 static void
conv_group32_avx2(const float *const s[4], size_t n, unsigned char *p,
    size_t fb, struct conv_ch8 ch[4], int isfloat)
{
	const float	*s0 = s[0], *s1 = s[1], *s2 = s[2], *s3 = s[3];
	struct conv_ch8	 c0 = ch[0], c1 = ch[1], c2 = ch[2], c3 = ch[3];
	__m256i		 q[4];
	size_t		 i;

	for (i = 0; i < n; i += 8, p += 8 * fb) {
		conv_prefetch4(s0, s1, s2, s3, i);
		if (isfloat) {
			q[0] = conv_qf_8(&c0, _mm256_loadu_ps(s0 + i));
			q[1] = conv_qf_8(&c1, _mm256_loadu_ps(s1 + i));
			q[2] = conv_qf_8(&c2, _mm256_loadu_ps(s2 + i));
			q[3] = conv_qf_8(&c3, _mm256_loadu_ps(s3 + i));
		} else {
			q[0] = conv_q32_8(&c0, _mm256_loadu_ps(s0 + i));
			q[1] = conv_q32_8(&c1, _mm256_loadu_ps(s1 + i));
			q[2] = conv_q32_8(&c2, _mm256_loadu_ps(s2 + i));
			q[3] = conv_q32_8(&c3, _mm256_loadu_ps(s3 + i));
		}
		conv_transpose8(q);
		conv_put32x4_avx2(p, fb, _mm256_castsi256_si128(q[0]),
		    _mm256_castsi256_si128(q[1]), _mm256_castsi256_si128(q[2]),
		    _mm256_castsi256_si128(q[3]));
		conv_put32x4_avx2(p + 4 * fb, fb,
		    _mm256_extracti128_si256(q[0], 1),
		    _mm256_extracti128_si256(q[1], 1),
		    _mm256_extracti128_si256(q[2], 1),
		    _mm256_extracti128_si256(q[3], 1));
	}
	ch[0] = c0;
	ch[1] = c1;
	ch[2] = c2;
	ch[3] = c3;
}

/*
 * Channels c..c+r-1 (r = 4, or the nch % 4 after the last full group) of
 * frames off..off+n-1 into out (frame off's first byte): the vector loop,
 * then the scalar rule for the frames it left.  A group of r < 4 runs the
 * same loop with its last channel repeated: each frame's store then runs
 * past the group's samples, by less than one frame, into bytes that are
 * written later (see conv_interleave_avx2), and the repeated channels'
 * meters and dither are dropped.  end: the block ends the call, so such a
 * group leaves its last vector's frames to the scalar rule: the last
 * frame's store would have nowhere to run.
 */
CONV_AVX2 static void
conv_group_avx2(enum conv_fmt fmt, const float *const src[], unsigned nch,
    unsigned c, unsigned r, size_t off, size_t n, int end,
    unsigned char *out, float peak[], uint64_t clips[], uint32_t dither[])
{
	struct conv_ch8	 ch[4];
	const float	*s[4];
	unsigned char	*p;
	size_t		 bytes, fb, n8, i;
	unsigned	 k;
	int		 wide;

	bytes = conv_sample_bytes(fmt);
	fb = nch * bytes;
	p = out + c * bytes;
	n8 = n / 8 * 8;
	if (r < 4 && end && n8 == n && n8 > 0)
		n8 -= 8;
	/* The last full group is followed by bytes that are already written. */
	wide = c + 4 < nch / 4 * 4;
	for (k = 0; k < 4; k++) {
		s[k] = src[c + (k < r ? k : r - 1)] + off;
		conv_ch8_init(&ch[k], peak[c + (k < r ? k : r - 1)],
		    dither != NULL ? &dither[c + (k < r ? k : r - 1)] : NULL);
	}
	switch (fmt) {
	case CONV_PCM16:
		conv_group16_avx2(s, n8, p, fb, ch, dither != NULL);
		break;
	case CONV_PCM24:
		conv_group24_avx2(s, n8, p, fb, ch, wide);
		break;
	case CONV_PCM32:
	case CONV_FLOAT32:
		conv_group32_avx2(s, n8, p, fb, ch, fmt == CONV_FLOAT32);
		break;
	}
	for (k = 0; k < r; k++)
		conv_ch8_done(&ch[k], n8, &peak[c + k], &clips[c + k],
		    dither != NULL ? &dither[c + k] : NULL);
	for (i = n8; i < n; i++)
		for (k = 0; k < r; k++)
			conv_put_one(fmt, p + i * fb + k * bytes, s[k][i],
			    &peak[c + k], &clips[c + k],
			    dither != NULL ? &dither[c + k] : NULL);
}

/*
 * Stereo: eight frames of two channels, interleaved within each half,
 * are frames 0, 1 | 4, 5 in one register and 2, 3 | 6, 7 in the other.
 * n is a multiple of 8.
 */
CONV_AVX2 static void
conv_stereo8_avx2(enum conv_fmt fmt, const float *s0, const float *s1,
    size_t n, unsigned char *p, struct conv_ch8 ch[2], int dither)
{
	struct conv_ch8	 c0 = ch[0], c1 = ch[1];
	__m256i		 a, b, lo, hi;
	__m256		 f0, f1;
	size_t		 i;

	for (i = 0; i < n; i += 8) {
		f0 = _mm256_loadu_ps(s0 + i);
		f1 = _mm256_loadu_ps(s1 + i);
		switch (fmt) {
		case CONV_PCM16:
			a = dither ? conv_q16d_8(&c0, f0) : conv_q16_8(&c0, f0);
			b = dither ? conv_q16d_8(&c1, f1) : conv_q16_8(&c1, f1);
			break;
		case CONV_PCM24:
			a = conv_q24_8(&c0, f0);
			b = conv_q24_8(&c1, f1);
			break;
		case CONV_PCM32:
			a = conv_q32_8(&c0, f0);
			b = conv_q32_8(&c1, f1);
			break;
		case CONV_FLOAT32:
		default:
			a = conv_qf_8(&c0, f0);
			b = conv_qf_8(&c1, f1);
			break;
		}
		lo = _mm256_unpacklo_epi32(a, b);
		hi = _mm256_unpackhi_epi32(a, b);
		switch (fmt) {
		case CONV_PCM16:
			/* Packing lo with hi puts the frames in order. */
			_mm256_storeu_si256((__m256i *)(p + 4 * i),
			    _mm256_packs_epi32(lo, hi));
			break;
		case CONV_PCM24:
			lo = conv_pack24_8(lo);
			hi = conv_pack24_8(hi);
			conv_put12_8(p + 6 * i, _mm256_castsi256_si128(lo), 1);
			conv_put12_8(p + 6 * i + 12,
			    _mm256_castsi256_si128(hi), 1);
			conv_put12_8(p + 6 * i + 24,
			    _mm256_extracti128_si256(lo, 1), 1);
			conv_put12_8(p + 6 * i + 36,
			    _mm256_extracti128_si256(hi, 1), i + 8 < n);
			break;
		case CONV_PCM32:
		case CONV_FLOAT32:
			_mm256_storeu_si256((__m256i *)(p + 8 * i),
			    _mm256_permute2x128_si256(lo, hi, 0x20));
			_mm256_storeu_si256((__m256i *)(p + 8 * i + 32),
			    _mm256_permute2x128_si256(lo, hi, 0x31));
			break;
		}
	}
	ch[0] = c0;
	ch[1] = c1;
}

CONV_AVX2 static void
conv_stereo_avx2(enum conv_fmt fmt, const float *const src[],
    size_t nframes, unsigned char *out, float peak[], uint64_t clips[],
    uint32_t dither[])
{
	struct conv_ch8	ch[2];
	size_t		bytes, n, i;
	int		k;

	bytes = conv_sample_bytes(fmt);
	n = nframes / 8 * 8;
	for (k = 0; k < 2; k++)
		conv_ch8_init(&ch[k], peak[k], dither != NULL ? &dither[k] :
		    NULL);
	conv_stereo8_avx2(fmt, src[0], src[1], n, out, ch, dither != NULL);
	for (k = 0; k < 2; k++)
		conv_ch8_done(&ch[k], n, &peak[k], &clips[k], dither != NULL ?
		    &dither[k] : NULL);
	for (i = n; i < nframes; i++)
		for (k = 0; k < 2; k++)
			conv_put_one(fmt, out + (2 * i + k) * bytes, src[k][i],
			    &peak[k], &clips[k], dither != NULL ? &dither[k] :
			    NULL);
}

/*
 * In each block the channels after the last full group go first: their
 * stores run into the next frame's first channels, which the full groups
 * write after them.  The last full group must then not run over into
 * them (see wide in conv_group_avx2); every other group's stores run only
 * into the next group's place.  Frames go in ascending order within a
 * group, so a store that runs into the next frame is overwritten too.
 */
CONV_AVX2 void
conv_interleave_avx2(enum conv_fmt fmt, const float *const src[],
    unsigned nch, size_t nframes, void *dst, float peak[], uint64_t clips[],
    uint32_t dither[])
{
	unsigned char	*out = dst;
	size_t		 bytes, fb, block, i, n;
	unsigned	 c, r;

	bytes = conv_sample_bytes(fmt);
	assert(bytes != 0);
	if (fmt != CONV_PCM16)
		dither = NULL;
	if (nch == 1) {
		conv_mono_avx2(fmt, src[0], nframes, dst, peak, clips, dither);
		return;
	}
	if (nch == 2) {
		conv_stereo_avx2(fmt, src, nframes, out, peak, clips, dither);
		return;
	}
	fb = nch * bytes;
	block = conv_block_frames(fb, 8);
	r = nch % 4;
	for (i = 0; i < nframes; i += n) {
		n = nframes - i < block ? nframes - i : block;
		if (r != 0)
			conv_group_avx2(fmt, src, nch, nch - r, r, i, n,
			    i + n == nframes, out + i * fb, peak, clips,
			    dither);
		for (c = 0; c + 4 <= nch; c += 4)
			conv_group_avx2(fmt, src, nch, c, 4, i, n,
			    i + n == nframes, out + i * fb, peak, clips,
			    dither);
	}
}

#endif /* CONV_HAVE_AVX2 */
