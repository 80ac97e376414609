/*
 * ctlsrv.c: the control socket.  Each client has a line buffer of
 * PROTO_LINE_MAX bytes and a write queue bounded by CTLSRV_QUEUE_MAX; a
 * client that breaks a limit is told why and dropped.  levels are paced
 * by one timer for all subscribers; one that does not read loses levels
 * (counted and reported to it) and never holds up anyone.  Main thread.
 */
/* struct ucred and SO_PEERCRED, on glibc. */
#define _GNU_SOURCE
#include "ctlsrv.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define CS_TICK_MS	10	/* levels pacing: 100 Hz covers 1..60 Hz */
#define CS_SNDBUF	16384	/* bytes: a small kernel buffer per client,
				   so that our own queue does the counting */
#define CS_BACKLOG	128
#define CS_DRAIN_MS	1000	/* at exit: how long the last lines may take */

struct cs_client {
	uv_pipe_t	 pipe;		/* first: the handle's data is us */
	uv_shutdown_t	 shut;		/* at exit, once its lines are out */
	struct ctlsrv	*srv;
	struct cs_client *next;
	char		*rbuf;		/* PROTO_LINE_MAX bytes */
	size_t		 rlen;		/* bytes in rbuf */
	int		 closing;
	int		 events;	/* subscribed to events */
	int		 levels_hz;	/* subscribed to levels: rate, or 0 */
	int		 levels_fresh;	/* measured since its last levels */
	uint64_t	 levels_due;	/* uv_now of the next levels */
	uint64_t	 levels_dropped;	/* since its last levels */
	float		*peak;		/* nch, gathered for it */
	unsigned char	*clip;		/* nch */
	struct ctlsrv_peer peer;	/* who connected */
};

struct ctlsrv {
	uv_loop_t	*loop;
	uv_pipe_t	 listener;
	uv_timer_t	 tick;
	struct ctlsrv_ops ops;
	struct cs_client *clients;
	unsigned	 nclients;
	unsigned	 nlevels;	/* clients subscribed to levels */
	float		*peak;		/* nch, the frame just read */
	unsigned char	*clip;		/* nch */
	char		 path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int		 stopped;	/* no new clients, no commands */
	int		 closing;
	int		 inherited;	/* the socket is the service manager's */
	int		 handles;	/* open handles, clients included */
};

struct cs_write {
	uv_write_t	 req;
	char		*line;
	int		 then_close;	/* close the client once it is out */
};

static void	cs_close_client(struct cs_client *);

static void
cs_free_srv(struct ctlsrv *s)
{
	free(s->peak);
	free(s->clip);
	free(s->ops.hello);
	free(s);
}

static void
cs_handle_closed(uv_handle_t *h)
{
	struct ctlsrv *s = h->data;

	if (--s->handles == 0 && s->closing)
		cs_free_srv(s);
}

static void
cs_client_closed(uv_handle_t *h)
{
	struct cs_client	*c = h->data;
	struct ctlsrv		*s = c->srv;

	free(c->rbuf);
	free(c->peak);
	free(c->clip);
	free(c);
	if (--s->handles == 0 && s->closing)
		cs_free_srv(s);
}

static void
cs_written(uv_write_t *req, int status)
{
	struct cs_write		*w = (struct cs_write *)req;
	struct cs_client	*c = req->handle->data;

	(void)status;
	if (w->then_close)
		cs_close_client(c);
	free(w->line);
	free(w);
}

/* Queues line (taken over) to c; then_close drops c once it is out. */
static void
cs_write(struct cs_client *c, char *line, int then_close)
{
	struct cs_write	*w;
	uv_buf_t	 buf;

	if (line == NULL || c->closing) {
		free(line);
		return;
	}
	w = malloc(sizeof(*w));
	if (w == NULL) {
		free(line);
		cs_close_client(c);
		return;
	}
	w->line = line;
	w->then_close = then_close;
	buf = uv_buf_init(line, (unsigned)strlen(line));
	if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &buf, 1,
	    cs_written) != 0) {
		free(line);
		free(w);
		cs_close_client(c);
	}
}

