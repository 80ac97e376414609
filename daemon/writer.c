/*
 * writer.c: the writer thread.  Every tick it takes every record out
 * of the ring, finds gaps from the record headers, converts the samples in
 * one pass and appends them to the open files; it rotates them at exact
 * frame boundaries and refreshes their headers.  What waits on the disk
 * (write-back, syncs, finishing closed files, retention) it hands to its
 * flusher thread (flush.c), so that a slow disk does not hold up the ring.
 */
#include "writer.h"

#include <sys/file.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cap.h"
#include "clock.h"
#include "gate.h"
#include "conv.h"
#include "diskw.h"
#include "flush.h"
#include "fileset.h"
#include "fsutil.h"
#include "log.h"
#include "ring.h"
#include "fmt.h"

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
#define WR_MAX_SILENCE_S 600		/* gap_policy silence fills at most
					   this much; longer gaps split */
#define WR_MAX_SUFFIX	999		/* name-1.wav ... name-999.wav */
#define WR_NEVER	UINT64_MAX
#define WR_CMD_SLOTS	64		/* commands queued to the writer */
#define WR_EV_SLOTS	256		/* events queued to the loop */
#define WR_DISK_NS	2000000000LL	/* statvfs every 2 s */
#define WR_RETRY_NS	((int64_t)WRITER_RETRY_S * 1000000000)
#define WR_MB		(1024LL * 1024)
#define WR_RETAIN_NS	60000000000LL	/* retention looks every minute */
#define WR_BEHIND_DIV	4		/* a ring fuller than 1/4 after a pass:
					   drain again without waiting */

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
	struct fset	 sets[3];
	struct fset	*cur;		/* being written */
	struct fset	*next;		/* opened ahead of the boundary */
	struct fset	*old;		/* closed after the boundary */
	struct flush	*fl;		/* waits on the disk for us */
	int		 have_pos;
	uint64_t	 pos;		/* extended JACK frame expected next */
	uint64_t	 rotate_at;	/* extended frame, or WR_NEVER */
	struct timespec	 rotate_wall;	/* wall time of that boundary */
	const float	**planes;	/* nch, the current record's blocks */
	const float	**src;		/* nch, planes + offset */
	float		*peak;		/* nch */
	uint64_t	*clips;		/* nch */
	uint32_t	*dither;	/* nch xorshift states */
	int		 recording;	/* a take: files open while data comes */
	int		 skipping;	/* until frame time skip_until */
	uint32_t	 skip_until;
	int		 turned;	/* this pass did rotation work */
	int		 began;		/* this pass opened a take's files */

	struct ring	*cmdq;		/* struct wr_cmd, from the loop */
	struct ring	*evq;		/* struct writer_event, to the loop */
	uint64_t	*clips_seen;	/* nch: clips already published */
	int64_t		 next_disk_ns;	/* CLOCK_MONOTONIC */
	int		 in_take;	/* the take's first record came */
	uint64_t	 take_pos0;	/* extended frame the take began at */
	char		 cue_next[160];	/* marker for the next files' frame 0 */
	enum writer_pause paused;
	uint64_t	 pause_from;	/* extended frame, when paused */
	char		 pause_why[64];
	int64_t		 retry_ns;	/* WP_WRITE_ERROR: next try */
	struct diskw	 disk;		/* the disk watch (diskw.h) */
	int64_t		 next_retain_ns;
	int		 gap_pending;	/* the next files follow a pause */
	int		 anchored;	/* the take's timeline: */
	uint64_t	 anchor_frame;	/* this extended frame ... */
	uint64_t	 anchor_ref;	/* ... is this bext TimeReference */
	double		 gap_lost_s;	/* > 0: the gap's length, if known */
	const char	*stop_why;	/* the writer stopped the take */
	long long	 disk_free;	/* bytes, -1: unknown */
	uint64_t	 stall_done;	/* the stall_cycle already handled */

	struct gate	 gate;		/* the silence gate (gate.h) */

	/* Set by other threads. */
	pthread_mutex_t	 ev_lock;	/* evq: the writer and its flusher */
	atomic_int	 stop;
	int		 want_take;	/* record (1) or not (0) */
	uint32_t	 take_from;	/* JACK frame time the take starts at */
	int		 resume_req;	/* a start command came (disk, error) */
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
	atomic_uint_fast64_t st_frames, st_opened, st_closed, st_gaps,
			 st_gap_frames, st_high_water, st_fill, st_take_frames,
			 st_events_lost, st_pass_max_ns, st_turn_max_ns;
	atomic_llong	 st_take_start;	/* wall-clock seconds, 0: none */
	atomic_llong	 st_disk_free;	/* bytes, -1: unknown */
	atomic_int	 st_gate, st_paused;
	atomic_uint_fast64_t st_gate_since;
	atomic_uint_fast64_t beats;	/* turns of the loop: it is alive */
	atomic_uint_fast64_t stall_cycle;	/* writer_stalled; 0: none */
	atomic_llong	 stall_ns;	/* writer_unstalled; -1: not yet */
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
 * on or off, a rotation, a marker, a new configuration, a resume.
 */
enum wr_cmd_type { WR_CMD_TAKE, WR_CMD_ROTATE, WR_CMD_MARK, WR_CMD_CONFIG,
	WR_CMD_RESUME };

struct wr_cmd {
	enum wr_cmd_type type;
	int		 on;		/* WR_CMD_TAKE: record or not */
	uint32_t	 from;		/* WR_CMD_TAKE: first JACK frame time */
	struct cfg	*cfg;		/* WR_CMD_CONFIG: the writer owns it */
	char		 label[WRITER_LABEL_MAX + 1];
};

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The boundary after the stretch that starts at frame start: clock.c
 * plans it; here it is kept, and a re-alignment told.
 */
static void
wr_plan_rotation(struct writer *w, uint64_t start, const struct timespec *wall,
    const struct timespec *nominal)
{
	struct clock_plan p;

	clock_plan_rotation(w->cfg.rotate_seconds, w->cfg.rotate_align,
	    w->rate, start, wall, nominal, &p);
	if (p.at == CLOCK_NEVER) {
		w->rotate_at = WR_NEVER;
		return;
	}
	if (p.drift_s != 0)
		log_info("rotation: the sample clock is %.3f s off the wall "
		    "clock; this file is %lld frames long to keep files on "
		    "the wall clock's boundaries", p.drift_s,
		    (long long)(p.at - start));
	w->rotate_wall = p.wall;
	w->rotate_at = p.at;
}

/* Port names go into file names: keep them to a safe alphabet. */
static void
safe_name(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i] != '\0'; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ||
		    (src[i] >= 'A' && src[i] <= 'Z') ||
		    (src[i] >= '0' && src[i] <= '9') || src[i] == '-' ||
		    src[i] == '.' || src[i] == '_' ? src[i] : '_';
	dst[i] = '\0';
}

/*
 * Hands an event to the loop.  A full queue (the loop is far behind)
 * loses the event, counted; the loop also logs everything it can read.
 */
static void
wr_event(struct writer *w, enum writer_event_type type, const char *path,
    const char *text, uint64_t frames, uint64_t frame)
{
	struct writer_event *e;

	pthread_mutex_lock(&w->ev_lock);
	e = ring_reserve_rt(w->evq, sizeof(*e));
	if (e == NULL) {
		pthread_mutex_unlock(&w->ev_lock);
		atomic_fetch_add(&w->st_events_lost, 1);
		return;
	}
	memset(e, 0, offsetof(struct writer_event, path));
	e->type = type;
	e->frames = frames;
	e->frame = frame;
	e->seconds = (double)frames / w->rate;
	e->time = time(NULL);
	snprintf(e->text, sizeof(e->text), "%s", text != NULL ? text : "");
	snprintf(e->path, sizeof(e->path), "%s", path != NULL ? path : "");
	ring_commit_rt(w->evq, sizeof(*e));
	pthread_mutex_unlock(&w->ev_lock);
	if (w->notify != NULL)
		w->notify(w->notify_arg);
}

/*
 * Names the files of set s from its wall time: directory/template, then
 * -N when any of the names is taken, then _chNN_PORT in split mode, .wav.
 */
static int
wr_name_set(struct writer *w, struct fset *s)
{
	struct tm	tm;
	char		rel[PATH_MAX], base[PATH_MAX], port[64];
	char		partial[FSET_PARTIAL_BYTES];
	const char	*p;
	unsigned	i, suffix;
	int		taken, n;

	localtime_r(&s->wall.tv_sec, &tm);
	if (strftime(rel, sizeof(rel), w->cfg.name_template, &tm) == 0) {
		log_errx("name_template: \"%s\": expands to nothing",
		    w->cfg.name_template);
		return -EINVAL;
	}
	for (p = rel; p != NULL; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (rel[0] == '/' || (p[0] == '.' && p[1] == '.' &&
		    (p[2] == '/' || p[2] == '\0'))) {
			log_errx("name_template: \"%s\" gives \"%s\", which "
			    "leaves directory", w->cfg.name_template, rel);
			return -EINVAL;
		}
	}
	for (suffix = 0; suffix <= WR_MAX_SUFFIX; suffix++) {
		if (suffix == 0)
			n = snprintf(base, sizeof(base), "%s/%s",
			    w->cfg.directory, rel);
		else
			n = snprintf(base, sizeof(base), "%s/%s-%u",
			    w->cfg.directory, rel, suffix);
		if (n < 0 || (size_t)n >= sizeof(base) - 80)
			goto toolong;
		taken = 0;
		for (i = 0; i < s->n; i++) {
			if (s->split) {
				safe_name(port, sizeof(port),
				    cap_port_short_name(w->cap, i));
				snprintf(s->f[i].path, sizeof(s->f[i].path),
				    w->nch > 99 ? "%s_ch%03u_%s%s" :
				    "%s_ch%02u_%s%s", base, i + 1, port,
				    s->kind->be->ext);
			} else
				snprintf(s->f[i].path, sizeof(s->f[i].path),
				    "%s%s", base, s->kind->be->ext);
			snprintf(partial, sizeof(partial), "%s" FS_PARTIAL,
			    s->f[i].path);
			taken |= fs_exists(s->f[i].path) || fs_exists(partial);
		}
		if (!taken)
			return 0;
	}
	log_errx("file %s%s: taken, and so are the next %d names", base,
	    s->kind->be->ext, WR_MAX_SUFFIX);
	return -EEXIST;
toolong:
	log_errx("directory %s: file names from \"%s\" are too long",
	    w->cfg.directory, w->cfg.name_template);
	return -ENAMETOOLONG;
}

