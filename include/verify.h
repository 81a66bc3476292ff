/* SPDX-License-Identifier: GPL-3.0-or-later */
/* argon2 and shadow verification off the event loop: bounded, counted per
 * client address when queued, one run for identical attempts, and a cache
 * of recent successes kept as HMAC-SHA256 of the secret under a
 * per-process random key. */
#ifndef VERIFY_H
#define VERIFY_H

#include <stddef.h>
#include <stdint.h>

struct argon2_cost;
struct event_base;
struct verify;

/* What a verification came to. */
#define VERIFY_OK	1
#define VERIFY_FAIL	0
#define VERIFY_DROPPED	(-1)	/* every waiter left before it started */

/* Why verify_start refused: too many verifications in flight. */
#define VERIFY_BUSY_ALL		1	/* overall */
#define VERIFY_BUSY_ADDR	2	/* from this client address */

/* Called on the event loop, once per waiter unless it cancelled. */
typedef void (*verify_cb)(int result, void *arg);

/*
 * Called on the event loop once per verification run (not per waiter),
 * when it has a result or was dropped: VERIFY_FAIL and VERIFY_DROPPED are
 * a failed attempt of that client (the lockout counts it, even when the
 * client has hung up), VERIFY_OK is not.
 */
typedef void (*verify_settle_cb)(const char *who, const char *client,
	    const char *addr, int result);

struct verify_req {
	const char	*id;		/* key ID, or the legacy lookup: the
					 * cache's and the run's identity */
	const char	*encoded;	/* argon2 hash; nullptr for a dummy
					 * that fails after as long as a
					 * recent real run took */
	const char	*secret;	/* copied, wiped after use */
	const char	*shadow_file;	/* set: a system password instead */
	const char	*user;		/* whose, in shadow_file */
	const char	*addr;		/* client address key: caps, lockout */
	const char	*client;	/* the client's address, for the log */
	const char	*who;		/* key ID or user, for the log */
};

/*
 * nthreads workers; at most max_jobs runs queued or running, and
 * max_per_addr of them for one client address. A failure or a drop is
 * handed to settle.
 */
int	 verify_init(struct event_base *, int nthreads, int max_jobs,
	    int max_per_addr, verify_settle_cb settle);
void	 verify_shutdown(void);

/* The argon2 cost of the dummies that run for real while too few run times
 * are known (ARGON2): like that of real hashes. */
void	 verify_set_dummy_cost(const struct argon2_cost *);

/* 1 when a recent verification of this (id, hash, secret) succeeded and has
 * not expired; a few microseconds, never argon2. */
int	 verify_cached(const char *id, const char *encoded, const char *secret);
/* On the loop: remember secret as verified against encoded, as a run that
 * succeeded would (the key sync has just hashed it: hsync_fresh_take). */
void	 verify_remember(const char *id, const char *encoded,
	    const char *secret);

/*
 * Wait for a verification: joins a run of the same (id, hash, secret) in
 * flight, else queues a new one charged to req->addr. cb runs once on the
 * loop unless cancelled. Returns nullptr with *busy set (VERIFY_BUSY_ALL
 * or VERIFY_BUSY_ADDR) when a new run is over a limit.
 */
struct verify *verify_start(const struct verify_req *, verify_cb, void *arg,
	    int *busy);
/* The waiter leaves (its client is gone): its cb will not run. A run
 * nobody waits for any more is dropped if it has not started. */
void	 verify_cancel(struct verify *);

/* Counts since start, kept on the loop (results are delivered there). */
struct verify_stats {
	uint64_t	 argon2_runs;	/* real ones, dummies learning too */
	uint64_t	 shadow_runs;	/* SHADOW_FILE checks */
	uint64_t	 dummy_waits;	/* unknown keys, a wait and no CPU */
	uint64_t	 cache_hits;	/* verify_cached said yes */
};
void	 verify_stats_get(struct verify_stats *);

/* Runs queued or running charged to addr, and in all. */
int	 verify_inflight(const char *addr);
int	 verify_pending(void);

/* The shadow check itself (what the worker runs): 1 match, 0 not. */
int	 verify_shadow(const char *shadow_file, const char *user,
	    const char *password);

/* What one line of a shadow(5) file says of user. */
#define VERIFY_SHADOW_OTHER	0	/* not user's line */
#define VERIFY_SHADOW_HASH	1	/* user's, with a hash to check */
#define VERIFY_SHADOW_LOCKED	2	/* user's, and it never matches */

/*
 * The hash field of user in a line of len bytes (its newline, if any,
 * included; no NUL needed): VERIFY_SHADOW_HASH with *hash pointing into
 * line and *hashlen its length, the field ending at ':' or the end of
 * the line; VERIFY_SHADOW_LOCKED when that field is empty, locked ("!")
 * or disabled ("*"), or holds a NUL; VERIFY_SHADOW_OTHER when the first
 * field is not user, or user is empty or holds ':' or a newline. Pure:
 * what verify_shadow runs on each line, and a fuzz target.
 */
int	 verify_shadow_line(const char *line, size_t len, const char *user,
	    const char **hash, size_t *hashlen);

/* How long a success is remembered (AUTH_CACHE); 0 turns the cache off
 * and empties it. */
void	 verify_set_ttl(int seconds);
/* Drop every cached entry of a key (its row changed). */
void	 verify_forget(const char *id);

#endif
