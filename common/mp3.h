/*
 * mp3.h: MP3 files (mp3.c), a backend of the format interface (fmt.h:
 * fmt_mp3); recd reaches its functions through that table only.
 */
#ifndef RECD_COMMON_MP3_H
#define RECD_COMMON_MP3_H

#include "fmt.h"

#endif
