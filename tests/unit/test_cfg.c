/*
 * test_cfg.c: the option table: defaults, checks with their messages,
 * command-line overrides, cross-option checks, copies.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cfg.h"

static int
setup(void **state)
{
	static struct cfg c;
	char err[256];

	if (cfg_init(&c, err, sizeof(err)) != 0)
		return -1;
	*state = &c;
	return 0;
}

static int
teardown(void **state)
{
	cfg_done(*state);
	return 0;
}

static const struct cfg_opt *
opt(const char *name)
{
	const struct cfg_opt *o = cfg_find(name);

	assert_non_null(o);
	return o;
}

static void
test_table_is_sound(void **state)
{
	const struct cfg_opt	*o, *p;
	size_t			 i, k;
	const char		*s;

	(void)state;
	assert_true(cfg_count() >= 20);
	assert_null(cfg_opt_at(cfg_count()));
	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		assert_non_null(o->help);
		assert_true(strlen(o->help) > 10);
		/* snake_case; a digit may follow a letter (mp3_bitrate). */
		assert_true(islower((unsigned char)o->name[0]));
		for (s = o->name; *s != '\0'; s++)
			assert_true(islower((unsigned char)*s) || *s == '_' ||
			    (isdigit((unsigned char)*s) && s > o->name));
		assert_true(o->type != CFG_ENUM || o->choices != NULL);
		assert_true(o->min <= o->max);
		for (k = 0; k < i; k++) {
			p = cfg_opt_at(k);
			assert_string_not_equal(o->name, p->name);
		}
	}
	/* The names users and scripts rely on. */
	for (i = 0; i < 18; i++) {
		static const char *const names[] = {
			"directory", "channels", "port_names", "connect",
			"mode", "format", "rotate_seconds", "rotate_align",
			"name_template", "buffer_seconds", "header_seconds",
			"fsync_seconds", "jack_server", "client_name",
			"socket", "autostart", "dither", "gap_policy"
		};
		assert_non_null(cfg_find(names[i]));
	}
}

static void
test_defaults(void **state)
{
	struct cfg *c = *state;

	assert_string_equal(c->directory, "recordings");
	assert_int_equal(c->channels, 2);
	assert_int_equal(c->port_names.n, 0);
	assert_int_equal(c->connect.n, 1);
	assert_string_equal(c->connect.v[0], "physical");
	assert_int_equal(c->mode, CFG_MODE_SINGLE);
	assert_int_equal(c->format, CFG_FMT_PCM24);
	assert_int_equal(c->rotate_seconds, 300);
	assert_true(c->rotate_align);
	assert_true(c->buffer_seconds == 5.0);
	assert_true(c->header_seconds == 1.0);
	assert_string_equal(c->client_name, "recd");
	assert_string_equal(c->jack_server, "");
	assert_true(c->autostart);
	assert_false(c->dither);
	assert_int_equal(c->gap_policy, CFG_GAP_SPLIT);
	assert_int_equal(c->timezone, CFG_TZ_LOCAL);
	assert_int_equal(cfg_find("timezone")->runtime, CFG_RT_NO);
}

static void
test_find_accepts_dashes(void **state)
{
	(void)state;
	assert_ptr_equal(cfg_find("rotate-seconds"), cfg_find("rotate_seconds"));
	assert_null(cfg_find("rotate"));
	assert_null(cfg_find("rotate_seconds_"));
	assert_null(cfg_find("gain_db"));
	assert_null(cfg_find(""));
}

