/*
 * hist.c: the newest frames of a planar stream (hist.h).  Writer thread.
 */
#include "hist.h"

#include <stdlib.h>
#include <string.h>

int
hist_size(struct hist *h, unsigned nch, uint64_t cap)
{
	int rc = 0;

	if (cap != h->cap || nch != h->nch) {
		free(h->buf);
		h->buf = cap > 0 && nch > 0 ? malloc(cap * nch *
		    sizeof(float)) : NULL;
		if (h->buf == NULL && cap > 0 && nch > 0) {
			cap = 0;
			rc = -1;
		}
		h->cap = cap;
		h->nch = nch;
	}
	hist_clear(h);
	return rc;
}

void
hist_free(struct hist *h)
{
	free(h->buf);
	memset(h, 0, sizeof(*h));
}

void
hist_clear(struct hist *h)
{
	h->len = 0;
	h->head = 0;
}

void
hist_keep(struct hist *h, const float *const *planes, size_t off, size_t n)
{
	uint64_t	k;
	size_t		m;
	unsigned	c;

	if (h->cap == 0)
		return;
	if (n > h->cap) {
		off += n - h->cap;
		n = h->cap;
	}
	while (n > 0) {
		k = h->cap - h->head;
		m = n < k ? n : (size_t)k;
		for (c = 0; c < h->nch; c++)
			memcpy(h->buf + c * h->cap + h->head, planes[c] + off,
			    m * sizeof(float));
		h->head = (h->head + m) % h->cap;
		h->len = h->len + m > h->cap ? h->cap : h->len + m;
		off += m;
		n -= m;
	}
}

uint64_t
hist_tail(const struct hist *h, uint64_t n, uint64_t done,
    const float **planes)
{
	uint64_t	left = n - done, from, k;
	unsigned	c;

	if (left == 0)
		return 0;
	from = (h->head + h->cap - left) % h->cap;
	k = h->cap - from < left ? h->cap - from : left;
	for (c = 0; c < h->nch; c++)
		planes[c] = h->buf + c * h->cap + from;
	return k;
}
