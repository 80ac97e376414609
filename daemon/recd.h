/*
 * recd.h: recd's state, created in main.c and passed down (no globals),
 * and what main.c, cmd.c, status.c, event.c and jackconn.c call of each
 * other.  Private to those five files.  Main thread.
 */
#ifndef RECD_DAEMON_RECD_H
#define RECD_DAEMON_RECD_H

#include <stdint.h>
#include <time.h>

#include <cJSON.h>
#include <uv.h>

#include "alarm.h"
#include "cfg.h"
#include "live.h"
#include "version.h"

struct cap;
struct ctlsrv;
struct hooks;
struct notify;
struct writer;
struct writer_event;

/* Everything recd runs on, created here and passed down: no globals. */
struct recd {
	struct cfg	 cfg;
	struct cap	*cap;
	struct writer	*writer;
	uv_loop_t	 loop;
	uv_signal_t	 sig_int, sig_term, sig_hup, sig_usr1;
	uv_async_t	 wake;		/* JACK's threads and the writer */
	struct ctlsrv	*ctl;
	struct ctlsrv	*ctl_ro;	/* socket_readonly, or NULL */
	char		 ro_path[108];	/* its path, "" for none */
	/*
	 * Levels: the writer's are read once (writer_levels resets them)
	 * and kept for each socket until its own tick takes them.
	 */
	struct lv_slot {
		struct recd	*r;
		float		*peak;		/* nch */
		unsigned char	*clip;		/* nch */
		int		 fresh;		/* measured since handed */
	} lv[2];			/* control, read-only */
	float		*lv_peak;	/* nch, scratch */
	unsigned char	*lv_clip;	/* nch, scratch */
	struct notify	*notify;	/* the service manager */
	struct hooks	*hooks;		/* on_file_closed runs */
	struct manifest	*manifest;	/* checksum_manifest */
	uv_timer_t	 hooks_timer;	/* at exit: how long they may take */
	struct cfg	 defaults;	/* the table's defaults, for options */
	char		**files;	/* open files, from the writer's events */
	size_t		 nfiles;
	struct timespec	 started;	/* CLOCK_MONOTONIC */
	int		 taking;	/* a take is asked for (start/stop) */
	const char	*config_path;	/* --config, or NULL */
	char		**overrides;	/* the command line's options */
	int		 noverrides;
	uint64_t	 xruns_seen;
	/* The JACK server went away: r->cap is NULL until it is back. */
	uv_timer_t	 jack_timer;
	struct timespec	 jack_lost_at;	/* CLOCK_MONOTONIC */
	unsigned	 jack_retry_ms, jack_tries;
	char		 jack_err[1024];	/* the last try's failure */
	unsigned	 rate, period;	/* the last server's */
	uint64_t	 dropped_before, xruns_before;	/* earlier clients' */
	/* The liveness guard: does JACK still run our callback? */
	struct live	 live;
	/* One timer for the liveness guard and the alarms: RECD_TICK_MS. */
	uv_timer_t	 tick_timer;
	/* And one for the guard alone when a stall is due before the next
	   tick (live_soon): a stall is said on time, not up to a tick late. */
	uv_timer_t	 live_timer;
	int		 stall_reconnect; /* the client was dropped for a stall */
	/* Alarms (alarm.h), fed every RECD_TICK_MS. */
	struct alarms	*alarms;
	int64_t		*al_loud;	/* nch, from the writer */
	uint64_t	*al_clips;	/* nch, from the writer */
	unsigned char	*al_conn;	/* nch, from JACK */
	float		*al_peak;	/* nch, since the last tick */
	float		*peak_win;	/* nch, this second's so far */
	float		*peak_1s;	/* nch, the last whole second's */
	unsigned	 al_ticks;
	int		 stopping;
	int		 exit_code;
};

#define RECD_RETRY_MIN_MS	500	/* JACK reconnection back-off */
#define RECD_RETRY_MAX_MS	10000
#define RECD_HOOKS_MAX		4	/* hooks running at once */
#define RECD_HOOKS_EXIT_MS	30000	/* at exit, hooks still running
					   after this are left alone */
/*
 * The liveness guard and the alarms look this often, in one wake-up: on
 * a 2-core VM each wake-up of the loop costs ~80 us, so a 100 ms guard
 * beside the alarms' 250 ms was 1.1 ms of CPU a second with nobody
 * connected.  When periods stop, the guard also wakes when the stall is
 * due (live_soon), so that it is said 1 s after the count last moved.
 */
#define RECD_TICK_MS		250

/* main.c */
int		 make_directory(const char *dir, char *err, size_t errlen);
void		 close_cb(uv_handle_t *);
/* The shutdown order of STYLE.md section 6; exit status code. */
void		 shutdown_recd(struct recd *, int code);
/* JACK's threads and the writer: uv_async_send. */
void		 wake_loop(void *);

/* cmd.c */
/* The control socket, then the read-only one (none: returns 0). */
int		 start_control(struct recd *, char *err, size_t errlen);
int		 start_control_ro(struct recd *, char *err, size_t errlen);
void		 set_hello(struct recd *);
int		 check_directory(const struct recd *, const struct cfg *,
		    char *msg, size_t msglen);
int		 apply_config(struct recd *, struct cfg *next, char *msg,
		    size_t msglen);
void		 levels_free(struct recd *);

/* status.c */
/* The status command's result (PROTOCOL.md). */
cJSON		*cmd_status(struct recd *);

/* event.c */
void		 send_event(struct recd *, const char *name, cJSON *fields);
void		 forward_events(struct recd *);
/* t as ISO 8601 (32 bytes): local time, or UTC ending in Z with utc. */
void		 wall_iso(time_t t, int utc, char *buf, size_t len);
void		 hooks_finish(struct recd *);
void		 hooks_deadline(uv_timer_t *);
void		 on_hook_done(void *arg, const char *hook, const char *path,
		    int status);
void		 event_alarm_setup(struct recd *);
cJSON		*event_alarm_json(const struct alarm_change *, int64_t now_ns,
		    int utc);
void		 event_alarm_tick(struct recd *);

/* jackconn.c */
int64_t		 mono_now_ns(void);
uint32_t	 take_from(const struct cap *);
uint64_t	 dropped_frames(const struct recd *);
uint64_t	 xruns(const struct recd *);
void		 jack_lost(struct recd *, int stalled);
void		 jack_retry(uv_timer_t *);
void		 jack_changed(struct recd *);
void		 live_tick(struct recd *);
void		 live_soon(struct recd *);

#endif
