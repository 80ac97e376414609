/*
 * meter.c: recctl's level meter as text (meter.h): the state of each
 * channel's bar, hold and clip light, and the layout that fits them to a
 * terminal.  Runs on recctl's only thread; recctl does the terminal I/O.
 */
#include "meter.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define METER_GAP		2	/* spaces between columns of channels */
#define METER_MAX_COLS		8	/* columns of channels, at most */
#define METER_NAME_MIN		4	/* characters a name keeps, at least */
#define METER_NAME_HEAD_MIN	6	/* shorter cuts keep only the end */
#define METER_VALUE_W		6	/* "-120.5", "  -inf" */
/* Around the name and bar: "  [" "] " value " dB" " CLIP". */
#define METER_FULL_FIXED	(3 + 2 + METER_VALUE_W + 3 + 5)
#define METER_FULL_NOBAR	(2 + METER_VALUE_W + 3 + 5)
/* Compact lines: " [" "] " value "!". */
#define METER_COMPACT_FIXED	(2 + 2 + METER_VALUE_W + 1)
#define METER_COMPACT_NOBAR	(1 + METER_VALUE_W + 1)
/* Bars alone: " [" "]" "!". */
#define METER_BARONLY_FIXED	(2 + 1 + 1)
/* Below these a bar says too little, so the line gets shorter first. */
#define METER_BAR_FULL_MIN	10
#define METER_BAR_COMPACT_MIN	5
/* Scale labels stand at least this many cells apart. */
#define METER_LABEL_CELLS	7

struct meter_ch {
	char		*name;		/* clean UTF-8, owned */
	unsigned	 name_chars;	/* characters (code points) of name */
	double		 peak_db;	/* last peak, dBFS; -inf: silence */
	double		 hold_db;	/* the hold as it was set, dBFS */
	double		 hold_t;	/* when it was set, s */
	double		 clip_until;	/* CLIP is lit until then, s */
};

struct meter {
	unsigned	 nch;
	double		 now;		/* time of the last update, s */
	struct meter_ch	 ch[];
};

/* How one frame is laid out on the screen. */
struct meter_layout {
	unsigned	 ncol;		/* columns of channels */
	unsigned	 nrow;		/* channel lines in a column */
	unsigned	 colw;		/* characters of a column */
	unsigned	 name_w;	/* characters of a name */
	unsigned	 bar_w;		/* cells of a bar; 0: no bar */
	int		 compact;	/* value and "!" only, no " dB CLIP" */
	int		 novalue;	/* compact, and no value either */
	int		 scale;		/* a scale line on top */
	unsigned	 shown;		/* channels shown: all, or what fits */
};

/*
 * Text being built: like snprintf, it counts what the whole frame needs
 * but stores only what fits, and never half a character.
 */
struct meter_out {
	char		*buf;
	size_t		 len;		/* bytes of buf */
	size_t		 need;		/* bytes of the whole frame */
	size_t		 used;		/* bytes stored */
	int		 full;		/* out of room: store no more */
	unsigned	 col;		/* characters on the current line */
	unsigned	 cols;		/* characters a line may have */
};

/* A copy of s that is safe to print, and its length in characters. */
static char *
meter_clean(const char *s, unsigned *chars)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 n = strlen(s), i = 0, o = 0, len;
	char			*d;

	d = malloc(n + 1);
	if (d == NULL)
		return NULL;
	*chars = 0;
	while (i < n) {
		if (u[i] < 0x80) {
			d[o++] = u[i] < 0x20 || u[i] == 0x7F ? '?' : s[i];
			i++;
		} else if (u[i] == 0xC2 && i + 1 < n && u[i + 1] >= 0x80 &&
		    u[i + 1] < 0xA0) {
			/* A C1 control, one character. */
			d[o++] = '?';
			i += 2;
		} else if ((len = utf8_len(u + i, n - i)) > 0) {
			/* C1 controls went above: terminals obey some. */
			memcpy(d + o, s + i, len);
			o += len;
			i += len;
		} else {
			d[o++] = '?';
			i++;
		}
		(*chars)++;
	}
	d[o] = '\0';
	return d;
}

/* Past k characters of clean UTF-8. */
static const char *
meter_skip(const char *s, unsigned k)
{
	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xC0) == 0x80)
			continue;
		if (k == 0)
			break;
		k--;
	}
	return s;
}

struct meter *
meter_new(unsigned nch)
{
	struct meter	*m;
	char		 num[16];
	unsigned	 i;

	if (nch == 0 || nch > METER_MAX_CH) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m) + nch * sizeof(m->ch[0]));
	if (m == NULL)
		return NULL;
	m->nch = nch;
	for (i = 0; i < nch; i++) {
		snprintf(num, sizeof(num), "%u", i + 1);
		m->ch[i].name = meter_clean(num, &m->ch[i].name_chars);
		if (m->ch[i].name == NULL) {
			meter_del(m);
			errno = ENOMEM;
			return NULL;
		}
		m->ch[i].peak_db = -INFINITY;
		m->ch[i].hold_db = -INFINITY;
		m->ch[i].clip_until = -INFINITY;
	}
	return m;
}

