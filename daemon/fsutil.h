/*
 * fsutil.h: the file-system steps recd takes in several places, once:
 * mkdir -p, does a name exist, a rename that never replaces a file, and
 * the suffix of a file being written.  Any thread; they never log.
 */
#ifndef RECD_DAEMON_FSUTIL_H
#define RECD_DAEMON_FSUTIL_H

#include <stddef.h>

#define FS_PARTIAL	".partial"	/* a file being written */

/*
 * Creates the directories of path, mode 0755, each that is missing:
 * every one (dir: 1) or those above its last component (dir: 0, path
 * names a file).  path is modified while it runs and restored.  Returns
 * 0 or -errno, with the one that failed (a prefix of path) in failed.
 */
int	fs_mkdirs(char *path, int dir, char *failed, size_t failedlen);
/* 1 when something has the name, or it cannot be told (not ENOENT). */
int	fs_exists(const char *path);
/*
 * Renames from to to, never over a file: link() refuses to replace one
 * that appeared meanwhile.  File systems without hard links get a rename
 * that refuses too where the system has one (Linux), else a rename where
 * the name is still free.  Returns 0, 1 when from's name could not be
 * removed after the link (the file has both), or -errno (-EEXIST: to
 * exists).
 */
int	fs_rename_noreplace(const char *from, const char *to);

/* Names the calling thread, for top -H and perf (Linux; else nothing). */
void	fs_thread_name(const char *);

#endif
