/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the libFuzzer targets share: the entry point, a failed check, and
 * the input cut into lines and strings. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern "C" int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A check the code under test broke: libFuzzer saves the input. */
[[noreturn]] static inline void
fuzz_fail(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fprintf(stderr, "fuzz: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

/* A NUL-terminated copy of n bytes (a NUL among them ends the string). */
static inline char *
fuzz_str(const void *p, size_t n)
{
	char	*s;

	if ((s = (char *)malloc(n + 1)) == nullptr)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/*
 * The next line of [*p, end) without its "\n": its start and length, or
 * nullptr at the end. A last line without "\n" counts.
 */
static inline const uint8_t *
fuzz_line(const uint8_t **p, const uint8_t *end, size_t *len)
{
	const uint8_t	*line = *p, *nl;

	if (line >= end)
		return nullptr;
	if ((nl = (const uint8_t *)memchr(line, '\n', end - line)) == nullptr)
		nl = end;
	*len = nl - line;
	*p = nl < end ? nl + 1 : end;
	return line;
}

#endif
