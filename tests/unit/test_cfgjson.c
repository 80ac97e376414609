/*
 * test_cfgjson.c: the JSON config file: comments, every kind of mistake
 * with its file, line, key and reason, and the shipped default config.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfg.h"
#include "cfgjson.h"
#include "cfgout.h"

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

static int
parse(struct cfg *c, const char *text, char *err, size_t errlen)
{
	return cfgjson_parse(c, text, strlen(text), "t.json", err, errlen);
}

static void
expect_error(const char *text, const char *msg)
{
	struct cfg	c;
	char		err[512] = "";

	assert_int_equal(cfg_init(&c, err, sizeof(err)), 0);
	assert_int_equal(parse(&c, text, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, msg);
	cfg_done(&c);
}

static void
test_comments_and_values(void **state)
{
	struct cfg	*c = *state;
	char		 err[512] = "";
	const char	*text =
	    "// a studio\n"
	    "{\n"
	    "\t/* block\n\t   comment */ \"channels\": 8,\n"
	    "\t\"description\": \"a // b /* c */\", // not in the string\n"
	    "\t\"port_names\": [\"k\", \"s\", \"h\", \"t1\", \"t2\", \"oh\","
	    " \"r\", \"v\"],\n"
	    "\t\"connect\": \"system:capture_.*\",\n"
	    "\t\"mode\": \"split\", \"dither\": true,\n"
	    "\t\"buffer_seconds\": 2.5\n"
	    "}\n";

	assert_int_equal(parse(c, text, err, sizeof(err)), 0);
	assert_int_equal(c->channels, 8);
	assert_string_equal(c->description, "a // b /* c */");
	assert_int_equal(c->port_names.n, 8);
	assert_string_equal(c->port_names.v[5], "oh");
	assert_int_equal(c->connect.n, 1);
	assert_int_equal(c->mode, CFG_MODE_SPLIT);
	assert_true(c->dither);
	assert_true(c->buffer_seconds == 2.5);
}

static void
test_errors_name_file_line_key(void **state)
{
	(void)state;
	expect_error("{\n  \"channels\": 2,\n  \"gain_db\": 3\n}\n",
	    "config t.json:3: gain_db: unknown option (recd --help lists "
	    "them)");
	expect_error("{\n  \"channels\": 2\n  \"mode\": \"split\"\n}\n",
	    "config t.json:3: not valid JSON near \"\"mode\": \"split\"\"");
	expect_error("{\n\n \"rotate_seconds\": \"300\"\n}",
	    "config t.json:3: rotate_seconds: a string given, but the option "
	    "takes an integer");
	expect_error("{\n \"rotate_seconds\": 100000\n}",
	    "config t.json:2: rotate_seconds: 100000: out of range "
	    "(0..86400)");
	expect_error("{\n \"rotate_seconds\": 1.5\n}",
	    "config t.json:2: rotate_seconds: 1.5: not an integer "
	    "(0..86400)");
	expect_error("{ \"mode\": \"single\",\n \"mode\": \"split\" }",
	    "config t.json:2: mode: given twice");
	expect_error("{ \"connect\": [\"a:1\",\n 7] }",
	    "config t.json:1: connect[1]: a number given, but the list holds "
	    "strings");
	expect_error("{\n /* never closed\n", "config t.json:2: comment not "
	    "closed");
	expect_error("[1, 2]", "config t.json: the file must hold one JSON "
	    "object {...}");
	expect_error("{ \"rotate-seconds\": 5 }", "config t.json:1: "
	    "rotate-seconds: unknown option (recd --help lists them)");
	expect_error("{ \"dither\": null }", "config t.json:1: dither: null "
	    "given, but the option takes true or false");
	expect_error("", "config t.json: empty, where a JSON object {...} is "
	    "expected");
	expect_error(" \n\t\n", "config t.json: empty, where a JSON object "
	    "{...} is expected");
	/* Control bytes from the file never reach the log (found by fuzzing). */
	expect_error("{ \"a\001b\": 1 }", "config t.json:1: a?b: unknown option "
	    "(recd --help lists them)");
	expect_error("{ \"format\": \"pcm\\u001b[31m\" }", "config t.json:1: "
	    "format: \"pcm?[31m\": unknown value (one of pcm16, pcm24, pcm32, "
	    "float32, flac16, flac24, opus, mp3)");
	/* Where cJSON stops at the end of a line: the text before it. */
	expect_error("{\n  \"channels\": 2,\n  \"mode\": \"split\",\n}\n",
	    "config t.json:4: not valid JSON near \"}\" (where the file "
	    "ends)");
	expect_error("{\n  \"channels\": 2,\n  \"rotate_seconds\": 10\n",
	    "config t.json:3: not valid JSON near \"\"rotate_seconds\": 10\" "
	    "(where the file ends)");
	expect_error("{\n  \"channels\": 2,\n  \"description\": "
	    "\"a very long text that goes on\",\n",
	    "config t.json:3: not valid JSON near \"text that goes on\",\" "
	    "(where the file ends)");
}

