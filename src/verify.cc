/* SPDX-License-Identifier: GPL-3.0-or-later */
/* argon2 on worker threads, results handed back to the loop by an eventfd;
 * bounded and counted per client address before any work; identical
 * attempts share one run; a small cache of recent successes so a busy
 * client pays argon2 once. */
/*
 * A run (struct verify_job) is one argon2 or shadow check; the requests
 * that wait for it are its waiters (struct verify, what callers hold). A
 * run is charged to the client address that queued it from the moment it
 * is queued (verify_inflight), so the lockout can count it before any CPU
 * is spent, and it is settled exactly once: by its result, or as dropped
 * when every waiter left before a worker took it. Waiters that leave do
 * not stop a run already started: its result still counts.
 *
 * Threads: the loop owns the job list, the waiters and the cache; workers
 * touch a job's inputs and result only between taking it from verify_todo
 * and putting it on verify_done, both under verify_lock; the state field
 * is read and written under verify_lock too.
 */
#include <sys/eventfd.h>
#include <sys/queue.h>
#include <sys/random.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
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
#include "config.h"
#include "key.h"
#include "verify.h"

#define VERIFY_CACHE_SLOTS	1024
#define VERIFY_MAX_THREADS	16
#define VERIFY_ADDRLEN		64

enum verify_state {
	VERIFY_QUEUED,
	VERIFY_RUNNING,
	VERIFY_DONE,
};

struct verify_job;

struct verify {
	struct verify_job	*job;
	verify_cb		 cb;
	void			*arg;
	TAILQ_ENTRY(verify)	 entry;
};
TAILQ_HEAD(verify_waiters, verify);

struct verify_job {
	enum verify_state	 state;
	int			 dummy;		/* always fails */
	char			 id[KEY_ID_LEN + 1];
	char			*encoded;
	char			*secret;	/* wiped and freed by the worker */
	char			*shadow_file;	/* set: a shadow check */
	char			*user;
	uint8_t			 mac[SHA256_DIGEST_LENGTH];	/* of secret */
	uint8_t			 digest[SHA256_DIGEST_LENGTH];	/* of hash */
	char			 addr[VERIFY_ADDRLEN];
	char			 client[VERIFY_ADDRLEN];
	char			*who;
	int			 ok;
	struct verify_waiters	 waiters;
	TAILQ_ENTRY(verify_job)	 all;		/* verify_jobs */
	TAILQ_ENTRY(verify_job)	 queue;		/* verify_todo, verify_done */
};
TAILQ_HEAD(verify_jobs, verify_job);

struct verify_cache_entry {
	char		 id[KEY_ID_LEN + 1];
	uint8_t		 digest[SHA256_DIGEST_LENGTH];	/* of the hash */
	uint8_t		 mac[SHA256_DIGEST_LENGTH];	/* of the secret */
	time_t		 expires;
};

static struct verify_cache_entry verify_cache[VERIFY_CACHE_SLOTS];
static uint8_t		 verify_mac_key[32];
static int		 verify_cache_ttl = 300;	/* s; 0: no cache */
static char		*verify_dummy;		/* an encoded hash of nothing */

/* The loop's. */
static struct verify_jobs verify_all = TAILQ_HEAD_INITIALIZER(verify_all);
static int		 verify_njobs;
static int		 verify_max_jobs = 16;
static int		 verify_max_per_addr = 4;
static verify_settle_cb	 verify_settle;
static struct event	*verify_ev;

/* Shared with the workers, under verify_lock. */
static pthread_mutex_t	 verify_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 verify_cond = PTHREAD_COND_INITIALIZER;
static struct verify_jobs verify_todo = TAILQ_HEAD_INITIALIZER(verify_todo);
static struct verify_jobs verify_done = TAILQ_HEAD_INITIALIZER(verify_done);
static pthread_t	 verify_threads[VERIFY_MAX_THREADS];
static int		 verify_nthreads;
static int		 verify_stopping;
static int		 verify_efd = -1;

static void
verify_wipe_secret(struct verify_job *j)
{
	if (j->secret != nullptr) {
		key_wipe(j->secret);
		free(j->secret);
		j->secret = nullptr;
	}
}

