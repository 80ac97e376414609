/*
 * test_ring.c: the SPSC byte ring: edges, wrap-around at every offset, and a
 * two-thread stress test that TSan also runs.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ring.h"

#define SMALL_BYTES	256
#define SMALL_RESERVE	64

static void
fill_pattern(unsigned char *p, size_t len, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)(seed * 31 + i * 7 + 1);
}

static void
test_bad_sizes(void **state)
{
	char err[128];

	(void)state;
	assert_null(ring_new(0, 1, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(err, "out of range"));
	assert_null(ring_new(100, 200, err, sizeof(err)));
	assert_null(ring_new(100, 0, err, sizeof(err)));
}

static void
test_capacity_pow2_and_locked(void **state)
{
	struct ring	*r;
	char		 err[128];
	int		 e;

	(void)state;
	r = ring_new(1000, 100, err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(ring_capacity(r), 1024);
	e = ring_lock_errno(r);
	/* Locked, or refused by the limit: both are reported, never hidden. */
	assert_true(e == 0 || e == ENOMEM || e == EPERM || e == EAGAIN);
	ring_del(r);
}

static void
test_empty_and_full(void **state)
{
	struct ring	*r;
	struct iovec	 span[2];
	char		 err[128];
	unsigned char	*p;
	size_t		 i;

	(void)state;
	r = ring_new(SMALL_BYTES, SMALL_RESERVE, err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(ring_peek(r, span), 0);
	assert_int_equal(span[0].iov_len + span[1].iov_len, 0);
	assert_null(ring_record(r, 0, 1));

	/* Fill to the last byte in blocks of the largest size. */
	for (i = 0; i < SMALL_BYTES / SMALL_RESERVE; i++) {
		p = ring_reserve_rt(r, SMALL_RESERVE);
		assert_non_null(p);
		ring_commit_rt(r, SMALL_RESERVE);
	}
	assert_null(ring_reserve_rt(r, 1));
	assert_null(ring_reserve_rt(r, SMALL_RESERVE + 1));
	assert_int_equal(ring_peek(r, span), SMALL_BYTES);
	assert_int_equal(ring_fill(r), SMALL_BYTES);
	assert_int_equal(ring_high_water(r), SMALL_BYTES);

	/* One byte back makes room for exactly one byte. */
	ring_release(r, 1);
	assert_non_null(ring_reserve_rt(r, 1));
	assert_null(ring_reserve_rt(r, 2));
	ring_release(r, SMALL_BYTES - 1);
	assert_int_equal(ring_fill(r), 0);
	assert_int_equal(ring_high_water(r), SMALL_BYTES);
	ring_del(r);
}

/*
 * For every start offset and every block length, a block written with one
 * reservation reads back equal through both consumer views: the two spans
 * of ring_peek and the contiguous ring_record.
 */
static void
test_wrap_every_offset(void **state)
{
	struct ring	*r;
	struct iovec	 span[2];
	unsigned char	 want[SMALL_RESERVE], got[SMALL_RESERVE];
	const unsigned char *rec;
	unsigned char	*p;
	char		 err[128];
	size_t		 off, len, n, at, pos;

	(void)state;
	r = ring_new(SMALL_BYTES, SMALL_RESERVE, err, sizeof(err));
	assert_non_null(r);
	at = 0;		/* bytes written so far */
	for (off = 0; off < SMALL_BYTES; off++) {
		for (len = 1; len <= SMALL_RESERVE; len++) {
			pos = at % SMALL_BYTES;
			fill_pattern(want, len, (unsigned)(off * 131 + len));
			p = ring_reserve_rt(r, len);
			assert_non_null(p);
			memcpy(p, want, len);
			ring_commit_rt(r, len);

			n = ring_peek(r, span);
			assert_int_equal(n, len);
			assert_int_equal(span[1].iov_len,
			    pos + len > SMALL_BYTES ? pos + len - SMALL_BYTES
			    : 0);
			memcpy(got, span[0].iov_base, span[0].iov_len);
			memcpy(got + span[0].iov_len, span[1].iov_base,
			    span[1].iov_len);
			assert_memory_equal(got, want, len);

			rec = ring_record(r, 0, len);
			assert_non_null(rec);
			assert_memory_equal(rec, want, len);
			assert_null(ring_record(r, 0, len + 1));
			assert_null(ring_record(r, 1, len));
			ring_release(r, len);
			at += len;
		}
		/*
		 * A round moves the start on by 64*65/2 = 2080 = 32 mod 256
		 * bytes; one byte more makes the rounds start at every offset.
		 */
		p = ring_reserve_rt(r, 1);
		assert_non_null(p);
		ring_commit_rt(r, 1);
		ring_release(r, 1);
		at++;
	}
	ring_del(r);
}

/*
 * Stress: the producer writes records [len u32][seq u32][payload] of
 * varying length cut from a random pool; the consumer checks order and
 * content.  Both sides sum what they saw in 64-bit words of the payload;
 * the sums must agree at the end.
 */
#define STRESS_POOL	(1 << 16)
#define STRESS_RESERVE	4096
#define STRESS_HDR	8

struct stress {
	struct ring	*r;
	unsigned char	*pool;
	uint64_t	 total_bytes;	/* payload bytes to send */
	uint64_t	 sum_sent;	/* producer's checksum */
	uint64_t	 sum_seen;	/* consumer's checksum */
	uint64_t	 bytes_seen;
	uint32_t	 records;	/* records sent */
	uint32_t	 errors;	/* consumer: bad seq or content */
};

static uint64_t
sum_words(const unsigned char *p, size_t len)
{
	uint64_t s = 0, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		s = s * 1099511628211ULL + w;
	}
	for (; i < len; i++)
		s = s * 31 + p[i];
	return s;
}

