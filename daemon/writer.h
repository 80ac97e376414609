/*
 * writer.h: the writer thread.  It drains the ring on a short timer,
 * converts, writes and rotates the files, and finds every gap.  Created and
 * steered from the main thread; the work runs on its own thread.
 */
#ifndef RECD_DAEMON_WRITER_H
#define RECD_DAEMON_WRITER_H

#include <stdint.h>

#include "cfg.h"

struct cap;
struct writer;

/* Any thread: a snapshot of the writer's counters. */
struct writer_stats {
	int		 recording;	/* files are open */
	int		 failed;	/* stopped by an error it logged */
	uint64_t	 frames;	/* frames written since start */
	uint64_t	 files_opened;
	uint64_t	 files_closed;
	uint64_t	 gaps;		/* discontinuities found */
	uint64_t	 gap_frames;	/* frames missing in them */
	uint64_t	 ring_high_water;	/* bytes */
};

/*
 * Copies cfg; cap must outlive the writer.  notify(arg) is called from the
 * writer thread when it stops by itself (an error).  Returns NULL with the
 * reason in err.
 */
struct writer	*writer_new(const struct cfg *, struct cap *,
		    void (*notify)(void *), void *arg, char *err,
		    size_t errlen);
int		 writer_start(struct writer *, char *err, size_t errlen);
/*
 * Drains what is left in the ring (the caller has stopped the producer),
 * finishes every file and joins the thread.
 */
void		 writer_stop(struct writer *);
void		 writer_del(struct writer *);
void		 writer_get_stats(struct writer *, struct writer_stats *);
/*
 * Any thread: start (on) or stop a take.  A take starts with the first
 * period whose JACK frame time is `from' or later, so that periods from
 * before the sources were connected stay out of it.
 */
void		 writer_take(struct writer *, int on, uint32_t from);
/* Test hook: the writer sleeps for ms once, as if the disk stalled. */
void		 writer_test_stall(struct writer *, unsigned ms);

#endif
