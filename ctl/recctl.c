/*
 * recctl.c: the command-line client of recd's control socket
 * (protocol/PROTOCOL.md): one request and its reply, or a stream of events
 * or level meters until Ctrl-C.  One thread, blocking I/O.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "cfg.h"
#include "meter.h"
#include "proto.h"

/* Exit statuses, as --help tells them. */
#define RC_OK		0
#define RC_REFUSED	1	/* recd answered with an error */
#define RC_USAGE	2
#define RC_CONN		3	/* recd unreachable, gone or not making sense */
/* Not an exit status: Ctrl-C or SIGTERM ended a stream (exit 0). */
#define RC_STOPPED	(-1)

/*
 * recd's lines are short but for options and get, which grow with the
 * option table; past this something is wrong on the other end.
 */
#define CONN_LINE_MAX	(4u << 20)	/* bytes */
#define CONN_BUF_MIN	65536		/* bytes first allocated */
#define METER_RATE_HZ	20		/* levels events asked for */
#define TTY_COLS	80		/* when the terminal does not say */
#define TTY_ROWS	24

struct opts {
	const char	*socket;	/* --socket, or NULL */
	int		 json;		/* --json */
	char		**args;		/* the command's arguments */
	int		 nargs;
};

struct conn {
	int		 fd;
	const char	*path;		/* the socket's, for messages */
	char		*buf;		/* what was read and not yet used */
	size_t		 cap;		/* bytes of buf */
	size_t		 len;		/* bytes in buf */
	size_t		 off;		/* where the next line starts */
	size_t		 scan;		/* bytes from off known to hold no \n */
	int		 id;		/* the last request's */
	cJSON		*hello;		/* the greeting */
};

struct command {
	const char	*name;
	const char	*args;		/* for the usage text */
	int		 min, max;	/* arguments */
	int		(*run)(struct conn *, const struct opts *);
	const char	*help;
};

/*
 * Signals reach the loops through a pipe that poll watches with the
 * socket (the self-pipe trick), so none is lost between a check and a
 * blocking call.  A handler can reach only globals: these are all.
 */
static int			wake_fd[2] = { -1, -1 };
static volatile sig_atomic_t	got_stop;	/* SIGINT, SIGTERM */
static volatile sig_atomic_t	got_winch;	/* SIGWINCH */

static void
on_signal(int sig)
{
	int	saved = errno;

	if (sig == SIGWINCH)
		got_winch = 1;
	else
		got_stop = 1;
	if (wake_fd[1] >= 0)
		(void)write(wake_fd[1], "", 1);
	errno = saved;
}

/* Ctrl-C, SIGTERM and SIGWINCH wake conn_line; for the streams only. */
static int
signals_catch(void)
{
	struct sigaction	sa;
	int			i, fl;

	if (pipe(wake_fd) != 0) {
		fprintf(stderr, "recctl: pipe: %s\n", strerror(errno));
		return RC_REFUSED;
	}
	for (i = 0; i < 2; i++) {
		fl = fcntl(wake_fd[i], F_GETFL);
		fcntl(wake_fd[i], F_SETFL, fl | O_NONBLOCK);
		fcntl(wake_fd[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* Restarted: only poll needs to see them, and it always does. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGWINCH, &sa, NULL);
	return RC_OK;
}

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

static void
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

#if defined(__GNUC__)
static char *fmt(const char *, ...) __attribute__((format(printf, 1, 2)));
#endif

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

static double
num(const cJSON *obj, const char *key, int *ok)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!cJSON_IsNumber(v)) {
		*ok = 0;
		return 0;
	}
	return v->valuedouble;
}

