/* SPDX-License-Identifier: GPL-3.0-or-later */
/* db.cc on a real SQLite file: schema, WAL, keys and their permissions. */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
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
#include "config.h"
#include "db.h"
#include "key.h"
#include "schema_sql.h"

#define TEST_ID1	"AbCdEfGhIjKlMnOp0123"
#define TEST_ID2	"ZyXwVuTsRqPoNmLk9876"
#define TEST_SECRET	"s3cr3t_s3cr3t-S3CR3T=s3cr3t_s3cr3t-S3CR"

static const struct argon2_cost test_cost = { 1, 64, 1 };

static char	 test_top[] = "/tmp/test_db.XXXXXX";
static char	 test_path[128];
static int	 test_seq;
static char	*test_hash;

static int
test_rm_cb(const char *path, const struct stat *, int, struct FTW *)
{
	return remove(path);
}

static int
test_group_setup(void **)
{
	char	*cause = nullptr;

	if (mkdtemp(test_top) == nullptr)
		return -1;
	if ((test_hash = key_hash(TEST_SECRET, &test_cost, &cause)) ==
	    nullptr)
		return -1;
	return 0;
}

static int
test_group_teardown(void **)
{
	free(test_hash);
	nftw(test_top, test_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* A new database file for each test. */
static int
test_setup(void **)
{
	snprintf(test_path, sizeof test_path, "%s/keys%d.db", test_top,
	    ++test_seq);
	return 0;
}

/* The version a new database gets: the last migration's, else 1. */
static int
test_version(void)
{
	const struct schema_migration	*m;
	int				 v = 1;

	for (m = schema_migrations; m->sql != nullptr; m++) {
		if (m->version > v)
			v = m->version;
	}
	return v;
}

static struct db *
test_open(void)
{
	struct db	*db;
	char		*cause = nullptr;

	db = db_open(test_path, &cause);
	if (db == nullptr)
		fail_msg("db_open: %s", cause);
	assert_null(cause);
	return db;
}

/* The first column of the first row of sql, as an integer. */
static int64_t
test_int(struct db *db, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st,
	    nullptr), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The first column of the first row of sql, as text (static). */
static const char *
test_text(struct db *db, const char *sql)
{
	static char	 buf[1024];
	sqlite3_stmt	*st;
	const char	*s;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st,
	    nullptr), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	s = (const char *)sqlite3_column_text(st, 0);
	snprintf(buf, sizeof buf, "%s", s != nullptr ? s : "(null)");
	sqlite3_finalize(st);
	return buf;
}

static int
test_add(struct db *db, const char *id, const char *user, const char *hash,
    const char *comment, int64_t expires_at, int disabled,
    const char **perms, int nperms, char **cause)
{
	struct db_key	 k;

	memset(&k, 0, sizeof k);
	k.id = (char *)id;
	k.user = (char *)user;
	k.secret_hash = (char *)hash;
	k.comment = (char *)comment;
	k.expires_at = expires_at;
	k.disabled = disabled;
	return db_key_add(db, &k, (char *const *)perms, nperms, cause);
}

/* A new file gets the whole current schema, in WAL mode. */
static void
test_db_create(void **)
{
	struct db	*db = test_open();

	assert_true(test_version() >= 1);
	assert_int_equal(db_schema_version(db), test_version());
	assert_string_equal(test_text(db, "PRAGMA journal_mode"), "wal");
	assert_int_equal(test_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(test_int(db, "SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'table' AND name IN ('keys', 'key_perms',"
	    " 'key_allow', 'perm_sets', 'perm_set_commands', 'legacy_keys',"
	    " 'allow', 'audit')"), 8);
	assert_int_equal(test_int(db, "SELECT count(*) FROM sqlite_master"
	    " WHERE type = 'view' AND name IN ('keys_view', 'audit_view')"),
	    2);
	assert_int_equal(test_int(db, "SELECT count(*) FROM perm_sets"), 6);
	assert_string_equal(test_text(db, "SELECT group_concat(name, ',')"
	    " FROM (SELECT name FROM perm_sets ORDER BY name)"),
	    "billing,mail-accounts,phpmyadmin-sso,purge-nginx-cache,"
	    "sync-dns-cluster,update-dns-records");
	assert_int_equal(test_int(db, "SELECT count(*) FROM perm_set_commands"
	    " WHERE set_name = 'billing'"), 11);
	assert_int_equal(test_int(db, "SELECT count(*) FROM perm_set_commands"
	    " WHERE set_name = 'update-dns-records'"), 2);
	assert_int_equal(test_int(db, "SELECT count(*) FROM keys"), 0);
	db_close(db);
}

static void
test_db_memory(void **)
{
	struct db	*db;
	char		*cause = nullptr;

	assert_non_null(db = db_open(":memory:", &cause));
	assert_int_equal(db_schema_version(db), test_version());
	assert_int_equal(test_int(db, "SELECT count(*) FROM perm_sets"), 6);
	db_close(db);
	db_close(nullptr);
}

static void
test_db_open_fails(void **)
{
	char	 path[256], prefix[300];
	char	*cause = nullptr;
	FILE	*f;
	int	 i;

	snprintf(path, sizeof path, "%s/missing/keys.db", test_top);
	assert_null(db_open(path, &cause));
	assert_non_null(cause);
	snprintf(prefix, sizeof prefix, "%s: ", path);
	assert_true(strncmp(cause, prefix, strlen(prefix)) == 0);
	free(cause);

	/* Not a database: the journal pragma fails. */
	cause = nullptr;
	snprintf(path, sizeof path, "%s/junk.db", test_top);
	assert_non_null(f = fopen(path, "w"));
	for (i = 0; i < 200; i++)
		fputs("this is not an SQLite database\n", f);
	fclose(f);
	assert_null(db_open(path, &cause));
	assert_non_null(cause);
	assert_non_null(strstr(cause, "not a database"));
	free(cause);
}

static void
test_db_key_add_get(void **)
{
	struct db	*db = test_open();
	struct db_key	 k;
	const char	*perms[] = { "billing", "v-list-web-domains" };
	char		*cause = nullptr;

	assert_int_equal(test_add(db, TEST_ID1, "alice", test_hash,
	    "billing box", 0, 0, perms, 2, &cause), 0);
	assert_null(cause);
	assert_int_equal(test_add(db, TEST_ID2, "bob", test_hash, nullptr,
	    2000000000, 1, nullptr, 0, &cause), 0);

	assert_int_equal(db_key_get(db, TEST_ID1, &k, &cause), 1);
	assert_string_equal(k.id, TEST_ID1);
	assert_string_equal(k.user, "alice");
	assert_string_equal(k.secret_hash, test_hash);
	assert_string_equal(k.comment, "billing box");
	assert_true(k.created_at > 0);
	assert_int_equal(k.expires_at, 0);
	assert_int_equal(k.disabled, 0);
	assert_int_equal(k.nperms, 2);
	db_key_free(&k);
	assert_null(k.id);

	assert_int_equal(db_key_get(db, TEST_ID2, &k, &cause), 1);
	assert_string_equal(k.user, "bob");
	assert_string_equal(k.comment, "");
	assert_int_equal(k.expires_at, 2000000000);
	assert_int_equal(k.disabled, 1);
	assert_int_equal(k.nperms, 0);
	db_key_free(&k);

	/* No expiry is stored as NULL, not 0. */
	assert_int_equal(test_int(db, "SELECT count(*) FROM keys WHERE"
	    " id = '" TEST_ID1 "' AND expires_at IS NULL"), 1);

	assert_int_equal(db_key_get(db, "NoSuchKeyNoSuchKey00", &k, &cause),
	    0);
	assert_null(k.id);
	assert_null(cause);
	db_close(db);
}

static void
test_db_may_run(void **)
{
	struct db	*db = test_open();
	const char	*perms[] = { "billing", "v-list-web-domains",
			    "no-such-set" };
	char		*cause = nullptr;

	assert_int_equal(test_add(db, TEST_ID1, "alice", test_hash, "", 0, 0,
	    perms, 3, &cause), 0);
	assert_int_equal(test_add(db, TEST_ID2, "admin", test_hash, "", 0, 0,
	    nullptr, 0, &cause), 0);
	/* Through the set. */
	assert_int_equal(db_key_may_run(db, TEST_ID1, "v-add-user", &cause),
	    1);
	assert_int_equal(db_key_may_run(db, TEST_ID1, "v-make-tmp-file",
	    &cause), 1);
	/* A plain command name. */
	assert_int_equal(db_key_may_run(db, TEST_ID1, "v-list-web-domains",
	    &cause), 1);
	/* In another set, in none, or a near miss. */
	assert_int_equal(db_key_may_run(db, TEST_ID1, "v-delete-dns-record",
	    &cause), 0);
	assert_int_equal(db_key_may_run(db, TEST_ID1, "v-list-web-domain",
	    &cause), 0);
	assert_int_equal(db_key_may_run(db, TEST_ID1, "v-add-use", &cause),
	    0);
	assert_int_equal(db_key_may_run(db, TEST_ID1, "", &cause), 0);
	/* Another key's permissions are not ours. */
	assert_int_equal(db_key_may_run(db, TEST_ID2, "v-add-user", &cause),
	    0);
	assert_int_equal(db_key_may_run(db, "NoSuchKeyNoSuchKey00",
	    "v-add-user", &cause), 0);
	assert_null(cause);
	db_close(db);
}

/* A repeated permission counts once. */
static void
test_db_nperms(void **)
{
	struct db	*db = test_open();
	struct db_key	 k;
	const char	*perms[] = { "billing", "billing", "v-list-users" };
	char		*cause = nullptr;

	assert_int_equal(test_add(db, TEST_ID1, "alice", test_hash, "", 0, 0,
	    perms, 3, &cause), 0);
	assert_int_equal(db_key_get(db, TEST_ID1, &k, &cause), 1);
	assert_int_equal(k.nperms, 2);
	db_key_free(&k);
	db_close(db);
}

/* Deleting a key removes its permissions too. */
static void
test_db_delete(void **)
{
	struct db	*db = test_open();
	struct db_key	 k;
	const char	*perms[] = { "billing", "v-list-users" };
	char		*cause = nullptr;

	assert_int_equal(test_add(db, TEST_ID1, "alice", test_hash, "", 0, 0,
	    perms, 2, &cause), 0);
	assert_int_equal(test_add(db, TEST_ID2, "bob", test_hash, "", 0, 0,
	    perms, 2, &cause), 0);
	assert_int_equal(db_key_delete(db, TEST_ID1, &cause), 1);
	assert_int_equal(db_key_delete(db, TEST_ID1, &cause), 0);
	assert_null(cause);
	assert_int_equal(db_key_get(db, TEST_ID1, &k, &cause), 0);
	assert_int_equal(db_key_may_run(db, TEST_ID1, "v-list-users", &cause),
	    0);
	assert_int_equal(test_int(db, "SELECT count(*) FROM key_perms WHERE"
	    " key_id = '" TEST_ID1 "'"), 0);
	/* The other key is untouched. */
	assert_int_equal(db_key_get(db, TEST_ID2, &k, &cause), 1);
	assert_int_equal(k.nperms, 2);
	db_key_free(&k);
	/* The ID can be used again. */
	assert_int_equal(test_add(db, TEST_ID1, "carol", test_hash, "", 0, 0,
	    nullptr, 0, &cause), 0);
	assert_int_equal(db_key_get(db, TEST_ID1, &k, &cause), 1);
	assert_string_equal(k.user, "carol");
	assert_int_equal(k.nperms, 0);
	db_key_free(&k);
	db_close(db);
}

/* A refused add leaves nothing behind and no transaction open. */
static void
test_db_add_refused(void **)
{
	struct db	*db = test_open();
	struct db_key	 k;
	const char	*perms[] = { "billing" };
	const char	*more[] = { "v-list-users", "v-add-user" };
	char		*cause = nullptr;

	assert_int_equal(test_add(db, TEST_ID1, "alice", test_hash, "", 0, 0,
	    perms, 1, &cause), 0);
	/* The same ID again. */
	assert_int_equal(test_add(db, TEST_ID1, "bob", test_hash, "", 0, 0,
	    more, 2, &cause), -1);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "adding the key: "));
	assert_non_null(strstr(cause, "UNIQUE constraint failed"));
	free(cause);
	cause = nullptr;
	assert_int_equal(db_key_get(db, TEST_ID1, &k, &cause), 1);
	assert_string_equal(k.user, "alice");
	assert_int_equal(k.nperms, 1);
	db_key_free(&k);

	/* Malformed ID, empty user, disabled not 0/1. */
	assert_int_equal(test_add(db, "short", "bob", test_hash, "", 0, 0,
	    more, 2, &cause), -1);
	assert_non_null(strstr(cause, "CHECK constraint failed"));
	free(cause);
	cause = nullptr;
	assert_int_equal(test_add(db, TEST_ID2, "", test_hash, "", 0, 0,
	    more, 2, &cause), -1);
	free(cause);
	cause = nullptr;
	assert_int_equal(test_add(db, TEST_ID2, "bob", test_hash, "", 0, 2,
	    more, 2, &cause), -1);
	free(cause);
	cause = nullptr;
	assert_int_equal(test_int(db, "SELECT count(*) FROM keys"), 1);
	assert_int_equal(test_int(db, "SELECT count(*) FROM key_perms"), 1);

	/* Still usable: the failed adds were rolled back. */
	assert_int_equal(test_add(db, TEST_ID2, "bob", test_hash, "", 0, 0,
	    more, 2, &cause), 0);
	assert_int_equal(test_int(db, "SELECT count(*) FROM key_perms"), 3);
	db_close(db);
}

