/* SPDX-License-Identifier: GPL-3.0-or-later */
/* UTF-8 repair for text that must go into JSON. */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>

/* A copy of s with every invalid UTF-8 sequence (and NUL) replaced by
 * U+FFFD; NUL-terminated, length in *outlen. */
char	*utf8_repair(const char *s, size_t len, size_t *outlen);

#endif
