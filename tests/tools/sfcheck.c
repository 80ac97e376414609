/*
 * sfcheck.c: how libsndfile reads a file: prints "FRAMES CHANNELS RATE",
 * or the reason it cannot, for the integration tests.
 */
#include <stdio.h>
#include <string.h>

#include <sndfile.h>

int
main(int argc, char *argv[])
{
	SF_INFO	 info;
	SNDFILE	*sf;

	if (argc != 2) {
		fprintf(stderr, "usage: sfcheck FILE\n");
		return 2;
	}
	memset(&info, 0, sizeof(info));
	sf = sf_open(argv[1], SFM_READ, &info);
	if (sf == NULL) {
		fprintf(stderr, "sfcheck: %s: %s\n", argv[1], sf_strerror(NULL));
		return 1;
	}
	printf("%lld %d %d\n", (long long)info.frames, info.channels,
	    info.samplerate);
	sf_close(sf);
	return 0;
}
