/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hconf.cc: Hestia's switches from hestia.conf (re-read when it changes),
 * or from our config, and the users of a temporary Hestia tree. */
#include <sys/stat.h>
#include <sys/types.h>

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "config.h"
#include "hconf.h"

extern char	 mock_log_last[1024];
extern int	 mock_log_count;
extern char	 mock_log_warned[1024];

static char		 test_top[] = "/tmp/test_hconf.XXXXXX";
static char		 test_hestia[128];	/* $HESTIA */
static char		 test_hconf[256];	/* $HESTIA/conf/hestia.conf */
static struct config	 test_conf;

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
	snprintf(test_hestia, sizeof test_hestia, "%s/hestia", test_top);
	snprintf(test_hconf, sizeof test_hconf, "%s/conf/hestia.conf",
	    test_hestia);
	return 0;
}

static int
test_group_teardown(void **)
{
	nftw(test_top, test_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* A fresh tree, and a config whose own switches differ from every value
 * the tests write to hestia.conf. */
static int
test_setup(void **)
{
	char	 path[256];

	nftw(test_hestia, test_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	mkdir(test_hestia, 0755);
	snprintf(path, sizeof path, "%s/conf", test_hestia);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/data", test_hestia);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/data/users", test_hestia);
	mkdir(path, 0755);
	memset(&test_conf, 0, sizeof test_conf);
	test_conf.hestia_conf = xstrdup(test_hconf);
	test_conf.sw.api = 1;
	test_conf.sw.api_system = 7;
	test_conf.sw.allowed_ip = xstrdup("198.51.100.1");
	test_conf.sw.root_user = xstrdup("confroot");
	test_conf.sw.demo_mode = 1;
	return 0;
}

static int
test_teardown(void **)
{
	hconf_free();
	free(test_conf.hestia_conf);
	hestia_switches_free(&test_conf.sw);
	memset(&test_conf, 0, sizeof test_conf);
	return 0;
}

static void
test_set_hestia_conf(const char *path)
{
	free(test_conf.hestia_conf);
	test_conf.hestia_conf = xstrdup(path);
}

static void
test_write(const char *path, const char *text)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Set a file's mtime to a fixed second, so a rewrite of the same size is
 * seen as a change whatever the clock's granularity. */
static void
test_mtime(const char *path, time_t sec)
{
	struct timespec	 ts[2];

	ts[0].tv_sec = ts[1].tv_sec = sec;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void
test_user(const char *user, const char *conf)
{
	char	 path[512];

	snprintf(path, sizeof path, "%s/data/users/%s", test_hestia, user);
	assert_int_equal(mkdir(path, 0755), 0);
	if (conf == nullptr)
		return;
	snprintf(path, sizeof path, "%s/data/users/%s/user.conf", test_hestia,
	    user);
	test_write(path, conf);
}

static void
test_check(int api, int api_system, const char *allowed_ip,
    const char *root_user, int demo_mode)
{
	const struct hestia_switches	*sw = hconf_get();

	assert_non_null(sw);
	assert_int_equal(sw->api, api);
	assert_int_equal(sw->api_system, api_system);
	assert_string_equal(sw->allowed_ip, allowed_ip);
	assert_string_equal(sw->root_user, root_user);
	assert_int_equal(sw->demo_mode, demo_mode);
}

/* Without HESTIA_CONF: a copy of our config's switches, Hestia's default
 * directory, and every user OK. */
static void
test_hconf_own_switches(void **)
{
	const struct hestia_switches	*sw;

	test_set_hestia_conf("");
	test_write(test_hconf, "API='no'\nAPI_SYSTEM='0'\n");
	hconf_init(&test_conf);
	test_check(1, 7, "198.51.100.1", "confroot", 1);
	sw = hconf_get();
	assert_true(sw->allowed_ip != test_conf.sw.allowed_ip);
	assert_string_equal(hconf_hestia_dir(), "/usr/local/hestia");
	assert_int_equal(hconf_user_state("admin"), HCONF_USER_OK);
	assert_int_equal(hconf_user_state("no such user!"), HCONF_USER_OK);
}

static void
test_hconf_reads_switches(void **)
{
	test_write(test_hconf, "# Hestia\nAPI='yes'\nAPI_SYSTEM='2'\n"
	    "API_ALLOWED_IP='10.9.8.7,127.0.0.1'\nROOT_USER='root'\n"
	    "DEMO_MODE='yes'\nBACKEND_PORT='8083'\n");
	hconf_init(&test_conf);
	test_check(1, 2, "10.9.8.7,127.0.0.1", "root", 1);
	assert_string_equal(hconf_hestia_dir(), test_hestia);
}

/* Keys absent from hestia.conf are off, not our config's values. */
static void
test_hconf_absent_keys(void **)
{
	test_write(test_hconf, "BACKEND_PORT='8083'\n");
	hconf_init(&test_conf);
	test_check(0, 0, "", "admin", 0);
}

static void
test_hconf_api_system_values(void **)
{
	test_write(test_hconf, "API='no'\nAPI_SYSTEM=''\nDEMO_MODE='no'\n");
	hconf_init(&test_conf);
	test_check(0, 0, "", "admin", 0);
	hconf_free();

	test_write(test_hconf, "API_SYSTEM='x'\n");
	hconf_init(&test_conf);
	test_check(0, 0, "", "admin", 0);
	hconf_free();

	test_write(test_hconf, "API_SYSTEM='1'\nAPI='YES'\n");
	hconf_init(&test_conf);
	test_check(0, 1, "", "admin", 0);
}

/* Unchanged: not read again. Changed size, mtime or inode: read again. */
static void
test_hconf_changed(void **)
{
	char	 other[300];
	int	 count;

	test_write(test_hconf, "API_SYSTEM='1'\n");
	test_mtime(test_hconf, 1000000000);
	hconf_init(&test_conf);
	test_check(0, 1, "", "admin", 0);
	count = mock_log_count;
	test_check(0, 1, "", "admin", 0);
	assert_int_equal(mock_log_count, count);

	/* A different size. */
	test_write(test_hconf, "API_SYSTEM='2'\nAPI='yes'\n");
	test_mtime(test_hconf, 1000000000);
	test_check(1, 2, "", "admin", 0);
	assert_int_equal(mock_log_count, count + 1);

	/* The same size, another mtime. */
	test_write(test_hconf, "API_SYSTEM='0'\nAPI='yes'\n");
	test_mtime(test_hconf, 1000000001);
	test_check(1, 0, "", "admin", 0);

	/* Replaced by rename (as sed -i does): the same size and mtime. */
	snprintf(other, sizeof other, "%s.new", test_hconf);
	test_write(other, "API_SYSTEM='2'\nAPI='no!'\n");
	test_mtime(other, 1000000001);
	assert_int_equal(rename(other, test_hconf), 0);
	test_check(0, 2, "", "admin", 0);
	count = mock_log_count;
	test_check(0, 2, "", "admin", 0);
	assert_int_equal(mock_log_count, count);
}

/*
 * Never the previous switches: a line our old parser refused kept the API
 * on after the panel had turned it off (bash read the same file as off).
 * A file that is gone or unreadable turns everything off; a good file
 * again is read.
 */
static void
test_hconf_never_stale(void **)
{
	test_write(test_hconf, "API='yes'\nAPI_SYSTEM='2'\n"
	    "API_ALLOWED_IP='allow-all'\nROOT_USER='root'\n");
	hconf_init(&test_conf);
	test_check(1, 2, "allow-all", "root", 0);

	/* The panel turns it off; some other line is odd. */
	test_write(test_hconf, "API='no'\nAPI_SYSTEM='0'\nbroken line\n"
	    "NAME='O'Brien'\nAPI_ALLOWED_IP='allow-all'\n");
	test_mtime(test_hconf, 1000);
	test_check(0, 0, "allow-all", "admin", 0);
	/* A quote left open: bash reads on from there, and a key it may
	 * read that way has no value we can know. */
	test_write(test_hconf, "API='no'\nAPI_SYSTEM='0'\nNAME='O'Brien'\n"
	    "A=1 ROOT_USER='x'\n");
	test_mtime(test_hconf, 1001);
	test_check(0, 0, "", "", 0);

	assert_int_equal(unlink(test_hconf), 0);
	test_check(0, 0, "", "", 1);
	assert_non_null(strstr(mock_log_last, "the API is off"));

	assert_int_equal(mkdir(test_hconf, 0755), 0);
	test_check(0, 0, "", "", 1);
	assert_int_equal(rmdir(test_hconf), 0);

	if (geteuid() != 0) {
		test_write(test_hconf, "API='yes'\n");
		assert_int_equal(chmod(test_hconf, 0), 0);
		test_check(0, 0, "", "", 1);
		unlink(test_hconf);
	}

	test_write(test_hconf, "API='no'\nAPI_SYSTEM='1'\n");
	test_check(0, 1, "", "admin", 0);
}

/* Nothing read yet: everything off, never our config's switches; the
 * file is read as soon as it is there. */
static void
test_hconf_first_read_fails(void **)
{
	int	 count;

	unlink(test_hconf);
	hconf_init(&test_conf);
	test_check(0, 0, "", "", 1);
	assert_non_null(strstr(mock_log_last, test_hconf));
	/* Said once, not on every request. */
	count = mock_log_count;
	test_check(0, 0, "", "", 1);
	assert_int_equal(mock_log_count, count);

	test_write(test_hconf, "API='yes'\nAPI_SYSTEM='2'\n");
	test_check(1, 2, "", "admin", 0);
}

/*
 * Lines that bash and source_conf read differently, as v-list-sys-config
 * combines them: source_conf's value when it assigns the key, else bash's.
 * What cannot be evaluated fails closed for the keys it may set.
 */
static void
test_hconf_as_bash(void **)
{
	/* Bash sets both; source_conf only API (to "no' API_SYSTEM='2"). */
	test_write(test_hconf, "API='no' API_SYSTEM='2'\n");
	hconf_init(&test_conf);
	test_check(0, 2, "", "admin", 0);
	hconf_free();

	/* A trailing ";" and double quotes: source_conf keeps the quotes
	 * of "yes", so the legacy API stays off. */
	test_write(test_hconf, "API=\"yes\"\nAPI_SYSTEM='2';\n");
	hconf_init(&test_conf);
	test_check(0, 2, "", "admin", 0);
	hconf_free();

	/* source_conf takes a command substitution as text, "$(echo 2)",
	 * which PHP's (int) reads as 0. */
	test_write(test_hconf, "API='yes'\nAPI_SYSTEM=$(echo 2)\n");
	hconf_init(&test_conf);
	test_check(1, 0, "", "admin", 0);
	hconf_free();
	/* Where source_conf does not assign it, the key cannot be known. */
	test_write(test_hconf, "API='yes'\nA=1 API_SYSTEM=$(echo 2)\n");
	hconf_init(&test_conf);
	test_check(1, 0, "", "admin", 0);
	assert_non_null(strstr(mock_log_warned, "API_SYSTEM is set by a line"));
	hconf_free();

	/* A quote left open: bash reads on; keys source_conf did not set
	 * are unknown, and closed. */
	test_write(test_hconf, "API='yes'\nAPI_SYSTEM='2\nDEMO_MODE='no'\n"
	    "A=1 ROOT_USER='x'\n");
	hconf_init(&test_conf);
	test_check(1, 0, "", "", 0);
	hconf_free();

	/* A last line without a newline: source_conf skips it, bash reads
	 * it. */
	test_write(test_hconf, "API_SYSTEM='2'\nAPI='yes'");
	hconf_init(&test_conf);
	test_check(1, 2, "", "admin", 0);
}

/* $HESTIA is two levels above hestia.conf. */
static void
test_hconf_hestia_dir(void **)
{
	test_set_hestia_conf("/opt/hestia/conf/hestia.conf");
	hconf_init(&test_conf);
	assert_string_equal(hconf_hestia_dir(), "/opt/hestia");
	hconf_free();

	test_set_hestia_conf("/conf/hestia.conf");
	hconf_init(&test_conf);
	assert_string_equal(hconf_hestia_dir(), "/");
	hconf_free();

	test_set_hestia_conf("/hestia.conf");
	hconf_init(&test_conf);
	assert_string_equal(hconf_hestia_dir(), "/");
}

/* Suspended when any of Hestia's readings says so: its grep for
 * SUSPENDED='yes', bash's source, source_conf. */
static void
test_hconf_user_state(void **)
{
	test_write(test_hconf, "API='yes'\n");
	test_user("alice", "NAME='Alice'\nSUSPENDED='no'\n");
	test_user("bob", "NAME='Bob'\nSUSPENDED='yes'\n");
	test_user("carol", "NAME='Carol'\n");
	test_user("dave", "SUSPENDED='YES'\n");
	test_user("erin", "SUSPENDED='yes'\nSUSPENDED='no'\n");
	test_user("frank", "NAME='a' SUSPENDED='yes'\n");
	test_user("gina", "SUSPENDED='yes';\n");
	test_user("hank", "SUSPENDED=\"yes\"\n");
	test_user("ivan", "SUSPENDED=$(cat /nonexistent)\n");
	test_user("judy", "SUSPENDED=yes");
	test_user("nofile", nullptr);
	hconf_init(&test_conf);
	assert_int_equal(hconf_user_state("alice"), HCONF_USER_OK);
	assert_int_equal(hconf_user_state("bob"), HCONF_USER_SUSPENDED);
	assert_int_equal(hconf_user_state("carol"), HCONF_USER_OK);
	assert_int_equal(hconf_user_state("dave"), HCONF_USER_OK);
	assert_int_equal(hconf_user_state("erin"), HCONF_USER_SUSPENDED);
	assert_int_equal(hconf_user_state("frank"), HCONF_USER_SUSPENDED);
	assert_int_equal(hconf_user_state("gina"), HCONF_USER_SUSPENDED);
	assert_int_equal(hconf_user_state("hank"), HCONF_USER_SUSPENDED);
	assert_int_equal(hconf_user_state("ivan"), HCONF_USER_SUSPENDED);
	assert_int_equal(hconf_user_state("judy"), HCONF_USER_SUSPENDED);
	assert_int_equal(hconf_user_state("nofile"), HCONF_USER_MISSING);
	assert_int_equal(hconf_user_state("ghost"), HCONF_USER_MISSING);
	assert_int_equal(hconf_user_state("a"), HCONF_USER_INVALID);
	assert_int_equal(hconf_user_state("../bob"), HCONF_USER_INVALID);
	assert_int_equal(hconf_user_state("bob/"), HCONF_USER_INVALID);
	assert_int_equal(hconf_user_state(""), HCONF_USER_INVALID);
}

/* ^[[:alnum:]][-|\.|_[:alnum:]]{0,28}[[:alnum:]]$ */
static void
test_hconf_user_valid(void **)
{
	char	 name[40];

	assert_true(hconf_user_valid("ab"));
	assert_true(hconf_user_valid("admin"));
	assert_true(hconf_user_valid("a-b"));
	assert_true(hconf_user_valid("a.b"));
	assert_true(hconf_user_valid("a_b"));
	assert_true(hconf_user_valid("a|b"));
	assert_true(hconf_user_valid("A9"));
	memset(name, 'u', 30);
	name[30] = '\0';
	assert_true(hconf_user_valid(name));
	name[30] = 'u';
	name[31] = '\0';
	assert_false(hconf_user_valid(name));

	assert_false(hconf_user_valid(""));
	assert_false(hconf_user_valid("a"));
	assert_false(hconf_user_valid("-ab"));
	assert_false(hconf_user_valid("ab-"));
	assert_false(hconf_user_valid(".ab"));
	assert_false(hconf_user_valid("ab_"));
	assert_false(hconf_user_valid("a b"));
	assert_false(hconf_user_valid("a/b"));
	assert_false(hconf_user_valid(".."));
	assert_false(hconf_user_valid("a@b"));
	assert_false(hconf_user_valid("a\nb"));
	assert_false(hconf_user_valid("caf\xc3\xa9s"));
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_hconf_own_switches),
		TEST(test_hconf_reads_switches),
		TEST(test_hconf_absent_keys),
		TEST(test_hconf_api_system_values),
		TEST(test_hconf_changed),
		TEST(test_hconf_never_stale),
		TEST(test_hconf_as_bash),
		TEST(test_hconf_first_read_fails),
		TEST(test_hconf_hestia_dir),
		TEST(test_hconf_user_state),
		TEST(test_hconf_user_valid),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
