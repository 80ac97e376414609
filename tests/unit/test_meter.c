/*
 * test_meter.c: the level meter's text: bar lengths, silence, the clip
 * light, the peak hold, fitting 40 to 120 columns, 64 channels, cut names.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "meter.h"

#define T_MAX_LINES	256
#define T_BUF_BYTES	65536

/* One test's meter and its last frame, split into lines. */
struct t {
	struct meter	*m;
	char		 buf[T_BUF_BYTES];
	char		*line[T_MAX_LINES];
	unsigned	 nlines;
};

static int
setup(void **state)
{
	struct t	*t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct t	*t = *state;

	meter_del(t->m);
	free(t);
	return 0;
}

/* A meter of n channels named by fmt (with %u for the channel, from 1). */
static struct meter *
make(struct t *t, unsigned n, const char *fmt)
{
	char		name[128];
	unsigned	i;

	t->m = meter_new(n);
	assert_non_null(t->m);
	for (i = 0; fmt != NULL && i < n; i++) {
		snprintf(name, sizeof(name), fmt, i + 1);
		assert_int_equal(meter_set_name(t->m, i, name), 0);
	}
	return t->m;
}

/* Every channel at the same level. */
static void
level(struct t *t, double now, double db, int clip)
{
	double		peak[METER_MAX_CH];
	int		flag[METER_MAX_CH];
	unsigned	i, n = meter_channels(t->m);

	for (i = 0; i < n; i++) {
		peak[i] = db;
		flag[i] = clip;
	}
	meter_update(t->m, now, peak, flag, n);
}

static unsigned
chars(const char *s)
{
	unsigned	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Renders and splits the frame; every line must fit cols. */
static void
render(struct t *t, unsigned cols, unsigned rows)
{
	size_t		 need;
	char		*s;
	unsigned	 i;

	need = meter_render(t->m, cols, rows, t->buf, sizeof(t->buf));
	assert_int_equal(need, strlen(t->buf));
	t->nlines = 0;
	for (s = t->buf; ; s++) {
		assert_true(t->nlines < T_MAX_LINES);
		t->line[t->nlines++] = s;
		s = strchr(s, '\n');
		if (s == NULL)
			break;
		*s = '\0';
	}
	assert_true(t->nlines <= rows);
	for (i = 0; i < t->nlines; i++) {
		if (chars(t->line[i]) > cols)
			fail_msg("line %u has %u characters, more than %u: %s",
			    i, chars(t->line[i]), cols, t->line[i]);
	}
}

/* Whether any line of the frame holds s. */
static int
shows(struct t *t, const char *s)
{
	unsigned	i;

	for (i = 0; i < t->nlines; i++)
		if (strstr(t->line[i], s) != NULL)
			return 1;
	return 0;
}

/* The line of the channel named name (lines 1..: line 0 is the scale). */
static const char *
chan(struct t *t, const char *name)
{
	size_t		len = strlen(name);
	unsigned	i;

	for (i = 1; i < t->nlines; i++)
		if (strncmp(t->line[i], name, len) == 0 &&
		    t->line[i][len] == ' ')
			return t->line[i];
	fail_msg("no line for %s", name);
	return NULL;
}

/* The bar of a line: between '[' and ']'; its width in *w. */
static const char *
bar(const char *line, unsigned *w)
{
	const char	*open = strchr(line, '['), *close;

	assert_non_null(open);
	close = strchr(open, ']');
	assert_non_null(close);
	*w = (unsigned)(close - open - 1);
	return open + 1;
}

static unsigned
count(const char *s, unsigned w, char ch)
{
	unsigned	i, n = 0;

	for (i = 0; i < w; i++)
		n += s[i] == ch;
	return n;
}

/* Where in the bar the hold marker is, or -1. */
static int
marker(const char *line)
{
	const char	*b;
	unsigned	 w, i;
	int		 at = -1;

	b = bar(line, &w);
	for (i = 0; i < w; i++) {
		if (b[i] == '|') {
			assert_int_equal(at, -1);
			at = (int)i;
		}
	}
	return at;
}

static void
test_cells(void **state)
{
	(void)state;
	assert_int_equal(meter_cells(-6.0, 60), 54);
	assert_int_equal(meter_cells(-6.02, 60), 53);
	assert_int_equal(meter_cells(-30.0, 60), 30);
	assert_int_equal(meter_cells(-59.0, 60), 1);
	assert_int_equal(meter_cells(-20.0, 30), 20);
	assert_int_equal(meter_cells(-60.0, 60), 0);
	assert_int_equal(meter_cells(-75.0, 60), 0);
	assert_int_equal(meter_cells(0.0, 60), 60);
	assert_int_equal(meter_cells(3.5, 60), 60);
	assert_int_equal(meter_cells(NAN, 60), 0);
	assert_int_equal(meter_cells(-INFINITY, 60), 0);
}

/* Whole dB values light (db + 60) / 60 of the bar, rounded down. */
static void
test_bar_length(void **state)
{
	static const int	 dbs[] = { -6, -12, -30, -45, -59, 0 };
	struct t		*t = *state;
	const char		*b;
	unsigned		 i, w, cols;

	make(t, 1, "in_%u");
	for (cols = 40; cols <= 120; cols += 40) {
		for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
			/* Far apart, so that no hold shows. */
			level(t, (cols * 10 + i) * 100.0, dbs[i], 0);
			render(t, cols, 10);
			b = bar(chan(t, "in_1"), &w);
			assert_int_equal(count(b, w, '#'),
			    (unsigned)(dbs[i] + 60) * w / 60);
			assert_int_equal(count(b, w, ' '),
			    w - (unsigned)(dbs[i] + 60) * w / 60);
		}
	}
	level(t, 10, -6.02, 0);
	render(t, 80, 10);
	assert_non_null(strstr(chan(t, "in_1"), " -6.0 dB"));
	assert_null(strstr(chan(t, "in_1"), "CLIP"));
}

