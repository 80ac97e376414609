/*
 * webhttp.c: recweb's HTTP: who may ask (credentials, and a browser's
 * Origin for a WebSocket), the page's files, and /metrics from a status
 * and a ports of recd's.  recweb's one thread.
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

void
rw_scrape_free(struct rw_scrape *s)
{
	cJSON_Delete(s->status);
	cJSON_Delete(s->ports);
	rw_recd_free(&s->recd);
	free(s->body);
	free(s);
	nscrapes--;
}

/* The text of a scrape, from what recd said (or that it is down). */
void
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
int
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

	/* A scrape is a viewer of the read-only socket: counted with them. */
	if (opts.ro_path[0] == '\0')
		return rw_http_status(wsi, 403, "no read-only socket of "
		    "recd's (recweb --socket-readonly): no metrics\n", NULL);
	if (nscrapes >= RW_SCRAPES || nscrapes + nviewers >= RW_CLIENTS) {
		rw_log("a scrape of /metrics refused: %u at once, %u viewers",
		    nscrapes, nviewers);
		return rw_http_status(wsi, 503, "too many clients\n", NULL);
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return rw_http_status(wsi, 500, "out of memory\n", NULL);
	nscrapes++;
	s->http = wsi;
	s->recd.kind = RW_SCRAPE;
	s->recd.owner = s;
	s->recd.fd = -1;
	h->scrape = s;
	lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, RW_METRICS_S);
	fd = rw_connect(opts.ro_path);
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
	enum web_role	role;
	char		uri[64];

	if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 ||
	    strcmp(uri, "/ws") != 0)
		return rw_http_reply(wsi, 404, "not found\n", NULL) ? -1 : 1;
	if (!rw_origin_ok(wsi)) {
		rw_log("a WebSocket from another site's page refused");
		return rw_http_reply(wsi, 403, "another site's page\n",
		    NULL) ? -1 : 1;
	}
	role = rw_http_role(wsi);
	if (role == WEB_NOBODY)
		return rw_http_reply(wsi, 401, "sign in\n",
		    "Basic realm=\"recd\", charset=\"UTF-8\"") ? -1 : 1;
	/* Viewers only ever reach the read-only socket. */
	if (role != WEB_OPERATOR && opts.ro_path[0] == '\0') {
		rw_log("a viewer's WebSocket refused: no read-only socket");
		return rw_http_reply(wsi, 403, "viewers are not served here: "
		    "recweb has no read-only socket of recd's\n", NULL) ?
		    -1 : 1;
	}
	/* As recd counts its clients: each socket has 64. */
	if (role == WEB_OPERATOR ? noperators >= RW_CLIENTS :
	    nviewers + nscrapes >= RW_CLIENTS) {
		rw_log("a WebSocket refused: %d %s are open", RW_CLIENTS,
		    role == WEB_OPERATOR ? "operators'" : "viewers' and "
		    "scrapes'");
		return rw_http_reply(wsi, 503, "too many clients\n", NULL) ?
		    -1 : 1;
	}
	return 0;
}

int
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
