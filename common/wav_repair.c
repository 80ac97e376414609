/*
 * wav_repair.c: a file a crash left unfinished, made whole: its header
 * rewritten to cover every complete frame on disk, the RF64 form when it
 * passed 4 GiB.  recd's start-up, on the main thread.
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
		    memcmp(id + pad, "LIST", got - pad) == 0 ||
		    memcmp(id + pad, "MD5 ", got - pad) == 0)) {
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

/*
 * Reads the file's start into *bp (malloc'd, *lenp bytes) until it holds
 * the whole header, which iXML can make longer than a block: from
 * WAV_REPAIR_READ_BYTES on, twice as much each time, up to
 * WAV_REPAIR_READ_MAX.  Returns wav_parse's result (-1: not ours, -2: no
 * header end), or -errno (< -2) of the read.
 */
static int
wav_repair_read(int fd, unsigned char **bp, size_t *lenp,
    struct wav_info *wi, char *why, size_t whylen)
{
	unsigned char	*b;
	size_t		 want = WAV_REPAIR_READ_BYTES;
	int		 rc;

	for (;;) {
		if ((b = realloc(*bp, want)) == NULL)
			return -ENOMEM;
		*bp = b;
		rc = wav_pread_all(fd, b, want, 0, lenp);
		if (rc < 0)
			return rc < -2 ? rc : -EIO;
		rc = wav_parse(b, *lenp, wi, why, whylen);
		if (rc != -2 || *lenp < want || want >= WAV_REPAIR_READ_MAX)
			return rc;
		want *= 2;
	}
}

int
wav_repair(const char *path, uint64_t *frames, char *err, size_t errlen)
{
	struct wav_info	 wi;
	struct stat	 st;
	unsigned char	*b = NULL, *h = NULL;
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
	rc = wav_repair_read(fd, &b, &len, &wi, why, sizeof(why));
	if (rc < -2)
		goto fail_io;
	if (rc < 0) {
		if (rc == -2 && len < WAV_REPAIR_READ_MAX)
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
	if ((h = malloc(wi.lay.data_off)) == NULL) {
		rc = -ENOMEM;
		goto fail_io;
	}
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
	free(b);
	free(h);
	close(fd);
	return rc;
}
