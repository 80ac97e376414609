/*
 * mp3.c: MP3 files, a backend behind the format interface (fmt.h),
 * encoded by LAME at a constant bit rate, for players and regulators'
 * tools that want MP3.  At most 2 channels a file.
 *
 * LAME begins the stream with a frame kept for its tag; close writes the
 * tag there (lame_get_lametag_frame): the frame count, and the encoder
 * delay and padding, so that a decoder that honours it (mpg123, ffmpeg)
 * gives back exactly the samples that went in.  Each frame goes to
 * write(2) as LAME makes it, so kill -9 leaves every frame made so far,
 * behind a tag frame that gives no count: it plays to the last frame.
 * repair leaves the frames as they are, cutting a frame that a power cut
 * tore (libmpg123 finds the last whole one), and counts the samples.
 * Markers are not kept.
 *
 * Any thread (recd: the flusher, or the writer when it must wait anyway),
 * one at a time for a file.
 */
#include "mp3.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lame/lame.h>
#include <mpg123.h>

#define MP3_CHUNK	4096		/* frames given to LAME at once */
#define MP3_OUT		(MP3_CHUNK * 5 / 4 + 7200)	/* LAME's worst */

struct mp3 {
	lame_global_flags	*lame;
	int			 fd;
	char			*path;
	int			 err;
	unsigned		 channels;
	unsigned char		 out[MP3_OUT];
};

static int
mp3_put(struct mp3 *m, const unsigned char *p, int n)
{
	ssize_t w;

	while (n > 0) {
		w = write(m->fd, p, (size_t)n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			m->err = w < 0 ? -errno : -EIO;
			return m->err;
		}
		p += w;
		n -= (int)w;
	}
	return 0;
}

static void *
mp3_open(const char *path, const struct fmt_par *par, char *err,
    size_t errlen)
{
	struct mp3	*m;
	int		 rc = -ENOMEM;

	if (!par->is_float || par->bits != 32 || par->channels > 2) {
		snprintf(err, errlen, "file %s: MP3 takes 1 or 2 channels of "
		    "float samples, not %u", path, par->channels);
		errno = EINVAL;
		return NULL;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->path = strdup(path)) == NULL ||
	    (m->lame = lame_init()) == NULL) {
		snprintf(err, errlen, "file %s: %s", path, strerror(ENOMEM));
		goto fail;
	}
	m->channels = par->channels;
	lame_set_num_channels(m->lame, (int)par->channels);
	lame_set_in_samplerate(m->lame, (int)par->rate);
	lame_set_out_samplerate(m->lame, (int)par->rate);
	lame_set_VBR(m->lame, vbr_off);
	lame_set_brate(m->lame, (int)par->kbps);
	lame_set_mode(m->lame, par->channels == 1 ? MONO : JOINT_STEREO);
	lame_set_bWriteVbrTag(m->lame, 1);
	if (lame_init_params(m->lame) < 0) {
		rc = -EINVAL;
		snprintf(err, errlen, "file %s: MP3: %u channels at %u Hz, %u "
		    "kbit/s: LAME refuses them", path, par->channels,
		    par->rate, par->kbps);
		goto fail;
	}
	m->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (m->fd == -1) {
		rc = -errno;
		snprintf(err, errlen, "file %s: open: %s", path,
		    strerror(-rc));
		goto fail;
	}
	return m;
fail:
	if (m != NULL) {
		if (m->lame != NULL)
			lame_close(m->lame);
		free(m->path);
	}
	free(m);
	errno = -rc;
	return NULL;
}

/* n frames of interleaved floats (NULL: silence) to LAME, then the file. */
static int
mp3_encode(struct mp3 *m, const float *p, uint64_t n)
{
	static const float	zero[2 * MP3_CHUNK];
	uint64_t		k;
	int			got;

	for (; n > 0; n -= k) {
		k = n < MP3_CHUNK ? n : MP3_CHUNK;
		got = m->channels == 2 ?
		    lame_encode_buffer_interleaved_ieee_float(m->lame,
		    p != NULL ? p : zero, (int)k, m->out, MP3_OUT) :
		    lame_encode_buffer_ieee_float(m->lame, p != NULL ? p :
		    zero, p != NULL ? p : zero, (int)k, m->out, MP3_OUT);
		if (got < 0)
			return -EIO;
		if (mp3_put(m, m->out, got) != 0)
			return m->err;
		if (p != NULL)
			p += k * m->channels;
	}
	return 0;
}

static int
mp3_write(void *h, const void *buf, size_t bytes)
{
	struct mp3	*m = h;
	size_t		 fb = sizeof(float) * m->channels;

	if (m->err != 0)
		return m->err;
	if (bytes % fb != 0)
		return -EINVAL;
	return mp3_encode(m, buf, bytes / fb);
}

