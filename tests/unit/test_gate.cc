/* SPDX-License-Identifier: GPL-3.0-or-later */
/* gate.cc, the one auth gate: both outcomes of every check that decides
 * access, on a real config, hestia.conf tree, database, worker and loop. */
#include <sys/stat.h>
#include <sys/types.h>

#include <crypt.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <sqlite3.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "allow.h"
#include "authlog.h"
#include "cmdinfo.h"
#include "config.h"
#include "db.h"
#include "hconf.h"
#include "hestia.h"
#include "http.h"
#include "key.h"
#include "lockout.h"
#include "verify.h"

struct apid_env *env;

#define TEST_SECRET	"s3cr3t_s3cr3t-S3CR3T=s3cr3t_s3cr3t-S3CR3"
#define TEST_WRONG	"s3cr3t_s3cr3t-S3CR3T=s3cr3t_s3cr3t-XXXX3"

/* Keys: IDs of 20 alphanumerics. */
#define K_ADMIN		"AdminKeyAdminKey0001"	/* admin, no perms */
#define K_ALICE		"AliceKeyAliceKey0001"	/* alice, perm v-ok */
#define K_ASET		"AliceSetAliceSet0001"	/* alice, perm set */
#define K_ANONE		"AliceNoPermsAlice001"	/* alice, no perms */
#define K_DIS		"DisabledDisabled0001"	/* admin, disabled */
#define K_EXP		"ExpiredExpired000001"	/* admin, expired */
#define K_ALLOW		"AllowListAllowList01"	/* admin, 192.0.2.0/24 */
#define K_GHOST		"GhostKeyGhostKey0001"	/* no such user */
#define K_BOB		"BobKeyBobKeyBobKey01"	/* suspended user */
#define K_BAD		"BadUserBadUserBadU01"	/* invalid user name */
#define K_RACE		"RaceRaceRaceRaceRace"	/* changed during argon2 */

/* Legacy keys: stored; found, but its hash is of something else; never
 * stored; stored, yet shorter than Hestia allows. */
#define L_KEY		"LegacyLegacyLegacyLegacy_-012345"
#define L_MISMATCH	"MismatchMismatchMismatchMismatch"
#define L_UNKNOWN	"UnknownUnknownUnknownUnknown0123"
#define L_SHORT		"Legacy012345678"

#define TEST_PASSWORD	"pass word"

#define CLIENT		"203.0.113.10"

/* What the fake endpoint was told. */
struct test_result {
	int	 refused;
	int	 code;
	char	 msg[512];
	int	 ran;
};

static struct test_result	 test_res;
static struct config		 test_conf;
static struct lockout_conf	 test_lockout;
static struct event		*test_tick;
static char			 test_top[] = "/tmp/test_gate.XXXXXX";
static char			 test_bin[128];
static char			 test_hestia[128];
static char			 test_hconf[256];
static char			 test_authlog[128];

static void
test_refuse(struct request *, int code, const char *msg)
{
	test_res.refused++;
	test_res.code = code;
	snprintf(test_res.msg, sizeof test_res.msg, "%s", msg);
}

static void
test_busy(struct request *)
{
	test_res.refused++;
	test_res.code = 503;
	snprintf(test_res.msg, sizeof test_res.msg, "busy");
}

static void
test_ran(struct request *)
{
	test_res.ran++;
}

static const struct endpoint test_ep = {
	"/test", 1, nullptr, test_refuse, test_busy, test_ran, nullptr
};

static int
test_rm_cb(const char *path, const struct stat *, int, struct FTW *)
{
	return remove(path);
}

static void
test_tick_cb(evutil_socket_t, short, void *)
{
}

/* The lockout's clock (gate.cc's, CLOCK_MONOTONIC seconds). */
static time_t
gate_test_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static double
test_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
test_write(const char *path, const char *text, mode_t mode)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == nullptr)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0)
		return -1;
	return chmod(path, mode);
}

/* hestia.conf, replaced whole (a new inode) so the change is always seen. */
static void
test_hestia_conf(const char *api, const char *api_system,
    const char *allowed_ip, const char *root_user, const char *demo)
{
	char	 tmp[300], text[1024];

	snprintf(text, sizeof text, "API='%s'\nAPI_SYSTEM='%s'\n"
	    "API_ALLOWED_IP='%s'\nROOT_USER='%s'\nDEMO_MODE='%s'\n", api,
	    api_system, allowed_ip, root_user, demo);
	snprintf(tmp, sizeof tmp, "%s.tmp", test_hconf);
	assert_int_equal(test_write(tmp, text, 0644), 0);
	assert_int_equal(rename(tmp, test_hconf), 0);
}

static void
test_default_conf(void)
{
	test_hestia_conf("yes", "2", "allow-all", "admin", "no");
}

static int
test_add_key(const char *id, const char *user, int64_t expires_at,
    int disabled, const char *perm)
{
	struct db_key	 key;
	char		*cause = nullptr, *perms[1];
	int		 rv;

	memset(&key, 0, sizeof key);
	key.id = (char *)id;
	key.user = (char *)user;
	key.comment = (char *)"test";
	key.expires_at = expires_at;
	key.disabled = disabled;
	if ((key.secret_hash = key_hash(TEST_SECRET, &test_conf.argon2,
	    &cause)) == nullptr) {
		fprintf(stderr, "key_hash: %s\n", cause);
		free(cause);
		return -1;
	}
	perms[0] = (char *)perm;
	rv = db_key_add(env->db, &key, perms, perm != nullptr ? 1 : 0,
	    &cause);
	if (rv == -1) {
		fprintf(stderr, "db_key_add %s: %s\n", id, cause);
		free(cause);
	}
	free(key.secret_hash);
	return rv;
}

