/*
 * wav.h: WAV/BWF files that stay valid after a crash and grow past 4 GiB
 * as RF64 (EBU Tech 3285, 3306).  A file is used by one thread at a
 * time, with two exceptions: wav_add_cue touches only the markers, so one
 * thread may add markers while another writes samples and headers
 * (wav_write, wav_update; recd's writer and flusher), and wav_lead reads
 * only what wav_open set.  wav_repair runs at startup, before the writer
 * starts.
 */
#ifndef RECD_COMMON_WAV_H
#define RECD_COMMON_WAV_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define WAV_MAX_CHANNELS	1024	/* keeps a frame within 4 KiB */
#define WAV_MAX_RATE		768000	/* Hz; highest rate in common use */
#define WAV_MAX_CUES		4096	/* markers per file */
#define WAV_MAX_LABEL		255	/* bytes of a marker label, no NUL */
#define WAV_ALIGN		4096	/* block of direct writes (wav_par) */

/* Filled by the caller, on the stack; wav_open copies what it needs. */
struct wav_par {
	unsigned	 channels;	/* 1..WAV_MAX_CHANNELS */
	unsigned	 rate;		/* Hz, 1..WAV_MAX_RATE */
	unsigned	 bits;		/* 16, 24 or 32 */
	int		 is_float;	/* 32-bit IEEE float (bits 32) */
	uint32_t	 channel_mask;	/* speaker bits; 0: 1 ch FC, 2 ch FL|FR,
					   more channels: no positions */
	uint64_t	 time_ref;	/* bext TimeReference: first sample, in
					   samples since midnight */
	time_t		 origin;	/* bext origination date and time ... */
	long		 origin_off_s;	/* ... written as origin + this (the
					   UTC offset, s east; 0 for UTC) */
	const char	*description;	/* bext Description (cut at 256 bytes),
					   may be NULL */
	int		 direct;	/* samples past the file's first
					   WAV_ALIGN bytes go to the disk
					   directly (O_DIRECT, Linux), not
					   through the page cache: see
					   wav_lead */
	const char	*coding;	/* bext CodingHistory's T= text: who
					   made the file, or NULL for
					   "recd" (cut at 200 bytes) */
	const char	*ixml;		/* an iXML chunk's text, or NULL */
	size_t		 ixml_len;
	int		 digest_given;	/* the caller hashes the samples and
					   gives the digest (wav_digest) */
};

struct wav;

/*
 * Creates path (never replacing an existing file: O_EXCL) and writes the
 * whole header with a single write.  The header starts with a JUNK chunk
 * the size of a ds64 chunk so that wav_update can turn the file into RF64
 * in place.  Returns NULL with errno set and the reason in err, e.g.
 * "file /rec/a.wav: open: File exists"; a file it created is removed again.
 */
struct wav	*wav_open(const char *path, const struct wav_par *, char *err,
		    size_t errlen);

/*
 * Appends bytes of interleaved samples in file format.  Loops over short
 * writes and EINTR.  Returns 0 or -errno; after an error the bytes that did
 * reach the file are counted all the same (a later call carries on after
 * them), and the header never claims a partial frame.
 *
 * A direct file (wav_par) takes whole blocks straight from buf when buf's
 * address is wav_lead(w, bytes so far) past a WAV_ALIGN boundary; other
 * bytes are copied.  It keeps the last partial block (under WAV_ALIGN
 * bytes) until the block is whole or until wav_update, wav_sync or
 * wav_close puts it in the file through the cache.  If the file system
 * refuses direct writes, the file goes through the cache from then on.
 */
int		 wav_write(struct wav *, const void *buf, size_t bytes);

/*
 * Where in a WAV_ALIGN-aligned buffer the samples that follow the first
 * `bytes` ones belong, for wav_write to take them straight.  Depends only
 * on the header, so any thread may ask while another writes.
 */
size_t		 wav_lead(const struct wav *, uint64_t bytes);

/*
 * Write-back of a file that grows all day, in steps (4 MiB on Linux, none
 * elsewhere nor for direct files, which leave no samples in the cache to
 * speak of): after writes, wav_writeback_due returns 1 and the offset of
 * each step that is now complete, once; wav_writeback_step(fd, off), on any
 * descriptor of the file and any thread, starts writing that step to disk,
 * waits for the step before it and drops that one from the page cache.
 */
