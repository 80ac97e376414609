/*
 * test_proto.c: the control protocol held to PROTOCOL.md: every example
 * request parses as documented, every refusal has its code and names its
 * field, hostile lines are refused, and the builders give the exact lines.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

static void
parse_ok(const char *text, struct proto_req *req)
{
	const char	*code = NULL;
	char		 msg[512] = "";
	int		 rc;

	rc = proto_parse_request(text, strlen(text), req, &code, msg,
	    sizeof(msg));
	if (rc != 0)
		print_message("refused %s: %s\n", text, msg);
	assert_int_equal(rc, 0);
	assert_null(code);
	assert_non_null(req->root);
}

/* Asserts that len bytes at text are refused with code and msg (NULL: any). */
static void
refused_len(const char *text, size_t len, const char *code, const char *msg)
{
	struct proto_req	 req;
	const char		*c = NULL;
	char			 m[512] = "";

	assert_int_equal(proto_parse_request(text, len, &req, &c, m,
	    sizeof(m)), -EINVAL);
	assert_non_null(c);
	assert_string_equal(c, code);
	if (msg != NULL)
		assert_string_equal(m, msg);
	else
		assert_true(strlen(m) > 0);
	proto_req_done(&req);
}

static void
refused(const char *text, const char *code, const char *msg)
{
	refused_len(text, strlen(text), code, msg);
}

static void
bad(const char *text, const char *msg)
{
	refused(text, PROTO_E_BAD_REQUEST, msg);
}

/* The whole error line the daemon sends back for len bytes at text. */
static void
error_line_len(const char *text, size_t len, const char *line)
{
	struct proto_req	 req;
	const char		*c = NULL;
	char			 m[512] = "", *s;

	assert_int_equal(proto_parse_request(text, len, &req, &c, m,
	    sizeof(m)), -EINVAL);
	s = proto_error(req.id, c, m);
	assert_non_null(s);
	assert_string_equal(s, line);
	free(s);
	proto_req_done(&req);
}

static void
error_line(const char *text, const char *line)
{
	error_line_len(text, strlen(text), line);
}

static void
assert_id_number(const struct proto_req *req, double id)
{
	assert_non_null(req->id);
	assert_true(cJSON_IsNumber(req->id));
	assert_true(req->id->valuedouble == id);
}

/* A malloc'd string of n copies of c. */
static char *
repeat(char c, size_t n)
{
	char	*s;

	s = malloc(n + 1);
	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A malloc'd copy of text with every %s replaced by fill (at most 2). */
static char *
fill(const char *fmt, const char *a, const char *b)
{
	char	*s;
	size_t	 n;

	n = strlen(fmt) + strlen(a) + (b != NULL ? strlen(b) : 0) + 1;
	s = malloc(n);
	assert_non_null(s);
	snprintf(s, n, fmt, a, b != NULL ? b : "");
	return s;
}

static char *
print(cJSON *v)
{
	char	*s;

	assert_non_null(v);
	s = cJSON_PrintUnformatted(v);
	assert_non_null(s);
	cJSON_Delete(v);
	return s;
}

static void
assert_dbfs(float peak, const char *text)
{
	char	*s;

	s = print(proto_dbfs(peak));
	assert_string_equal(s, text);
	cJSON_free(s);
}

static void
test_doc_requests(void **state)
{
	struct proto_req	req;

	(void)state;
	parse_ok("{\"id\":1,\"cmd\":\"status\"}", &req);
	assert_id_number(&req, 1);
	assert_int_equal(req.cmd, PROTO_STATUS);
	assert_null(req.label);
	assert_null(req.key);
	assert_null(req.value);
	assert_null(req.text);
	proto_req_done(&req);

	parse_ok("{\"id\":2,\"cmd\":\"start\"}", &req);
	assert_id_number(&req, 2);
	assert_int_equal(req.cmd, PROTO_START);
	proto_req_done(&req);
	parse_ok("{\"id\":3,\"cmd\":\"stop\"}", &req);
	assert_id_number(&req, 3);
	assert_int_equal(req.cmd, PROTO_STOP);
	proto_req_done(&req);
	parse_ok("{\"id\":4,\"cmd\":\"rotate\"}", &req);
	assert_int_equal(req.cmd, PROTO_ROTATE);
	proto_req_done(&req);

	parse_ok("{\"id\":5,\"cmd\":\"mark\",\"label\":\"chorus 2\"}", &req);
	assert_id_number(&req, 5);
	assert_int_equal(req.cmd, PROTO_MARK);
	assert_string_equal(req.label, "chorus 2");
	proto_req_done(&req);
	parse_ok("{\"id\":5,\"cmd\":\"mark\"}", &req);
	assert_null(req.label);
	proto_req_done(&req);

	parse_ok("{\"id\":6,\"cmd\":\"get\",\"key\":\"rotate_seconds\"}", &req);
	assert_int_equal(req.cmd, PROTO_GET);
	assert_string_equal(req.key, "rotate_seconds");
	proto_req_done(&req);
	parse_ok("{\"id\":7,\"cmd\":\"get\"}", &req);
	assert_id_number(&req, 7);
	assert_int_equal(req.cmd, PROTO_GET);
	assert_null(req.key);
	proto_req_done(&req);

	parse_ok("{\"id\":8,\"cmd\":\"set\",\"key\":\"rotate_seconds\","
	    "\"value\":60}", &req);
	assert_int_equal(req.cmd, PROTO_SET);
	assert_string_equal(req.key, "rotate_seconds");
	assert_non_null(req.value);
	assert_true(cJSON_IsNumber(req.value));
	assert_true(req.value->valuedouble == 60);
	assert_null(req.text);
	proto_req_done(&req);
	parse_ok("{\"id\":9,\"cmd\":\"set\",\"key\":\"format\","
	    "\"text\":\"float32\"}", &req);
	assert_string_equal(req.key, "format");
	assert_null(req.value);
	assert_string_equal(req.text, "float32");
	proto_req_done(&req);
	/* The option's own checks are the daemon's: these parse. */
	parse_ok("{\"id\":10,\"cmd\":\"set\",\"key\":\"rotate_seconds\","
	    "\"value\":\"9x\"}", &req);
	assert_true(cJSON_IsString(req.value));
	assert_string_equal(req.value->valuestring, "9x");
	proto_req_done(&req);
	parse_ok("{\"id\":11,\"cmd\":\"set\",\"key\":\"channels\","
	    "\"value\":4}", &req);
	assert_string_equal(req.key, "channels");
	proto_req_done(&req);

	parse_ok("{\"id\":12,\"cmd\":\"options\"}", &req);
	assert_int_equal(req.cmd, PROTO_OPTIONS);
	proto_req_done(&req);
	parse_ok("{\"id\":13,\"cmd\":\"ports\"}", &req);
	assert_int_equal(req.cmd, PROTO_PORTS);
	proto_req_done(&req);

	parse_ok("{\"id\":14,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":20}", &req);
	assert_int_equal(req.cmd, PROTO_SUBSCRIBE);
	assert_int_equal(req.stream, PROTO_LEVELS);
	assert_int_equal(req.rate_hz, 20);
	proto_req_done(&req);
	parse_ok("{\"id\":15,\"cmd\":\"subscribe\",\"stream\":\"events\"}",
	    &req);
	assert_int_equal(req.cmd, PROTO_SUBSCRIBE);
	assert_int_equal(req.stream, PROTO_EVENTS);
	proto_req_done(&req);
	parse_ok("{\"id\":16,\"cmd\":\"unsubscribe\",\"stream\":\"levels\"}",
	    &req);
	assert_int_equal(req.cmd, PROTO_UNSUBSCRIBE);
	assert_int_equal(req.stream, PROTO_LEVELS);
	proto_req_done(&req);
	parse_ok("{\"id\":17,\"cmd\":\"unsubscribe\",\"stream\":\"events\"}",
	    &req);
	assert_int_equal(req.stream, PROTO_EVENTS);
	proto_req_done(&req);

	/* Order, whitespace and a CR before the newline do not matter. */
	parse_ok(" {\"cmd\" : \"subscribe\", \"rate_hz\":60, \"id\":\"a\","
	    " \"stream\":\"levels\"}\r", &req);
	assert_string_equal(req.id->valuestring, "a");
	assert_int_equal(req.rate_hz, 60);
	proto_req_done(&req);
}

static void
test_rate_hz(void **state)
{
	struct proto_req	req;

	(void)state;
	parse_ok("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\"}",
	    &req);
	assert_int_equal(req.rate_hz, PROTO_RATE_DEFAULT);
	proto_req_done(&req);
	parse_ok("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":1}", &req);
	assert_int_equal(req.rate_hz, 1);
	proto_req_done(&req);
	parse_ok("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":6.0e1}", &req);
	assert_int_equal(req.rate_hz, 60);
	proto_req_done(&req);

	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":500}", "rate_hz: 500: out of range (1..60)");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":61}", "rate_hz: 61: out of range (1..60)");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":0}", "rate_hz: 0: out of range (1..60)");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":-1}", "rate_hz: -1: out of range (1..60)");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":2.5}", "rate_hz: 2.5: not an integer (1..60)");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":1e999}", "rate_hz: inf: out of range (1..60)");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":\"20\"}",
	    "rate_hz: a string given, but it takes an integer (1..60)");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":null}",
	    "rate_hz: null given, but it takes an integer (1..60)");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"events\","
	    "\"rate_hz\":20}", "rate_hz: not taken by the events stream");
	bad("{\"id\":1,\"cmd\":\"unsubscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":20}", "rate_hz: not taken by unsubscribe");
}

