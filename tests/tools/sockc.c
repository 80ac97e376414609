/*
 * sockc.c: a raw client of recd's control socket for the tests, down to
 * the byte: what recctl would never send.
 *
 * usage: sockc SOCKET MODE [ARG]
 *   lines        send stdin's lines as requests; print every line received
 *                until as many replies as requests came (or 10 s passed)
 *   raw FILE     send FILE's bytes as they are, then half-close; print
 *                what comes back until recd closes or 10 s pass
 *   big MB       send one line of MB megabytes (no newline until the end)
 *   connects N   open N connections at once, read each greeting (or the
 *                refusal), then close them all; prints counts
 *   nap SECONDS  subscribe to levels at 60 Hz and events, then read
 *                nothing for SECONDS; prints whether recd dropped us
 *   hangup       send a request with a large reply and close at once
 *   listen S REQ send the request line REQ, then print every line
 *                received for S seconds
 * Exit status 0 unless the socket could not be reached.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SC_WAIT_MS	10000

static int
sc_connect(const char *path)
{
	struct sockaddr_un	sa;
	int			fd;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
sc_write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static long
sc_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Prints received lines; stops after `want' lines with "id" (0: until
 * EOF), or when ms have passed.  Returns lines printed. */
static int
sc_read(int fd, int want, int ms)
{
	static char	buf[1 << 20];
	struct pollfd	pfd = { fd, POLLIN, 0 };
	size_t		len = 0;
	char		*nl, *start;
	ssize_t		n;
	long		end = sc_ms() + ms;
	int		replies = 0, lines = 0;

	while (want == 0 || replies < want) {
		if (end - sc_ms() <= 0 ||
		    poll(&pfd, 1, (int)(end - sc_ms())) <= 0)
			break;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0) {
			printf("sockc: closed by recd\n");
			break;
		}
		len += (size_t)n;
		buf[len] = '\0';
		start = buf;
		while ((nl = strchr(start, '\n')) != NULL) {
			*nl = '\0';
			printf("%s\n", start);
			lines++;
			if (strncmp(start, "{\"id\"", 5) == 0)
				replies++;
			start = nl + 1;
		}
		len -= (size_t)(start - buf);
		memmove(buf, start, len);
		if (len == sizeof(buf) - 1)
			len = 0;	/* a line too long to show */
	}
	fflush(stdout);
	return lines;
}

static int
mode_lines(int fd)
{
	char	line[1 << 16];
	int	n = 0;

	sc_read(fd, 0, 500);	/* the greeting */
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (sc_write_all(fd, line, strlen(line)) != 0)
			break;
		n++;
	}
	sc_read(fd, n, SC_WAIT_MS);
	return 0;
}

static int
mode_raw(int fd, const char *file)
{
	char	buf[65536];
	size_t	n;
	FILE	*f = fopen(file, "rb");

	if (f == NULL)
		return 2;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (sc_write_all(fd, buf, n) != 0)
			break;
	fclose(f);
	shutdown(fd, SHUT_WR);
	sc_read(fd, 0, SC_WAIT_MS);
	return 0;
}

static int
mode_big(int fd, long mb)
{
	static char	chunk[1 << 16];
	long		i;

	memset(chunk, 'x', sizeof(chunk));
	chunk[0] = '"';
	for (i = 0; i < mb * 16; i++)
		if (sc_write_all(fd, chunk, sizeof(chunk)) != 0)
			break;
	printf("sockc: sent %ld chunks\n", i);
	sc_write_all(fd, "\n", 1);
	sc_read(fd, 0, SC_WAIT_MS);
	return 0;
}

static int
mode_connects(const char *path, int n)
{
	int	*fds, i, ok = 0, refused = 0, failed = 0;
	char	 buf[4096];
	ssize_t	 got;
	struct pollfd pfd;

	fds = calloc((size_t)n, sizeof(*fds));
	if (fds == NULL)
		return 2;
	for (i = 0; i < n; i++)
		fds[i] = sc_connect(path);
	for (i = 0; i < n; i++) {
		if (fds[i] < 0) {
			failed++;
			continue;
		}
		pfd.fd = fds[i];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, SC_WAIT_MS) <= 0 ||
		    (got = read(fds[i], buf, sizeof(buf) - 1)) <= 0) {
			failed++;
			continue;
		}
		buf[got] = '\0';
		if (strstr(buf, "\"hello\"") != NULL)
			ok++;
		else if (strstr(buf, "too_many_clients") != NULL)
			refused++;
		else
			failed++;
	}
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	printf("sockc: %d greeted, %d refused, %d failed\n", ok, refused,
	    failed);
	free(fds);
	return 0;
}

static int
mode_nap(int fd, int seconds)
{
	const char	*sub = "{\"id\":1,\"cmd\":\"subscribe\",\"stream\":"
			    "\"levels\",\"rate_hz\":60}\n{\"id\":2,\"cmd\":"
			    "\"subscribe\",\"stream\":\"events\"}\n";
	struct timespec	 ts = { seconds, 0 };
	int		 lines;

	sc_write_all(fd, sub, strlen(sub));
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	lines = sc_read(fd, 0, 1000);
	printf("sockc: %d lines after the nap\n", lines);
	return 0;
}

static int
mode_listen(int fd, int seconds, const char *req)
{
	sc_write_all(fd, req, strlen(req));
	sc_write_all(fd, "\n", 1);
	sc_read(fd, 0, seconds * 1000);
	return 0;
}

static int
mode_hangup(int fd)
{
	const char *req = "{\"id\":1,\"cmd\":\"options\"}\n";

	sc_write_all(fd, req, strlen(req));
	close(fd);
	printf("sockc: hung up\n");
	return 0;
}

int
main(int argc, char *argv[])
{
	int fd, rc;

	if (argc < 3) {
		fprintf(stderr, "usage: sockc SOCKET MODE [ARG]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Line by line: tests wait on what it has printed so far. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(argv[2], "connects") == 0)
		return mode_connects(argv[1], argc > 3 ? atoi(argv[3]) : 100);
	fd = sc_connect(argv[1]);
	if (fd < 0) {
		fprintf(stderr, "sockc: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (strcmp(argv[2], "lines") == 0)
		rc = mode_lines(fd);
	else if (strcmp(argv[2], "raw") == 0 && argc > 3)
		rc = mode_raw(fd, argv[3]);
	else if (strcmp(argv[2], "big") == 0 && argc > 3)
		rc = mode_big(fd, atol(argv[3]));
	else if (strcmp(argv[2], "nap") == 0 && argc > 3)
		rc = mode_nap(fd, atoi(argv[3]));
	else if (strcmp(argv[2], "hangup") == 0)
		return mode_hangup(fd);
	else if (strcmp(argv[2], "listen") == 0 && argc > 4)
		rc = mode_listen(fd, atoi(argv[3]), argv[4]);
	else {
		fprintf(stderr, "sockc: unknown mode %s\n", argv[2]);
		rc = 2;
	}
	close(fd);
	return rc;
}