static void
test_silence(void **state)
{
	struct t	*t = *state;
	double		 peak[2] = { NAN, -INFINITY };
	const char	*b;
	unsigned	 w, i;

	make(t, 3, "in_%u");
	level(t, 0, -10, 0);
	/* Channel 3 is not in the frame: silent too. */
	meter_update(t->m, 5, peak, NULL, 2);
	render(t, 80, 10);
	for (i = 1; i <= 3; i++) {
		char name[8];

		snprintf(name, sizeof(name), "in_%u", i);
		b = bar(chan(t, name), &w);
		assert_true(w > 10);
		assert_int_equal(count(b, w, ' '), w);
		assert_non_null(strstr(chan(t, name), "-inf dB"));
		assert_true(isinf(meter_hold_db(t->m, i - 1)));
	}
	/* Silence from the start: nothing lit, no hold. */
	meter_del(t->m);
	make(t, 1, "in_%u");
	render(t, 80, 10);
	b = bar(chan(t, "in_1"), &w);
	assert_int_equal(count(b, w, ' '), w);
	assert_non_null(strstr(chan(t, "in_1"), "-inf dB"));
}

static void
test_clip_latch(void **state)
{
	struct t	*t = *state;
	double		 peak[2] = { 0.0, -3.0 };
	int		 clip[2] = { 1, 0 };

	make(t, 2, "in_%u");
	meter_update(t->m, 10.0, peak, clip, 2);
	render(t, 80, 10);
	assert_non_null(strstr(chan(t, "in_1"), "0.0 dB CLIP"));
	assert_null(strstr(chan(t, "in_2"), "CLIP"));
	/* Quiet again: the light stays for METER_CLIP_S. */
	level(t, 10.0 + METER_CLIP_S - 0.1, -20, 0);
	render(t, 80, 10);
	assert_non_null(strstr(chan(t, "in_1"), "-20.0 dB CLIP"));
	assert_null(strstr(chan(t, "in_2"), "CLIP"));
	level(t, 10.0 + METER_CLIP_S + 0.1, -20, 0);
	render(t, 80, 10);
	assert_null(strstr(chan(t, "in_1"), "CLIP"));
	/* A later clip lights it again, from then on. */
	level(t, 20.0, -1, 1);
	level(t, 20.0 + METER_CLIP_S - 0.1, -20, 0);
	render(t, 80, 10);
	assert_non_null(strstr(chan(t, "in_1"), "CLIP"));
	assert_non_null(strstr(chan(t, "in_2"), "CLIP"));
	/* Compact lines show it as "!". */
	render(t, 28, 10);
	assert_null(strstr(chan(t, "in_1"), "dB"));
	assert_non_null(strstr(chan(t, "in_1"), "-20.0!"));
}

