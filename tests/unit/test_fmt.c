/*
 * test_fmt.c: the format interface (fmt.h): every value of the option
 * `format' has its backend and samples; backends are found by a file's
 * extension; WAV behind the interface writes a file libsndfile reads
 * (samples, marker, length), and repairs one left unfinished; so does
 * FLAC, whose repair also cuts a torn last frame.  A file's origin as
 * the ISO 8601 of its DATE comment, in its offset or in UTC.  Loudness
 * values in bext's units, and in a WAV file's bext.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sndfile.h>

#include "cfg.h"
#include "fmt.h"

#define FRAMES	1000

static void
test_kinds(void **state)
{
	const struct fmt_kind	*k;
	int			 i;

	(void)state;
	for (i = CFG_FMT_PCM16; i <= CFG_FMT_FLOAT32; i++) {
		k = fmt_kind(i);
		assert_non_null(k);
		assert_ptr_equal(k->be, &fmt_wav);
		assert_int_equal(k->bits, i == CFG_FMT_PCM16 ? 16 :
		    i == CFG_FMT_PCM24 ? 24 : 32);
		assert_int_equal(conv_sample_bytes(k->conv), k->bits / 8);
	}
	assert_int_equal(fmt_kind(CFG_FMT_FLOAT32)->is_float, 1);
	for (i = CFG_FMT_FLAC16; i <= CFG_FMT_FLAC24; i++) {
		k = fmt_kind(i);
		assert_non_null(k);
		assert_ptr_equal(k->be, &fmt_flac);
		assert_int_equal(k->bits, i == CFG_FMT_FLAC16 ? 16 : 24);
		/* 24 bits as CONV_PCM32: libFLAC takes int32s (flac.h). */
		assert_int_equal(k->conv, i == CFG_FMT_FLAC16 ? CONV_PCM16 :
		    CONV_PCM32);
		assert_int_equal(k->is_float, 0);
	}
	assert_null(fmt_kind(-1));
	assert_ptr_equal(fmt_kind(CFG_FMT_OPUS)->be, &fmt_opus);
	assert_ptr_equal(fmt_kind(CFG_FMT_MP3)->be, &fmt_mp3);
	assert_null(fmt_kind(CFG_FMT_MP3 + 1));
	assert_ptr_equal(fmt_by_path("a/b.wav", 7), &fmt_wav);
	assert_ptr_equal(fmt_by_path("b.wav.partial", 5), &fmt_wav);
	assert_ptr_equal(fmt_by_path("b.flac", 6), &fmt_flac);
	assert_ptr_equal(fmt_by_path("b.opus", 6), &fmt_opus);
	assert_ptr_equal(fmt_by_path("b.mp3", 5), &fmt_mp3);
	assert_null(fmt_by_path("b.ogg", 5));
	assert_null(fmt_by_path("wa", 2));
	for (i = 0; fmt_backends[i] != NULL; i++) {
		assert_non_null(fmt_backends[i]->crash);
		assert_true(fmt_backends[i]->ext[0] == '.');
	}
}

/* n frames of 2 channels, 16 bits, of kind i through the interface. */
static void *
write_kind(int kind, const char *path, unsigned n,
    const struct fmt_backend **be)
{
	const struct fmt_kind	*k = fmt_kind(kind);
	static const char *const names[] = { "left", "right" };
	struct fmt_par		 par;
	unsigned char		*s;
	size_t			 sb = conv_sample_bytes(k->conv);
	char			 err[256];
	void			*h;
	unsigned		 i, b;

	memset(&par, 0, sizeof(par));
	par.channels = 2;
	par.rate = 48000;
	par.bits = k->bits;
	par.description = "test_fmt";
	par.level = 5;
	par.names = names;
	/*
	 * Sample i is i * 7 (16-bit), little-endian in the kind's sample
	 * bytes; CONV_PCM32 for 24 bits holds the code << 8 (flac.h).
	 */
	s = malloc(2 * n * sb);
	assert_non_null(s);
	for (i = 0; i < 2 * n; i++)
		for (b = 0; b < sb; b++)
			s[i * sb + b] = (unsigned char)(((uint32_t)(int32_t)
			    (int16_t)(i * 7) << (k->conv == CONV_PCM32 &&
			    k->bits == 24 ? 8 : 0)) >> (8 * b));
	*be = k->be;
	h = k->be->open(path, &par, err, sizeof(err));
	if (h == NULL)
		fail_msg("open: %s", err);
	assert_int_equal(k->be->write(h, s, 2 * n * sb), 0);
	free(s);
	assert_int_equal(k->be->mark(h, 10, "here"), 0);
	assert_int_equal(k->be->update(h), 0);
	assert_int_equal(k->be->sync(h), 0);
	assert_true(k->be->fd(h) >= 0);
	return h;
}

