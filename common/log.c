/*
 * log.c: one line per call, formatted on the caller's stack and written with
 * a single write(2) so that lines from the writer and the loop never mix.
 * Under systemd (JOURNAL_STREAM set) lines carry <N> priorities and no
 * time stamp, since the journal adds its own.  Any thread but JACK's.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_LINE_MAX	1024	/* bytes; longer messages are cut */

/* The two globals STYLE.md allows: set at start-up, level atomically. */
static const char	*log_progname = "recd";
static int		 log_journal;
static int		 log_utc;
static atomic_int	 log_cur = LOG_LVL_INFO;

static const char *const log_names[] = {
	"error", "warning", "info", "debug"
};
/* syslog priorities for the journal: err, warning, info, debug */
static const int log_prio[] = { 3, 4, 6, 7 };

void
log_init(const char *progname, enum log_level level)
{
	log_progname = progname;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
	atomic_store(&log_cur, (int)level);
}

void
log_set_utc(int utc)
{
	log_utc = utc;
}

void
log_set_level(enum log_level level)
{
	atomic_store(&log_cur, (int)level);
}

int
log_level_from_name(const char *name, enum log_level *level)
{
	int i;

	for (i = 0; i <= LOG_LVL_DEBUG; i++) {
		if (strcmp(name, log_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

static void
log_vline(enum log_level level, int with_errno, const char *fmt, va_list ap)
{
	char		 line[LOG_LINE_MAX];
	size_t		 n = 0;
	int		 saved = errno, rc;
	struct tm	 tm;
	time_t		 now;

	if ((int)level > atomic_load(&log_cur))
		return;
	if (log_journal) {
		rc = snprintf(line, sizeof(line), "<%d>", log_prio[level]);
	} else {
		now = time(NULL);
		if (log_utc)
			gmtime_r(&now, &tm);
		else
			localtime_r(&now, &tm);
		n = strftime(line, sizeof(line), log_utc ?
		    "%Y-%m-%d %H:%M:%SZ " : "%Y-%m-%d %H:%M:%S ", &tm);
		rc = snprintf(line + n, sizeof(line) - n, "%s: ",
		    log_progname);
	}
	n += rc > 0 ? (size_t)rc : 0;
	if (level != LOG_LVL_INFO && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s: ",
		    log_names[level]);
	if (n < sizeof(line)) {
		rc = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		n += rc > 0 ? (size_t)rc : 0;
	}
	if (with_errno && n < sizeof(line))
		n += (size_t)snprintf(line + n, sizeof(line) - n, ": %s",
		    strerror(saved));
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	/* A log line that cannot be written has nowhere else to go. */
	(void)!write(STDERR_FILENO, line, n);
	errno = saved;
}

void
log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_ERR, 1, fmt, ap);
	va_end(ap);
}

void
log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_ERR, 0, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_WARN, 1, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_WARN, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_INFO, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_ERR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_LVL_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
