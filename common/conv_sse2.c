/*
 * conv_sse2.c: the SSE2 path of conv_interleave and conv_mono (x86-64
 * always has SSE2).  Writer thread.
 */
#include <assert.h>
#include <math.h>
#include <string.h>

#include "conv_priv.h"

#if defined(__SSE2__)
#include <emmintrin.h>

/*
 * The SSE2 path converts four samples of a channel at a time into 32-bit
 * codes (or float bits) and packs them straight into the file layout, with
 * no second pass over a scratch array.  Interleaving takes channels four
 * at a time: four samples of each of four channels, transposed, are four
 * frames' worth of those channels, each one contiguous run in the output.
 * Every vector loop is followed by the scalar rule for the samples it left,
 * so each sample gets exactly what conv_put_one gives it.  x86 is
 * little-endian, so a code stored from a register is a WAV sample.
 */

/* One channel's running state in the vector loops. */
struct conv_ch {
	__m128		 peak;		/* largest |f| so far, per lane */
	__m128i		 clips;		/* clipped samples, per lane */
	__m128i		 ctr;		/* dither: lane k is k + 1 samples on */
};

static inline void
conv_ch_init(struct conv_ch *ch, float peak, const uint32_t *dither)
{
	uint32_t	s = dither != NULL ? *dither : 0;

	ch->peak = _mm_set1_ps(peak);
	ch->clips = _mm_setzero_si128();
	ch->ctr = _mm_set_epi32((int32_t)(s + 4 * CONV_DITHER_WEYL),
	    (int32_t)(s + 3 * CONV_DITHER_WEYL),
	    (int32_t)(s + 2 * CONV_DITHER_WEYL),
	    (int32_t)(s + CONV_DITHER_WEYL));
}

/*
 * Folds the lanes into *peak and *clips, and steps *dither past the n
 * samples that the lanes took.  The lanes all started from *peak and only
 * ever took larger values, so the same "greater than" across them gives
 * what the scalar loop gives, even for a NaN or -0 *peak.
 */
static inline void
conv_ch_done(const struct conv_ch *ch, size_t n, float *peak,
    uint64_t *clips, uint32_t *dither)
{
	float		lane[4], p;
	uint32_t	c[4];
	int		k;

	_mm_storeu_ps(lane, ch->peak);
	_mm_storeu_si128((__m128i *)c, ch->clips);
	p = lane[0];
	for (k = 1; k < 4; k++)
		if (lane[k] > p)
			p = lane[k];
	*peak = p;
	*clips += (uint64_t)c[0] + c[1] + c[2] + c[3];
	if (dither != NULL)
		*dither += (uint32_t)n * CONV_DITHER_WEYL;
}

/*
 * Takes the peak and clip count of four samples and returns the mask of
 * those that are clipped (|f| > 1, +-Inf, NaN).  max_ps returns its second
 * operand when the first is NaN, which is how NaN leaves the peak alone,
 * as the scalar "a > peak" does.
 */
static inline __m128
conv_meter4(struct conv_ch *ch, __m128 f)
{
	__m128	a, bad;

	a = _mm_andnot_ps(_mm_set1_ps(-0.0f), f);
	ch->peak = _mm_max_ps(a, ch->peak);
	bad = _mm_cmpnle_ps(a, _mm_set1_ps(1.0f));
	ch->clips = _mm_sub_epi32(ch->clips, _mm_castps_si128(bad));
	return bad;
}

/*
 * 24-bit codes, from which the 32-bit ones are made.  min_ps and max_ps
 * return their second operand when either is NaN, so NaN passes the clamp,
 * and cvtps_epi32 makes it 0x80000000: the 24 bits that pcm24 keeps and
 * the 32 that survive the 32-bit shift are all 0, as NaN must give.  Every
 * other product lands on the limit when |f| >= 1 (rounding is monotonic),
 * so clamping after the product gives the scalar rule.  cvtps_epi32 rounds
 * to nearest even under the default MXCSR, as lrintf does under the
 * default rounding mode.
 */
