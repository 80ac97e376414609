/*
 * retain.c: the ledger of recd's finished files and the deletions it
 * allows.  The rule is to err on the side of keeping: a file is deleted
 * only when it is still exactly what recd finished (same path through
 * real directories, regular file, same size, same mtime); anything else
 * loses its entry and stays on disk.  The ledger is kept in finish order
 * so that "oldest first" is a walk from the front.  The flusher thread
 * (recd's retention and finished files); tests drive it alone.
 */
#include "retain.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define RT_TMP		RETAIN_LEDGER ".tmp"
#define RT_HEADER	"# recd ledger: finish_s size_bytes mtime_s path " \
			"(under this directory)\n"

struct rt_entry {
	int64_t		 finish_s;	/* unix s: when added */
	uint64_t	 size_bytes;
	int64_t		 mtime_s;	/* unix s */
	uint64_t	 hash;		/* of rel: a cheap first test */
	char		*rel;		/* under dir; NULL: dropped */
};

struct retain {
	char		*dir;		/* realpath of DIR */
	char		*given;		/* DIR as given, trimmed */
	char		*ledger;	/* DIR/.recd-ledger */
	char		*tmp;		/* ... and its rewrite */
	struct rt_entry	*e;		/* oldest finish first */
	size_t		 n, cap;
	uint64_t	 bytes;		/* sum of e[].size_bytes */
};

/* What retain_apply does with one entry. */
enum rt_verdict {
	RT_KEEP,	/* could not check or delete: try again next time */
	RT_DROP,	/* gone, or not ours any more: forget it */
	RT_GO		/* still what recd finished: may be deleted */
};

struct rt_pass {
	retain_deleted_fn	 cb;
	void			*arg;
	const char		*why;
	int			 deleted;	/* files */
	int			 dirty;		/* entries dropped */
};

