/*
 * flac_floor.c: what libFLAC alone costs to encode a take, the floor
 * under any FLAC recorder that uses it.  Decodes FILE (a FLAC take) into
 * memory, then encodes it REPS times at LEVEL with the settings recd uses
 * (the file's channels, bits and rate, the MD5 on, interleaved in chunks
 * of 4096 frames) into a callback that only counts the bytes: no file, no
 * conversion, no JACK, the data hot in the cache.  Prints the process's
 * CPU time per audio second (best of the REPS, as each is a lower bound)
 * and the bytes per audio second.  Asserts nothing.
 * usage: flac_floor FILE LEVEL [REPS]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <FLAC/stream_decoder.h>
#include <FLAC/stream_encoder.h>

#define CHUNK	4096		/* frames a call, as recd's backend */

struct take {
	FLAC__int32	*s;		/* interleaved */
	uint64_t	 frames, cap;
	unsigned	 channels, bits, rate;
};

static FLAC__StreamDecoderWriteStatus
dec_write(const FLAC__StreamDecoder *d, const FLAC__Frame *fr,
    const FLAC__int32 *const buf[], void *arg)
{
	struct take	*t = arg;
	FLAC__int32	*s;
	unsigned	 n = fr->header.blocksize, c, i;

	(void)d;
	if (t->frames + n > t->cap) {
		t->cap = (t->frames + n) * 2;
		s = realloc(t->s, t->cap * t->channels * sizeof(*s));
		if (s == NULL)
			return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
		t->s = s;
	}
	for (i = 0; i < n; i++)
		for (c = 0; c < t->channels; c++)
			t->s[(t->frames + i) * t->channels + c] = buf[c][i];
	t->frames += n;
	return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

static void
dec_meta(const FLAC__StreamDecoder *d, const FLAC__StreamMetadata *m,
    void *arg)
{
	struct take	*t = arg;

	(void)d;
	if (m->type != FLAC__METADATA_TYPE_STREAMINFO)
		return;
	t->channels = m->data.stream_info.channels;
	t->bits = m->data.stream_info.bits_per_sample;
	t->rate = m->data.stream_info.sample_rate;
}

static void
dec_error(const FLAC__StreamDecoder *d, FLAC__StreamDecoderErrorStatus st,
    void *arg)
{
	(void)d;
	(void)arg;
	fprintf(stderr, "flac_floor: decoding: %s\n",
	    FLAC__StreamDecoderErrorStatusString[st]);
}

static FLAC__StreamEncoderWriteStatus
enc_write(const FLAC__StreamEncoder *e, const FLAC__byte b[], size_t n,
    uint32_t samples, uint32_t frame, void *arg)
{
	(void)e;
	(void)b;
	(void)samples;
	(void)frame;
	*(uint64_t *)arg += n;
	return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
}

static double
cpu_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One encode of the whole take; its CPU seconds, or -1. */
static double
encode(const struct take *t, unsigned level, uint64_t *bytes)
{
	FLAC__StreamEncoder	*e;
	uint64_t		 at, k;
	double			 t0;
	int			 ok;

	*bytes = 0;
	t0 = cpu_s();
	if ((e = FLAC__stream_encoder_new()) == NULL)
		return -1;
	ok = FLAC__stream_encoder_set_channels(e, t->channels) &&
	    FLAC__stream_encoder_set_bits_per_sample(e, t->bits) &&
	    FLAC__stream_encoder_set_sample_rate(e, t->rate) &&
	    FLAC__stream_encoder_set_compression_level(e, level) &&
	    FLAC__stream_encoder_init_stream(e, enc_write, NULL, NULL, NULL,
	    bytes) == FLAC__STREAM_ENCODER_INIT_STATUS_OK;
	for (at = 0; ok && at < t->frames; at += k) {
		k = t->frames - at < CHUNK ? t->frames - at : CHUNK;
		ok = FLAC__stream_encoder_process_interleaved(e,
		    t->s + at * t->channels, (uint32_t)k);
	}
	ok = FLAC__stream_encoder_finish(e) && ok;
	FLAC__stream_encoder_delete(e);
	return ok ? cpu_s() - t0 : -1;
}

int
main(int argc, char **argv)
{
	FLAC__StreamDecoder	*d;
	struct take		 t;
	uint64_t		 bytes = 0;
	double			 s, best = -1, secs;
	int			 level, reps, i;

	if (argc < 3 || (level = atoi(argv[2])) < 0 || level > 8) {
		fprintf(stderr, "usage: flac_floor FILE LEVEL [REPS]\n");
		return 2;
	}
	reps = argc > 3 ? atoi(argv[3]) : 5;
	memset(&t, 0, sizeof(t));
	if ((d = FLAC__stream_decoder_new()) == NULL ||
	    FLAC__stream_decoder_init_file(d, argv[1], dec_write, dec_meta,
	    dec_error, &t) != FLAC__STREAM_DECODER_INIT_STATUS_OK ||
	    !FLAC__stream_decoder_process_until_end_of_stream(d) ||
	    t.frames == 0) {
		fprintf(stderr, "flac_floor: %s: not a FLAC take\n", argv[1]);
		return 1;
	}
	FLAC__stream_decoder_delete(d);
	secs = (double)t.frames / t.rate;
	for (i = 0; i < reps; i++) {
		if ((s = encode(&t, (unsigned)level, &bytes)) < 0) {
			fprintf(stderr, "flac_floor: encoding failed\n");
			return 1;
		}
		if (best < 0 || s < best)
			best = s;
	}
	printf("%.3f %.0f %u %.1f\n", best * 1e3 / secs, bytes / secs,
	    t.channels, secs);
	free(t.s);
	return 0;
}
