/*
 * wav.c: WAV/BWF writer with in-place RF64 upgrade, and the repair of files
 * a crash left unfinished.  Runs on the writer thread (wav_repair also at
 * startup); it never logs, failures are described into the caller's buffer.
 */
#if defined(__linux__)
#define _GNU_SOURCE		/* sync_file_range, O_DIRECT */
#endif
#include "wav.h"

#include <sys/stat.h>

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Every offset here is a 64-bit file position: 4 GiB is a normal file. */
_Static_assert(sizeof(off_t) >= 8, "wav needs a 64-bit off_t");

/*
 * Microsoft RIFF/WAVE (Multimedia Programming Interface and Data
 * Specifications 1.0, and the WAVEFORMATEXTENSIBLE note).
 */
#define WAV_CHUNK_HDR_BYTES	8	/* id, 32-bit size */
#define WAV_RIFF_HDR_BYTES	12	/* "RIFF", size, "WAVE" */
#define WAV_TAG_PCM		0x0001	/* WAVE_FORMAT_PCM */
#define WAV_TAG_FLOAT		0x0003	/* WAVE_FORMAT_IEEE_FLOAT */
#define WAV_TAG_EXTENSIBLE	0xFFFE	/* WAVE_FORMAT_EXTENSIBLE */
#define WAV_FMT_PCM_BYTES	16	/* WAVEFORMAT + wBitsPerSample */
#define WAV_FMT_EXT_BYTES	40	/* WAVEFORMATEXTENSIBLE */
#define WAV_EXT_CB_BYTES	22	/* its cbSize */
#define WAV_FACT_BYTES		4	/* dwSampleLength */
#define WAV_CUE_POINT_BYTES	24	/* one cue point */
#define WAV_WB_BYTES		((uint64_t)4 << 20)	/* write-back step */
#define WAV_SPEAKER_FL		0x1	/* SPEAKER_FRONT_LEFT */
#define WAV_SPEAKER_FR		0x2	/* SPEAKER_FRONT_RIGHT */
#define WAV_SPEAKER_FC		0x4	/* SPEAKER_FRONT_CENTER */

/*
 * KSDATAFORMAT_SUBTYPE_PCM and _IEEE_FLOAT are
 * {0000000X-0000-0010-8000-00AA00389B71}: the format tag in the first two
 * bytes, then this tail (as stored, little-endian fields).
 */
static const unsigned char wav_guid_tail[14] = {
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00,
	0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71
};

/*
 * EBU Tech 3306 (RF64): the ds64 chunk holds 64-bit RIFF size, data size
 * and sample count and a table length (we keep no table); a 32-bit size of
 * 0xFFFFFFFF means "see ds64".  So a RIFF file stops at 0xFFFFFFFE.
 */
#define WAV_DS64_BYTES		28
#define WAV_DS64_OFF		WAV_RIFF_HDR_BYTES
#define WAV_FMT_OFF	(WAV_DS64_OFF + WAV_CHUNK_HDR_BYTES + WAV_DS64_BYTES)
#define WAV_SIZE_SEE_DS64	0xFFFFFFFFu
#define WAV_RIFF_MAX_BYTES	0xFFFFFFFEu

/*
 * EBU Tech 3285 version 2 (BWF): the bext fields before CodingHistory take
 * 602 bytes; loudness fields that are not used hold 0x7FFF (section 2.4).
 */
#define WAV_BEXT_FIXED_BYTES	602
#define WAV_BEXT_DESC_BYTES	256
#define WAV_BEXT_ORIG_OFF	256
#define WAV_BEXT_DATE_OFF	320
#define WAV_BEXT_TIME_OFF	330
#define WAV_BEXT_TIMEREF_OFF	338
#define WAV_BEXT_VERSION_OFF	346
#define WAV_BEXT_LOUDNESS_OFF	412
#define WAV_BEXT_LOUDNESS_N	5
#define WAV_BEXT_VERSION	2
#define WAV_LOUDNESS_UNUSED	0x7FFF
#define WAV_CODING_MAX_BYTES	96	/* our one CodingHistory line */

/* Our header fits here: 48 + 48 + 12 + 8 + 602 + 96 + 8 bytes at most. */
#define WAV_HDR_MAX_BYTES	1024
/* wav_repair reads this much to find the data chunk. */
#define WAV_REPAIR_READ_BYTES	4096
/* The longest cue + LIST/adtl tail that wav_close can write. */
#define WAV_TAIL_MAX_BYTES						\
	(2 * WAV_CHUNK_HDR_BYTES + 8 +					\
	(size_t)WAV_MAX_CUES * (WAV_CUE_POINT_BYTES +			\
	WAV_CHUNK_HDR_BYTES + 4 + WAV_MAX_LABEL + 1))

#define WAV_SPARSE_MIN_BYTES	((uint64_t)1 << 20)
/* Per read or write call: macOS refuses more than INT_MAX bytes. */
#define WAV_IO_MAX_BYTES	((size_t)1 << 30)
#define WAV_OFF_MAX		((uint64_t)INT64_MAX)

struct wav_cue {
	uint32_t	 frame;		/* position, frames */
	char		 label[WAV_MAX_LABEL + 1];	/* "": none */
};

/* Where the sizes live in a header of our layout. */
struct wav_layout {
	size_t		 data_off;	/* first sample byte = header bytes */
	size_t		 fact_off;	/* fact's sample count; 0: no fact */
};

/*
 * One thread at a time, except that recd's writer adds markers (cue,
 * ncue, cue_cap: wav_add_cue) while its flusher writes samples and
 * headers (the other fields), until wav_close, which reads both.
 */
struct wav {
	int		 fd;
	char		*path;
	unsigned char	 hdr[WAV_HDR_MAX_BYTES];	/* as last written */
	struct wav_layout lay;
	unsigned	 frame_bytes;	/* block align */
	uint64_t	 data_bytes;	/* sample bytes that reached the file */
	uint64_t	 hdr_data_bytes; /* data size in the file's header */
	uint64_t	 hdr_riff_bytes; /* RIFF size in the file's header */
	int		 is_rf64;	/* header is RF64: never goes back */
	uint64_t	 wb_off;	/* bytes of the file handed to
					   write-back (wav_writeback_due) */
	/*
	 * A direct file (dfd >= 0): blk is the block at blk_off, of which
	 * blk_len bytes are samples so far and blk_in of them in the file;
	 * every block below it is.  Block 0, which holds the header, goes
	 * through the cache: it is never in blk, and blk_len == blk_in.
	 */
	int		 dfd;		/* O_DIRECT descriptor, or -1 */
	unsigned char	*blk;		/* WAV_ALIGN bytes, aligned */
	uint64_t	 blk_off;	/* a multiple of WAV_ALIGN */
	size_t		 blk_len;
	size_t		 blk_in;
	struct wav_cue	*cue;		/* markers, ncue of cue_cap */
	size_t		 ncue;
	size_t		 cue_cap;
};

