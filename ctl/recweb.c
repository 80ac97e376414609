/*
 * recweb: the web page of recd.  It serves the page (ctl/www) and bridges
 * a WebSocket per browser to a connection of its own to recd's socket:
 * the read-only socket for a viewer, the control socket for a signed-in
 * operator.  One thread and one loop, libwebsockets': HTTP, WebSocket
 * framing and file serving are the library's; recd's sockets are adopted
 * into the same loop as raw descriptors.
 *
 * A browser's messages are requests, one JSON object each, passed on as
 * lines; recd's lines come back as messages.  A slow browser loses
 * levels frames past a small queue, and is closed past recd's own limit;
 * recd is read as fast as it writes, whatever the browsers do.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cJSON.h>
#include <libwebsockets.h>

#include "cfg.h"
#include "metrics.h"
#include "proto.h"
#include "webauth.h"

#define RECWEB_VERSION	"0.1.0"
#define RW_PORT		8687
#define RW_CLIENTS	64		/* WebSockets, as recd's clients */
#define RW_QUEUE_MAX	(1u << 20)	/* bytes queued for a browser ... */
#define RW_LEVELS_MAX	(64u << 10)	/* ... of which levels may use */
#define RW_RECD_LINE	(4u << 20)	/* the longest line taken from recd */
#define RW_READ		65536		/* bytes read from recd at once */
#define RW_METRICS_S	5		/* seconds a scrape may wait for recd */

#ifndef RECWEB_WWW
#define RECWEB_WWW	"/usr/local/share/recd/www"
#endif

struct rw_opts {
	const char	*listen;	/* [ADDR:]PORT */
	const char	*socket;	/* recd's control socket, or NULL */
	const char	*socket_ro;	/* its read-only socket, or NULL */
	const char	*www;		/* the page's files */
	const char	*passwords, *tokens;
	char		 addr[64];
	int		 port;
	char		 ctl_path[108], ro_path[108];
};

/* A message for a browser: LWS_PRE bytes of room, then the text. */
struct rw_msg {
	struct rw_msg	*next;
	size_t		 len;
	int		 levels;
	unsigned char	 buf[];
};

/* A line reader and writer on one of recd's sockets. */
enum rw_kind { RW_WS, RW_SCRAPE };
struct rw_recd {
	enum rw_kind	 kind;		/* what owner is */
	void		*owner;
	struct lws	*wsi;		/* the adopted descriptor, or NULL */
	int		 fd;
	char		*in;		/* what was read, not yet a line */
	size_t		 inlen, incap;
	char		*out;		/* what is to be written */
	size_t		 outlen, outcap;
};

/* A WebSocket's state (libwebsockets' per-session data). */
struct rw_ws {
	struct lws	*wsi;
	struct rw_recd	 recd;
	enum web_role	 role;
	char		 user[WEBAUTH_NAME_MAX];
	char		*rx;		/* the message being received */
	size_t		 rxlen;
	struct rw_msg	*head, *tail;
	size_t		 queued, levels_queued;
	unsigned long	 dropped;
	int		 open;		/* established (and counted in nws) */
	int		 lost;		/* recd went: close once told */
	int		 slow;		/* closed for not reading */
};

/* A scrape of /metrics: status and ports from recd, then the text. */
struct rw_scrape {
	struct lws	*http;		/* the request's, NULL once it went */
	struct rw_recd	 recd;
	cJSON		*status, *ports;
	int		 lines;		/* recd's lines so far */
	char		*body;
	size_t		 bodylen;
	int		 done;
};

/* An HTTP request's state. */
struct rw_http {
	struct rw_scrape *scrape;
};

static struct rw_opts		 opts;
static struct webauth		*auth;
static struct lws_context	*ctx;
static volatile sig_atomic_t	 stopping;
static unsigned			 nws;