static int
mp3_silence(void *h, uint64_t frames)
{
	return mp3_encode(h, NULL, frames);
}

static int
mp3_update(void *h)
{
	return ((struct mp3 *)h)->err;
}

static int
mp3_mark(void *h, uint64_t frame, const char *label)
{
	(void)h;
	(void)frame;
	(void)label;
	return 0;
}

static int
mp3_sync(void *h)
{
	return fdatasync(((struct mp3 *)h)->fd) != 0 ? -errno : 0;
}

/* The last frames, then the tag in the frame LAME kept for it. */
static int
mp3_close(void *h, char *err, size_t errlen)
{
	struct mp3	*m = h;
	size_t		 t;
	int		 rc = m->err, got;

	if (rc == 0) {
		got = lame_encode_flush(m->lame, m->out, MP3_OUT);
		if (got < 0)
			rc = -EIO;
		else
			rc = mp3_put(m, m->out, got);
	}
	if (rc == 0) {
		t = lame_get_lametag_frame(m->lame, m->out, MP3_OUT);
		if (t > 0 && t <= MP3_OUT &&
		    pwrite(m->fd, m->out, t, 0) != (ssize_t)t)
			rc = -errno != 0 ? -errno : -EIO;
	}
	if (rc != 0)
		snprintf(err, errlen, "file %s: MP3: %s", m->path,
		    strerror(-rc));
	lame_close(m->lame);
	if (close(m->fd) != 0 && rc == 0) {
		rc = -errno;
		snprintf(err, errlen, "file %s: close: %s", m->path,
		    strerror(-rc));
	}
	free(m->path);
	free(m);
	return rc;
}

static int
mp3_fd(const void *h)
{
	return ((const struct mp3 *)h)->fd;
}

static size_t
mp3_lead(const void *h, uint64_t bytes)
{
	(void)h;
	(void)bytes;
	return 0;
}

/*
 * libmpg123 walks the frames (without decoding them): the samples in the
 * whole ones, and where the last of them ends; a torn frame after it is
 * cut.  The tag frame, which gives no count, is taken as LAME's.
 */
static int
mp3_repair(const char *path, uint64_t *frames, char *err, size_t errlen)
{
	mpg123_handle	*mh = NULL;
	struct stat	 st;
	off_t		 end = 0, samples = 0;
	unsigned char	*audio;
	size_t		 bytes;
	off_t		 num;
	int		 rc = -1, e;

	if (mpg123_init() != MPG123_OK ||
	    (mh = mpg123_new(NULL, &e)) == NULL) {
		snprintf(err, errlen, "file %s: libmpg123: %s", path,
		    mh == NULL ? "cannot start" : mpg123_plain_strerror(e));
		return -1;
	}
	mpg123_param(mh, MPG123_ADD_FLAGS, MPG123_QUIET, 0);
	if (mpg123_open(mh, path) != MPG123_OK) {
		snprintf(err, errlen, "file %s: %s", path, mpg123_strerror(mh));
		goto out;
	}
	while ((e = mpg123_framebyframe_next(mh)) == MPG123_OK ||
	    e == MPG123_NEW_FORMAT) {
		if (mpg123_framedata(mh, NULL, &audio, &bytes) != MPG123_OK)
			break;
		num = mpg123_framepos(mh);
		if (num >= 0)
			end = num + (off_t)bytes + 4;
		samples += mpg123_spf(mh);
	}
	mpg123_close(mh);
	if (samples == 0) {
		*frames = 0;
		rc = 0;
		goto out;
	}
	if (stat(path, &st) == 0 && st.st_size > end && end > 0 &&
	    truncate(path, end) != 0) {
		snprintf(err, errlen, "file %s: truncate: %s", path,
		    strerror(errno));
		goto out;
	}
	*frames = (uint64_t)samples;
	rc = 0;
out:
	mpg123_delete(mh);
	return rc;
}

const struct fmt_backend fmt_mp3 = {
	.name = "mp3",
	.ext = ".mp3",
	.crash = "every MP3 frame made so far, behind LAME's tag frame, which "
	    "gives no count; it plays to its last frame, and repair cuts a "
	    "torn one",
	.open = mp3_open,
	.write = mp3_write,
	.silence = mp3_silence,
	.update = mp3_update,
	.mark = mp3_mark,
	.sync = mp3_sync,
	.close = mp3_close,
	.fd = mp3_fd,
	.lead = mp3_lead,
	.writeback_due = NULL,
	.writeback_step = NULL,
	.repair = mp3_repair,
};