static const char *
str(const cJSON *obj, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The connection. */

static int
conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un	sun;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->fd = -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (c->fd < 0)
		goto fail;
	if (connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		goto fail;
	return RC_OK;
fail:
	fprintf(stderr, "recctl: cannot connect to recd at %s: %s\n", path,
	    strerror(errno));
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	return RC_CONN;
}

static void
conn_close(struct conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	cJSON_Delete(c->hello);
	c->fd = -1;
	c->buf = NULL;
	c->hello = NULL;
}

static int
conn_closed(const struct conn *c)
{
	fprintf(stderr, "recctl: recd at %s closed the connection\n",
	    c->path);
	return RC_CONN;
}

/*
 * The next line from recd, its '\n' replaced by a NUL, valid until the
 * next call.  Returns 1, 0 when recd closed the connection (a last line
 * without '\n' counts as cut short), -EINTR when a signal arrived
 * (got_stop, got_winch), -EMSGSIZE past CONN_LINE_MAX, or -errno.
 */
static int
conn_line(struct conn *c, char **line)
{
	struct pollfd	 pfd[2];
	char		*nl, *nbuf, drain[64];
	size_t		 ncap;
	ssize_t		 n;

	for (;;) {
		nl = c->buf == NULL ? NULL : memchr(c->buf + c->off + c->scan,
		    '\n', c->len - c->off - c->scan);
		if (nl != NULL) {
			*nl = '\0';
			*line = c->buf + c->off;
			c->off = (size_t)(nl + 1 - c->buf);
			c->scan = 0;
			return 1;
		}
		c->scan = c->len - c->off;
		if (c->off > 0) {
			memmove(c->buf, c->buf + c->off, c->len - c->off);
			c->len -= c->off;
			c->off = 0;
		}
		if (c->len >= CONN_LINE_MAX)
			return -EMSGSIZE;
		if (c->len == c->cap) {
			ncap = c->cap == 0 ? CONN_BUF_MIN : c->cap * 2;
			if (ncap > CONN_LINE_MAX)
				ncap = CONN_LINE_MAX;
			nbuf = realloc(c->buf, ncap);
			if (nbuf == NULL)
				return -ENOMEM;
			c->buf = nbuf;
			c->cap = ncap;
		}
		if (wake_fd[0] >= 0) {
			pfd[0].fd = c->fd;
			pfd[0].events = POLLIN;
			pfd[1].fd = wake_fd[0];
			pfd[1].events = POLLIN;
			if (poll(pfd, 2, -1) < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			if (pfd[1].revents != 0) {
				while (read(wake_fd[0], drain,
				    sizeof(drain)) > 0)
					;
				return -EINTR;
			}
		}
		n = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c->len += (size_t)n;
	}
}

/* Says what went wrong with a conn_line result; returns the exit status. */
static int
conn_failed(const struct conn *c, int r)
{
	if (r == 0 || r == -ECONNRESET)
		return conn_closed(c);
	if (r == -EMSGSIZE)
		fprintf(stderr, "recctl: recd at %s: a line longer than %u "
		    "bytes\n", c->path, CONN_LINE_MAX);
	else
		fprintf(stderr, "recctl: recd at %s: read: %s\n", c->path,
		    strerror(-r));
	return RC_CONN;
}

/* A line from recd as a JSON object, or NULL after saying so. */
static cJSON *
conn_parse(const struct conn *c, const char *line)
{
	cJSON	*msg = cJSON_Parse(line);

	if (cJSON_IsObject(msg))
		return msg;
	cJSON_Delete(msg);
	fprintf(stderr, "recctl: recd at %s: sent a line that is not a JSON "
	    "object: ", c->path);
	print_clean(stderr, line);
	fputc('\n', stderr);
	return NULL;
}

/* An error reply as "recctl: CODE: MESSAGE". */
static int
refused(const cJSON *err)
{
	const char	*code = str(err, "code"), *msg = str(err, "message");

	fputs("recctl: ", stderr);
	print_clean(stderr, code != NULL ? code : "?");
	fputs(": ", stderr);
	print_clean(stderr, msg != NULL ? msg : "(no message)");
	fputc('\n', stderr);
	return RC_REFUSED;
}

/* The greeting: recd must speak our protocol. */
static int
conn_hello(struct conn *c)
{
	const cJSON	*v;
	char		*line;
	int		 r, ok = 1;
	double		 version;

	r = conn_line(c, &line);
	if (r != 1)
		return conn_failed(c, r);
	c->hello = conn_parse(c, line);
	if (c->hello == NULL)
		return RC_CONN;
	/* recd refuses a 65th client with an error instead. */
	v = cJSON_GetObjectItemCaseSensitive(c->hello, "error");
	if (cJSON_IsObject(v))
		return refused(v);
	v = cJSON_GetObjectItemCaseSensitive(c->hello, "event");
	version = num(c->hello, "protocol", &ok);
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "hello") != 0 ||
	    !ok) {
		fprintf(stderr, "recctl: recd at %s: no greeting with a "
		    "protocol version\n", c->path);
		return RC_CONN;
	}
	if (version != PROTO_VERSION) {
		fprintf(stderr, "recctl: recd at %s speaks protocol %g, "
		    "recctl speaks protocol %d\n", c->path, version,
		    PROTO_VERSION);
		return RC_CONN;
	}
	return RC_OK;
}

static int
conn_send(struct conn *c, const char *cmd, cJSON *args)
{
	char		*line;
	size_t		 len, done = 0;
	ssize_t		 n;
	int		 rc = RC_OK;

	line = proto_request(++c->id, cmd, args);
	if (line == NULL) {
		fprintf(stderr, "recctl: %s: out of memory\n", cmd);
		return RC_REFUSED;
	}
	len = strlen(line);
	while (done < len) {
		n = write(c->fd, line + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno == EPIPE || errno == ECONNRESET)
				rc = conn_closed(c);
			else {
				fprintf(stderr, "recctl: recd at %s: write: "
				    "%s\n", c->path, strerror(errno));
				rc = RC_CONN;
			}
			break;
		}
		done += (size_t)n;
	}
	free(line);
	return rc;
}

/*
 * Sends one request and reads until its reply, handing events that come
 * first to on_event (or dropping them when it is NULL).  The result is
 * detached into *result for the caller to free.
 */
