/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: a multipart/form-data body. The first line of the input is
 * the Content-Type value, so the fuzzer picks the boundary too. */
#include "form_check.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*p = data, *end = data + size, *line;
	struct form	 f;
	char		*ct, *cause = nullptr;
	size_t		 len;
	int		 rv;

	if ((line = fuzz_line(&p, end, &len)) == nullptr)
		return 0;
	ct = fuzz_str(line, len);
	form_init(&f);
	/* The body is the rest of libFuzzer's buffer: no byte after it. */
	rv = form_parse_multipart(&f, ct, (const char *)p, end - p, &cause);
	if (rv != 0 && rv != -1)
		fuzz_fail("form_parse_multipart returned %d", rv);
	if ((rv == -1) != (cause != nullptr))
		fuzz_fail("returned %d with cause %s", rv,
		    cause != nullptr ? cause : "(none)");
	form_check(&f, 1);
	form_free(&f);
	free(cause);
	free(ct);
	return 0;
}
