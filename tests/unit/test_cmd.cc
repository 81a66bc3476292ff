/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmd.cc: command names to scripts inside BIN_DIR (never out of it), argv
 * with EXEC_PREFIX, and the fixed environment. */
#include <sys/stat.h>
#include <sys/types.h>

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
#include "cmd.h"
#include "config.h"

static char		 test_top[] = "/tmp/test_cmd.XXXXXX";
static char		 test_bin[128];		/* BIN_DIR, real */
static char		 test_real[PATH_MAX];	/* its realpath */
static struct config	 test_conf;

static int
test_rm_cb(const char *path, const struct stat *, int, struct FTW *)
{
	return remove(path);
}

static int
test_file(const char *path, mode_t mode)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == nullptr)
		return -1;
	fputs("#!/bin/sh\n# options: USER\nexit 0\n", f);
	if (fclose(f) != 0)
		return -1;
	return chmod(path, mode);
}

/*
 * $top/bin:		v-ok (0755), v-noexec (0644), v-dir/ (a directory),
 *			v-link -> v-ok, v-abs -> $top/bin/v-ok,
 *			v-out -> ../outside/v-evil, v-sib -> ../bin2/v-sib,
 *			v-dangling -> v-none, v-dirlink -> v-dir
 * $top/outside/v-evil	(0755)
 * $top/bin2/v-sib	(0755): a sibling whose name starts like BIN_DIR
 * $top/abc/v-abc	(0755): reached by v-abc -> ../abc/v-abc, a path as
 *			long as BIN_DIR's with a slash in the same place
 * $top/binlink -> bin
 */
