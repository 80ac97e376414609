/*
 * clock.c: rotation boundaries, drift, TimeReference and labels
 * (clock.h).  Pure functions (local time through localtime_r); called on
 * the writer thread.
 */
#include "clock.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLOCK_NS	1000000000LL

int64_t
clock_ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * CLOCK_NS + ts->tv_nsec;
}

struct timespec
clock_ns_ts(int64_t ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / CLOCK_NS);
	ts.tv_nsec = (long)(ns % CLOCK_NS);
	return ts;
}

long
clock_offset(time_t t, int utc)
{
	struct tm tm;

	if (utc || localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/*
 * On the take's timeline, not the zone's: on the day of a change, local
 * midnight is still where the take's offset puts it, so boundaries and
 * TimeReference run on without a jump.
 */
int64_t
clock_since_midnight_ns(const struct timespec *t, long off_s)
{
	int64_t s = ((int64_t)t->tv_sec + off_s) % CLOCK_DAY_S;

	if (s < 0)
		s += CLOCK_DAY_S;
	return s * CLOCK_NS + t->tv_nsec;
}

struct timespec
clock_next_boundary(const struct timespec *t, long period_s, long off_s)
{
	int64_t sod = clock_since_midnight_ns(t, off_s);
	int64_t p = (int64_t)period_s * CLOCK_NS;
	int64_t next = (sod / p + 1) * p;

	if (next > (int64_t)CLOCK_DAY_S * CLOCK_NS)
		next = (int64_t)CLOCK_DAY_S * CLOCK_NS;
	return clock_ns_ts(clock_ts_ns(t) + (next - sod));
}

int64_t
clock_frames_between(int64_t from_ns, int64_t to_ns, unsigned rate)
{
	return llround((double)(to_ns - from_ns) * rate / 1e9);
}

void
clock_plan_rotation(long rotate_s, int align, long off_s, unsigned rate,
    uint64_t start, const struct timespec *wall, const struct timespec *nominal,
    struct clock_plan *out)
{
	int64_t frames, exact;

	out->drift_s = 0;
	if (rotate_s == 0) {
		out->at = CLOCK_NEVER;
		out->wall = *wall;
		return;
	}
	if (!align) {
		out->wall = clock_ns_ts(clock_ts_ns(nominal != NULL ? nominal :
		    wall) + (int64_t)rotate_s * CLOCK_NS);
		out->at = start + (uint64_t)rotate_s * rate;
		return;
	}
	out->wall = clock_next_boundary(nominal != NULL ? nominal : wall,
	    rotate_s, off_s);
	if (nominal == NULL && clock_ts_ns(&out->wall) - clock_ts_ns(wall) <
	    CLOCK_MIN_FIRST_NS)
		out->wall = clock_next_boundary(&out->wall, rotate_s, off_s);
	frames = clock_frames_between(clock_ts_ns(wall),
	    clock_ts_ns(&out->wall), rate);
	if (nominal != NULL) {
		exact = clock_frames_between(clock_ts_ns(nominal),
		    clock_ts_ns(&out->wall), rate);
		if (llabs(frames - exact) * CLOCK_NS / rate <=
		    CLOCK_MAX_DRIFT_NS)
			frames = exact;
		else
			out->drift_s = (double)(exact - frames) / rate;
	}
	if (frames < 1)
		frames = 1;
	out->at = start + (uint64_t)frames;
}

uint64_t
clock_time_ref(uint64_t ref0, uint64_t frame0, uint64_t frame, unsigned rate)
{
	return (ref0 + (frame - frame0)) % ((uint64_t)CLOCK_DAY_S * rate);
}

uint64_t
clock_time_ref_at(const struct timespec *t, unsigned rate, long off_s)
{
	return (uint64_t)(clock_since_midnight_ns(t, off_s) * (double)rate /
	    1e9);
}

void
clock_zone(long off_s, char *zone)
{
	long a = off_s < 0 ? -off_s : off_s;

	snprintf(zone, CLOCK_ZONE_BYTES, "%c%02ld%02ld", off_s < 0 ? '-' : '+',
	    a / 3600 % 100, a / 60 % 60);
}

int
clock_label_tm(time_t t, long off_s, int utc, char *zone, struct tm *tm)
{
	time_t shifted = t + off_s;

	if (utc) {
		gmtime_r(&t, tm);
		/* gmtime_r says "GMT"; the option says utc. */
		snprintf(zone, CLOCK_ZONE_BYTES, "UTC");
		tm->tm_zone = zone;
		return 0;
	}
	if (localtime_r(&t, tm) != NULL && tm->tm_gmtoff == off_s)
		return 0;
	/*
	 * Local time has changed offset since the take began: its labels stay
	 * on the take's timeline.  glibc's %z shows nothing for a negative
	 * tm_isdst, so it is 0 (the offset says it all).
	 */
	gmtime_r(&shifted, tm);
	tm->tm_gmtoff = off_s;
	tm->tm_isdst = 0;
	clock_zone(off_s, zone);
	tm->tm_zone = zone;
	return 1;
}

/*
 * tmpl with each %s written out as t's seconds since the epoch, into out
 * (len bytes); -1 when it does not fit.  strftime's own %s runs mktime on
 * the struct tm, taking it for local time: for a UTC name, or a label
 * shifted to the take's offset, it was off by the zone's offset.
 */
static int
clock_epoch_tmpl(const char *tmpl, time_t t, char *out, size_t len)
{
	size_t	n = 0;
	int	k;

	for (; *tmpl != '\0'; tmpl++) {
		if (tmpl[0] == '%' && tmpl[1] == 's') {
			k = snprintf(out + n, len - n, "%lld", (long long)t);
			if (k < 0 || (size_t)k >= len - n)
				return -1;
			n += (size_t)k;
			tmpl++;
			continue;
		}
		if (n + 2 >= len)
			return -1;
		out[n++] = *tmpl;
		/* %% is one character of the name: its second is no %s. */
		if (tmpl[0] == '%' && tmpl[1] != '\0')
			out[n++] = *++tmpl;
	}
	out[n] = '\0';
	return 0;
}

size_t
clock_expand(const char *tmpl, time_t t, long off_s, int utc, char *buf,
    size_t len, int *shifted)
{
	struct tm	tm;
	char		zone[CLOCK_ZONE_BYTES], epoch[CLOCK_TMPL_BYTES];
	size_t		n;

	*shifted = clock_label_tm(t, off_s, utc, zone, &tm);
	if (strstr(tmpl, "%s") != NULL) {
		if (clock_epoch_tmpl(tmpl, t, epoch, sizeof(epoch)) != 0)
			return 0;
		tmpl = epoch;
	}
	if ((n = strftime(buf, len, tmpl, &tm)) == 0)
		return 0;
	if (!*shifted || clock_template_has_zone(tmpl))
		return n;
	if ((size_t)snprintf(buf + n, len - n, "%s", zone) >= len - n)
		return 0;
	return n + strlen(zone);
}

int
clock_template_has_zone(const char *tmpl)
{
	const char *p = tmpl;

	while ((p = strchr(p, '%')) != NULL) {
		p++;
		if (*p == '%') {
			p++;
			continue;
		}
		/* glibc's flags and width, and the E and O modifiers. */
		while (*p != '\0' && strchr("_-0^#", *p) != NULL)
			p++;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == 'E' || *p == 'O')
			p++;
		if (*p == 'z' || *p == 'Z')
			return 1;
	}
	return 0;
}
