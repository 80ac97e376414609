/*
 * fuzz_cfg.c: libFuzzer target for the config file parser (cfgjson_parse)
 * and the checks across options and outputs (cfgout_check).  Every input
 * must give either a refusal that names the file and reads as one
 * printable line, or a configuration whose every value survives a trip
 * through its command-line text and back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfgjson.h"
#include "cfgout.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FZ_NAME	"fuzz.json"

static void
check_message(const char *err)
{
	const char *p;

	if (strncmp(err, "config " FZ_NAME, strlen("config " FZ_NAME)) != 0)
		abort();
	for (p = err; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
}

/* Each value as text, set again on a copy: the same text comes back. */
static void
round_trip(const struct cfg *c)
{
	const struct cfg_opt	*o;
	const struct cfg_list	*l;
	struct cfg		 d;
	char			 a[8192], b[8192], err[1024];
	size_t			 i, k;

	if (cfg_copy(&d, c, err, sizeof(err)) != 0)
		abort();
	for (i = 0; i < cfg_count(); i++) {
		o = cfg_opt_at(i);
		if (cfg_format(c, o, a, sizeof(a)) != 0)
			continue;	/* too long for the buffer */
		if (o->type == CFG_LIST) {
			/* Elements one at a time: commas may be in them. */
			l = cfg_ptr(c, o);
			cfg_list_clear(&d, o);
			for (k = 0; k < l->n; k++)
				if (cfg_list_add(&d, o, l->v[k], err,
				    sizeof(err)) != 0)
					abort();
		} else if (cfg_set_text(&d, o, a, 0, err, sizeof(err)) != 0)
			abort();
		if (cfg_format(&d, o, b, sizeof(b)) != 0 || strcmp(a, b) != 0)
			abort();
	}
	cfg_done(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg	c;
	char		err[1024];

	if (size > CFGJSON_MAX_BYTES)
		return 0;
	if (cfg_init(&c, err, sizeof(err)) != 0)
		abort();
	err[0] = '\0';
	if (cfgjson_parse(&c, (const char *)data, size, FZ_NAME, err,
	    sizeof(err)) != 0)
		check_message(err);
	else {
		err[0] = '\0';
		if (cfgout_check(&c, err, sizeof(err)) != 0 && err[0] == '\0')
			abort();
		round_trip(&c);
	}
	cfg_done(&c);
	return 0;
}
