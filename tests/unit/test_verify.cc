/* SPDX-License-Identifier: GPL-3.0-or-later */
/* verify.cc on a real event loop and one worker, with argon2id hashes at
 * a low test cost; a FIFO as a shadow file holds the worker busy, so that
 * what is queued stays queued for as long as a test needs. */
#include <sys/stat.h>

#include <crypt.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "config.h"
#include "key.h"
#include "verify.h"

extern char	 mock_log_last[1024];
extern int	 mock_log_count;

#define TEST_SECRET	"abcdefghijABCDEFGHIJ0123456789abcdefghij"
#define TEST_WRONG	"abcdefghijABCDEFGHIJ0123456789abcdefghiX"
#define TEST_MAX_JOBS	4
#define TEST_PER_ADDR	2

/* What a verify callback saw. */
struct test_done {
	int	 called;
	int	 result;
};

/* What the settle hook saw. */
static struct {
	int	 n;
	int	 result;
	char	 who[64];
	char	 client[64];
	char	 addr[64];
} test_settled;

static const struct argon2_cost test_cost = { 1, 64, 1 };

static struct event_base	*test_base;
static struct event		*test_tick;
static char			*test_hash;	/* of TEST_SECRET */
static char			*test_hash2;	/* the same, another salt */
static char			 test_dir[] = "/tmp/test_verify.XXXXXX";
static char			 test_shadow[128];
static char			 test_fifo[128];

static void
test_tick_cb(evutil_socket_t, short, void *)
{
}

static void
test_settle_cb(const char *who, const char *client, const char *addr,
    int result)
{
	test_settled.n++;
	test_settled.result = result;
	snprintf(test_settled.who, sizeof test_settled.who, "%s", who);
	snprintf(test_settled.client, sizeof test_settled.client, "%s",
	    client);
	snprintf(test_settled.addr, sizeof test_settled.addr, "%s", addr);
}

static int
test_group_setup(void **)
{
	struct timeval	 tv = { 0, 50000 };
	char		*cause = nullptr;

	if ((test_base = event_base_new()) == nullptr)
		return -1;
	/* A tick, so EVLOOP_ONCE always comes back to check the deadline. */
	test_tick = event_new(test_base, -1, EV_PERSIST, test_tick_cb, nullptr);
	event_add(test_tick, &tv);
	if (verify_init(test_base, 1, TEST_MAX_JOBS, TEST_PER_ADDR,
	    test_settle_cb) == -1)
		return -1;
	if (mkdtemp(test_dir) == nullptr)
		return -1;
	snprintf(test_shadow, sizeof test_shadow, "%s/shadow", test_dir);
	snprintf(test_fifo, sizeof test_fifo, "%s/fifo", test_dir);
	if (mkfifo(test_fifo, 0600) == -1)
		return -1;
	test_hash = key_hash(TEST_SECRET, &test_cost, &cause);
	test_hash2 = key_hash(TEST_SECRET, &test_cost, &cause);
	if (test_hash == nullptr || test_hash2 == nullptr)
		return -1;
	return 0;
}

static int
test_group_teardown(void **)
{
	verify_shutdown();
	event_free(test_tick);
	event_base_free(test_base);
	free(test_hash);
	free(test_hash2);
	unlink(test_shadow);
	unlink(test_fifo);
	rmdir(test_dir);
	return 0;
}

static int
test_setup(void **)
{
	memset(&test_settled, 0, sizeof test_settled);
	return 0;
}

static double
test_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_done_cb(int result, void *arg)
{
	struct test_done	*d = (struct test_done *)arg;

	d->called++;
	d->result = result;
}

/* Run the loop until d has been called back, at most secs. */
static int
test_wait(struct test_done *d, int secs)
{
	double	 deadline = test_now() + secs;

	while (d->called == 0 && test_now() < deadline)
		event_base_loop(test_base, EVLOOP_ONCE);
	return d->called != 0;
}

/* Run the loop until nothing is in flight any more. */
static void
test_drain(void)
{
	double	 deadline = test_now() + 10;

	while (verify_pending() > 0 && test_now() < deadline)
		event_base_loop(test_base, EVLOOP_ONCE);
	assert_int_equal(verify_pending(), 0);
}

