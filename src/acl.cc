/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Client address allowlists: CIDR rules held in per-prefix-length tables. */

/*
 * A rule net/n admits client c when the first n bits of c are net. So each
 * family keeps, for each prefix length present, a hash set of the networks
 * of that length, and a lookup masks the client to a length and probes that
 * set. Probing every length present would make the cost grow with the
 * lengths a big allowlist brings (100,000 rules use 25 or more, and each
 * probe is then a likely cache miss), so a lookup asks a summary first and
 * probes only the lengths that can hold the client:
 *
 * - v4 /0 to /16 rules cover whole /16s, and are also kept as the /16s they
 *   cover: per /8 (a table of 256) nothing, all of it, or a leaf of 256
 *   bits, one per /16. Two loads answer for every short length at once,
 *   from 512 bytes and 32 per /8 holding a /9 to /16: the L1 cache.
 * - v4 /17 to /32: a hash table maps each /16 holding such rules to a 16-bit
 *   mask of their lengths. The lookup reads the mask of the client's /16
 *   and probes only the lengths it names. Once the table would reach 128
 *   KiB (12,288 /16s), it becomes a plain array of the 65,536 masks, which
 *   is no larger and takes one load.
 * - v6 /0 to /32 are probed directly, and /33 to /128 through a summary by
 *   /32, each entry a 96-bit mask. By /32 rather than /48, because what is
 *   left below the key is probed for every client: below /32 is only what
 *   is larger than an ISP's allocation, and seldom listed, where below /48
 *   would be the /40s and /44s of business allocations, in sets of any size.
 *   A /32 in which many /48s, /56s and /64s are listed keeps one entry; its
 *   mask names a few more lengths.
 *
 * A lookup is then the cover, one summary probe and one probe per length
 * held inside the client's /16 (or /32): the lengths of rules near the
 * client, one or two for real allowlists and for random ones (100,000 rules
 * over /17 to /32 put 1.8 in an average occupied /16). The cost depends
 * neither on the number of rules nor, in practice, on the lengths used. What
 * still separates 10 rules from 100,000 is where the lines are: 10 rules sit
 * in L1; 100,000 take 1.5 MB, beyond L2, so the summary and the probe it
 * leads to are two dependent misses. The summary line is requested before
 * the cover is read; requesting the probed lines early measured no gain, as
 * the processor already overlaps their loads. The alternatives cost more: a
 * sorted array of ranges takes log2(rules) dependent loads (17 at 100,000
 * rules), a binary trie up to 32 or 128 dependent pointer loads.
 *
 * A set is open addressing over buckets of one cache line (16 v4 keys or 4
 * v6 keys), linear probing from bucket to bucket, a power-of-two number of
 * buckets and a load factor of at most 3/4 (v4) or 1/2 (v6); the summary
 * tables are built the same way. A probe is one multiply, one cache line
 * and a branch-free scan of it; with 100,000 rules the tables outgrow the L2
 * cache and that line is the cost, so buckets keep it to one line, where
 * slot-by-slot probing crosses lines and mispredicts. Memory is proportional
 * to the rules: a set is a flat array within four times its keys, and a
 * summary holds at most one entry per rule. Key 0 (the network 0.0.0.0/n or
 * ::/n) is a flag beside a set's array, so that 0 marks an empty slot. The
 * rules come from the administrator, never from a client, so a client cannot
 * choose the clustering it probes. acl_add() updates sets and summaries
 * together; nothing changes them after the acl is published.
 *
 * A v4-mapped client (::ffff:a.b.c.d, as a dual-stack socket reports a v4
 * peer) is looked up as the v4 client it is, and a ::ffff:a.b.c.d/n rule with
 * n >= 96 is stored as the v4 rule a.b.c.d/(n-96), so both spellings of a
 * rule admit both spellings of a client.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "acl.h"

#define ACL_LINE	64			/* bytes in a cache line */
#define ACL_BUCKET4	16			/* v4 keys per bucket, a line */
#define ACL_BUCKET6	4			/* v6 keys per bucket */
#define ACL_MINBUCKETS	2
#define ACL_GOLDEN	0x9e3779b97f4a7c15ULL	/* 2^64 / phi */
#define ACL_MIX		0xc2b2ae3d27d4eb4fULL
#define ACL_VISLEN	68			/* 64 characters, "...", NUL */
#define ACL_FULL	0xffff			/* a /8 all covered */
#define ACL_DIRECT4	(65536 * sizeof(uint16_t))	/* a flat summary */
#define ACL_SUM4	16			/* v4 summary slots a bucket */
#define ACL_SUM6	4			/* v6 summary slots a bucket */

