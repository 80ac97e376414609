/* STUB: replaced by the outcfg branch's cfg_out.c at merge. */
#include "cfg_out.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
int
cfg_outputs(const struct cfg *c, struct cfg_out **v, size_t *n, char *err,
    size_t errlen)
{
	struct cfg_out *o;
	unsigned i;

	if ((o = calloc(1, sizeof(*o))) == NULL ||
	    (o->ch = calloc((size_t)c->channels, sizeof(*o->ch))) == NULL ||
	    cfg_copy(&o->cfg, c, err, errlen) != 0) {
		if (o != NULL)
			free(o->ch);
		free(o);
		return -ENOMEM;
	}
	snprintf(o->name, sizeof(o->name), "main");
	o->nch = (unsigned)c->channels;
	for (i = 0; i < o->nch; i++)
		o->ch[i] = i;
	*v = o;
	*n = 1;
	return 0;
}
void
cfg_outputs_free(struct cfg_out *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		cfg_done(&v[i].cfg);
		free(v[i].ch);
	}
	free(v);
}
