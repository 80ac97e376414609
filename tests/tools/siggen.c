/*
 * siggen.c: a JACK client for the tests whose every sample says which
 * channel and which frame it is, exactly representable in 16 or 24 bits,
 * so that tests/tools/verify can prove recordings bit-exact and gapless.
 *
 * Code of channel c (from 0, < 64) at frame n, as an N-bit integer:
 *   24 bits: (n mod 2^17) << 6 | c      16 bits: (n mod 2^9) << 6 | c
 * and the float JACK carries is code * (1 / (2^(N-1) - 1)), as JACK2
 * itself scales integers.
 *
 * usage: siggen [-n NAME] [-c CHANNELS] [-b 16|24] [-J] [-g ON_S:OFF_S]
 *               [-s DBFS | -t]
 * -g switches all channels to digital silence for OFF_S seconds after
 * every ON_S seconds of signal (frame counting goes on).
 * -J counts frames by JACK's frame time (jack_last_frame_time) instead
 * of from siggen's start, so that a test can tell which JACK frame a
 * recorded sample was: as recd logs frames.
 * -G (24 bits) does it in step with the codes, for the gate tests: signal
 * only while n mod 2^17 is in [2^15, 3 x 2^15), so that every sample of
 * it is above -13 dBFS and a code alone tells signal from pause.
 * -s DBFS sends instead, on every channel, a sine of about 1 kHz whose
 * every period has one sample at exactly +DBFS and one at -DBFS (as a
 * float), so that a meter of any period >= 1 ms reads DBFS.
 * -t sends tones for people: channel c a sine at 220 Hz x (c + 1), its
 * level swelling between -30 and -6 dBFS every 4 s, each channel a little
 * later than the one before.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jack/jack.h>

#define SG_MAX_CH	64
#define SG_PI		3.14159265358979323846
#define SG_LN10		2.30258509299404568402
/* -s: one period of the sine, at most; 1 kHz up to 1.024 MHz rates. */
#define SG_SINE_HZ	1000.0
#define SG_PERIOD_MAX	1024
/* -t: the wavetable (a power of two, indexed by a phase's top bits). */
#define SG_TABLE_BITS	12
#define SG_TABLE_LEN	(1u << SG_TABLE_BITS)
#define SG_TONE_HZ	220.0		/* channel c plays (c + 1) x this */
#define SG_SWELL_S	4.0		/* seconds of one swell */
#define SG_SWELL_LOW	-30.0		/* dBFS */
#define SG_SWELL_HIGH	-6.0		/* dBFS */
#define SG_SWELL_STEPS	1024		/* gains in the swell table */

enum sg_mode {
	SG_CODES,			/* the channel and frame codes */
	SG_SINE,			/* -s */
	SG_TONES			/* -t */
};

struct siggen {
	jack_client_t	*client;
	jack_port_t	*ports[SG_MAX_CH];
	unsigned	 nch;
	int		 bits;
	uint64_t	 frame;		/* frames generated so far */
	int		 jack_time;	/* -J: frame is JACK's frame time */
	uint64_t	 on_frames, off_frames;	/* -g pattern, 0: off */
	int		 aligned;	/* -G */
	enum sg_mode	 mode;
	/* -s: one period, with the crests exact. */
	float		 period[SG_PERIOD_MAX];
	unsigned	 period_len;	/* frames */
	/* -t: all made before activation; the callback only reads them. */
	float		 table[SG_TABLE_LEN + 1];	/* one sine period */
	uint32_t	 phase[SG_MAX_CH];	/* 2^32 is one period */
	uint32_t	 step[SG_MAX_CH];	/* phase per frame */
	float		 swell[SG_SWELL_STEPS];	/* gain over one swell */
	uint64_t	 swell_frames;	/* frames of one swell */
};

static volatile sig_atomic_t done;

static void
on_signal(int sig)
{
	(void)sig;
	done = 1;
}

/*
 * sin() and 10^(dB/20) without libm, which the Makefile does not link
 * siggen with; used before activation only, to fill the tables.
 */
static double
sg_sin(double x)
{
	double	term, sum;
	int	k;

	x -= 2.0 * SG_PI * (double)(long)(x / (2.0 * SG_PI));
	if (x > SG_PI)
		x -= 2.0 * SG_PI;
	else if (x < -SG_PI)
		x += 2.0 * SG_PI;
	/* Fold into [-pi/2, pi/2], where the series converges fast. */
	if (x > SG_PI / 2)
		x = SG_PI - x;
	else if (x < -SG_PI / 2)
		x = -SG_PI - x;
	term = sum = x;
	for (k = 1; k < 12; k++) {
		term *= -x * x / ((2 * k) * (2 * k + 1));
		sum += term;
	}
	return sum;
}

static double
sg_gain(double db)
{
	double	y = db * SG_LN10 / 20.0, a = y < 0 ? -y : y, term, sum;
	int	halvings = 0, k;

	/* exp(a) as exp(a / 2^h) squared h times, the series on a < 0.5. */
	while (a >= 0.5) {
		a /= 2.0;
		halvings++;
	}
	term = sum = 1.0;
	for (k = 1; k < 20; k++) {
		term *= a / k;
		sum += term;
	}
	while (halvings-- > 0)
		sum *= sum;
	return y < 0 ? 1.0 / sum : sum;
}