struct acl_key6 {
	uint64_t	 hi;		/* bytes 0-7 of the address */
	uint64_t	 lo;		/* bytes 8-15 */
};

/* The networks of one v4 prefix length. */
struct acl_set4 {
	uint32_t	*slot;		/* buckets of keys; 0 is empty */
	void		*mem;		/* slot before alignment, for free() */
	size_t		 mask;		/* buckets - 1 */
	unsigned	 shift;		/* 64 - log2(buckets) */
	size_t		 n;		/* keys in slot[] */
	bool		 zero;		/* key 0 is present */
};

/* The networks of one v6 prefix length. */
struct acl_set6 {
	struct acl_key6	*slot;		/* { 0, 0 } is empty */
	void		*mem;
	size_t		 mask;
	unsigned	 shift;
	size_t		 n;
	bool		 zero;
};

/*
 * The v4 rules of lengths 0 to 16 as the /16s they cover: for each /8, 0
 * (none), ACL_FULL (all) or i, whose leaf i - 1 has a bit for each /16.
 */
struct acl_cover4 {
	uint16_t	*top;		/* 256 entries, or nullptr */
	uint64_t	*leaf;		/* 4 words a leaf */
	size_t		 nleaf;
	size_t		 maxleaf;
};

/*
 * The summary of the v4 lengths 17 to 32: for each /16 holding such a rule,
 * a slot (/16 << 16) | (bit n - 17 for each /n it holds). A used slot has a
 * bit set, so 0 marks an empty one even for the /16 0.0.0.0. Once the table
 * would reach the size of a plain array of 65,536 masks, it is that array.
 */
struct acl_sum4 {
	uint32_t	*slot;
	void		*mem;
	size_t		 mask;
	unsigned	 shift;
	size_t		 n;		/* /16s held */
	uint16_t	*direct;	/* the mask of every /16, or nullptr */
};

/* One /32 of the v6 summary; both masks 0 is an empty slot. */
struct acl_sum6e {
	uint32_t	 key;		/* the first 32 bits of the address */
	uint32_t	 len32;		/* bit n - 33: a /n, n 33 to 64 */
	uint64_t	 len64;		/* bit n - 65: a /n, n 65 to 128 */
};

/* The summary of the v6 lengths 33 to 128, by /32. */
struct acl_sum6 {
	struct acl_sum6e *slot;
	void		*mem;
	size_t		 mask;
	unsigned	 shift;
	size_t		 n;
};

struct acl {
	size_t		 count;		/* distinct rules */
	uint64_t	 len6;		/* bit n: a v6 rule is a /n, n <= 32 */
	struct acl_cover4 cover4;	/* v4 /0 to /16 */
	struct acl_sum4	 sum4;		/* v4 /17 to /32, by /16 */
	struct acl_sum6	 sum6;		/* v6 /33 to /128, by /32 */
	struct acl_set4	 set4[33];	/* to /16: only to store a rule once */
	struct acl_set6	 set6[129];
};

/* A parsed rule. */
struct acl_net {
	int		 family;	/* AF_INET or AF_INET6 */
	int		 len;
	uint32_t	 v4;		/* host order */
	struct acl_key6	 v6;
};

static inline uint32_t
acl_mask4(uint32_t a, unsigned len)
{
	/* Shifted in 64 bits: a shift by 32 would be undefined. */
	return a & (uint32_t)(0xffffffffULL << (32 - len));
}

static inline struct acl_key6
acl_mask6(struct acl_key6 a, unsigned len)
{
	struct acl_key6	 k;

	if (len <= 64) {
		k.hi = len == 0 ? 0 : a.hi & (~0ULL << (64 - len));
		k.lo = 0;
	} else {
		k.hi = a.hi;
		k.lo = a.lo & (~0ULL << (128 - len));
	}
	return k;
}

/* The home bucket of a key: the top bits of a multiplicative hash. */
static inline size_t
acl_hash4(const struct acl_set4 *s, uint32_t k)
{
	return (size_t)((k * ACL_GOLDEN) >> s->shift);
}

static inline size_t
acl_hash6(const struct acl_set6 *s, struct acl_key6 k)
{
	return (size_t)(((k.hi ^ (k.lo * ACL_MIX)) * ACL_GOLDEN) >> s->shift);
}

/*
 * Is key k in the set? Keys go to the first bucket from their home bucket
 * with room, and nothing is ever removed, so the search ends at the first
 * bucket holding k or an empty slot. The scan of a bucket has no branch
 * (the compiler makes it a few vector compares).
 */
