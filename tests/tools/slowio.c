/*
 * slowio.c: an LD_PRELOAD library for the slow-disk test.  While the file
 * $SLOWIO_FLAG exists, every pwrite(2) to a file under $SLOWIO_DIR first
 * sleeps $SLOWIO_MS milliseconds (1000 if unset): a disk slower than the
 * stream, or one that hangs for a while, for one output's directory
 * alone.  Everything else passes straight on.  Any thread.
 */
#define _GNU_SOURCE		/* RTLD_NEXT */
#include <sys/types.h>

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

ssize_t	pwrite(int, const void *, size_t, off_t);
ssize_t	pwrite64(int, const void *, size_t, off_t);

static void
slowio_wait(int fd)
{
	const char	*dir = getenv("SLOWIO_DIR");
	const char	*flag = getenv("SLOWIO_FLAG");
	const char	*ms = getenv("SLOWIO_MS");
	char		 link[64], path[PATH_MAX];
	struct timespec	 ts;
	ssize_t		 n;
	long		 t;

	if (dir == NULL || flag == NULL || access(flag, F_OK) != 0)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return;
	path[n] = '\0';
	if (strncmp(path, dir, strlen(dir)) != 0)
		return;
	t = ms != NULL ? atol(ms) : 1000;
	ts.tv_sec = t / 1000;
	ts.tv_nsec = t % 1000 * 1000000;
	while (nanosleep(&ts, &ts) != 0)
		;
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	static ssize_t	(*real)(int, const void *, size_t, off_t);

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "pwrite");
	slowio_wait(fd);
	return real(fd, buf, len, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	static ssize_t	(*real)(int, const void *, size_t, off_t);

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "pwrite64");
	slowio_wait(fd);
	return real(fd, buf, len, off);
}