static struct verify *
test_start(const char *id, const char *hash, const char *secret,
    const char *addr, struct test_done *d)
{
	struct verify_req	 vr;
	int			 busy = 0;

	memset(&vr, 0, sizeof vr);
	vr.id = id;
	vr.encoded = hash;
	vr.secret = secret;
	vr.addr = addr;
	vr.client = addr;
	vr.who = id;
	return verify_start(&vr, test_done_cb, d, &busy);
}

static int	 test_hold_fd = -1;

/*
 * Hold the one worker in a shadow check of the FIFO: it opens it for
 * reading, which succeeds once we open it for writing, then waits in its
 * read for as long as our end stays open. When our open succeeds, the
 * worker has taken the run off the queue: what is queued next stays
 * queued until test_release.
 */
static void
test_hold(struct test_done *d)
{
	struct verify_req	 vr;
	int			 busy = 0;
	double			 deadline = test_now() + 10;

	memset(&vr, 0, sizeof vr);
	vr.id = "holder";
	vr.secret = "x";
	vr.shadow_file = test_fifo;
	vr.user = "nobody";
	vr.addr = "hold";
	vr.client = "hold";
	vr.who = "hold";
	assert_non_null(verify_start(&vr, test_done_cb, d, &busy));
	while ((test_hold_fd = open(test_fifo, O_WRONLY | O_NONBLOCK)) == -1 &&
	    test_now() < deadline)
		usleep(1000);
	assert_int_not_equal(test_hold_fd, -1);
}

/* Let the holder's read end (nothing in it: no match). */
static void
test_release(struct test_done *d)
{
	close(test_hold_fd);
	test_hold_fd = -1;
	assert_true(test_wait(d, 10));
	assert_int_equal(d->result, VERIFY_FAIL);
}

/* The right secret: ok, from the loop, and cached for exactly this
 * (id, hash, secret); a success settles as VERIFY_OK. */
static void
test_verify_right(void **)
{
	const char		*id = "RightRightRight00001";
	struct test_done	 d = {};

	assert_int_equal(verify_cached(id, test_hash, TEST_SECRET), 0);
	assert_non_null(test_start(id, test_hash, TEST_SECRET, "192.0.2.1",
	    &d));
	assert_int_equal(d.called, 0);
	assert_int_equal(verify_inflight("192.0.2.1"), 1);
	assert_true(test_wait(&d, 10));
	assert_int_equal(d.called, 1);
	assert_int_equal(d.result, VERIFY_OK);
	assert_int_equal(test_settled.n, 1);
	assert_int_equal(test_settled.result, VERIFY_OK);
	assert_int_equal(verify_inflight("192.0.2.1"), 0);

	assert_int_equal(verify_cached(id, test_hash, TEST_SECRET), 1);
	assert_int_equal(verify_cached(id, test_hash, TEST_WRONG), 0);
	assert_int_equal(verify_cached(id, test_hash, ""), 0);
	/* The row changed: another hash of the same secret. */
	assert_int_equal(verify_cached(id, test_hash2, TEST_SECRET), 0);
	assert_int_equal(verify_cached("RightRightRight00002", test_hash,
	    TEST_SECRET), 0);
	verify_forget(id);
}

/* A wrong secret: a failure, settled with who, client and address, and
 * nothing cached. */
static void
test_verify_wrong(void **)
{
	const char		*id = "WrongWrongWrong00001";
	struct test_done	 d = {};

	assert_non_null(test_start(id, test_hash, TEST_WRONG, "192.0.2.2",
	    &d));
	assert_true(test_wait(&d, 10));
	assert_int_equal(d.called, 1);
	assert_int_equal(d.result, VERIFY_FAIL);
	assert_int_equal(test_settled.n, 1);
	assert_int_equal(test_settled.result, VERIFY_FAIL);
	assert_string_equal(test_settled.who, id);
	assert_string_equal(test_settled.addr, "192.0.2.2");
	assert_int_equal(verify_cached(id, test_hash, TEST_WRONG), 0);
	assert_int_equal(verify_cached(id, test_hash, TEST_SECRET), 0);
}

/* Not an argon2id hash: a failure. */
static void
test_verify_bad_hash(void **)
{
	const char		*id = "BadHashBadHash000001";
	struct test_done	 d = {};

	assert_non_null(test_start(id, TEST_SECRET, TEST_SECRET, "192.0.2.3",
	    &d));
	assert_true(test_wait(&d, 10));
	assert_int_equal(d.result, VERIFY_FAIL);
	assert_int_equal(verify_cached(id, TEST_SECRET, TEST_SECRET), 0);
}