static void
rw_log(const char *fmt, ...)
{
	va_list ap;

	fputs("recweb: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* libwebsockets' own warnings and errors, as ours. */
static void
rw_lws_log(int level, const char *line)
{
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	/* Refusals are ours to tell, once. */
	if (strstr(line, "User code denied connection") != NULL)
		return;
	fprintf(stderr, "recweb: %s: lws: %.*s\n", level == LLL_ERR ?
	    "error" : "warning", (int)n, line);
}

/* ---- recd's sockets ---- */

static int
rw_connect(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* A Unix socket connects at once, or not (EAGAIN: recd is busy). */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Adopts fd into the loop; opaque is what its callbacks get. */
static struct lws *
rw_adopt(struct lws *from, int fd, void *opaque)
{
	lws_adopt_desc_t info;

	memset(&info, 0, sizeof(info));
	info.vh = lws_get_vhost(from);
	info.type = LWS_ADOPT_RAW_FILE_DESC;
	info.fd.filefd = fd;
	info.vh_prot_name = "recd-socket";
	info.opaque = opaque;
	return lws_adopt_descriptor_vhost_via_info(&info);
}

static int
rw_grow(char **buf, size_t *cap, size_t want)
{
	size_t	 n = *cap > 0 ? *cap : 4096;
	char	*p;

	while (n < want)
		n *= 2;
	if (n == *cap)
		return 0;
	if ((p = realloc(*buf, n)) == NULL)
		return -1;
	*buf = p;
	*cap = n;
	return 0;
}

/* Queues a line for recd and writes what the socket takes now. */
static int
rw_recd_send(struct rw_recd *r, const char *line, size_t len)
{
	ssize_t n;

	if (r->outlen + len + 1 > RW_QUEUE_MAX)
		return -1;
	if (rw_grow(&r->out, &r->outcap, r->outlen + len + 1) != 0)
		return -1;
	memcpy(r->out + r->outlen, line, len);
	r->out[r->outlen + len] = '\n';
	r->outlen += len + 1;
	n = write(r->fd, r->out, r->outlen);
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		return -1;
	if (n > 0) {
		memmove(r->out, r->out + n, r->outlen - (size_t)n);
		r->outlen -= (size_t)n;
	}
	if (r->outlen > 0 && r->wsi != NULL)
		lws_callback_on_writable(r->wsi);
	return 0;
}

static int
rw_recd_flush(struct rw_recd *r)
{
	ssize_t n;

	if (r->outlen == 0)
		return 0;
	n = write(r->fd, r->out, r->outlen);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	memmove(r->out, r->out + n, r->outlen - (size_t)n);
	r->outlen -= (size_t)n;
	if (r->outlen > 0)
		lws_callback_on_writable(r->wsi);
	return 0;
}

/*
 * Reads what recd sent and hands each whole line to fn.  Returns 0, or
 * -1 when recd closed, failed, sent a line too long, or fn said stop.
 */
static int
rw_recd_read(struct rw_recd *r, int (*fn)(void *, char *, size_t),
    void *arg)
{
	char	*nl, *p;
	size_t	 left;
	ssize_t	 n;

	if (rw_grow(&r->in, &r->incap, r->inlen + RW_READ) != 0)
		return -1;
	n = read(r->fd, r->in + r->inlen, RW_READ);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	r->inlen += (size_t)n;
	p = r->in;
	left = r->inlen;
	while ((nl = memchr(p, '\n', left)) != NULL) {
		*nl = '\0';
		if (fn(arg, p, (size_t)(nl - p)) != 0)
			return -1;
		left -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	memmove(r->in, p, left);
	r->inlen = left;
	return left > RW_RECD_LINE ? -1 : 0;
}

static void
rw_recd_free(struct rw_recd *r)
{
	free(r->in);
	free(r->out);
	r->in = r->out = NULL;
	r->inlen = r->outlen = r->incap = r->outcap = 0;
}

/* ---- a browser's WebSocket ---- */

/* Queues a message; levels are dropped past their share, counted. */
static int
rw_ws_queue(struct rw_ws *w, const char *text, size_t len, int levels)
{
	struct rw_msg *m;

	if (levels && w->levels_queued + len > RW_LEVELS_MAX) {
		w->dropped++;
		return 0;
	}
	if (w->queued + len > RW_QUEUE_MAX) {
		/* It does not read: no close frame would get through. */
		if (!w->slow)
			rw_log("a browser%s%s left %u bytes unread: closed "
			    "(too_slow)", w->user[0] != '\0' ? " of " : "",
			    w->user, (unsigned)w->queued);
		w->slow = 1;
		lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK,
		    LWS_TO_KILL_ASYNC);
		return 0;
	}
	if ((m = malloc(sizeof(*m) + LWS_PRE + len)) == NULL)
		return -1;
	m->next = NULL;
	m->len = len;
	m->levels = levels;
	memcpy(m->buf + LWS_PRE, text, len);
	if (w->tail != NULL)
		w->tail->next = m;
	else
		w->head = m;
	w->tail = m;
	w->queued += len;
	if (levels)
		w->levels_queued += len;
	lws_callback_on_writable(w->wsi);
	return 0;
}

static void
rw_ws_queue_json(struct rw_ws *w, char *text)
{
	if (text != NULL)
		(void)rw_ws_queue(w, text, strlen(text), 0);
	free(text);
}

/* recd's line for the browser. */
static int
rw_ws_from_recd(void *arg, char *line, size_t len)
{
	static const char levels[] = "{\"event\":\"levels\"";

	if (len == 0)
		return 0;
	return rw_ws_queue(arg, line, len,
	    strncmp(line, levels, sizeof(levels) - 1) == 0);
}

static void
rw_ws_lost(struct rw_ws *w, const char *why)
{
	cJSON *f;

	if (w->lost)
		return;
	w->lost = 1;
	/* Told once its queue is written; a browser not reading has 5 s. */
	lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK, 5);
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "message", why);
	rw_ws_queue_json(w, proto_event("recd_lost", f));
}

/* The browser's request, checked for its role, passed on to recd. */
static void
rw_ws_request(struct rw_ws *w, char *text, size_t len)
{
	struct proto_req	 req;
	const char		*code = NULL;
	char			 msg[256];
	size_t			 i;

	/* One message is one line: newlines are JSON white space. */
	for (i = 0; i < len; i++)
		if (text[i] == '\n' || text[i] == '\r')
			text[i] = ' ';
	if (w->role != WEB_OPERATOR) {
		if (proto_parse_request(text, len, &req, &code, msg,
		    sizeof(msg)) == 0 && !proto_cmd_watches(req.cmd)) {
			snprintf(msg, sizeof(msg), "%s: you are signed in as a "
			    "viewer, who may only watch", proto_cmd_name(
			    req.cmd));
			rw_ws_queue_json(w, proto_error(req.id,
			    PROTO_E_READ_ONLY, msg));
			proto_req_done(&req);
			return;
		}
		proto_req_done(&req);
	}
	if (w->lost || w->recd.wsi == NULL)
		return;
	if (rw_recd_send(&w->recd, text, len) != 0) {
		rw_ws_lost(w, "recd does not read what it is sent");
		lws_set_timeout(w->recd.wsi, PENDING_TIMEOUT_KILLED_BY_PARENT,
		    LWS_TO_KILL_ASYNC);
	}
}

static void
rw_ws_open(struct lws *wsi, struct rw_ws *w)
{
	char		 hdr[WEBAUTH_LINE_MAX * 2], why[256];
	const char	*path;
	cJSON		*f;
	int		 fd;

	memset(w, 0, sizeof(*w));
	w->wsi = wsi;
	w->recd.kind = RW_WS;
	w->recd.owner = w;
	w->recd.fd = -1;
	w->open = 1;
	nws++;
	w->role = WEB_VIEWER;
	if (auth != NULL) {
		if (lws_hdr_copy(wsi, hdr, sizeof(hdr),
		    WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
			hdr[0] = '\0';
		w->role = webauth_check(auth, hdr, w->user, sizeof(w->user));
		memset(hdr, 0, sizeof(hdr));
	}
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "role", webauth_role_name(w->role));
	if (w->user[0] != '\0')
		cJSON_AddStringToObject(f, "user", w->user);
	else
		cJSON_AddNullToObject(f, "user");
	cJSON_AddStringToObject(f, "recweb", RECWEB_VERSION);
	rw_ws_queue_json(w, proto_event("bridge", f));

	path = w->role == WEB_OPERATOR || opts.socket_ro == NULL ?
	    opts.ctl_path : opts.ro_path;
	if ((fd = rw_connect(path)) < 0) {
		snprintf(why, sizeof(why), "cannot connect to recd at %s: %s",
		    path, strerror(errno));
		rw_ws_lost(w, why);
		return;
	}
	w->recd.fd = fd;
	if ((w->recd.wsi = rw_adopt(wsi, fd, &w->recd)) == NULL) {
		w->recd.fd = -1;	/* lws closed it */
		rw_ws_lost(w, "recweb could not watch recd's socket");
	}
}

static void
rw_ws_close(struct rw_ws *w)
{
	struct rw_msg *m;

	/* libwebsockets closes what it refused too. */
	if (w == NULL || !w->open)
		return;
	w->open = 0;
	while ((m = w->head) != NULL) {
		w->head = m->next;
		free(m);
	}
	w->tail = NULL;
	if (w->recd.wsi != NULL) {
		/* Its callbacks must not find this session any more. */
		lws_set_opaque_user_data(w->recd.wsi, NULL);
		lws_set_timeout(w->recd.wsi, PENDING_TIMEOUT_KILLED_BY_PARENT,
		    LWS_TO_KILL_ASYNC);
		w->recd.wsi = NULL;
	}
	rw_recd_free(&w->recd);
	free(w->rx);
	w->rx = NULL;
	nws--;
}

/*
 * The levels message at the head of the queue, rewritten with the frames
 * recweb skipped for this browser added to its dropped; NULL without
 * memory.
 */
static struct rw_msg *
rw_ws_add_dropped(struct rw_ws *w)
{
	struct rw_msg	*m = w->head, *n;
	cJSON		*j, *d;
	char		*text;
	size_t		 len;

	j = cJSON_ParseWithLength((const char *)m->buf + LWS_PRE, m->len);
	d = cJSON_GetObjectItemCaseSensitive(j, "dropped");
	if (cJSON_IsNumber(d))
		cJSON_SetNumberValue(d, d->valuedouble + (double)w->dropped);
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (text == NULL)
		return m;	/* not JSON after all: as it came */
	len = strlen(text);
	if ((n = malloc(sizeof(*n) + LWS_PRE + len)) == NULL) {
		free(text);
		return NULL;
	}
	*n = *m;
	n->len = len;
	memcpy(n->buf + LWS_PRE, text, len);
	free(text);
	w->queued += len - m->len;
	w->levels_queued += len - m->len;
	if (w->tail == m)
		w->tail = n;
	w->head = n;
	free(m);
	w->dropped = 0;
	return n;
}

/* Writes one queued message.  Returns -1 when the WebSocket must close. */
static int
rw_ws_write(struct lws *wsi, struct rw_ws *w)
{
	struct rw_msg	*m;
	int		 n;

	if (w->slow) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION,
		    (unsigned char *)"too_slow", 8);
		return -1;
	}
	if ((m = w->head) == NULL) {
		if (w->lost) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY,
			    (unsigned char *)"recd_lost", 9);
			return -1;
		}
		return 0;
	}
	/* Levels: those recweb skipped count with recd's in dropped. */
	if (m->levels && w->dropped > 0 && (m = rw_ws_add_dropped(w)) == NULL)
		return -1;
	n = lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
	if (n < (int)m->len)
		return -1;
	w->head = m->next;
	if (w->head == NULL)
		w->tail = NULL;
	w->queued -= m->len;
	if (m->levels)
		w->levels_queued -= m->len;
	free(m);
	if (w->head != NULL || w->lost)
		lws_callback_on_writable(wsi);
	return 0;
}

