/*
 * repair.c: start-up repair (repair.h).  A file another recd holds open is
 * locked (flock) and left alone; a finished file is never overwritten.
 * Main thread, before the loop starts.
 */
#include "repair.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "fmt.h"

#define REPAIR_DEPTH	16	/* subdirectories searched */

/*
 * One file a crash left unfinished: repaired so that its header covers
 * every complete frame on disk, then given its final name (never over an
 * existing file).  A file another recd holds open is locked: left alone.
 */
static void
repair_one(const char *partial, const struct fmt_backend *be,
    void (*done)(void *, const char *), void *arg)
{
	struct stat	 sp, sf;
	char		 final[4096], err[1024];
	uint64_t	 frames;
	size_t		 len = strlen(partial) - strlen(FS_PARTIAL);
	int		 fd, n, rc;

	fd = open(partial, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_warn("file %s: open", partial);
		return;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		log_info("file %s: being written by another recd; left alone",
		    partial);
		close(fd);
		return;
	}
	/*
	 * Finished, synced and linked to its final name, but the crash came
	 * before the .partial name went: one file with two names.
	 */
	snprintf(final, sizeof(final), "%.*s", (int)len, partial);
	if (stat(partial, &sp) == 0 && stat(final, &sf) == 0 &&
	    sp.st_dev == sf.st_dev && sp.st_ino == sf.st_ino) {
		if (unlink(partial) == 0)
			log_info("file %s: finished; only its unfinished name "
			    "was left, and is removed", final);
		close(fd);
		if (done != NULL)
			done(arg, final);
		return;
	}
	if (be->repair(partial, &frames, err, sizeof(err)) != 0) {
		log_errx("%s; left as it is", err);
		close(fd);
		return;
	}
	/* Opened ahead of a boundary that never came: it holds nothing. */
	if (frames == 0) {
		if (unlink(partial) == 0)
			log_info("file %s: unfinished and empty: removed",
			    partial);
		close(fd);
		return;
	}
	snprintf(final, sizeof(final), "%.*s", (int)len, partial);
	for (n = 1; ; n++) {
		/* The .partial goes only once the final name holds the file. */
		if ((rc = fs_rename_noreplace(partial, final)) >= 0)
			break;
		if (rc != -EEXIST) {
			errno = -rc;
			log_warn("file %s: repaired, but not renamed to %s",
			    partial, final);
			close(fd);
			return;
		}
		if (n == 1000) {
			log_errx("file %s: repaired, but every name for it is "
			    "taken", partial);
			close(fd);
			return;
		}
		snprintf(final, sizeof(final), "%.*s-recovered-%d%s",
		    (int)(len - strlen(be->ext)), partial, n, be->ext);
	}
	log_warnx("file %s: left unfinished by a crash: repaired, %llu "
	    "frames, now %s", partial, (unsigned long long)frames, final);
	close(fd);
	if (done != NULL)
		done(arg, final);
}

static void
repair_tree(const char *dir, int depth, void (*done)(void *, const char *),
    void *arg)
{
	struct dirent	*e;
	struct stat	 st;
	DIR		*d;
	char		 path[4096];
	size_t		 len, k = strlen(FS_PARTIAL);
	const struct fmt_backend *be;

	if (depth > REPAIR_DEPTH || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(path) || lstat(path, &st) != 0)
			continue;
		len = strlen(e->d_name);
		if (S_ISDIR(st.st_mode)) {
			repair_tree(path, depth + 1, done, arg);
			continue;
		}
		if (!S_ISREG(st.st_mode) || len <= k ||
		    strcmp(e->d_name + len - k, FS_PARTIAL) != 0)
			continue;
		/* NAME.EXT.partial, of a format recd writes. */
		if ((be = fmt_by_path(e->d_name, len - k)) != NULL &&
		    len - k > strlen(be->ext))
			repair_one(path, be, done, arg);
	}
	closedir(d);
}

void
repair_dir(const char *dir, void (*done)(void *, const char *), void *arg)
{
	repair_tree(dir, 0, done, arg);
}