/*
 * A dummy run (no hash: an unknown key) fails whatever the secret. While
 * fewer than 8 real runs have been timed, as at start, it runs argon2 for
 * real on a worker (it must learn how long a run takes): held behind the
 * busy worker, it waits for it.
 */
static void
test_verify_dummy_first(void **)
{
	struct test_done	 hold = {}, d = {};

	verify_set_dummy_cost(&test_cost);
	test_hold(&hold);
	assert_non_null(test_start("DummyFirstDummyFirst", nullptr,
	    TEST_SECRET, "192.0.2.40", &d));
	event_base_loop(test_base, EVLOOP_NONBLOCK);
	usleep(100000);
	event_base_loop(test_base, EVLOOP_NONBLOCK);
	assert_int_equal(d.called, 0);
	test_release(&hold);
	assert_true(test_wait(&d, 10));
	assert_int_equal(d.result, VERIFY_FAIL);
	test_drain();
}

/*
 * Once enough real runs have been timed, a dummy costs no CPU: it only
 * waits as long as one of them took, so it is answered even while the one
 * worker is busy and every worker slot is taken; it counts against its
 * address like a real run, and fails like one, never cached.
 */
static void
test_verify_dummy(void **)
{
	const char		*id = "DummyDummyDummy00001";
	struct test_done	 hold = {}, d = {}, fill[3] = {}, seed[8] = {};
	char			 addr[16];
	int			 i;

	/* Eight real runs first: the times a dummy copies. */
	for (i = 0; i < 8; i++) {
		snprintf(addr, sizeof addr, "198.18.1.%d", i);
		assert_non_null(test_start("DummySeedDummySeed00", test_hash,
		    addr, addr, &seed[i]));
		assert_true(test_wait(&seed[i], 10));
	}
	test_hold(&hold);
	for (i = 0; i < 3; i++) {	/* with the holder, TEST_MAX_JOBS */
		snprintf(addr, sizeof addr, "198.18.0.%d", i);
		assert_non_null(test_start("DummyFillDummyFill00", test_hash,
		    i == 0 ? "a" : i == 1 ? "b" : "c", addr, &fill[i]));
	}
	assert_non_null(test_start(id, nullptr, TEST_SECRET, "192.0.2.4",
	    &d));
	assert_int_equal(verify_inflight("192.0.2.4"), 1);
	assert_true(test_wait(&d, 10));
	assert_int_equal(d.result, VERIFY_FAIL);
	assert_int_equal(test_settled.result, VERIFY_FAIL);
	assert_string_equal(test_settled.addr, "192.0.2.4");
	assert_int_equal(hold.called, 0);	/* the worker never took it */
	assert_int_equal(verify_cached(id, test_hash, TEST_SECRET), 0);
	test_release(&hold);
	for (i = 0; i < 3; i++)
		assert_true(test_wait(&fill[i], 10));
	test_drain();
}

/* A dummy whose client leaves is dropped, and counted like a real one. */
static void
test_verify_dummy_cancel(void **)
{
	struct test_done	 d = {};
	struct verify		*v;

	assert_non_null(v = test_start("DummyCancelDummyCanc", nullptr,
	    TEST_SECRET, "192.0.2.41", &d));
	verify_cancel(v);
	assert_int_equal(test_settled.n, 1);
	assert_int_equal(test_settled.result, VERIFY_DROPPED);
	assert_int_equal(verify_pending(), 0);
	event_base_loop(test_base, EVLOOP_NONBLOCK);
	assert_int_equal(d.called, 0);
}

/* The secret and hash are copied: the caller may wipe its own at once. */
static void
test_verify_copies(void **)
{
	const char		*id = "CopiesCopiesCopies01";
	struct test_done	 d = {};
	char			 secret[] = TEST_SECRET;
	char			*hash = xstrdup(test_hash);

	assert_non_null(test_start(id, hash, secret, "192.0.2.5", &d));
	key_wipe(secret);
	key_wipe(hash);
	free(hash);
	assert_true(test_wait(&d, 10));
	assert_int_equal(d.result, VERIFY_OK);
	verify_forget(id);
}