static char *
rt_join(const char *a, const char *b)
{
	size_t	 la = strlen(a), lb = strlen(b);
	char	*p = malloc(la + lb + 2);

	if (p == NULL)
		return NULL;
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

/* FNV-1a: entries are compared by hash before strcmp. */
static uint64_t
rt_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/*
 * A path that stays under DIR: relative, no empty, "." or ".." part, no
 * newline (the ledger is made of lines), not the ledger itself.
 */
static int
rt_rel_ok(const char *rel)
{
	const char	*p = rel, *slash;
	size_t		 len;

	if (*rel == '\0' || *rel == '/' || strchr(rel, '\n') != NULL ||
	    strcmp(rel, RETAIN_LEDGER) == 0 || strcmp(rel, RT_TMP) == 0)
		return 0;
	for (;;) {
		slash = strchr(p, '/');
		len = slash == NULL ? strlen(p) : (size_t)(slash - p);
		if (len == 0 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (slash == NULL)
			return 1;
		p = slash + 1;
	}
}

/* Inserts in finish order; a clock stepped back only costs a memmove. */
static int
rt_push(struct retain *r, const struct rt_entry *x)
{
	struct rt_entry	*e;
	size_t		 i, cap;

	if (r->n == r->cap) {
		cap = r->cap == 0 ? 256 : r->cap * 2;
		if ((e = realloc(r->e, cap * sizeof(*e))) == NULL)
			return -ENOMEM;
		r->e = e;
		r->cap = cap;
	}
	for (i = r->n; i > 0 && r->e[i - 1].finish_s > x->finish_s; i--)
		;
	memmove(&r->e[i + 1], &r->e[i], (r->n - i) * sizeof(*r->e));
	r->e[i] = *x;
	r->n++;
	r->bytes += x->size_bytes;
	return 0;
}

static void
rt_drop(struct retain *r, struct rt_entry *x)
{
	r->bytes -= x->size_bytes;
	free(x->rel);
	x->rel = NULL;
}

static void
rt_compact(struct retain *r)
{
	size_t i, k = 0;

	for (i = 0; i < r->n; i++)
		if (r->e[i].rel != NULL)
			r->e[k++] = r->e[i];
	r->n = k;
}

/* One ledger line, with the header first when asked; malloc'd. */
static char *
rt_format(const struct rt_entry *x, int header, size_t *len)
{
	const char	*h = header ? RT_HEADER : "";
	char		*line;
	int		 n;

	n = snprintf(NULL, 0, "%s%" PRId64 " %" PRIu64 " %" PRId64 " %s\n", h,
	    x->finish_s, x->size_bytes, x->mtime_s, x->rel);
	if (n < 0 || (line = malloc((size_t)n + 1)) == NULL)
		return NULL;
	snprintf(line, (size_t)n + 1, "%s%" PRId64 " %" PRIu64 " %" PRId64
	    " %s\n", h, x->finish_s, x->size_bytes, x->mtime_s, x->rel);
	*len = (size_t)n;
	return line;
}

/*
 * The whole ledger anew: written to a temp file, synced (an empty ledger
 * after a power cut would forget every file and let the disk fill), then
 * renamed over the old one.
 */
static int
rt_rewrite(struct retain *r)
{
	FILE	*fp;
	size_t	 i;
	int	 fd, rc;

	fd = open(r->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		log_warn("retention: %s: cannot rewrite the ledger", r->tmp);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	errno = 0;
	fputs(RT_HEADER, fp);
	for (i = 0; i < r->n; i++)
		if (r->e[i].rel != NULL)
			fprintf(fp, "%" PRId64 " %" PRIu64 " %" PRId64 " %s\n",
			    r->e[i].finish_s, r->e[i].size_bytes,
			    r->e[i].mtime_s, r->e[i].rel);
	if (fflush(fp) != 0 || ferror(fp) || fsync(fd) != 0) {
		rc = errno != 0 ? -errno : -EIO;
		errno = -rc;
		log_warn("retention: %s: write", r->tmp);
		fclose(fp);
		goto fail;
	}
	if (fclose(fp) != 0) {
		rc = -errno;
		log_warn("retention: %s: write", r->tmp);
		goto fail;
	}
	if (rename(r->tmp, r->ledger) != 0) {
		rc = -errno;
		log_warn("retention: %s: rename to %s", r->tmp, r->ledger);
		goto fail;
	}
	return 0;
fail:
	unlink(r->tmp);
	return rc;
}

/*
 * One line at the end of the ledger, in one write(2).  A short write
 * (full disk) is cut off again, so that the next line starts a line.
 */
static int
rt_append(struct retain *r, const struct rt_entry *x)
{
	struct stat	 st;
	char		*line = NULL;
	size_t		 len;
	ssize_t		 w;
	int		 fd, rc = 0;

	fd = open(r->ledger, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = -errno;
		log_warn("retention: %s", r->ledger);
		goto out;
	}
	if ((line = rt_format(x, st.st_size == 0, &len)) == NULL) {
		rc = -ENOMEM;
		log_warnx("retention: %s: out of memory", r->ledger);
		goto out;
	}
	w = write(fd, line, len);
	if (w < 0 || (size_t)w != len) {
		rc = w < 0 ? -errno : -ENOSPC;
		errno = -rc;
		log_warn("retention: %s: write", r->ledger);
		if (w > 0 && ftruncate(fd, st.st_size) != 0)
			log_warn("retention: %s: cut a partial line",
			    r->ledger);
	}
out:
	free(line);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Reads a decimal field ending in a space; negative only if allowed. */
static int
rt_field(char **p, int allow_neg, long long *v)
{
	char *end;

	if (!isdigit((unsigned char)**p) && !(allow_neg && **p == '-'))
		return -1;
	errno = 0;
	*v = strtoll(*p, &end, 10);
	if (errno != 0 || end == *p || *end != ' ')
		return -1;
	*p = end + 1;
	return 0;
}

/* "FINISH SIZE MTIME PATH" (no newline) into x; rel is copied. */
static int
rt_parse(char *line, struct rt_entry *x)
{
	char		*p = line;
	long long	 finish, size, mtime;

	if (rt_field(&p, 0, &finish) != 0 || rt_field(&p, 0, &size) != 0 ||
	    rt_field(&p, 1, &mtime) != 0 || !rt_rel_ok(p))
		return -1;
	x->finish_s = finish;
	x->size_bytes = (uint64_t)size;
	x->mtime_s = mtime;
	x->hash = rt_hash(p);
	return (x->rel = strdup(p)) == NULL ? -1 : 0;
}

/*
 * Reads the ledger: a line that does not parse is skipped with a warning
 * naming it, and then the ledger is rewritten so it is told only once.
 */
static int
rt_load(struct retain *r, char *err, size_t errlen)
{
	struct rt_entry	 x;
	FILE		*fp;
	char		*line = NULL;
	size_t		 cap = 0, lineno = 0, skipped = 0;
	ssize_t		 len;
	int		 fd, rc = 0;

	fd = open(r->ledger, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || (fp = fdopen(fd, "r")) == NULL) {
		snprintf(err, errlen, "retention: %s: %s", r->ledger,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		if (line[len - 1] != '\n') {
			log_warnx("retention: %s:%zu: an unfinished line; "
			    "skipped", r->ledger, lineno);
			skipped++;
			break;
		}
		line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (strlen(line) != (size_t)len || rt_parse(line, &x) != 0) {
			log_warnx("retention: %s:%zu: not \"FINISH_S SIZE "
			    "MTIME_S PATH\" under the directory; skipped",
			    r->ledger, lineno);
			skipped++;
			continue;
		}
		if (rt_push(r, &x) != 0) {
			free(x.rel);
			snprintf(err, errlen, "retention: %s: out of memory",
			    r->ledger);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		snprintf(err, errlen, "retention: %s: read: %s", r->ledger,
		    strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(fp);
	if (rc == 0 && skipped > 0)
		rt_rewrite(r);
	return rc;
}

struct retain *
retain_open(const char *dir, char *err, size_t errlen)
{
	struct retain	*r;
	struct stat	 st;
	size_t		 len;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->given = strdup(dir)) == NULL) {
		snprintf(err, errlen, "retention: %s: out of memory", dir);
		goto fail;
	}
	len = strlen(r->given);
	while (len > 1 && r->given[len - 1] == '/')
		r->given[--len] = '\0';
	if ((r->dir = realpath(dir, NULL)) == NULL ||
	    stat(r->dir, &st) != 0) {
		snprintf(err, errlen, "retention: directory %s: %s", dir,
		    strerror(errno));
		goto fail;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "retention: directory %s: not a "
		    "directory", dir);
		goto fail;
	}
	if ((r->ledger = rt_join(r->dir, RETAIN_LEDGER)) == NULL ||
	    (r->tmp = rt_join(r->dir, RT_TMP)) == NULL) {
		snprintf(err, errlen, "retention: %s: out of memory", dir);
		goto fail;
	}
	if (rt_load(r, err, errlen) != 0)
		goto fail;
	return r;
fail:
	retain_close(r);
	return NULL;
}

/*
 * Checks that every directory between DIR and the file is a real one, so
 * that a directory swapped for a symlink cannot lead us elsewhere.
 * Returns 0, -ENOTDIR with *at the length of the culprit's path in full,
 * or the errno of lstat.
 */
static int
rt_check_dirs(const struct retain *r, char *full, size_t *at)
{
	struct stat	 st;
	char		*slash;
	int		 rc = 0;

	for (slash = strchr(full + strlen(r->dir) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (lstat(full, &st) != 0)
			rc = -errno;
		else if (!S_ISDIR(st.st_mode))
			rc = -ENOTDIR;
		*slash = '/';
		if (rc != 0) {
			*at = (size_t)(slash - full);
			return rc;
		}
	}
	return 0;
}

/*
 * The path to record for path: absolute or starting with DIR as given
 * means a path from here, resolved through its parent's realpath (never
 * through the file itself); anything else is already under DIR.
 */
static char *
rt_relpath(const struct retain *r, const char *path)
{
	size_t	 gl = strlen(r->given), dl = strlen(r->dir);
	char	*copy, *slash, *real, *rel = NULL;

	if (path[0] != '/' && (strncmp(path, r->given, gl) != 0 ||
	    path[gl] != '/'))
		return strdup(path);
	if ((copy = strdup(path)) == NULL)
		return NULL;
	slash = strrchr(copy, '/');
	*slash = '\0';
	real = realpath(slash == copy ? "/" : copy, NULL);
	if (real == NULL) {
		free(copy);
		return NULL;
	}
	if (strcmp(real, r->dir) == 0)
		rel = strdup(slash + 1);
	else if (strncmp(real, r->dir, dl) == 0 && real[dl] == '/')
		rel = rt_join(real + dl + 1, slash + 1);
	else
		errno = EINVAL;
	free(real);
	free(copy);
	return rel;
}

/* Forgets an earlier entry for x's path; 1 if there was one. */
static int
rt_forget(struct retain *r, const struct rt_entry *x)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->e[i].hash == x->hash && strcmp(r->e[i].rel, x->rel) ==
		    0) {
			rt_drop(r, &r->e[i]);
			rt_compact(r);
			return 1;
		}
	}
	return 0;
}

/* path for a log line, control characters as \xNN: one line per line. */
static const char *
rt_visible(const char *path, char *buf, size_t len)
{
	const unsigned char	*p;
	size_t			 k = 0;

	for (p = (const unsigned char *)path; *p != '\0' && k + 5 < len;
	    p++) {
		if (*p < 0x20 || *p == 0x7f)
			k += (size_t)snprintf(buf + k, len - k, "\\x%02x", *p);
		else
			buf[k++] = (char)*p;
	}
	buf[k] = '\0';
	return buf;
}

/* Fills x for path, or logs why not and returns -errno. */
static int
rt_entry_for(struct retain *r, const char *path, struct rt_entry *x)
{
	struct stat	 st;
	char		*full = NULL, vis[512];
	size_t		 at;
	int		 rc;

	memset(x, 0, sizeof(*x));
	if (strchr(path, '\n') != NULL) {
		log_errx("retention: %s: a newline in the name; not kept",
		    rt_visible(path, vis, sizeof(vis)));
		return -EINVAL;
	}
	if ((x->rel = rt_relpath(r, path)) == NULL) {
		rc = errno == EINVAL ? -EINVAL : -errno;
		if (rc == -EINVAL)
			log_errx("retention: %s: not under %s; not kept",
			    path, r->dir);
		else
			log_warn("retention: %s", path);
		return rc;
	}
	if (!rt_rel_ok(x->rel)) {
		log_errx("retention: %s: not a file under %s; not kept", path,
		    r->dir);
		rc = -EINVAL;
	} else if ((full = rt_join(r->dir, x->rel)) == NULL) {
		rc = -ENOMEM;
	} else if ((rc = rt_check_dirs(r, full, &at)) == -ENOTDIR) {
		log_errx("retention: %s: %.*s is not a directory (a symlink?); "
		    "not kept", path, (int)at, full);
		rc = -EINVAL;
	} else if (rc == 0 && lstat(full, &st) != 0) {
		rc = -errno;
		log_warn("retention: %s", full);
	} else if (rc == 0 && !S_ISREG(st.st_mode)) {
		log_errx("retention: %s: not a regular file; not kept", full);
		rc = -EINVAL;
	} else if (rc == 0) {
		x->size_bytes = (uint64_t)st.st_size;
		x->mtime_s = (int64_t)st.st_mtime;
		x->finish_s = (int64_t)time(NULL);
		x->hash = rt_hash(x->rel);
	} else {
		errno = -rc;
		log_warn("retention: %s", full);
	}
	free(full);
	if (rc != 0) {
		free(x->rel);
		x->rel = NULL;
	}
	return rc;
}

int
retain_add(struct retain *r, const char *path)
{
	struct rt_entry	x;
	int		rc, again;

	if ((rc = rt_entry_for(r, path, &x)) != 0)
		return rc;
	again = rt_forget(r, &x);
	if (rt_push(r, &x) != 0) {
		log_errx("retention: %s: out of memory; not kept", path);
		free(x.rel);
		return -ENOMEM;
	}
	/* A path added again: its old line must go too. */
	return again ? rt_rewrite(r) : rt_append(r, &x);
}

/* Is x still the file recd finished?  Says why not when it is not. */
static enum rt_verdict
rt_verify(const struct retain *r, const struct rt_entry *x, char *full)
{
	struct stat	st;
	size_t		at;
	int		rc;

	rc = rt_check_dirs(r, full, &at);
	if (rc == 0 && lstat(full, &st) != 0)
		rc = -errno;
	if (rc == -ENOENT) {
		log_debug("retention: %s: gone already", full);
		return RT_DROP;
	}
	if (rc == -ENOTDIR) {
		log_warnx("retention: %s: %.*s is no longer a directory; left "
		    "alone", full, (int)at, full);
		return RT_DROP;
	}
	if (rc != 0) {
		errno = -rc;
		log_warn("retention: %s", full);
		return RT_KEEP;
	}
	if (!S_ISREG(st.st_mode)) {
		log_warnx("retention: %s: no longer a regular file; left alone",
		    full);
		return RT_DROP;
	}
	if ((uint64_t)st.st_size != x->size_bytes ||
	    (int64_t)st.st_mtime != x->mtime_s) {
		log_warnx("retention: %s: changed since recd finished it (%lld "
		    "bytes, mtime %lld; was %" PRIu64 ", %" PRId64 "); left "
		    "alone", full, (long long)st.st_size,
		    (long long)st.st_mtime, x->size_bytes, x->mtime_s);
		return RT_DROP;
	}
	return RT_GO;
}

/* Removes full's parent directories that are now empty, up to DIR. */
static void
rt_prune(const struct retain *r, char *full)
{
	size_t	 dl = strlen(r->dir);
	char	*slash;

	while ((slash = strrchr(full, '/')) != NULL &&
	    (size_t)(slash - full) > dl) {
		*slash = '\0';
		if (rmdir(full) != 0)
			break;
	}
}

static void
rt_settle(struct retain *r, struct rt_entry *x, struct rt_pass *p)
{
	enum rt_verdict	 v;
	char		*full = rt_join(r->dir, x->rel);

	if (full == NULL)
		return;
	v = rt_verify(r, x, full);
	if (v == RT_GO && unlink(full) != 0) {
		if (errno == ENOENT) {
			log_debug("retention: %s: gone already", full);
			v = RT_DROP;
		} else {
			log_warn("retention: %s: cannot delete", full);
			v = RT_KEEP;
		}
	}
	if (v == RT_GO) {
		log_info("retention: %s: deleted (%s)", full, p->why);
		if (p->cb != NULL)
			p->cb(p->arg, full, x->size_bytes, p->why);
		rt_prune(r, full);
		p->deleted++;
	}
	if (v != RT_KEEP) {
		rt_drop(r, x);
		p->dirty = 1;
	}
	free(full);
}

int
retain_apply(struct retain *r, double keep_hours, double keep_gb,
    time_t now, retain_deleted_fn deleted, void *arg)
{
	struct rt_pass	p = { deleted, arg, NULL, 0, 0 };
	char		why[64];
	double		cutoff_s, limit_bytes;
	size_t		i;

	if (keep_hours > 0) {
		snprintf(why, sizeof(why), "older than %g h", keep_hours);
		p.why = why;
		cutoff_s = (double)now - keep_hours * 3600;
		for (i = 0; i < r->n && (double)r->e[i].finish_s < cutoff_s;
		    i++)
			if (r->e[i].rel != NULL)
				rt_settle(r, &r->e[i], &p);
	}
	if (keep_gb > 0) {
		snprintf(why, sizeof(why), "over %g GB", keep_gb);
		p.why = why;
		limit_bytes = keep_gb * 1e9;
		for (i = 0; i < r->n && (double)r->bytes > limit_bytes; i++)
			if (r->e[i].rel != NULL)
				rt_settle(r, &r->e[i], &p);
	}
	if (p.dirty) {
		rt_compact(r);
		rt_rewrite(r);
	}
	return p.deleted;
}

uint64_t
retain_bytes(const struct retain *r)
{
	return r->bytes;
}

size_t
retain_count(const struct retain *r)
{
	return r->n;
}

void
retain_close(struct retain *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		free(r->e[i].rel);
	free(r->e);
	free(r->dir);
	free(r->given);
	free(r->ledger);
	free(r->tmp);
	free(r);
}