static void
test_stream(void **state)
{
	(void)state;
	bad("{\"id\":1,\"cmd\":\"subscribe\"}", "stream: missing");
	bad("{\"id\":1,\"cmd\":\"unsubscribe\"}", "stream: missing");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"rate_hz\":20}",
	    "stream: missing");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"meter\"}",
	    "stream: \"meter\": not levels or events");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"Levels\"}",
	    "stream: \"Levels\": not levels or events");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":[\"levels\"]}",
	    "stream: a list given, but it takes a string");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"stream\":\"events\"}", "stream: given twice");
}

static void
test_mark_label(void **state)
{
	struct proto_req	 req;
	char			*label, *line;

	(void)state;
	label = repeat('x', PROTO_LABEL_MAX);
	line = fill("{\"id\":1,\"cmd\":\"mark\",\"label\":\"%s\"}", label,
	    NULL);
	parse_ok(line, &req);
	assert_string_equal(req.label, label);
	proto_req_done(&req);
	free(line);
	free(label);

	label = repeat('x', 300);
	line = fill("{\"id\":1,\"cmd\":\"mark\",\"label\":\"%s\"}", label,
	    NULL);
	bad(line, "label: 300 bytes: too long (at most 255)");
	free(line);
	free(label);

	/* Bytes, not characters: 128 two-byte characters are 256 bytes. */
	label = malloc(2 * 128 + 1);
	assert_non_null(label);
	for (int i = 0; i < 128; i++)
		memcpy(label + 2 * i, "\xc3\xa9", 2);
	label[256] = '\0';
	line = fill("{\"id\":1,\"cmd\":\"mark\",\"label\":\"%s\"}", label,
	    NULL);
	bad(line, "label: 256 bytes: too long (at most 255)");
	free(line);
	free(label);

	parse_ok("{\"id\":1,\"cmd\":\"mark\",\"label\":"
	    "\"caf\xc3\xa9 \\u00e9\"}", &req);
	assert_string_equal(req.label, "caf\xc3\xa9 \xc3\xa9");
	proto_req_done(&req);

	bad("{\"id\":1,\"cmd\":\"mark\",\"label\":7}",
	    "label: a number given, but it takes a string");
	bad("{\"id\":1,\"cmd\":\"mark\",\"label\":null}",
	    "label: null given, but it takes a string");
	bad("{\"id\":1,\"cmd\":\"mark\",\"label\":\"a\",\"label\":\"b\"}",
	    "label: given twice");
}