static inline __m128i
conv_q24(struct conv_ch *ch, __m128 f)
{
	const __m128	lim = _mm_set1_ps(CONV_S24_MAX);
	__m128		x;

	conv_meter4(ch, f);
	x = _mm_min_ps(lim, _mm_mul_ps(f, lim));
	x = _mm_max_ps(_mm_set1_ps(-CONV_S24_MAX), x);
	return _mm_cvtps_epi32(x);
}

static inline __m128i
conv_q32(struct conv_ch *ch, __m128 f)
{
	return _mm_slli_epi32(conv_q24(ch, f), CONV_S32_SHIFT);
}

/*
 * f clamped to [-1, 1] with NaN as 0, times lim: exact at the limits.
 * 16-bit codes need NaN made 0 here: the saturating pack would turn
 * 0x80000000 into -32768.
 */
static inline __m128
conv_scale4(__m128 f, __m128 lim)
{
	__m128	x;

	/* max_ps(NaN, -1) is -1; the ordered mask then makes it 0. */
	x = _mm_min_ps(_mm_max_ps(f, _mm_set1_ps(-1.0f)), _mm_set1_ps(1.0f));
	x = _mm_and_ps(x, _mm_cmpord_ps(f, f));
	return _mm_mul_ps(x, lim);
}

static inline __m128i
conv_q16(struct conv_ch *ch, __m128 f)
{
	conv_meter4(ch, f);
	return _mm_cvtps_epi32(conv_scale4(f, _mm_set1_ps(CONV_S16_MAX)));
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
 * 16-bit codes with TPDF dither: lane k of the counters holds the value
 * that the scalar loop reaches k + 1 samples on, so every sample gets the
 * noise it gets there.  Clipped samples get none, so that they land exactly
 * on the limit.
 */
static inline __m128i
conv_q16d(struct conv_ch *ch, __m128 f)
{
	const __m128	lim = _mm_set1_ps(CONV_S16_MAX);
	__m128		x, d, bad;

	bad = conv_meter4(ch, f);
	x = conv_scale4(f, lim);
	d = _mm_andnot_ps(bad, conv_tpdf4(ch->ctr));
	ch->ctr = _mm_add_epi32(ch->ctr,
	    _mm_set1_epi32((int32_t)(4 * CONV_DITHER_WEYL)));
	x = _mm_add_ps(x, d);
	x = _mm_min_ps(_mm_max_ps(x, _mm_set1_ps(-CONV_S16_MAX)), lim);
	return _mm_cvtps_epi32(x);
}

/* Float bits: NaN to +0, +-Inf to +-1, the rest as is. */
static inline __m128i
conv_qf(struct conv_ch *ch, __m128 f)
{
	const __m128	sign = _mm_set1_ps(-0.0f);
	__m128		is_nan, is_inf, o;

	conv_meter4(ch, f);
	is_nan = _mm_cmpunord_ps(f, f);
	is_inf = _mm_cmpeq_ps(_mm_andnot_ps(sign, f), _mm_set1_ps(INFINITY));
	o = _mm_andnot_ps(_mm_or_ps(is_nan, is_inf), f);
	o = _mm_or_ps(o, _mm_and_ps(is_inf,
	    _mm_or_ps(_mm_and_ps(f, sign), _mm_set1_ps(1.0f))));
	return _mm_castps_si128(o);
}

/*
 * Four 24-bit codes (any top byte) to twelve bytes at the bottom of the
 * register: each 64-bit lane joins its two codes into six bytes, then the
 * upper lane's six are moved down next to the lower's.
 */
static inline __m128i
conv_pack24(__m128i v)
{
	const __m128i	lo = _mm_set_epi32(0, 0xffffff, 0, 0xffffff);
	const __m128i	hi = _mm_set_epi32(0xffff, (int)0xff000000,
			    0xffff, (int)0xff000000);
	const __m128i	top = _mm_set_epi32(-1, -1, (int)0xffff0000, 0);
	__m128i		x;

	x = _mm_or_si128(_mm_and_si128(v, lo),
	    _mm_and_si128(_mm_srli_epi64(v, 8), hi));
	return _mm_or_si128(_mm_move_epi64(x),
	    _mm_and_si128(_mm_srli_si128(x, 2), top));
}

/*
 * The twelve bytes of conv_pack24.  wide: the four bytes after them are
 * written later, so one 16-byte store may run over them.
 */
static inline void
conv_put12(unsigned char *p, __m128i x, int wide)
{
	uint32_t	u;

	if (wide) {
		_mm_storeu_si128((__m128i *)p, x);
		return;
	}
	_mm_storel_epi64((__m128i *)p, x);
	u = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(x, 8));
	memcpy(p + 8, &u, sizeof(u));
}

