/*
 * test_dg.c: the MD5 that files in lockstep share (daemon/writer_dg.c).
 * Two files get the pieces of a take in turn, as the writer hands them
 * out, sometimes in two runs (a buffer or a boundary between); whatever
 * each got (the same pieces, silence of its own, a piece of another
 * group's scratch, an end before the other's), the digest it is given
 * at the end is md5 of exactly its own bytes.
 */
#include <md5.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "writer_priv.h"

#define PIECE	64		/* frames of a piece */
#define FB	4		/* bytes of a frame */
#define MAXB	(64 * PIECE * FB)

/* A file as the backend sees it: the digest it is given. */
struct tfile {
	unsigned char	 md5[16];
	int		 given;
	unsigned char	 bytes[MAXB];	/* what it holds, to check */
	size_t		 len;
};

static int
t_digest(void *h, const unsigned char md5[16])
{
	struct tfile *t = h;

	memcpy(t->md5, md5, 16);
	t->given = 1;
	return 0;
}

static const struct fmt_backend t_be = { .name = "t", .digest = t_digest };

/* Piece seq's bytes, the same for every file that gets it. */
static void
piece(uint64_t seq, unsigned char *p)
{
	size_t i;

	for (i = 0; i < PIECE * FB; i++)
		p[i] = (unsigned char)(seq * 131 + i * 7 + (i >> 5));
}

static void
file_init(struct fset_file *f, struct tfile *t)
{
	memset(f, 0, sizeof(*f));
	memset(t, 0, sizeof(*t));
	f->be = &t_be;
	f->h = t;
}

/* Two files sharing one new digest, as wr_dg_attach pairs twins. */
static void
twins(struct fset_file *a, struct tfile *ta, struct fset_file *b,
    struct tfile *tb)
{
	struct wr_dg *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	MD5Init(&d->ctx);
	d->prev = d->ctx;
	d->refs = 2;
	file_init(a, ta);
	file_init(b, tb);
	a->dg = b->dg = d;
}

/* Frames [from, to) of piece seq into f, as wr_fill gives them. */
static void
put(struct fset_file *f, uint64_t seq, uint64_t from, uint64_t to)
{
	struct tfile	*t = f->h;
	unsigned char	 p[PIECE * FB];

	piece(seq, p);
	memcpy(t->bytes + t->len, p + from * FB, (to - from) * FB);
	t->len += (to - from) * FB;
	wr_dg_add(f, p + from * FB, (to - from) * FB, seq, from, to - from);
}

static void
zeros(struct fset_file *f, size_t n)
{
	struct tfile *t = f->h;

	memset(t->bytes + t->len, 0, n);
	t->len += n;
	wr_dg_zeros(f, n);
}

/* f ends: its digest is given, and it is md5 of what f holds. */
static void
end(struct fset_file *f)
{
	struct fset	 s;
	struct tfile	*t = f->h;
	unsigned char	 want[16];
	MD5_CTX		 c;

	memset(&s, 0, sizeof(s));
	s.f = f;
	s.n = 1;
	wr_dg_end(&s);
	assert_null(f->dg);
	assert_true(t->given);
	MD5Init(&c);
	MD5Update(&c, t->bytes, t->len);
	MD5Final(want, &c);
	assert_memory_equal(t->md5, want, 16);
}

/* The same pieces, in one run or two, either output first. */
static void
test_lockstep(void **state)
{
	struct fset_file a, b;
	struct tfile	ta, tb;
	uint64_t	seq;

	(void)state;
	twins(&a, &ta, &b, &tb);
	for (seq = 1; seq <= 20; seq++) {
		if (seq % 3 == 0) {
			put(&a, seq, 0, 10);
			put(&a, seq, 10, PIECE);
			put(&b, seq, 0, 10);
			put(&b, seq, 10, PIECE);
		} else {
			put(&a, seq, 0, PIECE);
			put(&b, seq, 0, PIECE);
		}
	}
	assert_ptr_equal(a.dg, b.dg);	/* shared to the end */
	end(&a);
	end(&b);
	assert_memory_equal(ta.md5, tb.md5, 16);
}

/* b gets silence of its own, then the same pieces again. */
static void
test_silence_forks(void **state)
{
	struct fset_file a, b;
	struct tfile	ta, tb;
	uint64_t	seq;

	(void)state;
	twins(&a, &ta, &b, &tb);
	for (seq = 1; seq <= 8; seq++) {
		put(&a, seq, 0, PIECE);
		if (seq == 4)
			zeros(&b, PIECE * FB);
		else
			put(&b, seq, 0, PIECE);
	}
	assert_ptr_not_equal(a.dg, b.dg);
	end(&b);
	end(&a);
}

/*
 * A run of the same piece from another group's scratch (another seq:
 * its bytes may differ, dithered) is not taken as hashed.
 */
static void
test_other_scratch(void **state)
{
	struct fset_file a, b;
	struct tfile	ta, tb;

	(void)state;
	twins(&a, &ta, &b, &tb);
	put(&a, 1, 0, PIECE);
	put(&b, 1, 0, PIECE);
	put(&a, 2, 0, PIECE);
	put(&b, 1002, 0, PIECE);	/* the same offsets, other bytes */
	put(&a, 3, 0, PIECE);
	put(&b, 3, 0, PIECE);
	end(&a);
	end(&b);
}

/* One ends partway (a pause, its boundary): the other goes on alone. */
static void
test_one_ends(void **state)
{
	struct fset_file a, b;
	struct tfile	ta, tb;
	uint64_t	seq;

	(void)state;
	twins(&a, &ta, &b, &tb);
	for (seq = 1; seq <= 3; seq++) {
		put(&a, seq, 0, PIECE);
		put(&b, seq, 0, PIECE);
	}
	/* a first gets piece 4 and ends; b never gets it. */
	put(&a, 4, 0, PIECE);
	end(&a);
	end(&b);
	/* b first, a behind it ends before taking the piece. */
	twins(&a, &ta, &b, &tb);
	put(&b, 1, 0, PIECE);
	put(&a, 1, 0, PIECE);
	put(&b, 2, 0, 20);
	end(&a);
	put(&b, 2, 20, PIECE);
	end(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lockstep),
		cmocka_unit_test(test_silence_forks),
		cmocka_unit_test(test_other_scratch),
		cmocka_unit_test(test_one_ends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
