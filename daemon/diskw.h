/*
 * diskw.h: the disk watch as a verdict: free space on the recording file
 * system against disk_warn_mb and disk_min_mb, with some room before it
 * counts as back (so that it does not flap).  It decides nothing: the
 * writer warns, pauses and resumes on what it returns.  Writer thread.
 */
#ifndef RECD_DAEMON_DISKW_H
#define RECD_DAEMON_DISKW_H

#define DISKW_MB	(1024LL * 1024)
#define DISKW_RESUME_MB	16		/* free above a limit to be back */

/* What a look at the free space found (flags). */
#define DISKW_LOW	0x1		/* fell below disk_warn_mb */
#define DISKW_OK	0x2		/* back above it, after DISKW_LOW */
#define DISKW_FULL	0x4		/* below disk_min_mb */
#define DISKW_ROOM	0x8		/* above it with room to resume */

struct diskw {
	int		 low;		/* below disk_warn_mb, told */
};

/* Free bytes for an unprivileged writer on dir's file system, or -1. */
long long	diskw_free(const char *dir);
/* The verdict for free_b bytes (as diskw_free says; -1: none). */
unsigned	diskw_judge(struct diskw *, long long free_b, long warn_mb,
		    long min_mb);

#endif
