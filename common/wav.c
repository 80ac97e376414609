/*
 * wav.c: WAV/BWF files as recd writes them: open with a header of our
 * layout, samples, header updates with the true sizes (RF64 in place once
 * past 4 GiB), cue markers, close.  Writer and flusher threads (struct wav
 * in wav_priv.h says who touches what); it never logs, failures are
 * described into the caller's buffer.
 */
#if defined(__linux__)
#define _GNU_SOURCE		/* sync_file_range, O_DIRECT */
#endif
#include "wav_priv.h"
#include "fmt.h"
#include "ixml.h"

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
	rc = wav_build_header(&w->hdr, &w->lay, path, par, err, errlen);
	if (rc < 0)
		goto fail_free;
	MD5Init(&w->md5);
	w->md5_ok = 1;
	w->md5_given = par->digest_given;
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
	if (w != NULL) {
		free(w->hdr);
		free(w->path);
	}
	free(w);
	errno = -rc;
	return NULL;
}

int
wav_write(struct wav *w, const void *buf, size_t bytes)
{
	const unsigned char	*p = buf;
	int			 rc;

	if (bytes > WAV_OFF_MAX - wav_end(w))
		return -EFBIG;
	/* A write that fails leaves the data unknown to the digest. */
	if (w->md5_ok && !w->md5_given)
		MD5Update(&w->md5, p, bytes);
	if (w->dfd >= 0) {
		rc = wav_direct_write(w, &p, &bytes);
		if (rc == -EINVAL && w->dfd >= 0) {
			/* Refused (wav_direct_put): through the cache now. */
			rc = wav_direct_close(w);
			if (rc == 0)
				goto cached;
		}
		if (rc != 0)
			w->md5_ok = 0;
		return rc;
	}
cached:
	/* What reached the file before an error counts: see wav_update. */
	rc = wav_pwrite_all(w->fd, p, bytes, w->lay.data_off + w->data_bytes,
	    &w->data_bytes);
	if (rc != 0)
		w->md5_ok = 0;
	return rc;
}

/*
 * The digest of a hole: zeros the file holds without writing them.  A
 * long gap would keep the flusher hashing zeros for seconds (an hour of
 * 64 channels is 33 GB), with the writer's buffers waiting on it: past
 * WAV_MD5_HOLE_MAX bytes of holes the file gets no digest instead.
 */
static void
wav_md5_zeros(struct wav *w, uint64_t bytes)
{
	size_t n;

	if (w->md5_given)
		return;
	if (bytes > WAV_MD5_HOLE_MAX - w->md5_holes) {
		w->md5_ok = 0;
		return;
	}
	w->md5_holes += bytes;
	for (; w->md5_ok && bytes > 0; bytes -= n) {
		n = bytes < sizeof(wav_zeros) ? (size_t)bytes :
		    sizeof(wav_zeros);
		MD5Update(&w->md5, wav_zeros, n);
	}
}