static void
test_bad_list_changes_nothing(void **state)
{
	struct cfg	*c = *state;
	char		 err[512];

	assert_int_equal(parse(c, "{ \"connect\": [\"a:1\", \"\"] }", err,
	    sizeof(err)), -EINVAL);
	assert_int_equal(c->connect.n, 1);
	assert_string_equal(c->connect.v[0], "physical");
}

static void
test_missing_file(void **state)
{
	struct cfg	*c = *state;
	char		 err[512];

	assert_int_equal(cfgjson_load(c, "/nonexistent/recd.json", err,
	    sizeof(err)), -ENOENT);
	assert_string_equal(err, "config /nonexistent/recd.json: open: No "
	    "such file or directory");
	assert_int_equal(cfgjson_load(c, "/", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "config /: not a regular file"));
}

static void
expect_same_as_defaults(const struct cfg *c)
{
	const struct cfg_opt	*o;
	struct cfg		 d;
	char			 a[512], b[512], err[256];
	size_t			 i;

	assert_int_equal(cfg_init(&d, err, sizeof(err)), 0);
	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		cfg_format(c, o, a, sizeof(a));
		cfg_format(&d, o, b, sizeof(b));
		assert_string_equal(a, b);
	}
	cfg_done(&d);
}

/* The generated default config, and the shipped etc/recd.json, load. */
static void
test_default_config_round_trips(void **state)
{
	struct cfg	*c = *state;
	char		*text = NULL, err[512] = "";
	size_t		 len = 0;
	FILE		*f;

	f = open_memstream(&text, &len);
	assert_non_null(f);
	cfg_print_config(f);
	fclose(f);
	/* Change everything first, so that loading must set it all back. */
	assert_int_equal(parse(c, "{\"channels\": 5, \"mode\": \"split\", "
	    "\"connect\": [], \"directory\": \"x\"}", err, sizeof(err)), 0);
	assert_int_equal(cfgjson_parse(c, text, len, "gen", err, sizeof(err)),
	    0);
	expect_same_as_defaults(c);
	free(text);
	assert_int_equal(cfgjson_load(c, "etc/recd.json", err, sizeof(err)),
	    0);
	expect_same_as_defaults(c);
}

static void
test_value_round_trips(void **state)
{
	struct cfg		*c = *state;
	const struct cfg_opt	*o;
	cJSON			*v;
	char			 err[256], a[512], b[512];
	size_t			 i;

	assert_int_equal(parse(c, "{\"connect\": [\"a\", \"b\"], "
	    "\"format\": \"float32\", \"header_seconds\": 0.5}", err,
	    sizeof(err)), 0);
	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		v = cfgjson_value(c, o);
		assert_non_null(v);
		cfg_format(c, o, a, sizeof(a));
		assert_int_equal(cfgjson_set(c, o, v, err, sizeof(err)), 0);
		cfg_format(c, o, b, sizeof(b));
		assert_string_equal(a, b);
		cJSON_Delete(v);
	}
	assert_string_equal(a, b);
}