static inline int
acl_set4_has(const struct acl_set4 *s, uint32_t k)
{
	const uint32_t	*b;
	size_t		 i;
	unsigned	 j, hit, empty;

	if (k == 0)
		return s->zero;
	for (i = acl_hash4(s, k);; i = (i + 1) & s->mask) {
		b = s->slot + i * ACL_BUCKET4;
		hit = empty = 0;
		for (j = 0; j < ACL_BUCKET4; j++) {
			hit |= b[j] == k;
			empty |= b[j] == 0;
		}
		if (hit)
			return 1;
		if (empty)
			return 0;
	}
}

static inline int
acl_set6_has(const struct acl_set6 *s, struct acl_key6 k)
{
	const struct acl_key6	*b;
	size_t			 i;
	unsigned		 j, hit, empty;

	if (k.hi == 0 && k.lo == 0)
		return s->zero;
	for (i = acl_hash6(s, k);; i = (i + 1) & s->mask) {
		b = s->slot + i * ACL_BUCKET6;
		hit = empty = 0;
		for (j = 0; j < ACL_BUCKET6; j++) {
			hit |= (b[j].hi == k.hi) & (b[j].lo == k.lo);
			empty |= (b[j].hi | b[j].lo) == 0;
		}
		if (hit)
			return 1;
		if (empty)
			return 0;
	}
}

/* Is a inside a v4 rule of length 0 to 16? */
static inline int
acl_cover4_has(const struct acl_cover4 *c, uint32_t a)
{
	unsigned	 t, i;

	if (c->top == nullptr || (t = c->top[a >> 24]) == 0)
		return 0;
	if (t == ACL_FULL)
		return 1;
	i = (a >> 16) & 0xff;
	return (c->leaf[(t - 1) * 4 + i / 64] >> (i % 64)) & 1;
}

/* The home bucket of a /16 or a /32 in a summary. */
static inline size_t
acl_sum4_hash(const struct acl_sum4 *s, uint32_t key)
{
	return (size_t)((key * ACL_GOLDEN) >> s->shift);
}

static inline size_t
acl_sum6_hash(const struct acl_sum6 *s, uint32_t key)
{
	return (size_t)((key * ACL_GOLDEN) >> s->shift);
}

/* Start loading a key's summary line, so that its miss overlaps other work. */
static inline void
acl_sum4_prefetch(const struct acl_sum4 *s, uint32_t key)
{
	if (s->direct != nullptr)
		__builtin_prefetch(s->direct + key);
	else
		__builtin_prefetch(s->slot + acl_sum4_hash(s, key) * ACL_SUM4);
}

static inline void
acl_sum6_prefetch(const struct acl_sum6 *s, uint32_t key)
{
	__builtin_prefetch(s->slot + acl_sum6_hash(s, key) * ACL_SUM6);
}

/*
 * The lengths 17 to 32 that have a rule inside this /16, as bits n - 17; 0
 * if none has. A /16 has at most one slot and an empty slot adds nothing to
 * the OR, so the scan has no branch, as in acl_set4_has().
 */
static inline uint32_t
acl_sum4_get(const struct acl_sum4 *s, uint32_t key)
{
	const uint32_t	*b;
	size_t		 i;
	unsigned	 j, empty;
	uint32_t	 hit;

	if (s->direct != nullptr)
		return s->direct[key];
	for (i = acl_sum4_hash(s, key);; i = (i + 1) & s->mask) {
		b = s->slot + i * ACL_SUM4;
		hit = empty = 0;
		for (j = 0; j < ACL_SUM4; j++) {
			hit |= (b[j] >> 16) == key ? b[j] : 0;
			empty |= b[j] == 0;
		}
		if (hit != 0)
			return hit & 0xffff;
		if (empty)
			return 0;
	}
}

/* The same for v6 lengths 33 to 128 inside a /32; false if there are none. */
static inline bool
acl_sum6_get(const struct acl_sum6 *s, uint32_t key, uint32_t *len32,
    uint64_t *len64)
{
	const struct acl_sum6e	*b;
	size_t			 i;
	unsigned		 j, empty;
	uint32_t		 h32;
	uint64_t		 h64;

	for (i = acl_sum6_hash(s, key);; i = (i + 1) & s->mask) {
		b = s->slot + i * ACL_SUM6;
		h32 = h64 = empty = 0;
		for (j = 0; j < ACL_SUM6; j++) {
			h32 |= b[j].key == key ? b[j].len32 : 0;
			h64 |= b[j].key == key ? b[j].len64 : 0;
			empty |= (b[j].len32 | b[j].len64) == 0;
		}
		if ((h32 | h64) != 0) {
			*len32 = h32;
			*len64 = h64;
			return true;
		}
		if (empty)
			return false;
	}
}

