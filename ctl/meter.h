/*
 * meter.h: recctl's level meter as text: per-channel peak bars with a
 * peak hold and a latched clip light, laid out to fit a terminal.  Pure:
 * no I/O and no clock, so that tests can hold it to exact output.  Runs on
 * recctl's only thread.
 */
#ifndef RECD_CTL_METER_H
#define RECD_CTL_METER_H

#include <stddef.h>

#define METER_DB_MIN	-60.0	/* dBFS at the left end of a bar */
#define METER_DB_MAX	0.0	/* dBFS at the right end */
#define METER_HOLD_S	1.5	/* seconds a peak hold stays put */
#define METER_FALL_DB_S	20.0	/* dB per second a hold falls after that */
#define METER_CLIP_S	3.0	/* seconds CLIP stays lit after a clip */
#define METER_MAX_CH	1024	/* channels, at most */

struct meter;

/*
 * A meter of nch channels (1..METER_MAX_CH), all silent, named "1", "2",
 * ...  Returns NULL with errno set (EINVAL, ENOMEM).
 */
struct meter	*meter_new(unsigned nch);
void		 meter_del(struct meter *);
unsigned	 meter_channels(const struct meter *);

/*
 * Names channel ch (from 0).  The meter keeps a copy in which control
 * characters and bytes that are not UTF-8 become '?', so that a port name
 * cannot send escape sequences to the terminal.  Returns 0, -EINVAL (no
 * such channel) or -ENOMEM (the old name stays).
 */
int		 meter_set_name(struct meter *, unsigned ch, const char *name);

/*
 * One frame of levels at now_s (seconds on any clock that does not go
 * back): peak_dbfs[i] is channel i's peak, NaN or -inf for silence, and
 * clip[i] non-zero when it clipped (clip may be NULL).  Channels past n
 * are silent in this frame; values past the meter's channels are ignored.
 */
void		 meter_update(struct meter *, double now_s,
		    const double *peak_dbfs, const int *clip, unsigned n);

/*
 * The frame as text: a dBFS scale line, then one line per channel, fitted
 * to cols characters and rows lines (more columns of channels, then
 * shorter bars, when the screen is small).  Lines end in '\n' but the last
 * does not.  Like snprintf, writes at most len bytes with a terminating
 * NUL (when len > 0) and returns the length the whole frame needs.
 */
size_t		 meter_render(const struct meter *, unsigned cols,
		    unsigned rows, char *buf, size_t len);

/*
 * What the frame shows, for tests: the peak hold of channel ch now, in
 * dBFS (-inf when none), and how many of width cells a level fills.
 */
double		 meter_hold_db(const struct meter *, unsigned ch);
unsigned	 meter_cells(double db, unsigned width);

#endif