/* What wav_repair learns from a header. */
struct wav_info {
	struct wav_layout lay;
	int		 is_rf64;
	unsigned	 frame_bytes;
	uint64_t	 data_bytes;	/* as the header claims */
};

/* Source of short silences and pad bytes; aligned for direct writes. */
static const _Alignas(WAV_ALIGN) unsigned char wav_zeros[16 * 1024];

static void
wav_put16(unsigned char *p, unsigned v)
{
	p[0] = v & 0xFF;
	p[1] = (v >> 8) & 0xFF;
}

static void
wav_put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xFF;
	p[1] = (v >> 8) & 0xFF;
	p[2] = (v >> 16) & 0xFF;
	p[3] = (v >> 24) & 0xFF;
}

static void
wav_put64(unsigned char *p, uint64_t v)
{
	wav_put32(p, (uint32_t)v);
	wav_put32(p + 4, (uint32_t)(v >> 32));
}

static unsigned
wav_get16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t
wav_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
wav_get64(const unsigned char *p)
{
	return (uint64_t)wav_get32(p) | (uint64_t)wav_get32(p + 4) << 32;
}

/*
 * Writes all len bytes at off, through short writes and EINTR.  *done (may
 * be NULL) grows by every byte that reached the file, even when a later
 * write fails, so that callers know where the data really ends.
 */
