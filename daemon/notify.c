/*
 * notify.c: sd_notify and socket activation, the one file that includes
 * libsystemd.  The watchdog is fed only while the writer makes progress
 * and, during a take, JACK runs our callback, so that a writer stuck on a
 * dead disk or a recd that is alive but deaf gets restarted (and the
 * restart repairs the files).  Main thread: a libuv timer.
 */
#include "notify.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "cap.h"
#include "log.h"
#include "ring.h"
#include "writer.h"

#define NT_TICK_MS	100	/* the timer; READY waits at most this long */

struct notify {
	uv_timer_t	 timer;		/* first: the handle's data is us */
	struct writer	*writer;
	struct cap	*cap;
	int		 active;	/* a service manager listens */
	int		 wait_files;	/* READY once the files are open */
	int		 ready;		/* READY=1 sent */
	int		 deaf;		/* a take, and no period comes */
	uint64_t	 status_due;	/* uv_now, ms */
	uint64_t	 wd_ms;		/* feed period (half WATCHDOG_USEC);
					   0: no watchdog */
	uint64_t	 wd_due;	/* uv_now, ms */
	uint64_t	 wd_beats;	/* the writer's loops at the last check */
	uint64_t	 wd_frames;	/* frames written at the last check */
};

#ifdef HAVE_SYSTEMD
const char *
notify_backend(void)
{
	return "systemd";
}

static void
nt_send(const char *msg)
{
	int rc;

	if ((rc = sd_notify(0, msg)) < 0)
		log_warnx("sd_notify %.*s: %s", (int)strcspn(msg, "="), msg,
		    strerror(-rc));
}

static uint64_t
nt_watchdog_usec(void)
{
	uint64_t usec = 0;

	/* Also checks WATCHDOG_PID: a watchdog meant for a parent is not
	 * ours to feed. */
	return sd_watchdog_enabled(0, &usec) > 0 ? usec : 0;
}

int
notify_listen_fd(char *path, size_t pathlen, char *err, size_t errlen)
{
	struct sockaddr_un	 sun;
	socklen_t		 len = sizeof(sun);
	int			 n, fd = SD_LISTEN_FDS_START;

	/* Unset, so that nothing recd starts believes it was handed them. */
	n = sd_listen_fds(1);
	if (n == 0)
		return -ENOENT;
	if (n < 0) {
		snprintf(err, errlen, "socket activation: LISTEN_FDS: %s",
		    strerror(-n));
		return n;
	}
	if (n > 1) {
		snprintf(err, errlen, "socket activation: %d sockets passed, "
		    "recd takes one (ListenStream= in recd.socket)", n);
		return -EINVAL;
	}
	if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) <= 0) {
		snprintf(err, errlen, "socket activation: fd %d is not a "
		    "listening Unix stream socket (ListenStream=PATH in "
		    "recd.socket)", fd);
		return -EINVAL;
	}
	memset(&sun, 0, sizeof(sun));
	if (getsockname(fd, (struct sockaddr *)&sun, &len) != 0) {
		snprintf(err, errlen, "socket activation: fd %d: getsockname: "
		    "%s", fd, strerror(errno));
		return -errno;
	}
	/* An abstract socket's name starts with a NUL: shown with '@'. */
	if (sun.sun_path[0] == '\0' && len > offsetof(struct sockaddr_un,
	    sun_path) + 1)
		snprintf(path, pathlen, "@%.*s", (int)(len - 1 -
		    offsetof(struct sockaddr_un, sun_path)), sun.sun_path + 1);
	else
		snprintf(path, pathlen, "%.*s", (int)sizeof(sun.sun_path),
		    sun.sun_path);
	return fd;
}
#else
const char *
notify_backend(void)
{
	return "none";
}

static void
nt_send(const char *msg)
{
	(void)msg;
}

static uint64_t
nt_watchdog_usec(void)
{
	return 0;
}

int
notify_listen_fd(char *path, size_t pathlen, char *err, size_t errlen)
{
	(void)path;
	(void)pathlen;
	(void)err;
	(void)errlen;
	return -ENOENT;
}
#endif

/* "1.5 GB": free disk for a status line. */
static void
nt_bytes(long long n, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	double	 v = (double)n;
	size_t	 u = 0;

	if (n < 0) {
		snprintf(buf, len, "unknown");
		return;
	}
	while (v >= 1000 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, "%.*f %s", u == 0 ? 0 : 1, v, unit[u]);
}

