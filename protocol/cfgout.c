/*
 * cfgout.c: the outputs of a take (cfgout.h).  Each element of the
 * option outputs is a JSON object, read by a small parser of its own
 * (common/ may not use cJSON, STYLE.md section 2), applied over a copy of
 * the main options through the typed setters, and checked.  Main thread;
 * cfg_outputs and cfg_outputs_same_shape touch no file and suit any
 * thread, cfg_outputs_dirs reads the filesystem (realpath).
 */
#include "cfgout.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUT_DEPTH	8	/* JSON nesting the parser follows */
#define OUT_SHOW	40	/* bytes of a user's text in a message */
#define OUT_CH_MAX	99999	/* a channel number parsed, at most */
#define OUT_CWD_MAX	(1 << 20)	/* bytes getcwd may take */

/* What an output may override, besides its name and channels_used. */
static const char *const out_keys[] = {
	"directory", "mode", "format", "flac_level", "opus_bitrate",
	"mp3_bitrate", "rotate_seconds", "rotate_align", "name_template",
	"gap_policy", "keep_hours", "keep_gb", "disk_warn_mb", "disk_min_mb",
	"description", NULL
};

/* A JSON value as the parser reads it. */
enum jv_type { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv {
	enum jv_type	 type;
	int		 b;		/* JV_BOOL */
	double		 num;		/* JV_NUMBER */
	char		*s;		/* JV_STRING, owned */
	char		*key;		/* a member's name, owned */
	struct jv	*kid;		/* JV_ARRAY, JV_OBJECT: n, owned */
	size_t		 n;
};

struct jp {
	const char	*text;
	const char	*p;		/* where the parser is */
	const char	*want;		/* what it wanted, where it stopped */
	int		 nomem;
};

static void
jv_free(struct jv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		jv_free(&v->kid[i]);
	free(v->kid);
	free(v->s);
	free(v->key);
	memset(v, 0, sizeof(*v));
}

static const char *
jv_kind(const struct jv *v)
{
	static const char *const kinds[] = {
		"null", "true or false", "a number", "a string", "a list",
		"an object"
	};

	return kinds[v->type];
}

static void
ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' ||
	    *j->p == '\r')
		j->p++;
}

static int
fail(struct jp *j, const char *want)
{
	j->want = want;
	return -1;
}

