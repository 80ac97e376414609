/*
 * cfg.c: the option table, checking and storing values; the checks across
 * options are in cfg_check.c, the table printed for people in cfg_print.c.
 * Main thread only.
 */
#include "cfg.h"

#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CFG_MAX_OPTS	64	/* room in the command-line seen[] array */
#define CFG_MAX_LIST	1024	/* elements in one list option */

#define OFF(f)	offsetof(struct cfg, f)

static const char *const mode_names[] = { "single", "split", NULL };
static const char *const format_names[] = {
	"pcm16", "pcm24", "pcm32", "float32", "flac16", "flac24", "opus", "mp3",
	NULL
};
static const char *const gap_names[] = { "split", "silence", NULL };
static const char *const resume_names[] = { "auto", "start", NULL };
static const char *const werr_names[] = { "retry", "stop", "exit", NULL };
static const char *const tz_names[] = { "local", "utc", NULL };
static const char *const log_names[] = {
	"error", "warning", "info", "debug", NULL
};

/*
 * For CFG_STRING and CFG_LIST, min and max bound the length in bytes of a
 * string (of each element).  JACK limits client names to 63 bytes
 * (jack_client_name_size) and full port names to 255.
 */
static const struct cfg_opt cfg_opts[] = {
	{ "directory", CFG_STRING, OFF(directory), "recordings", 1, 4095,
	  NULL, 1,
	  "Where recordings are written; created if missing. A relative "
	  "path is taken from recd's working directory." },
	{ "channels", CFG_INT, OFF(channels), "2", 1, 256, NULL, 0,
	  "How many JACK input ports recd registers and records." },
	{ "port_names", CFG_LIST, OFF(port_names), "", 1, 200, NULL, 0,
	  "Names of our input ports, one per channel; empty for in_1, "
	  "in_2, ... Split mode puts them in the file names." },
	{ "connect", CFG_LIST, OFF(connect), "physical", 1, 1024,
	  NULL, 1,
	  "Sources connected to our ports in order: physical (every "
	  "physical capture port, in the server's order, whatever its name: "
	  "system:capture_N under JACK2, the device's name under "
	  "PipeWire), JACK port names, or POSIX extended regular "
	  "expressions matched against full port names. A source that is "
	  "missing is a warning, not a failure." },
	{ "mode", CFG_ENUM, OFF(mode), "single", 0, 0, mode_names, 1,
	  "single: one interleaved file for all channels; split: one mono "
	  "file per channel." },
	{ "format", CFG_ENUM, OFF(format), "pcm24", 0, 0, format_names, 1,
	  "Sample format of the files. pcm32 holds 24 significant bits, "
	  "exactly as JACK2 writes to 32-bit devices; float32 keeps every "
	  "bit that JACK delivers. flac16 and flac24 are FLAC files "
	  "(libFLAC), lossless: the samples of pcm16 and pcm24, at most 8 "
	  "channels in a single file. opus is Ogg Opus (libopusenc), for "
	  "logs: lossy, at opus_bitrate. mp3 is MP3 (LAME) at a constant "
	  "mp3_bitrate, at most 2 channels in a single file." },
	{ "flac_level", CFG_INT, OFF(flac_level), "5", 0, 8, NULL, 1,
	  "FLAC compression level, as flac's -0 to -8: higher makes smaller "
	  "files for more CPU." },
	{ "opus_bitrate", CFG_INT, OFF(opus_bitrate), "96", 6, 512, NULL, 1,
	  "Bit rate of an Opus file in kbit/s, for all its channels: 96 "
	  "suits stereo speech and music for a log." },
	{ "mp3_bitrate", CFG_INT, OFF(mp3_bitrate), "128", 32, 320, NULL, 1,
	  "Constant bit rate of an MP3 file in kbit/s (32 to 320, one of "
	  "MPEG's rates)." },
	{ "rotate_seconds", CFG_INT, OFF(rotate_seconds), "300", 0, 86400,
	  NULL, 1,
	  "Start new files every this many seconds, at an exact frame "
	  "boundary and without a gap; 0 never rotates." },
	{ "rotate_align", CFG_BOOL, OFF(rotate_align), "true", 0, 0, NULL, 1,
	  "Align rotation to the wall clock: with 300 s, files close at "
	  ":00, :05, :10 and so on." },
	{ "name_template", CFG_STRING, OFF(name_template),
	  "%Y-%m-%d/recd-%Y%m%d-%H%M%S", 1, 1024, NULL, 1,
	  "strftime(3) template for file names, relative to directory; '/' "
	  "makes subdirectories. recd appends _chNN_PORT in split mode, a "
	  "suffix when the name is taken, and .wav." },
	{ "timezone", CFG_ENUM, OFF(timezone), "local", 0, 0, tz_names, 0,
	  "The clock of file names, rotate_align's boundaries, bext date "
	  "and time, TimeReference, DATE comments and the times in events "
	  "and logs: local (TZ, else /etc/localtime) or utc. A take keeps "
	  "the UTC offset it began in; names made after a daylight-saving "
	  "change in it carry that offset (+0200) unless name_template has "
	  "%z or %Z (README, Time zones)." },
	{ "gap_policy", CFG_ENUM, OFF(gap_policy), "split", 0, 0, gap_names,
	  1,
	  "What files do at a gap (dropped frames, xrun): split ends them "
	  "and starts new ones at the true time of the next sample; silence "
	  "fills the gap with exact silence. Either way a cue marker and a "
	  "log line say where." },
	{ "gate", CFG_BOOL, OFF(gate), "false", 0, 0, NULL, 1,
	  "Silence gate: write only while there is signal. Files stay "
	  "valid while the gate is closed." },
	{ "gate_threshold_dbfs", CFG_REAL, OFF(gate_threshold_dbfs), "-50",
	  -140, 0, NULL, 1,
	  "A sample at or above this level (in one of gate_channels) opens "
	  "the gate." },
	{ "gate_hold_seconds", CFG_REAL, OFF(gate_hold_seconds), "10", 0,
	  86400, NULL, 1,
	  "How long the signal must stay below the threshold before the "
	  "gate closes; this much of the quiet is kept." },
	{ "gate_preroll_seconds", CFG_REAL, OFF(gate_preroll_seconds), "1",
	  0, 10, NULL, 1,
	  "Audio from before the gate opened that is kept, so that no "
	  "attack is cut." },
	{ "gate_channels", CFG_LIST, OFF(gate_channels), "", 1, 3, NULL, 1,
	  "Channel numbers (from 1) whose signal opens the gate; empty for "
	  "any channel." },
	{ "gate_split", CFG_BOOL, OFF(gate_split), "true", 0, 0, NULL, 1,
	  "Start new files for every stretch of signal; false goes on in "
	  "the same files, with a cue marker where the quiet was left out." },
	{ "checksum_manifest", CFG_BOOL, OFF(checksum_manifest), "false", 0,
	  0, NULL, 1,
	  "Keep a SHA256SUMS file in each directory with a line for every "
	  "finished file, for sha256sum -c; the digest is read back from "
	  "the disk, and the file replaced whole on every change." },
	{ "buffer_seconds", CFG_REAL, OFF(buffer_seconds), "5", 0.5, 60,
	  NULL, 0,
	  "Audio held between the real-time thread and the writer: how long "
	  "the disk may stall before samples are dropped (and reported)." },
	{ "header_seconds", CFG_REAL, OFF(header_seconds), "1", 0.1, 60,
	  NULL, 1,
	  "How often WAV headers are rewritten with the true sizes; after a "
	  "crash every file is valid up to at most this long before its "
	  "end." },
	{ "fsync_seconds", CFG_REAL, OFF(fsync_seconds), "10", 0, 3600,
	  NULL, 1,
	  "How often written audio is forced to disk; bounds what a power "
	  "cut can take. 0 syncs only when a file is closed." },
	{ "dither", CFG_BOOL, OFF(dither), "false", 0, 0, NULL, 1,
	  "TPDF dither when writing pcm16." },
	{ "disk_warn_mb", CFG_INT, OFF(disk_warn_mb), "2048", 0, 1e9, NULL,
	  1,
	  "Below this much free space on the recording filesystem, a "
	  "warning and an event." },
	{ "disk_min_mb", CFG_INT, OFF(disk_min_mb), "256", 0, 1e9, NULL, 1,
	  "Below this much free space, recording stops with every file "
	  "finished, until there is space again (see disk_resume)." },
	{ "disk_resume", CFG_ENUM, OFF(disk_resume), "auto", 0, 0,
	  resume_names, 1,
	  "After a stop for disk space: auto records again by itself once "
	  "there is space; start waits for a start command." },
	{ "write_error", CFG_ENUM, OFF(write_error), "retry", 0, 0,
	  werr_names, 1,
	  "What a write error (EIO; ENOSPC counts as disk full) does after "
	  "the files are finished to what was written: retry with new "
	  "files every 10 s, stop the take, or exit recd (status 1)." },
	{ "keep_hours", CFG_REAL, OFF(keep_hours), "0", 0, 1e6, NULL, 1,
	  "Retention: delete recd's own finished files older than this; 0 "
	  "keeps them." },
	{ "keep_gb", CFG_REAL, OFF(keep_gb), "0", 0, 1e6, NULL, 1,
	  "Retention: delete recd's oldest finished files while they take "
	  "more than this many GB (10^9 bytes); 0 keeps them." },
	{ "on_file_closed", CFG_STRING, OFF(on_file_closed), "", 0, 4095,
	  NULL, CFG_RT_FILE,
	  "A shell command run for every finished file, with the path as "
	  "$1 and RECD_* variables in its environment; its exit status is "
	  "logged. From the config file only: set refuses it, SIGHUP "
	  "reads it again." },
	{ "alarm_channels", CFG_LIST, OFF(alarm_channels), "", 1, 3, NULL,
	  CFG_RT_YES,
	  "Channel numbers (from 1) watched for silence, each on its own; "
	  "empty for every channel." },
	{ "silence_threshold_dbfs", CFG_REAL, OFF(silence_threshold_dbfs),
	  "-60", -140, 0, NULL, CFG_RT_YES,
	  "A watched channel whose samples all stay below this level is "
	  "silent." },
	{ "silence_seconds", CFG_REAL, OFF(silence_seconds), "30", 0, 86400,
	  NULL, CFG_RT_YES,
	  "The silence alarm rises when a watched channel has been silent "
	  "this long during a take; 0: no silence alarm. Recording goes on "
	  "as ever." },
	{ "silence_clear_seconds", CFG_REAL, OFF(silence_clear_seconds), "5",
	  0, 3600, NULL, CFG_RT_YES,
	  "The silence alarm clears after this much signal (without a gap "
	  "of a second)." },
	{ "on_alarm", CFG_STRING, OFF(on_alarm), "", 0, 4095, NULL,
	  CFG_RT_FILE,
	  "A shell command run when an alarm rises or clears, with RECD_* "
	  "variables in its environment and the alarm event as JSON on its "
	  "stdin. From the config file only." },
	{ "on_event", CFG_STRING, OFF(on_event), "", 0, 4095, NULL,
	  CFG_RT_FILE,
	  "A shell command run for each event named in on_event_names, with "
	  "RECD_* variables and the event as JSON on its stdin. From the "
	  "config file only." },
	{ "on_event_names", CFG_LIST, OFF(on_event_names), "", 1, 32, NULL,
	  CFG_RT_FILE,
	  "The events (PROTOCOL.md) that run on_event; empty for every "
	  "event but hook_done. From the config file only, as the command "
	  "it runs." },
	{ "description", CFG_STRING, OFF(description), "", 0, 256, NULL, 1,
	  "Text for the BWF description of new files." },
	{ "loudness", CFG_LIST, OFF(loudness), "off", 1, 7, NULL, 1,
	  "Loudness (EBU R 128) of each new file: off, or groups of "
	  "channels, each N-M (channels N to M, such as 1-2 for a stereo "
	  "programme) or N (mono). Single mode measures each group over "
	  "the file; split mode measures the file of each channel in a "
	  "group on its own. WAV files get the first group's values in "
	  "bext; the file_closed event carries every group's. True peak "
	  "costs CPU (README, Performance)." },
	{ "outputs", CFG_LIST, OFF(outputs), "", 1, CFG_OUT_TEXT_MAX, NULL,
	  1,
	  "More outputs of the same take, each a JSON object: name (1 to 32 "
	  "of A-Z a-z 0-9 _ -), and for that output alone any of "
	  "channels_used (channel numbers, or a string such as \"1-2,5\"), "
	  "directory, mode, format, flac_level, opus_bitrate, mp3_bitrate, "
	  "rotate_seconds, rotate_align, name_template, gap_policy, "
	  "keep_hours, keep_gb, disk_warn_mb, disk_min_mb and description; "
	  "the rest as the main output has it. Each output needs a "
	  "directory of its own, none inside another's. Names, their order "
	  "and channels_used change only with a restart (README, Outputs)." },
	{ "jack_server", CFG_STRING, OFF(jack_server), "", 0, 63, NULL, 0,
	  "JACK server name; empty for the default ($JACK_DEFAULT_SERVER, "
	  "else 'default')." },
	{ "client_name", CFG_STRING, OFF(client_name), "recd", 1, 63, NULL,
	  0,
	  "Our JACK client name." },
	{ "socket", CFG_STRING, OFF(socket), "", 0, 107, NULL, 0,
	  "Control socket; empty for $XDG_RUNTIME_DIR/recd/recd.sock, or "
	  "/run/recd/recd.sock without XDG_RUNTIME_DIR." },
	{ "socket_readonly", CFG_STRING, OFF(socket_readonly), "", 0, 107,
	  NULL, 0,
	  "A second socket, mode 0666, that takes only status, get, "
	  "options, ports and subscribe: for viewers and recweb's page. "
	  "Empty: beside the control socket, its name with -readonly "
	  "(/run/recd/recd-readonly.sock); none: no such socket. Put it in "
	  "a directory others may enter (made 0755 when missing) to serve "
	  "more than the control socket's group." },
	{ "autostart", CFG_BOOL, OFF(autostart), "true", 0, 0, NULL, 0,
	  "Record from start-up; otherwise wait for a start command." },
	{ "prerecord_seconds", CFG_REAL, OFF(prerecord_seconds), "0", 0, 60,
	  NULL, 1,
	  "Audio from before a start command that the take begins with: "
	  "the writer keeps this much while it does not record (memory: "
	  "4 bytes a sample).  Not with the gate, whose pre-roll does that." },
	{ "log_level", CFG_ENUM, OFF(log_level), "info", 0, 0, log_names, 1,
	  "Least important log lines shown." },
};

