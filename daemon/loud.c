/*
 * loud.c: a file's loudness (loud.h).  libebur128 K-weights the samples,
 * finds true peaks (4x oversampled below 96 kHz) and the loudness range;
 * every 100 ms this file takes the energy of the last 100 ms from it and
 * makes momentary (400 ms) and short-term (3 s) loudness of those, and
 * gates the 400 ms blocks for the integrated loudness itself.  Writer
 * thread.
 *
 * Why not libebur128's integrated loudness: without its histogram mode it
 * allocates a node every 100 ms and keeps every block of a file that may
 * last a day; with it, a block counts as the centre of its 0.1 LU bin, so
 * that a steady -23.00 LUFS tone reads -23.05.  Here each bin keeps the
 * exact sum of its blocks' energies: only which blocks pass the relative
 * gate is decided to the bin.
 */
#include "loud.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>

#define LOUD_CHUNK	1024		/* frames interleaved at a time */
#define LOUD_BLOCK_MS	100		/* BS.1770-4: gating blocks step */
#define LOUD_M_BLOCKS	4		/* 400 ms momentary, gating block */
#define LOUD_S_BLOCKS	30		/* 3 s short-term */
#define LOUD_REL_LU	10.0		/* BS.1770-4 relative gate */
#define LOUD_OFFSET	-0.691		/* BS.1770-4: L = -0.691 + 10 lg z */
#define LOUD_GROUP_51	6		/* channels of 5.1, with LFE */
#define LOUD_GROUP_50	5

struct loud_meter {
	ebur128_state	*st;
	unsigned	 first, nch;	/* the take's channels (from 0) */
	double		 z[LOUD_S_BLOCKS];	/* energy of the last 100 ms
					   blocks, z[blocks % 30] newest */
	double		 m_max, s_max;	/* energies, 0: none yet */
	uint64_t	 count[LOUD_BINS];	/* 400 ms gating blocks */
	double		 sum[LOUD_BINS];	/* and their energies */
};

struct loud {
	unsigned	 n;
	uint64_t	 block_frames;	/* 100 ms, as libebur128 counts */
	uint64_t	 in_block;	/* frames of the block so far */
	uint64_t	 blocks;	/* whole 100 ms blocks so far */
	float		*buf;		/* LOUD_CHUNK frames of a group */
	struct loud_meter m[];
};

static double
loud_lufs(double z)
{
	return z > 0 ? LOUD_OFFSET + 10 * log10(z) : -HUGE_VAL;
}

double
loud_gated(const uint64_t count[LOUD_BINS], const double sum[LOUD_BINS])
{
	double		 z = 0, rel;
	uint64_t	 n = 0;
	int		 i, from;

	for (i = 0; i < LOUD_BINS; i++) {
		n += count[i];
		z += sum[i];
	}
	if (n == 0)
		return -HUGE_VAL;
	rel = loud_lufs(z / n) - LOUD_REL_LU;
	/* The bin that holds the gate counts whole (as libebur128 does). */
	from = rel <= LOUD_BIN_LOW ? 0 : (int)((rel - LOUD_BIN_LOW) /
	    LOUD_BIN_LU);
	if (from >= LOUD_BINS)
		from = LOUD_BINS - 1;
	n = 0;
	z = 0;
	for (i = from; i < LOUD_BINS; i++) {
		n += count[i];
		z += sum[i];
	}
	return n > 0 ? loud_lufs(z / n) : -HUGE_VAL;
}

struct loud *
loud_new(unsigned rate, const unsigned *first, const unsigned *last,
    unsigned n, char *err, size_t errlen)
{
	struct loud	*l;
	unsigned	 i, c, most = 1;
	int		 mode;

	l = calloc(1, sizeof(*l) + n * sizeof(l->m[0]));
	if (l == NULL)
		goto nomem;
	for (i = 0; i < n; i++)
		if (last[i] - first[i] + 1 > most)
			most = last[i] - first[i] + 1;
	if ((l->buf = calloc((size_t)LOUD_CHUNK * most, sizeof(float))) ==
	    NULL)
		goto nomem;
	/*
	 * Histogram mode: fixed memory, whatever the file's length; the
	 * loudness range, its only use of the histogram, is a difference of
	 * percentiles and keeps 0.1 LU.
	 */
	mode = EBUR128_MODE_S | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK |
	    EBUR128_MODE_HISTOGRAM;
	l->n = n;
	l->block_frames = (rate + 5) / 10;	/* libebur128's 100 ms */
	for (i = 0; i < n; i++) {
		l->m[i].first = first[i] - 1;
		l->m[i].nch = last[i] - first[i] + 1;
		l->m[i].st = ebur128_init(l->m[i].nch, rate, mode);
		if (l->m[i].st == NULL) {
			snprintf(err, errlen, "loudness: channels %u-%u at %u "
			    "Hz: libebur128 refused them", first[i], last[i],
			    rate);
			loud_del(l);
			errno = EINVAL;
			return NULL;
		}
		if (l->m[i].nch == LOUD_GROUP_50 ||
		    l->m[i].nch == LOUD_GROUP_51)
			continue;	/* libebur128's map is ITU's */
		/* Its map leaves channels past the sixth out: weigh all 1. */
		for (c = 0; c < l->m[i].nch; c++)
			ebur128_set_channel(l->m[i].st, c, c == 1 ?
			    EBUR128_RIGHT : c == 2 ? EBUR128_CENTER :
			    EBUR128_LEFT);
	}
	return l;
nomem:
	snprintf(err, errlen, "loudness: %s", strerror(ENOMEM));
	loud_del(l);
	errno = ENOMEM;
	return NULL;
}