static int
hex4(const char *p, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++, p++) {
		*v <<= 4;
		if (*p >= '0' && *p <= '9')
			*v |= (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			*v |= (unsigned)(*p - 'a' + 10);
		else if (*p >= 'A' && *p <= 'F')
			*v |= (unsigned)(*p - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

static char *
put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80)
		*o++ = (char)cp;
	else if (cp < 0x800) {
		*o++ = (char)(0xc0 | cp >> 6);
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (char)(0xe0 | cp >> 12);
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xf0 | cp >> 18);
		*o++ = (char)(0x80 | (cp >> 12 & 0x3f));
		*o++ = (char)(0x80 | (cp >> 6 & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/*
 * A string at j->p (its opening quote), unescaped into a new C string; a
 * decoded string is never longer than its JSON text.  \u0000 is refused:
 * a C string cannot hold it.
 */
static char *
jp_string(struct jp *j)
{
	const char	*p = j->p + 1;
	char		*s, *o;
	unsigned	 cp, lo;

	while (*p != '"' && *p != '\0')
		p += *p == '\\' && p[1] != '\0' ? 2 : 1;
	if (*p != '"') {
		fail(j, "a closing '\"'");
		return NULL;
	}
	if ((s = malloc((size_t)(p - j->p))) == NULL) {
		j->nomem = 1;
		fail(j, "memory");
		return NULL;
	}
	for (o = s, p = j->p + 1; *p != '"'; ) {
		if ((unsigned char)*p < 0x20) {
			j->p = p;
			goto bad;
		}
		if (*p != '\\') {
			*o++ = *p++;
			continue;
		}
		j->p = p;
		switch (p[1]) {
		case '"': case '\\': case '/':
			*o++ = p[1];
			break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (hex4(p + 2, &cp) != 0 || cp == 0)
				goto bad;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				goto bad;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p[6] != '\\' || p[7] != 'u' ||
				    hex4(p + 8, &lo) != 0 || lo < 0xdc00 ||
				    lo > 0xdfff)
					goto bad;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			}
			o = put_utf8(o, cp);
			p += 4;
			break;
		default:
			goto bad;
		}
		p += 2;
	}
	*o = '\0';
	j->p = p + 1;
	return s;
bad:
	free(s);
	fail(j, "a character or an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t "
	    "\\uXXXX, not \\u0000)");
	return NULL;
}

static int
digits(const char **p)
{
	const char *s = *p;

	while (**p >= '0' && **p <= '9')
		(*p)++;
	return *p > s;
}

/* RFC 8259's number: strtod alone would take "+1", "0x1", "inf" too. */
static int
jp_number(struct jp *j, struct jv *v)
{
	const char *p = j->p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (!digits(&p))
		return fail(j, "a value");
	if (*p == '.') {
		p++;
		if (!digits(&p))
			return fail(j, "a digit after '.'");
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!digits(&p))
			return fail(j, "a digit in the exponent");
	}
	v->type = JV_NUMBER;
	v->num = strtod(j->p, NULL);
	j->p = p;
	return 0;
}

static int	jp_value(struct jp *, struct jv *, int);

/* The next element of an array or member of an object, zeroed. */
static struct jv *
jp_grow(struct jp *j, struct jv *v)
{
	struct jv *k;

	/* Doubling: n is a power of two whenever the array is full. */
	if ((v->n & (v->n - 1)) == 0) {
		k = realloc(v->kid, (v->n == 0 ? 1 : 2 * v->n) * sizeof(*k));
		if (k == NULL) {
			j->nomem = 1;
			fail(j, "memory");
			return NULL;
		}
		v->kid = k;
	}
	k = &v->kid[v->n++];
	memset(k, 0, sizeof(*k));
	return k;
}

static int
jp_container(struct jp *j, struct jv *v, int depth)
{
	struct jv	*k;
	char		 close = *j->p == '[' ? ']' : '}';

	v->type = close == ']' ? JV_ARRAY : JV_OBJECT;
	if (depth >= OUT_DEPTH)
		return fail(j, "less nesting");
	j->p++;
	ws(j);
	if (*j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		if ((k = jp_grow(j, v)) == NULL)
			return -1;
		if (close == '}') {
			if (*j->p != '"')
				return fail(j, "a member's name in quotes");
			if ((k->key = jp_string(j)) == NULL)
				return -1;
			ws(j);
			if (*j->p != ':')
				return fail(j, "':'");
			j->p++;
			ws(j);
		}
		if (jp_value(j, k, depth + 1) != 0)
			return -1;
		ws(j);
		if (*j->p == close) {
			j->p++;
			return 0;
		}
		if (*j->p != ',')
			return fail(j, close == ']' ? "',' or ']'" :
			    "',' or '}'");
		j->p++;
		ws(j);
	}
}

static int
jp_value(struct jp *j, struct jv *v, int depth)
{
	switch (*j->p) {
	case '{':
	case '[':
		return jp_container(j, v, depth);
	case '"':
		v->type = JV_STRING;
		return (v->s = jp_string(j)) != NULL ? 0 : -1;
	case 't':
	case 'f':
		v->type = JV_BOOL;
		v->b = *j->p == 't';
		if (strncmp(j->p, v->b ? "true" : "false", v->b ? 4 : 5) != 0)
			return fail(j, "a value");
		j->p += v->b ? 4 : 5;
		return 0;
	case 'n':
		if (strncmp(j->p, "null", 4) != 0)
			return fail(j, "a value");
		j->p += 4;
		return 0;
	default:
		return jp_number(j, v);
	}
}

/* The whole of text as one JSON value.  0, or -1 with j->want set. */
static int
jp_parse(struct jp *j, const char *text, struct jv *v)
{
	memset(v, 0, sizeof(*v));
	j->text = j->p = text;
	j->want = NULL;
	j->nomem = 0;
	ws(j);
	if (jp_value(j, v, 0) != 0)
		return -1;
	ws(j);
	if (*j->p != '\0')
		return fail(j, "the end of the text");
	return 0;
}

/*
 * At most OUT_SHOW bytes of a user's text for a message, control bytes as
 * '?' (the message goes to the log), "..." when cut.
 */
static const char *
show(char *buf, size_t len, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i < OUT_SHOW && i + 4 < len; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' :
		    s[i];
	if (s[i] != '\0' && i + 4 <= len)
		memcpy(buf + i, "...", 4);
	else
		buf[i] = '\0';
	return buf;
}

static int
refuse(char *err, size_t errlen, const char *who, const char *fmt, ...)
{
	va_list	ap;
	char	msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s: %s", who, msg);
	return -EINVAL;
}

/*
 * The message goes into the log: a control byte from a value (a path, a
 * name) becomes '?', as cfgjson does with the file's.
 */
static int
cleaned(char *err, int rc)
{
	char *p;

	for (p = err; rc != 0 && *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return rc;
}

static int
nomem(char *err, size_t errlen)
{
	snprintf(err, errlen, "outputs: %s", strerror(ENOMEM));
	return -ENOMEM;
}

int
cfg_out_key(const char *key)
{
	size_t i;

	if (strcmp(key, "name") == 0 || strcmp(key, "channels_used") == 0)
		return 1;
	for (i = 0; out_keys[i] != NULL; i++)
		if (strcmp(key, out_keys[i]) == 0)
			return 1;
	return 0;
}

/* name, channels_used and out_keys, for a message. */
static void
keys_text(char *buf, size_t len)
{
	size_t	n, i;

	n = (size_t)snprintf(buf, len, "name, channels_used");
	for (i = 0; out_keys[i] != NULL && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
		    out_keys[i + 1] != NULL ? ", " : " and ", out_keys[i]);
}

/* One override through the typed setter, as cfgjson_set would. */
static int
set_value(struct cfg *c, const struct cfg_opt *o, const struct jv *v,
    char *err, size_t errlen)
{
	static const char *const want[] = {
		"true or false", "an integer", "a number", "a string",
		"a string", "a list of strings"
	};

	if (o->type == CFG_BOOL && v->type == JV_BOOL)
		return cfg_set_bool(c, o, v->b, err, errlen);
	if ((o->type == CFG_INT || o->type == CFG_REAL) &&
	    v->type == JV_NUMBER)
		return cfg_set_number(c, o, v->num, err, errlen);
	if ((o->type == CFG_STRING || o->type == CFG_ENUM) &&
	    v->type == JV_STRING)
		return cfg_set_string(c, o, v->s, err, errlen);
	snprintf(err, errlen, "%s: %s given, but the option takes %s",
	    o->name, jv_kind(v), want[o->type]);
	return -EINVAL;
}

/* Decimal digits only, as cfg_check.c's channel lists. */
static const char *
channel_number(const char *s, unsigned long *ch)
{
	*ch = 0;
	if (*s < '0' || *s > '9')
		return NULL;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((*ch = *ch * 10 + (unsigned long)(*s - '0')) > OUT_CH_MAX)
			return NULL;
	return s;
}

/* Adds channel ch (from 1) to o, which has room for all channels. */
static int
add_channel(struct cfg_out *o, unsigned long ch, long nch,
    unsigned char *seen, char *err, size_t errlen, const char *who)
{
	if (ch < 1 || ch > (unsigned long)nch)
		return refuse(err, errlen, who, "channels_used: channel %lu "
		    "does not exist (channels is %ld)", ch, nch);
	if (seen[ch - 1])
		return refuse(err, errlen, who, "channels_used: channel %lu "
		    "given twice", ch);
	seen[ch - 1] = 1;
	o->ch[o->nch++] = (unsigned)(ch - 1);
	return 0;
}

/* "1-2,5": channels and ranges N-M (N < M), blanks allowed around them. */
static int
channels_text(struct cfg_out *o, const char *s, long nch,
    unsigned char *seen, char *err, size_t errlen, const char *who)
{
	const char	*p = s;
	char		 shown[64];
	unsigned long	 first, last, ch;
	int		 rc;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if ((p = channel_number(p, &first)) == NULL)
			break;
		last = first;
		if (*p == '-' && ((p = channel_number(p + 1, &last)) == NULL ||
		    last <= first))
			break;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ',' && *p != '\0')
			break;
		for (ch = first; ch <= last; ch++)
			if ((rc = add_channel(o, ch, nch, seen, err, errlen,
			    who)) != 0)
				return rc;
		if (*p++ == '\0')
			return 0;
	}
	return refuse(err, errlen, who, "channels_used: \"%s\": not channels "
	    "(N, or N-M with N < M, comma separated, from 1)",
	    show(shown, sizeof(shown), s));
}