static int
test_sql(struct db *db, const char *sql)
{
	char	*msg = nullptr;

	if (sqlite3_exec(db_sqlite(db), sql, nullptr, nullptr, &msg) !=
	    SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* A legacy_keys row: found by the SHA-256 of key, hashed from secret. */
static int
test_add_legacy(struct db *db, const char *key, const char *secret)
{
	char	 lookup[65], *hash, *sql, *cause = nullptr;
	int	 rv;

	key_sha256_hex(key, lookup);
	if ((hash = key_hash(secret, &test_conf.argon2, &cause)) == nullptr) {
		free(cause);
		return -1;
	}
	xasprintf(&sql, "INSERT INTO legacy_keys (lookup, secret_hash) "
	    "VALUES ('%s', '%s')", lookup, hash);
	rv = test_sql(db, sql);
	free(sql);
	free(hash);
	return rv;
}

static int
test_script(const char *name, const char *options)
{
	char	 path[512], text[512];

	snprintf(path, sizeof path, "%s/%s", test_bin, name);
	snprintf(text, sizeof text, "#!/bin/sh\n# info: test\n"
	    "# options: %s\n#\nexit 0\n", options);
	return test_write(path, text, 0755);
}

static int
test_user(const char *user, const char *suspended)
{
	char	 path[512], text[128];

	snprintf(path, sizeof path, "%s/data/users/%s", test_hestia, user);
	if (mkdir(path, 0755) == -1)
		return -1;
	snprintf(path, sizeof path, "%s/data/users/%s/user.conf", test_hestia,
	    user);
	snprintf(text, sizeof text, "NAME='%s'\nSUSPENDED='%s'\n", user,
	    suspended);
	return test_write(path, text, 0644);
}

static int
test_group_setup(void **)
{
	struct timeval		 tv = { 0, 50000 };
	struct crypt_data	 cd;
	const char		*h;
	char			 path[512], text[2048], *cause = nullptr;

	if (mkdtemp(test_top) == nullptr)
		return -1;
	snprintf(test_bin, sizeof test_bin, "%s/bin", test_top);
	snprintf(test_hestia, sizeof test_hestia, "%s/hestia", test_top);
	snprintf(test_hconf, sizeof test_hconf, "%s/conf/hestia.conf",
	    test_hestia);
	snprintf(test_authlog, sizeof test_authlog, "%s/auth.log", test_top);
	if (mkdir(test_bin, 0755) == -1 || mkdir(test_hestia, 0755) == -1)
		return -1;
	snprintf(path, sizeof path, "%s/conf", test_hestia);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/data", test_hestia);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/data/users", test_hestia);
	mkdir(path, 0755);
	if (test_user("admin", "no") == -1 || test_user("alice", "no") == -1 ||
	    test_user("bob", "yes") == -1)
		return -1;
	if (test_script("v-ok", "USER [FORMAT]") == -1 ||
	    test_script("v-any", "[ARG]") == -1 ||
	    test_script("v-dom", "DOMAIN USER") == -1)
		return -1;
	test_default_conf();

	/* The shadow file: ROOT_USER's password, as crypt(3) writes it. */
	memset(&cd, 0, sizeof cd);
	if ((h = crypt_r(TEST_PASSWORD, "$6$salt$", &cd)) == nullptr ||
	    h[0] != '$')
		return -1;
	snprintf(text, sizeof text, "root:*:19000:0:99999:7:::\n"
	    "admin:%s:19000:0:99999:7:::\n", h);
	snprintf(path, sizeof path, "%s/shadow", test_top);
	if (test_write(path, text, 0600) == -1)
		return -1;

	snprintf(text, sizeof text, "ARGON2='t=1,m=64,p=1'\n"
	    "BIN_DIR='%s'\nHESTIA_CONF='%s'\nDATABASE='%s/keys.db'\n"
	    "LOCKOUT='3/600/600'\nAUTH_LOG='%s'\nSHADOW_FILE='%s/shadow'\n",
	    test_bin, test_hconf, test_top, test_authlog, test_top);
	snprintf(path, sizeof path, "%s/apid.conf", test_top);
	if (test_write(path, text, 0644) == -1)
		return -1;
	if (config_load(&test_conf, path, 0, &cause) == -1) {
		fprintf(stderr, "config_load: %s\n", cause);
		free(cause);
		return -1;
	}

	env = XCALLOC(struct apid_env);
	env->conf = &test_conf;
	if ((env->base = event_base_new()) == nullptr)
		return -1;
	/* A tick, so EVLOOP_ONCE always comes back to check the deadline. */
	test_tick = event_new(env->base, -1, EV_PERSIST, test_tick_cb,
	    nullptr);
	event_add(test_tick, &tv);
	if ((env->db = db_open(test_conf.database, &cause)) == nullptr) {
		fprintf(stderr, "db_open: %s\n", cause);
		free(cause);
		return -1;
	}
	if (verify_init(env->base, 1, 16, 4, gate_settle) == -1)
		return -1;
	hconf_init(&test_conf);
	if (lockout_parse(test_conf.lockout, &test_lockout) == -1)
		return -1;
	lockout_init(&test_lockout, 64);
	if (authlog_open(test_conf.auth_log) == -1)
		return -1;

	if (test_sql(env->db, "INSERT INTO perm_sets (name, role) VALUES "
	    "('testset', 'user'); INSERT INTO perm_set_commands VALUES "
	    "('testset', 'v-any'), ('testset', 'v-dom'), "
	    "('testset', 'v-make-tmp-file');") == -1)
		return -1;
	if (test_add_key(K_ADMIN, "admin", 0, 0, nullptr) == -1 ||
	    test_add_key(K_ALICE, "alice", 0, 0, "v-ok") == -1 ||
	    test_add_key(K_ASET, "alice", 0, 0, "testset") == -1 ||
	    test_add_key(K_ANONE, "alice", 0, 0, nullptr) == -1 ||
	    test_add_key(K_DIS, "admin", 0, 1, nullptr) == -1 ||
	    test_add_key(K_EXP, "admin", time(nullptr) - 60, 0,
	    nullptr) == -1 ||
	    test_add_key(K_ALLOW, "admin", 0, 0, nullptr) == -1 ||
	    test_add_key(K_GHOST, "ghost", 0, 0, nullptr) == -1 ||
	    test_add_key(K_BOB, "bob", 0, 0, nullptr) == -1 ||
	    test_add_key(K_BAD, "b@d", 0, 0, nullptr) == -1)
		return -1;
	if (test_sql(env->db, "INSERT INTO key_allow VALUES ('" K_ALLOW
	    "', '192.0.2.0/24');") == -1)
		return -1;
	if (test_add_legacy(env->db, L_KEY, L_KEY) == -1 ||
	    test_add_legacy(env->db, L_MISMATCH, "something else entirely") ==
	    -1 || test_add_legacy(env->db, L_SHORT, L_SHORT) == -1)
		return -1;
	return 0;
}

static int
test_group_teardown(void **)
{
	verify_shutdown();
	authlog_close();
	lockout_free();
	allow_reset();
	cmdinfo_flush();
	hconf_free();
	db_close(env->db);
	event_free(test_tick);
	event_base_free(env->base);
	free(env);
	env = nullptr;
	config_free(&test_conf);
	nftw(test_top, test_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Each test starts from Hestia's usual switches, no failures counted and
 * an empty auth.log. */
static int
test_setup(void **)
{
	test_default_conf();
	lockout_free();
	lockout_init(&test_lockout, 64);
	memset(&test_res, 0, sizeof test_res);
	return truncate(test_authlog, 0);
}

static struct request *
test_req(enum cred_kind kind, const char *id, const char *secret,
    const char *cmd, const char *client)
{
	struct request	*r;

	r = XCALLOC(struct request);
	r->ep = &test_ep;
	r->cred.kind = kind;
	r->cred.id = id != nullptr ? xstrdup(id) : nullptr;
	r->cred.secret = secret != nullptr ? xstrdup(secret) : nullptr;
	r->cred.has_password = kind == CRED_PASSWORD && secret != nullptr;
	r->cmd = xstrdup(cmd);
	snprintf(r->peer, sizeof r->peer, "%s", client);
	snprintf(r->client, sizeof r->client, "%s", client);
	snprintf(r->addr, sizeof r->addr, "%s", client);
	return r;
}

/* An argument as the request's argN, in the order sent. */
static void
test_arg(struct request *r, int pos, const char *value)
{
	r->argpos[r->nargs] = pos;
	r->args[r->nargs++] = xstrdup(value);
}

static void
test_req_free(struct request *r)
{
	int	 i;

	cred_free(&r->cred);
	principal_free(&r->who);
	free(r->cmd);
	free(r->cmd_path);
	for (i = 0; i < r->nargs; i++)
		free(r->args[i]);
	free(r);
}

/* Run the loop until the verification has called back (bounded, so a
 * lost callback fails the test instead of hanging it). */
static void
test_wait(struct request *r)
{
	double	 deadline = test_now() + 60;

	while (r->verify != nullptr && test_now() < deadline)
		event_base_loop(env->base, EVLOOP_ONCE);
	assert_null(r->verify);
}

/* Through the gate, and the loop while a verification is pending. Returns
 * 1 when the answer came from a worker, 0 when it came at once. */
static int
test_gate(struct request *r)
{
	int	 worker;

	memset(&test_res, 0, sizeof test_res);
	gate_begin(r);
	worker = r->verify != nullptr;
	if (worker) {
		assert_int_equal(test_res.refused + test_res.ran, 0);
		test_wait(r);
	}
	/* Exactly one answer, whichever it is. */
	assert_int_equal(test_res.refused + test_res.ran, 1);
	return worker;
}

static void
test_refused(int code, const char *msg)
{
	assert_int_equal(test_res.ran, 0);
	assert_int_equal(test_res.refused, 1);
	assert_int_equal(test_res.code, code);
	assert_string_equal(test_res.msg, msg);
}

static void
test_run_ok(void)
{
	assert_int_equal(test_res.refused, 0);
	assert_int_equal(test_res.ran, 1);
}

/* One request of a kind: the answer, the request freed. Returns whether a
 * worker answered. */
static int
test_one(enum cred_kind kind, const char *id, const char *secret,
    const char *cmd, const char *client)
{
	struct request	*r;
	int		 worker;

	r = test_req(kind, id, secret, cmd, client);
	worker = test_gate(r);
	test_req_free(r);
	return worker;
}

/* auth.log as text (static). */
static const char *
test_authlog_text(void)
{
	static char	 buf[8192];
	FILE		*f;
	size_t		 n;

	buf[0] = '\0';
	if ((f = fopen(test_authlog, "r")) == nullptr)
		return buf;
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int
test_authlog_has(const char *text)
{
	return strstr(test_authlog_text(), text) != nullptr;
}

/* API_SYSTEM 0 (or empty) turns access keys off, before anything else. */
static void
test_gate_api_system_off(void **)
{
	test_hestia_conf("yes", "0", "allow-all", "admin", "no");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_refused(E_DISABLED, "API has been disabled");
	/* Even a request that would fail every later check. */
	test_one(CRED_ACCESS_KEY, "", "", "bad;cmd", "");
	test_refused(E_DISABLED, "API has been disabled");

	test_hestia_conf("yes", "", "allow-all", "admin", "no");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_refused(E_DISABLED, "API has been disabled");

	test_hestia_conf("yes", "1", "allow-all", "admin", "no");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_run_ok();
}

/* API_SYSTEM does not switch the legacy API, nor API the access keys. */
static void
test_gate_api_switches_separate(void **)
{
	test_hestia_conf("yes", "0", "allow-all", "admin", "no");
	test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", CLIENT);
	test_run_ok();
	test_hestia_conf("no", "2", "allow-all", "admin", "no");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_run_ok();
}

static void
test_gate_ip_list(void **)
{
	test_hestia_conf("yes", "2", "198.51.100.1,203.0.113.10", "admin",
	    "no");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_run_ok();
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok",
	    "203.0.113.11");
	test_refused(E_FORBIDEN, "IP is not allowed to connect with API");
	/* Before the command and the credentials. */
	test_one(CRED_ACCESS_KEY, "", "", "bad;cmd", "203.0.113.11");
	test_refused(E_FORBIDEN, "IP is not allowed to connect with API");
	test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", CLIENT);
	test_run_ok();
	test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", "203.0.113.11");
	test_refused(E_FORBIDEN, "IP is not allowed to connect with API");
	test_one(CRED_PASSWORD, "admin", TEST_PASSWORD, "v-ok",
	    "203.0.113.11");
	test_refused(E_FORBIDEN, "IP is not allowed to connect with API");
	/* Not a login failure: not logged, never counted. */
	assert_false(test_authlog_has("203.0.113.11"));
	assert_int_equal(lockout_banned("203.0.113.11", 0) +
	    (int)lockout_size(), 0);
}

/* An empty allowlist admits nobody. */
static void
test_gate_ip_empty_list(void **)
{
	test_hestia_conf("yes", "2", "", "admin", "no");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_refused(E_FORBIDEN, "IP is not allowed to connect with API");
}

/* 0.0.0.0 in the list: every address, for access keys only. */
static void
test_gate_ip_wildcard(void **)
{
	test_hestia_conf("yes", "2", "198.51.100.1,0.0.0.0", "admin", "no");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_run_ok();
	test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", CLIENT);
	test_refused(E_FORBIDEN, "IP is not allowed to connect with API");
	test_one(CRED_PASSWORD, "admin", TEST_PASSWORD, "v-ok", CLIENT);
	test_refused(E_FORBIDEN, "IP is not allowed to connect with API");
	test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", "198.51.100.1");
	test_run_ok();
}

/* Unlike Hestia, an unknown (empty) client address is never admitted,
 * not even with allow-all. */
static void
test_gate_empty_client(void **)
{
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", "");
	test_refused(E_FORBIDEN, "IP is not allowed to connect with API");
	test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", "");
	test_refused(E_FORBIDEN, "IP is not allowed to connect with API");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_run_ok();
}

/* Three counted failures ban the address: refused before the command
 * check, any lookup or argon2; other addresses are not touched. */
static void
test_gate_banned(void **)
{
	struct request	*r;
	int		 i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(lockout_banned(CLIENT, 0), 0);
		assert_int_equal(test_one(CRED_ACCESS_KEY, "short", TEST_SECRET,
		    "v-ok", CLIENT), 0);
		test_refused(E_PASSWORD, "Authentication failed");
	}
	verify_forget(K_ADMIN);
	r = test_req(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	memset(&test_res, 0, sizeof test_res);
	gate_begin(r);
	assert_null(r->verify);
	test_refused(E_PASSWORD, "Authentication failed");
	test_req_free(r);
	/* Before the command check too. */
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "bad;cmd", CLIENT);
	test_refused(E_PASSWORD, "Authentication failed");
	/* Legacy logins, in their own words. */
	assert_int_equal(test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok",
	    CLIENT), 0);
	test_refused(E_PASSWORD, "authentication failed");
	r = test_req(CRED_PASSWORD, "admin", TEST_PASSWORD, "v-ok", CLIENT);
	memset(&test_res, 0, sizeof test_res);
	gate_begin(r);
	assert_null(r->verify);
	test_refused(E_PASSWORD, "authentication failed");
	test_req_free(r);
	/* Another address still gets in. */
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok",
	    "203.0.113.99");
	test_run_ok();
}