void
loud_del(struct loud *l)
{
	unsigned i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		if (l->m[i].st != NULL)
			ebur128_destroy(&l->m[i].st);
	free(l->buf);
	free(l);
}

/* The 100 ms block that just ended: momentary, short-term, gating. */
static void
loud_block(struct loud *l, struct loud_meter *m)
{
	double		 lu, z, zm = 0, zs = 0;
	uint64_t	 k;
	int		 bin;

	if (ebur128_loudness_window(m->st, LOUD_BLOCK_MS, &lu) !=
	    EBUR128_SUCCESS)
		lu = -HUGE_VAL;
	z = isfinite(lu) ? pow(10, (lu - LOUD_OFFSET) / 10) : 0;
	m->z[l->blocks % LOUD_S_BLOCKS] = z;
	/*
	 * Windows reach back before the file as silence, as libebur128's
	 * own momentary and short-term values do.
	 */
	for (k = 0; k < LOUD_S_BLOCKS; k++) {
		z = m->z[(l->blocks + LOUD_S_BLOCKS - k) % LOUD_S_BLOCKS];
		if (k < LOUD_M_BLOCKS)
			zm += z;
		zs += z;
	}
	zm /= LOUD_M_BLOCKS;
	zs /= LOUD_S_BLOCKS;
	if (zm > m->m_max)
		m->m_max = zm;
	if (zs > m->s_max)
		m->s_max = zs;
	/* Gating blocks are whole 400 ms of the file. */
	if (l->blocks + 1 < LOUD_M_BLOCKS)
		return;
	lu = loud_lufs(zm);
	if (lu <= LOUD_BIN_LOW)
		return;
	bin = (int)((lu - LOUD_BIN_LOW) / LOUD_BIN_LU);
	if (bin >= LOUD_BINS)
		bin = LOUD_BINS - 1;
	m->count[bin]++;
	m->sum[bin] += zm;
}

void
loud_add(struct loud *l, const float *const *src, size_t off, uint64_t n)
{
	struct loud_meter	*m;
	size_t			 k, j;
	unsigned		 i, c;

	while (n > 0) {
		/* Pieces end on the 100 ms blocks of the file. */
		k = l->block_frames - l->in_block;
		if (k > LOUD_CHUNK)
			k = LOUD_CHUNK;
		if (k > n)
			k = (size_t)n;
		for (i = 0; i < l->n; i++) {
			m = &l->m[i];
			if (src == NULL)
				memset(l->buf, 0, k * m->nch * sizeof(float));
			for (c = 0; src != NULL && c < m->nch; c++)
				for (j = 0; j < k; j++)
					l->buf[j * m->nch + c] =
					    src[m->first + c][off + j];
			ebur128_add_frames_float(m->st, l->buf, k);
		}
		l->in_block += k;
		if (l->in_block == l->block_frames) {
			for (i = 0; i < l->n; i++)
				loud_block(l, &l->m[i]);
			l->blocks++;
			l->in_block = 0;
		}
		off += k;
		n -= k;
	}
}

unsigned
loud_get(struct loud *l, struct fmt_loudness *v)
{
	struct loud_meter	*m;
	double			 tp, peak;
	unsigned		 i, c;

	for (i = 0; i < l->n; i++) {
		m = &l->m[i];
		v[i].first = m->first + 1;
		v[i].last = m->first + m->nch;
		v[i].integrated = loud_gated(m->count, m->sum);
		if (ebur128_loudness_range(m->st, &v[i].range) !=
		    EBUR128_SUCCESS)
			v[i].range = -HUGE_VAL;
		peak = 0;
		for (c = 0; c < m->nch; c++)
			if (ebur128_true_peak(m->st, c, &tp) ==
			    EBUR128_SUCCESS && tp > peak)
				peak = tp;
		v[i].true_peak = peak > 0 ? 20 * log10(peak) : -HUGE_VAL;
		v[i].momentary_max = loud_lufs(m->m_max);
		v[i].short_term_max = loud_lufs(m->s_max);
	}
	return l->n;
}