/* channels_used: a list of channel numbers from 1, or a string. */
static int
read_channels(struct cfg_out *o, const struct jv *v, long nch, char *err,
    size_t errlen, const char *who)
{
	unsigned char	*seen;
	double		 x;
	size_t		 i;
	int		 rc = 0;

	if (v->type != JV_ARRAY && v->type != JV_STRING)
		return refuse(err, errlen, who, "channels_used: %s given, but "
		    "it takes a list of channel numbers or a string such as "
		    "\"1-2,5\"", jv_kind(v));
	if ((v->type == JV_ARRAY && v->n == 0) || (v->type == JV_STRING &&
	    v->s[strspn(v->s, " \t")] == '\0'))
		return refuse(err, errlen, who, "channels_used: empty; an "
		    "output records one channel at least");
	seen = calloc((size_t)nch, 1);
	free(o->ch);
	o->ch = calloc((size_t)nch, sizeof(*o->ch));
	o->nch = 0;
	if (seen == NULL || o->ch == NULL) {
		free(seen);
		return nomem(err, errlen);
	}
	if (v->type == JV_STRING)
		rc = channels_text(o, v->s, nch, seen, err, errlen, who);
	for (i = 0; v->type == JV_ARRAY && i < v->n && rc == 0; i++) {
		x = v->kid[i].num;
		/* In range before the cast: out of range, it is undefined. */
		if (v->kid[i].type != JV_NUMBER)
			rc = refuse(err, errlen, who, "channels_used[%zu]: %s "
			    "given, but a channel is a number from 1", i,
			    jv_kind(&v->kid[i]));
		else if (x > OUT_CH_MAX)
			rc = refuse(err, errlen, who, "channels_used: channel "
			    "%g does not exist (channels is %ld)", x, nch);
		else if (x < 1 || x != (double)(unsigned long)x)
			rc = refuse(err, errlen, who, "channels_used[%zu]: %g: "
			    "not a channel number (from 1)", i, x);
		else
			rc = add_channel(o, (unsigned long)x, nch, seen, err,
			    errlen, who);
	}
	free(seen);
	return rc;
}

