/* SPDX-License-Identifier: GPL-3.0-or-later */
/* clientip.cc: forwarding headers believed from trusted proxies only, the
 * right-most untrusted hop, canonical addresses. */
#include <sys/queue.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "clientip.h"

#define TRUSTED	"10.0.0.0/8, 192.0.2.1,unix,2001:db8::/32"

static struct evkeyvalq	 test_headers;

/* Headers as name, value, ..., nullptr. */
static void
test_set_headers(const char *name, ...)
{
	va_list		 ap;
	const char	*n, *v;

	evhttp_clear_headers(&test_headers);
	TAILQ_INIT(&test_headers);
	va_start(ap, name);
	for (n = name; n != nullptr; n = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		assert_int_equal(evhttp_add_header(&test_headers, n, v), 0);
	}
	va_end(ap);
}

static void
test_init_header(const char *list, const char *header)
{
	char	*cause = nullptr;

	if (clientip_init(list, header, &cause) == -1)
		fail_msg("clientip_init %s %s: %s", list, header, cause);
	assert_null(cause);
}

static void
test_init(const char *list)
{
	test_init_header(list, "X-Forwarded-For");
}

static int
test_setup(void **)
{
	TAILQ_INIT(&test_headers);
	test_init(TRUSTED);
	return 0;
}

static int
test_teardown(void **)
{
	evhttp_clear_headers(&test_headers);
	clientip_free();
	return 0;
}

static void
test_resolves(const char *peer, const char *want)
{
	char	 out[64];

	memset(out, 'x', sizeof out);
	clientip_resolve(peer, &test_headers, out, sizeof out);
	assert_string_equal(out, want);
}

/* From anyone not trusted, the headers mean nothing. */
static void
test_clientip_untrusted(void **)
{
	test_set_headers("X-Forwarded-For", "198.51.100.7",
	    "X-Real-IP", "198.51.100.8", "CF-Connecting-IP", "198.51.100.9",
	    nullptr);
	test_resolves("203.0.113.5", "203.0.113.5");
	test_resolves("11.0.0.1", "11.0.0.1");
	test_resolves("192.0.2.2", "192.0.2.2");
	test_resolves("2001:db9::1", "2001:db9::1");
	test_resolves("", "");
	/* No headers at all. */
	test_set_headers(nullptr);
	test_resolves("203.0.113.5", "203.0.113.5");
}

static void
test_clientip_xff(void **)
{
	test_set_headers("X-Forwarded-For", "198.51.100.7", nullptr);
	test_resolves("10.1.2.3", "198.51.100.7");
	test_resolves("192.0.2.1", "198.51.100.7");
	test_resolves("2001:db8::53", "198.51.100.7");
	test_resolves("unix", "198.51.100.7");
	/* Without its header, a proxy's client is unknown: never the proxy,
	 * which an allowlist might admit. */
	test_set_headers(nullptr);
	test_resolves("10.1.2.3", "");
	test_resolves("unix", "");
}

/* The right-most hop no trusted proxy added: what the client wrote to
 * the left of it is not believed. */
static void
test_clientip_xff_rightmost(void **)
{
	test_set_headers("X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.5",
	    nullptr);
	test_resolves("10.1.2.3", "198.51.100.7");
	test_set_headers("X-Forwarded-For", "6.6.6.6,198.51.100.7,10.0.0.5,"
	    "192.0.2.1", nullptr);
	test_resolves("10.1.2.3", "198.51.100.7");
	test_set_headers("X-Forwarded-For", " \t198.51.100.7 \t", nullptr);
	test_resolves("10.1.2.3", "198.51.100.7");
}

/* A proxy that appends a line of its own: the last line is its. */
static void
test_clientip_xff_lines(void **)
{
	test_set_headers("X-Forwarded-For", "6.6.6.6",
	    "X-Forwarded-For", "198.51.100.7", nullptr);
	test_resolves("10.1.2.3", "198.51.100.7");
	test_set_headers("X-Forwarded-For", "6.6.6.6",
	    "X-Forwarded-For", "198.51.100.7, 10.0.0.5", nullptr);
	test_resolves("10.1.2.3", "198.51.100.7");
	/* Proxies on every line: the walk goes on into earlier lines. */
	test_set_headers("X-Forwarded-For", "6.6.6.6, 198.51.100.7",
	    "x-forwarded-for", "10.0.0.5", nullptr);
	test_resolves("10.1.2.3", "198.51.100.7");
}

