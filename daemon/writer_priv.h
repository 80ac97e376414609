/*
 * writer_priv.h: the writer's state and the functions its files share.
 * The writer is one module spread over several files (STYLE.md 2, as
 * libuv's src/unix/internal.h), each with one job and one thread:
 *
 *   writer.c		the writer thread's loop: drain the ring, judge each
 *			record, run commands, housekeeping, sleep
 *   writer_take.c	the take, carrying out take.c's verdicts: the
 *			timeline, gaps, pauses, the gate's files, rate
 *			changes and stalls (writer thread)
 *   writer_files.c	the file sets as mechanism: name, open, put frames,
 *			rotate, close; they return -errno and decide nothing
 *			(writer thread)
 *   writer_levels.c	peaks and clips for meters and alarms (writer thread)
 *   writer_out.c	the outputs: made from the configuration, grouped
 *			for a shared conversion, freed (main thread; the
 *			grouping again on the writer thread)
 *   writer_ev.c	the event queue to the loop, and the flusher's done
 *			list drained into it (writer thread; the main thread
 *			once the writer has stopped)
 *   writer_ctl.c	the writer as the loop sees it: create, start, stop,
 *			the command queue, counters (main thread)
 *
 * Calls go one way, down this order, never up it: writer_ctl.c, writer.c,
 * writer_take.c, writer_files.c, writer_out.c, writer_levels.c, writer_ev.c (and from
 * them to take.c, gate.c, clock.c, diskw.c, flush.c and fileset.c, which
 * call none of them).  No other module includes this header.
 */
#ifndef RECD_DAEMON_WRITER_PRIV_H
#define RECD_DAEMON_WRITER_PRIV_H

#include <md5.h>			/* libmd */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cap.h"
#include "cfgout.h"
#include "diskw.h"
#include "fileset.h"
#include "flush.h"
#include "gate.h"
#include "writer.h"


#define WR_TICK_NS	20000000	/* drain period: 20 ms (STYLE.md 6) */
#define WR_IDLE_TICK_NS	250000000	/* and while nobody reads meters */
#define WR_PASS_BYTES	(1536 * 1024)	/* but a pass takes at most about
					   this much from the ring */
#define WR_METER_NS	1000000000LL	/* meters read this recently: fast */
#define WR_LEVELS_IDLE_NS 250000000LL	/* no period this long: meters say
					   silence */
#define WR_BUF_BYTES	(2048 * 1024)	/* single mode: each of the two
					   buffers of the file */
#define WR_SPLIT_BUF	(128 * 1024)	/* split mode: of each file */
/*
 * Files of at least this many bytes a second skip the page cache
 * (fmt_par.direct).  Measured here, CPU per audio second: 16 ch 3.5 ms
 * through the cache, 2.6 direct; 64 ch 10.4 and 8; 2 ch 1.4 either way.
 * Split files are never direct: in pieces of 128 KiB a direct write cost
 * more than a copy into the cache.
 */
#define WR_DIRECT_RATE	(512 * 1024)
#define WR_PREPARE_NS	3000000000LL	/* open next files 3 s ahead */
#define WR_MAX_SUFFIX	999		/* name-1.wav ... name-999.wav */
#define WR_PREREC_SLACK	16384		/* frames: a period at most (JACK's
					   and PipeWire's largest: 8192) */
#define WR_NEVER	UINT64_MAX
#define WR_CMD_SLOTS	64		/* commands queued to the writer */
#define WR_EV_SLOTS	256		/* events queued to the loop, a
					   output */
#define WR_DISK_NS	2000000000LL	/* statvfs every 2 s */
#define WR_RETRY_NS	((int64_t)WRITER_RETRY_S * 1000000000)
#define WR_MB		(1024LL * 1024)
#define WR_RETAIN_NS	60000000000LL	/* retention looks every minute */
#define WR_BEHIND_DIV	4		/* a ring fuller than 1/4 after a pass:
					   drain again without waiting */

/*
 * One output (cfgout.h): the main one, or one of the option outputs.
 * Each has its own files, directory, rotation, pauses, disk watch and
 * flusher, and fails on its own; the take (struct writer) is theirs in
 * common: the timeline, gaps, the gate, pre-record, meters.
 */
