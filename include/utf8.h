/* SPDX-License-Identifier: GPL-3.0-or-later */
/* UTF-8 repair for text that must go into JSON. */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length of the valid UTF-8 sequence at s, of left bytes (1..4), or
 * 0 when it is invalid or NUL: no overlong forms, surrogates or code
 * points above U+10FFFF. */
size_t	 utf8_seq(const uint8_t *s, size_t left);

/* A copy of s with every invalid UTF-8 sequence (and NUL) replaced by
 * U+FFFD; NUL-terminated, length in *outlen. */
char	*utf8_repair(const char *s, size_t len, size_t *outlen);

#endif
