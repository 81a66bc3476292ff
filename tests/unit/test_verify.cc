/* SPDX-License-Identifier: GPL-3.0-or-later */
/* verify.cc on a real event loop and one worker, with argon2id hashes at
 * a low test cost. */
#include <crypt.h>
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

/* What a verify callback saw. */
struct test_done {
	int	 called;
	int	 ok;
};

static const struct argon2_cost test_cost = { 1, 64, 1 };

static struct event_base	*test_base;
static struct event		*test_tick;
static char			*test_hash;	/* of TEST_SECRET */
static char			*test_hash2;	/* the same, another salt */
static char			 test_dir[] = "/tmp/test_verify.XXXXXX";
static char			 test_shadow[128];

static void
test_tick_cb(evutil_socket_t, short, void *)
{
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
	if (verify_init(test_base, 1) == -1)
		return -1;
	if (mkdtemp(test_dir) == nullptr)
		return -1;
	snprintf(test_shadow, sizeof test_shadow, "%s/shadow", test_dir);
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
	rmdir(test_dir);
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
test_done_cb(int ok, void *arg)
{
	struct test_done	*d = (struct test_done *)arg;

	d->called++;
	d->ok = ok;
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

/* The right secret: ok, from the loop, and cached for exactly this
 * (id, hash, secret). */
static void
test_verify_right(void **)
{
	const char		*id = "RightRightRight00001";
	struct test_done	 d = {};

	assert_int_equal(verify_cached(id, test_hash, TEST_SECRET), 0);
	assert_non_null(verify_start(id, test_hash, TEST_SECRET, test_done_cb,
	    &d));
	assert_int_equal(d.called, 0);
	assert_true(test_wait(&d, 10));
	assert_int_equal(d.called, 1);
	assert_int_equal(d.ok, 1);

	assert_int_equal(verify_cached(id, test_hash, TEST_SECRET), 1);
	assert_int_equal(verify_cached(id, test_hash, TEST_WRONG), 0);
	assert_int_equal(verify_cached(id, test_hash, ""), 0);
	/* The row changed: another hash of the same secret. */
	assert_int_equal(verify_cached(id, test_hash2, TEST_SECRET), 0);
	assert_int_equal(verify_cached("RightRightRight00002", test_hash,
	    TEST_SECRET), 0);
	verify_forget(id);
}

/* A wrong secret: not ok, and nothing cached. */
static void
test_verify_wrong(void **)
{
	const char		*id = "WrongWrongWrong00001";
	struct test_done	 d = {};

	assert_non_null(verify_start(id, test_hash, TEST_WRONG, test_done_cb,
	    &d));
	assert_true(test_wait(&d, 10));
	assert_int_equal(d.called, 1);
	assert_int_equal(d.ok, 0);
	assert_int_equal(verify_cached(id, test_hash, TEST_WRONG), 0);
	assert_int_equal(verify_cached(id, test_hash, TEST_SECRET), 0);
}

/* Not an argon2id hash: not ok. */
static void
test_verify_bad_hash(void **)
{
	const char		*id = "BadHashBadHash000001";
	struct test_done	 d = {};

	assert_non_null(verify_start(id, TEST_SECRET, TEST_SECRET,
	    test_done_cb, &d));
	assert_true(test_wait(&d, 10));
	assert_int_equal(d.ok, 0);
	assert_int_equal(verify_cached(id, TEST_SECRET, TEST_SECRET), 0);
}

/* The secret and hash are copied: the caller may wipe its own at once. */
static void
test_verify_copies(void **)
{
	const char		*id = "CopiesCopiesCopies01";
	struct test_done	 d = {};
	char			 secret[] = TEST_SECRET;
	char			*hash = xstrdup(test_hash);

	assert_non_null(verify_start(id, hash, secret, test_done_cb, &d));
	key_wipe(secret);
	key_wipe(hash);
	free(hash);
	assert_true(test_wait(&d, 10));
	assert_int_equal(d.ok, 1);
	verify_forget(id);
}

/* forget drops the key's entry, and only that key's. */
static void
test_verify_forget(void **)
{
	const char		*id = "ForgetForgetForget01";
	const char		*other = "ForgetForgetForget02";
	struct test_done	 d = {}, e = {};

	assert_non_null(verify_start(id, test_hash, TEST_SECRET, test_done_cb,
	    &d));
	assert_non_null(verify_start(other, test_hash2, TEST_SECRET,
	    test_done_cb, &e));
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

/* A cancelled verification never calls back. One worker runs them in
 * order, so once the later one has called back the cancelled ones are
 * done too. */
static void
test_verify_cancel(void **)
{
	struct test_done	 c1 = {}, c2 = {}, last = {};
	struct verify		*v;

	assert_non_null(v = verify_start("CancelCancelCancel01", test_hash,
	    TEST_SECRET, test_done_cb, &c1));
	verify_cancel(v);
	assert_non_null(v = verify_start("CancelCancelCancel02", test_hash,
	    TEST_WRONG, test_done_cb, &c2));
	verify_cancel(v);
	assert_non_null(verify_start("CancelCancelCancel03", test_hash,
	    TEST_SECRET, test_done_cb, &last));
	assert_true(test_wait(&last, 10));
	assert_int_equal(last.ok, 1);
	/* One more turn of the loop for anything still pending. */
	event_base_loop(test_base, EVLOOP_NONBLOCK);
	assert_int_equal(c1.called, 0);
	assert_int_equal(c2.called, 0);
	verify_forget("CancelCancelCancel01");
	verify_forget("CancelCancelCancel03");
}

/* Several at once: each calls back once, with its own answer. */
static void
test_verify_many(void **)
{
	struct test_done	 d[6] = {};
	char			 id[KEY_ID_LEN + 1];
	int			 i;

	for (i = 0; i < 6; i++) {
		snprintf(id, sizeof id, "ManyManyManyManyMa%02d", i);
		assert_non_null(verify_start(id, test_hash,
		    i % 2 == 0 ? TEST_SECRET : TEST_WRONG, test_done_cb,
		    &d[i]));
	}
	for (i = 0; i < 6; i++)
		assert_true(test_wait(&d[i], 10));
	event_base_loop(test_base, EVLOOP_NONBLOCK);
	for (i = 0; i < 6; i++) {
		assert_int_equal(d[i].called, 1);
		assert_int_equal(d[i].ok, i % 2 == 0);
		snprintf(id, sizeof id, "ManyManyManyManyMa%02d", i);
		assert_int_equal(verify_cached(id, test_hash, TEST_SECRET),
		    i % 2 == 0);
		verify_forget(id);
	}
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

/* The same on a worker; a password is never cached. */
static void
test_verify_password(void **)
{
	struct test_done	 ok = {}, bad = {};

	test_write_shadow();
	assert_non_null(verify_start_password(test_shadow, "admin",
	    "pass word", test_done_cb, &ok));
	assert_non_null(verify_start_password(test_shadow, "admin",
	    "wrong", test_done_cb, &bad));
	assert_int_equal(ok.called, 0);
	assert_true(test_wait(&ok, 10));
	assert_true(test_wait(&bad, 10));
	assert_int_equal(ok.called, 1);
	assert_int_equal(ok.ok, 1);
	assert_int_equal(bad.called, 1);
	assert_int_equal(bad.ok, 0);
	assert_int_equal(verify_cached("", "", "pass word"), 0);
	assert_int_equal(verify_cached("admin", "", "pass word"), 0);
}

/* Shutdown with work queued and running frees it all (ASan) without a
 * callback; the cache is gone with the MAC key. */
static void
test_verify_shutdown(void **)
{
	const char		*id = "ShutdownShutdown0001";
	struct test_done	 d = {}, q[3] = {};
	int			 i;

	assert_non_null(verify_start(id, test_hash, TEST_SECRET, test_done_cb,
	    &d));
	assert_true(test_wait(&d, 10));
	assert_int_equal(verify_cached(id, test_hash, TEST_SECRET), 1);
	for (i = 0; i < 3; i++)
		assert_non_null(verify_start(id, test_hash, TEST_SECRET,
		    test_done_cb, &q[i]));
	verify_shutdown();
	event_base_loop(test_base, EVLOOP_NONBLOCK);
	for (i = 0; i < 3; i++)
		assert_int_equal(q[i].called, 0);
	assert_int_equal(verify_cached(id, test_hash, TEST_SECRET), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_right),
		cmocka_unit_test(test_verify_wrong),
		cmocka_unit_test(test_verify_bad_hash),
		cmocka_unit_test(test_verify_copies),
		cmocka_unit_test(test_verify_forget),
		cmocka_unit_test(test_verify_cancel),
		cmocka_unit_test(test_verify_many),
		cmocka_unit_test(test_verify_shadow),
		cmocka_unit_test(test_verify_password),
		/* Last: it stops the workers. */
		cmocka_unit_test(test_verify_shutdown),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
