/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lockout.cc: counts, bans, windows and the bounded table, on a fake clock. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "lockout.h"

/* A start far from 0, so no arithmetic gets away with a zero time. */
#define T0	1700000000

static const struct lockout_conf test_default = { 5, 600, 600 };

static void
test_init(int failures, int window, int ban, size_t max_entries)
{
	struct lockout_conf	 c;

	c.max_failures = failures;
	c.window = window;
	c.ban = ban;
	lockout_init(&c, max_entries);
}

/* n failures of one address at one time; the result of each but the last
 * must be 0, the last one's is returned. */
static int
test_fail_n(const char *ip, int n, time_t now)
{
	int	 i;

	for (i = 0; i < n - 1; i++)
		assert_int_equal(lockout_failure(ip, now), 0);
	return lockout_failure(ip, now);
}

static void
test_addr(char *buf, size_t len, int i)
{
	snprintf(buf, len, "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255,
	    i & 255);
}

static int
test_teardown(void **)
{
	lockout_free();
	return 0;
}

static void
test_lockout_parse_good(void **)
{
	struct lockout_conf	 c;

	assert_int_equal(lockout_parse("5/600/600", &c), 0);
	assert_int_equal(c.max_failures, 5);
	assert_int_equal(c.window, 600);
	assert_int_equal(c.ban, 600);
	assert_int_equal(lockout_parse("1/1/1", &c), 0);
	assert_int_equal(c.max_failures, 1);
	assert_int_equal(c.window, 1);
	assert_int_equal(c.ban, 1);
	assert_int_equal(lockout_parse("10/60/86400", &c), 0);
	assert_int_equal(c.max_failures, 10);
	assert_int_equal(c.window, 60);
	assert_int_equal(c.ban, 86400);
	assert_int_equal(lockout_parse("007/2147483647/3", &c), 0);
	assert_int_equal(c.max_failures, 7);
	assert_int_equal(c.window, INT_MAX);
	assert_int_equal(c.ban, 3);
}

static void
test_lockout_parse_bad(void **)
{
	static const char	*bad[] = {
		"", "5", "5/600", "5/600/", "/600/600", "5//600",
		"5/600/600/1", "0/600/600", "5/0/600", "5/600/0", "00/1/1",
		"-1/600/600", "5/-600/600", "+5/600/600", " 5/600/600",
		"5 /600/600", "5/600/600 ", "5/600/600\n", "5/600/600x",
		"a/b/c", "5.0/600/600", "0x5/600/600", "5,600,600",
		"2147483648/1/1", "1/99999999999999999999/1", "1/1/4294967301",
	};
	struct lockout_conf	 c = { 9, 99, 999 };
	size_t			 i;

	for (i = 0; i < nitems(bad); i++) {
		if (lockout_parse(bad[i], &c) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		/* A failed parse leaves the conf alone. */
		assert_int_equal(c.max_failures, 9);
		assert_int_equal(c.window, 99);
		assert_int_equal(c.ban, 999);
	}
	assert_int_equal(lockout_parse(nullptr, &c), -1);
}

/* 4 failures do not ban, the 5th does and says so once. */
static void
test_lockout_fifth_bans(void **)
{
	int	 i;

	lockout_init(&test_default, 8192);
	for (i = 0; i < 4; i++) {
		assert_int_equal(lockout_failure("192.0.2.1", T0 + i), 0);
		assert_int_equal(lockout_banned("192.0.2.1", T0 + i), 0);
	}
	assert_int_equal(lockout_failure("192.0.2.1", T0 + 4), 1);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 4), 600);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 5), 599);
	assert_int_equal(lockout_size(), 1);
}

/* A clock that steps back does not make a ban longer than ban seconds,
 * nor end a window early. */
static void
test_lockout_clock_back(void **)
{
	lockout_init(&test_default, 16);
	assert_int_equal(test_fail_n("192.0.2.1", 5, T0 + 100), 1);
	assert_int_equal(lockout_banned("192.0.2.1", T0), 600);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 699), 1);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 700), 0);
	assert_int_equal(test_fail_n("192.0.2.2", 4, T0 + 1000), 0);
	assert_int_equal(lockout_failure("192.0.2.2", T0 + 900), 1);
}