/* Zeroed cache lines, aligned so that a bucket is one line. */
static void *
acl_lines(size_t n, void **mem)
{
	uintptr_t	 p;

	*mem = xcalloc(n + 1, ACL_LINE);
	p = ((uintptr_t)*mem + ACL_LINE - 1) & ~(uintptr_t)(ACL_LINE - 1);
	return (void *)p;
}

/* Put a nonzero key known to be absent into a set with room for it. */
static void
acl_set4_put(struct acl_set4 *s, uint32_t k)
{
	uint32_t	*b;
	size_t		 i;
	unsigned	 j;

	for (i = acl_hash4(s, k);; i = (i + 1) & s->mask) {
		b = s->slot + i * ACL_BUCKET4;
		for (j = 0; j < ACL_BUCKET4; j++) {
			if (b[j] == 0) {
				b[j] = k;
				s->n++;
				return;
			}
		}
	}
}

static void
acl_set6_put(struct acl_set6 *s, struct acl_key6 k)
{
	struct acl_key6	*b;
	size_t		 i;
	unsigned	 j;

	for (i = acl_hash6(s, k);; i = (i + 1) & s->mask) {
		b = s->slot + i * ACL_BUCKET6;
		for (j = 0; j < ACL_BUCKET6; j++) {
			if (b[j].hi == 0 && b[j].lo == 0) {
				b[j] = k;
				s->n++;
				return;
			}
		}
	}
}

/* Double a set's buckets (or give it its first ones) and rehash. */
static void
acl_set4_grow(struct acl_set4 *s)
{
	uint32_t	*old = s->slot;
	void		*oldmem = s->mem;
	size_t		 oldslots, buckets, i;

	oldslots = old != nullptr ? (s->mask + 1) * ACL_BUCKET4 : 0;
	buckets = old != nullptr ? (s->mask + 1) * 2 : ACL_MINBUCKETS;
	s->slot = (uint32_t *)acl_lines(buckets, &s->mem);
	s->mask = buckets - 1;
	s->shift = 64 - (unsigned)__builtin_ctzll(buckets);
	s->n = 0;
	for (i = 0; i < oldslots; i++) {
		if (old[i] != 0)
			acl_set4_put(s, old[i]);
	}
	free(oldmem);
}

static void
acl_set6_grow(struct acl_set6 *s)
{
	struct acl_key6	*old = s->slot;
	void		*oldmem = s->mem;
	size_t		 oldslots, buckets, i;

	oldslots = old != nullptr ? (s->mask + 1) * ACL_BUCKET6 : 0;
	buckets = old != nullptr ? (s->mask + 1) * 2 : ACL_MINBUCKETS;
	s->slot = (struct acl_key6 *)acl_lines(buckets, &s->mem);
	s->mask = buckets - 1;
	s->shift = 64 - (unsigned)__builtin_ctzll(buckets);
	s->n = 0;
	for (i = 0; i < oldslots; i++) {
		if (old[i].hi != 0 || old[i].lo != 0)
			acl_set6_put(s, old[i]);
	}
	free(oldmem);
}

/* Add a key to a set; 1 if it is new, 0 if it was there. */
static int
acl_set4_insert(struct acl_set4 *s, uint32_t k)
{
	/* Every present length has buckets, so lookups need not check. */
	if (s->slot == nullptr)
		acl_set4_grow(s);
	if (acl_set4_has(s, k))
		return 0;
	if (k == 0) {
		s->zero = true;
		return 1;
	}
	/* At most 3/4 full: a search seldom leaves its home bucket. */
	if ((s->n + 1) * 4 > (s->mask + 1) * ACL_BUCKET4 * 3)
		acl_set4_grow(s);
	acl_set4_put(s, k);
	return 1;
}

static int
acl_set6_insert(struct acl_set6 *s, struct acl_key6 k)
{
	if (s->slot == nullptr)
		acl_set6_grow(s);
	if (acl_set6_has(s, k))
		return 0;
	if (k.hi == 0 && k.lo == 0) {
		s->zero = true;
		return 1;
	}
	/* Buckets of 4 fill sooner than buckets of 16: at most half full. */
	if ((s->n + 1) * 2 > (s->mask + 1) * ACL_BUCKET6)
		acl_set6_grow(s);
	acl_set6_put(s, k);
	return 1;
}

