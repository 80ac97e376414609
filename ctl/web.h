/*
 * web.h: what recweb's files share (recweb.c says which does what):
 * its limits, the state of a WebSocket, a scrape and a connection to
 * recd, the options, and the functions one file offers the others.
 */
#ifndef RECD_CTL_WEB_H
#define RECD_CTL_WEB_H

#include <stddef.h>

#include <cJSON.h>
#include <libwebsockets.h>

#include "webauth.h"

#define RECWEB_VERSION	"0.1.0"
#define RW_PORT		8687
#define RW_CLIENTS	64		/* recd's clients a socket: viewers and
					   scrapes on the read-only one,
					   operators on the control one */
#define RW_SCRAPES	8		/* scrapes of /metrics at once */
#define RW_QUEUE_MAX	(1u << 20)	/* bytes queued for a browser ... */
#define RW_LEVELS_MAX	(64u << 10)	/* ... of which levels may use */
#define RW_SNDBUF	16384		/* bytes: a small kernel buffer per
					   browser, as recd's per client, so
					   that our queue does the counting */
#define RW_RECD_LINE	(4u << 20)	/* the longest line taken from recd */
#define RW_READ		65536		/* bytes read from recd at once */
#define RW_METRICS_S	5		/* seconds a scrape may wait for recd */

struct rw_opts {
	const char	*listen;	/* [ADDR:]PORT */
	const char	*socket;	/* recd's control socket, or NULL */
	const char	*socket_ro;	/* its read-only socket, NULL: beside */
	const char	*www;		/* the page's files */
	const char	*passwords, *tokens;
	char		 addr[64];
	int		 port;
	char		 ctl_path[108];
	char		 ro_path[108];	/* "": none, viewers refused */
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

extern struct rw_opts	 opts;
extern struct webauth	*auth;
extern unsigned		 nviewers;	/* viewers' WebSockets open */
extern unsigned		 noperators;	/* operators' */
extern unsigned		 nscrapes;	/* scrapes of /metrics */

/* recweb.c */
void	rw_log(const char *fmt, ...);

/* webrecd.c */
int	rw_connect(const char *path);
struct lws	*rw_adopt(struct lws *from, int fd, void *opaque);
int	rw_recd_send(struct rw_recd *r, const char *line, size_t len);
void	rw_recd_free(struct rw_recd *r);
int	cb_recd(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len);

/* webws.c */
int	rw_ws_from_recd(void *arg, char *line, size_t len);
void	rw_ws_lost(struct rw_ws *w, const char *why);
int	cb_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len);

/* webhttp.c */
void	rw_scrape_free(struct rw_scrape *s);
void	rw_scrape_finish(struct rw_scrape *s);
int	rw_scrape_line(void *arg, char *line, size_t len);
int	cb_http(struct lws *wsi, enum lws_callback_reasons reason, void *user,
    void *in, size_t len);

#endif
