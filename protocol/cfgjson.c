/*
 * cfgjson.c: the config file and option values as JSON.  Comments are
 * blanked out (newlines kept) before cJSON parses the text, so positions
 * and line numbers stay those of the file.  Main thread.
 */
#include "cfgjson.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static size_t
line_of(const char *text, const char *at)
{
	size_t line = 1;

	for (; text < at; text++)
		if (*text == '\n')
			line++;
	return line;
}

/*
 * Blanks // and block comments in place, outside strings; returns NULL, or
 * where an unterminated block comment starts.
 */
static char *
strip_comments(char *s, size_t len)
{
	char	*p, *end = s + len, *start;
	int	 in_str = 0;

	for (p = s; p < end; p++) {
		if (in_str) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '"')
				in_str = 0;
		} else if (*p == '"')
			in_str = 1;
		else if (*p == '/' && p + 1 < end && p[1] == '/') {
			for (; p < end && *p != '\n'; p++)
				*p = ' ';
		} else if (*p == '/' && p + 1 < end && p[1] == '*') {
			start = p;
			*p++ = ' ';
			*p++ = ' ';
			for (; p + 1 < end && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p != '\n')
					*p = ' ';
			if (p + 1 >= end)
				return start;
			p[0] = p[1] = ' ';
			p++;
		}
	}
	return NULL;
}

/* The line of the nth (from 0) member named key, or 0 when not found. */
static size_t
key_line(const char *text, const char *key, int nth)
{
	const char	*p = text, *q;
	size_t		 klen = strlen(key);

	while ((p = strchr(p, '"')) != NULL) {
		if (strncmp(p + 1, key, klen) == 0 && p[klen + 1] == '"') {
			for (q = p + klen + 2; *q == ' ' || *q == '\t' ||
			    *q == '\r' || *q == '\n'; q++)
				;
			if (*q == ':' && nth-- == 0)
				return line_of(text, p);
		}
		/* Skip the whole string, escapes included. */
		for (p++; *p != '\0' && *p != '"'; p++)
			if (*p == '\\' && p[1] != '\0')
				p++;
		if (*p == '\0')
			break;
		p++;
	}
	return 0;
}

static int
mistyped(const struct cfg_opt *o, const cJSON *v, char *err, size_t errlen)
{
	static const char *const want[] = {
		"true or false", "an integer", "a number", "a string",
		"a string", "a list of strings"
	};

	snprintf(err, errlen, "%s: %s given, but the option takes %s",
	    o->name, proto_json_kind(v), cfg_list_objects(o) ?
	    "a list of objects" : want[o->type]);
	return -EINVAL;
}

/*
 * One element of a list: a string, or for a list of objects (outputs) an
 * object, kept as its compact text.
 */
static int
list_add(struct cfg *c, const struct cfg_opt *o, const cJSON *e, int i,
    char *err, size_t errlen)
{
	char	*text;
	int	 rc;

	if (!cfg_list_objects(o)) {
		if (cJSON_IsString(e))
			return cfg_list_add(c, o, e->valuestring, err, errlen);
		snprintf(err, errlen, "%s[%d]: %s given, but the list holds "
		    "strings", o->name, i, proto_json_kind(e));
		return -EINVAL;
	}
	if (!cJSON_IsObject(e)) {
		snprintf(err, errlen, "%s[%d]: %s given, but the list holds "
		    "objects", o->name, i, proto_json_kind(e));
		return -EINVAL;
	}
	if ((text = cJSON_PrintUnformatted(e)) == NULL) {
		snprintf(err, errlen, "%s[%d]: %s", o->name, i,
		    strerror(ENOMEM));
		return -ENOMEM;
	}
	rc = cfg_list_add(c, o, text, err, errlen);
	cJSON_free(text);
	return rc;
}