/* Every hop a proxy: the left-most, which is one of ours. */
static void
test_clientip_xff_all_trusted(void **)
{
	test_set_headers("X-Forwarded-For", "10.0.0.1, 10.0.0.2", nullptr);
	test_resolves("10.1.2.3", "10.0.0.1");
	test_set_headers("X-Forwarded-For", "10.0.0.1, 10.0.0.2",
	    "X-Real-IP", "198.51.100.8", nullptr);
	test_resolves("10.1.2.3", "10.0.0.1");
}

/* A hop that is not an address ends the walk: nothing to its left is
 * believed, and the client is unknown. */
static void
test_clientip_xff_garbage(void **)
{
	test_set_headers("X-Forwarded-For", "198.51.100.7, garbage", nullptr);
	test_resolves("10.1.2.3", "");
	test_set_headers("X-Forwarded-For", "198.51.100.7, 10.0.0.9, unknown",
	    nullptr);
	test_resolves("10.1.2.3", "");
	test_set_headers("X-Forwarded-For", "198.51.100.7, garbage",
	    "X-Real-IP", "198.51.100.8", nullptr);
	test_resolves("10.1.2.3", "");
	/* Garbage to the left of the client does not matter. */
	test_set_headers("X-Forwarded-For", "garbage, 198.51.100.7", nullptr);
	test_resolves("10.1.2.3", "198.51.100.7");
	test_set_headers("X-Forwarded-For", "", nullptr);
	test_resolves("10.1.2.3", "");
	test_set_headers("X-Forwarded-For", "198.51.100.7,", nullptr);
	test_resolves("10.1.2.3", "");
	test_set_headers("X-Forwarded-For", ",,,", nullptr);
	test_resolves("10.1.2.3", "");
	test_set_headers("X-Forwarded-For", "198.51.100.7:1234", nullptr);
	test_resolves("10.1.2.3", "");
	test_set_headers("X-Forwarded-For", "fe80::1%eth0", nullptr);
	test_resolves("10.1.2.3", "");
}

/*
 * Found by fuzzing: a left-most hop that begins with a blank and is a
 * trusted proxy made the walk loop for ever (the whole daemon hung). The
 * obs-fold form "X-Forwarded-For:\r\n 127.0.0.1" reaches it too.
 */
static void
test_clientip_xff_leading_blank_hang(void **)
{
	test_set_headers("X-Forwarded-For", "\t10.0.0.1", nullptr);
	test_resolves("10.1.2.3", "10.0.0.1");
	test_set_headers("X-Forwarded-For", " 10.0.0.1", nullptr);
	test_resolves("10.1.2.3", "10.0.0.1");
	test_set_headers("X-Forwarded-For", " 10.0.0.1 ,\t10.0.0.2", nullptr);
	test_resolves("10.1.2.3", "10.0.0.1");
	test_set_headers("X-Forwarded-For", "  ", nullptr);
	test_resolves("10.1.2.3", "");
}

/* More lines of the header than any chain of proxies sets. */
static void
test_clientip_xff_too_many_lines(void **)
{
	int	 i;

	test_set_headers(nullptr);
	for (i = 0; i < 17; i++)
		evhttp_add_header(&test_headers, "X-Forwarded-For", "10.0.0.1");
	evhttp_add_header(&test_headers, "X-Forwarded-For", "198.51.100.7");
	test_resolves("10.1.2.3", "");
}

/*
 * The default, X-Real-IP: only that header, its last line. This is the
 * attack that the old preference order allowed: nginx sets X-Real-IP and
 * passes the client's own X-Forwarded-For on.
 */