static void *
write_file(const char *path, const struct fmt_backend **be)
{
	return write_kind(CFG_FMT_PCM16, path, FRAMES, be);
}

/* libsndfile reads n frames of write_kind's samples (bits) from path. */
static void
read_back(const char *path, unsigned n, unsigned bits)
{
	SF_INFO	 in;
	SNDFILE	*sf;
	int	*got;

	memset(&in, 0, sizeof(in));
	sf = sf_open(path, SFM_READ, &in);
	if (sf == NULL)
		fail_msg("%s: %s", path, sf_strerror(NULL));
	assert_int_equal(in.frames, n);
	got = malloc(2 * n * sizeof(*got));
	assert_non_null(got);
	assert_int_equal(sf_readf_int(sf, got, n), n);
	/* libsndfile scales to 32 bits. */
	assert_int_equal(got[2 * n - 1], (int32_t)((uint32_t)(int32_t)
	    (int16_t)((2 * n - 1) * 7) << (32 - bits)));
	assert_int_equal(got[n], (int32_t)((uint32_t)(int32_t)
	    (int16_t)(n * 7) << (32 - bits)));
	free(got);
	sf_close(sf);
}

/*
 * FLAC: a finished file reads back whole; one left open (its last 4096
 * frames still in the encoder) is repaired to the frames on disk; one
 * whose last frame a power cut tore is cut back to the whole ones.
 */
static void
test_flac_backend(void **state)
{
	const struct fmt_backend	*be;
	char				 path[] = "/tmp/test_fmt.XXXXXX", f[64];
	char				 p[80], err[256];
	struct stat			 st;
	uint64_t			 frames;
	FILE				*fp;
	void				*h;
	int				 fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	snprintf(f, sizeof(f), "%s.flac", path);
	h = write_kind(CFG_FMT_FLAC16, f, 10000, &be);
	assert_ptr_equal(be, &fmt_flac);
	assert_int_equal(be->close(h, err, sizeof(err)), 0);
	read_back(f, 10000, 16);
	/* A power cut tore the frame after the last: repair cuts it. */
	assert_int_equal(stat(f, &st), 0);
	fp = fopen(f, "ab");
	assert_non_null(fp);
	fputs("\xff\xf8\x69\x08 a torn frame", fp);
	fclose(fp);
	snprintf(p, sizeof(p), "%s.partial", f);
	assert_int_equal(rename(f, p), 0);
	if (be->repair(p, &frames, err, sizeof(err)) != 0)
		fail_msg("repair: %s", err);
	assert_int_equal(frames, 10000);
	read_back(p, 10000, 16);
	{
		struct stat st2;

		assert_int_equal(stat(p, &st2), 0);
		assert_int_equal(st2.st_size, st.st_size);
	}
	unlink(p);
	/* Left open: two frames of 4096 on disk, the rest in the encoder. */
	h = write_kind(CFG_FMT_FLAC24, p, 10000, &be);
	if (be->repair(p, &frames, err, sizeof(err)) != 0)
		fail_msg("repair: %s", err);
	assert_int_equal(frames, 8192);
	read_back(p, 8192, 24);
	(void)be->close(h, err, sizeof(err));
	unlink(p);
	/* Not a FLAC file: refused, named. */
	fp = fopen(p, "wb");
	assert_non_null(fp);
	fputs("RIFF", fp);
	fclose(fp);
	assert_int_equal(be->repair(p, &frames, err, sizeof(err)), -1);
	assert_non_null(strstr(err, p));
	unlink(p);
}

