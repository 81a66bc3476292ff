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
 * A dummy run (an unknown key, which must not be told from a known one by
 * the time its answer takes) costs no CPU: it waits as long as a recent
 * real run took, from queueing to result, drawn from the last few, so
 * that it waits longer too when verifications queue. It counts against
 * its address like a real run, but not against the overall cap: a flood
 * of unknown keys cannot keep real verifications out. Times older than a
 * minute are forgotten (the machine's load changes); while fewer than 8
 * are known, as at start, a dummy runs argon2 for real to learn them.
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
#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "apid.h"
#include "priv.h"
#include "config.h"
#include "key.h"
#include "verify.h"

#define VERIFY_CACHE_SLOTS	1024
#define VERIFY_MAX_THREADS	16
#define VERIFY_ADDRLEN		64
#define VERIFY_HASHLEN		160	/* an argon2id hash, and its NUL */
#define VERIFY_SAMPLES		32	/* run times a dummy draws from */
#define VERIFY_SAMPLES_MIN	8	/* fewer: a dummy runs for real */
#define VERIFY_SAMPLE_AGE	60	/* s; older times are forgotten */


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
	struct event		*timer;		/* a dummy that only waits */
	int64_t			 due_us;	/* when its wait should end */
	int64_t			 started_us;	/* monotonic, when queued */
	char			 id[KEY_ID_LEN + 1];
	char			*encoded;
	char			*secret;	/* wiped and freed by the worker */
	char			*shadow_file;	/* set: a shadow check */
	char			*user;
	uint8_t			 mac[SHA256_DIGEST_LENGTH];	/* of secret */
	char			 addr[VERIFY_ADDRLEN];
	char			 client[VERIFY_ADDRLEN];
	char			*who;
	int			 ok;
	struct verify_waiters	 waiters;
	TAILQ_ENTRY(verify_job)	 all;		/* verify_jobs */
	TAILQ_ENTRY(verify_job)	 queue;		/* verify_todo, verify_done */
};
TAILQ_HEAD(verify_jobs, verify_job);

/* A success, bound to the stored hash it was checked against (a hash that
 * changed makes it void); a hash too long to keep is not cached. */
struct verify_cache_entry {
	char		 id[KEY_ID_LEN + 1];
	char		 encoded[VERIFY_HASHLEN];
	uint8_t		 mac[SHA256_DIGEST_LENGTH];	/* of the secret */
	time_t		 expires;
};

static struct verify_cache_entry verify_cache[VERIFY_CACHE_SLOTS];
static uint8_t		 verify_mac_key[32];
static EVP_MAC_CTX	*verify_hmac;		/* keyed with verify_mac_key */
static int		 verify_cache_ttl = 300;	/* s; 0: no cache */
static char		*verify_dummy;		/* an encoded hash of nothing */

/* The loop's. */
static struct event_base *verify_base;
static struct verify_jobs verify_all = TAILQ_HEAD_INITIALIZER(verify_all);
static int		 verify_njobs;		/* for the workers */
static int		 verify_nwaits;		/* dummies on a timer */
static int64_t		 verify_samples[VERIFY_SAMPLES];	/* us */
static int		 verify_nsamples;
static int		 verify_sample_next;
static int64_t		 verify_sampled_us;	/* when the last came */
static int64_t		 verify_timer_late_us = 500;	/* on average */
static int		 verify_max_jobs = 16;
static int		 verify_max_per_addr = 4;
static verify_settle_cb	 verify_settle;
static struct verify_stats verify_counts;
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
	if (j->timer != nullptr)
		event_free(j->timer);
	free(j->encoded);
	free(j->shadow_file);
	free(j->user);
	free(j->who);
	free(j);
}

/*
 * OpenSSL 3's one-shot HMAC() looks its algorithm up on every call, which
 * costs more than the hashing of a secret's few bytes; the loop, its only
 * caller, keeps one keyed context ready instead.
 */
static void
verify_mac(const char *secret, uint8_t *out)
{
	size_t	 len = SHA256_DIGEST_LENGTH;

	if (EVP_MAC_init(verify_hmac, nullptr, 0, nullptr) != 1 ||
	    EVP_MAC_update(verify_hmac, (const uint8_t *)secret,
	    strlen(secret)) != 1 ||
	    EVP_MAC_final(verify_hmac, out, &len, SHA256_DIGEST_LENGTH) != 1)
		fatalx("%s: HMAC-SHA256 failed", __func__);
}