/* forget drops the key's entry, and only that key's. */
static void
test_verify_forget(void **)
{
	const char		*id = "ForgetForgetForget01";
	const char		*other = "ForgetForgetForget02";
	struct test_done	 d = {}, e = {};

	assert_non_null(test_start(id, test_hash, TEST_SECRET, "a", &d));
	assert_non_null(test_start(other, test_hash2, TEST_SECRET, "b", &e));
	assert_true(test_wait(&d, 10));
	assert_true(test_wait(&e, 10));
	assert_int_equal(verify_cached(id, test_hash, TEST_SECRET), 1);
	assert_int_equal(verify_cached(other, test_hash2, TEST_SECRET), 1);
	verify_forget(id);
	assert_int_equal(verify_cached(id, test_hash, TEST_SECRET), 0);
	assert_int_equal(verify_cached(other, test_hash2, TEST_SECRET), 1);
	verify_forget(id);
	verify_forget("NeverSeenNeverSeen01");
	assert_int_equal(verify_cached(other, test_hash2, TEST_SECRET), 1);
	verify_forget(other);
	assert_int_equal(verify_cached(other, test_hash2, TEST_SECRET), 0);
}

/*
 * Identical attempts share one run: both waiters hear its result, it is
 * settled once and counted once against the address that queued it. A
 * different secret is a run of its own.
 */
static void
test_verify_joins(void **)
{
	const char		*id = "JoinJoinJoinJoin0001";
	struct test_done	 hold = {}, a = {}, b = {}, c = {};

	test_hold(&hold);
	assert_non_null(test_start(id, test_hash, TEST_WRONG, "192.0.2.6",
	    &a));
	assert_non_null(test_start(id, test_hash, TEST_WRONG, "192.0.2.7",
	    &b));
	assert_int_equal(verify_inflight("192.0.2.6"), 1);
	assert_int_equal(verify_inflight("192.0.2.7"), 0);
	assert_non_null(test_start(id, test_hash, TEST_SECRET, "192.0.2.6",
	    &c));
	assert_int_equal(verify_inflight("192.0.2.6"), 2);
	test_release(&hold);
	assert_true(test_wait(&a, 10));
	assert_true(test_wait(&b, 10));
	assert_true(test_wait(&c, 10));
	assert_int_equal(a.result, VERIFY_FAIL);
	assert_int_equal(b.result, VERIFY_FAIL);
	assert_int_equal(c.result, VERIFY_OK);
	/* The holder, the shared run, the other secret's run. */
	assert_int_equal(test_settled.n, 3);
	test_drain();
	verify_forget(id);
}

/*
 * A waiter that leaves never hears back. A run nobody waits for that has
 * not started is dropped (settled as VERIFY_DROPPED: an abandoned attempt
 * counts), one still wanted by another waiter is not.
 */
static void
test_verify_cancel(void **)
{
	struct test_done	 hold = {}, c1 = {}, c2 = {}, c3 = {};
	struct verify		*v1, *v2;

	test_hold(&hold);
	assert_non_null(v1 = test_start("CancelCancelCancel01", test_hash,
	    TEST_SECRET, "192.0.2.8", &c1));
	assert_non_null(v2 = test_start("CancelCancelCancel02", test_hash,
	    TEST_WRONG, "192.0.2.8", &c2));
	assert_non_null(test_start("CancelCancelCancel02", test_hash,
	    TEST_WRONG, "192.0.2.9", &c3));
	assert_int_equal(verify_pending(), 3);
	verify_cancel(v1);
	assert_int_equal(test_settled.n, 1);
	assert_int_equal(test_settled.result, VERIFY_DROPPED);
	assert_string_equal(test_settled.addr, "192.0.2.8");
	assert_int_equal(verify_pending(), 2);
	verify_cancel(v2);
	assert_int_equal(test_settled.n, 1);	/* c3 still waits */
	test_release(&hold);
	assert_true(test_wait(&c3, 10));
	assert_int_equal(c3.result, VERIFY_FAIL);
	event_base_loop(test_base, EVLOOP_NONBLOCK);
	assert_int_equal(c1.called, 0);
	assert_int_equal(c2.called, 0);
	test_drain();
}

/* Runs in flight are capped per address and overall: beyond, no run and
 * the reason; a join costs nothing and is never refused. */
