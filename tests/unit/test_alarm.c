/*
 * test_alarm.c: the alarms' states, driven with made-up levels, clip
 * counts, connections and times: when silence, no_source and clip rise
 * and clear, that they say so once, and the conditions from elsewhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "alarm.h"

#define MS	1000000LL
#define S	1000000000LL
#define NCH	4

struct fx {
	struct alarms	*a;
	int64_t		 loud[NCH];
	uint64_t	 clips[NCH];
	unsigned char	 conn[NCH];
	struct alarm_in	 in;
};

static int
setup(void **state)
{
	static struct fx f;

	memset(&f, 0, sizeof(f));
	if ((f.a = alarm_new(NCH)) == NULL)
		return -1;
	f.in.taking = 1;
	f.in.loud_ns = f.loud;
	f.in.clips = f.clips;
	memset(f.conn, 1, NCH);
	f.in.connected = f.conn;
	alarm_config(f.a, 30 * S, 5 * S, NULL);
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	alarm_del(f->a);
	return 0;
}

/* Ticks every 250 ms over [t0, t1); loud: the channels with signal now
 * (a bit mask).  Returns the changes, which go into c[] (at most 16). */
static int
ticks(struct fx *f, int64_t t0, int64_t t1, unsigned loud,
    struct alarm_change c[16])
{
	int64_t	 t;
	int	 n = 0;
	unsigned i;

	for (t = t0; t < t1; t += 250 * MS) {
		for (i = 0; i < NCH; i++)
			if (loud & (1u << i))
				f->loud[i] = t;
		alarm_tick(f->a, &f->in, t);
		while (n < 16 && alarm_next(f->a, &c[n]))
			n++;
	}
	return n;
}

static void
test_silence_rises_and_clears(void **state)
{
	struct fx		*f = *state;
	struct alarm_change	 c[16], act;

	/* All loud for 10 s, then channel 3 goes quiet at 10 s. */
	assert_int_equal(ticks(f, 1 * S, 10 * S, 0xf, c), 0);
	assert_int_equal(ticks(f, 10 * S, 39750 * MS, 0xb, c), 0);
	assert_int_equal(ticks(f, 39750 * MS, 40250 * MS, 0xb, c), 1);
	assert_int_equal(c[0].kind, ALARM_SILENCE);
	assert_int_equal(c[0].ch, 3);
	assert_int_equal(c[0].cleared, 0);
	assert_int_equal(c[0].since_ns, 9750 * MS);
	assert_string_equal(alarm_name(c[0].kind), "silence");
	assert_int_equal(alarm_active(f->a, 0, &act), 1);
	assert_int_equal(act.ch, 3);
	assert_int_equal(alarm_active(f->a, 1, &act), 0);
	/* Signal for 3 s, a gap of 2 s, then 5 s of signal: cleared once
	 * the 5 s are full, not before. */
	assert_int_equal(ticks(f, 41 * S, 44 * S, 0xf, c), 0);
	assert_int_equal(ticks(f, 44 * S, 46 * S, 0xb, c), 0);
	assert_int_equal(ticks(f, 46 * S, 51 * S, 0xf, c), 0);
	assert_int_equal(ticks(f, 51 * S, 51250 * MS, 0xf, c), 1);
	assert_int_equal(c[0].cleared, 1);
	assert_int_equal(c[0].ch, 3);
	assert_int_equal(alarm_active(f->a, 0, &act), 0);
}

static void
test_silence_watch_and_off(void **state)
{
	struct fx		*f = *state;
	struct alarm_change	 c[16];
	unsigned char		 watch[NCH] = { 1, 0, 0, 0 };

	/* Channels 1 and 2 quiet from the start: only 1 is watched. */
	alarm_config(f->a, 30 * S, 5 * S, watch);
	assert_int_equal(ticks(f, 1 * S, 40 * S, 0xc, c), 1);
	assert_int_equal(c[0].ch, 1);
	assert_int_equal(c[0].since_ns, 1 * S);
	/* silence_seconds 0: off, and what was up clears. */
	alarm_config(f->a, 0, 5 * S, NULL);
	assert_int_equal(ticks(f, 40 * S, 80 * S, 0xc, c), 1);
	assert_int_equal(c[0].cleared, 1);
}