/* Tells c why, then drops it. */
static void
cs_refuse(struct cs_client *c, const char *code, const char *msg)
{
	log_warnx("socket client: %s: %s; dropped", code, msg);
	uv_read_stop((uv_stream_t *)&c->pipe);
	cs_write(c, proto_error(NULL, code, msg), 1);
}

/* Sends line (taken over) unless c has let too much pile up. */
static void
cs_send(struct cs_client *c, char *line)
{
	if (c->closing) {
		free(line);
		return;
	}
	if (uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) >
	    CTLSRV_QUEUE_MAX) {
		free(line);
		/* It does not read: the error may never reach it. */
		log_warnx("socket client: %s: more than %d bytes unread; "
		    "dropped", PROTO_E_TOO_SLOW, CTLSRV_QUEUE_MAX);
		cs_close_client(c);
		return;
	}
	cs_write(c, line, 0);
}

static void
cs_close_client(struct cs_client *c)
{
	struct ctlsrv		*s = c->srv;
	struct cs_client	**pp;

	if (c->closing)
		return;
	c->closing = 1;
	for (pp = &s->clients; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	s->nclients--;
	if (c->levels_hz > 0 && --s->nlevels == 0)
		uv_timer_stop(&s->tick);
	uv_close((uv_handle_t *)&c->pipe, cs_client_closed);
	/* At exit the tick is the drain's deadline: done with the last. */
	if (s->closing && s->clients == NULL &&
	    !uv_is_closing((uv_handle_t *)&s->tick))
		uv_close((uv_handle_t *)&s->tick, cs_handle_closed);
}

/* Gathers every frame; sends each subscriber its own at its rate. */
static void
cs_tick(uv_timer_t *t)
{
	struct ctlsrv		*s = t->data;
	struct cs_client	*c, *next;
	cJSON			*f, *peaks, *clips;
	uint64_t		 now = uv_now(s->loop), period;
	unsigned		 i;
	int			 fresh;

	fresh = s->ops.levels(s->ops.arg, s->peak, s->clip);
	for (c = s->clients; c != NULL; c = next) {
		next = c->next;
		if (c->levels_hz == 0)
			continue;
		for (i = 0; i < s->ops.nch; i++) {
			if (s->peak[i] > c->peak[i] || s->peak[i] != s->peak[i])
				c->peak[i] = s->peak[i];
			c->clip[i] |= s->clip[i];
		}
		c->levels_fresh |= fresh;
		/*
		 * Due, and measured since its last: a peak of nothing would
		 * read as digital silence (the writer passes every 20 ms, so
		 * at high rates or under load a period may hold no pass).
		 */
		if (now < c->levels_due || !c->levels_fresh)
			continue;
		c->levels_fresh = 0;
		period = 1000 / (uint64_t)c->levels_hz;
		c->levels_due += period;
		if (c->levels_due < now)
			c->levels_due = now + period;
		if (uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) >
		    CTLSRV_LEVELS_MAX) {
			c->levels_dropped++;
			continue;
		}
		f = cJSON_CreateObject();
		peaks = cJSON_AddArrayToObject(f, "peak_dbfs");
		clips = cJSON_AddArrayToObject(f, "clip");
		for (i = 0; i < s->ops.nch; i++) {
			cJSON_AddItemToArray(peaks, proto_dbfs(c->peak[i]));
			cJSON_AddItemToArray(clips, cJSON_CreateBool(
			    c->clip[i]));
			c->peak[i] = 0;
			c->clip[i] = 0;
		}
		cJSON_AddNumberToObject(f, "dropped",
		    (double)c->levels_dropped);
		c->levels_dropped = 0;
		cs_send(c, proto_event("levels", f));
	}
}

