/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Per-client-IP failure counting and bans (LOCKOUT), in bounded memory. */
#include <sys/random.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apid.h"
#include "lockout.h"

/*
 * A fixed array of max_entries entries, chained into a power-of-two bucket
 * array by a keyed hash (client addresses are chosen by the client: an IPv6
 * /64 is plenty to build collisions against an unkeyed hash) and threaded on
 * three lists, so every operation is O(1) on average:
 *
 *   lockout_win   not banned, by start of window (failures append at the tail)
 *   lockout_lru   not banned, by last counted failure (least recent at head)
 *   lockout_bans  banned, by start of ban (oldest at head)
 *
 * The window is fixed and starts at the first failure it counts; a failure
 * at or after first + window opens a new one. So up to 2 * (max_failures - 1)
 * failures may straddle two windows unbanned, the price of keeping one
 * counter per address instead of max_failures timestamps (fail2ban reads the
 * same failures from auth.log with its own sliding findtime).
 *
 * Windows and bans are stored by their start and measured with the current
 * numbers, so a SIGHUP that changes LOCKOUT applies to running ones too, and
 * the lists stay ordered by expiry.
 */

#define LOCKOUT_NIL		UINT32_MAX
#define LOCKOUT_MAXENTRIES	(1U << 24)

/* Link slots: lockout_win uses 0; lockout_lru and lockout_bans share 1,
 * since an entry is on exactly one of them. */
#define LOCKOUT_SLOT_WIN	0
#define LOCKOUT_SLOT_ORDER	1

struct lockout_entry {
	char		 ip[LOCKOUT_IPLEN + 1];
	bool		 banned;
	int		 count;		/* failures in the current window */
	time_t		 first;		/* start of the current window */
	time_t		 last;		/* last counted failure */
	time_t		 banned_at;
	uint64_t	 hash;
	uint32_t	 hnext;		/* hash chain, or the free list */
	uint32_t	 prev[2];
	uint32_t	 next[2];
};

struct lockout_list {
	uint32_t	 head;
	uint32_t	 tail;
};

static struct lockout_conf	 lockout_conf;
static struct lockout_entry	*lockout_entries;
static uint32_t			*lockout_buckets;
static uint32_t			 lockout_mask;
static size_t			 lockout_cap;
static size_t			 lockout_count;
static uint32_t			 lockout_freelist = LOCKOUT_NIL;
static struct lockout_list	 lockout_win = { LOCKOUT_NIL, LOCKOUT_NIL };
static struct lockout_list	 lockout_lru = { LOCKOUT_NIL, LOCKOUT_NIL };
static struct lockout_list	 lockout_bans = { LOCKOUT_NIL, LOCKOUT_NIL };
static uint64_t			 lockout_key[2];
static bool			 lockout_keyed;
static time_t			 lockout_now;	/* latest now seen */

/* One positive decimal number that fits an int, ended by the given byte. */
static int
lockout_parse_num(const char **sp, char end, int *out)
{
	const char	*s = *sp;
	long long	 v = 0;

	/* No sign, space or empty field: v stays 0 and is refused below. */
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return -1;
	}
	if (*s != end || v < 1)
		return -1;
	*out = (int)v;
	*sp = end == '\0' ? s : s + 1;
	return 0;
}

int
lockout_parse(const char *s, struct lockout_conf *conf)
{
	struct lockout_conf	 c;

	if (s == nullptr)
		return -1;
	if (lockout_parse_num(&s, '/', &c.max_failures) == -1 ||
	    lockout_parse_num(&s, '/', &c.window) == -1 ||
	    lockout_parse_num(&s, '\0', &c.ban) == -1)
		return -1;
	*conf = c;
	return 0;
}

