/*
 * flac.h: FLAC files (flac.c), the format interface's second backend
 * (fmt.h: fmt_flac); recd reaches its functions through that table only.
 * write takes CONV_PCM16 for 16 bits, and CONV_PCM32 (the 24-bit code
 * << 8) for 24: libFLAC wants an int32 a sample, which a shift makes of
 * 4 bytes far more cheaply than of 3 (that unpacking was about 7% of the
 * flusher's time at 8 channels in a perf profile).
 */
#ifndef RECD_COMMON_FLAC_H
#define RECD_COMMON_FLAC_H

#include "fmt.h"

#define FLAC_MAX_CHANNELS	8	/* a FLAC stream's most */

#endif