static size_t
stress_len(uint32_t seq)
{
	return (seq * 2654435761U) % (STRESS_RESERVE - STRESS_HDR) + 1;
}

static void *
stress_producer(void *arg)
{
	struct stress	*st = arg;
	uint64_t	 sent = 0;
	uint32_t	 seq = 0, len32;
	unsigned char	*p;
	size_t		 len, from;

	while (sent < st->total_bytes) {
		len = stress_len(seq);
		while ((p = ring_reserve_rt(st->r, len + STRESS_HDR)) == NULL)
			sched_yield();
		from = (seq * 7919U) % (STRESS_POOL - STRESS_RESERVE);
		len32 = (uint32_t)len;
		memcpy(p, &len32, 4);
		memcpy(p + 4, &seq, 4);
		memcpy(p + STRESS_HDR, st->pool + from, len);
		st->sum_sent = st->sum_sent * 3 +
		    sum_words(st->pool + from, len);
		ring_commit_rt(st->r, len + STRESS_HDR);
		sent += len;
		seq++;
	}
	st->records = seq;
	return NULL;
}

static void *
stress_consumer(void *arg)
{
	struct stress	*st = arg;
	const unsigned char *rec, *next;
	uint32_t	 len, seq, want = 0;
	size_t		 from;

	while (st->bytes_seen < st->total_bytes) {
		rec = ring_record(st->r, 0, STRESS_HDR);
		if (rec == NULL) {
			sched_yield();
			continue;
		}
		memcpy(&len, rec, 4);
		memcpy(&seq, rec + 4, 4);
		rec = ring_record(st->r, 0, STRESS_HDR + len);
		if (seq != want || len != stress_len(want) || rec == NULL) {
			st->errors++;
			break;
		}
		from = (seq * 7919U) % (STRESS_POOL - STRESS_RESERVE);
		if (memcmp(rec + STRESS_HDR, st->pool + from, len) != 0)
			st->errors++;
		/* The record after it, where there is one, reads in place. */
		next = ring_record(st->r, STRESS_HDR + len, STRESS_HDR);
		if (next != NULL) {
			memcpy(&seq, next + 4, 4);
			if (seq != want + 1)
				st->errors++;
		}
		st->sum_seen = st->sum_seen * 3 +
		    sum_words(rec + STRESS_HDR, len);
		ring_release(st->r, STRESS_HDR + len);
		st->bytes_seen += len;
		want++;
	}
	return NULL;
}

static void
test_two_thread_stress(void **state)
{
	struct stress	 st;
	pthread_t	 prod, cons;
	char		 err[128];
	const char	*env;
	size_t		 i;

	(void)state;
	memset(&st, 0, sizeof(st));
	/* Hundreds of millions of bytes; RING_STRESS_MB can raise it. */
	env = getenv("RING_STRESS_MB");
	st.total_bytes = (uint64_t)(env != NULL ? atoi(env) : 256) << 20;
	st.pool = malloc(STRESS_POOL);
	assert_non_null(st.pool);
	srand(7);
	for (i = 0; i < STRESS_POOL; i++)
		st.pool[i] = (unsigned char)rand();
	/* A small ring, so that it is full and empty often. */
	st.r = ring_new(4 * STRESS_RESERVE, STRESS_RESERVE, err, sizeof(err));
	assert_non_null(st.r);
	assert_int_equal(pthread_create(&cons, NULL, stress_consumer, &st), 0);
	assert_int_equal(pthread_create(&prod, NULL, stress_producer, &st), 0);
	pthread_join(prod, NULL);
	pthread_join(cons, NULL);
	assert_int_equal(st.errors, 0);
	assert_true(st.bytes_seen >= st.total_bytes);
	assert_true(st.bytes_seen == st.total_bytes ||
	    st.bytes_seen < st.total_bytes + STRESS_RESERVE);
	assert_true(st.sum_seen == st.sum_sent);
	assert_true(st.records > 100000);
	assert_int_equal(ring_fill(st.r), 0);
	ring_del(st.r);
	free(st.pool);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_capacity_pow2_and_locked),
		cmocka_unit_test(test_empty_and_full),
		cmocka_unit_test(test_wrap_every_offset),
		cmocka_unit_test(test_two_thread_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
