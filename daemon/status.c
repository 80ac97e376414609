/*
 * status.c: the status command's answer (PROTOCOL.md), from what the loop
 * holds and what the writer says of the take and of each output; recctl
 * status, recctl metrics and recweb read it.  Main thread: the libuv loop.
 */
#include "recd.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alarm.h"
#include "cap.h"
#include "cfg.h"
#include "cfgout.h"
#include "ctlsrv.h"
#include "fmt.h"
#include "live.h"
#include "ring.h"
#include "writer.h"

static const char *const pause_names[] = { "none", "disk_full",
	"write_error", "wait_start", "disk_slow" };

/*
 * Each output (cfgout.h): its options as the loop has them, and what the
 * writer says of it: state, files, frames, gaps, disk.
 */
static void
status_outputs(struct recd *r, cJSON *res)
{
	struct writer_out_stats	 os;
	struct cfg_out		*v = NULL;
	size_t			 n = 0, i, k, len;
	cJSON			*a, *o, *c, *fl;
	char			 err[256];

	a = cJSON_AddArrayToObject(res, "outputs");
	if (cfg_outputs(&r->cfg, &v, &n, err, sizeof(err)) != 0)
		n = 0;
	for (i = 0; i < writer_outputs(r->writer); i++) {
		if (writer_out_stats(r->writer, (unsigned)i, &os) != 0)
			break;
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(a, o);
		cJSON_AddStringToObject(o, "name", os.name);
		cJSON_AddStringToObject(o, "state", !r->taking ? "idle" :
		    os.paused != WP_NONE ? "paused" : os.open ? "recording" :
		    "waiting");
		if (r->taking && os.paused != WP_NONE)
			cJSON_AddStringToObject(o, "paused",
			    pause_names[os.paused]);
		else
			cJSON_AddNullToObject(o, "paused");
		fl = NULL;
		if (i < n) {
			cJSON_AddStringToObject(o, "directory",
			    v[i].cfg.directory);
			c = cJSON_AddArrayToObject(o, "channels");
			for (k = 0; k < v[i].nch; k++)
				cJSON_AddItemToArray(c,
				    cJSON_CreateNumber(v[i].ch[k] + 1));
			cJSON_AddStringToObject(o, "mode", v[i].cfg.mode ==
			    CFG_MODE_SPLIT ? "split" : "single");
			cJSON_AddStringToObject(o, "format",
			    fmt_kind(v[i].cfg.format)->name);
			/* Its files: those under its directory. */
			fl = cJSON_AddArrayToObject(o, "files");
			len = strlen(v[i].cfg.directory);
			for (k = 0; k < r->nfiles; k++)
				if (strncmp(r->files[k], v[i].cfg.directory,
				    len) == 0 && r->files[k][len] == '/')
					cJSON_AddItemToArray(fl,
					    cJSON_CreateString(r->files[k]));
		}
		cJSON_AddNumberToObject(o, "frames_written",
		    (double)os.frames);
		cJSON_AddNumberToObject(o, "seconds_recorded",
		    (double)os.frames / r->rate);
		cJSON_AddNumberToObject(o, "files_finished",
		    (double)os.files_closed);
		cJSON_AddNumberToObject(o, "gaps", (double)os.gaps);
		cJSON_AddNumberToObject(o, "gap_frames",
		    (double)os.gap_frames);
		if (os.disk_free >= 0) {
			c = cJSON_AddObjectToObject(o, "disk");
			cJSON_AddNumberToObject(c, "free_bytes",
			    (double)os.disk_free);
		} else
			cJSON_AddNullToObject(o, "disk");
	}
	cfg_outputs_free(v, n);
}

/* Whether every output is paused: the take records nowhere. */
static int
status_all_paused(struct recd *r)
{
	struct writer_out_stats	os;
	unsigned		i;

	for (i = 0; writer_out_stats(r->writer, i, &os) == 0; i++)
		if (os.paused == WP_NONE)
			return 0;
	return 1;
}

cJSON *
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
	/* Stalled: connected, but JACK runs our callback no more.  Paused:
	 * every output is (each says why in outputs). */
	cJSON_AddStringToObject(res, "state", st.failed ? "failed" :
	    r->cap != NULL && r->live.stalled ? "stalled" :
	    !r->taking ? "idle" : r->cap == NULL || status_all_paused(r) ?
	    "paused" : "recording");
	if (st.take_start != 0) {
		o = cJSON_AddObjectToObject(res, "take");
		wall_iso(st.take_start, r->cfg.timezone == CFG_TZ_UTC, when,
		    sizeof(when));
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
		    (double)live_seen_age_ns(&r->live, cap_cycles(r->cap),
		    mono_now_ns()) / 1e9);
	else
		cJSON_AddNullToObject(o, "last_period_age_seconds");
	cJSON_AddNumberToObject(res, "channels", (double)r->cfg.channels);
	cJSON_AddStringToObject(res, "mode", r->cfg.mode == CFG_MODE_SPLIT ?
	    "split" : "single");
	cJSON_AddStringToObject(res, "format", fmt_kind(r->cfg.format)->name);
	if (r->taking && r->cap == NULL)
		cJSON_AddStringToObject(res, "paused", "jack_lost");
	else if (r->taking && st.paused != WP_NONE && status_all_paused(r))
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
	/* What a start command's take would begin with now. */
	if (r->cfg.prerecord_seconds > 0)
		cJSON_AddNumberToObject(res, "prerecord_seconds_kept",
		    fmin(r->cfg.prerecord_seconds, round((double)
		    st.prerec_frames * 1000 / r->rate) / 1000));
	else
		cJSON_AddNullToObject(res, "prerecord_seconds_kept");
	/* Each channel's peak over the last second: dBFS, null for silence. */
	a = cJSON_AddArrayToObject(res, "peak_dbfs");
	for (i = 0; r->peak_1s != NULL && i < (size_t)r->cfg.channels; i++)
		cJSON_AddItemToArray(a, r->peak_1s[i] > 0 ?
		    cJSON_CreateNumber(round(2000 * log10(r->peak_1s[i])) /
		    100) : cJSON_CreateNull());
	a = cJSON_AddArrayToObject(res, "alarms");
	for (i = 0; r->alarms != NULL && alarm_active(r->alarms, (unsigned)i,
	    &ac); i++)
		cJSON_AddItemToArray(a, event_alarm_json(&ac, mono_now_ns(),
		    r->cfg.timezone == CFG_TZ_UTC));
	status_outputs(r, res);
	/* Who watches where: recweb's viewers are on the read-only socket. */
	o = cJSON_AddObjectToObject(res, "clients");
	cJSON_AddNumberToObject(o, "control", r->ctl != NULL ?
	    (double)ctlsrv_clients(r->ctl) : 0);
	if (r->ctl_ro != NULL)
		cJSON_AddNumberToObject(o, "readonly",
		    (double)ctlsrv_clients(r->ctl_ro));
	else
		cJSON_AddNullToObject(o, "readonly");
	clock_gettime(CLOCK_MONOTONIC, &now);
	cJSON_AddNumberToObject(res, "uptime_seconds",
	    (double)(now.tv_sec - r->started.tv_sec) +
	    (now.tv_nsec - r->started.tv_nsec) / 1e9);
	return res;
}

