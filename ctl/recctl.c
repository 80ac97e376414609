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
#include "conn.h"
#include "meter.h"
#include "metrics.h"
#include "proto.h"
#include "show.h"

#define METER_RATE_HZ	20		/* levels events asked for */
#define TTY_COLS	80		/* when the terminal does not say */
#define TTY_ROWS	24

struct opts {
	const char	*socket;	/* --socket, or NULL */
	int		 json;		/* --json */
	char		**args;		/* the command's arguments */
	int		 nargs;
};


struct command {
	const char	*name;
	const char	*args;		/* for the usage text */
	int		 min, max;	/* arguments */
	int		(*run)(struct conn *, const struct opts *);
	const char	*help;
};

#if defined(__GNUC__)
#endif

/* The connection. */

/* Printing replies. */

/* Commands. */

/* Sends cmd with args and prints the result with print (NULL: nothing). */
static int
run_simple(struct conn *c, const struct opts *o, const char *cmd,
    cJSON *args, void (*print)(const cJSON *))
{
	cJSON	*result;
	int	 rc;

	rc = conn_call(c, cmd, args, &result, NULL, NULL);
	if (rc != RC_OK)
		return rc;
	if (o->json)
		print_json(result);
	else if (print != NULL)
		print(result);
	cJSON_Delete(result);
	return RC_OK;
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
			if (conn_stop_asked())
				return RC_STOPPED;
			/* A resize: the meter redraws with the next frame. */
			if (conn_winch_asked()) {
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
			rc = conn_refused(cJSON_GetObjectItemCaseSensitive(msg,
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
	conn_winch_done();
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
	rc = conn_call(c, "subscribe", args, &result, fn, ctx);
	cJSON_Delete(result);
	return rc;
}

static int
cmd_events(struct conn *c, const struct opts *o)
{
	int	rc;

	rc = conn_signals_catch();
	if (rc == RC_OK)
		rc = subscribe(c, "events", 0, on_event_or_resize,
		    (void *)o);
	if (rc == RC_OK)
		rc = follow(c, on_event_or_resize, (void *)o);
	return rc;
}

static int
cmd_metrics(struct conn *c, const struct opts *o)
{
	cJSON	*st, *ports = NULL;
	int	 rc;

	(void)o;
	rc = conn_call(c, "status", NULL, &st, NULL, NULL);
	if (rc != RC_OK)
		return rc;
	/* Names of the ports, when JACK is there; the levels go without. */
	if (conn_call(c, "ports", NULL, &ports, NULL, NULL) != RC_OK)
		ports = NULL;
	metrics_print(stdout, st, ports);
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
		conn_winch_done();
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
	rc = conn_signals_catch();
	if (rc != RC_OK)
		return rc;
	if (!o->json && isatty(STDOUT_FILENO)) {
		rc = conn_call(c, "ports", NULL, &ports, NULL, NULL);
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
	  "an option's value, or every option's; OUTPUT.KEY: an output's" },
	{ "set", "KEY VALUE", 2, 2, cmd_set,
	  "change an option while recd runs (VALUE as for recd), or "
	  "OUTPUT.KEY" },
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
		metrics_print_down(stdout);
	conn_close(&c);
	if (rc == RC_STOPPED)
		rc = RC_OK;
	if (out_flush() == RC_REFUSED && rc == RC_OK)
		rc = RC_REFUSED;
	return rc;
}