static cJSON *
cs_subscribe(struct cs_client *c, const struct proto_req *req)
{
	struct ctlsrv	*s = c->srv;
	cJSON		*r = cJSON_CreateObject();
	int		 on = req->cmd == PROTO_SUBSCRIBE;

	if (req->stream == PROTO_EVENTS) {
		c->events = on;
		cJSON_AddStringToObject(r, "stream", "events");
		return r;
	}
	cJSON_AddStringToObject(r, "stream", "levels");
	if (on) {
		if (c->levels_hz == 0 && s->nlevels++ == 0) {
			/* Forget what piled up while nobody looked. */
			(void)s->ops.levels(s->ops.arg, s->peak, s->clip);
			uv_timer_start(&s->tick, cs_tick, CS_TICK_MS,
			    CS_TICK_MS);
		}
		c->levels_hz = req->rate_hz;
		c->levels_due = uv_now(s->loop) + 1000 / (uint64_t)req->rate_hz;
		cJSON_AddNumberToObject(r, "rate_hz", req->rate_hz);
	} else if (c->levels_hz > 0) {
		c->levels_hz = 0;
		if (--s->nlevels == 0)
			uv_timer_stop(&s->tick);
	}
	return r;
}

/*
 * The peer's user and process, from the kernel (SO_PEERCRED on Linux,
 * getpeereid and LOCAL_PEERPID on the BSDs and macOS): who to name in the
 * log when a client changes something.
 */
static void
cs_peer(struct cs_client *c)
{
	uv_os_fd_t	fd;

	c->peer.uid = c->peer.pid = -1;
	c->peer.readonly = c->srv->ops.readonly;
	if (uv_fileno((uv_handle_t *)&c->pipe, &fd) != 0)
		return;
#if defined(SO_PEERCRED) && defined(__linux__)
	{
		struct ucred	cr;
		socklen_t	len = sizeof(cr);

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0) {
			c->peer.uid = (long)cr.uid;
			c->peer.pid = (long)cr.pid;
		}
	}
#else
	{
		uid_t	uid;
		gid_t	gid;

		if (getpeereid(fd, &uid, &gid) == 0)
			c->peer.uid = (long)uid;
#if defined(LOCAL_PEERPID)
		pid_t		pid;
		socklen_t	len = sizeof(pid);

		if (getsockopt(fd, SOL_LOCAL, LOCAL_PEERPID, &pid, &len) == 0)
			c->peer.pid = (long)pid;
#endif
	}
#endif
}

static void
cs_line(struct cs_client *c, const char *line, size_t len)
{
	struct proto_req	 req;
	const char		*code = PROTO_E_INTERNAL;
	char			 msg[512] = "";
	cJSON			*result;

	/* A blank line asks nothing: clients may send one to keep alive. */
	if (len == 0 || (len == 1 && line[0] == '\r'))
		return;
	if (proto_parse_request(line, len, &req, &code, msg,
	    sizeof(msg)) != 0) {
		cs_send(c, proto_error(req.id, code, msg));
		proto_req_done(&req);
		return;
	}
	if (c->srv->ops.readonly && !proto_cmd_watches(req.cmd)) {
		code = PROTO_E_READ_ONLY;
		snprintf(msg, sizeof(msg), "%s: this socket only watches "
		    "(status, get, options, ports, subscribe); steer recd on "
		    "its control socket", proto_cmd_name(req.cmd));
		result = NULL;
	} else if (req.cmd == PROTO_SUBSCRIBE ||
	    req.cmd == PROTO_UNSUBSCRIBE)
		result = cs_subscribe(c, &req);
	else
		result = c->srv->ops.request(c->srv->ops.arg, &req, &c->peer,
		    &code, msg, sizeof(msg));
	if (result != NULL)
		cs_send(c, proto_reply(req.id, result));
	else
		cs_send(c, proto_error(req.id, code, msg));
	proto_req_done(&req);
}

static void
cs_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct cs_client *c = h->data;

	(void)hint;
	buf->base = c->rbuf + c->rlen;
	buf->len = PROTO_LINE_MAX - c->rlen;
}

static void
cs_read(uv_stream_t *st, ssize_t n, const uv_buf_t *buf)
{
	struct cs_client	*c = st->data;
	char			*nl, *start;
	size_t			 used;

	(void)buf;
	if (n < 0) {
		cs_close_client(c);
		return;
	}
	c->rlen += (size_t)n;
	start = c->rbuf;
	while (!c->closing &&
	    (nl = memchr(start, '\n', c->rlen - (size_t)(start - c->rbuf)))
	    != NULL) {
		cs_line(c, start, (size_t)(nl - start));
		start = nl + 1;
	}
	if (c->closing)
		return;
	used = (size_t)(start - c->rbuf);
	memmove(c->rbuf, start, c->rlen - used);
	c->rlen -= used;
	if (c->rlen == PROTO_LINE_MAX)
		cs_refuse(c, PROTO_E_LINE_TOO_LONG, "a line longer than 65536 "
		    "bytes");
}