/* A fragment of the browser's message; whole messages go to recd. */
static int
rw_ws_receive(struct lws *wsi, struct rw_ws *w, const void *in, size_t len)
{
	char *p;

	if (lws_frame_is_binary(wsi)) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE,
		    (unsigned char *)"text only", 9);
		return -1;
	}
	/* As recd takes lines: 65536 bytes with the newline. */
	if (w->rxlen + len + lws_remaining_packet_payload(wsi) >=
	    PROTO_LINE_MAX) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE,
		    (unsigned char *)"line_too_long", 13);
		return -1;
	}
	if ((p = realloc(w->rx, w->rxlen + len + 1)) == NULL)
		return -1;
	w->rx = p;
	memcpy(w->rx + w->rxlen, in, len);
	w->rxlen += len;
	w->rx[w->rxlen] = '\0';
	if (!lws_is_final_fragment(wsi) ||
	    lws_remaining_packet_payload(wsi) > 0)
		return 0;
	if (w->rxlen > 0)
		rw_ws_request(w, w->rx, w->rxlen);
	w->rxlen = 0;
	return 0;
}

/* ---- HTTP: the page, /metrics, and who may ask ---- */

static int
rw_http_reply(struct lws *wsi, unsigned code, const char *body,
    const char *more)
{
	unsigned char	 buf[LWS_PRE + 1024], *start = buf + LWS_PRE;
	unsigned char	*p = start, *end = buf + sizeof(buf) - 1;
	size_t		 n = strlen(body);

	if (lws_add_http_common_headers(wsi, code, "text/plain; charset=utf-8",
	    n, &p, end) != 0)
		return -1;
	if (more != NULL && lws_add_http_header_by_token(wsi,
	    WSI_TOKEN_HTTP_WWW_AUTHENTICATE, (const unsigned char *)more,
	    (int)strlen(more), &p, end) != 0)
		return -1;
	if (lws_finalize_write_http_header(wsi, start, &p, end) != 0)
		return -1;
	if (lws_write(wsi, (unsigned char *)body, n, LWS_WRITE_HTTP_FINAL) !=
	    (int)n)
		return -1;
	return 0;
}

