/*
 * fmt.h: the file formats recd writes, behind one small interface.  The
 * writer converts samples once (conv.h) into what a format takes, and a
 * backend puts them in files: open, write, update the header, mark,
 * sync, close; and at start-up, repair what a crash left.  WAV/BWF/RF64
 * (wav.c) is the first backend; FLAC (flac.c), Ogg Opus (oggopus.c) and MP3
 * (mp3.c) are the next ones.  A new format
 * is a new file here and a row in fmt.c's table, which the option
 * `format' names.
 *
 * A file is used by one thread at a time, except that mark touches only
 * the markers and lead only what open set (recd's writer marks while its
 * flusher writes).
 */
#ifndef RECD_COMMON_FMT_H
#define RECD_COMMON_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conv.h"

/* What a file is opened with (the caller's; open copies what it needs). */
struct fmt_par {
	unsigned	 channels;
	unsigned	 rate;		/* Hz */
	unsigned	 bits;		/* of a sample as the file keeps it */
	int		 is_float;
	uint64_t	 time_ref;	/* samples since midnight */
	time_t		 origin;	/* date and time of the first sample */
	long		 origin_off_s;	/* shown as origin + this: the UTC
					   offset, s east (0 in UTC) */
	int		 utc;		/* origin is shown in UTC ("Z") */
	const char	*description;	/* may be NULL */
	int		 direct;	/* may bypass the page cache (lead) */
	int		 level;		/* compression level, where there is
					   one (flac_level) */
	unsigned	 kbps;		/* bit rate of a lossy format
					   (opus_bitrate, mp3_bitrate) */
	const char *const *names;	/* each channel's port, or NULL */
	/*
	 * The caller hashes the samples and gives the digest (digest),
	 * for a format with one of its own (WAV's `MD5 ').
	 */
	int		 digest_given;
	/*
	 * Who made the file, for bext's CodingHistory and iXML ("recd
	 * 0.1.0; JACK server default; client recd"); may be NULL.
	 */
	const char	*coding;
	/*
	 * The file's identity for iXML: its take, the unique id of its
	 * set of files (32 hex digits; a split set's files share it), its
	 * place in the set and the take's number of its first channel.
	 */
	const char	*take;		/* may be NULL */
	const char	*uid;		/* may be NULL */
	unsigned	 set_index;	/* 0-based */
	unsigned	 set_files;
	unsigned	 first_channel;	/* 1-based */
};

/*
 * A file's loudness (EBU R 128, ITU-R BS.1770-4) over channels first to
 * last of the take (from 1).  A value that cannot be given (a silent file
 * has no integrated loudness) is -HUGE_VAL.
 */
struct fmt_loudness {
	unsigned	 first, last;	/* channels measured, from 1 */
	double		 integrated;	/* LUFS */
	double		 range;		/* LRA, LU */
	double		 true_peak;	/* dBTP */
	double		 momentary_max;	/* LUFS, 400 ms windows */
	double		 short_term_max; /* LUFS, 3 s windows */
};

#define FMT_LOUD_UNSET	0x7FFF		/* bext: "not given" (Tech 3285) */

/*
 * A loudness value in the 1/100 units of bext v2 (EBU Tech 3285 2.4):
 * rounded, within -32768..32766, FMT_LOUD_UNSET when it cannot be given.
 */
int16_t		 fmt_loud_centi(double);

struct fmt_backend {
	const char	*name;		/* "wav" */
	const char	*ext;		/* ".wav": files end with it */
	/* What kill -9 leaves of a file, and what repair makes of it. */
	const char	*crash;
	/* Creates path (never over a file); NULL with errno and err. */
	void		*(*open)(const char *path, const struct fmt_par *,
			    char *err, size_t errlen);
	/* Appends interleaved samples in the kind's conv format. */
	int		 (*write)(void *, const void *buf, size_t bytes);
	/* Appends frames of digital silence. */
	int		 (*silence)(void *, uint64_t frames);
	/* Makes what is in the file readable as it is (about 1 s apart). */
	int		 (*update)(void *);
	/* A labelled marker at frame. */
	int		 (*mark)(void *, uint64_t frame, const char *label);
	int		 (*sync)(void *);
	/*
	 * The file's loudness, for close to write into its header; may be
	 * NULL (the format keeps none).  Called just before close.
	 */
	int		 (*loudness)(void *, const struct fmt_loudness *);
	/*
	 * The MD5 of the samples, of a file opened with digest_given; NULL:
	 * the format has no digest of its own to give (FLAC's is libFLAC's).
	 * Touches nothing that write does, so the writer may call it while
	 * the flusher writes, before the close.
	 */
	int		 (*digest)(void *, const unsigned char md5[16]);
	/* Finishes the file and frees it; 0 or -errno with err. */
	int		 (*close)(void *, char *err, size_t errlen);
	/* The file's descriptor (locks, the flusher's dup). */
	int		 (*fd)(const void *);
	/*
	 * Where, in a buffer aligned to FMT_ALIGN, the samples after the
	 * first `bytes' belong for write to take them without a copy.
	 */
	size_t		 (*lead)(const void *, uint64_t bytes);
	/* Write-back of a file that grows all day (wav.h); may be NULL. */
	int		 (*writeback_due)(void *, uint64_t *off);
	void		 (*writeback_step)(int fd, uint64_t off);
	/*
	 * Makes an unfinished file (path) whole: frames it holds, or -1 with
	 * err.  Start-up, before the writer runs.
	 */
	int		 (*repair)(const char *path, uint64_t *frames,
			    char *err, size_t errlen);
};

#define FMT_ALIGN	4096		/* buffers for lead, and direct I/O */

/* A value of the option `format': its backend and samples. */
struct fmt_kind {
	const char		 *name;		/* "pcm24" */
	const struct fmt_backend *be;
	enum conv_fmt		  conv;		/* what write takes */
	unsigned		  bits;
	int			  is_float;
};

/*
 * The date and time of the file's first sample (origin) as its headers
 * give it: in UTC, or in the take's local time (origin_off_s).  Returns 0, or -1 if it is not a date between years 0 and 9999.
 */
int				 fmt_time(const struct fmt_par *, struct tm *);
#define FMT_ISO_BYTES	32		/* "2024-10-27T03:00:00+02:00" */

/*
 * par's origin as ISO 8601 into iso (FMT_ISO_BYTES), with its offset,
 * or ending in Z in UTC: unambiguous even in the hour a daylight-saving
 * change repeats.  Vorbis comments (DATE) take it.
 */
void				 fmt_origin_iso(const struct fmt_par *par,
				    char *iso);
/* The kind of the option's value i (enum cfg_format), or NULL. */
const struct fmt_kind		*fmt_kind(int i);
/* The backend whose files end with ext before path's end, or NULL. */
const struct fmt_backend	*fmt_by_path(const char *path, size_t len);
/* Every backend, NULL-ended. */
extern const struct fmt_backend	*const fmt_backends[];

extern const struct fmt_backend	 fmt_wav;
extern const struct fmt_backend	 fmt_flac;
extern const struct fmt_backend	 fmt_opus;
extern const struct fmt_backend	 fmt_mp3;

#endif
