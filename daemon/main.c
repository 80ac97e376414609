/*
 * main.c: recd's start-up (command line, config file, the checks that must
 * pass before anything is recorded) and its event loop: signals, and
 * wake-ups from JACK's threads and the writer.  Main thread.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "alarm.h"
#include "cap.h"
#include "cfg.h"
#include "cfgjson.h"
#include "ctlsrv.h"
#include "hooks.h"
#include "live.h"
#include "log.h"
#include "notify.h"
#include "proto.h"
#include "repair.h"
#include "ring.h"
#include "wav.h"
#include "writer.h"

/* Everything recd runs on, created here and passed down: no globals. */
struct recd {
	struct cfg	 cfg;
	struct cap	*cap;
	struct writer	*writer;
	uv_loop_t	 loop;
	uv_signal_t	 sig_int, sig_term, sig_hup, sig_usr1;
	uv_async_t	 wake;		/* JACK's threads and the writer */
	struct ctlsrv	*ctl;
	struct ctlsrv	*ctl_ro;	/* socket_readonly, or NULL */
	/*
	 * Levels: the writer's are read once (writer_levels resets them)
	 * and kept for each socket until its own tick takes them.
	 */
	struct lv_slot {
		struct recd	*r;
		float		*peak;		/* nch */
		unsigned char	*clip;		/* nch */
	} lv[2];			/* control, read-only */
	float		*lv_peak;	/* nch, scratch */
	unsigned char	*lv_clip;	/* nch, scratch */
	struct notify	*notify;	/* the service manager */
	struct hooks	*hooks;		/* on_file_closed runs */
	uv_timer_t	 hooks_timer;	/* at exit: how long they may take */
	struct cfg	 defaults;	/* the table's defaults, for options */
	char		**files;	/* open files, from the writer's events */
	size_t		 nfiles;
	struct timespec	 started;	/* CLOCK_MONOTONIC */
	int		 taking;	/* a take is asked for (start/stop) */
	const char	*config_path;	/* --config, or NULL */
	char		**overrides;	/* the command line's options */
	int		 noverrides;
	uint64_t	 xruns_seen;
	/* The JACK server went away: r->cap is NULL until it is back. */
	uv_timer_t	 jack_timer;
	struct timespec	 jack_lost_at;	/* CLOCK_MONOTONIC */
	unsigned	 jack_retry_ms, jack_tries;
	char		 jack_err[1024];	/* the last try's failure */
	unsigned	 rate, period;	/* the last server's */
	uint64_t	 dropped_before, xruns_before;	/* earlier clients' */
	/* The liveness guard: does JACK still run our callback? */
	struct live	 live;
	uv_timer_t	 live_timer;
	int		 stall_reconnect; /* the client was dropped for a stall */
	/* Alarms (alarm.h), fed every RECD_ALARM_TICK_MS. */
	struct alarms	*alarms;
	uv_timer_t	 alarm_timer;
	int64_t		*al_loud;	/* nch, from the writer */
	uint64_t	*al_clips;	/* nch, from the writer */
	unsigned char	*al_conn;	/* nch, from JACK */
	float		*al_peak;	/* nch, since the last tick */
	float		*peak_win;	/* nch, this second's so far */
	float		*peak_1s;	/* nch, the last whole second's */
	unsigned	 al_ticks;
	int		 disk_low;	/* the writer said disk_low */
	int		 stopping;
	int		 exit_code;
};

#define RECD_VERSION	"0.1.0"
#define RECD_RETRY_MIN_MS	500	/* JACK reconnection back-off */
#define RECD_RETRY_MAX_MS	10000
#define RECD_HOOKS_MAX		4	/* hooks running at once */
#define RECD_HOOKS_EXIT_MS	30000	/* at exit, hooks still running
					   after this are left alone */
#define RECD_LIVE_TICK_MS	100	/* the liveness guard looks */
#define RECD_ALARM_TICK_MS	250	/* the alarms look */

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: recd [--config FILE] [-n] [--OPTION VALUE ...]\n"
	    "       recd --help | --version | --print-config | "
	    "--print-options-markdown\n\n"
	    "recd records JACK input ports to WAV files, all day, and is\n"
	    "steered over a local socket.\n\n"
	    "  --config FILE   read options from FILE (JSON with comments)\n"
	    "  -n              check the configuration, then exit\n"
	    "  --print-config  print a config file with every option at its\n"
	    "                  default (etc/recd.json)\n"
	    "  --print-options-markdown\n"
	    "                  print the option table for README.md\n\n"
	    "Options, in the config file as \"name\": value, or on the\n"
	    "command line as --name value, --name=value ('-' or '_'):\n\n");
	cfg_print_help(f);
}

/*
 * Splits argv into recd's own flags and option overrides, loads the
 * config file, then applies the overrides over it.  Returns 0, or 1 with
 * the reason already printed.
 */
static int
load_config(struct recd *r, int argc, char *argv[], int *check_only,
    int *done)
{
	struct cfg	*c = &r->cfg;
	const char	*path = NULL;
	char		**rest, err[1024];
	int		 i, nrest = 0, rc = 1;

	*check_only = 0;
	*done = 0;
	rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (rest == NULL)
		fatal("command line");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			*done = 1;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("recd %s (service manager: %s)\n",
			    RECD_VERSION, notify_backend());
			*done = 1;
		} else if (strcmp(argv[i], "--print-config") == 0) {
			cfg_print_config(stdout);
			*done = 1;
		} else if (strcmp(argv[i], "--print-options-markdown") == 0) {
			cfg_print_markdown(stdout);
			*done = 1;
		} else if (strcmp(argv[i], "-n") == 0)
			*check_only = 1;
		else if (strcmp(argv[i], "--config") == 0 ||
		    strcmp(argv[i], "-c") == 0) {
			if (i + 1 == argc) {
				log_errx("command line: %s: needs a file",
				    argv[i]);
				goto out;
			}
			path = argv[++i];
		} else if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9;
		else
			rest[nrest++] = argv[i];
	}
	if (*done) {
		rc = 0;
		goto out;
	}
	if (cfg_init(c, err, sizeof(err)) != 0) {
		log_errx("%s", err);
		goto out;
	}
	if (path != NULL && cfgjson_load(c, path, err, sizeof(err)) != 0) {
		log_errx("%s", err);
		goto out;
	}
	if (cfg_apply_args(c, nrest, rest, err, sizeof(err)) != 0) {
		log_errx("%s", err);
		goto out;
	}
	if (cfg_check(c, err, sizeof(err)) != 0) {
		if (path != NULL)
			log_errx("config %s: %s", path, err);
		else
			log_errx("options: %s", err);
		goto out;
	}
	rc = 0;
out:
	/* Kept for SIGHUP, which reads the file and the overrides again. */
	r->config_path = path;
	r->overrides = rest;
	r->noverrides = nrest;
	return rc;
}

/*
 * Where the value of option key came from, for a message that names it:
 * "config FILE: key", "command line: key" or "default: key".
 */
static const char *
origin(const struct recd *r, const char *key, char *buf, size_t len)
{
	const struct cfg_opt	*o = cfg_find(key);
	char			 name[64];
	const char		*a, *from = "default";
	int			 i;

	for (i = 0; i < r->noverrides; i++) {
		a = r->overrides[i];
		if (strncmp(a, "--", 2) != 0)
			continue;
		a += 2;
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(a, "="), a);
		if (cfg_find(name) == o || (strncmp(name, "no-", 3) == 0 &&
		    cfg_find(name + 3) == o))
			from = "command line";
	}
	if (strcmp(from, "default") == 0 && r->config_path != NULL)
		snprintf(buf, len, "config %s: %s", r->config_path, key);
	else
		snprintf(buf, len, "%s: %s", from, key);
	return buf;
}

/*
 * Creates directory and its parents; then it must be writable.  Returns 0,
 * or -1 with "\"DIR\": what failed: why" in err.
 */
static int
make_directory(const char *dir, char *err, size_t errlen)
{
	char	path[4096], *p;
	size_t	len = strlen(dir);

	if (len >= sizeof(path)) {
		snprintf(err, errlen, "\"%s\": name too long", dir);
		return -1;
	}
	memcpy(path, dir, len + 1);
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		int end = *p == '\0';
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "\"%s\": mkdir %s: %s", dir, path,
			    strerror(errno));
			return -1;
		}
		if (end)
			break;
		*p = '/';
	}
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "\"%s\": not writable: %s", dir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* At start: the message names where the option was set. */
static int
prepare_directory(const struct recd *r, const char *dir)
{
	char who[4200], err[4200];

	if (make_directory(dir, err, sizeof(err)) == 0)
		return 0;
	log_errx("%s: %s", origin(r, "directory", who, sizeof(who)), err);
	return -1;
}

static void
close_cb(uv_handle_t *h)
{
	(void)h;
}

static void	forward_events(struct recd *);
static void	send_event(struct recd *, const char *, cJSON *);

