/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tmpfile.cc: name rules, and writes that never follow or clobber. */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
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
#include "tmpfile.h"

static char	 test_top[] = "/tmp/test_tmpfile.XXXXXX";
static char	 test_dir[128];		/* TMP_DIR of each test */
static int	 test_seq;

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
	return 0;
}

static int
test_group_teardown(void **)
{
	nftw(test_top, test_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* A fresh, empty TMP_DIR for each test. */
static int
test_setup(void **)
{
	snprintf(test_dir, sizeof test_dir, "%s/d%d", test_top, ++test_seq);
	return mkdir(test_dir, 0700);
}

static void
test_path(char *buf, size_t sz, const char *name)
{
	snprintf(buf, sz, "%s/%s", test_dir, name);
}

/* Read a whole file into buf; returns its length. */
static size_t
test_read(const char *path, char *buf, size_t sz)
{
	int	 fd;
	ssize_t	 n;

	assert_true((fd = open(path, O_RDONLY | O_NOFOLLOW)) != -1);
	n = read(fd, buf, sz);
	close(fd);
	assert_true(n >= 0);
	return (size_t)n;
}

static void
test_put(const char *path, const char *text)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Entries of the test dir, so no temporary file is left behind. */
static int
test_entries(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	assert_non_null(d = opendir(test_dir));
	while ((de = readdir(d)) != nullptr) {
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	}
	closedir(d);
	return n;
}

static void
test_tmpfile_names(void **)
{
	char	 name[256];

	assert_true(tmpfile_name_valid("a"));
	assert_true(tmpfile_name_valid("vst-sync.example.com"));
	assert_true(tmpfile_name_valid("A_b-1.txt"));
	assert_true(tmpfile_name_valid("a.."));
	memset(name, 'a', 200);
	name[200] = '\0';
	assert_true(tmpfile_name_valid(name));
	name[200] = 'a';
	name[201] = '\0';
	assert_false(tmpfile_name_valid(name));

	assert_false(tmpfile_name_valid(""));
	assert_false(tmpfile_name_valid("."));
	assert_false(tmpfile_name_valid(".."));
	assert_false(tmpfile_name_valid(".hidden"));
	assert_false(tmpfile_name_valid("a/b"));
	assert_false(tmpfile_name_valid("../etc"));
	assert_false(tmpfile_name_valid("/etc"));
	assert_false(tmpfile_name_valid("a b"));
	assert_false(tmpfile_name_valid("a\n"));
	assert_false(tmpfile_name_valid("a*"));
	assert_false(tmpfile_name_valid("a~"));
	assert_false(tmpfile_name_valid("caf\xc3\xa9"));
}

/* A new file: exactly the data, mode 0600 whatever the umask, ours. */
static void
test_tmpfile_create(void **)
{
	const char	 data[] = "line 1\nline 2\0after a NUL\n";
	char		 path[PATH_MAX], buf[256], *cause = nullptr;
	struct stat	 st;
	mode_t		 old;
	size_t		 n;

	old = umask(0);
	assert_int_equal(tmpfile_write(test_dir, "zone.example.com", data,
	    sizeof data - 1, &cause), 0);
	umask(old);
	assert_null(cause);
	test_path(path, sizeof path, "zone.example.com");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_uid, geteuid());
	n = test_read(path, buf, sizeof buf);
	assert_int_equal(n, sizeof data - 1);
	assert_memory_equal(buf, data, n);
	assert_int_equal(test_entries(), 1);
}

static void
test_tmpfile_empty(void **)
{
	char		 path[PATH_MAX], buf[16], *cause = nullptr;
	struct stat	 st;

	assert_int_equal(tmpfile_write(test_dir, "empty", "", 0, &cause), 0);
	test_path(path, sizeof path, "empty");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(test_read(path, buf, sizeof buf), 0);
}

/* An older file of ours is replaced whole, mode included. */
static void
test_tmpfile_replace(void **)
{
	char		 path[PATH_MAX], buf[256], *cause = nullptr;
	struct stat	 st;
	size_t		 n;

	test_path(path, sizeof path, "pw");
	test_put(path, "a much longer old content\n");
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(tmpfile_write(test_dir, "pw", "new", 3, &cause), 0);
	assert_null(cause);
	n = test_read(path, buf, sizeof buf);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "new", 3);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(test_entries(), 1);
}