/* The main output: every option as it is, every channel in order. */
static int
out_main(const struct cfg *c, struct cfg_out *o, char *err, size_t errlen)
{
	unsigned	i;
	int		rc;

	snprintf(o->name, sizeof(o->name), "main");
	if ((rc = cfg_copy(&o->cfg, c, err, errlen)) != 0)
		return rc;
	cfg_list_clear(&o->cfg, cfg_find("outputs"));
	if ((o->ch = calloc((size_t)c->channels, sizeof(*o->ch))) == NULL)
		return nomem(err, errlen);
	for (i = 0; i < (unsigned)c->channels; i++)
		o->ch[o->nch++] = i;
	return 0;
}

static int
name_ok(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_-");

	return n > 0 && n <= CFG_OUT_NAME_MAX && s[n] == '\0';
}

/* The name of output i (from 0) in root, an object; it names o. */
static int
read_name(const struct jv *root, size_t i, struct cfg_out *o, char *err,
    size_t errlen)
{
	const struct jv	*name = NULL;
	char		 who[32], shown[64];
	size_t		 k;

	snprintf(who, sizeof(who), "outputs[%zu]", i);
	for (k = 0; k < root->n; k++) {
		if (strcmp(root->kid[k].key, "name") != 0)
			continue;
		if (name != NULL)
			return refuse(err, errlen, who, "name: given twice");
		name = &root->kid[k];
	}
	if (name == NULL)
		return refuse(err, errlen, who, "name: missing; every output "
		    "has one");
	if (name->type != JV_STRING)
		return refuse(err, errlen, who, "name: %s given, but a name is "
		    "a string", jv_kind(name));
	if (!name_ok(name->s))
		return refuse(err, errlen, who, "name: \"%s\": not a name (1 "
		    "to %d of A-Z, a-z, 0-9, _ and -)",
		    show(shown, sizeof(shown), name->s), CFG_OUT_NAME_MAX);
	if (strcmp(name->s, "main") == 0)
		return refuse(err, errlen, who, "name: \"main\": the main "
		    "output's; give this one another");
	snprintf(o->name, sizeof(o->name), "%s", name->s);
	return 0;
}