void
meter_del(struct meter *m)
{
	unsigned	i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nch; i++)
		free(m->ch[i].name);
	free(m);
}

unsigned
meter_channels(const struct meter *m)
{
	return m->nch;
}

int
meter_set_name(struct meter *m, unsigned ch, const char *name)
{
	char		*d;
	unsigned	 chars;

	if (ch >= m->nch || name == NULL)
		return -EINVAL;
	d = meter_clean(name, &chars);
	if (d == NULL)
		return -ENOMEM;
	free(m->ch[ch].name);
	m->ch[ch].name = d;
	m->ch[ch].name_chars = chars;
	return 0;
}

static double
meter_hold_at(const struct meter_ch *c, double now)
{
	double	late = now - c->hold_t - METER_HOLD_S;

	if (late <= 0)
		return c->hold_db;
	return c->hold_db - METER_FALL_DB_S * late;
}

double
meter_hold_db(const struct meter *m, unsigned ch)
{
	double	db;

	if (ch >= m->nch)
		return -INFINITY;
	db = meter_hold_at(&m->ch[ch], m->now);
	return db < METER_DB_MIN ? -INFINITY : db;
}

void
meter_update(struct meter *m, double now_s, const double *peak_dbfs,
    const int *clip, unsigned n)
{
	struct meter_ch	*c;
	double		 p;
	unsigned	 i;

	for (i = 0; i < m->nch; i++) {
		c = &m->ch[i];
		p = i < n ? peak_dbfs[i] : -INFINITY;
		if (isnan(p))
			p = -INFINITY;
		c->peak_db = p;
		/* A new peak, or the falling hold reached the level. */
		if (p >= meter_hold_at(c, now_s)) {
			c->hold_db = p;
			c->hold_t = now_s;
		}
		if (i < n && clip != NULL && clip[i])
			c->clip_until = now_s + METER_CLIP_S;
	}
	m->now = now_s;
}

/*
 * Cells that light for db: cell k (from 1) lights once the level reaches
 * its upper edge, so 0 dBFS fills the bar and -60 dBFS leaves it empty.
 * The small slack keeps exact edges (-6 dB of 60 cells) from rounding
 * down.
 */
unsigned
meter_cells(double db, unsigned width)
{
	double	x;

	if (!(db > METER_DB_MIN))
		return 0;
	if (db >= METER_DB_MAX)
		return width;
	x = (db - METER_DB_MIN) * width / (METER_DB_MAX - METER_DB_MIN);
	x = floor(x + 1e-9);
	return x >= width ? width : (unsigned)x;
}

/* One character of nb bytes; past the line's width it is left out. */
static void
meter_put(struct meter_out *o, const char *s, size_t nb)
{
	if (o->col >= o->cols)
		return;
	o->col++;
	o->need += nb;
	if (o->full || o->used + nb >= o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->buf + o->used, s, nb);
	o->used += nb;
}

static void
meter_puts(struct meter_out *o, const char *s)
{
	for (; *s != '\0'; s++)
		meter_put(o, s, 1);
}

/* Characters of clean UTF-8 from s to end. */
static void
meter_put_utf8(struct meter_out *o, const char *s, const char *end)
{
	const char	*next;

	while (s < end) {
		next = s + 1;
		while (next < end && ((unsigned char)*next & 0xC0) == 0x80)
			next++;
		meter_put(o, s, (size_t)(next - s));
		s = next;
	}
}

static void
meter_pad(struct meter_out *o, unsigned col)
{
	while (o->col < col && o->col < o->cols)
		meter_put(o, " ", 1);
}

static void
meter_newline(struct meter_out *o)
{
	o->col = 0;
	o->need++;
	if (o->full || o->used + 1 >= o->len) {
		o->full = 1;
		return;
	}
	o->buf[o->used++] = '\n';
}

/*
 * The name in exactly w characters.  A long name loses its middle, as
 * "hydro~one_12": ports differ at the end (the number) and their start
 * says what they are.  When there is too little room for both, the end
 * wins, as "~_12".
 */
