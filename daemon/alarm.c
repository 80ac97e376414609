/*
 * alarm.c: the alarms' states (alarm.h): what rose, what cleared, from
 * what the loop feeds in at each tick.  No clock, no I/O, so that a unit
 * test drives it.  Main thread.
 */
#include "alarm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define AL_PER_CH	3	/* silence, no_source, clip: per channel */
#define AL_QUEUE	64	/* changes a tick may leave; more wait */

struct al_slot {
	int		 on;
	int64_t		 since_ns;
	uint64_t	 count;
};

struct al_ch {
	struct al_slot	 s[AL_PER_CH];
	int64_t		 prev_loud;	/* loud_ns at the last tick */
	int64_t		 sig_since;	/* signal without a long gap since */
	uint64_t	 clips_seen;
	int64_t		 last_clip;
	int64_t		 unplugged;	/* no source since; 0: has one */
};

struct alarms {
	unsigned	 nch;
	int64_t		 silence_ns, clear_ns;
	unsigned char	*watch;		/* nch */
	struct al_ch	*ch;		/* nch */
	struct al_slot	 glob[ALARM_KINDS];
	int64_t		 take_ns;	/* the take began; 0: none */
	struct alarm_change q[AL_QUEUE];
	unsigned	 qhead, qlen;
};

static const char *const names[ALARM_KINDS] = {
	"silence", "no_source", "clip", "stalled", "jack_lost", "disk_low",
	"disk_full", "write_error", "disk_slow"
};

const char *
alarm_name(enum alarm_kind k)
{
	return k < ALARM_KINDS ? names[k] : "?";
}

struct alarms *
alarm_new(unsigned nch)
{
	struct alarms *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->nch = nch;
	a->watch = malloc(nch > 0 ? nch : 1);
	a->ch = calloc(nch > 0 ? nch : 1, sizeof(*a->ch));
	if (a->watch == NULL || a->ch == NULL) {
		alarm_del(a);
		errno = ENOMEM;
		return NULL;
	}
	memset(a->watch, 1, nch);
	return a;
}

void
alarm_del(struct alarms *a)
{
	if (a == NULL)
		return;
	free(a->watch);
	free(a->ch);
	free(a);
}

void
alarm_config(struct alarms *a, int64_t silence_ns, int64_t clear_ns,
    const unsigned char *watch)
{
	a->silence_ns = silence_ns;
	a->clear_ns = clear_ns;
	if (watch != NULL)
		memcpy(a->watch, watch, a->nch);
	else
		memset(a->watch, 1, a->nch);
}

/* A change for alarm_next; when the queue is full, it waits a tick. */
static int
al_change(struct alarms *a, struct al_slot *s, enum alarm_kind k,
    unsigned ch, int on, int64_t since_ns)
{
	struct alarm_change *c;

	if (a->qlen == AL_QUEUE)
		return 0;
	if (on) {
		s->on = 1;
		s->since_ns = since_ns;
	} else
		s->on = 0;
	c = &a->q[(a->qhead + a->qlen++) % AL_QUEUE];
	c->kind = k;
	c->ch = ch;
	c->cleared = !on;
	c->since_ns = s->since_ns;
	c->count = s->count;
	return 1;
}

/* A take begins: every channel starts with a clean slate. */
static void
al_take_begins(struct alarms *a, const struct alarm_in *in, int64_t now)
{
	struct al_ch	*c;
	unsigned	 i;

	a->take_ns = now;
	for (i = 0; i < a->nch; i++) {
		c = &a->ch[i];
		c->prev_loud = in->loud_ns[i];
		c->sig_since = now;
		c->clips_seen = in->clips[i];
		c->last_clip = 0;
		c->unplugged = 0;
	}
}

static void
al_silence(struct alarms *a, unsigned i, const struct alarm_in *in,
    int64_t now)
{
	struct al_ch	*c = &a->ch[i];
	struct al_slot	*s = &c->s[ALARM_SILENCE];
	int64_t		 loud = in->loud_ns[i], from;

	/* Signal that came back after a gap counts from there. */
	if (loud != c->prev_loud) {
		if (loud - c->prev_loud > ALARM_SIGNAL_GAP_NS ||
		    c->prev_loud < a->take_ns)
			c->sig_since = loud;
		c->prev_loud = loud;
	}
	if (!a->watch[i] || a->silence_ns <= 0) {
		if (s->on)
			al_change(a, s, ALARM_SILENCE, i + 1, 0, 0);
		return;
	}
	from = loud > a->take_ns ? loud : a->take_ns;
	if (!s->on && now - from >= a->silence_ns)
		al_change(a, s, ALARM_SILENCE, i + 1, 1, from);
	else if (s->on && now - loud < ALARM_SIGNAL_GAP_NS &&
	    loud - c->sig_since >= a->clear_ns)
		al_change(a, s, ALARM_SILENCE, i + 1, 0, 0);
}

