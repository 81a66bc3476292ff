/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hsync.cc on a real tree and database: one pass adds, leaves, changes,
 * removes; deletions by an admin stay; the helper's path checks. */
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

#include "admin.h"
#include "apid.h"
#include "db.h"
#include "hsync.h"
#include "key.h"

#define ID1	"HsyncKeyHsyncKey0001"
#define ID2	"HsyncKeyHsyncKey0002"
#define SECRET	"HsyncSecretHsyncSecretHsyncSecretHsync01"
#define LEGACY	"HsyncLegacyHsyncLegacyHsyncLeg01"

extern char	 mock_log_warned[];

static char	 test_top[] = "/tmp/test_hsync.XXXXXX";
static int	 test_seq;

struct test {
	struct hsync	 hs;
	char		 hdir[256];
};

static int
test_rm_cb(const char *path, const struct stat *, int, struct FTW *)
{
	return remove(path);
}

static void
test_write(const char *hdir, const char *rel, const char *text)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof path, "%s/data/%s", hdir, rel);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
test_rm(const char *hdir, const char *rel)
{
	char	 path[512];

	snprintf(path, sizeof path, "%s/data/%s", hdir, rel);
	assert_int_equal(unlink(path), 0);
}

static int
test_setup(void **state)
{
	struct test	*t = XCALLOC(struct test);
	char		 path[512], *cause = nullptr;
	const char	*sub[] = { "data", "data/api", "data/access-keys",
			    "data/keys" };

	snprintf(t->hdir, sizeof t->hdir, "%s/%d", test_top, ++test_seq);
	assert_int_equal(mkdir(t->hdir, 0700), 0);
	for (size_t i = 0; i < nitems(sub); i++) {
		snprintf(path, sizeof path, "%s/%s", t->hdir, sub[i]);
		assert_int_equal(mkdir(path, 0700), 0);
	}
	snprintf(path, sizeof path, "%s/keys.db", t->hdir);
	t->hs.db = db_open(path, &cause);
	assert_non_null(t->hs.db);
	t->hs.hdir = t->hdir;
	t->hs.cost.t = 1;
	t->hs.cost.m = 64;
	t->hs.cost.p = 1;
	t->hs.remove = 1;
	*state = t;
	return 0;
}

static int
test_teardown(void **state)
{
	struct test	*t = (struct test *)*state;

	db_close(t->hs.db);
	free(t);
	return 0;
}

/* A pass of all kinds, with the counts zeroed first. */
static void
test_pass(struct test *t)
{
	char	*cause = nullptr;

	memset(t->hs.n, 0, sizeof t->hs.n);
	if (hsync_all(&t->hs, &cause) == -1)
		fail_msg("hsync_all: %s", cause);
}

static int64_t
test_int(struct test *t, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v = -1;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite(t->hs.db), sql, -1, &st,
	    nullptr), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static const char *key1 = "SECRET_ACCESS_KEY='" SECRET "'\nUSER='alice'\n"
    "PERMISSIONS='my-set'\nCOMMENT='one'\n";

static void
test_add_unchanged_change_remove(void **state)
{
	struct test	*t = (struct test *)*state;
	struct db_key	 key;
	char		*cause = nullptr;

	test_write(t->hdir, "api/my-set", "ROLE='user'\nCOMMANDS='v-a,v-b'\n");
	test_write(t->hdir, "access-keys/" ID1, key1);
	test_write(t->hdir, "keys/" LEGACY, "");
	test_pass(t);
	assert_int_equal(t->hs.n[ADMIN_SET].added, 1);
	assert_int_equal(t->hs.n[ADMIN_KEY].added, 1);
	assert_int_equal(t->hs.n[ADMIN_LEGACY].added, 1);
	assert_int_equal(db_key_get(t->hs.db, ID1, &key, &cause), 1);
	assert_string_equal(key.user, "alice");
	assert_true(key_verify(key.secret_hash, SECRET));
	db_key_free(&key);
	assert_int_equal(db_key_may_run(t->hs.db, ID1, "v-b", &cause), 1);
	assert_int_equal(test_int(t, "SELECT count(*) FROM keys WHERE "
	    "source = 'hestia' AND hestia_stamp IS NOT NULL"), 1);

	/* Unchanged files are not read again. */
	test_pass(t);
	assert_int_equal(t->hs.n[ADMIN_KEY].unchanged, 1);
	assert_int_equal(t->hs.n[ADMIN_KEY].added + t->hs.n[ADMIN_KEY].changed,
	    0);
	assert_int_equal(t->hs.n[ADMIN_LEGACY].unchanged, 1);
	assert_int_equal(t->hs.n[ADMIN_SET].unchanged, 1);

	/* A change: new permissions; the admin's own settings stay. */
	assert_int_equal(admin_key_set_disabled(t->hs.db, ID1, 1, &cause), 1);
	test_write(t->hdir, "access-keys/" ID1, "SECRET_ACCESS_KEY='" SECRET
	    "'\nUSER='alice'\nPERMISSIONS='v-c'\n");
	test_pass(t);
	assert_int_equal(t->hs.n[ADMIN_KEY].changed, 1);
	assert_int_equal(db_key_may_run(t->hs.db, ID1, "v-b", &cause), 0);
	assert_int_equal(db_key_may_run(t->hs.db, ID1, "v-c", &cause), 1);
	assert_int_equal(db_key_get(t->hs.db, ID1, &key, &cause), 1);
	assert_int_equal(key.disabled, 1);
	db_key_free(&key);

	/* Gone: removed, each kind. */
	test_rm(t->hdir, "access-keys/" ID1);
	test_rm(t->hdir, "keys/" LEGACY);
	test_rm(t->hdir, "api/my-set");
	test_pass(t);
	assert_int_equal(t->hs.n[ADMIN_KEY].removed, 1);
	assert_int_equal(t->hs.n[ADMIN_LEGACY].removed, 1);
	assert_int_equal(t->hs.n[ADMIN_SET].removed, 1);
	assert_int_equal(test_int(t, "SELECT count(*) FROM keys"), 0);
	assert_int_equal(test_int(t, "SELECT count(*) FROM legacy_keys"), 0);
	assert_int_equal(test_int(t, "SELECT count(*) FROM perm_sets WHERE "
	    "name = 'my-set'"), 0);
}

