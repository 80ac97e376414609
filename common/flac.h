/*
 * flac.h: FLAC files (flac.c), the format interface's second backend
 * (fmt.h: fmt_flac).  Its functions are fmt_flac's; the table is how
 * recd uses them.
 */
#ifndef RECD_COMMON_FLAC_H
#define RECD_COMMON_FLAC_H

#include <stddef.h>
#include <stdint.h>

#include "fmt.h"

#define FLAC_MAX_CHANNELS	8	/* a FLAC stream's most */

void	*flac_open(const char *path, const struct fmt_par *, char *err,
	    size_t errlen);
int	 flac_write(void *, const void *buf, size_t bytes);
int	 flac_silence(void *, uint64_t frames);
int	 flac_update(void *);
int	 flac_mark(void *, uint64_t frame, const char *label);
int	 flac_sync(void *);
int	 flac_close(void *, char *err, size_t errlen);
int	 flac_fd(const void *);
size_t	 flac_lead(const void *, uint64_t bytes);
int	 flac_repair(const char *path, uint64_t *frames, char *err,
	    size_t errlen);

#endif