struct wr_out {
	struct writer	*w;
	char		 name[CFG_OUT_NAME_MAX + 1];
	char		 who[CFG_OUT_NAME_MAX + 12];	/* "output NAME: " */
	unsigned	 idx;		/* 0: the main output */
	struct cfg	 cfg;		/* its options (main's, overridden) */
	unsigned	 nch;		/* channels it records ... */
	unsigned	*ch;		/* ... these of the take's, from 0 */
	const float	**src;		/* nch: its channels' planes ... */
	const float	**off_src;	/* ... and where a piece begins */
	float		*peak;		/* nch: its conversion's peaks (the */
	uint64_t	*clips;		/* main output's are the take's) */
	uint32_t	*dither;	/* nch xorshift states */
	/*
	 * Outputs that record the same channels in the same mode and format
	 * share a conversion: the first to convert a piece puts it in the
	 * group's scratch, the others copy it (wr_put).  share: the index of
	 * the group's first output, when it has another; -1: none.
	 */
	int		 share;
	unsigned char	*scratch;	/* WR_SHARE_FRAMES of every channel */
	enum conv_fmt	 sh_fmt;	/* what the scratch holds: format, */
	int		 sh_split;	/* layout (planar: split files) */

	struct fset	 sets[3];
	struct fset	*cur;		/* being written */
	struct fset	*next;		/* opened ahead of the boundary */
	struct fset	*old;		/* closed after the boundary */
	struct flush	*fl;		/* waits on its disk for it */
	uint64_t	 pos;		/* extended frame it writes next */
	uint64_t	 rotate_at;	/* extended frame, or WR_NEVER */
	struct timespec	 rotate_wall;	/* wall time of that boundary */
	enum writer_pause paused;
	uint64_t	 pause_from;	/* extended frame, when paused */
	char		 pause_why[64];
	int64_t		 retry_ns;	/* WP_WRITE_ERROR: next try */
	int		 resume_req;	/* a start command came */
	struct diskw	 disk;		/* the disk watch (diskw.h) */
	int64_t		 next_disk_ns;	/* CLOCK_MONOTONIC */
	int64_t		 next_retain_ns;
	int		 gap_pending;	/* the next files follow a pause */
	double		 gap_lost_s;	/* > 0: the gap's length, if known */
	long long	 disk_free;	/* bytes, -1: unknown */

	/* Written here, read by any thread (writer_out_stats). */
	atomic_int	 st_open, st_paused, st_disk_low;
	atomic_uint_fast64_t st_frames, st_opened, st_closed, st_gaps,
			 st_gap_frames;
	atomic_llong	 st_disk_free;	/* bytes, -1: unknown */
};

/* Log lines of one output begin with its name, when there are several. */
#define WR_WHO(o)	((o)->w->nout > 1 ? (o)->who : "")

/* A conversion shared by outputs of the same channels: in pieces of. */
#define WR_SHARE_FRAMES	4096

/*
 * The MD5 of the samples of files in lockstep (writer_dg.c): the WAV
 * files of outputs that share a conversion.  Its last run of bytes is
 * frames p_from to p_to of the shared piece seq (wr_fill: the piece and
 * the scratch it is in; 0: bytes of its own), hashed on
 * top of `prev', the state after `base' bytes.
 */
struct wr_dg {
	MD5_CTX		 ctx, prev;
	uint64_t	 bytes, base;
	uint64_t	 seq, p_from, p_to;
	uint64_t	 zeros, base_zeros;	/* bytes of silence in them */
	unsigned	 refs;		/* files it is the digest of */
};
#define WR_DG_ZEROS_MAX	((uint64_t)256 << 20)	/* as WAV_MD5_HOLE_MAX */

struct writer {
	struct cfg	 cfg;		/* the writer's own copy */
	struct cap	*cap;
	struct ring	*ring;
	unsigned	 nch, rate;
	void		(*notify)(void *);
	void		*notify_arg;
	pthread_t	 thread;
	int		 started;

	/* Writer thread only. */
	struct wr_out	*out;		/* nout outputs, [0] the main one */
	unsigned	 nout;
	int		 have_pos;
	uint64_t	 pos;		/* extended JACK frame expected next */
	const float	**planes;	/* nch, the current record's blocks */
	float		*peak;		/* nch */
	uint64_t	*clips;		/* nch */
	int		 recording;	/* a take: files open while data comes */
	int		 skipping;	/* until frame time skip_until */
	uint32_t	 skip_until;
	int		 turned;	/* this pass did rotation work */
	int		 began;		/* this pass opened a take's files */
	/*
	 * The shared conversion of the piece being written (wr_put): which
	 * piece (its source and first frame, a count of pieces), and which
	 * outputs' scratch holds it, by their share index.
	 */
	const float *const *sh_src;
	size_t		 sh_off;
	uint64_t	 sh_n, sh_seq;
	uint64_t	*sh_done;	/* nout: sh_seq their scratch holds */
	int		 shared;	/* some outputs share a conversion */

