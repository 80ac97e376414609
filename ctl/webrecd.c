/*
 * webrecd.c: recweb's connections to recd's sockets, adopted into the
 * loop as raw descriptors: lines written as the socket takes them, lines
 * read and handed to their owner (a browser's WebSocket or a scrape of
 * /metrics).  recweb's one thread.
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
#include "web.h"
#include "webauth.h"

/* ---- recd's sockets ---- */

int
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
struct lws *
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
int
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

void
rw_recd_free(struct rw_recd *r)
{
	free(r->in);
	free(r->out);
	r->in = r->out = NULL;
	r->inlen = r->outlen = r->incap = r->outcap = 0;
}

/*
 * recd's sockets, a WebSocket's or a scrape's (the opaque pointer, NULL
 * once its owner went: the descriptor is then closed).
 */
int
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
