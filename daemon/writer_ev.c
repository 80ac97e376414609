/*
 * writer_ev.c: events to the loop (writer_priv.h), through one queue, and
 * the flusher's done list drained into it.  Writer thread; once the writer
 * thread has ended, the main thread that stopped it (writer_stop).
 */
#include "writer_priv.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ring.h"

/*
 * Hands an event to the loop, with a file's loudness values (nloud of
 * them, file_closed).  A full queue (the loop is far behind) loses the
 * event, counted; the loop also logs everything it can read.
 */
static void
wr_event_loud(struct writer *w, const struct wr_out *o,
    enum writer_event_type type, const char *path, const char *text,
    uint64_t frames, uint64_t frame, const struct fmt_loudness *loud,
    unsigned nloud)
{
	struct writer_event *e;

	e = ring_reserve_rt(w->evq, sizeof(*e));
	if (e == NULL) {
		atomic_fetch_add(&w->st_events_lost, 1);
		return;
	}
	memset(e, 0, offsetof(struct writer_event, path));
	e->type = type;
	e->frames = frames;
	e->frame = frame;
	e->seconds = (double)frames / w->rate;
	e->time = time(NULL);
	e->nloud = nloud;
	if (nloud > 0)
		memcpy(e->loud, loud, nloud * sizeof(e->loud[0]));
	snprintf(e->text, sizeof(e->text), "%s", text != NULL ? text : "");
	snprintf(e->output, sizeof(e->output), "%s", o != NULL ? o->name : "");
	snprintf(e->path, sizeof(e->path), "%s", path != NULL ? path : "");
	ring_commit_rt(w->evq, sizeof(*e));
	if (w->notify != NULL)
		w->notify(w->notify_arg);
}

/* An event of the take. */
void
wr_event(struct writer *w, enum writer_event_type type, const char *path,
    const char *text, uint64_t frames, uint64_t frame)
{
	wr_event_loud(w, NULL, type, path, text, frames, frame, NULL, 0);
}

/* An event of output o. */
void
wr_oevent(struct wr_out *o, enum writer_event_type type, const char *path,
    const char *text, uint64_t frames, uint64_t frame)
{
	wr_event_loud(o->w, o, type, path, text, frames, frame, NULL, 0);
}

/*
 * What the flusher finished or deleted since the last look, as events: a
 * finished file is named as it is, .partial if its rename failed.
 */
void
wr_notes(struct wr_out *o)
{
	struct flush_note	*list, *n;
	char			 partial[FSET_PARTIAL_BYTES];

	if (o->fl == NULL)
		return;
	list = flush_notes(o->fl);
	for (n = list; n != NULL; n = n->next) {
		if (n->type == FLUSH_DELETED) {
			wr_oevent(o, WEV_FILE_DELETED, n->path, n->text, n->n,
			    0);
			continue;
		}
		snprintf(partial, sizeof(partial), "%s%s", n->path,
		    n->named ? "" : FS_PARTIAL);
		wr_event_loud(o->w, o, WEV_FILE_CLOSED, partial, n->text, n->n,
		    0, n->loud, n->nloud);
	}
	flush_notes_free(list);
}

/* Every job of o's queued so far has run, and what it finished is told. */
void
wr_flush_wait(struct wr_out *o)
{
	if (o->fl == NULL)
		return;
	flush_wait(o->fl);
	wr_notes(o);
}
