/*
 * test_ixml.c: the iXML text: the elements iXML 2.10 asks for, in its
 * order, the track list of single and split files, and a well-formed
 * document (xmllint says so) whatever bytes the port names hold.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fmt.h"
#include "ixml.h"

static void
base_par(struct fmt_par *par, const char *const *names, unsigned ch)
{
	memset(par, 0, sizeof(*par));
	par->channels = ch;
	par->rate = 48000;
	par->bits = 24;
	/* Past 2^32 samples: the time stamp's high word is 1. */
	par->time_ref = ((uint64_t)1 << 32) + 5;
	par->origin = 1700000000;
	par->description = "Live at the Hall";
	par->names = names;
	par->coding = "recd 0.1.0; JACK server default; client recd";
	par->take = "20261207-120000";
	par->uid = "0123456789ABCDEF0123456789ABCDEF";
	par->set_files = 1;
	par->first_channel = 1;
}

/* The text between <tag> and </tag>, the n-th (0-based) such element. */
static char *
element(const char *doc, const char *tag, int n)
{
	char		 open[64], close[64];
	const char	*p = doc, *e;
	char		*s;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	for (;;) {
		p = strstr(p, open);
		if (p == NULL)
			return NULL;
		p += strlen(open);
		if (n-- == 0)
			break;
	}
	e = strstr(p, close);
	assert_non_null(e);
	s = strndup(p, (size_t)(e - p));
	assert_non_null(s);
	return s;
}

static void
expect(const char *doc, const char *tag, int n, const char *want)
{
	char *got = element(doc, tag, n);

	if (got == NULL)
		fail_msg("no <%s> #%d in %s", tag, n, doc);
	if (strcmp(got, want) != 0)
		fail_msg("<%s> #%d: \"%s\", not \"%s\"", tag, n, got, want);
	free(got);
}

/* xmllint, an independent parser, must accept the document. */
static void
well_formed(const char *doc, size_t len)
{
	char	 path[] = "/tmp/test_ixml.XXXXXX", cmd[128];
	FILE	*f;
	int	 fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(doc, 1, len, f), len);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "xmllint --noout %s", path);
	if (system(cmd) != 0) {
		unlink(path);
		fail_msg("xmllint refused: %s", doc);
	}
	unlink(path);
}

static void
test_single(void **state)
{
	const char	*names[] = { "Kick", "Snare" };
	struct fmt_par	 par;
	char		*doc;
	size_t		 len;

	(void)state;
	base_par(&par, names, 2);
	doc = ixml_text(&par, "/rec/2026-12-07/a.wav.partial", &len);
	assert_non_null(doc);
	assert_int_equal(strlen(doc), len);
	well_formed(doc, len);
	assert_true(strncmp(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
	    38) == 0);
	expect(doc, "IXML_VERSION", 0, "2.10");
	expect(doc, "PROJECT", 0, "Live at the Hall");
	expect(doc, "TAKE", 0, "20261207-120000");
	expect(doc, "FILE_UID", 0, "0123456789ABCDEF0123456789AB0000");
	expect(doc, "FILE_SAMPLE_RATE", 0, "48000");
	expect(doc, "AUDIO_BIT_DEPTH", 0, "24");
	expect(doc, "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI", 0, "1");
	expect(doc, "TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO", 0, "5");
	expect(doc, "TIMESTAMP_SAMPLE_RATE", 0, "48000");
	/* The name the file has once finished. */
	expect(doc, "ORIGINAL_FILENAME", 0, "a.wav");
	expect(doc, "TOTAL_FILES", 0, "1");
	expect(doc, "FAMILY_UID", 0, "0123456789ABCDEF0123456789ABCDEF");
	expect(doc, "TRACK_COUNT", 0, "2");
	expect(doc, "CHANNEL_INDEX", 0, "1");
	expect(doc, "INTERLEAVE_INDEX", 0, "1");
	expect(doc, "NAME", 0, "Kick");
	expect(doc, "CHANNEL_INDEX", 1, "2");
	expect(doc, "INTERLEAVE_INDEX", 1, "2");
	expect(doc, "NAME", 1, "Snare");
	expect(doc, "BWF_DESCRIPTION", 0, "Live at the Hall");
	expect(doc, "BWF_TIME_REFERENCE_LOW", 0, "5");
	expect(doc, "BWF_TIME_REFERENCE_HIGH", 0, "1");
	/* The elements iXML puts in this order. */
	assert_true(strstr(doc, "<IXML_VERSION>") < strstr(doc, "<PROJECT>"));
	assert_true(strstr(doc, "<SPEED>") < strstr(doc, "<HISTORY>"));
	assert_true(strstr(doc, "<FILE_SET>") < strstr(doc, "<TRACK_LIST>"));
	assert_true(strstr(doc, "<TRACK_LIST>") < strstr(doc, "<BEXT>"));
	free(doc);
}

