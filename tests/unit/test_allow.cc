/* SPDX-License-Identifier: GPL-3.0-or-later */
/* allow.cc: Hestia's API_ALLOWED_IP and the database's allow table as one
 * global allowlist, rebuilt when either changes; a key's own list. */
#include <sys/stat.h>
#include <sys/types.h>

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "allow.h"
#include "db.h"

struct apid_env *env;

extern char	 mock_log_last[1024];
extern int	 mock_log_count;

static char		 test_top[] = "/tmp/test_allow.XXXXXX";
static int		 test_seq;
static struct apid_env	 test_env;

static int
test_rm_cb(const char *path, const struct stat *, int, struct FTW *)
{
	return remove(path);
}

static int
test_group_setup(void **)
{
	if (mkdtemp(test_top) == nullptr)
		return -1;
	env = &test_env;
	return 0;
}

static int
test_group_teardown(void **)
{
	env = nullptr;
	nftw(test_top, test_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* A new database and empty tables for each test. */
static int
test_setup(void **)
{
	char	 path[256], *cause = nullptr;

	snprintf(path, sizeof path, "%s/allow%d.db", test_top, ++test_seq);
	if ((env->db = db_open(path, &cause)) == nullptr) {
		fprintf(stderr, "db_open: %s\n", cause);
		free(cause);
		return -1;
	}
	allow_reset();
	return 0;
}

static int
test_teardown(void **)
{
	allow_reset();
	db_close(env->db);
	env->db = nullptr;
	return 0;
}

static void
test_sql(const char *sql)
{
	char	*msg = nullptr;

	if (sqlite3_exec(db_sqlite(env->db), sql, nullptr, nullptr, &msg) !=
	    SQLITE_OK) {
		fail_msg("%s: %s", sql, msg);
		sqlite3_free(msg);
	}
}

/* Both kinds of login: key is the answer for access keys, legacy for
 * legacy keys and passwords. */
static void
test_both(const char *list, const char *client, int key, int legacy)
{
	if (allow_global(list, client, 1) != key)
		fail_msg("\"%s\" %s access key: want %d", list, client, key);
	if (allow_global(list, client, 0) != legacy)
		fail_msg("\"%s\" %s legacy: want %d", list, client, legacy);
}

static void
test_allow_all(void **)
{
	test_both("allow-all", "203.0.113.5", 1, 1);
	test_both("allow-all", "2001:db8::1", 1, 1);
	test_both("allow-all", "::ffff:203.0.113.5", 1, 1);
	/* Unlike Hestia, an unknown address is never admitted. */
	test_both("allow-all", "", 0, 0);
	test_both("allow-all", "garbage", 0, 0);
	/* A unix-socket client has no address: allow-all alone admits it. */
	test_both("allow-all", "unix", 1, 1);
	test_both("127.0.0.1,0.0.0.0", "unix", 0, 0);
	/* Only the whole value is the keyword. */
	test_both("allow-all,198.51.100.1", "203.0.113.5", 0, 0);
	test_both("allow-all,198.51.100.1", "198.51.100.1", 1, 1);
	test_both("ALLOW-ALL", "203.0.113.5", 0, 0);
	test_both(" allow-all", "203.0.113.5", 0, 0);
}

static void
test_allow_list(void **)
{
	const char	*list = "198.51.100.1,203.0.113.5,2001:db8::7";

	test_both(list, "203.0.113.5", 1, 1);
	test_both(list, "198.51.100.1", 1, 1);
	test_both(list, "203.0.113.6", 0, 0);
	test_both(list, "2001:db8::7", 1, 1);
	test_both(list, "2001:db8::8", 0, 0);
	/* Written another way, the same address. */
	test_both(list, "2001:0db8:0000::0007", 1, 1);
	test_both(list, "::ffff:203.0.113.5", 1, 1);
	test_both(list, "", 0, 0);
	/* Nobody, with an empty list. */
	test_both("", "203.0.113.5", 0, 0);
	test_both("", "", 0, 0);
	/* CIDRs, beyond Hestia. */
	test_both("10.0.0.0/8", "10.200.1.1", 1, 1);
	test_both("10.0.0.0/8", "11.0.0.1", 0, 0);
}

/* Entries Hestia never matched still match nothing. */
static void
test_allow_list_bad_entries(void **)
{
	int	 count = mock_log_count;

	test_both(" 203.0.113.5,198.51.100.1", "203.0.113.5", 0, 0);
	test_both(" 203.0.113.5,198.51.100.1", "198.51.100.1", 1, 1);
	/* Said once in the log, not per request. */
	assert_true(mock_log_count > count);
	assert_non_null(strstr(mock_log_last, "API_ALLOWED_IP"));
	count = mock_log_count;
	test_both(" 203.0.113.5,198.51.100.1", "198.51.100.1", 1, 1);
	assert_int_equal(mock_log_count, count);
	test_both(",,198.51.100.1,", "198.51.100.1", 1, 1);
	test_both("bogus", "198.51.100.1", 0, 0);
}

/* 0.0.0.0: every address for access keys, itself only for legacy. */
static void
test_allow_wildcard(void **)
{
	test_both("198.51.100.1,0.0.0.0", "203.0.113.5", 1, 0);
	test_both("198.51.100.1,0.0.0.0", "2001:db8::1", 1, 0);
	test_both("198.51.100.1,0.0.0.0", "198.51.100.1", 1, 1);
	test_both("0.0.0.0", "0.0.0.0", 1, 1);
	test_both("0.0.0.0", "", 0, 0);
	test_both("0.0.0.0/0", "203.0.113.5", 1, 1);
}

/* A list that changes is rebuilt at the next call. */
static void
test_allow_list_changes(void **)
{
	test_both("198.51.100.1", "198.51.100.1", 1, 1);
	test_both("198.51.100.2", "198.51.100.1", 0, 0);
	test_both("198.51.100.2", "198.51.100.2", 1, 1);
	test_both("allow-all", "198.51.100.1", 1, 1);
	test_both("198.51.100.2", "198.51.100.1", 0, 0);
}

/* The allow table admits addresses outside API_ALLOWED_IP, for both
 * kinds of login. */
static void
test_allow_db_row(void **)
{
	test_both("198.51.100.1", "192.0.2.9", 0, 0);
	test_sql("INSERT INTO allow (cidr) VALUES ('192.0.2.0/24')");
	test_both("198.51.100.1", "192.0.2.9", 1, 1);
	test_both("", "192.0.2.9", 1, 1);
	test_both("198.51.100.1", "192.0.3.9", 0, 0);
	test_both("198.51.100.1", "198.51.100.1", 1, 1);
	test_both("198.51.100.1", "", 0, 0);
}

/* Rows added, changed and deleted count at the next call. */
static void
test_allow_db_changes(void **)
{
	test_both("", "192.0.2.9", 0, 0);
	test_sql("INSERT INTO allow (cidr) VALUES ('192.0.2.0/24')");
	test_both("", "192.0.2.9", 1, 1);
	test_both("", "2001:db8::1", 0, 0);
	test_sql("INSERT INTO allow (cidr) VALUES ('2001:db8::/32')");
	test_both("", "2001:db8::1", 1, 1);
	test_both("", "192.0.2.9", 1, 1);
	test_sql("UPDATE allow SET cidr = '192.0.3.0/24' WHERE "
	    "cidr = '192.0.2.0/24'");
	test_both("", "192.0.2.9", 0, 0);
	test_both("", "192.0.3.9", 1, 1);
	test_sql("DELETE FROM allow WHERE cidr = '192.0.3.0/24'");
	test_both("", "192.0.3.9", 0, 0);
	test_both("", "2001:db8::1", 1, 1);
	test_sql("DELETE FROM allow");
	test_both("", "2001:db8::1", 0, 0);
}

/* A change of API_ALLOWED_IP keeps the table, and the reverse. */
static void
test_allow_db_and_list(void **)
{
	test_sql("INSERT INTO allow (cidr) VALUES ('192.0.2.0/24')");
	test_both("198.51.100.1", "192.0.2.9", 1, 1);
	test_both("198.51.100.2", "192.0.2.9", 1, 1);
	test_both("198.51.100.2", "198.51.100.2", 1, 1);
	test_sql("DELETE FROM allow");
	test_both("198.51.100.2", "198.51.100.2", 1, 1);
	test_both("198.51.100.2", "192.0.2.9", 0, 0);
}

/* A row that is not a CIDR is skipped; the others still count. */
static void
test_allow_db_bad_row(void **)
{
	int	 count = mock_log_count;

	test_sql("INSERT INTO allow (cidr) VALUES ('bogus'), "
	    "('192.0.2.0/24')");
	test_both("", "192.0.2.9", 1, 1);
	assert_true(mock_log_count > count);
	assert_non_null(strstr(mock_log_last, "bogus"));
	test_both("", "198.51.100.1", 0, 0);
}

/* When the table cannot be read, the last good one stays. */
static void
test_allow_db_error(void **)
{
	test_sql("INSERT INTO allow (cidr) VALUES ('192.0.2.0/24')");
	test_both("", "192.0.2.9", 1, 1);
	test_sql("ALTER TABLE allow RENAME TO allow_gone");
	test_sql("UPDATE allow_generation SET n = n + 1");
	test_both("", "192.0.2.9", 1, 1);
	test_both("", "192.0.3.9", 0, 0);
}

/* Without a database, API_ALLOWED_IP alone. */
static void
test_allow_no_db(void **)
{
	struct db	*db = env->db;

	env->db = nullptr;
	allow_reset();
	test_both("198.51.100.1", "198.51.100.1", 1, 1);
	test_both("198.51.100.1", "192.0.2.9", 0, 0);
	env->db = db;
}

static void
test_allow_key_empty(void **)
{
	assert_int_equal(allow_key("", "203.0.113.5"), 1);
	assert_int_equal(allow_key("", "2001:db8::1"), 1);
}

static void
test_allow_key_list(void **)
{
	const char	*list = "192.0.2.0/24,198.51.100.7,2001:db8::/32";

	assert_int_equal(allow_key(list, "192.0.2.1"), 1);
	assert_int_equal(allow_key(list, "192.0.2.255"), 1);
	assert_int_equal(allow_key(list, "192.0.3.1"), 0);
	assert_int_equal(allow_key(list, "198.51.100.7"), 1);
	assert_int_equal(allow_key(list, "198.51.100.8"), 0);
	assert_int_equal(allow_key(list, "2001:db8:1::1"), 1);
	assert_int_equal(allow_key(list, "2001:db9::1"), 0);
	assert_int_equal(allow_key(list, "::ffff:192.0.2.1"), 1);
	assert_int_equal(allow_key(list, ""), 0);
	assert_int_equal(allow_key(list, "garbage"), 0);
	assert_int_equal(allow_key("198.51.100.7", "198.51.100.7"), 1);
	assert_int_equal(allow_key("198.51.100.7", "198.51.100.70"), 0);
}

/* A bad entry is skipped (and said); it never admits anyone. */
static void
test_allow_key_bad_entry(void **)
{
	int	 count = mock_log_count;

	assert_int_equal(allow_key("bogus,192.0.2.0/24", "192.0.2.1"), 1);
	assert_true(mock_log_count > count);
	assert_int_equal(allow_key("bogus,192.0.2.0/24", "203.0.113.5"), 0);
	assert_int_equal(allow_key("192.0.2.1/24,198.51.100.7",
	    "192.0.2.1"), 0);
	assert_int_equal(allow_key("192.0.2.1/24,198.51.100.7",
	    "198.51.100.7"), 1);
	/* Only bad entries: nobody, not everybody. */
	assert_int_equal(allow_key("bogus", "203.0.113.5"), 0);
	assert_int_equal(allow_key(",", "203.0.113.5"), 0);
}

#define TEST(f)	cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_allow_all),
		TEST(test_allow_list),
		TEST(test_allow_list_bad_entries),
		TEST(test_allow_wildcard),
		TEST(test_allow_list_changes),
		TEST(test_allow_db_row),
		TEST(test_allow_db_changes),
		TEST(test_allow_db_and_list),
		TEST(test_allow_db_bad_row),
		TEST(test_allow_db_error),
		TEST(test_allow_no_db),
		TEST(test_allow_key_empty),
		TEST(test_allow_key_list),
		TEST(test_allow_key_bad_entry),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