/* The hooks are done (or may take no longer): the loop can end. */
static void
hooks_finish(struct recd *r)
{
	hooks_close(r->hooks);
	r->hooks = NULL;
	if (!uv_is_closing((uv_handle_t *)&r->hooks_timer))
		uv_close((uv_handle_t *)&r->hooks_timer, close_cb);
}

static void
hooks_deadline(uv_timer_t *t)
{
	struct recd *r = t->data;

	log_warnx("hooks still running after %d s: left to finish on their "
	    "own", RECD_HOOKS_EXIT_MS / 1000);
	hooks_finish(r);
}

static void
on_hook_done(void *arg, const char *hook, const char *path, int status)
{
	struct recd	*r = arg;
	cJSON		*f;

	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "hook", hook);
	cJSON_AddStringToObject(f, "path", path);
	if (status == HOOKS_NOT_RUN)
		cJSON_AddNullToObject(f, "status");
	else
		cJSON_AddNumberToObject(f, "status", status);
	send_event(r, "hook_done", f);
	if (r->stopping && hooks_running(r->hooks) +
	    hooks_queued(r->hooks) == 0)
		hooks_finish(r);
}

/*
 * on_file_closed: the finished file as $1, and what a script would ask
 * about it in the environment.
 */
static void
run_hook(struct recd *r, const struct writer_event *e)
{
	char		 v[6][PATH_MAX + 32], fmt[16];
	const char	*env[8];
	unsigned	 ch = 0, rate = 0;

	if (r->hooks == NULL || r->cfg.on_file_closed[0] == '\0')
		return;
	fmt[0] = '\0';
	if (sscanf(e->text, "%u %15s %u", &ch, fmt, &rate) != 3)
		rate = r->rate;
	snprintf(v[0], sizeof(v[0]), "RECD_FILE=%s", e->path);
	snprintf(v[1], sizeof(v[1]), "RECD_FRAMES=%llu",
	    (unsigned long long)e->frames);
	snprintf(v[2], sizeof(v[2]), "RECD_SECONDS=%.3f", rate > 0 ?
	    (double)e->frames / rate : 0.0);
	snprintf(v[3], sizeof(v[3]), "RECD_RATE=%u", rate);
	snprintf(v[4], sizeof(v[4]), "RECD_CHANNELS=%u", ch);
	snprintf(v[5], sizeof(v[5]), "RECD_FORMAT=%s", fmt);
	env[0] = "RECD_HOOK=on_file_closed";
	env[1] = v[0];
	env[2] = v[1];
	env[3] = v[2];
	env[4] = v[3];
	env[5] = v[4];
	env[6] = v[5];
	env[7] = NULL;
	hooks_run(r->hooks, "on_file_closed", r->cfg.on_file_closed, e->path,
	    env);
}

/*
 * Where a take starts: a period after now.  JACK applies connections at a
 * cycle's start, so the cycle running while they were made may still
 * carry the silence of a port not yet connected.
 */
static uint32_t
take_from(const struct cap *c)
{
	return cap_frame_now(c) + cap_period(c);
}

static int64_t
mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Counters over every JACK client this recd had. */
static uint64_t
dropped_frames(const struct recd *r)
{
	return r->dropped_before + (r->cap != NULL ?
	    cap_dropped_frames(r->cap) : 0);
}

static uint64_t
xruns(const struct recd *r)
{
	return r->xruns_before + (r->cap != NULL ? cap_xruns(r->cap) : 0);
}

/* The shutdown order of STYLE.md section 6. */
static void
shutdown_recd(struct recd *r, int code)
{
	struct writer_stats st;

	if (r->stopping)
		return;
	r->stopping = 1;
	r->exit_code = code;
	notify_stop(r->notify);
	r->notify = NULL;
	ctlsrv_close(r->ctl);
	r->ctl = NULL;
	ctlsrv_close(r->ctl_ro);
	r->ctl_ro = NULL;
	if (r->cap != NULL)
		cap_deactivate(r->cap);
	writer_stop(r->writer);
	/* The last files' events: their hooks run before recd exits. */
	forward_events(r);
	writer_get_stats(r->writer, &st);
	log_info("stopped: %llu frames recorded in %llu files, %llu gaps "
	    "(%llu frames), %llu frames dropped, %llu xruns",
	    (unsigned long long)st.frames,
	    (unsigned long long)st.files_closed, (unsigned long long)st.gaps,
	    (unsigned long long)st.gap_frames,
	    (unsigned long long)dropped_frames(r),
	    (unsigned long long)xruns(r));
	uv_close((uv_handle_t *)&r->sig_int, close_cb);
	uv_close((uv_handle_t *)&r->sig_term, close_cb);
	uv_close((uv_handle_t *)&r->sig_hup, close_cb);
	uv_close((uv_handle_t *)&r->sig_usr1, close_cb);
	uv_close((uv_handle_t *)&r->wake, close_cb);
	uv_close((uv_handle_t *)&r->jack_timer, close_cb);
	uv_close((uv_handle_t *)&r->live_timer, close_cb);
	uv_close((uv_handle_t *)&r->alarm_timer, close_cb);
	if (r->hooks != NULL && hooks_running(r->hooks) +
	    hooks_queued(r->hooks) > 0) {
		log_info("waiting for %u hooks (at most %d s)",
		    hooks_running(r->hooks) + hooks_queued(r->hooks),
		    RECD_HOOKS_EXIT_MS / 1000);
		uv_timer_start(&r->hooks_timer, hooks_deadline,
		    RECD_HOOKS_EXIT_MS, 0);
	} else
		hooks_finish(r);
}

static int	check_directory(const struct recd *, const struct cfg *,
		    char *, size_t);
static void	alarm_setup(struct recd *);
static cJSON	*alarm_json(const struct alarm_change *, int64_t);

/*
 * SIGHUP: the config file and the command line again.  Runtime options
 * that changed apply as with set; a changed option that needs a restart is
 * named and left as it is; a bad file changes nothing.
 */
static void
reload(struct recd *r)
{
	const struct cfg_opt	*o;
	struct cfg		 want, next;
	char			 err[1024], a[1024], b[1024];
	size_t			 i;
	int			 changed = 0;
	cJSON			*f;

	if (cfg_init(&want, err, sizeof(err)) != 0 ||
	    (r->config_path != NULL && cfgjson_load(&want, r->config_path,
	    err, sizeof(err)) != 0) ||
	    cfg_apply_args(&want, r->noverrides, r->overrides, err,
	    sizeof(err)) != 0 || cfg_check(&want, err, sizeof(err)) != 0) {
		log_errx("SIGHUP: %s; nothing changed", err);
		cfg_done(&want);
		return;
	}
	if (cfg_copy(&next, &r->cfg, err, sizeof(err)) != 0) {
		log_errx("SIGHUP: %s", err);
		cfg_done(&want);
		return;
	}
	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		cfg_format(&r->cfg, o, a, sizeof(a));
		cfg_format(&want, o, b, sizeof(b));
		if (strcmp(a, b) == 0)
			continue;
		if (!o->runtime) {
			log_warnx("SIGHUP: %s: changed, but takes a restart of "
			    "recd; still %s", o->name, a);
			continue;
		}
		if (cfgjson_set(&next, o, f = cfgjson_value(&want, o), err,
		    sizeof(err)) != 0)
			log_errx("SIGHUP: %s", err);
		else {
			log_info("SIGHUP: %s: %s", o->name, b);
			changed = 1;
		}
		cJSON_Delete(f);
	}
	cfg_done(&want);
	if (changed && check_directory(r, &next, err, sizeof(err)) != 0) {
		log_errx("SIGHUP: %s; nothing changed", err);
		cfg_done(&next);
		return;
	}
	if (!changed || writer_config(r->writer, &next) != 0) {
		if (changed)
			log_errx("SIGHUP: the writer's queue is full; nothing "
			    "changed");
		cfg_done(&next);
		return;
	}
	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		cfg_format(&r->cfg, o, a, sizeof(a));
		cfg_format(&next, o, b, sizeof(b));
		if (strcmp(a, b) == 0)
			continue;
		/* Events reach the read-only socket: no command in them. */
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "key", o->name);
		cJSON_AddItemToObject(f, "value", o->runtime == CFG_RT_FILE ?
		    cJSON_CreateNull() : cfgjson_value(&next, o));
		send_event(r, "option_changed", f);
	}
	if (next.log_level != r->cfg.log_level)
		log_set_level((enum log_level)next.log_level);
	cfg_format(&r->cfg, cfg_find("connect"), a, sizeof(a));
	cfg_format(&next, cfg_find("connect"), b, sizeof(b));
	cfg_done(&r->cfg);
	r->cfg = next;
	alarm_setup(r);
	if (strcmp(a, b) != 0 && r->cap != NULL)
		cap_reconnect(r->cap, &r->cfg);
}

