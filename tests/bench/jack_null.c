/*
 * jack_null.c: the least a JACK recorder costs.  A client with N input
 * ports, connected to sig:out_01 ... sig:out_N, whose process callback
 * copies each port's period out of JACK's buffer and does nothing more:
 * every recorder does at least that.  peers.sh measures its CPU (libjack's
 * threads and the callback) per audio second as the floor under every
 * recorder on the same graph.  Prints "jack_null: ready" once connected;
 * ends on SIGINT or SIGTERM.
 * usage: jack_null N
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jack/jack.h>

#define MAXCH		64
#define MAXFRAMES	8192

static jack_port_t	*port[MAXCH];
static unsigned		 nport;
static float		 copy[MAXCH][MAXFRAMES];

static int
process(jack_nframes_t n, void *arg)
{
	unsigned	 c;

	(void)arg;
	if (n > MAXFRAMES)
		n = MAXFRAMES;
	for (c = 0; c < nport; c++)
		memcpy(copy[c], jack_port_get_buffer(port[c], n),
		    n * sizeof(float));
	return 0;
}

int
main(int argc, char **argv)
{
	jack_client_t	*cl;
	sigset_t	 set;
	char		 name[32];
	unsigned	 c;
	int		 sig;

	if (argc != 2 || (nport = (unsigned)atoi(argv[1])) == 0 ||
	    nport > MAXCH) {
		fprintf(stderr, "usage: jack_null N (1-%d)\n", MAXCH);
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	/* Blocked here, so in libjack's threads too: sigwait takes them. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if ((cl = jack_client_open("null", JackNoStartServer, NULL)) == NULL) {
		fprintf(stderr, "jack_null: no JACK server\n");
		return 1;
	}
	for (c = 0; c < nport; c++) {
		snprintf(name, sizeof(name), "in_%02u", c + 1);
		if ((port[c] = jack_port_register(cl, name,
		    JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0)) == NULL) {
			fprintf(stderr, "jack_null: %s: not registered\n",
			    name);
			return 1;
		}
	}
	if (jack_set_process_callback(cl, process, NULL) != 0 ||
	    jack_activate(cl) != 0) {
		fprintf(stderr, "jack_null: not activated\n");
		return 1;
	}
	for (c = 0; c < nport; c++) {
		snprintf(name, sizeof(name), "sig:out_%02u", c + 1);
		if (jack_connect(cl, name, jack_port_name(port[c])) != 0) {
			fprintf(stderr, "jack_null: %s: not connected\n",
			    name);
			return 1;
		}
	}
	printf("jack_null: ready\n");
	fflush(stdout);
	sigwait(&set, &sig);
	jack_client_close(cl);
	return 0;
}
