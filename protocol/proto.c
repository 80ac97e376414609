/*
 * proto.c: the control protocol of PROTOCOL.md: requests checked field by
 * field, replies and events built as single lines.  Keeps no state, so it
 * runs on whichever thread calls it: the daemon's loop thread, or recctl.
 */
#include "proto.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROTO_SHOW_MAX	32	/* bytes of client text echoed in a message */
#define PROTO_SHOW_BUF	(PROTO_SHOW_MAX * 4 + 8)	/* \xNN, quotes, ... */
/*
 * A float peak is at most about 3.4e38 (+770 dB), or infinite: meters
 * need no more than "far over full scale", and a finite cap keeps the
 * number printable (cJSON prints infinity as null, which means silence).
 */
#define PROTO_DBFS_MAX	200.0	/* dB */

/* The fields a command may take, besides id and cmd. */
enum proto_field {
	PROTO_F_LABEL,
	PROTO_F_KEY,
	PROTO_F_VALUE,
	PROTO_F_TEXT,
	PROTO_F_STREAM,
	PROTO_F_RATE,
	PROTO_F_COUNT
};

static const char *const field_names[PROTO_F_COUNT] = {
	"label", "key", "value", "text", "stream", "rate_hz"
};

struct proto_cmd_info {
	const char	*name;
	unsigned	 fields;	/* bit (1 << enum proto_field) */
};

static const struct proto_cmd_info cmds[] = {
	[PROTO_STATUS] = { "status", 0 },
	[PROTO_START] = { "start", 0 },
	[PROTO_STOP] = { "stop", 0 },
	[PROTO_ROTATE] = { "rotate", 0 },
	[PROTO_MARK] = { "mark", 1u << PROTO_F_LABEL },
	[PROTO_GET] = { "get", 1u << PROTO_F_KEY },
	[PROTO_SET] = { "set", (1u << PROTO_F_KEY) | (1u << PROTO_F_VALUE) |
	    (1u << PROTO_F_TEXT) },
	[PROTO_OPTIONS] = { "options", 0 },
	[PROTO_PORTS] = { "ports", 0 },
	[PROTO_SUBSCRIBE] = { "subscribe", (1u << PROTO_F_STREAM) |
	    (1u << PROTO_F_RATE) },
	[PROTO_UNSUBSCRIBE] = { "unsubscribe", 1u << PROTO_F_STREAM }
};
#define PROTO_NCMDS	(sizeof(cmds) / sizeof(cmds[0]))

/* Where a refusal goes: the caller's code and message buffer. */
struct proto_why {
	const char	**code;
	char		 *msg;
	size_t		  msglen;
};

/* Where a \u0000 escape was found (see find_nul_escape). */
struct proto_nul {
	const char	*name;		/* raw bytes of the top-level name */
	size_t		 len;		/* bytes */
	int		 in_name;	/* in the name itself, not the value */
};

#if defined(__GNUC__)
static int refuse(struct proto_why *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));
#endif

