/* SPDX-License-Identifier: GPL-3.0-or-later */
/* argon2 on worker threads, results handed back to the loop by an eventfd;
 * a small cache of recent successes so a busy client pays argon2 once. */
#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <crypt.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "apid.h"
#include "key.h"
#include "verify.h"

#define VERIFY_CACHE_SLOTS	1024
#define VERIFY_MAX_THREADS	16

struct verify {
	int		 password;	/* a shadow check, not argon2 */
	char		*shadow_file;
	char		*user;
	char		 id[KEY_ID_LEN + 1];
	char		*encoded;
	char		*secret;	/* wiped and freed by the worker */
	uint8_t		 mac[SHA256_DIGEST_LENGTH];
	uint8_t		 digest[SHA256_DIGEST_LENGTH];
	int		 ok;
	int		 cancelled;
	verify_cb	 cb;
	void		*arg;
	struct verify	*next;
};

struct verify_cache_entry {
	char		 id[KEY_ID_LEN + 1];
	uint8_t		 digest[SHA256_DIGEST_LENGTH];	/* of the hash */
	uint8_t		 mac[SHA256_DIGEST_LENGTH];	/* of the secret */
	time_t		 expires;
};

static struct verify_cache_entry verify_cache[VERIFY_CACHE_SLOTS];
static uint8_t		 verify_mac_key[32];
static int		 verify_cache_ttl = 300;	/* s; 0: no cache */

static pthread_mutex_t	 verify_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 verify_cond = PTHREAD_COND_INITIALIZER;
static struct verify	*verify_todo, **verify_todo_tail = &verify_todo;
static struct verify	*verify_done;
static pthread_t	 verify_threads[VERIFY_MAX_THREADS];
static int		 verify_nthreads;
static int		 verify_stopping;
static int		 verify_efd = -1;
static struct event	*verify_ev;

static void
verify_free(struct verify *v)
{
	free(v->encoded);
	free(v->shadow_file);
	free(v->user);
	if (v->secret != nullptr) {
		key_wipe(v->secret);
		free(v->secret);
	}
	free(v);
}

static void
verify_mac(const char *secret, uint8_t *out)
{
	unsigned int	 len = SHA256_DIGEST_LENGTH;

	HMAC(EVP_sha256(), verify_mac_key, sizeof verify_mac_key,
	    (const uint8_t *)secret, strlen(secret), out, &len);
}

static void
verify_digest(const char *encoded, uint8_t *out)
{
	SHA256((const uint8_t *)encoded, strlen(encoded), out);
}

static struct verify_cache_entry *
verify_slot(const char *id)
{
	uint32_t	 h = 2166136261u;

	for (; *id != '\0'; id++)
		h = (h ^ (uint8_t)*id) * 16777619u;
	return &verify_cache[h % VERIFY_CACHE_SLOTS];
}

static void *
verify_thread(void *)
{
	struct verify	*v;
	uint64_t	 one = 1;

	pthread_mutex_lock(&verify_lock);
	for (;;) {
		while (verify_todo == nullptr && !verify_stopping)
			pthread_cond_wait(&verify_cond, &verify_lock);
		if (verify_stopping)
			break;
		v = verify_todo;
		verify_todo = v->next;
		if (verify_todo == nullptr)
			verify_todo_tail = &verify_todo;
		pthread_mutex_unlock(&verify_lock);

		if (v->password)
			v->ok = verify_shadow(v->shadow_file, v->user,
			    v->secret);
		else
			v->ok = key_verify(v->encoded, v->secret);
		if (v->ok && !v->password)
			verify_mac(v->secret, v->mac);
		key_wipe(v->secret);
		free(v->secret);
		v->secret = nullptr;

		pthread_mutex_lock(&verify_lock);
		v->next = verify_done;
		verify_done = v;
		if (write(verify_efd, &one, sizeof one) == -1 &&
		    errno != EAGAIN)
			log_warn("%s: eventfd", __func__);
	}
	pthread_mutex_unlock(&verify_lock);
	return nullptr;
}

/* On the loop: hand finished verifications to their callers. */
static void
verify_done_cb(evutil_socket_t fd, short, void *)
{
	struct verify			*list, *v;
	struct verify_cache_entry	*e;
	uint64_t			 n;

	if (read(fd, &n, sizeof n) == -1 && errno != EAGAIN)
		log_warn("%s: eventfd", __func__);
	pthread_mutex_lock(&verify_lock);
	list = verify_done;
	verify_done = nullptr;
	pthread_mutex_unlock(&verify_lock);

	while ((v = list) != nullptr) {
		list = v->next;
		if (v->ok && !v->password && verify_cache_ttl > 0) {
			e = verify_slot(v->id);
			memcpy(e->id, v->id, sizeof e->id);
			memcpy(e->digest, v->digest, sizeof e->digest);
			memcpy(e->mac, v->mac, sizeof e->mac);
			e->expires = time(nullptr) + verify_cache_ttl;
		}
		if (!v->cancelled)
			v->cb(v->ok, v->arg);
		verify_free(v);
	}
}

