/*
 * wav_priv.h: what the parts of the WAV module share (wav.h is its
 * interface): the layout of our headers, the file object, byte order,
 * and the functions one part offers the others.
 *   wav.c         the file: open, write, header updates, markers, close
 *   wav_hdr.c     header bytes: building ours, parsing any on repair
 *   wav_io.c      the disk: whole writes and reads, O_DIRECT, write-back
 *   wav_repair.c  a file a crash left unfinished, made whole
 * All of it runs on the caller's thread (recd's writer and flusher, as
 * struct wav says; wav_repair at start-up) and never logs.
 */
#ifndef RECD_COMMON_WAV_PRIV_H
#define RECD_COMMON_WAV_PRIV_H

#include "wav.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <md5.h>		/* libmd: the BSD digest functions */

/* Every offset here is a 64-bit file position: 4 GiB is a normal file. */
_Static_assert(sizeof(off_t) >= 8, "wav needs a 64-bit off_t");

/*
 * Microsoft RIFF/WAVE (Multimedia Programming Interface and Data
 * Specifications 1.0, and the WAVEFORMATEXTENSIBLE note).
 */
#define WAV_CHUNK_HDR_BYTES	8	/* id, 32-bit size */
#define WAV_RIFF_HDR_BYTES	12	/* "RIFF", size, "WAVE" */
#define WAV_TAG_PCM		0x0001	/* WAVE_FORMAT_PCM */
#define WAV_TAG_FLOAT		0x0003	/* WAVE_FORMAT_IEEE_FLOAT */
#define WAV_TAG_EXTENSIBLE	0xFFFE	/* WAVE_FORMAT_EXTENSIBLE */
#define WAV_FMT_PCM_BYTES	16	/* WAVEFORMAT + wBitsPerSample */
#define WAV_FMT_EXT_BYTES	40	/* WAVEFORMATEXTENSIBLE */
#define WAV_EXT_CB_BYTES	22	/* its cbSize */
#define WAV_FACT_BYTES		4	/* dwSampleLength */
#define WAV_CUE_POINT_BYTES	24	/* one cue point */
#define WAV_WB_BYTES		((uint64_t)4 << 20)	/* write-back step */
#define WAV_SPEAKER_FL		0x1	/* SPEAKER_FRONT_LEFT */
#define WAV_SPEAKER_FR		0x2	/* SPEAKER_FRONT_RIGHT */
#define WAV_SPEAKER_FC		0x4	/* SPEAKER_FRONT_CENTER */

/*
 * KSDATAFORMAT_SUBTYPE_PCM and _IEEE_FLOAT are
 * {0000000X-0000-0010-8000-00AA00389B71}: the format tag in the first two
 * bytes, then this tail (as stored, little-endian fields).
 */
static const unsigned char wav_guid_tail[14] = {
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00,
	0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71
};

/*
 * EBU Tech 3306 (RF64): the ds64 chunk holds 64-bit RIFF size, data size
 * and sample count and a table length (we keep no table); a 32-bit size of
 * 0xFFFFFFFF means "see ds64".  So a RIFF file stops at 0xFFFFFFFE.
 */
#define WAV_DS64_BYTES		28
#define WAV_DS64_OFF		WAV_RIFF_HDR_BYTES
#define WAV_FMT_OFF	(WAV_DS64_OFF + WAV_CHUNK_HDR_BYTES + WAV_DS64_BYTES)
#define WAV_SIZE_SEE_DS64	0xFFFFFFFFu
#define WAV_RIFF_MAX_BYTES	0xFFFFFFFEu

/*
 * EBU Tech 3285 version 2 (BWF): the bext fields before CodingHistory take
 * 602 bytes; loudness fields that are not used hold 0x7FFF (section 2.4).
 */
#define WAV_BEXT_FIXED_BYTES	602
#define WAV_BEXT_DESC_BYTES	256
#define WAV_BEXT_ORIG_OFF	256
#define WAV_BEXT_DATE_OFF	320
#define WAV_BEXT_TIME_OFF	330
#define WAV_BEXT_TIMEREF_OFF	338
#define WAV_BEXT_VERSION_OFF	346
#define WAV_BEXT_LOUDNESS_OFF	412
#define WAV_BEXT_LOUDNESS_N	5
#define WAV_BEXT_VERSION	2
#define WAV_LOUDNESS_UNUSED	0x7FFF
#define WAV_CODING_MAX_BYTES	320	/* our one CodingHistory line */
#define WAV_CODING_T_MAX	200	/* of it, wav_par's coding */

/*
 * Our header without iXML fits here: 48 + 48 + 12 + 8 + 602 + 320 + 8
 * bytes at most; the iXML chunk comes on top.
 */
#define WAV_HDR_FIXED_MAX	1536
/* wav_repair reads this much to find the data chunk, then more ... */
#define WAV_REPAIR_READ_BYTES	4096
/* ... up to this much (iXML for WAV_MAX_CHANNELS long port names). */
#define WAV_REPAIR_READ_MAX	((size_t)4 << 20)
#define WAV_MD5_BYTES		16	/* the `MD5 ' chunk's body */
#define WAV_MD5_HOLE_MAX	((uint64_t)256 << 20)	/* wav_md5_zeros */
/* The longest cue + LIST/adtl + MD5 tail that wav_close can write. */
#define WAV_TAIL_MAX_BYTES						\
	(3 * WAV_CHUNK_HDR_BYTES + 8 + WAV_MD5_BYTES +			\
	(size_t)WAV_MAX_CUES * (WAV_CUE_POINT_BYTES +			\
	WAV_CHUNK_HDR_BYTES + 4 + WAV_MAX_LABEL + 1))

