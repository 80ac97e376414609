/*
 * hist.h: the newest frames of a planar stream, in a circular buffer
 * sized once: the gate's pre-roll and the writer's pre-record.  It knows
 * frames, not time: the caller clears it where the stream is not
 * contiguous.  Writer thread only.
 */
#ifndef RECD_DAEMON_HIST_H
#define RECD_DAEMON_HIST_H

#include <stddef.h>
#include <stdint.h>

struct hist {
	float		*buf;		/* nch planes of cap frames */
	unsigned	 nch;
	uint64_t	 cap, len, head;	/* frames; head: where the next goes */
};

/*
 * Room for cap frames of nch channels, empty.  Allocates only when the
 * size changes.  Returns 0, or -1 without memory (cap is 0 then).
 */
int		 hist_size(struct hist *, unsigned nch, uint64_t cap);
void		 hist_free(struct hist *);
void		 hist_clear(struct hist *);
/* Keeps frames [off, off + n) of planes; the oldest go when it is full. */
void		 hist_keep(struct hist *, const float *const *planes,
		    size_t off, size_t n);
/*
 * Of the newest n frames kept (n <= len), the planes from the done-th
 * on; returns how many frames follow there in one piece (0: done == n).
 */
uint64_t	 hist_tail(const struct hist *, uint64_t n, uint64_t done,
		    const float **planes);

#endif