/* Rows made with hestia-apictl are never removed; an import (remove 0)
 * removes nothing at all. */
static void
test_local_rows_stay(void **state)
{
	struct test	*t = (struct test *)*state;
	struct db_key	 key;
	char		*cause = nullptr;

	memset(&key, 0, sizeof key);
	key.id = (char *)ID2;
	key.user = (char *)"admin";
	key.secret_hash = key_hash(SECRET, &t->hs.cost, &cause);
	assert_non_null(key.secret_hash);
	assert_int_equal(admin_key_add(t->hs.db, &key, nullptr, 0, nullptr, 0,
	    &cause), 1);
	free(key.secret_hash);
	test_pass(t);
	assert_int_equal(test_int(t, "SELECT count(*) FROM keys"), 1);
	/* The six shipped sets are not Hestia's files: they stay too. */
	assert_int_equal(test_int(t, "SELECT count(*) FROM perm_sets WHERE "
	    "source = 'builtin'"), 6);

	test_write(t->hdir, "access-keys/" ID1, key1);
	test_pass(t);
	test_rm(t->hdir, "access-keys/" ID1);
	t->hs.remove = 0;
	test_pass(t);
	assert_int_equal(t->hs.n[ADMIN_KEY].removed, 0);
	assert_int_equal(test_int(t, "SELECT count(*) FROM keys"), 2);
}

/* A file named like a local key adopts it: the row is Hestia's now. */
static void
test_adopt(void **state)
{
	struct test	*t = (struct test *)*state;
	struct db_key	 key;
	char		*cause = nullptr;

	memset(&key, 0, sizeof key);
	key.id = (char *)ID1;
	key.user = (char *)"bob";
	key.secret_hash = key_hash("other", &t->hs.cost, &cause);
	assert_int_equal(admin_key_add(t->hs.db, &key, nullptr, 0, nullptr, 0,
	    &cause), 1);
	free(key.secret_hash);
	test_write(t->hdir, "access-keys/" ID1, key1);
	test_pass(t);
	assert_int_equal(t->hs.n[ADMIN_KEY].changed, 1);
	assert_int_equal(db_key_get(t->hs.db, ID1, &key, &cause), 1);
	assert_string_equal(key.user, "alice");
	assert_true(key_verify(key.secret_hash, SECRET));
	db_key_free(&key);
}

/* Deleted with hestia-apictl: no pass brings it back. */
static void
test_deleted_stays(void **state)
{
	struct test	*t = (struct test *)*state;
	char		 lookup[ADMIN_LOOKUP_LEN + 1];
	char		*cause = nullptr;
	int		 nkeys;

	test_write(t->hdir, "access-keys/" ID1, key1);
	test_write(t->hdir, "keys/" LEGACY, "");
	test_write(t->hdir, "api/my-set", "ROLE='user'\nCOMMANDS='v-a'\n");
	test_pass(t);
	assert_int_equal(admin_key_delete(t->hs.db, ID1, &cause), 1);
	admin_legacy_lookup(LEGACY, lookup);
	assert_int_equal(admin_legacy_revoke(t->hs.db, lookup, 0, &cause), 1);
	assert_int_equal(admin_perm_delete(t->hs.db, "my-set", &nkeys, &cause),
	    1);
	assert_int_equal(admin_deleted(t->hs.db, ADMIN_KEY, ID1, &cause), 1);
	assert_int_equal(admin_deleted(t->hs.db, ADMIN_LEGACY, lookup, &cause),
	    1);
	assert_int_equal(admin_deleted(t->hs.db, ADMIN_SET, "my-set", &cause),
	    1);

	test_write(t->hdir, "access-keys/" ID1, key1);	/* a new version */
	test_pass(t);
	assert_int_equal(t->hs.n[ADMIN_KEY].deleted, 1);
	assert_int_equal(t->hs.n[ADMIN_LEGACY].deleted, 1);
	assert_int_equal(t->hs.n[ADMIN_SET].deleted, 1);
	assert_int_equal(test_int(t, "SELECT count(*) FROM keys"), 0);
	assert_int_equal(test_int(t, "SELECT count(*) FROM legacy_keys"), 0);
	assert_int_equal(test_int(t, "SELECT count(*) FROM perm_sets WHERE "
	    "name = 'my-set'"), 0);
}