static int
call(struct conn *c, const char *cmd, cJSON *args, cJSON **result,
    int (*on_event)(void *, const cJSON *, const char *), void *ctx)
{
	cJSON		*msg;
	const cJSON	*v, *err;
	char		*line;
	int		 r, rc;

	*result = NULL;
	rc = conn_send(c, cmd, args);
	if (rc != RC_OK)
		return rc;
	for (;;) {
		r = conn_line(c, &line);
		if (r == -EINTR) {
			if (got_stop)
				return RC_STOPPED;
			continue;
		}
		if (r != 1)
			return conn_failed(c, r);
		msg = conn_parse(c, line);
		if (msg == NULL)
			return RC_CONN;
		v = cJSON_GetObjectItemCaseSensitive(msg, "event");
		if (cJSON_IsString(v)) {
			rc = on_event != NULL ? on_event(ctx, msg, line) :
			    RC_OK;
			cJSON_Delete(msg);
			if (rc != RC_OK)
				return rc;
			continue;
		}
		v = cJSON_GetObjectItemCaseSensitive(msg, "id");
		err = cJSON_GetObjectItemCaseSensitive(msg, "error");
		/* Errors recd cannot tie to a request carry a null id. */
		if (cJSON_IsObject(err) && (cJSON_IsNull(v) ||
		    (cJSON_IsNumber(v) && v->valuedouble == c->id))) {
			rc = refused(err);
			cJSON_Delete(msg);
			return rc;
		}
		if (!cJSON_IsNumber(v) || v->valuedouble != c->id) {
			cJSON_Delete(msg);
			continue;
		}
		*result = cJSON_DetachItemFromObjectCaseSensitive(msg,
		    "result");
		cJSON_Delete(msg);
		if (!cJSON_IsObject(*result)) {
			cJSON_Delete(*result);
			*result = NULL;
			fprintf(stderr, "recctl: recd at %s: %s: a reply with "
			    "neither result nor error\n", c->path, cmd);
			return RC_CONN;
		}
		return RC_OK;
	}
}

/* Printing replies. */

static void
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

