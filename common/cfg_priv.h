/*
 * cfg_priv.h: what the files of the cfg module (cfg.c, cfg_check.c,
 * cfg_out.c) share; no other module includes it.  Main thread.
 */
#ifndef RECD_COMMON_CFG_PRIV_H
#define RECD_COMMON_CFG_PRIV_H

#include <stddef.h>

#include "cfg.h"

/*
 * The checks of what one output writes, for nch of the take's channels:
 * disk limits, the channels of FLAC, Opus and MP3 files, name_template.
 * Returns 0, or -EINVAL with err as cfg_check's.
 */
int	cfg_check_files(const struct cfg *, long nch, char *err,
	    size_t errlen);

#endif
