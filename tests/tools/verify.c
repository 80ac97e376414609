/*
 * verify.c: proves that the WAV files of one take hold the signal of
 * tests/tools/siggen bit-exact, in channel order and without a gap, with
 * its own WAV parser (not recd's).  Files are grouped by channel in split
 * mode (_chNN_ in the name) and ordered by their bext TimeReference.
 *
 * usage: verify [-b 16|24] [-c CHANNELS] [-C LIST] [-d] [-f] [-g] [-G PREROLL:HOLD]
 *               [-j P:N] [-k] [-m MIN_FRAMES] [-v] FILE...
 *   -C  the channels of siggen's that a single file's columns hold, from 1
 *       and in order (an output of a subset: -C 3,4); split files say
 *       theirs in their names (_ch03_)
 *   -d  also print "PATH HEADER_FRAMES DISK_FRAMES" for every file: the
 *       frames its header covers, and the whole frames the file holds
 *       after the header's data start (more after a crash)
 *   -g  gaps allowed: between files when the TimeReferences say how long
 *       the gap was, and inside files as runs of exact silence in every
 *       channel whose length matches the frames missing
 *   -G  the take went through recd's silence gate and siggen -G made the
 *       signal: every stretch of signal (2^16 frames) is whole, with
 *       exactly PREROLL frames of silence before it and HOLD after it
 *       (HOLD + PREROLL between two in one file), except where the take
 *       began or ended; a file holds stretches of consecutive cycles, and
 *       files follow each other by whole cycles of 2^17 frames
 *   -j  P:N  up to N jumps of a whole number of periods of P frames (up
 *       to 8) forward or back in siggen's codes, inside or between files,
 *       each printed:
 *       a source that JACK did not run in a cycle, or whose next cycle's
 *       buffer a late reader got (xruns of a frozen server)
 *   -k  a take cut by kill -9: in split mode the channels may end at
 *       different frames (each file is written on its own); the summary
 *       gives the shortest channel
 *   -f  also print "verify: first frame index N": the frame index of the
 *       take's first frame (siggen -J: its JACK frame time, mod 2^17)
 *   -v  also print "PATH TIME_REFERENCE FRAMES RATE" for every file
 * A FILE given as PATH@TR has TimeReference TR, whatever its header
 * says: a file decoded from another format has no bext.
 * Prints one summary line (gaps and silence runs of a take, once however
 * many channel files it has); exits 1 with the first fault found.
 */
#include <sys/types.h>

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VF_MAX_FILES	4096
#define VF_MAX_CH	64
#define VF_CHUNK_FRAMES	4096

struct vfile {
	const char	*path;
	int		 group;		/* channel (split) or -1 (single) */
	unsigned	 channels, rate, bits, is_float, block;
	uint64_t	 data_off, data_bytes, frames, time_ref;
	uint64_t	 disk_frames;	/* whole frames after data_off */
	int64_t		 order;		/* time_ref, unwrapped at midnight */
};

static int	sig_bits = 24;
static int64_t	first_index = -1;	/* -f: the take's first frame's */
static int	gate_mode;
static int64_t	gate_pre, gate_hold;
static uint64_t	gate_segments;

#define GATE_CYCLE	0x20000		/* siggen -G: frames of one cycle */
#define GATE_ON		0x8000		/* signal from this phase ... */
#define GATE_OFF	0x18000		/* ... to this one */
static int	allow_gaps;
/* Gaps and silence runs are counted in this group only: in split mode
 * every channel's files have the same, and a take's gap is one gap. */