#define CFG_NOPTS	(sizeof(cfg_opts) / sizeof(cfg_opts[0]))

_Static_assert(CFG_NOPTS <= CFG_MAX_OPTS, "raise CFG_MAX_OPTS");

static const char *const bool_true[] = { "true", "yes", "on", "1", NULL };
static const char *const bool_false[] = { "false", "no", "off", "0", NULL };

size_t
cfg_count(void)
{
	return CFG_NOPTS;
}

const struct cfg_opt *
cfg_opt_at(size_t i)
{
	return i < CFG_NOPTS ? &cfg_opts[i] : NULL;
}

const struct cfg_opt *
cfg_find(const char *name)
{
	size_t i, k;

	for (i = 0; i < CFG_NOPTS; i++) {
		for (k = 0; name[k] != '\0'; k++) {
			if (name[k] != cfg_opts[i].name[k] &&
			    !(name[k] == '-' && cfg_opts[i].name[k] == '_'))
				break;
		}
		if (name[k] == '\0' && cfg_opts[i].name[k] == '\0')
			return &cfg_opts[i];
	}
	return NULL;
}

int
cfg_list_objects(const struct cfg_opt *o)
{
	return o->off == OFF(outputs);
}

static void *
field(struct cfg *c, const struct cfg_opt *o)
{
	return (char *)c + o->off;
}