/*
 * Mono: n samples (a multiple of 4) of one channel to contiguous file
 * samples.  The 24-bit loop stores 16 bytes for 12 while the next vector's
 * store will cover the rest.
 */
static void
conv_mono4_sse2(enum conv_fmt fmt, const float *src, size_t n,
    unsigned char *p, struct conv_ch *ch, int dither)
{
	__m128i	a, b;
	size_t	i;

	switch (fmt) {
	case CONV_PCM16:
		for (i = 0; i < n; i += 4) {
			a = dither ? conv_q16d(ch, _mm_loadu_ps(src + i)) :
			    conv_q16(ch, _mm_loadu_ps(src + i));
			/* The codes fit: the saturating pack only narrows. */
			_mm_storel_epi64((__m128i *)(p + 2 * i),
			    _mm_packs_epi32(a, a));
		}
		break;
	case CONV_PCM24:
		for (i = 0; i < n; i += 4) {
			a = conv_pack24(conv_q24(ch, _mm_loadu_ps(src + i)));
			conv_put12(p + 3 * i, a, i + 4 < n);
		}
		break;
	case CONV_PCM32:
		for (i = 0; i < n; i += 4) {
			b = conv_q32(ch, _mm_loadu_ps(src + i));
			_mm_storeu_si128((__m128i *)(p + 4 * i), b);
		}
		break;
	case CONV_FLOAT32:
		for (i = 0; i < n; i += 4) {
			b = conv_qf(ch, _mm_loadu_ps(src + i));
			_mm_storeu_si128((__m128i *)(p + 4 * i), b);
		}
		break;
	}
}

void
conv_mono_sse2(enum conv_fmt fmt, const float *src, size_t nframes,
    void *dst, float *peak, uint64_t *clips, uint32_t *dither)
{
	struct conv_ch	 ch;
	unsigned char	*p = dst;
	size_t		 bytes, n, i;

	bytes = conv_sample_bytes(fmt);
	assert(bytes != 0);
	if (fmt != CONV_PCM16)
		dither = NULL;
	n = nframes / 4 * 4;
	conv_ch_init(&ch, *peak, dither);
	conv_mono4_sse2(fmt, src, n, p, &ch, dither != NULL);
	conv_ch_done(&ch, n, peak, clips, dither);
	for (i = n; i < nframes; i++)
		conv_put_one(fmt, p + i * bytes, src[i], peak, clips, dither);
}

/*
 * Four 4-lane vectors, one per channel, to four vectors one per frame:
 * q[k] lane c becomes q[c] lane k.
 */
static inline void
conv_transpose4(__m128i q[4])
{
	__m128i	t0, t1, t2, t3;

	t0 = _mm_unpacklo_epi32(q[0], q[1]);
	t1 = _mm_unpacklo_epi32(q[2], q[3]);
	t2 = _mm_unpackhi_epi32(q[0], q[1]);
	t3 = _mm_unpackhi_epi32(q[2], q[3]);
	q[0] = _mm_unpacklo_epi64(t0, t1);
	q[1] = _mm_unpackhi_epi64(t0, t1);
	q[2] = _mm_unpacklo_epi64(t2, t3);
	q[3] = _mm_unpackhi_epi64(t2, t3);
}

/*
 * See CONV_PREFETCH_BYTES.  The address is made as an integer: it may lie
 * past the end of a channel's samples, where a prefetch does no harm but
 * pointer arithmetic is undefined.
 */
