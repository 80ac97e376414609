/*
 * writer_out.c: the outputs (writer_priv.h, cfgout.h) as the writer holds
 * them: made from the configuration with their buffers and file sets,
 * grouped for a shared conversion, freed.  wr_out_setup and wr_out_free
 * on the main thread (writer_new, writer_del), wr_out_share on the writer
 * thread when the options change.
 */
#include "writer_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sets of o: each can hold split files, two buffers each. */
static int
wr_out_sets(struct wr_out *o)
{
	size_t		arena;
	unsigned	i, k;

	/* Single mode carves its file's two larger ones from the arena. */
	arena = (size_t)2 * o->nch * (WR_SPLIT_BUF + FMT_ALIGN);
	if (arena < 2 * (WR_BUF_BYTES + FMT_ALIGN))
		arena = 2 * (WR_BUF_BYTES + FMT_ALIGN);
	for (k = 0; k < 3; k++) {
		o->sets[k].f = calloc(o->nch, sizeof(struct fset_file));
		o->sets[k].names = calloc(o->nch, sizeof(char *));
		o->sets[k].name_buf = calloc(o->nch, FSET_PORT_BYTES);
		/* Touched now, so the first writes meet no page fault. */
		o->sets[k].arena = aligned_alloc(FMT_ALIGN, arena);
		if (o->sets[k].f == NULL || o->sets[k].names == NULL ||
		    o->sets[k].name_buf == NULL || o->sets[k].arena == NULL)
			return -ENOMEM;
		memset(o->sets[k].arena, 0, arena);
		for (i = 0; i < o->nch; i++)
			o->sets[k].f[i].sfd = -1;
	}
	o->cur = &o->sets[0];
	o->next = &o->sets[1];
	o->old = &o->sets[2];
	return 0;
}

/* Whether o and p record the same channels in the same order. */
static int
wr_same_channels(const struct wr_out *o, const struct wr_out *p)
{
	return p->nch == o->nch && memcmp(p->ch, o->ch,
	    o->nch * sizeof(*o->ch)) == 0;
}

/*
 * Outputs that record the same channels in the same order, mode and
 * format share their conversion: the first of them keeps the scratch.
 * Called again when the options change.
 */
void
wr_out_share(struct writer *w)
{
	struct wr_out	*o, *p;
	unsigned	 i, j, n;

	w->shared = 0;
	for (i = 0; i < w->nout; i++) {
		o = &w->out[i];
		o->share = -1;
		for (j = 0, n = 0; j < w->nout; j++) {
			p = &w->out[j];
			if (!wr_same_channels(o, p) ||
			    p->cfg.format != o->cfg.format ||
			    p->cfg.mode != o->cfg.mode)
				continue;
			if (n++ == 0)
				o->share = (int)j;
		}
		if (n < 2)
			o->share = -1;
		else
			w->shared = 1;
	}
}

/* Whether another output records o's channels: it may share with o. */
static int
wr_may_share(const struct writer *w, const struct wr_out *o)
{
	unsigned j;

	for (j = 0; j < w->nout; j++)
		if (&w->out[j] != o && wr_same_channels(o, &w->out[j]))
			return 1;
	return 0;
}

/*
 * The outputs as cfg has them (cfgout.h): their options, channels,
 * buffers and file sets.  0, or -errno with err.
 */
int
wr_out_setup(struct writer *w, const struct cfg *cfg, char *err,
    size_t errlen)
{
	struct cfg_out	*v;
	struct wr_out	*o;
	size_t		 n, i;
	unsigned	 c;
	int		 rc;

	if ((rc = cfg_outputs(cfg, &v, &n, err, errlen)) != 0)
		return rc;
	w->out = calloc(n, sizeof(*w->out));
	w->sh_done = calloc(n, sizeof(*w->sh_done));
	if (w->out == NULL || w->sh_done == NULL) {
		cfg_outputs_free(v, n);
		snprintf(err, errlen, "writer: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	w->nout = (unsigned)n;
	for (i = 0; i < n; i++) {
		o = &w->out[i];
		o->w = w;
		o->idx = (unsigned)i;
		snprintf(o->name, sizeof(o->name), "%s", v[i].name);
		snprintf(o->who, sizeof(o->who), "output %s: ", v[i].name);
		/* Its options and channels are its own now. */
		o->cfg = v[i].cfg;
		o->nch = v[i].nch;
		o->ch = v[i].ch;
		v[i].ch = NULL;
		memset(&v[i].cfg, 0, sizeof(v[i].cfg));
		o->rotate_at = WR_NEVER;
		o->disk_free = -1;
		atomic_init(&o->st_disk_free, -1);
	}
	free(v);	/* emptied: each output owns what it held */
	wr_out_share(w);
	for (i = 0; i < n; i++) {
		o = &w->out[i];
		o->src = calloc(o->nch, sizeof(*o->src));
		o->off_src = calloc(o->nch, sizeof(*o->off_src));
		o->dither = calloc(o->nch, sizeof(*o->dither));
		/* The main output's peaks are the take's meters. */
		o->peak = i == 0 ? w->peak : calloc(o->nch, sizeof(*o->peak));
		o->clips = i == 0 ? w->clips : calloc(o->nch,
		    sizeof(*o->clips));
		/* Any output of the same channels may lead a group later
		 * (set NAME.format). */
		if (wr_may_share(w, o))
			o->scratch = malloc((size_t)WR_SHARE_FRAMES * o->nch *
			    sizeof(float));
		if (o->src == NULL || o->off_src == NULL ||
		    o->dither == NULL || o->peak == NULL || o->clips == NULL ||
		    (wr_may_share(w, o) && o->scratch == NULL) ||
		    wr_out_sets(o) != 0) {
			snprintf(err, errlen, "writer: %s", strerror(ENOMEM));
			return -ENOMEM;
		}
		for (c = 0; c < o->nch; c++)
			o->dither[c] = 0x9e3779b9u * (o->ch[c] + 1);
	}
	return 0;
}

void
wr_out_free(struct writer *w)
{
	struct wr_out	*o;
	unsigned	 i, k;

	for (i = 0; w->out != NULL && i < w->nout; i++) {
		o = &w->out[i];
		for (k = 0; k < 3; k++) {
			wr_dg_drop(&o->sets[k]);
			free(o->sets[k].arena);
			free(o->sets[k].f);
			free(o->sets[k].names);
			free(o->sets[k].name_buf);
		}
		free(o->src);
		free(o->off_src);
		free(o->dither);
		if (i != 0) {
			free(o->peak);
			free(o->clips);
		}
		free(o->scratch);
		free(o->ch);
		cfg_done(&o->cfg);
	}
	free(w->out);
	free(w->sh_done);
	w->out = NULL;
	w->nout = 0;
}
