/*
 * main.c: recd's start-up (command line, config file, the checks that must
 * pass before anything is recorded) and its event loop: signals, and
 * wake-ups from JACK's threads and the writer.  Main thread.
 */
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "cap.h"
#include "cfg.h"
#include "cfgjson.h"
#include "log.h"
#include "writer.h"

/* Everything recd runs on, created here and passed down: no globals. */
struct recd {
	struct cfg	 cfg;
	struct cap	*cap;
	struct writer	*writer;
	uv_loop_t	 loop;
	uv_signal_t	 sig_int, sig_term, sig_hup, sig_usr1;
	uv_async_t	 wake;		/* JACK's threads and the writer */
	uint64_t	 xruns_seen;
	int		 stopping;
	int		 exit_code;
};

#define RECD_VERSION	"0.1.0"

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
load_config(struct cfg *c, int argc, char *argv[], int *check_only,
    int *done)
{
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
			printf("recd %s\n", RECD_VERSION);
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
	free(rest);
	return rc;
}

/* Creates directory and its parents; then it must be writable. */
static int
prepare_directory(const char *dir)
{
	char	path[4096], *p;
	size_t	len = strlen(dir);

	if (len >= sizeof(path)) {
		log_errx("directory %s: name too long", dir);
		return -1;
	}
	memcpy(path, dir, len + 1);
	for (p = path + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		int end = *p == '\0';
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			log_err("directory %s: mkdir %s", dir, path);
			return -1;
		}
		if (end)
			break;
		*p = '/';
	}
	if (access(dir, W_OK | X_OK) != 0) {
		log_err("directory %s: not writable", dir);
		return -1;
	}
	return 0;
}

static void
close_cb(uv_handle_t *h)
{
	(void)h;
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
	cap_deactivate(r->cap);
	writer_stop(r->writer);
	writer_get_stats(r->writer, &st);
	log_info("stopped: %llu frames recorded in %llu files, %llu gaps "
	    "(%llu frames), %llu frames dropped, %llu xruns",
	    (unsigned long long)st.frames,
	    (unsigned long long)st.files_closed, (unsigned long long)st.gaps,
	    (unsigned long long)st.gap_frames,
	    (unsigned long long)cap_dropped_frames(r->cap),
	    (unsigned long long)cap_xruns(r->cap));
	uv_close((uv_handle_t *)&r->sig_int, close_cb);
	uv_close((uv_handle_t *)&r->sig_term, close_cb);
	uv_close((uv_handle_t *)&r->sig_hup, close_cb);
	uv_close((uv_handle_t *)&r->sig_usr1, close_cb);
	uv_close((uv_handle_t *)&r->wake, close_cb);
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
		log_info("SIGHUP: reloading options comes with the control "
		    "socket; nothing changed");
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
	uint64_t		 xruns;

	if (r->stopping)
		return;
	xruns = cap_xruns(r->cap);
	if (xruns != r->xruns_seen) {
		log_warnx("jack: xrun (%llu so far)",
		    (unsigned long long)xruns);
		r->xruns_seen = xruns;
	}
	if (cap_server_lost(r->cap)) {
		log_errx("jack: the server went away; finishing the files");
		shutdown_recd(r, 1);
		return;
	}
	writer_get_stats(r->writer, &st);
	if (st.failed) {
		log_errx("writer: stopped by the error above");
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
	char	err[1024];
	int	rc;

	if (prepare_directory(r->cfg.directory) != 0)
		return 1;
	if ((rc = uv_loop_init(&r->loop)) != 0) {
		log_errx("event loop: %s", uv_strerror(rc));
		return 1;
	}
	uv_async_init(&r->loop, &r->wake, on_wake);
	r->wake.data = r;
	r->cap = cap_open(&r->cfg, wake_loop, r, err, sizeof(err));
	if (r->cap == NULL) {
		log_errx("%s", err);
		goto fail;
	}
	r->writer = writer_new(&r->cfg, r->cap, wake_loop, r, err,
	    sizeof(err));
	if (r->writer == NULL || writer_start(r->writer, err,
	    sizeof(err)) != 0) {
		log_errx("%s", err);
		goto fail;
	}
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
		if (r->cfg.autostart)
			writer_take(r->writer, 1, cap_frame_now(r->cap));
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
	writer_del(r->writer);
	cap_close(r->cap);
	uv_close((uv_handle_t *)&r->wake, close_cb);
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
	if (load_config(&r.cfg, argc, argv, &check_only, &done) != 0) {
		cfg_done(&r.cfg);
		return 1;
	}
	if (done)
		return 0;
	log_set_level((enum log_level)r.cfg.log_level);
	if (check_only) {
		printf("recd: configuration OK\n");
		cfg_done(&r.cfg);
		return 0;
	}
	rc = run(&r);
	cfg_done(&r.cfg);
	return rc;
}