static void
on_signal(uv_signal_t *h, int signum)
{
	struct recd *r = h->data;

	switch (signum) {
	case SIGINT:
	case SIGTERM:
		log_info("%s: finishing the files", signum == SIGINT ?
		    "SIGINT" : "SIGTERM");
		shutdown_recd(r, 0);
		break;
	case SIGHUP:
		reload(r);
		break;
	case SIGUSR1:
		writer_test_stall(r->writer, (unsigned)(
		    r->cfg.buffer_seconds * 1000 + 1500));
		break;
	}
}

/*
 * Does the event run on_event?  Those on_event_names names, or every one
 * when it names none; never hook_done, which a hook's own end would send
 * round and round.
 */
static int
event_hooked(const struct recd *r, const char *name)
{
	size_t i;

	if (r->hooks == NULL || r->cfg.on_event[0] == '\0' ||
	    strcmp(name, "hook_done") == 0)
		return 0;
	if (r->cfg.on_event_names.n == 0)
		return 1;
	for (i = 0; i < r->cfg.on_event_names.n; i++)
		if (strcmp(r->cfg.on_event_names.v[i], name) == 0)
			return 1;
	return 0;
}

/* "RECD_KEY=3,4": an array's numbers (channels), as a shell wants them. */
static void
join_numbers(const cJSON *a, const char *key, char *buf, size_t len)
{
	const cJSON	*e;
	size_t		 n;

	n = (size_t)snprintf(buf, len, "RECD_%s=", key);
	for (e = a->child; e != NULL && n < len; e = e->next)
		if (cJSON_IsNumber(e))
			n += (size_t)snprintf(buf + n, len - n, "%s%.17g",
			    buf[n - 1] == '=' ? "" : ",", e->valuedouble);
}

/*
 * A hook for an event: the event's name as $1 and RECD_EVENT, its
 * top-level fields that are text, numbers or lists of numbers as
 * RECD_<FIELD> (upper case), and the event's JSON line on stdin.
 */
static void
run_event_hook(struct recd *r, const char *hook, const char *cmd,
    const char *name, const cJSON *fields, const char *line)
{
	const cJSON	*f;
	char		 v[16][PATH_MAX + 64], key[64];
	const char	*env[18];
	size_t		 n = 0, i;

	snprintf(v[n], sizeof(v[n]), "RECD_HOOK=%s", hook);
	env[n] = v[n];
	n++;
	snprintf(v[n], sizeof(v[n]), "RECD_EVENT=%s", name);
	env[n] = v[n];
	n++;
	for (f = fields != NULL ? fields->child : NULL; f != NULL && n < 16;
	    f = f->next) {
		for (i = 0; f->string[i] != '\0' && i + 1 < sizeof(key); i++)
			key[i] = (char)toupper((unsigned char)f->string[i]);
		key[i] = '\0';
		if (cJSON_IsString(f))
			snprintf(v[n], sizeof(v[n]), "RECD_%s=%s", key,
			    f->valuestring);
		else if (cJSON_IsNumber(f))
			snprintf(v[n], sizeof(v[n]), "RECD_%s=%.17g", key,
			    f->valuedouble);
		else if (cJSON_IsBool(f))
			snprintf(v[n], sizeof(v[n]), "RECD_%s=%d", key,
			    cJSON_IsTrue(f));
		else if (cJSON_IsArray(f))
			join_numbers(f, key, v[n], sizeof(v[n]));
		else
			continue;
		env[n] = v[n];
		n++;
	}
	env[n] = NULL;
	hooks_run_input(r->hooks, hook, cmd, name, env, line);
}

static void
send_event(struct recd *r, const char *name, cJSON *fields)
{
	char	*line;
	int	 hooked = event_hooked(r, name);

	if (r->ctl == NULL && !hooked) {
		cJSON_Delete(fields);
		return;
	}
	/* proto_event takes fields: the hook reads them from the line's. */
	line = proto_event(name, fields);
	if (line == NULL)
		return;
	if (r->ctl != NULL)
		ctlsrv_event(r->ctl, line);
	if (r->ctl_ro != NULL)
		ctlsrv_event(r->ctl_ro, line);
	if (hooked) {
		cJSON *ev = cJSON_Parse(line);

		run_event_hook(r, "on_event", r->cfg.on_event, name, ev, line);
		cJSON_Delete(ev);
	}
	free(line);
}

static void
files_add(struct recd *r, const char *path)
{
	char **v;

	v = realloc(r->files, (r->nfiles + 1) * sizeof(*v));
	if (v == NULL)
		return;
	r->files = v;
	if ((v[r->nfiles] = strdup(path)) != NULL)
		r->nfiles++;
}

/* A file closed under its final name: forget its .partial name. */
static void
files_remove(struct recd *r, const char *path)
{
	size_t	i, len = strlen(path);

	for (i = 0; i < r->nfiles; i++) {
		if (strncmp(r->files[i], path, len) == 0 &&
		    strcmp(r->files[i] + len, ".partial") == 0) {
			free(r->files[i]);
			r->files[i] = r->files[--r->nfiles];
			return;
		}
	}
}

static void
local_iso(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
}

static void
add_path(cJSON *f, const char *path)
{
	if (path[0] != '\0')
		cJSON_AddStringToObject(f, "path", path);
	else
		cJSON_AddNullToObject(f, "path");
}

/* The writer's events, to the log's listeners and the socket's. */
static void
forward_events(struct recd *r)
{
	struct writer_event	 e;
	cJSON			*f;
	char			 when[32];
	const char		*name = NULL;

	while (writer_event(r->writer, &e)) {
		f = cJSON_CreateObject();
		switch (e.type) {
		case WEV_TAKE_STARTED:
			name = "take_started";
			local_iso(e.time, when, sizeof(when));
			cJSON_AddStringToObject(f, "time", when);
			break;
		case WEV_TAKE_STOPPED:
			name = "take_stopped";
			cJSON_AddNumberToObject(f, "frames", (double)e.frames);
			if (e.text[0] != '\0') {
				/* The writer stopped it (write_error stop). */
				cJSON_AddStringToObject(f, "reason", e.text);
				r->taking = 0;
			}
			break;
		case WEV_FILE_OPENED:
			name = "file_opened";
			files_add(r, e.path);
			cJSON_AddStringToObject(f, "path", e.path);
			break;
		case WEV_FILE_CLOSED:
			name = "file_closed";
			files_remove(r, e.path);
			run_hook(r, &e);
			cJSON_AddStringToObject(f, "path", e.path);
			cJSON_AddNumberToObject(f, "frames", (double)e.frames);
			cJSON_AddNumberToObject(f, "seconds", e.seconds);
			break;
		case WEV_GAP:
			name = "gap";
			cJSON_AddNumberToObject(f, "frames", (double)e.frames);
			cJSON_AddNumberToObject(f, "seconds", e.seconds);
			cJSON_AddStringToObject(f, "cause", e.text);
			add_path(f, e.path);
			cJSON_AddNumberToObject(f, "frame", (double)e.frame);
			break;
		case WEV_MARK:
			name = "mark";
			cJSON_AddStringToObject(f, "label", e.text);
			cJSON_AddNumberToObject(f, "frame", (double)e.frame);
			break;
		case WEV_GATE_OPENED:
		case WEV_GATE_CLOSED:
			name = e.type == WEV_GATE_OPENED ? "gate_opened" :
			    "gate_closed";
			cJSON_AddNumberToObject(f, "frame", (double)e.frame);
			cJSON_AddNumberToObject(f, "seconds",
			    (double)e.frame / r->rate);
			cJSON_AddNumberToObject(f, e.type == WEV_GATE_OPENED ?
			    "preroll_seconds" : "segment_seconds", e.seconds);
			add_path(f, e.path);
			break;
		case WEV_DISK_LOW:
			name = strcmp(e.text, "low") == 0 ? "disk_low" :
			    "disk_ok";
			r->disk_low = strcmp(e.text, "low") == 0;
			cJSON_AddStringToObject(f, "path", e.path);
			cJSON_AddNumberToObject(f, "free_bytes",
			    (double)e.frames);
			break;
		case WEV_PAUSED:
			name = "paused";
			cJSON_AddStringToObject(f, "reason", e.text);
			cJSON_AddNumberToObject(f, "frame", (double)e.frame);
			break;
		case WEV_RESUMED:
			/* The frames not recorded are a gap, as any other. */
			cJSON_AddNumberToObject(f, "frames", (double)e.frames);
			cJSON_AddNumberToObject(f, "seconds", e.seconds);
			cJSON_AddStringToObject(f, "cause", e.text);
			cJSON_AddNullToObject(f, "path");
			cJSON_AddNumberToObject(f, "frame", (double)e.frame);
			send_event(r, "gap", f);
			name = "resumed";
			f = cJSON_CreateObject();
			cJSON_AddStringToObject(f, "after", e.text);
			break;
		case WEV_FILE_DELETED:
			name = "file_deleted";
			cJSON_AddStringToObject(f, "path", e.path);
			cJSON_AddNumberToObject(f, "bytes", (double)e.frames);
			cJSON_AddStringToObject(f, "reason", e.text);
			break;
		case WEV_WRITE_ERROR:
			name = "write_error";
			add_path(f, e.path);
			cJSON_AddStringToObject(f, "error", e.text);
			cJSON_AddNumberToObject(f, "errno", (double)e.frames);
			break;
		}
		send_event(r, name, f);
	}
}

