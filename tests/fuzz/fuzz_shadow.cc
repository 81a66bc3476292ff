/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the hash field of a user in shadow(5) lines, as
 * verify_shadow finds it (crypt itself is too slow to fuzz), checked
 * against the fields split at ':'. */
/* Input: the user's name, a line; then the lines of a shadow file. */
#include "apid.h"
#include "fuzz.h"
#include "verify.h"

/* shadow(5), restated: name ':' hash [':' ...]. */
static int
fuzz_shadow_naive(const uint8_t *line, size_t len, const char *user,
    size_t *off, size_t *hashlen)
{
	const uint8_t	*colon, *end;
	size_t		 ulen = strlen(user);

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (ulen == 0 || strchr(user, ':') != nullptr ||
	    strchr(user, '\n') != nullptr)
		return VERIFY_SHADOW_OTHER;
	if ((colon = (const uint8_t *)memchr(line, ':', len)) == nullptr ||
	    (size_t)(colon - line) != ulen || memcmp(line, user, ulen) != 0)
		return VERIFY_SHADOW_OTHER;
	*off = ulen + 1;
	end = (const uint8_t *)memchr(line + *off, ':', len - *off);
	*hashlen = (end != nullptr ? (size_t)(end - line) : len) - *off;
	if (*hashlen == 0 || line[*off] == '!' || line[*off] == '*' ||
	    memchr(line + *off, '\0', *hashlen) != nullptr)
		return VERIFY_SHADOW_LOCKED;
	return VERIFY_SHADOW_HASH;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*p = data, *end = data + size, *line, *nl;
	const char	*hash;
	char		*user, *copy;
	size_t		 len, hashlen, off = 0, want_len = 0;
	int		 got, want;

	if ((line = fuzz_line(&p, end, &len)) == nullptr)
		return 0;
	user = fuzz_str(line, len);
	while (p < end) {
		/* A line as getline gives it: its newline included. */
		nl = (const uint8_t *)memchr(p, '\n', end - p);
		len = nl != nullptr ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		/* An exact copy, so that reading past it is caught. */
		copy = (char *)malloc(len != 0 ? len : 1);
		memcpy(copy, p, len);
		got = verify_shadow_line(copy, len, user, &hash, &hashlen);
		want = fuzz_shadow_naive(p, len, user, &off, &want_len);
		if (got != want)
			fuzz_fail("user \"%s\": %d, expected %d", user, got,
			    want);
		if (got == VERIFY_SHADOW_HASH && (hash != copy + off ||
		    hashlen != want_len))
			fuzz_fail("user \"%s\": hash at %td len %zu, expected "
			    "%zu len %zu", user, hash - copy, hashlen, off,
			    want_len);
		if (got != VERIFY_SHADOW_HASH && hash != nullptr)
			fuzz_fail("user \"%s\": a hash for %d", user, got);
		free(copy);
		p += len;
	}
	free(user);
	return 0;
}
