/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Allowlist lookups with 10 rules and with 100,000: the cost must not grow
 * with the rules (product.md section 7). Reports; never fails on a figure. */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <err.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apid.h"
#include "acl.h"

#define BENCH_QUERIES	(1 << 16)	/* distinct client addresses per acl */
#define BENCH_BIG	100000
#define BENCH_MAXROUNDS	101
#define BENCH_CHUNK	16384		/* lookups timed at a time */

/* A rule, kept so that hits can be drawn from inside it. */
struct bench_rule {
	int		 family;
	int		 len;
	unsigned char	 net[16];
};

/* One client address in both forms. */
struct bench_query {
	int		 family;
	unsigned char	 addr[16];
	char		 text[INET6_ADDRSTRLEN];
};

/* An acl under test, its rules and its clients. */
struct bench_acl {
	const char		*name;
	struct acl		*acl;
	struct bench_rule	*rules;
	size_t			 nrules;
	struct bench_query	*queries;
	int			 lengths4;
	int			 lengths6;
	double			 text_ns[BENCH_MAXROUNDS];
	double			 addr_ns[BENCH_MAXROUNDS];
	size_t			 text_hits;
	size_t			 addr_hits;
	size_t			 lookups;	/* per measurement */
};

/* The prefix lengths of the 10-rule acl: 7 v4 and 3 v6. */
static const int	 bench_small4[] = { 8, 12, 16, 20, 24, 28, 32 };
static const int	 bench_small6[] = { 32, 48, 64 };
static const int	 bench_big6[] = { 32, 40, 48, 56, 64, 128 };

static uint64_t		 bench_seed = 0xac1bec4a11ULL;
static volatile size_t	 bench_sink;