static void
test_clientip_real_ip(void **)
{
	test_init_header(TRUSTED, "x-real-ip");
	test_set_headers("X-Forwarded-For", "192.0.2.99",
	    "X-Real-IP", "198.51.100.8", nullptr);
	test_resolves("10.1.2.3", "198.51.100.8");
	test_set_headers("X-Forwarded-For", "192.0.2.99", nullptr);
	test_resolves("10.1.2.3", "");
	test_set_headers("X-Real-IP", "192.0.2.99", "X-Real-IP",
	    "198.51.100.8", nullptr);
	test_resolves("10.1.2.3", "198.51.100.8");
	test_set_headers("X-Real-IP", " 198.51.100.8 ", nullptr);
	test_resolves("10.1.2.3", "198.51.100.8");
	test_set_headers("X-Real-IP", "198.51.100.8, 6.6.6.6", nullptr);
	test_resolves("10.1.2.3", "");
	test_set_headers("X-Real-IP", "nonsense", nullptr);
	test_resolves("10.1.2.3", "");
	test_set_headers("CF-Connecting-IP", "198.51.100.9", nullptr);
	test_resolves("10.1.2.3", "");
	/* Still nothing from an untrusted peer. */
	test_set_headers("X-Real-IP", "198.51.100.8", nullptr);
	test_resolves("203.0.113.5", "203.0.113.5");
}

static void
test_clientip_cf(void **)
{
	test_init_header(TRUSTED, "CF-Connecting-IP");
	test_set_headers("X-Real-IP", "198.51.100.8", "CF-Connecting-IP",
	    "198.51.100.9", nullptr);
	test_resolves("10.1.2.3", "198.51.100.9");
	test_set_headers("X-Real-IP", "198.51.100.8", nullptr);
	test_resolves("10.1.2.3", "");
}

static void
test_clientip_header_names(void **)
{
	char	*cause = nullptr;

	assert_string_equal(clientip_header_name("x-forwarded-for"),
	    "X-Forwarded-For");
	assert_string_equal(clientip_header_name("X-REAL-IP"), "X-Real-IP");
	assert_null(clientip_header_name("Forwarded"));
	assert_null(clientip_header_name(""));
	test_set_headers("X-Forwarded-For", "198.51.100.7", nullptr);
	assert_int_equal(clientip_init(TRUSTED, "Forwarded", &cause), -1);
	assert_non_null(cause);
	free(cause);
	/* What was in force stays. */
	test_resolves("10.1.2.3", "198.51.100.7");
}

/* v4-mapped v6 is the v4 address; v6 in its short form. */
static void
test_clientip_canonicalised(void **)
{
	test_set_headers("X-Forwarded-For", "::ffff:198.51.100.7", nullptr);
	test_resolves("10.1.2.3", "198.51.100.7");
	test_init_header(TRUSTED, "X-Real-IP");
	test_set_headers("X-Real-IP", "::FFFF:198.51.100.8", nullptr);
	test_resolves("10.1.2.3", "198.51.100.8");
	test_init_header(TRUSTED, "CF-Connecting-IP");
	test_set_headers("CF-Connecting-IP", "2001:0DB9:0000::0005", nullptr);
	test_resolves("10.1.2.3", "2001:db9::5");
	test_init(TRUSTED);
	/* A mapped address of a proxy is the proxy. */
	test_set_headers("X-Forwarded-For", "198.51.100.7, ::ffff:10.0.0.5",
	    nullptr);
	test_resolves("10.1.2.3", "198.51.100.7");
	/* ... as is a trusted peer written that way. */
	test_set_headers("X-Forwarded-For", "198.51.100.7", nullptr);
	test_resolves("::ffff:10.1.2.3", "198.51.100.7");
}

static void
test_canon(const char *in, const char *want)
{
	char	 out[64];

	if (want == nullptr) {
		assert_int_equal(clientip_canonical(in, out, sizeof out), -1);
		return;
	}
	assert_int_equal(clientip_canonical(in, out, sizeof out), 0);
	assert_string_equal(out, want);
}