static int
rw_http_status(struct lws *wsi, unsigned code, const char *body,
    const char *more)
{
	if (rw_http_reply(wsi, code, body, more) != 0)
		return -1;
	return lws_http_transaction_completed(wsi) != 0 ? -1 : 0;
}

/*
 * The role a request's Authorization gives.  Without credentials (recweb
 * then serves this machine only) everyone is a viewer.
 */
static enum web_role
rw_http_role(struct lws *wsi)
{
	char		hdr[WEBAUTH_LINE_MAX * 2], name[WEBAUTH_NAME_MAX];
	enum web_role	r;

	if (auth == NULL)
		return WEB_VIEWER;
	if (lws_hdr_copy(wsi, hdr, sizeof(hdr),
	    WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
		hdr[0] = '\0';
	r = webauth_check(auth, hdr, name, sizeof(name));
	memset(hdr, 0, sizeof(hdr));
	return r;
}

/*
 * A page in the browser may be made to open a WebSocket here by any site
 * it visits: a browser's Origin must be this host.
 */
static int
rw_origin_ok(struct lws *wsi)
{
	char		 origin[256], host[256];
	const char	*o;

	if (lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN) <= 0)
		return 1;	/* not a browser */
	if (lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) <= 0)
		return 0;
	o = strstr(origin, "://");
	return o != NULL && strcmp(o + 3, host) == 0;
}

