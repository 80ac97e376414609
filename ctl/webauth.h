/*
 * webauth.h: who may use recweb: the accounts of a password file (HTTP
 * basic) and the tokens of a token file (HTTP bearer), each an operator
 * or a viewer, matched against a request's Authorization header in
 * constant time.
 */
#ifndef RECD_CTL_WEBAUTH_H
#define RECD_CTL_WEBAUTH_H

#include <stddef.h>

enum web_role {
	WEB_NOBODY,			/* no valid credentials */
	WEB_VIEWER,			/* watches: the read-only socket */
	WEB_OPERATOR			/* steers: the control socket */
};

#define WEBAUTH_MAX		64	/* accounts and tokens, in all */
#define WEBAUTH_LINE_MAX	512	/* bytes of a line of either file */
#define WEBAUTH_NAME_MAX	64	/* bytes of a user name */

struct webauth;

struct webauth	*webauth_new(void);
void		 webauth_free(struct webauth *);
/*
 * Reads a password file (lines "USER:PASSWORD" or "USER:PASSWORD:ROLE")
 * or a token file (lines "TOKEN" or "TOKEN ROLE"); ROLE is operator (the
 * default) or viewer, blank lines and lines from # are skipped.  Returns
 * 0, or -1 with a message naming the file and line in err.
 */
int		 webauth_load_passwords(struct webauth *, const char *path,
		    char *err, size_t errlen);
int		 webauth_load_tokens(struct webauth *, const char *path,
		    char *err, size_t errlen);
/* How many credentials were loaded. */
unsigned	 webauth_count(const struct webauth *);
/*
 * The role an Authorization header value gives (NULL: none sent), and
 * the user's name ("token" for a token) in name.  Every credential is
 * compared, in time that does not depend on where they differ.
 */
enum web_role	 webauth_check(const struct webauth *, const char *header,
		    char *name, size_t namelen);
const char	*webauth_role_name(enum web_role);

#endif