static void
verify_job_free(struct verify_job *j)
{
	struct verify	*w;

	while ((w = TAILQ_FIRST(&j->waiters)) != nullptr) {
		TAILQ_REMOVE(&j->waiters, w, entry);
		free(w);
	}
	verify_wipe_secret(j);
	free(j->encoded);
	free(j->shadow_file);
	free(j->user);
	free(j->who);
	free(j);
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
	struct verify_job	*j;
	uint64_t		 one = 1;
	int			 ok;

	pthread_mutex_lock(&verify_lock);
	for (;;) {
		while (TAILQ_EMPTY(&verify_todo) && !verify_stopping)
			pthread_cond_wait(&verify_cond, &verify_lock);
		if (verify_stopping)
			break;
		j = TAILQ_FIRST(&verify_todo);
		TAILQ_REMOVE(&verify_todo, j, queue);
		j->state = VERIFY_RUNNING;
		pthread_mutex_unlock(&verify_lock);

		if (j->shadow_file != nullptr)
			ok = verify_shadow(j->shadow_file, j->user, j->secret);
		else
			ok = key_verify(j->encoded, j->secret) && !j->dummy;
		verify_wipe_secret(j);

		pthread_mutex_lock(&verify_lock);
		j->ok = ok;
		j->state = VERIFY_DONE;
		TAILQ_INSERT_TAIL(&verify_done, j, queue);
		if (write(verify_efd, &one, sizeof one) == -1 &&
		    errno != EAGAIN)
			log_warn("%s: eventfd", __func__);
	}
	pthread_mutex_unlock(&verify_lock);
	return nullptr;
}

/* Settle a run and take it out of the count, before its waiters hear. */
static void
verify_finish(struct verify_job *j, int result)
{
	TAILQ_REMOVE(&verify_all, j, all);
	verify_njobs--;
	if (verify_settle != nullptr)
		verify_settle(j->who, j->client, j->addr, result);
}

/* On the loop: hand finished runs to their waiters. */
static void
verify_done_cb(evutil_socket_t fd, short, void *)
{
	struct verify_jobs		 list = TAILQ_HEAD_INITIALIZER(list);
	struct verify_cache_entry	*e;
	struct verify_job		*j;
	struct verify			*w;
	uint64_t			 n;
	int				 result;

	if (read(fd, &n, sizeof n) == -1 && errno != EAGAIN)
		log_warn("%s: eventfd", __func__);
	pthread_mutex_lock(&verify_lock);
	TAILQ_CONCAT(&list, &verify_done, queue);
	pthread_mutex_unlock(&verify_lock);

	while ((j = TAILQ_FIRST(&list)) != nullptr) {
		TAILQ_REMOVE(&list, j, queue);
		result = j->ok ? VERIFY_OK : VERIFY_FAIL;
		if (j->ok && j->shadow_file == nullptr && verify_cache_ttl > 0) {
			e = verify_slot(j->id);
			memcpy(e->id, j->id, sizeof e->id);
			memcpy(e->digest, j->digest, sizeof e->digest);
			memcpy(e->mac, j->mac, sizeof e->mac);
			e->expires = time(nullptr) + verify_cache_ttl;
		}
		verify_finish(j, result);
		/* One at a time: a callback may cancel another waiter. */
		while ((w = TAILQ_FIRST(&j->waiters)) != nullptr) {
			TAILQ_REMOVE(&j->waiters, w, entry);
			w->cb(result, w->arg);
			free(w);
		}
		verify_job_free(j);
	}
}

/* An argon2id hash of random bytes at the given cost: verifying any secret
 * against it costs what a real one does, and never matches. */
void
verify_set_dummy_cost(const struct argon2_cost *cost)
{
	uint8_t		 salt[16], hash[32];
	char		 s64[4 * sizeof salt / 3 + 4], h64[4 * sizeof hash / 3 + 4];

	if (RAND_bytes(salt, sizeof salt) != 1 ||
	    RAND_bytes(hash, sizeof hash) != 1)
		fatalx("%s: RAND_bytes failed", __func__);
	/* argon2's encoding is base64 without the padding. */
	EVP_EncodeBlock((uint8_t *)s64, salt, sizeof salt);
	EVP_EncodeBlock((uint8_t *)h64, hash, sizeof hash);
	s64[strcspn(s64, "=")] = '\0';
	h64[strcspn(h64, "=")] = '\0';
	free(verify_dummy);
	xasprintf(&verify_dummy, "$argon2id$v=19$m=%u,t=%u,p=%u$%s$%s",
	    cost->m, cost->t, cost->p, s64, h64);
}