static int	wr_reclaim(struct writer *, struct fset_buf *, int);

/*
 * Throws the files of s away: they hold nothing of the take yet.  Files
 * the flusher is opening are waited for first.
 */
static void
wr_discard_set(struct writer *w, struct fset *s)
{
	char		partial[FSET_PARTIAL_BYTES], err[256];
	unsigned	i;

	/* No job may touch the files now. */
	if (s->opening)
		flush_wait_for(w->fl, s->job);
	for (i = 0; s->open && i < s->n; i++) {
		(void)wr_reclaim(w, &s->f[i].b[0], 1);
		(void)wr_reclaim(w, &s->f[i].b[1], 1);
	}
	for (i = 0; i < s->n; i++) {
		if (s->f[i].h != NULL) {
			s->f[i].be->close(s->f[i].h, err, sizeof(err));
			s->f[i].h = NULL;
			snprintf(partial, sizeof(partial), "%s" FS_PARTIAL,
			    s->f[i].path);
			unlink(partial);
		}
		if (s->f[i].sfd >= 0)
			flush_drop(w->fl, s->f[i].sfd);
		s->f[i].sfd = -1;
	}
	s->open = s->opening = 0;
}

/*
 * Names the files of s, whose start, wall and time_ref are set, in the
 * mode and format the configuration asks for now, and sets what their
 * headers say; fset_open_files opens them.
 */
static int
wr_open_begin(struct writer *w, struct fset *s)
{
	unsigned	i, k;
	int		rc;

	s->written = 0;
	s->split = w->cfg.mode == CFG_MODE_SPLIT;
	s->n = s->split ? w->nch : 1;
	s->kind = fmt_kind(w->cfg.format);
	s->fmt = s->kind->conv;
	s->frame_bytes = conv_sample_bytes(s->fmt) * (s->split ? 1 : w->nch);
	s->buf_bytes = s->split ? WR_SPLIT_BUF : WR_BUF_BYTES;
	for (i = 0; i < s->n; i++) {
		for (k = 0; k < 2; k++) {
			s->f[i].b[k].f = &s->f[i];
			s->f[i].b[k].base = s->arena + (2 * i + k) *
			    (s->buf_bytes + FMT_ALIGN);
			s->f[i].b[k].p = s->f[i].b[k].base;
			s->f[i].b[k].len = 0;
			s->f[i].b[k].busy = 0;
		}
		s->f[i].be = s->kind->be;
		s->f[i].fill = 0;
		s->f[i].handed = 0;
		s->f[i].failed = 0;
	}
	if ((rc = wr_name_set(w, s)) != 0)
		return rc;
	memset(&s->par, 0, sizeof(s->par));
	s->par.channels = s->split ? 1 : w->nch;
	s->par.rate = w->rate;
	s->par.bits = s->kind->bits;
	s->par.is_float = s->kind->is_float;
	s->par.direct = !s->split &&
	    s->frame_bytes * w->rate >= WR_DIRECT_RATE;
	s->par.time_ref = s->time_ref;
	s->par.origin = s->wall.tv_sec;
	/* A copy: the configuration may change while the flusher opens. */
	if (w->cfg.description != NULL) {
		snprintf(s->desc, sizeof(s->desc), "%s", w->cfg.description);
		s->par.description = s->desc;
	}
	return 0;
}

/* The files of s are open (rc 0): ready to take over. */
static int
wr_open_done(struct writer *w, struct fset *s, int rc)
{
	s->opening = 0;
	if (rc != 0) {
		wr_discard_set(w, s);
		return rc;
	}
	flush_dirsync(w->fl, s->f[0].path);
	s->open = 1;
	atomic_fetch_add(&w->st_opened, s->n);
	log_info("file %s%s: opened%s%s", s->f[0].path,
	    s->n > 1 ? " and the other channels" : "",
	    s->cue0[0] != '\0' ? "; marker: " : "", s->cue0);
	return 0;
}

/*
 * The files of s are the ones being recorded from now on.  The loop lists
 * them now, not when they are opened, since files opened ahead for a
 * boundary that a pause or a rotate command moved are thrown away unused.
 * Their header refreshes and syncs fall due spread over the periods, so
 * that 64 split files do not all write out their buffers in one pass.
 */
static void
wr_announce(struct writer *w, struct fset *s)
{
	char		partial[FSET_PARTIAL_BYTES];
	int64_t		now = mono_ns();
	unsigned	i;

	for (i = 0; i < s->n; i++) {
		s->f[i].update_ns = now + (int64_t)(w->cfg.header_seconds *
		    1e9 * (i + 1) / s->n);
		s->f[i].sync_ns = now + (int64_t)(w->cfg.fsync_seconds * 1e9 *
		    (i + 1) / s->n);
		snprintf(partial, sizeof(partial), "%s" FS_PARTIAL,
		    s->f[i].path);
		wr_event(w, WEV_FILE_OPENED, partial, NULL, 0, 0);
	}
}

/* Opens the files of s here and now. */
static int
wr_open_set(struct writer *w, struct fset *s)
{
	int rc;

	if ((rc = wr_open_begin(w, s)) != 0)
		return rc;
	return wr_open_done(w, s, fset_open_files(s));
}

/*
 * Takes b back from the flusher, waiting for it if wait.  Returns what
 * its job met (0 or -errno), or 0 if it is not back yet.
 */
static int
wr_reclaim(struct writer *w, struct fset_buf *b, int wait)
{
	if (!b->busy)
		return 0;
	if (wait)
		flush_wait_for(w->fl, b->job);
	else if (!flush_done(w->fl, b->job))
		return 0;
	b->busy = 0;
	b->len = 0;
	return b->err;
}

/*
 * Hands the buffer being filled to the flusher, with a header refresh or
 * a sync after it if asked, and fills the other one from now on, once the
 * flusher is done with it.  Returns 0, or an error that a write of this
 * file met (logged), now or before.
 */
static int
wr_flush(struct writer *w, struct fset_file *f, int update, int sync)
{
	struct fset_buf *b = &f->b[f->fill];

	if (b->len == 0 && !update && !sync)
		return 0;
	f->handed += b->len;
	b->update = update;
	b->sync = sync;
	b->err = 0;
	b->busy = 1;
	b->job = flush_call(w->fl, fset_write_job, b);
	f->fill ^= 1;
	return wr_reclaim(w, &f->b[f->fill], 1);
}

/*
 * The files of s are closed: the flusher syncs them and gives them their
 * final names (flush_finish), the last one with the directory's sync.
 */
static void
wr_close_done(struct writer *w, struct fset *s)
{
	char		text[64];
	unsigned	i;

	snprintf(text, sizeof(text), "%u %s %u", s->split ? 1 : w->nch,
	    s->kind->name, s->par.rate);
	for (i = 0; i < s->n; i++) {
		flush_finish(w->fl, s->f[i].sfd, s->f[i].path, text, s->frames,
		    i + 1 == s->n);
		s->f[i].sfd = -1;
	}
	s->closing = 0;
	atomic_fetch_add(&w->st_closed, s->n);
	log_info("file %s%s: closed, %llu frames (%.3f s)", s->f[0].path,
	    s->n > 1 ? " and the other channels" : "",
	    (unsigned long long)s->frames, (double)s->frames / s->par.rate);
}

/*
 * 1 once the flusher's job on s has run (wait: wait for it), and the pass
 * did rotation work; 0 while it has not.
 */
static int
wr_job_back(struct writer *w, const struct fset *s, int wait)
{
	if (wait)
		flush_wait_for(w->fl, s->job);
	else if (!flush_done(w->fl, s->job))
		return 0;
	w->turned = 1;
	return 1;
}

/*
 * The old files, once the flusher has closed them (wait: wait for it).
 * Returns 0, or the error their closing met.
 */
static int
wr_old_done(struct writer *w, int wait)
{
	struct fset *s = w->old;

	if (!s->closing || !wr_job_back(w, s, wait))
		return 0;
	wr_close_done(w, s);
	return s->job_err;
}

/*
 * Closes the files of cur here and now, after the old ones.  cur is free
 * again when it returns.
 */
static int
wr_close_cur(struct writer *w, const char *cue_end)
{
	struct fset	*s = w->cur;
	unsigned	 i, k;
	int		 rc, r;

	rc = wr_old_done(w, 1);
	if (!s->open)
		return rc;
	/* Every write of cur is done: the files are the writer's again. */
	for (i = 0; i < s->n; i++)
		for (k = 0; k < 2; k++)
			if ((r = wr_reclaim(w, &s->f[i].b[k], 1)) != 0 &&
			    rc == 0)
				rc = r;
	fset_retire(s);
	r = fset_close_files(s, cue_end);
	wr_close_done(w, s);
	return rc != 0 ? rc : r;
}

