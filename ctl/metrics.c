/*
 * metrics.c: recd's counters and gauges in Prometheus' text exposition
 * format (metrics.h): names in base units, _total for counters, labels
 * for channels, outputs and kinds, HELP and TYPE once a family.  The one
 * thread of recctl, or of recweb.
 */
#include "metrics.h"

#include <stddef.h>
#include <string.h>

#include "show.h"

/* The alarms' kinds (PROTOCOL.md), for a zero where none is up. */
static const char *const alarm_kinds[] = { "silence", "no_source", "clip",
	"stalled", "jack_lost", "disk_low", "disk_full", "write_error",
	"disk_slow", NULL };
static const char *const states[] = { "idle", "recording", "paused",
	"stalled", "failed", NULL };

/* A label value in the text exposition format: \\, \" and \n escaped. */
static void
print_label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fprintf(f, "\\n");
		else
			fputc(*s, f);
	}
}

static void
metric_head(FILE *f, const char *name, const char *type,
    const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample of a metric without labels, when the status has it. */
static void
metric(FILE *f, const char *name, const char *type, const char *help,
    const cJSON *obj, const char *key)
{
	int	ok = 1;
	double	v = num(obj, key, &ok);

	if (!ok)
		return;
	metric_head(f, name, type, help);
	fprintf(f, "%s %.15g\n", name, v);
}

/* One output's sample of a metric: name{output="NAME"[,path="DIR"]} v. */
static void
output_sample(FILE *f, const char *name, const cJSON *o, const char *dir,
    double v)
{
	fprintf(f, "%s{output=\"", name);
	print_label(f, str(o, "name") != NULL ? str(o, "name") : "");
	if (dir != NULL) {
		fprintf(f, "\",path=\"");
		print_label(f, dir);
	}
	fprintf(f, "\"} %.15g\n", v);
}

/* A counter of every output: its field key in status outputs. */
static void
output_counter(FILE *f, const cJSON *a, const char *name, const char *help,
    const char *key)
{
	const cJSON	*o;
	int		 ok;
	double		 v;

	metric_head(f, name, "counter", help);
	cJSON_ArrayForEach(o, a) {
		ok = 1;
		v = num(o, key, &ok);
		if (ok)
			output_sample(f, name, o, NULL, v);
	}
}

/*
 * Each output's (status outputs): free space, whether it is paused,
 * frames and gaps; so that a dead mirror raises an alert of its own.
 */
static void
outputs_print(FILE *f, const cJSON *a)
{
	const cJSON	*o;
	int		 ok;
	double		 v;

	metric_head(f, "recd_disk_free_bytes", "gauge",
	    "Free space where an output's files go.");
	cJSON_ArrayForEach(o, a) {
		ok = 1;
		v = num(cJSON_GetObjectItemCaseSensitive(o, "disk"),
		    "free_bytes", &ok);
		if (ok && str(o, "directory") != NULL)
			output_sample(f, "recd_disk_free_bytes", o,
			    str(o, "directory"), v);
	}
	metric_head(f, "recd_output_paused", "gauge",
	    "1 while an output writes nothing during a take (its disk is "
	    "full, a write failed).");
	cJSON_ArrayForEach(o, a)
		output_sample(f, "recd_output_paused", o, NULL,
		    str(o, "paused") != NULL);
	output_counter(f, a, "recd_output_frames_recorded_total",
	    "Frames an output wrote to its files since recd started.",
	    "frames_written");
	output_counter(f, a, "recd_output_gaps_total",
	    "Discontinuities in an output's files, its own pauses included.",
	    "gaps");
}

/*
 * recd's counters and gauges in Prometheus' text exposition format (for
 * node_exporter's textfile collector, or recweb's /metrics): from status,
 * and ports for the channels' names.
 */
void
metrics_print(FILE *f, const cJSON *st, const cJSON *ports)
{
	const cJSON	*o, *a, *e, *p;
	const char	*state = str(st, "state"), *port;
	size_t		 i, k, n;
	int		 ok;
	double		 v;

	metric_head(f, "recd_up", "gauge", "1: recd answered on its socket.");
	fprintf(f, "recd_up 1\n");
	metric_head(f, "recd_state", "gauge", "1 for the state recd is in.");
	for (i = 0; states[i] != NULL; i++)
		fprintf(f, "recd_state{state=\"%s\"} %d\n", states[i],
		    state != NULL && strcmp(state, states[i]) == 0);
	metric(f, "recd_frames_recorded_total", "counter",
	    "Frames written to files since recd started.", st,
	    "frames_written");
	metric(f, "recd_gaps_total", "counter",
	    "Discontinuities found, logged and marked.", st, "gaps");
	metric(f, "recd_gap_frames_total", "counter",
	    "Frames missing in the gaps.", st, "gap_frames");
	metric(f, "recd_dropped_frames_total", "counter",
	    "Frames the real-time thread could not hand to the writer.", st,
	    "dropped_frames");
	metric(f, "recd_xruns_total", "counter", "JACK's xruns.", st, "xruns");
	metric(f, "recd_files_finished_total", "counter",
	    "Files finished (synced and given their final names).", st,
	    "files_finished");
	o = cJSON_GetObjectItemCaseSensitive(st, "ring");
	metric(f, "recd_ring_size_bytes", "gauge", "The ring's size.", o,
	    "bytes");
	metric(f, "recd_ring_fill_bytes", "gauge",
	    "Audio waiting in the ring at the writer's last pass.", o, "fill");
	metric(f, "recd_ring_high_water_bytes", "gauge",
	    "The fullest the ring has been.", o, "high_water");
	o = cJSON_GetObjectItemCaseSensitive(st, "disk");
	ok = 1;
	v = num(o, "free_bytes", &ok);
	a = cJSON_GetObjectItemCaseSensitive(st, "outputs");
	if (cJSON_IsArray(a))
		outputs_print(f, a);
	else if (ok && str(o, "path") != NULL) {
		metric_head(f, "recd_disk_free_bytes", "gauge",
		    "Free space where an output's files go.");
		fprintf(f, "recd_disk_free_bytes{output=\"main\",path=\"");
		print_label(f, str(o, "path"));
		fprintf(f, "\"} %.15g\n", v);
	}
	a = cJSON_GetObjectItemCaseSensitive(st, "alarms");
	metric_head(f, "recd_alarms", "gauge", "Alarms up, by kind.");
	for (k = 0; alarm_kinds[k] != NULL; k++) {
		n = 0;
		cJSON_ArrayForEach(e, a)
			n += str(e, "kind") != NULL &&
			    strcmp(str(e, "kind"), alarm_kinds[k]) == 0;
		fprintf(f, "recd_alarms{kind=\"%s\"} %zu\n", alarm_kinds[k], n);
	}
	metric_head(f, "recd_alarm", "gauge",
	    "1 for each alarm up, by kind and channel (0: not a channel's).");
	cJSON_ArrayForEach(e, a) {
		if (str(e, "kind") == NULL)
			continue;
		p = cJSON_GetObjectItemCaseSensitive(e, "channels");
		v = cJSON_IsArray(p) && cJSON_IsNumber(p->child) ?
		    p->child->valuedouble : 0;
		fprintf(f, "recd_alarm{kind=\"");
		print_label(f, str(e, "kind"));
		fprintf(f, "\",channel=\"%.0f\"} 1\n", v);
	}
	a = cJSON_GetObjectItemCaseSensitive(st, "peak_dbfs");
	if (cJSON_IsArray(a)) {
		metric_head(f, "recd_channel_peak_dbfs", "gauge",
		    "Each channel's peak level over the last second "
		    "(-Inf: digital silence).");
		i = 0;
		cJSON_ArrayForEach(e, a) {
			i++;
			port = NULL;
			cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(
			    ports, "ports")) {
				ok = 1;
				if (num(p, "channel", &ok) == (double)i && ok)
					port = str(p, "name");
			}
			fprintf(f, "recd_channel_peak_dbfs{channel=\"%zu\"", i);
			if (port != NULL) {
				fprintf(f, ",port=\"");
				print_label(f, port);
				fprintf(f, "\"");
			}
			if (cJSON_IsNumber(e))
				fprintf(f, "} %.15g\n", e->valuedouble);
			else
				fprintf(f, "} -Inf\n");
		}
	}
	o = cJSON_GetObjectItemCaseSensitive(st, "jack");
	metric_head(f, "recd_jack_connected", "gauge",
	    "1 while recd has a JACK server.");
	fprintf(f, "recd_jack_connected %d\n", cJSON_IsTrue(
	    cJSON_GetObjectItemCaseSensitive(o, "connected")));
	metric(f, "recd_sample_rate_hertz", "gauge", "The JACK server's rate.",
	    o, "rate");
	metric(f, "recd_last_period_age_seconds", "gauge",
	    "How long ago the last period came from JACK.", o,
	    "last_period_age_seconds");
	metric(f, "recd_take_seconds", "gauge", "The current take's length.",
	    cJSON_GetObjectItemCaseSensitive(st, "take"), "seconds");
	metric(f, "recd_uptime_seconds", "gauge", "How long recd has run.", st,
	    "uptime_seconds");
}

void
metrics_print_down(FILE *f)
{
	metric_head(f, "recd_up", "gauge", "1: recd answered on its socket.");
	fprintf(f, "recd_up 0\n");
}