static void
print_status(const cJSON *r)
{
	static const char *const known[] = { "state", "take", "files",
		"frames_written", "seconds_recorded", "dropped_frames", "gaps",
		"gap_frames", "xruns", "ring", "disk", "jack", "channels",
		"mode", "format", "uptime_seconds", NULL };
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

static void
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

static void
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

/* Commands. */

/* Sends cmd with args and prints the result with print (NULL: nothing). */
static int
run_simple(struct conn *c, const struct opts *o, const char *cmd,
    cJSON *args, void (*print)(const cJSON *))
{
	cJSON	*result;
	int	 rc;

	rc = call(c, cmd, args, &result, NULL, NULL);
	if (rc != RC_OK)
		return rc;
	if (o->json)
		print_json(result);
	else if (print != NULL)
		print(result);
	cJSON_Delete(result);
	return RC_OK;
}

static void
print_state(const cJSON *r)
{
	const char	*s = str(r, "state");

	if (s != NULL) {
		fputs("state: ", stdout);
		print_clean(stdout, s);
		fputc('\n', stdout);
	}
}

static void
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

static void
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

static int
cmd_status(struct conn *c, const struct opts *o)
{
	return run_simple(c, o, "status", NULL, print_status);
}

static int
cmd_start(struct conn *c, const struct opts *o)
{
	return run_simple(c, o, "start", NULL, print_state);
}

static int
cmd_stop(struct conn *c, const struct opts *o)
{
	return run_simple(c, o, "stop", NULL, print_state);
}

static int
cmd_rotate(struct conn *c, const struct opts *o)
{
	return run_simple(c, o, "rotate", NULL, NULL);
}

/*
 * The arguments of a command that takes one optional string: {key: the
 * first argument}, or NULL when there is none.  *rc is set on failure.
 */
static cJSON *
one_string_arg(const struct opts *o, const char *key, int *rc)
{
	cJSON *args;

	*rc = 0;
	if (o->nargs == 0)
		return NULL;
	args = cJSON_CreateObject();
	if (args != NULL && cJSON_AddStringToObject(args, key, o->args[0]) ==
	    NULL) {
		cJSON_Delete(args);
		args = NULL;
	}
	if (args == NULL) {
		fprintf(stderr, "recctl: out of memory\n");
		*rc = RC_REFUSED;
	}
	return args;
}

static int
cmd_mark(struct conn *c, const struct opts *o)
{
	cJSON	*args;
	int	 rc;

	args = one_string_arg(o, "label", &rc);
	return rc != 0 ? rc : run_simple(c, o, "mark", args, NULL);
}

static int
cmd_get(struct conn *c, const struct opts *o)
{
	cJSON	*args;
	int	 rc;

	args = one_string_arg(o, "key", &rc);
	return rc != 0 ? rc : run_simple(c, o, "get", args, print_get);
}

static int
cmd_set(struct conn *c, const struct opts *o)
{
	cJSON	*args;

	/* The text form: recd parses it as its command line would. */
	args = cJSON_CreateObject();
	if (args == NULL ||
	    cJSON_AddStringToObject(args, "key", o->args[0]) == NULL ||
	    cJSON_AddStringToObject(args, "text", o->args[1]) == NULL) {
		cJSON_Delete(args);
		fprintf(stderr, "recctl: out of memory\n");
		return RC_REFUSED;
	}
	return run_simple(c, o, "set", args, print_set);
}

static int
cmd_options(struct conn *c, const struct opts *o)
{
	return run_simple(c, o, "options", NULL, print_options);
}

static int
cmd_ports(struct conn *c, const struct opts *o)
{
	return run_simple(c, o, "ports", NULL, print_ports);
}

/* Flushes stdout; a reader that went away (| head) ends the stream. */
static int
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
static void
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

/* events: "10:05:00 file_closed path=... frames=14400000 seconds=300" */
static int
on_event(void *ctx, const cJSON *ev, const char *line)
{
	const struct opts	*o = ctx;
	const cJSON		*v;
	char			 now[16];
	time_t			 t;

	if (o->json) {
		printf("%s\n", line);
		return out_flush();
	}
	t = time(NULL);
	strftime(now, sizeof(now), "%H:%M:%S", localtime(&t));
	printf("%s ", now);
	print_clean(stdout, str(ev, "event"));
	cJSON_ArrayForEach(v, ev) {
		if (v->string == NULL || strcmp(v->string, "event") == 0)
			continue;
		putchar(' ');
		print_clean(stdout, v->string);
		putchar('=');
		print_word(v);
	}
	putchar('\n');
	return out_flush();
}

/*
 * Hands events to fn until Ctrl-C (RC_STOPPED) or until recd goes away;
 * fn returns an exit status or RC_OK, and gets a NULL event on SIGWINCH.
 */
static int
follow(struct conn *c, int (*fn)(void *, const cJSON *, const char *),
    void *ctx)
{
	cJSON		*msg;
	char		*line;
	int		 r, rc;

	for (;;) {
		r = conn_line(c, &line);
		if (r == -EINTR) {
			if (got_stop)
				return RC_STOPPED;
			/* A resize: the meter redraws with the next frame. */
			if (got_winch) {
				rc = fn(ctx, NULL, NULL);
				if (rc != RC_OK)
					return rc;
			}
			continue;
		}
		if (r != 1)
			return conn_failed(c, r);
		msg = conn_parse(c, line);
		if (msg == NULL)
			return RC_CONN;
		if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(msg,
		    "event")))
			rc = fn(ctx, msg, line);
		else if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(msg,
		    "error")))
			rc = refused(cJSON_GetObjectItemCaseSensitive(msg,
			    "error"));
		else
			rc = RC_OK;
		cJSON_Delete(msg);
		if (rc != RC_OK)
			return rc;
	}
}

static int
on_event_or_resize(void *ctx, const cJSON *ev, const char *line)
{
	got_winch = 0;
	return ev != NULL ? on_event(ctx, ev, line) : RC_OK;
}

static int
subscribe(struct conn *c, const char *stream, int rate_hz,
    int (*fn)(void *, const cJSON *, const char *), void *ctx)
{
	cJSON	*args, *result;
	int	 rc;

	args = cJSON_CreateObject();
	if (args == NULL ||
	    cJSON_AddStringToObject(args, "stream", stream) == NULL ||
	    (rate_hz > 0 &&
	    cJSON_AddNumberToObject(args, "rate_hz", rate_hz) == NULL)) {
		cJSON_Delete(args);
		fprintf(stderr, "recctl: out of memory\n");
		return RC_REFUSED;
	}
	rc = call(c, "subscribe", args, &result, fn, ctx);
	cJSON_Delete(result);
	return rc;
}

static int
cmd_events(struct conn *c, const struct opts *o)
{
	int	rc;

	rc = signals_catch();
	if (rc == RC_OK)
		rc = subscribe(c, "events", 0, on_event_or_resize,
		    (void *)o);
	if (rc == RC_OK)
		rc = follow(c, on_event_or_resize, (void *)o);
	return rc;
}

/* metrics */

/* The alarms' kinds (PROTOCOL.md), for a zero where none is up. */
static const char *const alarm_kinds[] = { "silence", "no_source", "clip",
	"stalled", "jack_lost", "disk_low", "disk_full", "write_error", NULL };
static const char *const states[] = { "idle", "recording", "paused",
	"stalled", "failed", NULL };

/* A label value in the text exposition format: \\, \" and \n escaped. */
static void
print_label(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			printf("\\n");
		else
			putchar(*s);
	}
}

