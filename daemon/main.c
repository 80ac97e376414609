/*
 * main.c: recd's start-up (command line, config file, the checks that must
 * pass before anything is recorded) and its event loop: signals, and
 * wake-ups from JACK's threads and the writer.  Main thread.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "cap.h"
#include "cfg.h"
#include "cfgjson.h"
#include "ctlsrv.h"
#include "log.h"
#include "proto.h"
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
	struct cfg	 defaults;	/* the table's defaults, for options */
	char		**files;	/* open files, from the writer's events */
	size_t		 nfiles;
	struct timespec	 started;	/* CLOCK_MONOTONIC */
	int		 taking;	/* a take is asked for (start/stop) */
	const char	*config_path;	/* --config, or NULL */
	char		**overrides;	/* the command line's options */
	int		 noverrides;
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

#define RECD_PARTIAL	".partial"	/* the writer's mark of an open file */
#define RECD_REPAIR_DEPTH 16		/* subdirectories searched */

/*
 * One file a crash left unfinished: repaired so that its header covers
 * every complete frame on disk, then given its final name (never over an
 * existing file).  A file another recd holds open is locked: left alone.
 */
static void
repair_one(const char *partial)
{
	char		 final[4096], err[1024];
	uint64_t	 frames;
	size_t		 len = strlen(partial) - strlen(RECD_PARTIAL);
	int		 fd, n;

	fd = open(partial, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_warn("file %s: open", partial);
		return;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		log_info("file %s: being written by another recd; left alone",
		    partial);
		close(fd);
		return;
	}
	if (wav_repair(partial, &frames, err, sizeof(err)) != 0) {
		log_errx("%s; left as it is", err);
		close(fd);
		return;
	}
	/* Opened ahead of a boundary that never came: it holds nothing. */
	if (frames == 0) {
		if (unlink(partial) == 0)
			log_info("file %s: unfinished and empty: removed",
			    partial);
		close(fd);
		return;
	}
	snprintf(final, sizeof(final), "%.*s", (int)len, partial);
	for (n = 1; ; n++) {
		/* The .partial goes only once the final name holds the file. */
		if (link(partial, final) == 0) {
			unlink(partial);
			break;
		}
		if (errno != EEXIST) {
			/* No hard links here (FAT, exFAT): rename, never over
			 * a file that exists. */
			if (access(final, F_OK) != 0 &&
			    rename(partial, final) == 0)
				break;
			log_warn("file %s: repaired, but not renamed to %s",
			    partial, final);
			close(fd);
			return;
		}
		if (n == 1000) {
			log_errx("file %s: repaired, but every name for it is "
			    "taken", partial);
			close(fd);
			return;
		}
		snprintf(final, sizeof(final), "%.*s-recovered-%d.wav",
		    (int)(len - 4), partial, n);
	}
	log_warnx("file %s: left unfinished by a crash: repaired, %llu "
	    "frames, now %s", partial, (unsigned long long)frames, final);
	close(fd);
}

/* Every *.wav.partial under dir: what a crash or a power cut left. */
static void
repair_unfinished(const char *dir, int depth)
{
	struct dirent	*e;
	struct stat	 st;
	DIR		*d;
	char		 path[4096];
	size_t		 len;

	if (depth > RECD_REPAIR_DEPTH || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(path) || lstat(path, &st) != 0)
			continue;
		len = strlen(e->d_name);
		if (S_ISDIR(st.st_mode))
			repair_unfinished(path, depth + 1);
		else if (S_ISREG(st.st_mode) && len > 12 && strcmp(e->d_name +
		    len - 12, ".wav" RECD_PARTIAL) == 0)
			repair_one(path);
	}
	closedir(d);
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
	ctlsrv_close(r->ctl);
	r->ctl = NULL;
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

static void	send_event(struct recd *, const char *, cJSON *);
static int	check_directory(const struct recd *, const struct cfg *,
		    char *, size_t);

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
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "key", o->name);
		cJSON_AddItemToObject(f, "value", cfgjson_value(&next, o));
		send_event(r, "option_changed", f);
	}
	if (next.log_level != r->cfg.log_level)
		log_set_level((enum log_level)next.log_level);
	cfg_format(&r->cfg, cfg_find("connect"), a, sizeof(a));
	cfg_format(&next, cfg_find("connect"), b, sizeof(b));
	cfg_done(&r->cfg);
	r->cfg = next;
	if (strcmp(a, b) != 0)
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