static const char *const fmt_names[] = { "pcm16", "pcm24", "pcm32",
	"float32" };
static const char *const pause_names[] = { "none", "disk_full",
	"write_error", "wait_start" };

static cJSON *
cmd_status(struct recd *r)
{
	struct writer_stats	 st;
	struct alarm_change	 ac;
	struct timespec		 now;
	cJSON			*res, *o, *a;
	char			 when[32];
	size_t			 i;

	writer_get_stats(r->writer, &st);
	res = cJSON_CreateObject();
	/* What was asked for: the writer follows within a drain period. */
	/* Stalled: connected, but JACK runs our callback no more. */
	cJSON_AddStringToObject(res, "state", st.failed ? "failed" :
	    r->cap != NULL && r->live.stalled ? "stalled" :
	    !r->taking ? "idle" : r->cap == NULL || st.paused != WP_NONE ?
	    "paused" : "recording");
	if (st.take_start != 0) {
		o = cJSON_AddObjectToObject(res, "take");
		local_iso(st.take_start, when, sizeof(when));
		cJSON_AddStringToObject(o, "started", when);
		cJSON_AddNumberToObject(o, "frames", (double)st.take_frames);
		cJSON_AddNumberToObject(o, "seconds",
		    (double)st.take_frames / r->rate);
	} else
		cJSON_AddNullToObject(res, "take");
	a = cJSON_AddArrayToObject(res, "files");
	for (i = 0; i < r->nfiles; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(r->files[i]));
	cJSON_AddNumberToObject(res, "frames_written", (double)st.frames);
	cJSON_AddNumberToObject(res, "seconds_recorded",
	    (double)st.frames / r->rate);
	cJSON_AddNumberToObject(res, "dropped_frames",
	    (double)dropped_frames(r));
	cJSON_AddNumberToObject(res, "gaps", (double)st.gaps);
	cJSON_AddNumberToObject(res, "gap_frames", (double)st.gap_frames);
	cJSON_AddNumberToObject(res, "xruns", (double)xruns(r));
	o = cJSON_AddObjectToObject(res, "ring");
	cJSON_AddNumberToObject(o, "bytes", r->cap != NULL ?
	    (double)ring_capacity(cap_ring(r->cap)) : 0);
	cJSON_AddNumberToObject(o, "fill", (double)st.ring_fill);
	cJSON_AddNumberToObject(o, "high_water", (double)st.ring_high_water);
	if (st.disk_free >= 0) {
		o = cJSON_AddObjectToObject(res, "disk");
		cJSON_AddStringToObject(o, "path", r->cfg.directory);
		cJSON_AddNumberToObject(o, "free_bytes", (double)st.disk_free);
	} else
		cJSON_AddNullToObject(res, "disk");
	o = cJSON_AddObjectToObject(res, "jack");
	cJSON_AddBoolToObject(o, "connected", r->cap != NULL &&
	    !cap_server_lost(r->cap));
	cJSON_AddStringToObject(o, "client", r->cfg.client_name);
	cJSON_AddNumberToObject(o, "rate", r->rate);
	cJSON_AddNumberToObject(o, "period", r->period);
	if (r->cap != NULL)
		cJSON_AddNumberToObject(o, "last_period_age_seconds",
		    (double)live_age_ns(&r->live, mono_now_ns()) / 1e9);
	else
		cJSON_AddNullToObject(o, "last_period_age_seconds");
	cJSON_AddNumberToObject(res, "channels", (double)r->cfg.channels);
	cJSON_AddStringToObject(res, "mode", r->cfg.mode == CFG_MODE_SPLIT ?
	    "split" : "single");
	cJSON_AddStringToObject(res, "format", fmt_names[r->cfg.format]);
	if (r->taking && r->cap == NULL)
		cJSON_AddStringToObject(res, "paused", "jack_lost");
	else if (r->taking && st.paused != WP_NONE)
		cJSON_AddStringToObject(res, "paused", pause_names[st.paused]);
	else
		cJSON_AddNullToObject(res, "paused");
	if (st.gate >= 0) {
		o = cJSON_AddObjectToObject(res, "gate");
		cJSON_AddBoolToObject(o, "open", st.gate == 1);
		cJSON_AddNumberToObject(o, "since_frame",
		    (double)st.gate_since);
		cJSON_AddNumberToObject(o, "since_seconds",
		    (double)st.gate_since / r->rate);
	} else
		cJSON_AddNullToObject(res, "gate");
	cJSON_AddNumberToObject(res, "files_finished",
	    (double)st.files_closed);
	/* Each channel's peak over the last second: dBFS, null for silence. */
	a = cJSON_AddArrayToObject(res, "peak_dbfs");
	for (i = 0; r->peak_1s != NULL && i < (size_t)r->cfg.channels; i++)
		cJSON_AddItemToArray(a, r->peak_1s[i] > 0 ?
		    cJSON_CreateNumber(round(2000 * log10(r->peak_1s[i])) /
		    100) : cJSON_CreateNull());
	a = cJSON_AddArrayToObject(res, "alarms");
	for (i = 0; r->alarms != NULL && alarm_active(r->alarms, (unsigned)i,
	    &ac); i++)
		cJSON_AddItemToArray(a, alarm_json(&ac, mono_now_ns()));
	clock_gettime(CLOCK_MONOTONIC, &now);
	cJSON_AddNumberToObject(res, "uptime_seconds",
	    (double)(now.tv_sec - r->started.tv_sec) +
	    (now.tv_nsec - r->started.tv_nsec) / 1e9);
	return res;
}

static cJSON *
cmd_options(struct recd *r)
{
	static const char *const types[] = {
		"boolean", "integer", "number", "string", "choice", "list"
	};
	const struct cfg_opt	*o;
	cJSON			*res, *a, *e, *ch;
	size_t			 i, k;

	res = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(res, "options");
	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", o->name);
		cJSON_AddStringToObject(e, "type", types[o->type]);
		cJSON_AddItemToObject(e, "default",
		    cfgjson_value(&r->defaults, o));
		if (o->type == CFG_ENUM) {
			ch = cJSON_AddArrayToObject(e, "choices");
			for (k = 0; o->choices[k] != NULL; k++)
				cJSON_AddItemToArray(ch,
				    cJSON_CreateString(o->choices[k]));
		} else if (o->type != CFG_BOOL) {
			cJSON_AddNumberToObject(e, "min", o->min);
			cJSON_AddNumberToObject(e, "max", o->max);
		}
		cJSON_AddBoolToObject(e, "runtime", o->runtime == CFG_RT_YES);
		cJSON_AddBoolToObject(e, "sighup", o->runtime != CFG_RT_NO);
		cJSON_AddStringToObject(e, "help", o->help);
		cJSON_AddItemToArray(a, e);
	}
	return res;
}

static cJSON *
cmd_ports(struct recd *r, const char **code, char *msg, size_t msglen)
{
	const char	**src;
	cJSON		 *res, *a, *e, *sa;
	unsigned	  ch;
	size_t		  i;

	if (r->cap == NULL) {
		*code = PROTO_E_BAD_STATE;
		snprintf(msg, msglen, "ports: the JACK server is away; recd "
		    "reconnects when it is back");
		return NULL;
	}
	res = cJSON_CreateObject();
	a = cJSON_AddArrayToObject(res, "ports");
	for (ch = 0; ch < cap_channels(r->cap); ch++) {
		e = cJSON_CreateObject();
		cJSON_AddNumberToObject(e, "channel", ch + 1);
		cJSON_AddStringToObject(e, "name", cap_port_name(r->cap, ch));
		sa = cJSON_AddArrayToObject(e, "sources");
		src = cap_port_sources(r->cap, ch);
		for (i = 0; src != NULL && src[i] != NULL; i++)
			cJSON_AddItemToArray(sa, cJSON_CreateString(src[i]));
		cap_free_names(src);
		cJSON_AddItemToArray(a, e);
	}
	return res;
}

/*
 * An option's value for a client.  The commands recd runs (on_*) often
 * hold a token or a password: a read-only client, who may be anyone on
 * the machine, gets null.
 */
static cJSON *
option_value(const struct recd *r, const struct cfg_opt *o, int readonly)
{
	if (readonly && o->runtime == CFG_RT_FILE)
		return cJSON_CreateNull();
	return cfgjson_value(&r->cfg, o);
}

