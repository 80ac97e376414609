/*
 * event.c: what recd tells: the writer's events to the sockets' clients,
 * the hooks (on_file_closed, on_event, on_alarm), and the alarms' ticks.
 * Main thread: the libuv loop.
 */
#include "recd.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "alarm.h"
#include "cap.h"
#include "cfg.h"
#include "cfgjson.h"
#include "ctlsrv.h"
#include "fsutil.h"
#include "hooks.h"
#include "manifest.h"
#include "live.h"
#include "log.h"
#include "notify.h"
#include "proto.h"
#include "ring.h"
#include "writer.h"

/* The hooks are done (or may take no longer): the loop can end. */
void
hooks_finish(struct recd *r)
{
	hooks_close(r->hooks);
	r->hooks = NULL;
	if (!uv_is_closing((uv_handle_t *)&r->hooks_timer))
		uv_close((uv_handle_t *)&r->hooks_timer, close_cb);
}

void
hooks_deadline(uv_timer_t *t)
{
	struct recd *r = t->data;

	log_warnx("hooks still running after %d s: left to finish on their "
	    "own", RECD_HOOKS_EXIT_MS / 1000);
	hooks_finish(r);
}

void
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

void
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
		    strcmp(r->files[i] + len, FS_PARTIAL) == 0) {
			free(r->files[i]);
			r->files[i] = r->files[--r->nfiles];
			return;
		}
	}
}

void
wall_iso(time_t t, int utc, char *buf, size_t len)
{
	struct tm tm;

	if (utc)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	strftime(buf, len, utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S",
	    &tm);
}

static void
add_path(cJSON *f, const char *path)
{
	if (path[0] != '\0')
		cJSON_AddStringToObject(f, "path", path);
	else
		cJSON_AddNullToObject(f, "path");
}

/* A loudness figure as bext keeps it (1/100), null when not given. */
static void
add_loud(cJSON *f, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(f, key, round(v * 100) / 100);
	else
		cJSON_AddNullToObject(f, key);
}

/* file_closed's loudness: one object per group the file measured. */
static void
loud_fields(cJSON *f, const struct writer_event *e)
{
	cJSON		*a, *g, *ch;
	unsigned	 i, c;

	if (e->nloud == 0)
		return;
	a = cJSON_AddArrayToObject(f, "loudness");
	for (i = 0; a != NULL && i < e->nloud; i++) {
		if ((g = cJSON_CreateObject()) == NULL)
			break;
		cJSON_AddItemToArray(a, g);
		ch = cJSON_AddArrayToObject(g, "channels");
		for (c = e->loud[i].first; ch != NULL &&
		    c <= e->loud[i].last; c++)
			cJSON_AddItemToArray(ch, cJSON_CreateNumber(c));
		add_loud(g, "integrated_lufs", e->loud[i].integrated);
		add_loud(g, "range_lu", e->loud[i].range);
		add_loud(g, "true_peak_dbtp", e->loud[i].true_peak);
		add_loud(g, "momentary_max_lufs", e->loud[i].momentary_max);
		add_loud(g, "short_term_max_lufs", e->loud[i].short_term_max);
	}
}

/* A gap event's fields: frames, seconds, cause, path (or null), frame. */
static void
gap_fields(cJSON *f, const struct writer_event *e)
{
	cJSON_AddNumberToObject(f, "frames", (double)e->frames);
	cJSON_AddNumberToObject(f, "seconds", e->seconds);
	cJSON_AddStringToObject(f, "cause", e->text);
	add_path(f, e->path);
	cJSON_AddNumberToObject(f, "frame", (double)e->frame);
}

/* An output's event says which output: its name (cfgout.h). */
static void
add_output(cJSON *f, const struct writer_event *e)
{
	if (e->output[0] != '\0')
		cJSON_AddStringToObject(f, "output", e->output);
}

/* The writer's events, to the log's listeners and the socket's. */
void
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
			wall_iso(e.time, r->cfg.timezone == CFG_TZ_UTC, when,
			    sizeof(when));
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
			if (r->cfg.checksum_manifest)
				manifest_add(r->manifest, e.path);
			run_hook(r, &e);
			cJSON_AddStringToObject(f, "path", e.path);
			cJSON_AddNumberToObject(f, "frames", (double)e.frames);
			cJSON_AddNumberToObject(f, "seconds", e.seconds);
			loud_fields(f, &e);
			break;
		case WEV_GAP:
			name = "gap";
			gap_fields(f, &e);
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
			/*
			 * The frames not recorded are a gap, as any other (in
			 * no file: the writer gives no path).
			 */
			gap_fields(f, &e);
			add_output(f, &e);
			send_event(r, "gap", f);
			name = "resumed";
			f = cJSON_CreateObject();
			cJSON_AddStringToObject(f, "after", e.text);
			break;
		case WEV_FILE_DELETED:
			name = "file_deleted";
			/* Whether or not manifests are kept now, keep them true. */
			manifest_remove(r->manifest, e.path);
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
		add_output(f, &e);
		send_event(r, name, f);
	}
}

/* The alarms follow the configuration: channels, threshold, times. */
void
event_alarm_setup(struct recd *r)
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

/* An alarm as JSON: kind, channels, since (wall_iso), count. */
cJSON *
event_alarm_json(const struct alarm_change *c, int64_t now, int utc)
{
	struct timespec	 wall;
	cJSON		*f, *a;
	char		 when[32];
	time_t		 t;

	clock_gettime(CLOCK_REALTIME, &wall);
	t = wall.tv_sec - (time_t)((now - c->since_ns) / 1000000000);
	wall_iso(t, utc, when, sizeof(when));
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
 * The alarms, every RECD_TICK_MS: what the writer measured (levels,
 * clips), JACK's connections, and the conditions recd knows.  Each change
 * is a log line, an alarm event and an on_alarm run; nothing here touches
 * what is recorded.
 */
void
event_alarm_tick(struct recd *r)
{
	struct writer_out_stats	 os;
	struct alarm_in		 in;
	struct alarm_change	 c;
	int64_t			 now = mono_now_ns();
	unsigned		 ch, i, nch = (unsigned)r->cfg.channels;
	char			 what[384], *line;
	cJSON			*f;

	if (r->stopping || r->alarms == NULL)
		return;
	memset(&in, 0, sizeof(in));
	writer_alarm_levels(r->writer, r->al_loud, r->al_clips, r->al_peak);
	/* Each channel's peak over the last second, for status. */
	for (ch = 0; ch < nch; ch++)
		if (r->al_peak[ch] > r->peak_win[ch] ||
		    r->al_peak[ch] != r->al_peak[ch])
			r->peak_win[ch] = r->al_peak[ch];
	if (++r->al_ticks % (1000 / RECD_TICK_MS) == 0) {
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
	/* The disk alarms: of any output (a dead mirror too). */
	for (i = 0; writer_out_stats(r->writer, i, &os) == 0; i++) {
		in.global[ALARM_DISK_LOW] |= os.disk_low;
		in.global[ALARM_DISK_FULL] |= r->taking &&
		    os.paused == WP_DISK_FULL;
		in.global[ALARM_WRITE_ERROR] |= r->taking &&
		    os.paused == WP_WRITE_ERROR;
		in.global[ALARM_DISK_SLOW] |= r->taking &&
		    os.paused == WP_DISK_SLOW;
	}
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
		f = event_alarm_json(&c, now, r->cfg.timezone == CFG_TZ_UTC);
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