static void
test_get_set(void **state)
{
	struct proto_req	req;

	(void)state;
	bad("{\"id\":1,\"cmd\":\"get\",\"key\":5}",
	    "key: a number given, but it takes a string");
	bad("{\"id\":1,\"cmd\":\"get\",\"key\":null}",
	    "key: null given, but it takes a string");
	bad("{\"id\":1,\"cmd\":\"get\",\"value\":5}",
	    "value: not taken by get");
	bad("{\"id\":1,\"cmd\":\"set\",\"value\":5}", "key: missing");
	bad("{\"id\":1,\"cmd\":\"set\",\"key\":true,\"value\":5}",
	    "key: true or false given, but it takes a string");
	bad("{\"id\":1,\"cmd\":\"set\",\"key\":\"channels\"}",
	    "set: give one of value or text");
	bad("{\"id\":1,\"cmd\":\"set\",\"key\":\"channels\",\"value\":2,"
	    "\"text\":\"2\"}", "set: give one of value or text");
	bad("{\"id\":1,\"cmd\":\"set\",\"key\":\"channels\",\"text\":2}",
	    "text: a number given, but it takes a string");
	bad("{\"id\":1,\"cmd\":\"set\",\"key\":\"a\",\"key\":\"b\","
	    "\"value\":1}", "key: given twice");
	bad("{\"id\":1,\"cmd\":\"set\",\"key\":\"a\",\"value\":1,"
	    "\"value\":2}", "value: given twice");
	bad("{\"id\":1,\"cmd\":\"set\",\"key\":\"a\",\"value\":1,"
	    "\"label\":\"x\"}", "label: not taken by set");

	/* value is any JSON, null included; its meaning is the daemon's. */
	parse_ok("{\"id\":1,\"cmd\":\"set\",\"key\":\"connect\","
	    "\"value\":[\"system:capture_1\",\"system:capture_2\"]}", &req);
	assert_true(cJSON_IsArray(req.value));
	assert_int_equal(cJSON_GetArraySize(req.value), 2);
	proto_req_done(&req);
	parse_ok("{\"id\":1,\"cmd\":\"set\",\"key\":\"x\",\"value\":null}",
	    &req);
	assert_non_null(req.value);
	assert_true(cJSON_IsNull(req.value));
	proto_req_done(&req);
	parse_ok("{\"id\":1,\"cmd\":\"set\",\"key\":\"x\",\"value\":{\"a\":"
	    "{\"b\":[1,2,{}]}}}", &req);
	assert_true(cJSON_IsObject(req.value));
	proto_req_done(&req);
}

static void
test_fields_not_taken(void **state)
{
	static const char *const bare[] = {
		"status", "start", "stop", "rotate", "options", "ports"
	};
	char	*line, *msg;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bare) / sizeof(bare[0]); i++) {
		line = fill("{\"id\":1,\"cmd\":\"%s\",\"label\":\"x\"}",
		    bare[i], NULL);
		msg = fill("label: not taken by %s", bare[i], NULL);
		bad(line, msg);
		free(line);
		free(msg);
		line = fill("{\"id\":1,\"cmd\":\"%s\",\"rate_hz\":10}",
		    bare[i], NULL);
		msg = fill("rate_hz: not taken by %s", bare[i], NULL);
		bad(line, msg);
		free(line);
		free(msg);
	}
	bad("{\"id\":1,\"cmd\":\"mark\",\"key\":\"x\"}",
	    "key: not taken by mark");
	bad("{\"id\":1,\"cmd\":\"status\",\"gain_db\":3}",
	    "gain_db: not taken by status");
	/* Names are case-sensitive: ID and Cmd are fields of their own. */
	bad("{\"id\":1,\"cmd\":\"status\",\"ID\":3}",
	    "ID: not taken by status");
	bad("{\"id\":1,\"Cmd\":\"status\"}", "cmd: missing");
	/* Names that are not plain are quoted, escaped and cut. */
	bad("{\"id\":1,\"cmd\":\"status\",\"\":3}",
	    "\"\": not taken by status");
	bad("{\"id\":1,\"cmd\":\"status\",\"a b\\n\\\"\":3}",
	    "\"a b\\x0a\\\"\": not taken by status");
	bad("{\"id\":1,\"cmd\":\"status\",\"\xe2\x82\xac\":3}",
	    "\"\\xe2\\x82\\xac\": not taken by status");
	bad("{\"id\":1,\"cmd\":\"status\",\"0123456789012345678901234567890123"
	    "456789\":3}",
	    "\"01234567890123456789012345678901...\": not taken by status");
	/* An unknown field given twice is refused as unknown. */
	bad("{\"id\":1,\"cmd\":\"status\",\"x\":1,\"x\":2}",
	    "x: not taken by status");
}

static void
test_cmd(void **state)
{
	char	*name, *line;

	(void)state;
	bad("{\"id\":1}", "cmd: missing");
	bad("{\"id\":1,\"cmd\":7}", "cmd: a number given, but it takes a "
	    "string");
	bad("{\"id\":1,\"cmd\":null}", "cmd: null given, but it takes a "
	    "string");
	bad("{\"id\":1,\"cmd\":\"status\",\"cmd\":\"stop\"}",
	    "cmd: given twice");
	refused("{\"id\":1,\"cmd\":\"statu\"}", PROTO_E_UNKNOWN_COMMAND,
	    "cmd \"statu\": unknown command");
	refused("{\"id\":1,\"cmd\":\"STATUS\"}", PROTO_E_UNKNOWN_COMMAND,
	    "cmd \"STATUS\": unknown command");
	refused("{\"id\":1,\"cmd\":\"\"}", PROTO_E_UNKNOWN_COMMAND,
	    "cmd \"\": unknown command");
	refused("{\"id\":1,\"cmd\":\"a\\u0001b\\\"c\\\\d\\te\"}",
	    PROTO_E_UNKNOWN_COMMAND,
	    "cmd \"a\\x01b\\\"c\\\\d\\x09e\": unknown command");
	refused("{\"id\":1,\"cmd\":\"st\xc3\xa4tus\"}", PROTO_E_UNKNOWN_COMMAND,
	    "cmd \"st\\xc3\\xa4tus\": unknown command");
	name = repeat('z', 5000);
	line = fill("{\"id\":1,\"cmd\":\"%s\"}", name, NULL);
	refused(line, PROTO_E_UNKNOWN_COMMAND,
	    "cmd \"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...\": unknown command");
	free(line);
	free(name);
	/* A cmd error comes before the fields the command would refuse. */
	refused("{\"id\":1,\"cmd\":\"nope\",\"x\":1}", PROTO_E_UNKNOWN_COMMAND,
	    "cmd \"nope\": unknown command");
}

