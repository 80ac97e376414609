/*
 * flac.c: FLAC files, a backend behind the format interface (fmt.h),
 * encoded by libFLAC, the reference encoder.  Lossless: the samples the
 * writer converted to pcm16 or pcm24 go in, and a decoder gives them back
 * bit for bit.
 *
 * The file: STREAMINFO, a VORBIS_COMMENT block (time reference in samples
 * since midnight, date, description, encoder, each channel's port) and
 * PADDING, then frames as libFLAC encodes them.  The frames libFLAC
 * hands over during one write (a flusher job, about a second) go to the
 * file in one write(2) at its end, not one each (at level 0, 42 a second
 * a file: at 8 channels split, about a tenth of recd's CPU), so kill -9
 * leaves every frame of the writes so far, with a STREAMINFO that gives
 * no length.
 * close lets libFLAC finish (the length and the MD5 of the audio in
 * STREAMINFO), then writes the markers into the comments as ffmpeg's
 * chapters (CHAPTER001=HH:MM:SS.mmm, CHAPTER001NAME=label), in the padding.
 * repair decodes what is there, cuts a frame that a power cut tore, and
 * writes the length of the whole frames into STREAMINFO.
 *
 * Any thread (recd: the flusher, or the writer when it must wait anyway),
 * one at a time for a file; mark only touches the markers (the writer's).
 */
#include "flac.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <FLAC/metadata.h>
#include <FLAC/stream_decoder.h>
#include <FLAC/stream_encoder.h>

#define FLAC_CHUNK	4096		/* frames converted to int32 at once */
#define FLAC_PADDING	4096		/* bytes kept for the markers (about
					   60; more, and libFLAC rewrites the
					   file at close) */
#define FLAC_MARKS_MAX	999		/* CHAPTER001 .. CHAPTER999 */
#define FLAC_OUT_MAX	(1 << 20)	/* bytes held back at most */

struct flac_mark {
	uint64_t	 frame;
	char		*label;
};

struct flac {
	FLAC__StreamEncoder	*enc;
	int			 fd;
	char			*path;
	uint64_t		 off;		/* where the next byte goes */
	int			 err;		/* a write failed: -errno */
	unsigned char		*out;		/* encoded, not written yet: */
	size_t			 out_len, out_cap;
	uint64_t		 out_off;	/* ... its place in the file */
	unsigned		 channels, bytes;	/* a sample's: 2 or 4 */
	unsigned		 rate;
	uint64_t		 frames;
	FLAC__int32		*buf;		/* FLAC_CHUNK * channels */
	struct flac_mark	*marks;
	size_t			 nmarks, marks_cap;
};

