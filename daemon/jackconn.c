/*
 * jackconn.c: the JACK client's life: lost and found again, rate and
 * period changes, and the liveness guard that drops a client JACK runs no
 * more.  Main thread: the libuv loop.
 */
#include "recd.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "alarm.h"
#include "cap.h"
#include "cfg.h"
#include "cfgjson.h"
#include "ctlsrv.h"
#include "hooks.h"
#include "live.h"
#include "log.h"
#include "notify.h"
#include "proto.h"
#include "ring.h"
#include "writer.h"

static int	jack_back(struct recd *, char *, size_t);

/*
 * Where a take starts: a period after now.  JACK applies connections at a
 * cycle's start, so the cycle running while they were made may still
 * carry the silence of a port not yet connected.
 */
uint32_t
take_from(const struct cap *c)
{
	return cap_frame_now(c) + cap_period(c);
}

int64_t
mono_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Counters over every JACK client this recd had. */
uint64_t
dropped_frames(const struct recd *r)
{
	return r->dropped_before + (r->cap != NULL ?
	    cap_dropped_frames(r->cap) : 0);
}

uint64_t
xruns(const struct recd *r)
{
	return r->xruns_before + (r->cap != NULL ? cap_xruns(r->cap) : 0);
}

/*
 * The JACK server went away, or (stalled, said by the caller) it keeps our
 * client but runs it no more, or too rarely: the writer finishes every
 * file with what the ring still holds,
 * the client goes, and the loop tries to reach a server again, backing off
 * from RECD_RETRY_MIN_MS to RECD_RETRY_MAX_MS (after a stall, at once).
 * The time without audio counts from the last period.
 */
void
jack_lost(struct recd *r, int stalled)	/* 1: no period; 2: too few */
{
	int64_t	 since_ns = stalled ? r->live.last_ns : mono_now_ns();
	cJSON	*f;

	if (!stalled)
		log_errx("jack: the server went away; finishing the files, "
		    "then waiting for it to come back");
	writer_stop(r->writer);
	forward_events(r);
	r->dropped_before += cap_dropped_frames(r->cap);
	r->xruns_before += cap_xruns(r->cap);
	r->xruns_seen = r->xruns_before;
	notify_set_cap(r->notify, NULL);
	notify_set_deaf(r->notify, 0);
	cap_close(r->cap);
	r->cap = NULL;
	r->stall_reconnect = stalled;
	r->jack_lost_at.tv_sec = (time_t)(since_ns / 1000000000);
	r->jack_lost_at.tv_nsec = (long)(since_ns % 1000000000);
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "reason", stalled == 2 ? "starved" :
	    stalled ? "stalled" : "server_lost");
	send_event(r, "jack_lost", f);
	r->jack_tries = 0;
	r->jack_err[0] = '\0';
	r->jack_retry_ms = RECD_RETRY_MIN_MS;
	uv_timer_start(&r->jack_timer, jack_retry, stalled ? 0 :
	    r->jack_retry_ms, 0);
}

