/*
 * ring_priv.h: the ring's layout, shared by ring.c (creation, consumer) and
 * ring_rt.c (producer).  No other module includes it.
 */
#ifndef RECD_COMMON_RING_PRIV_H
#define RECD_COMMON_RING_PRIV_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>

#define RING_CACHE_LINE	64	/* bytes; x86-64 and most arm64 cores */

/*
 * Indices count bytes since creation and never wrap in practice (2^64
 * bytes); a position is index & mask.  Each side owns one cache line: its
 * own index, stored with release, and its cached copy of the other side's
 * index, refreshed with acquire only when the cache says there is not
 * enough.  So the two threads share a line only when they must.
 *
 * The buffer is cap + max_reserve bytes long.  A reservation that starts
 * near the end runs on into that overhang, and ring_commit_rt copies the
 * overhanging part to the start of the buffer.  The copy in the overhang
 * stays intact until the producer's next lap, which cannot begin before the
 * consumer has released the block, so the consumer may read such a block
 * contiguously from the overhang too (ring_record), wherever it starts.
 */
struct ring {
	alignas(RING_CACHE_LINE) atomic_size_t wr;	/* producer's index */
	size_t		 rd_cache;	/* producer's view of rd */

	alignas(RING_CACHE_LINE) atomic_size_t rd;	/* consumer's index */
	size_t		 wr_cache;	/* consumer's view of wr */
	size_t		 high_water;	/* consumer: most bytes seen readable */

	alignas(RING_CACHE_LINE) unsigned char *buf;	/* cap + max_reserve */
	size_t		 cap;		/* bytes, a power of two */
	size_t		 mask;		/* cap - 1 */
	size_t		 max_reserve;	/* bytes */
	size_t		 map_bytes;	/* bytes allocated for buf */
	int		 lock_errno;	/* 0, or why mlock failed */
};

#endif