static void
wr_fail(struct writer *w)
{
	w->recording = 0;
	atomic_store(&w->st_failed, 1);
	atomic_store(&w->st_recording, 0);
	if (w->notify != NULL)
		w->notify(w->notify_arg);
}

/* The frame in the take that extended frame x is. */
static uint64_t
wr_take_frame(const struct writer *w, uint64_t x)
{
	return w->in_take && x >= w->take_pos0 ? x - w->take_pos0 : 0;
}

/* Pre-roll and the gate's timeline start again from the next record. */
static void
wr_gate_reset(struct writer *w)
{
	gate_reset(&w->gate);
	atomic_store(&w->st_gate, w->gate.on ? 0 : -1);
}

/*
 * Nothing is written for now, though the take goes on: every file is
 * finished, and the frames until recording resumes are a gap that the
 * next files report.
 */
static void
wr_pause(struct writer *w, enum writer_pause why, const char *text)
{
	wr_discard_set(w, w->next);
	wr_close_cur(w, NULL);
	flush_wait(w->fl);	/* synced and named before the log says so */
	w->paused = why;
	w->pause_from = w->pos;
	snprintf(w->pause_why, sizeof(w->pause_why), "%s",
	    why == WP_DISK_FULL ? "disk full" : "write error");
	wr_gate_reset(w);
	atomic_store(&w->st_paused, why);
	log_errx("recording paused: %s; every file is finished", text);
	wr_event(w, WEV_PAUSED, NULL, text, 0, wr_take_frame(w, w->pos));
}

static void
wr_unpause(struct writer *w, const char *text)
{
	log_info("recording resumes: %s", text);
	w->paused = WP_NONE;
	w->gap_pending = 1;
	atomic_store(&w->st_paused, WP_NONE);
}

/*
 * A write, an open or a header update failed; the cause is logged with the
 * path.  The files are finished to what reached them, then write_error
 * says what follows.  No space (ENOSPC, EDQUOT) waits for space as the
 * disk watch does.
 */
static void
wr_error(struct writer *w, int err)
{
	char text[128];

	wr_discard_set(w, w->next);
	wr_event(w, WEV_WRITE_ERROR, w->cur->open ? w->cur->f[0].path : NULL,
	    strerror(err), (uint64_t)err, 0);
	wr_close_cur(w, NULL);
	if (w->cfg.write_error == CFG_WERR_EXIT) {
		wr_fail(w);
		return;
	}
	if (err == ENOSPC || err == EDQUOT) {
		snprintf(text, sizeof(text), "directory %s: %s",
		    w->cfg.directory, strerror(err));
		wr_pause(w, WP_DISK_FULL, text);
		return;
	}
	if (w->cfg.write_error == CFG_WERR_STOP) {
		log_errx("take stopped after a write error (write_error "
		    "stop); start records again");
		w->want_take = 0;
		w->stop_why = "write error";
		return;
	}
	snprintf(text, sizeof(text), "%s; trying again every %d s",
	    strerror(err), WRITER_RETRY_S);
	wr_pause(w, WP_WRITE_ERROR, text);
	w->retry_ns = mono_ns() + WR_RETRY_NS;
}

/* Starts a new stretch of files at frame `start'. */
static int
wr_begin(struct writer *w, uint64_t start, uint32_t start_ft,
    const struct fset *before, const char *cue0)
{
	struct fset	*s = w->cur;
	int		 rc;

	s->start = start;
	cap_frame_wall_time(w->cap, start_ft, &s->wall);
	if (before != NULL)
		/* Keep the timeline of the frame clock across the gap. */
		s->time_ref = clock_time_ref(before->time_ref, before->start,
		    start, w->rate);
	else if (w->anchored)
		/* A take's files share one timeline, counted in frames. */
		s->time_ref = clock_time_ref(w->anchor_ref, w->anchor_frame,
		    start, w->rate);
	else
		s->time_ref = clock_time_ref_at(&s->wall, w->rate);
	w->anchored = 1;
	w->anchor_frame = start;
	w->anchor_ref = s->time_ref;
	snprintf(s->cue0, sizeof(s->cue0), "%s", cue0 != NULL ? cue0 : "");
	if ((rc = wr_open_set(w, s)) != 0) {
		wr_error(w, -rc);
		return -1;
	}
	wr_announce(w, s);
	w->began = 1;
	wr_plan_rotation(w, start, &s->wall, NULL);
	atomic_store(&w->st_recording, 1);
	return 0;
}

/*
 * The next files, once the flusher has opened them (wait: wait for it).
 * Returns 0 (open, or still opening), or the error their opening met.
 */
static int
wr_next_done(struct writer *w, int wait)
{
	struct fset *s = w->next;

	if (!s->opening || !wr_job_back(w, s, wait))
		return 0;
	return wr_open_done(w, s, s->job_err);
}

/*
 * At the boundary: the prepared files take over, and the old ones go to
 * the flusher to be closed.  So a boundary costs the writer next to
 * nothing, unless the next files are not open yet.
 */
static int
wr_rotate(struct writer *w)
{
	struct fset	*old = w->cur, *nx = w->next, *t;
	struct timespec	 nominal = w->rotate_wall, now_wall;
	uint64_t	 at = w->rotate_at;
	int		 rc;

	if (wr_next_done(w, 1) != 0)
		log_warnx("next files: trying again at the boundary");
	if (nx->open && nx->start != at)
		wr_discard_set(w, nx);	/* opened for another boundary */
	if (!nx->open) {
		/* Not prepared (a boundary soon after the last). */
		nx->start = at;
		nx->wall = nominal;
		nx->time_ref = clock_time_ref(old->time_ref, old->start, at,
		    w->rate);
		nx->cue0[0] = '\0';
		if ((rc = wr_open_set(w, nx)) != 0) {
			wr_error(w, -rc);
			return -1;
		}
	}
	/* The files before the old ones, if any are left. */
	if ((rc = wr_old_done(w, 1)) != 0) {
		wr_error(w, -rc);
		return -1;
	}
	fset_retire(old);
	old->job = flush_call(w->fl, fset_close_job, old);
	t = w->old;
	w->old = old;
	w->cur = nx;
	w->next = t;
	wr_announce(w, nx);
	cap_frame_wall_time(w->cap, (uint32_t)at, &now_wall);
	wr_plan_rotation(w, at, &now_wall, &nominal);
	w->turned = 1;
	return rc;
}

/* Has the flusher open the next files, ahead of the boundary. */
static void
wr_prepare(struct writer *w)
{
	struct fset *s = w->next;

	if (s->open || s->opening || w->rotate_at == WR_NEVER ||
	    !w->cur->open)
		return;
	if ((int64_t)(w->rotate_at - w->pos) * 1000000000 / w->rate >
	    WR_PREPARE_NS)
		return;
	s->start = w->rotate_at;
	s->wall = w->rotate_wall;
	s->time_ref = clock_time_ref(w->cur->time_ref, w->cur->start,
	    w->rotate_at, w->rate);
	s->cue0[0] = '\0';
	if (wr_open_begin(w, s) != 0) {
		log_warnx("next files: will try again at the boundary");
		return;
	}
	s->opening = 1;
	s->job = flush_call(w->fl, fset_open_job, s);
	w->turned = 1;
}

/*
 * Converts n frames, from the planar blocks at src + off, into the open
 * files, rotating where a boundary falls.  src == NULL writes silence.
 * Conversion goes in pieces that fit a file's buffer.
 */
static int
wr_put(struct writer *w, const float *const *src, size_t off, uint64_t n)
{
	struct fset	*s;
	struct fset_file	*f;
	struct fset_buf	*b;
	uint64_t	 k;
	unsigned	 i;
	int		 rc;

	while (n > 0) {
		if (w->rotate_at != WR_NEVER && w->pos >= w->rotate_at &&
		    wr_rotate(w) != 0)
			return -1;
		s = w->cur;
		k = n;
		if (w->rotate_at != WR_NEVER && w->rotate_at - w->pos < k)
			k = w->rotate_at - w->pos;
		if (src != NULL && k > s->buf_bytes / s->frame_bytes)
			k = s->buf_bytes / s->frame_bytes;
		/* Silence (rare) is written here, once the file is ours. */
		for (i = 0; src == NULL && i < s->n; i++) {
			f = &s->f[i];
			if ((rc = wr_flush(w, f, 0, 0)) != 0 ||
			    (rc = wr_reclaim(w, &f->b[f->fill ^ 1], 1)) != 0 ||
			    (rc = f->failed) != 0 ||
			    (rc = f->be->silence(f->h, k)) != 0)
				goto fail;
			f->handed += k * s->frame_bytes;
		}
		for (i = 0; src != NULL && i < s->n; i++) {
			b = &s->f[i].b[s->f[i].fill];
			if (b->len + k * s->frame_bytes > s->buf_bytes &&
			    (rc = wr_flush(w, &s->f[i], 0, 0)) != 0)
				goto fail;
			fset_aim(&s->f[i], &s->f[i].b[s->f[i].fill]);
		}
		if (src != NULL && s->split) {
			for (i = 0; i < w->nch; i++) {
				b = &s->f[i].b[s->f[i].fill];
				conv_mono(s->fmt, src[i] + off, k,
				    b->p + b->len, &w->peak[i],
				    &w->clips[i], w->cfg.dither ?
				    &w->dither[i] : NULL);
				b->len += k * s->frame_bytes;
			}
		} else if (src != NULL) {
			for (i = 0; i < w->nch; i++)
				w->src[i] = src[i] + off;
			b = &s->f[0].b[s->f[0].fill];
			conv_interleave(s->fmt, w->src, w->nch, k,
			    b->p + b->len, w->peak, w->clips,
			    w->cfg.dither ? w->dither : NULL);
			b->len += k * s->frame_bytes;
		}
		w->pos += k;
		s->written += k;
		off += k;
		n -= k;
		atomic_fetch_add(&w->st_frames, k);
		atomic_fetch_add(&w->st_take_frames, k);
	}
	return 0;
fail:
	wr_error(w, -rc);
	return -1;
}

