/*
 * test_cfg_out.c: the outputs of a take (cfgout.h): each derived from the
 * main options and its overrides, channels_used in both forms, every
 * refusal with its message, directories compared through the
 * filesystem, and what may not change while recd runs.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

#include "cfg.h"
#include "cfgout.h"

#define TMP_LEN	256	/* bytes of the test's directory, at most */
#define EL_LEN	1024	/* bytes of an element of outputs here */

struct fix {
	struct cfg	 c;
	char		 tmp[TMP_LEN];	/* a new directory, realpath */
	char		 err[1024];
};

static int
setup(void **state)
{
	struct fix	*f;
	char		 templ[] = "/tmp/test_cfg_out.XXXXXX", path[EL_LEN];
	char		*real;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	if (mkdtemp(templ) == NULL || (real = realpath(templ, NULL)) == NULL ||
	    strlen(real) >= sizeof(f->tmp) ||
	    cfg_init(&f->c, f->err, sizeof(f->err)) != 0) {
		free(f);
		return -1;
	}
	snprintf(f->tmp, sizeof(f->tmp), "%s", real);
	free(real);
	/* The main output writes into TMP/a, which exists. */
	snprintf(path, sizeof(path), "%s/a", f->tmp);
	if (mkdir(path, 0755) != 0 || cfg_set_string(&f->c,
	    cfg_find("directory"), path, f->err, sizeof(f->err)) != 0)
		return -1;
	*state = f;
	return 0;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	cfg_done(&f->c);
	nftw(f->tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static const struct cfg_opt *
opt(const char *name)
{
	const struct cfg_opt *o = cfg_find(name);

	assert_non_null(o);
	return o;
}

/* Sets outputs to the elements given (NULL-terminated), as --outputs. */
static void
outputs(struct fix *f, ...)
{
	va_list		 ap;
	const char	*s;

	cfg_list_clear(&f->c, opt("outputs"));
	va_start(ap, f);
	while ((s = va_arg(ap, const char *)) != NULL)
		assert_int_equal(cfg_set_text(&f->c, opt("outputs"), s, 1,
		    f->err, sizeof(f->err)), 0);
	va_end(ap);
}

static void
channels(struct fix *f, long n)
{
	assert_int_equal(cfg_set_number(&f->c, opt("channels"), n, f->err,
	    sizeof(f->err)), 0);
}

/*
 * cfgout_check refuses with exactly want, and so does cfg_outputs, or when
 * it is about directories, cfg_outputs_dirs.
 */
static void
refused(struct fix *f, const char *want)
{
	static struct cfg_out	 dummy;
	struct cfg_out		*v = &dummy;
	size_t			 n = 99;
	int			 rc;

	f->err[0] = '\0';
	assert_int_equal(cfgout_check(&f->c, f->err, sizeof(f->err)), -EINVAL);
	assert_string_equal(f->err, want);
	f->err[0] = '\0';
	rc = cfg_outputs(&f->c, &v, &n, f->err, sizeof(f->err));
	if (rc == 0) {
		assert_int_equal(cfg_outputs_dirs(v, n, f->err,
		    sizeof(f->err)), -EINVAL);
		cfg_outputs_free(v, n);
	} else {
		assert_int_equal(rc, -EINVAL);
		assert_null(v);
		assert_int_equal(n, 0);
	}
	assert_string_equal(f->err, want);
}

/* As refused, for a message that names paths under f->tmp: printf-like. */
static void
refusedf(struct fix *f, const char *fmt, ...)
{
	va_list	ap;
	char	want[1024];

	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	refused(f, want);
}

static struct cfg_out *
derive(struct fix *f, size_t want_n)
{
	struct cfg_out	*v;
	size_t		 n;

	if (cfg_outputs(&f->c, &v, &n, f->err, sizeof(f->err)) != 0 ||
	    cfg_outputs_dirs(v, n, f->err, sizeof(f->err)) != 0)
		fail_msg("cfg_outputs: %s", f->err);
	assert_int_equal(n, want_n);
	assert_int_equal(cfgout_check(&f->c, f->err, sizeof(f->err)), 0);
	return v;
}

static void
expect_channels(const struct cfg_out *o, unsigned n, ...)
{
	va_list		ap;
	unsigned	i;

	assert_int_equal(o->nch, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_int_equal(o->ch[i], va_arg(ap, unsigned));
	va_end(ap);
}

static void
test_no_outputs_is_main_alone(void **state)
{
	struct fix	*f = *state;
	struct cfg_out	*v;

	channels(f, 3);
	v = derive(f, 1);
	assert_string_equal(v[0].name, "main");
	expect_channels(&v[0], 3, 0, 1, 2);
	assert_string_equal(v[0].cfg.directory, f->c.directory);
	cfg_outputs_free(v, 1);
}

/* A mirror: every option and every channel as the main output has them. */
static void
test_mirror(void **state)
{
	struct fix		*f = *state;
	const struct cfg_opt	*o;
	struct cfg_out		*v;
	char			 el[EL_LEN];
	size_t			 i;

	channels(f, 4);
	assert_int_equal(cfg_set_text(&f->c, opt("format"), "flac24", 0,
	    f->err, sizeof(f->err)), 0);
	snprintf(el, sizeof(el), "{\"name\":\"b\",\"directory\":\"%s/b\"}",
	    f->tmp);
	outputs(f, el, NULL);
	v = derive(f, 2);
	assert_string_equal(v[0].name, "main");
	assert_string_equal(v[1].name, "b");
	expect_channels(&v[0], 4, 0, 1, 2, 3);
	expect_channels(&v[1], 4, 0, 1, 2, 3);
	assert_int_equal(v[0].cfg.outputs.n, 0);
	assert_int_equal(v[1].cfg.outputs.n, 0);
	snprintf(el, sizeof(el), "%s/b", f->tmp);
	assert_string_equal(v[1].cfg.directory, el);
	assert_int_equal(v[1].cfg.format, CFG_FMT_FLAC24);
	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		if (strcmp(o->name, "outputs") == 0)
			continue;
		assert_true(cfg_equal(&v[0].cfg, &f->c, o));
		if (strcmp(o->name, "directory") != 0)
			assert_true(cfg_equal(&v[1].cfg, &f->c, o));
	}
	cfg_outputs_free(v, 2);
}

/* Overrides apply to their output alone; the rest is inherited. */
static void
test_overrides(void **state)
{
	struct fix	*f = *state;
	struct cfg_out	*v;
	char		 el[EL_LEN];

	channels(f, 8);
	assert_int_equal(cfg_set_text(&f->c, opt("gap_policy"), "silence", 0,
	    f->err, sizeof(f->err)), 0);
	assert_int_equal(cfg_set_text(&f->c, opt("description"), "studio", 0,
	    f->err, sizeof(f->err)), 0);
	snprintf(el, sizeof(el), "{\"name\":\"prog\",\"directory\":\"%s/p\","
	    "\"channels_used\":[2,1],\"format\":\"flac16\",\"mode\":\"split\","
	    "\"flac_level\":8,\"rotate_seconds\":3600,\"rotate_align\":false,"
	    "\"keep_hours\":12.5,\"keep_gb\":3,\"disk_warn_mb\":5000,"
	    "\"disk_min_mb\":1000,\"opus_bitrate\":64,\"mp3_bitrate\":192,"
	    "\"name_template\":\"%%Y/prog-%%H%%M\",\"gap_policy\":\"split\","
	    "\"description\":\"programme \\u00e9\"}", f->tmp);
	outputs(f, el, NULL);
	v = derive(f, 2);
	expect_channels(&v[1], 2, 1, 0);
	assert_int_equal(v[1].cfg.format, CFG_FMT_FLAC16);
	assert_int_equal(v[1].cfg.mode, CFG_MODE_SPLIT);
	assert_int_equal(v[1].cfg.flac_level, 8);
	assert_int_equal(v[1].cfg.rotate_seconds, 3600);
	assert_int_equal(v[1].cfg.rotate_align, 0);
	assert_true(v[1].cfg.keep_hours == 12.5);
	assert_true(v[1].cfg.keep_gb == 3);
	assert_int_equal(v[1].cfg.disk_warn_mb, 5000);
	assert_int_equal(v[1].cfg.disk_min_mb, 1000);
	assert_int_equal(v[1].cfg.opus_bitrate, 64);
	assert_int_equal(v[1].cfg.mp3_bitrate, 192);
	assert_string_equal(v[1].cfg.name_template, "%Y/prog-%H%M");
	assert_int_equal(v[1].cfg.gap_policy, CFG_GAP_SPLIT);
	assert_string_equal(v[1].cfg.description, "programme \xc3\xa9");
	/* Inherited: what the output does not name. */
	assert_int_equal(v[1].cfg.channels, 8);
	assert_true(v[1].cfg.buffer_seconds == f->c.buffer_seconds);
	assert_int_equal(v[1].cfg.timezone, f->c.timezone);
	/* The main output keeps its own. */
	assert_int_equal(v[0].cfg.format, CFG_FMT_PCM24);
	assert_int_equal(v[0].cfg.gap_policy, CFG_GAP_SILENCE);
	assert_string_equal(v[0].cfg.description, "studio");
	expect_channels(&v[0], 8, 0, 1, 2, 3, 4, 5, 6, 7);
	cfg_outputs_free(v, 2);
}

/* channels_used: a list or a string, in the order given. */
static void
test_channels_used_forms(void **state)
{
	struct fix	*f = *state;
	struct cfg_out	*v;
	char		 b[EL_LEN], c[EL_LEN], d[EL_LEN];

	channels(f, 6);
	snprintf(b, sizeof(b), "{\"name\":\"b\",\"directory\":\"%s/b\","
	    "\"channels_used\":\"1-2,5\"}", f->tmp);
	snprintf(c, sizeof(c), "{\"name\":\"c\",\"directory\":\"%s/c\","
	    "\"channels_used\":\" 6 , 3-4\"}", f->tmp);
	snprintf(d, sizeof(d), "{\"name\":\"d\",\"directory\":\"%s/d\","
	    "\"channels_used\":[4, 2, 6]}", f->tmp);
	outputs(f, b, c, d, NULL);
	v = derive(f, 4);
	expect_channels(&v[1], 3, 0, 1, 4);
	expect_channels(&v[2], 3, 5, 2, 3);
	expect_channels(&v[3], 3, 3, 1, 5);
	cfg_outputs_free(v, 4);
}

/* An element with the given text in the middle of a valid one for b. */
static void
one(struct fix *f, const char *members)
{
	char el[EL_LEN];

	snprintf(el, sizeof(el), "{\"name\":\"b\",\"directory\":\"%s/b\"%s%s}",
	    f->tmp, members[0] != '\0' ? "," : "", members);
	outputs(f, el, NULL);
}

static void
test_refused_names(void **state)
{
	struct fix	*f = *state;
	char		 b1[EL_LEN], b2[EL_LEN];

	snprintf(b1, sizeof(b1), "{\"name\":\"b\",\"directory\":\"%s/b1\"}",
	    f->tmp);
	snprintf(b2, sizeof(b2), "{\"directory\":\"%s/b2\",\"name\":\"b\"}",
	    f->tmp);
	outputs(f, b1, b2, NULL);
	refused(f, "outputs: output \"b\": name: given twice (outputs[0] and "
	    "outputs[1])");
	outputs(f, "{\"name\":\"a b\"}", NULL);
	refused(f, "outputs[0]: name: \"a b\": not a name (1 to 32 of A-Z, "
	    "a-z, 0-9, _ and -)");
	outputs(f, "{\"name\":\"\"}", NULL);
	refused(f, "outputs[0]: name: \"\": not a name (1 to 32 of A-Z, a-z, "
	    "0-9, _ and -)");
	outputs(f, "{\"name\":\"abcdefghijklmnopqrstuvwxyz0123456\"}", NULL);
	refused(f, "outputs[0]: name: \"abcdefghijklmnopqrstuvwxyz0123456\": "
	    "not a name (1 to 32 of A-Z, a-z, 0-9, _ and -)");
	outputs(f, "{\"name\":\"a\\nb\"}", NULL);
	refused(f, "outputs[0]: name: \"a?b\": not a name (1 to 32 of A-Z, "
	    "a-z, 0-9, _ and -)");
	outputs(f, "{\"name\":\"main\"}", NULL);
	refused(f, "outputs[0]: name: \"main\": the main output's; give this "
	    "one another");
	outputs(f, "{\"directory\":\"/x\"}", NULL);
	refused(f, "outputs[0]: name: missing; every output has one");
	outputs(f, "{\"name\":7}", NULL);
	refused(f, "outputs[0]: name: a number given, but a name is a string");
	outputs(f, "{\"name\":\"b\",\"name\":\"c\"}", NULL);
	refused(f, "outputs[0]: name: given twice");
	/* 32 of every kind allowed is a name. */
	outputs(f, "{\"name\":\"Az09_-abcdefghijklmnopqrstuvwxyz\","
	    "\"directory\":\"/nonexistent/recd-test\"}", NULL);
	assert_int_equal(cfgout_check(&f->c, f->err, sizeof(f->err)), 0);
}

static void
test_refused_keys(void **state)
{
	struct fix *f = *state;

	one(f, "\"colour\":\"red\"");
	refused(f, "outputs: output \"b\": colour: unknown key (an output "
	    "takes name, channels_used, directory, mode, format, flac_level, "
	    "opus_bitrate, mp3_bitrate, rotate_seconds, rotate_align, "
	    "name_template, gap_policy, keep_hours, keep_gb, disk_warn_mb, "
	    "disk_min_mb and description)");
	/* Keys are the file's, exactly: no '-' for '_'. */
	one(f, "\"flac-level\":3");
	assert_int_equal(cfgout_check(&f->c, f->err, sizeof(f->err)), -EINVAL);
	assert_non_null(strstr(f->err, "flac-level: unknown key"));
	one(f, "\"buffer_seconds\":10");
	refused(f, "outputs: output \"b\": buffer_seconds: belongs to the "
	    "take, not to one output; set it beside outputs, for every "
	    "output");
	one(f, "\"connect\":[\"x\"]");
	refused(f, "outputs: output \"b\": connect: belongs to the take, not "
	    "to one output; set it beside outputs, for every output");
	one(f, "\"channels\":1");
	refused(f, "outputs: output \"b\": channels: belongs to the take, not "
	    "to one output; set it beside outputs, for every output");
	one(f, "\"outputs\":[]");
	refused(f, "outputs: output \"b\": outputs: an output has no outputs "
	    "of its own");
	one(f, "\"format\":\"flac16\",\"format\":\"pcm16\"");
	refused(f, "outputs: output \"b\": format: given twice");
}

/* Values go through the typed setters: the same words as for the file. */
static void
test_refused_values(void **state)
{
	struct fix *f = *state;

	one(f, "\"keep_hours\":-1");
	refused(f, "outputs: output \"b\": keep_hours: -1: out of range "
	    "(0..1e+06)");
	one(f, "\"rotate_seconds\":1.5");
	refused(f, "outputs: output \"b\": rotate_seconds: 1.5: not an integer "
	    "(0..86400)");
	one(f, "\"rotate_seconds\":\"9x\"");
	refused(f, "outputs: output \"b\": rotate_seconds: a string given, but "
	    "the option takes an integer");
	one(f, "\"format\":\"ogg\"");
	refused(f, "outputs: output \"b\": format: \"ogg\": unknown value (one "
	    "of pcm16, pcm24, pcm32, float32, flac16, flac24, opus, mp3)");
	one(f, "\"rotate_align\":1");
	refused(f, "outputs: output \"b\": rotate_align: a number given, but "
	    "the option takes true or false");
	outputs(f, "{\"name\":\"b\",\"directory\":\"\"}", NULL);
	refused(f, "outputs: output \"b\": directory: \"\": too short "
	    "(1..4095 characters)");
	one(f, "\"description\":null");
	refused(f, "outputs: output \"b\": description: null given, but the "
	    "option takes a string");
	/* The checks of one output's files, with its own channels. */
	channels(f, 4);
	one(f, "\"format\":\"mp3\"");
	refused(f, "outputs: output \"b\": format: mp3: an MP3 file holds at "
	    "most 2 channels, and single mode puts all 4 in one; use mode "
	    "split");
	one(f, "\"format\":\"mp3\",\"channels_used\":\"3-4\"");
	assert_int_equal(cfgout_check(&f->c, f->err, sizeof(f->err)), 0);
	one(f, "\"disk_min_mb\":5000");
	refused(f, "outputs: output \"b\": disk_warn_mb: 2048 is below "
	    "disk_min_mb (5000)");
	one(f, "\"name_template\":\"../x\"");
	refused(f, "outputs: output \"b\": name_template: \"../x\": names must "
	    "stay inside directory (no leading '/', no '..')");
}

static void
test_refused_channels(void **state)
{
	struct fix *f = *state;

	channels(f, 2);
	one(f, "\"channels_used\":[1,5]");
	refused(f, "outputs: output \"b\": channels_used: channel 5 does not "
	    "exist (channels is 2)");
	one(f, "\"channels_used\":\"1-5\"");
	refused(f, "outputs: output \"b\": channels_used: channel 3 does not "
	    "exist (channels is 2)");
	one(f, "\"channels_used\":[0]");
	refused(f, "outputs: output \"b\": channels_used[0]: 0: not a channel "
	    "number (from 1)");
	one(f, "\"channels_used\":[1,1.5]");
	refused(f, "outputs: output \"b\": channels_used[1]: 1.5: not a "
	    "channel number (from 1)");
	one(f, "\"channels_used\":[1e9]");
	refused(f, "outputs: output \"b\": channels_used: channel 1e+09 does "
	    "not exist (channels is 2)");
	one(f, "\"channels_used\":[\"1\"]");
	refused(f, "outputs: output \"b\": channels_used[0]: a string given, "
	    "but a channel is a number from 1");
	one(f, "\"channels_used\":[2,2]");
	refused(f, "outputs: output \"b\": channels_used: channel 2 given "
	    "twice");
	one(f, "\"channels_used\":\"1-2,2\"");
	refused(f, "outputs: output \"b\": channels_used: channel 2 given "
	    "twice");
	one(f, "\"channels_used\":[]");
	refused(f, "outputs: output \"b\": channels_used: empty; an output "
	    "records one channel at least");
	one(f, "\"channels_used\":\" \"");
	refused(f, "outputs: output \"b\": channels_used: empty; an output "
	    "records one channel at least");
	one(f, "\"channels_used\":\"2-1\"");
	refused(f, "outputs: output \"b\": channels_used: \"2-1\": not "
	    "channels (N, or N-M with N < M, comma separated, from 1)");
	one(f, "\"channels_used\":\"1,,2\"");
	refused(f, "outputs: output \"b\": channels_used: \"1,,2\": not "
	    "channels (N, or N-M with N < M, comma separated, from 1)");
	one(f, "\"channels_used\":\"+1\"");
	refused(f, "outputs: output \"b\": channels_used: \"+1\": not "
	    "channels (N, or N-M with N < M, comma separated, from 1)");
	one(f, "\"channels_used\":2");
	refused(f, "outputs: output \"b\": channels_used: a number given, but "
	    "it takes a list of channel numbers or a string such as "
	    "\"1-2,5\"");
}

/* What is not one JSON object is refused, where cJSON stopped. */
static void
test_refused_not_objects(void **state)
{
	struct fix *f = *state;

	outputs(f, "b", NULL);
	refused(f, "outputs[0]: \"b\": not valid JSON (at byte 0); an output "
	    "is an object such as {\"name\":\"b\",\"directory\":\"/mnt/b\"}");
	outputs(f, "[1]", NULL);
	refused(f, "outputs[0]: a list given, but an output is an object such "
	    "as {\"name\":\"b\",\"directory\":\"/mnt/b\"}");
	outputs(f, "\"b\"", NULL);
	refused(f, "outputs[0]: a string given, but an output is an object "
	    "such as {\"name\":\"b\",\"directory\":\"/mnt/b\"}");
	outputs(f, "{\"name\":\"b\"} x", NULL);
	refused(f, "outputs[0]: \"{\"name\":\"b\"} x\": not valid JSON (at "
	    "byte 13); an output is an object such as "
	    "{\"name\":\"b\",\"directory\":\"/mnt/b\"}");
	outputs(f, "{\"name\":\"b\",}", NULL);
	assert_int_equal(cfgout_check(&f->c, f->err, sizeof(f->err)), -EINVAL);
	assert_non_null(strstr(f->err, "not valid JSON (at byte 13)"));
	/* JSON's numbers: strtod alone would take "+1" and "0x1". */
	outputs(f, "{\"name\":\"b\",\"rotate_seconds\":+1}", NULL);
	assert_int_equal(cfgout_check(&f->c, f->err, sizeof(f->err)), -EINVAL);
	assert_non_null(strstr(f->err, "not valid JSON (at byte 29)"));
	outputs(f, "{\"name\":\"b\",\"rotate_seconds\":0x1}", NULL);
	assert_int_equal(cfgout_check(&f->c, f->err, sizeof(f->err)), -EINVAL);
	assert_non_null(strstr(f->err, "not valid JSON (at byte 30)"));
}

/* What cJSON reads reaches the options: escapes, surrogates, numbers. */
static void
test_json_values(void **state)
{
	struct fix	*f = *state;
	struct cfg_out	*v;

	one(f, " \"description\" : \"\\\"q\\\" \\\\ \\/ \\t \\ud83c\\udfb5\" ,"
	    "\"rotate_seconds\":1e2,\"keep_hours\":-0,\"keep_gb\":0.25E1");
	v = derive(f, 2);
	assert_string_equal(v[1].cfg.description,
	    "\"q\" \\ / \t \xf0\x9f\x8e\xb5");
	assert_int_equal(v[1].cfg.rotate_seconds, 100);
	assert_true(v[1].cfg.keep_hours == 0);
	assert_true(v[1].cfg.keep_gb == 2.5);
	cfg_outputs_free(v, 2);
	/* A lone low surrogate is not a character. */
	one(f, "\"description\":\"\\udfb5\"");
	assert_int_equal(cfgout_check(&f->c, f->err, sizeof(f->err)), -EINVAL);
	assert_non_null(strstr(f->err, "not valid JSON"));
}

static void
test_too_many(void **state)
{
	struct fix	*f = *state;
	char		 el[CFG_OUT_MAX][EL_LEN];
	size_t		 i;
	struct cfg_out	*v;

	cfg_list_clear(&f->c, opt("outputs"));
	for (i = 0; i < CFG_OUT_MAX; i++) {
		snprintf(el[i], sizeof(el[i]), "{\"name\":\"o%zu\","
		    "\"directory\":\"%s/o%zu\"}", i, f->tmp, i);
		assert_int_equal(cfg_set_text(&f->c, opt("outputs"), el[i], 1,
		    f->err, sizeof(f->err)), 0);
		if (i + 2 == CFG_OUT_MAX) {
			v = derive(f, CFG_OUT_MAX);
			cfg_outputs_free(v, CFG_OUT_MAX);
		}
	}
	refused(f, "outputs: 8 outputs and the main one: at most 8 in all");
}

/* Two outputs that would write the same files: the same directory. */
static void
test_same_directory(void **state)
{
	struct fix	*f = *state;
	char		 el[EL_LEN], path[TMP_LEN + 8];

	snprintf(el, sizeof(el), "{\"name\":\"b\",\"directory\":\"%s/a\"}",
	    f->tmp);
	outputs(f, el, NULL);
	refusedf(f, "outputs: outputs \"main\" and \"b\" both write into "
	    "%s/a: each output needs a directory of its own", f->tmp);
	/* //, . and a trailing / change nothing. */
	snprintf(el, sizeof(el), "{\"name\":\"b\",\"directory\":\"%s//./a/\"}",
	    f->tmp);
	outputs(f, el, NULL);
	refusedf(f, "outputs: outputs \"main\" and \"b\" both write into "
	    "%s/a (directory \"%s//./a/\" of \"b\"): each output needs a "
	    "directory of its own", f->tmp, f->tmp);
	/* .. through a directory that does not exist yet. */
	snprintf(el, sizeof(el), "{\"name\":\"b\",\"directory\":"
	    "\"%s/new/../a\"}", f->tmp);
	outputs(f, el, NULL);
	refusedf(f, "outputs: outputs \"main\" and \"b\" both write into "
	    "%s/a (directory \"%s/new/../a\" of \"b\"): each output needs a "
	    "directory of its own", f->tmp, f->tmp);
	/* A control byte of a path reaches no log. */
	snprintf(el, sizeof(el), "{\"name\":\"b\",\"directory\":"
	    "\"%s/a/\\n\"}", f->tmp);
	outputs(f, el, NULL);
	refusedf(f, "outputs: output \"b\": directory %s/a/? is inside %s/a, "
	    "where output \"main\" writes: each output needs a directory of "
	    "its own, none inside another's", f->tmp, f->tmp);
	/* Two outputs besides main, neither existing. */
	snprintf(path, sizeof(path), "%s/x", f->tmp);
	snprintf(el, sizeof(el), "{\"name\":\"c\",\"directory\":\"%s\"}",
	    path);
	outputs(f, el, "{\"name\":\"d\",\"directory\":\"/nonexistent/r\"}",
	    "{\"name\":\"e\",\"directory\":\"/nonexistent//r/\"}", NULL);
	refused(f, "outputs: outputs \"d\" and \"e\" both write into "
	    "/nonexistent/r (directory \"/nonexistent//r/\" of \"e\"): each "
	    "output needs a directory of its own");
}

/* Nested directories: one's retention would delete the other's files. */
static void
test_nested_directory(void **state)
{
	struct fix	*f = *state;
	char		 el[EL_LEN];

	snprintf(el, sizeof(el), "{\"name\":\"b\",\"directory\":"
	    "\"%s/a/sub\"}", f->tmp);
	outputs(f, el, NULL);
	refusedf(f, "outputs: output \"b\": directory %s/a/sub is inside "
	    "%s/a, where output \"main\" writes: each output needs a "
	    "directory of its own, none inside another's", f->tmp, f->tmp);
	snprintf(el, sizeof(el), "{\"name\":\"b\",\"directory\":\"%s\"}",
	    f->tmp);
	outputs(f, el, NULL);
	refusedf(f, "outputs: output \"main\": directory %s/a is inside %s, "
	    "where output \"b\" writes: each output needs a directory of its "
	    "own, none inside another's", f->tmp, f->tmp);
	/* Beside it, with a name that starts the same, is not inside. */
	snprintf(el, sizeof(el), "{\"name\":\"b\",\"directory\":\"%s/ab\"}",
	    f->tmp);
	outputs(f, el, NULL);
	assert_int_equal(cfgout_check(&f->c, f->err, sizeof(f->err)), 0);
	outputs(f, "{\"name\":\"b\",\"directory\":\"/\"}", NULL);
	refusedf(f, "outputs: output \"main\": directory %s/a is inside /, "
	    "where output \"b\" writes: each output needs a directory of its "
	    "own, none inside another's", f->tmp);
}

/* A symlink does not hide that two outputs write the same place. */
static void
test_symlinked_directory(void **state)
{
	struct fix	*f = *state;
	char		 el[EL_LEN], link[TMP_LEN + 8], to[TMP_LEN + 8];

	snprintf(link, sizeof(link), "%s/link", f->tmp);
	snprintf(to, sizeof(to), "%s/a", f->tmp);
	assert_int_equal(symlink(to, link), 0);
	snprintf(el, sizeof(el), "{\"name\":\"b\",\"directory\":\"%s\"}",
	    link);
	outputs(f, el, NULL);
	refusedf(f, "outputs: outputs \"main\" and \"b\" both write into %s "
	    "(directory \"%s\" of \"b\"): each output needs a directory of its "
	    "own", to, link);
	/* Below the link, in a directory not made yet. */
	snprintf(el, sizeof(el), "{\"name\":\"b\",\"directory\":"
	    "\"%s/new/x\"}", link);
	outputs(f, el, NULL);
	refusedf(f, "outputs: output \"b\": directory %s/new/x is inside %s, "
	    "where output \"main\" writes: each output needs a directory of "
	    "its own, none inside another's", to, to);
}

/* A relative directory is taken from the working directory. */
static void
test_relative_directory(void **state)
{
	struct fix	*f = *state;
	int		 here;

	here = open(".", O_RDONLY | O_DIRECTORY);
	assert_true(here >= 0);
	assert_int_equal(chdir(f->tmp), 0);
	outputs(f, "{\"name\":\"b\",\"directory\":\"./a\"}", NULL);
	refusedf(f, "outputs: outputs \"main\" and \"b\" both write into %s/a "
	    "(directory \"./a\" of \"b\"): each output needs a directory of "
	    "its own", f->tmp);
	assert_int_equal(cfg_set_string(&f->c, opt("directory"), "main", f->err,
	    sizeof(f->err)), 0);
	outputs(f, "{\"name\":\"b\",\"directory\":\"main/../b\"}", NULL);
	assert_int_equal(cfgout_check(&f->c, f->err, sizeof(f->err)), 0);
	outputs(f, "{\"name\":\"b\",\"directory\":\"main/..\"}", NULL);
	refusedf(f, "outputs: output \"main\": directory %s/main is inside "
	    "%s, where output \"b\" writes: each output needs a directory of "
	    "its own, none inside another's", f->tmp, f->tmp);
	assert_int_equal(fchdir(here), 0);
	close(here);
}

/* What set and SIGHUP may not change while recd runs. */
static void
test_same_shape(void **state)
{
	struct fix	*f = *state;
	struct cfg	 b;

	channels(f, 4);
	outputs(f, "{\"name\":\"b\",\"directory\":\"/n/b\",\"channels_used\":"
	    "\"1-2\"}", "{\"name\":\"c\",\"directory\":\"/n/c\"}", NULL);
	assert_int_equal(cfg_copy(&b, &f->c, f->err, sizeof(f->err)), 0);
	assert_int_equal(cfg_outputs_same_shape(&f->c, &b, f->err,
	    sizeof(f->err)), 0);
	/* Overrides, directories included, and the main options may change. */
	cfg_list_clear(&b, opt("outputs"));
	assert_int_equal(cfg_set_text(&b, opt("outputs"), "{\"name\":\"b\","
	    "\"directory\":\"/n/b2\",\"channels_used\":[1,2],\"keep_hours\":"
	    "3}", 1, f->err, sizeof(f->err)), 0);
	assert_int_equal(cfg_set_text(&b, opt("outputs"), "{\"name\":\"c\","
	    "\"directory\":\"/n/c\",\"format\":\"flac24\"}", 1, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(cfg_set_text(&b, opt("format"), "pcm16", 0, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(cfg_outputs_same_shape(&f->c, &b, f->err,
	    sizeof(f->err)), 0);
	/* Names, their order, channels: a restart. */
	cfg_list_clear(&b, opt("outputs"));
	assert_int_equal(cfg_set_text(&b, opt("outputs"), "{\"name\":\"b\","
	    "\"channels_used\":\"1-2\"}", 1, f->err, sizeof(f->err)), 0);
	assert_int_equal(cfg_outputs_same_shape(&f->c, &b, f->err,
	    sizeof(f->err)), -EINVAL);
	assert_string_equal(f->err, "outputs: output \"c\" is gone");
	assert_int_equal(cfg_set_text(&b, opt("outputs"), "{\"name\":\"d\"}",
	    1, f->err, sizeof(f->err)), 0);
	assert_int_equal(cfg_outputs_same_shape(&f->c, &b, f->err,
	    sizeof(f->err)), -EINVAL);
	assert_string_equal(f->err, "outputs: output \"d\" is new");
	cfg_list_clear(&b, opt("outputs"));
	assert_int_equal(cfg_set_text(&b, opt("outputs"), "{\"name\":\"c\"}",
	    1, f->err, sizeof(f->err)), 0);
	assert_int_equal(cfg_set_text(&b, opt("outputs"), "{\"name\":\"b\","
	    "\"channels_used\":\"1-2\"}", 1, f->err, sizeof(f->err)), 0);
	assert_int_equal(cfg_outputs_same_shape(&f->c, &b, f->err,
	    sizeof(f->err)), -EINVAL);
	assert_string_equal(f->err, "outputs: their order changed (now c, b; "
	    "was b, c)");
	cfg_list_clear(&b, opt("outputs"));
	assert_int_equal(cfg_set_text(&b, opt("outputs"), "{\"name\":\"b\","
	    "\"channels_used\":\"1,3\"}", 1, f->err, sizeof(f->err)), 0);
	assert_int_equal(cfg_set_text(&b, opt("outputs"), "{\"name\":\"c\"}",
	    1, f->err, sizeof(f->err)), 0);
	assert_int_equal(cfg_outputs_same_shape(&f->c, &b, f->err,
	    sizeof(f->err)), -EINVAL);
	assert_string_equal(f->err, "outputs: output \"b\": its channels "
	    "changed (now 1,3; was 1-2)");
	cfg_list_clear(&b, opt("outputs"));
	assert_int_equal(cfg_set_text(&b, opt("outputs"), "{\"name\":\"b\","
	    "\"channels_used\":[2,1]}", 1, f->err, sizeof(f->err)), 0);
	assert_int_equal(cfg_set_text(&b, opt("outputs"), "{\"name\":\"c\"}",
	    1, f->err, sizeof(f->err)), 0);
	assert_int_equal(cfg_outputs_same_shape(&f->c, &b, f->err,
	    sizeof(f->err)), -EINVAL);
	assert_string_equal(f->err, "outputs: output \"b\": its channels "
	    "changed (now 2,1; was 1-2)");
	/* A bad one says what is wrong with it. */
	cfg_list_clear(&b, opt("outputs"));
	assert_int_equal(cfg_set_text(&b, opt("outputs"), "{\"name\":\"b\","
	    "\"channels_used\":[7]}", 1, f->err, sizeof(f->err)), 0);
	assert_int_equal(cfg_outputs_same_shape(&f->c, &b, f->err,
	    sizeof(f->err)), -EINVAL);
	assert_string_equal(f->err, "outputs: output \"b\": channels_used: "
	    "channel 7 does not exist (channels is 4)");
	cfg_done(&b);
}

/* --outputs given once per output collects them. */
static void
test_command_line(void **state)
{
	struct fix		*f = *state;
	char *const		 argv[] = {
		"--outputs", "{\"name\":\"b\",\"directory\":\"/n/b\"}",
		"--outputs={\"name\":\"c\",\"directory\":\"/n/c\"}",
	};

	assert_int_equal(cfg_apply_args(&f->c, 3, argv, f->err,
	    sizeof(f->err)), 0);
	assert_int_equal(f->c.outputs.n, 2);
	assert_string_equal(f->c.outputs.v[1],
	    "{\"name\":\"c\",\"directory\":\"/n/c\"}");
	assert_int_equal(cfgout_check(&f->c, f->err, sizeof(f->err)), 0);
}

static void
test_keys(void **state)
{
	(void)state;
	assert_true(cfg_out_key("name"));
	assert_true(cfg_out_key("channels_used"));
	assert_true(cfg_out_key("keep_gb"));
	assert_true(cfg_out_key("description"));
	assert_false(cfg_out_key("channels"));
	assert_false(cfg_out_key("gate"));
	assert_false(cfg_out_key("keep-gb"));
	assert_true(cfg_list_objects(opt("outputs")));
	assert_false(cfg_list_objects(opt("connect")));
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_no_outputs_is_main_alone),
		T(test_mirror),
		T(test_overrides),
		T(test_channels_used_forms),
		T(test_refused_names),
		T(test_refused_keys),
		T(test_refused_values),
		T(test_refused_channels),
		T(test_refused_not_objects),
		T(test_json_values),
		T(test_too_many),
		T(test_same_directory),
		T(test_nested_directory),
		T(test_symlinked_directory),
		T(test_relative_directory),
		T(test_same_shape),
		T(test_command_line),
		T(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