/* A single failure bans when the limit is 1. */
static void
test_lockout_limit_one(void **)
{
	test_init(1, 600, 30, 16);
	assert_int_equal(lockout_banned("192.0.2.1", T0), 0);
	assert_int_equal(lockout_failure("192.0.2.1", T0), 1);
	assert_int_equal(lockout_banned("192.0.2.1", T0), 30);
}

/* The ban ends at exactly ban seconds after the failure that started it,
 * and then the address starts from zero. */
static void
test_lockout_ban_expires(void **)
{
	lockout_init(&test_default, 8192);
	assert_int_equal(test_fail_n("192.0.2.1", 5, T0), 1);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 599), 1);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 600), 0);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 601), 0);
	/* From zero: 4 more do not ban, a 5th does. */
	assert_int_equal(test_fail_n("192.0.2.1", 4, T0 + 601), 0);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 601), 0);
	assert_int_equal(lockout_failure("192.0.2.1", T0 + 602), 1);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 602), 600);
}

/* The same, when the first sign of the end is a failure, not a check. */
static void
test_lockout_failure_after_ban(void **)
{
	lockout_init(&test_default, 8192);
	assert_int_equal(test_fail_n("192.0.2.1", 5, T0), 1);
	assert_int_equal(lockout_failure("192.0.2.1", T0 + 600), 0);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 600), 0);
	assert_int_equal(test_fail_n("192.0.2.1", 3, T0 + 600), 0);
	assert_int_equal(lockout_failure("192.0.2.1", T0 + 600), 1);
}

/* Failures during a ban neither extend it nor start another. */
static void
test_lockout_banned_not_counted(void **)
{
	int	 i;

	lockout_init(&test_default, 8192);
	assert_int_equal(test_fail_n("192.0.2.1", 5, T0), 1);
	for (i = 1; i < 600; i++)
		assert_int_equal(lockout_failure("192.0.2.1", T0 + i), 0);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 599), 1);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 600), 0);
	assert_int_equal(lockout_failure("192.0.2.1", T0 + 600), 0);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 600), 0);
}

/* Failures spread wider than the window never ban; the window counts from
 * its first failure up to, not including, first + window. */
static void
test_lockout_window(void **)
{
	time_t	 t = T0;
	int	 i;

	lockout_init(&test_default, 8192);
	for (i = 0; i < 100; i++) {
		assert_int_equal(lockout_failure("192.0.2.1", t + i * 151), 0);
		assert_int_equal(lockout_banned("192.0.2.1", t + i * 151), 0);
	}
	for (i = 0; i < 100; i++)
		assert_int_equal(lockout_failure("192.0.2.2", t + i * 600), 0);

	/* The last second of the window still counts... */
	t += 100 * 600;
	assert_int_equal(test_fail_n("192.0.2.3", 4, t), 0);
	assert_int_equal(lockout_failure("192.0.2.3", t + 599), 1);
	/* ...its end opens a new one. */
	assert_int_equal(test_fail_n("192.0.2.4", 4, t), 0);
	assert_int_equal(lockout_failure("192.0.2.4", t + 600), 0);
	assert_int_equal(test_fail_n("192.0.2.4", 3, t + 601), 0);
	assert_int_equal(lockout_failure("192.0.2.4", t + 1199), 1);
}

/* A ban and a count belong to one address only. */
static void
test_lockout_other_ips(void **)
{
	lockout_init(&test_default, 8192);
	assert_int_equal(test_fail_n("192.0.2.1", 4, T0), 0);
	assert_int_equal(test_fail_n("192.0.2.2", 4, T0), 0);
	assert_int_equal(lockout_failure("192.0.2.1", T0 + 1), 1);
	assert_int_equal(lockout_banned("192.0.2.2", T0 + 1), 0);
	assert_int_equal(lockout_banned("192.0.2.10", T0 + 1), 0);
	assert_int_equal(lockout_banned("192.0.2.", T0 + 1), 0);
	assert_int_equal(lockout_banned("", T0 + 1), 0);
	assert_int_equal(lockout_failure("192.0.2.2", T0 + 2), 1);
	assert_int_equal(lockout_failure("192.0.2.3", T0 + 2), 0);
	assert_int_equal(lockout_banned("192.0.2.3", T0 + 2), 0);
	assert_int_equal(lockout_size(), 3);
}

