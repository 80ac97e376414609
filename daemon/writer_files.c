/*
 * writer_files.c: the file sets as mechanism (writer_priv.h): names the
 * files of a stretch, has the flusher open them ahead of a boundary,
 * converts frames into their buffers, rotates at the boundary and closes.
 * Every failure is returned as -errno, logged with the file; what follows
 * is the take's to decide (writer_take.c).  Writer thread.
 */
#include "writer_priv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "conv.h"
#include "fmt.h"
#include "fsutil.h"
#include "log.h"
#include "loud.h"
#include "version.h"

/*
 * The boundary after the stretch that starts at frame start: clock.c
 * plans it; here it is kept, and a re-alignment told.
 */
void
wr_plan_rotation(struct wr_out *o, uint64_t start, const struct timespec *wall,
    const struct timespec *nominal)
{
	struct writer	*w = o->w;
	struct clock_plan p;

	clock_plan_rotation(o->cfg.rotate_seconds, o->cfg.rotate_align,
	    w->take_off, w->rate, start, wall, nominal, &p);
	if (p.at == CLOCK_NEVER) {
		o->rotate_at = WR_NEVER;
		return;
	}
	if (p.drift_s != 0)
		log_info("rotation: the sample clock is %.3f s off the wall "
		    "clock; this file is %lld frames long to keep files on "
		    "the wall clock's boundaries", p.drift_s,
		    (long long)(p.at - start));
	o->rotate_wall = p.wall;
	o->rotate_at = p.at;
}

/* Port names go into file names: keep them to a safe alphabet. */
static void
safe_name(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i] != '\0'; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ||
		    (src[i] >= 'A' && src[i] <= 'Z') ||
		    (src[i] >= '0' && src[i] <= '9') || src[i] == '-' ||
		    src[i] == '.' || src[i] == '_' ? src[i] : '_';
	dst[i] = '\0';
}

/*
 * The template expanded at the wall time of s, on the take's timeline.
 * Once local time has left the take's offset (a daylight-saving change
 * during the take), the names stay on the timeline and say its offset,
 * unless the template shows a zone itself: a fall-back change would
 * otherwise name an hour twice, and the second hour's files would sort
 * among the first's.
 */
static int
wr_expand(struct wr_out *o, const struct fset *s, char *rel, size_t len)
{
	struct writer	*w = o->w;
	char	zone[CLOCK_ZONE_BYTES];
	int	shifted;

	if (clock_expand(o->cfg.name_template, s->wall.tv_sec, w->take_off,
	    o->cfg.timezone == CFG_TZ_UTC, rel, len, &shifted) == 0) {
		log_errx("name_template: \"%s\": expands to nothing, or to "
		    "more than %zu bytes", o->cfg.name_template, len - 1);
		return -EINVAL;
	}
	if (shifted && !w->zone_told) {
		w->zone_told = 1;
		clock_zone(w->take_off, zone);
		log_info("time: local time has left %s, where this take "
		    "began; its files stay on that timeline (TimeReference "
		    "runs on)%s", zone,
		    clock_template_has_zone(o->cfg.name_template) ? "" :
		    ", and their names end in it");
	}
	return 0;
}

/*
 * Names the files of set s from its wall time: directory/template (and
 * the take's offset, wr_expand), then -N when any of the names is taken,
 * then _chNN_PORT in split mode, .wav.
 */