static void
test_ids(void **state)
{
	struct proto_req	 req;
	char			*id, *line, *msg;

	(void)state;
	parse_ok("{\"id\":0,\"cmd\":\"status\"}", &req);
	assert_id_number(&req, 0);
	proto_req_done(&req);
	parse_ok("{\"id\":-3.5,\"cmd\":\"status\"}", &req);
	assert_id_number(&req, -3.5);
	proto_req_done(&req);
	parse_ok("{\"id\":1e300,\"cmd\":\"status\"}", &req);
	assert_id_number(&req, 1e300);
	proto_req_done(&req);
	parse_ok("{\"id\":\"\",\"cmd\":\"status\"}", &req);
	assert_string_equal(req.id->valuestring, "");
	proto_req_done(&req);

	id = repeat('i', PROTO_ID_MAX);
	line = fill("{\"id\":\"%s\",\"cmd\":\"status\"}", id, NULL);
	parse_ok(line, &req);
	assert_string_equal(req.id->valuestring, id);
	proto_req_done(&req);
	free(line);
	free(id);

	id = repeat('i', PROTO_ID_MAX + 1);
	line = fill("{\"id\":\"%s\",\"cmd\":\"status\"}", id, NULL);
	bad(line, "id: 257 bytes: too long (at most 256)");
	error_line(line, "{\"id\":null,\"error\":{\"code\":\"bad_request\","
	    "\"message\":\"id: 257 bytes: too long (at most 256)\"}}\n");
	free(line);
	free(id);

	bad("{\"cmd\":\"status\"}", "id: missing");
	bad("{\"id\":null,\"cmd\":\"status\"}",
	    "id: null given, but it takes a number or a string");
	bad("{\"id\":{\"n\":1},\"cmd\":\"status\"}",
	    "id: an object given, but it takes a number or a string");
	bad("{\"id\":[1],\"cmd\":\"status\"}",
	    "id: a list given, but it takes a number or a string");
	bad("{\"id\":true,\"cmd\":\"status\"}",
	    "id: true or false given, but it takes a number or a string");
	bad("{\"id\":1e999,\"cmd\":\"status\"}", "id: not a finite number");
	bad("{\"id\":-1e999,\"cmd\":\"status\"}", "id: not a finite number");
	bad("{\"id\":1,\"id\":2,\"cmd\":\"status\"}", "id: given twice");
	/* The id is checked first, before cmd and the fields. */
	bad("{\"id\":null,\"cmd\":\"nope\",\"x\":1}",
	    "id: null given, but it takes a number or a string");

	/* Refusals carry the id when it was readable, else null. */
	error_line("{\"id\":7,\"cmd\":\"status\",\"x\":1}",
	    "{\"id\":7,\"error\":{\"code\":\"bad_request\","
	    "\"message\":\"x: not taken by status\"}}\n");
	error_line("{\"id\":\"r-1\\\"\",\"cmd\":\"mark\",\"label\":1}",
	    "{\"id\":\"r-1\\\"\",\"error\":{\"code\":\"bad_request\","
	    "\"message\":\"label: a number given, but it takes a "
	    "string\"}}\n");
	error_line("{\"id\":12345678901,\"cmd\":\"x\"}",
	    "{\"id\":12345678901,\"error\":{\"code\":\"unknown_command\","
	    "\"message\":\"cmd \\\"x\\\": unknown command\"}}\n");
	error_line("{\"cmd\":\"status\"}",
	    "{\"id\":null,\"error\":{\"code\":\"bad_request\","
	    "\"message\":\"id: missing\"}}\n");
	error_line("{\"id\":[7],\"cmd\":\"status\"}",
	    "{\"id\":null,\"error\":{\"code\":\"bad_request\",\"message\":"
	    "\"id: a list given, but it takes a number or a string\"}}\n");
	error_line("{\"id\":7,\"id\":8,\"cmd\":\"status\"}",
	    "{\"id\":null,\"error\":{\"code\":\"bad_request\","
	    "\"message\":\"id: given twice\"}}\n");

	/* An id of multi-byte characters: 256 bytes is the limit. */
	id = malloc(2 * 129 + 1);
	assert_non_null(id);
	for (int i = 0; i < 129; i++)
		memcpy(id + 2 * i, "\xc3\xa9", 2);
	id[258] = '\0';
	line = fill("{\"id\":\"%s\",\"cmd\":\"status\"}", id, NULL);
	msg = fill("id: %s bytes: too long (at most 256)", "258", NULL);
	bad(line, msg);
	free(msg);
	free(line);
	free(id);
}