const void *
cfg_ptr(const struct cfg *c, const struct cfg_opt *o)
{
	return (const char *)c + o->off;
}

static int
in_list(const char *const *names, const char *s)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int
refuse(const struct cfg_opt *o, const char *value, const char *why,
    char *err, size_t errlen)
{
	char range[128];

	cfg_range_text(o, range, sizeof(range));
	snprintf(err, errlen, "%s: %s: %s %s", o->name, value, why, range);
	return -EINVAL;
}

static int
wrong_type(const struct cfg_opt *o, const char *what, char *err,
    size_t errlen)
{
	static const char *const want[] = {
		"true or false", "an integer", "a number", "a string",
		"a string", "a list of strings"
	};

	snprintf(err, errlen, "%s: %s given, but the option takes %s",
	    o->name, what, cfg_list_objects(o) ? "a list of objects" :
	    want[o->type]);
	return -EINVAL;
}

int
cfg_set_bool(struct cfg *c, const struct cfg_opt *o, int v, char *err,
    size_t errlen)
{
	if (o->type != CFG_BOOL)
		return wrong_type(o, "true or false", err, errlen);
	*(int *)field(c, o) = v != 0;
	return 0;
}

int
cfg_set_number(struct cfg *c, const struct cfg_opt *o, double v, char *err,
    size_t errlen)
{
	char text[64];

	if (o->type != CFG_INT && o->type != CFG_REAL)
		return wrong_type(o, "a number", err, errlen);
	snprintf(text, sizeof(text), "%.17g", v);
	if (!isfinite(v))
		return refuse(o, text, "not a number", err, errlen);
	if (o->type == CFG_INT && v != floor(v))
		return refuse(o, text, "not an integer", err, errlen);
	if (v < o->min || v > o->max)
		return refuse(o, text, "out of range", err, errlen);
	if (o->type == CFG_INT)
		*(long *)field(c, o) = (long)v;
	else
		*(double *)field(c, o) = v;
	return 0;
}