static cJSON *
cmd_get(struct recd *r, const struct proto_req *req, int readonly,
    const char **code, char *msg, size_t msglen)
{
	const struct cfg_opt	*o;
	cJSON			*res, *v;
	size_t			 i;

	res = cJSON_CreateObject();
	if (req->key == NULL) {
		v = cJSON_AddObjectToObject(res, "values");
		for (i = 0; i < cfg_count(); i++) {
			o = cfg_opt_at(i);
			cJSON_AddItemToObject(v, o->name, option_value(r, o,
			    readonly));
		}
		return res;
	}
	o = cfg_find(req->key);
	if (o == NULL) {
		cJSON_Delete(res);
		*code = PROTO_E_BAD_OPTION;
		snprintf(msg, msglen, "%s: unknown option", req->key);
		return NULL;
	}
	cJSON_AddStringToObject(res, "key", o->name);
	cJSON_AddItemToObject(res, "value", option_value(r, o, readonly));
	return res;
}

/*
 * A new directory must be usable before it is taken: the writer would
 * find out only at the next file, and the take would end there.  This
 * touches the recording filesystem from the loop (mkdir, access), which
 * the loop otherwise never does; it is a rare request that a person or a
 * frontend waits on, and the reply must say whether it was taken.
 */
static int
check_directory(const struct recd *r, const struct cfg *next, char *msg,
    size_t msglen)
{
	char err[4200];

	if (strcmp(next->directory, r->cfg.directory) == 0 ||
	    make_directory(next->directory, err, sizeof(err)) == 0)
		return 0;
	/* msg is the reply's message: a long path is cut, not overflowed. */
	if (snprintf(msg, msglen, "directory: %s", err) < 0)
		msg[0] = '\0';
	return -EINVAL;
}

/*
 * A runtime option, checked on a copy first: a refused value changes
 * nothing, and the running take goes on untouched.
 */
static cJSON *
cmd_set(struct recd *r, const struct proto_req *req, const char **code,
    char *msg, size_t msglen)
{
	const struct cfg_opt	*o;
	struct cfg		 tmp;
	cJSON			*res, *f;
	int			 rc;

	o = cfg_find(req->key);
	*code = PROTO_E_BAD_OPTION;
	if (o == NULL) {
		snprintf(msg, msglen, "%s: unknown option", req->key);
		return NULL;
	}
	if (o->runtime == CFG_RT_FILE) {
		*code = PROTO_E_NOT_RUNTIME;
		snprintf(msg, msglen, "%s: a command recd runs comes from the "
		    "configuration file only; change it there and send SIGHUP "
		    "(systemctl reload recd)", o->name);
		log_warnx("set %s: refused: commands come from the "
		    "configuration file only", o->name);
		return NULL;
	}
	if (o->runtime != CFG_RT_YES) {
		*code = PROTO_E_NOT_RUNTIME;
		snprintf(msg, msglen, "%s: cannot change while recd runs; "
		    "change the configuration and restart recd", o->name);
		return NULL;
	}
	if (cfg_copy(&tmp, &r->cfg, msg, msglen) != 0) {
		*code = PROTO_E_INTERNAL;
		return NULL;
	}
	if (req->value != NULL)
		rc = cfgjson_set(&tmp, o, req->value, msg, msglen);
	else
		rc = cfg_set_text(&tmp, o, req->text, 0, msg, msglen);
	if (rc == 0)
		rc = cfg_check(&tmp, msg, msglen);
	if (rc == 0 && (rc = check_directory(r, &tmp, msg, msglen)) != 0)
		*code = PROTO_E_BAD_OPTION;
	if (rc == 0 && (rc = writer_config(r->writer, &tmp)) != 0) {
		*code = PROTO_E_INTERNAL;
		snprintf(msg, msglen, "%s: the writer's queue is full; try "
		    "again", o->name);
	}
	if (rc != 0) {
		cfg_done(&tmp);
		return NULL;
	}
	cfg_done(&r->cfg);
	r->cfg = tmp;
	alarm_setup(r);
	if (strcmp(o->name, "log_level") == 0)
		log_set_level((enum log_level)r->cfg.log_level);
	if (strcmp(o->name, "connect") == 0 && r->cap != NULL)
		cap_reconnect(r->cap, &r->cfg);
	log_info("set %s: %s", o->name, req->text != NULL ? req->text :
	    "(from a client)");
	res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "key", o->name);
	cJSON_AddItemToObject(res, "value", cfgjson_value(&r->cfg, o));
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "key", o->name);
	cJSON_AddItemToObject(f, "value", cfgjson_value(&r->cfg, o));
	send_event(r, "option_changed", f);
	return res;
}

static cJSON *
state_result(const char *state)
{
	cJSON *res = cJSON_CreateObject();

	cJSON_AddStringToObject(res, "state", state);
	return res;
}

static cJSON	*run_request(struct recd *, const struct proto_req *,
		    const struct ctlsrv_peer *, const char **, char *, size_t);

/* Every command but subscribe and unsubscribe (ctlsrv does those). */
static cJSON *
on_request(void *arg, const struct proto_req *req,
    const struct ctlsrv_peer *peer, const char **code, char *msg,
    size_t msglen)
{
	struct recd		*r = ((struct lv_slot *)arg)->r;
	cJSON			*res;

	res = run_request(r, req, peer, code, msg, msglen);
	/* What changes something is logged with who asked for it. */
	switch (req->cmd) {
	case PROTO_START:
	case PROTO_STOP:
	case PROTO_ROTATE:
	case PROTO_MARK:
	case PROTO_SET:
		log_info("%s%s%s: asked by uid %ld, pid %ld%s%s",
		    proto_cmd_name(req->cmd), req->key != NULL ? " " : "",
		    req->key != NULL ? req->key : "", peer->uid, peer->pid,
		    res == NULL ? "; refused: " : "", res == NULL ? msg : "");
		break;
	default:
		break;
	}
	return res;
}

/* Every command but subscribe and unsubscribe (ctlsrv does those). */
static cJSON *
run_request(struct recd *r, const struct proto_req *req,
    const struct ctlsrv_peer *peer, const char **code, char *msg,
    size_t msglen)
{
	struct writer_stats	 st;

	writer_get_stats(r->writer, &st);
	switch (req->cmd) {
	case PROTO_STATUS:
		return cmd_status(r);
	case PROTO_START:
		if (st.failed) {
			*code = PROTO_E_BAD_STATE;
			snprintf(msg, msglen, "start: the writer has failed "
			    "(see the log)");
			return NULL;
		}
		if (r->taking && (st.paused == WP_DISK_FULL)) {
			*code = PROTO_E_BAD_STATE;
			snprintf(msg, msglen, "start: %s: %lld MB free, below "
			    "disk_min_mb (%ld)", r->cfg.directory,
			    st.disk_free / (1024 * 1024), r->cfg.disk_min_mb);
			return NULL;
		}
		if (r->taking)
			writer_resume(r->writer);
		writer_take(r->writer, 1, r->cap != NULL ?
		    take_from(r->cap) : 0);
		r->taking = 1;
		return state_result(r->cap != NULL ? "recording" : "paused");
	case PROTO_STOP:
		writer_take(r->writer, 0, 0);
		r->taking = 0;
		return state_result("idle");
	case PROTO_ROTATE:
	case PROTO_MARK:
		if (!r->taking || !st.recording) {
			*code = PROTO_E_BAD_STATE;
			snprintf(msg, msglen, "%s: no take is open",
			    proto_cmd_name(req->cmd));
			return NULL;
		}
		if ((req->cmd == PROTO_ROTATE ? writer_rotate(r->writer) :
		    writer_mark(r->writer, req->label != NULL ? req->label :
		    "")) != 0) {
			*code = PROTO_E_INTERNAL;
			snprintf(msg, msglen, "%s: the writer's queue is full; "
			    "try again", proto_cmd_name(req->cmd));
			return NULL;
		}
		return cJSON_CreateObject();
	case PROTO_GET:
		return cmd_get(r, req, peer->readonly, code, msg, msglen);
	case PROTO_SET:
		return cmd_set(r, req, code, msg, msglen);
	case PROTO_OPTIONS:
		return cmd_options(r);
	case PROTO_PORTS:
		return cmd_ports(r, code, msg, msglen);
	default:
		*code = PROTO_E_INTERNAL;
		snprintf(msg, msglen, "%s: not handled here",
		    proto_cmd_name(req->cmd));
		return NULL;
	}
}

/*
 * A socket's tick wants the levels since its last one: what the writer
 * gathered since any socket last asked goes to both sockets' slots, and
 * this one's slot is handed over and emptied.
 */
