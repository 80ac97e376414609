/*
 * gate.c: the silence gate and its pre-roll (gate.h).  Writer thread.
 * A record is written from where the gate opens (with the pre-roll
 * before it, never reaching back past where it last closed) to where the
 * signal has stayed below the threshold for the hold time; the rest is
 * kept as pre-roll.
 */
#include "gate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int
gate_init(struct gate *g, unsigned nch)
{
	memset(g, 0, sizeof(*g));
	g->nch = nch;
	g->closed_at = GATE_NEVER;
	g->ch = calloc(nch, 1);
	g->pre_planes = calloc(nch, sizeof(*g->pre_planes));
	return g->ch == NULL || g->pre_planes == NULL ? -1 : 0;
}

void
gate_free(struct gate *g)
{
	free(g->ch);
	free(g->pre_planes);
	hist_free(&g->pre);
	memset(g, 0, sizeof(*g));
}

int
gate_configure(struct gate *g, double threshold_dbfs, char *const *channels,
    size_t nchannels, uint64_t preroll)
{
	unsigned	c;
	size_t		i;
	int		rc = 0;

	g->lin = (float)pow(10, threshold_dbfs / 20);
	memset(g->ch, nchannels == 0, g->nch);
	for (i = 0; i < nchannels; i++) {
		c = (unsigned)atoi(channels[i]);
		if (c >= 1 && c <= g->nch)
			g->ch[c - 1] = 1;
	}
	if (preroll != g->pre.cap)
		rc = hist_size(&g->pre, g->nch, preroll);
	return rc;
}

void
gate_resize(struct gate *g)
{
	hist_free(&g->pre);
}

void
gate_turn_on(struct gate *g, uint64_t pos, int files_open)
{
	g->on = 1;
	g->open = files_open;
	g->last_loud = pos;
	g->seg_start = pos;
	g->closed_at = files_open ? pos : GATE_NEVER;
}

void
gate_turn_off(struct gate *g)
{
	g->on = 0;
	gate_reset(g);
}

void
gate_reset(struct gate *g)
{
	g->open = 0;
	hist_clear(&g->pre);
	g->closed_at = GATE_NEVER;
}

void
gate_gap(struct gate *g, uint64_t ft64)
{
	hist_clear(&g->pre);
	if (g->closed_at != GATE_NEVER)
		g->closed_at = ft64;
}

/*
 * Where the gate channels reach the threshold in the record's n frames:
 * the first and the last such frame, or -1.
 */
static void
gate_loud(const struct gate *g, const float *const *planes, size_t n,
    long *first, long *last)
{
	const float	*x;
	size_t		 i;
	unsigned	 c;

	*first = *last = -1;
	for (c = 0; c < g->nch; c++) {
		if (!g->ch[c])
			continue;
		x = planes[c];
		for (i = 0; i < n; i++) {
			if (fabsf(x[i]) < g->lin)
				continue;
			if (*first < 0 || (long)i < *first)
				*first = (long)i;
			break;
		}
		for (i = n; i > 0; i--) {
			if (fabsf(x[i - 1]) < g->lin)
				continue;
			if ((long)i - 1 > *last)
				*last = (long)i - 1;
			break;
		}
	}
}

void
gate_judge(struct gate *g, const float *const *planes, size_t n,
    uint64_t ft64, uint64_t hold, struct gate_span *sp)
{
	uint64_t	p = g->pre.cap, s, close_at;
	long		first, last;

	memset(sp, 0, sizeof(*sp));
	if (g->closed_at == GATE_NEVER)
		g->closed_at = ft64;
	gate_loud(g, planes, n, &first, &last);
	if (!g->open) {
		if (first < 0)
			return;		/* all of it pre-roll */
		/* Pre-roll before the loud frame, not before the last close. */
		s = ft64 + (uint64_t)first > p ? ft64 + (uint64_t)first - p : 0;
		if (s < g->closed_at)
			s = g->closed_at;
		sp->from_pre = s < ft64 ? ft64 - s : 0;
		if (sp->from_pre > g->pre.len) {
			sp->from_pre = g->pre.len;
			s = ft64 - sp->from_pre;
		}
		sp->opens = 1;
		sp->start = s;
		sp->loud = ft64 + (uint64_t)first;
		g->open = 1;
		g->seg_start = s;
		g->last_loud = ft64 + (uint64_t)first;
		/* Pre-roll from earlier records goes first: on from 0. */
		if (s > ft64)
			sp->off = (size_t)(s - ft64);
	}
	if (last >= 0 && ft64 + (uint64_t)last > g->last_loud)
		g->last_loud = ft64 + (uint64_t)last;
	close_at = g->last_loud + 1 + hold;
	/*
	 * The hold ran out before this record (a gap longer than it, with
	 * the gate open): it closes where the record begins.
	 */
	if (close_at < ft64 + sp->off)
		close_at = ft64 + sp->off;
	sp->end = close_at < ft64 + n ? (size_t)(close_at - ft64) : n;
	if (sp->end < n) {
		sp->closes = 1;
		sp->close_at = ft64 + sp->end;
	}
}

uint64_t
gate_preroll(const struct gate *g, const struct gate_span *sp, uint64_t done,
    const float **planes)
{
	return hist_tail(&g->pre, sp->from_pre, done, planes);
}

void
gate_after(struct gate *g, const float *const *planes, size_t n,
    const struct gate_span *sp)
{
	if (!g->open) {
		hist_keep(&g->pre, planes, 0, n);
		return;
	}
	if (!sp->closes)
		return;
	g->open = 0;
	g->closed_at = sp->close_at;
	hist_clear(&g->pre);
	hist_keep(&g->pre, planes, sp->end, n - sp->end);
}