/* A symlink at the name is replaced; its target is never written. */
static void
test_tmpfile_symlink(void **)
{
	char		 path[PATH_MAX], target[PATH_MAX], buf[256];
	char		*cause = nullptr;
	struct stat	 st;
	size_t		 n;

	snprintf(target, sizeof target, "%s/target%d", test_top, test_seq);
	test_put(target, "precious\n");
	test_path(path, sizeof path, "link");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(tmpfile_write(test_dir, "link", "evil", 4, &cause),
	    0);
	assert_null(cause);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	n = test_read(path, buf, sizeof buf);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "evil", 4);
	n = test_read(target, buf, sizeof buf);
	assert_int_equal(n, 9);
	assert_memory_equal(buf, "precious\n", 9);

	/* A dangling link: its target is not created. */
	snprintf(target, sizeof target, "%s/absent%d", test_top, test_seq);
	test_path(path, sizeof path, "dangling");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(tmpfile_write(test_dir, "dangling", "x", 1, &cause),
	    0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(access(target, F_OK), -1);
	assert_int_equal(test_entries(), 2);
}

/* Only a regular file may be replaced: a directory or a FIFO stays. */
static void
test_tmpfile_not_regular(void **)
{
	char		 path[PATH_MAX], *cause = nullptr;
	struct stat	 st;

	test_path(path, sizeof path, "adir");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(tmpfile_write(test_dir, "adir", "x", 1, &cause), -1);
	assert_string_equal(cause, "adir exists and is not ours");
	free(cause);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	cause = nullptr;
	test_path(path, sizeof path, "fifo");
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(tmpfile_write(test_dir, "fifo", "x", 1, &cause), -1);
	assert_string_equal(cause, "fifo exists and is not ours");
	free(cause);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	assert_int_equal(test_entries(), 2);
}

/* A regular file of another user stays (needs root to set up). */
static void
test_tmpfile_other_owner(void **)
{
	char		 path[PATH_MAX], buf[64], *cause = nullptr;
	size_t		 n;

	if (geteuid() != 0)
		skip();
	test_path(path, sizeof path, "theirs");
	test_put(path, "theirs\n");
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(tmpfile_write(test_dir, "theirs", "x", 1, &cause),
	    -1);
	assert_string_equal(cause, "theirs exists and is not ours");
	free(cause);
	n = test_read(path, buf, sizeof buf);
	assert_int_equal(n, 7);
	assert_memory_equal(buf, "theirs\n", 7);
	assert_int_equal(test_entries(), 1);
}

static void
test_tmpfile_bad_name(void **)
{
	char	*cause = nullptr;

	assert_int_equal(tmpfile_write(test_dir, "../escape", "x", 1, &cause),
	    -1);
	assert_string_equal(cause, "invalid file name");
	free(cause);
	cause = nullptr;
	assert_int_equal(tmpfile_write(test_dir, ".hidden", "x", 1, &cause),
	    -1);
	assert_string_equal(cause, "invalid file name");
	free(cause);
	assert_int_equal(test_entries(), 0);
}

/* A missing TMP_DIR: the cause names the temporary file and errno. */
static void
test_tmpfile_no_dir(void **)
{
	char	 dir[256], prefix[512], suffix[128];
	char	*cause = nullptr;

	snprintf(dir, sizeof dir, "%s/missing", test_dir);
	assert_int_equal(tmpfile_write(dir, "name", "x", 1, &cause), -1);
	assert_non_null(cause);
	snprintf(prefix, sizeof prefix, "%s/.name.", dir);
	snprintf(suffix, sizeof suffix, ": %s", strerror(ENOENT));
	assert_true(strncmp(cause, prefix, strlen(prefix)) == 0);
	assert_true(strlen(cause) > strlen(prefix) + strlen(suffix));
	assert_string_equal(cause + strlen(cause) - strlen(suffix), suffix);
	free(cause);
	assert_int_equal(access(dir, F_OK), -1);
}

#define TEST(f) cmocka_unit_test_setup(f, test_setup)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_tmpfile_names),
		TEST(test_tmpfile_create),
		TEST(test_tmpfile_empty),
		TEST(test_tmpfile_replace),
		TEST(test_tmpfile_symlink),
		TEST(test_tmpfile_not_regular),
		TEST(test_tmpfile_other_owner),
		TEST(test_tmpfile_bad_name),
		TEST(test_tmpfile_no_dir),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
