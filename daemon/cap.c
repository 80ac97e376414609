/*
 * cap.c: recd's JACK client: open, ports, ring, connections, close.  Main
 * thread; the xrun and shutdown callbacks run on JACK's notification
 * thread and only count and notify.
 */
#include "cap.h"

#include <sys/types.h>

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jack/jack.h>

#include "cap_priv.h"
#include "log.h"
#include "ring.h"

size_t
cap_rec_bytes(unsigned nch, uint32_t nframes)
{
	return sizeof(struct cap_rec) + (size_t)nch * nframes * sizeof(float);
}

/* JACK's notification thread: treat like a signal handler. */
static int
on_xrun(void *arg)
{
	struct cap *c = arg;

	atomic_fetch_add(&c->xruns, 1);
	if (c->notify != NULL)
		c->notify(c->notify_arg);
	return 0;
}

static void
on_shutdown(jack_status_t code, const char *reason, void *arg)
{
	struct cap *c = arg;

	(void)code;
	(void)reason;
	atomic_store(&c->lost, 1);
	if (c->notify != NULL)
		c->notify(c->notify_arg);
}

/* A port came or went: the loop looks for sources to connect. */
static void
on_registration(jack_port_id_t port, int registered, void *arg)
{
	struct cap *c = arg;

	(void)port;
	if (!registered)
		return;
	atomic_store(&c->ports_new, 1);
	if (c->notify != NULL)
		c->notify(c->notify_arg);
}

/*
 * The period changed (PipeWire's quantum, jack_set_buffer_size).  Records
 * carry their own length, so the writer needs nothing; periods longer than
 * the ring's blocks are dropped and counted.  The loop tells the change.
 */
static int
on_buffer_size(jack_nframes_t nframes, void *arg)
{
	struct cap *c = arg;

	if (atomic_exchange(&c->period, nframes) != nframes &&
	    c->notify != NULL)
		c->notify(c->notify_arg);
	return 0;
}

/*
 * The sample rate changed (PipeWire's clock.force-rate).  From the next
 * period on, records say the new rate, and the writer starts new files.
 */
static int
on_sample_rate(jack_nframes_t rate, void *arg)
{
	struct cap *c = arg;

	if (rate == 0)
		return 0;
	if (atomic_exchange(&c->rate, rate) != rate && c->notify != NULL)
		c->notify(c->notify_arg);
	return 0;
}

static void
jack_error_log(const char *msg)
{
	log_warnx("jack: %s", msg);
}

static void
jack_info_log(const char *msg)
{
	log_debug("jack: %s", msg);
}

struct cap *
cap_open(const struct cfg *cfg, void (*notify)(void *), void *arg,
    char *err, size_t errlen)
{
	struct cap	*c;
	jack_status_t	 status;
	jack_options_t	 opts = JackNoStartServer | JackUseExactName;
	const char	*server = NULL;
	char		 name[64], rerr[256];
	size_t		 rec, bytes;
	unsigned	 ch;
	uint32_t	 period;

	jack_set_error_function(jack_error_log);
	jack_set_info_function(jack_info_log);
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "jack: %s", strerror(errno));
		return NULL;
	}
	c->nch = (unsigned)cfg->channels;
	pthread_mutex_init(&c->ref_mtx, NULL);
	c->notify = notify;
	c->notify_arg = arg;
	if (cfg->jack_server[0] != '\0') {
		opts |= JackServerName;
		server = cfg->jack_server;
	}
	c->client = jack_client_open(cfg->client_name, opts, &status, server);
	if (c->client == NULL) {
		if (status & JackNameNotUnique)
			snprintf(err, errlen, "jack: client name \"%s\" is "
			    "taken (is recd running already?)",
			    cfg->client_name);
		else
			snprintf(err, errlen, "jack: cannot connect to server "
			    "\"%s\" (status 0x%x): is jackd running?",
			    server != NULL ? server : (getenv(
			    "JACK_DEFAULT_SERVER") != NULL ? getenv(
			    "JACK_DEFAULT_SERVER") : "default"),
			    (unsigned)status);
		goto fail;
	}
	c->rate0 = jack_get_sample_rate(c->client);
	period = jack_get_buffer_size(c->client);
	atomic_init(&c->rate, c->rate0);
	atomic_init(&c->period, period);
	if (period > CAP_MAX_PERIOD) {
		snprintf(err, errlen, "jack: buffer size %u: more than recd "
		    "takes (%d frames)", period, CAP_MAX_PERIOD);
		goto fail;
	}
	c->ports = calloc(c->nch, sizeof(*c->ports));
	c->short_names = calloc(c->nch, sizeof(*c->short_names));
	if (c->ports == NULL || c->short_names == NULL) {
		snprintf(err, errlen, "jack: %s", strerror(errno));
		goto fail;
	}
	for (ch = 0; ch < c->nch; ch++) {
		if (cfg->port_names.n > 0)
			snprintf(name, sizeof(name), "%s",
			    cfg->port_names.v[ch]);
		else
			snprintf(name, sizeof(name), "in_%u", ch + 1);
		c->short_names[ch] = strdup(name);
		c->ports[ch] = jack_port_register(c->client, name,
		    JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput | JackPortIsTerminal,
		    0);
		if (c->ports[ch] == NULL || c->short_names[ch] == NULL) {
			snprintf(err, errlen, "port %s:%s: cannot register",
			    cfg->client_name, name);
			goto fail;
		}
	}
	/*
	 * The ring holds buffer_seconds of audio at the rate of now, and at
	 * least a few of the largest records, so that a change of buffer size
	 * still fits.  (A rate that goes up later keeps the bytes: fewer
	 * seconds.)
	 */
	rec = cap_rec_bytes(c->nch, CAP_MAX_PERIOD);
	bytes = (size_t)(cfg->buffer_seconds * c->rate0 / period + 1) *
	    cap_rec_bytes(c->nch, period);
	if (bytes < 4 * rec)
		bytes = 4 * rec;
	c->ring = ring_new(bytes, rec, rerr, sizeof(rerr));
	if (c->ring == NULL) {
		snprintf(err, errlen, "%s", rerr);
		goto fail;
	}
	if (ring_lock_errno(c->ring) != 0)
		log_warnx("ring: cannot lock %zu MB in memory: %s; recording "
		    "goes on, but the system may page it out (raise "
		    "LimitMEMLOCK or ulimit -l)",
		    ring_capacity(c->ring) >> 20,
		    strerror(ring_lock_errno(c->ring)));
	if (jack_set_process_callback(c->client, cap_process_rt, c) != 0 ||
	    jack_set_xrun_callback(c->client, on_xrun, c) != 0 ||
	    jack_set_buffer_size_callback(c->client, on_buffer_size, c) != 0 ||
	    jack_set_sample_rate_callback(c->client, on_sample_rate, c) != 0 ||
	    jack_set_port_registration_callback(c->client, on_registration,
	    c) != 0) {
		snprintf(err, errlen, "jack: cannot set callbacks");
		goto fail;
	}
	jack_on_info_shutdown(c->client, on_shutdown, c);
	return c;