/*
 * Output i (from 0) from its text: the main options c with its
 * overrides, checked on their own and against c's channels.
 */
static int
out_read(const struct cfg *c, const char *text, size_t i,
    struct cfg_out *o, char *err, size_t errlen)
{
	const struct cfg_opt	*opt;
	const struct jv		*m;
	struct jv		 root;
	struct jp		 j;
	char			 who[64], msg[512], shown[64], keys[512];
	size_t			 k, q;
	int			 rc;

	snprintf(who, sizeof(who), "outputs[%zu]", i);
	if (jp_parse(&j, text, &root) != 0) {
		jv_free(&root);
		if (j.nomem)
			return nomem(err, errlen);
		return refuse(err, errlen, who, "\"%s\": not valid JSON (%s "
		    "expected at byte %zu); an output is an object such as "
		    "{\"name\":\"b\",\"directory\":\"/mnt/b\"}",
		    show(shown, sizeof(shown), text), j.want,
		    (size_t)(j.p - j.text));
	}
	if (root.type != JV_OBJECT) {
		rc = refuse(err, errlen, who, "%s given, but an output is an "
		    "object such as {\"name\":\"b\",\"directory\":\"/mnt/b\"}",
		    jv_kind(&root));
		goto out;
	}
	if ((rc = read_name(&root, i, o, err, errlen)) != 0)
		goto out;
	snprintf(who, sizeof(who), "outputs: output \"%s\"", o->name);
	if ((rc = cfg_copy(&o->cfg, c, err, errlen)) != 0)
		goto out;
	cfg_list_clear(&o->cfg, cfg_find("outputs"));
	for (k = 0; k < root.n; k++) {
		m = &root.kid[k];
		show(shown, sizeof(shown), m->key);
		for (q = 0; q < k; q++)
			if (strcmp(root.kid[q].key, m->key) == 0)
				break;
		opt = cfg_find(m->key);
		if (opt != NULL && strcmp(opt->name, m->key) != 0)
			opt = NULL;
		if (q < k && strcmp(m->key, "name") != 0)
			rc = refuse(err, errlen, who, "%s: given twice",
			    shown);
		else if (strcmp(m->key, "name") == 0)
			continue;
		else if (strcmp(m->key, "channels_used") == 0)
			rc = read_channels(o, m, c->channels, err, errlen, who);
		else if (cfg_out_key(m->key)) {
			if ((rc = set_value(&o->cfg, opt, m, msg,
			    sizeof(msg))) != 0)
				refuse(err, errlen, who, "%s", msg);
		} else if (opt != NULL && cfg_list_objects(opt))
			rc = refuse(err, errlen, who, "%s: an output has no "
			    "outputs of its own", shown);
		else if (opt != NULL)
			rc = refuse(err, errlen, who, "%s: belongs to the "
			    "take, not to one output; set it beside outputs, "
			    "for every output", shown);
		else {
			keys_text(keys, sizeof(keys));
			rc = refuse(err, errlen, who, "%s: unknown key (an "
			    "output takes %s)", shown, keys);
		}
		if (rc != 0)
			goto out;
	}
	if (o->ch == NULL) {
		if ((o->ch = calloc((size_t)c->channels,
		    sizeof(*o->ch))) == NULL) {
			rc = nomem(err, errlen);
			goto out;
		}
		for (o->nch = 0; o->nch < (unsigned)c->channels; o->nch++)
			o->ch[o->nch] = o->nch;
	}
	if ((rc = cfg_check_files(&o->cfg, (long)o->nch, msg,
	    sizeof(msg))) != 0)
		refuse(err, errlen, who, "%s", msg);
out:
	jv_free(&root);
	return rc;
}

