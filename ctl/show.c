/*
 * show.c: recctl's printing (show.h).  One thread.
 */
#include "show.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "conn.h"

static char *fmt(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * A copy of s with control characters as '?': recd's strings may come
 * from any of its clients, and must not steer the terminal.
 */
static char *
clean_text(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			*d;
	size_t			 i, o = 0, n = strlen(s);

	d = malloc(n + 1);
	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (u[i] == 0xC2 && i + 1 < n && u[i + 1] >= 0x80 &&
		    u[i + 1] < 0xA0) {
			/* A C1 control in UTF-8. */
			d[o++] = '?';
			i++;
		} else if (u[i] < 0x20 || u[i] == 0x7F) {
			d[o++] = '?';
		} else {
			d[o++] = s[i];
		}
	}
	d[o] = '\0';
	return d;
}

void
print_clean(FILE *f, const char *s)
{
	char	*c = clean_text(s);

	fputs(c != NULL ? c : "?", f);
	free(c);
}

/*
 * A value for people: strings as they are, numbers and booleans as JSON,
 * anything else as compact JSON.  Malloc'd; NULL when out of memory.
 */
static char *
value_text(const cJSON *v)
{
	char	*s, *c;

	if (cJSON_IsString(v))
		return clean_text(v->valuestring);
	s = cJSON_PrintUnformatted(v);
	if (s == NULL)
		return NULL;
	c = clean_text(s);
	cJSON_free(s);
	return c;
}

/* As value_text, but an empty string shows as "" so that it is seen. */
static char *
value_shown(const cJSON *v)
{
	if (cJSON_IsString(v) && v->valuestring[0] == '\0')
		return strdup("\"\"");
	return value_text(v);
}


