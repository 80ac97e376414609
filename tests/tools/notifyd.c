/*
 * notifyd.c: a stand-in for systemd's notification socket in tests.  Binds
 * a Unix datagram socket at PATH and prints every line of every datagram
 * as "MS PID LINE": milliseconds since it started (CLOCK_MONOTONIC) and
 * the sender's pid, as the kernel vouches for it.  Runs until SIGTERM or
 * SIGINT; removes PATH at exit.
 * usage: notifyd PATH
 */
#define _GNU_SOURCE	/* struct ucred, SO_PASSCRED */

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t quit;

static void
on_quit(int sig)
{
	(void)sig;
	quit = 1;
}

static long long
ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - t0->tv_sec) * 1000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000000;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_un	 sun;
	struct sigaction	 sa;
	struct timespec		 t0;
	struct ucred		*cred;
	struct cmsghdr		*cm;
	struct msghdr		 mh;
	struct iovec		 iov;
	union {
		struct cmsghdr	 align;
		char		 buf[CMSG_SPACE(sizeof(struct ucred))];
	}			 ctl;
	char			 buf[4097], *line, *next;
	ssize_t			 n;
	long			 pid;
	int			 fd, on = 1;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: notifyd PATH\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_quit;	/* no SA_RESTART: recvmsg returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("notifyd: socket");
		return 1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, argv[1]);
	unlink(argv[1]);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0) {
		fprintf(stderr, "notifyd: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("%lld 0 notifyd: listening\n", ms_since(&t0));
	fflush(stdout);
	while (!quit) {
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf) - 1;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		n = recvmsg(fd, &mh, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("notifyd: recvmsg");
			break;
		}
		buf[n] = '\0';
		pid = 0;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		    cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_CREDENTIALS) {
				cred = (struct ucred *)(void *)CMSG_DATA(cm);
				pid = (long)cred->pid;
			}
		/* One datagram may carry several assignments, a line each. */
		for (line = buf; line != NULL && *line != '\0'; line = next) {
			if ((next = strchr(line, '\n')) != NULL)
				*next++ = '\0';
			printf("%lld %ld %s\n", ms_since(&t0), pid, line);
		}
		fflush(stdout);
	}
	unlink(argv[1]);
	return 0;
}
