/*
 * loud.h: the loudness of a file (EBU R 128, ITU-R BS.1770-4) as the
 * writer feeds it the take's float samples: integrated loudness, loudness
 * range, maximum true peak, maximum momentary and short-term loudness, for
 * groups of the take's channels.  libebur128 filters and finds the true
 * peaks; memory is fixed once a file's meters are made.  Writer thread.
 */
#ifndef RECD_DAEMON_LOUD_H
#define RECD_DAEMON_LOUD_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

struct loud;

/*
 * Meters for n groups, group i being the take's channels first[i] to
 * last[i] (from 1), at rate Hz, for one file: its values start from
 * nothing.  A group of 5 or 6 channels is 5.0 or 5.1 in ITU order (L R C
 * (LFE) Ls Rs: the surrounds weigh 1.41, LFE not at all); in any other
 * group every channel weighs 1.  Returns NULL with the reason in err.
 */
struct loud	*loud_new(unsigned rate, const unsigned *first,
		    const unsigned *last, unsigned n, char *err, size_t errlen);
/* NULL is allowed. */
void		 loud_del(struct loud *);
/*
 * Measures n frames of the take's planar channels, src[ch] + off for
 * channel ch (from 0); src NULL: n frames of digital silence.  Allocates
 * nothing.
 */
void		 loud_add(struct loud *, const float *const *src, size_t off,
		    uint64_t n);
/*
 * The values of every group so far, into v (the n of loud_new, in their
 * order).  Returns n.
 */
unsigned	 loud_get(struct loud *, struct fmt_loudness *v);

/*
 * Pure: the integrated loudness (LUFS) of gating blocks kept as counts
 * and energy sums in LOUD_BINS bins of LOUD_BIN_LU from LOUD_BIN_LOW
 * (BS.1770-4 gating: absolute at -70 LUFS, then relative at -10 LU);
 * -HUGE_VAL when no block passes.  Any thread.
 */
#define LOUD_BIN_LOW	-70.0		/* LUFS: the absolute gate */
#define LOUD_BIN_LU	0.1
#define LOUD_BINS	1000		/* up to +30 LUFS */
double		 loud_gated(const uint64_t count[LOUD_BINS],
		    const double sum[LOUD_BINS]);

#endif
