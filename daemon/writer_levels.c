/*
 * writer_levels.c: peaks and clips for the meters and the alarms
 * (writer_priv.h), merged into atomics that the loop reads
 * (writer_levels, writer_alarm_levels).  Writer thread.
 */
#include "writer_priv.h"

#include <math.h>

/* Meters work before a take too: peaks of a record nobody writes. */
void
wr_peaks_only(struct writer *w, const struct cap_rec *h)
{
	const float	*x;
	float		 a;
	uint32_t	 i;
	unsigned	 c;

	for (c = 0; c < w->nch; c++) {
		x = w->planes[c];
		for (i = 0; i < h->nframes; i++) {
			a = fabsf(x[i]);
			if (a > w->peak[c])
				w->peak[c] = a;
			else if (a != a)
				w->clips[c]++;
		}
	}
}

/* Peaks and clips since the last drain, merged for the loop to take. */
void
wr_publish_levels(struct writer *w, int measured)
{
	union { float f; unsigned u; } now, old;
	long long	t = (long long)wr_mono_ns();
	uint64_t	n;
	unsigned	c;

	for (c = 0; c < w->nch; c++) {
		if (w->peak[c] >= w->silence_lin)
			atomic_store(&w->loud_ns[c], t);
		n = w->clips[c] - w->clips_seen[c] + (w->peak[c] >= 1.0f);
		if (n > 0)
			atomic_fetch_add(&w->clip_total[c], n);
		if (w->peak[c] > 0 || w->peak[c] != w->peak[c]) {
			now.f = w->peak[c];
			old.u = atomic_load(&w->peak_bits[c]);
			while (now.f > old.f && !atomic_compare_exchange_weak(
			    &w->peak_bits[c], &old.u, now.u))
				;
			old.u = atomic_load(&w->peak2_bits[c]);
			while (now.f > old.f && !atomic_compare_exchange_weak(
			    &w->peak2_bits[c], &old.u, now.u))
				;
		}
		if (w->peak[c] >= 1.0f || w->clips[c] != w->clips_seen[c])
			atomic_store(&w->clip[c], 1);
		w->clips_seen[c] = w->clips[c];
		w->peak[c] = 0;
	}
	/*
	 * The meters have news when a period was measured, or when none has
	 * come for a while (JACK stopped): then silence is the truth.
	 */
	if (measured)
		w->levels_rec_ns = t;
	if (measured || t - w->levels_rec_ns >= WR_LEVELS_IDLE_NS)
		atomic_fetch_add(&w->levels_seq, 1);
}