int
verify_init(struct event_base *base, int nthreads)
{
	int	 i;

	if (RAND_bytes(verify_mac_key, sizeof verify_mac_key) != 1) {
		log_warnx("%s: RAND_bytes failed", __func__);
		return -1;
	}
	if ((verify_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		log_warn("%s: eventfd", __func__);
		return -1;
	}
	verify_ev = event_new(base, verify_efd, EV_READ | EV_PERSIST,
	    verify_done_cb, nullptr);
	if (verify_ev == nullptr || event_add(verify_ev, nullptr) == -1) {
		log_warnx("%s: event_add failed", __func__);
		return -1;
	}
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > VERIFY_MAX_THREADS)
		nthreads = VERIFY_MAX_THREADS;
	for (i = 0; i < nthreads; i++) {
		if (pthread_create(&verify_threads[i], nullptr, verify_thread,
		    nullptr) != 0) {
			log_warnx("%s: pthread_create failed", __func__);
			return -1;
		}
		verify_nthreads++;
	}
	return 0;
}

void
verify_shutdown(void)
{
	struct verify	*v;
	int		 i;

	pthread_mutex_lock(&verify_lock);
	verify_stopping = 1;
	pthread_cond_broadcast(&verify_cond);
	pthread_mutex_unlock(&verify_lock);
	for (i = 0; i < verify_nthreads; i++)
		pthread_join(verify_threads[i], nullptr);
	verify_nthreads = 0;
	while ((v = verify_todo) != nullptr) {
		verify_todo = v->next;
		verify_free(v);
	}
	verify_todo_tail = &verify_todo;
	while ((v = verify_done) != nullptr) {
		verify_done = v->next;
		verify_free(v);
	}
	if (verify_ev != nullptr)
		event_free(verify_ev);
	verify_ev = nullptr;
	if (verify_efd != -1)
		close(verify_efd);
	verify_efd = -1;
	explicit_bzero(verify_cache, sizeof verify_cache);
	explicit_bzero(verify_mac_key, sizeof verify_mac_key);
	verify_stopping = 0;
}

void
verify_set_ttl(int ttl)
{
	verify_cache_ttl = ttl;
	if (ttl == 0)
		explicit_bzero(verify_cache, sizeof verify_cache);
}

int
verify_cached(const char *id, const char *encoded, const char *secret)
{
	struct verify_cache_entry	*e = verify_slot(id);
	uint8_t				 mac[SHA256_DIGEST_LENGTH];
	uint8_t				 digest[SHA256_DIGEST_LENGTH];
	int				 hit;

	if (strcmp(e->id, id) != 0 || e->expires <= time(nullptr))
		return 0;
	verify_mac(secret, mac);
	verify_digest(encoded, digest);
	/* Both compared whole, in constant time: no early exit on a byte. */
	hit = key_equal(mac, e->mac, sizeof mac) &
	    key_equal(digest, e->digest, sizeof digest);
	explicit_bzero(mac, sizeof mac);
	return hit;
}

struct verify *
verify_start(const char *id, const char *encoded, const char *secret,
    verify_cb cb, void *arg)
{
	struct verify	*v;

	v = XCALLOC(struct verify);
	snprintf(v->id, sizeof v->id, "%s", id);
	v->encoded = xstrdup(encoded);
	v->secret = xstrdup(secret);
	verify_digest(encoded, v->digest);
	v->cb = cb;
	v->arg = arg;
	pthread_mutex_lock(&verify_lock);
	*verify_todo_tail = v;
	verify_todo_tail = &v->next;
	pthread_cond_signal(&verify_cond);
	pthread_mutex_unlock(&verify_lock);
	return v;
}

struct verify *
verify_start_password(const char *shadow_file, const char *user,
    const char *password, verify_cb cb, void *arg)
{
	struct verify	*v;

	v = XCALLOC(struct verify);
	v->password = 1;
	v->shadow_file = xstrdup(shadow_file);
	v->user = xstrdup(user);
	v->secret = xstrdup(password);
	v->cb = cb;
	v->arg = arg;
	pthread_mutex_lock(&verify_lock);
	*verify_todo_tail = v;
	verify_todo_tail = &v->next;
	pthread_cond_signal(&verify_cond);
	pthread_mutex_unlock(&verify_lock);
	return v;
}

int
verify_shadow(const char *shadow_file, const char *user,
    const char *password)
{
	struct crypt_data	*cd;
	FILE			*f;
	char			*line = nullptr, *name, *hash, *p;
	const char		*out;
	size_t			 sz = 0, ulen = strlen(user);
	int			 ok = 0;

	if ((f = fopen(shadow_file, "re")) == nullptr) {
		log_warn("SHADOW_FILE %s", shadow_file);
		return 0;
	}
	while (getline(&line, &sz, f) != -1) {
		if (strncmp(line, user, ulen) != 0 || line[ulen] != ':')
			continue;
		name = line;
		name[ulen] = '\0';
		hash = line + ulen + 1;
		if ((p = strchr(hash, ':')) != nullptr)
			*p = '\0';
		/* Locked ("!...") and empty fields never match. */
		if (hash[0] == '\0' || hash[0] == '!' || hash[0] == '*')
			break;
		cd = XCALLOC(struct crypt_data);
		out = crypt_r(password, hash, cd);
		ok = out != nullptr && out[0] != '*' &&
		    strlen(out) == strlen(hash) &&
		    key_equal(out, hash, strlen(hash));
		explicit_bzero(cd, sizeof *cd);
		free(cd);
		break;
	}
	if (line != nullptr) {
		explicit_bzero(line, sz);
		free(line);
	}
	fclose(f);
	return ok;
}

void
verify_cancel(struct verify *v)
{
	/* Only the loop reads it, so no lock is needed. */
	v->cancelled = 1;
}

void
verify_forget(const char *id)
{
	struct verify_cache_entry	*e = verify_slot(id);

	if (strcmp(e->id, id) == 0)
		explicit_bzero(e, sizeof *e);
}
