/*
 * cfgout.h: the outputs of a take.  The option outputs holds one JSON
 * object (as text) per output besides the main one, each overriding a few
 * options for itself alone; this turns them into one struct cfg each, and
 * checks them with the rest of the configuration (cfgout_check).  It lives
 * in protocol/ because cJSON reads the objects.  Main thread, but for
 * what says otherwise.
 */
#ifndef RECD_PROTOCOL_CFGOUT_H
#define RECD_PROTOCOL_CFGOUT_H

#include <stddef.h>

#include "cfg.h"	/* also CFG_OUT_MAX and CFG_OUT_TEXT_MAX */

#define CFG_OUT_NAME_MAX 32	/* bytes of a name, of [A-Za-z0-9_-] */

/*
 * One output.  cfg holds the options as this output has them: the main
 * ones with its overrides, its own outputs list empty, channels the
 * take's (what it records is nch and ch).
 */
struct cfg_out {
	char		 name[CFG_OUT_NAME_MAX + 1]; /* "main": the main one */
	struct cfg	 cfg;
	unsigned	 nch;	/* channels it records, 1..channels */
	unsigned	*ch;	/* nch indices into the take's channels,
				   from 0, in the order given; owned */
};

/*
 * Every output: [0] the main one (all channels, in order), then one per
 * element of cfg->outputs, in order, each checked on its own as cfg_check
 * checks the main options (not the directories: cfg_outputs_dirs).  Reads
 * no file; any thread.  Returns 0 with *v (the caller frees it with
 * cfg_outputs_free) and *n set, or -EINVAL (-ENOMEM) with *v NULL, *n 0
 * and err naming the output and the key: "outputs: output \"b\": key:
 * reason", or "outputs[i]: ..." (from 0) while it has no valid name.
 */
int	cfg_outputs(const struct cfg *, struct cfg_out **v, size_t *n,
	    char *err, size_t errlen);
void	cfg_outputs_free(struct cfg_out *, size_t n);
/* "main, b, c": the names of v[0..n), for a message. */
void	cfg_outputs_names(const struct cfg_out *v, size_t n, char *buf,
	    size_t len);

/*
 * Whether each of the n outputs of v writes into a directory of its own,
 * none inside another's, as absolute paths through realpath of as much as
 * exists (relative ones from the working directory): this reads the
 * filesystem.  cfgout_check runs it.  Returns 0, or -EINVAL (-ENOMEM) with
 * err naming both outputs.
 */
int	cfg_outputs_dirs(const struct cfg_out *v, size_t n, char *err,
	    size_t errlen);

/*
 * The whole configuration's checks: cfg_check, then every output
 * (cfg_outputs) and their directories (cfg_outputs_dirs).  Everything
 * that takes a configuration (the config file, SIGHUP, set) checks it
 * through this, not through cfg_check alone.  Reads the filesystem only
 * when there are outputs; main thread.  Returns 0, or -EINVAL (-ENOMEM)
 * with err as those functions give it.
 */
int	cfgout_check(const struct cfg *, char *err, size_t errlen);

/*
 * Whether a and b have the same outputs by name, in the same order, each
 * with the same channels: what may not change while recd runs.  Returns 0,
 * or -EINVAL with err saying what differs ("outputs: output \"c\" is
 * new"), or what is wrong with either (as cfg_outputs).
 */
int	cfg_outputs_same_shape(const struct cfg *a, const struct cfg *b,
	    char *err, size_t errlen);

/*
 * Whether an element of outputs may have key: 1 for name, channels_used
 * and the options an output may override, else 0.
 */
int	cfg_out_key(const char *key);

#endif
