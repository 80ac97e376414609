/*
 * conv.h: JACK float samples to little-endian WAV sample bytes, with each
 * channel's peak and clip count taken in the same pass.  Runs on the writer
 * thread; nothing here allocates, locks or makes a system call.
 */
#ifndef RECD_COMMON_CONV_H
#define RECD_COMMON_CONV_H

#include <stddef.h>
#include <stdint.h>

/*
 * Integer formats are the exact inverse of JACK2's integer-to-float
 * scaling, so a float that JACK2 read from an N-bit device comes back as
 * the same code.  The product is rounded to a float, then to the nearest
 * code (ties to even).  Codes are symmetric, as JACK2's own limits are.
 */
enum conv_fmt {
	CONV_PCM16,	/* lrintf(f * 32767), -32767..32767 */
	CONV_PCM24,	/* lrintf(f * 8388607), -8388607..8388607, 3 bytes */
	CONV_PCM32,	/* the 24-bit code << 8: low byte 0, as JACK2 writes */
	CONV_FLOAT32	/* IEEE 754 single; finite values bit for bit */
};

/* Bytes of one sample of fmt in a file: 2, 3, 4, 4 (0: no such format). */
size_t	conv_sample_bytes(enum conv_fmt fmt);

/*
 * Interleaves nch planar channels of nframes samples each (src[c][i]) into
 * dst, which holds nframes * nch * conv_sample_bytes(fmt) bytes at any
 * alignment and overlaps no input.  Per channel c:
 * - peak[c] is raised to the largest |src[c][i]| where that is larger (NaN
 *   is ignored, Inf raises it to Inf); the caller resets it when a meter
 *   period starts.
 * - clips[c] grows by the samples that were lost or cut: |f| > 1 (Inf
 *   included) or NaN.  Integer formats write them as the nearest limit (NaN
 *   as 0); CONV_FLOAT32 keeps finite values, writes NaN as 0 and +-Inf as
 *   +-1.
 * - dither is NULL (none) or nch dither states, one per channel, seeded
 *   by the caller with distinct values.  Only CONV_PCM16 uses them: each
 *   sample adds TPDF noise of (u1 - u2) LSB, u1 and u2 uniform in [0, 1),
 *   before rounding, and steps its channel's state once.  A clipped or NaN
 *   sample steps it too but is written undithered.  So the output does not
 *   depend on how a stream is cut into calls, nor on the path, and
 *   conv_mono with &dither[c] gives channel c the same samples.  Other
 *   formats leave the states alone.
 * Touches nothing but its arguments, so any thread may call it.
 */
void	conv_interleave(enum conv_fmt fmt, const float *const src[],
	    unsigned nch, size_t nframes, void *dst, float peak[],
	    uint64_t clips[], uint32_t dither[]);

/*
 * One channel into a contiguous block of nframes samples (split mode: one
 * file per channel), with the same rules; dither is NULL or one state.
 */
void	conv_mono(enum conv_fmt fmt, const float *src, size_t nframes,
	    void *dst, float *peak, uint64_t *clips, uint32_t *dither);

/*
 * The same two as a plain scalar loop, one sample at a time: the definition
 * that the fast paths above match bit for bit (bytes, peaks, clip counts,
 * dither states), and the baseline that `make bench` measures them against.
 * Where no fast path is built (no SSE2), it is these.
 */
void	conv_interleave_ref(enum conv_fmt fmt, const float *const src[],
	    unsigned nch, size_t nframes, void *dst, float peak[],
	    uint64_t clips[], uint32_t dither[]);
void	conv_mono_ref(enum conv_fmt fmt, const float *src, size_t nframes,
	    void *dst, float *peak, uint64_t *clips, uint32_t *dither);

/*
 * For tests and benchmarks only: the paths that conv_interleave and
 * conv_mono choose between, so that each can be checked against the
 * reference and timed on its own.  The two above take the last path that
 * conv_path_ok accepts.
 */
enum conv_path {
	CONV_PATH_REF,		/* the _ref functions: any host */
	CONV_PATH_SSE2,		/* x86 with SSE2: x86-64 always */
	CONV_PATH_AVX2,		/* x86 with AVX2, checked at run time */
	CONV_NPATH
};

/* 1 when path is built in and this CPU runs it, else 0. */
int	conv_path_ok(enum conv_path path);

/* conv_interleave and conv_mono on a path that conv_path_ok accepts. */
void	conv_interleave_path(enum conv_path path, enum conv_fmt fmt,
	    const float *const src[], unsigned nch, size_t nframes, void *dst,
	    float peak[], uint64_t clips[], uint32_t dither[]);
void	conv_mono_path(enum conv_path path, enum conv_fmt fmt,
	    const float *src, size_t nframes, void *dst, float *peak,
	    uint64_t *clips, uint32_t *dither);

#endif