static const char *
gap_cause(uint64_t gap, uint64_t dropped)
{
	if (dropped == gap)
		return "ring full, the writer fell behind";
	if (dropped == 0)
		return "JACK's frame time jumped (xrun)";
	return "ring full and JACK's frame time jumped";
}

/*
 * A record does not follow the last one: frames were dropped or JACK's
 * clock jumped.  Log it, count it, mark it; then end the files there
 * (split) or fill the gap with silence.
 */
static void
wr_gap(struct writer *w, uint64_t ft64, uint32_t ft, int64_t gap,
    uint64_t dropped)
{
	struct fset	 before;
	struct timespec	 at;
	struct tm	 tm;
	char		 label[128], when[32];
	const char	*cause;
	uint64_t	 frame = w->cur->written;
	unsigned	 i;

	cause = gap < 0 ? "JACK's frame time went backwards" :
	    gap_cause((uint64_t)gap, dropped);
	atomic_fetch_add(&w->st_gaps, 1);
	atomic_fetch_add(&w->st_gap_frames, gap > 0 ? (uint64_t)gap : 0);
	cap_frame_wall_time(w->cap, (uint32_t)w->pos, &at);
	localtime_r(&at.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	log_warnx("gap: %lld frames (%.3f s) at %s.%03ld, frame %llu of %s: "
	    "%s", (long long)gap, (double)gap / w->rate, when,
	    at.tv_nsec / 1000000, (unsigned long long)frame,
	    w->cur->open ? w->cur->f[0].path : "(no file)", cause);
	wr_event(w, WEV_GAP, w->cur->open ? w->cur->f[0].path : NULL, cause,
	    gap > 0 ? (uint64_t)gap : 0, frame);
	if (!w->cur->open) {
		w->pos = ft64;
		return;
	}
	if (gap > 0 && w->cfg.gap_policy == CFG_GAP_SILENCE &&
	    gap <= (int64_t)WR_MAX_SILENCE_S * w->rate) {
		snprintf(label, sizeof(label), "gap: %lld frames of silence: "
		    "%s", (long long)gap, cause);
		for (i = 0; i < w->cur->n; i++)
			w->cur->f[i].be->mark(w->cur->f[i].h, frame, label);
		wr_put(w, NULL, 0, (uint64_t)gap);
		return;
	}
	snprintf(label, sizeof(label), "gap: %lld frames missing after this "
	    "point: %s", (long long)gap, cause);
	before = *w->cur;
	wr_close_cur(w, label);
	wr_discard_set(w, w->next);
	w->pos = ft64;
	snprintf(label, sizeof(label), "gap: %lld frames missing before this "
	    "file: %s", (long long)gap, cause);
	wr_begin(w, ft64, ft, gap > 0 ? &before : NULL, label);
}

/*
 * How many frames are truly missing before record h.  Drops are counted
 * exactly by the callback.  JACK's frame time also moves when audio was
 * lost without a drop of ours (an xrun of the device), but after an xrun
 * JACK re-estimates its clock, and the time stamp of a single period can
 * be off while the audio runs on (seen with the dummy backend: +256 then
 * -256).  So a jump that the drops do not explain counts only when the
 * next record stays on the new timeline.  Returns 1 when that needs the
 * next record and it is not there yet (final: there will be none).
 */
static int
wr_judge(struct writer *w, const struct cap_rec *h, size_t len, int final,
    int64_t *gap)
{
	const struct cap_rec	*nx;
	int64_t			 jump;

	*gap = 0;
	if (!w->have_pos)
		return 0;
	jump = (int32_t)(h->frame_time - (uint32_t)w->pos);
	*gap = jump;
	if (jump == (int64_t)h->dropped)
		return 0;
	nx = ring_record(w->ring, len, sizeof(*nx));
	if (nx == NULL)
		return !final;
	if (nx->dropped == 0 && nx->frame_time ==
	    (uint32_t)(w->pos + h->dropped + h->nframes)) {
		log_info("jack: the time stamp of one period was off by %lld "
		    "frames (xrun); the audio runs on without a gap",
		    (long long)(jump - (int64_t)h->dropped));
		*gap = (int64_t)h->dropped;
	}
	return 0;
}

/* Meters work before a take too: peaks of a record nobody writes. */
static void
wr_peaks_only(struct writer *w, const struct cap_rec *h)
{
	const float	*x;
	float		 a;
	uint32_t	 i;
	unsigned	 c;

	for (c = 0; c < w->nch; c++) {
		x = w->planes[c];
		for (i = 0; i < h->nframes; i++) {
			a = fabsf(x[i]);
			if (a > w->peak[c])
				w->peak[c] = a;
			else if (a != a)
				w->clips[c]++;
		}
	}
}

/*
 * Opens files whose frame 0 is extended frame `at'.  After a pause they
 * begin with a marker, and the gap is logged, counted and reported.
 */
static int
wr_open_at(struct writer *w, uint64_t at, const char *cue)
{
	char		label[160];
	uint64_t	lost;

	w->pos = at;
	if (w->gap_pending) {
		w->gap_pending = 0;
		lost = w->gap_lost_s > 0 ? (uint64_t)llround(w->gap_lost_s *
		    w->rate) : at - w->pause_from;
		w->gap_lost_s = 0;
		atomic_fetch_add(&w->st_gaps, 1);
		atomic_fetch_add(&w->st_gap_frames, lost);
		snprintf(label, sizeof(label), "gap: about %.3f s not recorded "
		    "before this file: %s", (double)lost / w->rate,
		    w->pause_why);
		log_warnx("gap: %llu frames (%.3f s) not recorded: %s",
		    (unsigned long long)lost, (double)lost / w->rate,
		    w->pause_why);
		wr_event(w, WEV_RESUMED, NULL, w->pause_why, lost,
		    wr_take_frame(w, at));
		cue = label;
	}
	return wr_begin(w, at, (uint32_t)at, NULL, cue);
}

/* The first record of a take. */
static void
wr_take_begin(struct writer *w, uint64_t ft64, uint32_t ft)
{
	struct timespec wall;

	w->in_take = 1;
	w->anchored = 0;
	w->take_pos0 = ft64;
	w->stop_why = NULL;
	atomic_store(&w->st_take_frames, 0);
	cap_frame_wall_time(w->cap, ft, &wall);
	atomic_store(&w->st_take_start, (long long)wall.tv_sec);
	atomic_store(&w->st_gate_since, 0);
	wr_gate_reset(w);
	wr_event(w, WEV_TAKE_STARTED, NULL, NULL, 0, 0);
	if (w->gate.on)
		log_info("gate: closed until a sample reaches %.1f dBFS",
		    w->cfg.gate_threshold_dbfs);
}

static void
wr_take_end(struct writer *w)
{
	wr_discard_set(w, w->next);
	wr_close_cur(w, NULL);
	flush_wait(w->fl);
	w->recording = 0;
	w->in_take = 0;
	w->paused = WP_NONE;
	w->gap_pending = 0;
	wr_gate_reset(w);
	atomic_store(&w->st_paused, WP_NONE);
	atomic_store(&w->st_recording, 0);
	atomic_store(&w->st_take_start, 0);
	log_info("take stopped%s%s", w->stop_why != NULL ? ": " : "",
	    w->stop_why != NULL ? w->stop_why : "");
	wr_event(w, WEV_TAKE_STOPPED, NULL, w->stop_why,
	    atomic_load(&w->st_take_frames), 0);
	w->stop_why = NULL;
}

static void
wr_when(const struct writer *w, uint64_t x, char *buf, size_t len)
{
	struct timespec	at;
	struct tm	tm;
	char		hms[16];
	int		ms;

	cap_frame_wall_time(w->cap, (uint32_t)x, &at);
	localtime_r(&at.tv_sec, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	ms = (int)(at.tv_nsec / 1000000) % 1000;
	snprintf(buf, len, "%.8s.%03d", hms, ms);
}

/*
 * The gate opened (sp): files begin (or go on after a marker) where its
 * stretch begins, and the pre-roll before the record is written first.
 */
static int
wr_gate_opened(struct writer *w, const struct gate_span *sp)
{
	const float	**planes = w->gate.pre_planes;
	uint64_t	  s = sp->start, done, k;
	char		  label[160], when[24];
	unsigned	  i;

	wr_when(w, s, when, sizeof(when));
	if (w->cur->open && (w->cfg.gate_split || (w->rotate_at != WR_NEVER &&
	    s >= w->rotate_at))) {
		wr_discard_set(w, w->next);
		wr_close_cur(w, NULL);
	}
	if (w->cur->open) {
		/* gate_split false: the same files go on after a marker. */
		w->pos = s;
		snprintf(label, sizeof(label), "gate: opened; this stretch "
		    "began at %s, %.3f s after the last one ended", when,
		    (double)(s - w->gate.closed_at) / w->rate);
		for (i = 0; i < w->cur->n; i++)
			w->cur->f[i].be->mark(w->cur->f[i].h, w->cur->written,
			    label);
	} else {
		snprintf(label, sizeof(label), "gate: opened; this stretch "
		    "began at %s", when);
		if (wr_open_at(w, s, label) != 0)
			return -1;
	}
	atomic_store(&w->st_gate, 1);
	atomic_store(&w->st_gate_since, wr_take_frame(w, s));
	log_info("gate: open at %s, frame %llu of the take, with %.3f s of "
	    "pre-roll", when, (unsigned long long)wr_take_frame(w, s),
	    (double)(sp->loud - s) / w->rate);
	wr_event(w, WEV_GATE_OPENED, w->cur->f[0].path, NULL, sp->loud - s,
	    wr_take_frame(w, s));
	for (done = 0; (k = gate_preroll(&w->gate, sp, done, planes)) > 0;
	    done += k)
		if (wr_put(w, planes, 0, k) != 0)
			return -1;
	return 0;
}

/* The gate closed at frame at: told, and with gate_split the files end. */
static void
wr_gate_closed(struct writer *w, uint64_t at)
{
	char when[24];

	wr_when(w, at, when, sizeof(when));
	atomic_store(&w->st_gate, 0);
	atomic_store(&w->st_gate_since, wr_take_frame(w, at));
	log_info("gate: closed at %s, frame %llu of the take, after %.3f s",
	    when, (unsigned long long)wr_take_frame(w, at),
	    (double)(at - w->gate.seg_start) / w->rate);
	wr_event(w, WEV_GATE_CLOSED, w->cur->open ? w->cur->f[0].path : NULL,
	    NULL, at - w->gate.seg_start, wr_take_frame(w, at));
	if (w->cfg.gate_split) {
		wr_discard_set(w, w->next);
		wr_close_cur(w, "gate: closed");
	}
}

/*
 * One record through the gate (gate.c says which span to write, and
 * where it opened and closed); here the files follow.
 */
static void
wr_gated(struct writer *w, const struct cap_rec *h, uint64_t ft64)
{
	uint64_t		hold = (uint64_t)llround(
				    w->cfg.gate_hold_seconds * w->rate);
	struct gate_span	sp;

	wr_peaks_only(w, h);
	/* Files of a closed gate end at their boundary. */
	if (!w->gate.open && w->cur->open && w->rotate_at != WR_NEVER &&
	    ft64 >= w->rotate_at) {
		wr_discard_set(w, w->next);
		wr_close_cur(w, NULL);
	}
	gate_judge(&w->gate, w->planes, h->nframes, ft64, hold, &sp);
	if (sp.opens && wr_gate_opened(w, &sp) != 0)
		return;
	if (sp.end > sp.off) {
		w->pos = ft64 + sp.off;
		if (wr_put(w, w->planes, sp.off, sp.end - sp.off) != 0)
			return;
	}
	if (sp.closes)
		wr_gate_closed(w, sp.close_at);
	gate_after(&w->gate, w->planes, h->nframes, &sp);
}

/* A gap where nothing is written: counted and told, the pre-roll lost. */
static void
wr_gap_idle(struct writer *w, uint64_t ft64, int64_t gap, uint64_t dropped)
{
	const char *cause;

	cause = gap < 0 ? "JACK's frame time went backwards" :
	    gap_cause((uint64_t)gap, dropped);
	atomic_fetch_add(&w->st_gaps, 1);
	atomic_fetch_add(&w->st_gap_frames, gap > 0 ? (uint64_t)gap : 0);
	log_warnx("gap: %lld frames (%.3f s) while nothing was being written "
	    "(%s): %s", (long long)gap, (double)gap / w->rate,
	    w->paused != WP_NONE ? "paused" : "gate closed", cause);
	wr_event(w, WEV_GAP, NULL, cause, gap > 0 ? (uint64_t)gap : 0, 0);
	gate_gap(&w->gate, ft64);
	w->pos = ft64;
}

static void
wr_record(struct writer *w, const struct cap_rec *h, const float *data,
    int64_t gap)
{
	uint64_t	ft64;
	unsigned	i;

	/*
	 * pos extends JACK's 32-bit frame time (it wraps every day or so at
	 * 48 kHz) to 64 bits; gap (negative: the clock went backwards) says
	 * where this record lies from there.
	 */
	ft64 = w->have_pos ? w->pos + (uint64_t)gap : h->frame_time;
	for (i = 0; i < w->nch; i++)
		w->planes[i] = data + (size_t)i * h->nframes;
	/* Records from before the take was asked for are not part of it. */
	if (w->recording && w->skipping) {
		if ((int32_t)(h->frame_time - w->skip_until) < 0) {
			wr_peaks_only(w, h);
			w->pos = ft64 + h->nframes;
			w->have_pos = 1;
			return;
		}
		w->skipping = 0;
	}
	if (!w->recording) {
		wr_peaks_only(w, h);
		w->pos = ft64 + h->nframes;
		w->have_pos = 1;
		return;
	}
	if (!w->in_take)
		wr_take_begin(w, ft64, h->frame_time);
	else if (w->have_pos && gap != 0) {
		if (w->cur->open && (!w->gate.on || w->gate.open))
			wr_gap(w, ft64, h->frame_time, gap, h->dropped);
		else
			wr_gap_idle(w, ft64, gap, h->dropped);
	}
	w->have_pos = 1;
	if (w->paused != WP_NONE)
		wr_peaks_only(w, h);
	else if (w->gate.on)
		wr_gated(w, h, ft64);
	else if (w->cur->open || wr_open_at(w, ft64, NULL) == 0)
		wr_put(w, w->planes, 0, h->nframes);
	w->pos = ft64 + h->nframes;
}

/*
 * The gate as the configuration asks: threshold, channels, and the
 * pre-roll buffer, sized for the rate.  Turned on during a take, the gate
 * counts as open from here; turned off, files open with the next record.
 */
static void
wr_gate_setup(struct writer *w)
{
	uint64_t cap = (uint64_t)llround(w->cfg.gate_preroll_seconds *
		     w->rate);

	if (gate_configure(&w->gate, w->cfg.gate_threshold_dbfs,
	    w->cfg.gate_channels.v, w->cfg.gate_channels.n, cap) != 0)
		log_warn("gate: pre-roll of %.1f s", (double)cap / w->rate);
	if (w->cfg.gate && !w->gate.on) {
		gate_turn_on(&w->gate, w->pos, w->cur->open);
		atomic_store(&w->st_gate, w->gate.open);
	} else if (!w->cfg.gate && w->gate.on) {
		gate_turn_off(&w->gate);
		wr_gate_reset(w);
	}
}

/*
 * A take as asked (want_take): it begins with the first record from
 * take_from on (unless recording failed for good), or it ends.
 */
static void
wr_take_want(struct writer *w)
{
	if (w->want_take && !w->recording && !atomic_load(&w->st_failed)) {
		w->recording = 1;
		w->skipping = 1;
		w->skip_until = w->take_from;
	} else if (!w->want_take && (w->recording || w->in_take))
		wr_take_end(w);
}

static void	wr_retain_post(struct writer *);

/* Commands from the loop: rotate, mark, a new configuration. */
static void
wr_commands(struct writer *w)
{
	const struct wr_cmd	*c;
	unsigned		 i;

	while ((c = ring_record(w->cmdq, 0, sizeof(*c))) != NULL) {
		switch (c->type) {
		case WR_CMD_ROTATE:
			/* At the next frame: the next record starts new files. */
			if (w->cur->open && w->pos > w->cur->start) {
				w->rotate_at = w->pos;
				cap_frame_wall_time(w->cap, (uint32_t)w->pos,
				    &w->rotate_wall);
				log_info("rotate: asked for");
			}
			break;
		case WR_CMD_MARK:
			if (!w->cur->open)
				break;
			for (i = 0; i < w->cur->n; i++)
				w->cur->f[i].be->mark(w->cur->f[i].h,
				    w->cur->written, c->label);
			wr_event(w, WEV_MARK, NULL, c->label, 0,
			    atomic_load(&w->st_take_frames));
			break;
		case WR_CMD_CONFIG:
			/* Mode, format and names apply from the next files. */
			cfg_done(&w->cfg);
			w->cfg = *c->cfg;
			free(c->cfg);
			w->silence_lin = (float)pow(10,
			    w->cfg.silence_threshold_dbfs / 20);
			wr_gate_setup(w);
			wr_retain_post(w);
			break;
		case WR_CMD_TAKE:
			w->want_take = c->on;
			w->take_from = c->from;
			wr_take_want(w);
			break;
		case WR_CMD_RESUME:
			w->resume_req = 1;
			break;
		}
		ring_release(w->cmdq, sizeof(*c));
	}
}

/* Peaks and clips since the last drain, merged for the loop to take. */
static void
wr_publish_levels(struct writer *w, int measured)
{
	union { float f; unsigned u; } now, old;
	long long	t = (long long)mono_ns();
	uint64_t	n;
	unsigned	c;

	for (c = 0; c < w->nch; c++) {
		if (w->peak[c] >= w->silence_lin)
			atomic_store(&w->loud_ns[c], t);
		n = w->clips[c] - w->clips_seen[c] + (w->peak[c] >= 1.0f);
		if (n > 0)
			atomic_fetch_add(&w->clip_total[c], n);
		if (w->peak[c] > 0 || w->peak[c] != w->peak[c]) {
			now.f = w->peak[c];
			old.u = atomic_load(&w->peak_bits[c]);
			while (now.f > old.f && !atomic_compare_exchange_weak(
			    &w->peak_bits[c], &old.u, now.u))
				;
			old.u = atomic_load(&w->peak2_bits[c]);
			while (now.f > old.f && !atomic_compare_exchange_weak(
			    &w->peak2_bits[c], &old.u, now.u))
				;
		}
		if (w->peak[c] >= 1.0f || w->clips[c] != w->clips_seen[c])
			atomic_store(&w->clip[c], 1);
		w->clips_seen[c] = w->clips[c];
		w->peak[c] = 0;
	}
	/*
	 * The meters have news when a period was measured, or when none has
	 * come for a while (JACK stopped): then silence is the truth.
	 */
	if (measured)
		w->levels_rec_ns = t;
	if (measured || t - w->levels_rec_ns >= WR_LEVELS_IDLE_NS)
		atomic_fetch_add(&w->levels_seq, 1);
}

/*
 * Record h is the first at a new sample rate (PipeWire's clock.force-rate;
 * cap_rt.c tags each record).  A file holds one rate, the one in its
 * header: the files end with the last record at the old rate, and the
 * next ones start with h, at h's rate, after a gap of what the change
 * lost (JACK's frame time says: a period, under PipeWire).  The take's
 * timeline starts again from the wall clock.
 */
static void
wr_rate_change(struct writer *w, const struct cap_rec *h)
{
	int64_t		lost = 0;
	unsigned	was = w->rate;

	if (w->have_pos) {
		lost = (int32_t)(h->frame_time - (uint32_t)w->pos);
		if (lost < 0)
			lost = 0;
	}
	log_info("rate: %u Hz from JACK frame %u on (was %u)%s", h->rate,
	    h->frame_time, was, w->cur->open ? "; the files end here" : "");
	if (w->in_take) {
		wr_discard_set(w, w->next);
		(void)wr_close_cur(w, "the sample rate changed after this "
		    "point");
		if (lost > 0 && !w->gap_pending) {
			w->gap_pending = 1;
			w->gap_lost_s = (double)lost / h->rate;
			snprintf(w->pause_why, sizeof(w->pause_why), "the "
			    "sample rate changed from %u to %u Hz", was,
			    h->rate);
		}
	}
	w->rate = h->rate;
	w->have_pos = 0;
	w->anchored = 0;
	w->rotate_at = WR_NEVER;
	wr_gate_setup(w);	/* the pre-roll, sized for the rate */
	wr_gate_reset(w);
}

/*
 * Record h is the first after a stall that the loop's liveness guard saw
 * (writer_stalled).  The length comes from the wall clock, as the loop
 * measured it, less what JACK's frame time shows already (wr_judge takes
 * that part).  A take's files end at the stall, and the next ones start
 * after a gap of that length, with their time from the wall clock.
 * Returns 1 while the length is not known yet (final: it never will be).
 */
static int
wr_stall_check(struct writer *w, const struct cap_rec *h, int final)
{
	uint64_t	sc = atomic_load(&w->stall_cycle);	/* last + 1 */
	int64_t		ns, lost, jump, slack;
	char		why[64];

	if (sc == 0 || sc == w->stall_done || h->cycle < sc)
		return 0;
	/*
	 * Only the first record after the stall starts the gap.  A later
	 * one means the writer had the first before it was told (the stall
	 * ended as it was seen): nothing to place.
	 */
	if (h->cycle != sc) {
		w->stall_done = sc;
		return 0;
	}
	ns = atomic_load(&w->stall_ns);
	if (ns < 0 && !final)
		return 1;
	w->stall_done = sc;
	jump = w->have_pos ? (int32_t)(h->frame_time - (uint32_t)w->pos) : 0;
	lost = llround((double)(ns > 0 ? ns : 0) * w->rate / 1e9) -
	    (int64_t)h->nframes;
	/*
	 * The loop measures the stall to its tick (100 ms) at either end:
	 * when JACK's frame time shows about as much, it is the exact
	 * measure, and wr_judge takes it.
	 */
	slack = (int64_t)w->rate / 5 + (int64_t)h->nframes;
	if (!w->in_take || lost <= jump + slack)
		return 0;
	/*
	 * What JACK's frame time shows of it, wr_judge reports as usual; and
	 * the timeline of frames goes on (have_pos stays), so that the
	 * dummy driver's first stamp after a stall, a period off and taken
	 * back by the next one, is no gap either.
	 */
	if (jump > 0)
		lost -= jump;
	snprintf(why, sizeof(why), "JACK ran recd no more for %.1f s "
	    "(stalled)", (double)ns / 1e9);
	if (w->cur->open) {
		wr_discard_set(w, w->next);
		(void)wr_close_cur(w, "JACK stalled after this point");
		w->gap_pending = 1;
		w->gap_lost_s = (double)lost / w->rate;
		snprintf(w->pause_why, sizeof(w->pause_why), "%s", why);
	} else {
		/* Paused, the gate closed, or no file yet: counted, told. */
		atomic_fetch_add(&w->st_gaps, 1);
		atomic_fetch_add(&w->st_gap_frames, (uint64_t)lost);
		log_warnx("gap: %lld frames (%.3f s) while nothing was being "
		    "written: %s", (long long)lost, (double)lost / w->rate,
		    why);
		wr_event(w, WEV_GAP, NULL, why, (uint64_t)lost, 0);
	}
	w->anchored = 0;	/* the next files' time: the wall clock's */
	w->rotate_at = WR_NEVER;
	wr_gate_reset(w);
	return 0;
}

/* Takes every whole record out of the ring. */
static void
wr_drain(struct writer *w, int final)
{
	const struct cap_rec	*h;
	const unsigned char	*rec;
	size_t			 len;
	int64_t			 gap;
	int			 measured = 0;

	wr_take_want(w);
	wr_commands(w);
	(void)ring_fill(w->ring);
	while ((h = ring_record(w->ring, 0, sizeof(*h))) != NULL) {
		len = cap_rec_bytes(w->nch, h->nframes);
		rec = ring_record(w->ring, 0, len);
		if (rec == NULL)
			break;
		if (h->rate != 0 && h->rate != w->rate)
			wr_rate_change(w, h);
		if (wr_stall_check(w, h, final) != 0 ||
		    wr_judge(w, h, len, final, &gap) != 0)
			break;
		wr_record(w, (const struct cap_rec *)rec,
		    (const float *)(rec + sizeof(*h)), gap);
		ring_release(w->ring, len);
		measured = 1;
	}
	wr_publish_levels(w, measured);
	atomic_store(&w->st_fill, ring_fill(w->ring));
	atomic_store(&w->st_high_water, ring_high_water(w->ring));
}

/*
 * Free space on the recording filesystem: below disk_warn_mb a warning,
 * below disk_min_mb a pause with every file finished, and back above it
 * (with some room, so that it does not flap) recording again, by itself
 * or on a start command as disk_resume says.
 */
static void
wr_disk(struct writer *w, int64_t now)
{
	long long	free_b;
	unsigned	v;
	char		text[160];

	if (now < w->next_disk_ns && !w->resume_req)
		return;
	w->next_disk_ns = now + WR_DISK_NS;
	free_b = diskw_free(w->cfg.directory);
	w->disk_free = free_b;
	atomic_store(&w->st_disk_free, free_b);
	v = diskw_judge(&w->disk, free_b, w->cfg.disk_warn_mb,
	    w->cfg.disk_min_mb);
	if (v & DISKW_LOW) {
		log_warnx("disk %s: %lld MB free, below disk_warn_mb (%ld)",
		    w->cfg.directory, free_b / WR_MB, w->cfg.disk_warn_mb);
		wr_event(w, WEV_DISK_LOW, w->cfg.directory, "low",
		    (uint64_t)free_b, 0);
	} else if (v & DISKW_OK) {
		log_info("disk %s: %lld MB free again", w->cfg.directory,
		    free_b / WR_MB);
		wr_event(w, WEV_DISK_LOW, w->cfg.directory, "ok",
		    (uint64_t)free_b, 0);
	}
	if ((v & DISKW_FULL) && w->recording && w->paused == WP_NONE) {
		snprintf(text, sizeof(text), "disk %s: %lld MB free, below "
		    "disk_min_mb (%ld)", w->cfg.directory, free_b / WR_MB,
		    w->cfg.disk_min_mb);
		wr_pause(w, WP_DISK_FULL, text);
	} else if ((v & DISKW_ROOM) && w->paused == WP_DISK_FULL) {
		if (w->cfg.disk_resume == CFG_RESUME_AUTO)
			wr_unpause(w, "there is disk space again");
		else {
			w->paused = WP_WAIT_START;
			atomic_store(&w->st_paused, WP_WAIT_START);
			log_info("disk %s: %lld MB free again; recording waits "
			    "for a start command (disk_resume start)",
			    w->cfg.directory, free_b / WR_MB);
		}
	}
}

/* A pause ends: on a start command, or the next try after an error. */
static void
wr_pause_check(struct writer *w, int64_t now)
{
	int req = w->resume_req;

	w->resume_req = 0;

	if (w->paused == WP_WAIT_START && req)
		wr_unpause(w, "start command");
	else if (w->paused == WP_WRITE_ERROR && (req || now >= w->retry_ns))
		wr_unpause(w, "trying again after the write error");
}

/*
 * Retention is the flusher's: it keeps the ledger as it finishes files,
 * and applies keep_hours and keep_gb after each set it finished, when the
 * settings come and every minute.
 */
static void
wr_retain_post(struct writer *w)
{
	flush_retain(w->fl, w->cfg.directory, w->cfg.keep_hours,
	    w->cfg.keep_gb);
}

static void
wr_deleted(void *arg, const char *path, uint64_t bytes, const char *why)
{
	wr_event(arg, WEV_FILE_DELETED, path, why, bytes, 0);
}

/*
 * Called by the flusher once a file is synced and named: the event names
 * the file as it is, .partial if the rename failed.
 */
static void
wr_finished(void *arg, const char *path, const char *text, uint64_t frames,
    int named)
{
	char partial[FSET_PARTIAL_BYTES];

	snprintf(partial, sizeof(partial), "%s%s", path, named ? "" :
	    FS_PARTIAL);
	wr_event(arg, WEV_FILE_CLOSED, partial, text, frames, 0);
}

static void
wr_retention(struct writer *w, int64_t now)
{
	if ((w->cfg.keep_hours <= 0 && w->cfg.keep_gb <= 0) ||
	    now < w->next_retain_ns)
		return;
	w->next_retain_ns = now + WR_RETAIN_NS;
	wr_retain_post(w);
}

/*
 * Header refreshes and syncs fall due per file, spread over their period
 * from the file's open on, so that 64 split files do not all write out
 * their buffers in one pass.  Returns 1 when *at is due, and sets the next.
 */
static int
wr_due(int64_t *at, int64_t now, double seconds)
{
	int64_t period = (int64_t)(seconds * 1e9);

	if (now < *at)
		return 0;
	*at += period;
	if (*at <= now)
		*at = now + period;
	return 1;
}

static void
wr_housekeeping(struct writer *w, int64_t now)
{
	struct fset	*s = w->cur;
	struct fset_file	*f;
	unsigned	 i;
	int		 rc, update, sync;

	if ((rc = wr_old_done(w, 0)) != 0) {
		wr_error(w, -rc);
		return;
	}
	if (wr_next_done(w, 0) != 0)
		log_warnx("next files: will try again");
	wr_retention(w, now);
	wr_disk(w, now);
	wr_pause_check(w, now);
	if (!s->open)
		return;
	wr_prepare(w);
	for (i = 0; i < s->n && s->open; i++) {
		f = &s->f[i];
		/* A write the flusher finished: did it fail? */
		if ((rc = wr_reclaim(w, &f->b[f->fill ^ 1], 0)) != 0) {
			wr_error(w, -rc);
			return;
		}
		/*
		 * What the buffer holds goes to the file before the header
		 * is refreshed or the file synced, so that a kill or a
		 * power cut takes no more than header_seconds or
		 * fsync_seconds.
		 */
		update = wr_due(&f->update_ns, now, w->cfg.header_seconds);
		sync = w->cfg.fsync_seconds > 0 &&
		    wr_due(&f->sync_ns, now, w->cfg.fsync_seconds);
		if ((update || sync) &&
		    (rc = wr_flush(w, f, update, sync)) != 0) {
			wr_error(w, -rc);
			return;
		}
	}
}

/*
 * Keeps the longest pass, and the longest that did rotation work (the
 * boundary, the next files handed to the flusher or taken back from it),
 * for status and the benchmarks: how long the ring must carry the audio
 * alone.  A pass that began files for a take (a start, a gap, the gate)
 * is not a rotation, even if it also prepared the next files.
 */
static void
wr_time_pass(struct writer *w, int64_t t0)
{
	uint64_t ns = (uint64_t)(mono_ns() - t0);

	if (!w->began && ns > atomic_load(&w->st_pass_max_ns))
		atomic_store(&w->st_pass_max_ns, ns);
	if (w->turned && !w->began && ns > atomic_load(&w->st_turn_max_ns))
		atomic_store(&w->st_turn_max_ns, ns);
	w->turned = w->began = 0;
}

/*
 * Sleeps until the next pass.  Meters need a pass every WR_TICK_NS;
 * without them, every wake-up is CPU spent for nothing (on a 2-core VM it
 * cost more than the work of the pass at 2 ch), so the writer wakes 12x
 * less often (at 16 ch, 0.4 ms a second less than at 100 ms), never more
 * rarely than 8 times a ring's length, and often enough that a pass takes
 * about WR_PASS_BYTES at most (at 64 ch/48 kHz every 125 ms): a longer
 * pass is a longer wait at a rotation.  When
 * meters start, writer_levels ends the slow tick through the pipe, so
 * that the first meter frames have data.
 */
static void
wr_sleep(struct writer *w, int64_t now)
{
	struct pollfd	pfd;
	char		buf[16];
	int64_t		ns = WR_IDLE_TICK_NS, most;

	if (now - atomic_load(&w->levels_ns) < WR_METER_NS)
		ns = WR_TICK_NS;
	most = (int64_t)(w->cfg.buffer_seconds * 1e9) / 8;
	if (ns > most)
		ns = most;
	most = (int64_t)(WR_PASS_BYTES * 1e9 / ((double)w->nch * w->rate *
	    sizeof(float)));
	if (ns > most)
		ns = most;
	if (ns < WR_TICK_NS)
		ns = WR_TICK_NS;
	pfd.fd = w->wake[0];
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, (int)(ns / 1000000)) > 0)
		while (read(w->wake[0], buf, sizeof(buf)) > 0)
			;
}