/* Bad files are counted and warned, the rest goes on. */
static void
test_problems(void **state)
{
	struct test	*t = (struct test *)*state;

	test_write(t->hdir, "access-keys/" ID1, "USER='alice'\n");
	test_write(t->hdir, "access-keys/" ID2, key1);
	test_write(t->hdir, "access-keys/short", key1);
	test_write(t->hdir, "api/bad", "ROLE='root'\n");
	test_write(t->hdir, "keys/tooshort", "");
	test_pass(t);
	assert_int_equal(t->hs.n[ADMIN_KEY].problems, 2);
	assert_int_equal(t->hs.n[ADMIN_KEY].added, 1);
	assert_int_equal(t->hs.n[ADMIN_SET].problems, 1);
	assert_int_equal(t->hs.n[ADMIN_LEGACY].problems, 1);
	assert_null(strstr(mock_log_warned, "tooshort"));
}

/* A directory that is not there holds nothing: its rows go. */
static void
test_directory_gone(void **state)
{
	struct test	*t = (struct test *)*state;
	char		 path[512];

	test_write(t->hdir, "access-keys/" ID1, key1);
	test_pass(t);
	test_rm(t->hdir, "access-keys/" ID1);
	snprintf(path, sizeof path, "%s/data/access-keys", t->hdir);
	assert_int_equal(rmdir(path), 0);
	test_pass(t);
	assert_int_equal(t->hs.n[ADMIN_KEY].removed, 1);
}

static void
test_paths(void **)
{
	const char	*h = "/usr/local/hestia";

	assert_true(hsync_watch_path_ok(h, "/usr/local/hestia/data"));
	assert_true(hsync_watch_path_ok(h, "/usr/local/hestia/data/api"));
	assert_true(hsync_watch_path_ok(h,
	    "/usr/local/hestia/data/access-keys"));
	assert_true(hsync_watch_path_ok(h, "/usr/local/hestia/data/keys"));
	assert_false(hsync_watch_path_ok(h, "/usr/local/hestia/data/users"));
	assert_false(hsync_watch_path_ok(h, "/usr/local/hestia/data/keys/x"));
	assert_false(hsync_watch_path_ok(h, "/usr/local/hestia/datakeys"));
	assert_false(hsync_watch_path_ok(h, "/etc"));

	assert_true(hsync_read_path_ok(h,
	    "/usr/local/hestia/data/access-keys/" ID1));
	assert_true(hsync_read_path_ok(h, "/usr/local/hestia/data/api/billing"));
	assert_true(hsync_read_path_ok(h, "/usr/local/hestia/data/keys"));
	/* Never a legacy key's file (its name is the key), nothing else. */
	assert_false(hsync_read_path_ok(h,
	    "/usr/local/hestia/data/keys/" LEGACY));
	assert_false(hsync_read_path_ok(h,
	    "/usr/local/hestia/data/access-keys/../../conf/hestia.conf"));
	assert_false(hsync_read_path_ok(h,
	    "/usr/local/hestia/data/access-keys/short"));
	assert_false(hsync_read_path_ok(h,
	    "/usr/local/hestia/data/api/../users"));
	assert_false(hsync_read_path_ok(h, "/usr/local/hestia/data/api/.x"));
	assert_false(hsync_read_path_ok(h, "/usr/local/hestia/data/users"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_unchanged_change_remove,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_local_rows_stay,
		    test_setup, test_teardown),
		cmocka_unit_test_setup_teardown(test_adopt, test_setup,
		    test_teardown),
		cmocka_unit_test_setup_teardown(test_deleted_stays, test_setup,
		    test_teardown),
		cmocka_unit_test_setup_teardown(test_problems, test_setup,
		    test_teardown),
		cmocka_unit_test_setup_teardown(test_directory_gone,
		    test_setup, test_teardown),
		cmocka_unit_test(test_paths),
	};
	int	 rv;

	if (mkdtemp(test_top) == nullptr)
		return 1;
	rv = cmocka_run_group_tests(tests, nullptr, nullptr);
	nftw(test_top, test_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return rv;
}