static void
rw_scrape_free(struct rw_scrape *s)
{
	cJSON_Delete(s->status);
	cJSON_Delete(s->ports);
	rw_recd_free(&s->recd);
	free(s->body);
	free(s);
}

/* The text of a scrape, from what recd said (or that it is down). */
static void
rw_scrape_finish(struct rw_scrape *s)
{
	FILE *f;

	if (s->done)
		return;
	s->done = 1;
	if ((f = open_memstream(&s->body, &s->bodylen)) == NULL)
		return;
	if (s->status != NULL && s->ports != NULL)
		metrics_print(f, s->status, s->ports);
	else
		metrics_print_down(f);
	fclose(f);
	if (s->http != NULL)
		lws_callback_on_writable(s->http);
}

/* recd's lines to a scrape: the greeting, then status, then ports. */
static int
rw_scrape_line(void *arg, char *line, size_t len)
{
	struct rw_scrape	*s = arg;
	cJSON			*j, *res;

	(void)len;
	if (s->lines++ == 0)
		return 0;		/* the greeting */
	j = cJSON_Parse(line);
	res = cJSON_DetachItemFromObject(j, "result");
	cJSON_Delete(j);
	if (res == NULL)
		return -1;
	if (s->status == NULL)
		s->status = res;
	else
		s->ports = res;
	return s->ports != NULL ? -1 : 0;	/* done: close */
}

static int
rw_metrics(struct lws *wsi, struct rw_http *h)
{
	static const char ask[] = "{\"id\":1,\"cmd\":\"status\"}\n"
	    "{\"id\":2,\"cmd\":\"ports\"}";
	struct rw_scrape	*s;
	int			 fd;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return rw_http_status(wsi, 500, "out of memory\n", NULL);
	s->http = wsi;
	s->recd.kind = RW_SCRAPE;
	s->recd.owner = s;
	s->recd.fd = -1;
	h->scrape = s;
	lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, RW_METRICS_S);
	fd = rw_connect(opts.socket_ro != NULL ? opts.ro_path : opts.ctl_path);
	if (fd < 0) {
		rw_scrape_finish(s);
		return 0;
	}
	s->recd.fd = fd;
	if ((s->recd.wsi = rw_adopt(wsi, fd, &s->recd)) == NULL) {
		rw_scrape_finish(s);
		return 0;
	}
	if (rw_recd_send(&s->recd, ask, sizeof(ask) - 1) != 0)
		rw_scrape_finish(s);
	return 0;
}

