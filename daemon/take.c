/*
 * take.c: the take's policy (take.h), pure.  Writer thread.
 */
#include "take.h"

#include <errno.h>

#include "diskw.h"

/*
 * No space (ENOSPC, EDQUOT) waits for space as the disk watch does,
 * whatever write_error says, unless write_error is exit; any other error
 * is write_error's.
 */
enum take_act
take_on_error(enum cfg_write_error policy, int err)
{
	if (policy == CFG_WERR_EXIT)
		return TAKE_EXIT;
	if (err == ENOSPC || err == EDQUOT)
		return TAKE_PAUSE_FULL;
	if (policy == CFG_WERR_STOP)
		return TAKE_STOP;
	return TAKE_PAUSE_RETRY;
}

/*
 * Below disk_min_mb a take that writes pauses; back above it (diskw
 * leaves some room, so that it does not flap), a take paused for the
 * disk records again by itself or waits for a start command.
 */
enum take_disk
take_on_disk(unsigned verdict, int recording, enum writer_pause paused,
    enum cfg_resume resume)
{
	if ((verdict & DISKW_FULL) && recording && paused == WP_NONE)
		return TAKE_DISK_PAUSE;
	if ((verdict & DISKW_ROOM) && paused == WP_DISK_FULL)
		return resume == CFG_RESUME_AUTO ? TAKE_DISK_RESUME :
		    TAKE_DISK_WAIT;
	return TAKE_DISK_SAME;
}

/* A pause ends on a start command, or at the next try after an error. */
int
take_may_resume(enum writer_pause paused, int start, int64_t now_ns,
    int64_t retry_ns)
{
	if (paused == WP_WAIT_START)
		return start;
	if (paused == WP_WRITE_ERROR)
		return start || now_ns >= retry_ns;
	return 0;
}

int
take_fills_gap(enum cfg_gap policy, int64_t gap, unsigned rate)
{
	return gap > 0 && policy == CFG_GAP_SILENCE &&
	    gap <= (int64_t)TAKE_MAX_SILENCE_S * rate;
}

const char *
take_gap_cause(int64_t gap, uint64_t dropped)
{
	if (gap < 0)
		return "JACK's frame time went backwards";
	if (dropped == (uint64_t)gap)
		return "ring full, the writer fell behind";
	if (dropped == 0)
		return "JACK's frame time jumped (xrun)";
	return "ring full and JACK's frame time jumped";
}