static int
check_length(const struct cfg_opt *o, const char *s, char *err,
    size_t errlen)
{
	char	quoted[80];
	size_t	len = strlen(s);

	if (len >= o->min && len <= o->max)
		return 0;
	snprintf(quoted, sizeof(quoted), "\"%.60s%s\"", s,
	    len > 60 ? "..." : "");
	return refuse(o, quoted, len < o->min ? "too short" : "too long",
	    err, errlen);
}

int
cfg_set_string(struct cfg *c, const struct cfg_opt *o, const char *s,
    char *err, size_t errlen)
{
	char	 quoted[80];
	char	*dup, **slot;
	int	 i;

	if (o->type == CFG_ENUM) {
		i = in_list(o->choices, s);
		if (i < 0) {
			snprintf(quoted, sizeof(quoted), "\"%.60s\"", s);
			return refuse(o, quoted, "unknown value", err, errlen);
		}
		*(int *)field(c, o) = i;
		return 0;
	}
	if (o->type != CFG_STRING)
		return wrong_type(o, "a string", err, errlen);
	if (check_length(o, s, err, errlen) != 0)
		return -EINVAL;
	dup = strdup(s);
	if (dup == NULL) {
		snprintf(err, errlen, "%s: %s", o->name, strerror(errno));
		return -ENOMEM;
	}
	slot = field(c, o);
	free(*slot);
	*slot = dup;
	return 0;
}