static int
wr_name_set(struct wr_out *o, struct fset *s)
{
	struct writer	*w = o->w;
	char		rel[PATH_MAX], base[PATH_MAX], port[64];
	char		partial[FSET_PARTIAL_BYTES];
	const char	*p;
	unsigned	i, suffix;
	int		taken, n, rc;

	if ((rc = wr_expand(o, s, rel, sizeof(rel))) != 0)
		return rc;
	for (p = rel; p != NULL; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (rel[0] == '/' || (p[0] == '.' && p[1] == '.' &&
		    (p[2] == '/' || p[2] == '\0'))) {
			log_errx("name_template: \"%s\" gives \"%s\", which "
			    "leaves directory", o->cfg.name_template, rel);
			return -EINVAL;
		}
	}
	for (suffix = 0; suffix <= WR_MAX_SUFFIX; suffix++) {
		if (suffix == 0)
			n = snprintf(base, sizeof(base), "%s/%s",
			    o->cfg.directory, rel);
		else
			n = snprintf(base, sizeof(base), "%s/%s-%u",
			    o->cfg.directory, rel, suffix);
		if (n < 0 || (size_t)n >= sizeof(base) - 80)
			goto toolong;
		taken = 0;
		for (i = 0; i < s->n; i++) {
			if (s->split) {
				safe_name(port, sizeof(port),
				    cap_port_short_name(w->cap, o->ch[i]));
				snprintf(s->f[i].path, sizeof(s->f[i].path),
				    w->nch > 99 ? "%s_ch%03u_%s%s" :
				    "%s_ch%02u_%s%s", base, o->ch[i] + 1, port,
				    s->kind->be->ext);
			} else
				snprintf(s->f[i].path, sizeof(s->f[i].path),
				    "%s%s", base, s->kind->be->ext);
			snprintf(partial, sizeof(partial), "%s" FS_PARTIAL,
			    s->f[i].path);
			/*
			 * The .partial first: the flusher may give a file of
			 * the last set its final name between the two looks,
			 * and then the second sees it.  (Final name first,
			 * both looks could miss it, and the file it was
			 * could not be renamed over: test_deaf, files in one
			 * second after many xruns.)
			 */
			taken |= fs_exists(partial) || fs_exists(s->f[i].path);
		}
		if (!taken)
			return 0;
	}
	log_errx("file %s%s: taken, and so are the next %d names", base,
	    s->kind->be->ext, WR_MAX_SUFFIX);
	return -EEXIST;
toolong:
	log_errx("directory %s: file names from \"%s\" are too long",
	    o->cfg.directory, o->cfg.name_template);
	return -ENAMETOOLONG;
}

/* Every meter of s gone, whatever mode the set had. */
static void
wr_loud_drop(struct wr_out *o, struct fset *s)
{
	unsigned i;

	for (i = 0; i < o->nch; i++) {
		loud_del(s->f[i].loud);
		s->f[i].loud = NULL;
		s->f[i].nloud = 0;
	}
}

/*
 * Where the take's channels first..last (from 1) are in o's files: the
 * columns (from 1) that hold them in that order, or 0 when o records not
 * all of them so.
 */
static unsigned
wr_loud_column(const struct wr_out *o, unsigned first, unsigned last)
{
	unsigned k, j;

	for (k = 0; k < o->nch; k++) {
		if (o->ch[k] != first - 1)
			continue;
		for (j = 1; j <= last - first; j++)
			if (k + j >= o->nch || o->ch[k + j] != first - 1 + j)
				return 0;
		return k + 1;
	}
	return 0;
}

/*
 * The loudness groups of the files of s, as the option asks now (the
 * take's channels, where o's files hold them); the flusher (or the
 * writer, at a take's start) makes the meters as it opens the files
 * (fset_open_files).
 */
static void
wr_loud_begin(struct wr_out *o, struct fset *s)
{
	const struct cfg_list	*l = &o->cfg.loudness;
	unsigned		 first, last, col;
	size_t			 i;

	wr_loud_drop(o, s);
	s->nloud = 0;
	for (i = 0; i < l->n && s->nloud < CFG_LOUD_MAX; i++) {
		if (cfg_loud_group(l->v[i], &first, &last) != 0 ||
		    (col = wr_loud_column(o, first, last)) == 0)
			continue;
		s->loud_first[s->nloud] = col;
		s->loud_last[s->nloud] = col + last - first;
		s->nloud++;
	}
}

/* s is retired: each file's loudness, for its header and its event. */
static void
wr_loud_end(struct wr_out *o, struct fset *s)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		if (s->f[i].loud != NULL)
			s->f[i].nloud = loud_get(s->f[i].loud,
			    s->f[i].loudv);
	for (i = 0; i < o->nch; i++) {
		loud_del(s->f[i].loud);
		s->f[i].loud = NULL;
	}
}

/*
 * Throws the files of s away: they hold nothing of the take yet.  Files
 * the flusher is opening are waited for first.
 */