static void
metric_head(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample of a metric without labels, when the status has it. */
static void
metric(const char *name, const char *type, const char *help,
    const cJSON *obj, const char *key)
{
	int	ok = 1;
	double	v = num(obj, key, &ok);

	if (!ok)
		return;
	metric_head(name, type, help);
	printf("%s %.15g\n", name, v);
}

/*
 * recd's counters and gauges in Prometheus' text exposition format (for
 * node_exporter's textfile collector, or recweb's /metrics): from status,
 * and ports for the channels' names.
 */
static void
print_metrics(const cJSON *st, const cJSON *ports)
{
	const cJSON	*o, *a, *e, *p;
	const char	*state = str(st, "state"), *port;
	size_t		 i, k, n;
	int		 ok;
	double		 v;

	metric_head("recd_up", "gauge", "1: recd answered on its socket.");
	printf("recd_up 1\n");
	metric_head("recd_state", "gauge", "1 for the state recd is in.");
	for (i = 0; states[i] != NULL; i++)
		printf("recd_state{state=\"%s\"} %d\n", states[i],
		    state != NULL && strcmp(state, states[i]) == 0);
	metric("recd_frames_recorded_total", "counter",
	    "Frames written to files since recd started.", st,
	    "frames_written");
	metric("recd_gaps_total", "counter",
	    "Discontinuities found, logged and marked.", st, "gaps");
	metric("recd_gap_frames_total", "counter",
	    "Frames missing in the gaps.", st, "gap_frames");
	metric("recd_dropped_frames_total", "counter",
	    "Frames the real-time thread could not hand to the writer.", st,
	    "dropped_frames");
	metric("recd_xruns_total", "counter", "JACK's xruns.", st, "xruns");
	metric("recd_files_finished_total", "counter",
	    "Files finished (synced and given their final names).", st,
	    "files_finished");
	o = cJSON_GetObjectItemCaseSensitive(st, "ring");
	metric("recd_ring_size_bytes", "gauge", "The ring's size.", o,
	    "bytes");
	metric("recd_ring_fill_bytes", "gauge",
	    "Audio waiting in the ring at the writer's last pass.", o, "fill");
	metric("recd_ring_high_water_bytes", "gauge",
	    "The fullest the ring has been.", o, "high_water");
	o = cJSON_GetObjectItemCaseSensitive(st, "disk");
	ok = 1;
	v = num(o, "free_bytes", &ok);
	if (ok && str(o, "path") != NULL) {
		metric_head("recd_disk_free_bytes", "gauge",
		    "Free space where an output's files go.");
		printf("recd_disk_free_bytes{output=\"main\",path=\"");
		print_label(str(o, "path"));
		printf("\"} %.15g\n", v);
	}
	a = cJSON_GetObjectItemCaseSensitive(st, "alarms");
	metric_head("recd_alarms", "gauge", "Alarms up, by kind.");
	for (k = 0; alarm_kinds[k] != NULL; k++) {
		n = 0;
		cJSON_ArrayForEach(e, a)
			n += str(e, "kind") != NULL &&
			    strcmp(str(e, "kind"), alarm_kinds[k]) == 0;
		printf("recd_alarms{kind=\"%s\"} %zu\n", alarm_kinds[k], n);
	}
	metric_head("recd_alarm", "gauge",
	    "1 for each alarm up, by kind and channel (0: not a channel's).");
	cJSON_ArrayForEach(e, a) {
		if (str(e, "kind") == NULL)
			continue;
		p = cJSON_GetObjectItemCaseSensitive(e, "channels");
		v = cJSON_IsArray(p) && cJSON_IsNumber(p->child) ?
		    p->child->valuedouble : 0;
		printf("recd_alarm{kind=\"");
		print_label(str(e, "kind"));
		printf("\",channel=\"%.0f\"} 1\n", v);
	}
	a = cJSON_GetObjectItemCaseSensitive(st, "peak_dbfs");
	if (cJSON_IsArray(a)) {
		metric_head("recd_channel_peak_dbfs", "gauge",
		    "Each channel's peak level over the last second "
		    "(-Inf: digital silence).");
		i = 0;
		cJSON_ArrayForEach(e, a) {
			i++;
			port = NULL;
			cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(
			    ports, "ports")) {
				ok = 1;
				if (num(p, "channel", &ok) == (double)i && ok)
					port = str(p, "name");
			}
			printf("recd_channel_peak_dbfs{channel=\"%zu\"", i);
			if (port != NULL) {
				printf(",port=\"");
				print_label(port);
				printf("\"");
			}
			if (cJSON_IsNumber(e))
				printf("} %.15g\n", e->valuedouble);
			else
				printf("} -Inf\n");
		}
	}
	o = cJSON_GetObjectItemCaseSensitive(st, "jack");
	metric_head("recd_jack_connected", "gauge",
	    "1 while recd has a JACK server.");
	printf("recd_jack_connected %d\n", cJSON_IsTrue(
	    cJSON_GetObjectItemCaseSensitive(o, "connected")));
	metric("recd_sample_rate_hertz", "gauge", "The JACK server's rate.",
	    o, "rate");
	metric("recd_last_period_age_seconds", "gauge",
	    "How long ago the last period came from JACK.", o,
	    "last_period_age_seconds");
	metric("recd_take_seconds", "gauge", "The current take's length.",
	    cJSON_GetObjectItemCaseSensitive(st, "take"), "seconds");
	metric("recd_uptime_seconds", "gauge", "How long recd has run.", st,
	    "uptime_seconds");
}