static void
test_bad_json(void **state)
{
	static const char garbage[] = {
		'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n', '\0', '\0',
		'\xff', '{', '}'
	};
	static const char nul_inside[] =
	    "{\"id\":1,\"cmd\":\"mark\",\"label\":\"a\0b\"}";
	struct proto_req	 req;
	char			*buf, *line;
	const char		*text;
	size_t			 len;

	(void)state;
	refused("", PROTO_E_BAD_JSON, "line: empty, not a JSON object");
	refused(" \t\r", PROTO_E_BAD_JSON, "line: empty, not a JSON object");
	refused("[]", PROTO_E_BAD_JSON, "line: a list, not a JSON object");
	refused("[{\"id\":1,\"cmd\":\"status\"}]", PROTO_E_BAD_JSON,
	    "line: a list, not a JSON object");
	refused("1", PROTO_E_BAD_JSON, "line: a number, not a JSON object");
	refused("\"status\"", PROTO_E_BAD_JSON,
	    "line: a string, not a JSON object");
	refused("null", PROTO_E_BAD_JSON, "line: null, not a JSON object");
	refused("status", PROTO_E_BAD_JSON, "line: byte 0: not valid JSON");
	/* Half lines, as a client cut off mid-write would send. */
	refused("{", PROTO_E_BAD_JSON, NULL);
	refused("{\"id\":1,\"cm", PROTO_E_BAD_JSON, NULL);
	refused("{\"id\":1,\"cmd\":\"status\"", PROTO_E_BAD_JSON, NULL);
	refused("{\"id\":1,\"cmd\":\"sta", PROTO_E_BAD_JSON, NULL);
	/* Anything after the object. */
	refused("{\"id\":1,\"cmd\":\"status\"} x", PROTO_E_BAD_JSON, NULL);
	refused("{\"id\":1,\"cmd\":\"status\"}{\"id\":2,\"cmd\":\"stop\"}",
	    PROTO_E_BAD_JSON, NULL);
	refused("{'id':1,'cmd':'status'}", PROTO_E_BAD_JSON, NULL);
	refused("{\"id\":1,\"cmd\":\"status\",}", PROTO_E_BAD_JSON, NULL);

	/* NUL bytes: before, inside a string, after the object. */
	refused_len(garbage, sizeof(garbage), PROTO_E_BAD_JSON,
	    "line: byte 8: a NUL, not JSON");
	refused_len(nul_inside, sizeof(nul_inside) - 1, PROTO_E_BAD_JSON,
	    "line: byte 31: a NUL, not JSON");
	refused_len("{\"id\":1,\"cmd\":\"status\"}\0", 24, PROTO_E_BAD_JSON,
	    "line: byte 23: a NUL, not JSON");
	refused_len("\0", 1, PROTO_E_BAD_JSON, "line: byte 0: a NUL, not JSON");

	/*
	 * Not UTF-8: a stray byte, an overlong '/', a surrogate, past
	 * U+10FFFF, a cut character.
	 */
	refused("{\"id\":1,\"cmd\":\"mark\",\"label\":\"\xff\"}",
	    PROTO_E_BAD_JSON, "line: byte 30: not UTF-8");
	refused("{\"id\":1,\"cmd\":\"mark\",\"label\":\"\xc0\xaf\"}",
	    PROTO_E_BAD_JSON, "line: byte 30: not UTF-8");
	refused("{\"id\":1,\"cmd\":\"mark\",\"label\":\"\xed\xa0\x80\"}",
	    PROTO_E_BAD_JSON, "line: byte 30: not UTF-8");
	refused("{\"id\":1,\"cmd\":\"mark\",\"label\":\"\xf4\x90\x80\x80\"}",
	    PROTO_E_BAD_JSON, "line: byte 30: not UTF-8");
	refused("{\"id\":1,\"cmd\":\"mark\",\"label\":\"\xe2\x82\"}",
	    PROTO_E_BAD_JSON, "line: byte 30: not UTF-8");
	refused_len("{\"id\":1,\"cmd\":\"mark\",\"label\":\"\xe2\x82", 32,
	    PROTO_E_BAD_JSON, "line: byte 30: not UTF-8");
	/* An escaped lone surrogate is not a character either. */
	refused("{\"id\":1,\"cmd\":\"mark\",\"label\":\"\\ud800\"}",
	    PROTO_E_BAD_JSON, NULL);
	parse_ok("{\"id\":1,\"cmd\":\"mark\",\"label\":\"\\ud83c\\udfb5"
	    "\xf0\x9f\x8e\xb5\"}", &req);
	assert_string_equal(req.label, "\xf0\x9f\x8e\xb5\xf0\x9f\x8e\xb5");
	proto_req_done(&req);

	/* A line that does not end in NUL, in a buffer of exactly its size. */
	text = "{\"id\":1,\"cmd\":\"mark\",\"label\":\"end\"}";
	len = strlen(text);
	buf = malloc(len);
	assert_non_null(buf);
	memcpy(buf, text, len);
	{
		const char	*code = NULL;
		char		 msg[64];

		assert_int_equal(proto_parse_request(buf, len, &req, &code,
		    msg, sizeof(msg)), 0);
		assert_string_equal(req.label, "end");
		proto_req_done(&req);
		/* Cut short anywhere, it is a half line. */
		for (size_t n = 0; n < len; n++) {
			assert_int_equal(proto_parse_request(buf, n, &req,
			    &code, msg, sizeof(msg)), -EINVAL);
			assert_string_equal(code, PROTO_E_BAD_JSON);
			proto_req_done(&req);
		}
	}
	free(buf);

	/* The limit: 65535 bytes and the newline. */
	len = PROTO_LINE_MAX - 1;
	line = malloc(len + 1);
	assert_non_null(line);
	text = "{\"id\":1,\"cmd\":\"status\"}";
	memset(line, ' ', len);
	memcpy(line, text, strlen(text));
	line[len] = '\0';
	parse_ok(line, &req);
	proto_req_done(&req);
	free(line);
	len = PROTO_LINE_MAX;
	line = repeat(' ', len);
	memcpy(line, text, strlen(text));
	refused(line, PROTO_E_LINE_TOO_LONG,
	    "line: 65537 bytes: too long (at most 65536 with the newline)");
	free(line);
}

/* A set request whose value is depth nested lists. */
static char *
nested(size_t depth)
{
	const char	*head = "{\"id\":1,\"cmd\":\"set\",\"key\":\"k\","
			    "\"value\":";
	char		*s;
	size_t		 n, i;

	n = strlen(head) + 2 * depth + 2;
	s = malloc(n);
	assert_non_null(s);
	strcpy(s, head);
	n = strlen(head);
	for (i = 0; i < depth; i++)
		s[n++] = '[';
	for (i = 0; i < depth; i++)
		s[n++] = ']';
	s[n++] = '}';
	s[n] = '\0';
	return s;
}

static void
test_nesting_and_numbers(void **state)
{
	struct proto_req	 req;
	const char		*code;
	char			*line, *digits, msg[256];

	(void)state;
	line = nested(500);
	parse_ok(line, &req);
	assert_true(cJSON_IsArray(req.value));
	proto_req_done(&req);
	free(line);
	/* cJSON stops at 1000 levels; deeper is refused, not a crash. */
	line = nested(30000);
	refused(line, PROTO_E_BAD_JSON, NULL);
	free(line);

	/* A number too long for cJSON is refused, whatever the code. */
	digits = repeat('9', 400);
	line = fill("{\"id\":%s,\"cmd\":\"status\"}", digits, NULL);
	assert_int_equal(proto_parse_request(line, strlen(line), &req, &code,
	    msg, sizeof(msg)), -EINVAL);
	assert_null(req.id);
	proto_req_done(&req);
	free(line);
	line = fill("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":%s}", digits, NULL);
	assert_int_equal(proto_parse_request(line, strlen(line), &req, &code,
	    msg, sizeof(msg)), -EINVAL);
	proto_req_done(&req);
	free(line);
	free(digits);
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":-1e999}", "rate_hz: -inf: out of range (1..60)");
	bad("{\"id\":1,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":4294967297}",
	    "rate_hz: 4294967297: out of range (1..60)");
}