void
wr_discard_set(struct wr_out *o, struct fset *s)
{
	char		partial[FSET_PARTIAL_BYTES], err[256];
	unsigned	i;

	/* No job may touch the files now. */
	if (s->opening)
		flush_wait_for(o->fl, s->job);
	for (i = 0; s->open && i < s->n; i++) {
		(void)wr_reclaim(o, &s->f[i].b[0], 1);
		(void)wr_reclaim(o, &s->f[i].b[1], 1);
	}
	for (i = 0; i < s->n; i++) {
		if (s->f[i].h != NULL) {
			s->f[i].be->close(s->f[i].h, err, sizeof(err));
			s->f[i].h = NULL;
			snprintf(partial, sizeof(partial), "%s" FS_PARTIAL,
			    s->f[i].path);
			unlink(partial);
		}
		if (s->f[i].sfd >= 0)
			flush_drop(o->fl, s->f[i].sfd);
		s->f[i].sfd = -1;
	}
	wr_loud_drop(o, s);
	wr_dg_drop(s);
	s->open = s->opening = 0;
}

/*
 * What the headers say of the files' origin and identity (iXML, bext
 * CodingHistory): who made them, the take, and an id for the set of
 * files, unique without asking anyone (128 random bits).
 */
static void
wr_identify_set(struct wr_out *o, struct fset *s)
{
	struct writer	*w = o->w;
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 r[16];
	struct tm		 tm;
	const char		*server;
	time_t			 t;
	unsigned		 i;

	server = o->cfg.jack_server[0] != '\0' ? o->cfg.jack_server :
	    getenv("JACK_DEFAULT_SERVER");
	snprintf(s->coding, sizeof(s->coding), "recd %s; JACK server %s; "
	    "client %s", RECD_VERSION, server != NULL && server[0] != '\0' ?
	    server : "default", o->cfg.client_name);
	s->par.coding = s->coding;
	t = (time_t)atomic_load(&w->st_take_start);
	if (t == 0)
		t = s->wall.tv_sec;
	/* On the take's timeline, as the names are. */
	t += w->take_off;
	gmtime_r(&t, &tm);
	strftime(s->take, sizeof(s->take), "%Y%m%d-%H%M%S", &tm);
	s->par.take = s->take;
	if (getentropy(r, sizeof(r)) != 0) {
		/* No entropy: the time and our pid are unique enough here. */
		memset(r, 0, sizeof(r));
		memcpy(r, &s->wall, sizeof(s->wall) < 12 ? sizeof(s->wall) :
		    12);
		r[12] = (unsigned char)getpid();
		r[13] = (unsigned char)(getpid() >> 8);
		r[14] = (unsigned char)s->start;
		r[15] = (unsigned char)(s->start >> 8);
	}
	for (i = 0; i < sizeof(r); i++) {
		s->uid[2 * i] = hex[r[i] >> 4];
		s->uid[2 * i + 1] = hex[r[i] & 0xF];
	}
	s->uid[2 * sizeof(r)] = '\0';
	s->par.uid = s->uid;
}

/*
 * Names the files of s, whose start, wall and time_ref are set, in the
 * mode and format the configuration asks for now, and sets what their
 * headers say; fset_open_files opens them.
 */
static int
wr_open_begin(struct wr_out *o, struct fset *s)
{
	struct writer	*w = o->w;
	unsigned	i, k;
	int		rc;

	s->written = 0;
	s->split = o->cfg.mode == CFG_MODE_SPLIT;
	s->n = s->split ? o->nch : 1;
	s->kind = fmt_kind(o->cfg.format);
	s->fmt = s->kind->conv;
	s->frame_bytes = conv_sample_bytes(s->fmt) * (s->split ? 1 : o->nch);
	s->buf_bytes = s->split ? WR_SPLIT_BUF : WR_BUF_BYTES;
	for (i = 0; i < s->n; i++) {
		for (k = 0; k < 2; k++) {
			s->f[i].b[k].f = &s->f[i];
			s->f[i].b[k].base = s->arena + (2 * i + k) *
			    (s->buf_bytes + FMT_ALIGN);
			s->f[i].b[k].p = s->f[i].b[k].base;
			s->f[i].b[k].len = 0;
			s->f[i].b[k].busy = 0;
		}
		s->f[i].be = s->kind->be;
		s->f[i].fill = 0;
		s->f[i].handed = 0;
		s->f[i].failed = 0;
	}
	if ((rc = wr_name_set(o, s)) != 0)
		return rc;
	memset(&s->par, 0, sizeof(s->par));
	s->par.channels = s->split ? 1 : o->nch;
	s->par.rate = w->rate;
	s->par.bits = s->kind->bits;
	s->par.is_float = s->kind->is_float;
	s->par.direct = !s->split &&
	    s->frame_bytes * w->rate >= WR_DIRECT_RATE;
	s->par.time_ref = s->time_ref;
	s->par.origin = s->wall.tv_sec;
	s->par.origin_off_s = w->take_off;
	s->par.utc = o->cfg.timezone == CFG_TZ_UTC;
	s->par.level = (int)o->cfg.flac_level;
	s->par.kbps = (unsigned)(o->cfg.format == CFG_FMT_MP3 ?
	    o->cfg.mp3_bitrate : o->cfg.opus_bitrate);
	/* Copies: the client may be replaced while the flusher opens. */
	for (i = 0; i < o->nch; i++) {
		snprintf(s->name_buf + (size_t)i * FSET_PORT_BYTES,
		    FSET_PORT_BYTES, "%s", cap_port_short_name(w->cap,
		    o->ch[i]));
		s->names[i] = s->name_buf + (size_t)i * FSET_PORT_BYTES;
	}
	s->par.names = s->names;
	/* A copy: the configuration may change while the flusher opens. */
	if (o->cfg.description != NULL) {
		snprintf(s->desc, sizeof(s->desc), "%s", o->cfg.description);
		s->par.description = s->desc;
	}
	wr_identify_set(o, s);
	wr_loud_begin(o, s);
	wr_dg_attach(o, s);
	return 0;
}

