/* SPDX-License-Identifier: GPL-3.0-or-later */
/* key.cc: random keys, Hestia's formats, argon2id at a low test cost. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "config.h"
#include "key.h"

static const struct argon2_cost test_cost = { 1, 64, 1 };

/* Draw n characters from alphabet into a guarded buffer; check length,
 * the terminator, every character, and that nothing past it was touched. */
static void
test_draw(char *out, size_t n, const char *alphabet)
{
	char	 buf[256];
	size_t	 i;

	assert_true(n + 2 <= sizeof buf);
	memset(buf, 'X', sizeof buf);
	assert_int_equal(key_random(buf, n, alphabet), 0);
	assert_int_equal(strlen(buf), n);
	for (i = 0; i < n; i++)
		assert_non_null(strchr(alphabet, buf[i]));
	for (i = n + 1; i < sizeof buf; i++)
		assert_int_equal(buf[i], 'X');
	memcpy(out, buf, n + 1);
}

static void
test_key_random_length(void **)
{
	char	 out[256];
	size_t	 sizes[] = { 0, 1, KEY_ID_LEN, KEY_LEGACY_LEN, KEY_SECRET_LEN,
		    64, 65, 200 };
	size_t	 i;

	for (i = 0; i < nitems(sizes); i++) {
		test_draw(out, sizes[i], KEY_ID_ALPHABET);
		test_draw(out, sizes[i], KEY_SECRET_ALPHABET);
		test_draw(out, sizes[i], KEY_LEGACY_ALPHABET);
	}
	/* Drawn keys are valid keys. */
	test_draw(out, KEY_ID_LEN, KEY_ID_ALPHABET);
	assert_true(key_id_valid(out));
	test_draw(out, KEY_SECRET_LEN, KEY_SECRET_ALPHABET);
	assert_true(key_secret_valid(out));
}

/* Over many draws every character of the alphabet turns up, and only
 * those (8000 draws of 65: a missing one has odds below 1e-40). */
static void
test_key_random_coverage(void **)
{
	const char	*alphabets[] = { KEY_ID_ALPHABET, KEY_SECRET_ALPHABET,
			    KEY_LEGACY_ALPHABET, "ab", "0123456789" };
	char		 out[64];
	int		 seen[256];
	size_t		 a, i, j;

	for (a = 0; a < nitems(alphabets); a++) {
		memset(seen, 0, sizeof seen);
		for (i = 0; i < 200; i++) {
			test_draw(out, 40, alphabets[a]);
			for (j = 0; j < 40; j++)
				seen[(unsigned char)out[j]]++;
		}
		for (j = 0; j < 256; j++) {
			if (strchr(alphabets[a], (int)j) != nullptr && j != 0)
				assert_true(seen[j] > 0);
			else
				assert_int_equal(seen[j], 0);
		}
	}
}

static void
test_key_random_differs(void **)
{
	char	 a[KEY_SECRET_LEN + 1], b[KEY_SECRET_LEN + 1];

	test_draw(a, KEY_SECRET_LEN, KEY_SECRET_ALPHABET);
	test_draw(b, KEY_SECRET_LEN, KEY_SECRET_ALPHABET);
	assert_string_not_equal(a, b);
}

static void
test_key_id_valid(void **)
{
	assert_true(key_id_valid("AbCdEfGhIjKlMnOp0123"));
	assert_true(key_id_valid("00000000000000000000"));
	assert_false(key_id_valid("AbCdEfGhIjKlMnOp012"));	/* 19 */
	assert_false(key_id_valid("AbCdEfGhIjKlMnOp01234"));	/* 21 */
	assert_false(key_id_valid(""));
	assert_false(key_id_valid("AbCdEfGhIjKlMnOp012-"));
	assert_false(key_id_valid("AbCdEfGhIjKlMnOp012_"));
	assert_false(key_id_valid("AbCdEfGhIjKlMnOp012 "));
	assert_false(key_id_valid(" bCdEfGhIjKlMnOp0123"));
	assert_false(key_id_valid("AbCdEfGhIjKlMnOp012\n"));
	assert_false(key_id_valid("AbCdEfGhIjKlMnOp01\xc3\xa9"));
}

static void
test_key_secret_valid(void **)
{
	const char	*extra = "|_.+/^~=%-";
	char		 s[64];
	size_t		 i;

	assert_true(key_secret_valid(
	    "abcdefghijABCDEFGHIJ0123456789abcdefghij"));
	/* Each punctuation character of Hestia's class, at start and end. */
	for (i = 0; extra[i] != '\0'; i++) {
		memset(s, 'a', KEY_SECRET_LEN);
		s[KEY_SECRET_LEN] = '\0';
		s[0] = extra[i];
		s[KEY_SECRET_LEN - 1] = extra[i];
		assert_true(key_secret_valid(s));
	}
	memset(s, 'a', sizeof s);
	s[KEY_SECRET_LEN - 1] = '\0';
	assert_false(key_secret_valid(s));			/* 39 */
	s[KEY_SECRET_LEN - 1] = 'a';
	s[KEY_SECRET_LEN + 1] = '\0';
	assert_false(key_secret_valid(s));			/* 41 */
	assert_false(key_secret_valid(""));
	/* Characters outside the class. */
	for (i = 0; i < 10; i++) {
		memset(s, 'a', KEY_SECRET_LEN);
		s[KEY_SECRET_LEN] = '\0';
		s[20] = " :@$*#\n\"'&"[i];
		assert_false(key_secret_valid(s));
	}
	memset(s, 'a', KEY_SECRET_LEN);
	s[KEY_SECRET_LEN] = '\0';
	s[38] = '\xc3';
	s[39] = '\xa9';
	assert_false(key_secret_valid(s));
}

