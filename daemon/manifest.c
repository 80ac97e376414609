/*
 * manifest.c: checksum manifests (manifest.h).  The main thread queues
 * jobs; each runs in libuv's thread pool (uv_queue_work), one at a time
 * so that two never edit one manifest at once, and its result is logged
 * back on the main thread.  The file's bytes are read back from the disk,
 * so the digest is of what is there, not of what recd meant to write.
 */
#include "manifest.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sha2.h>		/* libmd */

#include "log.h"

#define MF_READ_BYTES	(1 << 20)
#define MF_HEX_BYTES	64
#define MF_MAX_BYTES	(64 << 20)	/* a manifest past this is refused */

struct mf_job {
	uv_work_t	 req;		/* first: the request's data is us */
	struct manifest	*m;
	struct mf_job	*next;
	char		*path;
	int		 add;		/* add (1) or remove (0) */
	int		 err;		/* 0 or -errno, from the pool */
	const char	*what;		/* what failed */
	char		 hex[SHA256_DIGEST_STRING_LENGTH];
};

struct manifest {
	uv_loop_t	*loop;
	struct mf_job	*head, *tail;	/* queued, head running if busy */
	int		 busy;
	unsigned	 pending;
};

static void	mf_next(struct manifest *);

/* The line's name if it is "HEX  NAME" or "HEX *NAME", else NULL. */
static const char *
mf_line_name(const char *line, size_t len, size_t *namelen)
{
	size_t i;

	if (len < MF_HEX_BYTES + 3)
		return NULL;
	for (i = 0; i < MF_HEX_BYTES; i++)
		if (strchr("0123456789abcdefABCDEF", line[i]) == NULL ||
		    line[i] == '\0')
			return NULL;
	if (line[i] != ' ' || (line[i + 1] != ' ' && line[i + 1] != '*'))
		return NULL;
	*namelen = len - i - 2;
	return line + i + 2;
}

char *
manifest_edit(const char *text, size_t len, const char *name,
    const char *hex, size_t *outlen)
{
	const char	*p = text, *end = text + len, *nl, *n;
	size_t		 k, nk, cap, o = 0;
	char		*out;

	cap = len + (hex != NULL ? strlen(hex) + strlen(name) + 4 : 0) + 1;
	if ((out = malloc(cap)) == NULL)
		return NULL;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		k = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		n = mf_line_name(p, k, &nk);
		if (n == NULL || nk != strlen(name) ||
		    memcmp(n, name, nk) != 0) {
			memcpy(out + o, p, k);
			o += k;
			out[o++] = '\n';	/* a torn last line ends */
		}
		p += k + (nl != NULL);
	}
	if (hex != NULL)
		o += (size_t)snprintf(out + o, cap - o, "%s  %s\n", hex, name);
	*outlen = o;
	return out;
}