/* printf into a new string; NULL when out of memory. */
static char *
fmt(const char *f, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0 || (s = malloc((size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

/* "key: value" lines, aligned; values may span lines. */
struct kv {
	char		*key[64];	/* owned */
	char		*value[64];	/* owned */
	size_t		 n;
};

/* Takes value (NULL: out of memory, shown as "?"). */
static void
kv_add(struct kv *kv, const char *key, char *value)
{
	if (kv->n == sizeof(kv->key) / sizeof(kv->key[0])) {
		free(value);
		return;
	}
	kv->key[kv->n] = clean_text(key);
	kv->value[kv->n] = value;
	kv->n++;
}

static void
kv_print(struct kv *kv)
{
	const char	*v, *nl;
	size_t		 i, w = 0, len;

	for (i = 0; i < kv->n; i++) {
		len = kv->key[i] != NULL ? strlen(kv->key[i]) : 1;
		if (len > w)
			w = len;
	}
	for (i = 0; i < kv->n; i++) {
		printf("%s:%*s", kv->key[i] != NULL ? kv->key[i] : "?",
		    (int)(w - (kv->key[i] != NULL ? strlen(kv->key[i]) : 1)),
		    "");
		v = kv->value[i] != NULL ? kv->value[i] : "?";
		/* Lines after the first stand under the first. */
		while ((nl = strchr(v, '\n')) != NULL) {
			printf(" %.*s\n%*s", (int)(nl - v), v, (int)(w + 1),
			    "");
			v = nl + 1;
		}
		printf(" %s\n", v);
		free(kv->key[i]);
		free(kv->value[i]);
	}
	kv->n = 0;
}

static char *
fmt_seconds(double s)
{
	long	t = (long)s;

	if (s < 60.0)
		return fmt("%.1f s", s);
	return fmt("%.1f s (%ld:%02ld:%02ld)", s, t / 3600, t / 60 % 60,
	    t % 60);
}

/* ", no period for 3.2 s": how long JACK has not run recd. */
static const char *
fmt_age(double age, char *buf, size_t len)
{
	snprintf(buf, len, ", no period for %.1f s", age);
	return buf;
}

/* Decimal units, as disks are sold. */
static const char *
fmt_bytes(double b, char *buf, size_t len)
{
	if (b >= 1e9)
		snprintf(buf, len, "%.2f GB", b / 1e9);
	else
		snprintf(buf, len, "%.2f MB", b / 1e6);
	return buf;
}

double
num(const cJSON *obj, const char *key, int *ok)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(v)) {
		*ok = 0;
		return 0;
	}
	return v->valuedouble;
}

const char *
str(const cJSON *obj, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

void
print_json(const cJSON *v)
{
	char	*s = cJSON_PrintUnformatted(v);

	if (s == NULL) {
		fprintf(stderr, "recctl: out of memory\n");
		return;
	}
	printf("%s\n", s);
	cJSON_free(s);
}

static int
is_key(const char *k, const char *const *keys)
{
	for (; *keys != NULL; keys++)
		if (strcmp(k, *keys) == 0)
			return 1;
	return 0;
}

/*
 * With more than the main output, a line each: "output NAME: recording,
 * DIR, channels 1 2, single flac24, 12.0 s, 0 gaps, 1.20 GB free".
 */
static void
print_outputs(struct kv *kv, const cJSON *a)
{
	const cJSON	*o, *v;
	char		 b1[32], *s, *t, *key, *ch;
	double		 x, y, g;
	int		 ok, gok;

	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) < 2)
		return;
	cJSON_ArrayForEach(o, a) {
		ch = NULL;
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(o,
		    "channels")) {
			t = fmt("%s%s%.0f", ch != NULL ? ch : "", ch != NULL ?
			    " " : "", cJSON_IsNumber(v) ? v->valuedouble : 0);
			free(ch);
			ch = t;
		}
		ok = gok = 1;
		x = num(o, "seconds_recorded", &ok);
		g = num(o, "gaps", &gok);
		y = num(cJSON_GetObjectItemCaseSensitive(o, "disk"),
		    "free_bytes", &ok);
		s = clean_text(str(o, "directory") != NULL ?
		    str(o, "directory") : "?");
		t = fmt_seconds(x);
		key = fmt("output %s", str(o, "name") != NULL ?
		    str(o, "name") : "?");
		kv_add(kv, key != NULL ? key : "output", fmt("%s%s%s, %s, "
		    "channels %s, %s %s, %s, %.0f gaps, %s free",
		    str(o, "state") != NULL ? str(o, "state") : "?",
		    str(o, "paused") != NULL ? ": " : "",
		    str(o, "paused") != NULL ? str(o, "paused") : "",
		    s != NULL ? s : "?", ch != NULL ? ch : "?",
		    str(o, "mode") != NULL ? str(o, "mode") : "?",
		    str(o, "format") != NULL ? str(o, "format") : "?",
		    t != NULL ? t : "?", gok ? g : 0,
		    ok ? fmt_bytes(y, b1, sizeof(b1)) : "unknown"));
		free(key);
		free(s);
		free(t);
		free(ch);
	}
}