/* IPv6 text, up to the longest form, compared exactly. */
static void
test_lockout_ipv6(void **)
{
	const char	*lng = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
	const char	*lng2 = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.254";

	assert_int_equal(strlen(lng), LOCKOUT_IPLEN);
	lockout_init(&test_default, 8192);
	assert_int_equal(test_fail_n("2001:db8::1", 5, T0), 1);
	assert_int_equal(lockout_banned("2001:db8::1", T0), 600);
	assert_int_equal(lockout_banned("2001:db8::2", T0), 0);
	assert_int_equal(lockout_banned("2001:DB8::1", T0), 0);
	assert_int_equal(lockout_banned("2001:db8::", T0), 0);

	assert_int_equal(test_fail_n("::ffff:192.0.2.1", 5, T0), 1);
	assert_int_equal(lockout_banned("192.0.2.1", T0), 0);

	assert_int_equal(test_fail_n(lng, 4, T0), 0);
	assert_int_equal(test_fail_n(lng2, 4, T0), 0);
	assert_int_equal(lockout_failure(lng, T0), 1);
	assert_int_equal(lockout_banned(lng, T0), 600);
	assert_int_equal(lockout_banned(lng2, T0), 0);
	assert_int_equal(lockout_size(), 4);
}

/* A string longer than any address is cut, so it cannot escape counting:
 * two that differ only past the cut share one entry. */
static void
test_lockout_long_string_cut(void **)
{
	char	 a[80], b[80];

	memset(a, 'a', 60);
	a[60] = '\0';
	memcpy(b, a, sizeof a);
	b[LOCKOUT_IPLEN] = 'b';
	lockout_init(&test_default, 8192);
	assert_int_equal(test_fail_n(a, 4, T0), 0);
	assert_int_equal(lockout_failure(b, T0), 1);
	assert_int_equal(lockout_banned(a, T0), 600);
	assert_int_equal(lockout_size(), 1);
}

/* 1000 addresses through a table of 16: it never holds more, and it keeps
 * the most recent ones with their counts. */
static void
test_lockout_capacity(void **)
{
	char	 ip[32];
	int	 i;

	lockout_init(&test_default, 16);
	for (i = 0; i < 1000; i++) {
		test_addr(ip, sizeof ip, i);
		assert_int_equal(lockout_failure(ip, T0), 0);
		assert_true(lockout_size() <= 16);
	}
	assert_int_equal(lockout_size(), 16);
	for (i = 1000 - 16; i < 1000; i++) {
		test_addr(ip, sizeof ip, i);
		assert_int_equal(test_fail_n(ip, 4, T0 + 1), 1);
	}
	assert_int_equal(lockout_size(), 16);
	for (i = 1000 - 16; i < 1000; i++) {
		test_addr(ip, sizeof ip, i);
		assert_int_equal(lockout_banned(ip, T0 + 2), 599);
	}
}

/* A flood of single failures from other addresses does not lift a ban. */
static void
test_lockout_ban_survives_flood(void **)
{
	char	 ip[32];
	int	 i;

	lockout_init(&test_default, 16);
	assert_int_equal(test_fail_n("2001:db8::bad", 5, T0), 1);
	for (i = 0; i < 1000; i++) {
		test_addr(ip, sizeof ip, i);
		assert_int_equal(lockout_failure(ip, T0 + 1), 0);
	}
	assert_int_equal(lockout_size(), 16);
	assert_int_equal(lockout_banned("2001:db8::bad", T0 + 2), 598);
}

/* An address whose window has passed goes before the least recently
 * failed one, which keeps its count: on a failure, and when shrinking. */