/* 2025-10-26 01:00 UTC: 03:00 on a take begun in summer time (+0200). */
static void
test_origin_iso(void **state)
{
	struct fmt_par	par;
	char		iso[FMT_ISO_BYTES];

	(void)state;
	memset(&par, 0, sizeof(par));
	par.origin = 1761440400;
	par.origin_off_s = 7200;
	fmt_origin_iso(&par, iso);
	assert_string_equal(iso, "2025-10-26T03:00:00+02:00");
	par.origin_off_s = -(3 * 3600 + 30 * 60);
	fmt_origin_iso(&par, iso);
	assert_string_equal(iso, "2025-10-25T21:30:00-03:30");
	par.origin_off_s = 0;
	fmt_origin_iso(&par, iso);
	assert_string_equal(iso, "2025-10-26T01:00:00+00:00");
	par.utc = 1;
	fmt_origin_iso(&par, iso);
	assert_string_equal(iso, "2025-10-26T01:00:00Z");
}

static void
test_wav_backend(void **state)
{
	const struct fmt_backend	*be;
	char				 path[] = "/tmp/test_fmt.XXXXXX", f[64];
	char				 err[256];
	SF_INFO				 in;
	SNDFILE				*sf;
	int16_t				 got[2 * FRAMES];
	uint64_t			 frames;
	void				*h;
	int				 fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	snprintf(f, sizeof(f), "%s.wav", path);
	h = write_file(f, &be);
	assert_int_equal(be->close(h, err, sizeof(err)), 0);
	memset(&in, 0, sizeof(in));
	sf = sf_open(f, SFM_READ, &in);
	assert_non_null(sf);
	assert_int_equal(in.frames, FRAMES);
	assert_int_equal(sf_readf_short(sf, got, FRAMES), FRAMES);
	assert_int_equal(got[2 * FRAMES - 1], (int16_t)((2 * FRAMES - 1) * 7));
	sf_close(sf);
	unlink(f);
	/* Left unfinished (its descriptor gone with the process): repaired. */
	snprintf(f, sizeof(f), "%s.wav.partial", path);
	h = write_file(f, &be);
	assert_int_equal(be->repair(f, &frames, err, sizeof(err)), 0);
	assert_int_equal(frames, FRAMES);
	assert_int_equal(be->close(h, err, sizeof(err)), 0);
	unlink(f);
}

/* n frames of 2 channels of float silence-free samples through kind. */
static void
write_float(int kind, const char *path, unsigned n)
{
	const struct fmt_kind	*k = fmt_kind(kind);
	struct fmt_par		 par;
	float			*s;
	char			 err[256];
	void			*h;
	unsigned		 i;

	memset(&par, 0, sizeof(par));
	par.channels = 2;
	par.rate = 48000;
	par.bits = 32;
	par.is_float = 1;
	par.kbps = 96;
	s = malloc(2 * n * sizeof(*s));
	assert_non_null(s);
	for (i = 0; i < 2 * n; i++)
		s[i] = (float)((i * 7919) % 2000) / 4000.0f - 0.25f;
	h = k->be->open(path, &par, err, sizeof(err));
	if (h == NULL)
		fail_msg("open: %s", err);
	assert_int_equal(k->be->write(h, s, 2 * n * sizeof(*s)), 0);
	free(s);
	assert_int_equal(k->be->close(h, err, sizeof(err)), 0);
}

/*
 * Opus and MP3: a finished file, its tail then torn by a power cut, is
 * cut back to its whole pages or frames by repair; Opus gives back the
 * exact length from its last granule position.
 */