fail:
	cap_close(c);
	return NULL;
}

/* Does the whole of name match the extended regular expression? */
static int
full_match(const regex_t *re, const char *name)
{
	regmatch_t m;

	return regexec(re, name, 1, &m, 0) == 0 && m.rm_so == 0 &&
	    (size_t)m.rm_eo == strlen(name);
}

/* Is port `name' a source of one of our ports already? */
static int
feeds_us(const struct cap *c, const char *name)
{
	unsigned ch;

	for (ch = 0; ch < c->nch; ch++)
		if (jack_port_connected_to(c->ports[ch], name))
			return 1;
	return 0;
}

/*
 * Sources in order: for each connect pattern, the output ports that match
 * it in JACK's order, each port once.  Our ports without a source get the
 * sources that feed none of ours yet, in order: at the start, port i gets
 * source i; later, a source that appears takes the first free port, and
 * no port ever gets two sources (JACK would mix them).  quiet: a missing
 * source is no warning.  Returns the connections made.
 */
static int
connect_sources(struct cap *c, const struct cfg *cfg, int quiet)
{
	const char	**all, **phys, **cand, **src;
	regex_t		  re;
	size_t		  nsrc = 0, i, k, p, found, nfree = 0, used = 0;
	unsigned	  ch;
	int		  rc, dup, made = 0, is_phys;

	for (ch = 0; ch < c->nch; ch++)
		nfree += !jack_port_connected(c->ports[ch]);
	if (nfree == 0)
		return 0;
	all = jack_get_ports(c->client, NULL, JACK_DEFAULT_AUDIO_TYPE,
	    JackPortIsOutput);
	/* JACK2 names them system:capture_N; PipeWire after the device. */
	phys = jack_get_ports(c->client, NULL, JACK_DEFAULT_AUDIO_TYPE,
	    JackPortIsOutput | JackPortIsPhysical);
	src = calloc(c->nch, sizeof(*src));
	if (src == NULL) {
		log_warn("connect");
		jack_free(all);
		jack_free(phys);
		return 0;
	}
	for (p = 0; p < cfg->connect.n && nsrc < nfree; p++) {
		is_phys = strcmp(cfg->connect.v[p], CAP_PHYSICAL) == 0;
		cand = is_phys ? phys : all;
		if (!is_phys &&
		    regcomp(&re, cfg->connect.v[p], REG_EXTENDED) != 0)
			continue;	/* cfg_check has refused it already */
		found = 0;
		for (i = 0; cand != NULL && cand[i] != NULL && nsrc < nfree;
		    i++) {
			if (!is_phys && !full_match(&re, cand[i]))
				continue;
			found++;
			for (dup = 0, k = 0; k < nsrc; k++)
				dup |= strcmp(src[k], cand[i]) == 0;
			if (!dup && !feeds_us(c, cand[i]))
				src[nsrc++] = cand[i];
		}
		if (!is_phys)
			regfree(&re);
		if (found == 0 && !quiet)
			log_warnx("connect: \"%s\": no such port (yet)",
			    cfg->connect.v[p]);
	}
	for (ch = 0; ch < c->nch && used < nsrc; ch++) {
		if (jack_port_connected(c->ports[ch]))
			continue;
		rc = jack_connect(c->client, src[used],
		    jack_port_name(c->ports[ch]));
		if (rc != 0 && rc != EEXIST)
			log_warnx("port %s: connect to %s: failed", src[used],
			    jack_port_name(c->ports[ch]));
		else {
			log_info("port %s -> %s", src[used],
			    jack_port_name(c->ports[ch]));
			made++;
		}
		used++;
	}
	if (nsrc < nfree && cfg->connect.n > 0 && !quiet)
		log_warnx("connect: %zu of %u channels have no source; they "
		    "are connected when a matching port appears",
		    nfree - nsrc, c->nch);
	free(src);
	jack_free(all);
	jack_free(phys);
	return made;
}