/* Mark the /16s that a v4 rule of length 0 to 16 covers. */
static void
acl_cover4_add(struct acl_cover4 *c, uint32_t net, unsigned len)
{
	uint64_t	*leaf;
	unsigned	 i, n, top = net >> 24, sub = (net >> 16) & 0xff;

	if (c->top == nullptr)
		c->top = XCALLOCARRAY(256, uint16_t);
	if (len <= 8) {
		n = 1U << (8 - len);
		for (i = 0; i < n; i++)
			c->top[top + i] = ACL_FULL;
		return;
	}
	if (c->top[top] == ACL_FULL)
		return;
	if (c->top[top] == 0) {
		if (c->nleaf == c->maxleaf) {
			c->maxleaf = c->maxleaf != 0 ? c->maxleaf * 2 : 4;
			c->leaf = XREALLOCARRAY(c->leaf, c->maxleaf * 4,
			    uint64_t);
		}
		memset(c->leaf + c->nleaf * 4, 0, 4 * sizeof *c->leaf);
		c->top[top] = (uint16_t)++c->nleaf;
	}
	leaf = c->leaf + (c->top[top] - 1) * 4;
	n = 1U << (16 - len);
	for (i = sub; i < sub + n; i++)
		leaf[i / 64] |= 1ULL << (i % 64);
}

/* Put a slot whose /16 is known to be absent into a summary with room. */
static void
acl_sum4_put(struct acl_sum4 *s, uint32_t v)
{
	uint32_t	*b;
	size_t		 i;
	unsigned	 j;

	for (i = acl_sum4_hash(s, v >> 16);; i = (i + 1) & s->mask) {
		b = s->slot + i * ACL_SUM4;
		for (j = 0; j < ACL_SUM4; j++) {
			if (b[j] == 0) {
				b[j] = v;
				s->n++;
				return;
			}
		}
	}
}

static void
acl_sum6_put(struct acl_sum6 *s, const struct acl_sum6e *e)
{
	struct acl_sum6e	*b;
	size_t			 i;
	unsigned		 j;

	for (i = acl_sum6_hash(s, e->key);; i = (i + 1) & s->mask) {
		b = s->slot + i * ACL_SUM6;
		for (j = 0; j < ACL_SUM6; j++) {
			if (b[j].len32 == 0 && b[j].len64 == 0) {
				b[j] = *e;
				s->n++;
				return;
			}
		}
	}
}

static void
acl_sum4_grow(struct acl_sum4 *s)
{
	uint32_t	*old = s->slot;
	void		*oldmem = s->mem;
	size_t		 oldslots, buckets, i;

	oldslots = old != nullptr ? (s->mask + 1) * ACL_SUM4 : 0;
	buckets = old != nullptr ? (s->mask + 1) * 2 : ACL_MINBUCKETS;
	s->slot = (uint32_t *)acl_lines(buckets, &s->mem);
	s->mask = buckets - 1;
	s->shift = 64 - (unsigned)__builtin_ctzll(buckets);
	s->n = 0;
	for (i = 0; i < oldslots; i++) {
		if (old[i] != 0)
			acl_sum4_put(s, old[i]);
	}
	free(oldmem);
}

static void
acl_sum6_grow(struct acl_sum6 *s)
{
	struct acl_sum6e	*old = s->slot;
	void			*oldmem = s->mem;
	size_t			 oldslots, buckets, i;

	oldslots = old != nullptr ? (s->mask + 1) * ACL_SUM6 : 0;
	buckets = old != nullptr ? (s->mask + 1) * 2 : ACL_MINBUCKETS;
	s->slot = (struct acl_sum6e *)acl_lines(buckets, &s->mem);
	s->mask = buckets - 1;
	s->shift = 64 - (unsigned)__builtin_ctzll(buckets);
	s->n = 0;
	for (i = 0; i < oldslots; i++) {
		if (old[i].len32 != 0 || old[i].len64 != 0)
			acl_sum6_put(s, &old[i]);
	}
	free(oldmem);
}

/* Trade a summary table for the flat array, which is no larger. */
static void
acl_sum4_flatten(struct acl_sum4 *s)
{
	size_t	 i;

	s->direct = XCALLOCARRAY(65536, uint16_t);
	for (i = 0; i < (s->mask + 1) * ACL_SUM4; i++) {
		if (s->slot[i] != 0)
			s->direct[s->slot[i] >> 16] = (uint16_t)s->slot[i];
	}
	free(s->mem);
	s->mem = nullptr;
	s->slot = nullptr;
}

