/*
 * cfgjson.h: the JSON config file (comments allowed) and option values as
 * JSON, for the config file and the socket's get and set.  Main thread.
 */
#ifndef RECD_PROTOCOL_CFGJSON_H
#define RECD_PROTOCOL_CFGJSON_H

#include <stddef.h>

#include <cJSON.h>

#include "cfg.h"

#define CFGJSON_MAX_BYTES	(1 << 20)	/* a config file, at most */

/*
 * Reads the file at path into c, over what c already holds.  On failure c
 * may hold part of the file, and err says "config PATH[:LINE]: reason".
 * Returns 0 or a negative errno.
 */
int	cfgjson_load(struct cfg *c, const char *path, char *err,
	    size_t errlen);
/* The same for text already in memory; name stands for the path. */
int	cfgjson_parse(struct cfg *c, const char *text, size_t len,
	    const char *name, char *err, size_t errlen);

/*
 * One option from a JSON value; err as for the cfg_set_ functions.  A list
 * of objects (outputs) takes an array of objects, each kept as its compact
 * text.
 */
int	cfgjson_set(struct cfg *c, const struct cfg_opt *, const cJSON *,
	    char *err, size_t errlen);
/*
 * One option's value as new JSON (the caller frees it), NULL on ENOMEM; a
 * list of objects as an array of objects.
 */
cJSON	*cfgjson_value(const struct cfg *c, const struct cfg_opt *);

#endif