static void
al_source(struct alarms *a, unsigned i, const struct alarm_in *in,
    int64_t now)
{
	struct al_ch	*c = &a->ch[i];
	struct al_slot	*s = &c->s[ALARM_NO_SOURCE];

	if (in->connected == NULL)
		return;		/* no client: the jack_lost alarm says it */
	if (in->connected[i]) {
		c->unplugged = 0;
		if (s->on)
			al_change(a, s, ALARM_NO_SOURCE, i + 1, 0, 0);
		return;
	}
	if (c->unplugged == 0)
		c->unplugged = now;
	if (!s->on && now - c->unplugged >= ALARM_NO_SOURCE_NS)
		al_change(a, s, ALARM_NO_SOURCE, i + 1, 1, c->unplugged);
}

/*
 * Clipping rises with the first clipped sample, counts the rest, and
 * clears a minute after the last: at most one alarm a minute a channel.
 */
static void
al_clip(struct alarms *a, unsigned i, const struct alarm_in *in,
    int64_t now)
{
	struct al_ch	*c = &a->ch[i];
	struct al_slot	*s = &c->s[ALARM_CLIP];
	uint64_t	 n = in->clips[i] - c->clips_seen;

	if (n > 0) {
		/* No room to say it: the clips wait for the next tick. */
		if (!s->on) {
			s->count = n;
			if (!al_change(a, s, ALARM_CLIP, i + 1, 1, now))
				return;
		} else
			s->count += n;
		c->clips_seen = in->clips[i];
		c->last_clip = now;
	} else if (s->on && now - c->last_clip >= ALARM_CLIP_NS)
		al_change(a, s, ALARM_CLIP, i + 1, 0, 0);
}

void
alarm_tick(struct alarms *a, const struct alarm_in *in, int64_t now_ns)
{
	struct al_slot	*s;
	unsigned	 i, k;

	if (in->taking && a->take_ns == 0)
		al_take_begins(a, in, now_ns);
	if (!in->taking)
		a->take_ns = 0;
	for (i = 0; i < a->nch; i++) {
		if (!in->taking) {
			/* The channels' alarms belong to a take. */
			for (k = 0; k < AL_PER_CH; k++) {
				s = &a->ch[i].s[k];
				if (s->on)
					al_change(a, s, (enum alarm_kind)k,
					    i + 1, 0, 0);
			}
			continue;
		}
		al_silence(a, i, in, now_ns);
		al_source(a, i, in, now_ns);
		al_clip(a, i, in, now_ns);
	}
	for (k = ALARM_STALLED; k < ALARM_KINDS; k++) {
		s = &a->glob[k];
		if (in->global[k] && !s->on)
			al_change(a, s, (enum alarm_kind)k, 0, 1, now_ns);
		else if (!in->global[k] && s->on)
			al_change(a, s, (enum alarm_kind)k, 0, 0, 0);
	}
}

int
alarm_next(struct alarms *a, struct alarm_change *c)
{
	if (a->qlen == 0)
		return 0;
	*c = a->q[a->qhead];
	a->qhead = (a->qhead + 1) % AL_QUEUE;
	a->qlen--;
	return 1;
}

int
alarm_active(const struct alarms *a, unsigned i, struct alarm_change *c)
{
	const struct al_slot	*s;
	unsigned		 k, ch;

	for (ch = 0; ch < a->nch; ch++)
		for (k = 0; k < AL_PER_CH; k++) {
			s = &a->ch[ch].s[k];
			if (s->on && i-- == 0)
				goto found;
		}
	for (k = ALARM_STALLED; k < ALARM_KINDS; k++) {
		s = &a->glob[k];
		ch = UINT32_MAX;
		if (s->on && i-- == 0)
			goto found;
	}
	return 0;
found:
	c->kind = (enum alarm_kind)k;
	c->ch = ch == UINT32_MAX ? 0 : ch + 1;
	c->cleared = 0;
	c->since_ns = s->since_ns;
	c->count = s->count;
	return 1;
}