/* The files of s are open (rc 0): ready to take over. */
static int
wr_open_done(struct wr_out *o, struct fset *s, int rc)
{
	s->opening = 0;
	if (rc != 0) {
		wr_discard_set(o, s);
		return rc;
	}
	flush_dirsync(o->fl, s->f[0].path);
	s->open = 1;
	atomic_fetch_add(&o->st_opened, s->n);
	log_info("file %s%s: opened%s%s", s->f[0].path,
	    s->n > 1 ? " and the other channels" : "",
	    s->cue0[0] != '\0' ? "; marker: " : "", s->cue0);
	return 0;
}

/*
 * The files of s are the ones being recorded from now on.  The loop lists
 * them now, not when they are opened, since files opened ahead for a
 * boundary that a pause or a rotate command moved are thrown away unused.
 * Their header refreshes and syncs fall due spread over the periods, so
 * that 64 split files do not all write out their buffers in one pass.
 */
void
wr_announce(struct wr_out *o, struct fset *s)
{
	char		partial[FSET_PARTIAL_BYTES];
	int64_t		now = wr_mono_ns();
	unsigned	i;

	for (i = 0; i < s->n; i++) {
		s->f[i].update_ns = now + (int64_t)(o->cfg.header_seconds *
		    1e9 * (i + 1) / s->n);
		s->f[i].sync_ns = now + (int64_t)(o->cfg.fsync_seconds * 1e9 *
		    (i + 1) / s->n);
		snprintf(partial, sizeof(partial), "%s" FS_PARTIAL,
		    s->f[i].path);
		wr_oevent(o, WEV_FILE_OPENED, partial, NULL, 0, 0);
	}
}

/* Opens the files of s here and now. */
int
wr_open_set(struct wr_out *o, struct fset *s)
{
	int rc;

	if ((rc = wr_open_begin(o, s)) != 0)
		return rc;
	return wr_open_done(o, s, fset_open_files(s));
}

/*
 * Takes b back from the flusher, waiting for it if wait.  Returns what
 * its job met (0 or -errno), or 0 if it is not back yet.
 */
int
wr_reclaim(struct wr_out *o, struct fset_buf *b, int wait)
{
	if (!b->busy)
		return 0;
	if (wait)
		flush_wait_for(o->fl, b->job);
	else if (!flush_done(o->fl, b->job))
		return 0;
	b->busy = 0;
	b->len = 0;
	return b->err;
}

/*
 * Hands the buffer being filled to the flusher, with a header refresh or
 * a sync after it if asked, and fills the other one from now on, once the
 * flusher is done with it.  Returns 0, or an error that a write of this
 * file met (logged), now or before.
 */
int
wr_flush(struct wr_out *o, struct fset_file *f, int update, int sync)
{
	struct fset_buf *b = &f->b[f->fill];

	if (b->len == 0 && !update && !sync)
		return 0;
	f->handed += b->len;
	b->update = update;
	b->sync = sync;
	b->err = 0;
	b->busy = 1;
	b->job = flush_write(o->fl, b);
	f->fill ^= 1;
	return wr_reclaim(o, &f->b[f->fill], 1);
}

/*
 * The files of s are closed: the flusher syncs them and gives them their
 * final names (flush_finish), the last one with the directory's sync.
 */