/*
 * -s: a sine of period_len frames, a multiple of 4, so that frames
 * period_len / 4 and 3 period_len / 4 fall on the crests; those are set
 * to the amplitude itself rather than to a rounded sine.
 */
static void
sg_make_sine(struct siggen *sg, double dbfs, double rate)
{
	const float	 amp = (float)sg_gain(dbfs);
	unsigned	 n, k;

	n = 4 * (unsigned)(rate / (4.0 * SG_SINE_HZ) + 0.5);
	if (n < 4)
		n = 4;
	if (n > SG_PERIOD_MAX)
		n = SG_PERIOD_MAX;
	for (k = 0; k < n; k++)
		sg->period[k] = amp * (float)sg_sin(2.0 * SG_PI * k / n);
	sg->period[n / 4] = amp;
	sg->period[3 * n / 4] = -amp;
	sg->period_len = n;
}

/* -t: the wavetable, each channel's pitch and the swell's gains. */
static void
sg_make_tones(struct siggen *sg, double rate)
{
	unsigned	k, c, harmonics;
	double		db, hz;

	for (k = 0; k <= SG_TABLE_LEN; k++)
		sg->table[k] = (float)sg_sin(2.0 * SG_PI * k / SG_TABLE_LEN);
	/* Pitches stay well under Nyquist; past that they start over. */
	harmonics = (unsigned)(0.45 * rate / SG_TONE_HZ);
	if (harmonics < 1)
		harmonics = 1;
	for (c = 0; c < sg->nch; c++) {
		hz = SG_TONE_HZ * (c % harmonics + 1);
		sg->step[c] = (uint32_t)(hz / rate * 4294967296.0);
		sg->phase[c] = 0;
	}
	for (k = 0; k < SG_SWELL_STEPS; k++) {
		db = (SG_SWELL_LOW + SG_SWELL_HIGH) / 2 +
		    (SG_SWELL_HIGH - SG_SWELL_LOW) / 2 *
		    sg_sin(2.0 * SG_PI * k / SG_SWELL_STEPS);
		sg->swell[k] = (float)sg_gain(db);
	}
	sg->swell_frames = (uint64_t)(SG_SWELL_S * rate);
}

static int
sg_silent(const struct siggen *sg, uint64_t n)
{
	uint64_t	cycle;

	if (sg->off_frames == 0)
		return 0;
	cycle = sg->on_frames + sg->off_frames;
	return n % cycle >= sg->on_frames;
}

static void
sg_sine(struct siggen *sg, jack_nframes_t nframes)
{
	float		*buf;
	uint64_t	 n;
	unsigned	 c, i;

	for (c = 0; c < sg->nch; c++) {
		buf = jack_port_get_buffer(sg->ports[c], nframes);
		for (i = 0; i < nframes; i++) {
			n = sg->frame + i;
			buf[i] = sg_silent(sg, n) ? 0.0f :
			    sg->period[n % sg->period_len];
		}
	}
}

/* Channel c's swell gain at frame n; each channel runs a bit behind. */
static float
sg_swell_at(const struct siggen *sg, unsigned c, uint64_t n)
{
	uint64_t	pos;

	pos = (n + sg->swell_frames * (sg->nch - c) / sg->nch) %
	    sg->swell_frames;
	return sg->swell[pos * SG_SWELL_STEPS / sg->swell_frames];
}

static void
sg_tones(struct siggen *sg, jack_nframes_t nframes)
{
	float		*buf, g0, g1, a, b, frac;
	uint32_t	 ph, k;
	unsigned	 c, i;

	for (c = 0; c < sg->nch; c++) {
		buf = jack_port_get_buffer(sg->ports[c], nframes);
		/* The gain ramps over the period: no steps to hear. */
		g0 = sg_swell_at(sg, c, sg->frame);
		g1 = sg_swell_at(sg, c, sg->frame + nframes);
		ph = sg->phase[c];
		for (i = 0; i < nframes; i++) {
			k = ph >> (32 - SG_TABLE_BITS);
			frac = (float)(ph & ((1u << (32 - SG_TABLE_BITS)) -
			    1)) / (float)(1u << (32 - SG_TABLE_BITS));
			a = sg->table[k];
			b = sg->table[k + 1];
			buf[i] = sg_silent(sg, sg->frame + i) ? 0.0f :
			    (a + (b - a) * frac) *
			    (g0 + (g1 - g0) * (float)i / (float)nframes);
			ph += sg->step[c];
		}
		sg->phase[c] = ph;
	}
}