/* One line for systemctl status: what recd does, and how well. */
static void
nt_status(struct notify *n)
{
	struct writer_stats	 st;
	char			 msg[256], disk[32];
	unsigned long long	 secs;
	unsigned		 rate = n->cap != NULL ? cap_rate(n->cap) : 0;
	uint64_t		 dropped = n->cap != NULL ?
				    cap_dropped_frames(n->cap) : 0;

	writer_get_stats(n->writer, &st);
	nt_bytes(st.disk_free, disk, sizeof(disk));
	secs = rate > 0 ? (unsigned long long)(st.take_frames / rate) : 0;
	if (n->cap == NULL)
		snprintf(msg, sizeof(msg), "STATUS=waiting for the JACK server "
		    "to come back, %" PRIu64 " gaps, %s free", st.gaps, disk);
	else if (st.failed)
		snprintf(msg, sizeof(msg), "STATUS=failed (see the log)");
	else if (n->deaf)
		snprintf(msg, sizeof(msg), "STATUS=stalled: JACK runs recd no "
		    "more, nothing is recorded");
	else if (st.recording)
		snprintf(msg, sizeof(msg), "STATUS=recording %llu:%02llu:%02llu"
		    ", %" PRIu64 " frames dropped, %" PRIu64 " gaps, %s free",
		    secs / 3600, secs / 60 % 60, secs % 60, dropped, st.gaps,
		    disk);
	else
		snprintf(msg, sizeof(msg), "STATUS=idle, %" PRIu64 " frames "
		    "dropped, %" PRIu64 " gaps, %s free", dropped, st.gaps,
		    disk);
	nt_send(msg);
}

/*
 * Progress since the last check: the writer's loop went round and either
 * wrote frames or kept the ring drained (not recording, or a gate holding
 * the files closed).  A writer blocked in a write, or going round without
 * emptying the ring, is not fed: systemd restarts recd.
 */
static int
nt_progress(struct notify *n)
{
	struct writer_stats	 st;
	uint64_t		 beats = writer_beats(n->writer);
	size_t			 cap_bytes;
	int			 ok;

	/*
	 * The JACK server is away: the writer is stopped on purpose and the
	 * loop, which is running this, is what waits for the server.
	 */
	if (n->cap == NULL)
		return 1;
	/* Alive but deaf: what the watchdog is there to catch. */
	if (n->deaf)
		return 0;
	cap_bytes = ring_capacity(cap_ring(n->cap));
	writer_get_stats(n->writer, &st);
	ok = !st.failed && beats != n->wd_beats && (st.frames != n->wd_frames ||
	    st.ring_fill < cap_bytes / 2);
	n->wd_beats = beats;
	n->wd_frames = st.frames;
	return ok;
}

static void
nt_tick(uv_timer_t *h)
{
	struct notify		*n = h->data;
	struct writer_stats	 st;
	uint64_t		 now = uv_now(h->loop);

	if (n->wait_files && !n->ready) {
		writer_get_stats(n->writer, &st);
		/* A gate keeps files closed, but the take has begun. */
		if (st.recording || st.take_start != 0) {
			n->ready = 1;
			nt_send("READY=1");
			n->status_due = now;
		}
	}
	if (n->ready && now >= n->status_due) {
		nt_status(n);
		n->status_due = now + NOTIFY_STATUS_MS;
	}
	if (n->wd_ms > 0 && now >= n->wd_due) {
		n->wd_due = now + n->wd_ms;
		if (nt_progress(n))
			nt_send("WATCHDOG=1");
	}
}

void
notify_set_cap(struct notify *n, struct cap *cap)
{
	if (n != NULL)
		n->cap = cap;
}

void
notify_set_deaf(struct notify *n, int deaf)
{
	if (n == NULL || n->deaf == deaf)
		return;
	n->deaf = deaf;
	/* Said at once, not at the next refresh. */
	if (n->active && n->ready)
		nt_status(n);
}

struct notify *
notify_new(uv_loop_t *loop, struct writer *w, struct cap *cap)
{
	struct notify	*n;
	const char	*sock = getenv("NOTIFY_SOCKET");
	uint64_t	 usec;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->writer = w;
	n->cap = cap;
	if (strcmp(notify_backend(), "none") == 0 || sock == NULL ||
	    sock[0] == '\0')
		return n;
	n->active = 1;
	if ((usec = nt_watchdog_usec()) > 0) {
		n->wd_ms = usec / 2000 > 0 ? usec / 2000 : 1;
		log_info("watchdog: fed every %" PRIu64 " ms while the writer "
		    "makes progress and, during a take, periods come",
		    n->wd_ms);
	}
	uv_timer_init(loop, &n->timer);
	n->timer.data = n;
	n->wd_due = uv_now(loop) + n->wd_ms;
	n->wd_beats = writer_beats(w);
	uv_timer_start(&n->timer, nt_tick, 0, n->wd_ms > 0 && n->wd_ms <
	    NT_TICK_MS ? n->wd_ms : NT_TICK_MS);
	return n;
}

void
notify_start(struct notify *n, int wait_files)
{
	if (n == NULL || !n->active)
		return;
	n->wait_files = wait_files;
	if (!wait_files) {
		n->ready = 1;
		nt_send("READY=1");
		nt_status(n);
		n->status_due = uv_now(n->timer.loop) + NOTIFY_STATUS_MS;
	}
}

static void
nt_closed(uv_handle_t *h)
{
	free(h->data);
}

void
notify_stop(struct notify *n)
{
	if (n == NULL)
		return;
	if (!n->active) {
		free(n);
		return;
	}
	nt_send("STOPPING=1\nSTATUS=stopping: finishing the files");
	uv_close((uv_handle_t *)&n->timer, nt_closed);
}