static void
wr_close_done(struct wr_out *o, struct fset *s)
{
	char		text[64];
	unsigned	i;

	snprintf(text, sizeof(text), "%u %s %u", s->split ? 1 : o->nch,
	    s->kind->name, s->par.rate);
	for (i = 0; i < s->n; i++) {
		flush_finish(o->fl, s->f[i].sfd, s->f[i].path, text, s->frames,
		    i + 1 == s->n, s->f[i].loudv, s->f[i].nloud);
		s->f[i].nloud = 0;
		s->f[i].sfd = -1;
	}
	s->closing = 0;
	atomic_fetch_add(&o->st_closed, s->n);
	log_info("file %s%s: closed, %llu frames (%.3f s)", s->f[0].path,
	    s->n > 1 ? " and the other channels" : "",
	    (unsigned long long)s->frames, (double)s->frames / s->par.rate);
}

/*
 * 1 once the flusher's job on s has run (wait: wait for it), and the pass
 * did rotation work; 0 while it has not.
 */
static int
wr_job_back(struct wr_out *o, const struct fset *s, int wait)
{
	struct writer	*w = o->w;
	if (wait)
		flush_wait_for(o->fl, s->job);
	else if (!flush_done(o->fl, s->job))
		return 0;
	w->turned = 1;
	return 1;
}

/*
 * The old files, once the flusher has closed them (wait: wait for it).
 * Returns 0, or the error their closing met.
 */
int
wr_old_done(struct wr_out *o, int wait)
{
	struct fset *s = o->old;

	if (!s->closing || !wr_job_back(o, s, wait))
		return 0;
	wr_close_done(o, s);
	return s->job_err;
}

/*
 * Closes the files of cur here and now, after the old ones.  cur is free
 * again when it returns.
 */
int
wr_close_cur(struct wr_out *o, const char *cue_end)
{
	struct fset	*s = o->cur;
	unsigned	 i, k;
	int		 rc, r;

	rc = wr_old_done(o, 1);
	if (!s->open)
		return rc;
	/* Every write of cur is done: the files are the writer's again. */
	for (i = 0; i < s->n; i++)
		for (k = 0; k < 2; k++)
			if ((r = wr_reclaim(o, &s->f[i].b[k], 1)) != 0 &&
			    rc == 0)
				rc = r;
	wr_loud_end(o, s);
	wr_dg_end(s);
	fset_retire(s);
	r = fset_close_files(s, cue_end);
	wr_close_done(o, s);
	return rc != 0 ? rc : r;
}

/*
 * The files of cur go to the flusher to be finished after the writes it
 * has of them, as the old ones at a boundary, the writer waiting for
 * nothing; the old ones must be finished already.  cur is free again.
 */
void
wr_close_cur_later(struct wr_out *o)
{
	struct fset *s = o->cur;

	wr_loud_end(o, s);
	wr_dg_end(s);
	fset_retire(s);
	s->job = flush_close(o->fl, s);
	o->cur = o->old;
	o->old = s;
}

/*
 * The next files, once the flusher has opened them (wait: wait for it).
 * Returns 0 (open, or still opening), or the error their opening met.
 */
int
wr_next_done(struct wr_out *o, int wait)
{
	struct fset *s = o->next;

	if (!s->opening || !wr_job_back(o, s, wait))
		return 0;
	return wr_open_done(o, s, s->job_err);
}

/*
 * At the boundary: the prepared files take over, and the old ones go to
 * the flusher to be closed.  So a boundary costs the writer next to
 * nothing, unless the next files are not open yet.  Returns 0 or -errno.
 */
static int
wr_rotate(struct wr_out *o)
{
	struct writer	*w = o->w;
	struct fset	*old = o->cur, *nx = o->next, *t;
	struct timespec	 nominal = o->rotate_wall, now_wall;
	uint64_t	 at = o->rotate_at;
	int		 rc;

	if (wr_next_done(o, 1) != 0)
		log_warnx("%snext files: trying again at the boundary",
		    WR_WHO(o));
	if (nx->open && nx->start != at)
		wr_discard_set(o, nx);	/* opened for another boundary */
	if (!nx->open) {
		/* Not prepared (a boundary soon after the last). */
		nx->start = at;
		nx->wall = nominal;
		nx->time_ref = clock_time_ref(old->time_ref, old->start, at,
		    w->rate);
		nx->cue0[0] = '\0';
		if ((rc = wr_open_set(o, nx)) != 0)
			return rc;
	}
	/* The files before the old ones, if any are left. */
	if ((rc = wr_old_done(o, 1)) != 0)
		return rc;
	wr_loud_end(o, old);
	wr_dg_end(old);
	fset_retire(old);
	old->job = flush_close(o->fl, old);
	t = o->old;
	o->old = old;
	o->cur = nx;
	o->next = t;
	wr_announce(o, nx);
	cap_frame_wall_time(w->cap, (uint32_t)at, &now_wall);
	wr_plan_rotation(o, at, &now_wall, &nominal);
	w->turned = 1;
	return rc;
}