static int
rw_metrics_write(struct lws *wsi, struct rw_http *h)
{
	struct rw_scrape	*s = h->scrape;
	unsigned char		 buf[LWS_PRE + 512], *start = buf + LWS_PRE;
	unsigned char		*p = start, *end = buf + sizeof(buf) - 1;

	if (s == NULL || !s->done)
		return 0;
	if (s->body == NULL)
		return rw_http_status(wsi, 500, "out of memory\n", NULL);
	if (lws_add_http_common_headers(wsi, 200,
	    "text/plain; version=0.0.4; charset=utf-8", s->bodylen, &p,
	    end) != 0 || lws_finalize_write_http_header(wsi, start, &p,
	    end) != 0)
		return -1;
	if (lws_write(wsi, (unsigned char *)s->body, s->bodylen,
	    LWS_WRITE_HTTP_FINAL) != (int)s->bodylen)
		return -1;
	s->http = NULL;
	if (s->recd.wsi == NULL)
		rw_scrape_free(s);
	h->scrape = NULL;
	return lws_http_transaction_completed(wsi) != 0 ? -1 : 0;
}

/* The request is gone: its scrape, if recd still talks, goes later. */
static void
rw_http_drop(struct rw_http *h)
{
	struct rw_scrape *s = h->scrape;

	if (s == NULL)
		return;
	h->scrape = NULL;
	s->http = NULL;
	if (s->recd.wsi == NULL)
		rw_scrape_free(s);
	else
		lws_set_timeout(s->recd.wsi, PENDING_TIMEOUT_KILLED_BY_PARENT,
		    LWS_TO_KILL_ASYNC);
}

static const struct {
	const char	*uri, *file, *type;
} rw_files[] = {
	{ "/", "index.html", "text/html; charset=utf-8" },
	{ "/index.html", "index.html", "text/html; charset=utf-8" },
	{ "/app.js", "app.js", "text/javascript; charset=utf-8" },
	{ "/style.css", "style.css", "text/css; charset=utf-8" },
};

static int
rw_http(struct lws *wsi, struct rw_http *h, const char *uri)
{
	static const char nostore[] = "cache-control: no-store\r\n"
	    "x-content-type-options: nosniff\r\n";
	char	path[1024];
	size_t	i;
	int	n;

	memset(h, 0, sizeof(*h));
	if (rw_http_role(wsi) == WEB_NOBODY)
		return rw_http_status(wsi, 401, "sign in\n",
		    "Basic realm=\"recd\", charset=\"UTF-8\"");
	if (strcmp(uri, "/metrics") == 0)
		return rw_metrics(wsi, h);
	for (i = 0; i < sizeof(rw_files) / sizeof(rw_files[0]); i++) {
		if (strcmp(uri, rw_files[i].uri) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", opts.www,
		    rw_files[i].file);
		n = lws_serve_http_file(wsi, path, rw_files[i].type, nostore,
		    (int)sizeof(nostore) - 1);
		if (n < 0 || (n > 0 && lws_http_transaction_completed(wsi)))
			return -1;
		return 0;
	}
	return rw_http_status(wsi, 404, "not found\n", NULL);
}

/* ---- libwebsockets' callbacks ---- */

/*
 * May this request become a WebSocket?  A refusal is an HTTP reply
 * (returns 1), so that a browser or a script can tell why.
 */
static int
rw_upgrade(struct lws *wsi)
{
	char uri[64];

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 ||
	    strcmp(uri, "/ws") != 0)
		return rw_http_reply(wsi, 404, "not found\n", NULL) ? -1 : 1;
	if (!rw_origin_ok(wsi)) {
		rw_log("a WebSocket from another site's page refused");
		return rw_http_reply(wsi, 403, "another site's page\n",
		    NULL) ? -1 : 1;
	}
	if (rw_http_role(wsi) == WEB_NOBODY)
		return rw_http_reply(wsi, 401, "sign in\n",
		    "Basic realm=\"recd\", charset=\"UTF-8\"") ? -1 : 1;
	if (nws >= RW_CLIENTS) {
		rw_log("a WebSocket refused: %d are open", RW_CLIENTS);
		return rw_http_reply(wsi, 503, "too many clients\n", NULL) ?
		    -1 : 1;
	}
	return 0;
}

static int
cb_http(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct rw_http *h = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return rw_http(wsi, h, in);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return rw_metrics_write(wsi, h);
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
		return rw_upgrade(wsi);
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (h != NULL)
			rw_http_drop(h);
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static int
cb_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct rw_ws	*w = user;

	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED:
		rw_ws_open(wsi, w);
		return 0;
	case LWS_CALLBACK_RECEIVE:
		return rw_ws_receive(wsi, w, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return rw_ws_write(wsi, w);
	case LWS_CALLBACK_CLOSED:
		rw_ws_close(w);
		return 0;
	default:
		return 0;
	}
}