	struct ring	*cmdq;		/* struct wr_cmd, from the loop */
	struct ring	*evq;		/* struct writer_event, to the loop */
	uint64_t	*clips_seen;	/* nch: clips already published */
	int		 in_take;	/* the take's first record came */
	uint64_t	 take_pos0;	/* extended frame the take began at */
	int		 anchored;	/* the take's timeline, every
					   output's: */
	uint64_t	 anchor_frame;	/* this extended frame ... */
	uint64_t	 anchor_ref;	/* ... is this bext TimeReference */
	long		 take_off;	/* the take's timeline: its UTC offset,
					   s east (clock.h); names, dates */
	int		 zone_told;	/* the take's labels left local time,
					   and the log said so */
	const char	*stop_why;	/* the writer stopped the take */
	uint64_t	 stall_done;	/* the stall_cycle already handled */
	uint64_t	 stall_cycle;	/* WR_CMD_STALL: the first cycle after
					   a stall; 0: none */
	int64_t		 stall_ns;	/* WR_CMD_UNSTALL: its length; -1: not
					   known yet */

	struct gate	 gate;		/* the silence gate (gate.h) */
	struct hist	 prerec;	/* prerecord_seconds of what came while
					   not recording */
	uint64_t	 prerec_end;	/* the extended frame after its newest */
	int		 listening;	/* the sources are connected ... */
	uint32_t	 listen_from;	/* ... from this JACK frame time on */


	/* Set by other threads. */
	atomic_int	 stop;
	int		 want_take;	/* record (1) or not (0) */
	uint32_t	 take_from;	/* JACK frame time the take starts at */
	int		 take_prerec;	/* a start command's take (prerec) */
	atomic_uint	 stall_ms;
	atomic_llong	 levels_ns;	/* CLOCK_MONOTONIC of the last
					   writer_levels */
	atomic_uint_fast64_t levels_seq; /* passes that published levels */
	uint64_t	 levels_seen;	/* the loop's: levels_seq last read */
	long long	 levels_rec_ns;	/* the writer's: last pass that
					   measured a period (monotonic) */
	int		 wake[2];	/* pipe: the loop ends a slow tick
					   when meters start (-1: none) */

	/* Written here, read by any thread. */
	atomic_int	 st_recording, st_failed;
	atomic_uint_fast64_t st_high_water, st_fill, st_take_frames,
			 st_events_lost, st_pass_max_ns, st_turn_max_ns;
	atomic_llong	 st_take_start;	/* wall-clock seconds, 0: none */
	atomic_int	 st_gate;
	atomic_uint_fast64_t st_gate_since;
	atomic_uint_fast64_t st_prerec;	/* frames of pre-record kept */
	atomic_uint_fast64_t beats;	/* turns of the loop: it is alive */
	atomic_uint	*peak_bits;	/* nch floats' bits: max since read */
	atomic_uchar	*clip;		/* nch: clipped since read */
	/* For the alarms (alarm.h), from the same pass as the meters. */
	atomic_llong	*loud_ns;	/* nch: CLOCK_MONOTONIC of the last
					   pass at or above the threshold */
	atomic_uint_fast64_t *clip_total;	/* nch: clipped samples, and
					   passes at full scale */
	atomic_uint	*peak2_bits;	/* nch: as peak_bits, for the alarms'
					   reader (status, metrics) */
	float		 silence_lin;	/* silence_threshold_dbfs, linear */
};

/*
 * What the loop asks of the writer, in one queue and so in order: a take
 * on or off, a rotation, a marker, a new configuration, a resume, and
 * what the liveness guard saw: a stall and its end.
 */
enum wr_cmd_type { WR_CMD_TAKE, WR_CMD_ROTATE, WR_CMD_MARK, WR_CMD_CONFIG,
	WR_CMD_RESUME, WR_CMD_STALL, WR_CMD_UNSTALL, WR_CMD_LISTEN };

struct wr_cmd {
	enum wr_cmd_type type;
	int		 on;		/* WR_CMD_TAKE: record or not */
	uint32_t	 from;		/* WR_CMD_TAKE, WR_CMD_LISTEN: first JACK
					   frame time */
	int		 prerec;	/* WR_CMD_TAKE: a start command's */
	uint64_t	 cycle;		/* WR_CMD_STALL: the last cycle */
	int64_t		 ns;		/* WR_CMD_UNSTALL: the stall's length */
	struct cfg	*cfg;		/* WR_CMD_CONFIG: the writer owns it, */
	struct cfg_out	*outs;		/* and the outputs the loop derived */
	size_t		 nouts;		/* from it (cfgout.h) */
	char		 label[WRITER_LABEL_MAX + 1];
};