int		 wav_writeback_due(struct wav *, uint64_t *off);
void		 wav_writeback_step(int fd, uint64_t off);

/*
 * Appends frames of digital silence (all-zero bytes).  Runs of 1 MiB or
 * more become a hole made with ftruncate (no disk space used where the file
 * system supports holes); shorter ones are written.  Returns 0 or -errno.
 */
int		 wav_write_silence(struct wav *, uint64_t frames);

/*
 * Rewrites the header with the sizes of the whole frames written so far
 * (a direct file first puts the samples it keeps in the file), in one
 * pwrite of the header, and makes the file RF64 once its RIFF size
 * would pass 0xFFFFFFFE.  Cheap: meant to be called every second.  Returns
 * 0 or -errno.
 */
int		 wav_update(struct wav *);

/*
 * Keeps a marker at frame (at most UINT32_MAX, the cue chunk's limit) with
 * an optional label of at most WAV_MAX_LABEL bytes; wav_close writes them
 * as a `cue ' chunk and a LIST/adtl chunk of `labl's.  Returns 0, -ERANGE
 * (frame), -EINVAL (label too long), -ENOSPC (WAV_MAX_CUES reached) or
 * -ENOMEM.
 */
int		 wav_add_cue(struct wav *, uint64_t frame, const char *label);

/*
 * Sets bext's five loudness fields (LoudnessValue, LoudnessRange,
 * MaxTruePeakLevel, MaxMomentaryLoudness, MaxShortTermLoudness: 1/100
 * units, 0x7FFF for "not given") and rewrites the header with them, in
 * one pwrite.  Meant for just before wav_close; same thread as wav_write.
 * Returns 0 or -errno.
 */
#define WAV_LOUDNESS_FIELDS	5
int		 wav_set_loudness(struct wav *,
		    const int16_t v[WAV_LOUDNESS_FIELDS]);

/*
 * The MD5 of the file's samples, for a file opened with digest_given:
 * the `MD5 ' chunk that wav_close writes (none if it never comes, or if
 * a write failed).  It touches no field that wav_write does: another
 * thread may give it while one writes, before the close.
 */
void		 wav_digest(struct wav *, const unsigned char md5[16]);

/*
 * fdatasync (fsync where the system lacks it), after putting the samples a
 * direct file keeps in the file.  Returns 0 or -errno.
 */
int		 wav_sync(struct wav *);

/*
 * Finishes the file: drops a trailing partial frame, adds the pad byte
 * after odd-sized data, writes the final data size, then appends the
 * markers and an `MD5 ' chunk with the MD5 of the data (as BWF MetaEdit
 * writes and checks it; left out if a write failed, or if silences made
 * holes of more than 256 MiB in all), then the final RIFF
 * size; so a crash in between leaves a file that wav_repair recognises.  Does not sync: call wav_sync first for
 * that.  Always closes and frees w (NULL is allowed).  Returns 0 or the
 * first -errno, with the reason in err.
 */
int		 wav_close(struct wav *, char *err, size_t errlen);

/*
 * Whole frames written so far (with those a direct file keeps, which
 * wav_close puts in the file), and the path (owned by w).
 */
uint64_t	 wav_frames(const struct wav *);
const char	*wav_path(const struct wav *);
/* The open file, for the caller's locks only: wav does all the I/O. */
int		 wav_fd(const struct wav *);

/*
 * Makes a file that a crash left unfinished valid again: its header (RIFF,
 * or RF64 when the file now passes 4 GiB; an RF64 file stays RF64) then
 * covers every complete frame on disk, and a trailing partial frame is cut
 * off.  When the header's data size is exact and a `cue '/LIST tail
 * follows (a crash during wav_close), the data size is kept and the tail
 * kept as far as it is complete and valid.  A finished file is not
 * touched.  Files too short for their header, or that recd cannot have
 * written, are refused unchanged (-EINVAL).  Returns 0 and the frame count
 * in *frames (may be NULL), or -errno with the reason in err.
 */
int		 wav_repair(const char *path, uint64_t *frames, char *err,
		    size_t errlen);

#endif
