/*
 * wav_io.c: the disk under the WAV files: whole writes and reads through
 * short counts and EINTR, datasync and truncate, O_DIRECT with its block
 * tail, and early write-back (sync_file_range).  The OS differences of
 * the module are here.  Flusher thread (wav_repair's reads at start-up).
 */
#if defined(__linux__)
#define _GNU_SOURCE		/* sync_file_range, O_DIRECT */
#endif
#include "wav_priv.h"

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

/* Source of short silences and pad bytes; aligned for direct writes. */
const _Alignas(WAV_ALIGN) unsigned char wav_zeros[16 * 1024];

/*
 * Writes all len bytes at off, through short writes and EINTR.  *done (may
 * be NULL) grows by every byte that reached the file, even when a later
 * write fails, so that callers know where the data really ends.
 */
int
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
int
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
int
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

int
wav_truncate(int fd, uint64_t len)
{
	while (ftruncate(fd, (off_t)len) == -1) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
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
void
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
	/* The header may fill blocks (iXML): its last one is blk's first. */
	w->hdr_blk = w->lay.data_off / WAV_ALIGN * WAV_ALIGN;
	w->blk_off = w->hdr_blk;
	w->blk_len = w->blk_in = w->lay.data_off - w->hdr_blk;
#else
	(void)w;
#endif
}

/* The end of the samples written so far, kept ones included. */
uint64_t
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
int
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
int
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
int
wav_direct_write(struct wav *w, const unsigned char **p, size_t *n)
{
	size_t	k;
	int	rc;

	/* The header's last block, through the cache. */
	if (w->blk_off == w->hdr_blk && *n > 0) {
		k = WAV_ALIGN - w->blk_len < *n ? WAV_ALIGN - w->blk_len : *n;
		rc = wav_pwrite_all(w->fd, *p, k, w->blk_off + w->blk_len,
		    &w->data_bytes);
		k = (size_t)(w->lay.data_off + w->data_bytes - w->blk_off) -
		    w->blk_len;
		w->blk_len = w->blk_in = w->blk_len + k;
		*p += k;
		*n -= k;
		if (rc != 0)
			return rc;
		if (w->blk_len == WAV_ALIGN) {
			w->blk_off = w->hdr_blk + WAV_ALIGN;
			w->blk_len = w->blk_in = 0;
		}
	}
	/* A partial block: fill it up, write it when whole. */
	if (w->blk_off > w->hdr_blk && w->blk_len > 0 && *n > 0) {
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
	while (w->blk_off > w->hdr_blk && *n >= WAV_ALIGN) {
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
	if (w->blk_off > w->hdr_blk && *n > 0) {
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
