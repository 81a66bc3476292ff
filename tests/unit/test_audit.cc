/* SPDX-License-Identifier: GPL-3.0-or-later */
/* audit.cc against a real database in a temporary directory, made by
 * db_open as the daemon makes it; checked through a connection of our own. */
#include <sys/stat.h>
#include <sys/types.h>

#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "audit.h"
#include "db.h"

extern char	 mock_log_last[1024];
extern int	 mock_log_count;

#define TEST_KEY_A	"AAAAAAAAAAAAAAAAAAAA"
#define TEST_KEY_B	"BBBBBBBBBBBBBBBBBBBB"
#define TEST_KEY_C	"CCCCCCCCCCCCCCCCCCCC"
#define AUDIT_FOLD_SLOTS_TEST	1024	/* audit.cc's table of clients */

static char		 test_dir[] = "/tmp/test_audit.XXXXXX";
static char		 test_path[PATH_MAX];
static struct db	*test_db;
static sqlite3		*test_sq;

static double
test_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
test_exec(const char *sql)
{
	char	*msg = nullptr;

	if (sqlite3_exec(test_sq, sql, nullptr, nullptr, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* The first column of the first row of sql, as an integer. */
static int64_t
test_int(const char *fmt, ...)
{
	sqlite3_stmt	*st;
	va_list		 ap;
	char		*sql;
	int64_t		 v = -1;

	va_start(ap, fmt);
	assert_int_not_equal(xvasprintf(&sql, fmt, ap), -1);
	va_end(ap);
	assert_int_equal(sqlite3_prepare_v2(test_sq, sql, -1, &st, nullptr),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	free(sql);
	return v;
}

static void
test_add_key(const char *id)
{
	struct db_key	 key;
	char		*cause = nullptr;

	memset(&key, 0, sizeof key);
	key.id = (char *)id;
	key.user = (char *)"admin";
	key.secret_hash = (char *)"$argon2id$v=19$m=65536,t=2,p=1$x$y";
	if (db_key_add(test_db, &key, nullptr, 0, &cause) == -1)
		fail_msg("db_key_add: %s", cause);
}

/* A row whose every field says i; strings live in static buffers. */
static const struct audit_row *
test_row(int i, const char *key_id, const char *client_ip)
{
	static struct audit_row	 row;
	static char		 who[32], peer[32], client[32], cmd[32];
	static char		 args[64];

	snprintf(who, sizeof who, "who%d", i);
	snprintf(peer, sizeof peer, "192.0.2.%d", i % 256);
	snprintf(client, sizeof client, "198.51.100.%d", i % 256);
	snprintf(cmd, sizeof cmd, "v-cmd-%d", i);
	snprintf(args, sizeof args, "[\"arg%d\"]", i);
	row.at_ms = 1700000000000LL + i;
	row.who = who;
	row.key_id = key_id;
	row.peer_ip = peer;
	row.client_ip = client_ip != nullptr ? client_ip : client;
	row.cmd = cmd;
	row.args = args;
	row.exit_code = i % 7;
	row.http_status = 200 + i % 3;
	row.duration_ms = 10 * i;
	return &row;
}

static void
test_start(void)
{
	char	*cause = nullptr;

	if (audit_init(test_path, &cause) == -1)
		fail_msg("audit_init: %s", cause);
}

/* Wait (at most secs) for the writer to have written n rows. */
static int
test_wait_written(uint64_t n, int secs)
{
	double	 deadline = test_now() + secs;

	while (audit_written() < n && test_now() < deadline)
		usleep(10000);
	return audit_written() >= n;
}

static int
test_setup(void **)
{
	char	*cause = nullptr;

	snprintf(test_path, sizeof test_path, "%s/apid.db", test_dir);
	if ((test_db = db_open(test_path, &cause)) == nullptr) {
		fprintf(stderr, "db_open: %s\n", cause);
		return -1;
	}
	test_sq = db_sqlite(test_db);
	mock_log_count = 0;
	mock_log_last[0] = '\0';
	return 0;
}

static int
test_teardown(void **)
{
	char	 path[PATH_MAX + 8];

	audit_shutdown();
	db_close(test_db);
	test_db = nullptr;
	test_sq = nullptr;
	unlink(test_path);
	snprintf(path, sizeof path, "%s-wal", test_path);
	unlink(path);
	snprintf(path, sizeof path, "%s-shm", test_path);
	unlink(path);
	return 0;
}

/* Rows added then audit_shutdown: every one present, every field exact. */
static void
test_audit_exact_rows(void **)
{
	struct audit_row	 rows[3];
	sqlite3_stmt		*st;
	int			 i;

	memset(rows, 0, sizeof rows);
	rows[0] = { 1700000000123LL, TEST_KEY_A, TEST_KEY_A, "192.0.2.1",
	    "203.0.113.9", "v-list-users", "[\"admin\",\"json\"]", 0, 200,
	    15 };
	rows[1] = { 1700000001456LL, "api", nullptr, "2001:db8::1",
	    "2001:db8::1", "v-add-user", "[\"bob\",\"***\",\"b@x\"]", 4, 500,
	    1234 };
	/* nullptr strings become "" and "[]"; text is kept byte for byte. */
	rows[2] = { -5, "h\xc3\xa9stia \"q\"", nullptr, nullptr, nullptr,
	    "v-x", nullptr, -1, 0, 0 };

	test_start();
	for (i = 0; i < 3; i++)
		audit_add(&rows[i]);
	audit_shutdown();
	assert_int_equal(audit_written(), 3);
	assert_int_equal(audit_pending(), 0);
	assert_int_equal(audit_dropped(), 0);

	assert_int_equal(sqlite3_prepare_v2(test_sq, "SELECT at_ms, who,"
	    " peer_ip, client_ip, cmd, args, exit_code, http_status,"
	    " duration_ms FROM audit ORDER BY id", -1, &st, nullptr),
	    SQLITE_OK);
	for (i = 0; i < 3; i++) {
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int64(st, 0), rows[i].at_ms);
		assert_string_equal(sqlite3_column_text(st, 1), rows[i].who);
		assert_string_equal(sqlite3_column_text(st, 2),
		    rows[i].peer_ip != nullptr ? rows[i].peer_ip : "");
		assert_string_equal(sqlite3_column_text(st, 3),
		    rows[i].client_ip != nullptr ? rows[i].client_ip : "");
		assert_string_equal(sqlite3_column_text(st, 4), rows[i].cmd);
		assert_string_equal(sqlite3_column_text(st, 5),
		    rows[i].args != nullptr ? rows[i].args : "[]");
		assert_int_equal(sqlite3_column_int(st, 6), rows[i].exit_code);
		assert_int_equal(sqlite3_column_int(st, 7),
		    rows[i].http_status);
		assert_int_equal(sqlite3_column_int64(st, 8),
		    rows[i].duration_ms);
	}
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* Usage columns: use_count counts, last_ip and last_used_at are the last
 * row's, also across two batches; other keys stay untouched. */
static void
test_audit_key_usage(void **)
{
	char	 ip[32];
	int	 i;

	test_add_key(TEST_KEY_A);
	test_add_key(TEST_KEY_B);
	test_add_key(TEST_KEY_C);
	test_start();
	for (i = 1; i <= 3; i++) {
		snprintf(ip, sizeof ip, "10.0.0.%d", i);
		audit_add(test_row(i, TEST_KEY_A, ip));
	}
	audit_add(test_row(4, TEST_KEY_B, "10.0.1.1"));
	/* A key that no longer exists: the row is still written. */
	audit_add(test_row(5, "ZZZZZZZZZZZZZZZZZZZZ", nullptr));
	assert_true(test_wait_written(5, 30));
	for (i = 6; i <= 7; i++) {
		snprintf(ip, sizeof ip, "10.0.0.%d", i);
		audit_add(test_row(i, TEST_KEY_A, ip));
	}
	audit_add(test_row(8, nullptr, "10.9.9.9"));
	audit_shutdown();

	assert_int_equal(test_int("SELECT count(*) FROM audit"), 8);
	assert_int_equal(test_int("SELECT use_count FROM keys WHERE id = '%s'",
	    TEST_KEY_A), 5);
	assert_int_equal(test_int("SELECT last_ip = '10.0.0.7' FROM keys"
	    " WHERE id = '%s'", TEST_KEY_A), 1);
	assert_int_equal(test_int("SELECT last_used_at FROM keys"
	    " WHERE id = '%s'", TEST_KEY_A), (1700000000000LL + 7) / 1000);
	assert_int_equal(test_int("SELECT use_count FROM keys WHERE id = '%s'",
	    TEST_KEY_B), 1);
	assert_int_equal(test_int("SELECT last_ip = '10.0.1.1' FROM keys"
	    " WHERE id = '%s'", TEST_KEY_B), 1);
	assert_int_equal(test_int("SELECT use_count FROM keys WHERE id = '%s'",
	    TEST_KEY_C), 0);
	assert_int_equal(test_int("SELECT last_used_at IS NULL AND"
	    " last_ip IS NULL FROM keys WHERE id = '%s'", TEST_KEY_C), 1);
	assert_int_equal(test_int("SELECT count(*) FROM keys"), 3);
}

/* More keys in one batch than the writer tells apart at once (its usage
 * UPDATEs are one per key and batch): each key still counts all its rows
 * and keeps its last row's address and time. */
static void
test_audit_key_usage_many(void **)
{
	char	 id[21], ip[32];
	int	 i, k, n = 40;

	for (k = 0; k < n; k++) {
		snprintf(id, sizeof id, "K%019d", k);
		test_add_key(id);
	}
	test_start();
	/* Rounds of every key, then one more row for the even ones. */
	for (i = 0; i < 3 * n; i++) {
		snprintf(id, sizeof id, "K%019d", i % n);
		snprintf(ip, sizeof ip, "10.1.%d.%d", i / n, i % n);
		audit_add(test_row(i, id, ip));
	}
	for (k = 0; k < n; k += 2) {
		snprintf(id, sizeof id, "K%019d", k);
		snprintf(ip, sizeof ip, "10.2.0.%d", k);
		audit_add(test_row(1000 + k, id, ip));
	}
	audit_shutdown();

	assert_int_equal(test_int("SELECT count(*) FROM audit"), 3 * n + n / 2);
	for (k = 0; k < n; k++) {
		snprintf(id, sizeof id, "K%019d", k);
		assert_int_equal(test_int("SELECT use_count FROM keys"
		    " WHERE id = '%s'", id), k % 2 == 0 ? 4 : 3);
		if (k % 2 == 0) {
			assert_int_equal(test_int("SELECT last_ip = '10.2.0.%d'"
			    " FROM keys WHERE id = '%s'", k, id), 1);
			assert_int_equal(test_int("SELECT last_used_at FROM keys"
			    " WHERE id = '%s'", id),
			    (1700000000000LL + 1000 + k) / 1000);
		} else
			assert_int_equal(test_int("SELECT last_ip = '10.1.2.%d'"
			    " FROM keys WHERE id = '%s'", k, id), 1);
	}
}

/* A lone row is written by the 1 s timer, without a shutdown, and not at
 * once (the writer waits for company). */
static void
test_audit_lone_row_timer(void **)
{
	double	 t0, t;

	test_start();
	t0 = test_now();
	audit_add(test_row(1, nullptr, nullptr));
	assert_true(test_wait_written(1, 30));
	t = test_now() - t0;
	assert_true(t >= 0.5);
	assert_int_equal(audit_commits(), 1);
	assert_int_equal(test_int("SELECT count(*) FROM audit"), 1);
}

/* 10,000 rows in a burst: all written, by batches, without a shutdown. */
static void
test_audit_burst(void **)
{
	int	 i;

	test_add_key(TEST_KEY_A);
	test_start();
	for (i = 0; i < 10000; i++)
		audit_add(test_row(i, i % 2 ? TEST_KEY_A : nullptr, nullptr));
	assert_true(test_wait_written(10000, 120));
	assert_int_equal(audit_pending(), 0);
	audit_shutdown();
	assert_int_equal(audit_written(), 10000);
	assert_int_equal(audit_dropped(), 0);
	/* Each commit but a timer's or the last holds >= 256 rows. */
	assert_true(audit_commits() >= 1);
	assert_true(audit_commits() <= 10000 / 256 + 20);
	assert_int_equal(test_int("SELECT count(*) FROM audit"), 10000);
	assert_int_equal(test_int("SELECT count(DISTINCT at_ms) FROM audit"),
	    10000);
	/* In the order added. */
	assert_int_equal(test_int("SELECT count(*) FROM audit a JOIN audit b"
	    " ON b.id = a.id + 1 WHERE b.at_ms <> a.at_ms + 1"), 0);
	assert_int_equal(test_int("SELECT use_count FROM keys WHERE id = '%s'",
	    TEST_KEY_A), 5000);
}

struct test_adder {
	pthread_t	 thread;
	int		 base;
};

static void *
test_adder_main(void *arg)
{
	struct test_adder	*a = (struct test_adder *)arg;
	struct audit_row	 row;
	char			 who[32];
	int			 i;

	memset(&row, 0, sizeof row);
	row.who = who;
	row.key_id = TEST_KEY_A;
	row.peer_ip = row.client_ip = "192.0.2.1";
	row.cmd = "v-list-users";
	row.args = "[]";
	for (i = 0; i < 2500; i++) {
		snprintf(who, sizeof who, "t%d", a->base + i);
		row.at_ms = a->base + i;
		audit_add(&row);
	}
	return nullptr;
}

/* Four threads adding at once: nothing lost or doubled. */
static void
test_audit_concurrent_adds(void **)
{
	struct test_adder	 adders[4];
	int			 i;

	test_add_key(TEST_KEY_A);
	test_start();
	for (i = 0; i < 4; i++) {
		adders[i].base = i * 100000;
		assert_int_equal(pthread_create(&adders[i].thread, nullptr,
		    test_adder_main, &adders[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(adders[i].thread, nullptr);
	audit_shutdown();
	assert_int_equal(audit_written(), 10000);
	assert_int_equal(test_int("SELECT count(DISTINCT who) FROM audit"),
	    10000);
	assert_int_equal(test_int("SELECT use_count FROM keys WHERE id = '%s'",
	    TEST_KEY_A), 10000);
}

/* Another connection holds BEGIN EXCLUSIVE for 2 s: the writer waits in
 * its busy timeout, writes nothing meanwhile, and loses nothing. */
static void
test_audit_locked(void **)
{
	int	 i;

	test_start();
	test_exec("BEGIN EXCLUSIVE");
	for (i = 0; i < 300; i++)
		audit_add(test_row(i, nullptr, nullptr));
	sleep(2);
	assert_int_equal(audit_written(), 0);
	assert_int_equal(audit_pending(), 300);
	test_exec("COMMIT");
	for (i = 300; i < 310; i++)
		audit_add(test_row(i, nullptr, nullptr));
	audit_shutdown();
	assert_int_equal(audit_written(), 310);
	assert_int_equal(audit_dropped(), 0);
	/* 2 s is well within the busy timeout: no failed attempt. */
	assert_int_equal(mock_log_count, 0);
	assert_int_equal(test_int("SELECT count(*) FROM audit"), 310);
}

/* A failing transaction keeps its batch and retries: the trigger makes
 * every insert fail until it is dropped; then all rows come, in order. */
static void
test_audit_retry_after_error(void **)
{
	int	 i, warnings;

	test_exec("CREATE TRIGGER audit_fail BEFORE INSERT ON audit"
	    " BEGIN SELECT RAISE(ABORT, 'test says no'); END");
	test_start();
	for (i = 0; i < 10; i++)
		audit_add(test_row(i, nullptr, nullptr));
	sleep(3);	/* the timer at 1 s, a retry a second later */
	assert_int_equal(audit_written(), 0);
	assert_int_equal(audit_pending(), 10);
	test_exec("DROP TRIGGER audit_fail");
	for (i = 10; i < 15; i++)
		audit_add(test_row(i, nullptr, nullptr));
	audit_shutdown();
	warnings = mock_log_count;
	assert_true(warnings >= 1);
	assert_non_null(strstr(mock_log_last, "kept for a retry"));
	assert_non_null(strstr(mock_log_last, "test says no"));
	assert_int_equal(audit_written(), 15);
	assert_int_equal(audit_dropped(), 0);
	assert_int_equal(test_int("SELECT count(*) FROM audit"), 15);
	assert_int_equal(test_int("SELECT count(*) FROM audit a JOIN audit b"
	    " ON b.id = a.id + 1 WHERE b.at_ms <> a.at_ms + 1"), 0);
}

/* Above AUDIT_MAX_PENDING rows are dropped, counted and logged; the rest
 * are written once the database takes them again. The lock keeps the writer
 * quiet in its busy timeout, so the log holds audit_add's own line. */
static void
test_audit_bound(void **)
{
	int	 i;

	test_start();
	test_exec("BEGIN EXCLUSIVE");
	for (i = 0; i < AUDIT_MAX_PENDING + 10; i++)
		audit_add(test_row(i, nullptr, nullptr));
	assert_int_equal(audit_dropped(), 10);
	assert_int_equal(audit_pending(), AUDIT_MAX_PENDING);
	assert_int_equal(audit_written(), 0);
	/* The first drop is logged at once, the other nine a second later or
	 * at shutdown, whichever comes first. */
	assert_non_null(strstr(mock_log_last, "audit: 1 rows dropped"));
	test_exec("COMMIT");
	audit_shutdown();
	assert_non_null(strstr(mock_log_last, "audit: 9 rows dropped"));
	assert_int_equal(audit_written(), AUDIT_MAX_PENDING);
	assert_int_equal(audit_dropped(), 10);
	assert_int_equal(test_int("SELECT count(*) FROM audit"),
	    AUDIT_MAX_PENDING);
	/* The first ones are kept, the last ones dropped. */
	assert_int_equal(test_int("SELECT max(at_ms) FROM audit"),
	    1700000000000LL + AUDIT_MAX_PENDING - 1);
}

/* The queue is bounded in bytes too: big rows stop at AUDIT_MAX_BYTES,
 * dropped and counted, not at AUDIT_MAX_PENDING rows. */
static void
test_audit_bytes_bound(void **)
{
	struct audit_row	 row;
	char			*big;
	int			 i, n = 200;

	big = (char *)xmalloc(100 * 1024 + 1);
	memset(big, 'x', 100 * 1024);
	big[100 * 1024] = '\0';
	test_start();
	test_exec("BEGIN EXCLUSIVE");
	for (i = 0; i < n; i++) {
		row = *test_row(i, nullptr, nullptr);
		row.args = big;
		audit_add(&row);
	}
	assert_true(audit_dropped() > 0);
	assert_true(audit_pending() < 170);
	assert_int_equal(audit_pending() + audit_dropped(), n);
	test_exec("COMMIT");
	audit_shutdown();
	assert_int_equal(test_int("SELECT count(*) FROM audit"),
	    n - (int)audit_dropped());
	free(big);
}

/* What a request refused before authentication adds. */
static void
test_add_refused(int i, const char *addr)
{
	struct audit_row	 row = *test_row(i, nullptr, addr);

	row.prelogin = 1;
	row.addr = addr;
	audit_add(&row);
}

/*
 * A client's refusals are rationed: a burst, then folded into one row per
 * second whose count says how many; every request is counted. (Before,
 * one client from a refused address grew the database from 35 MB to
 * 1,050 MB in 20 s.)
 */
static void
test_audit_fold_one_client(void **)
{
	int	 i, rows;

	test_start();
	for (i = 0; i < 1000; i++)
		test_add_refused(i, "203.0.113.9");
	/* Another client has its own ration. */
	test_add_refused(1000, "203.0.113.10");
	audit_shutdown();
	rows = (int)test_int("SELECT count(*) FROM audit WHERE client_ip ="
	    " '203.0.113.9'");
	assert_true(rows >= AUDIT_FOLD_BURST);
	assert_true(rows <= AUDIT_FOLD_BURST + 5);
	assert_int_equal(test_int("SELECT sum(count) FROM audit WHERE"
	    " client_ip = '203.0.113.9'"), 1000);
	assert_int_equal(test_int("SELECT count(*) FROM audit WHERE"
	    " client_ip = '203.0.113.10'"), 1);
	/* A folded row says so: who "-", no command, no arguments. */
	assert_int_equal(test_int("SELECT count(*) FROM audit WHERE count > 1"
	    " AND who = '-' AND cmd = '' AND args = '[]'"), 1);
	assert_true(audit_folded() >= 1000 - AUDIT_FOLD_BURST - 5);
	assert_int_equal(audit_dropped(), 0);
}

/* Many clients: the overall ration holds, and nothing is uncounted. */
static void
test_audit_fold_many_clients(void **)
{
	char	 addr[32];
	int	 i;

	test_start();
	for (i = 0; i < 5000; i++) {
		snprintf(addr, sizeof addr, "10.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		test_add_refused(i, addr);
	}
	audit_shutdown();
	assert_true(test_int("SELECT count(*) FROM audit") <=
	    AUDIT_FOLD_ALL_BURST + AUDIT_FOLD_SLOTS_TEST + 50);
	assert_int_equal(test_int("SELECT sum(count) FROM audit"), 5000);
	assert_int_equal(audit_dropped(), 0);
}

/* Authenticated requests are never folded. */
static void
test_audit_no_fold_after_login(void **)
{
	int	 i;

	test_start();
	for (i = 0; i < 500; i++)
		audit_add(test_row(i, nullptr, "203.0.113.11"));
	audit_shutdown();
	assert_int_equal(test_int("SELECT count(*) FROM audit"), 500);
	assert_int_equal(test_int("SELECT max(count) FROM audit"), 1);
	assert_int_equal(audit_folded(), 0);
}

/* Shutdown with nothing queued: quick, nothing written; twice is fine;
 * a row after it is dropped and counted, not written. */
static void
test_audit_shutdown_empty(void **)
{
	double	 t0;

	test_start();
	t0 = test_now();
	audit_shutdown();
	assert_true(test_now() - t0 < 10);
	audit_shutdown();
	assert_int_equal(audit_written(), 0);
	assert_int_equal(audit_pending(), 0);
	assert_int_equal(audit_commits(), 0);
	audit_add(test_row(1, nullptr, nullptr));
	assert_int_equal(audit_dropped(), 1);
	assert_int_equal(audit_pending(), 0);
	assert_int_equal(test_int("SELECT count(*) FROM audit"), 0);
	/* And the writer starts again afterwards. */
	test_start();
	audit_add(test_row(2, nullptr, nullptr));
	audit_shutdown();
	assert_int_equal(audit_written(), 1);
	assert_int_equal(test_int("SELECT count(*) FROM audit"), 1);
}

/* audit_init refuses: a missing file, a database without the schema, a
 * second start. */
static void
test_audit_init_errors(void **)
{
	char	 path[PATH_MAX + 16];
	char	*cause = nullptr;
	sqlite3	*sq;

	snprintf(path, sizeof path, "%s/missing.db", test_dir);
	assert_int_equal(audit_init(path, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = nullptr;
	assert_int_equal(access(path, F_OK), -1);

	snprintf(path, sizeof path, "%s/empty.db", test_dir);
	assert_int_equal(sqlite3_open(path, &sq), SQLITE_OK);
	assert_int_equal(sqlite3_exec(sq, "CREATE TABLE t (x)", nullptr,
	    nullptr, nullptr), SQLITE_OK);
	sqlite3_close(sq);
	assert_int_equal(audit_init(path, &cause), -1);
	assert_non_null(strstr(cause, "no such table"));
	free(cause);
	cause = nullptr;
	unlink(path);

	test_start();
	assert_int_equal(audit_init(test_path, &cause), -1);
	assert_non_null(strstr(cause, "already running"));
	free(cause);
	audit_add(test_row(1, nullptr, nullptr));
	audit_shutdown();
	assert_int_equal(audit_written(), 1);
}

/* Parse the JSON array and compare each element with want[]. */
static void
test_json_equal(const char *text, const char *const *want, size_t nwant)
{
	json_error_t	 error;
	json_t		*a;
	size_t		 i;

	a = json_loads(text, 0, &error);
	if (a == nullptr)
		fail_msg("%s: %s", text, error.text);
	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), nwant);
	for (i = 0; i < nwant; i++)
		assert_string_equal(json_string_value(json_array_get(a, i)),
		    want[i]);
	json_decref(a);
}

static void
test_args_expect(char *const *args, int nargs, char *const *names,
    const char *tmp_dir, const char *text)
{
	char	*s;

	s = audit_args_json(args, nargs, names, tmp_dir, 0);
	assert_string_equal(s, text);
	free(s);
}

/* Secret option names: PASSWORD, PASS, SECRET, HASH, any case. */
static void
test_audit_args_secrets(void **)
{
	char *args[] = { (char *)"alice", (char *)"s3cr\"t", (char *)"a@b.c",
	    (char *)"pw2", (char *)"k", (char *)"h", (char *)"p" };
	char *names[] = { (char *)"USER", (char *)"PASSWORD", (char *)"EMAIL",
	    (char *)"old_password", (char *)"SECRET_KEY", (char *)"HASH",
	    (char *)"PASS" };
	char *plain[] = { (char *)"USER", (char *)"USER2", nullptr };
	const char *want[] = { "alice", "***", "a@b.c", "***", "***", "***",
	    "***" };
	char	*s;

	s = audit_args_json(args, 7, names, "/tmp", 0);
	assert_string_equal(s, "[\"alice\",\"***\",\"a@b.c\",\"***\",\"***\","
	    "\"***\",\"***\"]");
	test_json_equal(s, want, nitems(want));
	free(s);
	/* Names that do not say secret, and a nullptr name, mask nothing. */
	test_args_expect(args, 3, plain, "/tmp",
	    "[\"alice\",\"s3cr\\\"t\",\"a@b.c\"]");
	/* No names at all. */
	test_args_expect(args, 2, nullptr, "/tmp",
	    "[\"alice\",\"s3cr\\\"t\"]");
	test_args_expect(args, 0, nullptr, "/tmp", "[]");
}

/* A path under tmp_dir is masked; near misses are not. */
static void
test_audit_args_tmp(void **)
{
	char *args[] = { (char *)"/tmp/abc", (char *)"/tmpx/abc",
	    (char *)"/tmp", (char *)"/tmp/", (char *)"x/tmp/abc",
	    (char *)"/tmp/a/b" };

	test_args_expect(args, 6, nullptr, "/tmp",
	    "[\"/tmp/***\",\"/tmpx/abc\",\"/tmp\",\"/tmp/\",\"x/tmp/abc\","
	    "\"/tmp/***\"]");
	test_args_expect(args, 1, nullptr, "/tmp/", "[\"/tmp/***\"]");
	test_args_expect(args, 1, nullptr, nullptr, "[\"/tmp/abc\"]");
	test_args_expect(args, 1, nullptr, "/var/tmp", "[\"/tmp/abc\"]");
	test_args_expect(args, 1, nullptr, "/", "[\"/tmp/abc\"]");
}

/* Quotes, backslashes and control characters escaped; the result is JSON
 * that gives back the same strings. */
static void
test_audit_args_escape(void **)
{
	char *args[] = { (char *)"a\"b", (char *)"c\\d", (char *)"e\nf\tg\r",
	    (char *)"\x01\x1f\x7f", (char *)"\b\f", (char *)"" };
	const char *want[] = { "a\"b", "c\\d", "e\nf\tg\r", "\x01\x1f\x7f",
	    "\b\f", "" };
	char	*s;

	s = audit_args_json(args, 6, nullptr, "/tmp", 0);
	assert_string_equal(s, "[\"a\\\"b\",\"c\\\\d\",\"e\\nf\\tg\\r\","
	    "\"\\u0001\\u001f\\u007f\",\"\\b\\f\",\"\"]");
	test_json_equal(s, want, nitems(want));
	free(s);
}

/* Valid UTF-8 kept; each invalid byte becomes U+FFFD. */
static void
test_audit_args_utf8(void **)
{
	char *args[] = {
		/* e acute, the euro sign, an emoji */
		(char *)"h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
		(char *)"a\xff" "b",			/* a stray byte */
		(char *)"x\xc3",			/* cut at the end */
		(char *)"\xc0\xaf",			/* overlong '/' */
		(char *)"\xe0\x80\xaf",			/* overlong, 3 bytes */
		(char *)"\xf0\x80\x80\xaf",		/* overlong, 4 bytes */
		(char *)"\xed\xa0\x80",			/* a surrogate */
		(char *)"\xf4\x90\x80\x80",		/* above U+10FFFF */
		(char *)"\xe2\x82" "z",			/* cut, then ASCII */
	};
#define FFFD "\xef\xbf\xbd"
	const char *want[] = {
		"h\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
		"a" FFFD "b",
		"x" FFFD,
		FFFD FFFD,
		FFFD FFFD FFFD,
		FFFD FFFD FFFD FFFD,
		FFFD FFFD FFFD,
		FFFD FFFD FFFD FFFD,
		FFFD FFFD "z",
	};
#undef FFFD
	char	*s;

	s = audit_args_json(args, nitems(args), nullptr, "/tmp", 0);
	test_json_equal(s, want, nitems(want));
	free(s);
}

/* Hidden: every argument "***", their number kept. */
static void
test_audit_args_hidden(void **)
{
	char *args[] = { (char *)"alice", (char *)"MyN3wS3cretPassw0rd" };
	char	*s;

	test_args_expect(args, 2, nullptr, "/tmp", "[\"alice\","
	    "\"MyN3wS3cretPassw0rd\"]");
	s = audit_args_json(args, 2, nullptr, "/tmp", 1);
	assert_string_equal(s, "[\"***\",\"***\"]");
	free(s);
}

/* A long argument is cut at AUDIT_ARG_MAX bytes and marked; a cut inside
 * a character is never invalid UTF-8. */
static void
test_audit_args_cut(void **)
{
	char	*arg, *args[1], *s;
	json_t	*a;

	arg = (char *)xmalloc(AUDIT_ARG_MAX * 2 + 1);
	memset(arg, 'x', AUDIT_ARG_MAX * 2);
	arg[AUDIT_ARG_MAX * 2] = '\0';
	/* A two-byte character across the cut. */
	arg[AUDIT_ARG_MAX - 1] = '\xc3';
	arg[AUDIT_ARG_MAX] = '\xa9';
	args[0] = arg;
	s = audit_args_json(args, 1, nullptr, "/tmp", 0);
	assert_non_null(a = json_loads(s, 0, nullptr));
	assert_int_equal(strlen(json_string_value(json_array_get(a, 0))),
	    AUDIT_ARG_MAX - 1 + 3 + 3);
	assert_non_null(strstr(s, "\xef\xbf\xbd\xe2\x80\xa6\"]"));
	json_decref(a);
	free(s);
	free(arg);
}

/* Masking names line up with their arguments, with nullptr holes. */
static void
test_audit_args_names_nullptr(void **)
{
	char *args[] = { (char *)"u", (char *)"/tmp/f", (char *)"pw" };
	char *names[] = { nullptr, nullptr, (char *)"Password" };

	test_args_expect(args, 3, names, "/tmp",
	    "[\"u\",\"/tmp/***\",\"***\"]");
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_audit_exact_rows),
		TEST(test_audit_key_usage),
		TEST(test_audit_key_usage_many),
		TEST(test_audit_lone_row_timer),
		TEST(test_audit_burst),
		TEST(test_audit_concurrent_adds),
		TEST(test_audit_locked),
		TEST(test_audit_retry_after_error),
		TEST(test_audit_bound),
		TEST(test_audit_bytes_bound),
		TEST(test_audit_fold_one_client),
		TEST(test_audit_fold_many_clients),
		TEST(test_audit_no_fold_after_login),
		TEST(test_audit_shutdown_empty),
		TEST(test_audit_init_errors),
		TEST(test_audit_args_secrets),
		TEST(test_audit_args_tmp),
		TEST(test_audit_args_escape),
		TEST(test_audit_args_utf8),
		TEST(test_audit_args_names_nullptr),
		TEST(test_audit_args_hidden),
		TEST(test_audit_args_cut),
	};
	int	 rc;

	if (mkdtemp(test_dir) == nullptr) {
		perror("mkdtemp");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, nullptr, nullptr);
	rmdir(test_dir);
	return rc;
}