static void
test_clientip_canonical(void **)
{
	char	 small[8];

	test_canon("1.2.3.4", "1.2.3.4");
	test_canon("255.255.255.255", "255.255.255.255");
	test_canon("::ffff:1.2.3.4", "1.2.3.4");
	test_canon("::ffff:102:304", "1.2.3.4");
	test_canon("2001:0db8::0001", "2001:db8::1");
	test_canon("2001:DB8:0:0:0:0:0:1", "2001:db8::1");
	test_canon("::1", "::1");
	test_canon("::", "::");
	/* v4-compatible (deprecated) is not v4-mapped. */
	test_canon("::1.2.3.4", "::1.2.3.4");
	test_canon("", nullptr);
	test_canon("1.2.3", nullptr);
	test_canon("1.2.3.4.5", nullptr);
	test_canon("256.1.1.1", nullptr);
	test_canon("01.2.3.4", nullptr);
	test_canon(" 1.2.3.4", nullptr);
	test_canon("1.2.3.4 ", nullptr);
	test_canon("1.2.3.4/32", nullptr);
	test_canon("fe80::1%eth0", nullptr);
	test_canon("[::1]", nullptr);
	test_canon("unix", nullptr);
	test_canon("localhost", nullptr);
	/* Too small a buffer is an error, not a cut address. */
	assert_int_equal(clientip_canonical("1.2.3.4", small, 7), -1);
	assert_int_equal(clientip_canonical("1.2.3.4", small, 8), 0);
	assert_string_equal(small, "1.2.3.4");
}

/* "unix" is a word of its own: without it a unix-socket peer is not
 * trusted, and a CIDR list alone trusts no unix peer. */
static void
test_clientip_unix(void **)
{
	test_set_headers("X-Forwarded-For", "198.51.100.7", nullptr);
	test_init("10.0.0.0/8");
	test_resolves("unix", "unix");
	test_resolves("10.1.2.3", "198.51.100.7");
	test_init("unix");
	test_resolves("unix", "198.51.100.7");
	test_resolves("10.1.2.3", "10.1.2.3");
	test_init("");
	test_resolves("unix", "unix");
	test_resolves("10.1.2.3", "10.1.2.3");
}

/* A bad entry fails the whole list; the one in force stays. */
static void
test_clientip_bad_list(void **)
{
	char	*cause = nullptr;

	test_set_headers("X-Forwarded-For", "198.51.100.7", nullptr);
	test_init("192.0.2.0/24,unix");
	assert_int_equal(clientip_init("10.0.0.0/8,bogus", "X-Forwarded-For",
	    &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = nullptr;
	test_resolves("192.0.2.5", "198.51.100.7");
	test_resolves("unix", "198.51.100.7");
	test_resolves("10.1.2.3", "10.1.2.3");
	/* Host bits set. */
	assert_int_equal(clientip_init("10.1.2.3/8", "X-Forwarded-For", &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = nullptr;
	assert_int_equal(clientip_init("10.0.0.0/33", "X-Forwarded-For",
	    &cause), -1);
	free(cause);
	cause = nullptr;
	test_resolves("192.0.2.5", "198.51.100.7");
	test_resolves("10.1.2.3", "10.1.2.3");
	/* A good one replaces it whole. */
	test_init("  10.0.0.0/8,, ");
	test_resolves("10.1.2.3", "198.51.100.7");
	test_resolves("192.0.2.5", "192.0.2.5");
	test_resolves("unix", "unix");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clientip_untrusted,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_clientip_xff,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_clientip_xff_rightmost,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_clientip_xff_all_trusted,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_clientip_xff_garbage,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_clientip_xff_lines,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(
		    test_clientip_xff_leading_blank_hang, test_setup,
		    test_teardown),
		cmocka_unit_test_setup_teardown(
		    test_clientip_xff_too_many_lines, test_setup,
		    test_teardown),
		cmocka_unit_test_setup_teardown(test_clientip_real_ip,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_clientip_cf,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_clientip_header_names,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_clientip_canonicalised,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_clientip_canonical,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_clientip_unix,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_clientip_bad_list,
		    test_setup, test_teardown),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
