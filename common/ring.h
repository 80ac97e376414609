/*
 * ring.h: wait-free single-producer/single-consumer byte ring.
 * The producer side (ring_rt.c) runs on the JACK real-time thread, the
 * consumer side on the writer thread; ring_new and ring_del run on neither.
 */
#ifndef RECD_COMMON_RING_H
#define RECD_COMMON_RING_H

#include <stddef.h>
#include <sys/uio.h>

struct ring;

/*
 * Creates a ring of at least min_bytes (rounded up to a power of two) into
 * which the producer can reserve up to max_reserve bytes at once as one
 * contiguous block.  All memory is allocated and touched here, and locked
 * when the system allows it (see ring_lock_errno).  Returns NULL with the
 * reason in err on failure.
 */
struct ring	*ring_new(size_t min_bytes, size_t max_reserve, char *err,
		    size_t errlen);
void		 ring_del(struct ring *);

size_t		 ring_capacity(const struct ring *);	/* bytes */
int		 ring_lock_errno(const struct ring *);	/* 0: locked */

/*
 * Producer, real-time safe.  ring_reserve_rt returns a pointer to len
 * contiguous writable bytes (len <= max_reserve), or NULL when the ring has
 * less than len bytes free: the caller drops its data.  ring_commit_rt
 * publishes the len bytes of the last reservation to the consumer.
 */
void		*ring_reserve_rt(struct ring *, size_t len);
void		 ring_commit_rt(struct ring *, size_t len);

/*
 * Consumer.  ring_peek fills span[0] and span[1] with all readable bytes in
 * order (span[1] is empty unless the data wraps) and returns their sum.
 * ring_record returns the len readable bytes that start off bytes after
 * the read index as one contiguous block, when they were committed by a
 * single reservation (or NULL when fewer are readable).  ring_release
 * gives len bytes back to the producer.
 */
size_t		 ring_peek(struct ring *, struct iovec span[2]);
const void	*ring_record(struct ring *, size_t off, size_t len);
void		 ring_release(struct ring *, size_t len);

/* Consumer: readable bytes now, and the most ever readable at once. */
size_t		 ring_fill(struct ring *);
size_t		 ring_high_water(const struct ring *);

#endif
