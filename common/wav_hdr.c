/*
 * wav_hdr.c: header bytes: ours built (RIFF/RF64 with ds64 room, fmt,
 * fact, bext, the cue and LIST tail) and any parsed for repair.  Pure
 * functions of their buffers; any thread.
 */
#if defined(__linux__)
#define _GNU_SOURCE		/* sync_file_range, O_DIRECT */
#endif
#include "wav_priv.h"

#include <sys/stat.h>

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Sets the sizes in a header of our layout.  riff_bytes is the RIFF
 * chunk's size (file length - 8).  As RF64 the first 48 bytes become
 * "RF64" + ds64 and the 32-bit fields "see ds64"; the caller writes the
 * header in one pwrite, so the upgrade is never half done.
 */
void
wav_put_sizes(unsigned char *h, const struct wav_layout *lay,
    uint64_t riff_bytes, uint64_t data_bytes, uint64_t frames, int is_rf64)
{
	unsigned char *ds = h + WAV_DS64_OFF;

	if (is_rf64) {
		memcpy(h, "RF64", 4);
		wav_put32(h + 4, WAV_SIZE_SEE_DS64);
		memcpy(ds, "ds64", 4);
		wav_put32(ds + 4, WAV_DS64_BYTES);
		wav_put64(ds + 8, riff_bytes);
		wav_put64(ds + 16, data_bytes);
		wav_put64(ds + 24, frames);
		wav_put32(ds + 32, 0);
		wav_put32(h + lay->data_off - 4, WAV_SIZE_SEE_DS64);
		if (lay->fact_off != 0)
			wav_put32(h + lay->fact_off, WAV_SIZE_SEE_DS64);
	} else {
		memcpy(h, "RIFF", 4);
		wav_put32(h + 4, (uint32_t)riff_bytes);
		wav_put32(h + lay->data_off - 4, (uint32_t)data_bytes);
		if (lay->fact_off != 0)
			wav_put32(h + lay->fact_off, (uint32_t)frames);
	}
}

static uint32_t
wav_default_mask(unsigned channels)
{
	if (channels == 1)
		return WAV_SPEAKER_FC;
	if (channels == 2)
		return WAV_SPEAKER_FL | WAV_SPEAKER_FR;
	return 0;
}

static unsigned
wav_popcount(uint32_t v)
{
	unsigned n;

	for (n = 0; v != 0; v &= v - 1)
		n++;
	return n;
}

int
wav_check_par(const char *path, const struct wav_par *par, char *err,
    size_t errlen)
{
	if (par->channels < 1 || par->channels > WAV_MAX_CHANNELS) {
		snprintf(err, errlen, "file %s: %u channels: out of range "
		    "(1..%d)", path, par->channels, WAV_MAX_CHANNELS);
		return -EINVAL;
	}
	if (par->rate < 1 || par->rate > WAV_MAX_RATE) {
		snprintf(err, errlen, "file %s: rate %u Hz: out of range "
		    "(1..%d)", path, par->rate, WAV_MAX_RATE);
		return -EINVAL;
	}
	if (par->bits != 16 && par->bits != 24 && par->bits != 32) {
		snprintf(err, errlen, "file %s: %u bits: not 16, 24 or 32",
		    path, par->bits);
		return -EINVAL;
	}
	if (par->is_float && par->bits != 32) {
		snprintf(err, errlen, "file %s: %u-bit float: only 32-bit "
		    "float is written", path, par->bits);
		return -EINVAL;
	}
	if (wav_popcount(par->channel_mask) > par->channels) {
		snprintf(err, errlen, "file %s: channel mask 0x%x: more "
		    "speakers than %u channels", path,
		    (unsigned)par->channel_mask, par->channels);
		return -EINVAL;
	}
	return 0;
}

/*
 * R 98's free text, cut to WAV_CODING_T_MAX bytes: a comma would start a
 * new field, and CR or LF a new line of the history.
 */
static void
wav_coding_text(char t[WAV_CODING_T_MAX + 1], const char *coding)
{
	size_t i;

	snprintf(t, WAV_CODING_T_MAX + 1, "%s", coding);
	for (i = 0; t[i] != '\0'; i++)
		if (t[i] == ',' || t[i] == '\r' || t[i] == '\n')
			t[i] = ';';
}