/* A server is there again: a new client, and the take goes on. */
static int
jack_back(struct recd *r, char *err, size_t errlen)
{
	struct timespec	 now;
	double		 lost_s;
	cJSON		*f;

	clock_gettime(CLOCK_MONOTONIC, &now);
	lost_s = (double)(now.tv_sec - r->jack_lost_at.tv_sec) +
	    (now.tv_nsec - r->jack_lost_at.tv_nsec) / 1e9;
	writer_attach(r->writer, r->cap, lost_s, r->stall_reconnect == 2 ?
	    "JACK ran recd too rarely; recd connected afresh" :
	    r->stall_reconnect ? "JACK ran recd no more (stalled); recd "
	    "connected afresh" : "the JACK server was away");
	if (writer_start(r->writer, err, errlen) != 0)
		return -1;
	if (cap_activate(r->cap, &r->cfg, err, errlen) != 0)
		return -1;
	live_attach(&r->live, cap_cycles(r->cap), mono_now_ns(),
	    cap_rate(r->cap), cap_period(r->cap), r->stall_reconnect);
	r->stall_reconnect = 0;
	if (writer_listen(r->writer, take_from(r->cap)) != 0)
		log_warnx("jack: the writer's queue is full: no pre-record "
		    "until the next JACK client");
	if (r->taking && writer_take(r->writer, 1, take_from(r->cap), 0) != 0)
		log_warnx("jack: the writer's queue is full: the take goes on "
		    "with the next start command");
	notify_set_cap(r->notify, r->cap);
	if (cap_rate(r->cap) != r->rate)
		log_warnx("jack: the sample rate is now %u Hz (was %u); new "
		    "files are at the new rate", cap_rate(r->cap), r->rate);
	r->rate = cap_rate(r->cap);
	r->period = cap_period(r->cap);
	set_hello(r);
	log_warnx("jack: the server is back after %.1f s (%u Hz, period "
	    "%u)%s", lost_s, r->rate, r->period, r->taking ?
	    "; recording goes on in new files" : "");
	f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "lost_seconds", lost_s);
	cJSON_AddNumberToObject(f, "rate", r->rate);
	cJSON_AddNumberToObject(f, "period", r->period);
	send_event(r, "jack_back", f);
	return 0;
}

void
jack_retry(uv_timer_t *t)
{
	struct recd	*r = t->data;
	char		 err[1024];

	if (r->stopping)
		return;
	r->jack_tries++;
	r->cap = cap_open(&r->cfg, wake_loop, r, err, sizeof(err));
	if (r->cap != NULL && jack_back(r, err, sizeof(err)) == 0)
		return;
	if (r->cap != NULL) {
		/* Reached, but not usable: a client half made goes. */
		writer_stop(r->writer);
		cap_close(r->cap);
		r->cap = NULL;
	}
	/*
	 * Said once, then about every ten minutes, and whenever the failure
	 * is not the last one's (a server that is there but refuses us says
	 * another status than one that is not there).
	 */
	if (r->jack_tries == 1 || r->jack_tries % 60 == 0 ||
	    strcmp(err, r->jack_err) != 0)
		log_warnx("%s; trying again (every %u s at most)", err,
		    RECD_RETRY_MAX_MS / 1000);
	else
		log_debug("%s", err);
	snprintf(r->jack_err, sizeof(r->jack_err), "%s", err);
	r->jack_retry_ms = r->jack_retry_ms * 2 > RECD_RETRY_MAX_MS ?
	    RECD_RETRY_MAX_MS : r->jack_retry_ms * 2;
	uv_timer_start(&r->jack_timer, jack_retry, r->jack_retry_ms, 0);
}

/*
 * The server's rate or period is not what it was (PipeWire's
 * clock.force-rate and clock.force-quantum; jack_set_buffer_size).  The
 * writer ends its files at a rate change by itself, from the records:
 * this tells the log, the clients and the guard.
 */
void
jack_changed(struct recd *r)
{
	unsigned	 rate = cap_rate(r->cap);
	uint32_t	 period = cap_period(r->cap);
	cJSON		*f;

	if (rate != r->rate) {
		log_warnx("jack: the sample rate is now %u Hz (was %u)%s",
		    rate, r->rate, r->taking ? "; recording goes on in new "
		    "files at the new rate" : "");
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "rate", rate);
		cJSON_AddNumberToObject(f, "was", r->rate);
		r->rate = rate;
		send_event(r, "rate_changed", f);
		set_hello(r);
	}
	if (period != r->period) {
		log_warnx("jack: the period is now %u frames (was %u)",
		    period, r->period);
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "period", period);
		cJSON_AddNumberToObject(f, "was", r->period);
		r->period = period;
		send_event(r, "period_changed", f);
	}
	live_set_period(&r->live, r->rate, r->period);
}