/* Has the flusher open the next files, ahead of the boundary. */
void
wr_prepare(struct wr_out *o)
{
	struct writer	*w = o->w;
	struct fset *s = o->next;

	if (s->open || s->opening || o->rotate_at == WR_NEVER ||
	    !o->cur->open)
		return;
	if ((int64_t)(o->rotate_at - o->pos) * 1000000000 / w->rate >
	    WR_PREPARE_NS)
		return;
	s->start = o->rotate_at;
	s->wall = o->rotate_wall;
	s->time_ref = clock_time_ref(o->cur->time_ref, o->cur->start,
	    o->rotate_at, w->rate);
	s->cue0[0] = '\0';
	if (wr_open_begin(o, s) != 0) {
		log_warnx("%snext files: will try again at the boundary",
		    WR_WHO(o));
		return;
	}
	s->opening = 1;
	s->job = flush_open(o->fl, s);
	w->turned = 1;
}

/*
 * The piece the writer is writing to every output (wr_write_all), in the
 * scratch of output o's channels: converted once, whoever asks first,
 * for every output of those channels in that format and layout.  Returns
 * the scratch, or NULL when this is no such piece: convert in place.
 */
static const unsigned char *
wr_shared(struct wr_out *o, const struct fset *s, const float *const *src,
    size_t off, uint64_t n)
{
	struct writer	*w = o->w;
	struct wr_out	*l;
	size_t		 sb;
	unsigned	 i;

	if (o->share < 0 || w->sh_src != src || w->sh_off != off ||
	    w->sh_n != n || n > WR_SHARE_FRAMES)
		return NULL;
	l = &w->out[o->share];
	if (w->sh_done[o->share] == w->sh_seq)
		/* Another format now (a set opened before a change): in
		 * place, the piece in the scratch kept for the others. */
		return l->sh_fmt == s->fmt && l->sh_split == s->split ?
		    l->scratch : NULL;
	sb = conv_sample_bytes(s->fmt);
	if (s->split)
		for (i = 0; i < o->nch; i++)
			conv_mono(s->fmt, o->src[i] + off, n, l->scratch +
			    (size_t)i * WR_SHARE_FRAMES * sb, &l->peak[i],
			    &l->clips[i], l->cfg.dither ? &l->dither[i] : NULL);
	else {
		for (i = 0; i < o->nch; i++)
			o->off_src[i] = o->src[i] + off;
		conv_interleave(s->fmt, o->off_src, o->nch, n, l->scratch,
		    l->peak, l->clips, l->cfg.dither ? l->dither : NULL);
	}
	w->sh_done[o->share] = w->sh_seq;
	l->sh_fmt = s->fmt;
	l->sh_split = s->split;
	return l->scratch;
}

/*
 * k frames into the buffers of s: converted from o->off_src, or copied
 * from frame `done' of a shared conversion (sh).
 */
static void
wr_fill(struct wr_out *o, struct fset *s, const unsigned char *sh,
    uint64_t done, uint64_t k)
{
	struct fset_buf	*b;
	size_t		 sb = conv_sample_bytes(s->fmt), len;
	uint64_t	 seq = 0;
	unsigned	 i;

	/* The run's name for writer_dg.c: the piece, and whose scratch
	 * holds it (the grouping may change with the options). */
	if (sh != NULL)
		seq = o->w->sh_seq * (o->w->nout + 1) + (uint64_t)o->share + 1;
	if (s->split)
		for (i = 0; i < o->nch; i++) {
			b = &s->f[i].b[s->f[i].fill];
			len = k * sb;
			if (sh != NULL)
				memcpy(b->p + b->len, sh + ((size_t)i *
				    WR_SHARE_FRAMES + done) * sb, len);
			else
				conv_mono(s->fmt, o->off_src[i], k, b->p +
				    b->len, &o->peak[i], &o->clips[i],
				    o->cfg.dither ? &o->dither[i] : NULL);
			wr_dg_add(&s->f[i], b->p + b->len, len, seq, done, k);
			b->len += len;
		}
	else {
		b = &s->f[0].b[s->f[0].fill];
		len = k * s->frame_bytes;
		if (sh != NULL)
			memcpy(b->p + b->len, sh + done * s->frame_bytes, len);
		else
			conv_interleave(s->fmt, o->off_src, o->nch, k, b->p +
			    b->len, o->peak, o->clips, o->cfg.dither ?
			    o->dither : NULL);
		wr_dg_add(&s->f[0], b->p + b->len, len, seq, done, k);
		b->len += len;
	}
}

