/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the masked JSON array of an audit row's arguments, which
 * jansson must read back as the arguments, and the UTF-8 repair under it,
 * checked against the table of well-formed sequences (Unicode 3-7). */
/*
 * Input: a byte of flags (hide; names given; no tmp_dir), then strings
 * split at NUL bytes: tmp_dir, then the arguments, each after its option
 * name when names are given.
 */
#include <jansson.h>

#include "apid.h"
#include "audit.h"
#include "fuzz.h"
#include "utf8.h"

#define FUZZ_MAX_ARGS	64

/* The length of the well-formed sequence at s, or 0 (NUL included). */
static size_t
fuzz_seq(const uint8_t *s, size_t left)
{
	uint8_t	 lo = 0x80, hi = 0xbf;
	size_t	 n, i;

	if (s[0] == 0)
		return 0;
	if (s[0] <= 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* The second byte's range depends on the first. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (left < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return n;
}

/* Every sequence well formed, none NUL. */
static int
fuzz_valid(const uint8_t *s, size_t len)
{
	size_t	 i, n;

	for (i = 0; i < len; i += n) {
		if ((n = fuzz_seq(s + i, len - i)) == 0)
			return 0;
	}
	return 1;
}

static void
fuzz_utf8(const uint8_t *data, size_t size)
{
	json_t	*j;
	char	*out;
	size_t	 outlen, i;

	for (i = 0; i < size; i++) {
		if (utf8_seq(data + i, size - i) != fuzz_seq(data + i,
		    size - i))
			fuzz_fail("utf8_seq at %zu: %zu, expected %zu", i,
			    utf8_seq(data + i, size - i),
			    fuzz_seq(data + i, size - i));
	}
	out = utf8_repair((const char *)data, size, &outlen);
	if (outlen > 3 * size || out[outlen] != '\0' ||
	    !fuzz_valid((const uint8_t *)out, outlen))
		fuzz_fail("utf8_repair: not valid UTF-8");
	if (fuzz_valid(data, size) &&
	    (outlen != size || memcmp(out, data, size) != 0))
		fuzz_fail("utf8_repair changed valid UTF-8");
	if ((j = json_stringn(out, outlen)) == nullptr)
		fuzz_fail("utf8_repair: jansson refuses it");
	json_decref(j);
	free(out);
}

/* audit.h's rule for one argument, restated. */
static char *
fuzz_expect(const char *arg, const char *name, const char *tmp, int hide,
    size_t *len)
{
	static const char *const words[] = { "PASS", "SECRET", "HASH" };
	char	*r, *s;
	size_t	 tmplen = 0, n, i;

	if (hide)
		goto secret;
	for (i = 0; name != nullptr && i < nitems(words); i++) {
		if (strcasestr(name, words[i]) != nullptr)
			goto secret;
	}
	if (tmp != nullptr) {
		tmplen = strlen(tmp);
		while (tmplen > 0 && tmp[tmplen - 1] == '/')
			tmplen--;
	}
	if (tmplen > 0 && strncmp(arg, tmp, tmplen) == 0 &&
	    arg[tmplen] == '/' && arg[tmplen + 1] != '\0') {
		s = utf8_repair(tmp, tmplen, &n);
		r = (char *)malloc(n + 5);
		memcpy(r, s, n);
		memcpy(r + n, "/***", 5);
		*len = n + 4;
		free(s);
		return r;
	}
	if (strlen(arg) <= AUDIT_ARG_MAX)
		return utf8_repair(arg, strlen(arg), len);
	s = utf8_repair(arg, AUDIT_ARG_MAX, &n);
	r = (char *)malloc(n + 4);
	memcpy(r, s, n);
	memcpy(r + n, "\xe2\x80\xa6", 4);
	*len = n + 3;
	free(s);
	return r;
secret:
	*len = 3;
	return fuzz_str("***", 3);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*p, *end = data + size, *z;
	char		*tokens[2 * FUZZ_MAX_ARGS + 1];
	char		*args[FUZZ_MAX_ARGS], *names[FUZZ_MAX_ARGS];
	char		*tmp, *text, *want;
	json_t		*root, *e;
	json_error_t	 error;
	size_t		 ntok = 0, len, i;
	int		 flags, nargs = 0, hide, named;

	if (size < 1)
		return 0;
	fuzz_utf8(data + 1, size - 1);
	flags = data[0];
	hide = flags & 1;
	named = (flags & 2) != 0;
	for (p = data + 1; p < end && ntok < nitems(tokens); p = z + 1) {
		if ((z = (const uint8_t *)memchr(p, '\0', end - p)) == nullptr)
			z = end;
		tokens[ntok++] = fuzz_str(p, z - p);
	}
	if (ntok == 0)
		return 0;
	tmp = flags & 4 ? nullptr : tokens[0];
	for (i = 1; i < ntok && nargs < FUZZ_MAX_ARGS; nargs++) {
		/* A name of nullptr, too: an option the script does not say. */
		names[nargs] = named ? (i + 1 < ntok ? tokens[i++] : nullptr) :
		    nullptr;
		args[nargs] = tokens[i++];
	}

	text = audit_args_json(args, nargs, named ? names : nullptr, tmp, hide);
	if ((root = json_loads(text, 0, &error)) == nullptr)
		fuzz_fail("not JSON: %s: %s", error.text, text);
	if (!json_is_array(root) || json_array_size(root) != (size_t)nargs)
		fuzz_fail("not an array of %d: %s", nargs, text);
	for (i = 0; i < (size_t)nargs; i++) {
		if (!json_is_string(e = json_array_get(root, i)))
			fuzz_fail("element %zu is no string", i);
		want = fuzz_expect(args[i], named ? names[i] : nullptr, tmp,
		    hide, &len);
		if (json_string_length(e) != len ||
		    memcmp(json_string_value(e), want, len) != 0)
			fuzz_fail("element %zu: \"%s\", expected \"%s\"", i,
			    json_string_value(e), want);
		free(want);
	}
	json_decref(root);
	free(text);
	for (i = 0; i < ntok; i++)
		free(tokens[i]);
	return 0;
}