static inline void
conv_prefetch1(const float *s)
{
	_mm_prefetch((const char *)((uintptr_t)s + CONV_PREFETCH_BYTES),
	    _MM_HINT_T0);
}

static inline void
conv_prefetch4(const float *s0, const float *s1, const float *s2,
    const float *s3, size_t i)
{
	conv_prefetch1(s0 + i);
	conv_prefetch1(s1 + i);
	conv_prefetch1(s2 + i);
	conv_prefetch1(s3 + i);
}

/*
 * The group loops below: four channels, n frames (a multiple of 4), into
 * their places in frames fb bytes apart.  Each keeps its four channel
 * states and source pointers in locals, written out as four statements,
 * so that they stay in registers: the stores go through bytes, which may
 * alias anything in memory, and a loop over k would keep them there.
 */
static void
conv_group16_sse2(const float *const s[4], size_t n, unsigned char *p,
    size_t fb, struct conv_ch ch[4], int dither)
{
	const float	*s0 = s[0], *s1 = s[1], *s2 = s[2], *s3 = s[3];
	struct conv_ch	 c0 = ch[0], c1 = ch[1], c2 = ch[2], c3 = ch[3];
	__m128i		 q[4];
	size_t		 i;

	for (i = 0; i < n; i += 4, p += 4 * fb) {
		conv_prefetch4(s0, s1, s2, s3, i);
		if (dither) {
			q[0] = conv_q16d(&c0, _mm_loadu_ps(s0 + i));
			q[1] = conv_q16d(&c1, _mm_loadu_ps(s1 + i));
			q[2] = conv_q16d(&c2, _mm_loadu_ps(s2 + i));
			q[3] = conv_q16d(&c3, _mm_loadu_ps(s3 + i));
		} else {
			q[0] = conv_q16(&c0, _mm_loadu_ps(s0 + i));
			q[1] = conv_q16(&c1, _mm_loadu_ps(s1 + i));
			q[2] = conv_q16(&c2, _mm_loadu_ps(s2 + i));
			q[3] = conv_q16(&c3, _mm_loadu_ps(s3 + i));
		}
		conv_transpose4(q);
		/* The codes fit, so the saturating pack only narrows. */
		q[0] = _mm_packs_epi32(q[0], q[1]);
		q[2] = _mm_packs_epi32(q[2], q[3]);
		_mm_storel_epi64((__m128i *)p, q[0]);
		_mm_storeh_pi((__m64 *)(p + fb), _mm_castsi128_ps(q[0]));
		_mm_storel_epi64((__m128i *)(p + 2 * fb), q[2]);
		_mm_storeh_pi((__m64 *)(p + 3 * fb), _mm_castsi128_ps(q[2]));
	}
	ch[0] = c0;
	ch[1] = c1;
	ch[2] = c2;
	ch[3] = c3;
}

/* wide: the four bytes after each twelve are written later (conv_put12). */
static void
conv_group24_sse2(const float *const s[4], size_t n, unsigned char *p,
    size_t fb, struct conv_ch ch[4], int wide)
{
	const float	*s0 = s[0], *s1 = s[1], *s2 = s[2], *s3 = s[3];
	struct conv_ch	 c0 = ch[0], c1 = ch[1], c2 = ch[2], c3 = ch[3];
	__m128i		 q[4];
	size_t		 i;

	for (i = 0; i < n; i += 4, p += 4 * fb) {
		conv_prefetch4(s0, s1, s2, s3, i);
		q[0] = conv_q24(&c0, _mm_loadu_ps(s0 + i));
		q[1] = conv_q24(&c1, _mm_loadu_ps(s1 + i));
		q[2] = conv_q24(&c2, _mm_loadu_ps(s2 + i));
		q[3] = conv_q24(&c3, _mm_loadu_ps(s3 + i));
		conv_transpose4(q);
		conv_put12(p, conv_pack24(q[0]), wide);
		conv_put12(p + fb, conv_pack24(q[1]), wide);
		conv_put12(p + 2 * fb, conv_pack24(q[2]), wide);
		conv_put12(p + 3 * fb, conv_pack24(q[3]), wide);
	}
	ch[0] = c0;
	ch[1] = c1;
	ch[2] = c2;
	ch[3] = c3;
}

