/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hestia.cc: the names of Hestia's return codes and their HTTP statuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "hestia.h"

/* Hestia's func/main.sh order, and exit_code_to_http_code() of
 * web/inc/helpers.php (hestia-compat.md section 8). */
static const struct {
	int		 code;
	const char	*name;
	int		 status;
} test_codes[] = {
	{ 0, "OK", 200 },
	{ 1, "E_ARGS", 400 },
	{ 2, "E_INVALID", 422 },
	{ 3, "E_NOTEXIST", 400 },
	{ 4, "E_EXISTS", 400 },
	{ 5, "E_SUSPENDED", 401 },
	{ 6, "E_UNSUSPENDED", 401 },
	{ 7, "E_INUSE", 400 },
	{ 8, "E_LIMIT", 400 },
	{ 9, "E_PASSWORD", 401 },
	{ 10, "E_FORBIDEN", 401 },
	{ 11, "E_DISABLED", 400 },
	{ 12, "E_PARSING", 400 },
	{ 13, "E_DISK", 400 },
	{ 14, "E_LA", 400 },
	{ 15, "E_CONNECT", 400 },
	{ 16, "E_FTP", 400 },
	{ 17, "E_DB", 400 },
	{ 18, "E_RRD", 400 },
	{ 19, "E_UPDATE", 400 },
	{ 20, "E_RESTART", 400 },
	{ 21, "E_API_DISABLED", 401 },
};

static void
test_hestia_codes(void **)
{
	size_t	 i;

	for (i = 0; i < nitems(test_codes); i++) {
		assert_string_equal(hestia_code_name(test_codes[i].code),
		    test_codes[i].name);
		assert_int_equal(hestia_http_status(test_codes[i].code),
		    test_codes[i].status);
	}
}

/* The enum agrees with the numbers Hestia's scripts exit with. */
static void
test_hestia_enum(void **)
{
	assert_int_equal(E_OK, 0);
	assert_int_equal(E_PASSWORD, 9);
	assert_int_equal(E_FORBIDEN, 10);
	assert_int_equal(E_DISABLED, 11);
	assert_int_equal(E_API_DISABLED, 21);
	assert_int_equal(E_NODATA, 405);
	assert_string_equal(hestia_code_name(E_INVALID), "E_INVALID");
}

/* The pseudo-code 405 is its own status. */
static void
test_hestia_nodata(void **)
{
	assert_string_equal(hestia_code_name(405), "E_NODATA");
	assert_int_equal(hestia_http_status(405), 405);
}

/* Codes Hestia does not name. */
static void
test_hestia_unknown(void **)
{
	assert_string_equal(hestia_code_name(22), "E_UNKNOWN");
	assert_string_equal(hestia_code_name(99), "E_UNKNOWN");
	assert_string_equal(hestia_code_name(255), "E_UNKNOWN");
	assert_string_equal(hestia_code_name(404), "E_UNKNOWN");
	assert_string_equal(hestia_code_name(-1), "E_UNKNOWN");
	/* Below 100, an unmapped code is helpers.php's default 400. */
	assert_int_equal(hestia_http_status(22), 400);
	assert_int_equal(hestia_http_status(99), 400);
	assert_int_equal(hestia_http_status(-1), 400);
	/* A command's exit code is never a status: 255, 143 and 101 (a
	 * signal's 128+N) are 400, as the recorded exit-255 case shows. */
	assert_int_equal(hestia_http_status(255), 400);
	assert_int_equal(hestia_http_status(143), 400);
	assert_int_equal(hestia_http_status(101), 400);
}

/* api_error(): a refusal's code of 100 or more is its own status. */
static void
test_hestia_error_status(void **)
{
	assert_int_equal(hestia_error_status(503), 503);
	assert_int_equal(hestia_error_status(500), 500);
	assert_int_equal(hestia_error_status(405), 405);
	assert_int_equal(hestia_error_status(9), 401);
	assert_int_equal(hestia_error_status(2), 422);
	assert_int_equal(hestia_error_status(11), 400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hestia_codes),
		cmocka_unit_test(test_hestia_enum),
		cmocka_unit_test(test_hestia_nodata),
		cmocka_unit_test(test_hestia_unknown),
		cmocka_unit_test(test_hestia_error_status),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
