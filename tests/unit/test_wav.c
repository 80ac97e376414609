/*
 * test_wav.c: the WAV/BWF/RF64 writer and wav_repair, checked by parsing
 * the bytes and with third-party readers (libsndfile, sox, ffprobe).
 * Crash-shaped files come from a child process killed with SIGKILL; files
 * past 4 GiB are sparse, in a temp dir under /tmp.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#if defined(__linux__)
#include <sys/vfs.h>
#endif
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <md5.h>
#include <sndfile.h>

#include "wav.h"

#define RATE_HZ		96000
/* 23:53:20 at 96 kHz: above 2^32, so TimeReference's high word is used. */
#define TIME_REF	((uint64_t)RATE_HZ * 86000)
#define ORIGIN		((time_t)1700000000)
#define ORIGIN_OFF	(5 * 3600 + 30 * 60)	/* +0530: minutes count too */
#define DESCRIPTION	"unit test take"
#define DS64_BYTES	28		/* EBU Tech 3306 ds64 body */
#define BEXT_FIXED	602		/* Tech 3285 v2, before CodingHistory */
#define FOUR_GIB	((uint64_t)1 << 32)
#define HEAD_BYTES	65536		/* more than any header we write here */

struct fmt {
	const char	*name;
	unsigned	 bits;
	int		 is_float;
	int		 sf_sub;	/* libsndfile subtype */
	const char	*ff_codec;	/* ffprobe codec_name */
	const char	*sox_prec;	/* sox --i Precision */
	const char	*sox_enc;	/* sox --i Sample Encoding */
};

static const struct fmt fmts[] = {
	{ "pcm16", 16, 0, SF_FORMAT_PCM_16, "pcm_s16le", "16-bit",
	    "16-bit Signed Integer PCM" },
	{ "pcm24", 24, 0, SF_FORMAT_PCM_24, "pcm_s24le", "24-bit",
	    "24-bit Signed Integer PCM" },
	{ "pcm32", 32, 0, SF_FORMAT_PCM_32, "pcm_s32le", "32-bit",
	    "32-bit Signed Integer PCM" },
	/* sox counts a float's precision as its mantissa plus one. */
	{ "float32", 32, 1, SF_FORMAT_FLOAT, "pcm_f32le", "25-bit",
	    "32-bit Floating Point PCM" },
};
#define F_PCM16		(&fmts[0])
#define F_PCM24		(&fmts[1])
#define F_PCM32		(&fmts[2])
#define F_FLOAT		(&fmts[3])
#define NFMTS		(sizeof(fmts) / sizeof(fmts[0]))

/* KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT as stored. */
static const unsigned char guid_pcm[16] = {
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
	0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71
};
static const unsigned char guid_float[16] = {
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
	0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71
};

struct tdir {
	char	 path[64];	/* mkdtemp'd, removed at teardown */
};

/* Offsets of chunk bodies in our header; 0: absent. */
struct hdr {
	size_t		 fmt, fact, bext, data;
	uint32_t	 fmt_bytes, bext_bytes, data32;
};

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xFF;
	p[1] = (v >> 8) & 0xFF;
	p[2] = (v >> 16) & 0xFF;
	p[3] = (v >> 24) & 0xFF;
}

static unsigned
frame_bytes(const struct fmt *f, unsigned ch)
{
	return ch * (f->bits / 8);
}

/* A sample word per frame and channel that no two neighbours share. */
static uint32_t
pat_word(uint64_t frame, unsigned ch)
{
	uint64_t x;

	x = frame * 0x9E3779B97F4A7C15ull + ch * 0xBF58476D1CE4E5B9ull + 1;
	x ^= x >> 29;
	x *= 0x94D049BB133111EBull;
	x ^= x >> 32;
	return (uint32_t)x;
}

/* The sample as sf_read_int returns it: the top f->bits bits. */
static int32_t
pat_int(const struct fmt *f, uint64_t frame, unsigned ch)
{
	uint32_t w;

	w = pat_word(frame, ch);
	if (f->bits < 32)
		w &= ~(((uint32_t)1 << (32 - f->bits)) - 1);
	return (int32_t)w;
}

/* In [-1, 1) with 24 significant bits: exact as a float. */
static float
pat_float(uint64_t frame, unsigned ch)
{
	return (float)(int32_t)(pat_word(frame, ch) & 0xFFFFFF00u) /
	    2147483648.0f;
}

static void
pat_bytes(const struct fmt *f, unsigned channels, uint64_t frame0,
    size_t frames, unsigned char *out)
{
	size_t		 i;
	unsigned	 c, b, nb = f->bits / 8;
	uint32_t	 u;
	float		 v;

	for (i = 0; i < frames; i++) {
		for (c = 0; c < channels; c++) {
			if (f->is_float) {
				v = pat_float(frame0 + i, c);
				memcpy(&u, &v, sizeof(u));
				put32(out, u);
			} else {
				u = (uint32_t)pat_int(f, frame0 + i, c);
				for (b = 0; b < nb; b++)
					out[b] = (u >> (32 - f->bits + 8 * b)) &
					    0xFF;
			}
			out += nb;
		}
	}
}

static void
tpath(void **state, char *buf, size_t len, const char *name)
{
	const struct tdir *t = *state;

	if (snprintf(buf, len, "%s/%s", t->path, name) >= (int)len)
		fail_msg("path %s/%s: too long", t->path, name);
}

static int
group_setup(void **state)
{
	struct tdir *t;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -1;
	snprintf(t->path, sizeof(t->path), "/tmp/test_wav.XXXXXX");
	if (mkdtemp(t->path) == NULL) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int
group_teardown(void **state)
{
	struct tdir	*t = *state;
	struct dirent	*de;
	DIR		*d;
	char		 p[512];

	d = opendir(t->path);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof(p), "%s/%s", t->path, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(t->path);
	free(t);
	return 0;
}

static void
par_init(struct wav_par *par, const struct fmt *f, unsigned channels)
{
	memset(par, 0, sizeof(*par));
	par->channels = channels;
	par->rate = RATE_HZ;
	par->bits = f->bits;
	par->is_float = f->is_float;
	par->time_ref = TIME_REF;
	par->origin = ORIGIN;
	par->origin_off_s = ORIGIN_OFF;
	par->description = DESCRIPTION;
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	struct stat	 st;
	unsigned char	*b;
	ssize_t		 n;
	int		 fd;

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	b = malloc((size_t)st.st_size + 1);
	assert_non_null(b);
	n = read(fd, b, (size_t)st.st_size);
	assert_int_equal(n, st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return b;
}

static void
spit(const char *path, const void *b, size_t len)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Reads the first bytes of a file (which may be a sparse 4 GiB one). */
static size_t
read_head(const char *path, unsigned char *b, size_t len)
{
	ssize_t	n;
	int	fd;

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = pread(fd, b, len, 0);
	assert_true(n > 0);
	close(fd);
	return (size_t)n;
}

static void
pread_at(const char *path, void *b, size_t len, uint64_t off)
{
	int fd;

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, b, len, (off_t)off), (ssize_t)len);
	close(fd);
}

static uint64_t
file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static void
walk_chunks(const unsigned char *b, size_t len, struct hdr *h)
{
	size_t		 off = 12;
	uint32_t	 sz;

	memset(h, 0, sizeof(*h));
	while (off + 8 <= len) {
		sz = get32(b + off + 4);
		if (memcmp(b + off, "fmt ", 4) == 0) {
			h->fmt = off + 8;
			h->fmt_bytes = sz;
		} else if (memcmp(b + off, "fact", 4) == 0)
			h->fact = off + 8;
		else if (memcmp(b + off, "bext", 4) == 0) {
			h->bext = off + 8;
			h->bext_bytes = sz;
		} else if (memcmp(b + off, "data", 4) == 0) {
			h->data = off + 8;
			h->data32 = sz;
			return;
		}
		off += 8 + (size_t)sz + (sz & 1);
	}
}

/* The header's data chunk offset, from the file itself. */
static size_t
data_offset(const char *path)
{
	unsigned char	b[HEAD_BYTES];
	struct hdr	h;

	walk_chunks(b, read_head(path, b, sizeof(b)), &h);
	assert_true(h.data != 0);
	return h.data;
}

/*
 * The MD5 chunk wav_close appends last: checks that it ends the file and
 * holds the MD5 of the data chunk's bytes (the header's size, so RIFF
 * files only).  Returns its length, to add to the file's size.
 */
static size_t
md5_tail(const char *path)
{
	unsigned char	*b, want[16];
	MD5_CTX		 ctx;
	size_t		 len, off;
	uint32_t	 data;

	b = slurp(path, &len);
	assert_true(len > 24);
	assert_memory_equal(b + len - 24, "MD5 ", 4);
	assert_int_equal(get32(b + len - 20), 16);
	off = data_offset(path);
	data = get32(b + off - 4);
	assert_true(off + data <= len - 24);
	MD5Init(&ctx);
	MD5Update(&ctx, b + off, data);
	MD5Final(want, &ctx);
	assert_memory_equal(b + len - 16, want, 16);
	free(b);
	return 24;
}

static char *
run(const char *fmt, ...)
{
	va_list	 ap;
	FILE	*p;
	char	 cmd[1024], *out;
	size_t	 n = 0, got;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out = malloc(65536);
	assert_non_null(out);
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((got = fread(out + n, 1, 65535 - n, p)) > 0)
		n += got;
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	return out;
}

/* Fails unless out has the whole line. */
static void
expect_line(const char *out, const char *fmt, ...)
{
	va_list		 ap;
	char		 line[512];
	const char	*p;
	size_t		 n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	for (p = out; (p = strstr(p, line)) != NULL; p++) {
		if ((p == out || p[-1] == '\n') &&
		    (p[n] == '\n' || p[n] == '\0'))
			return;
	}
	fail_msg("no line \"%s\" in:\n%s", line, out);
}

/* bext's date and time: the origin in its offset, whatever TZ says. */
static void
origin_date_time(time_t t, char date[11], char tod[9])
{
	struct tm tm;

	t += ORIGIN_OFF;
	assert_non_null(gmtime_r(&t, &tm));
	strftime(date, 11, "%Y-%m-%d", &tm);
	strftime(tod, 9, "%H:%M:%S", &tm);
}

