/*
 * conn.c: recctl's connection to recd (conn.h): blocking reads with poll,
 * a growing line buffer, and the self-pipe that turns signals into wake-
 * ups.  One thread.
 */
#include "conn.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "proto.h"
#include "show.h"

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
int
conn_signals_catch(void)
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

int
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

void
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

int
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
int
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
int
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
cJSON *
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
int
conn_refused(const cJSON *err)
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
int
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
		return conn_refused(v);
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

int
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
int
conn_call(struct conn *c, const char *cmd, cJSON *args, cJSON **result,
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
			if (conn_stop_asked())
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
			rc = conn_refused(err);
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

int
conn_stop_asked(void)
{
	return got_stop;
}

int
conn_winch_asked(void)
{
	return got_winch;
}

void
conn_winch_done(void)
{
	got_winch = 0;
}