static void
test_lossy_repair(void **state)
{
	static const int	 kinds[] = { CFG_FMT_OPUS, CFG_FMT_MP3 };
	const struct fmt_kind	*k;
	char			 path[] = "/tmp/test_fmt.XXXXXX", f[80];
	char			 err[256];
	struct stat		 st, st2;
	uint64_t		 frames;
	FILE			*fp;
	size_t			 i;
	int			 fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		k = fmt_kind(kinds[i]);
		snprintf(f, sizeof(f), "%s%s.partial", path, k->be->ext);
		write_float(kinds[i], f, 48000);
		assert_int_equal(stat(f, &st), 0);
		fp = fopen(f, "ab");
		assert_non_null(fp);
		fputs("OggS\0 a torn page or frame \xff\xfb", fp);
		fclose(fp);
		if (k->be->repair(f, &frames, err, sizeof(err)) != 0)
			fail_msg("%s: repair: %s", k->name, err);
		assert_int_equal(stat(f, &st2), 0);
		assert_int_equal(st2.st_size, st.st_size);
		if (kinds[i] == CFG_FMT_OPUS)
			assert_int_equal(frames, 48000);
		else
			assert_true(frames >= 48000);
		unlink(f);
	}
}

/* bext v2's 1/100 units: rounded, clamped, 0x7FFF for "not given". */
static void
test_loud_centi(void **state)
{
	(void)state;
	assert_int_equal(fmt_loud_centi(-23.0), -2300);
	assert_int_equal(fmt_loud_centi(-22.996), -2300);
	assert_int_equal(fmt_loud_centi(-0.004), 0);
	assert_int_equal(fmt_loud_centi(0.015), 2);
	assert_int_equal(fmt_loud_centi(7.25), 725);
	assert_int_equal(fmt_loud_centi(-HUGE_VAL), FMT_LOUD_UNSET);
	assert_int_equal(fmt_loud_centi(HUGE_VAL), FMT_LOUD_UNSET);
	assert_int_equal(fmt_loud_centi(NAN), FMT_LOUD_UNSET);
	/* A finite value never reads as "not given". */
	assert_int_equal(fmt_loud_centi(327.67), 32766);
	assert_int_equal(fmt_loud_centi(1000.0), 32766);
	assert_int_equal(fmt_loud_centi(-1000.0), -32768);
}

/*
 * WAV keeps a file's loudness in bext (at 412, the body's first 602
 * bytes being Tech 3285's fixed fields); the file stays readable.  The
 * codecs keep none.
 */
static void
test_wav_loudness(void **state)
{
	static const struct fmt_loudness l = { 1, 2, -23.004, 0.5, -20.25,
	    -22.5, -HUGE_VAL };
	static const int16_t want[5] = { -2300, 50, -2025, -2250, 0x7FFF };
	const struct fmt_backend	*be;
	char				 path[] = "/tmp/test_fmt.XXXXXX", f[64];
	char				 err[256];
	unsigned char			 b[2048], *p;
	SF_INFO				 in;
	SNDFILE				*sf;
	size_t				 len;
	FILE				*fp;
	void				*h;
	int				 fd, i;

	(void)state;
	assert_null(fmt_flac.loudness);
	assert_null(fmt_opus.loudness);
	assert_null(fmt_mp3.loudness);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	snprintf(f, sizeof(f), "%s.wav", path);
	h = write_file(f, &be);
	assert_non_null(be->loudness);
	assert_int_equal(be->loudness(h, &l), 0);
	assert_int_equal(be->close(h, err, sizeof(err)), 0);
	fp = fopen(f, "rb");
	assert_non_null(fp);
	len = fread(b, 1, sizeof(b), fp);
	fclose(fp);
	for (p = b; p + 4 <= b + len && memcmp(p, "bext", 4) != 0; p++)
		;
	assert_true(p + 8 + 602 <= b + len);
	assert_int_equal(p[8 + 346], 2);	/* version 2 */
	for (i = 0; i < 5; i++)
		assert_int_equal((int16_t)(p[8 + 412 + 2 * i] |
		    p[8 + 413 + 2 * i] << 8), want[i]);
	memset(&in, 0, sizeof(in));
	sf = sf_open(f, SFM_READ, &in);
	assert_non_null(sf);
	assert_int_equal(in.frames, FRAMES);
	sf_close(sf);
	unlink(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_origin_iso),
		cmocka_unit_test(test_wav_backend),
		cmocka_unit_test(test_flac_backend),
		cmocka_unit_test(test_lossy_repair),
		cmocka_unit_test(test_loud_centi),
		cmocka_unit_test(test_wav_loudness),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