static void
test_lockout_evict_expired_first(void **)
{
	lockout_init(&test_default, 2);
	assert_int_equal(lockout_failure("192.0.2.1", T0), 0);
	assert_int_equal(lockout_failure("192.0.2.2", T0 + 500), 0);
	assert_int_equal(lockout_failure("192.0.2.1", T0 + 599), 0);
	/* .1 failed last, but its window ended at T0 + 600. */
	assert_int_equal(lockout_failure("192.0.2.3", T0 + 650), 0);
	assert_int_equal(lockout_size(), 2);
	assert_int_equal(test_fail_n("192.0.2.2", 3, T0 + 651), 0);
	assert_int_equal(lockout_failure("192.0.2.2", T0 + 652), 1);
	lockout_free();

	lockout_init(&test_default, 16);
	assert_int_equal(lockout_failure("192.0.2.1", T0), 0);
	assert_int_equal(lockout_failure("192.0.2.2", T0 + 500), 0);
	assert_int_equal(lockout_failure("192.0.2.1", T0 + 599), 0);
	assert_int_equal(lockout_banned("192.0.2.9", T0 + 650), 0);
	/* Growing first must keep the order of windows as well. */
	lockout_init(&test_default, 32);
	lockout_init(&test_default, 1);
	assert_int_equal(lockout_size(), 1);
	assert_int_equal(test_fail_n("192.0.2.2", 3, T0 + 651), 0);
	assert_int_equal(lockout_failure("192.0.2.2", T0 + 652), 1);
}

/* Otherwise it drops the least recently failed address, not a ban. */
static void
test_lockout_evict_lru(void **)
{
	lockout_init(&test_default, 3);
	assert_int_equal(test_fail_n("192.0.2.1", 5, T0), 1);
	assert_int_equal(test_fail_n("192.0.2.2", 2, T0 + 1), 0);
	assert_int_equal(test_fail_n("192.0.2.3", 2, T0 + 2), 0);
	assert_int_equal(lockout_failure("192.0.2.2", T0 + 3), 0);
	/* .3 is now the least recently failed. */
	assert_int_equal(lockout_failure("192.0.2.4", T0 + 4), 0);
	assert_int_equal(lockout_size(), 3);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 4), 596);
	/* .2 kept its 3. */
	assert_int_equal(lockout_failure("192.0.2.2", T0 + 5), 0);
	assert_int_equal(lockout_failure("192.0.2.2", T0 + 5), 1);
	/* .3 lost its 2 (and coming back pushes out .4). */
	assert_int_equal(test_fail_n("192.0.2.3", 4, T0 + 6), 0);
	assert_int_equal(lockout_failure("192.0.2.3", T0 + 6), 1);
}

/* Only a table full of bans drops a ban, and then the oldest. */
static void
test_lockout_evict_oldest_ban(void **)
{
	lockout_init(&test_default, 2);
	assert_int_equal(test_fail_n("192.0.2.1", 5, T0), 1);
	assert_int_equal(test_fail_n("192.0.2.2", 5, T0 + 10), 1);
	assert_int_equal(lockout_failure("192.0.2.3", T0 + 20), 0);
	assert_int_equal(lockout_size(), 2);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 21), 0);
	assert_int_equal(lockout_banned("192.0.2.2", T0 + 21), 589);
}

/* An ended ban holds nothing: it is dropped, not kept. */
static void
test_lockout_ended_ban_dropped(void **)
{
	lockout_init(&test_default, 16);
	assert_int_equal(test_fail_n("192.0.2.1", 5, T0), 1);
	assert_int_equal(test_fail_n("192.0.2.2", 5, T0 + 10), 1);
	assert_int_equal(lockout_size(), 2);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 600), 0);
	assert_int_equal(lockout_size(), 1);
	assert_int_equal(lockout_banned("192.0.2.2", T0 + 600), 10);
}

/* A full table gives an ended ban's place to a newcomer before the least
 * recently failed address's. */
