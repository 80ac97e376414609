/*
 * metrics.h: recd in Prometheus' text exposition format, from its status
 * and ports replies: for recctl metrics and for node_exporter's textfile
 * collector.  One thread.
 */
#ifndef RECD_CTL_METRICS_H
#define RECD_CTL_METRICS_H

#include <stdio.h>

#include <cJSON.h>

/* Every family, from st (status) and ports (NULL: no port names). */
void		 metrics_print(FILE *f, const cJSON *st, const cJSON *ports);
/* recd_up 0: recd did not answer. */
void		 metrics_print_down(FILE *f);

#endif