/* Refusals that are not credential failures never lead to a ban. */
static void
test_gate_not_counted(void **)
{
	int	 i;

	for (i = 0; i < 4; i++) {
		test_one(CRED_ACCESS_KEY, K_ADMIN, "", "v-ok", CLIENT);
		test_refused(E_PASSWORD, "Authentication failed");
		test_one(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-any",
		    CLIENT);
		test_refused(E_FORBIDEN, "Key " K_ALICE " don't have "
		    "permission to run the command v-any");
		test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "", CLIENT);
		test_refused(E_INVALID, "Command not provided");
		test_one(CRED_PASSWORD, "alice", TEST_PASSWORD, "v-ok",
		    CLIENT);
		test_refused(E_FORBIDEN, "authentication failed");
		test_one(CRED_PASSWORD, "admin", nullptr, "v-ok", CLIENT);
		test_refused(E_PASSWORD, "authentication failed");
	}
	assert_int_equal(lockout_banned(CLIENT, 0), 0);
	assert_false(test_authlog_has("failed to login"));
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_run_ok();
}

static void
test_gate_cmd(void **)
{
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "", CLIENT);
	test_refused(E_INVALID, "Command not provided");
	/* PHP's empty("0"). */
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "0", CLIENT);
	test_refused(E_INVALID, "Command not provided");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok;id", CLIENT);
	test_refused(E_INVALID, "Command invalid");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "../bin/v-ok", CLIENT);
	test_refused(E_INVALID, "Command invalid");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v ok", CLIENT);
	test_refused(E_INVALID, "Command invalid");
	/* Before the credentials: even without any. */
	test_one(CRED_ACCESS_KEY, "", "", "v-ok$", CLIENT);
	test_refused(E_INVALID, "Command invalid");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_run_ok();
}