#define WAV_SPARSE_MIN_BYTES	((uint64_t)1 << 20)
/* Per read or write call: macOS refuses more than INT_MAX bytes. */
#define WAV_IO_MAX_BYTES	((size_t)1 << 30)
#define WAV_OFF_MAX		((uint64_t)INT64_MAX)

struct wav_cue {
	uint32_t	 frame;		/* position, frames */
	char		 label[WAV_MAX_LABEL + 1];	/* "": none */
};

/* Where the sizes live in a header of our layout. */
struct wav_layout {
	size_t		 data_off;	/* first sample byte = header bytes */
	size_t		 fact_off;	/* fact's sample count; 0: no fact */
	size_t		 bext_off;	/* bext's body (ours only); 0: none */
};

/*
 * One thread at a time, except that recd's writer adds markers (cue,
 * ncue, cue_cap: wav_add_cue) and gives the digest (md5_have, md5_val:
 * wav_digest) while its flusher writes samples and headers (the other
 * fields), until wav_close, which reads both.
 */
struct wav {
	int		 fd;
	char		*path;
	unsigned char	*hdr;		/* lay.data_off bytes, as last
					   written */
	struct wav_layout lay;
	unsigned	 frame_bytes;	/* block align */
	uint64_t	 data_bytes;	/* sample bytes that reached the file */
	uint64_t	 hdr_data_bytes; /* data size in the file's header */
	uint64_t	 hdr_riff_bytes; /* RIFF size in the file's header */
	int		 is_rf64;	/* header is RF64: never goes back */
	uint64_t	 wb_off;	/* bytes of the file handed to
					   write-back (wav_writeback_due) */
	/*
	 * A direct file (dfd >= 0): blk is the block at blk_off, of which
	 * blk_len bytes are samples so far and blk_in of them in the file;
	 * every block below it is.  The blocks of the header, up to hdr_blk
	 * (the block where the header ends), go through the cache: hdr_blk
	 * is never in blk, and while blk_off is hdr_blk, blk_len == blk_in.
	 */
	int		 dfd;		/* O_DIRECT descriptor, or -1 */
	uint64_t	 hdr_blk;	/* a multiple of WAV_ALIGN */
	unsigned char	*blk;		/* WAV_ALIGN bytes, aligned */
	uint64_t	 blk_off;	/* a multiple of WAV_ALIGN */
	size_t		 blk_len;
	size_t		 blk_in;
	struct wav_cue	*cue;		/* markers, ncue of cue_cap */
	size_t		 ncue;
	size_t		 cue_cap;
	MD5_CTX		 md5;		/* of the data bytes so far ... */
	int		 md5_ok;	/* ... unless a write failed */
	uint64_t	 md5_holes;	/* bytes of holes hashed */
	int		 md5_given;	/* digest_given: md5 unused, and ... */
	int		 md5_have;	/* ... wav_digest gave ... */
	unsigned char	 md5_val[16];	/* ... this */
};

/* What wav_repair learns from a header. */
struct wav_info {
	struct wav_layout lay;
	int		 is_rf64;
	unsigned	 frame_bytes;
	uint64_t	 data_bytes;	/* as the header claims */
};

/* Source of short silences and pad bytes; aligned for direct writes. */

/* Source of short silences and pad bytes; aligned for direct writes. */
extern const _Alignas(WAV_ALIGN) unsigned char wav_zeros[16 * 1024];

static inline void
wav_put16(unsigned char *p, unsigned v)
{
	p[0] = v & 0xFF;
	p[1] = (v >> 8) & 0xFF;
}

static inline void
wav_put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xFF;
	p[1] = (v >> 8) & 0xFF;
	p[2] = (v >> 16) & 0xFF;
	p[3] = (v >> 24) & 0xFF;
}

static inline void
wav_put64(unsigned char *p, uint64_t v)
{
	wav_put32(p, (uint32_t)v);
	wav_put32(p + 4, (uint32_t)(v >> 32));
}

static inline unsigned
wav_get16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static inline uint32_t
wav_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
wav_get64(const unsigned char *p)
{
	return (uint64_t)wav_get32(p) | (uint64_t)wav_get32(p + 4) << 32;
}

int	wav_pwrite_all(int fd, const void *buf, size_t len, uint64_t off,
    uint64_t *done);
int	wav_pread_all(int fd, void *buf, size_t len, uint64_t off, size_t *got);
int	wav_datasync(int fd);
int	wav_truncate(int fd, uint64_t len);
void	wav_put_sizes(unsigned char *h, const struct wav_layout *lay,
    uint64_t riff_bytes, uint64_t data_bytes, uint64_t frames, int is_rf64);
int	wav_check_par(const char *path, const struct wav_par *par, char *err,
    size_t errlen);
int	wav_build_header(unsigned char **hp, struct wav_layout *lay,
    const char *path, const struct wav_par *par, char *err, size_t errlen);
void	wav_direct_open(struct wav *w);
uint64_t	wav_end(const struct wav *w);
int	wav_direct_push(struct wav *w);
int	wav_direct_close(struct wav *w);
int	wav_direct_write(struct wav *w, const unsigned char **p, size_t *n);
unsigned char	*wav_build_tail(struct wav *w, size_t *len);
int	wav_parse(const unsigned char *b, size_t len, struct wav_info *wi,
    char *why, size_t whylen);
size_t	wav_tail_keep(const unsigned char *b, size_t len);

#endif