int
cfg_outputs(const struct cfg *c, struct cfg_out **vp, size_t *np,
    char *err, size_t errlen)
{
	struct cfg_out	*v;
	char		 who[64];
	size_t		 n = c->outputs.n + 1, i, k;
	int		 rc;

	*vp = NULL;
	*np = 0;
	if (n > CFG_OUT_MAX) {
		snprintf(err, errlen, "outputs: %zu outputs and the main one: "
		    "at most %d in all", n - 1, CFG_OUT_MAX);
		return -EINVAL;
	}
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return nomem(err, errlen);
	rc = out_main(c, &v[0], err, errlen);
	for (i = 1; i < n && rc == 0; i++) {
		rc = out_read(c, c->outputs.v[i - 1], i - 1, &v[i], err,
		    errlen);
		for (k = 1; k < i && rc == 0; k++) {
			if (strcmp(v[k].name, v[i].name) != 0)
				continue;
			snprintf(who, sizeof(who), "outputs: output \"%s\"",
			    v[i].name);
			rc = refuse(err, errlen, who, "name: given twice "
			    "(outputs[%zu] and outputs[%zu])", k - 1, i - 1);
		}
	}
	if (rc != 0) {
		cfg_outputs_free(v, n);
		return cleaned(err, rc);
	}
	*vp = v;
	*np = n;
	return 0;
}

void
cfg_outputs_free(struct cfg_out *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		cfg_done(&v[i].cfg);
		free(v[i].ch);
	}
	free(v);
}

/* The working directory, in a new string; NULL with errno. */
static char *
cwd_new(void)
{
	char	*buf = NULL, *b;
	size_t	 len;

	for (len = 256; len <= OUT_CWD_MAX; len *= 2) {
		if ((b = realloc(buf, len)) == NULL)
			break;
		buf = b;
		if (getcwd(buf, len) != NULL)
			return buf;
		if (errno != ERANGE)
			break;
	}
	free(buf);
	return NULL;
}

/*
 * dir as an absolute path with no "//", "." or trailing '/', and the
 * longest part of it that exists through realpath, so that neither a
 * symlink nor ".." hides where it leads; ".." in the part that does not
 * exist yet is taken from the text.  A new string, or NULL with errno.
 */
