/*
 * conv.c: float to WAV sample bytes, with peaks and clip counts in the same
 * pass.  Runs on the writer thread for every sample it writes, so nothing
 * here allocates or makes a system call.  The _ref functions define the
 * result; the vector paths (conv_sse2.c, conv_avx2.c) must match them bit
 * for bit (test_conv checks each), and this file chooses between them.
 */
#include "conv.h"

#include <assert.h>

#include "conv_priv.h"

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


size_t
conv_block_frames(size_t fb, size_t lanes)
{
	size_t	n = CONV_BLOCK_BYTES / fb / lanes * lanes;

	return n < lanes ? lanes : n;
}

int
conv_path_ok(enum conv_path path)
{
	switch (path) {
	case CONV_PATH_REF:
		return 1;
	case CONV_PATH_SSE2:
#if defined(__SSE2__)
		return 1;
#else
		return 0;
#endif
	case CONV_PATH_AVX2:
#if defined(CONV_HAVE_AVX2)
		return __builtin_cpu_supports("avx2") != 0;
#else
		return 0;
#endif
	case CONV_NPATH:
		break;
	}
	return 0;
}

/*
 * The fastest path this build and CPU have.  __builtin_cpu_supports reads
 * what the C runtime found at startup, so asking on every call is cheap.
 */
static enum conv_path
conv_best(void)
{
#if defined(CONV_HAVE_AVX2)
	if (__builtin_cpu_supports("avx2"))
		return CONV_PATH_AVX2;
#endif
#if defined(__SSE2__)
	return CONV_PATH_SSE2;
#else
	return CONV_PATH_REF;
#endif
}

void
conv_interleave_path(enum conv_path path, enum conv_fmt fmt,
    const float *const src[], unsigned nch, size_t nframes, void *dst,
    float peak[], uint64_t clips[], uint32_t dither[])
{
	assert(conv_path_ok(path));
	switch (path) {
#if defined(CONV_HAVE_AVX2)
	case CONV_PATH_AVX2:
		conv_interleave_avx2(fmt, src, nch, nframes, dst, peak, clips,
		    dither);
		break;
#endif
#if defined(__SSE2__)
	case CONV_PATH_SSE2:
		conv_interleave_sse2(fmt, src, nch, nframes, dst, peak, clips,
		    dither);
		break;
#endif
	default:
		conv_interleave_ref(fmt, src, nch, nframes, dst, peak, clips,
		    dither);
		break;
	}
}

void
conv_mono_path(enum conv_path path, enum conv_fmt fmt, const float *src,
    size_t nframes, void *dst, float *peak, uint64_t *clips,
    uint32_t *dither)
{
	assert(conv_path_ok(path));
	switch (path) {
#if defined(CONV_HAVE_AVX2)
	case CONV_PATH_AVX2:
		conv_mono_avx2(fmt, src, nframes, dst, peak, clips, dither);
		break;
#endif
#if defined(__SSE2__)
	case CONV_PATH_SSE2:
		conv_mono_sse2(fmt, src, nframes, dst, peak, clips, dither);
		break;
#endif
	default:
		conv_mono_ref(fmt, src, nframes, dst, peak, clips, dither);
		break;
	}
}

void
conv_interleave(enum conv_fmt fmt, const float *const src[], unsigned nch,
    size_t nframes, void *dst, float peak[], uint64_t clips[],
    uint32_t dither[])
{
	conv_interleave_path(conv_best(), fmt, src, nch, nframes, dst, peak,
	    clips, dither);
}

void
conv_mono(enum conv_fmt fmt, const float *src, size_t nframes, void *dst,
    float *peak, uint64_t *clips, uint32_t *dither)
{
	conv_mono_path(conv_best(), fmt, src, nframes, dst, peak, clips,
	    dither);
}