int
cfgjson_set(struct cfg *c, const struct cfg_opt *o, const cJSON *v,
    char *err, size_t errlen)
{
	const cJSON	*e;
	struct cfg	 tmp;
	int		 i, rc;

	switch (o->type) {
	case CFG_BOOL:
		if (!cJSON_IsBool(v))
			return mistyped(o, v, err, errlen);
		return cfg_set_bool(c, o, cJSON_IsTrue(v), err, errlen);
	case CFG_INT:
	case CFG_REAL:
		if (!cJSON_IsNumber(v))
			return mistyped(o, v, err, errlen);
		return cfg_set_number(c, o, v->valuedouble, err, errlen);
	case CFG_STRING:
	case CFG_ENUM:
		if (!cJSON_IsString(v))
			return mistyped(o, v, err, errlen);
		return cfg_set_string(c, o, v->valuestring, err, errlen);
	case CFG_LIST:
		if (cJSON_IsString(v) && !cfg_list_objects(o))
			return cfg_set_text(c, o, v->valuestring, 0, err,
			    errlen);
		if (!cJSON_IsArray(v))
			return mistyped(o, v, err, errlen);
		/* Build the new list aside, so a bad element changes nothing. */
		rc = cfg_copy(&tmp, c, err, errlen);
		if (rc != 0)
			return rc;
		cfg_list_clear(&tmp, o);
		i = 0;
		cJSON_ArrayForEach(e, v) {
			rc = list_add(&tmp, o, e, i, err, errlen);
			if (rc != 0)
				break;
			i++;
		}
		if (rc == 0) {
			cfg_list_clear(c, o);
			memcpy((char *)c + o->off, (char *)&tmp + o->off,
			    sizeof(struct cfg_list));
			memset((char *)&tmp + o->off, 0,
			    sizeof(struct cfg_list));
		}
		cfg_done(&tmp);
		return rc;
	}
	return -EINVAL;
}

cJSON *
cfgjson_value(const struct cfg *c, const struct cfg_opt *o)
{
	const struct cfg_list	*l;
	cJSON			*a, *s;
	size_t			 i;

	switch (o->type) {
	case CFG_BOOL:
		return cJSON_CreateBool(*(const int *)cfg_ptr(c, o));
	case CFG_INT:
		return cJSON_CreateNumber(*(const long *)cfg_ptr(c, o));
	case CFG_REAL:
		return cJSON_CreateNumber(*(const double *)cfg_ptr(c, o));
	case CFG_STRING:
		return cJSON_CreateString(*(char *const *)cfg_ptr(c, o));
	case CFG_ENUM:
		return cJSON_CreateString(
		    o->choices[*(const int *)cfg_ptr(c, o)]);
	case CFG_LIST:
		l = cfg_ptr(c, o);
		a = cJSON_CreateArray();
		for (i = 0; a != NULL && i < l->n; i++) {
			/*
			 * An object as an object; text that is none (which
			 * cfg_check refuses) as the string it is.
			 */
			s = NULL;
			if (cfg_list_objects(o) && ((s = cJSON_Parse(
			    l->v[i])) == NULL || !cJSON_IsObject(s))) {
				cJSON_Delete(s);
				s = NULL;
			}
			if (s == NULL)
				s = cJSON_CreateString(l->v[i]);
			if (s == NULL || !cJSON_AddItemToArray(a, s)) {
				cJSON_Delete(s);
				cJSON_Delete(a);
				a = NULL;
			}
		}
		return a;
	}
	return NULL;
}

/*
 * Where cJSON gave up, as "config NAME:LINE: not valid JSON near "TEXT"":
 * at most 20 bytes of the rest of that line.  cJSON stops just past the
 * byte it could not take; when nothing but blanks follows on that line
 * (a trailing comma before "}", a file that ends early), the text is the
 * end of the last line that holds something, so the message still shows
 * the culprit.
 */
