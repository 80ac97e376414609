/*
 * diskw.c: the disk watch's verdicts (diskw.h).  Writer thread.
 */
#include "diskw.h"

#include <sys/statvfs.h>

long long
diskw_free(const char *dir)
{
	struct statvfs vfs;

	if (statvfs(dir, &vfs) != 0)
		return -1;
	return (long long)vfs.f_bavail * (long long)vfs.f_frsize;
}

unsigned
diskw_judge(struct diskw *d, long long free_b, long warn_mb, long min_mb)
{
	long long	warn = warn_mb * DISKW_MB, min = min_mb * DISKW_MB;
	unsigned	v = 0;

	if (free_b < 0)
		return 0;
	if (free_b < warn && !d->low) {
		d->low = 1;
		v |= DISKW_LOW;
	} else if (free_b >= warn + DISKW_RESUME_MB * DISKW_MB && d->low) {
		d->low = 0;
		v |= DISKW_OK;
	}
	if (free_b < min)
		v |= DISKW_FULL;
	else if (free_b >= min + DISKW_RESUME_MB * DISKW_MB)
		v |= DISKW_ROOM;
	return v;
}
