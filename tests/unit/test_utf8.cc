/* SPDX-License-Identifier: GPL-3.0-or-later */
/* utf8.cc: valid UTF-8 passes unchanged; every invalid byte (and NUL)
 * becomes U+FFFD, one per byte that cannot start a valid sequence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "utf8.h"

#define R	"\xef\xbf\xbd"	/* U+FFFD */

/* Repair len bytes of in; the result must be want, NUL-terminated, with
 * outlen its length. */
static void
test_repair(const char *in, size_t len, const char *want, size_t wantlen)
{
	char	*out;
	size_t	 outlen = (size_t)-1;

	out = utf8_repair(in, len, &outlen);
	assert_non_null(out);
	assert_int_equal(outlen, wantlen);
	assert_memory_equal(out, want, wantlen);
	assert_int_equal(out[outlen], '\0');
	assert_int_equal(strlen(out), outlen);
	free(out);
}

/* A literal, sizeof minus the terminating NUL. */
#define TEST_SAME(s)		test_repair(s, sizeof(s) - 1, s, sizeof(s) - 1)
#define TEST_FIX(s, w)		test_repair(s, sizeof(s) - 1, w, sizeof(w) - 1)

static void
test_utf8_empty(void **)
{
	test_repair("", 0, "", 0);
	/* len, not the NUL, says where the input ends. */
	test_repair("abc", 0, "", 0);
}

static void
test_utf8_valid(void **)
{
	TEST_SAME("hello, world\n\t~\x7f");
	TEST_SAME("\xc3\xa9t\xc3\xa9");			/* 2 bytes */
	TEST_SAME("\xe2\x82\xac 5");			/* 3 bytes */
	TEST_SAME("\xf0\x9f\x98\x80!");			/* 4 bytes */
	/* The edges of each length. */
	TEST_SAME("\x01");				/* U+0001 */
	TEST_SAME("\xc2\x80");				/* U+0080 */
	TEST_SAME("\xdf\xbf");				/* U+07FF */
	TEST_SAME("\xe0\xa0\x80");			/* U+0800 */
	TEST_SAME("\xed\x9f\xbf");			/* U+D7FF */
	TEST_SAME("\xee\x80\x80");			/* U+E000 */
	TEST_SAME("\xef\xbf\xbf");			/* U+FFFF */
	TEST_SAME("\xf0\x90\x80\x80");			/* U+10000 */
	TEST_SAME("\xf4\x8f\xbf\xbf");			/* U+10FFFF */
	TEST_SAME(R);					/* U+FFFD */
	TEST_SAME("{\"a\": \"\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5"
	    "\xd1\x82\"}");
}

/* Overlong forms: each byte replaced. */
static void
test_utf8_overlong(void **)
{
	TEST_FIX("\xc0\x80", R R);			/* NUL in 2 */
	TEST_FIX("\xc1\xbf", R R);			/* U+007F in 2 */
	TEST_FIX("\xe0\x80\x80", R R R);
	TEST_FIX("\xe0\x9f\xbf", R R R);		/* U+07FF in 3 */
	TEST_FIX("\xf0\x80\x80\x80", R R R R);
	TEST_FIX("\xf0\x8f\xbf\xbf", R R R R);		/* U+FFFF in 4 */
	TEST_FIX("a\xc0\xafz", "a" R R "z");		/* overlong '/' */
}

static void
test_utf8_surrogate(void **)
{
	TEST_FIX("\xed\xa0\x80", R R R);		/* U+D800 */
	TEST_FIX("\xed\xbf\xbf", R R R);		/* U+DFFF */
	/* A CESU-8 pair is two surrogates, not a character. */
	TEST_FIX("\xed\xa0\xbd\xed\xb8\x80", R R R R R R);
}

static void
test_utf8_too_big(void **)
{
	TEST_FIX("\xf4\x90\x80\x80", R R R R);		/* U+110000 */
	TEST_FIX("\xf5\x80\x80\x80", R R R R);
	TEST_FIX("\xf7\xbf\xbf\xbf", R R R R);
	TEST_FIX("\xf8\x88\x80\x80\x80", R R R R R);	/* 5 bytes */
	TEST_FIX("\xfc\x84\x80\x80\x80\x80", R R R R R R);
	TEST_FIX("\xfe\xff", R R);
}

/* A sequence cut short, at the end or by another byte: the bytes that
 * follow it are kept. */
static void
test_utf8_truncated(void **)
{
	TEST_FIX("a\xc3", "a" R);
	TEST_FIX("a\xe2\x82", "a" R R);
	TEST_FIX("a\xf0\x9f\x98", "a" R R R);
	TEST_FIX("\xe2\x82" "A", R R "A");
	TEST_FIX("\xf0\x9f\x98" "A", R R R "A");
	TEST_FIX("\xc3" "\xc3\xa9", R "\xc3\xa9");
	TEST_FIX("\xe2\x82" "\xe2\x82\xac", R R "\xe2\x82\xac");
	/* Cut by len, not by the data. */
	test_repair("\xe2\x82\xac", 2, R R, 6);
}

static void
test_utf8_continuation(void **)
{
	TEST_FIX("\x80", R);
	TEST_FIX("\xbf", R);
	TEST_FIX("a\x80\x80z", "a" R R "z");
	TEST_FIX("\xc3\xa9\xa9", "\xc3\xa9" R);
}

/* NUL would end a C string inside JSON text. */
static void
test_utf8_nul(void **)
{
	test_repair("\0", 1, R, 3);
	test_repair("a\0b", 3, "a" R "b", 5);
	test_repair("\0\0", 2, R R, 6);
}

/* The worst case, every byte tripled (ASan watches the buffer). */
static void
test_utf8_worst(void **)
{
	char	*in, *out, *want;
	size_t	 n = 4096, i, outlen;

	in = (char *)xmalloc(n);
	want = (char *)xmalloc(3 * n);
	memset(in, 0xff, n);
	for (i = 0; i < n; i++)
		memcpy(want + 3 * i, R, 3);
	out = utf8_repair(in, n, &outlen);
	assert_int_equal(outlen, 3 * n);
	assert_memory_equal(out, want, 3 * n);
	assert_int_equal(out[outlen], '\0');
	free(out);
	free(in);
	free(want);
}

/* Any bytes at all: the result repairs to itself, and where the input was
 * valid it is the input. */
static void
test_utf8_random(void **)
{
	char		 in[64];
	char		*out, *again;
	size_t		 outlen, againlen, len, i;
	uint32_t	 x = 2463534242u;
	int		 round;

	for (round = 0; round < 20000; round++) {
		len = round % sizeof in;
		for (i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			/* Mostly the bytes that make sequences. */
			in[i] = (char)(x % 3 == 0 ? x >> 8 :
			    0x80 | ((x >> 8) & 0x7f));
		}
		out = utf8_repair(in, len, &outlen);
		assert_true(outlen >= len && outlen <= 3 * len);
		again = utf8_repair(out, outlen, &againlen);
		assert_int_equal(againlen, outlen);
		assert_memory_equal(again, out, outlen);
		if (memchr(out, 0, outlen) != nullptr)
			fail_msg("NUL in the output");
		free(again);
		free(out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_empty),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_overlong),
		cmocka_unit_test(test_utf8_surrogate),
		cmocka_unit_test(test_utf8_too_big),
		cmocka_unit_test(test_utf8_truncated),
		cmocka_unit_test(test_utf8_continuation),
		cmocka_unit_test(test_utf8_nul),
		cmocka_unit_test(test_utf8_worst),
		cmocka_unit_test(test_utf8_random),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