void
print_status(const cJSON *r)
{
	static const char *const known[] = { "state", "take", "files",
		"frames_written", "seconds_recorded", "dropped_frames", "gaps",
		"gap_frames", "xruns", "ring", "disk", "jack", "channels",
		"mode", "format", "uptime_seconds", "outputs", NULL };
	struct kv	 kv = { .n = 0 };
	const cJSON	*v, *o;
	char		 b1[32], b2[32], b3[32], *s, *t, *u;
	double		 x, y, z, age;
	int		 ok, aok;

	if (str(r, "state") != NULL)
		kv_add(&kv, "state", clean_text(str(r, "state")));
	o = cJSON_GetObjectItemCaseSensitive(r, "take");
	if (cJSON_IsNull(o)) {
		kv_add(&kv, "take", strdup("none"));
	} else if (cJSON_IsObject(o)) {
		ok = 1;
		x = num(o, "seconds", &ok);
		y = num(o, "frames", &ok);
		s = ok ? fmt_seconds(x) : NULL;
		t = str(o, "started") != NULL ?
		    clean_text(str(o, "started")) : NULL;
		kv_add(&kv, "take", ok && s != NULL ? fmt("started %s, %s, "
		    "%.0f frames", t != NULL ? t : "?", s, y) :
		    value_text(o));
		free(s);
		free(t);
	}
	o = cJSON_GetObjectItemCaseSensitive(r, "files");
	if (cJSON_IsArray(o)) {
		s = NULL;
		/* One a line. */
		cJSON_ArrayForEach(v, o) {
			t = value_text(v);
			u = fmt("%s%s%s", s != NULL ? s : "", s != NULL ?
			    "\n" : "", t != NULL ? t : "?");
			free(s);
			free(t);
			s = u;
		}
		kv_add(&kv, "files", s != NULL ? s : strdup("none"));
	}
	ok = 1;
	x = num(r, "seconds_recorded", &ok);
	y = num(r, "frames_written", &ok);
	if (ok) {
		s = fmt_seconds(x);
		kv_add(&kv, "recorded", fmt("%s, %.0f frames", s != NULL ?
		    s : "?", y));
		free(s);
	}
	ok = 1;
	x = num(r, "dropped_frames", &ok);
	if (ok)
		kv_add(&kv, "dropped", fmt("%.0f frames", x));
	ok = 1;
	x = num(r, "gaps", &ok);
	y = num(r, "gap_frames", &ok);
	if (ok)
		kv_add(&kv, "gaps", fmt("%.0f, %.0f frames missing", x, y));
	ok = 1;
	x = num(r, "xruns", &ok);
	if (ok)
		kv_add(&kv, "xruns", fmt("%.0f", x));
	o = cJSON_GetObjectItemCaseSensitive(r, "ring");
	ok = 1;
	x = num(o, "bytes", &ok);
	y = num(o, "fill", &ok);
	z = num(o, "high_water", &ok);
	if (ok && x > 0)
		kv_add(&kv, "ring", fmt("%s of %s used (%.1f %%), at most %s "
		    "(%.1f %%)", fmt_bytes(y, b1, sizeof(b1)),
		    fmt_bytes(x, b2, sizeof(b2)), 100.0 * y / x,
		    fmt_bytes(z, b3, sizeof(b3)), 100.0 * z / x));
	o = cJSON_GetObjectItemCaseSensitive(r, "disk");
	ok = 1;
	x = num(o, "free_bytes", &ok);
	if (cJSON_IsNull(o) || (cJSON_IsObject(o) && !ok &&
	    str(o, "path") == NULL)) {
		kv_add(&kv, "disk", strdup("unknown"));
	} else if (cJSON_IsObject(o)) {
		s = str(o, "path") != NULL ? clean_text(str(o, "path")) :
		    NULL;
		kv_add(&kv, "disk", fmt("%s%s%s free", s != NULL ? s : "",
		    s != NULL ? ": " : "", ok ? fmt_bytes(x, b1, sizeof(b1)) :
		    "unknown"));
		free(s);
	}
	o = cJSON_GetObjectItemCaseSensitive(r, "jack");
	if (cJSON_IsObject(o)) {
		v = cJSON_GetObjectItemCaseSensitive(o, "connected");
		ok = 1;
		aok = 1;
		x = num(o, "rate", &ok);
		y = num(o, "period", &ok);
		s = str(o, "client") != NULL ? clean_text(str(o, "client")) :
		    NULL;
		/* The age of the last period: said when it is news. */
		age = num(o, "last_period_age_seconds", &aok);
		if (cJSON_IsFalse(v))
			kv_add(&kv, "jack", strdup("not connected"));
		else if (ok)
			kv_add(&kv, "jack", fmt("connected as %s, %.0f Hz, "
			    "%.0f frames a period (%.1f ms)%s", s != NULL ? s :
			    "?", x, y, x > 0 ? 1000.0 * y / x : 0.0,
			    aok && age >= 1 ? fmt_age(age, b1, sizeof(b1)) :
			    ""));
		else
			kv_add(&kv, "jack", value_text(o));
		free(s);
	}
	ok = 1;
	x = num(r, "channels", &ok);
	if (ok)
		kv_add(&kv, "channels", fmt("%.0f", x));
	if (str(r, "mode") != NULL)
		kv_add(&kv, "mode", clean_text(str(r, "mode")));
	if (str(r, "format") != NULL)
		kv_add(&kv, "format", clean_text(str(r, "format")));
	ok = 1;
	x = num(r, "uptime_seconds", &ok);
	if (ok)
		kv_add(&kv, "uptime", fmt_seconds(x));
	print_outputs(&kv, cJSON_GetObjectItemCaseSensitive(r, "outputs"));
	/* Fields newer than this recctl, as they come. */
	cJSON_ArrayForEach(v, r) {
		if (v->string != NULL && !is_key(v->string, known))
			kv_add(&kv, v->string, value_shown(v));
	}
	kv_print(&kv);
}