/*
 * Converts n frames, from the planar blocks of the take's channels at
 * src + off (this output's channels of them), into the open files,
 * rotating where a boundary falls.  src == NULL writes silence.
 * Conversion goes in pieces that fit a file's buffer.  Returns 0, or the
 * -errno that a write, an open or a close met (logged).
 */
int
wr_put(struct wr_out *o, const float *const *src, size_t off, uint64_t n)
{
	struct writer	*w = o->w;
	struct fset	*s;
	struct fset_file	*f;
	struct fset_buf	*b;
	const unsigned char *sh = NULL;
	const float *const *in = NULL;
	uint64_t	 k, done = 0;
	unsigned	 i;
	int		 rc;

	if (src != NULL) {
		for (i = 0; i < o->nch; i++)
			o->src[i] = src[o->ch[i]];
		in = o->src;
	}
	while (n > 0) {
		if (o->rotate_at != WR_NEVER && o->pos >= o->rotate_at &&
		    (rc = wr_rotate(o)) != 0)
			return rc;
		s = o->cur;
		if (in != NULL && done == 0)
			sh = wr_shared(o, s, src, off, n);
		k = n;
		if (o->rotate_at != WR_NEVER && o->rotate_at - o->pos < k)
			k = o->rotate_at - o->pos;
		if (in != NULL && k > s->buf_bytes / s->frame_bytes)
			k = s->buf_bytes / s->frame_bytes;
		/* Silence (rare) is written here, once the file is ours. */
		for (i = 0; in == NULL && i < s->n; i++) {
			f = &s->f[i];
			if ((rc = wr_flush(o, f, 0, 0)) != 0 ||
			    (rc = wr_reclaim(o, &f->b[f->fill ^ 1], 1)) != 0 ||
			    (rc = f->failed) != 0 ||
			    (rc = f->be->silence(f->h, k)) != 0)
				goto fail;
			wr_dg_zeros(f, k * s->frame_bytes);
			f->handed += k * s->frame_bytes;
		}
		/* The meters hear what the files hold, silence too. */
		for (i = 0; i < s->n; i++)
			if (s->f[i].loud != NULL)
				loud_add(s->f[i].loud, in, off, k);
		for (i = 0; in != NULL && i < s->n; i++) {
			b = &s->f[i].b[s->f[i].fill];
			if (b->len + k * s->frame_bytes > s->buf_bytes &&
			    (rc = wr_flush(o, &s->f[i], 0, 0)) != 0)
				goto fail;
			fset_aim(&s->f[i], &s->f[i].b[s->f[i].fill]);
		}
		if (in != NULL) {
			for (i = 0; i < o->nch; i++)
				o->off_src[i] = in[i] + off;
			/* A rotation inside the piece: the next files may
			 * have another format. */
			if (sh != NULL && (w->out[o->share].sh_fmt != s->fmt ||
			    w->out[o->share].sh_split != s->split))
				sh = NULL;
			wr_fill(o, s, sh, done, k);
		}
		o->pos += k;
		s->written += k;
		off += k;
		done += k;
		n -= k;
		atomic_fetch_add(&o->st_frames, k);
		if (o->idx == 0)
			atomic_fetch_add(&w->st_take_frames, k);
	}
	return 0;
fail:
	return rc;
}

/* A marker at frame `frame' of every file of o's current set. */
void
wr_mark(struct wr_out *o, uint64_t frame, const char *label)
{
	unsigned i;

	for (i = 0; o->cur->open && i < o->cur->n; i++)
		o->cur->f[i].be->mark(o->cur->f[i].h, frame, label);
}