static void
meter_put_name(struct meter_out *o, const struct meter_ch *c, unsigned w)
{
	const char	*s = c->name, *end = s + strlen(s);
	unsigned	 head, tail, start = o->col;

	if (c->name_chars <= w) {
		meter_put_utf8(o, s, end);
	} else if (w < 3) {
		meter_put_utf8(o, meter_skip(s, c->name_chars - w), end);
	} else {
		head = w < METER_NAME_HEAD_MIN ? 0 : (w - 1) / 2;
		tail = w - 1 - head;
		meter_put_utf8(o, s, meter_skip(s, head));
		meter_put(o, "~", 1);
		meter_put_utf8(o, meter_skip(s, c->name_chars - tail), end);
	}
	meter_pad(o, start + w);
}

/*
 * Whether lines fit colw characters, and how: full lines while the bar
 * keeps METER_BAR_FULL_MIN cells, then compact ones with names cut to
 * METER_NAME_MIN characters, then bars without values (a glance at many
 * channels wants the bars), then values without bars.  A name takes at
 * most a third of the line; the bar gets the rest.
 */
static int
meter_fit(unsigned colw, unsigned maxname, struct meter_layout *l)
{
	unsigned	nw, least;

	least = maxname < METER_NAME_MIN ? maxname : METER_NAME_MIN;
	nw = maxname;
	if (nw > colw / 3)
		nw = colw / 3 > least ? colw / 3 : least;
	if (colw >= nw + METER_FULL_FIXED + METER_BAR_FULL_MIN) {
		l->compact = 0;
		l->name_w = nw;
		l->bar_w = colw - nw - METER_FULL_FIXED;
		return 1;
	}
	l->compact = 1;
	l->novalue = 0;
	if (colw >= least + METER_COMPACT_FIXED + METER_BAR_COMPACT_MIN) {
		if (colw < nw + METER_COMPACT_FIXED + METER_BAR_COMPACT_MIN)
			nw = colw - METER_COMPACT_FIXED -
			    METER_BAR_COMPACT_MIN;
		l->name_w = nw;
		l->bar_w = colw - nw - METER_COMPACT_FIXED;
		return 1;
	}
	if (colw >= least + METER_BARONLY_FIXED + METER_BAR_COMPACT_MIN) {
		if (colw < nw + METER_BARONLY_FIXED + METER_BAR_COMPACT_MIN)
			nw = colw - METER_BARONLY_FIXED -
			    METER_BAR_COMPACT_MIN;
		l->novalue = 1;
		l->name_w = nw;
		l->bar_w = colw - nw - METER_BARONLY_FIXED;
		return 1;
	}
	if (colw >= least + METER_COMPACT_NOBAR) {
		if (colw < nw + METER_COMPACT_NOBAR)
			nw = colw - METER_COMPACT_NOBAR;
		l->name_w = nw;
		l->bar_w = 0;
		return 1;
	}
	return 0;
}

static unsigned
meter_colw(unsigned cols, unsigned k)
{
	unsigned	gaps = (k - 1) * METER_GAP;

	return cols > gaps ? (cols - gaps) / k : 0;
}

/*
 * One column while the screen is tall enough, else two, three, ... as
 * long as the lines still fit across.  When nothing fits every channel,
 * the first ones are shown with a line saying how many are not.
 */
static void
meter_layout(const struct meter *m, unsigned cols, unsigned rows,
    struct meter_layout *l)
{
	unsigned	maxname = 0, avail, k, per, i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < m->nch; i++)
		if (m->ch[i].name_chars > maxname)
			maxname = m->ch[i].name_chars;
	l->scale = rows >= 2;
	avail = rows - (unsigned)l->scale;
	for (k = 1; k <= METER_MAX_COLS && k <= m->nch; k++) {
		per = (m->nch + k - 1) / k;
		if (per > avail)
			continue;
		if (!meter_fit(meter_colw(cols, k), maxname, l))
			break;
		l->ncol = k;
		l->nrow = per;
		l->colw = meter_colw(cols, k);
		l->shown = m->nch;
		return;
	}
	k = m->nch < METER_MAX_COLS ? m->nch : METER_MAX_COLS;
	for (; k > 1; k--)
		if (meter_fit(meter_colw(cols, k), maxname, l))
			break;
	if (k == 1 && !meter_fit(cols, maxname, l)) {
		/* Narrower than any line: names only, cut at the edge. */
		l->compact = 1;
		l->name_w = maxname < METER_NAME_MIN ? maxname :
		    METER_NAME_MIN;
		l->bar_w = 0;
	}
	l->ncol = k;
	l->colw = meter_colw(cols, k);
	per = (m->nch + k - 1) / k;
	if (per <= avail) {
		/* Tall enough, only too narrow: lines cut at the edge. */
		l->nrow = per;
		l->shown = m->nch;
	} else {
		l->nrow = avail > 1 ? avail - 1 : 0;
		l->shown = l->nrow * k;
	}
}

/* Where a bar starts in its column. */
static unsigned
meter_bar_x(const struct meter_layout *l)
{
	return l->name_w + (l->compact ? 2 : 3);
}