static void
test_nul_escapes(void **state)
{
	struct proto_req	 req;

	(void)state;
	error_line("{\"id\":1,\"cmd\":\"mark\",\"label\":\"a\\u0000b\"}",
	    "{\"id\":1,\"error\":{\"code\":\"bad_request\",\"message\":"
	    "\"label: \\\\u0000 in a string: not allowed\"}}\n");
	bad("{\"id\":1,\"cmd\":\"set\",\"key\":\"rotate_seconds\\u0000x\","
	    "\"value\":1}", "key: \\u0000 in a string: not allowed");
	bad("{\"id\":1,\"cmd\":\"set\",\"key\":\"k\",\"value\":[\"a\","
	    "{\"b\":\"\\u0000\"}]}", "value: \\u0000 in a string: not allowed");
	bad("{\"id\":1,\"cmd\":\"status\\u0000\"}",
	    "cmd: \\u0000 in a string: not allowed");
	/* In the id, or in a name, the id is not readable. */
	error_line("{\"id\":\"a\\u0000\",\"cmd\":\"status\"}",
	    "{\"id\":null,\"error\":{\"code\":\"bad_request\",\"message\":"
	    "\"id: \\\\u0000 in a string: not allowed\"}}\n");
	error_line("{\"id\":1,\"cmd\":\"mark\",\"label\\u0000x\":\"a\"}",
	    "{\"id\":null,\"error\":{\"code\":\"bad_request\",\"message\":"
	    "\"\\\"label\\\\\\\\u0000x\\\": \\\\u0000 in a string: "
	    "not allowed\"}}\n");
	error_line("{\"i\\u0064\":\"\\u0000\",\"cmd\":\"status\"}",
	    "{\"id\":null,\"error\":{\"code\":\"bad_request\",\"message\":"
	    "\"\\\"i\\\\\\\\u0064\\\": \\\\u0000 in a string: "
	    "not allowed\"}}\n");
	/* An escaped backslash before u0000 is text, not a NUL. */
	parse_ok("{\"id\":1,\"cmd\":\"mark\",\"label\":\"a\\\\u0000\"}", &req);
	assert_string_equal(req.label, "a\\u0000");
	proto_req_done(&req);
	parse_ok("{\"id\":1,\"cmd\":\"mark\",\"label\":\"\\\"\\\\\\u0001\"}",
	    &req);
	assert_string_equal(req.label, "\"\\\x01");
	proto_req_done(&req);
}

static void
test_msg_buffer(void **state)
{
	struct proto_req	 req;
	const char		*code = NULL;
	const char		*text = "{\"id\":1,\"cmd\":\"status\","
				    "\"label\":1}";
	char			 msg[8];

	(void)state;
	memset(msg, 'X', sizeof(msg));
	assert_int_equal(proto_parse_request(text, strlen(text), &req, &code,
	    msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "label: ");
	assert_string_equal(code, PROTO_E_BAD_REQUEST);
	proto_req_done(&req);
	assert_int_equal(proto_parse_request("{}", 2, &req, &code, NULL, 0),
	    -EINVAL);
	assert_string_equal(code, PROTO_E_BAD_REQUEST);
	proto_req_done(&req);
}

static void
test_req_done(void **state)
{
	struct proto_req	 req;
	const char		*code;
	char			 msg[64];

	(void)state;
	proto_req_done(NULL);
	parse_ok("{\"id\":1,\"cmd\":\"status\"}", &req);
	proto_req_done(&req);
	assert_null(req.root);
	assert_null(req.id);
	proto_req_done(&req);
	/* After any refusal, too: req is always left ready for done. */
	assert_int_equal(proto_parse_request("\xff", 1, &req, &code, msg,
	    sizeof(msg)), -EINVAL);
	assert_null(req.root);
	proto_req_done(&req);
	proto_req_done(&req);
	assert_int_equal(proto_parse_request("{\"id\":1,\"cmd\":\"x\"}", 18,
	    &req, &code, msg, sizeof(msg)), -EINVAL);
	assert_non_null(req.root);
	proto_req_done(&req);
	proto_req_done(&req);
}

static void
test_cmd_names(void **state)
{
	struct proto_req	 req;
	char			*line;
	int			 c;

	(void)state;
	assert_string_equal(proto_cmd_name(PROTO_STATUS), "status");
	assert_string_equal(proto_cmd_name(PROTO_UNSUBSCRIBE), "unsubscribe");
	assert_null(proto_cmd_name((enum proto_cmd)(PROTO_UNSUBSCRIBE + 1)));
	/* Every name parses back to its command. */
	for (c = PROTO_STATUS; c <= PROTO_UNSUBSCRIBE; c++) {
		if (c == PROTO_SET || c == PROTO_SUBSCRIBE ||
		    c == PROTO_UNSUBSCRIBE)
			continue;
		line = proto_request(c, proto_cmd_name((enum proto_cmd)c),
		    NULL);
		assert_non_null(line);
		line[strlen(line) - 1] = '\0';
		parse_ok(line, &req);
		assert_int_equal(req.cmd, c);
		assert_id_number(&req, c);
		proto_req_done(&req);
		free(line);
	}
}

static void
assert_line(char *line, const char *want)
{
	assert_non_null(line);
	assert_string_equal(line, want);
	free(line);
}

static void
test_hello(void **state)
{
	(void)state;
	assert_line(proto_hello("0.1.0", 8, 48000),
	    "{\"event\":\"hello\",\"protocol\":1,\"recd\":\"0.1.0\","
	    "\"channels\":8,\"rate\":48000}\n");
	assert_line(proto_hello("1.2.3-rc\"1", 1, 4294967295u),
	    "{\"event\":\"hello\",\"protocol\":1,\"recd\":\"1.2.3-rc\\\"1\","
	    "\"channels\":1,\"rate\":4294967295}\n");
}

static void
test_replies(void **state)
{
	struct proto_req	 req;
	cJSON			*r, *id;

	(void)state;
	parse_ok("{\"id\":4,\"cmd\":\"rotate\"}", &req);
	assert_line(proto_reply(req.id, cJSON_CreateObject()),
	    "{\"id\":4,\"result\":{}}\n");
	proto_req_done(&req);

	parse_ok("{\"id\":2,\"cmd\":\"start\"}", &req);
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "state", "recording");
	assert_line(proto_reply(req.id, r),
	    "{\"id\":2,\"result\":{\"state\":\"recording\"}}\n");
	proto_req_done(&req);

	parse_ok("{\"id\":14,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":20}", &req);
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "stream", "levels");
	cJSON_AddNumberToObject(r, "rate_hz", req.rate_hz);
	assert_line(proto_reply(req.id, r),
	    "{\"id\":14,\"result\":{\"stream\":\"levels\",\"rate_hz\":20}}\n");
	proto_req_done(&req);

	id = cJSON_CreateString("q\n1");
	assert_line(proto_reply(id, cJSON_CreateObject()),
	    "{\"id\":\"q\\n1\",\"result\":{}}\n");
	cJSON_Delete(id);
	assert_line(proto_reply(NULL, cJSON_CreateObject()),
	    "{\"id\":null,\"result\":{}}\n");
	/* A result that could not be made makes no line. */
	assert_null(proto_reply(NULL, NULL));

	error_line("{\"id\":2,\"cmd\":\"statu\"}",
	    "{\"id\":2,\"error\":{\"code\":\"unknown_command\",\"message\":"
	    "\"cmd \\\"statu\\\": unknown command\"}}\n");
	id = cJSON_CreateNumber(10);
	assert_line(proto_error(id, PROTO_E_BAD_OPTION, "rotate_seconds: a "
	    "string given, but the option takes an integer"),
	    "{\"id\":10,\"error\":{\"code\":\"bad_option\",\"message\":"
	    "\"rotate_seconds: a string given, but the option takes an "
	    "integer\"}}\n");
	cJSON_Delete(id);
	id = cJSON_CreateNumber(11);
	assert_line(proto_error(id, PROTO_E_NOT_RUNTIME,
	    "channels: cannot change while recd runs"),
	    "{\"id\":11,\"error\":{\"code\":\"not_runtime\",\"message\":"
	    "\"channels: cannot change while recd runs\"}}\n");
	cJSON_Delete(id);
	assert_line(proto_error(NULL, PROTO_E_LINE_TOO_LONG, "line: too long"),
	    "{\"id\":null,\"error\":{\"code\":\"line_too_long\",\"message\":"
	    "\"line: too long\"}}\n");
	error_line("{", "{\"id\":null,\"error\":{\"code\":\"bad_json\","
	    "\"message\":\"line: byte 1: not valid JSON\"}}\n");
}