/* 32-bit codes, or float bits when isfloat. */
static void
conv_group32_sse2(const float *const s[4], size_t n, unsigned char *p,
    size_t fb, struct conv_ch ch[4], int isfloat)
{
	const float	*s0 = s[0], *s1 = s[1], *s2 = s[2], *s3 = s[3];
	struct conv_ch	 c0 = ch[0], c1 = ch[1], c2 = ch[2], c3 = ch[3];
	__m128i		 q[4];
	size_t		 i;

	for (i = 0; i < n; i += 4, p += 4 * fb) {
		conv_prefetch4(s0, s1, s2, s3, i);
		if (isfloat) {
			q[0] = conv_qf(&c0, _mm_loadu_ps(s0 + i));
			q[1] = conv_qf(&c1, _mm_loadu_ps(s1 + i));
			q[2] = conv_qf(&c2, _mm_loadu_ps(s2 + i));
			q[3] = conv_qf(&c3, _mm_loadu_ps(s3 + i));
		} else {
			q[0] = conv_q32(&c0, _mm_loadu_ps(s0 + i));
			q[1] = conv_q32(&c1, _mm_loadu_ps(s1 + i));
			q[2] = conv_q32(&c2, _mm_loadu_ps(s2 + i));
			q[3] = conv_q32(&c3, _mm_loadu_ps(s3 + i));
		}
		conv_transpose4(q);
		_mm_storeu_si128((__m128i *)p, q[0]);
		_mm_storeu_si128((__m128i *)(p + fb), q[1]);
		_mm_storeu_si128((__m128i *)(p + 2 * fb), q[2]);
		_mm_storeu_si128((__m128i *)(p + 3 * fb), q[3]);
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
 * written later (see conv_interleave_sse2), and the repeated channels'
 * meters and dither are dropped.  end: the block ends the call, so such a
 * group leaves its last vector's frames to the scalar rule: the last
 * frame's store would have nowhere to run.
 */
static void
conv_group_sse2(enum conv_fmt fmt, const float *const src[], unsigned nch,
    unsigned c, unsigned r, size_t off, size_t n, int end,
    unsigned char *out, float peak[], uint64_t clips[], uint32_t dither[])
{
	struct conv_ch	 ch[4];
	const float	*s[4];
	unsigned char	*p;
	size_t		 bytes, fb, n4, i;
	unsigned	 k;
	int		 wide;

	bytes = conv_sample_bytes(fmt);
	fb = nch * bytes;
	p = out + c * bytes;
	n4 = n / 4 * 4;
	if (r < 4 && end && n4 == n && n4 > 0)
		n4 -= 4;
	/* The last full group is followed by bytes that are already written. */
	wide = c + 4 < nch / 4 * 4;
	for (k = 0; k < 4; k++) {
		s[k] = src[c + (k < r ? k : r - 1)] + off;
		conv_ch_init(&ch[k], peak[c + (k < r ? k : r - 1)],
		    dither != NULL ? &dither[c + (k < r ? k : r - 1)] : NULL);
	}
	switch (fmt) {
	case CONV_PCM16:
		conv_group16_sse2(s, n4, p, fb, ch, dither != NULL);
		break;
	case CONV_PCM24:
		conv_group24_sse2(s, n4, p, fb, ch, wide);
		break;
	case CONV_PCM32:
	case CONV_FLOAT32:
		conv_group32_sse2(s, n4, p, fb, ch, fmt == CONV_FLOAT32);
		break;
	}
	for (k = 0; k < r; k++)
		conv_ch_done(&ch[k], n4, &peak[c + k], &clips[c + k],
		    dither != NULL ? &dither[c + k] : NULL);
	for (i = n4; i < n; i++)
		for (k = 0; k < r; k++)
			conv_put_one(fmt, p + i * fb + k * bytes, s[k][i],
			    &peak[c + k], &clips[c + k],
			    dither != NULL ? &dither[c + k] : NULL);
}

/*
 * Two channels (stereo, the common case) are one contiguous run: the codes
 * of four frames, interleaved in two vectors, are four whole frames.
 * n is a multiple of 4.
 */
static void
conv_stereo4_sse2(enum conv_fmt fmt, const float *s0, const float *s1,
    size_t n, unsigned char *p, struct conv_ch ch[2], int dither)
{
	struct conv_ch	 c0 = ch[0], c1 = ch[1];
	__m128i		 a, b, lo, hi;
	__m128		 f0, f1;
	size_t		 i;

	for (i = 0; i < n; i += 4) {
		f0 = _mm_loadu_ps(s0 + i);
		f1 = _mm_loadu_ps(s1 + i);
		switch (fmt) {
		case CONV_PCM16:
			a = dither ? conv_q16d(&c0, f0) : conv_q16(&c0, f0);
			b = dither ? conv_q16d(&c1, f1) : conv_q16(&c1, f1);
			break;
		case CONV_PCM24:
			a = conv_q24(&c0, f0);
			b = conv_q24(&c1, f1);
			break;
		case CONV_PCM32:
			a = conv_q32(&c0, f0);
			b = conv_q32(&c1, f1);
			break;
		case CONV_FLOAT32:
		default:
			a = conv_qf(&c0, f0);
			b = conv_qf(&c1, f1);
			break;
		}
		lo = _mm_unpacklo_epi32(a, b);
		hi = _mm_unpackhi_epi32(a, b);
		switch (fmt) {
		case CONV_PCM16:
			_mm_storeu_si128((__m128i *)(p + 4 * i),
			    _mm_packs_epi32(lo, hi));
			break;
		case CONV_PCM24:
			conv_put12(p + 6 * i, conv_pack24(lo), 1);
			conv_put12(p + 6 * i + 12, conv_pack24(hi), i + 4 < n);
			break;
		case CONV_PCM32:
		case CONV_FLOAT32:
			_mm_storeu_si128((__m128i *)(p + 8 * i), lo);
			_mm_storeu_si128((__m128i *)(p + 8 * i + 16), hi);
			break;
		}
	}
	ch[0] = c0;
	ch[1] = c1;
}

static void
conv_stereo_sse2(enum conv_fmt fmt, const float *const src[],
    size_t nframes, unsigned char *out, float peak[], uint64_t clips[],
    uint32_t dither[])
{
	struct conv_ch	ch[2];
	size_t		bytes, n, i;
	int		k;

	bytes = conv_sample_bytes(fmt);
	n = nframes / 4 * 4;
	for (k = 0; k < 2; k++)
		conv_ch_init(&ch[k], peak[k], dither != NULL ? &dither[k] :
		    NULL);
	conv_stereo4_sse2(fmt, src[0], src[1], n, out, ch, dither != NULL);
	for (k = 0; k < 2; k++)
		conv_ch_done(&ch[k], n, &peak[k], &clips[k], dither != NULL ?
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
 * them (see wide in conv_group_sse2); every other group's stores run only
 * into the next group's place.  Frames go in ascending order within a
 * group, so a store that runs into the next frame is overwritten too.
 */
void
conv_interleave_sse2(enum conv_fmt fmt, const float *const src[],
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
		conv_mono_sse2(fmt, src[0], nframes, dst, peak, clips, dither);
		return;
	}
	if (nch == 2) {
		conv_stereo_sse2(fmt, src, nframes, out, peak, clips, dither);
		return;
	}
	fb = nch * bytes;
	block = conv_block_frames(fb, 4);
	r = nch % 4;
	for (i = 0; i < nframes; i += n) {
		n = nframes - i < block ? nframes - i : block;
		if (r != 0)
			conv_group_sse2(fmt, src, nch, nch - r, r, i, n,
			    i + n == nframes, out + i * fb, peak, clips,
			    dither);
		for (c = 0; c + 4 <= nch; c += 4)
			conv_group_sse2(fmt, src, nch, c, 4, i, n,
			    i + n == nframes, out + i * fb, peak, clips,
			    dither);
	}
}

#endif /* __SSE2__ */
