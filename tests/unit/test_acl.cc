/* SPDX-License-Identifier: GPL-3.0-or-later */
/* acl.cc: CIDR parsing, prefix-table lookups, Hestia's API_ALLOWED_IP. */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "acl.h"

extern char	 mock_log_last[1024];

#define TEST_RULES	100000
#define TEST_PROBES	3000	/* checked against a scan of every rule */

/* A rule of the random test, kept for a brute-force reference match. */
struct test_rule {
	int		 family;
	int		 len;
	unsigned char	 net[16];
};

static uint64_t	 test_seed = 0x5eed5eed12345678ULL;

/* splitmix64: fixed seed, so a failure can be replayed. */
static uint64_t
test_random(void)
{
	uint64_t	 z;

	z = (test_seed += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Check one client both as text and as a binary address. */
static void
test_expect(const struct acl *acl, const char *ip, int want)
{
	unsigned char	 a[16];
	int		 family;

	if (acl_match(acl, ip) != want)
		fail_msg("acl_match(\"%s\") is %d, want %d", ip, !want, want);
	family = strchr(ip, ':') != nullptr ? AF_INET6 : AF_INET;
	if (inet_pton(family, ip, a) != 1)
		fail_msg("test address %s does not parse", ip);
	if (acl_match_addr(acl, family, a) != want)
		fail_msg("acl_match_addr(%s) is %d, want %d", ip, !want, want);
}

static void
test_add(struct acl *acl, const char *cidr)
{
	char	*cause = nullptr;

	if (acl_add(acl, cidr, &cause) != 0)
		fail_msg("acl_add(\"%s\"): %s", cidr, cause);
}

/* acl_add must fail with exactly this message and leave the acl as it was. */
static void
test_add_fails(struct acl *acl, const char *cidr, const char *want)
{
	char	*cause = nullptr;
	size_t	 count = acl_count(acl);

	if (acl_add(acl, cidr, &cause) != -1)
		fail_msg("acl_add(\"%s\") accepted", cidr);
	assert_non_null(cause);
	if (want != nullptr && strcmp(cause, want) != 0)
		fail_msg("acl_add(\"%s\"): \"%s\", want \"%s\"", cidr, cause,
		    want);
	assert_int_equal(acl_count(acl), count);
	free(cause);
}

static void
test_canon(const char *cidr, const char *want)
{
	char	 out[ACL_TEXTLEN], again[ACL_TEXTLEN], *cause = nullptr;

	if (acl_canonical(cidr, out, sizeof out, &cause) != 0)
		fail_msg("acl_canonical(\"%s\"): %s", cidr, cause);
	if (strcmp(out, want) != 0)
		fail_msg("acl_canonical(\"%s\") is \"%s\", want \"%s\"", cidr,
		    out, want);
	/* Canonical text is a fixed point. */
	if (acl_canonical(out, again, sizeof again, &cause) != 0)
		fail_msg("acl_canonical(\"%s\"): %s", out, cause);
	assert_string_equal(again, out);
}

static void
test_v4_slash0(void **)
{
	struct acl	*acl = acl_new();

	test_expect(acl, "1.2.3.4", 0);
	test_add(acl, "0.0.0.0/0");
	assert_int_equal(acl_count(acl), 1);
	test_expect(acl, "0.0.0.0", 1);
	test_expect(acl, "1.2.3.4", 1);
	test_expect(acl, "255.255.255.255", 1);
	test_expect(acl, "::ffff:203.0.113.9", 1);
	/* v4 rules never admit a v6 client. */
	test_expect(acl, "::", 0);
	test_expect(acl, "::1", 0);
	test_expect(acl, "2001:db8::1", 0);
	acl_free(acl);
}

static void
test_v6_slash0(void **)
{
	struct acl	*acl = acl_new();

	test_expect(acl, "2001:db8::1", 0);
	test_add(acl, "::/0");
	assert_int_equal(acl_count(acl), 1);
	test_expect(acl, "::", 1);
	test_expect(acl, "::1", 1);
	test_expect(acl, "2001:db8::1", 1);
	test_expect(acl, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1);
	/* A v4-mapped client is a v4 client: only v4 rules admit it. */
	test_expect(acl, "::ffff:1.2.3.4", 0);
	test_expect(acl, "1.2.3.4", 0);
	acl_free(acl);
}

static void
test_v4_slash32(void **)
{
	struct acl	*acl = acl_new();

	test_add(acl, "192.0.2.1");
	test_add(acl, "192.0.2.1/32");
	assert_int_equal(acl_count(acl), 1);
	test_expect(acl, "192.0.2.1", 1);
	test_expect(acl, "192.0.2.0", 0);
	test_expect(acl, "192.0.2.2", 0);
	test_expect(acl, "193.0.2.1", 0);
	/* 0.0.0.0/32 is the key 0, held beside the table. */
	test_expect(acl, "0.0.0.0", 0);
	test_add(acl, "0.0.0.0");
	assert_int_equal(acl_count(acl), 2);
	test_expect(acl, "0.0.0.0", 1);
	test_expect(acl, "0.0.0.1", 0);
	test_add(acl, "255.255.255.255");
	test_expect(acl, "255.255.255.255", 1);
	test_expect(acl, "255.255.255.254", 0);
	acl_free(acl);
}

static void
test_v6_slash128(void **)
{
	struct acl	*acl = acl_new();

	test_add(acl, "2001:db8::1/128");
	test_add(acl, "2001:0db8:0000:0000:0000:0000:0000:0001");
	assert_int_equal(acl_count(acl), 1);
	test_expect(acl, "2001:db8::1", 1);
	test_expect(acl, "2001:db8::", 0);
	test_expect(acl, "2001:db8::2", 0);
	test_expect(acl, "2001:db8::1:1", 0);
	test_expect(acl, "::", 0);
	test_add(acl, "::");
	test_expect(acl, "::", 1);
	test_expect(acl, "::1", 0);
	acl_free(acl);
}

/* A bare v6 address is a /128, never a /32 (a v4 default). */
static void
test_v6_bare_is_128(void **)
{
	struct acl	*acl = acl_new();

	test_add(acl, "2001:db8::1");
	test_expect(acl, "2001:db8::1", 1);
	test_expect(acl, "2001:db8::2", 0);
	test_expect(acl, "2001:db8:ffff::1", 0);
	test_expect(acl, "2001:db8::1:0:0:1", 0);
	test_canon("2001:db8::1", "2001:db8::1");
	acl_free(acl);
}

static void
test_mapped_client(void **)
{
	struct acl	*acl = acl_new();
	unsigned char	 a[16];

	test_add(acl, "10.0.0.0/8");
	test_expect(acl, "::ffff:10.1.2.3", 1);
	test_expect(acl, "::ffff:10.255.255.255", 1);
	test_expect(acl, "::ffff:11.0.0.0", 0);
	test_expect(acl, "::ffff:9.255.255.255", 0);
	/* Neither IPv4-compatible ::a.b.c.d nor NAT64 is v4-mapped. */
	test_expect(acl, "::10.1.2.3", 0);
	test_expect(acl, "64:ff9b::10.1.2.3", 0);
	test_expect(acl, "::fffe:10.1.2.3", 0);
	test_expect(acl, "1::ffff:10.1.2.3", 0);
	/* The binary form, as accept() on a dual-stack socket reports it. */
	memset(a, 0, sizeof a);
	a[10] = a[11] = 0xff;
	a[12] = 10;
	a[15] = 7;
	assert_true(acl_match_addr(acl, AF_INET6, a));
	a[12] = 11;
	assert_false(acl_match_addr(acl, AF_INET6, a));
	acl_free(acl);
}

static void
test_mapped_rule(void **)
{
	struct acl	*acl = acl_new();

	test_add(acl, "::ffff:10.0.0.0/104");
	test_add(acl, "::ffff:192.0.2.7");
	/* Each is its v4 rule: adding that again stores nothing. */
	test_add(acl, "10.0.0.0/8");
	test_add(acl, "192.0.2.7/32");
	assert_int_equal(acl_count(acl), 2);
	test_expect(acl, "10.9.9.9", 1);
	test_expect(acl, "::ffff:10.9.9.9", 1);
	test_expect(acl, "11.0.0.0", 0);
	test_expect(acl, "::ffff:11.0.0.0", 0);
	test_expect(acl, "192.0.2.7", 1);
	test_expect(acl, "::ffff:192.0.2.7", 1);
	test_expect(acl, "192.0.2.8", 0);
	/* The v6 spellings of these addresses are not admitted. */
	test_expect(acl, "::10.9.9.9", 0);
	test_expect(acl, "::a09:909", 0);
	acl_free(acl);

	/* ::ffff:0:0/96 is all of v4 and nothing of v6. */
	acl = acl_new();
	test_add(acl, "::ffff:0:0/96");
	test_expect(acl, "1.2.3.4", 1);
	test_expect(acl, "255.255.255.255", 1);
	test_expect(acl, "2001:db8::1", 0);
	test_canon("::ffff:0:0/96", "0.0.0.0/0");
	test_canon("::ffff:10.0.0.0/104", "10.0.0.0/8");
	test_canon("::ffff:1.2.3.4", "1.2.3.4");
	test_canon("::FFFF:1.2.3.4/127", "1.2.3.4/31");
	acl_free(acl);
}

static void
test_hostbits_v4(void **)
{
	struct acl	*acl = acl_new();

	test_add_fails(acl, "10.1.2.3/8",
	    "10.1.2.3/8: host bits set; did you mean 10.0.0.0/8?");
	test_add_fails(acl, "192.168.1.1/24",
	    "192.168.1.1/24: host bits set; did you mean 192.168.1.0/24?");
	test_add_fails(acl, "192.168.1.1/31",
	    "192.168.1.1/31: host bits set; did you mean 192.168.1.0/31?");
	test_add_fails(acl, "0.0.0.1/0",
	    "0.0.0.1/0: host bits set; did you mean 0.0.0.0/0?");
	test_expect(acl, "10.1.2.3", 0);
	/* The networks it names are accepted. */
	test_add(acl, "10.0.0.0/8");
	test_add(acl, "192.168.1.0/31");
	assert_int_equal(acl_count(acl), 2);
	acl_free(acl);
}

static void
test_hostbits_v6(void **)
{
	struct acl	*acl = acl_new();

	test_add_fails(acl, "2001:db8::1/32",
	    "2001:db8::1/32: host bits set; did you mean 2001:db8::/32?");
	test_add_fails(acl, "2001:db8:0:0:8000::/64",
	    "2001:db8:0:0:8000::/64: host bits set; did you mean "
	    "2001:db8::/64?");
	test_add_fails(acl, "2001:db8::1/127",
	    "2001:db8::1/127: host bits set; did you mean 2001:db8::/127?");
	test_add_fails(acl, "::1/0",
	    "::1/0: host bits set; did you mean ::/0?");
	test_add_fails(acl, "::ffff:10.1.2.3/104",
	    "::ffff:10.1.2.3/104: host bits set; did you mean "
	    "::ffff:10.0.0.0/104?");
	/* Below /96 the ffff of a mapped address is host bits too. */
	test_add_fails(acl, "::ffff:0:0/80",
	    "::ffff:0:0/80: host bits set; did you mean ::/80?");
	test_expect(acl, "2001:db8::1", 0);
	test_add(acl, "2001:db8::/32");
	test_add(acl, "2001:db8::/127");
	assert_int_equal(acl_count(acl), 2);
	acl_free(acl);
}

/* Overlapping rules are both kept; either admits. */
static void
test_overlap(void **)
{
	struct acl	*acl = acl_new();

	test_add(acl, "10.1.0.0/16");
	test_expect(acl, "10.2.0.0", 0);
	test_add(acl, "10.0.0.0/8");
	test_add(acl, "10.1.0.0/16");
	test_add(acl, "10.0.0.0/8");
	assert_int_equal(acl_count(acl), 2);
	test_expect(acl, "10.1.2.3", 1);
	test_expect(acl, "10.2.0.0", 1);
	test_expect(acl, "10.255.255.255", 1);
	test_expect(acl, "11.1.0.0", 0);
	test_expect(acl, "9.1.0.0", 0);
	acl_free(acl);
}

static void
test_boundaries_v4(void **)
{
	struct acl	*acl = acl_new();

	test_add(acl, "192.168.4.0/22");
	test_expect(acl, "192.168.4.0", 1);
	test_expect(acl, "192.168.7.255", 1);
	test_expect(acl, "192.168.3.255", 0);
	test_expect(acl, "192.168.8.0", 0);
	test_add(acl, "0.0.0.0/8");
	test_expect(acl, "0.0.0.0", 1);
	test_expect(acl, "0.255.255.255", 1);
	test_expect(acl, "1.0.0.0", 0);
	test_add(acl, "255.255.255.0/24");
	test_expect(acl, "255.255.255.0", 1);
	test_expect(acl, "255.255.255.255", 1);
	test_expect(acl, "255.255.254.255", 0);
	test_add(acl, "128.0.0.0/1");
	test_expect(acl, "128.0.0.0", 1);
	test_expect(acl, "127.255.255.255", 0);
	acl_free(acl);
}

static void
test_boundaries_v6(void **)
{
	struct acl	*acl = acl_new();

	test_add(acl, "2001:db8:1234::/48");
	test_expect(acl, "2001:db8:1234::", 1);
	test_expect(acl, "2001:db8:1234:ffff:ffff:ffff:ffff:ffff", 1);
	test_expect(acl, "2001:db8:1233:ffff:ffff:ffff:ffff:ffff", 0);
	test_expect(acl, "2001:db8:1235::", 0);
	/* /64 and /65: the edge between the two halves of a key. */
	test_add(acl, "2001:db8:aaaa::/64");
	test_expect(acl, "2001:db8:aaaa:0:ffff:ffff:ffff:ffff", 1);
	test_expect(acl, "2001:db8:aaaa:1::", 0);
	test_expect(acl, "2001:db8:aaa9:ffff:ffff:ffff:ffff:ffff", 0);
	test_add(acl, "2001:db8:bbbb:0:8000::/65");
	test_expect(acl, "2001:db8:bbbb:0:8000::", 1);
	test_expect(acl, "2001:db8:bbbb:0:ffff:ffff:ffff:ffff", 1);
	test_expect(acl, "2001:db8:bbbb:0:7fff:ffff:ffff:ffff", 0);
	test_expect(acl, "2001:db8:bbbb:1::", 0);
	test_add(acl, "2001:db8:cccc::4/126");
	test_expect(acl, "2001:db8:cccc::3", 0);
	test_expect(acl, "2001:db8:cccc::4", 1);
	test_expect(acl, "2001:db8:cccc::7", 1);
	test_expect(acl, "2001:db8:cccc::8", 0);
	test_add(acl, "8000::/1");
	test_expect(acl, "8000::", 1);
	test_expect(acl, "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0);
	acl_free(acl);
}

/*
 * Keys whose upper half is 0 (::/64 addresses) must not look like empty
 * slots: 3,000 random ones fill buckets and overflow into the next ones (a
 * sequence ::1, ::2... would not: the hash spreads it evenly), and all of
 * them still match.
 */
static void
test_v6_low_half(void **)
{
	struct acl	*acl = acl_new();
	unsigned char	 a[16];
	char		 text[3000][INET6_ADDRSTRLEN];
	uint64_t	 lo;
	unsigned	 i;

	memset(a, 0, sizeof a);
	for (i = 0; i < nitems(text); i++) {
		lo = test_random() | 1;
		memcpy(a + 8, &lo, 8);
		inet_ntop(AF_INET6, a, text[i], sizeof text[i]);
		test_add(acl, text[i]);
	}
	assert_int_equal(acl_count(acl), nitems(text));
	for (i = 0; i < nitems(text); i++)
		test_expect(acl, text[i], 1);
	test_expect(acl, "::", 0);
	test_expect(acl, "::2", 0);
	test_expect(acl, "1::1", 0);
	acl_free(acl);
}

/*
 * Rules to /16 are answered from the /16s they cover: the edges of /8, /9,
 * /12 and /16 networks, a /8 added over a /12 inside it and the other way
 * round, a /1 that covers 128 /8s.
 */
static void
test_cover_v4(void **)
{
	struct acl	*acl = acl_new();

	test_add(acl, "10.16.0.0/12");
	test_expect(acl, "10.16.0.0", 1);
	test_expect(acl, "10.31.255.255", 1);
	test_expect(acl, "10.15.255.255", 0);
	test_expect(acl, "10.32.0.0", 0);
	test_add(acl, "10.0.0.0/8");
	test_expect(acl, "10.0.0.1", 1);
	test_expect(acl, "10.255.0.0", 1);
	test_add(acl, "10.1.0.0/16");
	test_add(acl, "11.128.0.0/9");
	test_expect(acl, "11.128.0.0", 1);
	test_expect(acl, "11.255.255.255", 1);
	test_expect(acl, "11.127.255.255", 0);
	test_add(acl, "12.0.0.0/16");
	test_add(acl, "12.0.0.0/8");
	test_add(acl, "13.255.0.0/16");
	test_expect(acl, "13.255.255.255", 1);
	test_expect(acl, "13.254.255.255", 0);
	test_expect(acl, "14.0.0.0", 0);
	test_expect(acl, "9.255.255.255", 0);
	/* One bit per /16 of a leaf: the edges of its 64-bit words. */
	test_add(acl, "20.63.0.0/16");
	test_add(acl, "20.128.0.0/16");
	test_expect(acl, "20.63.1.2", 1);
	test_expect(acl, "20.64.1.2", 0);
	test_expect(acl, "20.62.1.2", 0);
	test_expect(acl, "20.128.1.2", 1);
	test_expect(acl, "20.127.255.255", 0);
	test_expect(acl, "20.129.0.0", 0);
	assert_int_equal(acl_count(acl), 9);
	acl_free(acl);

	acl = acl_new();
	test_add(acl, "128.0.0.0/1");
	test_add(acl, "64.0.0.0/3");
	test_expect(acl, "255.255.255.255", 1);
	test_expect(acl, "128.0.0.0", 1);
	test_expect(acl, "95.255.255.255", 1);
	test_expect(acl, "64.0.0.0", 1);
	test_expect(acl, "63.255.255.255", 0);
	test_expect(acl, "96.0.0.0", 0);
	acl_free(acl);
}

/*
 * Rules of /17 to /32 are found through the summary of their /16: several
 * lengths in one /16, the same lengths in another /16 for other networks, a
 * /16 whose mask lacks a length that others hold, the /16 0.0.0.0 (slot 0),
 * and the /16-/17 and /32 edges.
 */
static void
test_summary_v4(void **)
{
	struct acl	*acl = acl_new();

	test_add(acl, "10.1.128.0/17");
	test_add(acl, "10.1.2.0/24");
	test_add(acl, "10.1.3.128/25");
	test_add(acl, "10.1.4.4/30");
	test_add(acl, "10.1.5.5");
	test_expect(acl, "10.1.128.0", 1);
	test_expect(acl, "10.1.255.255", 1);
	test_expect(acl, "10.1.127.255", 0);
	test_expect(acl, "10.1.2.77", 1);
	test_expect(acl, "10.1.3.128", 1);
	test_expect(acl, "10.1.3.127", 0);
	test_expect(acl, "10.1.4.7", 1);
	test_expect(acl, "10.1.4.8", 0);
	test_expect(acl, "10.1.5.5", 1);
	test_expect(acl, "10.1.5.4", 0);
	test_expect(acl, "10.1.6.0", 0);
	/* The same low bits in other /16s are other networks. */
	test_expect(acl, "10.2.2.77", 0);
	test_expect(acl, "10.0.128.0", 0);
	test_expect(acl, "11.1.5.5", 0);

	/* 10.2 holds a /20 only: 10.1's lengths are not its own. */
	test_add(acl, "10.2.16.0/20");
	test_expect(acl, "10.2.31.255", 1);
	test_expect(acl, "10.2.15.255", 0);
	test_expect(acl, "10.2.2.77", 0);
	test_expect(acl, "10.2.128.0", 0);
	test_expect(acl, "10.2.5.5", 0);
	/* And 10.1 still has no /20. */
	test_expect(acl, "10.1.16.1", 0);

	/* A /16 rule is in the cover; a /17 inside it in the summary. */
	test_add(acl, "10.3.0.0/16");
	test_add(acl, "10.3.0.0/17");
	test_expect(acl, "10.3.200.1", 1);
	test_expect(acl, "10.3.0.1", 1);
	test_expect(acl, "10.4.0.1", 0);

	/* The /16 0.0.0.0: its slot is its mask, never mistaken for empty. */
	test_expect(acl, "0.0.0.5", 0);
	test_add(acl, "0.0.0.0/24");
	test_add(acl, "0.0.1.1");
	test_expect(acl, "0.0.0.5", 1);
	test_expect(acl, "0.0.1.1", 1);
	test_expect(acl, "0.0.1.2", 0);
	test_expect(acl, "0.0.2.0", 0);
	test_expect(acl, "0.1.0.5", 0);
	test_add(acl, "255.255.255.255");
	test_expect(acl, "255.255.255.255", 1);
	test_expect(acl, "255.255.255.254", 0);
	test_expect(acl, "::ffff:10.1.2.77", 1);
	test_expect(acl, "::ffff:10.2.2.77", 0);
	assert_int_equal(acl_count(acl), 11);
	acl_free(acl);
}

/*
 * A /24 in each of 20,000 /16s, a /32 in every seventh: the summary grows,
 * and from 12,288 /16s becomes a plain array. Every rule matches after each
 * step, an address beside it never does, and rules added after the change
 * to /16s new and old are found too.
 */
static void
test_summary_v4_flat(void **)
{
	struct acl	*acl = acl_new();
	char		 ip[INET_ADDRSTRLEN];
	unsigned	 i, j, n = 20000;

	for (i = 0; i < n; i++) {
		snprintf(ip, sizeof ip, "%u.%u.%u.0/24", 1 + i / 256, i % 256,
		    i % 251);
		test_add(acl, ip);
		if (i % 7 == 0) {
			snprintf(ip, sizeof ip, "%u.%u.255.7", 1 + i / 256,
			    i % 256);
			test_add(acl, ip);
		}
		if (i % 2000 != 1999 && i != 12287 && i != 12288 && i != n - 1)
			continue;
		/* A sample as it grows; all of them at the end. */
		for (j = 0; j <= i; j += i == n - 1 ? 1 : 1 + j % 13) {
			snprintf(ip, sizeof ip, "%u.%u.%u.9", 1 + j / 256,
			    j % 256, j % 251);
			test_expect(acl, ip, 1);
			snprintf(ip, sizeof ip, "%u.%u.%u.9", 1 + j / 256,
			    j % 256, j % 251 + 1);
			test_expect(acl, ip, 0);
			snprintf(ip, sizeof ip, "%u.%u.255.7", 1 + j / 256,
			    j % 256);
			test_expect(acl, ip, j % 7 == 0);
		}
	}
	assert_int_equal(acl_count(acl), n + (n + 6) / 7);
	test_add(acl, "200.1.2.3");
	test_add(acl, "1.0.0.128/25");
	test_expect(acl, "200.1.2.3", 1);
	test_expect(acl, "200.1.2.4", 0);
	test_expect(acl, "1.0.0.200", 1);
	test_expect(acl, "1.0.1.200", 0);
	test_expect(acl, "1.0.0.9", 1);
	test_expect(acl, "1.0.255.7", 1);
	test_expect(acl, "1.1.255.7", 0);
	test_expect(acl, "250.0.0.0", 0);
	test_expect(acl, "0.0.0.0", 0);
	acl_free(acl);
}

/*
 * v6 rules of /33 to /128 are found through the summary of their /32: many
 * lengths in one /32 (both words of its mask, and /64, /65, /128 at their
 * edges), another /32 holding other lengths, /32 rules probed directly, and
 * a /32 with rules beside a /32 rule.
 */
static void
test_summary_v6(void **)
{
	struct acl	*acl = acl_new();

	test_add(acl, "2001:db8:8000::/33");
	test_add(acl, "2001:db8:1::/48");
	test_add(acl, "2001:db8:2:3::/64");
	test_add(acl, "2001:db8:2:4:8000::/65");
	test_add(acl, "2001:db8:2:5::1:0/112");
	test_add(acl, "2001:db8:2:6::7");
	test_expect(acl, "2001:db8:8000::1", 1);
	test_expect(acl, "2001:db8:ffff:ffff::1", 1);
	test_expect(acl, "2001:db8:7fff:ffff::1", 0);
	test_expect(acl, "2001:db8:1:ffff::1", 1);
	test_expect(acl, "2001:db8:3::", 0);
	test_expect(acl, "2001:db8:2:3:ffff:ffff:ffff:ffff", 1);
	test_expect(acl, "2001:db8:2:4:8000::1", 1);
	test_expect(acl, "2001:db8:2:4:7fff::1", 0);
	test_expect(acl, "2001:db8:2:5::1:ffff", 1);
	test_expect(acl, "2001:db8:2:5::2:0", 0);
	test_expect(acl, "2001:db8:2:6::7", 1);
	test_expect(acl, "2001:db8:2:6::6", 0);
	/* The same low bits in another /32. */
	test_expect(acl, "2001:db9:1:ffff::1", 0);
	test_expect(acl, "2001:db9:2:6::7", 0);

	/* 2001:db9 holds a /56 only: 2001:db8's lengths are not its own. */
	test_add(acl, "2001:db9:0:100::/56");
	test_expect(acl, "2001:db9:0:1ff::1", 1);
	test_expect(acl, "2001:db9:0:200::1", 0);
	test_expect(acl, "2001:db9:2:3::1", 0);
	test_expect(acl, "2001:db9:8000::1", 0);
	test_expect(acl, "2001:db8:0:1ff::1", 0);

	/* A /32 rule is probed directly, a /33 beside it via the summary. */
	test_add(acl, "2001:dba::/32");
	test_add(acl, "2001:dbb::/33");
	test_expect(acl, "2001:dba:ffff::1", 1);
	test_expect(acl, "2001:dbb:7fff::1", 1);
	test_expect(acl, "2001:dbb:8000::1", 0);
	test_expect(acl, "2001:dbc::", 0);
	test_add(acl, "2001:db8::/31");
	test_expect(acl, "2001:db9:ffff::", 1);
	test_expect(acl, "2001:dbb:8000::1", 0);
	/* The /32 ::: a /33 and a /128 of the first /32 of all. */
	test_add(acl, "::8000:0:0:0:0:0/33");
	test_add(acl, "::2");
	test_expect(acl, "0:0:8000::1", 1);
	test_expect(acl, "::2", 1);
	test_expect(acl, "::1", 0);
	test_expect(acl, "0:1::2", 0);
	assert_int_equal(acl_count(acl), 12);
	acl_free(acl);
}

static void
test_bad_input(void **)
{
	struct acl	*acl = acl_new();
	char		 long_text[200];

	test_add_fails(acl, "999.1.1.1",
	    "\"999.1.1.1\": not an IPv4 or IPv6 address");
	test_add_fails(acl, "1.2.3.4/33",
	    "1.2.3.4/33: prefix length must be 0 to 32");
	test_add_fails(acl, "::/129", "::/129: prefix length must be 0 to 128");
	test_add_fails(acl, "", "empty address");
	test_add_fails(acl, nullptr, "empty address");
	test_add_fails(acl, "1.2.3.4/",
	    "\"1.2.3.4/\": missing prefix length after /");
	test_add_fails(acl, "garbage",
	    "\"garbage\": not an IPv4 or IPv6 address");
	test_add_fails(acl, " 1.2.3.4",
	    "\" 1.2.3.4\": not an IPv4 or IPv6 address");
	test_add_fails(acl, "1.2.3.4/8/8",
	    "\"1.2.3.4/8/8\": bad prefix length");
	test_add_fails(acl, "1.2.3.4/08", "\"1.2.3.4/08\": bad prefix length");
	test_add_fails(acl, "1.2.3.4/-1", "\"1.2.3.4/-1\": bad prefix length");
	test_add_fails(acl, "1.2.3.4/+8", "\"1.2.3.4/+8\": bad prefix length");
	test_add_fails(acl, "1.2.3.4/ 8", "\"1.2.3.4/ 8\": bad prefix length");
	test_add_fails(acl, "1.2.3.4/1000", "\"1.2.3.4/1000\": bad prefix "
	    "length");
	test_add_fails(acl, "::/999", "::/999: prefix length must be 0 to 128");
	test_add_fails(acl, "1.2.3.4 ", nullptr);
	test_add_fails(acl, "/8", nullptr);
	test_add_fails(acl, "/", nullptr);
	test_add_fails(acl, "1.2.3", nullptr);
	test_add_fails(acl, "1.2.3.4.5", nullptr);
	test_add_fails(acl, "01.2.3.4", nullptr);
	test_add_fails(acl, "0x7f.0.0.1", nullptr);
	test_add_fails(acl, "fe80::1%eth0", nullptr);
	test_add_fails(acl, "[::1]", nullptr);
	test_add_fails(acl, "1::2::3", nullptr);
	test_add_fails(acl, "allow-all", nullptr);
	/* Control characters never reach a log line. */
	test_add_fails(acl, "1.2.3.4\n",
	    "\"1.2.3.4?\": not an IPv4 or IPv6 address");
	/* Long text is cut in the message, and never overflows a buffer. */
	memset(long_text, '1', sizeof long_text - 1);
	long_text[sizeof long_text - 1] = '\0';
	test_add_fails(acl, long_text, "\"1111111111111111111111111111111111"
	    "111111111111111111111111111111...\": not an IPv4 or IPv6 address");
	assert_int_equal(acl_count(acl), 0);

	/* Nothing unparseable is ever admitted, even by an admit-all acl. */
	test_add(acl, "0.0.0.0/0");
	test_add(acl, "::/0");
	assert_true(acl_match(acl, "1.2.3.4"));
	assert_false(acl_match(acl, ""));
	assert_false(acl_match(acl, nullptr));
	assert_false(acl_match(acl, "garbage"));
	assert_false(acl_match(acl, "1.2.3.4 "));
	assert_false(acl_match(acl, "1.2.3.4/32"));
	assert_false(acl_match(acl, "fe80::1%eth0"));
	assert_false(acl_match(acl, "999.1.1.1"));
	assert_false(acl_match(acl, long_text));
	assert_false(acl_match_addr(acl, AF_UNIX, "1234"));
	assert_false(acl_match_addr(acl, AF_UNSPEC, "1234"));
	assert_false(acl_match_addr(acl, AF_INET, nullptr));
	acl_free(acl);
	acl_free(nullptr);
}

/* Sort key for counting distinct rules. */
static int
test_rule_cmp(const void *a, const void *b)
{
	const struct test_rule	*x = (const struct test_rule *)a;
	const struct test_rule	*y = (const struct test_rule *)b;

	if (x->family != y->family)
		return x->family - y->family;
	if (x->len != y->len)
		return x->len - y->len;
	return memcmp(x->net, y->net, 16);
}

static void
test_random_net(struct test_rule *r, unsigned char *addr, int len)
{
	int	 i, bytes = r->family == AF_INET ? 4 : 16;

	r->len = len;
	memset(r->net, 0, sizeof r->net);
	for (i = 0; i < bytes; i++) {
		if (8 * (i + 1) <= len)
			r->net[i] = addr[i];
		else if (8 * i < len)
			r->net[i] = addr[i] & (0xff << (8 - (len - 8 * i)));
	}
}

/* Does the reference rule admit this address? */
static int
test_rule_admits(const struct test_rule *r, int family, const unsigned char *a)
{
	int	 full = r->len / 8, rest = r->len % 8;

	if (r->family != family || memcmp(r->net, a, full) != 0)
		return 0;
	return rest == 0 ||
	    (a[full] & (0xff << (8 - rest)) & 0xff) == r->net[full];
}

/* A random address inside rule r. */
static void
test_inside(const struct test_rule *r, unsigned char *a)
{
	int	 i, bytes = r->family == AF_INET ? 4 : 16;
	int	 keep;

	for (i = 0; i < bytes; i++) {
		keep = r->len - 8 * i;
		if (keep >= 8)
			a[i] = r->net[i];
		else if (keep <= 0)
			a[i] = (unsigned char)test_random();
		else
			a[i] = r->net[i] | ((unsigned char)test_random() &
			    (0xff >> keep));
	}
}

/*
 * 100,000 random rules that cover little of the address space: v4 /20 to
 * /32, 100 of /10 to /16 (3% of it), a quarter of /17 to /32 inside 256
 * /16s, so that their summary masks name many lengths; v6 /16 to /128, a
 * third inside 64 /32s. A random address inside each one matches, and
 * addresses that are random, or beside a rule (one prefix bit flipped, or
 * the same /16 or /32 with other low bits), match exactly when a
 * brute-force scan of the rules says so.
 */
static void
test_random_rules(void **)
{
	struct test_rule	*rules, *sorted, *r;
	struct acl		*acl = acl_new();
	unsigned char		 a[16];
	char			 text[INET6_ADDRSTRLEN], cidr[ACL_TEXTLEN];
	unsigned char		 pool4[256][2], pool6[64][4];
	size_t			 i, j, distinct;
	uint64_t		 x;
	int			 want, got, bit, family, len, misses = 0;

	for (i = 0; i < nitems(pool4); i++) {
		x = test_random();
		memcpy(pool4[i], &x, sizeof pool4[i]);
	}
	for (i = 0; i < nitems(pool6); i++) {
		x = test_random();
		memcpy(pool6[i], &x, sizeof pool6[i]);
	}
	rules = XCALLOCARRAY(TEST_RULES, struct test_rule);
	for (i = 0; i < TEST_RULES; i++) {
		for (j = 0; j < 16; j += 8) {
			x = test_random();
			memcpy(a + j, &x, 8);
		}
		if (i % 5 == 4) {
			rules[i].family = AF_INET6;
			if (i % 3 == 0) {
				memcpy(a, pool6[test_random() % 64], 4);
				len = 33 + (int)(test_random() % 96);
			} else
				len = 16 + (int)(test_random() % 113);
		} else {
			rules[i].family = AF_INET;
			if (i % 1000 == 0)
				len = 10 + (int)(test_random() % 7);
			else if (i % 4 == 0) {
				memcpy(a, pool4[test_random() % 256], 2);
				len = 17 + (int)(test_random() % 16);
			} else
				len = 20 + (int)(test_random() % 13);
		}
		test_random_net(&rules[i], a, len);
		inet_ntop(rules[i].family, rules[i].net, text, sizeof text);
		snprintf(cidr, sizeof cidr, "%s/%d", text, rules[i].len);
		test_add(acl, cidr);
	}

	sorted = XCALLOCARRAY(TEST_RULES, struct test_rule);
	memcpy(sorted, rules, TEST_RULES * sizeof *rules);
	qsort(sorted, TEST_RULES, sizeof *sorted, test_rule_cmp);
	for (i = 0, distinct = 0; i < TEST_RULES; i++) {
		if (i == 0 || test_rule_cmp(&sorted[i - 1], &sorted[i]) != 0)
			distinct++;
	}
	assert_int_equal(acl_count(acl), distinct);
	free(sorted);

	for (i = 0; i < TEST_RULES; i++) {
		test_inside(&rules[i], a);
		if (!acl_match_addr(acl, rules[i].family, a)) {
			inet_ntop(rules[i].family, a, text, sizeof text);
			fail_msg("%s inside rule %zu is not admitted", text, i);
		}
		if (i % 10 == 0) {
			inet_ntop(rules[i].family, a, text, sizeof text);
			if (!acl_match(acl, text))
				fail_msg("\"%s\" is not admitted", text);
		}
	}

	for (i = 0; i < TEST_PROBES; i++) {
		r = &rules[test_random() % TEST_RULES];
		family = r->family;

		if (i % 3 == 0) {
			/* Near a rule: one of its prefix bits flipped. */
			test_inside(r, a);
			bit = (int)(test_random() % (uint64_t)r->len);
			a[bit / 8] ^= 0x80 >> (bit % 8);
		} else if (i % 3 == 1) {
			/* In its /16 or /32, which its summary names. */
			for (j = 0; j < 16; j += 8) {
				x = test_random();
				memcpy(a + j, &x, 8);
			}
			memcpy(a, r->net, family == AF_INET ? 2 : 4);
		} else {
			for (j = 0; j < 16; j += 8) {
				x = test_random();
				memcpy(a + j, &x, 8);
			}
		}
		want = 0;
		for (j = 0; j < TEST_RULES && !want; j++)
			want = test_rule_admits(&rules[j], family, a);
		got = acl_match_addr(acl, family, a);
		if (got != want) {
			inet_ntop(family, a, text, sizeof text);
			fail_msg("%s: acl says %d, a scan of the rules %d",
			    text, got, want);
		}
		if (!want)
			misses++;
	}
	/* The probes must have exercised both answers, mostly "no". */
	if (misses < TEST_PROBES * 2 / 3 || misses > TEST_PROBES * 95 / 100)
		fail_msg("%d of %d probes missed", misses, TEST_PROBES);
	free(rules);
	acl_free(acl);
}

static void
test_canonical(void **)
{
	char	 out[ACL_TEXTLEN], small[9], *cause = nullptr;

	test_canon("10.0.0.0/8", "10.0.0.0/8");
	test_canon("10.0.0.1", "10.0.0.1");
	test_canon("10.0.0.1/32", "10.0.0.1");
	test_canon("0.0.0.0/0", "0.0.0.0/0");
	test_canon("::/0", "::/0");
	test_canon("2001:0DB8:0000::/32", "2001:db8::/32");
	test_canon("2001:db8:0:0:0:0:0:1/128", "2001:db8::1");
	test_canon("2001:db8::1", "2001:db8::1");
	test_canon("fe80::/10", "fe80::/10");
	test_canon("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127");

	/* Checked as acl_add() checks. */
	assert_int_equal(acl_canonical("10.1.2.3/8", out, sizeof out, &cause),
	    -1);
	assert_string_equal(cause,
	    "10.1.2.3/8: host bits set; did you mean 10.0.0.0/8?");
	free(cause);
	cause = nullptr;
	assert_int_equal(acl_canonical("garbage", out, sizeof out, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = nullptr;

	/* "10.0.0.0/8" is 10 bytes and its NUL: 9 is too small, 11 fits. */
	assert_int_equal(acl_canonical("10.0.0.0/8", small, sizeof small,
	    &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = nullptr;
	assert_int_equal(acl_canonical("10.0.0.0/8", out, 11, &cause), 0);
	assert_string_equal(out, "10.0.0.0/8");
	assert_int_equal(acl_canonical("10.0.0.0/8", out, 10, &cause), -1);
	free(cause);
}

static void
test_hestia_allow_all(void **)
{
	struct acl	*acl;
	int		 skipped = -1, key;

	for (key = 0; key <= 1; key++) {
		acl = acl_from_hestia("allow-all", key, &skipped);
		assert_int_equal(skipped, 0);
		assert_int_equal(acl_count(acl), 2);
		test_expect(acl, "1.2.3.4", 1);
		test_expect(acl, "0.0.0.0", 1);
		test_expect(acl, "2001:db8::1", 1);
		test_expect(acl, "::ffff:1.2.3.4", 1);
		/* Unlike Hestia, an empty client address is denied. */
		assert_false(acl_match(acl, ""));
		acl_free(acl);
	}
}

/* Only the whole value is the keyword. */
static void
test_hestia_allow_all_in_list(void **)
{
	struct acl	*acl;
	int		 skipped = -1;

	acl = acl_from_hestia("allow-all,1.2.3.4", 1, &skipped);
	assert_int_equal(skipped, 1);
	assert_int_equal(acl_count(acl), 1);
	test_expect(acl, "1.2.3.4", 1);
	test_expect(acl, "5.6.7.8", 0);
	test_expect(acl, "2001:db8::1", 0);
	acl_free(acl);
	acl = acl_from_hestia("ALLOW-ALL", 1, &skipped);
	assert_int_equal(skipped, 1);
	test_expect(acl, "1.2.3.4", 0);
	acl_free(acl);
}

/* 0.0.0.0 is Hestia's v2 wildcard: every address for access keys only. */
static void
test_hestia_wildcard(void **)
{
	struct acl	*acl;
	int		 skipped = -1;

	acl = acl_from_hestia("1.2.3.4,0.0.0.0", 1, &skipped);
	assert_int_equal(skipped, 0);
	test_expect(acl, "1.2.3.4", 1);
	test_expect(acl, "9.9.9.9", 1);
	test_expect(acl, "2001:db8::1", 1);
	acl_free(acl);

	acl = acl_from_hestia("1.2.3.4,0.0.0.0", 0, &skipped);
	assert_int_equal(skipped, 0);
	assert_int_equal(acl_count(acl), 2);
	test_expect(acl, "1.2.3.4", 1);
	test_expect(acl, "0.0.0.0", 1);
	test_expect(acl, "9.9.9.9", 0);
	test_expect(acl, "2001:db8::1", 0);
	acl_free(acl);

	/* Hestia compares the entry exactly: these are not the wildcard. */
	acl = acl_from_hestia("0.0.0.0/32,::", 1, &skipped);
	assert_int_equal(skipped, 0);
	test_expect(acl, "9.9.9.9", 0);
	test_expect(acl, "0.0.0.0", 1);
	test_expect(acl, "2001:db8::1", 0);
	acl_free(acl);
}

/* Hestia does not trim: a spaced entry never matched, and is skipped. */
static void
test_hestia_spaced(void **)
{
	struct acl	*acl;
	int		 skipped = -1;

	mock_log_last[0] = '\0';
	acl = acl_from_hestia("1.2.3.4, 5.6.7.8", 1, &skipped);
	assert_int_equal(skipped, 1);
	assert_non_null(strstr(mock_log_last, "\" 5.6.7.8\""));
	test_expect(acl, "1.2.3.4", 1);
	test_expect(acl, "5.6.7.8", 0);
	acl_free(acl);

	acl = acl_from_hestia(" 1.2.3.4,5.6.7.8 ,1.2.3.0/24,junk", 0,
	    &skipped);
	assert_int_equal(skipped, 3);
	assert_int_equal(acl_count(acl), 1);
	test_expect(acl, "1.2.3.9", 1);
	test_expect(acl, "5.6.7.8", 0);
	acl_free(acl);
}

static void
test_hestia_empty(void **)
{
	struct acl	*acl;
	int		 skipped = -1;

	acl = acl_from_hestia("", 1, &skipped);
	assert_int_equal(skipped, 0);
	assert_int_equal(acl_count(acl), 0);
	test_expect(acl, "1.2.3.4", 0);
	test_expect(acl, "0.0.0.0", 0);
	test_expect(acl, "::", 0);
	assert_false(acl_match(acl, ""));
	acl_free(acl);

	/* Empty entries are skipped too: Hestia's implicit "" admits nobody. */
	acl = acl_from_hestia(",,", 1, &skipped);
	assert_int_equal(skipped, 3);
	assert_int_equal(acl_count(acl), 0);
	assert_false(acl_match(acl, ""));
	acl_free(acl);
	acl = acl_from_hestia("1.2.3.4,", 1, &skipped);
	assert_int_equal(skipped, 1);
	test_expect(acl, "1.2.3.4", 1);
	acl_free(acl);
	acl = acl_from_hestia(nullptr, 1, nullptr);
	assert_int_equal(acl_count(acl), 0);
	acl_free(acl);
}

/* Beyond Hestia: CIDR entries, canonical v6 and v4-mapped clients. */
static void
test_hestia_cidr(void **)
{
	struct acl	*acl;
	int		 skipped = -1;

	acl = acl_from_hestia("10.0.0.0/8,2001:0db8::1,10.1.2.3/8", 0,
	    &skipped);
	assert_int_equal(skipped, 1);
	test_expect(acl, "10.2.3.4", 1);
	test_expect(acl, "::ffff:10.2.3.4", 1);
	test_expect(acl, "11.0.0.1", 0);
	test_expect(acl, "2001:db8::1", 1);
	test_expect(acl, "2001:db8::2", 0);
	acl_free(acl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_slash0),
		cmocka_unit_test(test_v6_slash0),
		cmocka_unit_test(test_v4_slash32),
		cmocka_unit_test(test_v6_slash128),
		cmocka_unit_test(test_v6_bare_is_128),
		cmocka_unit_test(test_mapped_client),
		cmocka_unit_test(test_mapped_rule),
		cmocka_unit_test(test_hostbits_v4),
		cmocka_unit_test(test_hostbits_v6),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_boundaries_v4),
		cmocka_unit_test(test_boundaries_v6),
		cmocka_unit_test(test_v6_low_half),
		cmocka_unit_test(test_cover_v4),
		cmocka_unit_test(test_summary_v4),
		cmocka_unit_test(test_summary_v4_flat),
		cmocka_unit_test(test_summary_v6),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_random_rules),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_hestia_allow_all),
		cmocka_unit_test(test_hestia_allow_all_in_list),
		cmocka_unit_test(test_hestia_wildcard),
		cmocka_unit_test(test_hestia_spaced),
		cmocka_unit_test(test_hestia_empty),
		cmocka_unit_test(test_hestia_cidr),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