static void
on_levels(void *arg, float *peak, unsigned char *clip)
{
	struct lv_slot	*me = arg, *o;
	struct recd	*r = me->r;
	unsigned	 c, k, nch = (unsigned)r->cfg.channels;

	writer_levels(r->writer, r->lv_peak, r->lv_clip);
	for (k = 0; k < 2; k++) {
		o = &r->lv[k];
		if (o->peak == NULL)
			continue;
		for (c = 0; c < nch; c++) {
			if (r->lv_peak[c] > o->peak[c] ||
			    r->lv_peak[c] != r->lv_peak[c])
				o->peak[c] = r->lv_peak[c];
			o->clip[c] |= r->lv_clip[c];
		}
	}
	memcpy(peak, me->peak, nch * sizeof(*peak));
	memcpy(clip, me->clip, nch);
	memset(me->peak, 0, nch * sizeof(*me->peak));
	memset(me->clip, 0, nch);
}

/* Level slots for k sockets (1 or 2); -1 when out of memory. */
static int
levels_slots(struct recd *r, unsigned k)
{
	size_t	nch = (size_t)r->cfg.channels;
	unsigned i;

	if (r->lv_peak == NULL && ((r->lv_peak = calloc(nch,
	    sizeof(float))) == NULL || (r->lv_clip = calloc(nch, 1)) == NULL))
		return -1;
	for (i = 0; i < k; i++) {
		r->lv[i].r = r;
		if (r->lv[i].peak == NULL && ((r->lv[i].peak = calloc(nch,
		    sizeof(float))) == NULL ||
		    (r->lv[i].clip = calloc(nch, 1)) == NULL))
			return -1;
	}
	return 0;
}

static void
levels_free(struct recd *r)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		free(r->lv[i].peak);
		free(r->lv[i].clip);
	}
	free(r->lv_peak);
	free(r->lv_clip);
}

static int
start_control(struct recd *r, char *err, size_t errlen)
{
	struct ctlsrv_ops	ops;
	char			path[256], given[256];
	int			fd;

	if (cfg_socket_path(r->cfg.socket, path, sizeof(path)) != 0) {
		snprintf(err, errlen, "socket: path too long");
		return -1;
	}
	if (levels_slots(r, r->cfg.socket_readonly[0] != '\0' ? 2 : 1) != 0) {
		snprintf(err, errlen, "socket: out of memory");
		return -1;
	}
	memset(&ops, 0, sizeof(ops));
	ops.request = on_request;
	ops.levels = on_levels;
	ops.arg = &r->lv[0];
	ops.nch = cap_channels(r->cap);
	ops.hello = proto_hello(RECD_VERSION, cap_channels(r->cap),
	    cap_rate(r->cap));
	fd = notify_listen_fd(given, sizeof(given), err, errlen);
	if (fd >= 0) {
		if (strcmp(given, path) != 0)
			log_warnx("socket %s: systemd passed this one; recctl "
			    "looks for %s (option socket)", given, path);
		r->ctl = ctlsrv_new_fd(&r->loop, fd, given, &ops, err, errlen);
	} else if (fd == -ENOENT)
		r->ctl = ctlsrv_new(&r->loop, path, &ops, err, errlen);
	else {
		free(ops.hello);
		return -1;
	}
	if (r->ctl == NULL)
		return -1;
	log_info("socket %s: listening%s", fd >= 0 ? given : path, fd >= 0 ?
	    " (from systemd)" : "");
	if (r->cfg.socket_readonly[0] == '\0')
		return 0;
	ops.readonly = 1;
	ops.arg = &r->lv[1];
	ops.hello = proto_hello(RECD_VERSION, cap_channels(r->cap),
	    cap_rate(r->cap));
	r->ctl_ro = ctlsrv_new(&r->loop, r->cfg.socket_readonly, &ops, err,
	    errlen);
	if (r->ctl_ro == NULL)
		return -1;
	log_info("socket %s: listening, read-only", r->cfg.socket_readonly);
	return 0;
}

/* The greeting names the rate: both sockets' change with it. */
static void
set_hello(struct recd *r)
{
	if (r->ctl != NULL)
		ctlsrv_set_hello(r->ctl, proto_hello(RECD_VERSION,
		    (unsigned)r->cfg.channels, r->rate));
	if (r->ctl_ro != NULL)
		ctlsrv_set_hello(r->ctl_ro, proto_hello(RECD_VERSION,
		    (unsigned)r->cfg.channels, r->rate));
}

static void	wake_loop(void *);
static void	set_hello(struct recd *);
static void	jack_retry(uv_timer_t *);
static void	jack_changed(struct recd *);


/*
 * The JACK server went away, or (stalled, said by the caller) it keeps our
 * client but runs it no more, or too rarely: the writer finishes every
 * file with what the ring still holds,
 * the client goes, and the loop tries to reach a server again, backing off
 * from RECD_RETRY_MIN_MS to RECD_RETRY_MAX_MS (after a stall, at once).
 * The time without audio counts from the last period.
 */
static void
jack_lost(struct recd *r, int stalled)	/* 1: no period; 2: too few */
{
	int64_t	 since_ns = stalled ? r->live.last_ns : mono_now_ns();
	cJSON	*f;

	if (!stalled)
		log_errx("jack: the server went away; finishing the files, "
		    "then waiting for it to come back");
	writer_stop(r->writer);
	forward_events(r);
	r->dropped_before += cap_dropped_frames(r->cap);
	r->xruns_before += cap_xruns(r->cap);
	r->xruns_seen = r->xruns_before;
	notify_set_cap(r->notify, NULL);
	notify_set_deaf(r->notify, 0);
	cap_close(r->cap);
	r->cap = NULL;
	r->stall_reconnect = stalled;
	r->jack_lost_at.tv_sec = (time_t)(since_ns / 1000000000);
	r->jack_lost_at.tv_nsec = (long)(since_ns % 1000000000);
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "reason", stalled == 2 ? "starved" :
	    stalled ? "stalled" : "server_lost");
	send_event(r, "jack_lost", f);
	r->jack_tries = 0;
	r->jack_err[0] = '\0';
	r->jack_retry_ms = RECD_RETRY_MIN_MS;
	uv_timer_start(&r->jack_timer, jack_retry, stalled ? 0 :
	    r->jack_retry_ms, 0);
}

/* A server is there again: a new client, and the take goes on. */
static int
jack_back(struct recd *r, char *err, size_t errlen)
{
	struct timespec	 now;
	double		 lost_s;
	cJSON		*f;

	clock_gettime(CLOCK_MONOTONIC, &now);
	lost_s = (double)(now.tv_sec - r->jack_lost_at.tv_sec) +
	    (now.tv_nsec - r->jack_lost_at.tv_nsec) / 1e9;
	writer_attach(r->writer, r->cap, lost_s, r->stall_reconnect == 2 ?
	    "JACK ran recd too rarely; recd connected afresh" :
	    r->stall_reconnect ? "JACK ran recd no more (stalled); recd "
	    "connected afresh" : "the JACK server was away");
	if (writer_start(r->writer, err, errlen) != 0)
		return -1;
	if (cap_activate(r->cap, &r->cfg, err, errlen) != 0)
		return -1;
	live_attach(&r->live, cap_cycles(r->cap), mono_now_ns(),
	    cap_rate(r->cap), cap_period(r->cap), r->stall_reconnect);
	r->stall_reconnect = 0;
	if (r->taking)
		writer_take(r->writer, 1, take_from(r->cap));
	notify_set_cap(r->notify, r->cap);
	if (cap_rate(r->cap) != r->rate)
		log_warnx("jack: the sample rate is now %u Hz (was %u); new "
		    "files are at the new rate", cap_rate(r->cap), r->rate);
	r->rate = cap_rate(r->cap);
	r->period = cap_period(r->cap);
	set_hello(r);
	log_warnx("jack: the server is back after %.1f s (%u Hz, period "
	    "%u)%s", lost_s, r->rate, r->period, r->taking ?
	    "; recording goes on in new files" : "");
	f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "lost_seconds", lost_s);
	cJSON_AddNumberToObject(f, "rate", r->rate);
	cJSON_AddNumberToObject(f, "period", r->period);
	send_event(r, "jack_back", f);
	return 0;
}

static void
jack_retry(uv_timer_t *t)
{
	struct recd	*r = t->data;
	char		 err[1024];

	if (r->stopping)
		return;
	r->jack_tries++;
	r->cap = cap_open(&r->cfg, wake_loop, r, err, sizeof(err));
	if (r->cap != NULL && jack_back(r, err, sizeof(err)) == 0)
		return;
	if (r->cap != NULL) {
		/* Reached, but not usable: a client half made goes. */
		writer_stop(r->writer);
		cap_close(r->cap);
		r->cap = NULL;
	}
	/*
	 * Said once, then about every ten minutes, and whenever the failure
	 * is not the last one's (a server that is there but refuses us says
	 * another status than one that is not there).
	 */
	if (r->jack_tries == 1 || r->jack_tries % 60 == 0 ||
	    strcmp(err, r->jack_err) != 0)
		log_warnx("%s; trying again (every %u s at most)", err,
		    RECD_RETRY_MAX_MS / 1000);
	else
		log_debug("%s", err);
	snprintf(r->jack_err, sizeof(r->jack_err), "%s", err);
	r->jack_retry_ms = r->jack_retry_ms * 2 > RECD_RETRY_MAX_MS ?
	    RECD_RETRY_MAX_MS : r->jack_retry_ms * 2;
	uv_timer_start(&r->jack_timer, jack_retry, r->jack_retry_ms, 0);
}

