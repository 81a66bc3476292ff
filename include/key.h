/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Access keys: generation, formats, argon2id hashing and verification. */
#ifndef KEY_H
#define KEY_H

#include <stddef.h>

struct argon2_cost;

#define KEY_ID_LEN	20
#define KEY_SECRET_LEN	40
#define KEY_LEGACY_LEN	32

/* Hestia's alphabets (bin/v-add-access-key, v-generate-api-key). */
#define KEY_ID_ALPHABET \
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
#define KEY_SECRET_ALPHABET KEY_ID_ALPHABET "_=-"
#define KEY_LEGACY_ALPHABET KEY_ID_ALPHABET "_-"

/* n characters from alphabet, uniformly (no modulo bias), from
 * getrandom(); out must hold n + 1. Returns 0 or -1. */
int	 key_random(char *out, size_t n, const char *alphabet);

/* ^[[:alnum:]]{20}$ */
int	 key_id_valid(const char *);
/* Hestia's ^[[:alnum:]|_.+/^~=%-]{40}$ */
int	 key_secret_valid(const char *);

/* Hash a secret; returns an allocated "$argon2id$..." or nullptr. */
char	*key_hash(const char *secret, const struct argon2_cost *,
	    char **cause);
/* 1 when secret matches the encoded hash, 0 when not (or a bad hash). The
 * comparison inside libargon2 is constant-time. */
int	 key_verify(const char *encoded, const char *secret);

/* Lower-case hex SHA-256 of s into out (65 bytes): how a legacy API key
 * is found without trying every hash. */
void	 key_sha256_hex(const char *s, char *out);
/* Constant-time equality of two buffers of the same length. */
int	 key_equal(const void *, const void *, size_t);
/* Wipe a string in place. */
void	 key_wipe(char *);

#endif