/*
 * recd's sockets, a WebSocket's or a scrape's (the opaque pointer, NULL
 * once its owner went: the descriptor is then closed).
 */
static int
cb_recd(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len)
{
	struct rw_recd		*r = lws_get_opaque_user_data(wsi);
	struct rw_ws		*w;
	struct rw_scrape	*s;

	(void)user;
	(void)in;
	(void)len;
	if (r == NULL)
		return reason == LWS_CALLBACK_RAW_RX_FILE ||
		    reason == LWS_CALLBACK_RAW_WRITEABLE_FILE ? -1 : 0;
	w = r->kind == RW_WS ? r->owner : NULL;
	s = r->kind == RW_SCRAPE ? r->owner : NULL;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (w != NULL)
			return rw_recd_read(r, rw_ws_from_recd, w);
		return rw_recd_read(r, rw_scrape_line, s);
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		return rw_recd_flush(r);
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		r->wsi = NULL;
		r->fd = -1;
		if (w != NULL)
			rw_ws_lost(w, "recd closed the connection");
		else if (s->http != NULL)
			rw_scrape_finish(s);
		else
			rw_scrape_free(s);
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols rw_protocols[] = {
	{ "http", cb_http, sizeof(struct rw_http), 0, 0, NULL, 0 },
	{ "recd", cb_ws, sizeof(struct rw_ws), 4096, 0, NULL, 0 },
	{ "recd-socket", cb_recd, 0, 0, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 }
};

/* ---- options ---- */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: recweb [--listen [ADDR:]PORT] [--socket PATH] "
	    "[--socket-readonly PATH]\n"
	    "              [--password-file FILE] [--token-file FILE] "
	    "[--www DIR]\n"
	    "       recweb --help | --version\n"
	    "  --listen [ADDR:]PORT    where to serve (default 127.0.0.1:%d);"
	    " an address\n"
	    "                          beyond this machine needs a password or"
	    " token file\n"
	    "  --socket PATH           recd's control socket, for operators "
	    "(default as recd's)\n"
	    "  --socket-readonly PATH  recd's read-only socket, for viewers\n"
	    "  --password-file FILE    HTTP basic accounts: USER:PASSWORD"
	    "[:viewer] a line\n"
	    "  --token-file FILE       HTTP bearer tokens: TOKEN [viewer] a "
	    "line\n"
	    "  --www DIR               the page's files (default %s)\n",
	    RW_PORT, RECWEB_WWW);
}

static int
usage_error(const char *what, const char *why)
{
	fprintf(stderr, "recweb: %s: %s (recweb --help)\n", what, why);
	return 2;
}

/* [ADDR:]PORT into opts.addr and opts.port. */
static int
rw_parse_listen(const char *s)
{
	const char	*colon = strrchr(s, ':');
	const char	*port = colon != NULL ? colon + 1 : s;
	char		*end;
	long		 n;

	snprintf(opts.addr, sizeof(opts.addr), "127.0.0.1");
	if (colon != NULL) {
		if (colon == s || (size_t)(colon - s) >= sizeof(opts.addr))
			return -1;
		snprintf(opts.addr, sizeof(opts.addr), "%.*s",
		    (int)(colon - s), s);
	}
	errno = 0;
	n = strtol(port, &end, 10);
	if (*port == '\0' || *end != '\0' || errno != 0 || n < 1 ||
	    n > 65535)
		return -1;
	opts.port = (int)n;
	return 0;
}

static int
rw_loopback(const char *a)
{
	return strncmp(a, "127.", 4) == 0 || strcmp(a, "::1") == 0 ||
	    strcmp(a, "localhost") == 0;
}