static void
test_key_hash_verify(void **)
{
	const char	*secret = "abcdefghijABCDEFGHIJ0123456789abcdefghij";
	char		*h1, *h2, *cause = nullptr;

	assert_non_null(h1 = key_hash(secret, &test_cost, &cause));
	assert_null(cause);
	assert_true(strncmp(h1, "$argon2id$v=19$m=64,t=1,p=1$",
	    strlen("$argon2id$v=19$m=64,t=1,p=1$")) == 0);
	assert_null(strstr(h1, secret));
	assert_int_equal(key_verify(h1, secret), 1);
	assert_int_equal(key_verify(h1,
	    "abcdefghijABCDEFGHIJ0123456789abcdefghiJ"), 0);
	assert_int_equal(key_verify(h1, ""), 0);
	assert_int_equal(key_verify(h1,
	    "abcdefghijABCDEFGHIJ0123456789abcdefghij "), 0);

	/* A fresh salt each time. */
	assert_non_null(h2 = key_hash(secret, &test_cost, &cause));
	assert_string_not_equal(h1, h2);
	assert_int_equal(key_verify(h2, secret), 1);
	free(h1);
	free(h2);
}

/* Only argon2id: another argon2 flavour or junk never verifies. */
static void
test_key_verify_not_argon2id(void **)
{
	const char	*secret = "abcdefghijABCDEFGHIJ0123456789abcdefghij";
	const uint8_t	 salt[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
			    13, 14, 15, 16 };
	char		 enc[256];

	assert_int_equal(argon2i_hash_encoded(1, 64, 1, secret,
	    strlen(secret), salt, sizeof salt, 32, enc, sizeof enc),
	    ARGON2_OK);
	assert_true(strncmp(enc, "$argon2i$", 9) == 0);
	assert_int_equal(argon2i_verify(enc, secret, strlen(secret)),
	    ARGON2_OK);
	assert_int_equal(key_verify(enc, secret), 0);

	assert_int_equal(key_verify("", secret), 0);
	assert_int_equal(key_verify(secret, secret), 0);
	assert_int_equal(key_verify("$argon2id$", secret), 0);
	assert_int_equal(key_verify("$argon2id$v=19$m=64,t=1,p=1$junk$junk",
	    secret), 0);
}

static void
test_key_hash_bad_cost(void **)
{
	const struct argon2_cost	 low_m = { 1, 4, 1 };
	const struct argon2_cost	 low_t = { 0, 64, 1 };
	char				*cause = nullptr;

	assert_null(key_hash("secret", &low_m, &cause));
	assert_non_null(cause);
	assert_string_equal(cause, "argon2: Memory cost is too small");
	free(cause);
	cause = nullptr;
	assert_null(key_hash("secret", &low_t, &cause));
	assert_string_equal(cause, "argon2: Time cost is too small");
	free(cause);
}

static void
test_key_equal(void **)
{
	const char	 a[] = "0123456789abcdef";
	char		 b[sizeof a];

	memcpy(b, a, sizeof a);
	assert_int_equal(key_equal(a, b, sizeof a), 1);
	b[0] = 'X';
	assert_int_equal(key_equal(a, b, sizeof a), 0);
	b[0] = a[0];
	b[sizeof a - 2] = 'X';
	assert_int_equal(key_equal(a, b, sizeof a), 0);
	/* Only len bytes count. */
	assert_int_equal(key_equal(a, b, sizeof a - 2), 1);
	assert_int_equal(key_equal(a, "X", 0), 1);
}

/* Known SHA-256 vectors, in lower-case hex. */
static void
test_key_sha256_hex(void **)
{
	char	 out[65];

	memset(out, 'X', sizeof out);
	key_sha256_hex("", out);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855");
	key_sha256_hex("abc", out);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
}

static void
test_key_wipe(void **)
{
	char	 s[] = "secret";
	size_t	 i;

	key_wipe(s);
	for (i = 0; i < sizeof s; i++)
		assert_int_equal(s[i], '\0');
	key_wipe(nullptr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_random_length),
		cmocka_unit_test(test_key_random_coverage),
		cmocka_unit_test(test_key_random_differs),
		cmocka_unit_test(test_key_id_valid),
		cmocka_unit_test(test_key_secret_valid),
		cmocka_unit_test(test_key_hash_verify),
		cmocka_unit_test(test_key_verify_not_argon2id),
		cmocka_unit_test(test_key_hash_bad_cost),
		cmocka_unit_test(test_key_equal),
		cmocka_unit_test(test_key_sha256_hex),
		cmocka_unit_test(test_key_wipe),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