void
cfg_list_clear(struct cfg *c, const struct cfg_opt *o)
{
	struct cfg_list	*l = field(c, o);
	size_t		 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
cfg_list_add(struct cfg *c, const struct cfg_opt *o, const char *s,
    char *err, size_t errlen)
{
	struct cfg_list	*l;
	char		**v, *dup;

	if (o->type != CFG_LIST)
		return wrong_type(o, "a list", err, errlen);
	l = field(c, o);
	if (l->n >= CFG_MAX_LIST) {
		snprintf(err, errlen, "%s: more than %d entries", o->name,
		    CFG_MAX_LIST);
		return -EINVAL;
	}
	if (check_length(o, s, err, errlen) != 0)
		return -EINVAL;
	v = realloc(l->v, (l->n + 1) * sizeof(*v));
	dup = strdup(s);
	if (v == NULL || dup == NULL) {
		free(dup);
		if (v != NULL)
			l->v = v;
		snprintf(err, errlen, "%s: %s", o->name, strerror(ENOMEM));
		return -ENOMEM;
	}
	v[l->n++] = dup;
	l->v = v;
	return 0;
}

int
cfg_set_text(struct cfg *c, const struct cfg_opt *o, const char *text,
    int append, char *err, size_t errlen)
{
	char	 quoted[80];
	char	*end;
	double	 v;

	snprintf(quoted, sizeof(quoted), "\"%.60s%s\"", text,
	    strlen(text) > 60 ? "..." : "");
	switch (o->type) {
	case CFG_BOOL:
		if (in_list(bool_true, text) >= 0)
			return cfg_set_bool(c, o, 1, err, errlen);
		if (in_list(bool_false, text) >= 0)
			return cfg_set_bool(c, o, 0, err, errlen);
		return refuse(o, quoted, "not a boolean", err, errlen);
	case CFG_INT:
	case CFG_REAL:
		errno = 0;
		v = strtod(text, &end);
		if (end == text || *end != '\0' || errno == ERANGE ||
		    isspace((unsigned char)text[0]))
			return refuse(o, quoted, o->type == CFG_INT ?
			    "not an integer" : "not a number", err, errlen);
		if (o->type == CFG_INT && v != floor(v))
			return refuse(o, quoted, "not an integer", err, errlen);
		return cfg_set_number(c, o, v, err, errlen);
	case CFG_STRING:
	case CFG_ENUM:
		return cfg_set_string(c, o, text, err, errlen);
	case CFG_LIST:
		if (!append)
			cfg_list_clear(c, o);
		return cfg_list_add(c, o, text, err, errlen);
	}
	return -EINVAL;
}

int
cfg_init(struct cfg *c, char *err, size_t errlen)
{
	const struct cfg_opt	*o;
	size_t			 i;
	int			 rc;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < CFG_NOPTS; i++) {
		o = &cfg_opts[i];
		if (o->type == CFG_LIST && o->def[0] == '\0')
			continue;
		rc = cfg_set_text(c, o, o->def, 0, err, errlen);
		if (rc != 0) {
			cfg_done(c);
			return rc;
		}
	}
	return 0;
}

