/*
 * webauth.c: recweb's credentials (webauth.h).  What a client must send
 * is kept whole ("Basic " and base64 of USER:PASSWORD, or "Bearer " and
 * the token), so that a check is one comparison per credential, made in
 * constant time over a fixed length.  recweb's one thread.
 */
#include "webauth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libwebsockets.h>

/* The longest header value compared: "Basic " and base64 of a line. */
#define WA_EXPECT_MAX	(8 + (WEBAUTH_LINE_MAX + 2) / 3 * 4)

struct wa_cred {
	char		 expect[WA_EXPECT_MAX];	/* the header value, 0-padded */
	char		 name[WEBAUTH_NAME_MAX];
	enum web_role	 role;
};

struct webauth {
	struct wa_cred	 c[WEBAUTH_MAX];
	unsigned	 n;
};

struct webauth *
webauth_new(void)
{
	return calloc(1, sizeof(struct webauth));
}

void
webauth_free(struct webauth *a)
{
	if (a == NULL)
		return;
	/* The secrets go with the memory. */
	memset(a, 0, sizeof(*a));
	free(a);
}

unsigned
webauth_count(const struct webauth *a)
{
	return a->n;
}

const char *
webauth_role_name(enum web_role r)
{
	return r == WEB_OPERATOR ? "operator" : r == WEB_VIEWER ? "viewer" :
	    "nobody";
}

static int
wa_role(const char *s, enum web_role *r)
{
	if (s == NULL || strcmp(s, "operator") == 0)
		*r = WEB_OPERATOR;
	else if (strcmp(s, "viewer") == 0)
		*r = WEB_VIEWER;
	else
		return -1;
	return 0;
}

/* One line of either file, or NULL at the end; strips the newline. */
static int
wa_line(FILE *f, char *buf, size_t len, const char *path, unsigned lineno,
    char *err, size_t errlen)
{
	size_t n;

	if (fgets(buf, (int)len, f) == NULL)
		return 0;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(f)) {
		snprintf(err, errlen, "%s:%u: a line longer than %d bytes",
		    path, lineno, WEBAUTH_LINE_MAX - 2);
		return -1;
	}
	if (n > 0 && buf[n - 1] == '\r')
		buf[--n] = '\0';
	return 1;
}

static FILE *
wa_open(const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	FILE		*f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	/* Secrets others can read are no secrets: say so, go on. */
	if (fstat(fileno(f), &st) == 0 && (st.st_mode & S_IROTH))
		fprintf(stderr, "recweb: warning: %s: others may read it "
		    "(chmod o-r)\n", path);
	return f;
}

static int
wa_add(struct webauth *a, const char *scheme, const char *secret,
    const char *name, enum web_role role, const char *path, unsigned lineno,
    char *err, size_t errlen)
{
	struct wa_cred	*c;
	size_t		 k = strlen(scheme);

	if (a->n == WEBAUTH_MAX) {
		snprintf(err, errlen, "%s:%u: more than %d credentials", path,
		    lineno, WEBAUTH_MAX);
		return -1;
	}
	c = &a->c[a->n];
	memset(c, 0, sizeof(*c));
	memcpy(c->expect, scheme, k);
	if (strcmp(scheme, "Basic ") == 0) {
		if (lws_b64_encode_string(secret, (int)strlen(secret),
		    c->expect + k, (int)(sizeof(c->expect) - k)) < 0)
			goto toolong;
	} else if (strlen(secret) >= sizeof(c->expect) - k)
		goto toolong;
	else
		memcpy(c->expect + k, secret, strlen(secret));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->role = role;
	a->n++;
	return 0;
toolong:
	snprintf(err, errlen, "%s:%u: too long", path, lineno);
	return -1;
}

