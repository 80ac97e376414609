/*
 * ring.c: creation of the SPSC byte ring and its consumer side (the writer
 * thread).  The producer side is in ring_rt.c.
 */
#include "ring.h"

#include <sys/mman.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ring_priv.h"

/* Largest ring we agree to build: 64 ch x 192 kHz x 4 B x 60 s is 3 GB. */
#define RING_MAX_BYTES	((size_t)1 << 32)

struct ring *
ring_new(size_t min_bytes, size_t max_reserve, char *err, size_t errlen)
{
	struct ring	*r;
	size_t		 cap, page;
	void		*buf;
	int		 rc;

	if (min_bytes == 0 || min_bytes > RING_MAX_BYTES ||
	    max_reserve == 0 || max_reserve > min_bytes) {
		snprintf(err, errlen, "ring: %zu bytes with blocks of %zu: "
		    "out of range", min_bytes, max_reserve);
		errno = EINVAL;
		return NULL;
	}
	for (cap = RING_CACHE_LINE; cap < min_bytes; cap <<= 1)
		;
	r = aligned_alloc(RING_CACHE_LINE, sizeof(*r));
	if (r == NULL) {
		snprintf(err, errlen, "ring: %zu bytes: %s", sizeof(*r),
		    strerror(errno));
		return NULL;
	}
	memset(r, 0, sizeof(*r));
	page = (size_t)sysconf(_SC_PAGESIZE);
	r->map_bytes = (cap + max_reserve + page - 1) / page * page;
	rc = posix_memalign(&buf, page, r->map_bytes);
	if (rc != 0) {
		snprintf(err, errlen, "ring: %zu bytes: %s", r->map_bytes,
		    strerror(rc));
		free(r);
		errno = rc;
		return NULL;
	}
	/*
	 * Touch every page now: a page fault on the real-time thread costs
	 * far more than a period can spare.  Locking keeps the pages in
	 * memory; without it (RLIMIT_MEMLOCK) the ring still works, and the
	 * caller warns.
	 */
	memset(buf, 0, r->map_bytes);
	r->lock_errno = mlock(buf, r->map_bytes) == 0 ? 0 : errno;
#ifdef MADV_DONTFORK
	/*
	 * A fork (libuv spawning a hook) would make these pages
	 * copy-on-write, and every write of the real-time thread a page
	 * fault until each is copied: the child never needs them.
	 */
	(void)madvise(buf, r->map_bytes, MADV_DONTFORK);
#endif
	r->buf = buf;
	r->cap = cap;
	r->mask = cap - 1;
	r->max_reserve = max_reserve;
	atomic_init(&r->wr, 0);
	atomic_init(&r->rd, 0);
	return r;
}

void
ring_del(struct ring *r)
{
	if (r == NULL)
		return;
	if (r->lock_errno == 0)
		munlock(r->buf, r->map_bytes);
	free(r->buf);
	free(r);
}

size_t
ring_capacity(const struct ring *r)
{
	return r->cap;
}

int
ring_lock_errno(const struct ring *r)
{
	return r->lock_errno;
}

size_t
ring_peek(struct ring *r, struct iovec span[2])
{
	size_t rd, n, pos, first;

	rd = atomic_load_explicit(&r->rd, memory_order_relaxed);
	/* Acquire: the producer's bytes are visible before its index. */
	r->wr_cache = atomic_load_explicit(&r->wr, memory_order_acquire);
	n = r->wr_cache - rd;
	if (n > r->high_water)
		r->high_water = n;
	pos = rd & r->mask;
	first = n < r->cap - pos ? n : r->cap - pos;
	span[0].iov_base = r->buf + pos;
	span[0].iov_len = first;
	span[1].iov_base = r->buf;
	span[1].iov_len = n - first;
	return n;
}

const void *
ring_record(struct ring *r, size_t off, size_t len)
{
	size_t rd;

	rd = atomic_load_explicit(&r->rd, memory_order_relaxed);
	if (r->wr_cache - rd < off + len) {
		r->wr_cache = atomic_load_explicit(&r->wr,
		    memory_order_acquire);
		if (r->wr_cache - rd < off + len)
			return NULL;
	}
	return r->buf + ((rd + off) & r->mask);
}

void
ring_release(struct ring *r, size_t len)
{
	size_t rd;

	rd = atomic_load_explicit(&r->rd, memory_order_relaxed);
	/* Release: our reads of the block are done before it is reused. */
	atomic_store_explicit(&r->rd, rd + len, memory_order_release);
}

size_t
ring_fill(struct ring *r)
{
	size_t n;

	n = atomic_load_explicit(&r->wr, memory_order_acquire) -
	    atomic_load_explicit(&r->rd, memory_order_relaxed);
	if (n > r->high_water)
		r->high_water = n;
	return n;
}

size_t
ring_high_water(const struct ring *r)
{
	return r->high_water;
}
