/*
 * flac.h: FLAC files (flac.c), the format interface's second backend
 * (fmt.h: fmt_flac); recd reaches its functions through that table only.
 */
#ifndef RECD_COMMON_FLAC_H
#define RECD_COMMON_FLAC_H

#include "fmt.h"

#define FLAC_MAX_CHANNELS	8	/* a FLAC stream's most */

#endif
