/*
 * proto.h: the control protocol's messages (PROTOCOL.md): requests parsed
 * and checked field by field, replies and events built as lines.  Used by
 * the daemon's main thread and by recctl.
 */
#ifndef RECD_PROTOCOL_PROTO_H
#define RECD_PROTOCOL_PROTO_H

#include <stddef.h>

#include <cJSON.h>

#define PROTO_VERSION		1
#define PROTO_LINE_MAX		65536	/* bytes of a client line, with \n */
#define PROTO_ID_MAX		256	/* bytes of a string id */
#define PROTO_LABEL_MAX		255	/* bytes of a mark label */
#define PROTO_RATE_MIN		1	/* levels events per second */
#define PROTO_RATE_MAX		60
#define PROTO_RATE_DEFAULT	10

/* The stable error codes of PROTOCOL.md. */
#define PROTO_E_BAD_JSON	"bad_json"
#define PROTO_E_BAD_REQUEST	"bad_request"
#define PROTO_E_UNKNOWN_COMMAND	"unknown_command"
#define PROTO_E_BAD_OPTION	"bad_option"
#define PROTO_E_NOT_RUNTIME	"not_runtime"
#define PROTO_E_BAD_STATE	"bad_state"
#define PROTO_E_LINE_TOO_LONG	"line_too_long"
#define PROTO_E_TOO_MANY	"too_many_clients"
#define PROTO_E_TOO_SLOW	"too_slow"
#define PROTO_E_INTERNAL	"internal"
#define PROTO_E_READ_ONLY	"read_only"

enum proto_cmd {
	PROTO_STATUS,
	PROTO_START,
	PROTO_STOP,
	PROTO_ROTATE,
	PROTO_MARK,
	PROTO_GET,
	PROTO_SET,
	PROTO_OPTIONS,
	PROTO_PORTS,
	PROTO_SUBSCRIBE,
	PROTO_UNSUBSCRIBE
};

enum proto_stream {
	PROTO_LEVELS,
	PROTO_EVENTS
};

/* A parsed request; every pointer points into root. */
struct proto_req {
	cJSON		*root;		/* owned; proto_req_done frees it */
	const cJSON	*id;		/* number or string, or NULL */
	enum proto_cmd	 cmd;
	const char	*label;		/* mark: may be NULL */
	const char	*key;		/* get (NULL: all), set */
	const cJSON	*value;		/* set: JSON value, or NULL */
	const char	*text;		/* set: command-line text, or NULL */
	enum proto_stream stream;	/* subscribe, unsubscribe */
	int		 rate_hz;	/* subscribe levels */
};

/*
 * Parses and checks one line (len bytes, no '\n'; need not end in NUL).
 * Returns 0, or -EINVAL with *code set to a PROTO_E_ string and the reason,
 * naming the field, in msg (-ENOMEM: code PROTO_E_INTERNAL); req->id is
 * still set when the id was readable, so that the error reply can carry
 * it.  Call proto_req_done either way.
 */
int	 proto_parse_request(const char *line, size_t len,
	    struct proto_req *req, const char **code, char *msg,
	    size_t msglen);
void	 proto_req_done(struct proto_req *);
/* The command's name, as in requests. */
const char *proto_cmd_name(enum proto_cmd);
/* 1 for the commands that only watch (what socket_readonly takes). */
int	 proto_cmd_watches(enum proto_cmd);

/*
 * Lines to send, each ending in '\n', malloc'd (the caller frees them), or
 * NULL when out of memory.  The cJSON arguments are consumed, even on
 * failure; id may be NULL (sent as null).
 */
char	*proto_reply(const cJSON *id, cJSON *result);
char	*proto_error(const cJSON *id, const char *code, const char *message);
char	*proto_event(const char *name, cJSON *fields);
char	*proto_hello(const char *version, unsigned channels, unsigned rate);
/* recctl: a request; args (may be NULL) are the command's fields. */
char	*proto_request(int id, const char *cmd, cJSON *args);

/* What kind of JSON value v is, for messages: "a string", "null", ... */
const char *proto_json_kind(const cJSON *v);

/* 20 log10(peak) rounded to 0.01 dB, or NULL JSON for silence (peak 0). */
cJSON	*proto_dbfs(float peak);

#endif