static char *
dir_real(const char *dir)
{
	char	*cwd = NULL, *full = NULL, *pre = NULL, *real = NULL;
	char	*out = NULL, **comp = NULL, *p, *slash, *save;
	size_t	 len, ncomp = 0, j, k;

	if (dir[0] != '/' && (cwd = cwd_new()) == NULL)
		return NULL;
	len = (cwd != NULL ? strlen(cwd) : 0) + strlen(dir) + 2;
	if ((full = malloc(len)) == NULL || (pre = malloc(len)) == NULL ||
	    (comp = calloc(len, sizeof(*comp))) == NULL)
		goto out;
	snprintf(full, len, "%s/%s", cwd != NULL ? cwd : "", dir);
	for (p = strtok_r(full, "/", &save); p != NULL;
	    p = strtok_r(NULL, "/", &save))
		if (strcmp(p, ".") != 0)
			comp[ncomp++] = p;
	/* The longest prefix that realpath takes: "/" at worst. */
	for (j = ncomp; ; j--) {
		pre[0] = '\0';
		for (k = 0; k < j; k++) {
			strcat(pre, "/");
			strcat(pre, comp[k]);
		}
		if ((real = realpath(j == 0 ? "/" : pre, NULL)) != NULL)
			break;
		if (j == 0 || errno == ENOMEM)
			goto out;
	}
	if ((out = malloc(strlen(real) + len)) == NULL)
		goto out;
	strcpy(out, real);
	for (k = j; k < ncomp; k++) {
		if (strcmp(comp[k], "..") == 0) {
			slash = strrchr(out, '/');
			slash[slash == out] = '\0';
			continue;
		}
		if (strcmp(out, "/") != 0)
			strcat(out, "/");
		strcat(out, comp[k]);
	}
out:
	free(real);
	free(comp);
	free(pre);
	free(full);
	free(cwd);
	return out;
}

/* Whether path b is a, or inside a. */
static int
dir_within(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (strcmp(a, "/") == 0)
		return 1;
	return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

/* " (directory "x" of "b")" when x is not what it leads to, else "". */
static void
given_text(char *buf, size_t len, const struct cfg_out *o, const char *real)
{
	buf[0] = '\0';
	if (strcmp(o->cfg.directory, real) != 0)
		snprintf(buf, len, "directory \"%s\" of \"%s\"",
		    o->cfg.directory, o->name);
}

/*
 * Every output writes into a directory of its own, none inside another's:
 * retention, the ledger, repair at start and the disk watch work on a
 * directory and all below it, so one output's retention would delete the
 * other's files.
 */
int
cfg_outputs_dirs(const struct cfg_out *v, size_t n, char *err,
    size_t errlen)
{
	char	*real[CFG_OUT_MAX] = { NULL }, ga[4200], gb[4200];
	size_t	 i, k, a, b;
	int	 rc = 0;

	assert(n <= CFG_OUT_MAX);
	if (n < 2)
		return 0;
	for (i = 0; i < n && rc == 0; i++)
		if ((real[i] = dir_real(v[i].cfg.directory)) == NULL)
			rc = refuse(err, errlen, "outputs", "output \"%s\": "
			    "directory \"%s\": %s", v[i].name,
			    v[i].cfg.directory, strerror(errno));
	for (i = 0; i < n && rc == 0; i++) {
		for (k = i + 1; k < n && rc == 0; k++) {
			given_text(ga, sizeof(ga), &v[i], real[i]);
			given_text(gb, sizeof(gb), &v[k], real[k]);
			if (strcmp(real[i], real[k]) == 0) {
				rc = refuse(err, errlen, "outputs", "outputs "
				    "\"%s\" and \"%s\" both write into %s%s%s"
				    "%s%s%s: each output needs a directory of "
				    "its own", v[i].name, v[k].name, real[i],
				    ga[0] != '\0' || gb[0] != '\0' ? " (" : "",
				    ga, ga[0] != '\0' && gb[0] != '\0' ?
				    ", " : "", gb, ga[0] != '\0' ||
				    gb[0] != '\0' ? ")" : "");
				continue;
			}
			if (dir_within(real[i], real[k])) {
				a = i;
				b = k;
			} else if (dir_within(real[k], real[i])) {
				a = k;
				b = i;
			} else
				continue;
			rc = refuse(err, errlen, "outputs", "output \"%s\": "
			    "directory %s is inside %s, where output \"%s\" "
			    "writes: each output needs a directory of its "
			    "own, none inside another's", v[b].name, real[b],
			    real[a], v[a].name);
		}
	}
	for (i = 0; i < n; i++)
		free(real[i]);
	return cleaned(err, rc);
}

int
cfgout_check(const struct cfg *c, char *err, size_t errlen)
{
	struct cfg_out	*v;
	size_t		 n;
	int		 rc;

	if ((rc = cfg_check(c, err, errlen)) != 0 || c->outputs.n == 0)
		return rc;
	if ((rc = cfg_outputs(c, &v, &n, err, errlen)) != 0)
		return rc;
	rc = cfg_outputs_dirs(v, n, err, errlen);
	cfg_outputs_free(v, n);
	return rc;
}

/* "1-3,5": o's channels from 1, consecutive ones as ranges. */
static void
channels_shown(char *buf, size_t len, const struct cfg_out *o)
{
	size_t		n = 0;
	unsigned	i, k;

	buf[0] = '\0';
	for (i = 0; i < o->nch && n < len; i = k) {
		for (k = i + 1; k < o->nch && o->ch[k] == o->ch[k - 1] + 1; k++)
			;
		if (k - i > 1)
			n += (size_t)snprintf(buf + n, len - n, "%s%u-%u",
			    i == 0 ? "" : ",", o->ch[i] + 1, o->ch[k - 1] + 1);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%u",
			    i == 0 ? "" : ",", o->ch[i] + 1);
	}
}

