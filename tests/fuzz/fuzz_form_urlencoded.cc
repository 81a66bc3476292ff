/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: an application/x-www-form-urlencoded body, as $_POST. */
#include "form_check.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form	 f;
	char		*cause = nullptr;

	form_init(&f);
	if (form_parse_urlencoded(&f, (const char *)data, size, &cause) != 0)
		fuzz_fail("form_parse_urlencoded failed: %s",
		    cause != nullptr ? cause : "(no cause)");
	form_check(&f, 1);
	form_free(&f);
	if (f.v != nullptr || f.n != 0)
		fuzz_fail("form_free left parameters");
	free(cause);
	return 0;
}