static void
test_lockout_evict_ended_ban(void **)
{
	lockout_init(&test_default, 3);
	assert_int_equal(test_fail_n("192.0.2.1", 5, T0), 1);
	assert_int_equal(test_fail_n("192.0.2.2", 5, T0 + 10), 1);
	assert_int_equal(lockout_failure("192.0.2.3", T0 + 500), 0);
	assert_int_equal(lockout_failure("192.0.2.4", T0 + 600), 0);
	assert_int_equal(lockout_size(), 3);
	assert_int_equal(lockout_banned("192.0.2.2", T0 + 600), 10);
	assert_int_equal(test_fail_n("192.0.2.3", 3, T0 + 601), 0);
	assert_int_equal(lockout_failure("192.0.2.3", T0 + 601), 1);
	lockout_free();

	/* The same when shrinking. */
	lockout_init(&test_default, 16);
	assert_int_equal(test_fail_n("192.0.2.1", 5, T0), 1);
	assert_int_equal(lockout_failure("192.0.2.3", T0 + 500), 0);
	assert_int_equal(lockout_banned("192.0.2.9", T0 + 600), 0);
	lockout_init(&test_default, 1);
	assert_int_equal(lockout_size(), 1);
	assert_int_equal(test_fail_n("192.0.2.3", 3, T0 + 601), 0);
	assert_int_equal(lockout_failure("192.0.2.3", T0 + 601), 1);
}

/* Entries that hold nothing any more (passed windows, ended bans) go as
 * the clock moves on, so lockout_size() tells what is live. */
static void
test_lockout_size_live(void **)
{
	char	 ip[32];
	int	 i;

	lockout_init(&test_default, 64);
	for (i = 0; i < 5; i++) {
		test_addr(ip, sizeof ip, i);
		assert_int_equal(lockout_failure(ip, T0), 0);
	}
	for (i = 5; i < 8; i++) {
		test_addr(ip, sizeof ip, i);
		assert_int_equal(test_fail_n(ip, 5, T0), 1);
	}
	assert_int_equal(lockout_size(), 8);
	assert_int_equal(test_fail_n("192.0.2.1", 4, T0 + 599), 0);
	assert_int_equal(lockout_size(), 9);
	assert_int_equal(test_fail_n("192.0.2.2", 4, T0 + 600), 0);
	assert_int_equal(lockout_size(), 2);
}

/* Called again with new numbers, init keeps the entries and applies the
 * numbers to them. */
static void
test_lockout_reinit_keeps(void **)
{
	lockout_init(&test_default, 16);
	assert_int_equal(test_fail_n("192.0.2.1", 5, T0), 1);
	assert_int_equal(test_fail_n("192.0.2.2", 3, T0), 0);
	assert_int_equal(lockout_size(), 2);

	test_init(4, 600, 60, 16);
	assert_int_equal(lockout_size(), 2);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 30), 30);
	assert_int_equal(lockout_failure("192.0.2.2", T0 + 30), 1);
	assert_int_equal(lockout_banned("192.0.2.2", T0 + 30), 60);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 60), 0);
}

/* A new max_entries keeps entries (growing) or the most valuable ones
 * (shrinking), with their order. */
static void
test_lockout_reinit_resize(void **)
{
	lockout_init(&test_default, 16);
	assert_int_equal(test_fail_n("192.0.2.1", 5, T0), 1);
	assert_int_equal(test_fail_n("192.0.2.2", 2, T0 + 1), 0);
	assert_int_equal(test_fail_n("192.0.2.3", 2, T0 + 2), 0);
	assert_int_equal(test_fail_n("192.0.2.4", 2, T0 + 3), 0);

	lockout_init(&test_default, 64);
	assert_int_equal(lockout_size(), 4);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 4), 596);

	/* Shrinking drops .2, the least recently failed, then .3. */
	lockout_init(&test_default, 2);
	assert_int_equal(lockout_size(), 2);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 4), 596);
	assert_int_equal(test_fail_n("192.0.2.4", 2, T0 + 5), 0);
	assert_int_equal(lockout_failure("192.0.2.4", T0 + 5), 1);
	assert_int_equal(lockout_size(), 2);

	/* Growing again keeps both bans and the hash chains. */
	lockout_init(&test_default, 100);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 6), 594);
	assert_int_equal(lockout_banned("192.0.2.4", T0 + 6), 599);
	assert_int_equal(test_fail_n("192.0.2.2", 4, T0 + 6), 0);
	assert_int_equal(lockout_failure("192.0.2.2", T0 + 6), 1);

	/* Down to 1 keeps the newest ban. */
	lockout_init(&test_default, 1);
	assert_int_equal(lockout_size(), 1);
	assert_int_equal(lockout_banned("192.0.2.1", T0 + 7), 0);
	assert_int_equal(lockout_banned("192.0.2.4", T0 + 7), 0);
	assert_int_equal(lockout_banned("192.0.2.2", T0 + 7), 599);
}

