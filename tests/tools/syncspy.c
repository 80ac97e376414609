/*
 * syncspy.c: an LD_PRELOAD library for the power-cut test.  It passes
 * fsync and fdatasync on, and when they succeed appends a line
 *     sync PATH BYTES T_NS
 * to the file named by $SYNCSPY_LOG: the file's path and length, and
 * CLOCK_MONOTONIC in ns, at the moment the system reported the file
 * durable.  What a power cut leaves of a file is at least its first BYTES
 * as of its last line.  Any thread; one write(2) per line.
 */
#define _GNU_SOURCE		/* RTLD_NEXT */
#include <sys/stat.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int	fsync(int);
int	fdatasync(int);

static void
spy_log(int fd)
{
	static int	 log_fd = -2;
	struct stat	 st;
	struct timespec	 ts;
	char		 link[64], path[PATH_MAX], line[PATH_MAX + 64];
	const char	*name;
	ssize_t		 n;
	int		 len;

	if (log_fd == -2) {
		name = getenv("SYNCSPY_LOG");
		log_fd = name == NULL ? -1 : open(name, O_WRONLY | O_APPEND |
		    O_CREAT | O_CLOEXEC, 0644);
	}
	if (log_fd < 0 || fstat(fd, &st) != 0)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return;
	path[n] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &ts);
	len = snprintf(line, sizeof(line), "sync %s %lld %lld\n", path,
	    (long long)st.st_size, (long long)ts.tv_sec * 1000000000 +
	    ts.tv_nsec);
	if (len > 0 && len < (int)sizeof(line) &&
	    write(log_fd, line, (size_t)len) != len)
		return;
}

int
fsync(int fd)
{
	static int	(*real)(int);
	int		  rc;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "fsync");
	rc = real(fd);
	if (rc == 0)
		spy_log(fd);
	return rc;
}

int
fdatasync(int fd)
{
	static int	(*real)(int);
	int		  rc;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "fdatasync");
	rc = real(fd);
	if (rc == 0)
		spy_log(fd);
	return rc;
}
