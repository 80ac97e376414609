/*
 * test_webauth.c: recweb's credentials: the files as they are read (roles,
 * passwords with colons, comments, every mistake named with its line),
 * and headers matched: basic and bearer, operator and viewer, and nothing
 * for a near miss, a prefix, a longer value or no header at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "webauth.h"

static char	path[64];

/* A file with text, named in path. */
static void
file(const char *text)
{
	FILE	*f;
	int	 fd;

	snprintf(path, sizeof(path), "/tmp/test_webauth.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static enum web_role
check(struct webauth *a, const char *hdr, char *name)
{
	return webauth_check(a, hdr, name, WEBAUTH_NAME_MAX);
}

static void
test_passwords(void **state)
{
	struct webauth	*a = webauth_new();
	char		 err[256], name[WEBAUTH_NAME_MAX];

	(void)state;
	/* op:s3cret:x (a colon in it), watch:look as a viewer. */
	file("# accounts\n\nop:s3cret:x\r\nwatch:look:viewer\n");
	assert_int_equal(webauth_load_passwords(a, path, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(webauth_count(a), 2);
	/* base64("op:s3cret:x"), base64("watch:look") */
	assert_int_equal(check(a, "Basic b3A6czNjcmV0Ong=", name),
	    WEB_OPERATOR);
	assert_string_equal(name, "op");
	assert_int_equal(check(a, "Basic d2F0Y2g6bG9vaw==", name), WEB_VIEWER);
	assert_string_equal(name, "watch");
	/* Near misses. */
	assert_int_equal(check(a, "Basic b3A6czNjcmV0Ong", name), WEB_NOBODY);
	assert_string_equal(name, "");
	assert_int_equal(check(a, "Basic b3A6czNjcmV0Ong==", name),
	    WEB_NOBODY);
	assert_int_equal(check(a, "basic b3A6czNjcmV0Ong=", name), WEB_NOBODY);
	assert_int_equal(check(a, "Basic ", name), WEB_NOBODY);
	assert_int_equal(check(a, "", name), WEB_NOBODY);
	assert_int_equal(check(a, NULL, name), WEB_NOBODY);
	webauth_free(a);
}

static void
test_tokens(void **state)
{
	struct webauth	*a = webauth_new();
	char		 err[256], name[WEBAUTH_NAME_MAX], big[4096];

	(void)state;
	file("tok-0123456789abcdef\nview-0123456789abcdef viewer\n");
	assert_int_equal(webauth_load_tokens(a, path, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(check(a, "Bearer tok-0123456789abcdef", name),
	    WEB_OPERATOR);
	assert_string_equal(name, "token");
	assert_int_equal(check(a, "Bearer view-0123456789abcdef", name),
	    WEB_VIEWER);
	assert_int_equal(check(a, "Bearer tok-0123456789abcde", name),
	    WEB_NOBODY);
	assert_int_equal(check(a, "Bearer tok-0123456789abcdefg", name),
	    WEB_NOBODY);
	assert_int_equal(check(a, "Basic tok-0123456789abcdef", name),
	    WEB_NOBODY);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(check(a, big, name), WEB_NOBODY);
	webauth_free(a);
}

/* Each mistake is refused, naming the file and line. */
static void
test_bad_files(void **state)
{
	static const struct {
		int		 tokens;
		const char	*text, *want;
	} cases[] = {
		{ 0, "ok:pw\nnocolon\n", ":2: not USER:PASSWORD" },
		{ 0, ":pw\n", ":1: not USER:PASSWORD" },
		{ 0, "user:\n", ":1: not USER:PASSWORD" },
		{ 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:pw\n",
		  ":1: a user name longer than 63 bytes" },
		{ 1, "short\n", ":1: a token shorter than 16 characters" },
		{ 1, "tok-0123456789abcdef admin\n", ":1: role \"admin\"" },
	};
	struct webauth	*a;
	char		 err[256];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = webauth_new();
		file(cases[i].text);
		err[0] = '\0';
		assert_int_equal(cases[i].tokens ?
		    webauth_load_tokens(a, path, err, sizeof(err)) :
		    webauth_load_passwords(a, path, err, sizeof(err)), -1);
		assert_non_null(strstr(err, path));
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, err,
			    cases[i].want);
		unlink(path);
		webauth_free(a);
	}
	a = webauth_new();
	assert_int_equal(webauth_load_passwords(a, "/nonexistent/pw", err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/pw: No such file"));
	webauth_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passwords),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_bad_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