static void
print_metrics_down(void)
{
	metric_head("recd_up", "gauge", "1: recd answered on its socket.");
	printf("recd_up 0\n");
}

static int
cmd_metrics(struct conn *c, const struct opts *o)
{
	cJSON	*st, *ports = NULL;
	int	 rc;

	(void)o;
	rc = call(c, "status", NULL, &st, NULL, NULL);
	if (rc != RC_OK)
		return rc;
	/* Names of the ports, when JACK is there; the levels go without. */
	if (call(c, "ports", NULL, &ports, NULL, NULL) != RC_OK)
		ports = NULL;
	print_metrics(st, ports);
	cJSON_Delete(ports);
	cJSON_Delete(st);
	return RC_OK;
}

/* meter */

/* The meter's view: the terminal's, or plain lines. */
struct mview {
	const struct opts *o;		/* --json: levels lines as they are */
	struct conn	*c;		/* the hello says version and rate */
	struct meter	*m;		/* NULL: plain lines */
	char		*frame;		/* rendered text */
	size_t		 frame_len;	/* bytes of frame */
	unsigned	 cols, rows;	/* the terminal's */
	double		 dropped;	/* levels events recd skipped */
	int		 drawn;		/* the screen holds a frame */
	double		 peak[METER_MAX_CH];	/* scratch, dBFS */
	int		 clip[METER_MAX_CH];
};

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
mview_size(struct mview *v)
{
	struct winsize	ws;

	v->cols = TTY_COLS;
	v->rows = TTY_ROWS;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 &&
	    ws.ws_row > 0) {
		v->cols = ws.ws_col;
		v->rows = ws.ws_row;
	}
}

/* Ports' names without the client name they all share ("recd:"). */
static int
mview_names(struct mview *v, const cJSON *ports)
{
	const cJSON	*p;
	const char	*name, *colon, *first = NULL;
	size_t		 prefix = 0, k = 0;
	int		 ok;
	double		 ch;

	cJSON_ArrayForEach(p, ports) {
		name = str(p, "name");
		colon = name != NULL ? strchr(name, ':') : NULL;
		if (colon == NULL) {
			prefix = 0;
			break;
		}
		if (first == NULL) {
			first = name;
			prefix = (size_t)(colon + 1 - name);
		} else if ((size_t)(colon + 1 - name) != prefix ||
		    strncmp(name, first, prefix) != 0) {
			prefix = 0;
			break;
		}
	}
	cJSON_ArrayForEach(p, ports) {
		ok = 1;
		ch = num(p, "channel", &ok);
		name = str(p, "name");
		if (!ok || name == NULL || ch < 1 ||
		    ch > meter_channels(v->m))
			ch = (double)k + 1;
		k++;
		if (name != NULL && meter_set_name(v->m, (unsigned)ch - 1,
		    name + prefix) == -ENOMEM) {
			fprintf(stderr, "recctl: out of memory\n");
			return RC_REFUSED;
		}
	}
	return RC_OK;
}

/*
 * Home, the title, the frame with each line cleared to its end, and the
 * rest of the screen cleared.  The cursor rests on the line under the
 * frame, so that the terminal's echo of Ctrl-C, and any message, land
 * there and not in the frame.
 */
static int
mview_draw(struct mview *v)
{
	const char	*s, *nl, *ver = str(v->c->hello, "recd");
	char		 title[512], lost[64] = "", *nframe;
	size_t		 need, i, chars;
	unsigned	 rows = v->rows > 3 ? v->rows - 2 : 1;
	double		 rate;
	int		 ok = 1;

	/* The last column stays empty: some terminals wrap there. */
	need = meter_render(v->m, v->cols - 1, rows, v->frame, v->frame_len);
	if (need >= v->frame_len) {
		nframe = realloc(v->frame, need + 1);
		if (nframe == NULL) {
			fprintf(stderr, "recctl: out of memory\n");
			return RC_REFUSED;
		}
		v->frame = nframe;
		v->frame_len = need + 1;
		meter_render(v->m, v->cols - 1, rows, v->frame, v->frame_len);
	}
	rate = num(v->c->hello, "rate", &ok);
	if (v->dropped > 0)
		snprintf(lost, sizeof(lost), ", %.0f frames lost",
		    v->dropped);
	snprintf(title, sizeof(title), "recd %s at %s: %u channels, %.0f Hz"
	    "%s  (Ctrl-C quits)", ver != NULL ? ver : "?", v->c->path,
	    meter_channels(v->m), ok ? rate : 0.0, lost);
	/* Cut to the width, by characters. */
	for (i = 0, chars = 0; title[i] != '\0'; i++) {
		if (((unsigned char)title[i] & 0xC0) != 0x80 &&
		    chars++ == v->cols - 1)
			break;
	}
	title[i] = '\0';
	if (!v->drawn)
		fputs("\033[?25l\033[2J", stdout);
	fputs("\033[H", stdout);
	print_clean(stdout, title);
	fputs("\033[K\n", stdout);
	for (s = v->frame; (nl = strchr(s, '\n')) != NULL; s = nl + 1)
		printf("%.*s\033[K\n", (int)(nl - s), s);
	printf("%s\033[K\n\033[J", s);
	v->drawn = 1;
	return out_flush();
}