static void
names_shown(char *buf, size_t len, const struct cfg_out *v, size_t n)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 1; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
		    i == 1 ? "" : ", ", v[i].name);
}

static const struct cfg_out *
out_named(const struct cfg_out *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

int
cfg_outputs_same_shape(const struct cfg *a, const struct cfg *b, char *err,
    size_t errlen)
{
	struct cfg_out		*va = NULL, *vb = NULL;
	const struct cfg_out	*o;
	char			 x[256], y[256];
	size_t			 na = 0, nb = 0, i;
	int			 rc;

	if ((rc = cfg_outputs(a, &va, &na, err, errlen)) != 0 ||
	    (rc = cfg_outputs(b, &vb, &nb, err, errlen)) != 0)
		goto out;
	rc = -EINVAL;
	for (i = 1; i < nb; i++)
		if (out_named(va, na, vb[i].name) == NULL) {
			snprintf(err, errlen, "outputs: output \"%s\" is new",
			    vb[i].name);
			goto out;
		}
	for (i = 1; i < na; i++)
		if (out_named(vb, nb, va[i].name) == NULL) {
			snprintf(err, errlen, "outputs: output \"%s\" is gone",
			    va[i].name);
			goto out;
		}
	for (i = 1; i < nb; i++)
		if (strcmp(va[i].name, vb[i].name) != 0) {
			names_shown(x, sizeof(x), vb, nb);
			names_shown(y, sizeof(y), va, na);
			snprintf(err, errlen, "outputs: their order changed "
			    "(now %s; was %s)", x, y);
			goto out;
		}
	/* The main output's are channels, which the caller compares. */
	for (i = 1; i < nb; i++) {
		o = &va[i];
		if (o->nch == vb[i].nch && memcmp(o->ch, vb[i].ch,
		    o->nch * sizeof(*o->ch)) == 0)
			continue;
		channels_shown(x, sizeof(x), &vb[i]);
		channels_shown(y, sizeof(y), o);
		snprintf(err, errlen, "outputs: output \"%s\": its channels "
		    "changed (now %s; was %s)", o->name, x, y);
		goto out;
	}
	rc = 0;
out:
	cfg_outputs_free(va, na);
	cfg_outputs_free(vb, nb);
	return rc;
}
