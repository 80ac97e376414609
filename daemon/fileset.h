/*
 * fileset.h: the files of one stretch of recording: one (single mode) or
 * one per channel (split), each with two buffers, and what is done to
 * them as a whole: created, written out, closed.  The flusher runs them as
 * its typed jobs (flush_open, flush_write, flush_close), or the writer
 * does when it must wait anyway; they touch nothing but the set, return
 * -errno (logged, with the file's name) and decide nothing: the take does.
 */
#ifndef RECD_DAEMON_FILESET_H
#define RECD_DAEMON_FILESET_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cfg.h"
#include "conv.h"
#include "flush.h"
#include "fmt.h"
#include "fsutil.h"

#define FSET_NAME_BYTES	FLUSH_PATH_BYTES	/* base + _chNNN_PORT.ext */
#define FSET_PARTIAL_BYTES (FSET_NAME_BYTES + sizeof(FS_PARTIAL))
#define FSET_DESC_BYTES	257		/* bext Description and its NUL */
#define FSET_PORT_BYTES	64		/* a port's short name and its NUL */
#define FSET_CODING_BYTES 200		/* who made the files (fmt_par) */

struct loud;
struct wr_dg;

/*
 * Samples gather in a buffer that the flusher writes out while the writer
 * fills the file's other one: conversion and the copy into the page cache
 * run side by side on two cores.
 */
struct fset_buf {
	struct fset_file *f;
	unsigned char	*base;		/* FMT_ALIGN-aligned, buf_bytes +
					   FMT_ALIGN */
	unsigned char	*p;		/* base + the backend's lead: fset_aim */
	size_t		 len;		/* bytes in p */
	int		 busy;		/* the flusher has it: job */
	uint64_t	 job;
	int		 update, sync;	/* after the write: header, fdatasync */
	int		 err;		/* the job's: 0 or -errno */
};

/*
 * While a file is open the flusher owns its samples and header (the
 * backend's write and update: the jobs), and the writer its markers
 * (mark), which touch other fields of the backend's file (fmt.h).  The
 * writer writes silence or closes the file only after taking both
 * buffers back (wr_reclaim), or leaves the closing to a job after the
 * writes.
 */
struct fset_file {
	const struct fmt_backend *be;	/* its format */
	void		*h;		/* the backend's file; NULL: not open */
	int		 sfd;		/* the flusher's descriptor of it */
	int64_t		 update_ns;	/* header refresh due (monotonic) */
	int64_t		 sync_ns;	/* fsync_seconds sync due */
	char		 path[FSET_NAME_BYTES];	/* final name; open as .partial */
	struct fset_buf	 b[2];
	unsigned	 fill;		/* b[fill] takes samples */
	uint64_t	 handed;	/* sample bytes given to the file */
	int		 failed;	/* flusher: a write failed, write no
					   more (the file may end mid-frame) */
	struct loud	*loud;		/* writer: its meters, NULL: none */
	struct wr_dg	*dg;		/* writer: the MD5 it makes of the
					   samples (writer_dg.c), or NULL */
	uint64_t	 hashed;	/* sample bytes that covers of it */
	/* Set by the writer when it retires the file, for the close. */
	struct fmt_loudness loudv[CFG_LOUD_MAX];
	unsigned	 nloud;
};

/*
 * The files of one stretch of recording: one (single) or nch (split).  A
 * set keeps the mode and format it was opened with, so that a new
 * configuration applies from the next files on.
 */
struct fset {
	struct fset_file *f;		/* nch slots, n in use */
	unsigned	 n;		/* files */
	int		 split;		/* one mono file per channel */
	enum conv_fmt	 fmt;
	size_t		 frame_bytes;	/* one frame in one file */
	size_t		 buf_bytes;	/* each buffer of each file */
	unsigned char	*arena;		/* every buffer of the set */
	uint64_t	 frames;	/* at close: frames in each file */
	uint64_t	 written;	/* frames in each file so far */
	int		 open;		/* every file open: being written */
	int		 opening;	/* named, the flusher opens the files */
	int		 closing;	/* written, the flusher closes them */
	uint64_t	 job;		/* the flusher's job doing that */
	int		 job_err;	/* its result: 0 or -errno */
	uint64_t	 start;		/* extended JACK frame of frame 0 */
	uint64_t	 time_ref;	/* bext: samples since midnight, on the
					   take's timeline (clock.h) */
	struct timespec	 wall;		/* wall-clock time of frame 0 */
	char		 cue0[128];	/* marker at frame 0, or "" */
	const struct fmt_kind *kind;	/* format and samples of every file */
	struct fmt_par	 par;		/* of every file */
	char		 desc[FSET_DESC_BYTES];	/* par.description */
	char		 coding[FSET_CODING_BYTES];	/* par.coding */
	char		 take[32];	/* par.take: the take's start */
	char		 uid[33];	/* par.uid: 32 hex digits */
	const char	**names;	/* nch: each channel's port, into
					   name_buf; a split file gets its own */
	/*
	 * The loudness groups the files measure (channels from 1): a single
	 * file all of them, a split file its own channel where it is in one.
	 * fset_open_files makes the meters.
	 */
	unsigned	 nloud;
	unsigned	 loud_first[CFG_LOUD_MAX], loud_last[CFG_LOUD_MAX];
	char		*name_buf;	/* nch * FSET_PORT_BYTES */
};

/*
 * Creates the files the writer named, each locked and with a descriptor
 * for the flusher, and their loudness meters (a meter that cannot be
 * made is a warning: the file is recorded without it).  Returns 0 or -errno, logged; the caller throws the
 * set away then.
 */
int	fset_open_files(struct fset *);
/*
 * Writes a full buffer out, starts the write-back of each step it
 * completed, then refreshes the header or syncs if asked: the result in
 * b->err.
 */
void	fset_write_buf(struct fset_buf *b);
/*
 * Closes the files: the last bytes, cue_end (may be NULL) as a marker
 * at the end, the loudness (the first of loudv) where the format keeps
 * it, the final header.  Returns 0 or the first error, logged.
 */
int	fset_close_files(struct fset *, const char *cue_end);
/*
 * The files of the last boundary, after the writes queued before: closed,
 * the first error of those writes or of the close in job_err.
 */
void	fset_close_set(struct fset *);
/* Nothing more goes into the set: its files are to be closed. */
void	fset_retire(struct fset *);
/* Where an empty buffer's samples go for the backend to take them whole. */
void	fset_aim(struct fset_file *, struct fset_buf *);

#endif
