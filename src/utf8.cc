/* SPDX-License-Identifier: GPL-3.0-or-later */
/* UTF-8 repair: commands may print any bytes; JSON may carry only UTF-8. */
#include <stdint.h>
#include <string.h>

#include "apid.h"
#include "utf8.h"

size_t
utf8_seq(const uint8_t *s, size_t left)
{
	size_t		 n, i;
	uint32_t	 cp;

	if (s[0] < 0x80)
		return s[0] != 0 ? 1 : 0;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, and past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

char *
utf8_repair(const char *s, size_t len, size_t *outlen)
{
	const uint8_t	*p = (const uint8_t *)s;
	char		*out, *o;
	size_t		 i = 0, n;

	/* At worst each byte becomes the 3-byte replacement character. */
	o = out = (char *)xmalloc(len * 3 + 1);
	while (i < len) {
		if ((n = utf8_seq(p + i, len - i)) == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(o, p + i, n);
		o += n;
		i += n;
	}
	*o = '\0';
	*outlen = o - out;
	return out;
}