static void
send_event(struct recd *r, const char *name, cJSON *fields)
{
	char *line;

	if (r->ctl == NULL) {
		cJSON_Delete(fields);
		return;
	}
	line = proto_event(name, fields);
	if (line != NULL)
		ctlsrv_event(r->ctl, line);
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
			break;
		case WEV_FILE_OPENED:
			name = "file_opened";
			files_add(r, e.path);
			cJSON_AddStringToObject(f, "path", e.path);
			break;
		case WEV_FILE_CLOSED:
			name = "file_closed";
			files_remove(r, e.path);
			cJSON_AddStringToObject(f, "path", e.path);
			cJSON_AddNumberToObject(f, "frames", (double)e.frames);
			cJSON_AddNumberToObject(f, "seconds", e.seconds);
			break;
		case WEV_GAP:
			name = "gap";
			cJSON_AddNumberToObject(f, "frames", (double)e.frames);
			cJSON_AddNumberToObject(f, "seconds", e.seconds);
			cJSON_AddStringToObject(f, "cause", e.text);
			if (e.path[0] != '\0')
				cJSON_AddStringToObject(f, "path", e.path);
			else
				cJSON_AddNullToObject(f, "path");
			cJSON_AddNumberToObject(f, "frame", (double)e.frame);
			break;
		case WEV_MARK:
			name = "mark";
			cJSON_AddStringToObject(f, "label", e.text);
			cJSON_AddNumberToObject(f, "frame", (double)e.frame);
			break;
		}
		send_event(r, name, f);
	}
}

static const char *const fmt_names[] = { "pcm16", "pcm24", "pcm32",
	"float32" };

static cJSON *
cmd_status(struct recd *r)
{
	struct writer_stats	 st;
	struct timespec		 now;
	cJSON			*res, *o, *a;
	char			 when[32];
	size_t			 i;

	writer_get_stats(r->writer, &st);
	res = cJSON_CreateObject();
	/* What was asked for: the writer follows within a drain period. */
	cJSON_AddStringToObject(res, "state", st.failed ? "failed" :
	    r->taking ? "recording" : "idle");
	if (st.take_start != 0) {
		o = cJSON_AddObjectToObject(res, "take");
		local_iso(st.take_start, when, sizeof(when));
		cJSON_AddStringToObject(o, "started", when);
		cJSON_AddNumberToObject(o, "frames", (double)st.take_frames);
		cJSON_AddNumberToObject(o, "seconds",
		    (double)st.take_frames / cap_rate(r->cap));
	} else
		cJSON_AddNullToObject(res, "take");
	a = cJSON_AddArrayToObject(res, "files");
	for (i = 0; i < r->nfiles; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(r->files[i]));
	cJSON_AddNumberToObject(res, "frames_written", (double)st.frames);
	cJSON_AddNumberToObject(res, "seconds_recorded",
	    (double)st.frames / cap_rate(r->cap));
	cJSON_AddNumberToObject(res, "dropped_frames",
	    (double)cap_dropped_frames(r->cap));
	cJSON_AddNumberToObject(res, "gaps", (double)st.gaps);
	cJSON_AddNumberToObject(res, "gap_frames", (double)st.gap_frames);
	cJSON_AddNumberToObject(res, "xruns", (double)cap_xruns(r->cap));
	o = cJSON_AddObjectToObject(res, "ring");
	cJSON_AddNumberToObject(o, "bytes",
	    (double)ring_capacity(cap_ring(r->cap)));
	cJSON_AddNumberToObject(o, "fill", (double)st.ring_fill);
	cJSON_AddNumberToObject(o, "high_water", (double)st.ring_high_water);
	if (st.disk_free >= 0) {
		o = cJSON_AddObjectToObject(res, "disk");
		cJSON_AddStringToObject(o, "path", r->cfg.directory);
		cJSON_AddNumberToObject(o, "free_bytes", (double)st.disk_free);
	} else
		cJSON_AddNullToObject(res, "disk");
	o = cJSON_AddObjectToObject(res, "jack");
	cJSON_AddBoolToObject(o, "connected", !cap_server_lost(r->cap));
	cJSON_AddStringToObject(o, "client", r->cfg.client_name);
	cJSON_AddNumberToObject(o, "rate", cap_rate(r->cap));
	cJSON_AddNumberToObject(o, "period", cap_period(r->cap));
	cJSON_AddNumberToObject(res, "channels", cap_channels(r->cap));
	cJSON_AddStringToObject(res, "mode", r->cfg.mode == CFG_MODE_SPLIT ?
	    "split" : "single");
	cJSON_AddStringToObject(res, "format", fmt_names[r->cfg.format]);
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
		cJSON_AddBoolToObject(e, "runtime", o->runtime);
		cJSON_AddStringToObject(e, "help", o->help);
		cJSON_AddItemToArray(a, e);
	}
	return res;
}