static int
test_group_setup(void **)
{
	char	 p[512], t[512];

	if (mkdtemp(test_top) == nullptr)
		return -1;
	snprintf(test_bin, sizeof test_bin, "%s/bin", test_top);
	if (mkdir(test_bin, 0755) == -1)
		return -1;
	if (realpath(test_bin, test_real) == nullptr)
		return -1;
	snprintf(p, sizeof p, "%s/v-ok", test_bin);
	if (test_file(p, 0755) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/v-noexec", test_bin);
	if (test_file(p, 0644) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/v-dir", test_bin);
	if (mkdir(p, 0755) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/outside", test_top);
	if (mkdir(p, 0755) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/outside/v-evil", test_top);
	if (test_file(p, 0755) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/bin2", test_top);
	if (mkdir(p, 0755) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/bin2/v-sib", test_top);
	if (test_file(p, 0755) == -1)
		return -1;

	snprintf(p, sizeof p, "%s/abc", test_top);
	if (mkdir(p, 0755) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/abc/v-abc", test_top);
	if (test_file(p, 0755) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/v-abc", test_bin);
	if (symlink("../abc/v-abc", p) == -1)
		return -1;

	snprintf(p, sizeof p, "%s/v-link", test_bin);
	if (symlink("v-ok", p) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/v-abs", test_bin);
	snprintf(t, sizeof t, "%s/v-ok", test_bin);
	if (symlink(t, p) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/v-out", test_bin);
	if (symlink("../outside/v-evil", p) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/v-sib", test_bin);
	if (symlink("../bin2/v-sib", p) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/v-dangling", test_bin);
	if (symlink("v-none", p) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/v-dirlink", test_bin);
	if (symlink("v-dir", p) == -1)
		return -1;
	snprintf(p, sizeof p, "%s/binlink", test_top);
	if (symlink("bin", p) == -1)
		return -1;

	memset(&test_conf, 0, sizeof test_conf);
	test_conf.bin_dir = xstrdup(test_bin);
	test_conf.exec_prefix = xstrdup("");
	return 0;
}

static int
test_group_teardown(void **)
{
	free(test_conf.bin_dir);
	free(test_conf.exec_prefix);
	nftw(test_top, test_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static void
test_set(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/* Resolves to exactly $realbin/name. */
static void
test_resolves(const char *cmd, const char *name)
{
	char	*path, want[PATH_MAX + 64];

	path = cmd_resolve(&test_conf, cmd);
	if (path == nullptr)
		fail_msg("%s: not resolved", cmd);
	snprintf(want, sizeof want, "%s/%s", test_real, name);
	assert_string_equal(path, want);
	free(path);
}

static void
test_refused(const char *cmd)
{
	char	*path;

	if ((path = cmd_resolve(&test_conf, cmd)) != nullptr) {
		free(path);
		fail_msg("%s: resolved, should not be", cmd);
	}
}

static void
test_cmd_resolve_script(void **)
{
	test_set(&test_conf.bin_dir, test_bin);
	test_resolves("v-ok", "v-ok");
}

static void
test_cmd_resolve_missing(void **)
{
	test_set(&test_conf.bin_dir, test_bin);
	test_refused("v-none");
	test_refused("");
	test_refused("v-dangling");
}

static void
test_cmd_resolve_not_regular(void **)
{
	test_set(&test_conf.bin_dir, test_bin);
	test_refused("v-dir");
	test_refused("v-dirlink");
	test_refused(".");
	test_refused("..");
}

static void
test_cmd_resolve_not_executable(void **)
{
	test_set(&test_conf.bin_dir, test_bin);
	test_refused("v-noexec");
}

/* Whether a script may run is remembered only for the file as it was:
 * taking its x bits away, or putting another file in its place, counts on
 * the very next lookup; and the stat given back is the script's. */
static void
test_cmd_resolve_exec_changes(void **)
{
	struct stat	 st;
	char		 p[512], tmp[512], *path;

	test_set(&test_conf.bin_dir, test_bin);
	snprintf(p, sizeof p, "%s/v-flip", test_bin);
	snprintf(tmp, sizeof tmp, "%s/v-flip.new", test_bin);
	assert_int_equal(test_file(p, 0755), 0);
	test_resolves("v-flip", "v-flip");
	path = cmd_resolve_stat(&test_conf, "v-flip", &st);
	assert_non_null(path);
	free(path);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(chmod(p, 0644), 0);
	test_refused("v-flip");
	assert_int_equal(chmod(p, 0755), 0);
	test_resolves("v-flip", "v-flip");
	/* Another file under the name, not executable. */
	assert_int_equal(test_file(tmp, 0644), 0);
	assert_int_equal(rename(tmp, p), 0);
	test_refused("v-flip");
	assert_int_equal(chmod(p, 0700), 0);
	test_resolves("v-flip", "v-flip");
	assert_int_equal(unlink(p), 0);
	test_refused("v-flip");
}

/* A symlink that stays inside BIN_DIR is its target. */
static void
test_cmd_resolve_link_inside(void **)
{
	test_set(&test_conf.bin_dir, test_bin);
	test_resolves("v-link", "v-ok");
	test_resolves("v-abs", "v-ok");
}

/* Nothing outside BIN_DIR, however it is reached. */
static void
test_cmd_resolve_link_outside(void **)
{
	test_set(&test_conf.bin_dir, test_bin);
	test_refused("v-out");
	/* bin2 starts with "bin": a prefix is not a parent. */
	test_refused("v-sib");
	test_refused("v-abc");
	/* The name itself is not checked here (the gate does that), so
	 * the path is. */
	test_refused("../outside/v-evil");
	test_refused("../bin2/v-sib");
	test_refused("/bin/sh");
}

/* BIN_DIR may itself be a symlink, or end in a slash; a missing one
 * resolves nothing. */
static void
test_cmd_resolve_bin_dir(void **)
{
	char	 p[512];

	snprintf(p, sizeof p, "%s/binlink", test_top);
	test_set(&test_conf.bin_dir, p);
	test_resolves("v-ok", "v-ok");
	test_refused("v-out");
	snprintf(p, sizeof p, "%s/bin/", test_top);
	test_set(&test_conf.bin_dir, p);
	test_resolves("v-ok", "v-ok");
	snprintf(p, sizeof p, "%s/nonexistent", test_top);
	test_set(&test_conf.bin_dir, p);
	test_refused("v-ok");
	test_set(&test_conf.bin_dir, test_bin);
}

static void
test_argv_check(char **argv, const char *const *want)
{
	int	 i;

	assert_non_null(argv);
	for (i = 0; want[i] != nullptr; i++) {
		assert_non_null(argv[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[i]);
}

static void
test_cmd_argv_no_prefix(void **)
{
	char			*args[] = { (char *)"alice", (char *)"",
				    (char *)"two words", (char *)"'$(id)'" };
	const char *const	 want[] = { "/bin/v-ok", "alice", "",
				    "two words", "'$(id)'", nullptr };
	const char *const	 want0[] = { "/bin/v-ok", nullptr };
	char			**argv;

	test_set(&test_conf.exec_prefix, "");
	argv = cmd_argv(&test_conf, "/bin/v-ok", args, 4);
	test_argv_check(argv, want);
	cmd_vfree(argv);
	argv = cmd_argv(&test_conf, "/bin/v-ok", nullptr, 0);
	test_argv_check(argv, want0);
	cmd_vfree(argv);
}

static void
test_cmd_argv_prefix(void **)
{
	char			*args[] = { (char *)"alice", (char *)"json" };
	const char *const	 want[] = { "/usr/bin/sudo", "-n", "/bin/v-ok",
				    "alice", "json", nullptr };
	char			**argv;

	test_set(&test_conf.exec_prefix, "/usr/bin/sudo -n");
	argv = cmd_argv(&test_conf, "/bin/v-ok", args, 2);
	test_argv_check(argv, want);
	cmd_vfree(argv);
	/* Runs of spaces and tabs, at either end too, split the same. */
	test_set(&test_conf.exec_prefix, " \t/usr/bin/sudo  \t -n\t ");
	argv = cmd_argv(&test_conf, "/bin/v-ok", args, 2);
	test_argv_check(argv, want);
	cmd_vfree(argv);
	test_set(&test_conf.exec_prefix, "");
}

/* The most words a prefix can hold, and every argument: the array is
 * big enough (ASan watches). */
static void
test_cmd_argv_full(void **)
{
	char		*args[13], buf[13][8];
	char		**argv;
	int		 i;

	for (i = 0; i < 13; i++) {
		snprintf(buf[i], sizeof buf[i], "a%d", i + 1);
		args[i] = buf[i];
	}
	test_set(&test_conf.exec_prefix, "a b c d e f g h i j k l m n o p q");
	argv = cmd_argv(&test_conf, "/p", args, 13);
	for (i = 0; i < 17; i++) {
		assert_int_equal(strlen(argv[i]), 1);
		assert_int_equal(argv[i][0], 'a' + i);
	}
	assert_string_equal(argv[17], "/p");
	for (i = 0; i < 13; i++)
		assert_string_equal(argv[18 + i], buf[i]);
	assert_null(argv[31]);
	cmd_vfree(argv);
	test_set(&test_conf.exec_prefix, "x");
	argv = cmd_argv(&test_conf, "/p", args, 13);
	assert_string_equal(argv[0], "x");
	assert_string_equal(argv[1], "/p");
	assert_string_equal(argv[14], "a13");
	assert_null(argv[15]);
	cmd_vfree(argv);
	test_set(&test_conf.exec_prefix, "");
}

/* The copies are the command's own. */
static void
test_cmd_argv_copies(void **)
{
	char	 a[] = "alice", path[] = "/bin/v-ok";
	char	*args[] = { a };
	char	**argv;

	argv = cmd_argv(&test_conf, path, args, 1);
	a[0] = 'X';
	path[1] = 'X';
	assert_string_equal(argv[0], "/bin/v-ok");
	assert_string_equal(argv[1], "alice");
	cmd_vfree(argv);
	cmd_vfree(nullptr);
}

/* Exactly PATH, HESTIA and LANG: nothing of the daemon's own. */
static void
test_cmd_envp(void **)
{
	char	**envp;

	setenv("APID_TEST_LEAK", "1", 1);
	envp = cmd_envp("/usr/local/hestia");
	assert_non_null(envp);
	assert_string_equal(envp[0], "PATH=/usr/local/sbin:/usr/local/bin:"
	    "/usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(envp[1], "HESTIA=/usr/local/hestia");
	assert_string_equal(envp[2], "LANG=C.UTF-8");
	assert_null(envp[3]);
	cmd_vfree(envp);
	envp = cmd_envp("/opt/h");
	assert_string_equal(envp[1], "HESTIA=/opt/h");
	assert_null(envp[3]);
	cmd_vfree(envp);
	unsetenv("APID_TEST_LEAK");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_resolve_script),
		cmocka_unit_test(test_cmd_resolve_missing),
		cmocka_unit_test(test_cmd_resolve_not_regular),
		cmocka_unit_test(test_cmd_resolve_exec_changes),
		cmocka_unit_test(test_cmd_resolve_not_executable),
		cmocka_unit_test(test_cmd_resolve_link_inside),
		cmocka_unit_test(test_cmd_resolve_link_outside),
		cmocka_unit_test(test_cmd_resolve_bin_dir),
		cmocka_unit_test(test_cmd_argv_no_prefix),
		cmocka_unit_test(test_cmd_argv_prefix),
		cmocka_unit_test(test_cmd_argv_full),
		cmocka_unit_test(test_cmd_argv_copies),
		cmocka_unit_test(test_cmd_envp),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