static void
test_clip_once_a_minute(void **state)
{
	struct fx		*f = *state;
	struct alarm_change	 c[16];
	int64_t			 t;
	int			 n = 0;

	ticks(f, 1 * S, 2 * S, 0xf, c);
	/* Channel 2 clips on every tick for 30 s: one alarm, counted. */
	for (t = 2 * S; t < 32 * S; t += 250 * MS) {
		f->clips[1] += 3;
		f->loud[0] = f->loud[1] = f->loud[2] = f->loud[3] = t;
		alarm_tick(f->a, &f->in, t);
		while (alarm_next(f->a, &c[n % 16]))
			n++;
	}
	assert_int_equal(n, 1);
	assert_int_equal(c[0].kind, ALARM_CLIP);
	assert_int_equal(c[0].ch, 2);
	assert_int_equal(c[0].count, 3);
	/* Cleared a minute after the last, with the whole count. */
	assert_int_equal(ticks(f, 32 * S, 91750 * MS, 0xf, c), 0);
	assert_int_equal(ticks(f, 91750 * MS, 92250 * MS, 0xf, c), 1);
	assert_int_equal(c[0].cleared, 1);
	assert_int_equal(c[0].count, 360);
}

static void
test_no_source(void **state)
{
	struct fx		*f = *state;
	struct alarm_change	 c[16];

	f->conn[3] = 0;
	assert_int_equal(ticks(f, 1 * S, 3750 * MS, 0xf, c), 0);
	assert_int_equal(ticks(f, 3750 * MS, 4250 * MS, 0xf, c), 1);
	assert_int_equal(c[0].kind, ALARM_NO_SOURCE);
	assert_int_equal(c[0].ch, 4);
	assert_int_equal(c[0].since_ns, 1 * S);
	f->conn[3] = 1;
	assert_int_equal(ticks(f, 5 * S, 5250 * MS, 0xf, c), 1);
	assert_int_equal(c[0].cleared, 1);
	/* No client at all: not the ports' alarm. */
	f->in.connected = NULL;
	assert_int_equal(ticks(f, 6 * S, 20 * S, 0xf, c), 0);
}

static void
test_take_end_and_globals(void **state)
{
	struct fx		*f = *state;
	struct alarm_change	 c[16], act;

	f->conn[0] = 0;
	f->in.global[ALARM_DISK_LOW] = 1;
	assert_int_equal(ticks(f, 1 * S, 5 * S, 0xf, c), 2);
	assert_int_equal(c[0].kind, ALARM_DISK_LOW);
	assert_int_equal(c[0].ch, 0);
	assert_int_equal(c[1].kind, ALARM_NO_SOURCE);
	assert_int_equal(alarm_active(f->a, 1, &act), 1);
	assert_int_equal(act.kind, ALARM_DISK_LOW);
	/* The take ends: the channel's alarm goes, the disk's stays. */
	f->in.taking = 0;
	assert_int_equal(ticks(f, 5 * S, 10 * S, 0xf, c), 1);
	assert_int_equal(c[0].kind, ALARM_NO_SOURCE);
	assert_int_equal(c[0].cleared, 1);
	f->in.global[ALARM_DISK_LOW] = 0;
	assert_int_equal(ticks(f, 10 * S, 11 * S, 0xf, c), 1);
	assert_int_equal(c[0].kind, ALARM_DISK_LOW);
	assert_int_equal(c[0].cleared, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_silence_rises_and_clears,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_silence_watch_and_off,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_clip_once_a_minute,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_source, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_take_end_and_globals,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