static void
test_hold_rises_and_falls(void **state)
{
	struct t	*t = *state;
	const char	*b;
	unsigned	 w;

	make(t, 1, "in_1");
	level(t, 0.0, -30, 0);
	assert_true(meter_hold_db(t->m, 0) == -30.0);
	/* Rising: the hold follows at once, under the bar's end. */
	level(t, 0.1, -10, 0);
	assert_true(meter_hold_db(t->m, 0) == -10.0);
	render(t, 79, 10);
	assert_int_equal(marker(chan(t, "in_1")), -1);
	/* The level drops: the hold stays where -10 dB ends a bar. */
	level(t, 0.2, -40, 0);
	render(t, 79, 10);
	b = bar(chan(t, "in_1"), &w);
	assert_int_equal(count(b, w, '#'), 20 * w / 60);
	assert_int_equal(marker(chan(t, "in_1")), (int)(50 * w / 60) - 1);
	level(t, 0.1 + METER_HOLD_S - 0.05, -40, 0);
	assert_true(meter_hold_db(t->m, 0) == -10.0);
	/* Then it falls at METER_FALL_DB_S. */
	level(t, 0.1 + METER_HOLD_S + 0.5, -40, 0);
	assert_true(fabs(meter_hold_db(t->m, 0) -
	    (-10.0 - 0.5 * METER_FALL_DB_S)) < 1e-9);
	render(t, 79, 10);
	assert_int_equal(marker(chan(t, "in_1")),
	    (int)meter_cells(-10.0 - 0.5 * METER_FALL_DB_S, w) - 1);
	assert_true(marker(chan(t, "in_1")) < (int)(50 * w / 60) - 1);
	/* Until it meets the level, which holds from then on. */
	level(t, 0.1 + METER_HOLD_S + 2.0, -40, 0);
	assert_true(meter_hold_db(t->m, 0) == -40.0);
	level(t, 0.1 + METER_HOLD_S + 3.0, -50, 0);
	assert_true(meter_hold_db(t->m, 0) == -40.0);
	/* Silence lets it fall off the scale. */
	level(t, 100.0, NAN, 0);
	assert_true(isinf(meter_hold_db(t->m, 0)));
	render(t, 79, 10);
	assert_int_equal(marker(chan(t, "in_1")), -1);
}

/* The scale's last label ends over the last cell of the bars. */
static void
check_scale(struct t *t)
{
	const char	*s = t->line[0], *b;
	unsigned	 w, end;

	b = bar(t->line[1], &w);
	end = (unsigned)(b - t->line[1]) + w - 1;
	assert_int_equal(strlen(s), end + 1);
	assert_int_equal(s[end], '0');
	assert_int_equal(s[end - 1], ' ');
	assert_non_null(strstr(s, "-60"));
	assert_int_equal((unsigned)(strstr(s, "-60") - s),
	    (unsigned)(b - t->line[1]));
}