int
verify_init(struct event_base *base, int nthreads, int max_jobs,
    int max_per_addr, verify_settle_cb settle)
{
	struct argon2_cost	 cost = { 2, 19456, 1 };
	sigset_t		 all, old;
	int			 i, rc;

	if (RAND_bytes(verify_mac_key, sizeof verify_mac_key) != 1) {
		log_warnx("%s: RAND_bytes failed", __func__);
		return -1;
	}
	if (verify_dummy == nullptr)
		verify_set_dummy_cost(&cost);
	verify_max_jobs = max_jobs > 0 ? max_jobs : 1;
	verify_max_per_addr = max_per_addr > 0 ? max_per_addr : 1;
	verify_settle = settle;
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
	/* Signals are for the loop: the workers block them all. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < nthreads; i++) {
		rc = pthread_create(&verify_threads[i], nullptr, verify_thread,
		    nullptr);
		if (rc != 0)
			break;
		verify_nthreads++;
	}
	pthread_sigmask(SIG_SETMASK, &old, nullptr);
	if (verify_nthreads < nthreads) {
		log_warnx("%s: pthread_create failed", __func__);
		return -1;
	}
	return 0;
}

void
verify_shutdown(void)
{
	struct verify_job	*j;
	int			 i;

	pthread_mutex_lock(&verify_lock);
	verify_stopping = 1;
	pthread_cond_broadcast(&verify_cond);
	pthread_mutex_unlock(&verify_lock);
	for (i = 0; i < verify_nthreads; i++)
		pthread_join(verify_threads[i], nullptr);
	verify_nthreads = 0;
	/* Nothing is settled at exit: no login failed. */
	TAILQ_INIT(&verify_todo);
	TAILQ_INIT(&verify_done);
	while ((j = TAILQ_FIRST(&verify_all)) != nullptr) {
		TAILQ_REMOVE(&verify_all, j, all);
		verify_job_free(j);
	}
	verify_njobs = 0;
	if (verify_ev != nullptr)
		event_free(verify_ev);
	verify_ev = nullptr;
	if (verify_efd != -1)
		close(verify_efd);
	verify_efd = -1;
	explicit_bzero(verify_cache, sizeof verify_cache);
	explicit_bzero(verify_mac_key, sizeof verify_mac_key);
	free(verify_dummy);
	verify_dummy = nullptr;
	verify_settle = nullptr;
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

int
verify_inflight(const char *addr)
{
	struct verify_job	*j;
	int			 n = 0;

	TAILQ_FOREACH(j, &verify_all, all) {
		if (strcmp(j->addr, addr) == 0)
			n++;
	}
	return n;
}

int
verify_pending(void)
{
	return verify_njobs;
}

/* A run in flight that checks exactly this, which a new waiter may join. */
static struct verify_job *
verify_find(const struct verify_job *want)
{
	struct verify_job	*j;
	int			 same;

	TAILQ_FOREACH(j, &verify_all, all) {
		if (j->dummy != want->dummy || strcmp(j->id, want->id) != 0 ||
		    (j->shadow_file == nullptr) != (want->shadow_file ==
		    nullptr))
			continue;
		if (j->shadow_file != nullptr &&
		    (strcmp(j->shadow_file, want->shadow_file) != 0 ||
		    strcmp(j->user, want->user) != 0))
			continue;
		same = key_equal(j->mac, want->mac, sizeof j->mac) &
		    key_equal(j->digest, want->digest, sizeof j->digest);
		if (!same)
			continue;
		pthread_mutex_lock(&verify_lock);
		same = j->state != VERIFY_DONE;
		pthread_mutex_unlock(&verify_lock);
		if (same)
			return j;
	}
	return nullptr;
}

struct verify *
verify_start(const struct verify_req *req, verify_cb cb, void *arg,
    int *busy)
{
	struct verify_job	*j, *same;
	struct verify		*w;

	j = XCALLOC(struct verify_job);
	TAILQ_INIT(&j->waiters);
	j->dummy = req->encoded == nullptr && req->shadow_file == nullptr;
	snprintf(j->id, sizeof j->id, "%s", req->id != nullptr ? req->id : "");
	j->encoded = xstrdup(j->dummy ? verify_dummy : req->shadow_file !=
	    nullptr ? "" : req->encoded);
	verify_digest(j->encoded, j->digest);
	verify_mac(req->secret, j->mac);
	if (req->shadow_file != nullptr) {
		j->shadow_file = xstrdup(req->shadow_file);
		j->user = xstrdup(req->user);
	}

	w = XCALLOC(struct verify);
	w->cb = cb;
	w->arg = arg;
	if ((same = verify_find(j)) != nullptr) {
		verify_job_free(j);
		w->job = same;
		TAILQ_INSERT_TAIL(&same->waiters, w, entry);
		return w;
	}
	if (verify_njobs >= verify_max_jobs ||
	    verify_inflight(req->addr) >= verify_max_per_addr) {
		*busy = verify_njobs >= verify_max_jobs ? VERIFY_BUSY_ALL :
		    VERIFY_BUSY_ADDR;
		verify_job_free(j);
		free(w);
		return nullptr;
	}
	j->secret = xstrdup(req->secret);
	snprintf(j->addr, sizeof j->addr, "%s", req->addr);
	snprintf(j->client, sizeof j->client, "%s", req->client);
	j->who = xstrdup(req->who != nullptr ? req->who : "");
	w->job = j;
	TAILQ_INSERT_TAIL(&j->waiters, w, entry);
	TAILQ_INSERT_TAIL(&verify_all, j, all);
	verify_njobs++;

	pthread_mutex_lock(&verify_lock);
	j->state = VERIFY_QUEUED;
	TAILQ_INSERT_TAIL(&verify_todo, j, queue);
	pthread_cond_signal(&verify_cond);
	pthread_mutex_unlock(&verify_lock);
	return w;
}

void
verify_cancel(struct verify *w)
{
	struct verify_job	*j = w->job;
	int			 dropped = 0;

	TAILQ_REMOVE(&j->waiters, w, entry);
	free(w);
	if (!TAILQ_EMPTY(&j->waiters))
		return;
	/* Nobody waits: a run not started yet is not worth its CPU. */
	pthread_mutex_lock(&verify_lock);
	if (j->state == VERIFY_QUEUED) {
		TAILQ_REMOVE(&verify_todo, j, queue);
		dropped = 1;
	}
	pthread_mutex_unlock(&verify_lock);
	if (dropped) {
		verify_finish(j, VERIFY_DROPPED);
		verify_job_free(j);
	}
}

/* The second field of user's line, as shadow(5) lays a line out. */
int
verify_shadow_line(const char *line, size_t len, const char *user,
    const char **hash, size_t *hashlen)
{
	const char	*colon, *h, *end;
	size_t		 ulen = strlen(user);

	*hash = nullptr;
	*hashlen = 0;
	/* A name with ":" would find another user's fields. */
	if (ulen == 0 || strpbrk(user, ":\n") != nullptr)
		return VERIFY_SHADOW_OTHER;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len <= ulen || line[ulen] != ':' || memcmp(line, user, ulen) != 0)
		return VERIFY_SHADOW_OTHER;
	h = line + ulen + 1;
	end = line + len;
	if ((colon = (const char *)memchr(h, ':', end - h)) != nullptr)
		end = colon;
	/* Locked ("!...") and empty fields never match, nor does a NUL,
	 * which crypt(3) cannot be given. */
	if (end == h || h[0] == '!' || h[0] == '*' ||
	    memchr(h, '\0', end - h) != nullptr)
		return VERIFY_SHADOW_LOCKED;
	*hash = h;
	*hashlen = end - h;
	return VERIFY_SHADOW_HASH;
}