/* The bext chunk's body; returns its length in bytes or -errno. */
static int
wav_put_bext(unsigned char *b, const char *path, const struct wav_par *par,
    char *err, size_t errlen)
{
	struct tm	 tm;
	char		 s[WAV_CODING_MAX_BYTES], mode[16];
	char		 t[WAV_CODING_T_MAX + 1];
	time_t		 at = par->origin + par->origin_off_s;
	size_t		 len;
	int		 i, n;

	memset(b, 0, WAV_BEXT_FIXED_BYTES + WAV_CODING_MAX_BYTES);
	if (par->description != NULL) {
		len = strlen(par->description);
		/* Tech 3285: exactly 256 characters need no terminator. */
		memcpy(b, par->description, len < WAV_BEXT_DESC_BYTES ?
		    len : WAV_BEXT_DESC_BYTES);
	}
	memcpy(b + WAV_BEXT_ORIG_OFF, "recd", 4);
	/* The fields hold no zone: the caller says which time they are. */
	if (gmtime_r(&at, &tm) == NULL ||
	    tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
		snprintf(err, errlen, "file %s: origination time %lld: not a "
		    "date between years 0 and 9999", path,
		    (long long)par->origin);
		return -EINVAL;
	}
	/* Fixed-width fields: no terminating NUL. */
	snprintf(s, sizeof(s), "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
	memcpy(b + WAV_BEXT_DATE_OFF, s, 10);
	snprintf(s, sizeof(s), "%02d:%02d:%02d", tm.tm_hour, tm.tm_min,
	    tm.tm_sec);
	memcpy(b + WAV_BEXT_TIME_OFF, s, 8);
	wav_put64(b + WAV_BEXT_TIMEREF_OFF, par->time_ref);
	wav_put16(b + WAV_BEXT_VERSION_OFF, WAV_BEXT_VERSION);
	for (i = 0; i < WAV_BEXT_LOUDNESS_N; i++)
		wav_put16(b + WAV_BEXT_LOUDNESS_OFF + 2 * i,
		    WAV_LOUDNESS_UNUSED);
	/*
	 * EBU R 98 knows the modes mono and stereo only; for more channels
	 * the mode is left out and the count goes into the free text.
	 */
	if (par->channels <= 2)
		snprintf(mode, sizeof(mode), ",M=%s",
		    par->channels == 1 ? "mono" : "stereo");
	else
		mode[0] = '\0';
	wav_coding_text(t, par->coding != NULL ? par->coding : "recd");
	n = snprintf(s, sizeof(s), "A=PCM,F=%u,W=%u%s,T=%s%s%s\r\n",
	    par->rate, par->bits, mode, t, par->is_float ? ";float" : "",
	    par->channels > 2 ? ";multichannel" : "");
	assert(n > 0 && (size_t)n < WAV_CODING_MAX_BYTES);
	memcpy(b + WAV_BEXT_FIXED_BYTES, s, (size_t)n);
	/* An even size keeps the chunks after bext word-aligned. */
	return WAV_BEXT_FIXED_BYTES + n + (n & 1);
}

/*
 * Builds our header into *hp (malloc'd): RIFF/WAVE, JUNK (ds64-sized),
 * fmt, fact (float only), bext, iXML (when par has one), data.  Returns its
 * length or -errno.
 */
int
wav_build_header(unsigned char **hp, struct wav_layout *lay,
    const char *path, const struct wav_par *par, char *err, size_t errlen)
{
	unsigned char	*h, *p;
	uint32_t	 mask, def;
	unsigned	 frame_bytes;
	size_t		 ixml_len = par->ixml != NULL ? par->ixml_len : 0;
	int		 ext, bext_bytes;

	if (ixml_len > WAV_REPAIR_READ_MAX - WAV_HDR_FIXED_MAX) {
		snprintf(err, errlen, "file %s: iXML of %zu bytes: too long",
		    path, ixml_len);
		return -EINVAL;
	}
	/* The iXML chunk, padded to an even size. */
	h = calloc(1, WAV_HDR_FIXED_MAX + WAV_CHUNK_HDR_BYTES + ixml_len + 1);
	if (h == NULL) {
		snprintf(err, errlen, "file %s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	frame_bytes = par->channels * (par->bits / 8);
	def = wav_default_mask(par->channels);
	mask = par->channel_mask != 0 ? par->channel_mask : def;
	/*
	 * Plain PCM only where it says everything: up to two 16-bit
	 * channels in their default positions.  Anything else needs
	 * WAVE_FORMAT_EXTENSIBLE (the valid bits, the float subtype, a mask).
	 */
	ext = par->channels > 2 || par->bits > 16 || par->is_float ||
	    mask != def;

	memcpy(h, "RIFF", 4);
	memcpy(h + 8, "WAVE", 4);
	p = h + WAV_DS64_OFF;
	memcpy(p, "JUNK", 4);
	wav_put32(p + 4, WAV_DS64_BYTES);

	p = h + WAV_FMT_OFF;
	memcpy(p, "fmt ", 4);
	wav_put32(p + 4, ext ? WAV_FMT_EXT_BYTES : WAV_FMT_PCM_BYTES);
	p += WAV_CHUNK_HDR_BYTES;
	wav_put16(p, ext ? WAV_TAG_EXTENSIBLE : WAV_TAG_PCM);
	wav_put16(p + 2, par->channels);
	wav_put32(p + 4, par->rate);
	wav_put32(p + 8, par->rate * frame_bytes);
	wav_put16(p + 12, frame_bytes);
	wav_put16(p + 14, par->bits);
	if (ext) {
		wav_put16(p + 16, WAV_EXT_CB_BYTES);
		wav_put16(p + 18, par->bits);	/* all bits are valid */
		wav_put32(p + 20, mask);
		wav_put16(p + 24, par->is_float ? WAV_TAG_FLOAT : WAV_TAG_PCM);
		memcpy(p + 26, wav_guid_tail, sizeof(wav_guid_tail));
		p += WAV_FMT_EXT_BYTES;
	} else
		p += WAV_FMT_PCM_BYTES;

	lay->fact_off = 0;
	if (par->is_float) {
		/* The spec asks for fact with every format but PCM. */
		memcpy(p, "fact", 4);
		wav_put32(p + 4, WAV_FACT_BYTES);
		lay->fact_off = (size_t)(p + WAV_CHUNK_HDR_BYTES - h);
		p += WAV_CHUNK_HDR_BYTES + WAV_FACT_BYTES;
	}

	memcpy(p, "bext", 4);
	lay->bext_off = (size_t)(p + WAV_CHUNK_HDR_BYTES - h);
	bext_bytes = wav_put_bext(p + WAV_CHUNK_HDR_BYTES, path, par, err,
	    errlen);
	if (bext_bytes < 0) {
		free(h);
		return bext_bytes;
	}
	wav_put32(p + 4, (uint32_t)bext_bytes);
	p += WAV_CHUNK_HDR_BYTES + bext_bytes;

	if (ixml_len > 0) {
		memcpy(p, "iXML", 4);
		wav_put32(p + 4, (uint32_t)ixml_len);
		memcpy(p + WAV_CHUNK_HDR_BYTES, par->ixml, ixml_len);
		p += WAV_CHUNK_HDR_BYTES + ixml_len + (ixml_len & 1);
	}

	memcpy(p, "data", 4);
	p += WAV_CHUNK_HDR_BYTES;
	lay->data_off = (size_t)(p - h);
	wav_put_sizes(h, lay, lay->data_off - 8, 0, 0, 0);
	*hp = h;
	return (int)lay->data_off;
}

/*
 * Builds the `cue ' chunk when there are markers, the LIST/adtl chunk
 * when a marker has a label, and the `MD5 ' chunk when md5_ok (w's digest
 * is final then).  Returns the buffer (malloc'd, *len bytes) or NULL with
 * errno.
 */
unsigned char *
wav_build_tail(struct wav *w, size_t *len)
{
	unsigned char	*b, *p, *list;
	size_t		 i, n, cue_bytes, max;

	cue_bytes = 4 + w->ncue * WAV_CUE_POINT_BYTES;
	max = WAV_CHUNK_HDR_BYTES + cue_bytes + WAV_CHUNK_HDR_BYTES + 4 +
	    WAV_CHUNK_HDR_BYTES + WAV_MD5_BYTES;
	for (i = 0; i < w->ncue; i++)
		max += WAV_CHUNK_HDR_BYTES + 4 + strlen(w->cue[i].label) + 2;
	b = malloc(max);
	if (b == NULL)
		return NULL;
	p = b;
	if (w->ncue == 0)
		goto md5;
	memcpy(p, "cue ", 4);
	wav_put32(p + 4, (uint32_t)cue_bytes);
	wav_put32(p + 8, (uint32_t)w->ncue);
	p += WAV_CHUNK_HDR_BYTES + 4;
	for (i = 0; i < w->ncue; i++) {
		wav_put32(p, (uint32_t)i + 1);		/* dwName */
		wav_put32(p + 4, w->cue[i].frame);	/* dwPosition */
		memcpy(p + 8, "data", 4);		/* fccChunk */
		wav_put32(p + 12, 0);			/* dwChunkStart */
		wav_put32(p + 16, 0);			/* dwBlockStart */
		wav_put32(p + 20, w->cue[i].frame);	/* dwSampleOffset */
		p += WAV_CUE_POINT_BYTES;
	}
	list = p;
	memcpy(p, "LIST", 4);
	memcpy(p + 8, "adtl", 4);
	p += WAV_CHUNK_HDR_BYTES + 4;
	for (i = 0; i < w->ncue; i++) {
		n = strlen(w->cue[i].label);
		if (n == 0)
			continue;
		memcpy(p, "labl", 4);
		wav_put32(p + 4, (uint32_t)(4 + n + 1));
		wav_put32(p + 8, (uint32_t)i + 1);
		memcpy(p + 12, w->cue[i].label, n + 1);
		p += WAV_CHUNK_HDR_BYTES + 4 + n + 1;
		if ((n + 1) & 1)
			*p++ = '\0';
	}
	if (p == list + WAV_CHUNK_HDR_BYTES + 4)
		p = list;	/* no labels: no LIST */
	else
		wav_put32(list + 4, (uint32_t)(p - list - WAV_CHUNK_HDR_BYTES));
md5:
	if (w->md5_ok) {
		memcpy(p, "MD5 ", 4);
		wav_put32(p + 4, WAV_MD5_BYTES);
		if (w->md5_given)
			memcpy(p + WAV_CHUNK_HDR_BYTES, w->md5_val,
			    WAV_MD5_BYTES);
		else
			MD5Final(p + WAV_CHUNK_HDR_BYTES, &w->md5);
		p += WAV_CHUNK_HDR_BYTES + WAV_MD5_BYTES;
	}
	*len = (size_t)(p - b);
	return b;
}

/* Chunk ids go into messages; a hostile file must not put bytes there. */
static void
wav_id_str(const unsigned char *id, char s[5])
{
	int i;

	for (i = 0; i < 4; i++)
		s[i] = id[i] >= 0x20 && id[i] < 0x7F ? (char)id[i] : '?';
	s[4] = '\0';
}

/*
 * Finds the chunk id at off in b (len bytes).  Returns its body's size, or
 * after describing the problem in why, -1 (not our chunk) or -2 (b ends
 * first).  When body is set, the whole body must lie in b.
 */
static int64_t
wav_chunk(const unsigned char *b, size_t len, size_t off, const char *id,
    int body, char *why, size_t whylen)
{
	char		 s[5];
	uint32_t	 size;

	if (off > len || len - off < WAV_CHUNK_HDR_BYTES) {
		snprintf(why, whylen, "no chunk \"%s\" in the first %zu bytes",
		    id, len);
		return -2;
	}
	if (memcmp(b + off, id, 4) != 0) {
		wav_id_str(b + off, s);
		snprintf(why, whylen, "byte %zu: chunk \"%s\" where recd "
		    "writes \"%s\"", off, s, id);
		return -1;
	}
	size = wav_get32(b + off + 4);
	if (body && size > len - off - WAV_CHUNK_HDR_BYTES) {
		snprintf(why, whylen, "byte %zu: chunk \"%s\" of %lu bytes "
		    "runs past byte %zu", off, id, (unsigned long)size, len);
		return -2;
	}
	return size;
}

static int
wav_parse_fmt(const unsigned char *p, uint32_t size, struct wav_info *wi,
    int *is_float, char *why, size_t whylen)
{
	unsigned	 tag, channels, bits, frame_bytes, sub;
	uint32_t	 rate;

	if (size != WAV_FMT_PCM_BYTES && size != WAV_FMT_EXT_BYTES)
		goto bad;
	tag = wav_get16(p);
	channels = wav_get16(p + 2);
	rate = wav_get32(p + 4);
	frame_bytes = wav_get16(p + 12);
	bits = wav_get16(p + 14);
	if (channels < 1 || channels > WAV_MAX_CHANNELS || rate < 1 ||
	    rate > WAV_MAX_RATE || (bits != 16 && bits != 24 && bits != 32) ||
	    frame_bytes != channels * (bits / 8) ||
	    wav_get32(p + 8) != rate * frame_bytes)
		goto bad;
	*is_float = 0;
	if (tag == WAV_TAG_PCM) {
		if (size != WAV_FMT_PCM_BYTES || bits != 16 || channels > 2)
			goto bad;
	} else if (tag == WAV_TAG_EXTENSIBLE) {
		sub = wav_get16(p + 24);
		if (size != WAV_FMT_EXT_BYTES ||
		    wav_get16(p + 16) != WAV_EXT_CB_BYTES ||
		    wav_get16(p + 18) != bits ||
		    memcmp(p + 26, wav_guid_tail, sizeof(wav_guid_tail)) != 0 ||
		    (sub != WAV_TAG_PCM && sub != WAV_TAG_FLOAT) ||
		    (sub == WAV_TAG_FLOAT && bits != 32))
			goto bad;
		*is_float = sub == WAV_TAG_FLOAT;
	} else
		goto bad;
	wi->frame_bytes = frame_bytes;
	return 0;
bad:
	snprintf(why, whylen, "fmt: not a format recd writes");
	return -1;
}

/*
 * Reads our layout from the first len bytes of a file: RIFF or RF64,
 * JUNK or ds64, fmt, fact (float), bext, iXML (optional), data.  Anything else is not a
 * file recd wrote.  Returns 0, or with the reason in why -1 (not ours) or
 * -2 (the header does not end within len bytes).
 */
int
wav_parse(const unsigned char *b, size_t len, struct wav_info *wi,
    char *why, size_t whylen)
{
	int64_t		 size;
	size_t		 off;
	int		 is_float;

	memset(wi, 0, sizeof(*wi));
	if (len < WAV_RIFF_HDR_BYTES) {
		snprintf(why, whylen, "shorter than a RIFF header");
		return -2;
	}
	if (memcmp(b + 8, "WAVE", 4) != 0 ||
	    (memcmp(b, "RIFF", 4) != 0 && memcmp(b, "RF64", 4) != 0)) {
		snprintf(why, whylen, "not a RIFF or RF64 WAVE file");
		return -1;
	}
	wi->is_rf64 = memcmp(b, "RF64", 4) == 0;
	off = WAV_DS64_OFF;
	size = wav_chunk(b, len, off, wi->is_rf64 ? "ds64" : "JUNK", 1, why,
	    whylen);
	if (size < 0)
		return (int)size;
	if (size != WAV_DS64_BYTES) {
		snprintf(why, whylen, "first chunk is not %d bytes long",
		    WAV_DS64_BYTES);
		return -1;
	}
	if (wi->is_rf64) {
		if (wav_get32(b + off + 8 + 24) != 0) {
			snprintf(why, whylen, "ds64 has a table");
			return -1;
		}
		wi->data_bytes = wav_get64(b + off + 8 + 8);
	}
	off = WAV_FMT_OFF;
	size = wav_chunk(b, len, off, "fmt ", 1, why, whylen);
	if (size < 0)
		return (int)size;
	if (wav_parse_fmt(b + off + 8, (uint32_t)size, wi, &is_float, why,
	    whylen) < 0)
		return -1;
	off += WAV_CHUNK_HDR_BYTES + (size_t)size;
	if (is_float) {
		size = wav_chunk(b, len, off, "fact", 1, why, whylen);
		if (size < 0)
			return (int)size;
		if (size != WAV_FACT_BYTES) {
			snprintf(why, whylen, "fact: not %d bytes long",
			    WAV_FACT_BYTES);
			return -1;
		}
		wi->lay.fact_off = off + WAV_CHUNK_HDR_BYTES;
		off += WAV_CHUNK_HDR_BYTES + WAV_FACT_BYTES;
	}
	size = wav_chunk(b, len, off, "bext", 1, why, whylen);
	if (size < 0)
		return (int)size;
	if (size < WAV_BEXT_FIXED_BYTES) {
		snprintf(why, whylen, "bext: shorter than %d bytes",
		    WAV_BEXT_FIXED_BYTES);
		return -1;
	}
	off += WAV_CHUNK_HDR_BYTES + (size_t)size + (size_t)(size & 1);
	/* iXML, in files since recd 0.1.0 wrote it. */
	if (off <= len && len - off >= WAV_CHUNK_HDR_BYTES &&
	    memcmp(b + off, "iXML", 4) == 0) {
		size = wav_chunk(b, len, off, "iXML", 1, why, whylen);
		if (size < 0)
			return (int)size;
		off += WAV_CHUNK_HDR_BYTES + (size_t)size + (size_t)(size & 1);
	}
	size = wav_chunk(b, len, off, "data", 0, why, whylen);
	if (size < 0)
		return (int)size;
	wi->lay.data_off = off + WAV_CHUNK_HDR_BYTES;
	if (!wi->is_rf64)
		wi->data_bytes = (uint64_t)size;
	return 0;
}

static int
wav_cue_ok(const unsigned char *p, uint32_t size)
{
	uint32_t i, n;

	if (size < 4 || (size - 4) % WAV_CUE_POINT_BYTES != 0)
		return 0;
	n = wav_get32(p);
	if (n != (size - 4) / WAV_CUE_POINT_BYTES || n > WAV_MAX_CUES)
		return 0;
	for (i = 0, p += 4; i < n; i++, p += WAV_CUE_POINT_BYTES) {
		if (memcmp(p + 8, "data", 4) != 0 || wav_get32(p + 12) != 0 ||
		    wav_get32(p + 16) != 0)
			return 0;
	}
	return 1;
}

static int
wav_list_ok(const unsigned char *p, uint32_t size)
{
	uint32_t pos, sub;

	if (size < 4 || memcmp(p, "adtl", 4) != 0)
		return 0;
	/* Each step takes at least 12 bytes, so this ends. */
	for (pos = 4; pos < size; pos += sub + (sub & 1)) {
		if (size - pos < WAV_CHUNK_HDR_BYTES + 4 ||
		    memcmp(p + pos, "labl", 4) != 0)
			return 0;
		sub = wav_get32(p + pos + 4);
		pos += WAV_CHUNK_HDR_BYTES;
		if (sub < 4 || sub > size - pos || (sub & 1) > size - pos - sub)
			return 0;
	}
	return 1;
}

/*
 * What wav_close appends after the data: `cue ', LIST and `MD5 ', each at
 * most once.  Returns how many bytes from the start of b are complete,
 * valid chunks; what follows is to be cut.  A whole MD5 chunk is kept: it
 * follows a data chunk of its final size, so it is right.
 */
size_t
wav_tail_keep(const unsigned char *b, size_t len)
{
	size_t		 pos = 0;
	uint32_t	 size;
	int		 i, seen_cue = 0, seen_list = 0, seen_md5 = 0;

	for (i = 0; i < 3; i++) {
		if (len - pos < WAV_CHUNK_HDR_BYTES)
			break;
		size = wav_get32(b + pos + 4);
		/* wav_close writes even sizes only. */
		if ((size & 1) || size > len - pos - WAV_CHUNK_HDR_BYTES)
			break;
		if (!seen_cue && memcmp(b + pos, "cue ", 4) == 0 &&
		    wav_cue_ok(b + pos + 8, size))
			seen_cue = 1;
		else if (!seen_list && memcmp(b + pos, "LIST", 4) == 0 &&
		    wav_list_ok(b + pos + 8, size))
			seen_list = 1;
		else if (!seen_md5 && memcmp(b + pos, "MD5 ", 4) == 0 &&
		    size == WAV_MD5_BYTES)
			seen_md5 = 1;
		else
			break;
		pos += WAV_CHUNK_HDR_BYTES + size;
	}
	return pos;
}