static void
expect_refusal(struct cfg *c, const char *name, const char *text,
    const char *message)
{
	char err[256] = "";

	assert_int_equal(cfg_set_text(c, opt(name), text, 0, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, message);
}

static void
test_text_refusals_name_key_value_range(void **state)
{
	struct cfg *c = *state;

	expect_refusal(c, "rotate_seconds", "9x",
	    "rotate_seconds: \"9x\": not an integer (0..86400)");
	expect_refusal(c, "rotate_seconds", "100000",
	    "rotate_seconds: 100000: out of range (0..86400)");
	expect_refusal(c, "rotate_seconds", "1.5",
	    "rotate_seconds: \"1.5\": not an integer (0..86400)");
	expect_refusal(c, "rotate_seconds", "",
	    "rotate_seconds: \"\": not an integer (0..86400)");
	expect_refusal(c, "rotate_seconds", " 5",
	    "rotate_seconds: \" 5\": not an integer (0..86400)");
	expect_refusal(c, "buffer_seconds", "0.1",
	    "buffer_seconds: 0.10000000000000001: out of range (0.5..60)");
	expect_refusal(c, "buffer_seconds", "nan",
	    "buffer_seconds: nan: not a number (0.5..60)");
	expect_refusal(c, "mode", "stereo",
	    "mode: \"stereo\": unknown value (one of single, split)");
	expect_refusal(c, "timezone", "Europe/Berlin",
	    "timezone: \"Europe/Berlin\": unknown value (one of local, utc)");
	expect_refusal(c, "rotate_align", "maybe",
	    "rotate_align: \"maybe\": not a boolean (true or false)");
	expect_refusal(c, "client_name", "",
	    "client_name: \"\": too short (1..63 characters)");
	/* Nothing refused changed the value. */
	assert_int_equal(c->rotate_seconds, 300);
	assert_true(c->buffer_seconds == 5.0);
	assert_int_equal(c->mode, CFG_MODE_SINGLE);
	assert_string_equal(c->client_name, "recd");
}

static void
test_text_accepts(void **state)
{
	struct cfg	*c = *state;
	char		 err[256];

	assert_int_equal(cfg_set_text(c, opt("rotate_seconds"), "0", 0, err,
	    sizeof(err)), 0);
	assert_int_equal(c->rotate_seconds, 0);
	assert_int_equal(cfg_set_text(c, opt("format"), "float32", 0, err,
	    sizeof(err)), 0);
	assert_int_equal(c->format, CFG_FMT_FLOAT32);
	assert_int_equal(cfg_set_text(c, opt("rotate_align"), "off", 0, err,
	    sizeof(err)), 0);
	assert_false(c->rotate_align);
	assert_int_equal(cfg_set_text(c, opt("header_seconds"), "0.25", 0,
	    err, sizeof(err)), 0);
	assert_true(c->header_seconds == 0.25);
	assert_int_equal(cfg_set_text(c, opt("connect"), "a:b", 0, err,
	    sizeof(err)), 0);
	assert_int_equal(cfg_set_text(c, opt("connect"), "c:d", 1, err,
	    sizeof(err)), 0);
	assert_int_equal(c->connect.n, 2);
	assert_string_equal(c->connect.v[1], "c:d");
}

static void
test_wrong_types(void **state)
{
	struct cfg	*c = *state;
	char		 err[256];

	assert_int_equal(cfg_set_number(c, opt("mode"), 1, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err,
	    "mode: a number given, but the option takes a string");
	assert_int_equal(cfg_set_bool(c, opt("channels"), 1, err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(cfg_set_string(c, opt("dither"), "x", err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(cfg_list_add(c, opt("directory"), "x", err,
	    sizeof(err)), -EINVAL);
}

static void
test_args(void **state)
{
	struct cfg	*c = *state;
	char		 err[256];
	char		*argv[] = {
		"--rotate-seconds", "60", "--mode=split", "--no-rotate-align",
		"--dither", "--connect", "x:1", "--connect=x:2",
		"--autostart", "false", "--format", "pcm16"
	};

	assert_int_equal(cfg_apply_args(c, 12, argv, err, sizeof(err)), 0);
	assert_int_equal(c->rotate_seconds, 60);
	assert_int_equal(c->mode, CFG_MODE_SPLIT);
	assert_false(c->rotate_align);
	assert_true(c->dither);
	assert_false(c->autostart);
	assert_int_equal(c->format, CFG_FMT_PCM16);
	/* The command line replaces the configured list, then appends. */
	assert_int_equal(c->connect.n, 2);
	assert_string_equal(c->connect.v[0], "x:1");
	assert_string_equal(c->connect.v[1], "x:2");
}

static void
expect_args_refused(struct cfg *c, int argc, char **argv, const char *msg)
{
	char err[256] = "";

	assert_int_equal(cfg_apply_args(c, argc, argv, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, msg);
}

static void
test_args_refused(void **state)
{
	struct cfg	*c = *state;
	char		*unknown[] = { "--gain-db", "3" };
	char		*novalue[] = { "--channels" };
	char		*bare[] = { "channels" };
	char		*bad[] = { "--channels", "0" };
	char		*noflag[] = { "--no-channels" };

	expect_args_refused(c, 2, unknown, "command line: --gain-db: unknown "
	    "option (recd --help lists them)");
	expect_args_refused(c, 1, novalue,
	    "command line: --channels: needs a value");
	expect_args_refused(c, 1, bare,
	    "command line: \"channels\": expected --option value");
	expect_args_refused(c, 2, bad,
	    "command line: channels: 0: out of range (1..256)");
	expect_args_refused(c, 1, noflag, "command line: --no-channels: "
	    "unknown option (recd --help lists them)");
}

static void
check_is(struct cfg *c, const char *msg)
{
	char err[256] = "";

	if (msg == NULL) {
		assert_int_equal(cfg_check(c, err, sizeof(err)), 0);
		return;
	}
	assert_int_equal(cfg_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
}

static void
set(struct cfg *c, const char *name, const char *text, int append)
{
	char err[256];

	assert_int_equal(cfg_set_text(c, opt(name), text, append, err,
	    sizeof(err)), 0);
}

static void
test_check_across_options(void **state)
{
	struct cfg *c = *state;

	check_is(c, NULL);
	set(c, "port_names", "kick", 0);
	check_is(c, "port_names: 1 names for 2 channels");
	set(c, "port_names", "kick", 1);
	check_is(c, "port_names: \"kick\": given twice");
	set(c, "port_names", "a:b", 0);
	set(c, "port_names", "snare", 1);
	check_is(c, "port_names: \"a:b\": a port name cannot hold ':'");
	set(c, "port_names", "kick", 0);
	set(c, "port_names", "snare", 1);
	check_is(c, NULL);
}

static void
test_check_regex_and_template(void **state)
{
	struct cfg	*c = *state;
	char		 err[256];
	size_t		 i;
	static const char *const escapes[] = {
		"../x", "/abs/x", "a/../b", "a/..", ".."
	};
	static const char *const stays[] = {
		"a..b/c", "%Y/..x", "x/.hidden", "recd-%H%M%S"
	};

	set(c, "connect", "system:capture_(1", 0);
	assert_int_equal(cfg_check(c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "connect: \"system:capture_(1\": not a "
	    "regular expression: "));
	set(c, "connect", "system:capture_.*", 0);
	for (i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		set(c, "name_template", escapes[i], 0);
		assert_int_equal(cfg_check(c, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "must stay inside directory"));
	}
	for (i = 0; i < sizeof(stays) / sizeof(stays[0]); i++) {
		set(c, "name_template", stays[i], 0);
		assert_int_equal(cfg_check(c, err, sizeof(err)), 0);
	}
}

/* A FLAC file holds at most 8 channels: more only in split mode. */
static void
test_check_flac_channels(void **state)
{
	struct cfg	*c = *state;
	char		 err[256];

	set(c, "format", "flac24", 0);
	set(c, "channels", "8", 0);
	assert_int_equal(cfg_check(c, err, sizeof(err)), 0);
	set(c, "channels", "9", 0);
	assert_int_equal(cfg_check(c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "format: flac24: a FLAC file holds at "
	    "most 8 channels, and single mode puts all 9 in one"));
	set(c, "mode", "split", 0);
	assert_int_equal(cfg_check(c, err, sizeof(err)), 0);
	set(c, "mode", "single", 0);
	set(c, "format", "pcm24", 0);
	assert_int_equal(cfg_check(c, err, sizeof(err)), 0);
	assert_int_equal(cfg_set_text(c, opt("flac_level"), "9", 0, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "flac_level"));
}

/* Channel lists name channels that exist, and say which list is wrong. */
static void
test_check_channel_lists(void **state)
{
	struct cfg	*c = *state;
	char		 err[256];

	set(c, "gate_channels", "2", 0);
	set(c, "alarm_channels", "1", 0);
	assert_int_equal(cfg_check(c, err, sizeof(err)), 0);
	set(c, "alarm_channels", "3", 0);
	assert_int_equal(cfg_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "alarm_channels: \"3\": not a channel number "
	    "from 1 to 2");
	set(c, "alarm_channels", "1x", 0);
	assert_int_equal(cfg_check(c, err, sizeof(err)), -EINVAL);
	set(c, "alarm_channels", "2", 0);
	set(c, "gate_channels", "0", 0);
	assert_int_equal(cfg_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "gate_channels: \"0\": not a channel number "
	    "from 1 to 2");
}

/* Loudness groups: N or N-M with N < M, digits only; "off" alone. */
static void
test_loud_group(void **state)
{
	unsigned first = 0, last = 0;

	(void)state;
	assert_int_equal(cfg_loud_group("1-2", &first, &last), 0);
	assert_int_equal(first, 1);
	assert_int_equal(last, 2);
	assert_int_equal(cfg_loud_group("7", &first, &last), 0);
	assert_int_equal(first, 7);
	assert_int_equal(last, 7);
	assert_int_equal(cfg_loud_group("3-64", &first, &last), 0);
	assert_int_equal(first, 3);
	assert_int_equal(last, 64);
	assert_int_equal(cfg_loud_group("off", &first, &last), 1);
	assert_int_equal(cfg_loud_group("0", &first, &last), -EINVAL);
	assert_int_equal(cfg_loud_group("2-2", &first, &last), -EINVAL);
	assert_int_equal(cfg_loud_group("2-1", &first, &last), -EINVAL);
	assert_int_equal(cfg_loud_group("1-", &first, &last), -EINVAL);
	assert_int_equal(cfg_loud_group("-2", &first, &last), -EINVAL);
	assert_int_equal(cfg_loud_group("+1", &first, &last), -EINVAL);
	assert_int_equal(cfg_loud_group(" 1", &first, &last), -EINVAL);
	assert_int_equal(cfg_loud_group("1,2", &first, &last), -EINVAL);
	assert_int_equal(cfg_loud_group("", &first, &last), -EINVAL);
	assert_int_equal(cfg_loud_group("Off", &first, &last), -EINVAL);
}

/* The option: off by default, groups within channels, off alone. */
static void
test_check_loudness(void **state)
{
	struct cfg	*c = *state;
	char		 err[256];
	int		 i;

	assert_int_equal(c->loudness.n, 1);
	assert_string_equal(c->loudness.v[0], "off");
	assert_int_equal(cfg_check(c, err, sizeof(err)), 0);
	set(c, "loudness", "1-2", 0);
	assert_int_equal(cfg_check(c, err, sizeof(err)), 0);
	set(c, "loudness", "1", 1);
	assert_int_equal(cfg_check(c, err, sizeof(err)), 0);
	set(c, "loudness", "2-3", 1);
	assert_int_equal(cfg_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "loudness: \"2-3\": channel 3: not a "
	    "channel number from 1 to 2");
	set(c, "loudness", "1-2", 0);
	set(c, "loudness", "off", 1);
	assert_int_equal(cfg_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "loudness: \"off\": given with groups; "
	    "give off alone");
	set(c, "loudness", "2-1", 0);
	assert_int_equal(cfg_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "loudness: \"2-1\": not a group of "
	    "channels (N, or N-M with N < M; or off)");
	set(c, "loudness", "1", 0);
	for (i = 1; i <= CFG_LOUD_MAX; i++)
		set(c, "loudness", "2", 1);
	assert_int_equal(cfg_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "loudness: 17 groups: at most 16 are "
	    "measured");
}

static void
test_copy_is_deep(void **state)
{
	struct cfg	*c = *state, d;
	char		 err[256], buf[256];

	set(c, "connect", "a:1", 0);
	set(c, "connect", "a:2", 1);
	assert_int_equal(cfg_copy(&d, c, err, sizeof(err)), 0);
	set(c, "connect", "b:1", 0);
	set(c, "directory", "/elsewhere", 0);
	assert_int_equal(d.connect.n, 2);
	assert_string_equal(d.connect.v[1], "a:2");
	assert_string_equal(d.directory, "recordings");
	cfg_format(&d, opt("connect"), buf, sizeof(buf));
	assert_string_equal(buf, "a:1,a:2");
	cfg_done(&d);
}

static void
test_format_round_trips_defaults(void **state)
{
	struct cfg		*c = *state;
	const struct cfg_opt	*o;
	char			 buf[256];
	size_t			 i;

	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		assert_true(cfg_format(c, o, buf, sizeof(buf)) >= 0);
		assert_string_equal(buf, o->def);
	}
}

static void
test_help_lists_every_option(void **state)
{
	char	*text = NULL, name[80];
	size_t	 len = 0, i;
	FILE	*f;

	(void)state;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	cfg_print_help(f);
	fclose(f);
	for (i = 0; i < cfg_count(); i++) {
		snprintf(name, sizeof(name), "--%s ", cfg_opt_at(i)->name);
		assert_non_null(strstr(text, name));
	}
	assert_non_null(strstr(text, "--rotate_seconds integer (0..86400), "
	    "default 300; runtime"));
	free(text);
}

/* The read-only socket beside the control socket, as recweb finds it. */
static void
test_socket_ro_path(void **state)
{
	char	buf[108], longp[120];

	(void)state;
	assert_int_equal(cfg_socket_ro_path("", "/run/recd/recd.sock", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "/run/recd/recd-readonly.sock");
	assert_int_equal(cfg_socket_ro_path(NULL, "/tmp/x/ctl", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/x/ctl-readonly.sock");
	assert_int_equal(cfg_socket_ro_path("", "/tmp/.sock", buf,
	    sizeof(buf)), 0);
	assert_string_equal(buf, "/tmp/.sock-readonly.sock");
	assert_int_equal(cfg_socket_ro_path("/v/ro.sock", "/run/recd/recd.sock",
	    buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/v/ro.sock");
	assert_int_equal(cfg_socket_ro_path("none", "/run/recd/recd.sock",
	    buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* 100 bytes and -readonly.sock do not fit a socket's 107. */
	memset(longp, 'a', 95);
	memcpy(longp + 95, "/recd.sock", 11);
	assert_int_equal(cfg_socket_ro_path("", longp, buf, sizeof(buf)),
	    -ENAMETOOLONG);
	longp[80] = '\0';
	assert_int_equal(cfg_socket_ro_path("", longp, buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), 80 + strlen("-readonly.sock"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_is_sound),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test(test_find_accepts_dashes),
		cmocka_unit_test_setup_teardown(
		    test_text_refusals_name_key_value_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_accepts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_types, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_args_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_across_options,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_regex_and_template,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_flac_channels,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_flac_channels, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_check_channel_lists, setup,
		    teardown),
		cmocka_unit_test(test_loud_group),
		cmocka_unit_test_setup_teardown(test_check_loudness, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copy_is_deep, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_format_round_trips_defaults, setup, teardown),
		cmocka_unit_test(test_help_lists_every_option),
		cmocka_unit_test(test_socket_ro_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