/* What libFLAC handed over, into the file; 0 or f->err (-errno). */
static int
fl_flush(struct flac *f)
{
	const unsigned char	*p = f->out;
	size_t			 left = f->out_len;
	ssize_t			 n;

	while (f->err == 0 && left > 0) {
		n = pwrite(f->fd, p, left, (off_t)f->out_off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			f->err = n < 0 ? -errno : -EIO;
		else {
			p += n;
			left -= (size_t)n;
			f->out_off += (uint64_t)n;
		}
	}
	f->out_len = 0;
	return f->err;
}

/* Held back until the end of the write (fl_flush), unless it goes
 * elsewhere than the end of what is held (STREAMINFO, at finish). */
static FLAC__StreamEncoderWriteStatus
fl_write_cb(const FLAC__StreamEncoder *e, const FLAC__byte buf[],
    size_t bytes, uint32_t samples, uint32_t frame, void *arg)
{
	struct flac	*f = arg;
	unsigned char	*p;
	size_t		 cap;

	(void)e;
	(void)samples;
	(void)frame;
	if (f->out_len > 0 && (f->off != f->out_off + f->out_len ||
	    f->out_len + bytes > FLAC_OUT_MAX) && fl_flush(f) != 0)
		return FLAC__STREAM_ENCODER_WRITE_STATUS_FATAL_ERROR;
	if (f->out_len == 0)
		f->out_off = f->off;
	if (f->out_len + bytes > f->out_cap) {
		for (cap = f->out_cap > 0 ? f->out_cap : 65536;
		    cap < f->out_len + bytes; cap *= 2)
			;
		if ((p = realloc(f->out, cap)) == NULL) {
			f->err = -ENOMEM;
			return FLAC__STREAM_ENCODER_WRITE_STATUS_FATAL_ERROR;
		}
		f->out = p;
		f->out_cap = cap;
	}
	memcpy(f->out + f->out_len, buf, bytes);
	f->out_len += bytes;
	f->off += bytes;
	return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
}

static FLAC__StreamEncoderSeekStatus
fl_seek_cb(const FLAC__StreamEncoder *e, FLAC__uint64 off, void *arg)
{
	struct flac *f = arg;

	(void)e;
	f->off = off;
	return FLAC__STREAM_ENCODER_SEEK_STATUS_OK;
}

static FLAC__StreamEncoderTellStatus
fl_tell_cb(const FLAC__StreamEncoder *e, FLAC__uint64 *off, void *arg)
{
	struct flac *f = arg;

	(void)e;
	*off = f->off;
	return FLAC__STREAM_ENCODER_TELL_STATUS_OK;
}

/* NAME=value into the comments; 0, or -ENOMEM. */
static int
fl_tag(FLAC__StreamMetadata *vc, const char *name, const char *value)
{
	FLAC__StreamMetadata_VorbisComment_Entry e;

	if (!FLAC__metadata_object_vorbiscomment_entry_from_name_value_pair(
	    &e, name, value))
		return -ENOMEM;
	if (!FLAC__metadata_object_vorbiscomment_append_comment(vc, e, false)) {
		free(e.entry);
		return -ENOMEM;
	}
	return 0;
}

/* The comments a file starts with: fmt_par's, as a WAV file's bext has. */
static int
fl_tags(FLAC__StreamMetadata *vc, const struct fmt_par *par)
{
	char		v[64], name[32];
	unsigned	i;
	int		rc;

	snprintf(v, sizeof(v), "%" PRIu64, par->time_ref);
	if ((rc = fl_tag(vc, "TIME_REFERENCE", v)) != 0)
		return rc;
	fmt_origin_iso(par, v);
	if ((rc = fl_tag(vc, "DATE", v)) != 0)
		return rc;
	snprintf(v, sizeof(v), "recd (%s)", FLAC__VENDOR_STRING);
	if ((rc = fl_tag(vc, "ENCODER", v)) != 0)
		return rc;
	if (par->description != NULL && par->description[0] != '\0' &&
	    (rc = fl_tag(vc, "DESCRIPTION", par->description)) != 0)
		return rc;
	for (i = 0; par->names != NULL && i < par->channels; i++) {
		snprintf(name, sizeof(name), "CHANNEL%02u", i + 1);
		if ((rc = fl_tag(vc, name, par->names[i])) != 0)
			return rc;
	}
	return 0;
}

static void
fl_free(struct flac *f)
{
	size_t i;

	if (f->enc != NULL)
		FLAC__stream_encoder_delete(f->enc);
	for (i = 0; i < f->nmarks; i++)
		free(f->marks[i].label);
	free(f->marks);
	free(f->out);
	free(f->buf);
	free(f->path);
	free(f);
}

static void *
flac_open(const char *path, const struct fmt_par *par, char *err,
    size_t errlen)
{
	FLAC__StreamMetadata	*meta[2] = { NULL, NULL };
	FLAC__StreamEncoderInitStatus st;
	struct flac		*f;
	int			 rc = -ENOMEM;

	if (par->bits != 16 && par->bits != 24) {
		snprintf(err, errlen, "file %s: FLAC takes 16 or 24 bits, not "
		    "%u", path, par->bits);
		errno = EINVAL;
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		goto nomem;
	f->fd = -1;
	f->channels = par->channels;
	f->bytes = par->bits == 16 ? 2 : 4;	/* flac.h */
	f->rate = par->rate;
	if ((f->path = strdup(path)) == NULL ||
	    (f->buf = malloc(sizeof(*f->buf) * FLAC_CHUNK * f->channels)) ==
	    NULL || (f->enc = FLAC__stream_encoder_new()) == NULL ||
	    (meta[0] = FLAC__metadata_object_new(
	    FLAC__METADATA_TYPE_VORBIS_COMMENT)) == NULL ||
	    (meta[1] = FLAC__metadata_object_new(
	    FLAC__METADATA_TYPE_PADDING)) == NULL ||
	    fl_tags(meta[0], par) != 0)
		goto nomem;
	meta[1]->length = FLAC_PADDING;
	if (!FLAC__stream_encoder_set_channels(f->enc, par->channels) ||
	    !FLAC__stream_encoder_set_bits_per_sample(f->enc, par->bits) ||
	    !FLAC__stream_encoder_set_sample_rate(f->enc, par->rate) ||
	    !FLAC__stream_encoder_set_compression_level(f->enc,
	    (unsigned)par->level) ||
	    !FLAC__stream_encoder_set_metadata(f->enc, meta, 2)) {
		snprintf(err, errlen, "file %s: FLAC: %u channels, %u bits at "
		    "%u Hz: not a FLAC stream", path, par->channels,
		    par->bits, par->rate);
		rc = -EINVAL;
		goto fail;
	}
	f->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (f->fd == -1) {
		rc = -errno;
		snprintf(err, errlen, "file %s: open: %s", path,
		    strerror(-rc));
		goto fail;
	}
	/* STREAMINFO and the comments are written here, at once. */
	st = FLAC__stream_encoder_init_stream(f->enc, fl_write_cb, fl_seek_cb,
	    fl_tell_cb, NULL, f);
	if (st == FLAC__STREAM_ENCODER_INIT_STATUS_OK && fl_flush(f) != 0)
		st = FLAC__STREAM_ENCODER_INIT_STATUS_ENCODER_ERROR;
	if (st != FLAC__STREAM_ENCODER_INIT_STATUS_OK) {
		rc = f->err != 0 ? f->err : -EINVAL;
		snprintf(err, errlen, "file %s: FLAC: %s", path, f->err != 0 ?
		    strerror(-f->err) :
		    FLAC__StreamEncoderInitStatusString[st]);
		close(f->fd);
		unlink(path);
		f->fd = -1;
		goto fail;
	}
	/* The encoder copied them. */
	FLAC__metadata_object_delete(meta[0]);
	FLAC__metadata_object_delete(meta[1]);
	return f;
nomem:
	snprintf(err, errlen, "file %s: %s", path, strerror(ENOMEM));
fail:
	if (meta[0] != NULL)
		FLAC__metadata_object_delete(meta[0]);
	if (meta[1] != NULL)
		FLAC__metadata_object_delete(meta[1]);
	if (f != NULL)
		fl_free(f);
	errno = -rc;
	return NULL;
}

/* n frames of f->buf to the encoder. */
static int
fl_encode(struct flac *f, uint64_t n)
{
	if (!FLAC__stream_encoder_process_interleaved(f->enc, f->buf,
	    (uint32_t)n))
		return f->err != 0 ? f->err : -EIO;
	f->frames += n;
	return 0;
}

/* One sample of CONV_PCM16, or of CONV_PCM32 (the 24-bit code << 8). */
static inline FLAC__int32
fl_sample(const unsigned char *p, unsigned bytes)
{
	int16_t	s16;
	int32_t	s32;

	if (bytes == 2) {
		memcpy(&s16, p, 2);
		return s16;
	}
	memcpy(&s32, p, 4);
	return s32 >> 8;
}

/*
 * ns samples at p as libFLAC's int32s (the host is little endian, as
 * conv.h's output).  Eight at a time, so that the compiler makes vector
 * code of it at -O2, once for each constant bytes of flac_write's calls.
 */
static inline void
fl_unpack(FLAC__int32 *restrict d, const unsigned char *restrict p,
    size_t ns, unsigned bytes)
{
	size_t	i, j;

	for (i = 0; i + 8 <= ns; i += 8)
		for (j = 0; j < 8; j++)
			d[i + j] = fl_sample(p + (i + j) * bytes, bytes);
	for (; i < ns; i++)
		d[i] = fl_sample(p + i * bytes, bytes);
}

/*
 * Interleaved little-endian CONV_PCM16, or CONV_PCM32 for 24 bits (flac.h),
 * as conv.h makes them.  What libFLAC encodes goes to the file at the end.
 */
static int
flac_write(void *h, const void *buf, size_t bytes)
{
	struct flac		*f = h;
	const unsigned char	*p = buf;
	FLAC__int32		*d = f->buf;
	size_t			 fb = (size_t)f->bytes * f->channels;
	uint64_t		 n, k, ns;
	int			 rc;

	if (f->err != 0)
		return f->err;
	if (bytes % fb != 0)
		return -EINVAL;
	for (n = bytes / fb; n > 0; n -= k) {
		k = n < FLAC_CHUNK ? n : FLAC_CHUNK;
		ns = k * f->channels;
		if (f->bytes == 2)
			fl_unpack(d, p, ns, 2);
		else
			fl_unpack(d, p, ns, 4);
		p += ns * f->bytes;
		if ((rc = fl_encode(f, k)) != 0) {
			(void)fl_flush(f);	/* what came before it */
			return rc;
		}
	}
	return fl_flush(f);
}

static int
flac_silence(void *h, uint64_t frames)
{
	struct flac	*f = h;
	uint64_t	 k;
	int		 rc;

	memset(f->buf, 0, sizeof(*f->buf) * FLAC_CHUNK * f->channels);
	for (; frames > 0; frames -= k) {
		k = frames < FLAC_CHUNK ? frames : FLAC_CHUNK;
		if ((rc = fl_encode(f, k)) != 0)
			return rc;
	}
	return fl_flush(f);
}

/* Every frame encoded is in the file already: a reader takes it as is. */
static int
flac_update(void *h)
{
	return ((struct flac *)h)->err;
}

static int
flac_mark(void *h, uint64_t frame, const char *label)
{
	struct flac		*f = h;
	struct flac_mark	*m;
	size_t			 cap;

	if (f->nmarks == FLAC_MARKS_MAX)
		return -ENOSPC;
	if (f->nmarks == f->marks_cap) {
		cap = f->marks_cap != 0 ? 2 * f->marks_cap : 8;
		if ((m = realloc(f->marks, cap * sizeof(*m))) == NULL)
			return -ENOMEM;
		f->marks = m;
		f->marks_cap = cap;
	}
	m = &f->marks[f->nmarks];
	if ((m->label = strdup(label)) == NULL)
		return -ENOMEM;
	m->frame = frame;
	f->nmarks++;
	return 0;
}

static int
flac_sync(void *h)
{
	struct flac	*f = h;

	if (fl_flush(f) != 0)
		return f->err;
	return fdatasync(f->fd) != 0 ? -errno : 0;
}

/*
 * The markers as chapters, in the comments of the finished file at path:
 * libFLAC rewrites the block in place, in the padding.
 */
static int
fl_chapters(struct flac *f, char *err, size_t errlen)
{
	FLAC__Metadata_Chain	*chain;
	FLAC__Metadata_Iterator	*it;
	FLAC__StreamMetadata	*vc = NULL;
	char			 name[32], v[32];
	uint64_t		 ms;
	size_t			 i;
	int			 rc = -ENOMEM;

	if ((chain = FLAC__metadata_chain_new()) == NULL ||
	    (it = FLAC__metadata_iterator_new()) == NULL) {
		if (chain != NULL)
			FLAC__metadata_chain_delete(chain);
		snprintf(err, errlen, "file %s: %s", f->path, strerror(ENOMEM));
		return -ENOMEM;
	}
	if (!FLAC__metadata_chain_read(chain, f->path)) {
		rc = -EIO;
		goto fail;
	}
	FLAC__metadata_iterator_init(it, chain);
	do {
		if (FLAC__metadata_iterator_get_block_type(it) ==
		    FLAC__METADATA_TYPE_VORBIS_COMMENT)
			vc = FLAC__metadata_iterator_get_block(it);
	} while (vc == NULL && FLAC__metadata_iterator_next(it));
	if (vc == NULL) {
		rc = -EIO;
		goto fail;
	}
	for (i = 0; i < f->nmarks; i++) {
		ms = f->marks[i].frame * 1000 / f->rate;
		snprintf(name, sizeof(name), "CHAPTER%03zu", i + 1);
		snprintf(v, sizeof(v), "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64
		    ".%03" PRIu64, ms / 3600000, ms / 60000 % 60,
		    ms / 1000 % 60, ms % 1000);
		if ((rc = fl_tag(vc, name, v)) != 0)
			goto fail;
		snprintf(name, sizeof(name), "CHAPTER%03zuNAME", i + 1);
		if ((rc = fl_tag(vc, name, f->marks[i].label)) != 0)
			goto fail;
	}
	FLAC__metadata_chain_sort_padding(chain);
	if (!FLAC__metadata_chain_write(chain, true, false)) {
		rc = -EIO;
		goto fail;
	}
	FLAC__metadata_iterator_delete(it);
	FLAC__metadata_chain_delete(chain);
	return 0;
fail:
	snprintf(err, errlen, "file %s: markers: %s", f->path, rc == -EIO ?
	    FLAC__Metadata_ChainStatusString[
	    FLAC__metadata_chain_status(chain)] : strerror(-rc));
	FLAC__metadata_iterator_delete(it);
	FLAC__metadata_chain_delete(chain);
	return rc;
}

/*
 * libFLAC encodes what it holds, then writes the length and the MD5 of
 * the audio into STREAMINFO; then the markers.
 */
static int
flac_close(void *h, char *err, size_t errlen)
{
	struct flac	*f = h;
	int		 rc = f->err;

	if ((!FLAC__stream_encoder_finish(f->enc) || fl_flush(f) != 0) &&
	    rc == 0) {
		rc = f->err != 0 ? f->err : -EIO;
		snprintf(err, errlen, "file %s: FLAC: %s", f->path,
		    f->err != 0 ? strerror(-f->err) :
		    FLAC__stream_encoder_get_resolved_state_string(f->enc));
	} else if (rc != 0)
		snprintf(err, errlen, "file %s: write: %s", f->path,
		    strerror(-rc));
	if (rc == 0 && f->nmarks > 0)
		rc = fl_chapters(f, err, errlen);
	if (close(f->fd) != 0 && rc == 0) {
		rc = -errno;
		snprintf(err, errlen, "file %s: close: %s", f->path,
		    strerror(-rc));
	}
	f->fd = -1;
	fl_free(f);
	return rc;
}

static int
flac_fd(const void *h)
{
	return ((const struct flac *)h)->fd;
}

/* Samples are always copied into the encoder: from the buffer's start. */
static size_t
flac_lead(const void *h, uint64_t bytes)
{
	(void)h;
	(void)bytes;
	return 0;
}

/* What repair reads: whole frames, and where the last of them ends. */
struct fl_scan {
	uint64_t	 frames;	/* samples a channel in good frames */
	uint32_t	 block;		/* of the frame being decoded */
	int		 bad;		/* the decoder met an error */
};

static FLAC__StreamDecoderWriteStatus
fl_scan_write(const FLAC__StreamDecoder *d, const FLAC__Frame *fr,
    const FLAC__int32 *const buf[], void *arg)
{
	struct fl_scan *s = arg;

	(void)d;
	(void)buf;
	s->block = fr->header.blocksize;
	return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

static void
fl_scan_error(const FLAC__StreamDecoder *d,
    FLAC__StreamDecoderErrorStatus st, void *arg)
{
	(void)d;
	(void)st;
	((struct fl_scan *)arg)->bad = 1;
}

/*
 * Decodes path frame by frame: *frames in the whole frames, *end the byte
 * after the last of them.  0, or -1 with err.
 */
static int
fl_scan(const char *path, uint64_t *frames, uint64_t *end, char *err,
    size_t errlen)
{
	FLAC__StreamDecoder		*d;
	FLAC__StreamDecoderInitStatus	 st;
	FLAC__StreamDecoderState	 state;
	struct fl_scan			 s = { 0, 0, 0 };
	FLAC__uint64			 pos;
	int				 rc = -1;

	if ((d = FLAC__stream_decoder_new()) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return -1;
	}
	FLAC__stream_decoder_set_md5_checking(d, false);
	st = FLAC__stream_decoder_init_file(d, path, fl_scan_write, NULL,
	    fl_scan_error, &s);
	if (st != FLAC__STREAM_DECODER_INIT_STATUS_OK) {
		snprintf(err, errlen, "FLAC: %s",
		    FLAC__StreamDecoderInitStatusString[st]);
		goto out;
	}
	if (!FLAC__stream_decoder_process_until_end_of_metadata(d) || s.bad ||
	    !FLAC__stream_decoder_get_decode_position(d, &pos)) {
		snprintf(err, errlen, "not a FLAC file, or its header is torn");
		goto out;
	}
	*end = pos;
	for (;;) {
		s.block = 0;
		if (!FLAC__stream_decoder_process_single(d) || s.bad)
			break;
		state = FLAC__stream_decoder_get_state(d);
		if (s.block == 0 || state == FLAC__STREAM_DECODER_END_OF_STREAM)
			break;
		if (!FLAC__stream_decoder_get_decode_position(d, &pos))
			break;
		s.frames += s.block;
		*end = pos;
	}
	*frames = s.frames;
	rc = 0;
out:
	FLAC__stream_decoder_delete(d);
	return rc;
}

/* STREAMINFO says frames, and no MD5: the audio is not all of the take. */
static int
fl_set_length(const char *path, uint64_t frames, char *err, size_t errlen)
{
	FLAC__Metadata_Chain	*chain;
	FLAC__Metadata_Iterator	*it = NULL;
	FLAC__StreamMetadata	*si;
	int			 rc = -1;

	if ((chain = FLAC__metadata_chain_new()) == NULL ||
	    (it = FLAC__metadata_iterator_new()) == NULL) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		goto out;
	}
	if (!FLAC__metadata_chain_read(chain, path))
		goto chain;
	FLAC__metadata_iterator_init(it, chain);
	si = FLAC__metadata_iterator_get_block(it);
	if (si == NULL || si->type != FLAC__METADATA_TYPE_STREAMINFO) {
		snprintf(err, errlen, "FLAC: no STREAMINFO first");
		goto out;
	}
	si->data.stream_info.total_samples = frames;
	memset(si->data.stream_info.md5sum, 0,
	    sizeof(si->data.stream_info.md5sum));
	if (!FLAC__metadata_chain_write(chain, true, false))
		goto chain;
	rc = 0;
	goto out;
chain:
	snprintf(err, errlen, "FLAC: %s", FLAC__Metadata_ChainStatusString[
	    FLAC__metadata_chain_status(chain)]);
out:
	if (it != NULL)
		FLAC__metadata_iterator_delete(it);
	if (chain != NULL)
		FLAC__metadata_chain_delete(chain);
	return rc;
}

static int
flac_repair(const char *path, uint64_t *frames, char *err, size_t errlen)
{
	struct stat	st;
	uint64_t	end = 0;
	char		why[256];

	if (fl_scan(path, frames, &end, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "file %s: %s", path, why);
		return -1;
	}
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "file %s: stat: %s", path,
		    strerror(errno));
		return -1;
	}
	/* What a power cut tore off the last frame. */
	if ((uint64_t)st.st_size > end && truncate(path, (off_t)end) != 0) {
		snprintf(err, errlen, "file %s: truncate: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fl_set_length(path, *frames, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "file %s: %s", path, why);
		return -1;
	}
	return 0;
}

const struct fmt_backend fmt_flac = {
	.name = "flac",
	.ext = ".flac",
	.crash = "every FLAC frame encoded so far (libFLAC writes each as "
	    "it is made), with no length in STREAMINFO; repair cuts a torn "
	    "last frame and writes the length of the whole ones",
	.open = flac_open,
	.write = flac_write,
	.silence = flac_silence,
	.update = flac_update,
	.mark = flac_mark,
	.sync = flac_sync,
	.close = flac_close,
	.fd = flac_fd,
	.lead = flac_lead,
	.writeback_due = NULL,
	.writeback_step = NULL,
	.repair = flac_repair,
};