/* Note a v4 rule of length 17 to 32 in the summary of its /16. */
static void
acl_sum4_add(struct acl_sum4 *s, uint32_t net, unsigned len)
{
	uint32_t	*b, key = net >> 16, bit = 1U << (len - 17);
	size_t		 i;
	unsigned	 j;

	if (s->direct != nullptr) {
		if (s->direct[key] == 0)
			s->n++;
		s->direct[key] |= (uint16_t)bit;
		return;
	}
	if (s->slot != nullptr) {
		for (i = acl_sum4_hash(s, key);; i = (i + 1) & s->mask) {
			b = s->slot + i * ACL_SUM4;
			for (j = 0; j < ACL_SUM4; j++) {
				if (b[j] == 0)
					goto absent;
				if ((b[j] >> 16) == key) {
					b[j] |= bit;
					return;
				}
			}
		}
	}
absent:
	/* Loaded as the sets are, at most 3/4 full, until it would be flat. */
	if (s->slot == nullptr ||
	    (s->n + 1) * 4 > (s->mask + 1) * ACL_SUM4 * 3) {
		if (s->slot != nullptr &&
		    (s->mask + 1) * 2 * ACL_LINE >= ACL_DIRECT4) {
			acl_sum4_flatten(s);
			s->direct[key] = (uint16_t)bit;
			s->n++;
			return;
		}
		acl_sum4_grow(s);
	}
	acl_sum4_put(s, key << 16 | bit);
}

/* Note a v6 rule of length 33 to 128 in the summary of its /32. */
static void
acl_sum6_add(struct acl_sum6 *s, struct acl_key6 net, unsigned len)
{
	struct acl_sum6e	*b, e;
	size_t			 i;
	unsigned		 j;

	memset(&e, 0, sizeof e);
	e.key = (uint32_t)(net.hi >> 32);
	if (len <= 64)
		e.len32 = 1U << (len - 33);
	else
		e.len64 = 1ULL << (len - 65);
	if (s->slot != nullptr) {
		for (i = acl_sum6_hash(s, e.key);; i = (i + 1) & s->mask) {
			b = s->slot + i * ACL_SUM6;
			for (j = 0; j < ACL_SUM6; j++) {
				if (b[j].len32 == 0 && b[j].len64 == 0)
					goto absent;
				if (b[j].key == e.key) {
					b[j].len32 |= e.len32;
					b[j].len64 |= e.len64;
					return;
				}
			}
		}
	}
absent:
	/* At most half full, as the v6 sets. */
	if (s->slot == nullptr || (s->n + 1) * 2 > (s->mask + 1) * ACL_SUM6)
		acl_sum6_grow(s);
	acl_sum6_put(s, &e);
}

/* Store a new rule in its set, and in the cover or summary that leads to it. */
static void
acl_insert(struct acl *acl, const struct acl_net *net)
{
	unsigned	 len = (unsigned)net->len;

	if (net->family == AF_INET) {
		if (!acl_set4_insert(&acl->set4[len], net->v4))
			return;
		if (len <= 16)
			acl_cover4_add(&acl->cover4, net->v4, len);
		else
			acl_sum4_add(&acl->sum4, net->v4, len);
	} else {
		if (!acl_set6_insert(&acl->set6[len], net->v6))
			return;
		if (len <= 32)
			acl->len6 |= 1ULL << len;
		else
			acl_sum6_add(&acl->sum6, net->v6, len);
	}
	acl->count++;
}

static struct acl_key6
acl_key6_load(const void *addr)
{
	const unsigned char	*b = (const unsigned char *)addr;
	struct acl_key6		 k;

	memcpy(&k.hi, b, 8);
	memcpy(&k.lo, b + 8, 8);
	k.hi = be64toh(k.hi);
	k.lo = be64toh(k.lo);
	return k;
}

static void
acl_key6_store(struct acl_key6 k, void *addr)
{
	unsigned char	*b = (unsigned char *)addr;

	k.hi = htobe64(k.hi);
	k.lo = htobe64(k.lo);
	memcpy(b, &k.hi, 8);
	memcpy(b + 8, &k.lo, 8);
}

/* Is this v6 key a v4-mapped address, ::ffff:0:0/96? */
static inline int
acl_key6_mapped(struct acl_key6 k)
{
	return k.hi == 0 && (k.lo >> 32) == 0xffff;
}

/* Copy untrusted text for a message: printable ASCII, at most 64 bytes. */
static const char *
acl_vis(const char *s, char *out)
{
	size_t	 i;

	for (i = 0; s[i] != '\0' && i < 64; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i] != '\0')
		memcpy(out + i, "...", 4);
	else
		out[i] = '\0';
	return out;
}

