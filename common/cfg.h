/*
 * cfg.h: the one option table and the values it describes.  The table
 * drives defaults, command-line overrides, the JSON config file
 * (protocol/cfgjson.c), get/set, --help and the docs.  Main thread only;
 * other threads get copies.
 */
#ifndef RECD_COMMON_CFG_H
#define RECD_COMMON_CFG_H

#include <stddef.h>
#include <stdio.h>

enum cfg_type {
	CFG_BOOL,		/* int, 0 or 1 */
	CFG_INT,		/* long, within [min, max] */
	CFG_REAL,		/* double, within [min, max] */
	CFG_STRING,		/* char *, never NULL */
	CFG_ENUM,		/* int, index into choices */
	CFG_LIST		/* struct cfg_list of strings */
};

enum cfg_mode { CFG_MODE_SINGLE, CFG_MODE_SPLIT };
enum cfg_format { CFG_FMT_PCM16, CFG_FMT_PCM24, CFG_FMT_PCM32,
	CFG_FMT_FLOAT32, CFG_FMT_FLAC16, CFG_FMT_FLAC24, CFG_FMT_OPUS,
	CFG_FMT_MP3 };
enum cfg_gap { CFG_GAP_SPLIT, CFG_GAP_SILENCE };
enum cfg_resume { CFG_RESUME_AUTO, CFG_RESUME_START };
enum cfg_write_error { CFG_WERR_RETRY, CFG_WERR_STOP, CFG_WERR_EXIT };
enum cfg_tz { CFG_TZ_LOCAL, CFG_TZ_UTC };
enum cfg_loglevel { CFG_LOG_ERROR, CFG_LOG_WARNING, CFG_LOG_INFO,
	CFG_LOG_DEBUG };

struct cfg_list {
	char		**v;		/* n strings, owned */
	size_t		  n;
};

/*
 * The limits of the option outputs (its elements are read and checked by
 * protocol/cfgout.h).
 */
#define CFG_OUT_MAX	 8	/* outputs, the main one included */
#define CFG_OUT_TEXT_MAX 16384	/* bytes of one element of outputs */

/* Every option's value; the field names are the option names. */
struct cfg {
	char		*directory;
	long		 channels;
	struct cfg_list	 port_names;
	struct cfg_list	 connect;
	int		 mode;		/* enum cfg_mode */
	int		 format;	/* enum cfg_format */
	long		 flac_level;	/* 0..8 */
	long		 opus_bitrate;	/* kbit/s */
	long		 mp3_bitrate;	/* kbit/s */
	long		 rotate_seconds;
	int		 rotate_align;
	char		*name_template;
	int		 timezone;	/* enum cfg_tz */
	int		 gap_policy;	/* enum cfg_gap */
	int		 gate;
	double		 gate_threshold_dbfs;
	double		 gate_hold_seconds;
	double		 gate_preroll_seconds;
	struct cfg_list	 gate_channels;
	int		 gate_split;
	int		 checksum_manifest;
	double		 buffer_seconds;
	double		 header_seconds;
	double		 fsync_seconds;
	int		 dither;
	long		 disk_warn_mb;
	long		 disk_min_mb;
	int		 disk_resume;	/* enum cfg_resume */
	int		 write_error;	/* enum cfg_write_error */
	double		 keep_hours;
	double		 keep_gb;
	char		*on_file_closed;
	struct cfg_list	 alarm_channels;
	double		 silence_threshold_dbfs;
	double		 silence_seconds;
	double		 silence_clear_seconds;
	char		*on_alarm;
	char		*on_event;
	struct cfg_list	 on_event_names;
	char		*description;
	struct cfg_list	 loudness;	/* "off", or groups (cfg_loud_group) */
	struct cfg_list	 outputs;	/* JSON objects as text (cfgout.h) */
	char		*jack_server;
	char		*client_name;
	char		*socket;
	char		*socket_readonly;
	int		 autostart;
	double		 prerecord_seconds;
	int		 log_level;	/* enum cfg_loglevel */
};

/*
 * When an option may change while recd runs: never (a restart), by set
 * and SIGHUP, or from the config file only (SIGHUP): a command that recd
 * runs, or what makes it run (on_event_names), is never taken from a
 * socket client, who may steer recd but must not run code as recd.
 */
#define CFG_RT_NO	0
#define CFG_RT_YES	1
#define CFG_RT_FILE	2

struct cfg_opt {
	const char	*name;
	enum cfg_type	 type;
	size_t		 off;		/* offsetof(struct cfg, field) */
	const char	*def;		/* default, as a command-line value */
	double		 min, max;	/* CFG_INT, CFG_REAL */
	const char *const *choices;	/* CFG_ENUM: NULL-terminated */
	int		 runtime;	/* CFG_RT_*: when it may change */
	const char	*help;		/* one sentence or two */
};