static void
test_verify_caps(void **)
{
	struct test_done	 hold = {}, d[6] = {}, j = {};
	struct verify_req	 vr;
	int			 busy = 0, i;

	test_hold(&hold);
	/* The holder is one of TEST_MAX_JOBS (4); "hold" is its address. */
	assert_non_null(test_start("CapsCapsCapsCaps0001", test_hash,
	    TEST_WRONG, "198.51.100.1", &d[0]));
	assert_non_null(test_start("CapsCapsCapsCaps0002", test_hash,
	    TEST_WRONG, "198.51.100.1", &d[1]));
	memset(&vr, 0, sizeof vr);
	vr.id = "CapsCapsCapsCaps0003";
	vr.encoded = test_hash;
	vr.secret = TEST_WRONG;
	vr.addr = vr.client = vr.who = "198.51.100.1";
	assert_null(verify_start(&vr, test_done_cb, &d[2], &busy));
	assert_int_equal(busy, VERIFY_BUSY_ADDR);
	/* The same attempt as one in flight joins it, cap or not. */
	assert_non_null(test_start("CapsCapsCapsCaps0001", test_hash,
	    TEST_WRONG, "198.51.100.1", &j));
	assert_non_null(test_start("CapsCapsCapsCaps0004", test_hash,
	    TEST_WRONG, "198.51.100.2", &d[3]));
	vr.addr = "198.51.100.3";
	busy = 0;
	assert_null(verify_start(&vr, test_done_cb, &d[4], &busy));
	assert_int_equal(busy, VERIFY_BUSY_ALL);
	assert_int_equal(verify_pending(), TEST_MAX_JOBS);
	test_release(&hold);
	for (i = 0; i < 2; i++)
		assert_true(test_wait(&d[i], 10));
	assert_true(test_wait(&j, 10));
	assert_true(test_wait(&d[3], 10));
	assert_int_equal(d[2].called + d[4].called, 0);
	test_drain();
}

/* Several at once: each calls back once, with its own answer. */
static void
test_verify_many(void **)
{
	struct test_done	 d[4] = {};
	char			 id[KEY_ID_LEN + 1], addr[16];
	int			 i;

	for (i = 0; i < 4; i++) {
		snprintf(id, sizeof id, "ManyManyManyManyMa%02d", i);
		snprintf(addr, sizeof addr, "10.0.0.%d", i);
		assert_non_null(test_start(id, test_hash,
		    i % 2 == 0 ? TEST_SECRET : TEST_WRONG, addr, &d[i]));
	}
	for (i = 0; i < 4; i++)
		assert_true(test_wait(&d[i], 10));
	event_base_loop(test_base, EVLOOP_NONBLOCK);
	for (i = 0; i < 4; i++) {
		assert_int_equal(d[i].called, 1);
		assert_int_equal(d[i].result, i % 2 == 0 ? VERIFY_OK :
		    VERIFY_FAIL);
		snprintf(id, sizeof id, "ManyManyManyManyMa%02d", i);
		assert_int_equal(verify_cached(id, test_hash, TEST_SECRET),
		    i % 2 == 0);
		verify_forget(id);
	}
	assert_int_equal(test_settled.n, 4);
}

/* A shadow line for user with password hashed by setting. */
static void
test_shadow_line(FILE *f, const char *user, const char *prefix,
    const char *password, const char *setting)
{
	struct crypt_data	 cd;
	const char		*h;

	memset(&cd, 0, sizeof cd);
	assert_non_null(h = crypt_r(password, setting, &cd));
	assert_true(h[0] == '$');
	fprintf(f, "%s:%s%s:19000:0:99999:7:::\n", user, prefix, h);
}

static void
test_write_shadow(void)
{
	FILE	*f;

	assert_non_null(f = fopen(test_shadow, "w"));
	fputs("root:*:19000:0:99999:7:::\n", f);
	test_shadow_line(f, "adm", "", "adm password", "$6$admsalt$");
	test_shadow_line(f, "admin", "", "pass word", "$6$saltsalt$");
	test_shadow_line(f, "md5user", "", "md5 pass", "$1$saltsalt$");
	test_shadow_line(f, "locked", "!", "locked pass", "$6$saltsalt$");
	fputs("nopw::19000:0:99999:7:::\n", f);
	fputs("star:*:19000:0:99999:7:::\n", f);
	assert_int_equal(fclose(f), 0);
}

