/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Client address allowlists: CIDR rules held in per-prefix-length tables. */

/*
 * A rule net/n admits client c when the first n bits of c are net. So each
 * family keeps a bitmask of the prefix lengths present and, for each of them,
 * a hash set of the networks of that length; a lookup masks the client once
 * per present length and probes that set. That is at most 33 probes for v4
 * and 129 for v6, in practice the few lengths an allowlist uses, and never a
 * walk over the rules: 10 rules and 100,000 take the same probes when they
 * use the same lengths. The alternatives cost more per lookup: a sorted
 * array of ranges takes log2(rules) dependent loads (17 at 100,000 rules), a
 * binary trie up to 32 or 128 dependent pointer loads.
 *
 * A set is open addressing over buckets of one cache line (16 v4 keys or 4
 * v6 keys), linear probing from bucket to bucket, a power-of-two number of
 * buckets and a load factor of at most 3/4 (v4) or 1/2 (v6). A probe is one
 * multiply, one cache line and a branch-free scan of it; with 100,000 rules
 * the tables outgrow the L2 cache and that line is the cost, so buckets keep
 * it to one line, where slot-by-slot probing crosses lines and mispredicts.
 * Memory is a flat array within four times the keys. Key 0 (the network
 * 0.0.0.0/n or ::/n) is a flag beside the array, so that 0 marks an empty
 * slot. The rules come from the administrator, never from a client, so a
 * client cannot choose the clustering it probes.
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
#define ACL_BUCKET4	16			/* v4 keys in a bucket, a line */
#define ACL_BUCKET6	4			/* v6 keys in a bucket */
#define ACL_MINBUCKETS	2
#define ACL_GOLDEN	0x9e3779b97f4a7c15ULL	/* 2^64 / phi */
#define ACL_MIX		0xc2b2ae3d27d4eb4fULL
#define ACL_VISLEN	68			/* 64 characters, "...", NUL */

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

struct acl {
	uint64_t	 len4;		/* bit n: some v4 rule is a /n */
	uint64_t	 len6[3];	/* bit n % 64 of word n / 64: a v6 /n */
	size_t		 count;		/* distinct rules */
	struct acl_set4	 set4[33];
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

static void
acl_insert(struct acl *acl, const struct acl_net *net)
{
	unsigned	 len = (unsigned)net->len;

	if (net->family == AF_INET) {
		if (acl_set4_insert(&acl->set4[len], net->v4))
			acl->count++;
		acl->len4 |= 1ULL << len;
	} else {
		if (acl_set6_insert(&acl->set6[len], net->v6))
			acl->count++;
		acl->len6[len / 64] |= 1ULL << (len % 64);
	}
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
			xasprintf(cause, "\"%s\": missing prefix length after /",
			    vis);
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

/* One probe per v4 prefix length present. */
static int
acl_match4(const struct acl *acl, uint32_t a)
{
	uint64_t	 m;
	unsigned	 len;

	for (m = acl->len4; m != 0; m &= m - 1) {
		len = (unsigned)__builtin_ctzll(m);
		if (acl_set4_has(&acl->set4[len], acl_mask4(a, len)))
			return 1;
	}
	return 0;
}

/* One probe per v6 prefix length present. */
static int
acl_match6(const struct acl *acl, struct acl_key6 a)
{
	uint64_t	 m;
	unsigned	 w, len;

	for (w = 0; w < nitems(acl->len6); w++) {
		for (m = acl->len6[w]; m != 0; m &= m - 1) {
			len = w * 64 + (unsigned)__builtin_ctzll(m);
			if (acl_set6_has(&acl->set6[len], acl_mask6(a, len)))
				return 1;
		}
	}
	return 0;
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

/* Kept until gate.cc moves to acl_from_hestia(). */
int
acl_hestia_allowed(const char *list, const char *client, int access_key)
{
	const char	*p = list, *end;
	size_t		 n, clen = strlen(client);

	if (strcmp(list, "allow-all") == 0)
		return 1;
	if (clen == 0)
		return 0;
	for (;;) {
		end = strchr(p, ',');
		n = end != nullptr ? (size_t)(end - p) : strlen(p);
		if (n == clen && memcmp(p, client, n) == 0)
			return 1;
		if (access_key && n == 7 && memcmp(p, "0.0.0.0", 7) == 0)
			return 1;
		if (end == nullptr)
			return 0;
		p = end + 1;
	}
}
