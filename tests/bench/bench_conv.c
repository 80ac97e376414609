/*
 * bench_conv.c: conversion throughput of each format, interleaved (single
 * mode) and mono (split mode), against the scalar reference loop and a
 * plain memcpy of the same input, all measured in this run; "fast" is the
 * path conv takes on this CPU, and the SSE2 path is shown beside it where
 * that is AVX2.  Prints figures, then the "ROW|..." lines that
 * tests/bench/run.sh gathers; asserts nothing.  bench_conv [CHANNELS]: 8
 * unless given.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conv.h"

#define MAXCH		64
#define NFRAMES		4096	/* per call: a writer batch of ~85 ms */
#define MIN_SECONDS	0.25	/* per measurement */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct job {
	enum conv_fmt	 fmt;
	int		 mono;
	unsigned	 nch;
	const float	*src[MAXCH];
	unsigned char	*dst;
	float		 peak[MAXCH];
	uint64_t	 clips[MAXCH];
};

enum kind { FAST, SSE2, REF, COPY };

static void
run_once(struct job *j, enum kind k)
{
	size_t c, bytes = conv_sample_bytes(j->fmt) * NFRAMES;

	switch (k) {
	case FAST:
		if (!j->mono) {
			conv_interleave(j->fmt, j->src, j->nch, NFRAMES, j->dst,
			    j->peak, j->clips, NULL);
			break;
		}
		for (c = 0; c < j->nch; c++)
			conv_mono(j->fmt, j->src[c], NFRAMES,
			    j->dst + c * bytes, &j->peak[c], &j->clips[c],
			    NULL);
		break;
	case SSE2:
		if (!j->mono) {
			conv_interleave_path(CONV_PATH_SSE2, j->fmt, j->src,
			    j->nch, NFRAMES, j->dst, j->peak, j->clips, NULL);
			break;
		}
		for (c = 0; c < j->nch; c++)
			conv_mono_path(CONV_PATH_SSE2, j->fmt, j->src[c],
			    NFRAMES, j->dst + c * bytes, &j->peak[c],
			    &j->clips[c], NULL);
		break;
	case REF:
		if (!j->mono) {
			conv_interleave_ref(j->fmt, j->src, j->nch, NFRAMES,
			    j->dst, j->peak, j->clips, NULL);
			break;
		}
		for (c = 0; c < j->nch; c++)
			conv_mono_ref(j->fmt, j->src[c], NFRAMES,
			    j->dst + c * bytes, &j->peak[c], &j->clips[c],
			    NULL);
		break;
	case COPY:
		for (c = 0; c < j->nch; c++)
			memcpy(j->dst + c * NFRAMES * sizeof(float), j->src[c],
			    NFRAMES * sizeof(float));
		break;
	}
}

/* Samples per second, over at least MIN_SECONDS. */
static double
measure(struct job *j, enum kind k)
{
	double		t0, t;
	unsigned long	n = 0;

	run_once(j, k);
	t0 = now();
	do {
		run_once(j, k);
		n++;
		t = now() - t0;
	} while (t < MIN_SECONDS);
	return (double)n * j->nch * NFRAMES / t;
}

int
main(int argc, char *argv[])
{
	static const char *const fmt_names[] = {
		"pcm16", "pcm24", "pcm32", "float32"
	};
	static float	 in[MAXCH][NFRAMES];
	struct job	 j;
	double		 fast, sse2, ref, copy;
	int		 avx2 = conv_path_ok(CONV_PATH_AVX2);
	size_t		 c, i;
	int		 f, mono;

	j.nch = argc > 1 ? (unsigned)atoi(argv[1]) : 8;
	if (j.nch < 1 || j.nch > MAXCH) {
		fprintf(stderr, "usage: bench_conv [CHANNELS (1..%d)]\n", MAXCH);
		return 2;
	}
	srand(1);
	for (c = 0; c < j.nch; c++) {
		for (i = 0; i < NFRAMES; i++)
			in[c][i] = (float)((double)rand() / RAND_MAX * 2.2 -
			    1.1);
		j.src[c] = in[c];
	}
	j.dst = malloc(j.nch * NFRAMES * sizeof(float));
	if (j.dst == NULL)
		return 1;
	memset(j.dst, 0, j.nch * NFRAMES * sizeof(float));
	printf("conversion: %u channels x %d frames a call, input uniform in "
	    "+-1.1 (some clipping); fast path: %s\n", j.nch, NFRAMES,
	    avx2 ? "AVX2" : conv_path_ok(CONV_PATH_SSE2) ? "SSE2" : "scalar");
	printf("%-8s %-7s %10s %8s %10s %10s %9s %11s\n", "format", "layout",
	    "fast MS/s", "sse2", "scalar", "memcpy", "fast/ref",
	    "fast/memcpy");
	for (f = CONV_PCM16; f <= CONV_FLOAT32; f++) {
		for (mono = 0; mono <= 1; mono++) {
			memset(&j.peak, 0, sizeof(j.peak));
			memset(&j.clips, 0, sizeof(j.clips));
			j.fmt = (enum conv_fmt)f;
			j.mono = mono;
			fast = measure(&j, FAST);
			sse2 = avx2 ? measure(&j, SSE2) : fast;
			ref = measure(&j, REF);
			copy = measure(&j, COPY);
			printf("%-8s %-7s %10.0f %8.0f %10.0f %10.0f %8.2fx "
			    "%10.2fx\n", fmt_names[f],
			    mono ? "split" : "single", fast / 1e6, sse2 / 1e6,
			    ref / 1e6, copy / 1e6, fast / ref, fast / copy);
			/* The target: 2.5x the scalar loop. */
			printf("ROW|conversion %s %s %uch|%.0f MS/s|scalar %.0f, "
			    "memcpy %.0f MS/s|%.2f|>=2.5x scalar|%s\n",
			    fmt_names[f], mono ? "split" : "single", j.nch,
			    fast / 1e6, ref / 1e6, copy / 1e6, fast / ref,
			    fast >= 2.5 * ref ? "PASS" : "MISS");
		}
	}
	free(j.dst);
	return 0;
}
