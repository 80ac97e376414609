/*
 * main.c: recd's start-up (command line, config file, the checks that must
 * pass before anything is recorded), its event loop (signals, wake-ups
 * from JACK's threads and the writer, SIGHUP) and its shutdown.  What the
 * loop does is in cmd.c (commands), status.c (status), event.c (events,
 * hooks, alarms) and jackconn.c (JACK's loss and return, the liveness
 * guard).  Main thread.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
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
#include "cfgout.h"
#include "ctlsrv.h"
#include "fmt.h"
#include "fsutil.h"
#include "hooks.h"
#include "live.h"
#include "log.h"
#include "notify.h"
#include "proto.h"
#include "manifest.h"
#include "repair.h"
#include "ring.h"
#include "writer.h"

#include "recd.h"

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
	if (cfgout_check(c, err, sizeof(err)) != 0) {
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
int
make_directory(const char *dir, char *err, size_t errlen)
{
	char	path[4096], failed[4096];
	size_t	len = strlen(dir);
	int	rc;

	if (len >= sizeof(path)) {
		snprintf(err, errlen, "\"%s\": name too long", dir);
		return -1;
	}
	memcpy(path, dir, len + 1);
	if ((rc = fs_mkdirs(path, 1, failed, sizeof(failed))) != 0) {
		snprintf(err, errlen, "\"%s\": mkdir %s: %s", dir, failed,
		    strerror(-rc));
		return -1;
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
prepare_directory(const struct recd *r, const struct cfg_out *o)
{
	char who[4200], err[4200];

	if (make_directory(o->cfg.directory, err, sizeof(err)) == 0)
		return 0;
	if (strcmp(o->name, "main") == 0)
		log_errx("%s: %s", origin(r, "directory", who, sizeof(who)),
		    err);
	else
		log_errx("%s: output \"%s\": directory: %s", origin(r,
		    "outputs", who, sizeof(who)), o->name, err);
	return -1;
}

void
close_cb(uv_handle_t *h)
{
	(void)h;
}

/* The shutdown order of STYLE.md section 6. */
void
shutdown_recd(struct recd *r, int code)
{
	struct writer_stats st;

	if (r->stopping)
		return;
	r->stopping = 1;
	r->exit_code = code;
	notify_stop(r->notify);
	r->notify = NULL;
	ctlsrv_stop(r->ctl);
	ctlsrv_stop(r->ctl_ro);
	if (r->cap != NULL)
		cap_deactivate(r->cap);
	writer_stop(r->writer);
	/*
	 * The last files' events: their hooks run before recd exits, and
	 * subscribers get them before their connection closes.
	 */
	forward_events(r);
	ctlsrv_close(r->ctl);
	r->ctl = NULL;
	ctlsrv_close(r->ctl_ro);
	r->ctl_ro = NULL;
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
	uv_close((uv_handle_t *)&r->tick_timer, close_cb);
	uv_close((uv_handle_t *)&r->live_timer, close_cb);
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

/*
 * SIGHUP: the config file and the command line again.  Runtime options
 * that changed apply as with set; a changed option that needs a restart is
 * named and left as it is, and so are the outputs when their names, order
 * or channels changed; a bad file changes nothing.
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
	    sizeof(err)) != 0 || cfgout_check(&want, err, sizeof(err)) != 0) {
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
		if (cfg_equal(&r->cfg, &want, o))
			continue;
		cfg_format(&r->cfg, o, a, sizeof(a));
		cfg_format(&want, o, b, sizeof(b));
		if (!o->runtime) {
			log_warnx("SIGHUP: %s: changed, but takes a restart of "
			    "recd; still %s", o->name, a);
			continue;
		}
		if (cfgjson_set(&next, o, f = cfgjson_value(&want, o), err,
		    sizeof(err)) != 0)
			log_errx("SIGHUP: %s", err);
		else if (cfg_list_objects(o) &&
		    cfg_outputs_same_shape(&r->cfg, &next, err,
		    sizeof(err)) != 0) {
			/* As an option that is not runtime: left as it is. */
			log_warnx("SIGHUP: %s: takes a restart of recd; the "
			    "outputs stay as they were", err);
			cJSON_Delete(f);
			f = cfgjson_value(&r->cfg, o);
			if (cfgjson_set(&next, o, f, err, sizeof(err)) != 0)
				log_errx("SIGHUP: %s", err);
		} else {
			log_info("SIGHUP: %s: %s", o->name, b);
			changed = 1;
		}
		cJSON_Delete(f);
	}
	cfg_done(&want);
	/*
	 * What is kept and what is new must go together too (a directory
	 * kept by an output and taken by the main one, channels kept that a
	 * new list names).
	 */
	if (changed && cfgout_check(&next, err, sizeof(err)) != 0) {
		log_errx("SIGHUP: %s (what takes a restart kept as it "
		    "was); nothing changed", err);
		changed = 0;
	}
	if (!changed) {
		cfg_done(&next);
		return;
	}
	if (apply_config(r, &next, err, sizeof(err)) != 0)
		log_errx("SIGHUP: %s; nothing changed", err);
}

