/* SPDX-License-Identifier: GPL-3.0-or-later */
/* argon2 verification off the event loop, with a cache of recent successes
 * kept as HMAC-SHA256 of the secret under a per-process random key. */
#ifndef VERIFY_H
#define VERIFY_H

struct event_base;
struct verify;

/* Called on the event loop with ok 1 (match) or 0. */
typedef void (*verify_cb)(int ok, void *arg);

int	 verify_init(struct event_base *, int nthreads);
void	 verify_shutdown(void);

/* 1 when a recent verification of this (id, hash, secret) succeeded and has
 * not expired; a few microseconds, never argon2. */
int	 verify_cached(const char *id, const char *encoded, const char *secret);

/* Run argon2 on a worker; cb runs once on the loop unless cancelled. The
 * secret is copied and wiped after use. */
struct verify *verify_start(const char *id, const char *encoded,
	    const char *secret, verify_cb, void *arg);
/* Check a system password against a shadow-format file (libcrypt:
 * yescrypt, sha512, md5), on a worker: the file is read there too. */
struct verify *verify_start_password(const char *shadow_file,
	    const char *user, const char *password, verify_cb, void *arg);
void	 verify_cancel(struct verify *);

/* The shadow check itself (what the worker runs): 1 match, 0 not. */
int	 verify_shadow(const char *shadow_file, const char *user,
	    const char *password);

/* How long a success is remembered (AUTH_CACHE); 0 turns the cache off
 * and empties it. */
void	 verify_set_ttl(int seconds);
/* Drop every cached entry of a key (its row changed). */
void	 verify_forget(const char *id);

#endif