int
verify_shadow(const char *shadow_file, const char *user,
    const char *password)
{
	struct crypt_data	*cd;
	FILE			*f;
	char			*line = nullptr, *hash;
	const char		*out, *h;
	size_t			 sz = 0, hashlen;
	ssize_t			 len;
	int			 ok = 0, r;

	if ((f = fopen(shadow_file, "re")) == nullptr) {
		log_warn("SHADOW_FILE %s", shadow_file);
		return 0;
	}
	/* The user's first line decides. */
	while ((len = getline(&line, &sz, f)) != -1) {
		r = verify_shadow_line(line, len, user, &h, &hashlen);
		if (r == VERIFY_SHADOW_OTHER)
			continue;
		if (r == VERIFY_SHADOW_LOCKED)
			break;
		hash = line + (h - line);	/* h points into line */
		hash[hashlen] = '\0';
		cd = XCALLOC(struct crypt_data);
		out = crypt_r(password, hash, cd);
		ok = out != nullptr && out[0] != '*' &&
		    strlen(out) == hashlen && key_equal(out, hash, hashlen);
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
verify_forget(const char *id)
{
	struct verify_cache_entry	*e = verify_slot(id);

	if (strcmp(e->id, id) == 0)
		explicit_bzero(e, sizeof *e);
}
