/*
 * cap_offline.h: struct cap without a JACK server, for the benchmarks.  It
 * stands in for daemon/cap.c at link time (bench programs link it instead
 * of cap.o): the writer gets its ring, channel count and clock from here,
 * and the real process callback (daemon/cap_rt.c) copies from fixed
 * buffers.  Time is the frames pushed so far: audio that is pushed faster
 * than real time also advances the writer's wall clock that fast.
 */
#ifndef RECD_TESTS_BENCH_CAP_OFFLINE_H
#define RECD_TESTS_BENCH_CAP_OFFLINE_H

#include <stddef.h>
#include <stdint.h>

struct cap;

/*
 * nch ports of `period' frames at `rate', each fed from its own buffer of
 * CAP_MAX_PERIOD floats (filled with a test signal), and a ring for
 * buffer_seconds, sized as cap_open sizes it.  NULL with the reason in err.
 */
struct cap	*cap_offline_new(unsigned nch, unsigned rate, uint32_t period,
		    double buffer_seconds, char *err, size_t errlen);
void		 cap_offline_del(struct cap *);

/*
 * Producer thread: one period through the real callback when the ring has
 * room for it (1), or nothing (0).  Never drops.
 */
int		 cap_offline_push(struct cap *);
/* Port ch's buffer, for a baseline that copies the same bytes. */
const float	*cap_offline_port(struct cap *, unsigned ch);

#endif