static void
test_events(void **state)
{
	cJSON	*f, *a;

	(void)state;
	f = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(f, "peak_dbfs");
	cJSON_AddItemToArray(a, proto_dbfs(0.5f));
	cJSON_AddItemToArray(a, proto_dbfs(0.2371374f));
	cJSON_AddItemToArray(a, proto_dbfs(0.0f));
	a = cJSON_AddArrayToObject(f, "clip");
	cJSON_AddItemToArray(a, cJSON_CreateFalse());
	cJSON_AddItemToArray(a, cJSON_CreateTrue());
	cJSON_AddItemToArray(a, cJSON_CreateFalse());
	cJSON_AddNumberToObject(f, "dropped", 0);
	assert_line(proto_event("levels", f),
	    "{\"event\":\"levels\",\"peak_dbfs\":[-6.02,-12.5,null],"
	    "\"clip\":[false,true,false],\"dropped\":0}\n");

	/*
	 * PROTOCOL.md writes seconds as 1.0 and 300.0; cJSON prints the
	 * same numbers as 1 and 300.
	 */
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "path",
	    "/rec/2026-11-24/recd-20261124-100500.wav");
	cJSON_AddNumberToObject(f, "frames", 14400000);
	cJSON_AddNumberToObject(f, "seconds", 300.0);
	assert_line(proto_event("file_closed", f),
	    "{\"event\":\"file_closed\",\"path\":\"/rec/2026-11-24/"
	    "recd-20261124-100500.wav\",\"frames\":14400000,"
	    "\"seconds\":300}\n");
	f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "frames", 48000);
	cJSON_AddNumberToObject(f, "seconds", 1.0);
	cJSON_AddStringToObject(f, "cause",
	    "ring full, the writer fell behind");
	cJSON_AddNullToObject(f, "path");
	cJSON_AddNumberToObject(f, "frame", 123456);
	assert_line(proto_event("gap", f),
	    "{\"event\":\"gap\",\"frames\":48000,\"seconds\":1,\"cause\":"
	    "\"ring full, the writer fell behind\",\"path\":null,"
	    "\"frame\":123456}\n");

	assert_line(proto_event("jack_lost", NULL),
	    "{\"event\":\"jack_lost\"}\n");
	assert_line(proto_event("xrun", cJSON_CreateObject()),
	    "{\"event\":\"xrun\"}\n");
	/* Fields must be an object; anything else is consumed and refused. */
	assert_null(proto_event("xrun", cJSON_CreateArray()));
	assert_null(proto_event("xrun", cJSON_CreateNumber(1)));
}

static void
test_requests(void **state)
{
	struct proto_req	 req;
	cJSON			*a;
	char			*line;

	(void)state;
	assert_line(proto_request(1, "status", NULL),
	    "{\"id\":1,\"cmd\":\"status\"}\n");
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "stream", "levels");
	cJSON_AddNumberToObject(a, "rate_hz", 20);
	assert_line(proto_request(14, "subscribe", a),
	    "{\"id\":14,\"cmd\":\"subscribe\",\"stream\":\"levels\","
	    "\"rate_hz\":20}\n");
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "key", "rotate_seconds");
	cJSON_AddNumberToObject(a, "value", 60);
	line = proto_request(8, "set", a);
	assert_string_equal(line, "{\"id\":8,\"cmd\":\"set\",\"key\":"
	    "\"rotate_seconds\",\"value\":60}\n");
	/* What recctl sends, recd reads. */
	line[strlen(line) - 1] = '\0';
	parse_ok(line, &req);
	assert_int_equal(req.cmd, PROTO_SET);
	assert_string_equal(req.key, "rotate_seconds");
	assert_true(req.value->valuedouble == 60);
	proto_req_done(&req);
	free(line);
	assert_null(proto_request(1, "set", cJSON_CreateString("x")));
}

