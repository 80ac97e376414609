/*
 * ring_rt.c: the producer side of the ring, called from the JACK real-time
 * thread.  Only memory that ring_new allocated is touched; no call but
 * memcpy.
 */
#include "ring.h"

#include <string.h>

#include "ring_priv.h"

void *
ring_reserve_rt(struct ring *r, size_t len)
{
	size_t wr;

	if (len > r->max_reserve)
		return NULL;
	/* Only this thread stores wr, so a relaxed load sees our own value. */
	wr = atomic_load_explicit(&r->wr, memory_order_relaxed);
	if (wr + len - r->rd_cache > r->cap) {
		/* Acquire: the consumer's reads of that space are done. */
		r->rd_cache = atomic_load_explicit(&r->rd,
		    memory_order_acquire);
		if (wr + len - r->rd_cache > r->cap)
			return NULL;
	}
	return r->buf + (wr & r->mask);
}

void
ring_commit_rt(struct ring *r, size_t len)
{
	size_t wr, pos;

	wr = atomic_load_explicit(&r->wr, memory_order_relaxed);
	pos = wr & r->mask;
	if (pos + len > r->cap)
		memcpy(r->buf, r->buf + r->cap, pos + len - r->cap);
	/* Release: the block's bytes are visible before the new index. */
	atomic_store_explicit(&r->wr, wr + len, memory_order_release);
}