/* The liveness guard first: the alarms read what it found. */
static void
tick(uv_timer_t *t)
{
	struct recd	*r = t->data;

	live_tick(r);
	event_alarm_tick(r);
	live_soon(r);
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

void
wake_loop(void *arg)
{
	struct recd *r = arg;

	uv_async_send(&r->wake);
}

/* repair_dir's report of a file it finished. */
static void
repaired(void *arg, const char *path)
{
	struct recd *r = arg;

	if (r->cfg.checksum_manifest)
		manifest_add(r->manifest, path);
}

static int
run(struct recd *r)
{
	struct cfg_out	*outs;
	size_t		 nouts, i;
	char		 err[1024], path[4200];
	int		 rc;

	if (cfg_outputs(&r->cfg, &outs, &nouts, err, sizeof(err)) != 0) {
		log_errx("%s", err);
		return 1;
	}
	for (i = 0; i < nouts; i++)
		if (prepare_directory(r, &outs[i]) != 0)
			goto early;
	clock_gettime(CLOCK_MONOTONIC, &r->started);
	if (cfg_init(&r->defaults, err, sizeof(err)) != 0) {
		log_errx("%s", err);
		goto early;
	}
	if ((rc = uv_loop_init(&r->loop)) != 0) {
		log_errx("event loop: %s", uv_strerror(rc));
		goto early;
	}
	/* Repaired files are finished: their manifest lines, if kept. */
	if ((r->manifest = manifest_new(&r->loop)) == NULL) {
		log_warn("manifest");
		uv_loop_close(&r->loop);
		goto early;
	}
	/* Each output's directory: its unfinished files, finished. */
	for (i = 0; i < nouts; i++)
		repair_dir(outs[i].cfg.directory, repaired, r);
	cfg_outputs_free(outs, nouts);
	uv_async_init(&r->loop, &r->wake, on_wake);
	r->wake.data = r;
	uv_timer_init(&r->loop, &r->jack_timer);
	r->jack_timer.data = r;
	uv_timer_init(&r->loop, &r->tick_timer);
	r->tick_timer.data = r;
	uv_timer_init(&r->loop, &r->live_timer);
	r->live_timer.data = r;
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
	event_alarm_setup(r);
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
	if (start_control_ro(r, err, sizeof(err)) != 0) {
		log_errx("%s: %s", origin(r, "socket_readonly", path,
		    sizeof(path)), err);
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
		uv_timer_start(&r->tick_timer, tick, RECD_TICK_MS,
		    RECD_TICK_MS);
		/* The writer's queue is empty yet: these always fit. */
		(void)writer_listen(r->writer, take_from(r->cap));
		if (r->cfg.autostart &&
		    writer_take(r->writer, 1, take_from(r->cap), 0) == 0)
			r->taking = 1;
		notify_start(r->notify, r->cfg.autostart);
		log_info("%s %u channels at %u Hz (period %u) into %s, "
		    "%s, %s", r->cfg.autostart ? "recording" : "ready to record",
		    cap_channels(r->cap), cap_rate(r->cap),
		    cap_period(r->cap), r->cfg.directory,
		    r->cfg.mode == CFG_MODE_SPLIT ? "split" : "single",
		    fmt_kind(r->cfg.format)->name);
	}
	uv_run(&r->loop, UV_RUN_DEFAULT);
	writer_del(r->writer);
	cap_close(r->cap);
	if (uv_loop_close(&r->loop) != 0)
		log_warnx("event loop: handles left open at exit");
	manifest_free(r->manifest);
	return r->exit_code;
fail:
	ctlsrv_close(r->ctl);
	ctlsrv_close(r->ctl_ro);
	writer_del(r->writer);
	cap_close(r->cap);
	uv_close((uv_handle_t *)&r->wake, close_cb);
	uv_close((uv_handle_t *)&r->jack_timer, close_cb);
	uv_close((uv_handle_t *)&r->tick_timer, close_cb);
	uv_close((uv_handle_t *)&r->live_timer, close_cb);
	hooks_finish(r);
	uv_run(&r->loop, UV_RUN_DEFAULT);
	uv_loop_close(&r->loop);
	manifest_free(r->manifest);
	return 1;
early:
	cfg_outputs_free(outs, nouts);
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
	log_set_utc(r.cfg.timezone == CFG_TZ_UTC);
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
