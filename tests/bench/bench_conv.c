/*
 * bench_conv.c: conversion throughput of each format, interleaved (single
 * mode) and mono (split mode), against the scalar reference loop and a
 * plain memcpy of the same input, all measured in this run.  Prints
 * figures; asserts nothing.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conv.h"

#define NCH		8
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
	const float	*src[NCH];
	unsigned char	*dst;
	float		 peak[NCH];
	uint64_t	 clips[NCH];
};

enum kind { FAST, REF, COPY };

static void
run_once(struct job *j, enum kind k)
{
	size_t c, bytes = conv_sample_bytes(j->fmt) * NFRAMES;

	switch (k) {
	case FAST:
		if (!j->mono) {
			conv_interleave(j->fmt, j->src, NCH, NFRAMES, j->dst,
			    j->peak, j->clips, NULL);
			break;
		}
		for (c = 0; c < NCH; c++)
			conv_mono(j->fmt, j->src[c], NFRAMES,
			    j->dst + c * bytes, &j->peak[c], &j->clips[c],
			    NULL);
		break;
	case REF:
		if (!j->mono) {
			conv_interleave_ref(j->fmt, j->src, NCH, NFRAMES,
			    j->dst, j->peak, j->clips, NULL);
			break;
		}
		for (c = 0; c < NCH; c++)
			conv_mono_ref(j->fmt, j->src[c], NFRAMES,
			    j->dst + c * bytes, &j->peak[c], &j->clips[c],
			    NULL);
		break;
	case COPY:
		for (c = 0; c < NCH; c++)
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
	return (double)n * NCH * NFRAMES / t;
}

int
main(void)
{
	static const char *const fmt_names[] = {
		"pcm16", "pcm24", "pcm32", "float32"
	};
	static float	 in[NCH][NFRAMES];
	struct job	 j;
	double		 fast, ref, copy;
	size_t		 c, i;
	int		 f, mono;

	srand(1);
	for (c = 0; c < NCH; c++) {
		for (i = 0; i < NFRAMES; i++)
			in[c][i] = (float)rand() / RAND_MAX * 2.2f - 1.1f;
		j.src[c] = in[c];
	}
	j.dst = malloc(NCH * NFRAMES * sizeof(float));
	if (j.dst == NULL)
		return 1;
	memset(j.dst, 0, NCH * NFRAMES * sizeof(float));
	printf("conversion: %d channels x %d frames a call, input uniform in "
	    "+-1.1 (some clipping)\n", NCH, NFRAMES);
	printf("%-8s %-7s %10s %10s %10s %9s %11s\n", "format", "layout",
	    "fast MS/s", "scalar", "memcpy", "fast/ref", "fast/memcpy");
	for (f = CONV_PCM16; f <= CONV_FLOAT32; f++) {
		for (mono = 0; mono <= 1; mono++) {
			memset(&j.peak, 0, sizeof(j.peak));
			memset(&j.clips, 0, sizeof(j.clips));
			j.fmt = (enum conv_fmt)f;
			j.mono = mono;
			fast = measure(&j, FAST);
			ref = measure(&j, REF);
			copy = measure(&j, COPY);
			printf("%-8s %-7s %10.0f %10.0f %10.0f %8.2fx %10.2fx\n",
			    fmt_names[f], mono ? "split" : "single",
			    fast / 1e6, ref / 1e6, copy / 1e6, fast / ref,
			    fast / copy);
		}
	}
	free(j.dst);
	return 0;
}