static int
test_file_has(const char *path, const char *needle)
{
	static char	 buf[1 << 20];
	int		 fd;
	ssize_t		 n;

	if ((fd = open(path, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, sizeof buf);
	close(fd);
	assert_true(n >= 0);
	return memmem(buf, n, needle, strlen(needle)) != nullptr;
}

/* Only a hash is stored: a plain secret is refused by the schema, the
 * files never hold the secret, and the admin view shows no hash. */
static void
test_db_no_secret(void **)
{
	struct db	*db = test_open();
	char		 wal[160], *cause = nullptr;

	assert_int_equal(test_add(db, TEST_ID1, "alice", TEST_SECRET, "", 0,
	    0, nullptr, 0, &cause), -1);
	assert_non_null(strstr(cause, "CHECK constraint failed"));
	free(cause);
	cause = nullptr;
	assert_int_equal(test_add(db, TEST_ID1, "alice", test_hash, "", 0, 0,
	    nullptr, 0, &cause), 0);
	assert_int_equal(test_int(db, "SELECT count(*) FROM keys_view WHERE"
	    " id = '" TEST_ID1 "'"), 1);
	assert_int_equal(test_int(db, "SELECT count(*) FROM pragma_table_info"
	    "('keys_view') WHERE name LIKE '%hash%' OR name LIKE '%secret%'"),
	    0);
	snprintf(wal, sizeof wal, "%s-wal", test_path);
	assert_true(test_file_has(test_path, test_hash) ||
	    test_file_has(wal, test_hash));
	assert_false(test_file_has(test_path, TEST_SECRET));
	assert_false(test_file_has(wal, TEST_SECRET));
	db_close(db);
	assert_false(test_file_has(test_path, TEST_SECRET));
}

/* Opening an existing database keeps its rows and its schema. */
static void
test_db_reopen(void **)
{
	struct db	*db = test_open();
	struct db_key	 k;
	const char	*perms[] = { "billing" };
	char		*cause = nullptr;

	assert_int_equal(test_add(db, TEST_ID1, "alice", test_hash, "kept", 0,
	    0, perms, 1, &cause), 0);
	db_close(db);

	db = test_open();
	assert_int_equal(db_schema_version(db), test_version());
	assert_int_equal(test_int(db, "SELECT count(*) FROM perm_sets"), 6);
	assert_int_equal(db_key_get(db, TEST_ID1, &k, &cause), 1);
	assert_string_equal(k.comment, "kept");
	assert_int_equal(k.nperms, 1);
	db_key_free(&k);
	assert_int_equal(db_key_may_run(db, TEST_ID1, "v-add-user", &cause),
	    1);
	db_close(db);
}

/* Legacy keys are found by the SHA-256 of the key, never by the key. */
static void
test_db_legacy_get(void **)
{
	struct db	*db = test_open();
	char		 lookup[65], other[65], sql[512];
	char		*hash, *cause = nullptr;

	key_sha256_hex(TEST_SECRET, lookup);
	key_sha256_hex("another legacy key", other);
	snprintf(sql, sizeof sql, "INSERT INTO legacy_keys (lookup,"
	    " secret_hash) VALUES ('%s', '%s')", lookup, test_hash);
	assert_int_equal(db_exec(db, sql, &cause), 0);
	assert_int_equal(db_legacy_get(db, lookup, &hash, &cause), 1);
	assert_string_equal(hash, test_hash);
	free(hash);
	hash = (char *)"not touched";
	assert_int_equal(db_legacy_get(db, other, &hash, &cause), 0);
	assert_null(hash);
	assert_int_equal(db_legacy_get(db, TEST_SECRET, &hash, &cause), 0);
	assert_null(cause);
	/* The schema refuses a plain key as the hash. */
	snprintf(sql, sizeof sql, "INSERT INTO legacy_keys (lookup,"
	    " secret_hash) VALUES ('%s', '%s')", other, TEST_SECRET);
	assert_int_equal(db_exec(db, sql, &cause), -1);
	assert_non_null(strstr(cause, "CHECK constraint failed"));
	free(cause);
	db_close(db);
}

static void
test_db_exec(void **)
{
	struct db	*db;
	char		*cause = nullptr;

	assert_non_null(db = db_open(":memory:", &cause));
	assert_int_equal(db_exec(db, "CREATE TABLE t (x); INSERT INTO t"
	    " VALUES (1), (2)", &cause), 0);
	assert_null(cause);
	assert_int_equal(test_int(db, "SELECT sum(x) FROM t"), 3);
	assert_int_equal(db_exec(db, "INSERT INTO nowhere VALUES (1)",
	    &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, "no such table: nowhere");
	free(cause);
	assert_int_equal(db_exec(db, "SELEC 1", nullptr), -1);
	db_close(db);
}

static void
test_db_q_row(struct db_q *q, void *arg)
{
	*(int64_t *)arg += db_int64(q, 0);
}

/* The statement layer: bind by name, step, columns, rows, counts. */
static void
test_db_statements(void **)
{
	struct db	*db;
	struct db_q	 q;
	char		*cause = nullptr;
	int64_t		 sum = 0;

	db = test_open();
	assert_int_equal(db_exec(db, "CREATE TABLE t (x INTEGER, s TEXT)",
	    &cause), 0);
	assert_int_equal(db_prepare(db, &q, "INSERT INTO t VALUES (:x, :s)",
	    &cause), 0);
	assert_int_equal(db_bind_int64(&q, ":x", 7), 0);
	assert_int_equal(db_bind_text(&q, ":s", nullptr), 0);
	assert_int_equal(db_done(&q, "insert", &cause), 1);
	assert_int_equal(db_change(db, "INSERT INTO t VALUES (5, :s)", ":s",
	    "five", "insert", &cause), 1);
	assert_int_equal(db_exists(db, "SELECT 1 FROM t WHERE s = :s", ":s",
	    "five", &cause), 1);
	assert_int_equal(db_exists(db, "SELECT 1 FROM t WHERE s = :s", ":s",
	    "six", &cause), 0);

	assert_int_equal(db_prepare(db, &q, "SELECT x, s FROM t WHERE x = 7",
	    &cause), 0);
	assert_int_equal(db_step(&q, "select", &cause), 1);
	assert_true(db_is_null(&q, 1));
	assert_string_equal(db_text(&q, 1), "");
	db_finish(&q);

	assert_int_equal(db_prepare(db, &q, "SELECT x FROM t", &cause), 0);
	assert_int_equal(db_rows(&q, test_db_q_row, &sum, "rows", &cause), 2);
	assert_int_equal(sum, 12);
	assert_int_equal(db_prepare(db, &q, "SELECT count(*) FROM t", &cause),
	    0);
	assert_int_equal(db_count(&q, "count", &cause), 2);
	assert_null(cause);
	db_close(db);
}

/* A name the SQL does not have is refused: its step fails and says so,
 * and nothing is written with the parameter left NULL. */
static void
test_db_bind_unknown(void **)
{
	struct db	*db;
	struct db_q	 q;
	char		*cause = nullptr;

	db = test_open();
	assert_int_equal(db_exec(db, "CREATE TABLE t (x)", &cause), 0);
	assert_int_equal(db_prepare(db, &q, "INSERT INTO t VALUES (:x)",
	    &cause), 0);
	assert_int_equal(db_bind_int64(&q, ":y", 1), -1);
	assert_int_equal(db_done(&q, "insert", &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, "insert: no parameter :y in the statement");
	free(cause);
	assert_int_equal(test_int(db, "SELECT count(*) FROM t"), 0);
	db_close(db);
}

/* A second connection never creates a database. */
static void
test_db_attach(void **)
{
	struct db	*db, *db2;
	char		*cause = nullptr;

	assert_null(db_attach(test_path, &cause));
	assert_non_null(cause);
	free(cause);
	cause = nullptr;
	assert_int_equal(access(test_path, F_OK), -1);
	db = test_open();
	assert_non_null(db2 = db_attach(test_path, &cause));
	db_close(db2);
	db_close(db);
}

#define TEST(f) cmocka_unit_test_setup(f, test_setup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_db_create),
		TEST(test_db_memory),
		TEST(test_db_open_fails),
		TEST(test_db_key_add_get),
		TEST(test_db_may_run),
		TEST(test_db_nperms),
		TEST(test_db_delete),
		TEST(test_db_add_refused),
		TEST(test_db_no_secret),
		TEST(test_db_reopen),
		TEST(test_db_legacy_get),
		TEST(test_db_exec),
		TEST(test_db_statements),
		TEST(test_db_bind_unknown),
		TEST(test_db_attach),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