static int
process(jack_nframes_t nframes, void *arg)
{
	struct siggen	*sg = arg;
	float		*buf;
	const float	 scale = sg->bits == 16 ? 1.0f / 32767.0f :
			    1.0f / 8388607.0f;
	uint32_t	 mask = sg->bits == 16 ? 0x1FF : 0x1FFFF;
	uint64_t	 n, cycle;
	unsigned	 c, i;
	int		 silent;

	if (sg->jack_time)
		sg->frame = jack_last_frame_time(sg->client);
	if (sg->mode != SG_CODES) {
		if (sg->mode == SG_SINE)
			sg_sine(sg, nframes);
		else
			sg_tones(sg, nframes);
		sg->frame += nframes;
		return 0;
	}
	for (c = 0; c < sg->nch; c++) {
		buf = jack_port_get_buffer(sg->ports[c], nframes);
		for (i = 0; i < nframes; i++) {
			n = sg->frame + i;
			silent = sg->aligned && ((n & 0x1ffff) < 0x8000 ||
			    (n & 0x1ffff) >= 0x18000);
			if (sg->off_frames > 0) {
				cycle = sg->on_frames + sg->off_frames;
				silent = n % cycle >= sg->on_frames;
			}
			buf[i] = silent ? 0.0f :
			    (float)((uint32_t)(n & mask) << 6 | c) * scale;
		}
	}
	sg->frame += nframes;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct siggen	 sg;
	sigset_t	 block, old;
	jack_status_t	 status;
	const char	*name = "siggen";
	char		 port[32];
	double		 on_s = 0, off_s = 0, dbfs = 0, rate;
	char		*end;
	unsigned	 c;
	int		 ch, tones = 0, tones_too = 0;

	memset(&sg, 0, sizeof(sg));
	sg.nch = 2;
	sg.bits = 24;
	while ((ch = getopt(argc, argv, "n:c:b:g:GJs:t")) != -1) {
		switch (ch) {
		case 'n':
			name = optarg;
			break;
		case 'c':
			sg.nch = (unsigned)atoi(optarg);
			break;
		case 'b':
			sg.bits = atoi(optarg);
			break;
		case 'g':
			if (sscanf(optarg, "%lf:%lf", &on_s, &off_s) != 2) {
				fprintf(stderr, "siggen: -g ON:OFF\n");
				return 2;
			}
			break;
		case 'G':
			sg.aligned = 1;
			break;
		case 'J':
			sg.jack_time = 1;
			break;
		case 's':
			dbfs = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || dbfs < -120.0 ||
			    dbfs > 20.0) {
				fprintf(stderr, "siggen: -s %s: not a level "
				    "in dBFS (-120..20)\n", optarg);
				return 2;
			}
			sg.mode = SG_SINE;
			tones_too |= tones;
			break;
		case 't':
			tones = 1;
			tones_too |= sg.mode == SG_SINE;
			sg.mode = SG_TONES;
			break;
		default:
			fprintf(stderr, "usage: siggen [-n NAME] [-c CH] "
			    "[-b 16|24] [-J] [-g ON:OFF | -G] [-s DBFS | -t]\n");
			return 2;
		}
	}
	if (tones_too) {
		fprintf(stderr, "siggen: -s and -t: one or the other\n");
		return 2;
	}
	if (sg.nch < 1 || sg.nch > SG_MAX_CH ||
	    (sg.bits != 16 && sg.bits != 24)) {
		fprintf(stderr, "siggen: 1..%d channels, 16 or 24 bits\n",
		    SG_MAX_CH);
		return 2;
	}
	sg.client = jack_client_open(name, JackNoStartServer |
	    JackUseExactName, &status);
	if (sg.client == NULL) {
		fprintf(stderr, "siggen: cannot connect to JACK (0x%x)\n",
		    (unsigned)status);
		return 1;
	}
	rate = jack_get_sample_rate(sg.client);
	sg.on_frames = (uint64_t)(on_s * rate);
	sg.off_frames = (uint64_t)(off_s * rate);
	if (sg.mode == SG_SINE)
		sg_make_sine(&sg, dbfs, rate);
	else if (sg.mode == SG_TONES)
		sg_make_tones(&sg, rate);
	for (c = 0; c < sg.nch; c++) {
		snprintf(port, sizeof(port), "out_%02u", c + 1);
		sg.ports[c] = jack_port_register(sg.client, port,
		    JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
		if (sg.ports[c] == NULL) {
			fprintf(stderr, "siggen: cannot register %s\n", port);
			return 1;
		}
	}
	jack_set_process_callback(sg.client, process, &sg);
	/* Block the signals until sigsuspend, so none is lost in between. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (jack_activate(sg.client) != 0) {
		fprintf(stderr, "siggen: cannot activate\n");
		return 1;
	}
	if (sg.mode == SG_SINE)
		printf("siggen: %u channels, a %.1f Hz sine peaking at %.2f "
		    "dBFS (%.6f)\n", sg.nch, rate / sg.period_len, dbfs,
		    (double)sg.period[sg.period_len / 4]);
	else if (sg.mode == SG_TONES)
		printf("siggen: %u channels, tones from %.0f Hz, swelling "
		    "%.0f..%.0f dBFS\n", sg.nch, SG_TONE_HZ, SG_SWELL_LOW,
		    SG_SWELL_HIGH);
	else
		printf("siggen: %u channels, %d bits\n", sg.nch, sg.bits);
	fflush(stdout);
	while (!done)
		sigsuspend(&old);
	jack_deactivate(sg.client);
	jack_client_close(sg.client);
	return 0;
}