static void
cs_accept(uv_stream_t *l, int status)
{
	struct ctlsrv		*s = l->data;
	struct cs_client	*c;
	int			 sndbuf;

	if (status != 0 || s->closing)
		return;
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->rbuf = malloc(PROTO_LINE_MAX)) == NULL ||
	    (c->peak = calloc(s->ops.nch, sizeof(*c->peak))) == NULL ||
	    (c->clip = calloc(s->ops.nch, sizeof(*c->clip))) == NULL) {
		log_warnx("socket client: out of memory; not accepted");
		if (c != NULL) {
			free(c->rbuf);
			free(c->peak);
			free(c);
		}
		return;
	}
	c->srv = s;
	uv_pipe_init(s->loop, &c->pipe, 0);
	c->pipe.data = c;
	s->handles++;
	if (uv_accept(l, (uv_stream_t *)&c->pipe) != 0) {
		c->closing = 1;
		uv_close((uv_handle_t *)&c->pipe, cs_client_closed);
		return;
	}
	cs_peer(c);
	c->next = s->clients;
	s->clients = c;
	s->nclients++;
	sndbuf = CS_SNDBUF;
	uv_send_buffer_size((uv_handle_t *)&c->pipe, &sndbuf);
	if (s->nclients > CTLSRV_MAX_CLIENTS) {
		cs_refuse(c, PROTO_E_TOO_MANY, "recd serves 64 clients at "
		    "most");
		return;
	}
	cs_write(c, strdup(s->ops.hello), 0);
	uv_read_start((uv_stream_t *)&c->pipe, cs_alloc, cs_read);
}

/* Is a recd answering on path?  (A stale socket refuses.) */
static int
cs_alive(const char *path)
{
	struct sockaddr_un	sa;
	int			fd, rc;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return rc == 0;
}

static int
cs_prepare_path(const char *path, int readonly, char *err, size_t errlen)
{
	struct stat	 st;
	char		 dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char		*slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, readonly ? 0755 : 0750) != 0 &&
		    errno != EEXIST) {
			snprintf(err, errlen, "socket %s: mkdir %s: %s", path,
			    dir, strerror(errno));
			return -1;
		}
	}
	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "socket %s: exists and is not a socket",
		    path);
		return -1;
	}
	if (cs_alive(path)) {
		snprintf(err, errlen, "recd already running on %s", path);
		return -1;
	}
	if (unlink(path) != 0) {
		snprintf(err, errlen, "socket %s: remove stale socket: %s",
		    path, strerror(errno));
		return -1;
	}
	log_info("socket %s: replaced a stale socket", path);
	return 0;
}

static struct ctlsrv *
cs_new_srv(uv_loop_t *loop, const char *path, const struct ctlsrv_ops *ops,
    char *err, size_t errlen)
{
	struct ctlsrv	*s;

	if (strlen(path) >= sizeof(s->path)) {
		snprintf(err, errlen, "socket %s: path too long", path);
		free(ops->hello);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->peak = calloc(ops->nch, sizeof(float))) == NULL ||
	    (s->clip = calloc(ops->nch, 1)) == NULL) {
		snprintf(err, errlen, "socket %s: out of memory", path);
		if (s != NULL)
			free(s->peak);
		free(s);
		free(ops->hello);
		return NULL;
	}
	s->loop = loop;
	s->ops = *ops;
	snprintf(s->path, sizeof(s->path), "%s", path);
	return s;
}

