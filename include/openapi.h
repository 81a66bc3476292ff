/* SPDX-License-Identifier: GPL-3.0-or-later */
/* api/openapi.json, compiled in (tools/embed-file.sh). */
#ifndef OPENAPI_H
#define OPENAPI_H

#include <stddef.h>

extern const char	 openapi_json[];
extern const size_t	 openapi_json_len;

#endif