static inline uint64_t
lockout_rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static void
lockout_sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = lockout_rotl(v[1], 13);
	v[1] ^= v[0];
	v[0] = lockout_rotl(v[0], 32);
	v[2] += v[3];
	v[3] = lockout_rotl(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = lockout_rotl(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = lockout_rotl(v[1], 17);
	v[1] ^= v[2];
	v[2] = lockout_rotl(v[2], 32);
}

/* SipHash-2-4 of the address under the per-process key. */
static uint64_t
lockout_hash(const char *ip, size_t len)
{
	const uint8_t	*p = (const uint8_t *)ip;
	uint64_t	 v[4], m;
	size_t		 i, j, blocks = len / 8;

	v[0] = lockout_key[0] ^ 0x736f6d6570736575ULL;
	v[1] = lockout_key[1] ^ 0x646f72616e646f6dULL;
	v[2] = lockout_key[0] ^ 0x6c7967656e657261ULL;
	v[3] = lockout_key[1] ^ 0x7465646279746573ULL;
	for (i = 0; i < blocks; i++, p += 8) {
		m = 0;
		for (j = 0; j < 8; j++)
			m |= (uint64_t)p[j] << (8 * j);
		v[3] ^= m;
		lockout_sipround(v);
		lockout_sipround(v);
		v[0] ^= m;
	}
	m = (uint64_t)len << 56;
	for (j = 0; j < len % 8; j++)
		m |= (uint64_t)p[j] << (8 * j);
	v[3] ^= m;
	lockout_sipround(v);
	lockout_sipround(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	for (i = 0; i < 4; i++)
		lockout_sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static void
lockout_list_append(struct lockout_list *l, int slot, uint32_t i)
{
	struct lockout_entry	*e = &lockout_entries[i];

	e->prev[slot] = l->tail;
	e->next[slot] = LOCKOUT_NIL;
	if (l->tail != LOCKOUT_NIL)
		lockout_entries[l->tail].next[slot] = i;
	else
		l->head = i;
	l->tail = i;
}

static void
lockout_list_remove(struct lockout_list *l, int slot, uint32_t i)
{
	struct lockout_entry	*e = &lockout_entries[i];

	if (e->prev[slot] != LOCKOUT_NIL)
		lockout_entries[e->prev[slot]].next[slot] = e->next[slot];
	else
		l->head = e->next[slot];
	if (e->next[slot] != LOCKOUT_NIL)
		lockout_entries[e->next[slot]].prev[slot] = e->prev[slot];
	else
		l->tail = e->prev[slot];
	e->prev[slot] = e->next[slot] = LOCKOUT_NIL;
}

/* Seconds left of an entry's ban; 0 or less once it has ended. */
static time_t
lockout_ban_left(const struct lockout_entry *e, time_t now)
{
	time_t	 left = (time_t)lockout_conf.ban - (now - e->banned_at);

	/* A clock that went backwards does not lengthen a ban. */
	return left > lockout_conf.ban ? lockout_conf.ban : left;
}

/* Whether the window of a not banned entry has passed, so it counts 0. */
static bool
lockout_window_over(const struct lockout_entry *e, time_t now)
{
	return now - e->first >= lockout_conf.window;
}

static uint32_t
lockout_find(const char *ip, size_t len, uint64_t hash)
{
	struct lockout_entry	*e;
	uint32_t		 i;

	for (i = lockout_buckets[hash & lockout_mask]; i != LOCKOUT_NIL;
	    i = e->hnext) {
		e = &lockout_entries[i];
		if (e->hash == hash && memcmp(e->ip, ip, len) == 0 &&
		    e->ip[len] == '\0')
			return i;
	}
	return LOCKOUT_NIL;
}

/* Take an entry off its hash chain and lists and give it back. */
static void
lockout_unlink(uint32_t i)
{
	struct lockout_entry	*e = &lockout_entries[i];
	uint32_t		*link;

	link = &lockout_buckets[e->hash & lockout_mask];
	while (*link != i)
		link = &lockout_entries[*link].hnext;
	*link = e->hnext;
	if (e->banned)
		lockout_list_remove(&lockout_bans, LOCKOUT_SLOT_ORDER, i);
	else {
		lockout_list_remove(&lockout_win, LOCKOUT_SLOT_WIN, i);
		lockout_list_remove(&lockout_lru, LOCKOUT_SLOT_ORDER, i);
	}
	memset(e, 0, sizeof *e);
	e->hnext = lockout_freelist;
	lockout_freelist = i;
	lockout_count--;
}

/* Take a free entry, put it on its hash chain and return its index. */
static uint32_t
lockout_take(const char *ip, size_t len, uint64_t hash)
{
	struct lockout_entry	*e;
	uint32_t		 i, *bucket;

	i = lockout_freelist;
	e = &lockout_entries[i];
	lockout_freelist = e->hnext;
	memset(e, 0, sizeof *e);
	memcpy(e->ip, ip, len);
	e->ip[len] = '\0';
	e->hash = hash;
	bucket = &lockout_buckets[hash & lockout_mask];
	e->hnext = *bucket;
	*bucket = i;
	lockout_count++;
	return i;
}

/*
 * The entry to drop when the table is full. First one that no longer holds
 * anything (an ended ban, a passed window), then the least recently failed
 * address that is not banned, and only when every entry is a ban, the
 * oldest ban. The trade-off: an attacker with many addresses cannot grow
 * memory, and can push out half-counted addresses (its own too, but it
 * could as well switch address), yet to lift an existing ban it must first
 * hold the whole table with bans of its own, max_failures * max_entries
 * failures within ban seconds, and then it lifts the ban nearest its end.
 * Refusing new entries instead would let a full table stop counting fresh
 * attackers at all. (On a failure, lockout_reap() has mostly dropped the
 * first kind already; a shrinking lockout_init() relies on the full order.)
 */
static uint32_t
lockout_victim(time_t now)
{
	uint32_t	 i;

	i = lockout_bans.head;
	if (i != LOCKOUT_NIL && lockout_ban_left(&lockout_entries[i], now) <= 0)
		return i;
	i = lockout_win.head;
	if (i != LOCKOUT_NIL && lockout_window_over(&lockout_entries[i], now))
		return i;
	if (lockout_lru.head != LOCKOUT_NIL)
		return lockout_lru.head;
	return lockout_bans.head;
}

/* Drop a few entries that hold nothing any more, so lockout_size() tells
 * what is live; bounded, so a call stays O(1). */
static void
lockout_reap(time_t now)
{
	uint32_t	 i;
	int		 n;

	for (n = 0; n < 2; n++) {
		i = lockout_bans.head;
		if (i == LOCKOUT_NIL ||
		    lockout_ban_left(&lockout_entries[i], now) > 0)
			break;
		lockout_unlink(i);
	}
	for (n = 0; n < 2; n++) {
		i = lockout_win.head;
		if (i == LOCKOUT_NIL ||
		    !lockout_window_over(&lockout_entries[i], now))
			break;
		lockout_unlink(i);
	}
}

/* Empty arrays for cap entries, every one on the free list. */
static void
lockout_alloc(size_t cap)
{
	size_t	 nbuckets = 1, i;

	while (nbuckets < cap)
		nbuckets <<= 1;
	lockout_entries = XCALLOCARRAY(cap, struct lockout_entry);
	lockout_buckets = XCALLOCARRAY(nbuckets, uint32_t);
	for (i = 0; i < nbuckets; i++)
		lockout_buckets[i] = LOCKOUT_NIL;
	for (i = 0; i < cap; i++)
		lockout_entries[i].hnext = i + 1 < cap ? (uint32_t)(i + 1) :
		    LOCKOUT_NIL;
	lockout_mask = (uint32_t)(nbuckets - 1);
	lockout_cap = cap;
	lockout_count = 0;
	lockout_freelist = 0;
	lockout_win.head = lockout_win.tail = LOCKOUT_NIL;
	lockout_lru.head = lockout_lru.tail = LOCKOUT_NIL;
	lockout_bans.head = lockout_bans.tail = LOCKOUT_NIL;
}

/* Move the entries into arrays of a new size, keeping the order of every
 * list; when shrinking, the usual victims go first. */
static void
lockout_resize(size_t cap)
{
	struct lockout_entry	*old, *e;
	uint32_t		*old_buckets, *map, i, j;
	struct lockout_list	 win, lru, bans;
	size_t			 old_cap;

	while (lockout_count > cap)
		lockout_unlink(lockout_victim(lockout_now));
	old = lockout_entries;
	old_buckets = lockout_buckets;
	old_cap = lockout_cap;
	win = lockout_win;
	lru = lockout_lru;
	bans = lockout_bans;
	map = XCALLOCARRAY(old_cap, uint32_t);

	lockout_alloc(cap);
	for (i = lru.head; i != LOCKOUT_NIL; i = old[i].next[1]) {
		e = &old[i];
		j = lockout_take(e->ip, strlen(e->ip), e->hash);
		lockout_entries[j].count = e->count;
		lockout_entries[j].first = e->first;
		lockout_entries[j].last = e->last;
		lockout_list_append(&lockout_lru, LOCKOUT_SLOT_ORDER, j);
		map[i] = j;
	}
	for (i = win.head; i != LOCKOUT_NIL; i = old[i].next[0])
		lockout_list_append(&lockout_win, LOCKOUT_SLOT_WIN, map[i]);
	for (i = bans.head; i != LOCKOUT_NIL; i = old[i].next[1]) {
		e = &old[i];
		j = lockout_take(e->ip, strlen(e->ip), e->hash);
		lockout_entries[j].count = e->count;
		lockout_entries[j].first = e->first;
		lockout_entries[j].last = e->last;
		lockout_entries[j].banned = true;
		lockout_entries[j].banned_at = e->banned_at;
		lockout_list_append(&lockout_bans, LOCKOUT_SLOT_ORDER, j);
	}

	free(map);
	free(old_buckets);
	free(old);
}

/* The hash key is made once per process and kept across lockout_free(). */
static void
lockout_makekey(void)
{
	uint8_t		 buf[sizeof lockout_key];
	ssize_t		 n;

	do
		n = getrandom(buf, sizeof buf, 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof buf)
		fatal("%s: getrandom", __func__);
	memcpy(lockout_key, buf, sizeof lockout_key);
	lockout_keyed = true;
}

void
lockout_init(const struct lockout_conf *conf, size_t max_entries)
{
	/* Numbers come from lockout_parse(); 0 would mean no lockout at all
	 * or bans that never end, so anything below 1 counts as 1. */
	lockout_conf = *conf;
	if (lockout_conf.max_failures < 1)
		lockout_conf.max_failures = 1;
	if (lockout_conf.window < 1)
		lockout_conf.window = 1;
	if (lockout_conf.ban < 1)
		lockout_conf.ban = 1;
	if (max_entries < 1)
		max_entries = 1;
	if (max_entries > LOCKOUT_MAXENTRIES)
		max_entries = LOCKOUT_MAXENTRIES;

	if (!lockout_keyed)
		lockout_makekey();
	if (lockout_entries == nullptr)
		lockout_alloc(max_entries);
	else if (max_entries != lockout_cap)
		lockout_resize(max_entries);
}

void
lockout_free(void)
{
	free(lockout_entries);
	free(lockout_buckets);
	lockout_entries = nullptr;
	lockout_buckets = nullptr;
	lockout_mask = 0;
	lockout_cap = 0;
	lockout_count = 0;
	lockout_freelist = LOCKOUT_NIL;
	lockout_win.head = lockout_win.tail = LOCKOUT_NIL;
	lockout_lru.head = lockout_lru.tail = LOCKOUT_NIL;
	lockout_bans.head = lockout_bans.tail = LOCKOUT_NIL;
	lockout_now = 0;
}

int
lockout_banned(const char *ip, time_t now)
{
	size_t		 len;
	uint32_t	 i;
	time_t		 left;

	if (lockout_entries == nullptr)
		return 0;
	if (now > lockout_now)
		lockout_now = now;
	len = strnlen(ip, LOCKOUT_IPLEN);
	i = lockout_find(ip, len, lockout_hash(ip, len));
	if (i == LOCKOUT_NIL || !lockout_entries[i].banned)
		return 0;
	left = lockout_ban_left(&lockout_entries[i], now);
	if (left <= 0) {
		/* The ban has ended: the address starts from zero. */
		lockout_unlink(i);
		return 0;
	}
	return (int)left;
}

int
lockout_failure(const char *ip, time_t now)
{
	struct lockout_entry	*e;
	size_t			 len;
	uint64_t		 hash;
	uint32_t		 i;

	if (lockout_entries == nullptr)
		return 0;
	if (now > lockout_now)
		lockout_now = now;
	len = strnlen(ip, LOCKOUT_IPLEN);
	hash = lockout_hash(ip, len);
	lockout_reap(now);

	i = lockout_find(ip, len, hash);
	if (i != LOCKOUT_NIL) {
		e = &lockout_entries[i];
		if (e->banned && lockout_ban_left(e, now) > 0)
			return 0;	/* refused before any check anyway */
		if (e->banned || lockout_window_over(e, now)) {
			lockout_unlink(i);
			i = LOCKOUT_NIL;
		}
	}
	if (i == LOCKOUT_NIL) {
		if (lockout_freelist == LOCKOUT_NIL)
			lockout_unlink(lockout_victim(now));
		i = lockout_take(ip, len, hash);
		lockout_entries[i].first = now;
		lockout_list_append(&lockout_win, LOCKOUT_SLOT_WIN, i);
	} else
		lockout_list_remove(&lockout_lru, LOCKOUT_SLOT_ORDER, i);
	e = &lockout_entries[i];
	e->count++;
	e->last = now;
	if (e->count < lockout_conf.max_failures) {
		lockout_list_append(&lockout_lru, LOCKOUT_SLOT_ORDER, i);
		return 0;
	}

	lockout_list_remove(&lockout_win, LOCKOUT_SLOT_WIN, i);
	e->banned = true;
	e->banned_at = now;
	lockout_list_append(&lockout_bans, LOCKOUT_SLOT_ORDER, i);
	return 1;
}

int
lockout_failures(const char *ip, time_t now)
{
	const struct lockout_entry	*e;
	size_t				 len;
	uint32_t			 i;

	if (lockout_entries == nullptr)
		return 0;
	len = strnlen(ip, LOCKOUT_IPLEN);
	i = lockout_find(ip, len, lockout_hash(ip, len));
	if (i == LOCKOUT_NIL)
		return 0;
	e = &lockout_entries[i];
	if (e->banned)
		return lockout_ban_left(e, now) > 0 ? lockout_conf.max_failures :
		    0;
	return lockout_window_over(e, now) ? 0 : e->count;
}

int
lockout_max_failures(void)
{
	return lockout_conf.max_failures;
}

size_t
lockout_size(void)
{
	return lockout_count;
}
