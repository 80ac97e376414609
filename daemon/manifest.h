/*
 * manifest.h: checksum manifests (option checksum_manifest): a file
 * SHA256SUMS in each directory recd writes into, one line per finished
 * file in the form `sha256sum -c' reads, replaced whole on every change
 * so that a crash never leaves it torn.  The main thread queues the work;
 * libuv's thread pool reads the files and writes the manifests, one job at
 * a time.
 */
#ifndef RECD_DAEMON_MANIFEST_H
#define RECD_DAEMON_MANIFEST_H

#include <uv.h>

#define MANIFEST_NAME	"SHA256SUMS"

struct manifest;

struct manifest	*manifest_new(uv_loop_t *);
/* path is finished: its SHA-256 goes into its directory's manifest. */
void		 manifest_add(struct manifest *, const char *path);
/* path is gone (retention): its line leaves the manifest. */
void		 manifest_remove(struct manifest *, const char *path);
/* Jobs queued or running; the loop runs until they are done. */
unsigned	 manifest_pending(const struct manifest *);
/* After the loop has ended (nothing pending). */
void		 manifest_free(struct manifest *);

/*
 * The manifest text (len bytes) with name's line taken out and, if hex is
 * not NULL, "hex  name\n" added at the end: a new string (malloc'd, *outlen
 * bytes) or NULL.  Lines that are not a digest and a name are kept as
 * they are.  Pure, for the tests.
 */
char		*manifest_edit(const char *text, size_t len, const char *name,
		    const char *hex, size_t *outlen);

#endif
