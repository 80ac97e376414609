/*
 * log.h: the daemon's log lines, to stderr or, under systemd, to the journal
 * (stderr with <N> priority prefixes).  Any thread but the real-time one.
 */
#ifndef RECD_COMMON_LOG_H
#define RECD_COMMON_LOG_H

enum log_level {
	LOG_LVL_ERR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG
};

#define LOG_PRINTF(a, b)	__attribute__((format(printf, a, b)))

/* Set once at start-up, before any thread is started. */
void	log_init(const char *progname, enum log_level);
/* Set once at start-up: line times in UTC (option timezone), not local. */
void	log_set_utc(int);
/* Any thread, any time: the runtime-settable log_level. */
void	log_set_level(enum log_level);
int	log_level_from_name(const char *, enum log_level *);

/* The _err/_warn forms append ": strerror(errno)"; the x forms do not. */
void	log_err(const char *, ...) LOG_PRINTF(1, 2);
void	log_errx(const char *, ...) LOG_PRINTF(1, 2);
void	log_warn(const char *, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *, ...) LOG_PRINTF(1, 2);
void	log_info(const char *, ...) LOG_PRINTF(1, 2);
void	log_debug(const char *, ...) LOG_PRINTF(1, 2);
/* Only before the event loop runs: log and exit(1). */
void	fatal(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));
void	fatalx(const char *, ...) LOG_PRINTF(1, 2) __attribute__((noreturn));

#endif