static int
mf_digest(const char *path, char hex[SHA256_DIGEST_STRING_LENGTH])
{
	SHA2_CTX	 ctx;
	unsigned char	*buf;
	ssize_t		 n;
	int		 fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if ((buf = malloc(MF_READ_BYTES)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	SHA256Init(&ctx);
	while ((n = read(fd, buf, MF_READ_BYTES)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		SHA256Update(&ctx, buf, (size_t)n);
	}
#if defined(POSIX_FADV_DONTNEED)
	/* Read once to check: the pages need not stay. */
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
#endif
	close(fd);
	free(buf);
	if (rc == 0)
		SHA256End(&ctx, hex);
	return rc;
}

/* The whole of path (at most MF_MAX_BYTES) into *text; none is empty. */
static int
mf_slurp(const char *path, char **text, size_t *len)
{
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) != 0 || st.st_size > MF_MAX_BYTES) {
		close(fd);
		return st.st_size > MF_MAX_BYTES ? -EFBIG : -errno;
	}
	if ((*text = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return -ENOMEM;
	}
	while (*len < (size_t)st.st_size) {
		n = read(fd, *text + *len, (size_t)st.st_size - *len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			break;
		}
		*len += (size_t)n;
	}
	close(fd);
	return 0;
}

/* Writes text as dir's manifest: a new file, synced, renamed over. */
static int
mf_replace(const char *dir, const char *text, size_t len, const char **what)
{
	char	tmp[4096 + 32], final[4096 + 32];
	size_t	o = 0;
	ssize_t	n;
	int	fd, dfd, rc = 0;

	snprintf(final, sizeof(final), "%s/" MANIFEST_NAME, dir);
	snprintf(tmp, sizeof(tmp), "%s/." MANIFEST_NAME ".new", dir);
	*what = "write";
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (o < len) {
		n = write(fd, text + o, len - o);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		o += (size_t)n;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0 && errno != EINTR)
		rc = -errno;
	if (rc == 0) {
		*what = "rename";
		if (rename(tmp, final) != 0)
			rc = -errno;
	}
	if (rc != 0) {
		unlink(tmp);
		return rc;
	}
	/* The new name is as safe as the files it lists. */
	*what = "sync";
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if (fsync(dfd) != 0)
		rc = -errno;
	close(dfd);
	return rc;
}

/* The thread pool: the digest, then the manifest edited. */
static void
mf_work(uv_work_t *req)
{
	struct mf_job	*j = (struct mf_job *)req;
	char		 dir[4096], mpath[4096 + sizeof(MANIFEST_NAME)];
	char		*slash, *text, *next;
	size_t		 len, nlen;

	snprintf(dir, sizeof(dir), "%s", j->path);
	slash = strrchr(dir, '/');
	if (slash == NULL || strchr(slash + 1, '\n') != NULL ||
	    strchr(slash + 1, '\\') != NULL) {
		/* sha256sum would need its escapes for such a name. */
		j->err = -EINVAL;
		j->what = "name";
		return;
	}
	*slash = '\0';
	if (j->add && (j->err = mf_digest(j->path, j->hex)) != 0) {
		j->what = "read";
		return;
	}
	snprintf(mpath, sizeof(mpath), "%s/" MANIFEST_NAME, dir);
	if ((j->err = mf_slurp(mpath, &text, &len)) != 0) {
		j->what = "read";
		return;
	}
	/* Nothing to take out of a manifest there is not. */
	if (!j->add && text == NULL)
		return;
	next = manifest_edit(text != NULL ? text : "", len, slash + 1,
	    j->add ? j->hex : NULL, &nlen);
	free(text);
	if (next == NULL) {
		j->err = -ENOMEM;
		j->what = "edit";
		return;
	}
	j->err = mf_replace(dir, next, nlen, &j->what);
	free(next);
}

static void
mf_done(uv_work_t *req, int status)
{
	struct mf_job	*j = (struct mf_job *)req;
	struct manifest	*m = j->m;

	if (status != 0)
		log_warnx("file %s: " MANIFEST_NAME ": %s", j->path,
		    uv_strerror(status));
	else if (j->err != 0)
		log_warnx("file %s: " MANIFEST_NAME ": %s: %s; not listed",
		    j->path, j->what, strerror(-j->err));
	m->head = j->next;
	if (m->head == NULL)
		m->tail = NULL;
	m->busy = 0;
	m->pending--;
	free(j->path);
	free(j);
	mf_next(m);
}

static void
mf_next(struct manifest *m)
{
	int rc;

	while (!m->busy && m->head != NULL) {
		rc = uv_queue_work(m->loop, &m->head->req, mf_work, mf_done);
		if (rc == 0) {
			m->busy = 1;
			return;
		}
		log_warnx("file %s: " MANIFEST_NAME ": %s", m->head->path,
		    uv_strerror(rc));
		mf_done(&m->head->req, 0);
	}
}

static void
mf_queue(struct manifest *m, const char *path, int add)
{
	struct mf_job *j;

	if (m == NULL)
		return;
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->path = strdup(path)) == NULL) {
		log_warnx("file %s: " MANIFEST_NAME ": out of memory", path);
		free(j);
		return;
	}
	j->m = m;
	j->add = add;
	j->req.data = j;
	if (m->tail != NULL)
		m->tail->next = j;
	else
		m->head = j;
	m->tail = j;
	m->pending++;
	mf_next(m);
}

struct manifest *
manifest_new(uv_loop_t *loop)
{
	struct manifest *m = calloc(1, sizeof(*m));

	if (m != NULL)
		m->loop = loop;
	return m;
}

void
manifest_add(struct manifest *m, const char *path)
{
	mf_queue(m, path, 1);
}

void
manifest_remove(struct manifest *m, const char *path)
{
	mf_queue(m, path, 0);
}

unsigned
manifest_pending(const struct manifest *m)
{
	return m != NULL ? m->pending : 0;
}

void
manifest_free(struct manifest *m)
{
	free(m);
}