/* Parse "addr[/len]" into a network, checking that no host bit is set. */
static int
acl_parse(const char *cidr, struct acl_net *net, char **cause)
{
	char		 buf[INET6_ADDRSTRLEN], hint[INET6_ADDRSTRLEN];
	char		 vis[ACL_VISLEN];
	unsigned char	 a[16];
	const char	*slash, *p;
	struct acl_key6	 k, m;
	uint32_t	 m4;
	size_t		 n;
	int		 max, rv = -1;

	if (cidr == nullptr || *cidr == '\0') {
		*cause = xstrdup("empty address");
		goto done;
	}
	acl_vis(cidr, vis);
	slash = strchr(cidr, '/');
	n = slash != nullptr ? (size_t)(slash - cidr) : strlen(cidr);
	if (n == 0 || n >= sizeof buf)
		goto notaddr;
	memcpy(buf, cidr, n);
	buf[n] = '\0';
	net->family = memchr(buf, ':', n) != nullptr ? AF_INET6 : AF_INET;
	if (inet_pton(net->family, buf, a) != 1)
		goto notaddr;

	max = net->family == AF_INET ? 32 : 128;
	net->len = max;
	if (slash != nullptr) {
		p = slash + 1;
		n = strlen(p);
		if (n == 0) {
			xasprintf(cause,
			    "\"%s\": missing prefix length after /", vis);
			goto done;
		}
		/* Digits only, no sign, space or leading zero. */
		if (n > 3 || strspn(p, "0123456789") != n ||
		    (n > 1 && p[0] == '0')) {
			xasprintf(cause, "\"%s\": bad prefix length", vis);
			goto done;
		}
		net->len = atoi(p);
		if (net->len > max) {
			xasprintf(cause, "%s: prefix length must be 0 to %d",
			    vis, max);
			goto done;
		}
	}

	if (net->family == AF_INET) {
		memcpy(&net->v4, a, 4);
		net->v4 = ntohl(net->v4);
		m4 = acl_mask4(net->v4, (unsigned)net->len);
		if (m4 != net->v4) {
			m4 = htonl(m4);
			inet_ntop(AF_INET, &m4, hint, sizeof hint);
			goto hostbits;
		}
		rv = 0;
		goto done;
	}
	k = acl_key6_load(a);
	m = acl_mask6(k, (unsigned)net->len);
	if (m.hi != k.hi || m.lo != k.lo) {
		acl_key6_store(m, a);
		inet_ntop(AF_INET6, a, hint, sizeof hint);
		goto hostbits;
	}
	if (acl_key6_mapped(k) && net->len >= 96) {
		net->family = AF_INET;
		net->v4 = (uint32_t)k.lo;
		net->len -= 96;
	} else
		net->v6 = k;
	rv = 0;
	goto done;

notaddr:
	xasprintf(cause, "\"%s\": not an IPv4 or IPv6 address", vis);
	goto done;
hostbits:
	/* Named in the family it was written in: ::ffff:10.0.0.0/104. */
	xasprintf(cause, "%s: host bits set; did you mean %s/%d?", vis, hint,
	    net->len);
done:
	return rv;
}

struct acl *
acl_new(void)
{
	return XCALLOC(struct acl);
}

void
acl_free(struct acl *acl)
{
	size_t	 i;

	if (acl == nullptr)
		return;
	for (i = 0; i < nitems(acl->set4); i++)
		free(acl->set4[i].mem);
	for (i = 0; i < nitems(acl->set6); i++)
		free(acl->set6[i].mem);
	free(acl->cover4.top);
	free(acl->cover4.leaf);
	free(acl->sum4.mem);
	free(acl->sum4.direct);
	free(acl->sum6.mem);
	free(acl);
}

int
acl_add(struct acl *acl, const char *cidr, char **cause)
{
	struct acl_net	 net;

	if (acl_parse(cidr, &net, cause) != 0)
		return -1;
	acl_insert(acl, &net);
	return 0;
}

size_t
acl_count(const struct acl *acl)
{
	return acl->count;
}

/* Probe the lengths base + bit i of m; 1 at the first that holds a. */
static inline int
acl_probe4(const struct acl *acl, uint32_t a, uint64_t m, unsigned base)
{
	unsigned	 len;

	for (; m != 0; m &= m - 1) {
		len = base + (unsigned)__builtin_ctzll(m);
		if (acl_set4_has(&acl->set4[len], acl_mask4(a, len)))
			return 1;
	}
	return 0;
}

static inline int
acl_probe6(const struct acl *acl, struct acl_key6 a, uint64_t m,
    unsigned base)
{
	unsigned	 len;

	for (; m != 0; m &= m - 1) {
		len = base + (unsigned)__builtin_ctzll(m);
		if (acl_set6_has(&acl->set6[len], acl_mask6(a, len)))
			return 1;
	}
	return 0;
}

/*
 * The cover answers for /0 to /16; then only the lengths from /17 that the
 * summary names for the client's /16 are probed. The summary line is
 * requested first, to load while the cover is read.
 */
