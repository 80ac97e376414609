/*
 * oggopus.c: Ogg Opus files, a backend behind the format interface (fmt.h),
 * encoded by libopusenc, the reference encoder for .opus files; libogg
 * reads them back for repair.  For logs: lossy, small, and exact in
 * length: libopusenc sets the pre-skip and the last page's granule
 * position so that a decoder gives back exactly the samples that went in,
 * and a take's files joined are the take to the sample.  Other rates than
 * 48 kHz are resampled by the library.
 *
 * libopusenc hands each Ogg page over as soon as OPUS_MUX of audio waits
 * in it; it goes to the file as the end of the stream, and the page before
 * it loses that mark (op_write_cb), so kill -9 leaves whole pages and a
 * whole stream: it plays up to its last page.  Repair cuts a page a power
 * cut tore and marks the last whole page as the end of the stream (EOS,
 * its CRC made again).  Markers are not kept: the comments are written
 * before the audio.
 *
 * Any thread (recd: the flusher, or the writer when it must wait anyway),
 * one at a time for a file.
 */
#include "oggopus.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ogg/ogg.h>
#include <opusenc.h>

#define OPUS_RATE	48000		/* what Opus codes at, and granules */
#define OPUS_MUX	(OPUS_RATE / 4)	/* a page at least every 250 ms */
#define OPUS_DECIDE	(OPUS_RATE / 5)	/* samples held for decisions (the
					   library's 2 s would keep them
					   from the disk as long) */
#define OPUS_READ	65536		/* repair reads this much at once */

#define OPUS_PAGE_MAX	(27 + 255 + 255 * 255)	/* an Ogg page's most */

struct opus {
	OggOpusEnc	*enc;
	int		 fd;
	char		*path;
	int		 err;		/* a write failed: -errno */
	unsigned	 channels;
	uint64_t	 frames;	/* given to the encoder */
	uint64_t	 off;		/* where the next page goes */
	uint64_t	 last_off;	/* the last page: where it is ... */
	long		 last_len;	/* ... and its bytes in last */
	unsigned char	*last;		/* OPUS_PAGE_MAX */
};