static int	count_group = -1;
/* -C: which of siggen's channels each column of a single file holds. */
static unsigned	chan_map[VF_MAX_CH];
static long long jump_frames;	/* -j: P ... */
static long long jumps_left;	/* ... N, less those used */
static long long jumps;		/* used */
#define JUMP_PERIODS	8		/* -j: a jump spans at most this many */
static uint64_t	gaps, silence_runs;

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
le64(const unsigned char *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int
fail(const char *path, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
fail(const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "verify: %s: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
parse(struct vfile *v)
{
	unsigned char	 h[12], ch[8], body[64];
	uint64_t	 off = 12, size, ds64_data = 0, file_len;
	int		 rf64, have_fmt = 0;
	FILE		*f;

	f = fopen(v->path, "rb");
	if (f == NULL)
		fail(v->path, "open: %s", strerror(errno));
	fseeko(f, 0, SEEK_END);
	file_len = (uint64_t)ftello(f);
	fseeko(f, 0, SEEK_SET);
	if (fread(h, 1, 12, f) != 12 || memcmp(h + 8, "WAVE", 4) != 0)
		fail(v->path, "not a WAVE file");
	rf64 = memcmp(h, "RF64", 4) == 0;
	if (!rf64 && memcmp(h, "RIFF", 4) != 0)
		fail(v->path, "neither RIFF nor RF64");
	v->group = -1;
	for (;;) {
		if (fseeko(f, (off_t)off, SEEK_SET) != 0 ||
		    fread(ch, 1, 8, f) != 8)
			fail(v->path, "no data chunk");
		size = le32(ch + 4);
		if (memcmp(ch, "ds64", 4) == 0) {
			if (size < 28 || fread(body, 1, 28, f) != 28)
				fail(v->path, "short ds64");
			ds64_data = le64(body + 8);
		} else if (memcmp(ch, "fmt ", 4) == 0) {
			if (size < 16 || fread(body, 1, size < 40 ? size : 40,
			    f) < 16)
				fail(v->path, "short fmt");
			v->channels = body[2] | body[3] << 8;
			v->rate = le32(body + 4);
			v->block = body[12] | body[13] << 8;
			v->bits = body[14] | body[15] << 8;
			v->is_float = (body[0] | body[1] << 8) == 3 ||
			    ((body[0] | body[1] << 8) == 0xFFFE && size >= 40 &&
			    body[24] == 3);
			have_fmt = 1;
		} else if (memcmp(ch, "bext", 4) == 0) {
			if (size < 602 || fseeko(f, 338, SEEK_CUR) != 0 ||
			    fread(body, 1, 8, f) != 8)
				fail(v->path, "short bext");
			v->time_ref = le64(body);
		} else if (memcmp(ch, "data", 4) == 0) {
			v->data_off = off + 8;
			v->data_bytes = rf64 && size == 0xFFFFFFFF ? ds64_data :
			    size;
			break;
		}
		off += 8 + size + (size & 1);
	}
	fclose(f);
	if (!have_fmt)
		fail(v->path, "no fmt chunk");
	if (v->channels == 0 || v->block != v->channels * v->bits / 8)
		fail(v->path, "fmt: %u channels, %u bits, block %u",
		    v->channels, v->bits, v->block);
	if (v->data_bytes % v->block != 0)
		fail(v->path, "data size %llu: not whole frames",
		    (unsigned long long)v->data_bytes);
	if (v->data_off + v->data_bytes > file_len)
		fail(v->path, "header claims %llu data bytes, the file has "
		    "%llu", (unsigned long long)v->data_bytes,
		    (unsigned long long)(file_len - v->data_off));
	v->frames = v->data_bytes / v->block;
	v->disk_frames = (file_len - v->data_off) / v->block;
}

/* -C 3,4: a single file's columns hold siggen's channels 3 and 4. */
static void
chan_list(const char *arg)
{
	const char	*p = arg;
	char		*end;
	unsigned	 i;
	long		 ch;

	for (i = 0; i < VF_MAX_CH && *p != '\0'; i++) {
		ch = strtol(p, &end, 10);
		if (end == p || ch < 1 || ch > VF_MAX_CH)
			fail(arg, "-C CHANNELS: numbers from 1, with commas");
		chan_map[i] = (unsigned)(ch - 1);
		p = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			fail(arg, "-C CHANNELS: numbers from 1, with commas");
	}
}

/* The siggen code of one sample, or -1 when it cannot be one. */
static long
decode(const struct vfile *v, const unsigned char *p, const char **why)
{
	int32_t	x;
	float	fl;
	long	code;

	switch (v->bits) {
	case 16:
		return (int16_t)(p[0] | p[1] << 8);
	case 24:
		x = (int32_t)((uint32_t)p[0] << 8 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 24) >> 8;
		return sig_bits == 16 ? lrintf((float)x / 8388607.0f *
		    32767.0f) : x;
	case 32:
		if (v->is_float) {
			memcpy(&fl, p, 4);
			code = lrintf(fl * (sig_bits == 16 ? 32767.0f :
			    8388607.0f));
			if (fl != (float)code * (sig_bits == 16 ?
			    1.0f / 32767.0f : 1.0f / 8388607.0f)) {
				*why = "float sample is not what JACK carried";
				return -1;
			}
			return code;
		}
		x = (int32_t)le32(p);
		if ((x & 0xFF) != 0) {
			*why = "pcm32 low byte not zero";
			return -1;
		}
		return x >> 8;
	}
	return -1;
}

/*
 * Where a run of silence is, for whoever must tell a period of zeros
 * from JACK (period-aligned in the take) from zeros in the file (aligned
 * to its pages): frame, length and byte offset in the file.
 */
static void
silence_at(const struct vfile *v, uint64_t frame, uint64_t n)
{
	printf("verify: %s: silence run of %llu frames at frame "
	    "%llu (byte %llu of the file)\n", v->path, (unsigned long long)n,
	    (unsigned long long)frame,
	    (unsigned long long)(v->data_off + frame * v->block));
}

/*
 * idx is a whole number of periods (-j P), at most JUMP_PERIODS of them,
 * before or after expect, on the codes' circle of wrap.
 */
static int
whole_periods(int64_t idx, int64_t expect, uint64_t wrap)
{
	int64_t ahead = (idx - expect + (int64_t)wrap) % (int64_t)wrap;
	int64_t behind = (expect - idx + (int64_t)wrap) % (int64_t)wrap;
	int64_t d = ahead < behind ? ahead : behind;

	return d % jump_frames == 0 && d <= JUMP_PERIODS * jump_frames;
}

/* The frames of one group, in order; expect carries across files. */
static void
check_file(const struct vfile *v, int64_t *expect, uint64_t wrap)
{
	unsigned char	*buf;
	const char	*why = NULL;
	uint64_t	 i, n, done = 0, zeros = 0;
	unsigned	 c, want_ch;
	long		 code;
	int64_t		 idx;
	FILE		*f;
	int		 all_zero;

	buf = malloc((size_t)VF_CHUNK_FRAMES * v->block);
	f = fopen(v->path, "rb");
	if (buf == NULL || f == NULL)
		fail(v->path, "open: %s", strerror(errno));
	fseeko(f, (off_t)v->data_off, SEEK_SET);
	while (done < v->frames) {
		n = v->frames - done < VF_CHUNK_FRAMES ? v->frames - done :
		    VF_CHUNK_FRAMES;
		if (fread(buf, v->block, n, f) != n)
			fail(v->path, "read at frame %llu",
			    (unsigned long long)done);
		for (i = 0; i < n; i++) {
			all_zero = 1;
			for (c = 0; c < v->block; c++)
				all_zero &= buf[i * v->block + c] == 0;
			/* siggen's own zero: channel 0 at frame index 0. */
			if (all_zero && *expect == 0 && (v->group == 0 ||
			    (v->group < 0 && v->channels == 1)))
				all_zero = 0;
			if (all_zero && allow_gaps && *expect >= 0) {
				zeros++;
				continue;
			}
			if (zeros > 0) {
				/* A silence run stands for exactly its frames. */
				*expect = (*expect + (int64_t)zeros) %
				    (int64_t)wrap;
				silence_runs += v->group == count_group;
				silence_at(v, done + i - zeros, zeros);
				zeros = 0;
			}
			idx = -1;
			for (c = 0; c < v->channels; c++) {
				code = decode(v, buf + i * v->block +
				    c * v->bits / 8, &why);
				if (code < 0)
					fail(v->path, "frame %llu channel %u: "
					    "%s", (unsigned long long)(done + i),
					    c, why != NULL ? why :
					    "negative sample");
				want_ch = v->group >= 0 ? (unsigned)v->group :
				    chan_map[c];
				if ((unsigned long)(code & 63) != want_ch)
					fail(v->path, "frame %llu: channel %u "
					    "holds channel %ld", (unsigned long
					    long)(done + i), c, code & 63);
				if (c == 0)
					idx = code >> 6;
				else if (code >> 6 != idx)
					fail(v->path, "frame %llu: channels "
					    "from different frames", (unsigned
					    long long)(done + i));
			}
			if (*expect >= 0 && idx != *expect && jumps_left > 0 &&
			    whole_periods(idx, *expect, wrap)) {
				printf("verify: %s: frame %llu: a jump of whole "
				    "periods of %lld frames (frame index %lld, "
				    "expected %lld)\n", v->path,
				    (unsigned long long)(done + i), jump_frames,
				    (long long)idx, (long long)*expect);
				jumps_left--;
				jumps++;
				*expect = idx;
			}
			if (*expect >= 0 && idx != *expect)
				fail(v->path, "frame %llu: frame index %lld, "
				    "expected %lld: samples lost or repeated",
				    (unsigned long long)(done + i),
				    (long long)idx, (long long)*expect);
			if (first_index < 0)
				first_index = idx;
			*expect = (idx + 1) % (int64_t)wrap;
		}
		done += n;
	}
	if (zeros > 0) {
		*expect = (*expect + (int64_t)zeros) % (int64_t)wrap;
		silence_runs += v->group == count_group;
		silence_at(v, done - zeros, zeros);
	}
	fclose(f);
	free(buf);
}

/* One run of a file: silence, or consecutive codes from phase a to b. */
struct grun {
	int		 code;
	int64_t		 len, a, b;
};

/*
 * The frame index siggen wrote in frame i of buf (all channels agree and
 * hold their own channel), or -1 for digital silence.
 */
static int64_t
frame_index(const struct vfile *v, const unsigned char *fr, uint64_t at)
{
	const char	*why = NULL;
	unsigned	 c, want_ch;
	long		 code, idx = -1;
	int		 zero = 1;

	for (c = 0; c < v->block; c++)
		zero &= fr[c] == 0;
	if (zero)
		return -1;
	for (c = 0; c < v->channels; c++) {
		code = decode(v, fr + c * v->bits / 8, &why);
		want_ch = v->group >= 0 ? (unsigned)v->group : chan_map[c];
		if (code < 0 || (unsigned long)(code & 63) != want_ch)
			fail(v->path, "frame %llu channel %u: not siggen's "
			    "code for it (%ld)", (unsigned long long)at, c,
			    code);
		if (c == 0)
			idx = code >> 6;
		else if (code >> 6 != idx)
			fail(v->path, "frame %llu: channels from different "
			    "frames", (unsigned long long)at);
	}
	return idx;
}

/* The runs of silence and signal of one file. */
static struct grun *
gate_runs(const struct vfile *v, size_t *nrun)
{
	unsigned char	*buf;
	struct grun	*r = NULL, *t;
	size_t		 n = 0, cap = 0;
	uint64_t	 i, k, done = 0;
	int64_t		 idx;
	FILE		*f;

	buf = malloc((size_t)VF_CHUNK_FRAMES * v->block);
	f = fopen(v->path, "rb");
	if (buf == NULL || f == NULL)
		fail(v->path, "open: %s", strerror(errno));
	fseeko(f, (off_t)v->data_off, SEEK_SET);
	while (done < v->frames) {
		k = v->frames - done < VF_CHUNK_FRAMES ? v->frames - done :
		    VF_CHUNK_FRAMES;
		if (fread(buf, v->block, k, f) != k)
			fail(v->path, "read at frame %llu",
			    (unsigned long long)done);
		for (i = 0; i < k; i++) {
			idx = frame_index(v, buf + i * v->block, done + i);
			if (n > 0 && r[n - 1].code == (idx >= 0) && (idx < 0 ||
			    idx == (r[n - 1].b + 1) % GATE_CYCLE)) {
				r[n - 1].len++;
				r[n - 1].b = idx;
				continue;
			}
			if (n > 0 && idx >= 0 && r[n - 1].code)
				fail(v->path, "frame %llu: frame index %lld "
				    "after %lld: samples lost or repeated",
				    (unsigned long long)(done + i),
				    (long long)idx, (long long)r[n - 1].b);
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				if ((t = realloc(r, cap * sizeof(*r))) == NULL)
					fail(v->path, "out of memory");
				r = t;
			}
			r[n].code = idx >= 0;
			r[n].len = 1;
			r[n].a = r[n].b = idx;
			n++;
		}
		done += k;
	}
	fclose(f);
	free(buf);
	*nrun = n;
	return r;
}

/*
 * A file of a gated take.  first and last: the take's first and last file
 * of its group, where the take's start and end may cut a stretch.  prev:
 * the cycle the last stretch of the previous file began at, -1 for none.
 */
static void
gate_file(const struct vfile *v, int first, int last, int64_t *prev)
{
	struct grun	*r;
	size_t		 n, k;
	int64_t		 pos = 0, cyc, want;
	int		 edge_a, edge_b, seen = 0;

	r = gate_runs(v, &n);
	if (n == 0)
		fail(v->path, "no frames");
	for (k = 0; k < n; k++) {
		edge_a = first && k == 0;
		edge_b = last && k + 1 == n;
		if (r[k].code) {
			if ((r[k].a != GATE_ON && !edge_a) ||
			    (r[k].b != GATE_OFF - 1 && !edge_b))
				fail(v->path, "frames %lld..: a stretch of "
				    "signal cut: phases %lld to %lld",
				    (long long)pos, (long long)r[k].a,
				    (long long)r[k].b);
			if (r[k].a < GATE_ON || r[k].b >= GATE_OFF)
				fail(v->path, "frames %lld..: signal where "
				    "siggen sent none", (long long)pos);
			/*
			 * Where this stretch's cycle began on the take's
			 * timeline, from the bext TimeReference.  Past the
			 * file's first stretch the quiet left out is not in
			 * the file: the next cycle is taken as read, and the
			 * next file's TimeReference proves it.
			 */
			cyc = seen++ == 0 ? v->order + pos - r[k].a :
			    *prev + GATE_CYCLE;
			if (*prev >= 0 && cyc - *prev != GATE_CYCLE)
				fail(v->path, "frames %lld..: %lld frames after "
				    "the last stretch began, not one cycle "
				    "(%d)", (long long)pos,
				    (long long)(cyc - *prev), GATE_CYCLE);
			*prev = cyc;
			gate_segments++;
		} else {
			want = k == 0 ? gate_pre : k + 1 == n ? gate_hold :
			    gate_pre + gate_hold;
			if (r[k].len != want && !((edge_a || edge_b) &&
			    r[k].len < want))
				fail(v->path, "frames %lld..: %lld frames of "
				    "silence, expected %lld (%s)",
				    (long long)pos, (long long)r[k].len,
				    (long long)want, k == 0 ? "pre-roll" :
				    k + 1 == n ? "hold" : "hold + pre-roll");
		}
		pos += r[k].len;
	}
	free(r);
}

static int
by_group_then_time(const void *a, const void *b)
{
	const struct vfile *x = a, *y = b;

	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

int
main(int argc, char *argv[])
{
	static struct vfile	 v[VF_MAX_FILES];
	const char		*p;
	char			*tr;
	uint64_t		 wrap, total = 0, day, min_frames = 0;
	uint64_t		 frames_g0 = 0, min_tr = UINT64_MAX, max_tr = 0;
	int64_t			 expect = -1, missing;
	unsigned		 channels = 0, groups = 0;
	uint64_t		 frames_min = UINT64_MAX, frames_grp = 0;
	int			 n = 0, i, opt, verbose = 0, disk = 0;
	int			 first = 0;
	int			 killed = 0;

	for (i = 0; i < VF_MAX_CH; i++)
		chan_map[i] = (unsigned)i;
	while ((opt = getopt(argc, argv, "b:c:C:dfgG:j:km:v")) != -1) {
		switch (opt) {
		case 'C':
			chan_list(optarg);
			break;
		case 'b':
			sig_bits = atoi(optarg);
			break;
		case 'c':
			channels = (unsigned)atoi(optarg);
			break;
		case 'd':
			disk = 1;
			break;
		case 'g':
			allow_gaps = 1;
			break;
		case 'G':
			gate_mode = 1;
			if (sscanf(optarg, "%lld:%lld", (long long *)&gate_pre,
			    (long long *)&gate_hold) != 2)
				fail(optarg, "-G PREROLL:HOLD (frames)");
			break;
		case 'j':
			if (sscanf(optarg, "%lld:%lld", &jump_frames,
			    &jumps_left) != 2 || jump_frames <= 0)
				fail(optarg, "-j PERIOD:COUNT (frames)");
			break;
		case 'f':
			first = 1;
			break;
		case 'k':
			killed = 1;
			break;
		case 'm':
			min_frames = strtoull(optarg, NULL, 10);
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr, "usage: verify [-b 16|24] [-c CH] [-C LIST] [-d] "
			    "[-f] [-g] [-G PREROLL:HOLD] [-j P:N] [-k] "
			    "[-m MIN_FRAMES] [-v] FILE...\n");
			return 2;
		}
	}
	wrap = sig_bits == 16 ? 512 : 131072;
	for (i = optind; i < argc && n < VF_MAX_FILES; i++, n++) {
		/* FILE@TR: a file without bext (decoded from FLAC, say). */
		tr = strrchr(argv[i], '@');
		if (tr != NULL)
			*tr++ = '\0';
		v[n].path = argv[i];
		parse(&v[n]);
		if (tr != NULL)
			v[n].time_ref = strtoull(tr, NULL, 10);
		p = strstr(argv[i], "_ch");
		v[n].group = p != NULL && p[3] >= '0' && p[3] <= '9' ?
		    atoi(p + 3) - 1 : -1;
		if (v[n].time_ref < min_tr)
			min_tr = v[n].time_ref;
		if (v[n].time_ref > max_tr)
			max_tr = v[n].time_ref;
	}
	if (n == 0)
		fail("(none)", "no files");
	/* A take across midnight: early TimeReferences belong after. */
	day = 86400ULL * v[0].rate;
	for (i = 0; i < n; i++)
		v[i].order = (int64_t)v[i].time_ref + (max_tr - min_tr > day / 2
		    && v[i].time_ref < day / 2 ? (int64_t)day : 0);
	qsort(v, (size_t)n, sizeof(v[0]), by_group_then_time);
	count_group = v[0].group;
	if (gate_mode) {
		for (i = 0; i < n; i++) {
			if (i == 0 || v[i].group != v[i - 1].group) {
				expect = -1;
				groups++;
			}
			gate_file(&v[i], i == 0 || v[i].group != v[i - 1].group,
			    i + 1 == n || v[i].group != v[i + 1].group,
			    &expect);
			if (verbose)
				printf("%s %llu %llu %u\n", v[i].path,
				    (unsigned long long)v[i].time_ref,
				    (unsigned long long)v[i].frames, v[i].rate);
		}
		printf("verify: %d files, %u groups, %llu stretches of signal, "
		    "each whole with its pre-roll and hold\n", n, groups,
		    (unsigned long long)gate_segments);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (i == 0 || v[i].group != v[i - 1].group) {
			if (i > 0 && frames_grp < frames_min)
				frames_min = frames_grp;
			frames_grp = 0;
			expect = -1;
			groups++;
		} else {
			/* Gapless: this file starts where the last one ended. */
			missing = v[i].order - (v[i - 1].order +
			    (int64_t)v[i - 1].frames);
			if (missing != 0 && !allow_gaps)
				fail(v[i].path, "starts %lld frames after the "
				    "end of %s", (long long)missing,
				    v[i - 1].path);
			if (missing != 0) {
				gaps += v[i].group == count_group;
				expect = (expect + missing) % (int64_t)wrap;
			}
		}
		if (v[i].group >= 0 && v[i].channels != 1)
			fail(v[i].path, "split file with %u channels",
			    v[i].channels);
		if (v[i].group < 0 && channels != 0 &&
		    v[i].channels != channels)
			fail(v[i].path, "%u channels, expected %u",
			    v[i].channels, channels);
		check_file(&v[i], &expect, wrap);
		if (verbose)
			printf("%s %llu %llu %u\n", v[i].path,
			    (unsigned long long)v[i].time_ref,
			    (unsigned long long)v[i].frames, v[i].rate);
		if (disk)
			printf("%s %llu %llu\n", v[i].path,
			    (unsigned long long)v[i].frames,
			    (unsigned long long)v[i].disk_frames);
		frames_grp += v[i].frames;
		if (v[i].group == v[0].group)
			frames_g0 += v[i].frames;
		total += v[i].frames;
	}
	if (channels != 0 && v[0].group >= 0 && groups != channels)
		fail(v[0].path, "%u channel files, expected %u", groups,
		    channels);
	if (frames_grp < frames_min)
		frames_min = frames_grp;
	if (v[0].group >= 0 && total != frames_g0 * groups && !killed)
		fail(v[0].path, "channels differ in length");
	if (killed)
		frames_g0 = frames_min;
	if (frames_g0 < min_frames)
		fail(v[0].path, "%llu frames, expected at least %llu",
		    (unsigned long long)frames_g0,
		    (unsigned long long)min_frames);
	if (first)
		printf("verify: first frame index %lld\n",
		    (long long)first_index);
	printf("verify: %d files, %u groups, %llu frames each, %llu gaps, "
	    "%llu silence runs", n, groups, (unsigned long long)frames_g0,
	    (unsigned long long)gaps, (unsigned long long)silence_runs);
	if (jump_frames > 0)
		printf(", %lld jumps of a period", jumps);
	printf("\n");
	return 0;
}