/* libsndfile: format, frames, and every sample (raw and converted). */
static void
check_sndfile(const char *path, const struct fmt *f, unsigned ch,
    uint64_t frames, int major)
{
	SF_INFO		 in;
	SNDFILE		*sf;
	unsigned char	*want, *got;
	int32_t		*iv;
	float		*fv;
	size_t		 fb, i;
	unsigned	 c;

	memset(&in, 0, sizeof(in));
	sf = sf_open(path, SFM_READ, &in);
	if (sf == NULL)
		fail_msg("sf_open %s: %s", path, sf_strerror(NULL));
	assert_int_equal(in.frames, frames);
	assert_int_equal(in.channels, ch);
	assert_int_equal(in.samplerate, RATE_HZ);
	assert_int_equal(in.format, major | f->sf_sub);
	fb = frame_bytes(f, ch);
	want = malloc(frames * fb + 1);
	got = malloc(frames * fb + 1);
	iv = malloc((frames * ch + 1) * sizeof(*iv));
	fv = malloc((frames * ch + 1) * sizeof(*fv));
	assert_true(want && got && iv && fv);
	pat_bytes(f, ch, 0, frames, want);
	assert_int_equal(sf_read_raw(sf, got, (sf_count_t)(frames * fb)),
	    frames * fb);
	assert_memory_equal(got, want, frames * fb);
	assert_int_equal(sf_seek(sf, 0, SEEK_SET), 0);
	if (f->is_float) {
		assert_int_equal(sf_readf_float(sf, fv, (sf_count_t)frames),
		    frames);
		for (i = 0; i < frames; i++)
			for (c = 0; c < ch; c++)
				assert_true(fv[i * ch + c] == pat_float(i, c));
	} else {
		assert_int_equal(sf_readf_int(sf, iv, (sf_count_t)frames),
		    frames);
		for (i = 0; i < frames; i++)
			for (c = 0; c < ch; c++)
				assert_int_equal(iv[i * ch + c],
				    pat_int(f, i, c));
	}
	sf_close(sf);
	free(want);
	free(got);
	free(iv);
	free(fv);
}

static int
sf_major(const struct fmt *f, unsigned ch)
{
	return ch <= 2 && f->bits == 16 ? SF_FORMAT_WAV : SF_FORMAT_WAVEX;
}

