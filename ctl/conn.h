/*
 * conn.h: recctl's connection to recd's control socket: the greeting,
 * one request and its reply, the lines of a stream, and the signals that
 * end a stream.  One thread, blocking I/O.
 */
#ifndef RECD_CTL_CONN_H
#define RECD_CTL_CONN_H

#include <stddef.h>

#include <cJSON.h>

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

/*
 * Ctrl-C, SIGTERM and SIGWINCH wake conn_line (the streams); returns
 * RC_OK or RC_REFUSED with the reason on stderr.
 */
int		 conn_signals_catch(void);
/* Was a stop asked for (SIGINT, SIGTERM)?  Did the terminal change size
 * (SIGWINCH; conn_winch_done once redrawn)? */
int		 conn_stop_asked(void);
int		 conn_winch_asked(void);
void		 conn_winch_done(void);
/* RC_OK, or RC_CONN with the reason on stderr. */
int		 conn_open(struct conn *c, const char *path);
void		 conn_close(struct conn *c);
int		 conn_closed(const struct conn *c);
/*
 * The next line (NUL-terminated, valid until the next call): 1, or 0 at
 * the end, -EINTR when a signal came, -EMSGSIZE past CONN_LINE_MAX, or
 * -errno.
 */
int		 conn_line(struct conn *c, char **line);
/* RC_CONN, with what went wrong with r (conn_line's) on stderr. */
int		 conn_failed(const struct conn *c, int r);
/* A line as JSON; NULL (said on stderr) when it is not an object. */
cJSON		*conn_parse(const struct conn *c, const char *line);
/* recd's error (err: {code, message}) on stderr; RC_REFUSED. */
int		 conn_refused(const cJSON *err);
/* Reads and checks the greeting: RC_OK, or RC_CONN. */
int		 conn_hello(struct conn *c);
/* Sends {"id":N,"cmd":cmd, args...} (args are taken). */
int		 conn_send(struct conn *c, const char *cmd, cJSON *args);
/*
 * One request and its reply: *result (the caller's) on RC_OK; RC_REFUSED
 * with recd's error on stderr; events met on the way go to on_event (or
 * are dropped with NULL).
 */
int		 conn_call(struct conn *c, const char *cmd, cJSON *args,
		    cJSON **result,
		    int (*on_event)(void *, const cJSON *, const char *),
		    void *ctx);

#endif
