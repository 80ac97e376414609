/*
 * take.h: the take's policy, pure.  Given what the mechanisms report (a
 * write's -errno, the disk watch's verdict, a gap's length and cause, a
 * start command), it says what the take does next: pause, stop, exit,
 * resume, fill a gap or split the files there.  The writer carries the
 * verdicts out (writer_take.c); nothing here touches a file, a clock or
 * another thread, so that a unit test drives it.  Writer thread.
 */
#ifndef RECD_DAEMON_TAKE_H
#define RECD_DAEMON_TAKE_H

#include <stdint.h>

#include "cfg.h"
#include "writer.h"

#define TAKE_MAX_SILENCE_S 600		/* gap_policy silence fills at most
					   this much; longer gaps split */

/* After a failed write, open or header update. */
enum take_act {
	TAKE_EXIT,		/* write_error exit: recording fails for good */
	TAKE_PAUSE_FULL,	/* no space: wait for it, as the disk watch */
	TAKE_STOP,		/* write_error stop: the take ends */
	TAKE_PAUSE_RETRY	/* write_error retry: again in WRITER_RETRY_S */
};

/* After the disk watch looked (diskw.h's verdict bits). */
enum take_disk {
	TAKE_DISK_SAME,		/* nothing changes */
	TAKE_DISK_PAUSE,	/* below disk_min_mb: every file finished */
	TAKE_DISK_RESUME,	/* room again, disk_resume auto */
	TAKE_DISK_WAIT		/* room again, disk_resume start: wait */
};

enum take_act	 take_on_error(enum cfg_write_error, int err);
enum take_disk	 take_on_disk(unsigned verdict, int recording,
		    enum writer_pause, enum cfg_resume);
/* 1: a paused take records again now (start: a start command came). */
int		 take_may_resume(enum writer_pause, int start, int64_t now_ns,
		    int64_t retry_ns);
/* 1: a gap of gap frames is filled with silence; 0: the files end. */
int		 take_fills_gap(enum cfg_gap, int64_t gap, unsigned rate);
/* Why frames are missing: JACK's clock, the ring, or both. */
const char	*take_gap_cause(int64_t gap, uint64_t dropped);

#endif
