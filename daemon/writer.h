/*
 * writer.h: the writer thread.  It drains the ring on a short timer,
 * converts, writes and rotates the files, and finds every gap.  Created and
 * steered from the main thread; the work runs on its own thread.
 */
#ifndef RECD_DAEMON_WRITER_H
#define RECD_DAEMON_WRITER_H

#include <limits.h>
#include <stdint.h>
#include <time.h>

#include "cfg.h"
#include "cfgout.h"
#include "fmt.h"

#define WRITER_LABEL_MAX	255	/* bytes of a marker's label */

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
	uint64_t	 ring_fill;	/* bytes, at the last drain */
	uint64_t	 take_frames;	/* in the current take */
	time_t		 take_start;	/* wall clock; 0: no take */
	long long	 disk_free;	/* bytes, -1: unknown */
	uint64_t	 events_lost;	/* the event queue was full */
	int		 gate;		/* -1: off, 0: closed, 1: open */
	uint64_t	 gate_since;	/* frame in the take it last changed */
	uint64_t	 prerec_frames;	/* pre-record kept, for a start */
	int		 paused;	/* enum writer_pause */
	uint64_t	 pass_max_ns;	/* longest drain pass but those that
					   began a take's files */
	uint64_t	 turn_max_ns;	/* longest pass with rotation work:
					   the boundary, opening the next
					   files, closing the old ones */
};

/* Why a take writes nothing for now, though it was asked for. */
enum writer_pause {
	WP_NONE,
	WP_DISK_FULL,		/* free space below disk_min_mb */
	WP_WRITE_ERROR,		/* retried every WRITER_RETRY_S */
	WP_WAIT_START,		/* disk_resume start: space is back */
	WP_DISK_SLOW		/* with several outputs: its disk is behind
				   the stream; resumes as it catches up */
};

#define WRITER_RETRY_S	10

/* What the writer tells the loop. */
enum writer_event_type {
	WEV_TAKE_STARTED,
	WEV_TAKE_STOPPED,	/* frames */
	WEV_FILE_OPENED,	/* path (.partial) */
	WEV_FILE_CLOSED,	/* path (final), frames, seconds, text:
				   "CHANNELS FORMAT RATE" of the file,
				   loud (nloud, the option loudness) */
	WEV_GAP,		/* path, text (cause), frames, frame */
	WEV_MARK,		/* text (label), frame (in the take) */
	WEV_GATE_OPENED,	/* frame (in the take), frames (pre-roll) */
	WEV_GATE_CLOSED,	/* frame (in the take), frames (segment) */
	WEV_DISK_LOW,		/* frames: free bytes; text: low, ok */
	WEV_PAUSED,		/* text (why), path, frame (in the take) */
	WEV_RESUMED,		/* frames (the gap), frame (in the take) */
	WEV_WRITE_ERROR,	/* path, text (strerror), frames (errno) */
	WEV_FILE_DELETED	/* path, text (why), frames (bytes) */
};

