/* STUB: replaced by the outcfg branch's cfg_out.h at merge. */
#ifndef RECD_COMMON_CFG_OUT_H
#define RECD_COMMON_CFG_OUT_H
#include <stddef.h>
#include "cfg.h"
#define CFG_OUT_MAX	8
#define CFG_OUT_NAME_MAX 32
struct cfg_out {
	char	 name[CFG_OUT_NAME_MAX + 1];
	struct cfg cfg;
	unsigned nch;
	unsigned *ch;
};
int	cfg_outputs(const struct cfg *, struct cfg_out **v, size_t *n,
	    char *err, size_t errlen);
void	cfg_outputs_free(struct cfg_out *, size_t n);
#endif