static void
test_width(void **state)
{
	struct t	*t = *state;
	unsigned	 w40, w120, i;
	char		 name[16];

	make(t, 4, "recd:in_%u");
	level(t, 0, -6.02, 0);
	render(t, 40, 10);
	assert_int_equal(t->nlines, 5);
	check_scale(t);
	bar(chan(t, "recd:in_4"), &w40);
	for (i = 1; i <= 4; i++) {
		snprintf(name, sizeof(name), "recd:in_%u", i);
		assert_non_null(strstr(chan(t, name), " -6.0 dB"));
	}
	/* A full line ends at "dB": the room went to the bar. */
	assert_int_equal(chars(chan(t, "recd:in_1")), 40 - 5);
	render(t, 120, 10);
	assert_int_equal(t->nlines, 5);
	check_scale(t);
	bar(chan(t, "recd:in_4"), &w120);
	assert_int_equal(w120, w40 + 80);
	assert_int_equal(chars(chan(t, "recd:in_1")), 120 - 5);
	/* With the clip light, a line fills the width exactly. */
	level(t, 1, 0.0, 1);
	render(t, 120, 10);
	assert_int_equal(chars(chan(t, "recd:in_1")), 120);
	render(t, 40, 10);
	assert_int_equal(chars(chan(t, "recd:in_1")), 40);
}

/* Every channel's name shows exactly once, in channel order by column. */
static void
check_all_named(struct t *t, unsigned n)
{
	char		 name[16], *p, *q;
	unsigned	 i, k, seen;

	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "in_%u", i);
		seen = 0;
		for (k = 1; k < t->nlines; k++) {
			for (p = t->line[k]; (q = strstr(p, name)) != NULL;
			    p = q + 1)
				if (q[strlen(name)] == ' ' &&
				    (q == t->line[k] || q[-1] == ' '))
					seen++;
		}
		if (seen != 1)
			fail_msg("%s shows %u times", name, seen);
	}
}

static void
test_64_channels(void **state)
{
	struct t	*t = *state;
	double		 peak[64];
	int		 clip[64] = { 0 };
	unsigned	 i, w;

	make(t, 64, "in_%u");
	for (i = 0; i < 64; i++)
		peak[i] = -1.0 - i;
	meter_update(t->m, 0, peak, NULL, 64);
	/* Tall enough: one line each, under the scale. */
	render(t, 100, 70);
	assert_int_equal(t->nlines, 65);
	check_all_named(t, 64);
	assert_non_null(strstr(chan(t, "in_64"), "-64.0 dB"));
	/* 80 x 24 and 100 x 30: columns of channels, every one shown. */
	render(t, 80, 24);
	assert_true(t->nlines <= 24);
	check_all_named(t, 64);
	assert_false(shows(t, "more channels"));
	for (i = 1; i < t->nlines; i++) {
		bar(t->line[i], &w);
		assert_true(w >= 5);
	}
	assert_non_null(strstr(chan(t, "in_1"), " -1.0 "));
	assert_non_null(strstr(chan(t, "in_1"), " -23.0 "));
	render(t, 100, 30);
	assert_true(t->nlines <= 30);
	check_all_named(t, 64);
	/* 79 x 22 (recctl's frame in 80 x 24): four columns of bars alone. */
	peak[40] = 0.0;
	clip[40] = 1;
	meter_update(t->m, 1, peak, clip, 64);
	render(t, 79, 22);
	assert_true(t->nlines <= 22);
	check_all_named(t, 64);
	assert_false(shows(t, "more channels"));
	for (i = 1; i < t->nlines; i++) {
		bar(t->line[i], &w);
		assert_true(w >= 5);
	}
	/* No values, and the clip light right after the bar. */
	assert_false(shows(t, "-1.0"));
	assert_true(shows(t, "in_41 [#########]!"));
	/* Too small for all: the first ones, and how many are missing. */
	render(t, 40, 10);
	assert_int_equal(t->nlines, 10);
	assert_non_null(strstr(t->line[9], "more channels"));
	assert_int_equal(atoi(t->line[9] + 1), 64 - 3 * 8);
}