static void
test_dbfs(void **state)
{
	(void)state;
	assert_dbfs(1.0f, "0");
	assert_dbfs(0.5f, "-6.02");
	assert_dbfs(0.1f, "-20");
	assert_dbfs(2.0f, "6.02");
	assert_dbfs(0.001f, "-60");
	assert_dbfs(0.2371374f, "-12.5");
	/* Just under full scale rounds to 0, never to -0. */
	assert_dbfs(0.9999999f, "0");
	assert_dbfs(0.0f, "null");
	assert_dbfs(-0.0f, "null");
	assert_dbfs(-0.5f, "null");
	assert_dbfs(NAN, "null");
	/* The smallest float is still a level, not silence. */
	assert_dbfs(1.4e-45f, "-897.07");
	assert_dbfs(INFINITY, "200");
	assert_dbfs(3.4e38f, "200");
	assert_dbfs(1e10f, "200");
}

#define OOM_TRIES	1000	/* more allocations than any builder makes */

/* Allocations cJSON may still make; the hooks are set only in one test. */
static int	allocs_left;

static void *
failing_malloc(size_t n)
{
	if (allocs_left <= 0)
		return NULL;
	allocs_left--;
	return malloc(n);
}

static void
fail_after(int n)
{
	cJSON_Hooks	h = { failing_malloc, free };

	allocs_left = n;
	cJSON_InitHooks(&h);
}

static cJSON *
levels_fields(void)
{
	cJSON	*f;

	f = cJSON_CreateObject();
	assert_non_null(f);
	assert_non_null(cJSON_AddNumberToObject(f, "dropped", 3));
	assert_non_null(cJSON_AddStringToObject(f, "x", "y"));
	return f;
}

/*
 * Every builder, made to run out of memory at each of its allocations in
 * turn: NULL each time, its arguments consumed (ASan finds any leak), and
 * the right line once memory suffices.
 */
static void
test_out_of_memory(void **state)
{
	struct proto_req	 req;
	cJSON			*id, *a;
	char			*line, msg[64];
	const char		*code;
	const char		*text = "{\"id\":1,\"cmd\":\"mark\","
				    "\"label\":\"x\"}";
	int			 n, rc;

	(void)state;
	id = cJSON_CreateString("abc");
	assert_non_null(id);
	for (n = 0; n < OOM_TRIES; n++) {
		a = levels_fields();
		fail_after(n);
		line = proto_reply(id, a);
		cJSON_InitHooks(NULL);
		if (line != NULL)
			break;
	}
	assert_true(n > 0 && n < OOM_TRIES);
	assert_line(line, "{\"id\":\"abc\",\"result\":{\"dropped\":3,"
	    "\"x\":\"y\"}}\n");
	for (n = 0; n < OOM_TRIES; n++) {
		fail_after(n);
		line = proto_error(id, PROTO_E_INTERNAL, "m");
		cJSON_InitHooks(NULL);
		if (line != NULL)
			break;
	}
	assert_true(n > 0 && n < OOM_TRIES);
	assert_line(line, "{\"id\":\"abc\",\"error\":{\"code\":"
	    "\"internal\",\"message\":\"m\"}}\n");
	cJSON_Delete(id);
	for (n = 0; n < OOM_TRIES; n++) {
		a = levels_fields();
		fail_after(n);
		line = proto_event("levels", a);
		cJSON_InitHooks(NULL);
		if (line != NULL)
			break;
	}
	assert_true(n > 0 && n < OOM_TRIES);
	assert_line(line, "{\"event\":\"levels\",\"dropped\":3,"
	    "\"x\":\"y\"}\n");
	for (n = 0; n < OOM_TRIES; n++) {
		a = levels_fields();
		fail_after(n);
		line = proto_request(3, "status", a);
		cJSON_InitHooks(NULL);
		if (line != NULL)
			break;
	}
	assert_true(n > 0 && n < OOM_TRIES);
	assert_line(line, "{\"id\":3,\"cmd\":\"status\",\"dropped\":3,"
	    "\"x\":\"y\"}\n");
	for (n = 0; n < OOM_TRIES; n++) {
		fail_after(n);
		line = proto_hello("0.1.0", 2, 44100);
		cJSON_InitHooks(NULL);
		if (line != NULL)
			break;
	}
	assert_true(n > 0 && n < OOM_TRIES);
	assert_line(line, "{\"event\":\"hello\",\"protocol\":1,"
	    "\"recd\":\"0.1.0\",\"channels\":2,\"rate\":44100}\n");
	fail_after(0);
	a = proto_dbfs(0.5f);
	cJSON_InitHooks(NULL);
	assert_null(a);
	/* Parsing without memory refuses the line; it never crashes. */
	for (n = 0; n < OOM_TRIES; n++) {
		fail_after(n);
		rc = proto_parse_request(text, strlen(text), &req, &code, msg,
		    sizeof(msg));
		cJSON_InitHooks(NULL);
		if (rc == 0)
			break;
		assert_int_equal(rc, -EINVAL);
		assert_null(req.root);
		proto_req_done(&req);
	}
	assert_true(n > 0 && n < OOM_TRIES);
	assert_string_equal(req.label, "x");
	proto_req_done(&req);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_requests),
		cmocka_unit_test(test_rate_hz),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_mark_label),
		cmocka_unit_test(test_get_set),
		cmocka_unit_test(test_fields_not_taken),
		cmocka_unit_test(test_cmd),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_nesting_and_numbers),
		cmocka_unit_test(test_nul_escapes),
		cmocka_unit_test(test_msg_buffer),
		cmocka_unit_test(test_req_done),
		cmocka_unit_test(test_cmd_names),
		cmocka_unit_test(test_hello),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_dbfs),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