static void
print_values(const cJSON *values)
{
	struct kv	 kv = { .n = 0 };
	const cJSON	*v;

	cJSON_ArrayForEach(v, values) {
		if (kv.n == sizeof(kv.key) / sizeof(kv.key[0])) {
			kv_print(&kv);
		}
		kv_add(&kv, v->string != NULL ? v->string : "?",
		    value_shown(v));
	}
	kv_print(&kv);
}

/* One cell of a table, owned. */
struct table {
	char		**cell;		/* rows x cols */
	size_t		  rows, cols;
};

static void
print_table(struct table *t)
{
	size_t	r, k, w[16] = { 0 }, len;

	for (r = 0; r < t->rows; r++)
		for (k = 0; k < t->cols && k < 16; k++) {
			len = t->cell[r * t->cols + k] != NULL ?
			    strlen(t->cell[r * t->cols + k]) : 1;
			if (len > w[k])
				w[k] = len;
		}
	for (r = 0; r < t->rows; r++) {
		for (k = 0; k < t->cols; k++) {
			const char *s = t->cell[r * t->cols + k];

			if (s == NULL)
				s = "?";
			if (k + 1 == t->cols)
				printf("%s\n", s);
			else
				printf("%-*s  ", (int)w[k], s);
		}
	}
}

static void
table_free(struct table *t)
{
	size_t	i;

	for (i = 0; t->cell != NULL && i < t->rows * t->cols; i++)
		free(t->cell[i]);
	free(t->cell);
}

static char *
option_range(const cJSON *o)
{
	const cJSON	*v, *choice;
	const char	*type = str(o, "type");
	char		*s = NULL, *t;
	int		 ok = 1;
	double		 lo, hi;

	v = cJSON_GetObjectItemCaseSensitive(o, "choices");
	if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(choice, v) {
			t = fmt("%s%s%s", s != NULL ? s : "", s != NULL ?
			    "|" : "", cJSON_IsString(choice) ?
			    choice->valuestring : "?");
			free(s);
			s = t;
		}
		t = clean_text(s != NULL ? s : "");
		free(s);
		return t;
	}
	lo = num(o, "min", &ok);
	hi = num(o, "max", &ok);
	if (!ok)
		return strdup("");
	if (type != NULL && (strcmp(type, "string") == 0 ||
	    strcmp(type, "list") == 0))
		return fmt("%g..%g bytes", lo, hi);
	return fmt("%g..%g", lo, hi);
}

void
print_options(const cJSON *r)
{
	const cJSON	*list, *o, *v;
	struct table	 t = { NULL, 0, 6 };
	size_t		 n, i = 0;
	const char	*s;

	list = cJSON_GetObjectItemCaseSensitive(r, "options");
	if (!cJSON_IsArray(list)) {
		print_json(r);
		return;
	}
	n = (size_t)cJSON_GetArraySize(list) + 1;
	t.cell = calloc(n * t.cols, sizeof(*t.cell));
	if (t.cell == NULL) {
		fprintf(stderr, "recctl: out of memory\n");
		return;
	}
	t.rows = n;
	t.cell[i++] = strdup("NAME");
	t.cell[i++] = strdup("TYPE");
	t.cell[i++] = strdup("DEFAULT");
	t.cell[i++] = strdup("RANGE");
	t.cell[i++] = strdup("RUNTIME");
	t.cell[i++] = strdup("HELP");
	cJSON_ArrayForEach(o, list) {
		s = str(o, "name");
		t.cell[i++] = clean_text(s != NULL ? s : "?");
		s = str(o, "type");
		t.cell[i++] = clean_text(s != NULL ? s : "?");
		v = cJSON_GetObjectItemCaseSensitive(o, "default");
		t.cell[i++] = v != NULL ? value_shown(v) : strdup("");
		t.cell[i++] = option_range(o);
		v = cJSON_GetObjectItemCaseSensitive(o, "runtime");
		t.cell[i++] = strdup(cJSON_IsTrue(v) ? "yes" : "no");
		s = str(o, "help");
		t.cell[i++] = clean_text(s != NULL ? s : "");
	}
	print_table(&t);
	table_free(&t);
}