/*
 * The server's rate or period is not what it was (PipeWire's
 * clock.force-rate and clock.force-quantum; jack_set_buffer_size).  The
 * writer ends its files at a rate change by itself, from the records:
 * this tells the log, the clients and the guard.
 */
static void
jack_changed(struct recd *r)
{
	unsigned	 rate = cap_rate(r->cap);
	uint32_t	 period = cap_period(r->cap);
	cJSON		*f;

	if (rate != r->rate) {
		log_warnx("jack: the sample rate is now %u Hz (was %u)%s",
		    rate, r->rate, r->taking ? "; recording goes on in new "
		    "files at the new rate" : "");
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "rate", rate);
		cJSON_AddNumberToObject(f, "was", r->rate);
		r->rate = rate;
		send_event(r, "rate_changed", f);
		set_hello(r);
	}
	if (period != r->period) {
		log_warnx("jack: the period is now %u frames (was %u)",
		    period, r->period);
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "period", period);
		cJSON_AddNumberToObject(f, "was", r->period);
		r->period = period;
		send_event(r, "period_changed", f);
	}
	live_set_period(&r->live, r->rate, r->period);
}

/*
 * The liveness guard, every RECD_LIVE_TICK_MS while a client is there:
 * no period for a second (or three periods) is said at once; a stall that
 * lasts gets a fresh client; a fresh client as deaf ends recd (exit 1),
 * so that the service manager starts it again and the start repairs the
 * files.
 */
static void
live_tick(uv_timer_t *t)
{
	struct recd		*r = t->data;
	int64_t			 now = mono_now_ns(), age;
	uint64_t		 got, expected;
	enum live_verdict	 v;
	cJSON			*f;

	if (r->stopping || r->cap == NULL || cap_server_lost(r->cap))
		return;
	age = live_age_ns(&r->live, now);
	v = live_check(&r->live, cap_cycles(r->cap), now);
	/* Deaf while a take is asked for: it may start or stop meanwhile. */
	notify_set_deaf(r->notify, r->live.stalled && r->taking);
	switch (v) {
	case LIVE_OK:
		break;
	case LIVE_STALLED:
		/* The writer first: the first period after it may be near. */
		writer_stalled(r->writer, r->live.cycles);
		log_errx("jack: no period from the server for %.1f s: nothing "
		    "is recorded%s; if this lasts %lld s more, recd connects "
		    "afresh", (double)age / 1e9, r->taking ? " (the time "
		    "without audio is a gap)" : "",
		    (long long)(LIVE_RECONNECT_NS / 1000000000));
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "seconds", (double)age / 1e9);
		send_event(r, "stalled", f);
		break;
	case LIVE_BACK:
		log_warnx("jack: periods again after %.1f s without",
		    (double)age / 1e9);
		writer_unstalled(r->writer, age);
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "seconds", (double)age / 1e9);
		send_event(r, "stall_ended", f);
		break;
	case LIVE_RECONNECT:
		log_errx("jack: still no period after %.1f s; finishing the "
		    "files, dropping the client and connecting afresh",
		    (double)age / 1e9);
		jack_lost(r, 1);
		break;
	case LIVE_STARVED:
		/*
		 * JACK2 leaves a client half deaf when another client's open
		 * failed on its refnum (test_restart): a clean close tells
		 * the other clients, and a new client is heard again.
		 */
		live_window(&r->live, &got, &expected);
		log_errx("jack: the server ran recd for %llu of its last %llu "
		    "periods; finishing the files, dropping the client and "
		    "connecting afresh", (unsigned long long)got,
		    (unsigned long long)expected);
		jack_lost(r, 2);
		break;
	case LIVE_GIVE_UP:
		log_errx("jack: a fresh client is not run either; exiting so "
		    "that the service manager starts recd again");
		shutdown_recd(r, 1);
		break;
	}
}

/* The alarms follow the configuration: channels, threshold, times. */
static void
alarm_setup(struct recd *r)
{
	unsigned char	*watch = NULL;
	size_t		 i;
	long		 ch;

	if (r->alarms == NULL)
		return;
	if (r->cfg.alarm_channels.n > 0 &&
	    (watch = calloc((size_t)r->cfg.channels, 1)) != NULL)
		for (i = 0; i < r->cfg.alarm_channels.n; i++) {
			ch = strtol(r->cfg.alarm_channels.v[i], NULL, 10);
			if (ch >= 1 && ch <= r->cfg.channels)
				watch[ch - 1] = 1;
		}
	alarm_config(r->alarms, (int64_t)(r->cfg.silence_seconds * 1e9),
	    (int64_t)(r->cfg.silence_clear_seconds * 1e9), watch);
	free(watch);
}

/* An alarm as JSON: kind, channels, since (local time), count. */
static cJSON *
alarm_json(const struct alarm_change *c, int64_t now)
{
	struct timespec	 wall;
	cJSON		*f, *a;
	char		 when[32];
	time_t		 t;

	clock_gettime(CLOCK_REALTIME, &wall);
	t = wall.tv_sec - (time_t)((now - c->since_ns) / 1000000000);
	local_iso(t, when, sizeof(when));
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "kind", alarm_name(c->kind));
	a = cJSON_AddArrayToObject(f, "channels");
	if (c->ch > 0)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(c->ch));
	cJSON_AddStringToObject(f, "since", when);
	if (c->kind == ALARM_CLIP)
		cJSON_AddNumberToObject(f, "count", (double)c->count);
	return f;
}

/*
 * The alarms, every RECD_ALARM_TICK_MS: what the writer measured (levels,
 * clips), JACK's connections, and the conditions recd knows.  Each change
 * is a log line, an alarm event and an on_alarm run; nothing here touches
 * what is recorded.
 */
static void
alarm_tick_cb(uv_timer_t *t)
{
	struct recd		*r = t->data;
	struct writer_stats	 st;
	struct alarm_in		 in;
	struct alarm_change	 c;
	int64_t			 now = mono_now_ns();
	unsigned		 ch, nch = (unsigned)r->cfg.channels;
	char			 what[384], *line;
	cJSON			*f;

	if (r->stopping || r->alarms == NULL)
		return;
	memset(&in, 0, sizeof(in));
	writer_get_stats(r->writer, &st);
	writer_alarm_levels(r->writer, r->al_loud, r->al_clips, r->al_peak);
	/* Each channel's peak over the last second, for status. */
	for (ch = 0; ch < nch; ch++)
		if (r->al_peak[ch] > r->peak_win[ch] ||
		    r->al_peak[ch] != r->al_peak[ch])
			r->peak_win[ch] = r->al_peak[ch];
	if (++r->al_ticks % (1000 / RECD_ALARM_TICK_MS) == 0) {
		memcpy(r->peak_1s, r->peak_win, nch * sizeof(float));
		memset(r->peak_win, 0, nch * sizeof(float));
	}
	in.taking = r->taking;
	in.loud_ns = r->al_loud;
	in.clips = r->al_clips;
	if (r->cap != NULL && !cap_server_lost(r->cap)) {
		for (ch = 0; ch < nch; ch++)
			r->al_conn[ch] = (unsigned char)cap_port_connected(
			    r->cap, ch);
		in.connected = r->al_conn;
	}
	in.global[ALARM_STALLED] = r->cap != NULL && r->live.stalled;
	in.global[ALARM_JACK_LOST] = r->taking && r->cap == NULL;
	in.global[ALARM_DISK_LOW] = r->disk_low;
	in.global[ALARM_DISK_FULL] = r->taking && st.paused == WP_DISK_FULL;
	in.global[ALARM_WRITE_ERROR] = r->taking &&
	    st.paused == WP_WRITE_ERROR;
	alarm_tick(r->alarms, &in, now);
	while (alarm_next(r->alarms, &c)) {
		if (c.ch > 0 && r->cap != NULL)
			snprintf(what, sizeof(what), "%s on channel %u (%s)",
			    alarm_name(c.kind), c.ch,
			    cap_port_name(r->cap, c.ch - 1));
		else if (c.ch > 0)
			snprintf(what, sizeof(what), "%s on channel %u",
			    alarm_name(c.kind), c.ch);
		else
			snprintf(what, sizeof(what), "%s", alarm_name(c.kind));
		if (c.cleared)
			log_info("alarm: %s: cleared after %.1f s", what,
			    (double)(now - c.since_ns) / 1e9);
		else
			log_warnx("alarm: %s, since %.1f s ago", what,
			    (double)(now - c.since_ns) / 1e9);
		if (c.kind == ALARM_CLIP)
			log_info("alarm: %s: %llu samples clipped", what,
			    (unsigned long long)c.count);
		f = alarm_json(&c, now);
		cJSON_AddBoolToObject(f, "cleared", c.cleared);
		if (r->hooks != NULL && r->cfg.on_alarm[0] != '\0') {
			cJSON *dup = cJSON_Duplicate(f, 1);

			line = proto_event("alarm", cJSON_Duplicate(f, 1));
			if (line != NULL)
				run_event_hook(r, "on_alarm", r->cfg.on_alarm,
				    "alarm", dup, line);
			free(line);
			cJSON_Delete(dup);
		}
		send_event(r, "alarm", f);
	}
}