/*
 * The scale over one column's bars: labels every 5, 10, 20, 30 or 60 dB,
 * whichever is the finest that leaves room between them, each ending
 * where a level of that many dBFS ends its bar.
 */
static void
meter_put_scale(struct meter_out *o, const struct meter_layout *l,
    unsigned x0)
{
	static const int	 steps[] = { 5, 10, 20, 30, 60 };
	const unsigned		 range = (unsigned)(METER_DB_MAX -
				    METER_DB_MIN);
	char			 label[16];
	unsigned		 i, w = l->bar_w, at, end, len, next = 0;
	int			 step = 60, db;

	if (l->name_w >= 4)
		meter_puts(o, "dBFS");
	if (w == 0)
		return;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if ((unsigned)steps[i] * w >= METER_LABEL_CELLS * range) {
			step = steps[i];
			break;
		}
	}
	for (db = (int)METER_DB_MIN; db <= (int)METER_DB_MAX; db += step) {
		snprintf(label, sizeof(label), "%d", db);
		len = (unsigned)strlen(label);
		end = meter_cells(db, w);
		/* -60 has no cell to end in: it starts the bar instead. */
		end = end > 0 ? end - 1 : len - 1;
		if (end + 1 < len || end >= w)
			continue;
		at = end + 1 - len;
		/* A space at least between labels, or the label is left out. */
		if (at < next)
			continue;
		meter_pad(o, x0 + meter_bar_x(l) + at);
		meter_puts(o, label);
		next = end + 2;
	}
}

static void
meter_put_channel(struct meter_out *o, const struct meter *m,
    const struct meter_layout *l, unsigned ch)
{
	const struct meter_ch	*c = &m->ch[ch];
	char			 value[16];
	unsigned		 i, lit, hold;
	double			 v;

	meter_put_name(o, c, l->name_w);
	if (l->bar_w > 0) {
		meter_puts(o, l->compact ? " [" : "  [");
		lit = meter_cells(c->peak_db, l->bar_w);
		hold = meter_cells(meter_hold_at(c, m->now), l->bar_w);
		for (i = 0; i < l->bar_w; i++) {
			if (i < lit)
				meter_put(o, "#", 1);
			else if (hold > lit && i == hold - 1)
				meter_put(o, "|", 1);
			else
				meter_put(o, " ", 1);
		}
		meter_puts(o, l->novalue ? "]" : "] ");
	} else {
		meter_puts(o, l->compact ? " " : "  ");
	}
	if (l->novalue) {
		if (m->now < c->clip_until)
			meter_puts(o, "!");
		return;
	}
	if (isinf(c->peak_db) && c->peak_db < 0) {
		snprintf(value, sizeof(value), "%*s", METER_VALUE_W, "-inf");
	} else {
		/* Keep the column: floats peak at about -900 dBFS anyway. */
		v = c->peak_db < -999.9 ? -999.9 : c->peak_db;
		v = v > 999.9 ? 999.9 : v;
		snprintf(value, sizeof(value), "%*.1f", METER_VALUE_W, v);
	}
	meter_puts(o, value);
	if (!l->compact)
		meter_puts(o, " dB");
	if (m->now < c->clip_until)
		meter_puts(o, l->compact ? "!" : " CLIP");
}

size_t
meter_render(const struct meter *m, unsigned cols, unsigned rows,
    char *buf, size_t len)
{
	struct meter_out	 o;
	struct meter_layout	 l;
	char			 more[64];
	unsigned		 r, k, ch, x0;
	int			 lines = 0;

	memset(&o, 0, sizeof(o));
	o.buf = buf;
	o.len = len;
	o.cols = cols;
	meter_layout(m, cols, rows, &l);
	if (l.scale) {
		for (k = 0; k < l.ncol; k++) {
			x0 = k * (l.colw + METER_GAP);
			meter_pad(&o, x0);
			meter_put_scale(&o, &l, x0);
		}
		lines++;
	}
	for (r = 0; r < l.nrow; r++) {
		if (lines++ > 0)
			meter_newline(&o);
		/* Channels run down each column, then on to the next. */
		for (k = 0; k < l.ncol; k++) {
			ch = k * l.nrow + r;
			if (ch >= l.shown)
				break;
			meter_pad(&o, k * (l.colw + METER_GAP));
			meter_put_channel(&o, m, &l, ch);
		}
	}
	if (l.shown < m->nch && rows > 0) {
		if (lines++ > 0)
			meter_newline(&o);
		snprintf(more, sizeof(more), "+%u more channels: enlarge "
		    "the terminal", m->nch - l.shown);
		meter_puts(&o, more);
	}
	if (len > 0)
		buf[o.used] = '\0';
	return o.need;
}