void
print_ports(const cJSON *r)
{
	const cJSON	*list, *p, *src, *v;
	struct table	 t = { NULL, 0, 3 };
	size_t		 n, i = 0, k;
	char		*s, *u;
	int		 ok;

	list = cJSON_GetObjectItemCaseSensitive(r, "ports");
	if (!cJSON_IsArray(list)) {
		print_json(r);
		return;
	}
	n = (size_t)cJSON_GetArraySize(list);
	t.cell = calloc(n * t.cols + 1, sizeof(*t.cell));
	if (t.cell == NULL) {
		fprintf(stderr, "recctl: out of memory\n");
		return;
	}
	t.rows = n;
	cJSON_ArrayForEach(p, list) {
		ok = 1;
		t.cell[i++] = fmt("%.0f", num(p, "channel", &ok));
		t.cell[i++] = clean_text(str(p, "name") != NULL ?
		    str(p, "name") : "?");
		src = cJSON_GetObjectItemCaseSensitive(p, "sources");
		s = NULL;
		k = 0;
		cJSON_ArrayForEach(v, src) {
			u = fmt("%s%s%s", s != NULL ? s : "<- ",
			    k++ > 0 ? ", " : "", cJSON_IsString(v) ?
			    v->valuestring : "?");
			free(s);
			s = u;
		}
		if (s != NULL) {
			t.cell[i++] = clean_text(s);
			free(s);
		} else {
			t.cell[i++] = strdup("(not connected)");
		}
	}
	/* Channel numbers line up on the right. */
	for (i = 0, k = 0; i < n; i++)
		if (t.cell[i * 3] != NULL && strlen(t.cell[i * 3]) > k)
			k = strlen(t.cell[i * 3]);
	for (i = 0; i < n; i++) {
		s = t.cell[i * 3];
		if (s != NULL && strlen(s) < k) {
			t.cell[i * 3] = fmt("%*s", (int)k, s);
			free(s);
		}
	}
	print_table(&t);
	table_free(&t);
}

void
print_state(const cJSON *r)
{
	const char	*s = str(r, "state");

	if (s != NULL) {
		fputs("state: ", stdout);
		print_clean(stdout, s);
		fputc('\n', stdout);
	}
}

void
print_get(const cJSON *r)
{
	const cJSON	*v;
	char		*s;

	v = cJSON_GetObjectItemCaseSensitive(r, "values");
	if (cJSON_IsObject(v)) {
		print_values(v);
		return;
	}
	v = cJSON_GetObjectItemCaseSensitive(r, "value");
	if (v == NULL) {
		print_json(r);
		return;
	}
	/* Just the value, for $(recctl get directory). */
	s = value_text(v);
	printf("%s\n", s != NULL ? s : "?");
	free(s);
}

void
print_set(const cJSON *r)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(r, "value");
	struct kv	 kv = { .n = 0 };

	if (str(r, "key") == NULL || v == NULL) {
		print_json(r);
		return;
	}
	kv_add(&kv, str(r, "key"), value_shown(v));
	kv_print(&kv);
}

/* Flushes stdout; a reader that went away (| head) ends the stream. */
int
out_flush(void)
{
	if (fflush(stdout) == 0)
		return RC_OK;
	if (errno == EPIPE)
		return RC_STOPPED;
	fprintf(stderr, "recctl: stdout: %s\n", strerror(errno));
	return RC_REFUSED;
}

/* A string for one line: as it is when it has no space, else as JSON. */
void
print_word(const cJSON *v)
{
	const char	*s;
	char		*j;

	if (cJSON_IsString(v)) {
		for (s = v->valuestring; *s != '\0'; s++)
			if (*s == ' ' || *s == '"' || *s == '=' ||
			    (unsigned char)*s < 0x20)
				break;
		if (*s == '\0' && v->valuestring[0] != '\0') {
			print_clean(stdout, v->valuestring);
			return;
		}
	}
	j = cJSON_PrintUnformatted(v);
	print_clean(stdout, j != NULL ? j : "?");
	cJSON_free(j);
}