/* One line of a password file: USER:PASSWORD[:ROLE]. */
static int
wa_password(struct webauth *a, char *line, const char *path, unsigned lineno,
    char *err, size_t errlen)
{
	char		 account[WEBAUTH_LINE_MAX];
	char		*pw, *role;
	enum web_role	 r = WEB_OPERATOR;
	int		 rc;

	pw = strchr(line, ':');
	if (pw == NULL || pw == line || pw[1] == '\0') {
		snprintf(err, errlen, "%s:%u: not USER:PASSWORD[:ROLE]", path,
		    lineno);
		return -1;
	}
	if ((size_t)(pw - line) >= WEBAUTH_NAME_MAX) {
		snprintf(err, errlen, "%s:%u: a user name longer than %d bytes",
		    path, lineno, WEBAUTH_NAME_MAX - 1);
		return -1;
	}
	/* A password may hold ':'; a last field is a role if it is one. */
	role = strrchr(pw + 1, ':');
	if (role != NULL && wa_role(role + 1, &r) == 0)
		*role = '\0';
	snprintf(account, sizeof(account), "%s", line);
	*pw = '\0';
	rc = wa_add(a, "Basic ", account, line, r, path, lineno, err, errlen);
	memset(account, 0, sizeof(account));
	return rc;
}

/* One line of a token file: TOKEN [ROLE]. */
static int
wa_token(struct webauth *a, char *line, const char *path, unsigned lineno,
    char *err, size_t errlen)
{
	enum web_role	 r = WEB_OPERATOR;
	char		*sp;

	if ((sp = strchr(line, ' ')) != NULL) {
		*sp = '\0';
		if (wa_role(sp + 1, &r) != 0) {
			snprintf(err, errlen, "%s:%u: role \"%s\": operator or "
			    "viewer", path, lineno, sp + 1);
			return -1;
		}
	}
	if (strlen(line) < 16) {
		snprintf(err, errlen, "%s:%u: a token shorter than 16 "
		    "characters", path, lineno);
		return -1;
	}
	return wa_add(a, "Bearer ", line, "token", r, path, lineno, err,
	    errlen);
}

/* Each line of path that is not blank or a comment, through one(). */
static int
wa_load(struct webauth *a, const char *path, int (*one)(struct webauth *,
    char *, const char *, unsigned, char *, size_t), char *err,
    size_t errlen)
{
	char		 line[WEBAUTH_LINE_MAX];
	unsigned	 lineno = 0;
	int		 rc = 0, got;
	FILE		*f;

	if ((f = wa_open(path, err, errlen)) == NULL)
		return -1;
	while (rc == 0 && (got = wa_line(f, line, sizeof(line), path,
	    ++lineno, err, errlen)) != 0) {
		if (got < 0)
			rc = -1;
		else if (line[0] != '\0' && line[0] != '#')
			rc = one(a, line, path, lineno, err, errlen);
	}
	memset(line, 0, sizeof(line));
	fclose(f);
	return rc;
}

int
webauth_load_passwords(struct webauth *a, const char *path, char *err,
    size_t errlen)
{
	return wa_load(a, path, wa_password, err, errlen);
}

int
webauth_load_tokens(struct webauth *a, const char *path, char *err,
    size_t errlen)
{
	return wa_load(a, path, wa_token, err, errlen);
}

/* 0 when a and b (each WA_EXPECT_MAX bytes) are equal, in fixed time. */
static unsigned
wa_differ(const char *a, const char *b)
{
	unsigned char	d = 0;
	size_t		i;

	for (i = 0; i < WA_EXPECT_MAX; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d;
}

enum web_role
webauth_check(const struct webauth *a, const char *header, char *name,
    size_t namelen)
{
	char		 got[WA_EXPECT_MAX];
	enum web_role	 role = WEB_NOBODY;
	unsigned	 i;
	size_t		 n;

	if (namelen > 0)
		name[0] = '\0';
	if (header == NULL || (n = strlen(header)) >= sizeof(got))
		return WEB_NOBODY;
	memset(got, 0, sizeof(got));
	memcpy(got, header, n);
	/* Every credential is compared: the time tells nothing of which. */
	for (i = 0; i < a->n; i++)
		if (wa_differ(got, a->c[i].expect) == 0 && role == WEB_NOBODY) {
			role = a->c[i].role;
			snprintf(name, namelen, "%s", a->c[i].name);
		}
	memset(got, 0, sizeof(got));
	return role;
}