/* outputs: objects in the file, kept as compact text, shown as objects. */
static void
test_outputs_are_objects(void **state)
{
	struct cfg		*c = *state;
	const struct cfg_opt	*o = cfg_find("outputs");
	cJSON			*v;
	char			 err[512] = "", *text;

	assert_int_equal(parse(c, "{\n"
	    "\t\"directory\": \"/srv/rec\",\n"
	    "\t\"outputs\": [\n"
	    "\t\t{ \"name\": \"mirror\", \"directory\": \"/mnt/b\" },\n"
	    "\t\t{ \"name\": \"prog\", \"directory\": \"/srv/prog\",\n"
	    "\t\t  \"channels_used\": [1, 2], \"format\": \"flac16\",\n"
	    "\t\t  \"keep_hours\": 12.5 }\n"
	    "\t]\n}\n", err, sizeof(err)), 0);
	assert_int_equal(c->outputs.n, 2);
	assert_string_equal(c->outputs.v[0],
	    "{\"name\":\"mirror\",\"directory\":\"/mnt/b\"}");
	assert_string_equal(c->outputs.v[1],
	    "{\"name\":\"prog\",\"directory\":\"/srv/prog\","
	    "\"channels_used\":[1,2],\"format\":\"flac16\",\"keep_hours\":"
	    "12.5}");
	assert_int_equal(cfgout_check(c, err, sizeof(err)), 0);
	/* As JSON again (get, events, SIGHUP): objects, and they load. */
	v = cfgjson_value(c, o);
	assert_non_null(v);
	text = cJSON_PrintUnformatted(v);
	assert_string_equal(text, "[{\"name\":\"mirror\",\"directory\":"
	    "\"/mnt/b\"},{\"name\":\"prog\",\"directory\":\"/srv/prog\","
	    "\"channels_used\":[1,2],\"format\":\"flac16\",\"keep_hours\":"
	    "12.5}]");
	cJSON_free(text);
	cfg_list_clear(c, o);
	assert_int_equal(cfgjson_set(c, o, v, err, sizeof(err)), 0);
	assert_int_equal(c->outputs.n, 2);
	assert_string_equal(c->outputs.v[0],
	    "{\"name\":\"mirror\",\"directory\":\"/mnt/b\"}");
	cJSON_Delete(v);
	/* Text that is no object (from the command line) shows as text. */
	assert_int_equal(cfg_set_text(c, o, "b", 0, err, sizeof(err)), 0);
	v = cfgjson_value(c, o);
	text = cJSON_PrintUnformatted(v);
	assert_string_equal(text, "[\"b\"]");
	cJSON_free(text);
	cJSON_Delete(v);
	/* What is not a list of objects is refused, and changes nothing. */
	expect_error("{\n\"outputs\": [{\"name\": \"b\"},\n \"c\"]}",
	    "config t.json:2: outputs[1]: a string given, but the list holds "
	    "objects");
	expect_error("{\"outputs\": \"{}\"}", "config t.json:1: outputs: a "
	    "string given, but the option takes a list of objects");
	expect_error("{\"outputs\": {\"name\": \"b\"}}", "config t.json:1: "
	    "outputs: an object given, but the option takes a list of "
	    "objects");
	/*
	 * The checks of cfgout_check, with the file's name from the caller;
	 * cfg_check alone (common/) does not read the objects.
	 */
	assert_int_equal(parse(c, "{\"channels\": 2, \"outputs\": [{\"name\": "
	    "\"b\", \"channels_used\": \"1-5\"}]}", err, sizeof(err)), 0);
	assert_int_equal(cfg_check(c, err, sizeof(err)), 0);
	assert_int_equal(cfgout_check(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "outputs: output \"b\": channels_used: "
	    "channel 3 does not exist (channels is 2)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_comments_and_values,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_outputs_are_objects,
		    setup, teardown),
		cmocka_unit_test(test_errors_name_file_line_key),
		cmocka_unit_test_setup_teardown(test_bad_list_changes_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_default_config_round_trips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_round_trips, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