void
cfg_done(struct cfg *c)
{
	const struct cfg_opt	*o;
	size_t			 i;

	for (i = 0; i < CFG_NOPTS; i++) {
		o = &cfg_opts[i];
		if (o->type == CFG_STRING) {
			free(*(char **)field(c, o));
			*(char **)field(c, o) = NULL;
		} else if (o->type == CFG_LIST)
			cfg_list_clear(c, o);
	}
}

int
cfg_copy(struct cfg *dst, const struct cfg *src, char *err, size_t errlen)
{
	const struct cfg_opt	*o;
	const struct cfg_list	*l;
	size_t			 i, k;
	int			 rc = 0;

	memcpy(dst, src, sizeof(*dst));
	/* Clear the borrowed pointers first, so cfg_done is always safe. */
	for (i = 0; i < CFG_NOPTS; i++) {
		o = &cfg_opts[i];
		if (o->type == CFG_STRING)
			*(char **)field(dst, o) = NULL;
		else if (o->type == CFG_LIST)
			memset(field(dst, o), 0, sizeof(struct cfg_list));
	}
	for (i = 0; i < CFG_NOPTS && rc == 0; i++) {
		o = &cfg_opts[i];
		if (o->type == CFG_STRING)
			rc = cfg_set_string(dst, o,
			    *(char *const *)cfg_ptr(src, o), err, errlen);
		else if (o->type == CFG_LIST) {
			l = cfg_ptr(src, o);
			for (k = 0; k < l->n && rc == 0; k++)
				rc = cfg_list_add(dst, o, l->v[k], err, errlen);
		}
	}
	if (rc != 0)
		cfg_done(dst);
	return rc;
}

int
cfg_format(const struct cfg *c, const struct cfg_opt *o, char *buf,
    size_t len)
{
	const struct cfg_list	*l;
	size_t			 i, n;

	switch (o->type) {
	case CFG_BOOL:
		return snprintf(buf, len, "%s",
		    *(const int *)cfg_ptr(c, o) ? "true" : "false");
	case CFG_INT:
		return snprintf(buf, len, "%ld", *(const long *)cfg_ptr(c, o));
	case CFG_REAL:
		return snprintf(buf, len, "%g",
		    *(const double *)cfg_ptr(c, o));
	case CFG_STRING:
		return snprintf(buf, len, "%s",
		    *(char *const *)cfg_ptr(c, o));
	case CFG_ENUM:
		return snprintf(buf, len, "%s",
		    o->choices[*(const int *)cfg_ptr(c, o)]);
	case CFG_LIST:
		l = cfg_ptr(c, o);
		buf[0] = '\0';
		for (i = 0, n = 0; i < l->n && n < len; i++)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
			    i == 0 ? "" : ",", l->v[i]);
		return (int)n;
	}
	return -EINVAL;
}