static int
refuse(struct proto_why *w, const char *code, const char *fmt, ...)
{
	va_list	ap;

	if (w->code != NULL)
		*w->code = code;
	if (w->msg != NULL && w->msglen > 0) {
		va_start(ap, fmt);
		vsnprintf(w->msg, w->msglen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A field name that can be echoed bare: 1 to 32 bytes of [A-Za-z0-9_.-]. */
static int
is_plain(const char *s, size_t len)
{
	size_t	i;
	char	c;

	if (len == 0 || len > PROTO_SHOW_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-'))
			return 0;
	}
	return 1;
}

/*
 * Client text made fit to echo in a message: quoted (unless quote is 0
 * and the text is a plain name), printable ASCII kept and every other
 * byte written \xNN, cut after PROTO_SHOW_MAX bytes.  Escaping all of
 * the rest keeps messages one readable ASCII line, whatever was sent.
 */
static const char *
show(char buf[PROTO_SHOW_BUF], const char *s, size_t len, int quote)
{
	unsigned char	c;
	size_t		i, o = 0;

	if (!quote && is_plain(s, len)) {
		memcpy(buf, s, len);
		buf[len] = '\0';
		return buf;
	}
	buf[o++] = '"';
	for (i = 0; i < len && i < PROTO_SHOW_MAX; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c > 0x7e)
			o += (size_t)snprintf(buf + o, 5, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	if (len > PROTO_SHOW_MAX) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

const char *
proto_json_kind(const cJSON *v)
{
	if (cJSON_IsBool(v))
		return "true or false";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsArray(v))
		return "a list";
	if (cJSON_IsObject(v))
		return "an object";
	return "null";
}

/*
 * How many bytes of s are valid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF).  cJSON copies string bytes as they
 * come, and we echo ids and labels back, so a bad byte is refused here.
 */
static size_t
utf8_valid(const unsigned char *s, size_t len)
{
	size_t		i = 0, k, n;
	unsigned	c;

	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return i;
		if (len - i <= n)
			return i;
		for (k = 1; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
		if ((c == 0xe0 && s[i + 1] < 0xa0) ||
		    (c == 0xed && s[i + 1] > 0x9f) ||
		    (c == 0xf0 && s[i + 1] < 0x90) ||
		    (c == 0xf4 && s[i + 1] > 0x8f))
			return i;
		i += n + 1;
	}
	return len;
}

/* The raw length of the JSON string body at s, up to its closing quote. */
static size_t
raw_string_len(const char *s)
{
	const char	*p;

	for (p = s; *p != '"'; p++)
		if (*p == '\\')
			p++;
	return (size_t)(p - s);
}

/*
 * cJSON ends a string at its first \u0000, so "a\u0000b" would pass as
 * "a" (a label cut short, a key that matches when it should not).  This
 * finds such an escape in text, which must be valid JSON holding one
 * object, and says which member of that object it is in.  Returns 1 when
 * found.
 */
static int
find_nul_escape(const char *s, struct proto_nul *at)
{
	const char	*str = NULL, *name = NULL;
	size_t		 name_len = 0;
	int		 depth = 0, is_name = 0;
	char		 prev = '\0';

	for (; *s != '\0'; s++) {
		if (str != NULL) {
			if (*s == '\\') {
				if (strncmp(s + 1, "u0000", 5) == 0) {
					at->in_name = is_name;
					at->name = is_name ? str : name;
					at->len = is_name ?
					    raw_string_len(str) : name_len;
					return 1;
				}
				/* Valid JSON: an escape is never last. */
				s++;
			} else if (*s == '"') {
				if (is_name) {
					name = str;
					name_len = (size_t)(s - str);
				}
				str = NULL;
			}
			continue;
		}
		if (*s == '"') {
			str = s + 1;
			is_name = depth == 1 && (prev == '{' || prev == ',');
		} else if (*s == '{' || *s == '[')
			depth++;
		else if (*s == '}' || *s == ']')
			depth--;
		if ((unsigned char)*s > ' ')
			prev = *s;
	}
	return 0;
}

static int
check_id(const cJSON *id, int twice, struct proto_why *w)
{
	if (twice)
		return refuse(w, PROTO_E_BAD_REQUEST, "id: given twice");
	if (id == NULL)
		return refuse(w, PROTO_E_BAD_REQUEST, "id: missing");
	if (cJSON_IsString(id)) {
		if (strlen(id->valuestring) > PROTO_ID_MAX)
			return refuse(w, PROTO_E_BAD_REQUEST, "id: %zu bytes: "
			    "too long (at most %d)", strlen(id->valuestring),
			    PROTO_ID_MAX);
		return 0;
	}
	if (cJSON_IsNumber(id)) {
		/* 1e999 parses as infinity, which cJSON would send as null. */
		if (!isfinite(id->valuedouble))
			return refuse(w, PROTO_E_BAD_REQUEST,
			    "id: not a finite number");
		return 0;
	}
	return refuse(w, PROTO_E_BAD_REQUEST, "id: %s given, but it takes a "
	    "number or a string", proto_json_kind(id));
}

static int
check_cmd(struct proto_req *req, const cJSON *cmd, int twice,
    struct proto_why *w)
{
	char	buf[PROTO_SHOW_BUF];
	size_t	i;

	if (twice)
		return refuse(w, PROTO_E_BAD_REQUEST, "cmd: given twice");
	if (cmd == NULL)
		return refuse(w, PROTO_E_BAD_REQUEST, "cmd: missing");
	if (!cJSON_IsString(cmd))
		return refuse(w, PROTO_E_BAD_REQUEST, "cmd: %s given, but it "
		    "takes a string", proto_json_kind(cmd));
	for (i = 0; i < PROTO_NCMDS; i++)
		if (strcmp(cmd->valuestring, cmds[i].name) == 0) {
			req->cmd = (enum proto_cmd)i;
			return 0;
		}
	return refuse(w, PROTO_E_UNKNOWN_COMMAND, "cmd %s: unknown command",
	    show(buf, cmd->valuestring, strlen(cmd->valuestring), 1));
}

/* A string field: 0 with *s set, or a refusal naming the field. */
static int
check_string(const cJSON *v, const char *name, const char **s,
    struct proto_why *w)
{
	if (!cJSON_IsString(v))
		return refuse(w, PROTO_E_BAD_REQUEST, "%s: %s given, but it "
		    "takes a string", name, proto_json_kind(v));
	*s = v->valuestring;
	return 0;
}

static int
check_rate(const cJSON *v, int *rate_hz, struct proto_why *w)
{
	double	d;

	if (!cJSON_IsNumber(v))
		return refuse(w, PROTO_E_BAD_REQUEST, "rate_hz: %s given, but "
		    "it takes an integer (%d..%d)", proto_json_kind(v),
		    PROTO_RATE_MIN, PROTO_RATE_MAX);
	d = v->valuedouble;
	if (isfinite(d) && d != floor(d))
		return refuse(w, PROTO_E_BAD_REQUEST, "rate_hz: %.15g: not an "
		    "integer (%d..%d)", d, PROTO_RATE_MIN, PROTO_RATE_MAX);
	if (!(d >= PROTO_RATE_MIN && d <= PROTO_RATE_MAX))
		return refuse(w, PROTO_E_BAD_REQUEST, "rate_hz: %.15g: out of "
		    "range (%d..%d)", d, PROTO_RATE_MIN, PROTO_RATE_MAX);
	*rate_hz = (int)d;
	return 0;
}

/* stream, and rate_hz for subscribe. */
static int
check_stream(struct proto_req *req, const cJSON *f[PROTO_F_COUNT],
    struct proto_why *w)
{
	const char	*s = NULL;
	char		 buf[PROTO_SHOW_BUF];
	int		 rc;

	if (f[PROTO_F_STREAM] == NULL)
		return refuse(w, PROTO_E_BAD_REQUEST, "stream: missing");
	rc = check_string(f[PROTO_F_STREAM], "stream", &s, w);
	if (rc != 0)
		return rc;
	if (strcmp(s, "levels") == 0)
		req->stream = PROTO_LEVELS;
	else if (strcmp(s, "events") == 0)
		req->stream = PROTO_EVENTS;
	else
		return refuse(w, PROTO_E_BAD_REQUEST, "stream: %s: not levels "
		    "or events", show(buf, s, strlen(s), 1));
	/* unsubscribe never gets here with rate_hz: check_fields refused it. */
	if (req->cmd == PROTO_UNSUBSCRIBE)
		return 0;
	if (req->stream == PROTO_EVENTS) {
		if (f[PROTO_F_RATE] != NULL)
			return refuse(w, PROTO_E_BAD_REQUEST, "rate_hz: not "
			    "taken by the events stream");
		return 0;
	}
	req->rate_hz = PROTO_RATE_DEFAULT;
	if (f[PROTO_F_RATE] == NULL)
		return 0;
	return check_rate(f[PROTO_F_RATE], &req->rate_hz, w);
}

/*
 * Every member besides id and cmd: first that the command takes it, once,
 * then its type and range, then what is missing.
 */
static int
check_fields(struct proto_req *req, struct proto_why *w)
{
	const cJSON	*m, *f[PROTO_F_COUNT] = { NULL };
	const char	*name = cmds[req->cmd].name;
	char		 buf[PROTO_SHOW_BUF];
	size_t		 i;
	int		 rc;

	cJSON_ArrayForEach(m, req->root) {
		if (strcmp(m->string, "id") == 0 ||
		    strcmp(m->string, "cmd") == 0)
			continue;
		for (i = 0; i < PROTO_F_COUNT; i++)
			if (strcmp(m->string, field_names[i]) == 0)
				break;
		if (i == PROTO_F_COUNT || !(cmds[req->cmd].fields & (1u << i)))
			return refuse(w, PROTO_E_BAD_REQUEST, "%s: not taken "
			    "by %s", show(buf, m->string, strlen(m->string),
			    0), name);
		if (f[i] != NULL)
			return refuse(w, PROTO_E_BAD_REQUEST, "%s: given twice",
			    field_names[i]);
		f[i] = m;
	}

	switch (req->cmd) {
	case PROTO_MARK:
		if (f[PROTO_F_LABEL] == NULL)
			return 0;
		rc = check_string(f[PROTO_F_LABEL], "label", &req->label, w);
		if (rc != 0)
			return rc;
		if (strlen(req->label) > PROTO_LABEL_MAX) {
			rc = refuse(w, PROTO_E_BAD_REQUEST, "label: %zu bytes: "
			    "too long (at most %d)", strlen(req->label),
			    PROTO_LABEL_MAX);
			req->label = NULL;
		}
		return rc;
	case PROTO_GET:
		if (f[PROTO_F_KEY] == NULL)
			return 0;
		return check_string(f[PROTO_F_KEY], "key", &req->key, w);
	case PROTO_SET:
		if (f[PROTO_F_KEY] == NULL)
			return refuse(w, PROTO_E_BAD_REQUEST, "key: missing");
		rc = check_string(f[PROTO_F_KEY], "key", &req->key, w);
		if (rc != 0)
			return rc;
		if ((f[PROTO_F_VALUE] == NULL) == (f[PROTO_F_TEXT] == NULL))
			return refuse(w, PROTO_E_BAD_REQUEST,
			    "set: give one of value or text");
		req->value = f[PROTO_F_VALUE];
		if (f[PROTO_F_TEXT] == NULL)
			return 0;
		return check_string(f[PROTO_F_TEXT], "text", &req->text, w);
	case PROTO_SUBSCRIBE:
	case PROTO_UNSUBSCRIBE:
		return check_stream(req, f, w);
	default:
		return 0;
	}
}

int
proto_parse_request(const char *line, size_t len, struct proto_req *req,
    const char **code, char *msg, size_t msglen)
{
	struct proto_why	 w = { code, msg, msglen };
	struct proto_nul	 nul;
	const cJSON		*m, *id = NULL, *cmd = NULL;
	const char		*end = NULL, *nulp;
	char			*buf = NULL, shown[PROTO_SHOW_BUF];
	size_t			 at;
	int			 rc, id_twice = 0, cmd_twice = 0, has_nul;

	memset(req, 0, sizeof(*req));
	if (code != NULL)
		*code = NULL;
	if (msg != NULL && msglen > 0)
		msg[0] = '\0';

	/* The daemon cuts lines at this size; others are held to it too. */
	if (len >= PROTO_LINE_MAX) {
		rc = refuse(&w, PROTO_E_LINE_TOO_LONG, "line: %zu bytes: too "
		    "long (at most %d with the newline)", len + 1,
		    PROTO_LINE_MAX);
		goto out;
	}
	nulp = memchr(line, '\0', len);
	if (nulp != NULL) {
		rc = refuse(&w, PROTO_E_BAD_JSON, "line: byte %zu: a NUL, "
		    "not JSON", (size_t)(nulp - line));
		goto out;
	}
	at = utf8_valid((const unsigned char *)line, len);
	if (at < len) {
		rc = refuse(&w, PROTO_E_BAD_JSON, "line: byte %zu: not UTF-8",
		    at);
		goto out;
	}
	/* cJSON then reads a terminated copy, never past the line. */
	buf = malloc(len + 1);
	if (buf == NULL) {
		rc = -ENOMEM;
		if (code != NULL)
			*code = PROTO_E_INTERNAL;
		if (msg != NULL && msglen > 0)
			snprintf(msg, msglen, "line: %s", strerror(ENOMEM));
		goto out;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	req->root = cJSON_ParseWithOpts(buf, &end, 1);
	if (req->root == NULL) {
		if (strspn(buf, " \t\r\n") == len)
			rc = refuse(&w, PROTO_E_BAD_JSON, "line: empty, not a "
			    "JSON object");
		else
			rc = refuse(&w, PROTO_E_BAD_JSON, "line: byte %zu: not "
			    "valid JSON", end != NULL && end >= buf &&
			    end <= buf + len ? (size_t)(end - buf) : (size_t)0);
		goto out;
	}
	if (!cJSON_IsObject(req->root)) {
		rc = refuse(&w, PROTO_E_BAD_JSON, "line: %s, not a JSON "
		    "object", proto_json_kind(req->root));
		goto out;
	}

	cJSON_ArrayForEach(m, req->root) {
		if (strcmp(m->string, "id") == 0) {
			id_twice |= id != NULL;
			id = m;
		} else if (strcmp(m->string, "cmd") == 0) {
			cmd_twice |= cmd != NULL;
			cmd = m;
		}
	}
	/*
	 * A \u0000 in a name, or in a name we cannot read raw, may hide or
	 * fake an id; then the id is not readable.
	 */
	has_nul = find_nul_escape(buf, &nul);
	if (has_nul && (nul.in_name || memchr(nul.name, '\\', nul.len) !=
	    NULL || (nul.len == 2 && memcmp(nul.name, "id", 2) == 0))) {
		rc = refuse(&w, PROTO_E_BAD_REQUEST, "%s: \\u0000 in a string: "
		    "not allowed", show(shown, nul.name, nul.len, 0));
		goto out;
	}
	rc = check_id(id, id_twice, &w);
	if (rc != 0)
		goto out;
	req->id = id;
	if (has_nul) {
		rc = refuse(&w, PROTO_E_BAD_REQUEST, "%s: \\u0000 in a string: "
		    "not allowed", show(shown, nul.name, nul.len, 0));
		goto out;
	}
	rc = check_cmd(req, cmd, cmd_twice, &w);
	if (rc != 0)
		goto out;
	rc = check_fields(req, &w);
out:
	free(buf);
	return rc;
}

void
proto_req_done(struct proto_req *req)
{
	if (req == NULL)
		return;
	cJSON_Delete(req->root);
	memset(req, 0, sizeof(*req));
}

const char *
proto_cmd_name(enum proto_cmd cmd)
{
	if ((size_t)cmd >= PROTO_NCMDS)
		return NULL;
	return cmds[cmd].name;
}

/* Adds item to obj under key; item is consumed either way. */
static int
add(cJSON *obj, const char *key, cJSON *item)
{
	if (item == NULL)
		return -ENOMEM;
	if (!cJSON_AddItemToObject(obj, key, item)) {
		cJSON_Delete(item);
		return -ENOMEM;
	}
	return 0;
}

/* Moves every member of from (an object, or NULL) to the end of obj. */
static int
add_all(cJSON *obj, cJSON *from)
{
	cJSON	*m;
	int	 rc = 0;

	if (from == NULL)
		return 0;
	if (!cJSON_IsObject(from)) {
		cJSON_Delete(from);
		return -EINVAL;
	}
	while (rc == 0 && (m = from->child) != NULL) {
		cJSON_DetachItemViaPointer(from, m);
		/* cJSON copies the key before it frees m's own. */
		rc = add(obj, m->string, m);
	}
	cJSON_Delete(from);
	return rc;
}

/* obj as one line ending in '\n', malloc'd; obj is consumed. */
static char *
to_line(cJSON *obj)
{
	char	*s, *line = NULL;
	size_t	 n;

	if (obj == NULL)
		goto fail;
	s = cJSON_PrintUnformatted(obj);
	cJSON_Delete(obj);
	if (s == NULL)
		goto fail;
	/*
	 * Our own copy, so that the caller frees it with free() whatever
	 * hooks cJSON has.  cJSON escapes control characters in strings,
	 * so the only newline is ours.
	 */
	n = strlen(s);
	line = malloc(n + 2);
	if (line != NULL) {
		memcpy(line, s, n);
		line[n] = '\n';
		line[n + 1] = '\0';
	}
	cJSON_free(s);
	if (line != NULL)
		return line;
fail:
	errno = ENOMEM;
	return NULL;
}

/* {"id":id,key:item}; item is consumed. */
static char *
with_id(const cJSON *id, const char *key, cJSON *item)
{
	cJSON	*obj;

	obj = cJSON_CreateObject();
	if (obj == NULL || add(obj, "id", id != NULL ? cJSON_Duplicate(id, 1) :
	    cJSON_CreateNull()) != 0) {
		cJSON_Delete(item);
		cJSON_Delete(obj);
		return to_line(NULL);
	}
	if (add(obj, key, item) != 0) {
		cJSON_Delete(obj);
		return to_line(NULL);
	}
	return to_line(obj);
}

char *
proto_reply(const cJSON *id, cJSON *result)
{
	return with_id(id, "result", result);
}

char *
proto_error(const cJSON *id, const char *code, const char *message)
{
	cJSON	*err;

	err = cJSON_CreateObject();
	if (err == NULL || add(err, "code", cJSON_CreateString(code)) != 0 ||
	    add(err, "message", cJSON_CreateString(message)) != 0) {
		cJSON_Delete(err);
		return to_line(NULL);
	}
	return with_id(id, "error", err);
}

char *
proto_event(const char *name, cJSON *fields)
{
	cJSON	*obj;

	obj = cJSON_CreateObject();
	if (obj == NULL || add(obj, "event", cJSON_CreateString(name)) != 0) {
		cJSON_Delete(fields);
		cJSON_Delete(obj);
		return to_line(NULL);
	}
	if (add_all(obj, fields) != 0) {
		cJSON_Delete(obj);
		return to_line(NULL);
	}
	return to_line(obj);
}

char *
proto_hello(const char *version, unsigned channels, unsigned rate)
{
	cJSON	*obj;

	obj = cJSON_CreateObject();
	if (obj == NULL ||
	    add(obj, "event", cJSON_CreateString("hello")) != 0 ||
	    add(obj, "protocol", cJSON_CreateNumber(PROTO_VERSION)) != 0 ||
	    add(obj, "recd", cJSON_CreateString(version)) != 0 ||
	    add(obj, "channels", cJSON_CreateNumber(channels)) != 0 ||
	    add(obj, "rate", cJSON_CreateNumber(rate)) != 0) {
		cJSON_Delete(obj);
		return to_line(NULL);
	}
	return to_line(obj);
}

char *
proto_request(int id, const char *cmd, cJSON *args)
{
	cJSON	*obj;

	obj = cJSON_CreateObject();
	if (obj == NULL || add(obj, "id", cJSON_CreateNumber(id)) != 0 ||
	    add(obj, "cmd", cJSON_CreateString(cmd)) != 0) {
		cJSON_Delete(args);
		cJSON_Delete(obj);
		return to_line(NULL);
	}
	if (add_all(obj, args) != 0) {
		cJSON_Delete(obj);
		return to_line(NULL);
	}
	return to_line(obj);
}

/*
 * NaN and anything not above 0 are silence (null); the meter reports a
 * NaN sample through clip.  Peaks over PROTO_DBFS_MAX, infinity
 * included, are sent as PROTO_DBFS_MAX.
 */
cJSON *
proto_dbfs(float peak)
{
	double	db;

	if (!(peak > 0.0f))
		return cJSON_CreateNull();
	db = 20.0 * log10((double)peak);
	if (db > PROTO_DBFS_MAX)
		db = PROTO_DBFS_MAX;
	/* Adding 0.0 makes -0 (a peak a hair under full scale) plain 0. */
	return cJSON_CreateNumber(round(db * 100.0) / 100.0 + 0.0);
}

int
proto_cmd_watches(enum proto_cmd cmd)
{
	return cmd == PROTO_STATUS || cmd == PROTO_GET ||
	    cmd == PROTO_OPTIONS || cmd == PROTO_PORTS ||
	    cmd == PROTO_SUBSCRIBE || cmd == PROTO_UNSUBSCRIBE;
}
