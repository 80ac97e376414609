/*
 * chunk.c: prints the body of a RIFF/RF64 WAVE file's chunk, for tests
 * that hand it to independent tools (xmllint, md5sum, od).
 * usage: chunk FILE ID    (ID: "data", "iXML", "bext", "MD5 ", ...)
 * Exit status 1 if the file has no such chunk, 2 on bad usage or input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Copies n bytes of f to stdout. */
static int
copy(FILE *f, uint64_t n)
{
	char	b[65536];
	size_t	k;

	while (n > 0) {
		k = n < sizeof(b) ? (size_t)n : sizeof(b);
		if (fread(b, 1, k, f) != k || fwrite(b, 1, k, stdout) != k)
			return -1;
		n -= k;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	unsigned char	 h[12], c[8], ds[28];
	uint64_t	 size, data64 = 0;
	FILE		*f;
	int		 rf64;

	if (argc != 3 || strlen(argv[2]) != 4) {
		fprintf(stderr, "usage: chunk FILE ID\n");
		return 2;
	}
	if ((f = fopen(argv[1], "rb")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	if (fread(h, 1, 12, f) != 12 || memcmp(h + 8, "WAVE", 4) != 0 ||
	    (memcmp(h, "RIFF", 4) != 0 && memcmp(h, "RF64", 4) != 0)) {
		fprintf(stderr, "chunk: %s: not a WAVE file\n", argv[1]);
		return 2;
	}
	rf64 = memcmp(h, "RF64", 4) == 0;
	while (fread(c, 1, 8, f) == 8) {
		size = get32(c + 4);
		if (memcmp(c, "ds64", 4) == 0 && size >= 28) {
			if (fread(ds, 1, 28, f) != 28)
				break;
			data64 = get64(ds + 8);
			size -= 28;
		} else if (rf64 && memcmp(c, "data", 4) == 0 &&
		    size == 0xFFFFFFFFu)
			size = data64;
		if (memcmp(c, argv[2], 4) == 0) {
			if (copy(f, size) != 0) {
				fprintf(stderr, "chunk: %s: short\n", argv[1]);
				return 2;
			}
			return 0;
		}
		if (fseeko(f, (off_t)(size + (size & 1)), SEEK_CUR) != 0)
			break;
	}
	return 1;
}