int
cfg_equal(const struct cfg *a, const struct cfg *b, const struct cfg_opt *o)
{
	const struct cfg_list	*la, *lb;
	size_t			 i;

	switch (o->type) {
	case CFG_BOOL:
	case CFG_ENUM:
		return *(const int *)cfg_ptr(a, o) ==
		    *(const int *)cfg_ptr(b, o);
	case CFG_INT:
		return *(const long *)cfg_ptr(a, o) ==
		    *(const long *)cfg_ptr(b, o);
	case CFG_REAL:
		return *(const double *)cfg_ptr(a, o) ==
		    *(const double *)cfg_ptr(b, o);
	case CFG_STRING:
		return strcmp(*(char *const *)cfg_ptr(a, o),
		    *(char *const *)cfg_ptr(b, o)) == 0;
	case CFG_LIST:
		la = cfg_ptr(a, o);
		lb = cfg_ptr(b, o);
		if (la->n != lb->n)
			return 0;
		for (i = 0; i < la->n; i++)
			if (strcmp(la->v[i], lb->v[i]) != 0)
				return 0;
		return 1;
	}
	return 0;
}

int
cfg_socket_path(const char *option, char *buf, size_t len)
{
	const char	*xdg = getenv("XDG_RUNTIME_DIR");
	int		 n;

	if (option != NULL && option[0] != '\0')
		n = snprintf(buf, len, "%s", option);
	else if (xdg != NULL && xdg[0] != '\0')
		n = snprintf(buf, len, "%s/recd/recd.sock", xdg);
	else
		n = snprintf(buf, len, "/run/recd/recd.sock");
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int
cfg_socket_ro_path(const char *option, const char *ctl_path, char *buf,
    size_t len)
{
	const char	*slash = strrchr(ctl_path, '/');
	const char	*base = slash != NULL ? slash + 1 : ctl_path;
	size_t		 stem = strlen(ctl_path);
	int		 n;

	if (option != NULL && strcmp(option, "none") == 0) {
		if (len > 0)
			buf[0] = '\0';
		return 0;
	}
	if (option != NULL && option[0] != '\0')
		n = snprintf(buf, len, "%s", option);
	else {
		/* recd.sock gives recd-readonly.sock; a name without .sock
		 * gets it added. */
		if (strlen(base) > 5 && strcmp(ctl_path + stem - 5, ".sock") == 0)
			stem -= 5;
		n = snprintf(buf, len, "%.*s-readonly.sock", (int)stem,
		    ctl_path);
	}
	/* sockaddr_un's sun_path holds 107 bytes and the NUL. */
	return n < 0 || (size_t)n >= len || n > 107 ? -ENAMETOOLONG : 0;
}

static int
is_bool_text(const char *s)
{
	return in_list(bool_true, s) >= 0 || in_list(bool_false, s) >= 0;
}

int
cfg_apply_args(struct cfg *c, int argc, char *const argv[], char *err,
    size_t errlen)
{
	const struct cfg_opt	*o;
	unsigned char		 seen[CFG_MAX_OPTS] = { 0 };
	char			 name[128], msg[256];
	const char		*arg, *eq, *value;
	size_t			 len;
	int			 i, neg, rc;

	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			snprintf(err, errlen, "command line: \"%s\": expected "
			    "--option value", arg);
			return -EINVAL;
		}
		arg += 2;
		eq = strchr(arg, '=');
		len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		if (len >= sizeof(name))
			len = sizeof(name) - 1;
		memcpy(name, arg, len);
		name[len] = '\0';
		neg = 0;
		o = cfg_find(name);
		if (o == NULL && strncmp(name, "no-", 3) == 0 && eq == NULL) {
			o = cfg_find(name + 3);
			neg = o != NULL && o->type == CFG_BOOL;
			if (!neg)
				o = NULL;
		}
		if (o == NULL) {
			snprintf(err, errlen, "command line: --%s: unknown "
			    "option (recd --help lists them)", name);
			return -EINVAL;
		}
		if (neg)
			value = "false";
		else if (eq != NULL)
			value = eq + 1;
		else if (o->type == CFG_BOOL)
			value = i + 1 < argc && is_bool_text(argv[i + 1]) ?
			    argv[++i] : "true";
		else if (i + 1 < argc)
			value = argv[++i];
		else {
			snprintf(err, errlen, "command line: --%s: needs a "
			    "value", name);
			return -EINVAL;
		}
		rc = cfg_set_text(c, o, value, seen[o - cfg_opts], msg,
		    sizeof(msg));
		if (rc != 0) {
			snprintf(err, errlen, "command line: %s", msg);
			return rc;
		}
		seen[o - cfg_opts] = 1;
	}
	return 0;
}
