/*
 * recweb: the web page of recd.  It serves the page (ctl/www) and bridges
 * a WebSocket per browser to a connection of its own to recd's socket:
 * the read-only socket for a viewer, the control socket for a signed-in
 * operator.  One thread and one loop, libwebsockets': HTTP, WebSocket
 * framing and file serving are the library's; recd's sockets are adopted
 * into the same loop as raw descriptors.
 *   recweb.c   options, credentials, the loop, the protocols' table
 *   webhttp.c  HTTP: the page's files, /metrics, who may open a WebSocket
 *   webws.c    a browser's WebSocket: its queue, requests, roles
 *   webrecd.c  recd's sockets: lines in and out
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

#ifndef RECWEB_WWW
#define RECWEB_WWW	"/usr/local/share/recd/www"
#endif

struct rw_opts		 opts;
struct webauth		*auth;
unsigned		 nviewers, noperators, nscrapes;
static struct lws_context	*ctx;
static volatile sig_atomic_t	 stopping;

void
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
	    "  --socket-readonly PATH  recd's read-only socket, for viewers "
	    "and /metrics\n"
	    "                          (default as recd's: beside --socket; "
	    "none: operators only)\n"
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
	/* By default where recd puts it: beside the control socket. */
	if (cfg_socket_ro_path(opts.socket_ro, opts.ctl_path, opts.ro_path,
	    sizeof(opts.ro_path)) != 0)
		return usage_error(opts.socket_ro != NULL ? opts.socket_ro :
		    opts.ctl_path, "too long for a socket path (or the "
		    "read-only one beside it)");
	return 0;
}

static int
rw_auth(void)
{
	char err[512];

	if (opts.passwords == NULL && opts.tokens == NULL) {
		if (opts.ro_path[0] == '\0') {
			fprintf(stderr, "recweb: --socket-readonly none: "
			    "without --password-file or --token-file everyone "
			    "is a viewer, and viewers are served only over "
			    "recd's read-only socket\n");
			return 2;
		}
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

/*
 * Says at start-up whom recweb serves where: viewers and scrapes only
 * ever reach recd's read-only socket, so that they cannot take the
 * control socket's clients nor steer.
 */
static void
rw_check_ro(void)
{
	int fd;

	if (opts.ro_path[0] == '\0') {
		rw_log("no read-only socket (--socket-readonly none): only "
		    "operators are served; viewers and /metrics are refused");
		return;
	}
	rw_log("viewers and /metrics: recd's read-only socket %s",
	    opts.ro_path);
	if ((fd = rw_connect(opts.ro_path)) >= 0) {
		close(fd);
		return;
	}
	rw_log("warning: socket %s: connect: %s: viewers are told recd is "
	    "away until it listens there (recd's socket_readonly)",
	    opts.ro_path, strerror(errno));
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
	rw_log("serving http://%s:%d/ for recd at %s; %s", opts.addr,
	    opts.port, opts.ctl_path, auth != NULL ? "sign-in required" :
	    "everyone is a viewer");
	rw_check_ro();
	while (!stopping)
		if (lws_service(ctx, 0) < 0)
			break;
	lws_context_destroy(ctx);
	webauth_free(auth);
	rw_log("stopped");
	return 0;
}
