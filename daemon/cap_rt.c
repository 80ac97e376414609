/*
 * cap_rt.c: the JACK process callback.  It runs on JACK's real-time thread
 * and does one thing: copy each port's buffer into one ring record.  No
 * allocation, lock, system call or log; a full ring drops the period and
 * the next record says how many frames went missing.
 */
#include "cap.h"

#include <string.h>

#include "cap_priv.h"
#include "ring.h"

int
cap_process_rt(uint32_t nframes, void *arg)
{
	struct cap	*c = arg;
	struct cap_rec	 h;
	unsigned char	*p;
	size_t		 block = (size_t)nframes * sizeof(float);
	unsigned	 ch;
	uint64_t	 cycle;

	/* Alive: the liveness guard counts on this, whatever comes next. */
	cycle = atomic_fetch_add_explicit(&c->cycles, 1,
	    memory_order_relaxed) + 1;
	/*
	 * Deactivating: JACK disconnects our ports before the last cycles it
	 * still runs us in, so they would be digital silence, not audio.
	 */
	if (atomic_load_explicit(&c->quiet, memory_order_acquire))
		return 0;
	p = ring_reserve_rt(c->ring, sizeof(h) + block * c->nch);
	if (p == NULL) {
		c->pending_drop += nframes;
		atomic_fetch_add_explicit(&c->dropped, nframes,
		    memory_order_relaxed);
		return 0;
	}
	memset(&h, 0, sizeof(h));
	h.nframes = nframes;
	h.frame_time = jack_last_frame_time(c->client);
	h.dropped = c->pending_drop;
	/*
	 * The rate each period was captured at.  JACK2 calls the sample-rate
	 * callback before the first period at a new rate, and so does
	 * PipeWire's JACK (it holds the process callback back until then), so
	 * that the writer ends its files exactly there.
	 */
	h.rate = atomic_load_explicit(&c->rate, memory_order_relaxed);
	h.cycle = cycle;
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	for (ch = 0; ch < c->nch; ch++, p += block)
		memcpy(p, jack_port_get_buffer(c->ports[ch], nframes), block);
	ring_commit_rt(c->ring, sizeof(h) + block * c->nch);
	c->pending_drop = 0;
	return 0;
}