/*
 * The liveness guard, every RECD_TICK_MS while a client is there:
 * no period for a second (or three periods) is said at once; a stall that
 * lasts gets a fresh client; a fresh client as deaf ends recd (exit 1),
 * so that the service manager starts it again and the start repairs the
 * files.  A client run too rarely gets a fresh one too; when that one is
 * run as rarely, it is said, and recd records what comes.
 */
void
live_tick(struct recd *r)
{
	int64_t			 now = mono_now_ns(), age;
	uint64_t		 got, expected;
	enum live_verdict	 v;
	cJSON			*f;

	if (r->stopping || r->cap == NULL || cap_server_lost(r->cap))
		return;
	age = live_age_ns(&r->live, now);
	v = live_check(&r->live, cap_cycles(r->cap), now);
	/* Deaf while a take is asked for: it may start or stop meanwhile. */
	notify_set_deaf(r->notify, r->live.stalled && r->taking);
	switch (v) {
	case LIVE_OK:
		break;
	case LIVE_STALLED:
		/* The writer first: the first period after it may be near. */
		writer_stalled(r->writer, r->live.cycles);
		log_errx("jack: no period from the server for %.1f s: nothing "
		    "is recorded%s; if this lasts %lld s more, recd connects "
		    "afresh", (double)age / 1e9, r->taking ? " (the time "
		    "without audio is a gap)" : "",
		    (long long)(LIVE_RECONNECT_NS / 1000000000));
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "seconds", (double)age / 1e9);
		send_event(r, "stalled", f);
		break;
	case LIVE_BACK:
		log_warnx("jack: periods again after %.1f s without",
		    (double)age / 1e9);
		writer_unstalled(r->writer, age);
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "seconds", (double)age / 1e9);
		send_event(r, "stall_ended", f);
		break;
	case LIVE_RECONNECT:
		log_errx("jack: still no period after %.1f s; finishing the "
		    "files, dropping the client and connecting afresh",
		    (double)age / 1e9);
		jack_lost(r, 1);
		break;
	case LIVE_STARVED:
		/*
		 * JACK2 leaves a client half deaf when another client's open
		 * failed on its refnum (test_restart): a clean close tells
		 * the other clients, and a new client is heard again.
		 */
		live_window(&r->live, &got, &expected);
		log_errx("jack: the server ran recd for %llu of its last %llu "
		    "periods; finishing the files, dropping the client and "
		    "connecting afresh", (unsigned long long)got,
		    (unsigned long long)expected);
		jack_lost(r, 2);
		break;
	case LIVE_OVERLOADED:
		live_window(&r->live, &got, &expected);
		log_errx("jack: a fresh client is run for %llu of %llu periods "
		    "as well: the machine or the server is overloaded; recd "
		    "records what it is given, each gap logged",
		    (unsigned long long)got, (unsigned long long)expected);
		break;
	case LIVE_GIVE_UP:
		log_errx("jack: a fresh client is not run either; exiting so "
		    "that the service manager starts recd again");
		shutdown_recd(r, 1);
		break;
	}
}

/* The loop's clock may have run a little behind: not due yet, again. */
static void
live_due(uv_timer_t *t)
{
	live_tick(t->data);
	live_soon(t->data);
}

/*
 * After a tick: when no period has come for so long that the stall falls
 * due before the next tick, the guard wakes for it then.  Periods come
 * every few ms, so this costs nothing while they do.
 */
void
live_soon(struct recd *r)
{
	int64_t	 left;

	if (r->stopping || r->cap == NULL || cap_server_lost(r->cap) ||
	    r->live.stalled)
		return;
	left = r->live.stall_ns - live_age_ns(&r->live, mono_now_ns());
	if (left < (int64_t)RECD_TICK_MS * 1000000)
		uv_timer_start(&r->live_timer, live_due, left > 0 ?
		    (uint64_t)(left / 1000000) + 1 : 0, 0);
}
