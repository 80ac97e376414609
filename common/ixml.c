/*
 * ixml.c: the text of the iXML chunk (iXML 2.10, the iXML
 * specification's elements in its order).  Pure: any thread.
 */
#include "ixml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "utf8.h"

#define IXML_VERSION	"2.10"
#define IXML_CHUNK	4096	/* the buffer grows by this much at least */

struct ixml_buf {
	char	*p;
	size_t	 len, cap;
	int	 err;		/* an allocation failed: the text is lost */
};

static int
ix_room(struct ixml_buf *b, size_t n)
{
	size_t	 cap;
	char	*p;

	if (b->err)
		return -1;
	if (b->cap - b->len > n)
		return 0;
	cap = b->cap + (n > IXML_CHUNK ? n : IXML_CHUNK) + b->cap / 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->err = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

static void
ix_printf(struct ixml_buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || ix_room(b, (size_t)n + 1) != 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/*
 * An element with s as its text.  Port names and descriptions are any
 * bytes: markup is escaped, and what XML 1.0 does not allow in a document
 * (control characters, bytes that are not UTF-8) becomes '?', so that the
 * document stays well-formed whatever a client named its ports.
 */
static void
ix_text(struct ixml_buf *b, const char *tag, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = strlen(s), k;

	ix_printf(b, "<%s>", tag);
	while (n > 0) {
		if (ix_room(b, 8) != 0)
			return;
		k = utf8_len(p, n);
		if (k == 0 || (*p < 0x20 && *p != '\t' && *p != '\n' &&
		    *p != '\r')) {
			b->p[b->len++] = '?';
			k = k == 0 ? 1 : k;
		} else if (*p == '&')
			b->len += (size_t)sprintf(b->p + b->len, "&amp;");
		else if (*p == '<')
			b->len += (size_t)sprintf(b->p + b->len, "&lt;");
		else if (*p == '>')
			b->len += (size_t)sprintf(b->p + b->len, "&gt;");
		else {
			memcpy(b->p + b->len, p, k);
			b->len += k;
		}
		p += k;
		n -= k;
	}
	ix_printf(b, "</%s>", tag);
}

static void
ix_num(struct ixml_buf *b, const char *tag, unsigned long long v)
{
	ix_printf(b, "<%s>%llu</%s>", tag, v, tag);
}

static const char *
ix_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/* The file's name as it will be once finished: without ".partial". */
static void
ix_filename(struct ixml_buf *b, const char *path)
{
	char		 name[256];
	const char	*base = ix_base(path), *dot;
	size_t		 n = strlen(base);

	dot = strstr(base, ".partial");
	if (dot != NULL && dot[8] == '\0')
		n = (size_t)(dot - base);
	snprintf(name, sizeof(name), "%.*s", (int)n, base);
	ix_text(b, "ORIGINAL_FILENAME", name);
}

/* Each channel of the file: its index in the take, its place here. */
static void
ix_tracks(struct ixml_buf *b, const struct fmt_par *par)
{
	char		name[32];
	unsigned	i;

	ix_printf(b, "<TRACK_LIST>");
	ix_num(b, "TRACK_COUNT", par->channels);
	for (i = 0; i < par->channels; i++) {
		ix_printf(b, "<TRACK>");
		ix_num(b, "CHANNEL_INDEX", par->first_channel + i);
		ix_num(b, "INTERLEAVE_INDEX", i + 1);
		if (par->names != NULL && par->names[i] != NULL &&
		    par->names[i][0] != '\0')
			ix_text(b, "NAME", par->names[i]);
		else {
			snprintf(name, sizeof(name), "%u",
			    par->first_channel + i);
			ix_text(b, "NAME", name);
		}
		ix_printf(b, "</TRACK>");
	}
	ix_printf(b, "</TRACK_LIST>");
}

/* The bext fields again, as iXML's BEXT block has them. */
static void
ix_bext(struct ixml_buf *b, const struct fmt_par *par, const struct tm *tm)
{
	char s[32];

	ix_printf(b, "<BEXT>");
	ix_text(b, "BWF_DESCRIPTION", par->description != NULL ?
	    par->description : "");
	ix_text(b, "BWF_ORIGINATOR", "recd");
	snprintf(s, sizeof(s), "%04d-%02d-%02d", tm->tm_year + 1900,
	    tm->tm_mon + 1, tm->tm_mday);
	ix_text(b, "BWF_ORIGINATION_DATE", s);
	snprintf(s, sizeof(s), "%02d:%02d:%02d", tm->tm_hour, tm->tm_min,
	    tm->tm_sec);
	ix_text(b, "BWF_ORIGINATION_TIME", s);
	ix_num(b, "BWF_TIME_REFERENCE_LOW", par->time_ref & 0xFFFFFFFFu);
	ix_num(b, "BWF_TIME_REFERENCE_HIGH", par->time_ref >> 32);
	ix_num(b, "BWF_VERSION", 2);
	ix_printf(b, "</BEXT>");
}

char *
ixml_text(const struct fmt_par *par, const char *path, size_t *len)
{
	struct ixml_buf	 b = { NULL, 0, 0, 0 };
	struct tm	 tm;
	char		 uid[48];

	if (fmt_time(par, &tm) != 0) {
		errno = EINVAL;
		return NULL;
	}
	ix_printf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<BWFXML>");
	ix_text(&b, "IXML_VERSION", IXML_VERSION);
	if (par->description != NULL && par->description[0] != '\0')
		ix_text(&b, "PROJECT", par->description);
	if (par->take != NULL)
		ix_text(&b, "TAKE", par->take);
	if (par->uid != NULL) {
		/* Each file of a set: the set's id and its place in it. */
		snprintf(uid, sizeof(uid), "%.28s%04X", par->uid,
		    par->set_index & 0xFFFF);
		ix_text(&b, "FILE_UID", uid);
	}
	if (par->coding != NULL)
		ix_text(&b, "NOTE", par->coding);
	ix_printf(&b, "<SPEED>");
	ix_num(&b, "FILE_SAMPLE_RATE", par->rate);
	ix_num(&b, "AUDIO_BIT_DEPTH", par->bits);
	ix_num(&b, "DIGITIZER_SAMPLE_RATE", par->rate);
	ix_num(&b, "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI", par->time_ref >> 32);
	ix_num(&b, "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO",
	    par->time_ref & 0xFFFFFFFFu);
	ix_num(&b, "TIMESTAMP_SAMPLE_RATE", par->rate);
	ix_printf(&b, "</SPEED>");
	ix_printf(&b, "<HISTORY>");
	ix_filename(&b, path);
	ix_printf(&b, "</HISTORY>");
	if (par->uid != NULL) {
		ix_printf(&b, "<FILE_SET>");
		ix_num(&b, "TOTAL_FILES", par->set_files);
		ix_text(&b, "FAMILY_UID", par->uid);
		ix_num(&b, "FILE_SET_INDEX", par->set_index + 1);
		ix_printf(&b, "</FILE_SET>");
	}
	ix_tracks(&b, par);
	ix_bext(&b, par, &tm);
	ix_printf(&b, "</BWFXML>\n");
	if (b.err) {
		free(b.p);
		errno = ENOMEM;
		return NULL;
	}
	*len = b.len;
	return b.p;
}
