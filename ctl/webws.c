/*
 * webws.c: a browser's WebSocket in recweb: each message one request,
 * checked for the browser's role and passed on to recd as a line; recd's
 * lines queued back as messages.  A slow browser loses levels frames past
 * a small share of its queue, and is closed past recd's own limit; recd
 * is read as fast as it writes, whatever the browsers do.  recweb's one
 * thread.
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
int
rw_ws_from_recd(void *arg, char *line, size_t len)
{
	static const char levels[] = "{\"event\":\"levels\"";

	if (len == 0)
		return 0;
	return rw_ws_queue(arg, line, len,
	    strncmp(line, levels, sizeof(levels) - 1) == 0);
}

void
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
	int		 fd, sndbuf = RW_SNDBUF;

	/*
	 * Megabytes of stale meter frames in the kernel would be seconds of
	 * lag before recweb drops any: the kernel holds little, the queue
	 * the rest.
	 */
	if ((fd = lws_get_socket_fd(wsi)) >= 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf,
		    sizeof(sndbuf));
	memset(w, 0, sizeof(*w));
	w->wsi = wsi;
	w->recd.kind = RW_WS;
	w->recd.owner = w;
	w->recd.fd = -1;
	w->open = 1;
	w->role = WEB_VIEWER;
	if (auth != NULL) {
		if (lws_hdr_copy(wsi, hdr, sizeof(hdr),
		    WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
			hdr[0] = '\0';
		w->role = webauth_check(auth, hdr, w->user, sizeof(w->user));
		memset(hdr, 0, sizeof(hdr));
	}
	if (w->role == WEB_OPERATOR)
		noperators++;
	else
		nviewers++;
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "role", webauth_role_name(w->role));
	if (w->user[0] != '\0')
		cJSON_AddStringToObject(f, "user", w->user);
	else
		cJSON_AddNullToObject(f, "user");
	cJSON_AddStringToObject(f, "recweb", RECWEB_VERSION);
	rw_ws_queue_json(w, proto_event("bridge", f));

	/* A viewer never reaches the control socket (rw_upgrade). */
	path = w->role == WEB_OPERATOR ? opts.ctl_path : opts.ro_path;
	if (path[0] == '\0') {
		rw_ws_lost(w, "recweb has no read-only socket for viewers");
		return;
	}
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
	if (w->role == WEB_OPERATOR)
		noperators--;
	else
		nviewers--;
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

int
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