/* Our own reading of the header recd wrote for f, ch and frames. */
static void
check_header(const char *path, const struct fmt *f, unsigned ch,
    uint64_t frames)
{
	unsigned char	 b[HEAD_BYTES];
	struct hdr	 h;
	size_t		 len;
	unsigned	 i, tag, fb = frame_bytes(f, ch);
	uint32_t	 want_mask;
	char		 date[11], tod[9], ch_line[64];
	const char	*coding;

	len = read_head(path, b, sizeof(b));
	walk_chunks(b, len, &h);
	assert_memory_equal(b, "RIFF", 4);
	assert_int_equal(get32(b + 4), file_size(path) - 8);
	assert_memory_equal(b + 8, "WAVE", 4);
	/* JUNK first, exactly as big as the ds64 it may become. */
	assert_memory_equal(b + 12, "JUNK", 4);
	assert_int_equal(get32(b + 16), DS64_BYTES);
	assert_int_equal(h.fmt, 12 + 8 + DS64_BYTES + 8);
	assert_true(h.fmt && h.bext && h.data);

	tag = get16(b + h.fmt);
	assert_int_equal(get16(b + h.fmt + 2), ch);
	assert_int_equal(get32(b + h.fmt + 4), RATE_HZ);
	assert_int_equal(get32(b + h.fmt + 8), RATE_HZ * fb);
	assert_int_equal(get16(b + h.fmt + 12), fb);
	assert_int_equal(get16(b + h.fmt + 14), f->bits);
	if (ch <= 2 && f->bits == 16) {
		assert_int_equal(tag, 0x0001);
		assert_int_equal(h.fmt_bytes, 16);
	} else {
		want_mask = ch == 1 ? 0x4 : ch == 2 ? 0x3 : 0;
		assert_int_equal(tag, 0xFFFE);
		assert_int_equal(h.fmt_bytes, 40);
		assert_int_equal(get16(b + h.fmt + 16), 22);
		assert_int_equal(get16(b + h.fmt + 18), f->bits);
		assert_int_equal(get32(b + h.fmt + 20), want_mask);
		assert_memory_equal(b + h.fmt + 24,
		    f->is_float ? guid_float : guid_pcm, 16);
	}
	if (f->is_float) {
		assert_true(h.fact != 0);
		assert_int_equal(get32(b + h.fact), frames);
	} else
		assert_int_equal(h.fact, 0);

	/* bext, EBU Tech 3285 v2 */
	origin_date_time(ORIGIN, date, tod);
	assert_string_equal((const char *)b + h.bext, DESCRIPTION);
	assert_string_equal((const char *)b + h.bext + 256, "recd");
	assert_memory_equal(b + h.bext + 320, date, 10);
	assert_memory_equal(b + h.bext + 330, tod, 8);
	assert_int_equal(get32(b + h.bext + 338), (uint32_t)TIME_REF);
	assert_int_equal(get32(b + h.bext + 342), (uint32_t)(TIME_REF >> 32));
	assert_int_equal(get16(b + h.bext + 346), 2);
	for (i = 0; i < 64; i++)
		assert_int_equal(b[h.bext + 348 + i], 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(get16(b + h.bext + 412 + 2 * i), 0x7FFF);
	for (i = 0; i < 180; i++)
		assert_int_equal(b[h.bext + 422 + i], 0);
	assert_true(h.bext_bytes > BEXT_FIXED && h.bext_bytes % 2 == 0);
	coding = (const char *)b + h.bext + BEXT_FIXED;
	snprintf(ch_line, sizeof(ch_line), "A=PCM,F=%u,W=%u,", RATE_HZ,
	    f->bits);
	assert_memory_equal(coding, ch_line, strlen(ch_line));
	assert_non_null(strstr(coding, "T=recd"));
	assert_non_null(strstr(coding, "\r\n"));

	assert_int_equal(h.data32, frames * fb);
}

static void
check_sox(const char *path, const struct fmt *f, unsigned ch,
    uint64_t frames)
{
	char *out, s[64];

	out = run("sox --i '%s' 2>&1", path);
	expect_line(out, "Channels       : %u", ch);
	expect_line(out, "Sample Rate    : %u", RATE_HZ);
	expect_line(out, "Precision      : %s", f->sox_prec);
	expect_line(out, "Sample Encoding: %s", f->sox_enc);
	snprintf(s, sizeof(s), "= %llu samples", (unsigned long long)frames);
	if (strstr(out, s) == NULL)
		fail_msg("no \"%s\" in:\n%s", s, out);
	free(out);
}

static void
check_ffprobe(const char *path, const struct fmt *f, unsigned ch,
    uint64_t frames, int bext)
{
	char *out, date[11], tod[9];

	out = run("ffprobe -v error -show_streams -show_format '%s'", path);
	expect_line(out, "codec_name=%s", f->ff_codec);
	expect_line(out, "channels=%u", ch);
	expect_line(out, "sample_rate=%u", RATE_HZ);
	expect_line(out, "duration_ts=%llu", (unsigned long long)frames);
	if (bext) {
		/* ffprobe's names for the bext fields. */
		origin_date_time(ORIGIN, date, tod);
		expect_line(out, "TAG:time_reference=%llu",
		    (unsigned long long)TIME_REF);
		expect_line(out, "TAG:encoded_by=recd");
		expect_line(out, "TAG:comment=%s", DESCRIPTION);
		expect_line(out, "TAG:date=%s", date);
		expect_line(out, "TAG:creation_time=%s", tod);
	}
	free(out);
}

static uint32_t
header_data32(const char *path)
{
	unsigned char	b[HEAD_BYTES];
	struct hdr	h;

	walk_chunks(b, read_head(path, b, sizeof(b)), &h);
	assert_true(h.data != 0);
	return h.data32;
}

/*
 * Writes frames of the pattern in a few uneven calls with wav_update in
 * between, checking after each update that the header on disk covers
 * what was written.
 */
static void
write_pattern(struct wav *w, const struct fmt *f, unsigned ch,
    uint64_t frame0, size_t frames, const char *path)
{
	unsigned char	*b;
	size_t		 fb = frame_bytes(f, ch), done = 0, n;

	b = malloc(frames * fb + 1);
	assert_non_null(b);
	pat_bytes(f, ch, frame0, frames, b);
	while (done < frames) {
		n = done == 0 ? (frames + 2) / 3 : frames - done < 77 ?
		    frames - done : 77;
		assert_int_equal(wav_write(w, b + done * fb, n * fb), 0);
		done += n;
		assert_int_equal(wav_update(w), 0);
		if (path != NULL)
			assert_int_equal(header_data32(path),
			    (frame0 + done) * fb);
	}
	free(b);
}

static void
run_format(void **state, const struct fmt *f)
{
	static const unsigned chs[] = { 1, 2, 8 };
	struct wav_par	 par;
	struct wav	*w;
	char		 path[256], name[64], err[256];
	size_t		 i;
	uint64_t	 frames = 301;

	for (i = 0; i < sizeof(chs) / sizeof(chs[0]); i++) {
		snprintf(name, sizeof(name), "fmt_%s_%u.wav", f->name, chs[i]);
		tpath(state, path, sizeof(path), name);
		par_init(&par, f, chs[i]);
		w = wav_open(path, &par, err, sizeof(err));
		if (w == NULL)
			fail_msg("%s", err);
		assert_string_equal(wav_path(w), path);
		write_pattern(w, f, chs[i], 0, frames, path);
		assert_int_equal(wav_frames(w), frames);
		assert_int_equal(wav_sync(w), 0);
		assert_int_equal(wav_close(w, err, sizeof(err)), 0);

		check_header(path, f, chs[i], frames);
		check_sndfile(path, f, chs[i], frames, sf_major(f, chs[i]));
		check_sox(path, f, chs[i], frames);
		check_ffprobe(path, f, chs[i], frames, 1);
	}
}

static void
test_pcm16(void **state)
{
	run_format(state, F_PCM16);
}

static void
test_pcm24(void **state)
{
	run_format(state, F_PCM24);
}

static void
test_pcm32(void **state)
{
	run_format(state, F_PCM32);
}

static void
test_float32(void **state)
{
	run_format(state, F_FLOAT);
}

static void
test_partial_frame_never_claimed(void **state)
{
	struct wav_par	 par;
	struct wav	*w;
	unsigned char	 b[64];
	char		 path[256], err[256];
	size_t		 fb = frame_bytes(F_PCM24, 2);

	tpath(state, path, sizeof(path), "partial.wav");
	par_init(&par, F_PCM24, 2);
	w = wav_open(path, &par, err, sizeof(err));
	assert_non_null(w);
	pat_bytes(F_PCM24, 2, 0, 3, b);
	assert_int_equal(wav_write(w, b, fb + fb / 2), 0);
	assert_int_equal(wav_frames(w), 1);
	assert_int_equal(wav_update(w), 0);
	assert_int_equal(header_data32(path), fb);
	/* The rest of the frame completes it. */
	assert_int_equal(wav_write(w, b + fb + fb / 2, fb - fb / 2), 0);
	assert_int_equal(wav_frames(w), 2);
	assert_int_equal(wav_update(w), 0);
	assert_int_equal(header_data32(path), 2 * fb);
	/* A partial frame left at close is cut off. */
	assert_int_equal(wav_write(w, b + 2 * fb, 1), 0);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	/* The digest took the cut bytes: the file goes without one. */
	assert_int_equal(file_size(path), data_offset(path) + 2 * fb);
	check_sndfile(path, F_PCM24, 2, 2, SF_FORMAT_WAVEX);
}

static void
test_open_refuses(void **state)
{
	struct wav_par	 par;
	struct wav	*w;
	char		 path[256], want[512], err[256];
	uint64_t	 size;

	tpath(state, path, sizeof(path), "excl.wav");
	par_init(&par, F_PCM16, 2);
	w = wav_open(path, &par, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	size = file_size(path);

	/* Never overwrites. */
	errno = 0;
	assert_null(wav_open(path, &par, err, sizeof(err)));
	assert_int_equal(errno, EEXIST);
	snprintf(want, sizeof(want), "file %s: open: %s", path,
	    strerror(EEXIST));
	assert_string_equal(err, want);
	assert_int_equal(file_size(path), size);

	assert_null(wav_open("/nonexistent-recd-dir/a.wav", &par, err,
	    sizeof(err)));
	assert_int_equal(errno, ENOENT);
	assert_string_equal(err, "file /nonexistent-recd-dir/a.wav: open: "
	    "No such file or directory");

	/* Bad parameters name the file and the value; nothing is made. */
	tpath(state, path, sizeof(path), "badpar.wav");
	par.channels = 0;
	assert_null(wav_open(path, &par, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "0 channels"));
	par.channels = WAV_MAX_CHANNELS + 1;
	assert_null(wav_open(path, &par, err, sizeof(err)));
	par_init(&par, F_PCM16, 2);
	par.bits = 20;
	assert_null(wav_open(path, &par, err, sizeof(err)));
	assert_non_null(strstr(err, "20 bits"));
	par_init(&par, F_PCM24, 2);
	par.is_float = 1;
	assert_null(wav_open(path, &par, err, sizeof(err)));
	par_init(&par, F_PCM16, 2);
	par.rate = 0;
	assert_null(wav_open(path, &par, err, sizeof(err)));
	par_init(&par, F_PCM16, 2);
	par.channel_mask = 0x7;
	assert_null(wav_open(path, &par, err, sizeof(err)));
	assert_non_null(strstr(err, "channel mask"));
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(wav_close(NULL, err, sizeof(err)), 0);
}

static void
test_channel_mask(void **state)
{
	struct wav_par	 par;
	struct wav	*w;
	unsigned char	 b[HEAD_BYTES], s[8];
	struct hdr	 h;
	char		 path[256], err[256];

	/* A mask other than the default needs the extensible format. */
	tpath(state, path, sizeof(path), "mask.wav");
	par_init(&par, F_PCM16, 2);
	par.channel_mask = 0x30;	/* back left, back right */
	w = wav_open(path, &par, err, sizeof(err));
	assert_non_null(w);
	pat_bytes(F_PCM16, 2, 0, 2, s);
	assert_int_equal(wav_write(w, s, sizeof(s)), 0);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	walk_chunks(b, read_head(path, b, sizeof(b)), &h);
	assert_int_equal(get16(b + h.fmt), 0xFFFE);
	assert_int_equal(get32(b + h.fmt + 20), 0x30);
	check_sndfile(path, F_PCM16, 2, 2, SF_FORMAT_WAVEX);
}

/*
 * digest_given: the file hashes nothing; the MD5 chunk holds what
 * wav_digest gave (here the right digest, made by the caller), and a
 * file it never came for has no MD5 chunk.
 */
static void
test_digest_given(void **state)
{
	struct wav_par	 par;
	struct wav	*w;
	unsigned char	 b[10 * 4], md5[16];
	MD5_CTX		 ctx;
	char		 path[256], err[256];
	size_t		 len;
	unsigned char	*f;

	tpath(state, path, sizeof(path), "given.wav");
	par_init(&par, F_PCM16, 2);
	par.digest_given = 1;
	w = wav_open(path, &par, err, sizeof(err));
	assert_non_null(w);
	pat_bytes(F_PCM16, 2, 0, 10, b);
	assert_int_equal(wav_write(w, b, sizeof(b)), 0);
	MD5Init(&ctx);
	MD5Update(&ctx, b, sizeof(b));
	MD5Final(md5, &ctx);
	wav_digest(w, md5);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	assert_int_equal(file_size(path), data_offset(path) + sizeof(b) +
	    md5_tail(path));

	tpath(state, path, sizeof(path), "notgiven.wav");
	w = wav_open(path, &par, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(wav_write(w, b, sizeof(b)), 0);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	f = slurp(path, &len);
	assert_int_equal(len, data_offset(path) + sizeof(b));
	free(f);
}

static void
test_silence(void **state)
{
	struct wav_par	 par;
	struct wav	*w;
	SF_INFO		 in;
	SNDFILE		*sf;
	unsigned char	 b[10 * 4];
	int16_t		*v;
	char		 path[256], err[256];
	uint64_t	 small = 100, big = 300000, n, i;
	struct stat	 st;

	tpath(state, path, sizeof(path), "silence.wav");
	par_init(&par, F_PCM16, 2);
	w = wav_open(path, &par, err, sizeof(err));
	assert_non_null(w);
	pat_bytes(F_PCM16, 2, 0, 10, b);
	assert_int_equal(wav_write(w, b, sizeof(b)), 0);
	assert_int_equal(wav_write_silence(w, small), 0);
	assert_int_equal(wav_frames(w), 10 + small);
	assert_int_equal(file_size(path), data_offset(path) +
	    (10 + small) * 4);
	assert_int_equal(wav_write_silence(w, big), 0);	/* 1.2 MB */
	assert_int_equal(wav_frames(w), 10 + small + big);
	assert_int_equal(wav_write_silence(w, 0), 0);
	assert_int_equal(wav_write(w, b, sizeof(b)), 0);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	n = 10 + small + big + 10;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, data_offset(path) + n * 4 +
	    md5_tail(path));

	memset(&in, 0, sizeof(in));
	sf = sf_open(path, SFM_READ, &in);
	assert_non_null(sf);
	assert_int_equal(in.frames, n);
	v = malloc(n * 2 * sizeof(*v));
	assert_non_null(v);
	assert_int_equal(sf_readf_short(sf, v, (sf_count_t)n), n);
	for (i = 0; i < 20; i++)
		assert_int_equal(v[i], (int16_t)(pat_int(F_PCM16, i / 2,
		    i % 2) >> 16));
	for (i = 20; i < (n - 10) * 2; i++)
		if (v[i] != 0)
			fail_msg("sample %llu is %d, not silence",
			    (unsigned long long)i, v[i]);
	for (i = 0; i < 20; i++)
		assert_int_equal(v[(n - 10) * 2 + i],
		    (int16_t)(pat_int(F_PCM16, i / 2, i % 2) >> 16));
	free(v);
	sf_close(sf);
}

static void
test_cues(void **state)
{
	struct wav_par	 par;
	struct wav	*w;
	SF_INFO		 in;
	SNDFILE		*sf;
	SF_CUES		*cues;
	unsigned char	*b, s[12];
	char		 path[256], err[256], label[WAV_MAX_LABEL + 2];
	size_t		 len, off, i;
	uint32_t	 size;

	tpath(state, path, sizeof(path), "cues.wav");
	par_init(&par, F_PCM24, 1);
	w = wav_open(path, &par, err, sizeof(err));
	assert_non_null(w);
	pat_bytes(F_PCM24, 1, 0, 3, s);
	assert_int_equal(wav_write(w, s, 9), 0);	/* odd: pad byte */
	assert_int_equal(wav_add_cue(w, 0, "start"), 0);
	assert_int_equal(wav_add_cue(w, 2, NULL), 0);
	memset(label, 'x', sizeof(label));
	label[WAV_MAX_LABEL + 1] = '\0';
	assert_int_equal(wav_add_cue(w, 1, label), -EINVAL);
	label[WAV_MAX_LABEL] = '\0';
	assert_int_equal(wav_add_cue(w, 3, label), 0);
	assert_int_equal(wav_add_cue(w, (uint64_t)UINT32_MAX + 1, "x"),
	    -ERANGE);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);

	b = slurp(path, &len);
	off = data_offset(path) + 9 + 1;
	assert_int_equal(b[off - 1], 0);			/* pad */
	assert_int_equal(get32(b + 4), len - 8);
	assert_memory_equal(b + off, "cue ", 4);
	assert_int_equal(get32(b + off + 4), 4 + 3 * 24);
	assert_int_equal(get32(b + off + 8), 3);
	for (i = 0; i < 3; i++) {
		const unsigned char *p = b + off + 12 + i * 24;
		static const uint32_t pos[3] = { 0, 2, 3 };

		assert_int_equal(get32(p), i + 1);
		assert_int_equal(get32(p + 4), pos[i]);
		assert_memory_equal(p + 8, "data", 4);
		assert_int_equal(get32(p + 12), 0);
		assert_int_equal(get32(p + 16), 0);
		assert_int_equal(get32(p + 20), pos[i]);
	}
	off += 8 + 4 + 3 * 24;
	assert_memory_equal(b + off, "LIST", 4);
	size = get32(b + off + 4);
	assert_int_equal(off + 8 + size + md5_tail(path), len);
	assert_memory_equal(b + off + 8, "adtl", 4);
	assert_memory_equal(b + off + 12, "labl", 4);
	assert_int_equal(get32(b + off + 16), 4 + 6);
	assert_int_equal(get32(b + off + 20), 1);
	assert_string_equal((const char *)b + off + 24, "start");
	/* No labl for the unlabelled marker 2; marker 3's is padded. */
	assert_memory_equal(b + off + 30, "labl", 4);
	assert_int_equal(get32(b + off + 34), 4 + WAV_MAX_LABEL + 1);
	assert_int_equal(get32(b + off + 38), 3);
	assert_string_equal((const char *)b + off + 42, label);
	free(b);

	memset(&in, 0, sizeof(in));
	sf = sf_open(path, SFM_READ, &in);
	assert_non_null(sf);
	assert_int_equal(in.frames, 3);
	cues = calloc(1, sizeof(*cues));
	assert_non_null(cues);
	assert_int_equal(sf_command(sf, SFC_GET_CUE, cues, sizeof(*cues)),
	    SF_TRUE);
	assert_int_equal(cues->cue_count, 3);
	assert_int_equal(cues->cue_points[1].indx, 2);
	assert_int_equal(cues->cue_points[1].position, 2);
	assert_int_equal(cues->cue_points[2].sample_offset, 3);
	free(cues);
	sf_close(sf);
	check_ffprobe(path, F_PCM24, 1, 3, 1);
}

static void
test_cue_limit(void **state)
{
	struct wav_par	 par;
	struct wav	*w;
	unsigned char	 b[HEAD_BYTES], s[4], *before, *after;
	char		 path[256], err[256];
	size_t		 blen, alen;
	uint64_t	 off, i, frames;

	tpath(state, path, sizeof(path), "cuelimit.wav");
	par_init(&par, F_PCM16, 2);
	w = wav_open(path, &par, err, sizeof(err));
	assert_non_null(w);
	pat_bytes(F_PCM16, 2, 0, 1, s);
	assert_int_equal(wav_write(w, s, 4), 0);
	for (i = 0; i < WAV_MAX_CUES; i++)
		assert_int_equal(wav_add_cue(w, i, "gap"), 0);
	assert_int_equal(wav_add_cue(w, 0, "one too many"), -ENOSPC);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	off = data_offset(path) + 4;
	pread_at(path, b, 12, off);
	assert_memory_equal(b, "cue ", 4);
	assert_int_equal(get32(b + 8), WAV_MAX_CUES);
	pread_at(path, b, 4, off + 12 + WAV_MAX_CUES * 24);
	assert_memory_equal(b, "LIST", 4);
	/* A finished file is left exactly as it is. */
	before = slurp(path, &blen);
	assert_int_equal(wav_repair(path, &frames, err, sizeof(err)), 0);
	assert_int_equal(frames, 1);
	after = slurp(path, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	free(before);
	free(after);
	check_sndfile(path, F_PCM16, 2, 1, SF_FORMAT_WAV);
}

/*
 * Runs fn in a child that then dies by SIGKILL, as after a kill -9: the
 * file is left exactly as the kernel has it.  fn returns nonzero on a
 * failure, which the child reports by its exit status instead.
 */
static void
crash_child(int (*fn)(void *), void *arg)
{
	pid_t	pid;
	int	status, rc;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		rc = fn(arg);
		if (rc != 0)
			_exit(rc);
		raise(SIGKILL);
		_exit(99);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status))
		fail_msg("child exited with status %d",
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	assert_int_equal(WTERMSIG(status), SIGKILL);
}

struct crash {
	const char		*path;
	const struct fmt	*f;
	unsigned		 ch;
	uint64_t		 updated;	/* frames before wav_update */
	uint64_t		 silence;	/* then silent frames */
	uint64_t		 more;		/* then frames, no update */
	size_t			 partial;	/* then bytes of a frame */
	int			 update_after;	/* wav_update after all */
};

static int
crash_write(struct crash *c, struct wav *w, uint64_t frame0, uint64_t n)
{
	unsigned char	*b;
	size_t		 fb = frame_bytes(c->f, c->ch);
	int		 rc;

	b = malloc(n * fb + fb);
	if (b == NULL)
		return 1;
	pat_bytes(c->f, c->ch, frame0, n + 1, b);
	rc = wav_write(w, b, n * fb);
	free(b);
	return rc != 0;
}

static int
crash_fn(void *arg)
{
	struct crash	*c = arg;
	struct wav_par	 par;
	struct wav	*w;
	unsigned char	*b;
	char		 err[256];
	uint64_t	 frame0;

	par_init(&par, c->f, c->ch);
	w = wav_open(c->path, &par, err, sizeof(err));
	if (w == NULL)
		return 2;
	if (crash_write(c, w, 0, c->updated) || wav_update(w) != 0)
		return 3;
	if (wav_write_silence(w, c->silence) != 0)
		return 4;
	frame0 = c->updated + c->silence;
	if (crash_write(c, w, frame0, c->more))
		return 5;
	b = malloc(frame_bytes(c->f, c->ch) + 1);
	if (b == NULL)
		return 6;
	pat_bytes(c->f, c->ch, frame0 + c->more, 1, b);
	if (wav_write(w, b, c->partial) != 0)
		return 7;
	free(b);
	if (c->update_after && wav_update(w) != 0)
		return 8;
	return 0;
}

static void
test_crash_and_repair(void **state)
{
	struct crash	 c;
	SF_INFO		 in;
	SNDFILE		*sf;
	char		 path[256], err[256], *out;
	unsigned char	*before, *after;
	size_t		 blen, alen, fb, k;
	uint64_t	 frames;
	struct stat	 st;
	const struct timespec old[2] = { { 1000000000, 0 },
	    { 1000000000, 0 } };

	for (k = 0; k < 2; k++) {
		memset(&c, 0, sizeof(c));
		tpath(state, path, sizeof(path), k == 0 ? "crash24.wav" :
		    "crashf.wav");
		c.path = path;
		c.f = k == 0 ? F_PCM24 : F_FLOAT;
		c.ch = k == 0 ? 2 : 3;
		c.updated = 1000;
		c.more = 501;
		fb = frame_bytes(c.f, c.ch);
		c.partial = fb - 1;
		crash_child(crash_fn, &c);

		/* As other processes see it: valid, with the updated frames. */
		memset(&in, 0, sizeof(in));
		sf = sf_open(path, SFM_READ, &in);
		assert_non_null(sf);
		assert_true(in.frames >= 1000);
		sf_close(sf);
		out = run("ffprobe -v error -show_streams '%s'", path);
		expect_line(out, "codec_name=%s", c.f->ff_codec);
		free(out);

		assert_int_equal(wav_repair(path, &frames, err, sizeof(err)),
		    0);
		assert_int_equal(frames, 1501);
		assert_int_equal(file_size(path), data_offset(path) +
		    1501 * fb);
		check_header(path, c.f, c.ch, 1501);
		check_sndfile(path, c.f, c.ch, 1501, SF_FORMAT_WAVEX);
		check_ffprobe(path, c.f, c.ch, 1501, 1);

		/* Repairing again changes nothing, not even the mtime. */
		before = slurp(path, &blen);
		assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
		assert_int_equal(wav_repair(path, &frames, err, sizeof(err)),
		    0);
		assert_int_equal(frames, 1501);
		after = slurp(path, &alen);
		assert_int_equal(alen, blen);
		assert_memory_equal(after, before, blen);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mtime, old[1].tv_sec);
		free(before);
		free(after);
	}
}