void
wav_digest(struct wav *w, const unsigned char md5[16])
{
	memcpy(w->md5_val, md5, sizeof(w->md5_val));
	w->md5_have = 1;
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
			wav_md5_zeros(w, hole);
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
	if (w->md5_given && !w->md5_have)
		w->md5_ok = 0;
	if (whole != w->data_bytes) {
		/* A write failed mid-frame: the file ends on a frame. */
		w->md5_ok = 0;		/* the digest took the cut bytes */
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
	/*
	 * Markers and the digest only after a data chunk that ended right;
	 * the digest only if it covers exactly the data's bytes.
	 */
	if ((w->ncue > 0 || w->md5_ok) && rc == 0) {
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
	free(w->hdr);
	free(w->path);
	free(w);
	return rc;
}

int
wav_set_loudness(struct wav *w, const int16_t v[WAV_LOUDNESS_FIELDS])
{
	unsigned char	*b = w->hdr + w->lay.bext_off + WAV_BEXT_LOUDNESS_OFF;
	int		 i;

	for (i = 0; i < WAV_LOUDNESS_FIELDS; i++)
		wav_put16(b + 2 * i, (uint16_t)v[i]);
	/* hdr is the header as last written: only these bytes change. */
	return wav_pwrite_all(w->fd, w->hdr, w->lay.data_off, 0, NULL);
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

/* ---- WAV/BWF/RF64 behind the format interface (fmt.h) ---- */

/* The name the file will have, for iXML: path without ".partial". */
static void *
fw_open(const char *path, const struct fmt_par *fp, char *err, size_t errlen)
{
	struct wav_par	 par;
	struct wav	*w;
	int		 e;

	memset(&par, 0, sizeof(par));
	par.channels = fp->channels;
	par.rate = fp->rate;
	par.bits = fp->bits;
	par.is_float = fp->is_float;
	par.time_ref = fp->time_ref;
	par.digest_given = fp->digest_given;
	par.origin = fp->origin;
	par.origin_off_s = fp->origin_off_s;
	par.description = fp->description;
	par.direct = fp->direct;
	par.coding = fp->coding;
	par.ixml = ixml_text(fp, path, &par.ixml_len);
	if (par.ixml == NULL) {
		e = errno;
		snprintf(err, errlen, "file %s: iXML: %s", path, strerror(e));
		errno = e;
		return NULL;
	}
	w = wav_open(path, &par, err, errlen);
	e = errno;
	free((char *)par.ixml);
	errno = e;
	return w;
}

static int
fw_write(void *w, const void *buf, size_t bytes)
{
	return wav_write(w, buf, bytes);
}

static int
fw_silence(void *w, uint64_t frames)
{
	return wav_write_silence(w, frames);
}

static int
fw_update(void *w)
{
	return wav_update(w);
}

static int
fw_mark(void *w, uint64_t frame, const char *label)
{
	return wav_add_cue(w, frame, label);
}

static int
fw_sync(void *w)
{
	return wav_sync(w);
}

static int
fw_loudness(void *w, const struct fmt_loudness *l)
{
	int16_t v[WAV_LOUDNESS_FIELDS];

	v[0] = fmt_loud_centi(l->integrated);
	v[1] = fmt_loud_centi(l->range);
	v[2] = fmt_loud_centi(l->true_peak);
	v[3] = fmt_loud_centi(l->momentary_max);
	v[4] = fmt_loud_centi(l->short_term_max);
	return wav_set_loudness(w, v);
}

static int
fw_close(void *w, char *err, size_t errlen)
{
	return wav_close(w, err, errlen);
}

static int
fw_fd(const void *w)
{
	return wav_fd(w);
}

static size_t
fw_lead(const void *w, uint64_t bytes)
{
	return wav_lead(w, bytes);
}

static int
fw_writeback_due(void *w, uint64_t *off)
{
	return wav_writeback_due(w, off);
}

static int
fw_digest(void *w, const unsigned char md5[16])
{
	wav_digest(w, md5);
	return 0;
}

const struct fmt_backend fmt_wav = {
	.name = "wav",
	.ext = ".wav",
	.crash = "a valid WAV whose header covers what it last rewrote "
	    "(header_seconds); repair makes it cover every whole frame on "
	    "disk, as RF64 past 4 GiB",
	.open = fw_open,
	.write = fw_write,
	.silence = fw_silence,
	.update = fw_update,
	.mark = fw_mark,
	.sync = fw_sync,
	.loudness = fw_loudness,
	.digest = fw_digest,
	.close = fw_close,
	.fd = fw_fd,
	.lead = fw_lead,
	.writeback_due = fw_writeback_due,
	.writeback_step = wav_writeback_step,
	.repair = wav_repair,
};

_Static_assert(FMT_ALIGN == WAV_ALIGN, "the writer's buffers suit wav_lead");
_Static_assert(WAV_LOUDNESS_FIELDS == WAV_BEXT_LOUDNESS_N, "bext v2");
_Static_assert(FMT_LOUD_UNSET == WAV_LOUDNESS_UNUSED, "bext v2");
