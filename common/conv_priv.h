/*
 * conv_priv.h: what the files of the conv module share: the scalar rule
 * for one sample, which every path ends with and which defines the result,
 * and the vector paths that conv.c chooses between.  Writer thread.
 */
#ifndef RECD_COMMON_CONV_PRIV_H
#define RECD_COMMON_CONV_PRIV_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conv.h"

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

/*
 * The vector paths interleave in blocks of frames: each group of four
 * channels writes its part of every frame in a block, so a block's output
 * should stay in cache, but a longer block reads each channel in a longer
 * run: 64 channels measured 20-35% faster with 64 KiB than with 16 KiB
 * (L1 size), and no faster with more (L2 is 512 KiB).
 */
#define CONV_BLOCK_BYTES	65536

/*
 * The group loops ask for each channel's samples this far ahead: the
 * writer reads them cold, well after the JACK thread wrote them, and the
 * hardware prefetcher is slow to follow many short runs.
 * It took about 5% off conversion in the running daemon at 64 channels
 * (three runs each way), 0-10% with input cold from memory.
 */
#define CONV_PREFETCH_BYTES	256

/* Frames in a block for a frame of fb bytes: a multiple of lanes. */
size_t	conv_block_frames(size_t fb, size_t lanes);

/*
 * The vector paths, each in its own file, with the contract of
 * conv_interleave and conv_mono.  conv.c calls one only where
 * conv_path_ok says it is built and this CPU runs it.
 */
void	conv_interleave_sse2(enum conv_fmt fmt, const float *const src[],
	    unsigned nch, size_t nframes, void *dst, float peak[],
	    uint64_t clips[], uint32_t dither[]);
void	conv_mono_sse2(enum conv_fmt fmt, const float *src, size_t nframes,
	    void *dst, float *peak, uint64_t *clips, uint32_t *dither);

/*
 * AVX2 is compiled in with a target attribute, whatever the build's flags,
 * by GCC and clang on x86; conv.c asks the CPU (__builtin_cpu_supports,
 * which also checks that the OS saves the AVX registers) before using it.
 */
#if defined(__SSE2__) && defined(__GNUC__) && \
    (defined(__x86_64__) || defined(__i386__))
#define CONV_HAVE_AVX2	1
void	conv_interleave_avx2(enum conv_fmt fmt, const float *const src[],
	    unsigned nch, size_t nframes, void *dst, float peak[],
	    uint64_t clips[], uint32_t dither[]);
void	conv_mono_avx2(enum conv_fmt fmt, const float *src, size_t nframes,
	    void *dst, float *peak, uint64_t *clips, uint32_t *dither);
#endif

#endif