/* The table, in the order the docs show it. */
size_t			 cfg_count(void);
const struct cfg_opt	*cfg_opt_at(size_t);
/* By name; '-' and '_' are the same.  NULL when unknown. */
const struct cfg_opt	*cfg_find(const char *name);
/*
 * 1 when each element of a list option is a JSON object as text (outputs:
 * the config file and get show objects), else 0.
 */
int			 cfg_list_objects(const struct cfg_opt *);

/* Every option at its default.  cfg_done frees what cfg_init made. */
int	cfg_init(struct cfg *, char *err, size_t errlen);
void	cfg_done(struct cfg *);
int	cfg_copy(struct cfg *dst, const struct cfg *src, char *err,
	    size_t errlen);

/*
 * Typed setters: check the value against the option's type and range and
 * store it, or leave the value alone and describe the refusal in err as
 * "name: value: reason (accepted range)".  Return 0 or -EINVAL (-ENOMEM).
 */
int	cfg_set_bool(struct cfg *, const struct cfg_opt *, int,
	    char *err, size_t errlen);
int	cfg_set_number(struct cfg *, const struct cfg_opt *, double,
	    char *err, size_t errlen);
int	cfg_set_string(struct cfg *, const struct cfg_opt *, const char *,
	    char *err, size_t errlen);
/* CFG_LIST: empty it, then add strings one at a time. */
void	cfg_list_clear(struct cfg *, const struct cfg_opt *);
int	cfg_list_add(struct cfg *, const struct cfg_opt *, const char *,
	    char *err, size_t errlen);
/*
 * From text, as on the command line.  A list option gets one element a
 * call; append = 0 replaces the list by that element.
 */
int	cfg_set_text(struct cfg *, const struct cfg_opt *, const char *text,
	    int append, char *err, size_t errlen);

/* Reading values back: the field, and the value as command-line text. */
const void *cfg_ptr(const struct cfg *, const struct cfg_opt *);
int	cfg_format(const struct cfg *, const struct cfg_opt *, char *buf,
	    size_t len);
/* Whether a and b hold the same value of the option: 1 or 0. */
int	cfg_equal(const struct cfg *a, const struct cfg *b,
	    const struct cfg_opt *);

/*
 * Checks that span options (port_names against channels, connect as
 * regular expressions, name_template inside directory), but not the
 * elements of outputs, which are JSON: a whole configuration is checked
 * with protocol/cfgout.h's cfgout_check, which runs this first.  Reads no
 * file.  Returns 0, or -EINVAL with err naming the option.
 */
int	cfg_check(const struct cfg *, char *err, size_t errlen);

/*
 * The checks of what one output writes, for nch of the take's channels:
 * disk limits, the channels of FLAC, Opus and MP3 files against the
 * format and mode, name_template inside directory.  cfg_check runs them
 * for the main output, cfg_outputs (cfgout.h) for each of the others.
 * Reads no file; any thread.  Returns 0, or -EINVAL with err as
 * cfg_check's.
 */
int	cfg_check_files(const struct cfg *, long nch, char *err,
	    size_t errlen);

/*
 * One group of the option `loudness': "N" (a mono programme, channel N)
 * or "N-M" (channels N to M, N < M), channels from 1.  Returns 0 with the
 * channels in first and last, 1 for "off", or -EINVAL.  Pure: any thread.
 */
#define CFG_LOUD_MAX	16		/* groups measured in one file */
int	cfg_loud_group(const char *, unsigned *first, unsigned *last);

/*
 * Command-line overrides: argv holds only "--name value", "--name=value"
 * and, for booleans, "--name" and "--no-name".  A list option given more
 * than once collects every value.
 */
int	cfg_apply_args(struct cfg *, int argc, char *const argv[], char *err,
	    size_t errlen);

/*
 * The control socket's path: the option socket, or when it is empty
 * $XDG_RUNTIME_DIR/recd/recd.sock, or /run/recd/recd.sock without
 * XDG_RUNTIME_DIR.  recd and recctl agree through this.  Returns 0, or
 * -ENAMETOOLONG when it does not fit len (a socket path is short).
 */
int	cfg_socket_path(const char *option, char *buf, size_t len);

/*
 * The read-only socket's path: the option socket_readonly, or when it is
 * empty one beside the control socket ctl_path, named after it with
 * -readonly (recd.sock: recd-readonly.sock).  "none" gives "": no
 * read-only socket.  recd and recweb agree through this.  Returns 0, or
 * -ENAMETOOLONG when it does not fit len, nor a socket's 108 bytes.
 */
int	cfg_socket_ro_path(const char *option, const char *ctl_path,
	    char *buf, size_t len);

/* The option table for people: --help, README.md and etc/recd.json. */
/* The accepted values of an option, as "(...)" for messages and docs. */
void	cfg_range_text(const struct cfg_opt *, char *buf, size_t len);
void	cfg_print_help(FILE *);
void	cfg_print_markdown(FILE *);
void	cfg_print_config(FILE *);

#endif
