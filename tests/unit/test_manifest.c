/*
 * test_manifest.c: SHA256SUMS manifests: the pure edit (a file's line
 * replaced, removed, a torn line ended, other lines kept), and the jobs
 * run for real in libuv's pool, checked by sha256sum -c.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <uv.h>

#include "manifest.h"

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"

static void
edit(const char *in, const char *name, const char *hex, const char *want)
{
	char	*out;
	size_t	 len;

	out = manifest_edit(in, strlen(in), name, hex, &len);
	assert_non_null(out);
	if (len != strlen(want) || memcmp(out, want, len) != 0)
		fail_msg("edit of \"%s\" gave \"%.*s\", not \"%s\"", in,
		    (int)len, out, want);
	free(out);
}

static void
test_edit(void **state)
{
	(void)state;
	edit("", "a.wav", H1, H1 "  a.wav\n");
	edit(H1 "  a.wav\n", "b.wav", H2, H1 "  a.wav\n" H2 "  b.wav\n");
	/* A file finished again (repair): one line, the new one. */
	edit(H1 "  a.wav\n" H2 "  b.wav\n", "a.wav", H2,
	    H2 "  b.wav\n" H2 "  a.wav\n");
	/* Deleted by retention. */
	edit(H1 "  a.wav\n" H2 "  b.wav\n", "a.wav", NULL, H2 "  b.wav\n");
	/* Binary-mode lines count; a name that only starts alike stays. */
	edit(H1 " *a.wav\n" H1 "  a.wav.x\n", "a.wav", NULL,
	    H1 "  a.wav.x\n");
	/* Someone's comment and a torn last line are kept, and ended. */
	edit("# mine\n" H1 "  c.w", "a.wav", H2,
	    "# mine\n" H1 "  c.w\n" H2 "  a.wav\n");
}

static int
run(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void
spit(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(s, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Jobs queued back to back on one directory: none lost, sha256sum -c. */
static void
test_pool(void **state)
{
	char		 dir[] = "/tmp/test_manifest.XXXXXX", p[256], cmd[512];
	struct manifest	*m;
	uv_loop_t	 loop;
	int		 i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(uv_loop_init(&loop), 0);
	m = manifest_new(&loop);
	assert_non_null(m);
	for (i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "%s/f%d.wav", dir, i);
		spit(p, i % 2 ? "odd" : "even");
		manifest_add(m, p);
	}
	snprintf(p, sizeof(p), "%s/f1.wav", dir);
	manifest_remove(m, p);
	unlink(p);
	assert_int_equal(manifest_pending(m), 6);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(manifest_pending(m), 0);
	snprintf(cmd, sizeof(cmd), "cd %s && sha256sum -c --quiet "
	    MANIFEST_NAME " && [ $(wc -l < " MANIFEST_NAME ") = 4 ] && "
	    "! grep -q f1.wav " MANIFEST_NAME " && [ ! -e ." MANIFEST_NAME
	    ".new ]", dir);
	assert_int_equal(run(cmd), 0);
	/* A file changed afterwards is caught. */
	snprintf(p, sizeof(p), "%s/f2.wav", dir);
	spit(p, "evem");
	snprintf(cmd, sizeof(cmd), "cd %s && sha256sum -c --quiet "
	    MANIFEST_NAME " >/dev/null 2>&1", dir);
	assert_int_not_equal(run(cmd), 0);
	/* Removing from a directory without a manifest makes none. */
	snprintf(cmd, sizeof(cmd), "rm -rf %s/" MANIFEST_NAME, dir);
	assert_int_equal(run(cmd), 0);
	snprintf(p, sizeof(p), "%s/f3.wav", dir);
	manifest_remove(m, p);
	assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
	snprintf(p, sizeof(p), "%s/" MANIFEST_NAME, dir);
	assert_int_equal(access(p, F_OK), -1);
	manifest_free(m);
	assert_int_equal(uv_loop_close(&loop), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(run(cmd), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edit),
		cmocka_unit_test(test_pool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