void
cap_reconnect(struct cap *c, const struct cfg *cfg)
{
	unsigned ch;

	for (ch = 0; ch < c->nch; ch++)
		jack_port_disconnect(c->client, c->ports[ch]);
	connect_sources(c, cfg, 0);
}

int
cap_connect_new(struct cap *c, const struct cfg *cfg)
{
	if (!atomic_exchange(&c->ports_new, 0) || !c->active ||
	    atomic_load(&c->lost))
		return 0;
	return connect_sources(c, cfg, 1);
}

const char *
cap_port_name(const struct cap *c, unsigned ch)
{
	return jack_port_name(c->ports[ch]);
}

const char **
cap_port_sources(const struct cap *c, unsigned ch)
{
	return jack_port_get_connections(c->ports[ch]);
}

int
cap_port_connected(const struct cap *c, unsigned ch)
{
	return jack_port_connected(c->ports[ch]) > 0;
}

void
cap_free_names(const char **names)
{
	if (names != NULL)
		jack_free(names);
}

int
cap_activate(struct cap *c, const struct cfg *cfg, char *err, size_t errlen)
{
	if (jack_activate(c->client) != 0) {
		snprintf(err, errlen, "jack: cannot activate client %s",
		    jack_get_client_name(c->client));
		return -EIO;
	}
	c->active = 1;
	connect_sources(c, cfg, 0);
	return 0;
}

void
cap_deactivate(struct cap *c)
{
	/* Periods from here on would hold silence: see cap_process_rt. */
	atomic_store_explicit(&c->quiet, 1, memory_order_release);
	if (c->active && !atomic_load(&c->lost))
		jack_deactivate(c->client);
	c->active = 0;
}

void
cap_close(struct cap *c)
{
	unsigned ch;

	if (c == NULL)
		return;
	cap_deactivate(c);
	if (c->client != NULL)
		jack_client_close(c->client);
	for (ch = 0; c->short_names != NULL && ch < c->nch; ch++)
		free(c->short_names[ch]);
	free(c->short_names);
	free(c->ports);
	ring_del(c->ring);
	pthread_mutex_destroy(&c->ref_mtx);
	free(c);
}

struct ring *
cap_ring(struct cap *c)
{
	return c->ring;
}

unsigned
cap_rate(const struct cap *c)
{
	return atomic_load(&((struct cap *)c)->rate);
}

uint32_t
cap_period(const struct cap *c)
{
	return atomic_load(&((struct cap *)c)->period);
}

uint64_t
cap_cycles(const struct cap *c)
{
	return atomic_load_explicit(&((struct cap *)c)->cycles,
	    memory_order_relaxed);
}

unsigned
cap_channels(const struct cap *c)
{
	return c->nch;
}

const char *
cap_port_short_name(const struct cap *c, unsigned ch)
{
	return c->short_names[ch];
}

uint64_t
cap_dropped_frames(const struct cap *c)
{
	return atomic_load(&((struct cap *)c)->dropped);
}

uint64_t
cap_xruns(const struct cap *c)
{
	return atomic_load(&((struct cap *)c)->xruns);
}

int
cap_server_lost(const struct cap *c)
{
	return atomic_load(&((struct cap *)c)->lost);
}

uint32_t
cap_frame_now(const struct cap *c)
{
	return jack_frame_time(c->client);
}

void
cap_frame_wall_time(const struct cap *c, uint32_t frame, struct timespec *ts)
{
	struct cap	*m = (struct cap *)c;	/* the mutex and the pair */
	struct timespec	 now;
	int32_t		 ago;	/* frames; JACK's frame time wraps at 2^32 */
	int64_t		 ns;

	/*
	 * After the server went away its clock is gone too: the last pair of
	 * readings stands in (the writer finishes the files with it).
	 */
	pthread_mutex_lock(&m->ref_mtx);
	if (!atomic_load(&m->lost)) {
		clock_gettime(CLOCK_REALTIME, &now);
		m->ref_frame = jack_frame_time(c->client);
		m->ref_ns = (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
	}
	ago = (int32_t)(m->ref_frame - frame);
	ns = m->ref_ns - (int64_t)ago * 1000000000 / (int64_t)cap_rate(c);
	pthread_mutex_unlock(&m->ref_mtx);
	ts->tv_sec = (time_t)(ns / 1000000000);
	ts->tv_nsec = (long)(ns % 1000000000);
}