/* A split file: one track, whose index in the take is its channel's. */
static void
test_split(void **state)
{
	const char	*names[] = { "Tom 3" };
	struct fmt_par	 par;
	char		*doc;
	size_t		 len;

	(void)state;
	base_par(&par, names, 1);
	par.set_index = 6;
	par.set_files = 8;
	par.first_channel = 7;
	doc = ixml_text(&par, "b_ch07_Tom3.wav", &len);
	assert_non_null(doc);
	well_formed(doc, len);
	expect(doc, "TRACK_COUNT", 0, "1");
	expect(doc, "CHANNEL_INDEX", 0, "7");
	expect(doc, "INTERLEAVE_INDEX", 0, "1");
	expect(doc, "NAME", 0, "Tom 3");
	expect(doc, "TOTAL_FILES", 0, "8");
	expect(doc, "FILE_SET_INDEX", 0, "7");
	expect(doc, "FILE_UID", 0, "0123456789ABCDEF0123456789AB0006");
	expect(doc, "ORIGINAL_FILENAME", 0, "b_ch07_Tom3.wav");
	free(doc);
}

/*
 * Names are whatever a JACK client chose: markup is escaped, bytes that
 * XML does not allow become '?', UTF-8 stays.  No names, no description:
 * tracks are named by their number and PROJECT is left out.
 */
static void
test_hostile_names(void **state)
{
	const char	*names[] = { "a<b>&\"c'", "\x01\xff\xc3\x28z",
	    "Gr\xc3\xbc\xc3\x9f\x65", "" };
	struct fmt_par	 par;
	char		*doc;
	size_t		 len;

	(void)state;
	base_par(&par, names, 4);
	par.description = "x]]></PROJECT><EVIL/>";
	doc = ixml_text(&par, "c.wav", &len);
	assert_non_null(doc);
	well_formed(doc, len);
	expect(doc, "NAME", 0, "a&lt;b&gt;&amp;\"c'");
	expect(doc, "NAME", 1, "??" "?(z");
	expect(doc, "NAME", 2, "Gr\xc3\xbc\xc3\x9f\x65");
	expect(doc, "NAME", 3, "4");
	expect(doc, "PROJECT", 0, "x]]&gt;&lt;/PROJECT&gt;&lt;EVIL/&gt;");
	free(doc);
	par.names = NULL;
	par.description = NULL;
	par.uid = NULL;
	par.take = NULL;
	doc = ixml_text(&par, "c.wav", &len);
	assert_non_null(doc);
	well_formed(doc, len);
	assert_null(strstr(doc, "<PROJECT>"));
	assert_null(strstr(doc, "<FILE_SET>"));
	expect(doc, "NAME", 0, "1");
	expect(doc, "NAME", 3, "4");
	free(doc);
}

/* 1024 channels with long names: the text grows as it must. */
static void
test_many(void **state)
{
	static char	 buf[1024][64];
	const char	*names[1024];
	struct fmt_par	 par;
	char		*doc, want[16];
	size_t		 len, i;

	(void)state;
	for (i = 0; i < 1024; i++) {
		snprintf(buf[i], sizeof(buf[i]), "%0*zu", 60, i);
		names[i] = buf[i];
	}
	base_par(&par, names, 1024);
	doc = ixml_text(&par, "d.wav", &len);
	assert_non_null(doc);
	assert_true(len > 1024 * 60);
	well_formed(doc, len);
	expect(doc, "TRACK_COUNT", 0, "1024");
	snprintf(want, sizeof(want), "%u", 1024);
	expect(doc, "CHANNEL_INDEX", 1023, want);
	expect(doc, "NAME", 1023, buf[1023]);
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