/* Shadow passwords: the user's own line only, locked and empty never. */
static void
test_verify_shadow(void **)
{
	char	 missing[256];
	int	 count;

	test_write_shadow();
	assert_int_equal(verify_shadow(test_shadow, "admin", "pass word"), 1);
	assert_int_equal(verify_shadow(test_shadow, "admin", "pass wor"), 0);
	assert_int_equal(verify_shadow(test_shadow, "admin", "pass word "),
	    0);
	assert_int_equal(verify_shadow(test_shadow, "admin", ""), 0);
	/* A name that is a prefix of another is its own line. */
	assert_int_equal(verify_shadow(test_shadow, "adm", "adm password"), 1);
	assert_int_equal(verify_shadow(test_shadow, "adm", "pass word"), 0);
	assert_int_equal(verify_shadow(test_shadow, "admin", "adm password"),
	    0);
	assert_int_equal(verify_shadow(test_shadow, "admi", "pass word"), 0);
	assert_int_equal(verify_shadow(test_shadow, "md5user", "md5 pass"),
	    1);
	assert_int_equal(verify_shadow(test_shadow, "locked", "locked pass"),
	    0);
	assert_int_equal(verify_shadow(test_shadow, "nopw", ""), 0);
	assert_int_equal(verify_shadow(test_shadow, "star", "*"), 0);
	assert_int_equal(verify_shadow(test_shadow, "root", ""), 0);
	assert_int_equal(verify_shadow(test_shadow, "ghost", "pass word"), 0);

	snprintf(missing, sizeof missing, "%s/missing", test_dir);
	count = mock_log_count;
	assert_int_equal(verify_shadow(missing, "admin", "pass word"), 0);
	assert_int_equal(mock_log_count, count + 1);
	snprintf(missing, sizeof missing, "SHADOW_FILE %s/missing", test_dir);
	assert_string_equal(mock_log_last, missing);
}

/* One shadow line: user's first field exactly, its hash field up to ':'
 * or the line's end. */
static void
test_shadow_line_is(const char *line, const char *user, int want,
    const char *hash)
{
	const char	*h;
	size_t		 len;

	assert_int_equal(verify_shadow_line(line, strlen(line), user, &h,
	    &len), want);
	if (want != VERIFY_SHADOW_HASH) {
		assert_null(h);
		return;
	}
	assert_true(h > line && h < line + strlen(line));
	assert_int_equal(len, strlen(hash));
	assert_memory_equal(h, hash, len);
}

static void
test_verify_shadow_line(void **)
{
	const char	*h;
	size_t		 len;

	test_shadow_line_is("admin:$6$s$h:19000:0:99999:7:::\n", "admin",
	    VERIFY_SHADOW_HASH, "$6$s$h");
	test_shadow_line_is("admin:$6$s$h:19000:0:99999:7:::\n", "adm",
	    VERIFY_SHADOW_OTHER, nullptr);
	test_shadow_line_is("adm:$6$s$h:19000\n", "admin",
	    VERIFY_SHADOW_OTHER, nullptr);
	test_shadow_line_is("admin", "admin", VERIFY_SHADOW_OTHER, nullptr);
	/* Two fields: the hash ends at the newline, or at the end. */
	test_shadow_line_is("admin:$1$s$h\n", "admin", VERIFY_SHADOW_HASH,
	    "$1$s$h");
	test_shadow_line_is("admin:$1$s$h", "admin", VERIFY_SHADOW_HASH,
	    "$1$s$h");
	test_shadow_line_is("admin:!$6$s$h:1::::::\n", "admin",
	    VERIFY_SHADOW_LOCKED, nullptr);
	test_shadow_line_is("admin:*:1::::::\n", "admin", VERIFY_SHADOW_LOCKED,
	    nullptr);
	test_shadow_line_is("admin::1::::::\n", "admin", VERIFY_SHADOW_LOCKED,
	    nullptr);
	test_shadow_line_is("admin:\n", "admin", VERIFY_SHADOW_LOCKED, nullptr);
	test_shadow_line_is("admin:", "admin", VERIFY_SHADOW_LOCKED, nullptr);
	/* A name holding ':' would take the third field for the hash. */
	test_shadow_line_is("a:b:$6$s$h:1\n", "a:b", VERIFY_SHADOW_OTHER,
	    nullptr);
	test_shadow_line_is(":$6$s$h:1\n", "", VERIFY_SHADOW_OTHER, nullptr);
	/* A NUL, which crypt(3) would stop at, is no hash. */
	assert_int_equal(verify_shadow_line("admin:$6$s\0$h:1\n", 16, "admin",
	    &h, &len), VERIFY_SHADOW_LOCKED);
	assert_int_equal(verify_shadow_line("admin:$6$s$h:1\0x\n", 17,
	    "admin", &h, &len), VERIFY_SHADOW_HASH);
	assert_int_equal(len, 6);
	/* Only len bytes are read: no NUL needed after them. */
	assert_int_equal(verify_shadow_line("admin:$6$s$h:1", 9, "admin", &h,
	    &len), VERIFY_SHADOW_HASH);
	assert_int_equal(len, 3);
}

