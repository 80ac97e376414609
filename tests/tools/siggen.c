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
 * usage: siggen [-n NAME] [-c CHANNELS] [-b 16|24] [-g ON_S:OFF_S]
 * -g switches all channels to digital silence for OFF_S seconds after
 * every ON_S seconds of signal (frame counting goes on).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jack/jack.h>

#define SG_MAX_CH	64

struct siggen {
	jack_client_t	*client;
	jack_port_t	*ports[SG_MAX_CH];
	unsigned	 nch;
	int		 bits;
	uint64_t	 frame;		/* frames generated so far */
	uint64_t	 on_frames, off_frames;	/* -g pattern, 0: off */
};

static volatile sig_atomic_t done;

static void
on_signal(int sig)
{
	(void)sig;
	done = 1;
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

	for (c = 0; c < sg->nch; c++) {
		buf = jack_port_get_buffer(sg->ports[c], nframes);
		for (i = 0; i < nframes; i++) {
			n = sg->frame + i;
			silent = 0;
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
	double		 on_s = 0, off_s = 0;
	unsigned	 c;
	int		 ch;

	memset(&sg, 0, sizeof(sg));
	sg.nch = 2;
	sg.bits = 24;
	while ((ch = getopt(argc, argv, "n:c:b:g:")) != -1) {
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
		default:
			fprintf(stderr, "usage: siggen [-n NAME] [-c CH] "
			    "[-b 16|24] [-g ON:OFF]\n");
			return 2;
		}
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
	sg.on_frames = (uint64_t)(on_s * jack_get_sample_rate(sg.client));
	sg.off_frames = (uint64_t)(off_s * jack_get_sample_rate(sg.client));
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
	printf("siggen: %u channels, %d bits\n", sg.nch, sg.bits);
	fflush(stdout);
	while (!done)
		sigsuspend(&old);
	jack_deactivate(sg.client);
	jack_client_close(sg.client);
	return 0;
}