/* Any of JACK's threads or the writer has something to say. */
static void
on_wake(uv_async_t *h)
{
	struct recd		*r = h->data;
	struct writer_stats	 st;
	uint64_t		 n;
	cJSON			*f;

	if (r->stopping)
		return;
	forward_events(r);
	n = xruns(r);
	if (n != r->xruns_seen) {
		log_warnx("jack: xrun (%llu so far)", (unsigned long long)n);
		r->xruns_seen = n;
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "count", (double)n);
		send_event(r, "xrun", f);
	}
	if (r->cap != NULL && cap_server_lost(r->cap)) {
		jack_lost(r, 0);
		return;
	}
	if (r->cap != NULL)
		jack_changed(r);
	if (r->cap != NULL && cap_connect_new(r->cap, &r->cfg) > 0)
		send_event(r, "ports_connected", NULL);
	writer_get_stats(r->writer, &st);
	if (st.failed) {
		log_errx("writer: stopped by the error above (write_error "
		    "exit)");
		shutdown_recd(r, 1);
	}
}

static void
wake_loop(void *arg)
{
	struct recd *r = arg;

	uv_async_send(&r->wake);
}

static int
run(struct recd *r)
{
	char	err[1024], path[4200];
	int	rc;

	if (prepare_directory(r, r->cfg.directory) != 0)
		return 1;
	repair_dir(r->cfg.directory);
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	if (cfg_init(&r->defaults, err, sizeof(err)) != 0) {
		log_errx("%s", err);
		return 1;
	}
	if ((rc = uv_loop_init(&r->loop)) != 0) {
		log_errx("event loop: %s", uv_strerror(rc));
		return 1;
	}
	uv_async_init(&r->loop, &r->wake, on_wake);
	r->wake.data = r;
	uv_timer_init(&r->loop, &r->jack_timer);
	r->jack_timer.data = r;
	uv_timer_init(&r->loop, &r->live_timer);
	r->live_timer.data = r;
	uv_timer_init(&r->loop, &r->alarm_timer);
	r->alarm_timer.data = r;
	uv_timer_init(&r->loop, &r->hooks_timer);
	r->hooks_timer.data = r;
	r->alarms = alarm_new((unsigned)r->cfg.channels);
	r->al_loud = calloc((size_t)r->cfg.channels, sizeof(*r->al_loud));
	r->al_clips = calloc((size_t)r->cfg.channels, sizeof(*r->al_clips));
	r->al_conn = calloc((size_t)r->cfg.channels, 1);
	r->al_peak = calloc((size_t)r->cfg.channels, sizeof(float));
	r->peak_win = calloc((size_t)r->cfg.channels, sizeof(float));
	r->peak_1s = calloc((size_t)r->cfg.channels, sizeof(float));
	if (r->alarms == NULL || r->al_loud == NULL || r->al_clips == NULL ||
	    r->al_conn == NULL || r->al_peak == NULL || r->peak_win == NULL ||
	    r->peak_1s == NULL) {
		log_warn("alarms");
		goto fail;
	}
	alarm_setup(r);
	if ((r->hooks = hooks_new(&r->loop, RECD_HOOKS_MAX)) == NULL) {
		log_warn("hooks");
		goto fail;
	}
	hooks_set_done(r->hooks, on_hook_done, r);
	r->cap = cap_open(&r->cfg, wake_loop, r, err, sizeof(err));
	if (r->cap == NULL) {
		log_errx("%s", err);
		goto fail;
	}
	r->rate = cap_rate(r->cap);
	r->period = cap_period(r->cap);
	r->writer = writer_new(&r->cfg, r->cap, wake_loop, r, err,
	    sizeof(err));
	if (r->writer == NULL || writer_start(r->writer, err,
	    sizeof(err)) != 0) {
		log_errx("%s", err);
		goto fail;
	}
	if (start_control(r, err, sizeof(err)) != 0) {
		log_errx("%s: %s", origin(r, "socket", path, sizeof(path)),
		    err);
		goto fail;
	}
	if ((r->notify = notify_new(&r->loop, r->writer, r->cap)) == NULL)
		log_warn("sd_notify");
	uv_signal_init(&r->loop, &r->sig_int);
	uv_signal_init(&r->loop, &r->sig_term);
	uv_signal_init(&r->loop, &r->sig_hup);
	uv_signal_init(&r->loop, &r->sig_usr1);
	r->sig_int.data = r->sig_term.data = r->sig_hup.data = r;
	r->sig_usr1.data = r;
	uv_signal_start(&r->sig_int, on_signal, SIGINT);
	uv_signal_start(&r->sig_term, on_signal, SIGTERM);
	uv_signal_start(&r->sig_hup, on_signal, SIGHUP);
	/* The stalled-writer test hook exists only when asked for. */
	if (getenv("RECD_TEST_HOOKS") != NULL)
		uv_signal_start(&r->sig_usr1, on_signal, SIGUSR1);
	if (cap_activate(r->cap, &r->cfg, err, sizeof(err)) != 0) {
		log_errx("%s", err);
		shutdown_recd(r, 1);
	} else {
		live_attach(&r->live, cap_cycles(r->cap), mono_now_ns(),
		    cap_rate(r->cap), cap_period(r->cap), 0);
		uv_timer_start(&r->live_timer, live_tick, RECD_LIVE_TICK_MS,
		    RECD_LIVE_TICK_MS);
		uv_timer_start(&r->alarm_timer, alarm_tick_cb,
		    RECD_ALARM_TICK_MS, RECD_ALARM_TICK_MS);
		if (r->cfg.autostart) {
			writer_take(r->writer, 1, take_from(r->cap));
			r->taking = 1;
		}
		notify_start(r->notify, r->cfg.autostart);
		log_info("%s %u channels at %u Hz (period %u) into %s, "
		    "%s, %s", r->cfg.autostart ? "recording" : "ready to record",
		    cap_channels(r->cap), cap_rate(r->cap),
		    cap_period(r->cap), r->cfg.directory,
		    r->cfg.mode == CFG_MODE_SPLIT ? "split" : "single",
		    ((const char *const []){ "pcm16", "pcm24", "pcm32",
		    "float32" })[r->cfg.format]);
	}
	uv_run(&r->loop, UV_RUN_DEFAULT);
	writer_del(r->writer);
	cap_close(r->cap);
	if (uv_loop_close(&r->loop) != 0)
		log_warnx("event loop: handles left open at exit");
	return r->exit_code;
fail:
	ctlsrv_close(r->ctl);
	ctlsrv_close(r->ctl_ro);
	writer_del(r->writer);
	cap_close(r->cap);
	uv_close((uv_handle_t *)&r->wake, close_cb);
	uv_close((uv_handle_t *)&r->jack_timer, close_cb);
	uv_close((uv_handle_t *)&r->live_timer, close_cb);
	uv_close((uv_handle_t *)&r->alarm_timer, close_cb);
	hooks_finish(r);
	uv_run(&r->loop, UV_RUN_DEFAULT);
	uv_loop_close(&r->loop);
	return 1;
}

int
main(int argc, char *argv[])
{
	struct recd	r;
	int		check_only, done, rc;

	log_init("recd", LOG_LVL_INFO);
	memset(&r, 0, sizeof(r));
	signal(SIGPIPE, SIG_IGN);
	/* A file size limit (ulimit -f) is a write error, not death. */
	signal(SIGXFSZ, SIG_IGN);
	if (load_config(&r, argc, argv, &check_only, &done) != 0) {
		cfg_done(&r.cfg);
		free(r.overrides);
		return 1;
	}
	if (done) {
		free(r.overrides);
		return 0;
	}
	log_set_level((enum log_level)r.cfg.log_level);
	if (check_only) {
		printf("recd: configuration OK\n");
		cfg_done(&r.cfg);
		free(r.overrides);
		return 0;
	}
	rc = run(&r);
	levels_free(&r);
	alarm_del(r.alarms);
	free(r.al_loud);
	free(r.al_clips);
	free(r.al_conn);
	free(r.al_peak);
	free(r.peak_win);
	free(r.peak_1s);
	for (size_t i = 0; i < r.nfiles; i++)
		free(r.files[i]);
	free(r.files);
	cfg_done(&r.defaults);
	cfg_done(&r.cfg);
	free(r.overrides);
	return rc;
}
