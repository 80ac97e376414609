/*
 * cfgout.c: the outputs of a take (cfgout.h).  Each element of the
 * option outputs is a JSON object, parsed by cJSON, applied over a copy
 * of the main options through cfgjson_set (as the config file's values
 * are), and checked.  Main thread; cfg_outputs and cfg_outputs_same_shape
 * touch no file and suit any thread (the writer runs cfg_outputs: nothing
 * here reads cJSON's global error pointer, though every cJSON parse still
 * resets it), cfg_outputs_dirs reads the filesystem (realpath).
 */
#include "cfgout.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "cfgjson.h"
#include "proto.h"

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
read_channels(struct cfg_out *o, const cJSON *v, long nch, char *err,
    size_t errlen, const char *who)
{
	const cJSON	*e;
	unsigned char	*seen;
	double		 x;
	size_t		 i = 0;
	int		 rc = 0;

	if (!cJSON_IsArray(v) && !cJSON_IsString(v))
		return refuse(err, errlen, who, "channels_used: %s given, but "
		    "it takes a list of channel numbers or a string such as "
		    "\"1-2,5\"", proto_json_kind(v));
	if ((cJSON_IsArray(v) && v->child == NULL) || (cJSON_IsString(v) &&
	    v->valuestring[strspn(v->valuestring, " \t")] == '\0'))
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
	if (cJSON_IsString(v))
		rc = channels_text(o, v->valuestring, nch, seen, err, errlen,
		    who);
	/* A string has no elements: this walks a list alone. */
	cJSON_ArrayForEach(e, v) {
		x = e->valuedouble;
		/* In range before the cast: out of range, it is undefined. */
		if (!cJSON_IsNumber(e))
			rc = refuse(err, errlen, who, "channels_used[%zu]: %s "
			    "given, but a channel is a number from 1", i,
			    proto_json_kind(e));
		else if (x > OUT_CH_MAX)
			rc = refuse(err, errlen, who, "channels_used: channel "
			    "%g does not exist (channels is %ld)", x, nch);
		else if (x < 1 || x != (double)(unsigned long)x)
			rc = refuse(err, errlen, who, "channels_used[%zu]: %g: "
			    "not a channel number (from 1)", i, x);
		else
			rc = add_channel(o, (unsigned long)x, nch, seen, err,
			    errlen, who);
		if (rc != 0)
			break;
		i++;
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

/*
 * The name of output i (from 0) in root, an object; it names o.  cJSON
 * keeps every member, a repeated one too, so "given twice" is seen here.
 */
static int
read_name(const cJSON *root, size_t i, struct cfg_out *o, char *err,
    size_t errlen)
{
	const cJSON	*m, *name = NULL;
	char		 who[32], shown[64];

	snprintf(who, sizeof(who), "outputs[%zu]", i);
	cJSON_ArrayForEach(m, root) {
		if (strcmp(m->string, "name") != 0)
			continue;
		if (name != NULL)
			return refuse(err, errlen, who, "name: given twice");
		name = m;
	}
	if (name == NULL)
		return refuse(err, errlen, who, "name: missing; every output "
		    "has one");
	if (!cJSON_IsString(name))
		return refuse(err, errlen, who, "name: %s given, but a name is "
		    "a string", proto_json_kind(name));
	if (!name_ok(name->valuestring))
		return refuse(err, errlen, who, "name: \"%s\": not a name (1 "
		    "to %d of A-Z, a-z, 0-9, _ and -)",
		    show(shown, sizeof(shown), name->valuestring),
		    CFG_OUT_NAME_MAX);
	if (strcmp(name->valuestring, "main") == 0)
		return refuse(err, errlen, who, "name: \"main\": the main "
		    "output's; give this one another");
	snprintf(o->name, sizeof(o->name), "%s", name->valuestring);
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
	const cJSON		*m, *q;
	const char		*end = NULL;
	cJSON			*root;
	char			 who[64], msg[512], shown[64], keys[512];
	int			 rc;

	snprintf(who, sizeof(who), "outputs[%zu]", i);
	/*
	 * Where cJSON stopped comes back through end, not its error pointer,
	 * which is one global for every thread.  A failed allocation reads
	 * as text that is not valid: cJSON does not tell the two apart.
	 */
	if ((root = cJSON_ParseWithOpts(text, &end, 1)) == NULL)
		return refuse(err, errlen, who, "\"%s\": not valid JSON (at "
		    "byte %zu); an output is an object such as "
		    "{\"name\":\"b\",\"directory\":\"/mnt/b\"}",
		    show(shown, sizeof(shown), text),
		    end != NULL ? (size_t)(end - text) : 0);
	if (!cJSON_IsObject(root)) {
		rc = refuse(err, errlen, who, "%s given, but an output is an "
		    "object such as {\"name\":\"b\",\"directory\":\"/mnt/b\"}",
		    proto_json_kind(root));
		goto out;
	}
	if ((rc = read_name(root, i, o, err, errlen)) != 0)
		goto out;
	snprintf(who, sizeof(who), "outputs: output \"%s\"", o->name);
	if ((rc = cfg_copy(&o->cfg, c, err, errlen)) != 0)
		goto out;
	cfg_list_clear(&o->cfg, cfg_find("outputs"));
	cJSON_ArrayForEach(m, root) {
		show(shown, sizeof(shown), m->string);
		for (q = root->child; q != m; q = q->next)
			if (strcmp(q->string, m->string) == 0)
				break;
		opt = cfg_find(m->string);
		if (opt != NULL && strcmp(opt->name, m->string) != 0)
			opt = NULL;
		if (q != m && strcmp(m->string, "name") != 0)
			rc = refuse(err, errlen, who, "%s: given twice",
			    shown);
		else if (strcmp(m->string, "name") == 0)
			continue;
		else if (strcmp(m->string, "channels_used") == 0)
			rc = read_channels(o, m, c->channels, err, errlen, who);
		else if (cfg_out_key(m->string)) {
			if ((rc = cfgjson_set(&o->cfg, opt, m, msg,
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
	cJSON_Delete(root);
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

void
cfg_outputs_names(const struct cfg_out *v, size_t n, char *buf, size_t len)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < n && at < len; i++)
		at += (size_t)snprintf(buf + at, len - at, "%s%s",
		    i == 0 ? "" : ", ", v[i].name);
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
			cfg_outputs_names(vb + 1, nb - 1, x, sizeof(x));
			cfg_outputs_names(va + 1, na - 1, y, sizeof(y));
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