static int
wav_pwrite_all(int fd, const void *buf, size_t len, uint64_t off,
    uint64_t *done)
{
	const unsigned char	*p = buf;
	size_t			 n;
	ssize_t			 got;

	while (len > 0) {
		n = len < WAV_IO_MAX_BYTES ? len : WAV_IO_MAX_BYTES;
		got = pwrite(fd, p, n, (off_t)off);
		if (got == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (got == 0)
			return -EIO;
		p += got;
		len -= (size_t)got;
		off += (uint64_t)got;
		if (done != NULL)
			*done += (uint64_t)got;
	}
	return 0;
}

/* Reads up to len bytes; *got is short only at end of file. */
static int
wav_pread_all(int fd, void *buf, size_t len, uint64_t off, size_t *got)
{
	unsigned char	*p = buf;
	size_t		 n;
	ssize_t		 r;

	*got = 0;
	while (*got < len) {
		n = len - *got < WAV_IO_MAX_BYTES ? len - *got :
		    WAV_IO_MAX_BYTES;
		r = pread(fd, p + *got, n, (off_t)(off + *got));
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return 0;
}

/* fdatasync is optional in POSIX (macOS lacks it): fsync does more. */
static int
wav_datasync(int fd)
{
	int r;

	do {
#if defined(_POSIX_SYNCHRONIZED_IO) && _POSIX_SYNCHRONIZED_IO > 0
		r = fdatasync(fd);
#else
		r = fsync(fd);
#endif
	} while (r == -1 && errno == EINTR);
	return r == -1 ? -errno : 0;
}

static int
wav_truncate(int fd, uint64_t len)
{
	while (ftruncate(fd, (off_t)len) == -1) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/*
 * Sets the sizes in a header of our layout.  riff_bytes is the RIFF
 * chunk's size (file length - 8).  As RF64 the first 48 bytes become
 * "RF64" + ds64 and the 32-bit fields "see ds64"; the caller writes the
 * header in one pwrite, so the upgrade is never half done.
 */
static void
wav_put_sizes(unsigned char *h, const struct wav_layout *lay,
    uint64_t riff_bytes, uint64_t data_bytes, uint64_t frames, int is_rf64)
{
	unsigned char *ds = h + WAV_DS64_OFF;

	if (is_rf64) {
		memcpy(h, "RF64", 4);
		wav_put32(h + 4, WAV_SIZE_SEE_DS64);
		memcpy(ds, "ds64", 4);
		wav_put32(ds + 4, WAV_DS64_BYTES);
		wav_put64(ds + 8, riff_bytes);
		wav_put64(ds + 16, data_bytes);
		wav_put64(ds + 24, frames);
		wav_put32(ds + 32, 0);
		wav_put32(h + lay->data_off - 4, WAV_SIZE_SEE_DS64);
		if (lay->fact_off != 0)
			wav_put32(h + lay->fact_off, WAV_SIZE_SEE_DS64);
	} else {
		memcpy(h, "RIFF", 4);
		wav_put32(h + 4, (uint32_t)riff_bytes);
		wav_put32(h + lay->data_off - 4, (uint32_t)data_bytes);
		if (lay->fact_off != 0)
			wav_put32(h + lay->fact_off, (uint32_t)frames);
	}
}

static uint32_t
wav_default_mask(unsigned channels)
{
	if (channels == 1)
		return WAV_SPEAKER_FC;
	if (channels == 2)
		return WAV_SPEAKER_FL | WAV_SPEAKER_FR;
	return 0;
}

static unsigned
wav_popcount(uint32_t v)
{
	unsigned n;

	for (n = 0; v != 0; v &= v - 1)
		n++;
	return n;
}

static int
wav_check_par(const char *path, const struct wav_par *par, char *err,
    size_t errlen)
{
	if (par->channels < 1 || par->channels > WAV_MAX_CHANNELS) {
		snprintf(err, errlen, "file %s: %u channels: out of range "
		    "(1..%d)", path, par->channels, WAV_MAX_CHANNELS);
		return -EINVAL;
	}
	if (par->rate < 1 || par->rate > WAV_MAX_RATE) {
		snprintf(err, errlen, "file %s: rate %u Hz: out of range "
		    "(1..%d)", path, par->rate, WAV_MAX_RATE);
		return -EINVAL;
	}
	if (par->bits != 16 && par->bits != 24 && par->bits != 32) {
		snprintf(err, errlen, "file %s: %u bits: not 16, 24 or 32",
		    path, par->bits);
		return -EINVAL;
	}
	if (par->is_float && par->bits != 32) {
		snprintf(err, errlen, "file %s: %u-bit float: only 32-bit "
		    "float is written", path, par->bits);
		return -EINVAL;
	}
	if (wav_popcount(par->channel_mask) > par->channels) {
		snprintf(err, errlen, "file %s: channel mask 0x%x: more "
		    "speakers than %u channels", path,
		    (unsigned)par->channel_mask, par->channels);
		return -EINVAL;
	}
	return 0;
}

/* The bext chunk's body; returns its length in bytes or -errno. */
static int
wav_put_bext(unsigned char *b, const char *path, const struct wav_par *par,
    char *err, size_t errlen)
{
	struct tm	 tm;
	char		 s[WAV_CODING_MAX_BYTES], mode[16];
	size_t		 len;
	int		 i, n;

	memset(b, 0, WAV_BEXT_FIXED_BYTES + WAV_CODING_MAX_BYTES);
	if (par->description != NULL) {
		len = strlen(par->description);
		/* Tech 3285: exactly 256 characters need no terminator. */
		memcpy(b, par->description, len < WAV_BEXT_DESC_BYTES ?
		    len : WAV_BEXT_DESC_BYTES);
	}
	memcpy(b + WAV_BEXT_ORIG_OFF, "recd", 4);
	if (localtime_r(&par->origin, &tm) == NULL ||
	    tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		snprintf(err, errlen, "file %s: origination time %lld: not a "
		    "date between years 0 and 9999", path,
		    (long long)par->origin);
		return -EINVAL;
	}
	/* Fixed-width fields: no terminating NUL. */
	snprintf(s, sizeof(s), "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	memcpy(b + WAV_BEXT_DATE_OFF, s, 10);
	snprintf(s, sizeof(s), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	memcpy(b + WAV_BEXT_TIME_OFF, s, 8);
	wav_put64(b + WAV_BEXT_TIMEREF_OFF, par->time_ref);
	wav_put16(b + WAV_BEXT_VERSION_OFF, WAV_BEXT_VERSION);
	for (i = 0; i < WAV_BEXT_LOUDNESS_N; i++)
		wav_put16(b + WAV_BEXT_LOUDNESS_OFF + 2 * i,
		    WAV_LOUDNESS_UNUSED);
	/*
	 * EBU R 98 knows the modes mono and stereo only; for more channels
	 * the mode is left out and the count goes into the free text.
	 */
	if (par->channels <= 2)
		snprintf(mode, sizeof(mode), ",M=%s",
		    par->channels == 1 ? "mono" : "stereo");
	else
		mode[0] = '\0';
	n = snprintf(s, sizeof(s), "A=PCM,F=%u,W=%u%s,T=recd%s%s\r\n",
	    par->rate, par->bits, mode, par->is_float ? ";float" : "",
	    par->channels > 2 ? ";multichannel" : "");
	assert(n > 0 && (size_t)n < WAV_CODING_MAX_BYTES);
	memcpy(b + WAV_BEXT_FIXED_BYTES, s, (size_t)n);
	/* An even size keeps the chunks after bext word-aligned. */
	return WAV_BEXT_FIXED_BYTES + n + (n & 1);
}

/*
 * Builds our header into h: RIFF/WAVE, JUNK (ds64-sized), fmt, fact (float
 * only), bext, data.  Returns its length or -errno.
 */
static int
wav_build_header(unsigned char *h, struct wav_layout *lay, const char *path,
    const struct wav_par *par, char *err, size_t errlen)
{
	unsigned char	*p;
	uint32_t	 mask, def;
	unsigned	 frame_bytes;
	int		 ext, bext_bytes;

	memset(h, 0, WAV_HDR_MAX_BYTES);
	frame_bytes = par->channels * (par->bits / 8);
	def = wav_default_mask(par->channels);
	mask = par->channel_mask != 0 ? par->channel_mask : def;
	/*
	 * Plain PCM only where it says everything: up to two 16-bit
	 * channels in their default positions.  Anything else needs
	 * WAVE_FORMAT_EXTENSIBLE (the valid bits, the float subtype, a mask).
	 */
	ext = par->channels > 2 || par->bits > 16 || par->is_float ||
	    mask != def;

	memcpy(h, "RIFF", 4);
	memcpy(h + 8, "WAVE", 4);
	p = h + WAV_DS64_OFF;
	memcpy(p, "JUNK", 4);
	wav_put32(p + 4, WAV_DS64_BYTES);

	p = h + WAV_FMT_OFF;
	memcpy(p, "fmt ", 4);
	wav_put32(p + 4, ext ? WAV_FMT_EXT_BYTES : WAV_FMT_PCM_BYTES);
	p += WAV_CHUNK_HDR_BYTES;
	wav_put16(p, ext ? WAV_TAG_EXTENSIBLE : WAV_TAG_PCM);
	wav_put16(p + 2, par->channels);
	wav_put32(p + 4, par->rate);
	wav_put32(p + 8, par->rate * frame_bytes);
	wav_put16(p + 12, frame_bytes);
	wav_put16(p + 14, par->bits);
	if (ext) {
		wav_put16(p + 16, WAV_EXT_CB_BYTES);
		wav_put16(p + 18, par->bits);	/* all bits are valid */
		wav_put32(p + 20, mask);
		wav_put16(p + 24, par->is_float ? WAV_TAG_FLOAT : WAV_TAG_PCM);
		memcpy(p + 26, wav_guid_tail, sizeof(wav_guid_tail));
		p += WAV_FMT_EXT_BYTES;
	} else
		p += WAV_FMT_PCM_BYTES;

	lay->fact_off = 0;
	if (par->is_float) {
		/* The spec asks for fact with every format but PCM. */
		memcpy(p, "fact", 4);
		wav_put32(p + 4, WAV_FACT_BYTES);
		lay->fact_off = (size_t)(p + WAV_CHUNK_HDR_BYTES - h);
		p += WAV_CHUNK_HDR_BYTES + WAV_FACT_BYTES;
	}

	memcpy(p, "bext", 4);
	bext_bytes = wav_put_bext(p + WAV_CHUNK_HDR_BYTES, path, par, err,
	    errlen);
	if (bext_bytes < 0)
		return bext_bytes;
	wav_put32(p + 4, (uint32_t)bext_bytes);
	p += WAV_CHUNK_HDR_BYTES + bext_bytes;

	memcpy(p, "data", 4);
	p += WAV_CHUNK_HDR_BYTES;
	lay->data_off = (size_t)(p - h);
	wav_put_sizes(h, lay, lay->data_off - 8, 0, 0, 0);
	return (int)lay->data_off;
}

/*
 * Direct writes (Linux): the samples skip the page cache, which took the
 * CPU that writing 64 channels costs from 4.2 to 1.6 ms per audio second
 * (no copy into the cache, no write-back or dropping of pages after it).  A second descriptor,
 * opened with O_DIRECT, takes whole aligned blocks from block 1 on; the
 * header's block and the samples kept at wav_update, wav_sync or
 * wav_close go through w->fd.  Linux keeps the two coherent: a direct
 * write first writes out and drops whatever the cache holds of its range.
 * Anything that fails here leaves the file as it was, written through the
 * cache: direct writes save CPU and change nothing else.
 */
static void
wav_direct_open(struct wav *w)
{
#if defined(O_DIRECT)
	struct stat	a, b;
	void		*blk;

	if (posix_memalign(&blk, WAV_ALIGN, WAV_ALIGN) != 0)
		return;
	w->dfd = open(w->path, O_WRONLY | O_DIRECT | O_CLOEXEC);
	/* The file we created, not one put in its place since. */
	if (w->dfd >= 0 && (fstat(w->fd, &a) != 0 || fstat(w->dfd, &b) != 0 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino)) {
		close(w->dfd);
		w->dfd = -1;
	}
	if (w->dfd < 0) {
		free(blk);
		return;
	}
	w->blk = blk;
	w->blk_off = 0;
	w->blk_len = w->blk_in = w->lay.data_off;
#else
	(void)w;
#endif
}

/* The end of the samples written so far, kept ones included. */
static uint64_t
wav_end(const struct wav *w)
{
	if (w->dfd >= 0)
		return w->blk_off + w->blk_len;
	return w->lay.data_off + w->data_bytes;
}

/*
 * Puts the samples kept in blk in the file, through the cache.  Returns 0
 * or -errno.
 */
static int
wav_direct_push(struct wav *w)
{
	int	rc;

	if (w->dfd < 0 || w->blk_len == w->blk_in)
		return 0;
	rc = wav_pwrite_all(w->fd, w->blk + w->blk_in, w->blk_len - w->blk_in,
	    w->blk_off + w->blk_in, &w->data_bytes);
	w->blk_in = (size_t)(w->lay.data_off + w->data_bytes - w->blk_off);
	return rc;
}

/*
 * Ends direct writes (at close, or when the file system refuses them):
 * the kept samples go into the file, and anything after them through the
 * cache.  Returns 0 or -errno.
 */
static int
wav_direct_close(struct wav *w)
{
	int	rc;

	if (w->dfd < 0)
		return 0;
	rc = wav_direct_push(w);
	close(w->dfd);
	w->dfd = -1;
	free(w->blk);
	w->blk = NULL;
	/* Write-back steps start at the cached part, not at the header. */
	w->wb_off = (w->lay.data_off + w->data_bytes) / WAV_WB_BYTES *
	    WAV_WB_BYTES;
	return rc;
}

/*
 * n bytes at p (whole blocks) straight to the file at blk_off.  Returns 0
 * or -errno.  -EINVAL with nothing written: direct writes are refused,
 * and the file is as before.  Any other failure counts what reached the
 * file, as a write through the cache would, and ends direct writes.
 */
static int
wav_direct_put(struct wav *w, const unsigned char *p, size_t n)
{
	uint64_t	done = 0;
	int		rc;

	rc = wav_pwrite_all(w->dfd, p, n, w->blk_off, &done);
	if (rc == -EINVAL && done == 0)
		return rc;
	/* The block's first blk_in bytes were in the file already. */
	if (done > w->blk_in)
		w->data_bytes += done - w->blk_in;
	if (rc != 0) {
		w->blk_len = w->blk_in;
		(void)wav_direct_close(w);
		return rc;
	}
	w->blk_off += n;
	w->blk_len = w->blk_in = 0;
	return 0;
}

/*
 * wav_write for a direct file: consumes from *p and *n what it takes.
 * Returns 0 or -errno (-EINVAL: direct writes refused).
 */
static int
wav_direct_write(struct wav *w, const unsigned char **p, size_t *n)
{
	size_t	k;
	int	rc;

	/* Block 0: the header's, through the cache. */
	if (w->blk_off == 0 && *n > 0) {
		k = WAV_ALIGN - w->blk_len < *n ? WAV_ALIGN - w->blk_len : *n;
		rc = wav_pwrite_all(w->fd, *p, k, w->blk_len, &w->data_bytes);
		k = (size_t)(w->lay.data_off + w->data_bytes) - w->blk_len;
		w->blk_len = w->blk_in = w->blk_len + k;
		*p += k;
		*n -= k;
		if (rc != 0)
			return rc;
		if (w->blk_len == WAV_ALIGN) {
			w->blk_off = WAV_ALIGN;
			w->blk_len = w->blk_in = 0;
		}
	}
	/* A partial block: fill it up, write it when whole. */
	if (w->blk_off > 0 && w->blk_len > 0 && *n > 0) {
		k = WAV_ALIGN - w->blk_len < *n ? WAV_ALIGN - w->blk_len : *n;
		memcpy(w->blk + w->blk_len, *p, k);
		w->blk_len += k;
		*p += k;
		*n -= k;
		if (w->blk_len == WAV_ALIGN &&
		    (rc = wav_direct_put(w, w->blk, WAV_ALIGN)) != 0)
			return rc;
	}
	/* Whole blocks: straight from the caller's buffer, or copied. */
	while (w->blk_off > 0 && *n >= WAV_ALIGN) {
		if ((uintptr_t)*p % WAV_ALIGN == 0) {
			k = *n / WAV_ALIGN * WAV_ALIGN;
			rc = wav_direct_put(w, *p, k);
		} else {
			k = WAV_ALIGN;
			memcpy(w->blk, *p, k);
			rc = wav_direct_put(w, w->blk, k);
		}
		if (rc != 0)
			return rc;
		*p += k;
		*n -= k;
	}
	/* The rest is kept. */
	if (w->blk_off > 0 && *n > 0) {
		memcpy(w->blk + w->blk_len, *p, *n);
		w->blk_len += *n;
		*p += *n;
		*n = 0;
	}
	return 0;
}

size_t
wav_lead(const struct wav *w, uint64_t bytes)
{
	return (size_t)((w->lay.data_off + bytes) % WAV_ALIGN);
}

struct wav *
wav_open(const char *path, const struct wav_par *par, char *err,
    size_t errlen)
{
	struct wav	*w;
	int		 rc;

	if (par == NULL || path == NULL) {
		snprintf(err, errlen, "file %s: no parameters",
		    path != NULL ? path : "(null)");
		errno = EINVAL;
		return NULL;
	}
	rc = wav_check_par(path, par, err, errlen);
	if (rc < 0) {
		errno = -rc;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->path = strdup(path)) == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "file %s: %s", path, strerror(-rc));
		goto fail_free;
	}
	rc = wav_build_header(w->hdr, &w->lay, path, par, err, errlen);
	if (rc < 0)
		goto fail_free;
	w->frame_bytes = par->channels * (par->bits / 8);
	w->hdr_riff_bytes = w->lay.data_off - 8;
	w->dfd = -1;

	w->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (w->fd == -1) {
		rc = -errno;
		snprintf(err, errlen, "file %s: open: %s", path,
		    strerror(-rc));
		goto fail_free;
	}
	rc = wav_pwrite_all(w->fd, w->hdr, w->lay.data_off, 0, NULL);
	if (rc < 0) {
		snprintf(err, errlen, "file %s: write: %s", path,
		    strerror(-rc));
		goto fail_unlink;
	}
	if (par->direct)
		wav_direct_open(w);
	return w;

fail_unlink:
	/* We created it (O_EXCL), so it is ours to remove. */
	close(w->fd);
	unlink(path);
fail_free:
	if (w != NULL)
		free(w->path);
	free(w);
	errno = -rc;
	return NULL;
}

/*
 * Write-back in steps of WAV_WB_BYTES (Linux): as soon as a step is
 * written, the kernel starts writing it to disk, and the step before it,
 * on disk by then, leaves the page cache.  So a file that grows all day
 * keeps about two steps in the cache, a sync has at most that much left to
 * write, and new writes reuse pages that are already in use instead of
 * fresh ones (DESIGN.md, "Memory and the page cache").  The step waits for
 * the disk, so the writer hands it to its flusher thread: wav_writeback_due
 * says which step is complete, wav_writeback_step does it.  Errors are left
 * to the writes and syncs, which report them.
 */
int
wav_writeback_due(struct wav *w, uint64_t *off)
{
#if defined(__linux__)
	if (w->dfd >= 0 ||
	    w->lay.data_off + w->data_bytes - w->wb_off < WAV_WB_BYTES)
		return 0;
	*off = w->wb_off;
	w->wb_off += WAV_WB_BYTES;
	return 1;
#else
	(void)w;
	(void)off;
	return 0;
#endif
}

void
wav_writeback_step(int fd, uint64_t off)
{
#if defined(__linux__)
	(void)sync_file_range(fd, (off_t)off, WAV_WB_BYTES,
	    SYNC_FILE_RANGE_WRITE);
	if (off >= WAV_WB_BYTES) {
		off -= WAV_WB_BYTES;
		(void)sync_file_range(fd, (off_t)off, WAV_WB_BYTES,
		    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
		    SYNC_FILE_RANGE_WAIT_AFTER);
		(void)posix_fadvise(fd, (off_t)off, WAV_WB_BYTES,
		    POSIX_FADV_DONTNEED);
	}
#else
	(void)fd;
	(void)off;
#endif
}

int
wav_write(struct wav *w, const void *buf, size_t bytes)
{
	const unsigned char	*p = buf;
	int			 rc;

	if (bytes > WAV_OFF_MAX - wav_end(w))
		return -EFBIG;
	if (w->dfd >= 0) {
		rc = wav_direct_write(w, &p, &bytes);
		if (rc != -EINVAL || w->dfd < 0)
			return rc;
		/* Refused (wav_direct_put): through the cache from here on. */
		if ((rc = wav_direct_close(w)) != 0)
			return rc;
	}
	/* What reached the file before an error counts: see wav_update. */
	return wav_pwrite_all(w->fd, p, bytes, w->lay.data_off +
	    w->data_bytes, &w->data_bytes);
}

int
wav_write_silence(struct wav *w, uint64_t frames)
{
	uint64_t	 bytes, hole;
	size_t		 n;
	int		 rc;

	if (frames > UINT64_MAX / w->frame_bytes)
		return -EFBIG;
	bytes = frames * w->frame_bytes;
	if (bytes > WAV_OFF_MAX - wav_end(w))
		return -EFBIG;
	/* A direct file: on to a block's end, so that the rest is blocks. */
	while (w->dfd >= 0 && bytes > 0 && wav_end(w) % WAV_ALIGN != 0) {
		n = WAV_ALIGN - wav_end(w) % WAV_ALIGN;
		if (n > bytes)
			n = (size_t)bytes;
		if ((rc = wav_write(w, wav_zeros, n)) != 0)
			return rc;
		bytes -= n;
	}
	hole = w->dfd >= 0 ? bytes / WAV_ALIGN * WAV_ALIGN : bytes;
	if (hole >= WAV_SPARSE_MIN_BYTES) {
		/*
		 * The file ends at our data's end (wav_write counts every byte
		 * that reached it, and a direct file keeps none now), so
		 * growing it appends zeros.
		 */
		rc = wav_truncate(w->fd, wav_end(w) + hole);
		if (rc == 0) {
			w->data_bytes += hole;
			if (w->dfd >= 0)
				w->blk_off += hole;
			bytes -= hole;
		} else if (rc != -EINVAL && rc != -EPERM)
			return rc;
		/* Some file systems refuse to grow a file this way. */
	}
	while (bytes > 0) {
		n = bytes < sizeof(wav_zeros) ? (size_t)bytes :
		    sizeof(wav_zeros);
		rc = wav_write(w, wav_zeros, n);
		if (rc < 0)
			return rc;
		bytes -= n;
	}
	return 0;
}

/* Writes the header for data_bytes of whole frames and a RIFF size. */
static int
wav_put_header(struct wav *w, uint64_t data_bytes, uint64_t riff_bytes)
{
	int rc;

	if (data_bytes == w->hdr_data_bytes && riff_bytes == w->hdr_riff_bytes)
		return 0;
	if (riff_bytes > WAV_RIFF_MAX_BYTES)
		w->is_rf64 = 1;
	wav_put_sizes(w->hdr, &w->lay, riff_bytes, data_bytes,
	    data_bytes / w->frame_bytes, w->is_rf64);
	rc = wav_pwrite_all(w->fd, w->hdr, w->lay.data_off, 0, NULL);
	if (rc < 0)
		return rc;
	w->hdr_data_bytes = data_bytes;
	w->hdr_riff_bytes = riff_bytes;
	return 0;
}

int
wav_update(struct wav *w)
{
	uint64_t	whole;
	int		rc;

	if ((rc = wav_direct_push(w)) != 0)
		return rc;
	whole = w->data_bytes - w->data_bytes % w->frame_bytes;
	return wav_put_header(w, whole, w->lay.data_off - 8 + whole);
}

int
wav_add_cue(struct wav *w, uint64_t frame, const char *label)
{
	struct wav_cue	*c;
	size_t		 len, cap;

	if (frame > UINT32_MAX)
		return -ERANGE;
	len = label != NULL ? strlen(label) : 0;
	if (len > WAV_MAX_LABEL)
		return -EINVAL;
	if (w->ncue == WAV_MAX_CUES)
		return -ENOSPC;
	if (w->ncue == w->cue_cap) {
		cap = w->cue_cap == 0 ? 16 : w->cue_cap * 2;
		if (cap > WAV_MAX_CUES)
			cap = WAV_MAX_CUES;
		c = realloc(w->cue, cap * sizeof(*c));
		if (c == NULL)
			return -ENOMEM;
		w->cue = c;
		w->cue_cap = cap;
	}
	c = &w->cue[w->ncue++];
	c->frame = (uint32_t)frame;
	memcpy(c->label, label != NULL ? label : "", len);
	c->label[len] = '\0';
	return 0;
}

/*
 * Builds the `cue ' chunk and, when a marker has a label, the LIST/adtl
 * chunk.  Returns the buffer (malloc'd, *len bytes) or NULL with errno.
 */
static unsigned char *
wav_build_tail(const struct wav *w, size_t *len)
{
	unsigned char	*b, *p, *list;
	size_t		 i, n, cue_bytes, max;

	cue_bytes = 4 + w->ncue * WAV_CUE_POINT_BYTES;
	max = WAV_CHUNK_HDR_BYTES + cue_bytes + WAV_CHUNK_HDR_BYTES + 4;
	for (i = 0; i < w->ncue; i++)
		max += WAV_CHUNK_HDR_BYTES + 4 + strlen(w->cue[i].label) + 2;
	b = malloc(max);
	if (b == NULL)
		return NULL;
	p = b;
	memcpy(p, "cue ", 4);
	wav_put32(p + 4, (uint32_t)cue_bytes);
	wav_put32(p + 8, (uint32_t)w->ncue);
	p += WAV_CHUNK_HDR_BYTES + 4;
	for (i = 0; i < w->ncue; i++) {
		wav_put32(p, (uint32_t)i + 1);		/* dwName */
		wav_put32(p + 4, w->cue[i].frame);	/* dwPosition */
		memcpy(p + 8, "data", 4);		/* fccChunk */
		wav_put32(p + 12, 0);			/* dwChunkStart */
		wav_put32(p + 16, 0);			/* dwBlockStart */
		wav_put32(p + 20, w->cue[i].frame);	/* dwSampleOffset */
		p += WAV_CUE_POINT_BYTES;
	}
	list = p;
	memcpy(p, "LIST", 4);
	memcpy(p + 8, "adtl", 4);
	p += WAV_CHUNK_HDR_BYTES + 4;
	for (i = 0; i < w->ncue; i++) {
		n = strlen(w->cue[i].label);
		if (n == 0)
			continue;
		memcpy(p, "labl", 4);
		wav_put32(p + 4, (uint32_t)(4 + n + 1));
		wav_put32(p + 8, (uint32_t)i + 1);
		memcpy(p + 12, w->cue[i].label, n + 1);
		p += WAV_CHUNK_HDR_BYTES + 4 + n + 1;
		if ((n + 1) & 1)
			*p++ = '\0';
	}
	if (p == list + WAV_CHUNK_HDR_BYTES + 4)
		p = list;	/* no labels: no LIST */
	else
		wav_put32(list + 4, (uint32_t)(p - list - WAV_CHUNK_HDR_BYTES));
	*len = (size_t)(p - b);
	return b;
}

static void
wav_close_err(int *rc, int r, const char *path, const char *what, char *err,
    size_t errlen)
{
	if (*rc != 0 || r == 0)
		return;
	*rc = r;
	snprintf(err, errlen, "file %s: %s: %s", path, what, strerror(-r));
}

int
wav_close(struct wav *w, char *err, size_t errlen)
{
	unsigned char	*tail;
	uint64_t	 whole, end, riff;
	size_t		 tail_bytes = 0;
	int		 rc = 0, r;

	if (w == NULL)
		return 0;
	/* The samples a direct file keeps, then on as any file. */
	r = wav_direct_close(w);
	wav_close_err(&rc, r, w->path, "write", err, errlen);
	whole = w->data_bytes - w->data_bytes % w->frame_bytes;
	end = w->lay.data_off + whole;
	if (whole != w->data_bytes) {
		/* A write failed mid-frame: the file ends on a frame. */
		r = wav_truncate(w->fd, end);
		wav_close_err(&rc, r, w->path, "truncate", err, errlen);
		if (r == 0)
			w->data_bytes = whole;
	}
	if (whole & 1) {
		/* RIFF chunks are word-aligned: a pad byte follows odd data. */
		r = wav_pwrite_all(w->fd, wav_zeros, 1, end, NULL);
		wav_close_err(&rc, r, w->path, "write", err, errlen);
		if (r == 0)
			end++;
	}
	/*
	 * The data size first, so that from here on the header is exact and
	 * wav_repair can tell the markers after it from samples.
	 */
	riff = end - 8;
	r = wav_put_header(w, whole, riff);
	wav_close_err(&rc, r, w->path, "write", err, errlen);
	/* Markers only after a data chunk that ended right. */
	if (w->ncue > 0 && rc == 0) {
		tail = wav_build_tail(w, &tail_bytes);
		if (tail == NULL)
			r = -ENOMEM;
		else {
			r = wav_pwrite_all(w->fd, tail, tail_bytes, end, NULL);
			free(tail);
			/* Drop a partly written tail: the file stays exact. */
			if (r < 0)
				(void)wav_truncate(w->fd, end);
		}
		if (r == 0)
			r = wav_put_header(w, whole, riff + tail_bytes);
		wav_close_err(&rc, r, w->path, "markers", err, errlen);
	}
	if (close(w->fd) == -1 && errno != EINTR)
		wav_close_err(&rc, -errno, w->path, "close", err, errlen);
	free(w->cue);
	free(w->path);
	free(w);
	return rc;
}

int
wav_sync(struct wav *w)
{
	int	rc;

	if ((rc = wav_direct_push(w)) != 0)
		return rc;
	return wav_datasync(w->fd);
}

uint64_t
wav_frames(const struct wav *w)
{
	return (wav_end(w) - w->lay.data_off) / w->frame_bytes;
}

int
wav_fd(const struct wav *w)
{
	return w->fd;
}

const char *
wav_path(const struct wav *w)
{
	return w->path;
}

/* Chunk ids go into messages; a hostile file must not put bytes there. */
static void
wav_id_str(const unsigned char *id, char s[5])
{
	int i;

	for (i = 0; i < 4; i++)
		s[i] = id[i] >= 0x20 && id[i] < 0x7F ? (char)id[i] : '?';
	s[4] = '\0';
}

/*
 * Finds the chunk id at off in b (len bytes).  Returns its body's size, or
 * after describing the problem in why, -1 (not our chunk) or -2 (b ends
 * first).  When body is set, the whole body must lie in b.
 */
static int64_t
wav_chunk(const unsigned char *b, size_t len, size_t off, const char *id,
    int body, char *why, size_t whylen)
{
	char		 s[5];
	uint32_t	 size;

	if (off > len || len - off < WAV_CHUNK_HDR_BYTES) {
		snprintf(why, whylen, "no chunk \"%s\" in the first %zu bytes",
		    id, len);
		return -2;
	}
	if (memcmp(b + off, id, 4) != 0) {
		wav_id_str(b + off, s);
		snprintf(why, whylen, "byte %zu: chunk \"%s\" where recd "
		    "writes \"%s\"", off, s, id);
		return -1;
	}
	size = wav_get32(b + off + 4);
	if (body && size > len - off - WAV_CHUNK_HDR_BYTES) {
		snprintf(why, whylen, "byte %zu: chunk \"%s\" of %lu bytes "
		    "runs past byte %zu", off, id, (unsigned long)size, len);
		return -2;
	}
	return size;
}

static int
wav_parse_fmt(const unsigned char *p, uint32_t size, struct wav_info *wi,
    int *is_float, char *why, size_t whylen)
{
	unsigned	 tag, channels, bits, frame_bytes, sub;
	uint32_t	 rate;

	if (size != WAV_FMT_PCM_BYTES && size != WAV_FMT_EXT_BYTES)
		goto bad;
	tag = wav_get16(p);
	channels = wav_get16(p + 2);
	rate = wav_get32(p + 4);
	frame_bytes = wav_get16(p + 12);
	bits = wav_get16(p + 14);
	if (channels < 1 || channels > WAV_MAX_CHANNELS || rate < 1 ||
	    rate > WAV_MAX_RATE || (bits != 16 && bits != 24 && bits != 32) ||
	    frame_bytes != channels * (bits / 8) ||
	    wav_get32(p + 8) != rate * frame_bytes)
		goto bad;
	*is_float = 0;
	if (tag == WAV_TAG_PCM) {
		if (size != WAV_FMT_PCM_BYTES || bits != 16 || channels > 2)
			goto bad;
	} else if (tag == WAV_TAG_EXTENSIBLE) {
		sub = wav_get16(p + 24);
		if (size != WAV_FMT_EXT_BYTES ||
		    wav_get16(p + 16) != WAV_EXT_CB_BYTES ||
		    wav_get16(p + 18) != bits ||
		    memcmp(p + 26, wav_guid_tail, sizeof(wav_guid_tail)) != 0 ||
		    (sub != WAV_TAG_PCM && sub != WAV_TAG_FLOAT) ||
		    (sub == WAV_TAG_FLOAT && bits != 32))
			goto bad;
		*is_float = sub == WAV_TAG_FLOAT;
	} else
		goto bad;
	wi->frame_bytes = frame_bytes;
	return 0;
bad:
	snprintf(why, whylen, "fmt: not a format recd writes");
	return -1;
}

/*
 * Reads our layout from the first len bytes of a file: RIFF or RF64,
 * JUNK or ds64, fmt, fact (float), bext, data.  Anything else is not a
 * file recd wrote.  Returns 0, or with the reason in why -1 (not ours) or
 * -2 (the header does not end within len bytes).
 */
static int
wav_parse(const unsigned char *b, size_t len, struct wav_info *wi,
    char *why, size_t whylen)
{
	int64_t		 size;
	size_t		 off;
	int		 is_float;

	memset(wi, 0, sizeof(*wi));
	if (len < WAV_RIFF_HDR_BYTES) {
		snprintf(why, whylen, "shorter than a RIFF header");
		return -2;
	}
	if (memcmp(b + 8, "WAVE", 4) != 0 ||
	    (memcmp(b, "RIFF", 4) != 0 && memcmp(b, "RF64", 4) != 0)) {
		snprintf(why, whylen, "not a RIFF or RF64 WAVE file");
		return -1;
	}
	wi->is_rf64 = memcmp(b, "RF64", 4) == 0;
	off = WAV_DS64_OFF;
	size = wav_chunk(b, len, off, wi->is_rf64 ? "ds64" : "JUNK", 1, why,
	    whylen);
	if (size < 0)
		return (int)size;
	if (size != WAV_DS64_BYTES) {
		snprintf(why, whylen, "first chunk is not %d bytes long",
		    WAV_DS64_BYTES);
		return -1;
	}
	if (wi->is_rf64) {
		if (wav_get32(b + off + 8 + 24) != 0) {
			snprintf(why, whylen, "ds64 has a table");
			return -1;
		}
		wi->data_bytes = wav_get64(b + off + 8 + 8);
	}
	off = WAV_FMT_OFF;
	size = wav_chunk(b, len, off, "fmt ", 1, why, whylen);
	if (size < 0)
		return (int)size;
	if (wav_parse_fmt(b + off + 8, (uint32_t)size, wi, &is_float, why,
	    whylen) < 0)
		return -1;
	off += WAV_CHUNK_HDR_BYTES + (size_t)size;
	if (is_float) {
		size = wav_chunk(b, len, off, "fact", 1, why, whylen);
		if (size < 0)
			return (int)size;
		if (size != WAV_FACT_BYTES) {
			snprintf(why, whylen, "fact: not %d bytes long",
			    WAV_FACT_BYTES);
			return -1;
		}
		wi->lay.fact_off = off + WAV_CHUNK_HDR_BYTES;
		off += WAV_CHUNK_HDR_BYTES + WAV_FACT_BYTES;
	}
	size = wav_chunk(b, len, off, "bext", 1, why, whylen);
	if (size < 0)
		return (int)size;
	if (size < WAV_BEXT_FIXED_BYTES) {
		snprintf(why, whylen, "bext: shorter than %d bytes",
		    WAV_BEXT_FIXED_BYTES);
		return -1;
	}
	off += WAV_CHUNK_HDR_BYTES + (size_t)size + (size_t)(size & 1);
	size = wav_chunk(b, len, off, "data", 0, why, whylen);
	if (size < 0)
		return (int)size;
	wi->lay.data_off = off + WAV_CHUNK_HDR_BYTES;
	if (!wi->is_rf64)
		wi->data_bytes = (uint64_t)size;
	return 0;
}

static int
wav_cue_ok(const unsigned char *p, uint32_t size)
{
	uint32_t i, n;

	if (size < 4 || (size - 4) % WAV_CUE_POINT_BYTES != 0)
		return 0;
	n = wav_get32(p);
	if (n != (size - 4) / WAV_CUE_POINT_BYTES || n > WAV_MAX_CUES)
		return 0;
	for (i = 0, p += 4; i < n; i++, p += WAV_CUE_POINT_BYTES) {
		if (memcmp(p + 8, "data", 4) != 0 || wav_get32(p + 12) != 0 ||
		    wav_get32(p + 16) != 0)
			return 0;
	}
	return 1;
}

static int
wav_list_ok(const unsigned char *p, uint32_t size)
{
	uint32_t pos, sub;

	if (size < 4 || memcmp(p, "adtl", 4) != 0)
		return 0;
	/* Each step takes at least 12 bytes, so this ends. */
	for (pos = 4; pos < size; pos += sub + (sub & 1)) {
		if (size - pos < WAV_CHUNK_HDR_BYTES + 4 ||
		    memcmp(p + pos, "labl", 4) != 0)
			return 0;
		sub = wav_get32(p + pos + 4);
		pos += WAV_CHUNK_HDR_BYTES;
		if (sub < 4 || sub > size - pos || (sub & 1) > size - pos - sub)
			return 0;
	}
	return 1;
}

/*
 * The markers wav_close appends after the data: `cue ' then LIST, each
 * at most once.  Returns how many bytes from the start of b are complete,
 * valid chunks; what follows is to be cut.
 */
static size_t
wav_tail_keep(const unsigned char *b, size_t len)
{
	size_t		 pos = 0;
	uint32_t	 size;
	int		 i, seen_cue = 0, seen_list = 0;

	for (i = 0; i < 2; i++) {
		if (len - pos < WAV_CHUNK_HDR_BYTES)
			break;
		size = wav_get32(b + pos + 4);
		/* wav_close writes even sizes only. */
		if ((size & 1) || size > len - pos - WAV_CHUNK_HDR_BYTES)
			break;
		if (!seen_cue && memcmp(b + pos, "cue ", 4) == 0 &&
		    wav_cue_ok(b + pos + 8, size))
			seen_cue = 1;
		else if (!seen_list && memcmp(b + pos, "LIST", 4) == 0 &&
		    wav_list_ok(b + pos + 8, size))
			seen_list = 1;
		else
			break;
		pos += WAV_CHUNK_HDR_BYTES + size;
	}
	return pos;
}

/*
 * Decides where the file must end.  When the header's data size is exact
 * and markers follow it (their start at least: a crash can cut even the
 * chunk id), the crash came during wav_close: keep the data size and as
 * much of the tail as is complete.  Otherwise the header is stale (or
 * torn) and the data is every complete frame on disk.
 */
static int
wav_repair_plan(int fd, const struct wav_info *wi, uint64_t file_bytes,
    uint64_t *data_bytes, uint64_t *end)
{
	unsigned char	*tail, id[5];
	uint64_t	 on_disk, claim, off;
	size_t		 len, got, pad;
	int		 rc;

	on_disk = file_bytes - wi->lay.data_off;
	claim = wi->data_bytes;
	pad = (size_t)(claim & 1);
	if (claim % wi->frame_bytes == 0 && claim <= on_disk &&
	    on_disk - claim > pad) {
		off = wi->lay.data_off + claim;
		rc = wav_pread_all(fd, id, pad + 4, off, &got);
		if (rc < 0)
			return rc;
		off += pad;
		/* got > pad: on_disk says so, unless the file just shrank. */
		if (got > pad && (pad == 0 || id[0] == 0) &&
		    (memcmp(id + pad, "cue ", got - pad) == 0 ||
		    memcmp(id + pad, "LIST", got - pad) == 0)) {
			len = file_bytes - off < WAV_TAIL_MAX_BYTES ?
			    (size_t)(file_bytes - off) : WAV_TAIL_MAX_BYTES;
			tail = malloc(len);
			if (tail == NULL)
				return -ENOMEM;
			rc = wav_pread_all(fd, tail, len, off, &got);
			if (rc == 0) {
				*data_bytes = claim;
				*end = off + wav_tail_keep(tail, got);
			}
			free(tail);
			return rc;
		}
	}
	*data_bytes = on_disk - on_disk % wi->frame_bytes;
	*end = wi->lay.data_off + *data_bytes + (*data_bytes & 1);
	return 0;
}

int
wav_repair(const char *path, uint64_t *frames, char *err, size_t errlen)
{
	struct wav_info	 wi;
	struct stat	 st;
	unsigned char	 b[WAV_REPAIR_READ_BYTES], h[WAV_REPAIR_READ_BYTES];
	unsigned char	 pad = 0;
	uint64_t	 file_bytes, data_bytes = 0, end = 0, pad_off;
	size_t		 len;
	char		 why[128];
	const char	*what;
	int		 fd, rc, changed = 0;

	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		rc = -errno;
		snprintf(err, errlen, "file %s: open: %s", path, strerror(-rc));
		return rc;
	}
	what = "read";
	if (fstat(fd, &st) == -1) {
		rc = -errno;
		goto fail_io;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		snprintf(err, errlen, "file %s: not a regular file", path);
		goto out;
	}
	file_bytes = (uint64_t)st.st_size;
	rc = wav_pread_all(fd, b, sizeof(b), 0, &len);
	if (rc < 0)
		goto fail_io;
	rc = wav_parse(b, len, &wi, why, sizeof(why));
	if (rc < 0) {
		if (rc == -2 && len < sizeof(b))
			snprintf(err, errlen, "file %s: %zu bytes: too short "
			    "for its header (%s)", path, len, why);
		else
			snprintf(err, errlen, "file %s: %s", path, why);
		rc = -EINVAL;
		goto out;
	}
	if (file_bytes < wi.lay.data_off) {
		/* pread saw more than fstat: the file is being written. */
		rc = -EAGAIN;
		snprintf(err, errlen, "file %s: changed while read", path);
		goto out;
	}

	rc = wav_repair_plan(fd, &wi, file_bytes, &data_bytes, &end);
	if (rc < 0)
		goto fail_io;
	what = "truncate";
	if (end != file_bytes) {
		rc = wav_truncate(fd, end);
		if (rc < 0)
			goto fail_io;
		changed = 1;
	}
	if (data_bytes & 1) {
		/* The pad byte may hold the start of a cut frame. */
		what = "pad byte";
		pad_off = wi.lay.data_off + data_bytes;
		rc = wav_pread_all(fd, &pad, 1, pad_off, &len);
		if (rc == 0 && len == 1 && pad != 0)
			rc = wav_pwrite_all(fd, wav_zeros, 1, pad_off, NULL);
		if (rc < 0)
			goto fail_io;
		changed |= pad != 0;
	}

	/* One pwrite, so that an upgrade to RF64 is never half done. */
	what = "write";
	memcpy(h, b, wi.lay.data_off);
	wav_put_sizes(h, &wi.lay, end - 8, data_bytes,
	    data_bytes / wi.frame_bytes,
	    wi.is_rf64 || end - 8 > WAV_RIFF_MAX_BYTES);
	if (memcmp(h, b, wi.lay.data_off) != 0) {
		rc = wav_pwrite_all(fd, h, wi.lay.data_off, 0, NULL);
		if (rc < 0)
			goto fail_io;
		changed = 1;
	}
	/* The caller may act on the result (rename, upload): make it last. */
	what = "sync";
	if (changed && (rc = wav_datasync(fd)) < 0)
		goto fail_io;
	if (frames != NULL)
		*frames = data_bytes / wi.frame_bytes;
	rc = 0;
	goto out;

fail_io:
	snprintf(err, errlen, "file %s: %s: %s", path, what, strerror(-rc));
out:
	close(fd);
	return rc;
}