/* splitmix64, seeded: every run measures the same rules and clients. */
static uint64_t
bench_random(void)
{
	uint64_t	 z;

	z = (bench_seed += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
bench_random_bytes(unsigned char *b, size_t n)
{
	uint64_t	 x;
	size_t		 i;

	for (i = 0; i < n; i += 8) {
		x = bench_random();
		memcpy(b + i, &x, n - i < 8 ? n - i : 8);
	}
}

static double
bench_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Bytes allocated with malloc, to show the acl's memory against its rules. */
static size_t
bench_heap(void)
{
	struct mallinfo2	 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

/* A random network of this family and length; v6 under 2000::/3. */
static void
bench_net(struct bench_rule *r, int family, int len)
{
	int	 i, bytes = family == AF_INET ? 4 : 16;

	r->family = family;
	r->len = len;
	memset(r->net, 0, sizeof r->net);
	bench_random_bytes(r->net, bytes);
	if (family == AF_INET6)
		r->net[0] = 0x20 | (r->net[0] & 0x1f);
	for (i = 0; i < bytes; i++) {
		if (8 * i >= len)
			r->net[i] = 0;
		else if (8 * (i + 1) > len)
			r->net[i] &= 0xff << (8 - (len - 8 * i));
	}
}

static void
bench_add(struct bench_acl *b, const struct bench_rule *r)
{
	char	 text[INET6_ADDRSTRLEN], cidr[ACL_TEXTLEN], *cause;

	inet_ntop(r->family, r->net, text, sizeof text);
	snprintf(cidr, sizeof cidr, "%s/%d", text, r->len);
	if (acl_add(b->acl, cidr, &cause) != 0)
		errx(1, "acl_add %s: %s", cidr, cause);
	b->rules[b->nrules++] = *r;
}

/* The 10-rule acl: one rule per length of bench_small4 and bench_small6. */
static void
bench_build_small(struct bench_acl *b)
{
	struct bench_rule	 r;
	size_t			 i;

	for (i = 0; i < nitems(bench_small4); i++) {
		bench_net(&r, AF_INET, bench_small4[i]);
		bench_add(b, &r);
	}
	for (i = 0; i < nitems(bench_small6); i++) {
		bench_net(&r, AF_INET6, bench_small6[i]);
		bench_add(b, &r);
	}
	b->lengths4 = nitems(bench_small4);
	b->lengths6 = nitems(bench_small6);
}

/*
 * 100,000 rules, 90% v4 and 10% v6. With same == 0, the v4 rules use every
 * length from /8 to /32, few of the short ones so that a random client still
 * misses more often than not (about 2% of the space per length up to /16),
 * and the v6 rules the lengths of bench_big6. With same != 0 they use only
 * the lengths of the 10-rule acl, which isolates the number of rules.
 */
static void
bench_build_big(struct bench_acl *b, int same)
{
	struct bench_rule	 r;
	size_t			 n4 = BENCH_BIG * 9 / 10, n6 = BENCH_BIG - n4;
	size_t			 i, quota, made = 0;
	int			 len;

	if (same) {
		for (i = 0; i < n4; i++) {
			len = bench_small4[i % nitems(bench_small4)];
			/* Few networks of a short length: little coverage. */
			if (len <= 16 && i / nitems(bench_small4) >=
			    ((size_t)1 << len) / 50)
				len = 32;
			bench_net(&r, AF_INET, len);
			bench_add(b, &r);
		}
		for (i = 0; i < n6; i++) {
			bench_net(&r, AF_INET6,
			    bench_small6[i % nitems(bench_small6)]);
			bench_add(b, &r);
		}
		b->lengths4 = nitems(bench_small4);
		b->lengths6 = nitems(bench_small6);
		return;
	}
	for (len = 8; len <= 16; len++) {
		quota = ((size_t)1 << len) / 50;
		for (i = 0; i < quota; i++, made++) {
			bench_net(&r, AF_INET, len);
			bench_add(b, &r);
		}
	}
	for (i = 0; made < n4; i++, made++) {
		bench_net(&r, AF_INET, 17 + (int)(i % 16));
		bench_add(b, &r);
	}
	for (i = 0; i < n6; i++) {
		bench_net(&r, AF_INET6, bench_big6[i % nitems(bench_big6)]);
		bench_add(b, &r);
	}
	b->lengths4 = 25;
	b->lengths6 = nitems(bench_big6);
}

/*
 * Clients in random order: half inside a random rule (hits), half random
 * addresses (mostly misses, which probe every length their /16 or /32
 * holds); 1 in 10 of the random ones is v6, and 1 in 8 of the v4 ones is
 * written v4-mapped.
 */
static void
bench_build_queries(struct bench_acl *b)
{
	struct bench_query	*q;
	const struct bench_rule	*r;
	size_t			 i;
	int			 j, bytes, keep;

	b->queries = XCALLOCARRAY(BENCH_QUERIES, struct bench_query);
	for (i = 0; i < BENCH_QUERIES; i++) {
		q = &b->queries[i];
		if (bench_random() & 1) {
			r = &b->rules[bench_random() % b->nrules];
			q->family = r->family;
			bytes = r->family == AF_INET ? 4 : 16;
			for (j = 0; j < bytes; j++) {
				keep = r->len - 8 * j;
				q->addr[j] = (unsigned char)bench_random();
				if (keep >= 8)
					q->addr[j] = r->net[j];
				else if (keep > 0)
					q->addr[j] = r->net[j] |
					    (q->addr[j] & (0xff >> keep));
			}
		} else if (bench_random() % 10 == 0) {
			q->family = AF_INET6;
			bench_random_bytes(q->addr, 16);
			q->addr[0] = 0x20 | (q->addr[0] & 0x1f);
		} else {
			q->family = AF_INET;
			bench_random_bytes(q->addr, 4);
		}
		if (q->family == AF_INET && bench_random() % 8 == 0) {
			memmove(q->addr + 12, q->addr, 4);
			memset(q->addr, 0, 10);
			q->addr[10] = q->addr[11] = 0xff;
			q->family = AF_INET6;
		}
		inet_ntop(q->family, q->addr, q->text, sizeof q->text);
	}
}

static int
bench_cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
bench_median(const double *v, size_t n)
{
	double	*s, m;

	s = XCALLOCARRAY(n, double);
	memcpy(s, v, n * sizeof *v);
	qsort(s, n, sizeof *s, bench_cmp);
	m = s[n / 2];
	free(s);
	return m;
}

/*
 * ns per lookup over n lookups, by text (as the daemon has the peer) or by
 * binary address: the median of chunks of BENCH_CHUNK lookups, each timed on
 * its own, so that a chunk during which the process was descheduled (these
 * machines are shared) does not move the figure.
 */
static double
bench_time(struct bench_acl *b, size_t n, int text)
{
	const struct bench_query	*q;
	double				*chunk, t0, ns;
	size_t				 i, c, nchunks, hits = 0;

	nchunks = n / BENCH_CHUNK != 0 ? n / BENCH_CHUNK : 1;
	chunk = XCALLOCARRAY(nchunks, double);
	for (c = 0; c < nchunks; c++) {
		t0 = bench_now();
		if (text) {
			for (i = c * BENCH_CHUNK; i < (c + 1) * BENCH_CHUNK;
			    i++) {
				q = &b->queries[i & (BENCH_QUERIES - 1)];
				hits += acl_match(b->acl, q->text);
			}
		} else {
			for (i = c * BENCH_CHUNK; i < (c + 1) * BENCH_CHUNK;
			    i++) {
				q = &b->queries[i & (BENCH_QUERIES - 1)];
				hits += acl_match_addr(b->acl, q->family,
				    q->addr);
			}
		}
		chunk[c] = (bench_now() - t0) / BENCH_CHUNK;
	}
	ns = bench_median(chunk, nchunks);
	free(chunk);
	if (text)
		b->text_hits = hits;
	else
		b->addr_hits = hits;
	b->lookups = nchunks * BENCH_CHUNK;
	bench_sink += hits;
	return ns;
}

int
main(int argc, char **argv)
{
	struct bench_acl	 acls[3], *b;
	double			 millions = 2, t0, text[3], addr[3];
	size_t			 n;
	size_t			 heap0;
	int			 ch, rounds = 7, round, k, i;

	while ((ch = getopt(argc, argv, "n:r:")) != -1) {
		switch (ch) {
		case 'n':
			millions = atof(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: acl_bench [-n millions] "
			    "[-r rounds]\n");
			return 2;
		}
	}
	if (millions <= 0 || rounds < 1 || rounds > BENCH_MAXROUNDS)
		errx(2, "bad -n or -r");
	n = (size_t)(millions * 1e6);

	memset(acls, 0, sizeof acls);
	acls[0].name = "10 rules";
	acls[1].name = "100,000 rules, v4 /8../32";
	acls[2].name = "100,000 rules, the 10's lengths";
	for (k = 0; k < 3; k++) {
		b = &acls[k];
		b->rules = XCALLOCARRAY(k == 0 ? 10 : BENCH_BIG,
		    struct bench_rule);
		heap0 = bench_heap();
		t0 = bench_now();
		b->acl = acl_new();
		if (k == 0)
			bench_build_small(b);
		else
			bench_build_big(b, k == 2);
		t0 = bench_now() - t0;
		printf("acl %-32s %6zu distinct, %2d v4 + %d v6 lengths, "
		    "built in %.1f ms, %zu KiB\n", b->name,
		    acl_count(b->acl), b->lengths4, b->lengths6, t0 / 1e6,
		    (bench_heap() - heap0) / 1024);
		bench_build_queries(b);
	}

	/* Warm up, then interleave the acls, rotating who goes first. */
	for (k = 0; k < 3; k++) {
		bench_time(&acls[k], n / 4, 1);
		bench_time(&acls[k], n / 4, 0);
	}
	printf("%d rounds of %zu lookups per acl and form, timed in chunks of "
	    "%d\n", rounds, n, BENCH_CHUNK);
	for (round = 0; round < rounds; round++) {
		for (i = 0; i < 3; i++) {
			b = &acls[(round + i) % 3];
			b->text_ns[round] = bench_time(b, n, 1);
			b->addr_ns[round] = bench_time(b, n, 0);
		}
		printf("  round %d: text %.1f / %.1f / %.1f ns, "
		    "binary %.1f / %.1f / %.1f ns\n", round + 1,
		    acls[0].text_ns[round], acls[1].text_ns[round],
		    acls[2].text_ns[round], acls[0].addr_ns[round],
		    acls[1].addr_ns[round], acls[2].addr_ns[round]);
	}

	printf("\n%-36s %10s %10s %8s\n", "median ns/lookup", "acl_match",
	    "_addr", "hits");
	for (k = 0; k < 3; k++) {
		b = &acls[k];
		text[k] = bench_median(b->text_ns, rounds);
		addr[k] = bench_median(b->addr_ns, rounds);
		printf("%-36s %10.1f %10.1f %7.1f%%\n", b->name, text[k],
		    addr[k], 100.0 * b->addr_hits / b->lookups);
		if (b->text_hits != b->addr_hits)
			printf("WARNING: %s: %zu hits by text, %zu by "
			    "address\n", b->name, b->text_hits, b->addr_hits);
	}
	printf("ratio 100k/10, text (acl_match):        %.2f "
	    "(same lengths %.2f)\n", text[1] / text[0], text[2] / text[0]);
	printf("ratio 100k/10, binary (acl_match_addr): %.2f "
	    "(same lengths %.2f)\n", addr[1] / addr[0], addr[2] / addr[0]);
	printf("bar: ratio <= 1.5 by text: %s\n",
	    text[1] / text[0] <= 1.5 ? "met" : "MISSED");
	printf("acl: ns_10=%.1f ns_100k=%.1f ratio=%.2f addr_ns_10=%.1f "
	    "addr_ns_100k=%.1f addr_ratio=%.2f same_len_ratio=%.2f\n",
	    text[0], text[1], text[1] / text[0], addr[0], addr[1],
	    addr[1] / addr[0], text[2] / text[0]);

	for (k = 0; k < 3; k++) {
		acl_free(acls[k].acl);
		free(acls[k].rules);
		free(acls[k].queries);
	}
	return 0;
}