static void
test_long_names_cut(void **state)
{
	struct t	*t = *state;
	const char	*line;
	char		 name[16];
	unsigned	 i, k;

	make(t, 12, "system:capture_from_the_long_stagebox_%u");
	level(t, 0, -20, 0);
	render(t, 40, 20);
	assert_int_equal(t->nlines, 13);
	for (i = 1; i <= 12; i++) {
		line = t->line[i];
		/* The start, a cut, and the number at the end. */
		assert_int_equal(strncmp(line, "syst", 4), 0);
		assert_non_null(strchr(line, '~'));
		snprintf(name, sizeof(name), "_%u ", i);
		assert_non_null(strstr(line, name));
		assert_true(strstr(line, name) < strchr(line, '['));
		/* Distinct from every other. */
		for (k = 1; k < i; k++)
			assert_true(strncmp(line, t->line[k],
			    (size_t)(strchr(line, '[') - line)) != 0);
		assert_non_null(strstr(line, "]  -20.0"));
	}
	/* Wide enough: whole. */
	render(t, 160, 20);
	assert_non_null(chan(t, "system:capture_from_the_long_stagebox_12"));
}

static void
test_names_cleaned(void **state)
{
	struct t	*t = *state;

	make(t, 3, NULL);
	assert_int_equal(meter_set_name(t->m, 0, "a\033[2Jb"), 0);
	assert_int_equal(meter_set_name(t->m, 1, "Kan\xc3\xa4l"), 0);
	assert_int_equal(meter_set_name(t->m, 2, "x\xc2\x9b" "1m\xff"), 0);
	assert_int_equal(meter_set_name(t->m, 3, "none"), -EINVAL);
	level(t, 0, -3, 0);
	render(t, 80, 10);
	assert_false(shows(t, "\033"));
	assert_non_null(chan(t, "a?[2Jb"));
	assert_non_null(chan(t, "Kan\xc3\xa4l"));
	assert_non_null(chan(t, "x?1m?"));
	/* Aligned by characters, not bytes: "\xc3\xa4" is one. */
	assert_int_equal(strstr(chan(t, "a?[2Jb"), "  [") - chan(t, "a?[2Jb"),
	    strstr(chan(t, "Kan\xc3\xa4l"), "  [") -
	    chan(t, "Kan\xc3\xa4l") - 1);
}

/* Like snprintf: the length it needs, and never half a character. */
static void
test_render_bounded(void **state)
{
	struct t	*t = *state;
	char		 whole[4096], part[64], cut[4096];
	size_t		 need, off;

	make(t, 2, "Kan\xc3\xa4l_%u");
	level(t, 0, -3, 0);
	need = meter_render(t->m, 80, 10, whole, sizeof(whole));
	assert_int_equal(need, strlen(whole));
	assert_true(need > sizeof(part));
	assert_int_equal(meter_render(t->m, 80, 10, part, sizeof(part)),
	    need);
	assert_true(strlen(part) < sizeof(part));
	assert_int_equal(strncmp(part, whole, strlen(part)), 0);
	assert_int_equal(strlen(part), sizeof(part) - 1);
	assert_int_equal(meter_render(t->m, 80, 10, NULL, 0), need);
	/* No room for all of "\xc3\xa4": the whole character goes. */
	off = (size_t)(strstr(whole, "\xc3") - whole);
	assert_int_equal(meter_render(t->m, 80, 10, cut, off + 2), need);
	assert_int_equal(strlen(cut), off);
	assert_int_equal(meter_render(t->m, 80, 10, cut, off + 3), need);
	assert_int_equal(strlen(cut), off + 2);
	/* No columns: only the line ends. */
	need = meter_render(t->m, 0, 10, whole, sizeof(whole));
	assert_int_equal(need, strlen(whole));
	assert_string_equal(whole, "\n\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cells),
		cmocka_unit_test_setup_teardown(test_bar_length, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clip_latch, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hold_rises_and_falls,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_width, setup, teardown),
		cmocka_unit_test_setup_teardown(test_64_channels, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_long_names_cut, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_names_cleaned, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_render_bounded, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