/* A line of two fields, "user:hash\n": the newline is not the hash's. */
static void
test_verify_shadow_two_fields(void **)
{
	struct crypt_data	 cd;
	FILE			*f;
	const char		*h;

	memset(&cd, 0, sizeof cd);
	assert_non_null(h = crypt_r("pass word", "$6$saltsalt$", &cd));
	assert_non_null(f = fopen(test_shadow, "w"));
	fprintf(f, "two:%s\n", h);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(verify_shadow(test_shadow, "two", "pass word"), 1);
	assert_int_equal(verify_shadow(test_shadow, "two", "pass wor"), 0);
}

/* The same on a worker; a password is never cached. */
static void
test_verify_password(void **)
{
	struct verify_req	 vr;
	struct test_done	 ok = {}, bad = {};
	int			 busy = 0;

	test_write_shadow();
	memset(&vr, 0, sizeof vr);
	vr.id = "admin";
	vr.shadow_file = test_shadow;
	vr.user = "admin";
	vr.addr = vr.client = vr.who = "192.0.2.10";
	vr.secret = "pass word";
	assert_non_null(verify_start(&vr, test_done_cb, &ok, &busy));
	vr.secret = "wrong";
	assert_non_null(verify_start(&vr, test_done_cb, &bad, &busy));
	assert_int_equal(ok.called, 0);
	assert_true(test_wait(&ok, 10));
	assert_true(test_wait(&bad, 10));
	assert_int_equal(ok.result, VERIFY_OK);
	assert_int_equal(bad.result, VERIFY_FAIL);
	assert_int_equal(verify_cached("", "", "pass word"), 0);
	assert_int_equal(verify_cached("admin", "", "pass word"), 0);
}

/* Shutdown with work queued and running frees it all (ASan) without a
 * callback or a settle; the cache is gone with the MAC key. */
static void
test_verify_shutdown(void **)
{
	const char		*id = "ShutdownShutdown0001";
	struct test_done	 d = {}, q[3] = {};
	char			 addr[8];
	int			 i, n;

	assert_non_null(test_start(id, test_hash, TEST_SECRET, "x", &d));
	assert_true(test_wait(&d, 10));
	assert_int_equal(verify_cached(id, test_hash, TEST_SECRET), 1);
	/* An address each: a run the worker has just finished may not be
	 * joined, and still counts against its address until delivered. */
	for (i = 0; i < 3; i++) {
		snprintf(addr, sizeof addr, "y%d", i);
		assert_non_null(test_start(id, test_hash, i == 0 ?
		    TEST_SECRET : TEST_WRONG, addr, &q[i]));
	}
	n = test_settled.n;
	verify_shutdown();
	event_base_loop(test_base, EVLOOP_NONBLOCK);
	for (i = 0; i < 3; i++)
		assert_int_equal(q[i].called, 0);
	assert_int_equal(test_settled.n, n);
	assert_int_equal(verify_cached(id, test_hash, TEST_SECRET), 0);
}

#define TEST(f) cmocka_unit_test_setup(f, test_setup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_verify_dummy_first),
		TEST(test_verify_right),
		TEST(test_verify_wrong),
		TEST(test_verify_bad_hash),
		TEST(test_verify_dummy),
		TEST(test_verify_dummy_cancel),
		TEST(test_verify_copies),
		TEST(test_verify_forget),
		TEST(test_verify_joins),
		TEST(test_verify_cancel),
		TEST(test_verify_caps),
		TEST(test_verify_many),
		TEST(test_verify_shadow),
		TEST(test_verify_shadow_line),
		TEST(test_verify_shadow_two_fields),
		TEST(test_verify_password),
		/* Last: it stops the workers. */
		TEST(test_verify_shutdown),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