static int
on_levels(void *ctx, const cJSON *ev, const char *line)
{
	struct mview	*v = ctx;
	const cJSON	*peaks, *clips, *p;
	unsigned	 n = 0, i, nclip = 0;
	int		 ok = 1;
	double		 dropped;

	if (ev == NULL) {
		/* SIGWINCH: everything is where it was no longer. */
		got_winch = 0;
		if (v->m == NULL || !v->drawn)
			return RC_OK;
		mview_size(v);
		fputs("\033[2J", stdout);
		return mview_draw(v);
	}
	if (strcmp(str(ev, "event"), "levels") != 0)
		return RC_OK;
	if (v->o->json) {
		printf("%s\n", line);
		return out_flush();
	}
	peaks = cJSON_GetObjectItemCaseSensitive(ev, "peak_dbfs");
	clips = cJSON_GetObjectItemCaseSensitive(ev, "clip");
	dropped = num(ev, "dropped", &ok);
	if (ok)
		v->dropped += dropped;
	cJSON_ArrayForEach(p, peaks) {
		if (n == METER_MAX_CH)
			break;
		v->peak[n] = cJSON_IsNumber(p) ? p->valuedouble : NAN;
		v->clip[n] = cJSON_IsTrue(cJSON_GetArrayItem(clips, (int)n));
		n++;
	}
	if (v->m == NULL) {
		fputs("levels", stdout);
		for (i = 0; i < n; i++) {
			if (isnan(v->peak[i]))
				fputs(" -inf", stdout);
			else
				printf(" %.2f", v->peak[i]);
		}
		for (i = 0; i < n; i++)
			if (v->clip[i])
				printf("%s%u", nclip++ == 0 ? " clip " : " ",
				    i + 1);
		if (ok && dropped > 0)
			printf(" dropped %.0f", dropped);
		putchar('\n');
		return out_flush();
	}
	meter_update(v->m, now_s(), v->peak, v->clip, n);
	return mview_draw(v);
}

static int
cmd_meter(struct conn *c, const struct opts *o)
{
	struct mview	 v;
	cJSON		*ports = NULL;
	int		 rc, ok = 1;
	double		 nch;

	memset(&v, 0, sizeof(v));
	v.o = o;
	v.c = c;
	rc = signals_catch();
	if (rc != RC_OK)
		return rc;
	if (!o->json && isatty(STDOUT_FILENO)) {
		rc = call(c, "ports", NULL, &ports, NULL, NULL);
		if (rc != RC_OK)
			goto done;
		nch = num(c->hello, "channels", &ok);
		if (!ok || nch < cJSON_GetArraySize(
		    cJSON_GetObjectItemCaseSensitive(ports, "ports")))
			nch = cJSON_GetArraySize(
			    cJSON_GetObjectItemCaseSensitive(ports, "ports"));
		if (nch < 1)
			nch = 1;
		if (nch > METER_MAX_CH)
			nch = METER_MAX_CH;
		v.m = meter_new((unsigned)nch);
		if (v.m == NULL) {
			fprintf(stderr, "recctl: meter: %s\n",
			    strerror(errno));
			rc = RC_REFUSED;
			goto done;
		}
		rc = mview_names(&v, cJSON_GetObjectItemCaseSensitive(ports,
		    "ports"));
		if (rc != RC_OK)
			goto done;
		mview_size(&v);
	}
	rc = subscribe(c, "levels", METER_RATE_HZ, on_levels, &v);
	if (rc == RC_OK)
		rc = follow(c, on_levels, &v);
done:
	if (v.drawn) {
		/* The cursor back, on a clean line under the last frame. */
		fputs("\r\033[K\033[?25h", stdout);
		fflush(stdout);
	}
	meter_del(v.m);
	free(v.frame);
	cJSON_Delete(ports);
	return rc;
}