/*
 * Cuts a crash-shaped file at every byte from its first to past the last
 * whole frame; repair must refuse a file cut inside its header and leave
 * it as it is, and otherwise leave exactly the whole frames.
 */
static void
repair_cuts(void **state, const struct fmt *f, unsigned ch)
{
	struct wav_par	 par;
	struct wav	*w;
	unsigned char	*snap, *b, *after;
	char		 src[256], path[256], err[256], want[300];
	size_t		 fb = frame_bytes(f, ch), data_off, snap_len;
	size_t		 len, alen, n;
	uint64_t	 frames, expect, pad;
	int		 rc;

	snprintf(want, sizeof(want), "cut_src_%s_%u.wav", f->name, ch);
	tpath(state, src, sizeof(src), want);
	snprintf(want, sizeof(want), "cut_%s_%u.wav", f->name, ch);
	tpath(state, path, sizeof(path), want);
	par_init(&par, f, ch);
	w = wav_open(src, &par, err, sizeof(err));
	assert_non_null(w);
	b = malloc(12 * fb);
	assert_non_null(b);
	pat_bytes(f, ch, 0, 12, b);
	/* Header says 6 frames; 10 and most of an 11th are on disk. */
	assert_int_equal(wav_write(w, b, 6 * fb), 0);
	assert_int_equal(wav_update(w), 0);
	assert_int_equal(wav_write(w, b + 6 * fb, 5 * fb - 1), 0);
	snap = slurp(src, &snap_len);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	data_off = data_offset(src);
	assert_int_equal(snap_len, data_off + 11 * fb - 1);

	for (len = 0; len <= snap_len; len++) {
		spit(path, snap, len);
		rc = wav_repair(path, &frames, err, sizeof(err));
		if (len < data_off) {
			/* Too short for its header: refused, untouched. */
			assert_int_equal(rc, -EINVAL);
			snprintf(want, sizeof(want), "file %s: ", path);
			assert_memory_equal(err, want, strlen(want));
			assert_non_null(strstr(err, "too short"));
			after = slurp(path, &alen);
			assert_int_equal(alen, len);
			assert_memory_equal(after, snap, len);
			free(after);
			continue;
		}
		if (rc != 0)
			fail_msg("cut at %zu: %s", len, err);
		n = len - data_off;
		expect = n / fb;
		pad = (expect * fb) & 1;
		assert_int_equal(frames, expect);
		assert_int_equal(file_size(path), data_off + expect * fb + pad);
		assert_int_equal(header_data32(path), expect * fb);
		check_header(path, f, ch, expect);
		check_sndfile(path, f, ch, expect, sf_major(f, ch));
		if (pad) {
			after = slurp(path, &alen);
			assert_int_equal(after[alen - 1], 0);
			free(after);
		}
	}
	free(snap);
	free(b);
}

static void
test_repair_cuts(void **state)
{
	static const unsigned chs[] = { 1, 3 };
	size_t i, j;

	for (i = 0; i < NFMTS; i++)
		for (j = 0; j < sizeof(chs) / sizeof(chs[0]); j++)
			repair_cuts(state, &fmts[i], chs[j]);
}

/*
 * A crash during wav_close: the data size is final and the markers are
 * cut anywhere.  Repair keeps the data and every whole marker chunk.
 */