static void
syntax_error(const char *buf, const char *end, const char *name, char *err,
    size_t errlen)
{
	const char	*p, *q;
	size_t		 n;

	if (end == NULL)
		end = buf;
	for (p = end; *p == ' ' || *p == '\t' || *p == '\r'; p++)
		;
	if (*p != '\n' && *p != '\0') {
		n = strcspn(end, "\r\n");
		snprintf(err, errlen, "config %s:%zu: not valid JSON near "
		    "\"%.*s\"", name, line_of(buf, end), (int)(n < 20 ? n : 20),
		    end);
		return;
	}
	/* Back to the last byte that is not blank, then its line's start. */
	for (q = end; q > buf && (q[-1] == ' ' || q[-1] == '\t' ||
	    q[-1] == '\r' || q[-1] == '\n'); q--)
		;
	if (q == buf) {
		snprintf(err, errlen, "config %s: empty, where a JSON object "
		    "{...} is expected", name);
		return;
	}
	for (p = q; p > buf && p[-1] != '\n'; p--)
		;
	while (*p == ' ' || *p == '\t')
		p++;
	if (q - p > 20)
		p = q - 20;
	for (; *p == ' ' || *p == '\t'; p++)
		;
	snprintf(err, errlen, "config %s:%zu: not valid JSON near \"%.*s\"%s",
	    name, line_of(buf, q - 1), (int)(q - p), p, *end == '\0' ||
	    end[strspn(end, " \t\r\n")] == '\0' ? " (where the file ends)" :
	    "");
}

int
cfgjson_parse(struct cfg *c, const char *text, size_t len, const char *name,
    char *err, size_t errlen)
{
	const struct cfg_opt	*o;
	const cJSON		*m, *prev;
	const char		*end = NULL, *bad;
	cJSON			*root = NULL;
	char			*buf, *p, msg[512];
	size_t			 line;
	int			 nth, rc = 0;

	buf = malloc(len + 1);
	if (buf == NULL) {
		snprintf(err, errlen, "config %s: %s", name, strerror(errno));
		return -ENOMEM;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (strlen(buf) != len) {
		snprintf(err, errlen, "config %s:%zu: a NUL byte in the file",
		    name, line_of(buf, buf + strlen(buf)));
		rc = -EINVAL;
		goto out;
	}
	bad = strip_comments(buf, len);
	if (bad != NULL) {
		snprintf(err, errlen, "config %s:%zu: comment not closed",
		    name, line_of(buf, bad));
		rc = -EINVAL;
		goto out;
	}
	root = cJSON_ParseWithOpts(buf, &end, 1);
	if (root == NULL) {
		syntax_error(buf, end, name, err, errlen);
		rc = -EINVAL;
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "config %s: the file must hold one JSON "
		    "object {...}", name);
		rc = -EINVAL;
		goto out;
	}
	cJSON_ArrayForEach(m, root) {
		/* Which occurrence of this key is it, for its line? */
		nth = 0;
		for (prev = root->child; prev != m; prev = prev->next)
			if (strcmp(prev->string, m->string) == 0)
				nth++;
		line = key_line(buf, m->string, nth);
		o = cfg_find(m->string);
		if (nth > 0)
			snprintf(msg, sizeof(msg), "%s: given twice",
			    m->string);
		else if (o == NULL || strchr(m->string, '-') != NULL)
			snprintf(msg, sizeof(msg), "%s: unknown option "
			    "(recd --help lists them)", m->string);
		else if (cfgjson_set(c, o, m, msg, sizeof(msg)) == 0)
			continue;
		if (line > 0)
			snprintf(err, errlen, "config %s:%zu: %s", name, line,
			    msg);
		else
			snprintf(err, errlen, "config %s: %s", name, msg);
		rc = -EINVAL;
		goto out;
	}
out:
	/*
	 * Keys and values from the file go into the message, and the message
	 * into the log: a control byte there (an escape sequence for the
	 * terminal, a newline that forges a log line) becomes '?'.
	 */
	for (p = err; rc != 0 && *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	cJSON_Delete(root);
	free(buf);
	return rc;
}

int
cfgjson_load(struct cfg *c, const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	FILE		*f;
	char		*text;
	size_t		 n;
	int		 rc;

	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "config %s: open: %s", path,
		    strerror(errno));
		return rc;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > CFGJSON_MAX_BYTES) {
		snprintf(err, errlen, "config %s: not a regular file of at "
		    "most %d bytes", path, CFGJSON_MAX_BYTES);
		fclose(f);
		return -EINVAL;
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL) {
		snprintf(err, errlen, "config %s: %s", path, strerror(errno));
		fclose(f);
		return -ENOMEM;
	}
	n = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		rc = -EIO;
		snprintf(err, errlen, "config %s: read: %s", path,
		    strerror(errno));
	} else
		rc = cfgjson_parse(c, text, n, path, err, errlen);
	free(text);
	fclose(f);
	return rc;
}
