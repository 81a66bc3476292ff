/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Access keys: generation from getrandom(), argon2id hashes, formats. */
#include <sys/random.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "apid.h"
#include "config.h"
#include "key.h"

#define KEY_SALT_LEN	16
#define KEY_HASH_LEN	32

static int
key_getrandom(void *buf, size_t len)
{
	uint8_t	*p = (uint8_t *)buf;
	ssize_t	 n;

	while (len > 0) {
		n = getrandom(p, len, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int
key_random(char *out, size_t n, const char *alphabet)
{
	size_t		 alen = strlen(alphabet), i = 0, j;
	unsigned int	 limit;
	uint8_t		 buf[64];

	/* Reject bytes at or above the largest multiple of alen. */
	limit = 256 - 256 % alen;
	while (i < n) {
		if (key_getrandom(buf, sizeof buf) == -1)
			return -1;
		for (j = 0; j < sizeof buf && i < n; j++) {
			if (buf[j] < limit)
				out[i++] = alphabet[buf[j] % alen];
		}
	}
	out[n] = '\0';
	explicit_bzero(buf, sizeof buf);
	return 0;
}

int
key_id_valid(const char *id)
{
	size_t	 i;

	for (i = 0; id[i] != '\0'; i++) {
		if (!isalnum((unsigned char)id[i]))
			return 0;
	}
	return i == KEY_ID_LEN;
}

int
key_secret_valid(const char *secret)
{
	size_t	 i;

	for (i = 0; secret[i] != '\0'; i++) {
		if (!isalnum((unsigned char)secret[i]) &&
		    strchr("|_.+/^~=%-", secret[i]) == nullptr)
			return 0;
	}
	return i == KEY_SECRET_LEN;
}

char *
key_hash(const char *secret, const struct argon2_cost *cost, char **cause)
{
	uint8_t	 salt[KEY_SALT_LEN];
	size_t	 len;
	char	*encoded;
	int	 rc;

	if (key_getrandom(salt, sizeof salt) == -1) {
		xasprintf(cause, "getrandom: %s", strerror(errno));
		return nullptr;
	}
	len = argon2_encodedlen(cost->t, cost->m, cost->p, sizeof salt,
	    KEY_HASH_LEN, Argon2_id);
	encoded = (char *)xmalloc(len);
	rc = argon2id_hash_encoded(cost->t, cost->m, cost->p, secret,
	    strlen(secret), salt, sizeof salt, KEY_HASH_LEN, encoded, len);
	if (rc != ARGON2_OK) {
		xasprintf(cause, "argon2: %s", argon2_error_message(rc));
		free(encoded);
		return nullptr;
	}
	return encoded;
}

int
key_verify(const char *encoded, const char *secret)
{
	if (strncmp(encoded, "$argon2id$", 10) != 0)
		return 0;
	return argon2id_verify(encoded, secret, strlen(secret)) == ARGON2_OK;
}

void
key_sha256_hex(const char *s, char *out)
{
	static const char	 hex[] = "0123456789abcdef";
	uint8_t			 md[SHA256_DIGEST_LENGTH];
	int			 i;

	SHA256((const uint8_t *)s, strlen(s), md);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * SHA256_DIGEST_LENGTH] = '\0';
}

int
key_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void
key_wipe(char *s)
{
	if (s != nullptr)
		explicit_bzero(s, strlen(s));
}
