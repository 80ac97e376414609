/*
 * fuzz_proto.c: libFuzzer target for the request parser.  Every input
 * must give either a request that survives a trip through the builders
 * and back, or a refusal whose message is one printable ASCII line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "proto.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A line from a builder: ends in its only newline, and is a JSON object. */
static void
check_line(char *line)
{
	cJSON	*v;
	size_t	 n;

	if (line == NULL)
		abort();
	n = strlen(line);
	if (n < 2 || line[n - 1] != '\n' || memchr(line, '\n', n - 1) != NULL)
		abort();
	v = cJSON_ParseWithLength(line, n);
	if (!cJSON_IsObject(v))
		abort();
	cJSON_Delete(v);
	free(line);
}

/* The request recctl would send for req, parsed again: the same command. */
static void
round_trip(const struct proto_req *req)
{
	struct proto_req	 again;
	const char		*code;
	char			 msg[256], *line;
	cJSON			*args;

	args = cJSON_Duplicate(req->root, 1);
	if (args == NULL)
		abort();
	cJSON_DeleteItemFromObjectCaseSensitive(args, "id");
	cJSON_DeleteItemFromObjectCaseSensitive(args, "cmd");
	line = proto_request(1, proto_cmd_name(req->cmd), args);
	if (line == NULL)
		abort();
	/* cJSON writes a raw control byte as \u00XX: the line may grow. */
	if (strlen(line) > PROTO_LINE_MAX) {
		free(line);
		return;
	}
	if (proto_parse_request(line, strlen(line) - 1, &again, &code, msg,
	    sizeof(msg)) != 0 || again.cmd != req->cmd ||
	    again.stream != req->stream || again.rate_hz != req->rate_hz ||
	    (again.label == NULL) != (req->label == NULL) ||
	    (again.label != NULL && strcmp(again.label, req->label) != 0) ||
	    (again.key == NULL) != (req->key == NULL) ||
	    (again.text == NULL) != (req->text == NULL) ||
	    (again.value == NULL) != (req->value == NULL))
		abort();
	proto_req_done(&again);
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_req	 req;
	const char		*code = NULL, *p;
	char			 msg[256];
	int			 rc;

	rc = proto_parse_request((const char *)data, size, &req, &code, msg,
	    sizeof(msg));
	if (rc == 0) {
		if (code != NULL || req.id == NULL ||
		    proto_cmd_name(req.cmd) == NULL)
			abort();
		if (req.label != NULL && strlen(req.label) > PROTO_LABEL_MAX)
			abort();
		if (req.cmd == PROTO_SET && (req.key == NULL ||
		    (req.value == NULL) == (req.text == NULL)))
			abort();
		if (req.cmd == PROTO_SUBSCRIBE && req.stream == PROTO_LEVELS &&
		    (req.rate_hz < PROTO_RATE_MIN ||
		    req.rate_hz > PROTO_RATE_MAX))
			abort();
		check_line(proto_reply(req.id, cJSON_Duplicate(req.root, 1)));
		round_trip(&req);
	} else {
		if (code == NULL || msg[0] == '\0')
			abort();
		for (p = msg; *p != '\0'; p++)
			if (*p < 0x20 || *p > 0x7e)
				abort();
		check_line(proto_error(req.id, code, msg));
	}
	proto_req_done(&req);
	proto_req_done(&req);
	return 0;
}