static void *
wr_main(void *arg)
{
	struct writer	*w = arg;
	int64_t		 t0;
	unsigned	 stall;
	int		 stopping;

#if defined(__linux__)
	(void)prctl(PR_SET_NAME, "recd-writer");	/* for top -H, perf */
#endif
	wr_gate_setup(w);
	wr_retain_post(w);
	for (;;) {
		stall = atomic_exchange(&w->stall_ms, 0);
		if (stall > 0) {
			struct timespec ts = { stall / 1000,
			    (long)(stall % 1000) * 1000000 };

			log_warnx("test hook: the writer stalls for %u ms",
			    stall);
			while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
				;
		}
		stopping = atomic_load(&w->stop);
		t0 = mono_ns();
		wr_drain(w, stopping);
		wr_housekeeping(w, mono_ns());
		atomic_fetch_add(&w->beats, 1);
		wr_time_pass(w, t0);
		if (stopping)
			break;
		/*
		 * Behind (after a slow disk, or fed faster than real time):
		 * drain again at once rather than let the ring fill up.
		 */
		if (ring_fill(w->ring) < ring_capacity(w->ring) /
		    WR_BEHIND_DIV)
			wr_sleep(w, mono_ns());
	}
	wr_discard_set(w, w->next);
	/*
	 * The flusher finishes the last files, and applies retention after
	 * them as after every set, before writer_stop returns.
	 */
	wr_close_cur(w, NULL);
	atomic_store(&w->st_recording, 0);
	return NULL;
}