static void
test_gate_cmd_valid(void **)
{
	assert_int_equal(gate_cmd_valid("v-list_users-2"), 1);
	assert_int_equal(gate_cmd_valid("ABCxyz019_-"), 1);
	assert_int_equal(gate_cmd_valid(""), 0);
	assert_int_equal(gate_cmd_valid("v-ok "), 0);
	assert_int_equal(gate_cmd_valid("v.ok"), 0);
	assert_int_equal(gate_cmd_valid("v/ok"), 0);
	assert_int_equal(gate_cmd_valid("v-ok\n"), 0);
	assert_int_equal(gate_cmd_valid("v-\xc3\xa9"), 0);
}

/* DEMO_MODE: access keys get Hestia's code 1, after the command check. */
static void
test_gate_demo_mode(void **)
{
	test_hestia_conf("yes", "2", "allow-all", "admin", "yes");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_refused(E_ARGS, "ERROR: Unable to perform operation due to "
	    "security restrictions that are in place.");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok;", CLIENT);
	test_refused(E_INVALID, "Command invalid");
	/* A legacy key fails to log in; a password still works. */
	test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "authentication failed");
	assert_true(test_authlog_has(" api " CLIENT " failed to login"));
	test_one(CRED_PASSWORD, "admin", TEST_PASSWORD, "v-ok", CLIENT);
	test_run_ok();
}

/* Empty ID or secret (or PHP's "0"): refused, not counted. */
static void
test_gate_empty_cred(void **)
{
	test_one(CRED_ACCESS_KEY, "", TEST_SECRET, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "Authentication failed");
	test_one(CRED_ACCESS_KEY, K_ADMIN, "", "v-ok", CLIENT);
	test_refused(E_PASSWORD, "Authentication failed");
	test_one(CRED_ACCESS_KEY, "0", TEST_SECRET, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "Authentication failed");
	test_one(CRED_ACCESS_KEY, K_ADMIN, "0", "v-ok", CLIENT);
	test_refused(E_PASSWORD, "Authentication failed");
	test_one(CRED_ACCESS_KEY, nullptr, nullptr, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "Authentication failed");
	assert_false(test_authlog_has("failed to login"));
}

/* No credentials of any kind. */
static void
test_gate_no_cred(void **)
{
	test_one(CRED_NONE, nullptr, nullptr, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "Authentication failed");
}

/* Malformed IDs and secrets: one message, counted, no argon2. */
static void
test_gate_malformed(void **)
{
	assert_int_equal(test_one(CRED_ACCESS_KEY, "AdminKeyAdminKey000",
	    TEST_SECRET, "v-ok", CLIENT), 0);
	test_refused(E_PASSWORD, "Authentication failed");
	assert_int_equal(test_one(CRED_ACCESS_KEY, "AdminKeyAdminKey0001x",
	    TEST_SECRET, "v-ok", CLIENT), 0);
	test_refused(E_PASSWORD, "Authentication failed");
	assert_true(test_authlog_has(" " CLIENT " failed to login"));
	lockout_free();
	lockout_init(&test_lockout, 64);
	assert_int_equal(test_one(CRED_ACCESS_KEY, "AdminKeyAdmin-ey0001",
	    TEST_SECRET, "v-ok", CLIENT), 0);
	test_refused(E_PASSWORD, "Authentication failed");
	/* A secret of the wrong length or alphabet, for a real ID. */
	assert_int_equal(test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET "x",
	    "v-ok", CLIENT), 0);
	test_refused(E_PASSWORD, "Authentication failed");
	lockout_free();
	lockout_init(&test_lockout, 64);
	assert_int_equal(test_one(CRED_ACCESS_KEY, K_ADMIN,
	    "s3cr3t_s3cr3t-S3CR3T=s3cr3t_s3cr3t-S3CR\"", "v-ok", CLIENT), 0);
	test_refused(E_PASSWORD, "Authentication failed");
}

/*
 * Counted before any work: the failures of an address plus its runs in
 * flight may not reach LOCKOUT's FAILURES (3 here). A burst of guesses
 * gets at most that many verified, the rest a 503 at once; then the
 * address is banned, and the right secret is refused. Before, every guess
 * of a burst was verified (the right one at #50 got in).
 */
static void
test_gate_burst_counted_before_work(void **)
{
	struct request	*r[6];
	char		 secret[64];
	int		 i, busy = 0, queued = 0;

	verify_forget(K_ADMIN);
	for (i = 0; i < 6; i++) {
		/* Distinct guesses, so that none joins another's run. */
		snprintf(secret, sizeof secret, "%.38s%02d", TEST_WRONG, i);
		r[i] = test_req(CRED_ACCESS_KEY, K_ADMIN, secret, "v-ok",
		    CLIENT);
		memset(&test_res, 0, sizeof test_res);
		gate_begin(r[i]);
		if (r[i]->verify != nullptr)
			queued++;
		else if (test_res.code == 503)
			busy++;
	}
	assert_int_equal(queued, 3);
	assert_int_equal(busy, 3);
	for (i = 0; i < 6; i++) {
		test_wait(r[i]);
		test_req_free(r[i]);
	}
	assert_int_not_equal(lockout_banned(CLIENT, gate_test_now()), 0);
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "Authentication failed");
}

/* A client that hangs up while its guess is verified is still counted:
 * a run it started finishes and counts, one not started is dropped and
 * counts. */
