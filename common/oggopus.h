/*
 * oggopus.h: Ogg Opus files (oggopus.c; not opus.h, which is libopus'
 * own), a backend of the format interface (fmt.h: fmt_opus); recd reaches
 * its functions through that table only.
 */
#ifndef RECD_COMMON_OGGOPUS_H
#define RECD_COMMON_OGGOPUS_H

#include "fmt.h"

#endif
