/*
 * fuzz_repair.c: libFuzzer target for the WAV repair reader (wav_repair),
 * which reads whatever a crash, a power cut or a stranger left in a
 * *.wav.partial.  The input is the file.  A refusal leaves it untouched
 * and names it; a repair gives a file that a second repair leaves exactly
 * as it is, with the same frame count, never longer than the input but
 * for a pad byte.
 */
#define _GNU_SOURCE		/* memfd_create */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wav.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FZ_MAX_BYTES	(1 << 20)

static int	fz_fd = -1;
static char	fz_path[64];

static unsigned char *
fz_slurp(size_t *len)
{
	struct stat	 st;
	unsigned char	*b;

	if (fstat(fz_fd, &st) != 0)
		abort();
	*len = (size_t)st.st_size;
	b = malloc(*len + 1);
	if (b == NULL || pread(fz_fd, b, *len, 0) != (ssize_t)*len)
		abort();
	return b;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char	*once, *twice;
	uint64_t	 frames, again;
	size_t		 len, len2;
	char		 err[512], want[80];
	int		 rc;

	if (size > FZ_MAX_BYTES)
		return 0;
	/* A memory file, reached by path as recd reaches a partial file. */
	if (fz_fd < 0) {
		fz_fd = memfd_create("fuzz_repair.wav", 0);
		if (fz_fd < 0)
			abort();
		snprintf(fz_path, sizeof(fz_path), "/proc/self/fd/%d", fz_fd);
	}
	if (ftruncate(fz_fd, 0) != 0 ||
	    pwrite(fz_fd, data, size, 0) != (ssize_t)size)
		abort();
	err[0] = '\0';
	rc = wav_repair(fz_path, &frames, err, sizeof(err));
	once = fz_slurp(&len);
	if (rc != 0) {
		snprintf(want, sizeof(want), "file %s: ", fz_path);
		if (strncmp(err, want, strlen(want)) != 0)
			abort();
		/* Refused as not ours: not a byte changed. */
		if (rc == -EINVAL && (len != size || (size > 0 &&
		    memcmp(once, data, size) != 0)))
			abort();
		free(once);
		return 0;
	}
	/* At most the pad byte after odd-sized data is added. */
	if (len > size + 1)
		abort();
	if (wav_repair(fz_path, &again, err, sizeof(err)) != 0 ||
	    again != frames)
		abort();
	twice = fz_slurp(&len2);
	if (len2 != len || memcmp(once, twice, len) != 0)
		abort();
	free(once);
	free(twice);
	return 0;
}