static void
test_gate_hangup_counted(void **)
{
	struct request	*r;

	r = test_req(CRED_ACCESS_KEY, K_ADMIN, TEST_WRONG, "v-ok", CLIENT);
	gate_begin(r);
	assert_non_null(r->verify);
	verify_cancel(r->verify);
	r->verify = nullptr;
	test_req_free(r);
	while (verify_pending() > 0)
		event_base_loop(env->base, EVLOOP_ONCE);
	assert_int_equal(lockout_failures(CLIENT, gate_test_now()), 1);
	assert_true(test_authlog_has(" " K_ADMIN " " CLIENT
	    " failed to login"));
}

/* An unknown ID says what a wrong secret says, after the same work: a
 * dummy argon2 run, so that it takes as long. */
static void
test_gate_unknown_id(void **)
{
	assert_int_equal(test_one(CRED_ACCESS_KEY, "NoSuchKeyNoSuchKey01",
	    TEST_SECRET, "v-ok", CLIENT), 1);
	test_refused(E_PASSWORD, "Authentication failed");
	assert_true(test_authlog_has(" NoSuchKeyNoSuchKey01 " CLIENT
	    " failed to login"));
}

static void
test_gate_wrong_secret(void **)
{
	assert_int_equal(test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_WRONG, "v-ok",
	    CLIENT), 1);
	test_refused(E_PASSWORD, "Authentication failed");
	assert_true(test_authlog_has(" " K_ADMIN " " CLIENT
	    " failed to login"));
	assert_false(test_authlog_has("successfully"));
}

/* The right secret runs through argon2 once; the same secret again is
 * answered from the cache, with no loop at all. */