/* The HMAC under a new random key, ready for the loop. */
static int
verify_crypto_init(void)
{
	OSSL_PARAM	 params[2];
	EVP_MAC		*mac;

	if (RAND_bytes(verify_mac_key, sizeof verify_mac_key) != 1)
		return -1;
	EVP_MAC_CTX_free(verify_hmac);
	if ((mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr)) == nullptr)
		return -1;
	verify_hmac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	params[0] = OSSL_PARAM_construct_utf8_string("digest",
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (verify_hmac == nullptr || EVP_MAC_init(verify_hmac,
	    verify_mac_key, sizeof verify_mac_key, params) != 1)
		return -1;
	return 0;
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
			log_warn("key verification: eventfd");
	}
	pthread_mutex_unlock(&verify_lock);
	return nullptr;
}

static int64_t
verify_now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Settle a run and take it out of the count, before its waiters hear. */
static void
verify_finish(struct verify_job *j, int result)
{
	TAILQ_REMOVE(&verify_all, j, all);
	if (j->timer != nullptr)
		verify_nwaits--;
	else
		verify_njobs--;
	if (verify_settle != nullptr)
		verify_settle(j->who, j->client, j->addr, result);
}

/* On the loop: a run has its result; its waiters hear it. */
static void
verify_deliver(struct verify_job *j, int result)
{
	struct verify_cache_entry	*e;
	struct verify			*w;

	if (j->ok && j->shadow_file == nullptr && verify_cache_ttl > 0 &&
	    strlen(j->encoded) < sizeof e->encoded) {
		e = verify_slot(j->id);
		memcpy(e->id, j->id, sizeof e->id);
		snprintf(e->encoded, sizeof e->encoded, "%s", j->encoded);
		memcpy(e->mac, j->mac, sizeof e->mac);
		e->expires = time(nullptr) + verify_cache_ttl;
	}
	if (j->timer != nullptr)
		verify_counts.dummy_waits++;
	else if (j->shadow_file != nullptr)
		verify_counts.shadow_runs++;
	else
		verify_counts.argon2_runs++;
	/* What an argon2 run took, for the dummies to wait as long. */
	if (j->shadow_file == nullptr && j->timer == nullptr) {
		verify_samples[verify_sample_next] = verify_now_us() -
		    j->started_us;
		verify_sample_next = (verify_sample_next + 1) % VERIFY_SAMPLES;
		if (verify_nsamples < VERIFY_SAMPLES)
			verify_nsamples++;
		verify_sampled_us = verify_now_us();
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

/* On the loop: hand finished runs to their waiters. */
static void
verify_done_cb(evutil_socket_t fd, short, void *)
{
	struct verify_jobs	 list = TAILQ_HEAD_INITIALIZER(list);
	struct verify_job	*j;
	uint64_t		 n;

	if (read(fd, &n, sizeof n) == -1 && errno != EAGAIN)
		log_warn("key verification: eventfd");
	pthread_mutex_lock(&verify_lock);
	TAILQ_CONCAT(&list, &verify_done, queue);
	pthread_mutex_unlock(&verify_lock);

	while ((j = TAILQ_FIRST(&list)) != nullptr) {
		TAILQ_REMOVE(&list, j, queue);
		verify_deliver(j, j->ok ? VERIFY_OK : VERIFY_FAIL);
	}
}

/* A dummy's wait is over: it failed, as it always does. */
static void
verify_timer_cb(evutil_socket_t, short, void *arg)
{
	struct verify_job	*j = (struct verify_job *)arg;
	int64_t			 late = verify_now_us() - j->due_us;

	/* A moving average, 1/8 of the new lateness each time. */
	verify_timer_late_us += (late - verify_timer_late_us) / 8;
	verify_deliver(j, VERIFY_FAIL);
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

	if (verify_crypto_init() == -1) {
		log_warnx("key verification: OpenSSL: HMAC-SHA256 unavailable");
		return -1;
	}
	if (verify_dummy == nullptr)
		verify_set_dummy_cost(&cost);
	verify_base = base;
	verify_nsamples = verify_sample_next = 0;
	verify_max_jobs = max_jobs > 0 ? max_jobs : 1;
	verify_max_per_addr = max_per_addr > 0 ? max_per_addr : 1;
	verify_settle = settle;
	if ((verify_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1) {
		log_warn("key verification: eventfd");
		return -1;
	}
	verify_ev = event_new(base, verify_efd, EV_READ | EV_PERSIST,
	    verify_done_cb, nullptr);
	if (verify_ev == nullptr || event_add(verify_ev, nullptr) == -1) {
		log_warnx("key verification: event_add failed");
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
		log_warnx("key verification: pthread_create failed");
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
	verify_njobs = verify_nwaits = 0;
	if (verify_ev != nullptr)
		event_free(verify_ev);
	verify_ev = nullptr;
	if (verify_efd != -1)
		close(verify_efd);
	verify_efd = -1;
	explicit_bzero(verify_cache, sizeof verify_cache);
	explicit_bzero(verify_mac_key, sizeof verify_mac_key);
	EVP_MAC_CTX_free(verify_hmac);
	verify_hmac = nullptr;
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
	int				 hit;

	/* The stored hash is ours, not the client's: a plain compare. */
	if (strcmp(e->id, id) != 0 || e->expires <= time(nullptr) ||
	    strcmp(e->encoded, encoded) != 0)
		return 0;
	verify_mac(secret, mac);
	/* Compared whole, in constant time: no early exit on a byte. */
	hit = key_equal(mac, e->mac, sizeof mac);
	explicit_bzero(mac, sizeof mac);
	if (hit)
		verify_counts.cache_hits++;
	return hit;
}

void
verify_remember(const char *id, const char *encoded, const char *secret)
{
	struct verify_cache_entry	*e = verify_slot(id);

	if (verify_cache_ttl == 0 || strlen(id) >= sizeof e->id ||
	    strlen(encoded) >= sizeof e->encoded)
		return;
	snprintf(e->id, sizeof e->id, "%s", id);
	snprintf(e->encoded, sizeof e->encoded, "%s", encoded);
	verify_mac(secret, e->mac);
	e->expires = time(nullptr) + verify_cache_ttl;
}

void
verify_stats_get(struct verify_stats *st)
{
	*st = verify_counts;
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
	return verify_njobs + verify_nwaits;
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
		same = strcmp(j->encoded, want->encoded) == 0 &&
		    key_equal(j->mac, want->mac, sizeof j->mac);
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
	struct timeval		 tv;
	int64_t			 delay;
	int			 wait;

	*busy = 0;
	j = XCALLOC(struct verify_job);
	TAILQ_INIT(&j->waiters);
	j->dummy = req->encoded == nullptr && req->shadow_file == nullptr;
	snprintf(j->id, sizeof j->id, "%s", req->id != nullptr ? req->id : "");
	j->encoded = xstrdup(j->dummy ? verify_dummy : req->shadow_file !=
	    nullptr ? "" : req->encoded);
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
	/* A dummy waits, unless too few recent run times are known. */
	if (verify_now_us() - verify_sampled_us > VERIFY_SAMPLE_AGE * 1000000)
		verify_nsamples = 0;
	wait = j->dummy && verify_nsamples >= VERIFY_SAMPLES_MIN;
	if (verify_inflight(req->addr) >= verify_max_per_addr)
		*busy = VERIFY_BUSY_ADDR;
	else if (!wait && verify_njobs >= verify_max_jobs)
		*busy = VERIFY_BUSY_ALL;
	if (*busy != 0) {
		verify_job_free(j);
		free(w);
		return nullptr;
	}
	j->started_us = verify_now_us();
	j->secret = xstrdup(req->secret);
	snprintf(j->addr, sizeof j->addr, "%s", req->addr);
	snprintf(j->client, sizeof j->client, "%s", req->client);
	j->who = xstrdup(req->who != nullptr ? req->who : "");
	w->job = j;
	TAILQ_INSERT_TAIL(&j->waiters, w, entry);
	TAILQ_INSERT_TAIL(&verify_all, j, all);
	if (wait) {
		/* Less what the loop's timers have been late by: epoll
		 * waits whole milliseconds, rounded up. */
		delay = verify_samples[arc4random_uniform(verify_nsamples)] -
		    verify_timer_late_us;
		if (delay < 0)
			delay = 0;
		j->due_us = verify_now_us() + delay;
		tv.tv_sec = delay / 1000000;
		tv.tv_usec = delay % 1000000;
		j->timer = evtimer_new(verify_base, verify_timer_cb, j);
		if (j->timer == nullptr)
			fatalx("%s: evtimer_new failed", __func__);
		evtimer_add(j->timer, &tv);
		verify_nwaits++;
		return w;
	}
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
	/* Nobody waits: a run not started yet is not worth its CPU, a
	 * dummy's wait is not worth keeping. */
	if (j->timer != nullptr)
		dropped = 1;
	else {
		pthread_mutex_lock(&verify_lock);
		if (j->state == VERIFY_QUEUED) {
			TAILQ_REMOVE(&verify_todo, j, queue);
			dropped = 1;
		}
		pthread_mutex_unlock(&verify_lock);
	}
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

	if ((f = priv_fopen(shadow_file)) == nullptr) {
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
