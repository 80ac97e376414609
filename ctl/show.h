/*
 * show.h: recctl's printing: recd's replies for people (status, options,
 * ports, get, set), JSON as it came, and text from recd made safe for a
 * terminal.  One thread.
 */
#ifndef RECD_CTL_SHOW_H
#define RECD_CTL_SHOW_H

#include <stdio.h>

#include <cJSON.h>

/* obj's number or text at key; *ok is cleared (num) or NULL returned
 * when it is not there or of another type. */
double		 num(const cJSON *obj, const char *key, int *ok);
const char	*str(const cJSON *obj, const char *key);
/* s with control characters as '?', to f. */
void		 print_clean(FILE *f, const char *s);
/* A reply, for people; print_json as it came (--json). */
void		 print_json(const cJSON *v);
void		 print_status(const cJSON *r);
void		 print_options(const cJSON *r);
void		 print_ports(const cJSON *r);
void		 print_state(const cJSON *r);
void		 print_get(const cJSON *r);
void		 print_set(const cJSON *r);
/* An event's word, and stdout flushed: RC_OK, or RC_REFUSED when
 * stdout failed (a closed pipe). */
int		 out_flush(void);
void		 print_word(const cJSON *v);

#endif