static const struct command commands[] = {
	{ "status", "", 0, 0, cmd_status,
	  "what recd does: state, take, files, counters, ring, disk" },
	{ "start", "", 0, 0, cmd_start,
	  "start a take (nothing to do when one is open)" },
	{ "stop", "", 0, 0, cmd_stop,
	  "finish the take: its files closed and renamed" },
	{ "rotate", "", 0, 0, cmd_rotate,
	  "close the files and go on in new ones, without a gap" },
	{ "mark", "[TEXT]", 0, 1, cmd_mark,
	  "put a marker labelled TEXT into the files" },
	{ "get", "[KEY]", 0, 1, cmd_get,
	  "an option's value, or every option's" },
	{ "set", "KEY VALUE", 2, 2, cmd_set,
	  "change an option while recd runs (VALUE as for recd)" },
	{ "options", "", 0, 0, cmd_options,
	  "the options: type, default, range, help" },
	{ "ports", "", 0, 0, cmd_ports,
	  "recd's ports and what feeds each" },
	{ "events", "", 0, 0, cmd_events,
	  "print recd's events as they happen, until Ctrl-C" },
	{ "meter", "", 0, 0, cmd_meter,
	  "live level meters, until Ctrl-C (plain lines into a pipe)" },
	{ "metrics", "", 0, 0, cmd_metrics,
	  "counters and gauges for Prometheus (text exposition format)" },
};
#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	char	path[PATH_MAX];
	size_t	i;
	int	w;

	if (cfg_socket_path(NULL, path, sizeof(path)) != 0)
		snprintf(path, sizeof(path), "(too long)");
	fprintf(f, "usage: recctl [--socket PATH] [--json] COMMAND [ARGS]\n"
	    "\nSteers and watches recd through its control socket.\n"
	    "\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++) {
		w = 15 - (int)strlen(commands[i].name) - 1;
		fprintf(f, "  %s %-*s %s\n", commands[i].name, w,
		    commands[i].args, commands[i].help);
	}
	fprintf(f, "\noptions:\n"
	    "  --socket PATH   recd's socket (default %s)\n"
	    "  --json          replies and events as JSON, one object a "
	    "line\n"
	    "  --help          this text\n"
	    "\nexit status: 0 done; 1 recd refused (recctl: CODE: MESSAGE); "
	    "2 bad usage;\n3 recd could not be reached or hung up.\n", path);
}

static int
usage_error(const char *what, const char *why)
{
	fprintf(stderr, "recctl: %s: %s (recctl --help lists them)\n", what,
	    why);
	return RC_USAGE;
}

int
main(int argc, char *argv[])
{
	const struct command	*cmd = NULL;
	struct opts		 o;
	struct conn		 c;
	char			 path[PATH_MAX];
	size_t			 i;
	int			 a, rc;

	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	c.fd = -1;
	/* Options come before the command, so values may start with "-". */
	for (a = 1; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "--") == 0) {
			a++;
			break;
		} else if (strcmp(argv[a], "--help") == 0 ||
		    strcmp(argv[a], "-h") == 0) {
			usage(stdout);
			return out_flush() == RC_REFUSED ? RC_REFUSED : RC_OK;
		} else if (strcmp(argv[a], "--json") == 0) {
			o.json = 1;
		} else if (strcmp(argv[a], "--socket") == 0) {
			if (++a == argc)
				return usage_error("--socket",
				    "needs a PATH");
			o.socket = argv[a];
		} else if (strncmp(argv[a], "--socket=", 9) == 0) {
			o.socket = argv[a] + 9;
		} else {
			return usage_error(argv[a], "no such option");
		}
	}
	if (a == argc) {
		usage(stderr);
		return RC_USAGE;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[a], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL)
		return usage_error(argv[a], "no such command");
	o.args = argv + a + 1;
	o.nargs = argc - a - 1;
	if (o.nargs < cmd->min || o.nargs > cmd->max) {
		fprintf(stderr, "recctl: %s: %s; usage: recctl %s%s%s\n",
		    cmd->name, o.nargs < cmd->min ? "too few arguments" :
		    "too many arguments", cmd->name, cmd->args[0] != '\0' ?
		    " " : "", cmd->args);
		return RC_USAGE;
	}
	if (o.socket != NULL && o.socket[0] == '\0')
		return usage_error("--socket", "an empty path");
	if (cfg_socket_path(o.socket, path, sizeof(path)) != 0) {
		fprintf(stderr, "recctl: cannot connect to recd at %s: %s\n",
		    o.socket != NULL ? o.socket : "$XDG_RUNTIME_DIR/recd",
		    strerror(ENAMETOOLONG));
		return RC_CONN;
	}
	/* A socket recd closed must not kill us before we can say so. */
	signal(SIGPIPE, SIG_IGN);
	rc = conn_open(&c, path);
	if (rc == RC_OK)
		rc = conn_hello(&c);
	if (rc == RC_OK)
		rc = cmd->run(&c, &o);
	/*
	 * metrics says when recd is not there, so that a scrape (or a file
	 * for node_exporter) shows it down, not stale; the exit status is
	 * still the failure's.
	 */
	if (rc != RC_OK && cmd->run == cmd_metrics)
		print_metrics_down();
	conn_close(&c);
	if (rc == RC_STOPPED)
		rc = RC_OK;
	if (out_flush() == RC_REFUSED && rc == RC_OK)
		rc = RC_REFUSED;
	return rc;
}
