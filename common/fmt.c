/*
 * fmt.c: the table of formats (fmt.h): each value of the option `format'
 * with its backend and the samples it takes.  Any thread.
 */
#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* In the order of enum cfg_format, whose names cfg.c gives the option. */
static const struct fmt_kind kinds[] = {
	{ "pcm16", &fmt_wav, CONV_PCM16, 16, 0 },
	{ "pcm24", &fmt_wav, CONV_PCM24, 24, 0 },
	{ "pcm32", &fmt_wav, CONV_PCM32, 32, 0 },
	{ "float32", &fmt_wav, CONV_FLOAT32, 32, 1 },
	{ "flac16", &fmt_flac, CONV_PCM16, 16, 0 },
	/* The 24-bit code in 4 bytes: libFLAC takes int32s, unpacked at once. */
	{ "flac24", &fmt_flac, CONV_PCM32, 24, 0 },
	{ "opus", &fmt_opus, CONV_FLOAT32, 32, 1 },
	{ "mp3", &fmt_mp3, CONV_FLOAT32, 32, 1 },
};

const struct fmt_backend *const fmt_backends[] = { &fmt_wav, &fmt_flac,
	&fmt_opus, &fmt_mp3, NULL };

int
fmt_time(const struct fmt_par *par, struct tm *tm)
{
	time_t at = par->origin + par->origin_off_s;

	/* The fields hold no zone: the take's offset made them local. */
	if (gmtime_r(&at, tm) == NULL ||
	    tm->tm_year < -1900 || tm->tm_year > 9999 - 1900)
		return -1;
	return 0;
}

void
fmt_origin_iso(const struct fmt_par *par, char *iso)
{
	struct tm	tm;
	time_t		at = par->origin + par->origin_off_s;
	long		a = par->origin_off_s < 0 ? -par->origin_off_s :
			    par->origin_off_s;
	size_t		n;

	if (gmtime_r(&at, &tm) == NULL ||
	    (n = strftime(iso, FMT_ISO_BYTES, "%Y-%m-%dT%H:%M:%S", &tm)) == 0) {
		iso[0] = '\0';
		return;
	}
	if (par->utc)
		snprintf(iso + n, FMT_ISO_BYTES - n, "Z");
	else
		snprintf(iso + n, FMT_ISO_BYTES - n, "%c%02ld:%02ld",
		    par->origin_off_s < 0 ? '-' : '+', a / 3600 % 100,
		    a / 60 % 60);
}

const struct fmt_kind *
fmt_kind(int i)
{
	if (i < 0 || (size_t)i >= sizeof(kinds) / sizeof(kinds[0]))
		return NULL;
	return &kinds[i];
}

const struct fmt_backend *
fmt_by_path(const char *path, size_t len)
{
	size_t	i, n;

	for (i = 0; fmt_backends[i] != NULL; i++) {
		n = strlen(fmt_backends[i]->ext);
		if (len >= n && memcmp(path + len - n, fmt_backends[i]->ext,
		    n) == 0)
			return fmt_backends[i];
	}
	return NULL;
}

int16_t
fmt_loud_centi(double v)
{
	double c;

	if (!isfinite(v))
		return FMT_LOUD_UNSET;
	c = round(v * 100);
	/* Out of int16's range only for nonsense: clamped, never "unset". */
	if (c < INT16_MIN)
		return INT16_MIN;
	if (c >= FMT_LOUD_UNSET)
		return FMT_LOUD_UNSET - 1;
	return (int16_t)c;
}