static inline int64_t
wr_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The path of the first output's files that are being written, or NULL:
 * none (a slow output's wait for its disk, WP_DISK_SLOW, take nothing).
 */
static inline const char *
wr_first_open(const struct writer *w)
{
	unsigned i;

	for (i = 0; i < w->nout; i++)
		if (w->out[i].cur->open && w->out[i].paused == WP_NONE)
			return w->out[i].cur->f[0].path;
	return NULL;
}

/* writer.c: the loop. */
void		*wr_main(void *);

/* writer_take.c: the take (writer thread); per output where it has o. */
uint64_t	 wr_take_frame(const struct writer *, uint64_t x);
void		 wr_take_want(struct writer *);
void		 wr_take_begin(struct writer *, uint64_t ft64, uint32_t ft);
void		 wr_prerec_setup(struct writer *);
void		 wr_prerec_keep(struct writer *, uint64_t ft64, uint32_t ft,
		    size_t n);
int		 wr_open_at(struct wr_out *, uint64_t at, const char *cue);
int		 wr_write(struct wr_out *, const float *const *src, size_t off,
		    uint64_t n);
void		 wr_dg_attach(struct wr_out *, struct fset *);
void		 wr_dg_add(struct fset_file *, const void *, size_t,
		    uint64_t seq, uint64_t from, uint64_t frames);
void		 wr_dg_zeros(struct fset_file *, uint64_t bytes);
void		 wr_dg_end(struct fset *);
void		 wr_dg_drop(struct fset *);
void		 wr_write_all(struct writer *, const float *const *src,
		    size_t off, uint64_t n);
void		 wr_error(struct wr_out *, int err);
void		 wr_gap(struct wr_out *, uint64_t ft64, uint32_t ft,
		    int64_t gap, uint64_t dropped);
void		 wr_gap_idle(struct wr_out *, uint64_t ft64, int64_t gap,
		    uint64_t dropped);
void		 wr_gated(struct writer *, const struct cap_rec *, uint64_t ft64);
void		 wr_gate_setup(struct writer *);
void		 wr_gate_reset(struct writer *);
void		 wr_rate_change(struct writer *, const struct cap_rec *);
int		 wr_stall_check(struct writer *, const struct cap_rec *, int final);
void		 wr_disk(struct wr_out *, int64_t now);
void		 wr_pause_check(struct wr_out *, int64_t now);
void		 wr_end_files(struct wr_out *, const char *cue_end);

/* writer_files.c: the file sets (writer thread); -errno, no verdicts;
 * writer_out.c: the outputs. */
void		 wr_plan_rotation(struct wr_out *, uint64_t start,
		    const struct timespec *wall, const struct timespec *nominal);
int		 wr_open_set(struct wr_out *, struct fset *);
void		 wr_announce(struct wr_out *, struct fset *);
void		 wr_discard_set(struct wr_out *, struct fset *);
int		 wr_reclaim(struct wr_out *, struct fset_buf *, int wait);
int		 wr_flush(struct wr_out *, struct fset_file *, int update,
		    int sync);
int		 wr_old_done(struct wr_out *, int wait);
int		 wr_next_done(struct wr_out *, int wait);
void		 wr_close_cur_later(struct wr_out *);
void		 wr_unpause(struct wr_out *, const char *text);
void		 wr_gate_if_paused(struct writer *);
/* writer_pause.c: an output's pauses; a disk behind the stream. */
int		 wr_lagging(const struct wr_out *, const float *const *src,
		    uint64_t frames);
void		 wr_slow(struct wr_out *);
int		 wr_slow_if_behind(struct wr_out *);
void		 wr_slow_check(struct wr_out *);
int		 wr_close_cur(struct wr_out *, const char *cue_end);
void		 wr_prepare(struct wr_out *);
int		 wr_put(struct wr_out *, const float *const *src, size_t off,
		    uint64_t n);
void		 wr_mark(struct wr_out *, uint64_t frame, const char *label);
int		 wr_out_setup(struct writer *, const struct cfg *, char *err,
		    size_t errlen);
void		 wr_out_share(struct writer *);
void		 wr_out_free(struct writer *);

/* writer_levels.c: meters and alarms (writer thread). */
void		 wr_peaks_only(struct writer *, const struct cap_rec *);
void		 wr_publish_levels(struct writer *, int measured);

/* writer_ev.c: events to the loop. */
void		 wr_event(struct writer *, enum writer_event_type,
		    const char *path, const char *text, uint64_t frames,
		    uint64_t frame);
void		 wr_oevent(struct wr_out *, enum writer_event_type,
		    const char *path, const char *text, uint64_t frames,
		    uint64_t frame);
void		 wr_notes(struct wr_out *);
void		 wr_flush_wait(struct wr_out *);

#endif