static void
repair_tail(void **state, const struct fmt *f, unsigned ch, uint64_t frames)
{
	struct wav_par	 par;
	struct wav	*w;
	unsigned char	*full, *b, *after;
	char		 src[256], path[256], err[256], name[64];
	size_t		 fb = frame_bytes(f, ch), full_len, data_end;
	size_t		 cue_len, len, alen, keep;
	uint64_t	 got;

	snprintf(name, sizeof(name), "tail_src_%s_%u.wav", f->name, ch);
	tpath(state, src, sizeof(src), name);
	snprintf(name, sizeof(name), "tail_%s_%u.wav", f->name, ch);
	tpath(state, path, sizeof(path), name);
	par_init(&par, f, ch);
	w = wav_open(src, &par, err, sizeof(err));
	assert_non_null(w);
	b = malloc(frames * fb);
	assert_non_null(b);
	pat_bytes(f, ch, 0, frames, b);
	assert_int_equal(wav_write(w, b, frames * fb), 0);
	free(b);
	assert_int_equal(wav_add_cue(w, 1, "one"), 0);
	assert_int_equal(wav_add_cue(w, 2, NULL), 0);
	assert_int_equal(wav_add_cue(w, 3, "three!"), 0);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	full = slurp(src, &full_len);
	data_end = data_offset(src) + frames * fb + ((frames * fb) & 1);
	cue_len = 8 + 4 + 3 * 24;
	assert_memory_equal(full + data_end, "cue ", 4);
	assert_memory_equal(full + data_end + cue_len, "LIST", 4);

	for (len = data_end; len <= full_len; len++) {
		spit(path, full, len);
		assert_int_equal(wav_repair(path, &got, err, sizeof(err)), 0);
		assert_int_equal(got, frames);
		/* Whole chunks stay: cue, LIST, then the MD5 chunk. */
		keep = len == full_len ? full_len - data_end :
		    len >= full_len - 24 ? full_len - 24 - data_end :
		    len >= data_end + cue_len ? cue_len : 0;
		assert_int_equal(file_size(path), data_end + keep);
		after = slurp(path, &alen);
		assert_int_equal(get32(after + 4), alen - 8);
		assert_int_equal(header_data32(path), frames * fb);
		assert_memory_equal(after + 8, full + 8, data_end - 8);
		free(after);
		check_sndfile(path, f, ch, frames, sf_major(f, ch));
	}

	/* Crashed between the markers and the final RIFF size. */
	b = malloc(full_len + 100);
	assert_non_null(b);
	memcpy(b, full, full_len);
	put32(b + 4, (uint32_t)(data_end - 8));
	spit(path, b, full_len);
	assert_int_equal(wav_repair(path, &got, err, sizeof(err)), 0);
	after = slurp(path, &alen);
	assert_int_equal(alen, full_len);
	assert_memory_equal(after, full, full_len);
	free(after);

	/* Garbage after the markers is cut; the markers stay. */
	memcpy(b, full, full_len);
	memset(b + full_len, 0xAB, 100);
	spit(path, b, full_len + 100);
	assert_int_equal(wav_repair(path, &got, err, sizeof(err)), 0);
	after = slurp(path, &alen);
	assert_int_equal(alen, full_len);
	assert_memory_equal(after, full, full_len);
	free(after);

	/*
	 * After odd data, markers follow a zero pad byte.  Anything else
	 * there means samples: the header was stale, not the close cut.
	 */
	if ((frames * fb) & 1) {
		memcpy(b, full, full_len);
		b[data_end - 1] = 0x55;
		spit(path, b, full_len);
		assert_int_equal(wav_repair(path, &got, err, sizeof(err)), 0);
		assert_int_equal(got, (full_len - data_offset(src)) / fb);
		/* Nor is a data size that is not whole frames exact. */
		memcpy(b, full, full_len);
		put32(b + data_offset(src) - 4, (uint32_t)(frames * fb + 1));
		spit(path, b, full_len);
		assert_int_equal(wav_repair(path, &got, err, sizeof(err)), 0);
		assert_int_equal(got, (full_len - data_offset(src)) / fb);
		assert_int_equal(header_data32(path), got * fb);
	}

	/* A damaged cue chunk goes, and the LIST after it with it. */
	memcpy(b, full, full_len);
	memcpy(b + data_end + 12 + 8, "xxxx", 4);
	spit(path, b, full_len);
	assert_int_equal(wav_repair(path, &got, err, sizeof(err)), 0);
	assert_int_equal(got, frames);
	assert_int_equal(file_size(path), data_end);
	check_sndfile(path, f, ch, frames, sf_major(f, ch));
	free(b);
	free(full);
}

static void
test_repair_tail(void **state)
{
	repair_tail(state, F_PCM24, 1, 5);	/* odd data: pad byte */
	repair_tail(state, F_PCM16, 2, 4);
	repair_tail(state, F_FLOAT, 1, 7);
}