static void
test_gate_right_secret_cached(void **)
{
	struct request	*r;

	verify_forget(K_ADMIN);
	r = test_req(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_arg(r, 1, "alice");
	assert_int_equal(test_gate(r), 1);
	test_run_ok();
	assert_string_equal(r->who.who, K_ADMIN);
	assert_string_equal(r->who.user, "admin");
	assert_int_equal(r->who.is_root, 1);
	assert_non_null(r->cmd_path);
	assert_non_null(strstr(r->cmd_path, "/bin/v-ok"));
	test_req_free(r);
	assert_true(test_authlog_has(" " K_ADMIN " " CLIENT
	    " v-ok successfully launched"));

	memset(&test_res, 0, sizeof test_res);
	r = test_req(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	gate_begin(r);
	assert_null(r->verify);
	test_run_ok();
	test_req_free(r);

	/* A wrong secret is not helped by the cache. */
	assert_int_equal(test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_WRONG, "v-ok",
	    CLIENT), 1);
	test_refused(E_PASSWORD, "Authentication failed");
}

static void
test_gate_disabled(void **)
{
	assert_int_equal(test_one(CRED_ACCESS_KEY, K_DIS, TEST_SECRET, "v-ok",
	    CLIENT), 1);
	test_refused(E_PASSWORD, "Authentication failed");
	assert_true(test_authlog_has(" " K_DIS " " CLIENT " failed to login"));
}

static void
test_gate_expired(void **)
{
	assert_int_equal(test_one(CRED_ACCESS_KEY, K_EXP, TEST_SECRET, "v-ok",
	    CLIENT), 1);
	test_refused(E_PASSWORD, "Authentication failed");
}

/* A key with an expiry still ahead works. */
static void
test_gate_expires_later(void **)
{
	assert_int_equal(test_add_key("LaterLaterLaterLater", "admin",
	    time(nullptr) + 3600, 0, nullptr), 0);
	test_one(CRED_ACCESS_KEY, "LaterLaterLaterLater", TEST_SECRET, "v-ok",
	    CLIENT);
	test_run_ok();
}

/* A key's own CIDRs, on top of the global list. */
static void
test_gate_key_allow(void **)
{
	test_one(CRED_ACCESS_KEY, K_ALLOW, TEST_SECRET, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "Authentication failed");
	test_one(CRED_ACCESS_KEY, K_ALLOW, TEST_SECRET, "v-ok", "192.0.2.77");
	test_run_ok();
	test_one(CRED_ACCESS_KEY, K_ALLOW, TEST_SECRET, "v-ok", "192.0.3.1");
	test_refused(E_PASSWORD, "Authentication failed");
}

/* The row is read again once argon2 is done: a key deleted or disabled
 * meanwhile is refused. */
static void
test_gate_row_changed(void **)
{
	struct request	*r;
	char		*cause = nullptr;

	assert_int_equal(test_add_key(K_RACE, "admin", 0, 0, nullptr), 0);
	verify_forget(K_RACE);
	r = test_req(CRED_ACCESS_KEY, K_RACE, TEST_SECRET, "v-ok", CLIENT);
	memset(&test_res, 0, sizeof test_res);
	gate_begin(r);
	assert_non_null(r->verify);
	assert_int_equal(db_key_delete(env->db, K_RACE, &cause), 1);
	test_wait(r);
	test_refused(E_PASSWORD, "Authentication failed");
	test_req_free(r);

	assert_int_equal(test_add_key(K_RACE, "admin", 0, 0, nullptr), 0);
	verify_forget(K_RACE);
	r = test_req(CRED_ACCESS_KEY, K_RACE, TEST_SECRET, "v-ok", CLIENT);
	memset(&test_res, 0, sizeof test_res);
	gate_begin(r);
	assert_non_null(r->verify);
	assert_int_equal(test_sql(env->db, "UPDATE keys SET disabled = 1 "
	    "WHERE id = '" K_RACE "'"), 0);
	test_wait(r);
	test_refused(E_PASSWORD, "Authentication failed");
	test_req_free(r);

	/* Unchanged, the same steps run. */
	assert_int_equal(test_sql(env->db, "UPDATE keys SET disabled = 0 "
	    "WHERE id = '" K_RACE "'"), 0);
	verify_forget(K_RACE);
	assert_int_equal(test_one(CRED_ACCESS_KEY, K_RACE, TEST_SECRET,
	    "v-ok", CLIENT), 1);
	test_run_ok();
	assert_int_equal(db_key_delete(env->db, K_RACE, &cause), 1);
}

/* The key's owner, as Hestia's v-check-access-key words it. */
static void
test_gate_owner(void **)
{
	test_one(CRED_ACCESS_KEY, K_GHOST, TEST_SECRET, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "user ghost doesn't exist");
	test_one(CRED_ACCESS_KEY, K_BOB, TEST_SECRET, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "user bob is suspended");
	test_one(CRED_ACCESS_KEY, K_BAD, TEST_SECRET, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "invalid user format :: b@d");
	/* Only a wrong secret is a login failure: none of these. */
	assert_int_equal(test_one(CRED_ACCESS_KEY, K_BOB, TEST_WRONG, "v-ok",
	    CLIENT), 1);
	test_refused(E_PASSWORD, "Authentication failed");
}

static void
test_gate_cmd_not_found(void **)
{
	struct request	*r;

	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-nope", CLIENT);
	test_refused(E_FORBIDEN, "Command v-nope not found");
	/* Even a key that may not run it learns only that it is missing. */
	test_one(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-nope", CLIENT);
	test_refused(E_FORBIDEN, "Command v-nope not found");
	/* The built-in needs no script. */
	r = test_req(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-make-tmp-file",
	    CLIENT);
	test_gate(r);
	test_run_ok();
	assert_null(r->cmd_path);
	test_req_free(r);
}

static void
test_gate_permission(void **)
{
	struct request	*r;

	test_one(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-any", CLIENT);
	test_refused(E_FORBIDEN, "Key " K_ALICE " don't have permission to "
	    "run the command v-any");
	/* No perms: everything for ROOT_USER's keys, nothing for others. */
	test_one(CRED_ACCESS_KEY, K_ANONE, TEST_SECRET, "v-any", CLIENT);
	test_refused(E_FORBIDEN, "Key " K_ANONE " don't have permission to "
	    "run the command v-any");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-any", CLIENT);
	test_run_ok();
	/* A plain command name. */
	r = test_req(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-ok", CLIENT);
	test_arg(r, 1, "alice");
	test_gate(r);
	test_run_ok();
	assert_int_equal(r->who.is_root, 0);
	assert_string_equal(r->who.user, "alice");
	test_req_free(r);
	/* A permission set. */
	test_one(CRED_ACCESS_KEY, K_ASET, TEST_SECRET, "v-any", CLIENT);
	test_run_ok();
	test_one(CRED_ACCESS_KEY, K_ASET, TEST_SECRET, "v-ok", CLIENT);
	test_refused(E_FORBIDEN, "Key " K_ASET " don't have permission to "
	    "run the command v-ok");
	test_one(CRED_ACCESS_KEY, K_ASET, TEST_SECRET, "v-make-tmp-file",
	    CLIENT);
	test_run_ok();
	test_one(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-make-tmp-file",
	    CLIENT);
	test_refused(E_FORBIDEN, "Key " K_ALICE " don't have permission to "
	    "run the command v-make-tmp-file");
	/* A set changed in the database counts at the next request. */
	assert_int_equal(test_sql(env->db, "DELETE FROM perm_set_commands "
	    "WHERE set_name = 'testset' AND command = 'v-any'"), 0);
	test_one(CRED_ACCESS_KEY, K_ASET, TEST_SECRET, "v-any", CLIENT);
	test_refused(E_FORBIDEN, "Key " K_ASET " don't have permission to "
	    "run the command v-any");
	assert_int_equal(test_sql(env->db, "INSERT INTO perm_set_commands "
	    "VALUES ('testset', 'v-any')"), 0);
	test_one(CRED_ACCESS_KEY, K_ASET, TEST_SECRET, "v-any", CLIENT);
	test_run_ok();
}

/* API_SYSTEM 1: ROOT_USER's keys only, code 21 only after the key and
 * its permissions were checked. */
static void
test_gate_api_system_admin_only(void **)
{
	struct request	*r;

	test_hestia_conf("yes", "1", "allow-all", "admin", "no");
	r = test_req(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-ok", CLIENT);
	test_arg(r, 1, "alice");
	test_gate(r);
	test_refused(E_API_DISABLED, "API has been disabled");
	test_req_free(r);
	test_one(CRED_ACCESS_KEY, K_ALICE, TEST_WRONG, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "Authentication failed");
	test_one(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-any", CLIENT);
	test_refused(E_FORBIDEN, "Key " K_ALICE " don't have permission to "
	    "run the command v-any");
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-any", CLIENT);
	test_run_ok();
	/* ROOT_USER comes from hestia.conf: alice's key is the root one. */
	test_hestia_conf("yes", "1", "allow-all", "alice", "no");
	test_one(CRED_ACCESS_KEY, K_ANONE, TEST_SECRET, "v-any", CLIENT);
	test_run_ok();
	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-any", CLIENT);
	test_refused(E_FORBIDEN, "Key " K_ADMIN " don't have permission to "
	    "run the command v-any");
}

#define TEST_USER_ARG_MSG(id) \
	"Key " id " - the \"user\" argument doesn\\'t match the key\\'s user"

static void
test_gate_user_arg(void **)
{
	struct request	*r;

	r = test_req(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-ok", CLIENT);
	test_arg(r, 1, "alice");
	test_arg(r, 2, "json");
	test_gate(r);
	test_run_ok();
	test_req_free(r);

	r = test_req(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-ok", CLIENT);
	test_arg(r, 1, "admin");
	test_gate(r);
	test_refused(E_FORBIDEN, TEST_USER_ARG_MSG(K_ALICE));
	test_req_free(r);

	/* No argument at all. */
	test_one(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-ok", CLIENT);
	test_refused(E_FORBIDEN, TEST_USER_ARG_MSG(K_ALICE));

	/* Sent as arg2 only: compacted into the USER slot, which Hestia's
	 * check of arg1 did not see. */
	r = test_req(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-ok", CLIENT);
	test_arg(r, 2, "alice");
	test_gate(r);
	test_refused(E_FORBIDEN, TEST_USER_ARG_MSG(K_ALICE));
	test_req_free(r);

	/* Not a login failure. */
	assert_int_equal(lockout_banned(CLIENT, 0), 0);
	assert_false(test_authlog_has("failed to login"));
}

/* USER in the second place: both the argN sent and the argument the
 * command gets must be the key's user. */
static void
test_gate_user_arg_compaction(void **)
{
	struct request	*r;

	r = test_req(CRED_ACCESS_KEY, K_ASET, TEST_SECRET, "v-dom", CLIENT);
	test_arg(r, 1, "example.com");
	test_arg(r, 2, "alice");
	test_gate(r);
	test_run_ok();
	test_req_free(r);

	/* arg2 says alice, but without arg1 the command's USER is arg3. */
	r = test_req(CRED_ACCESS_KEY, K_ASET, TEST_SECRET, "v-dom", CLIENT);
	test_arg(r, 2, "alice");
	test_arg(r, 3, "admin");
	test_gate(r);
	test_refused(E_FORBIDEN, TEST_USER_ARG_MSG(K_ASET));
	test_req_free(r);

	/* The command would get alice, but arg2 was never sent. */
	r = test_req(CRED_ACCESS_KEY, K_ASET, TEST_SECRET, "v-dom", CLIENT);
	test_arg(r, 1, "example.com");
	test_arg(r, 3, "alice");
	test_gate(r);
	test_refused(E_FORBIDEN, TEST_USER_ARG_MSG(K_ASET));
	test_req_free(r);

	r = test_req(CRED_ACCESS_KEY, K_ASET, TEST_SECRET, "v-dom", CLIENT);
	test_arg(r, 1, "example.com");
	test_arg(r, 2, "bob");
	test_gate(r);
	test_refused(E_FORBIDEN, TEST_USER_ARG_MSG(K_ASET));
	test_req_free(r);
}

/* Commands without a USER option, the built-in and ROOT_USER's keys are
 * not restricted. */
static void
test_gate_user_arg_unrestricted(void **)
{
	struct request	*r;

	r = test_req(CRED_ACCESS_KEY, K_ASET, TEST_SECRET, "v-any", CLIENT);
	test_arg(r, 1, "admin");
	test_gate(r);
	test_run_ok();
	test_req_free(r);

	r = test_req(CRED_ACCESS_KEY, K_ASET, TEST_SECRET, "v-make-tmp-file",
	    CLIENT);
	test_arg(r, 1, "admin");
	test_arg(r, 2, "admin");
	test_gate(r);
	test_run_ok();
	test_req_free(r);

	r = test_req(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_arg(r, 1, "bob");
	test_gate(r);
	test_run_ok();
	test_req_free(r);
}

/* A script whose options line changes is read again. */
static void
test_gate_user_arg_script_changed(void **)
{
	struct request	*r;

	assert_int_equal(test_script("v-chg", "[ARG]"), 0);
	assert_int_equal(test_sql(env->db, "INSERT INTO key_perms VALUES ('"
	    K_ALICE "', 'v-chg')"), 0);
	r = test_req(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-chg", CLIENT);
	test_arg(r, 1, "admin");
	test_gate(r);
	test_run_ok();
	test_req_free(r);

	assert_int_equal(test_script("v-chg", "USER [ARG] [MORE]"), 0);
	r = test_req(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-chg", CLIENT);
	test_arg(r, 1, "admin");
	test_gate(r);
	test_refused(E_FORBIDEN, TEST_USER_ARG_MSG(K_ALICE));
	test_req_free(r);
	assert_int_equal(test_sql(env->db, "DELETE FROM key_perms WHERE "
	    "name = 'v-chg'"), 0);
}

static void
test_gate_legacy_disabled(void **)
{
	test_hestia_conf("no", "2", "allow-all", "admin", "no");
	test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", CLIENT);
	test_refused(E_DISABLED, "API has been disabled");
	test_one(CRED_PASSWORD, "admin", TEST_PASSWORD, "v-ok", CLIENT);
	test_refused(E_DISABLED, "API has been disabled");
	/* Only the exact word. */
	test_hestia_conf("YES", "2", "allow-all", "admin", "no");
	test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", CLIENT);
	test_refused(E_DISABLED, "API has been disabled");
}

static void
test_gate_legacy_key(void **)
{
	struct request	*r;

	r = test_req(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", CLIENT);
	test_gate(r);
	test_run_ok();
	assert_string_equal(r->who.who, "api");
	assert_string_equal(r->who.user, "admin");
	assert_int_equal(r->who.is_root, 1);
	assert_non_null(r->cmd_path);
	assert_non_null(strstr(r->cmd_path, "/bin/v-ok"));
	test_req_free(r);
	assert_true(test_authlog_has(" api " CLIENT " successfully launched"));

	/* Again: the cache answers at once. */
	r = test_req(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", CLIENT);
	memset(&test_res, 0, sizeof test_res);
	gate_begin(r);
	assert_null(r->verify);
	test_run_ok();
	test_req_free(r);

	/* It acts for ROOT_USER, whoever that is. */
	test_hestia_conf("yes", "2", "allow-all", "alice", "no");
	r = test_req(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", CLIENT);
	test_gate(r);
	test_run_ok();
	assert_string_equal(r->who.user, "alice");
	test_req_free(r);
}

static void
test_gate_legacy_wrong(void **)
{
	/* Unknown: a dummy run, as long as a real one. */
	assert_int_equal(test_one(CRED_LEGACY_KEY, nullptr, L_UNKNOWN, "v-ok",
	    CLIENT), 1);
	test_refused(E_PASSWORD, "authentication failed");
	assert_true(test_authlog_has(" api " CLIENT " failed to login"));
	/* Found by its lookup, but the hash says no. */
	assert_int_equal(test_one(CRED_LEGACY_KEY, nullptr, L_MISMATCH,
	    "v-ok", CLIENT), 1);
	test_refused(E_PASSWORD, "authentication failed");
	/* Both counted: a third failure bans. */
	assert_int_equal(lockout_banned(CLIENT, 0), 0);
	test_one(CRED_LEGACY_KEY, nullptr, "x/" L_UNKNOWN, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "authentication failed");
	test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "authentication failed");
}

/* Hestia's 16-character floor, on the basename: even a stored key. */
static void
test_gate_legacy_short(void **)
{
	assert_int_equal(strlen(L_SHORT), 15);
	assert_int_equal(test_one(CRED_LEGACY_KEY, nullptr, L_SHORT, "v-ok",
	    CLIENT), 0);
	test_refused(E_PASSWORD, "authentication failed");
	test_one(CRED_LEGACY_KEY, nullptr, "LegacyLegacyLegacyLegacy/x",
	    "v-ok", CLIENT);
	test_refused(E_PASSWORD, "authentication failed");
	test_one(CRED_LEGACY_KEY, nullptr, L_KEY "/", "v-ok", CLIENT);
	test_refused(E_PASSWORD, "authentication failed");
	assert_true(test_authlog_has(" api " CLIENT " failed to login"));
}

/* Hestia takes basename(hash). */
static void
test_gate_legacy_basename(void **)
{
	test_one(CRED_LEGACY_KEY, nullptr, "../x/" L_KEY, "v-ok", CLIENT);
	test_run_ok();
	test_one(CRED_LEGACY_KEY, nullptr, "/usr/local/hestia/data/keys/"
	    L_KEY, "v-ok", CLIENT);
	test_run_ok();
}

/* Legacy logins check the command only once logged in. */
static void
test_gate_legacy_cmd(void **)
{
	struct request	*r;

	test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok;id", CLIENT);
	test_refused(E_INVALID, "Command invalid");
	test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "", CLIENT);
	test_refused(E_INVALID, "Command not provided");
	test_one(CRED_PASSWORD, "admin", TEST_PASSWORD, "v-ok;id", CLIENT);
	test_refused(E_INVALID, "Command invalid");
	/* A bad login with a bad command is a bad login. */
	test_one(CRED_LEGACY_KEY, nullptr, L_UNKNOWN, "v-ok;id", CLIENT);
	test_refused(E_PASSWORD, "authentication failed");
	test_one(CRED_PASSWORD, "admin", "wrong", "", CLIENT);
	test_refused(E_PASSWORD, "authentication failed");
	/* A missing script still runs (as sudo would fail in Hestia); the
	 * endpoint sees no path. */
	r = test_req(CRED_LEGACY_KEY, nullptr, L_KEY, "v-nope", CLIENT);
	test_gate(r);
	test_run_ok();
	assert_null(r->cmd_path);
	test_req_free(r);
}

static void
test_gate_password(void **)
{
	struct request	*r;

	/* Not ROOT_USER: 10, not logged, no worker. */
	assert_int_equal(test_one(CRED_PASSWORD, "alice", TEST_PASSWORD,
	    "v-ok", CLIENT), 0);
	test_refused(E_FORBIDEN, "authentication failed");
	test_one(CRED_PASSWORD, nullptr, TEST_PASSWORD, "v-ok", CLIENT);
	test_refused(E_FORBIDEN, "authentication failed");
	/* No password parameter. */
	assert_int_equal(test_one(CRED_PASSWORD, "admin", nullptr, "v-ok",
	    CLIENT), 0);
	test_refused(E_PASSWORD, "authentication failed");
	assert_false(test_authlog_has("failed to login"));

	assert_int_equal(test_one(CRED_PASSWORD, "admin", "pass wor", "v-ok",
	    CLIENT), 1);
	test_refused(E_PASSWORD, "authentication failed");
	assert_true(test_authlog_has(" admin " CLIENT " failed to login"));
	test_one(CRED_PASSWORD, "admin", "", "v-ok", CLIENT);
	test_refused(E_PASSWORD, "authentication failed");

	r = test_req(CRED_PASSWORD, "admin", TEST_PASSWORD, "v-ok", CLIENT);
	assert_int_equal(test_gate(r), 1);
	test_run_ok();
	assert_string_equal(r->who.who, "admin");
	assert_string_equal(r->who.user, "admin");
	assert_int_equal(r->who.is_root, 1);
	test_req_free(r);
	assert_true(test_authlog_has(" admin " CLIENT
	    " successfully logged in"));

	/* ROOT_USER from hestia.conf decides who may log in. */
	test_hestia_conf("yes", "2", "allow-all", "boss", "no");
	test_one(CRED_PASSWORD, "admin", TEST_PASSWORD, "v-ok", CLIENT);
	test_refused(E_FORBIDEN, "authentication failed");
}

/* Database failures are a 500, never a way in, never a login failure;
 * checks made before any lookup still refuse as usual. */
static void
test_gate_db_error(void **)
{
	struct db	*good = env->db, *bad;
	struct request	*r;
	char		 path[512], *cause = nullptr;

	snprintf(path, sizeof path, "%s/broken.db", test_top);
	bad = db_open(path, &cause);
	assert_non_null(bad);
	env->db = bad;
	assert_int_equal(test_add_key(K_ALICE, "alice", 0, 0, "v-ok"), 0);
	assert_int_equal(test_add_legacy(bad, L_KEY, L_KEY), 0);

	/* Permissions unreadable after a good secret. */
	assert_int_equal(test_sql(bad, "ALTER TABLE perm_set_commands "
	    "RENAME TO gone1"), 0);
	r = test_req(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-ok", CLIENT);
	test_arg(r, 1, "alice");
	test_gate(r);
	test_refused(500, "Key database unavailable");
	test_req_free(r);

	assert_int_equal(test_sql(bad, "ALTER TABLE legacy_keys "
	    "RENAME TO gone2"), 0);
	test_one(CRED_LEGACY_KEY, nullptr, L_KEY, "v-ok", CLIENT);
	test_refused(500, "Key database unavailable");

	assert_false(test_authlog_has("failed to login"));

	/* The row cannot be read again after argon2: a 500, and not a
	 * failed login counted against the client. */
	verify_forget(K_ALICE);
	r = test_req(CRED_ACCESS_KEY, K_ALICE, TEST_SECRET, "v-ok", CLIENT);
	test_arg(r, 1, "alice");
	memset(&test_res, 0, sizeof test_res);
	gate_begin(r);
	assert_non_null(r->verify);
	assert_int_equal(test_sql(bad, "ALTER TABLE keys RENAME TO gone3"), 0);
	test_wait(r);
	assert_int_equal(test_res.ran, 0);
	assert_int_equal(test_res.refused, 1);
	assert_int_equal(test_res.code, 500);
	assert_false(test_authlog_has("failed to login"));
	test_req_free(r);

	test_one(CRED_ACCESS_KEY, K_ADMIN, TEST_SECRET, "v-ok", CLIENT);
	test_refused(500, "Key database unavailable");

	lockout_free();
	lockout_init(&test_lockout, 64);
	test_one(CRED_LEGACY_KEY, nullptr, L_SHORT, "v-ok", CLIENT);
	test_refused(E_PASSWORD, "authentication failed");
	test_one(CRED_ACCESS_KEY, "AdminKeyAdmin-ey0001", TEST_SECRET, "v-ok",
	    CLIENT);
	test_refused(E_PASSWORD, "Authentication failed");
	assert_true(test_authlog_has(" AdminKeyAdmin-ey0001 " CLIENT
	    " failed to login"));

	env->db = good;
	db_close(bad);
	allow_reset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_gate_api_system_off, test_setup),
		cmocka_unit_test_setup(test_gate_api_switches_separate,
		    test_setup),
		cmocka_unit_test_setup(test_gate_ip_list, test_setup),
		cmocka_unit_test_setup(test_gate_ip_empty_list, test_setup),
		cmocka_unit_test_setup(test_gate_ip_wildcard, test_setup),
		cmocka_unit_test_setup(test_gate_empty_client, test_setup),
		cmocka_unit_test_setup(test_gate_banned, test_setup),
		cmocka_unit_test_setup(test_gate_not_counted, test_setup),
		cmocka_unit_test_setup(test_gate_cmd, test_setup),
		cmocka_unit_test_setup(test_gate_cmd_valid, test_setup),
		cmocka_unit_test_setup(test_gate_demo_mode, test_setup),
		cmocka_unit_test_setup(test_gate_empty_cred, test_setup),
		cmocka_unit_test_setup(test_gate_no_cred, test_setup),
		cmocka_unit_test_setup(test_gate_malformed, test_setup),
		cmocka_unit_test_setup(test_gate_burst_counted_before_work,
		    test_setup),
		cmocka_unit_test_setup(test_gate_hangup_counted, test_setup),
		cmocka_unit_test_setup(test_gate_unknown_id, test_setup),
		cmocka_unit_test_setup(test_gate_wrong_secret, test_setup),
		cmocka_unit_test_setup(test_gate_right_secret_cached,
		    test_setup),
		cmocka_unit_test_setup(test_gate_disabled, test_setup),
		cmocka_unit_test_setup(test_gate_expired, test_setup),
		cmocka_unit_test_setup(test_gate_expires_later, test_setup),
		cmocka_unit_test_setup(test_gate_key_allow, test_setup),
		cmocka_unit_test_setup(test_gate_row_changed, test_setup),
		cmocka_unit_test_setup(test_gate_owner, test_setup),
		cmocka_unit_test_setup(test_gate_cmd_not_found, test_setup),
		cmocka_unit_test_setup(test_gate_permission, test_setup),
		cmocka_unit_test_setup(test_gate_api_system_admin_only,
		    test_setup),
		cmocka_unit_test_setup(test_gate_user_arg, test_setup),
		cmocka_unit_test_setup(test_gate_user_arg_compaction,
		    test_setup),
		cmocka_unit_test_setup(test_gate_user_arg_unrestricted,
		    test_setup),
		cmocka_unit_test_setup(test_gate_user_arg_script_changed,
		    test_setup),
		cmocka_unit_test_setup(test_gate_legacy_disabled, test_setup),
		cmocka_unit_test_setup(test_gate_legacy_key, test_setup),
		cmocka_unit_test_setup(test_gate_legacy_wrong, test_setup),
		cmocka_unit_test_setup(test_gate_legacy_short, test_setup),
		cmocka_unit_test_setup(test_gate_legacy_basename, test_setup),
		cmocka_unit_test_setup(test_gate_legacy_cmd, test_setup),
		cmocka_unit_test_setup(test_gate_password, test_setup),
		/* Last: it leaves a broken database behind. */
		cmocka_unit_test_setup(test_gate_db_error, test_setup),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
