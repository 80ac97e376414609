/*
 * cap_offline.c: the parts of daemon/cap.c that the writer uses, without
 * JACK, and the two JACK calls that the real process callback makes
 * (daemon/cap_rt.c), answered from fixed buffers.  Bench programs link it
 * in place of cap.o and libjack.  The producer is whichever thread calls
 * cap_offline_push; the writer thread reads the clock.
 */
#include "cap_offline.h"

#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cap.h"
#include "cap_priv.h"
#include "ring.h"

/*
 * struct cap comes first, so that a struct cap * is also one of these.
 * JACK's handles point back at it: the client at the whole, each port at
 * its buffer; the two JACK calls below undo the casts.
 */
struct cap_offline {
	struct cap	 cap;
	atomic_uint	 frame;		/* frame time of the next period */
	struct timespec	 t0;		/* wall time of frame 0 */
	float		*bufs;		/* nch x CAP_MAX_PERIOD */
	size_t		 rec_bytes;	/* one period's record */
};

jack_nframes_t
jack_last_frame_time(const jack_client_t *client)
{
	const struct cap_offline *o = (const void *)client;

	return atomic_load_explicit(&o->frame, memory_order_relaxed);
}

void *
jack_port_get_buffer(jack_port_t *port, jack_nframes_t nframes)
{
	(void)nframes;
	return port;
}

size_t
cap_rec_bytes(unsigned nch, uint32_t nframes)
{
	return sizeof(struct cap_rec) + (size_t)nch * nframes * sizeof(float);
}

struct cap *
cap_offline_new(unsigned nch, unsigned rate, uint32_t period,
    double buffer_seconds, char *err, size_t errlen)
{
	struct cap_offline	*o;
	struct cap		*c;
	size_t			 rec, bytes, i;
	unsigned		 ch;
	char			 name[32];

	o = calloc(1, sizeof(*o));
	if (o == NULL)
		goto nomem;
	c = &o->cap;
	c->client = (jack_client_t *)(void *)o;
	c->nch = nch;
	c->rate0 = rate;
	atomic_init(&c->rate, rate);
	atomic_init(&c->period, period);
	atomic_init(&o->frame, 0);
	clock_gettime(CLOCK_REALTIME, &o->t0);
	o->bufs = calloc((size_t)nch * CAP_MAX_PERIOD, sizeof(float));
	c->ports = calloc(nch, sizeof(*c->ports));
	c->short_names = calloc(nch, sizeof(*c->short_names));
	if (o->bufs == NULL || c->ports == NULL || c->short_names == NULL)
		goto nomem;
	for (ch = 0; ch < nch; ch++) {
		/* A sine per channel at -6 dBFS: no clipping, no silence. */
		for (i = 0; i < CAP_MAX_PERIOD; i++)
			o->bufs[ch * CAP_MAX_PERIOD + i] = 0.5f *
			    sinf((float)i * (0.01f + 0.001f * (float)ch));
		c->ports[ch] = (jack_port_t *)(void *)(o->bufs +
		    (size_t)ch * CAP_MAX_PERIOD);
		snprintf(name, sizeof(name), "in_%u", ch + 1);
		if ((c->short_names[ch] = strdup(name)) == NULL)
			goto nomem;
	}
	/* As cap_open sizes it. */
	rec = cap_rec_bytes(nch, CAP_MAX_PERIOD);
	bytes = (size_t)(buffer_seconds * rate / period + 1) *
	    cap_rec_bytes(nch, period);
	if (bytes < 4 * rec)
		bytes = 4 * rec;
	c->ring = ring_new(bytes, rec, err, errlen);
	if (c->ring == NULL) {
		cap_offline_del(c);
		return NULL;
	}
	o->rec_bytes = cap_rec_bytes(nch, period);
	return c;
nomem:
	snprintf(err, errlen, "cap_offline: %s", strerror(ENOMEM));
	cap_offline_del(o != NULL ? &o->cap : NULL);
	return NULL;
}

void
cap_offline_del(struct cap *c)
{
	struct cap_offline *o = (struct cap_offline *)c;
	unsigned ch;

	if (c == NULL)
		return;
	for (ch = 0; c->short_names != NULL && ch < c->nch; ch++)
		free(c->short_names[ch]);
	free(c->short_names);
	free(c->ports);
	ring_del(c->ring);
	free(o->bufs);
	free(o);
}

int
cap_offline_push(struct cap *c)
{
	struct cap_offline *o = (struct cap_offline *)c;

	/* A reservation that is not committed costs nothing. */
	if (ring_reserve_rt(c->ring, o->rec_bytes) == NULL)
		return 0;
	cap_process_rt(atomic_load(&c->period), c);
	atomic_fetch_add_explicit(&o->frame, atomic_load(&c->period),
	    memory_order_relaxed);
	return 1;
}

const float *
cap_offline_port(struct cap *c, unsigned ch)
{
	return ((struct cap_offline *)c)->bufs + (size_t)ch * CAP_MAX_PERIOD;
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

uint32_t
cap_frame_now(const struct cap *c)
{
	return jack_last_frame_time(c->client);
}

/* The clock runs as fast as frames are pushed. */
void
cap_frame_wall_time(const struct cap *c, uint32_t frame, struct timespec *ts)
{
	const struct cap_offline *o = (const void *)c;
	int64_t ns;

	ns = (int64_t)o->t0.tv_sec * 1000000000 + o->t0.tv_nsec +
	    (int64_t)frame * 1000000000 / (int64_t)c->rate;
	ts->tv_sec = (time_t)(ns / 1000000000);
	ts->tv_nsec = (long)(ns % 1000000000);
}
