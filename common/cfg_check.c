/*
 * cfg_check.c: the checks across options (cfg.h: cfg_check), once every
 * value is in range on its own: port names, connect patterns, channel
 * lists, loudness groups, disk limits, the channels of FLAC, Opus and
 * MP3, name_template; the outputs are protocol/cfgout.c's.  Main thread
 * (cfg_loud_group, cfg_check_files: any thread).
 */
#include "cfg.h"

#include <sys/types.h>

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CFG_FLAC_MAX_CH	8	/* a FLAC stream's most */
#define CFG_OPUS_MAX_CH	255	/* an Ogg Opus stream's most */
#define CFG_MP3_MAX_CH	2	/* an MP3 stream's most */

/* A template that is absolute or has a ".." component leaves directory. */
static int
template_escapes(const char *t)
{
	const char *p;

	if (t[0] == '/')
		return 1;
	for (p = t; p != NULL; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return 1;
	}
	return 0;
}

/* A list of channel numbers, each from 1 to nch. */
static int
check_channels(const char *key, const struct cfg_list *l, long nch,
    char *err, size_t errlen)
{
	char	*end;
	long	 ch;
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		ch = strtol(l->v[i], &end, 10);
		if (*end != '\0' || ch < 1 || ch > nch) {
			snprintf(err, errlen, "%s: \"%s\": not a channel "
			    "number from 1 to %ld", key, l->v[i], nch);
			return -EINVAL;
		}
	}
	return 0;
}

/* Decimal digits only: strtol would take "+1", " 1" and "0x1" too. */
static const char *
parse_channel(const char *s, unsigned *ch)
{
	unsigned long v = 0;

	if (*s < '0' || *s > '9')
		return NULL;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (unsigned long)(*s - '0')) > 99999)
			return NULL;
	*ch = (unsigned)v;
	return s;
}

int
cfg_loud_group(const char *s, unsigned *first, unsigned *last)
{
	const char *p;

	if (strcmp(s, "off") == 0)
		return 1;
	if ((p = parse_channel(s, first)) == NULL || *first < 1)
		return -EINVAL;
	*last = *first;
	if (*p == '-' && ((p = parse_channel(p + 1, last)) == NULL ||
	    *last <= *first))
		return -EINVAL;
	return *p == '\0' ? 0 : -EINVAL;
}

/* off alone, or up to CFG_LOUD_MAX groups of channels from 1 to nch. */
static int
check_loudness(const struct cfg_list *l, long nch, char *err, size_t errlen)
{
	unsigned	first, last;
	size_t		i;
	int		rc;

	if (l->n > CFG_LOUD_MAX) {
		snprintf(err, errlen, "loudness: %zu groups: at most %d are "
		    "measured", l->n, CFG_LOUD_MAX);
		return -EINVAL;
	}
	for (i = 0; i < l->n; i++) {
		rc = cfg_loud_group(l->v[i], &first, &last);
		if (rc == 1 && l->n == 1)
			continue;
		if (rc == 1) {
			snprintf(err, errlen, "loudness: \"off\": given with "
			    "groups; give off alone");
			return -EINVAL;
		}
		if (rc != 0) {
			snprintf(err, errlen, "loudness: \"%s\": not a group "
			    "of channels (N, or N-M with N < M; or off)",
			    l->v[i]);
			return -EINVAL;
		}
		if (last > nch) {
			snprintf(err, errlen, "loudness: \"%s\": channel %u: "
			    "not a channel number from 1 to %ld", l->v[i],
			    last, nch);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * What one output writes: the channels of its files against what the
 * format holds, the disk limits, where names go.
 */
int
cfg_check_files(const struct cfg *c, long nch, char *err, size_t errlen)
{
	if (c->disk_warn_mb < c->disk_min_mb) {
		snprintf(err, errlen, "disk_warn_mb: %ld is below disk_min_mb "
		    "(%ld)", c->disk_warn_mb, c->disk_min_mb);
		return -EINVAL;
	}
	if ((c->format == CFG_FMT_FLAC16 || c->format == CFG_FMT_FLAC24) &&
	    c->mode == CFG_MODE_SINGLE && nch > CFG_FLAC_MAX_CH) {
		snprintf(err, errlen, "format: %s: a FLAC file holds at most "
		    "%d channels, and single mode puts all %ld in one; use "
		    "mode split, or 8 channels or fewer",
		    cfg_find("format")->choices[c->format], CFG_FLAC_MAX_CH,
		    nch);
		return -EINVAL;
	}
	if (c->format == CFG_FMT_OPUS && c->mode == CFG_MODE_SINGLE &&
	    nch > CFG_OPUS_MAX_CH) {
		snprintf(err, errlen, "format: opus: an Opus file holds at most "
		    "%d channels, and single mode puts all %ld in one; use mode "
		    "split", CFG_OPUS_MAX_CH, nch);
		return -EINVAL;
	}
	if (c->format == CFG_FMT_MP3 && c->mode == CFG_MODE_SINGLE &&
	    nch > CFG_MP3_MAX_CH) {
		snprintf(err, errlen, "format: mp3: an MP3 file holds at most "
		    "%d channels, and single mode puts all %ld in one; use mode "
		    "split", CFG_MP3_MAX_CH, nch);
		return -EINVAL;
	}
	if (template_escapes(c->name_template)) {
		snprintf(err, errlen, "name_template: \"%s\": names must stay "
		    "inside directory (no leading '/', no '..')",
		    c->name_template);
		return -EINVAL;
	}
	return 0;
}

int
cfg_check(const struct cfg *c, char *err, size_t errlen)
{
	regex_t		 re;
	char		 msg[128];
	size_t		 i, k;
	int		 rc;

	if (c->port_names.n != 0 && c->port_names.n != (size_t)c->channels) {
		snprintf(err, errlen, "port_names: %zu names for %ld channels",
		    c->port_names.n, c->channels);
		return -EINVAL;
	}
	for (i = 0; i < c->port_names.n; i++) {
		if (strchr(c->port_names.v[i], ':') != NULL) {
			snprintf(err, errlen, "port_names: \"%s\": a port name "
			    "cannot hold ':'", c->port_names.v[i]);
			return -EINVAL;
		}
		for (k = 0; k < i; k++) {
			if (strcmp(c->port_names.v[i],
			    c->port_names.v[k]) == 0) {
				snprintf(err, errlen, "port_names: \"%s\": "
				    "given twice", c->port_names.v[i]);
				return -EINVAL;
			}
		}
	}
	for (i = 0; i < c->connect.n; i++) {
		rc = regcomp(&re, c->connect.v[i], REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			regerror(rc, &re, msg, sizeof(msg));
			snprintf(err, errlen, "connect: \"%s\": not a regular "
			    "expression: %s", c->connect.v[i], msg);
			return -EINVAL;
		}
		regfree(&re);
	}
	if (check_channels("gate_channels", &c->gate_channels, c->channels,
	    err, errlen) != 0 || check_channels("alarm_channels",
	    &c->alarm_channels, c->channels, err, errlen) != 0 ||
	    check_loudness(&c->loudness, c->channels, err, errlen) != 0)
		return -EINVAL;
	return cfg_check_files(c, c->channels, err, errlen);
}