static cJSON *
cmd_ports(struct recd *r)
{
	const char	**src;
	cJSON		 *res, *a, *e, *sa;
	unsigned	  ch;
	size_t		  i;

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

static cJSON *
cmd_get(struct recd *r, const struct proto_req *req, const char **code,
    char *msg, size_t msglen)
{
	const struct cfg_opt	*o;
	cJSON			*res, *v;
	size_t			 i;

	res = cJSON_CreateObject();
	if (req->key == NULL) {
		v = cJSON_AddObjectToObject(res, "values");
		for (i = 0; i < cfg_count(); i++) {
			o = cfg_opt_at(i);
			cJSON_AddItemToObject(v, o->name,
			    cfgjson_value(&r->cfg, o));
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
	cJSON_AddItemToObject(res, "value", cfgjson_value(&r->cfg, o));
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
	if (!o->runtime) {
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
	if (strcmp(o->name, "log_level") == 0)
		log_set_level((enum log_level)r->cfg.log_level);
	if (strcmp(o->name, "connect") == 0)
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

/* Every command but subscribe and unsubscribe (ctlsrv does those). */
static cJSON *
on_request(void *arg, const struct proto_req *req, const char **code,
    char *msg, size_t msglen)
{
	struct recd		*r = arg;
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
		writer_take(r->writer, 1, cap_frame_now(r->cap));
		r->taking = 1;
		return state_result("recording");
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
		return cmd_get(r, req, code, msg, msglen);
	case PROTO_SET:
		return cmd_set(r, req, code, msg, msglen);
	case PROTO_OPTIONS:
		return cmd_options(r);
	case PROTO_PORTS:
		return cmd_ports(r);
	default:
		*code = PROTO_E_INTERNAL;
		snprintf(msg, msglen, "%s: not handled here",
		    proto_cmd_name(req->cmd));
		return NULL;
	}
}

static void
on_levels(void *arg, float *peak, unsigned char *clip)
{
	struct recd *r = arg;

	writer_levels(r->writer, peak, clip);
}

static int
start_control(struct recd *r, char *err, size_t errlen)
{
	struct ctlsrv_ops	ops;
	char			path[256];

	if (cfg_socket_path(r->cfg.socket, path, sizeof(path)) != 0) {
		snprintf(err, errlen, "socket: path too long");
		return -1;
	}
	memset(&ops, 0, sizeof(ops));
	ops.request = on_request;
	ops.levels = on_levels;
	ops.arg = r;
	ops.nch = cap_channels(r->cap);
	ops.hello = proto_hello(RECD_VERSION, cap_channels(r->cap),
	    cap_rate(r->cap));
	r->ctl = ctlsrv_new(&r->loop, path, &ops, err, errlen);
	if (r->ctl == NULL)
		return -1;
	log_info("socket %s: listening", path);
	return 0;
}

/* Any of JACK's threads or the writer has something to say. */
static void
on_wake(uv_async_t *h)
{
	struct recd		*r = h->data;
	struct writer_stats	 st;
	uint64_t		 xruns;
	cJSON			*f;

	if (r->stopping)
		return;
	forward_events(r);
	xruns = cap_xruns(r->cap);
	if (xruns != r->xruns_seen) {
		log_warnx("jack: xrun (%llu so far)",
		    (unsigned long long)xruns);
		r->xruns_seen = xruns;
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "count", (double)xruns);
		send_event(r, "xrun", f);
	}
	if (cap_server_lost(r->cap)) {
		log_errx("jack: the server went away; finishing the files");
		send_event(r, "jack_lost", NULL);
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
	char	err[1024], path[4200];
	int	rc;

	if (prepare_directory(r, r->cfg.directory) != 0)
		return 1;
	repair_unfinished(r->cfg.directory, 0);
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
	if (start_control(r, err, sizeof(err)) != 0) {
		log_errx("%s: %s", origin(r, "socket", path, sizeof(path)),
		    err);
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
		if (r->cfg.autostart) {
			writer_take(r->writer, 1, cap_frame_now(r->cap));
			r->taking = 1;
		}
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
	for (size_t i = 0; i < r.nfiles; i++)
		free(r.files[i]);
	free(r.files);
	cfg_done(&r.defaults);
	cfg_done(&r.cfg);
	free(r.overrides);
	return rc;
}