/* After lockout_free nothing is held or counted; init starts afresh. */
static void
test_lockout_free_then_init(void **)
{
	assert_int_equal(lockout_failure("192.0.2.1", T0), 0);
	assert_int_equal(lockout_banned("192.0.2.1", T0), 0);
	assert_int_equal(lockout_size(), 0);

	lockout_init(&test_default, 16);
	assert_int_equal(test_fail_n("192.0.2.1", 5, T0), 1);
	assert_int_equal(lockout_size(), 1);
	lockout_free();
	assert_int_equal(lockout_size(), 0);
	assert_int_equal(lockout_banned("192.0.2.1", T0), 0);
	assert_int_equal(lockout_failure("192.0.2.1", T0), 0);
	lockout_free();

	lockout_init(&test_default, 16);
	assert_int_equal(lockout_size(), 0);
	assert_int_equal(lockout_banned("192.0.2.1", T0), 0);
	assert_int_equal(test_fail_n("192.0.2.1", 4, T0), 0);
	assert_int_equal(lockout_failure("192.0.2.1", T0), 1);
	assert_int_equal(lockout_banned("192.0.2.1", T0), 600);
}

/* Many addresses, bans and ends in a mid-sized table: every address
 * behaves as if it had the table to itself while it fits. */
static void
test_lockout_churn(void **)
{
	char	 ip[32];
	int	 i, round;

	lockout_init(&test_default, 256);
	for (round = 0; round < 4; round++) {
		for (i = 0; i < 200; i++) {
			test_addr(ip, sizeof ip, round * 1000 + i);
			assert_int_equal(test_fail_n(ip, 4, T0 + round * 700),
			    0);
		}
		for (i = 0; i < 200; i += 2) {
			test_addr(ip, sizeof ip, round * 1000 + i);
			assert_int_equal(lockout_failure(ip,
			    T0 + round * 700 + 1), 1);
		}
		for (i = 0; i < 200; i++) {
			test_addr(ip, sizeof ip, round * 1000 + i);
			assert_int_equal(lockout_banned(ip,
			    T0 + round * 700 + 2), i % 2 == 0 ? 599 : 0);
		}
		assert_true(lockout_size() <= 256);
	}
}

#define TEST(f) cmocka_unit_test_teardown(f, test_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_lockout_parse_good),
		TEST(test_lockout_parse_bad),
		TEST(test_lockout_fifth_bans),
		TEST(test_lockout_limit_one),
		TEST(test_lockout_clock_back),
		TEST(test_lockout_ban_expires),
		TEST(test_lockout_failure_after_ban),
		TEST(test_lockout_banned_not_counted),
		TEST(test_lockout_window),
		TEST(test_lockout_other_ips),
		TEST(test_lockout_ipv6),
		TEST(test_lockout_long_string_cut),
		TEST(test_lockout_capacity),
		TEST(test_lockout_ban_survives_flood),
		TEST(test_lockout_evict_expired_first),
		TEST(test_lockout_evict_lru),
		TEST(test_lockout_evict_oldest_ban),
		TEST(test_lockout_ended_ban_dropped),
		TEST(test_lockout_evict_ended_ban),
		TEST(test_lockout_size_live),
		TEST(test_lockout_reinit_keeps),
		TEST(test_lockout_reinit_resize),
		TEST(test_lockout_free_then_init),
		TEST(test_lockout_churn),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