static void
expect_refused(const char *path, const void *b, size_t len,
    const char *reason)
{
	unsigned char	*after;
	char		 err[512], want[300];
	size_t		 alen;
	uint64_t	 frames = 12345;

	spit(path, b, len);
	assert_int_equal(wav_repair(path, &frames, err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(frames, 12345);
	snprintf(want, sizeof(want), "file %s: ", path);
	if (strncmp(err, want, strlen(want)) != 0 ||
	    strstr(err, reason) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", err, reason);
	after = slurp(path, &alen);
	assert_int_equal(alen, len);
	if (len > 0)
		assert_memory_equal(after, b, len);
	free(after);
}

static void
test_repair_refuses(void **state)
{
	struct wav_par	 par;
	struct wav	*w;
	SF_INFO		 in;
	SNDFILE		*sf;
	const struct tdir *t = *state;
	unsigned char	*good, *b, *sfb, s[4];
	char		 path[256], src[256], err[512], want[300];
	size_t		 len, sflen, i, data_off;
	short		 v[8] = { 0 };
	uint64_t	 frames;

	tpath(state, path, sizeof(path), "refused.wav");
	tpath(state, src, sizeof(src), "refused_src.wav");
	par_init(&par, F_PCM16, 2);
	w = wav_open(src, &par, err, sizeof(err));
	assert_non_null(w);
	pat_bytes(F_PCM16, 2, 0, 1, s);
	assert_int_equal(wav_write(w, s, 4), 0);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	good = slurp(src, &len);
	data_off = data_offset(src);
	b = malloc(len + 5000);
	assert_non_null(b);

	assert_int_equal(wav_repair("/nonexistent-recd-dir/x.wav", &frames,
	    err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "file /nonexistent-recd-dir/x.wav: open: "
	    "No such file or directory");
	assert_true(wav_repair(t->path, &frames, err, sizeof(err)) < 0);
	snprintf(want, sizeof(want), "file %s: ", t->path);
	assert_memory_equal(err, want, strlen(want));

	tpath(state, src, sizeof(src), "fifo.wav");
	assert_int_equal(mkfifo(src, 0600), 0);
	assert_int_equal(wav_repair(src, &frames, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "file %s: not a regular file", src);
	assert_string_equal(err, want);
	assert_int_equal(unlink(src), 0);

	expect_refused(path, "", 0, "too short");
	expect_refused(path, good, 11, "too short");
	expect_refused(path, good, 40, "too short");
	expect_refused(path, "hello, this is not a WAV file at all\n", 37,
	    "not a RIFF or RF64 WAVE file");
	for (i = 0; i < 5000; i++)
		b[i] = (unsigned char)(pat_word(i, 7) >> 24);
	expect_refused(path, b, 5000, "not a RIFF");

	/* A WAV recd did not write (no JUNK first). */
	memset(&in, 0, sizeof(in));
	in.channels = 2;
	in.samplerate = RATE_HZ;
	in.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	sf = sf_open(path, SFM_WRITE, &in);
	assert_non_null(sf);
	assert_int_equal(sf_writef_short(sf, v, 4), 4);
	sf_close(sf);
	sfb = slurp(path, &sflen);
	expect_refused(path, sfb, sflen, "where recd writes \"JUNK\"");
	free(sfb);

	/* Hostile sizes and fields in an otherwise good header. */
	memcpy(b, good, len);
	put32(b + 52, 0xFFFFFFF0u);			/* fmt size */
	expect_refused(path, b, len, "fmt ");
	memcpy(b, good, len);
	b[58] = 0;					/* channels */
	expect_refused(path, b, len, "fmt: not a format recd writes");
	memcpy(b, good, len);
	put32(b + 64, 0x12345);				/* byte rate */
	expect_refused(path, b, len, "fmt: not a format recd writes");
	memcpy(b, good, len);
	put32(b + 16, 0x7FFFFFFFu);			/* JUNK size */
	expect_refused(path, b, len, "JUNK");
	memcpy(b, good, len);
	put32(b + 76, 0x7FFFFFFFu);			/* bext size */
	expect_refused(path, b, len, "bext");
	memcpy(b, good, len);
	memcpy(b + data_off - 8, "date", 4);
	expect_refused(path, b, len, "\"data\"");
	memcpy(b, good, len);
	memcpy(b, "RF64", 4);				/* JUNK, not ds64 */
	expect_refused(path, b, len, "\"ds64\"");
	free(b);
	free(good);
}

/*
 * Every header byte damaged in turn: repair either refuses and leaves the
 * file alone, or leaves a file libsndfile reads with the frames it says.
 */
static void
test_repair_damaged_headers(void **state)
{
	static const unsigned char flips[] = { 0x01, 0x80, 0xFF };
	struct wav_par	 par;
	struct wav	*w;
	SF_INFO		 in;
	SNDFILE		*sf;
	unsigned char	*good, *b, *after, s[64];
	char		 src[256], path[256], err[512], want[300];
	size_t		 len, alen, i, j, data_off;
	uint64_t	 frames;
	int		 rc, ok = 0, refused = 0;

	tpath(state, src, sizeof(src), "damage_src.wav");
	tpath(state, path, sizeof(path), "damage.wav");
	par_init(&par, F_FLOAT, 2);
	w = wav_open(src, &par, err, sizeof(err));
	assert_non_null(w);
	pat_bytes(F_FLOAT, 2, 0, 5, s);
	assert_int_equal(wav_write(w, s, 40), 0);
	assert_int_equal(wav_add_cue(w, 1, "m"), 0);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	good = slurp(src, &len);
	data_off = data_offset(src);
	b = malloc(len);
	assert_non_null(b);
	snprintf(want, sizeof(want), "file %s: ", path);
	for (i = 0; i < data_off; i++) {
		for (j = 0; j < sizeof(flips); j++) {
			memcpy(b, good, len);
			b[i] ^= flips[j];
			spit(path, b, len);
			rc = wav_repair(path, &frames, err, sizeof(err));
			if (rc < 0) {
				refused++;
				assert_memory_equal(err, want, strlen(want));
				after = slurp(path, &alen);
				assert_int_equal(alen, len);
				assert_memory_equal(after, b, len);
				free(after);
				continue;
			}
			ok++;
			memset(&in, 0, sizeof(in));
			sf = sf_open(path, SFM_READ, &in);
			if (sf == NULL)
				fail_msg("byte %zu ^ 0x%x: repaired, but "
				    "sf_open: %s", i, flips[j],
				    sf_strerror(NULL));
			assert_int_equal(in.frames, frames);
			sf_close(sf);
		}
	}
	/* Both outcomes happen: the test sees each branch. */
	assert_true(ok > 0 && refused > 0);
	free(b);
	free(good);
}

/* The child pid exits 0: wav behaved as it checked. */
static void
wait_ok(pid_t pid)
{
	int	status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * path, 2 channels of pcm24 cut by a file size limit, holds frames whole
 * frames, for libsndfile and for wav_repair: the partial one is gone.
 */
static void
check_cut(const char *path, uint64_t frames)
{
	char		err[256];
	uint64_t	got;

	assert_int_equal(file_size(path), data_offset(path) + frames * 6);
	check_sndfile(path, F_PCM24, 2, frames, SF_FORMAT_WAVEX);
	assert_int_equal(wav_repair(path, &got, err, sizeof(err)), 0);
	assert_int_equal(got, frames);
}

static void
test_write_error_counts_bytes(void **state)
{
	char		 path[256];
	pid_t		 pid;
	char		 err[256];

	tpath(state, path, sizeof(path), "efbig.wav");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct wav_par	 par;
		struct wav	*w;
		struct rlimit	 rl;
		unsigned char	 b[2000];
		size_t		 data_off;

		/* File size limit: writes stop 1000 bytes into the data. */
		par_init(&par, F_PCM24, 2);
		w = wav_open(path, &par, err, sizeof(err));
		if (w == NULL)
			_exit(2);
		{
			struct stat st;

			if (stat(path, &st) != 0)
				_exit(8);
			data_off = (size_t)st.st_size;
		}
		signal(SIGXFSZ, SIG_IGN);
		rl.rlim_cur = rl.rlim_max = data_off + 1000;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(3);
		pat_bytes(F_PCM24, 2, 0, sizeof(b) / 6, b);
		if (wav_write(w, b, sizeof(b)) != -EFBIG)
			_exit(4);
		if (wav_frames(w) != 1000 / 6)
			_exit(5);
		if (wav_update(w) != 0)
			_exit(6);
		if (wav_close(w, err, sizeof(err)) != 0)
			_exit(7);
		_exit(0);
	}
	wait_ok(pid);
	check_cut(path, 1000 / 6);
}

#if defined(__linux__)
/*
 * Direct files (wav_par.direct): the same calls give the same bytes as a
 * file written through the cache, at every step: writes of any size, from
 * buffers placed as wav_lead says or not, partial frames, header
 * refreshes, syncs, short silences and holes.
 */
static void
direct_same_bytes(void **state, size_t ixml_len)
{
	const struct fmt *f = F_PCM24;
	const unsigned	 ch = 8;
	const size_t	 fb = frame_bytes(f, ch), total = 200000 * fb;
	struct wav_par	 par;
	struct wav	*w[2];
	char		 path[2][256], err[256], *ixml;
	unsigned char	*pat, *al, *a, *b;
	size_t		 done = 0, n, lead, alen, blen, i;
	uint64_t	 bytes = 0, sil, rnd = 12345;
	void		*mem;
	int		 op;

	/* Any text will do: wav carries iXML, it does not read it. */
	ixml = malloc(ixml_len + 1);
	assert_non_null(ixml);
	memset(ixml, 'x', ixml_len);
	ixml[ixml_len] = '\0';
	pat = malloc(total + 1);
	assert_non_null(pat);
	pat_bytes(f, ch, 0, total / fb, pat + 1);	/* + 1: never aligned */
	assert_int_equal(posix_memalign(&mem, WAV_ALIGN, total + WAV_ALIGN),
	    0);
	al = mem;
	for (i = 0; i < 2; i++) {
		tpath(state, path[i], sizeof(path[i]), i == 0 ?
		    "cached.wav" : "direct.wav");
		unlink(path[i]);
		par_init(&par, f, ch);
		par.direct = i == 1;
		par.ixml = ixml_len > 0 ? ixml : NULL;
		par.ixml_len = ixml_len;
		w[i] = wav_open(path[i], &par, err, sizeof(err));
		if (w[i] == NULL)
			fail_msg("%s", err);
	}
	while (done < total) {
		rnd = rnd * 6364136223846793005ull + 1442695040888963407ull;
		op = (int)(rnd >> 60);
		n = (size_t)(rnd >> 33) % (op < 4 ? 300000 : 9000) + 1;
		if (n > total - done)
			n = total - done;
		if (op == 14) {
			/* Silence, after the rest of a partial frame. */
			n = (fb - bytes % fb) % fb;
			sil = (rnd >> 20) % 2 ? 300000 : 50;
			for (i = 0; i < 2; i++) {
				if (n > 0)
					assert_int_equal(wav_write(w[i],
					    pat + 1 + done, n), 0);
				assert_int_equal(wav_write_silence(w[i], sil),
				    0);
			}
			done += n;
			bytes += n + sil * fb;
		} else {
			for (i = 0; i < 2; i++) {
				if (i == 0 || op % 3 == 0) {
					assert_int_equal(wav_write(w[i],
					    pat + 1 + done, n), 0);
					continue;
				}
				/* Placed as wav_lead says. */
				lead = wav_lead(w[1], bytes);
				memcpy(al + lead, pat + 1 + done, n);
				assert_int_equal(wav_write(w[1], al + lead, n),
				    0);
			}
			done += n;
			bytes += n;
		}
		assert_int_equal(wav_frames(w[0]), wav_frames(w[1]));
		if (op == 5 || op == 6) {
			assert_int_equal(wav_update(w[0]), 0);
			assert_int_equal(wav_update(w[1]), 0);
			assert_int_equal(header_data32(path[1]),
			    header_data32(path[0]));
			assert_int_equal(file_size(path[1]),
			    file_size(path[0]));
		}
		if (op == 7) {
			assert_int_equal(wav_sync(w[0]), 0);
			assert_int_equal(wav_sync(w[1]), 0);
			assert_int_equal(file_size(path[1]),
			    file_size(path[0]));
		}
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(wav_close(w[i], err, sizeof(err)), 0);
	a = slurp(path[0], &alen);
	b = slurp(path[1], &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	if (ixml_len > 0) {
		n = data_offset(path[0]);
		assert_true(n > ixml_len + 8 + 8);
		assert_memory_equal(a + n - 8 - (ixml_len & 1) - ixml_len,
		    ixml, ixml_len);
		assert_memory_equal(a + n - 8 - (ixml_len & 1) - ixml_len - 8,
		    "iXML", 4);
	}
	free(a);
	free(b);
	free(pat);
	free(al);
	free(ixml);
}

/*
 * A header longer than wav_repair's first read (iXML for many channels):
 * repair reads on until the data chunk, and keeps the iXML.
 */
static void
test_repair_long_header(void **state)
{
	const struct fmt *f = F_PCM16;
	const size_t	 fb = frame_bytes(f, 2), ixml_len = 300001;
	struct wav_par	 par;
	struct wav	*w;
	char		 src[256], path[256], err[256], *ixml;
	unsigned char	*full;
	size_t		 len, off;
	uint64_t	 got;

	ixml = malloc(ixml_len);
	assert_non_null(ixml);
	memset(ixml, 'y', ixml_len);
	tpath(state, src, sizeof(src), "long_src.wav");
	tpath(state, path, sizeof(path), "long.wav");
	par_init(&par, f, 2);
	par.ixml = ixml;
	par.ixml_len = ixml_len;
	w = wav_open(src, &par, err, sizeof(err));
	if (w == NULL)
		fail_msg("%s", err);
	write_pattern(w, f, 2, 0, 1000, NULL);
	/* As kill -9 leaves it: the header from the last update, and more. */
	full = slurp(src, &len);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	off = len - 1000 * fb;
	assert_true(off > 4 * WAV_ALIGN);
	spit(path, full, off + 700 * fb + 1);
	assert_int_equal(wav_repair(path, &got, err, sizeof(err)), 0);
	assert_int_equal(got, 700);
	check_sndfile(path, f, 2, 700, sf_major(f, 2));
	free(full);
	full = slurp(path, &len);
	assert_memory_equal(full + off - 8 - 1 - ixml_len, ixml, ixml_len);
	free(full);
	free(ixml);
}

/*
 * Direct writes give the same file as cached ones, with headers that end
 * in the first block, fill it exactly, or end several blocks in (iXML).
 */
static void
test_direct_same_bytes(void **state)
{
	char	path[256];
	size_t	other;

	direct_same_bytes(state, 0);
	direct_same_bytes(state, 5001);
	/* The header's bytes but for 2 of iXML: fill two blocks exactly. */
	direct_same_bytes(state, 2);
	tpath(state, path, sizeof(path), "cached.wav");
	other = data_offset(path) - 2;
	direct_same_bytes(state, 2 * WAV_ALIGN - other);
	assert_int_equal(data_offset(path), 2 * WAV_ALIGN);
	direct_same_bytes(state, 3 * WAV_ALIGN + 123);
}

/*
 * What a direct file is for: its samples past the header's block do not
 * stay in the page cache (tmpfs has nothing else, so not there).
 */
static void
test_direct_skips_cache(void **state)
{
	const size_t	 fb = frame_bytes(F_PCM24, 2), chunk = 256 * 1024;
	struct wav_par	 par;
	struct wav	*w;
	struct statfs	 sfs;
	unsigned char	*al, *map, vec[1024];
	char		 path[256], err[256];
	size_t		 lead, size, i, resident = 0;
	uint64_t	 bytes = 0;
	void		*mem;
	int		 fd;

	tpath(state, path, sizeof(path), "nocache.wav");
	assert_int_equal(posix_memalign(&mem, WAV_ALIGN, chunk + WAV_ALIGN),
	    0);
	al = mem;
	memset(al, 0x5A, chunk + WAV_ALIGN);
	par_init(&par, F_PCM24, 2);
	par.direct = 1;
	w = wav_open(path, &par, err, sizeof(err));
	assert_non_null(w);
	while (bytes < sizeof(vec) * 4096 - chunk) {
		lead = wav_lead(w, bytes);
		assert_int_equal(wav_write(w, al + lead, chunk), 0);
		bytes += chunk;
	}
	assert_int_equal(statfs(path, &sfs), 0);
	size = (size_t)file_size(path);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mincore(map, size, vec), 0);
	for (i = 1; i < size / 4096; i++)
		resident += vec[i] & 1;
	munmap(map, size);
	close(fd);
	if (sfs.f_type != 0x01021994)	/* TMPFS_MAGIC */
		assert_int_equal(resident, 0);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	assert_int_equal(file_size(path), data_offset(path) +
	    bytes / fb * fb + md5_tail(path));
	free(al);
}

/*
 * A write error on the direct path (a file size limit on a block
 * boundary, so the kernel writes up to it and then refuses) leaves the
 * file as a write through the cache would: whole frames to the last byte
 * that reached it.  Twice: with the partial block still kept, and after a
 * header refresh put it in the file through the cache.
 */
static void
test_direct_write_error(void **state)
{
	const uint64_t	 limit = 25 * WAV_ALIGN;
	char		 path[256], err[256];
	pid_t		 pid;
	int		 pushed;

	for (pushed = 0; pushed < 2; pushed++) {
		tpath(state, path, sizeof(path), pushed ?
		    "direct_efbig1.wav" : "direct_efbig0.wav");
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct wav_par	 par;
			struct wav	*w;
			struct rlimit	 rl;
			unsigned char	*b;
			void		*mem;
			size_t		 lead, first = 5000;

			par_init(&par, F_PCM24, 2);
			par.direct = 1;
			w = wav_open(path, &par, err, sizeof(err));
			if (w == NULL ||
			    posix_memalign(&mem, WAV_ALIGN, 300000) != 0)
				_exit(2);
			b = mem;
			lead = wav_lead(w, 0);
			pat_bytes(F_PCM24, 2, 0, 40000, b + lead);
			signal(SIGXFSZ, SIG_IGN);
			rl.rlim_cur = rl.rlim_max = limit;
			if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
				_exit(3);
			/* Block 0, and a partial block kept. */
			if (wav_write(w, b + lead, first) != 0)
				_exit(4);
			if (pushed && wav_update(w) != 0)
				_exit(5);
			if (wav_write(w, b + lead + first, 40000 * 6 -
			    first) != -EFBIG)
				_exit(6);
			if (wav_frames(w) != (limit - lead) / 6)
				_exit(7);
			if (wav_update(w) != 0)
				_exit(8);
			if (wav_close(w, err, sizeof(err)) != 0)
				_exit(9);
			_exit(0);
		}
		wait_ok(pid);
		check_cut(path, (limit - data_offset(path)) / 6);
	}
}
#endif

/*
 * The markers do not fit (file size limit): close says so, and the file
 * ends exactly after the data, with a header to match.
 */
static void
test_close_error_drops_markers(void **state)
{
	char		 path[256], err[256];
	unsigned char	*b;
	size_t		 len;
	pid_t		 pid;
	uint64_t	 frames;

	tpath(state, path, sizeof(path), "closefail.wav");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct wav_par	 par;
		struct wav	*w;
		struct rlimit	 rl;
		struct stat	 st;
		unsigned char	 s[40];
		char		 want[400];
		int		 i;

		par_init(&par, F_PCM16, 2);
		w = wav_open(path, &par, err, sizeof(err));
		if (w == NULL)
			_exit(2);
		pat_bytes(F_PCM16, 2, 0, 10, s);
		if (wav_write(w, s, sizeof(s)) != 0)
			_exit(3);
		for (i = 0; i < 100; i++)
			if (wav_add_cue(w, (uint64_t)i % 10, "marker") != 0)
				_exit(4);
		if (stat(path, &st) != 0)
			_exit(5);
		signal(SIGXFSZ, SIG_IGN);
		rl.rlim_cur = rl.rlim_max = (rlim_t)st.st_size + 50;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(6);
		if (wav_close(w, err, sizeof(err)) != -EFBIG)
			_exit(7);
		snprintf(want, sizeof(want), "file %s: markers: %s", path,
		    strerror(EFBIG));
		_exit(strcmp(err, want) == 0 ? 0 : 8);
	}
	wait_ok(pid);
	b = slurp(path, &len);
	assert_int_equal(len, data_offset(path) + 40);
	assert_int_equal(get32(b + 4), len - 8);
	free(b);
	check_sndfile(path, F_PCM16, 2, 10, SF_FORMAT_WAV);
	assert_int_equal(wav_repair(path, &frames, err, sizeof(err)), 0);
	assert_int_equal(frames, 10);
}

/* Reads frames [first, first + n) with libsndfile and compares. */
static void
check_sndfile_span(SNDFILE *sf, const struct fmt *f, unsigned ch,
    uint64_t first, size_t n, uint64_t pat0)
{
	unsigned char	*want, *got;
	size_t		 fb = frame_bytes(f, ch);

	want = malloc(n * fb + 1);
	got = malloc(n * fb + 1);
	assert_true(want && got);
	if (pat0 == UINT64_MAX)
		memset(want, 0, n * fb);
	else
		pat_bytes(f, ch, pat0, n, want);
	assert_int_equal(sf_seek(sf, (sf_count_t)first, SEEK_SET), first);
	assert_int_equal(sf_read_raw(sf, got, (sf_count_t)(n * fb)), n * fb);
	assert_memory_equal(got, want, n * fb);
	free(want);
	free(got);
}

/* RF64 header fields after repair or close, from the bytes. */
static void
check_rf64(const char *path, const struct fmt *f, unsigned ch,
    uint64_t frames, uint64_t tail_bytes)
{
	unsigned char	 b[HEAD_BYTES];
	struct hdr	 h;
	uint64_t	 fb = frame_bytes(f, ch), size;

	walk_chunks(b, read_head(path, b, sizeof(b)), &h);
	size = file_size(path);
	assert_memory_equal(b, "RF64", 4);
	assert_int_equal(get32(b + 4), 0xFFFFFFFFu);
	assert_memory_equal(b + 8, "WAVE", 4);
	assert_memory_equal(b + 12, "ds64", 4);
	assert_int_equal(get32(b + 16), DS64_BYTES);
	assert_int_equal(get64(b + 20), size - 8);
	assert_int_equal(get64(b + 28), frames * fb);
	assert_int_equal(get64(b + 36), frames);
	assert_int_equal(get32(b + 44), 0);
	assert_int_equal(h.data32, 0xFFFFFFFFu);
	if (f->is_float)
		assert_int_equal(get32(b + h.fact), 0xFFFFFFFFu);
	assert_int_equal(size, h.data + frames * fb + ((frames * fb) & 1) +
	    tail_bytes);
}

static void
check_sparse(const char *path)
{
	struct stat st;

	/* /tmp must support holes, or this test writes 4 GiB. */
	assert_int_equal(stat(path, &st), 0);
	assert_true((uint64_t)st.st_blocks * 512 < ((uint64_t)64 << 20));
}

static void
rf64_write(void **state, const struct fmt *f, unsigned ch, const char *name)
{
	struct wav_par	 par;
	struct wav	*w;
	SF_INFO		 in;
	SNDFILE		*sf;
	unsigned char	 b[HEAD_BYTES];
	char		 path[256], err[256], *out;
	uint64_t	 fb = frame_bytes(f, ch), silence, total, frames;
	uint64_t	 tail;

	tpath(state, path, sizeof(path), name);
	par_init(&par, f, ch);
	w = wav_open(path, &par, err, sizeof(err));
	assert_non_null(w);
	write_pattern(w, f, ch, 0, 1000, path);
	read_head(path, b, 16);
	assert_memory_equal(b, "RIFF", 4);
	/* Past 4 GiB; with odd frame sizes an odd total, to get a pad. */
	silence = FOUR_GIB / fb + 10;
	if (((1000 + silence + 1001) * fb) % 2 == 0)
		silence++;
	assert_int_equal(wav_write_silence(w, silence), 0);
	assert_int_equal(wav_update(w), 0);
	read_head(path, b, 16);
	assert_memory_equal(b, "RF64", 4);
	assert_memory_equal(b + 12, "ds64", 4);
	write_pattern(w, f, ch, 1000 + silence, 1001, NULL);
	total = 1000 + silence + 1001;
	assert_int_equal(wav_frames(w), total);
	assert_int_equal(wav_add_cue(w, 1000, "hole"), 0);
	assert_int_equal(wav_add_cue(w, 1000 + silence, "back"), 0);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	tail = 8 + 4 + 2 * 24 + 8 + 4 + 2 * (8 + 4 + 6);
	check_rf64(path, f, ch, total, tail);
	check_sparse(path);
	pread_at(path, b, 4, data_offset(path) + total * fb +
	    ((total * fb) & 1));
	assert_memory_equal(b, "cue ", 4);

	memset(&in, 0, sizeof(in));
	sf = sf_open(path, SFM_READ, &in);
	if (sf == NULL)
		fail_msg("sf_open %s: %s", path, sf_strerror(NULL));
	assert_int_equal(in.format, SF_FORMAT_RF64 | f->sf_sub);
	assert_int_equal(in.frames, total);
	assert_int_equal(in.channels, ch);
	check_sndfile_span(sf, f, ch, 0, 1000, 0);
	check_sndfile_span(sf, f, ch, 500000, 10, UINT64_MAX);
	check_sndfile_span(sf, f, ch, 1000 + silence, 1001, 1000 + silence);
	sf_close(sf);

	out = run("ffprobe -v error -show_streams -show_format '%s'", path);
	expect_line(out, "format_name=wav");
	expect_line(out, "codec_name=%s", f->ff_codec);
	expect_line(out, "duration_ts=%llu", (unsigned long long)total);
	free(out);

	/* A finished RF64 file is left alone; cut, it keeps RF64. */
	assert_int_equal(wav_repair(path, &frames, err, sizeof(err)), 0);
	assert_int_equal(frames, total);
	check_rf64(path, f, ch, total, tail);
	assert_int_equal(truncate(path, (off_t)(data_offset(path) +
	    1000 * fb + 1)), 0);
	assert_int_equal(wav_repair(path, &frames, err, sizeof(err)), 0);
	assert_int_equal(frames, 1000);
	check_rf64(path, f, ch, 1000, 0);
	check_sndfile(path, f, ch, 1000, SF_FORMAT_RF64);
}

static void
test_rf64_write(void **state)
{
	rf64_write(state, F_PCM24, 1, "rf64_pcm24.wav");
	rf64_write(state, F_FLOAT, 2, "rf64_float.wav");
}

/* The switch point: RIFF up to a RIFF size of 0xFFFFFFFE, then RF64. */
static void
test_rf64_boundary(void **state)
{
	struct wav_par	 par;
	struct wav	*w;
	SF_INFO		 in;
	SNDFILE		*sf;
	unsigned char	 b[HEAD_BYTES], s[2] = { 0x12, 0x34 };
	char		 path[256], err[256];
	uint64_t	 data_off, data;

	tpath(state, path, sizeof(path), "boundary.wav");
	par_init(&par, F_PCM16, 1);
	w = wav_open(path, &par, err, sizeof(err));
	assert_non_null(w);
	data_off = data_offset(path);
	data = (uint64_t)0xFFFFFFFEu + 8 - data_off;
	assert_int_equal(data % 2, 0);
	assert_int_equal(wav_write_silence(w, data / 2), 0);
	assert_int_equal(wav_update(w), 0);
	read_head(path, b, sizeof(b));
	assert_memory_equal(b, "RIFF", 4);
	assert_int_equal(get32(b + 4), 0xFFFFFFFEu);
	assert_memory_equal(b + 12, "JUNK", 4);
	assert_int_equal(header_data32(path), data);
	memset(&in, 0, sizeof(in));
	sf = sf_open(path, SFM_READ, &in);
	assert_non_null(sf);
	assert_int_equal(in.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
	assert_int_equal(in.frames, data / 2);
	sf_close(sf);

	assert_int_equal(wav_write(w, s, 2), 0);
	assert_int_equal(wav_update(w), 0);
	check_rf64(path, F_PCM16, 1, data / 2 + 1, 0);
	assert_int_equal(wav_close(w, err, sizeof(err)), 0);
	check_rf64(path, F_PCM16, 1, data / 2 + 1, 0);
	check_sparse(path);
}

/* Crashes around 4 GiB: repair upgrades to RF64 and cuts partial frames. */
static void
test_rf64_repair(void **state)
{
	struct crash	 c;
	SF_INFO		 in;
	SNDFILE		*sf;
	char		 path[256], err[256];
	unsigned char	 b[16];
	uint64_t	 fb, frames, total, data_off, end, k;

	memset(&c, 0, sizeof(c));
	tpath(state, path, sizeof(path), "rf64_crash.wav");
	c.path = path;
	c.f = F_PCM24;
	c.ch = 3;
	fb = frame_bytes(c.f, c.ch);
	c.updated = 100;
	c.silence = FOUR_GIB / fb;
	c.more = 10;
	c.partial = 5;
	crash_child(crash_fn, &c);
	total = c.updated + c.silence + c.more;

	/* The header still says RIFF with 100 frames: still readable. */
	read_head(path, b, sizeof(b));
	assert_memory_equal(b, "RIFF", 4);
	assert_int_equal(header_data32(path), 100 * fb);
	assert_int_equal(wav_repair(path, &frames, err, sizeof(err)), 0);
	assert_int_equal(frames, total);
	check_rf64(path, c.f, c.ch, total, 0);
	check_sparse(path);
	memset(&in, 0, sizeof(in));
	sf = sf_open(path, SFM_READ, &in);
	assert_non_null(sf);
	assert_int_equal(in.format, SF_FORMAT_RF64 | SF_FORMAT_PCM_24);
	assert_int_equal(in.frames, total);
	check_sndfile_span(sf, c.f, c.ch, 0, 100, 0);
	check_sndfile_span(sf, c.f, c.ch, total - 10, 10, total - 10);
	sf_close(sf);

	/* Cut within and around the last frame of an RF64 file. */
	data_off = data_offset(path);
	end = data_off + total * fb;
	for (k = 0; k <= fb + 1; k++) {
		assert_int_equal(truncate(path, (off_t)(end - k)), 0);
		assert_int_equal(wav_repair(path, &frames, err, sizeof(err)),
		    0);
		assert_int_equal(frames, (total * fb - k) / fb);
		check_rf64(path, c.f, c.ch, frames, 0);
	}

	/* Updated as RF64, then crashed with more frames on disk. */
	tpath(state, path, sizeof(path), "rf64_crash2.wav");
	c.updated = 100;
	c.silence = FOUR_GIB / fb;
	c.more = 7;
	c.partial = 1;
	c.update_after = 1;
	crash_child(crash_fn, &c);
	total = c.updated + c.silence + c.more;
	read_head(path, b, sizeof(b));
	assert_memory_equal(b, "RF64", 4);
	pread_at(path, b, 8, 12 + 8 + 8);		/* ds64 data size */
	assert_int_equal(get64(b), total * fb);
	assert_int_equal(truncate(path, (off_t)(data_offset(path) +
	    (total - 3) * fb)), 0);
	/* Header claims 3 frames more than are on disk now. */
	assert_int_equal(wav_repair(path, &frames, err, sizeof(err)), 0);
	assert_int_equal(frames, total - 3);
	check_rf64(path, c.f, c.ch, total - 3, 0);
}

/*
 * An RF64 file (past 4 GiB, header current) cut inside its header at every
 * byte, then at random places in its data, from the end down: refused
 * untouched inside the header; otherwise still RF64, with the ds64 sizes
 * covering exactly the whole frames left, and the last frames intact.
 */
static void
test_rf64_cuts(void **state)
{
	struct crash	 c;
	SF_INFO		 in;
	SNDFILE		*sf;
	char		 path[256], head[256], err[256];
	unsigned char	*snap, *after, want[64], got[64];
	uint64_t	 fb, total, data_off, end, pos, frames, cut[64];
	uint64_t	 rnd = 0x9e3779b97f4a7c15u;
	size_t		 len, alen, i, k, ncut = 0;

	memset(&c, 0, sizeof(c));
	tpath(state, path, sizeof(path), "rf64_cuts.wav");
	tpath(state, head, sizeof(head), "rf64_head.wav");
	c.path = path;
	c.f = F_PCM24;
	c.ch = 3;
	fb = frame_bytes(c.f, c.ch);
	c.updated = 1000;
	c.silence = FOUR_GIB / fb + 10;
	c.more = 1001;
	c.partial = (size_t)fb - 1;
	c.update_after = 1;
	crash_child(crash_fn, &c);
	total = c.updated + c.silence + c.more;
	data_off = data_offset(path);
	end = data_off + total * fb + c.partial;
	assert_int_equal(file_size(path), end);
	snap = malloc(data_off);
	assert_non_null(snap);
	pread_at(path, snap, data_off, 0);
	assert_memory_equal(snap, "RF64", 4);

	for (len = 0; len < data_off; len++) {
		spit(head, snap, len);
		assert_int_equal(wav_repair(head, &frames, err, sizeof(err)),
		    -EINVAL);
		assert_non_null(strstr(err, "too short"));
		after = slurp(head, &alen);
		assert_int_equal(alen, len);
		assert_memory_equal(after, snap, len);
		free(after);
	}

	/* The ends (no data, the last byte), then random places between. */
	cut[ncut++] = end - 1;
	cut[ncut++] = data_off;
	cut[ncut++] = data_off + 1;
	while (ncut < sizeof(cut) / sizeof(cut[0])) {
		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		cut[ncut++] = data_off + 1 + rnd % (end - data_off - 2);
	}
	for (i = 0; i < ncut; i++)	/* largest first: each cut shortens */
		for (k = i + 1; k < ncut; k++)
			if (cut[k] > cut[i]) {
				pos = cut[i];
				cut[i] = cut[k];
				cut[k] = pos;
			}
	for (i = 0; i < ncut; i++) {
		pos = cut[i];
		if (pos > file_size(path))
			continue;
		assert_int_equal(truncate(path, (off_t)pos), 0);
		if (wav_repair(path, &frames, err, sizeof(err)) != 0)
			fail_msg("cut at %llu: %s", (unsigned long long)pos, err);
		assert_int_equal(frames, (pos - data_off) / fb);
		check_rf64(path, c.f, c.ch, frames, 0);
		/* The last frame left is the one written there. */
		if (frames > 0 && (frames <= c.updated ||
		    frames > c.updated + c.silence)) {
			pat_bytes(c.f, c.ch, frames - 1, 1, want);
			pread_at(path, got, fb, data_off + (frames - 1) * fb);
			assert_memory_equal(got, want, fb);
		}
		/* libsndfile agrees (reading the header, not 4 GiB). */
		memset(&in, 0, sizeof(in));
		sf = sf_open(path, SFM_READ, &in);
		if (sf == NULL)
			fail_msg("cut at %llu: sf_open: %s",
			    (unsigned long long)pos, sf_strerror(NULL));
		assert_int_equal(in.format, SF_FORMAT_RF64 | SF_FORMAT_PCM_24);
		assert_int_equal(in.frames, frames);
		sf_close(sf);
	}
	free(snap);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcm16),
		cmocka_unit_test(test_pcm24),
		cmocka_unit_test(test_pcm32),
		cmocka_unit_test(test_float32),
		cmocka_unit_test(test_partial_frame_never_claimed),
		cmocka_unit_test(test_digest_given),
		cmocka_unit_test(test_open_refuses),
		cmocka_unit_test(test_channel_mask),
		cmocka_unit_test(test_silence),
		cmocka_unit_test(test_cues),
		cmocka_unit_test(test_cue_limit),
		cmocka_unit_test(test_crash_and_repair),
		cmocka_unit_test(test_repair_cuts),
		cmocka_unit_test(test_repair_tail),
		cmocka_unit_test(test_repair_refuses),
		cmocka_unit_test(test_repair_damaged_headers),
		cmocka_unit_test(test_write_error_counts_bytes),
		cmocka_unit_test(test_close_error_drops_markers),
#if defined(__linux__)
		cmocka_unit_test(test_direct_same_bytes),
		cmocka_unit_test(test_direct_skips_cache),
		cmocka_unit_test(test_direct_write_error),
#endif
		cmocka_unit_test(test_repair_long_header),
		cmocka_unit_test(test_rf64_write),
		cmocka_unit_test(test_rf64_boundary),
		cmocka_unit_test(test_rf64_repair),
		cmocka_unit_test(test_rf64_cuts),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