struct writer_event {
	enum writer_event_type type;
	uint64_t	 frames;
	uint64_t	 frame;
	double		 seconds;	/* frames, in seconds */
	time_t		 time;		/* when it happened */
	unsigned	 nloud;		/* WEV_FILE_CLOSED: loud[] measured */
	struct fmt_loudness loud[CFG_LOUD_MAX];
	char		 text[WRITER_LABEL_MAX + 1];
	char		 output[CFG_OUT_NAME_MAX + 1];	/* its output's name;
					   "": an event of the take */
	char		 path[PATH_MAX + 160];
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

/* Any thread: one output's state and counters (writer_out_stats). */
struct writer_out_stats {
	char		 name[CFG_OUT_NAME_MAX + 1];
	unsigned	 channels;	/* it records */
	int		 open;		/* its files are open */
	int		 paused;	/* enum writer_pause */
	uint64_t	 frames;	/* written since start */
	uint64_t	 files_opened;
	uint64_t	 files_closed;
	uint64_t	 gaps;		/* in its files, pauses included */
	uint64_t	 gap_frames;
	long long	 disk_free;	/* bytes, -1: unknown */
	int		 disk_low;	/* below disk_warn_mb */
};
/* How many outputs; [0] is the main one. */
unsigned	 writer_outputs(struct writer *);
/* Output i's: 0, or -ENOENT. */
int		 writer_out_stats(struct writer *, unsigned i,
		    struct writer_out_stats *);
/*
 * Main thread: start (on) or stop a take.  A take starts with the first
 * period whose JACK frame time is `from' or later, so that periods from
 * before the sources were connected stay out of it; a start command's
 * take (prerec) begins prerecord_seconds before `from', as far as the
 * writer kept what came then.  Like rotate, mark,
 * config and resume it goes through the writer's one queue, so they
 * apply in the order asked.  Returns 0 or -EAGAIN (the queue is full).
 */
int		 writer_take(struct writer *, int on, uint32_t from,
		    int prerec);
/*
 * Main thread: the client's sources are connected from JACK frame time
 * `from' on; what the writer keeps for a pre-record begins there, never
 * with the silence of ports not yet connected.  0 or -EAGAIN.
 */
int		 writer_listen(struct writer *, uint32_t from);
/*
 * Main thread: requests to the writer, done within a drain period.
 * -EAGAIN when its queue is full.  writer_config copies cfg; the new
 * values apply from the next files on (and at once where they can).
 */
int		 writer_rotate(struct writer *);
int		 writer_mark(struct writer *, const char *label);
int		 writer_config(struct writer *, const struct cfg *);
/* Main thread: the next event (1), or none (0). */
int		 writer_event(struct writer *, struct writer_event *);
/*
 * Main thread: each channel's peak and clip flag since the last call
 * (arrays of the channel count), recording or not.  Returns 1 when the
 * writer measured since the last call, 0 when it made no pass (a peak of
 * 0 then means nothing measured, not silence).
 */
int		 writer_levels(struct writer *, float peak[],
		    unsigned char clip[]);
/*
 * Main thread, for the alarms (alarm.h): each channel's CLOCK_MONOTONIC
 * time of the last pass with a sample at or above silence_threshold_dbfs,
 * and its clipped samples (and passes at full scale) so far (arrays of
 * the channel count), recording or not; and each channel's peak since the
 * last call, as writer_levels but apart from the meters'.
 */
void		 writer_alarm_levels(struct writer *, int64_t loud_ns[],
		    uint64_t clips[], float peak[]);
/*
 * Main thread, while the writer is stopped: the JACK client it reads from
 * is a new one (the server went away and came back, maybe at another
 * rate, or recd dropped a client that JACK ran no more).  The take goes
 * on in new files, after a gap of lost_s seconds, because of why.
 */
void		 writer_attach(struct writer *, struct cap *, double lost_s,
		    const char *why);
/*
 * Main thread, from the liveness guard (live.h), through the command
 * queue like every command: JACK ran the callback for the last time at
 * cycle `last' (cap_cycles), and nothing since ...
 */
void		 writer_stalled(struct writer *, uint64_t last);
/*
 * ... until now, stall_ns later.  JACK's frame time may not show that
 * time (the dummy driver's goes on as if nothing happened): the writer
 * ends the files at the stall and starts new ones after a gap of that
 * length.  It holds the first record after the stall until this is said.
 */
void		 writer_unstalled(struct writer *, int64_t stall_ns);
/* Main thread: a take paused for disk space may go on (a start command). */
int		 writer_resume(struct writer *);
/*
 * Any thread: how many times the writer's loop has gone round (drain and
 * housekeeping); it stops counting while the writer is stuck.
 */
uint64_t	 writer_beats(struct writer *);
/* Test hook: the writer sleeps for ms once, as if the disk stalled. */
void		 writer_test_stall(struct writer *, unsigned ms);

#endif