static int
op_pwrite(struct opus *o, const unsigned char *p, size_t len, uint64_t off)
{
	ssize_t n;

	while (len > 0) {
		n = pwrite(o->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			o->err = n < 0 ? -errno : -EIO;
			return -1;
		}
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/* The page in p (len bytes) with its EOS flag as eos, its CRC made again. */
static void
op_page_eos(unsigned char *p, long len, int eos)
{
	ogg_page og;

	p[5] = (unsigned char)(eos ? p[5] | 0x04 : p[5] & ~0x04);
	og.header = p;
	og.header_len = 27 + p[26];
	og.body = p + og.header_len;
	og.body_len = len - og.header_len;
	ogg_page_checksum_set(&og);
}

/*
 * libopusenc hands over each page.  Each goes to the file as the last of
 * the stream (EOS set), and the one before it loses that flag, so that a
 * file cut by kill -9 is a whole stream to every reader (opusinfo asks
 * for its end).  The old page's header goes first: a kill between the two
 * leaves a stream without its end, which repair ends.
 */
static int
op_write_cb(void *arg, const unsigned char *p, opus_int32 len)
{
	struct opus *o = arg;

	if (len < 27 || len > OPUS_PAGE_MAX || 27 + p[26] > len) {
		o->err = -EINVAL;
		return 1;
	}
	if (o->last_len > 0) {
		op_page_eos(o->last, o->last_len, 0);
		if (op_pwrite(o, o->last, (size_t)(27 + o->last[26]),
		    o->last_off) != 0)
			return 1;
	}
	memcpy(o->last, p, (size_t)len);
	op_page_eos(o->last, len, 1);
	if (op_pwrite(o, o->last, (size_t)len, o->off) != 0)
		return 1;
	o->last_off = o->off;
	o->last_len = len;
	o->off += (uint64_t)len;
	return 0;
}

/* The descriptor is closed by opus_close, after the end of the stream. */
static int
op_close_cb(void *arg)
{
	(void)arg;
	return 0;
}

/* An error of libopusenc, as -errno: a write's own, or EIO. */
static int
op_errno(const struct opus *o, int rc)
{
	if (o->err != 0)
		return o->err;
	return rc == OPE_ALLOC_FAIL ? -ENOMEM : rc == OPE_BAD_ARG ? -EINVAL :
	    -EIO;
}

/* The comments a file starts with: fmt_par's, as a WAV file's bext has. */
static int
op_comments(OggOpusComments *c, const struct fmt_par *par)
{
	char		v[64], name[32];
	unsigned	i;

	snprintf(v, sizeof(v), "%" PRIu64, par->time_ref);
	if (ope_comments_add(c, "TIME_REFERENCE", v) != OPE_OK)
		return -1;
	fmt_origin_iso(par, v);
	if (ope_comments_add(c, "DATE", v) != OPE_OK)
		return -1;
	if (par->description != NULL && par->description[0] != '\0' &&
	    ope_comments_add(c, "DESCRIPTION", par->description) != OPE_OK)
		return -1;
	for (i = 0; par->names != NULL && i < par->channels; i++) {
		snprintf(name, sizeof(name), "CHANNEL%02u", i + 1);
		if (ope_comments_add(c, name, par->names[i]) != OPE_OK)
			return -1;
	}
	return 0;
}

static void *
opus_open(const char *path, const struct fmt_par *par, char *err,
    size_t errlen)
{
	OpusEncCallbacks	 cb = { op_write_cb, op_close_cb };
	OggOpusComments		*c = NULL;
	struct opus		*o;
	int			 rc = -ENOMEM, e = OPE_OK;

	if (!par->is_float || par->bits != 32) {
		snprintf(err, errlen, "file %s: Opus takes float samples",
		    path);
		errno = EINVAL;
		return NULL;
	}
	if ((o = calloc(1, sizeof(*o))) == NULL ||
	    (o->path = strdup(path)) == NULL ||
	    (o->last = malloc(OPUS_PAGE_MAX)) == NULL ||
	    (c = ope_comments_create()) == NULL || op_comments(c, par) != 0) {
		snprintf(err, errlen, "file %s: %s", path, strerror(ENOMEM));
		goto fail;
	}
	o->channels = par->channels;
	o->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (o->fd == -1) {
		rc = -errno;
		snprintf(err, errlen, "file %s: open: %s", path,
		    strerror(-rc));
		goto fail;
	}
	/* Family 0 holds 1 or 2 channels; 255, any count, each apart. */
	o->enc = ope_encoder_create_callbacks(&cb, o, c, (opus_int32)par->rate,
	    (int)par->channels, par->channels <= 2 ? 0 : 255, &e);
	if (o->enc == NULL ||
	    (e = ope_encoder_ctl(o->enc, OPUS_SET_BITRATE((opus_int32)par->kbps * 1000)))
	    != OPE_OK ||
	    (e = ope_encoder_ctl(o->enc, OPE_SET_MUXING_DELAY(OPUS_MUX))) !=
	    OPE_OK ||
	    (e = ope_encoder_ctl(o->enc, OPE_SET_DECISION_DELAY(OPUS_DECIDE))) !=
	    OPE_OK || (e = ope_encoder_flush_header(o->enc)) != OPE_OK) {
		rc = op_errno(o, e);
		snprintf(err, errlen, "file %s: Opus: %u channels at %u Hz, "
		    "%u kbit/s: %s", path, par->channels, par->rate,
		    par->kbps, o->err != 0 ? strerror(-o->err) :
		    ope_strerror(e));
		if (o->enc != NULL)
			ope_encoder_destroy(o->enc);
		o->enc = NULL;
		close(o->fd);
		unlink(path);
		goto fail;
	}
	ope_comments_destroy(c);
	return o;
fail:
	if (c != NULL)
		ope_comments_destroy(c);
	if (o != NULL) {
		free(o->last);
		free(o->path);
	}
	free(o);
	errno = -rc;
	return NULL;
}

/* Interleaved float samples, as conv.h makes them for float32. */
static int
opus_write(void *h, const void *buf, size_t bytes)
{
	struct opus	*o = h;
	size_t		 fb = sizeof(float) * o->channels;
	int		 e;

	if (o->err != 0)
		return o->err;
	if (bytes % fb != 0)
		return -EINVAL;
	if ((e = ope_encoder_write_float(o->enc, buf, (int)(bytes / fb))) !=
	    OPE_OK)
		return op_errno(o, e);
	o->frames += bytes / fb;
	return 0;
}

static int
opus_silence(void *h, uint64_t frames)
{
	static const float	 zero[1024];
	struct opus		*o = h;
	uint64_t		 k, most = 1024 / o->channels;
	int			 e;

	for (; frames > 0; frames -= k) {
		k = frames < most ? frames : most;
		if ((e = ope_encoder_write_float(o->enc, zero, (int)k)) !=
		    OPE_OK)
			return op_errno(o, e);
		o->frames += k;
	}
	return 0;
}

/* Every page made is in the file already: a reader takes it as is. */
static int
opus_update(void *h)
{
	return ((struct opus *)h)->err;
}

static int
opus_mark(void *h, uint64_t frame, const char *label)
{
	(void)h;
	(void)frame;
	(void)label;
	return 0;
}

static int
opus_sync(void *h)
{
	return fdatasync(((struct opus *)h)->fd) != 0 ? -errno : 0;
}

/*
 * The rest of the samples, and the last page, which ends the stream.  A
 * stream without a sample has no end to write (libopusenc 0.2 asserts on
 * draining one): it stays the header pages alone, as a file opened ahead
 * of a boundary and thrown away is.
 */
static int
opus_close(void *h, char *err, size_t errlen)
{
	struct opus	*o = h;
	int		 rc = o->err, e;

	if (rc == 0 && o->frames > 0 &&
	    (e = ope_encoder_drain(o->enc)) != OPE_OK) {
		rc = op_errno(o, e);
		snprintf(err, errlen, "file %s: Opus: %s", o->path,
		    o->err != 0 ? strerror(-o->err) : ope_strerror(e));
	} else if (rc != 0)
		snprintf(err, errlen, "file %s: write: %s", o->path,
		    strerror(-rc));
	ope_encoder_destroy(o->enc);
	if (close(o->fd) != 0 && rc == 0) {
		rc = -errno;
		snprintf(err, errlen, "file %s: close: %s", o->path,
		    strerror(-rc));
	}
	free(o->last);
	free(o->path);
	free(o);
	return rc;
}

static int
opus_fd(const void *h)
{
	return ((const struct opus *)h)->fd;
}

static size_t
opus_lead(const void *h, uint64_t bytes)
{
	(void)h;
	(void)bytes;
	return 0;
}

/* What repair found: the whole pages, and the last of them. */
struct op_scan {
	uint64_t	 end;		/* the byte after the last page */
	uint64_t	 last_off;	/* where the last page begins */
	long		 last_len;
	int		 last_eos;
	int64_t		 granule;	/* the last one given (48 kHz) */
	unsigned	 preskip;	/* OpusHead's */
	unsigned	 rate;		/* OpusHead's: the input's */
	int		 head;		/* OpusHead seen */
};

static int
op_scan(int fd, struct op_scan *s)
{
	ogg_sync_state	 oy;
	ogg_page	 og;
	uint64_t	 pos = 0;
	char		*buf;
	ssize_t		 n;
	long		 r;

	memset(s, 0, sizeof(*s));
	ogg_sync_init(&oy);
	for (;;) {
		while ((r = ogg_sync_pageseek(&oy, &og)) != 0) {
			if (r < 0) {
				pos += (uint64_t)-r;	/* not a page */
				continue;
			}
			if (!s->head && og.body_len >= 19 &&
			    memcmp(og.body, "OpusHead", 8) == 0) {
				s->head = 1;
				s->preskip = og.body[10] |
				    (unsigned)og.body[11] << 8;
				s->rate = og.body[12] |
				    (unsigned)og.body[13] << 8 |
				    (unsigned)og.body[14] << 16 |
				    (unsigned)og.body[15] << 24;
			}
			if (ogg_page_granulepos(&og) > 0)
				s->granule = ogg_page_granulepos(&og);
			s->last_off = pos;
			s->last_len = r;
			s->last_eos = ogg_page_eos(&og);
			pos += (uint64_t)r;
			s->end = pos;
		}
		if ((buf = ogg_sync_buffer(&oy, OPUS_READ)) == NULL)
			break;
		n = read(fd, buf, OPUS_READ);
		if (n <= 0)
			break;
		ogg_sync_wrote(&oy, n);
	}
	ogg_sync_clear(&oy);
	return s->head ? 0 : -1;
}

/* The last page ends the stream: its EOS flag set, its CRC made again. */
static int
op_set_eos(int fd, const struct op_scan *s)
{
	unsigned char	*p;
	ogg_page	 og;
	int		 rc = -1;

	if ((p = malloc((size_t)s->last_len)) == NULL)
		return -1;
	if (pread(fd, p, (size_t)s->last_len, (off_t)s->last_off) !=
	    s->last_len || s->last_len < 27)
		goto out;
	p[5] |= 0x04;
	og.header = p;
	og.header_len = 27 + p[26];
	og.body = p + og.header_len;
	og.body_len = s->last_len - og.header_len;
	ogg_page_checksum_set(&og);
	if (pwrite(fd, p, (size_t)s->last_len, (off_t)s->last_off) ==
	    s->last_len)
		rc = 0;
out:
	free(p);
	return rc;
}

static int
opus_repair(const char *path, uint64_t *frames, char *err, size_t errlen)
{
	struct op_scan	s;
	struct stat	st;
	int		fd;

	if ((fd = open(path, O_RDWR | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "file %s: open: %s", path,
		    strerror(errno));
		return -1;
	}
	if (op_scan(fd, &s) != 0) {
		snprintf(err, errlen, "file %s: not an Ogg Opus file, or its "
		    "header is torn", path);
		goto fail;
	}
	/* What a power cut tore off the last page. */
	if (fstat(fd, &st) == 0 && (uint64_t)st.st_size > s.end &&
	    ftruncate(fd, (off_t)s.end) != 0) {
		snprintf(err, errlen, "file %s: truncate: %s", path,
		    strerror(errno));
		goto fail;
	}
	if (!s.last_eos && op_set_eos(fd, &s) != 0) {
		snprintf(err, errlen, "file %s: the last page: %s", path,
		    strerror(errno != 0 ? errno : EIO));
		goto fail;
	}
	*frames = s.granule > s.preskip ? (uint64_t)(s.granule - s.preskip) *
	    (s.rate != 0 ? s.rate : OPUS_RATE) / OPUS_RATE : 0;
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

const struct fmt_backend fmt_opus = {
	.name = "opus",
	.ext = ".opus",
	.crash = "every Ogg page made so far (a page at least every 250 ms), "
	    "a stream without its end that plays to its last page; repair "
	    "cuts a torn page and ends the stream at the last whole one",
	.open = opus_open,
	.write = opus_write,
	.silence = opus_silence,
	.update = opus_update,
	.mark = opus_mark,
	.sync = opus_sync,
	.close = opus_close,
	.fd = opus_fd,
	.lead = opus_lead,
	.writeback_due = NULL,
	.writeback_step = NULL,
	.repair = opus_repair,
};
