/*
 * test_fmt.c: the format interface (fmt.h): every value of the option
 * `format' has its backend and samples; backends are found by a file's
 * extension; and WAV behind the interface writes a file libsndfile reads
 * (samples, marker, length), and repairs one left unfinished.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	assert_null(fmt_kind(-1));
	assert_null(fmt_kind(CFG_FMT_FLOAT32 + 1));
	assert_ptr_equal(fmt_by_path("a/b.wav", 7), &fmt_wav);
	assert_ptr_equal(fmt_by_path("b.wav.partial", 5), &fmt_wav);
	assert_null(fmt_by_path("b.flac", 6));
	assert_null(fmt_by_path("wa", 2));
	for (i = 0; fmt_backends[i] != NULL; i++) {
		assert_non_null(fmt_backends[i]->crash);
		assert_true(fmt_backends[i]->ext[0] == '.');
	}
}

/* FRAMES frames of 2 channels, pcm16, through the interface. */
static void *
write_file(const char *path, const struct fmt_backend **be)
{
	const struct fmt_kind	*k = fmt_kind(CFG_FMT_PCM16);
	struct fmt_par		 par;
	int16_t			 s[2 * FRAMES];
	char			 err[256];
	void			*h;
	unsigned		 i;

	memset(&par, 0, sizeof(par));
	par.channels = 2;
	par.rate = 48000;
	par.bits = k->bits;
	par.description = "test_fmt";
	for (i = 0; i < 2 * FRAMES; i++)
		s[i] = (int16_t)(i * 7);
	*be = k->be;
	h = k->be->open(path, &par, err, sizeof(err));
	if (h == NULL)
		fail_msg("open: %s", err);
	assert_int_equal(k->be->write(h, s, sizeof(s)), 0);
	assert_int_equal(k->be->mark(h, 10, "here"), 0);
	assert_int_equal(k->be->update(h), 0);
	assert_int_equal(k->be->sync(h), 0);
	assert_true(k->be->fd(h) >= 0);
	return h;
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_wav_backend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
