/*
 * retain.h: retention for always-on loggers: deletes recd's own finished
 * files, oldest first, by age or by total size.  recd deletes only what
 * it finished itself and what nobody touched since: a ledger in the
 * recording directory, DIR/.recd-ledger, remembers each finished file
 * with its size and mtime, and a file that differs is left alone.
 * Open files are never in the ledger; other files never are either.
 *
 * Ledger lines (comments start with #):
 *	FINISH_S SIZE_BYTES MTIME_S PATH
 * unix seconds, bytes, unix seconds and the path relative to DIR: the
 * rest of the line, so spaces and odd characters survive; a name with a
 * newline is refused.  retain_add appends one line with one write(2);
 * deletions rewrite the ledger (temp file, fsync, rename).
 *
 * Not thread-safe: one thread at a time.  Blocking file system calls
 * (unlink of a large file can take a while): not for the event loop's
 * own thread; the writer thread between batches or uv_queue_work.
 */
#ifndef RECD_DAEMON_RETAIN_H
#define RECD_DAEMON_RETAIN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define RETAIN_LEDGER	".recd-ledger"

struct retain;

/* Called for each file deleted: its full path, its size, why (a phrase). */
typedef void	(*retain_deleted_fn)(void *arg, const char *path,
		    uint64_t bytes, const char *why);

/*
 * Loads DIR's ledger; a missing one is empty.  A line that is not a
 * ledger line, or names a path that could leave DIR, is skipped with a
 * warning naming LEDGER:LINE, and the ledger is rewritten without it.
 * Returns NULL with the reason in err (DIR missing, unreadable ledger).
 */
struct retain	*retain_open(const char *dir, char *err, size_t errlen);
/*
 * Remembers a file recd has just finished: path is absolute, or starts
 * with DIR as given to retain_open, or else is relative to DIR; it must
 * be a regular file under DIR.  Its size and mtime are taken now and a
 * line appended to the ledger.  Adding a path again replaces its entry.
 * Returns 0; -EINVAL (logged: outside DIR, not a regular file, a newline
 * in the name), -ENOENT, or the errno of a failed ledger write (logged;
 * the entry is kept in memory and written with the next rewrite).
 */
int		 retain_add(struct retain *, const char *path);
/*
 * keep_hours > 0: deletes the files finished more than keep_hours before
 * now.  keep_gb > 0: then deletes the oldest while the ledger's files
 * total more than keep_gb * 1e9 bytes.  0 turns either off.  Before each
 * deletion the file is checked with lstat: gone, its entry is dropped
 * (debug); no longer a regular file, with another size or mtime, or
 * under a directory that became a symlink: left alone, entry dropped,
 * warning.  A file that cannot be deleted keeps its entry (warning) and
 * is tried again next time.  Emptied parent directories are removed up
 * to DIR, never DIR.  Each deletion is logged
 *	retention: PATH: deleted (older than 24 h)
 * and reported to deleted (may be NULL).  Returns the number deleted.
 */
int		 retain_apply(struct retain *, double keep_hours,
		    double keep_gb, time_t now, retain_deleted_fn deleted,
		    void *arg);
/* The total size and number of the files in the ledger. */
uint64_t	 retain_bytes(const struct retain *);
size_t		 retain_count(const struct retain *);
/* NULL is allowed. */
void		 retain_close(struct retain *);

#endif