struct writer *
writer_new(const struct cfg *cfg, struct cap *cap, void (*notify)(void *),
    void *arg, char *err, size_t errlen)
{
	struct writer	*w;
	size_t		 arena;
	unsigned	 i, k;
	int		 gate_ok;

	w = calloc(1, sizeof(*w));
	if (w == NULL || cfg_copy(&w->cfg, cfg, err, errlen) != 0) {
		free(w);
		snprintf(err, errlen, "writer: %s", strerror(ENOMEM));
		return NULL;
	}
	w->cap = cap;
	w->ring = cap_ring(cap);
	w->nch = cap_channels(cap);
	w->rate = cap_rate(cap);
	w->notify = notify;
	w->notify_arg = arg;
	pthread_mutex_init(&w->ev_lock, NULL);
	atomic_init(&w->st_disk_free, -1);
	atomic_init(&w->st_gate, -1);
	w->disk_free = -1;
	w->wake[0] = w->wake[1] = -1;
	if (pipe(w->wake) != 0 ||
	    fcntl(w->wake[0], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(w->wake[1], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(w->wake[0], F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(w->wake[1], F_SETFD, FD_CLOEXEC) != 0) {
		snprintf(err, errlen, "writer: pipe: %s", strerror(errno));
		writer_del(w);
		return NULL;
	}
	w->src = calloc(w->nch, sizeof(*w->src));
	w->planes = calloc(w->nch, sizeof(*w->planes));
	w->peak = calloc(w->nch, sizeof(*w->peak));
	w->clips = calloc(w->nch, sizeof(*w->clips));
	w->clips_seen = calloc(w->nch, sizeof(*w->clips_seen));
	w->dither = calloc(w->nch, sizeof(*w->dither));
	w->peak_bits = calloc(w->nch, sizeof(*w->peak_bits));
	w->clip = calloc(w->nch, sizeof(*w->clip));
	w->loud_ns = calloc(w->nch, sizeof(*w->loud_ns));
	w->clip_total = calloc(w->nch, sizeof(*w->clip_total));
	w->peak2_bits = calloc(w->nch, sizeof(*w->peak2_bits));
	w->silence_lin = (float)pow(10, w->cfg.silence_threshold_dbfs / 20);
	gate_ok = gate_init(&w->gate, w->nch) == 0;
	w->cmdq = ring_new(WR_CMD_SLOTS * sizeof(struct wr_cmd),
	    sizeof(struct wr_cmd), err, errlen);
	w->evq = ring_new(WR_EV_SLOTS * sizeof(struct writer_event),
	    sizeof(struct writer_event), err, errlen);
	if (w->src == NULL || w->planes == NULL || w->peak == NULL ||
	    w->clips == NULL || w->clips_seen == NULL || w->dither == NULL ||
	    w->peak_bits == NULL || w->clip == NULL || w->cmdq == NULL ||
	    w->loud_ns == NULL || w->clip_total == NULL ||
	    w->peak2_bits == NULL ||
	    !gate_ok || w->evq == NULL)
		goto nomem;
	for (i = 0; i < w->nch; i++)
		w->dither[i] = 0x9e3779b9u * (i + 1);
	/*
	 * Every set can hold split files, two buffers each; single mode
	 * carves its file's two larger ones from the same arena.
	 */
	arena = (size_t)2 * w->nch * (WR_SPLIT_BUF + FMT_ALIGN);
	if (arena < 2 * (WR_BUF_BYTES + FMT_ALIGN))
		arena = 2 * (WR_BUF_BYTES + FMT_ALIGN);
	for (k = 0; k < 3; k++) {
		w->sets[k].f = calloc(w->nch, sizeof(struct fset_file));
		/* Touched now, so the first writes meet no page fault. */
		w->sets[k].arena = aligned_alloc(FMT_ALIGN, arena);
		if (w->sets[k].f == NULL || w->sets[k].arena == NULL)
			goto nomem;
		memset(w->sets[k].arena, 0, arena);
		for (i = 0; i < w->nch; i++)
			w->sets[k].f[i].sfd = -1;
	}
	w->cur = &w->sets[0];
	w->next = &w->sets[1];
	w->old = &w->sets[2];
	w->rotate_at = WR_NEVER;
	return w;
nomem:
	snprintf(err, errlen, "writer: %s", strerror(ENOMEM));
	writer_del(w);
	return NULL;
}

int
writer_start(struct writer *w, char *err, size_t errlen)
{
	struct flush_ops	ops = { wr_finished, wr_deleted, w };
	int			rc;

	w->fl = flush_new(&ops, err, errlen);
	if (w->fl == NULL)
		return -ENOMEM;
	rc = pthread_create(&w->thread, NULL, wr_main, w);
	if (rc != 0) {
		snprintf(err, errlen, "writer: thread: %s", strerror(rc));
		flush_del(w->fl);
		w->fl = NULL;
		return -rc;
	}
	w->started = 1;
	return 0;
}

void
writer_stop(struct writer *w)
{
	if (!w->started)
		return;
	atomic_store(&w->stop, 1);
	pthread_join(w->thread, NULL);
	/* Every file the writer closed is finished when this returns. */
	flush_del(w->fl);
	w->fl = NULL;
	atomic_store(&w->stop, 0);
	w->started = 0;
}

void
writer_attach(struct writer *w, struct cap *cap, double lost_s,
    const char *why)
{
	w->cap = cap;
	w->ring = cap_ring(cap);
	w->rate = cap_rate(cap);
	w->have_pos = 0;
	w->anchored = 0;	/* another server, another frame clock */
	w->recording = 0;	/* skips what came before the connections */
	w->rotate_at = WR_NEVER;
	atomic_store(&w->stall_cycle, 0);	/* the new client counts anew */
	w->stall_done = 0;
	gate_resize(&w->gate);	/* the pre-roll, sized again for the rate */
	wr_gate_reset(w);
	if (w->in_take) {
		w->gap_pending = 1;
		w->gap_lost_s = lost_s > 0 ? lost_s : 1.0 / w->rate;
		snprintf(w->pause_why, sizeof(w->pause_why), "%s", why);
	}
}

void
writer_stalled(struct writer *w, uint64_t last)
{
	/*
	 * The length first: the writer reads the cycle, then the length.
	 * last + 1, the first cycle after the stall, so that 0 says none
	 * even for a client that stalled before its first period.
	 */
	atomic_store(&w->stall_ns, -1);
	atomic_store(&w->stall_cycle, last + 1);
}

void
writer_unstalled(struct writer *w, int64_t stall_ns)
{
	atomic_store(&w->stall_ns, stall_ns);
}

void
writer_del(struct writer *w)
{
	const struct wr_cmd	*c;
	unsigned		 k;

	if (w == NULL)
		return;
	writer_stop(w);
	for (k = 0; k < 3; k++) {
		free(w->sets[k].arena);
		free(w->sets[k].f);
	}
	/* Configurations sent but never taken. */
	while (w->cmdq != NULL &&
	    (c = ring_record(w->cmdq, 0, sizeof(*c))) != NULL) {
		if (c->type == WR_CMD_CONFIG) {
			cfg_done(c->cfg);
			free(c->cfg);
		}
		ring_release(w->cmdq, sizeof(*c));
	}
	ring_del(w->cmdq);
	ring_del(w->evq);
	if (w->wake[0] >= 0)
		close(w->wake[0]);
	if (w->wake[1] >= 0)
		close(w->wake[1]);
	free(w->src);
	free(w->planes);
	free(w->peak);
	free(w->clips);
	free(w->clips_seen);
	free(w->dither);
	free(w->peak_bits);
	free(w->clip);
	free(w->loud_ns);
	free(w->clip_total);
	free(w->peak2_bits);
	gate_free(&w->gate);
	pthread_mutex_destroy(&w->ev_lock);
	cfg_done(&w->cfg);
	free(w);
}

void
writer_get_stats(struct writer *w, struct writer_stats *st)
{
	st->recording = atomic_load(&w->st_recording);
	st->failed = atomic_load(&w->st_failed);
	st->frames = atomic_load(&w->st_frames);
	st->files_opened = atomic_load(&w->st_opened);
	st->files_closed = atomic_load(&w->st_closed);
	st->gaps = atomic_load(&w->st_gaps);
	st->gap_frames = atomic_load(&w->st_gap_frames);
	st->ring_high_water = atomic_load(&w->st_high_water);
	st->ring_fill = atomic_load(&w->st_fill);
	st->take_frames = atomic_load(&w->st_take_frames);
	st->take_start = (time_t)atomic_load(&w->st_take_start);
	st->disk_free = atomic_load(&w->st_disk_free);
	st->events_lost = atomic_load(&w->st_events_lost);
	st->gate = atomic_load(&w->st_gate);
	st->gate_since = atomic_load(&w->st_gate_since);
	st->paused = atomic_load(&w->st_paused);
	st->pass_max_ns = atomic_load(&w->st_pass_max_ns);
	st->turn_max_ns = atomic_load(&w->st_turn_max_ns);
}

static int
wr_send(struct writer *w, enum wr_cmd_type type, struct cfg *cfg,
    const char *label, int on, uint32_t from)
{
	struct wr_cmd *c;

	c = ring_reserve_rt(w->cmdq, sizeof(*c));
	if (c == NULL)
		return -EAGAIN;
	memset(c, 0, sizeof(*c));
	c->type = type;
	c->on = on;
	c->from = from;
	c->cfg = cfg;
	snprintf(c->label, sizeof(c->label), "%s", label != NULL ? label : "");
	ring_commit_rt(w->cmdq, sizeof(*c));
	return 0;
}

int
writer_rotate(struct writer *w)
{
	return wr_send(w, WR_CMD_ROTATE, NULL, NULL, 0, 0);
}

int
writer_mark(struct writer *w, const char *label)
{
	return wr_send(w, WR_CMD_MARK, NULL, label, 0, 0);
}

int
writer_resume(struct writer *w)
{
	return wr_send(w, WR_CMD_RESUME, NULL, NULL, 0, 0);
}

int
writer_config(struct writer *w, const struct cfg *cfg)
{
	struct cfg	*c;
	char		 err[256];
	int		 rc;

	c = malloc(sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	if ((rc = cfg_copy(c, cfg, err, sizeof(err))) != 0) {
		free(c);
		return rc;
	}
	rc = wr_send(w, WR_CMD_CONFIG, c, NULL, 0, 0);
	if (rc != 0) {
		cfg_done(c);
		free(c);
	}
	return rc;
}

int
writer_event(struct writer *w, struct writer_event *e)
{
	const struct writer_event *q;

	q = ring_record(w->evq, 0, sizeof(*q));
	if (q == NULL)
		return 0;
	memcpy(e, q, sizeof(*e));
	ring_release(w->evq, sizeof(*q));
	return 1;
}

int
writer_levels(struct writer *w, float peak[], unsigned char clip[])
{
	union { float f; unsigned u; } v;
	long long now = (long long)mono_ns();
	uint64_t seq = atomic_load(&w->levels_seq);
	ssize_t n = 0;
	unsigned c;

	/*
	 * Meters start: end the writer's slow tick (wr_sleep).  A full pipe
	 * means a wake-up is pending already.
	 */
	if (now - atomic_exchange(&w->levels_ns, now) >= WR_METER_NS)
		n = write(w->wake[1], "", 1);
	(void)n;
	for (c = 0; c < w->nch; c++) {
		v.u = atomic_exchange(&w->peak_bits[c], 0);
		peak[c] = v.f;
		clip[c] = atomic_exchange(&w->clip[c], 0);
	}
	if (seq == w->levels_seen)
		return 0;
	w->levels_seen = seq;
	return 1;
}

void
writer_alarm_levels(struct writer *w, int64_t loud_ns[], uint64_t clips[],
    float peak[])
{
	union { float f; unsigned u; } v;
	unsigned c;

	for (c = 0; c < w->nch; c++) {
		loud_ns[c] = atomic_load(&w->loud_ns[c]);
		clips[c] = atomic_load(&w->clip_total[c]);
		v.u = atomic_exchange(&w->peak2_bits[c], 0);
		peak[c] = v.f;
	}
}

int
writer_take(struct writer *w, int on, uint32_t from)
{
	return wr_send(w, WR_CMD_TAKE, NULL, NULL, on, from);
}

void
writer_test_stall(struct writer *w, unsigned ms)
{
	atomic_store(&w->stall_ms, ms);
}

uint64_t
writer_beats(struct writer *w)
{
	return atomic_load(&w->beats);
}
