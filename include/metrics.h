/* SPDX-License-Identifier: GPL-3.0-or-later */
/* GET /metrics's text: the Prometheus exposition format 0.0.4. Counters
 * live in their modules, each said by a stats function of its own; this
 * module walks a table of them (name, type, help, where the value is). */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>

#define METRICS_CTYPE	"text/plain; version=0.0.4; charset=utf-8"

/* Every family, with HELP and TYPE lines, as one allocated text of *len
 * bytes. */
char	*metrics_render(size_t *len);

#endif