static int
acl_match4(const struct acl *acl, uint32_t a)
{
	const struct acl_sum4	*sum = &acl->sum4;
	uint32_t		 l;

	if (sum->n != 0)
		acl_sum4_prefetch(sum, a >> 16);
	if (acl_cover4_has(&acl->cover4, a))
		return 1;
	if (sum->n == 0 || (l = acl_sum4_get(sum, a >> 16)) == 0)
		return 0;
	return acl_probe4(acl, a, l, 17);
}

/* The same for v6: each length to /32 present, then the summary's /33 to
 * /128 for the client's /32, its line loading during the first probes. */
static int
acl_match6(const struct acl *acl, struct acl_key6 a)
{
	const struct acl_sum6	*sum = &acl->sum6;
	uint32_t		 key = (uint32_t)(a.hi >> 32), l32;
	uint64_t		 l64;

	if (sum->n != 0)
		acl_sum6_prefetch(sum, key);
	if (acl_probe6(acl, a, acl->len6, 0))
		return 1;
	if (sum->n == 0 || !acl_sum6_get(sum, key, &l32, &l64))
		return 0;
	return acl_probe6(acl, a, l32, 33) || acl_probe6(acl, a, l64, 65);
}

int
acl_match_addr(const struct acl *acl, int family, const void *addr)
{
	struct acl_key6	 k;
	uint32_t	 a;

	if (addr == nullptr)
		return 0;
	if (family == AF_INET) {
		memcpy(&a, addr, 4);
		return acl_match4(acl, ntohl(a));
	}
	if (family != AF_INET6)
		return 0;
	k = acl_key6_load(addr);
	if (acl_key6_mapped(k))
		return acl_match4(acl, (uint32_t)k.lo);
	return acl_match6(acl, k);
}

int
acl_match(const struct acl *acl, const char *ip)
{
	unsigned char	 a[16];
	int		 family;

	if (ip == nullptr || *ip == '\0')
		return 0;
	family = strchr(ip, ':') != nullptr ? AF_INET6 : AF_INET;
	if (inet_pton(family, ip, a) != 1)
		return 0;
	return acl_match_addr(acl, family, a);
}

int
acl_canonical(const char *cidr, char *out, size_t outlen, char **cause)
{
	struct acl_net	 net;
	char		 text[INET6_ADDRSTRLEN], buf[ACL_TEXTLEN];
	unsigned char	 a[16];
	uint32_t	 v4;

	if (acl_parse(cidr, &net, cause) != 0)
		return -1;
	if (net.family == AF_INET) {
		v4 = htonl(net.v4);
		inet_ntop(AF_INET, &v4, text, sizeof text);
		if (net.len == 32)
			snprintf(buf, sizeof buf, "%s", text);
		else
			snprintf(buf, sizeof buf, "%s/%d", text, net.len);
	} else {
		acl_key6_store(net.v6, a);
		inet_ntop(AF_INET6, a, text, sizeof text);
		if (net.len == 128)
			snprintf(buf, sizeof buf, "%s", text);
		else
			snprintf(buf, sizeof buf, "%s/%d", text, net.len);
	}
	if (out == nullptr || strlen(buf) >= outlen) {
		xasprintf(cause, "%s: %zu bytes needed for the canonical text",
		    buf, strlen(buf) + 1);
		return -1;
	}
	memcpy(out, buf, strlen(buf) + 1);
	return 0;
}

/* Every address of both families: 0.0.0.0/0 and ::/0. */
static void
acl_add_all(struct acl *acl)
{
	struct acl_net	 net;

	memset(&net, 0, sizeof net);
	net.family = AF_INET;
	acl_insert(acl, &net);
	net.family = AF_INET6;
	acl_insert(acl, &net);
}

struct acl *
acl_from_hestia(const char *list, int access_key, int *skipped)
{
	struct acl	*acl = acl_new();
	char		*copy = nullptr, *entry, *next, *cause;
	int		 nskip = 0;

	if (list == nullptr || *list == '\0')
		goto done;
	/* Only the whole value is the keyword: "allow-all,1.2.3.4" is not. */
	if (strcmp(list, "allow-all") == 0) {
		acl_add_all(acl);
		goto done;
	}
	copy = xstrdup(list);
	for (entry = copy; entry != nullptr; entry = next) {
		if ((next = strchr(entry, ',')) != nullptr)
			*next++ = '\0';
		if (access_key && strcmp(entry, "0.0.0.0") == 0) {
			acl_add_all(acl);
			continue;
		}
		if (acl_add(acl, entry, &cause) != 0) {
			log_debug("%s: entry skipped: %s", __func__, cause);
			free(cause);
			nskip++;
		}
	}
done:
	free(copy);
	if (skipped != nullptr)
		*skipped = nskip;
	return acl;
}