/* fd < 0: bind path ourselves. */
static struct ctlsrv *
cs_listen(uv_loop_t *loop, int fd, const char *path,
    const struct ctlsrv_ops *ops, char *err, size_t errlen)
{
	struct ctlsrv	*s;
	int		 rc;

	if ((s = cs_new_srv(loop, path, ops, err, errlen)) == NULL)
		return NULL;
	if (fd < 0 && cs_prepare_path(path, ops->readonly, err, errlen) != 0) {
		cs_free_srv(s);
		return NULL;
	}
	uv_pipe_init(loop, &s->listener, 0);
	uv_timer_init(loop, &s->tick);
	s->listener.data = s->tick.data = s;
	s->handles = 2;
	s->inherited = fd >= 0;
	if (fd >= 0)
		rc = uv_pipe_open(&s->listener, fd);
	else
		rc = uv_pipe_bind(&s->listener, path);
	if (rc != 0 || (rc = uv_listen((uv_stream_t *)&s->listener,
	    CS_BACKLOG, cs_accept)) != 0) {
		snprintf(err, errlen, "socket %s: %s", path, uv_strerror(rc));
		s->closing = 1;
		uv_close((uv_handle_t *)&s->listener, cs_handle_closed);
		uv_close((uv_handle_t *)&s->tick, cs_handle_closed);
		return NULL;
	}
	if (fd < 0 && chmod(path, ops->readonly ? 0666 : 0660) != 0)
		log_warn("socket %s: chmod %s", path, ops->readonly ? "0666" :
		    "0660");
	return s;
}

struct ctlsrv *
ctlsrv_new(uv_loop_t *loop, const char *path, const struct ctlsrv_ops *ops,
    char *err, size_t errlen)
{
	return cs_listen(loop, -1, path, ops, err, errlen);
}

struct ctlsrv *
ctlsrv_new_fd(uv_loop_t *loop, int fd, const char *path,
    const struct ctlsrv_ops *ops, char *err, size_t errlen)
{
	return cs_listen(loop, fd, path, ops, err, errlen);
}

void
ctlsrv_event(struct ctlsrv *s, const char *line)
{
	struct cs_client *c, *next;

	for (c = s->clients; c != NULL; c = next) {
		next = c->next;
		if (c->events)
			cs_send(c, strdup(line));
	}
}

void
ctlsrv_set_hello(struct ctlsrv *s, char *hello)
{
	if (hello == NULL)
		return;
	free(s->ops.hello);
	s->ops.hello = hello;
}

unsigned
ctlsrv_clients(const struct ctlsrv *s)
{
	return s->nclients;
}

void
ctlsrv_stop(struct ctlsrv *s)
{
	struct cs_client *c;

	if (s == NULL || s->stopped)
		return;
	s->stopped = 1;
	uv_close((uv_handle_t *)&s->listener, cs_handle_closed);
	/* A socket systemd handed us stays: it listens for the next start. */
	if (!s->inherited)
		unlink(s->path);
	uv_timer_stop(&s->tick);
	s->nlevels = 0;
	for (c = s->clients; c != NULL; c = c->next) {
		uv_read_stop((uv_stream_t *)&c->pipe);
		c->levels_hz = 0;
	}
}

static void
cs_shut(uv_shutdown_t *req, int status)
{
	(void)status;
	cs_close_client(req->handle->data);
}

/* The deadline of the drain: a client that does not read is cut off. */
static void
cs_drain_deadline(uv_timer_t *t)
{
	struct ctlsrv *s = t->data;

	while (s->clients != NULL)
		cs_close_client(s->clients);
}

void
ctlsrv_close(struct ctlsrv *s)
{
	struct cs_client *c, *next;

	if (s == NULL || s->closing)
		return;
	ctlsrv_stop(s);
	s->closing = 1;
	/*
	 * A client's queued lines (the last events) go out before it is
	 * closed: uv_shutdown completes once the write queue is empty.
	 */
	for (c = s->clients; c != NULL; c = next) {
		next = c->next;
		if (uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) ==
		    0 || uv_shutdown(&c->shut, (uv_stream_t *)&c->pipe,
		    cs_shut) != 0)
			cs_close_client(c);
	}
	/* The last client's close closes the tick too. */
	if (s->clients == NULL) {
		if (!uv_is_closing((uv_handle_t *)&s->tick))
			uv_close((uv_handle_t *)&s->tick, cs_handle_closed);
	} else
		uv_timer_start(&s->tick, cs_drain_deadline, CS_DRAIN_MS, 0);
}
