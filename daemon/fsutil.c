/*
 * fsutil.c: mkdir -p, existence and a rename that never replaces
 * (fsutil.h), and a thread's name.  The daemon's OS differences are here
 * (renameat2 and prctl on Linux); the file format's (O_DIRECT,
 * sync_file_range) are in common/wav_io.c.  Any thread.
 */
#if defined(__linux__)
#define _GNU_SOURCE		/* renameat2 */
#endif
#include "fsutil.h"

#if defined(__linux__)
#include <sys/prctl.h>
#endif
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int
fs_mkdirs(char *path, int dir, char *failed, size_t failedlen)
{
	char	*p;
	int	 end, rc = 0;

	if (path[0] == '\0')
		return 0;
	for (p = path + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		end = *p == '\0';
		if (end && !dir)
			break;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			rc = -errno;
			if (failed != NULL)
				snprintf(failed, failedlen, "%s", path);
		}
		if (end)
			break;
		*p = '/';
	}
	return rc;
}

int
fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 || errno != ENOENT;
}

int
fs_rename_noreplace(const char *from, const char *to)
{
	if (link(from, to) == 0)
		return unlink(from) == 0 ? 0 : 1;
	if (errno == EEXIST)
		return -EEXIST;
#if defined(__linux__)
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
#endif
	if (fs_exists(to))
		return -EEXIST;
	return rename(from, to) == 0 ? 0 : -errno;
}

void
fs_thread_name(const char *name)
{
#if defined(__linux__)
	(void)prctl(PR_SET_NAME, name);
#else
	(void)name;
#endif
}