static int
rw_args(int argc, char **argv)
{
	static const char *const takes[] = { "--listen", "--socket",
		"--socket-readonly", "--password-file", "--token-file",
		"--www", NULL };
	const char	**slot[] = { &opts.listen, &opts.socket,
		&opts.socket_ro, &opts.passwords, &opts.tokens, &opts.www };
	int		  a, i;

	opts.listen = "127.0.0.1:8687";
	opts.www = getenv("RECWEB_WWW") != NULL ? getenv("RECWEB_WWW") :
	    RECWEB_WWW;
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--help") == 0 ||
		    strcmp(argv[a], "-h") == 0) {
			usage(stdout);
			exit(0);
		}
		if (strcmp(argv[a], "--version") == 0) {
			printf("recweb %s\n", RECWEB_VERSION);
			exit(0);
		}
		for (i = 0; takes[i] != NULL; i++)
			if (strcmp(argv[a], takes[i]) == 0)
				break;
		if (takes[i] == NULL)
			return usage_error(argv[a], "no such option");
		if (++a == argc)
			return usage_error(argv[a - 1], "needs a value");
		if (argv[a][0] == '\0')
			return usage_error(argv[a - 1], "an empty value");
		*slot[i] = argv[a];
	}
	if (rw_parse_listen(opts.listen) != 0)
		return usage_error(opts.listen, "--listen takes [ADDR:]PORT, "
		    "a port from 1 to 65535");
	if (cfg_socket_path(opts.socket, opts.ctl_path,
	    sizeof(opts.ctl_path)) != 0)
		return usage_error(opts.socket, "too long for a socket path");
	if (opts.socket_ro != NULL && strlen(opts.socket_ro) >=
	    sizeof(opts.ro_path))
		return usage_error(opts.socket_ro, "too long for a socket path");
	if (opts.socket_ro != NULL)
		snprintf(opts.ro_path, sizeof(opts.ro_path), "%s",
		    opts.socket_ro);
	return 0;
}

static int
rw_auth(void)
{
	char err[512];

	if (opts.passwords == NULL && opts.tokens == NULL) {
		if (!rw_loopback(opts.addr)) {
			fprintf(stderr, "recweb: --listen %s: serving beyond "
			    "this machine needs --password-file or "
			    "--token-file\n", opts.listen);
			return 2;
		}
		return 0;
	}
	if ((auth = webauth_new()) == NULL) {
		rw_log("out of memory");
		return 1;
	}
	if ((opts.passwords != NULL && webauth_load_passwords(auth,
	    opts.passwords, err, sizeof(err)) != 0) ||
	    (opts.tokens != NULL && webauth_load_tokens(auth, opts.tokens,
	    err, sizeof(err)) != 0)) {
		fprintf(stderr, "recweb: %s\n", err);
		return 2;
	}
	if (webauth_count(auth) == 0) {
		fprintf(stderr, "recweb: %s: no credentials in it\n",
		    opts.passwords != NULL ? opts.passwords : opts.tokens);
		return 2;
	}
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
	if (ctx != NULL)
		lws_cancel_service(ctx);
}

int
main(int argc, char **argv)
{
	struct lws_context_creation_info	 info;
	struct sigaction			 sa;
	char					 index[1024];
	int					 rc;

	if ((rc = rw_args(argc, argv)) != 0 || (rc = rw_auth()) != 0)
		return rc;
	snprintf(index, sizeof(index), "%s/index.html", opts.www);
	if (access(index, R_OK) != 0) {
		fprintf(stderr, "recweb: %s: %s (--www names the page's "
		    "directory)\n", index, strerror(errno));
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	lws_set_log_level(LLL_ERR | LLL_WARN, rw_lws_log);

	memset(&info, 0, sizeof(info));
	info.port = opts.port;
	info.iface = opts.addr;
	info.protocols = rw_protocols;
	info.vhost_name = "recweb";
	info.timeout_secs = 10;
	info.gid = (gid_t)-1;
	info.uid = (uid_t)-1;
	info.server_string = "recweb";
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6 *
	    (strchr(opts.addr, ':') == NULL);
	if ((ctx = lws_create_context(&info)) == NULL) {
		fprintf(stderr, "recweb: cannot listen on %s:%d\n", opts.addr,
		    opts.port);
		return 1;
	}
	if (opts.socket_ro != NULL)
		rw_log("serving http://%s:%d/ for recd at %s (viewers: %s); %s",
		    opts.addr, opts.port, opts.ctl_path, opts.ro_path,
		    auth != NULL ? "sign-in required" : "everyone is a viewer");
	else
		rw_log("serving http://%s:%d/ for recd at %s; %s", opts.addr,
		    opts.port, opts.ctl_path, auth != NULL ?
		    "sign-in required" : "everyone is a viewer");
	while (!stopping)
		if (lws_service(ctx, 0) < 0)
			break;
	lws_context_destroy(ctx);
	webauth_free(auth);
	rw_log("stopped");
	return 0;
}
