/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cmdinfo.cc: a script's "# options:" line read as Hestia's
 * search_command_arg_position reads it, cached until the script changes. */
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
#include <time.h>
#include <unistd.h>

extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "cmdinfo.h"

static char	 test_top[] = "/tmp/test_cmdinfo.XXXXXX";
static char	 test_path[256];

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
	snprintf(test_path, sizeof test_path, "%s/v-test", test_top);
	return 0;
}

static int
test_group_teardown(void **)
{
	cmdinfo_flush();
	nftw(test_top, test_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Parse text; check the user position and the options. */
static void
test_parse(const char *text, int user_pos, const char *const *want)
{
	struct cmdinfo	 info;
	int		 i;

	memset(&info, 0xa5, sizeof info);	/* parse must not rely on it */
	cmdinfo_parse(text, &info);
	assert_int_equal(info.user_pos, user_pos);
	for (i = 0; want[i] != nullptr; i++) {
		assert_true(i < info.noptions);
		assert_string_equal(info.options[i], want[i]);
	}
	assert_int_equal(info.noptions, i);
	cmdinfo_clear(&info);
	assert_int_equal(info.noptions, 0);
	assert_int_equal(info.user_pos, 0);
}

static void
test_cmdinfo_parse_first(void **)
{
	const char *const	 want[] = { "USER", "FORMAT", nullptr };

	test_parse(" USER [FORMAT]", 1, want);
	test_parse(" USER [FORMAT]\n", 1, want);
}

static void
test_cmdinfo_parse_second(void **)
{
	const char *const	 want[] = { "DOMAIN", "USER", nullptr };

	test_parse(" DOMAIN USER", 2, want);
}

/* Hestia upper-cases each word. */
static void
test_cmdinfo_parse_lower(void **)
{
	const char *const	 want[] = { "DOMAIN", "USER", "FORMAT",
				    nullptr };
	const char *const	 want2[] = { "USER", nullptr };

	test_parse(" domain user [format]", 2, want);
	test_parse("User", 1, want2);
}

/* ... and strips the brackets of optional ones. */
static void
test_cmdinfo_parse_brackets(void **)
{
	const char *const	 want[] = { "DOMAIN", "USER", nullptr };
	const char *const	 want2[] = { "USER", nullptr };

	test_parse(" DOMAIN [USER]", 2, want);
	test_parse(" [USER]", 1, want2);
	test_parse(" [[USER]]", 1, want2);
	test_parse(" [DOMAIN] [user]", 2, want);
}

/* The last USER counts. */
static void
test_cmdinfo_parse_twice(void **)
{
	const char *const	 want[] = { "USER", "DOMAIN", "USER", nullptr };

	test_parse(" USER DOMAIN USER", 3, want);
}

static void
test_cmdinfo_parse_none(void **)
{
	const char *const	 want[] = { "DOMAIN", "FORMAT", nullptr };
	const char *const	 want2[] = { "USERNAME", "NEW_USER", "USERS",
				    nullptr };
	const char *const	 none[] = { nullptr };

	test_parse(" DOMAIN [FORMAT]", 0, want);
	test_parse(" USERNAME NEW_USER USERS", 0, want2);
	test_parse("", 0, none);
	test_parse("   \t \n", 0, none);
	test_parse(" [] []", 0, none);
}

/* Runs of spaces and tabs are one separator. */
static void
test_cmdinfo_parse_spaces(void **)
{
	const char *const	 want[] = { "DOMAIN", "USER", "FORMAT",
				    nullptr };

	test_parse("   DOMAIN\t\tUSER  \t [FORMAT]  \r\n", 2, want);
	test_parse("\tDOMAIN USER FORMAT\t", 2, want);
}

/* At most CMDINFO_MAX_OPTIONS are kept, USER among them counted. */
static void
test_cmdinfo_parse_many(void **)
{
	struct cmdinfo	 info;
	char		 text[1024];
	size_t		 n = 0;
	int		 i;

	for (i = 1; i < CMDINFO_MAX_OPTIONS; i++)
		n += snprintf(text + n, sizeof text - n, " A%d", i);
	n += snprintf(text + n, sizeof text - n, " USER X Y Z");
	cmdinfo_parse(text, &info);
	assert_int_equal(info.noptions, CMDINFO_MAX_OPTIONS);
	assert_int_equal(info.user_pos, CMDINFO_MAX_OPTIONS);
	assert_string_equal(info.options[0], "A1");
	assert_string_equal(info.options[CMDINFO_MAX_OPTIONS - 1], "USER");
	cmdinfo_clear(&info);
}

static void
test_write(const char *path, const char *text)
{
	FILE	*f;

	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Set a file's mtime to a fixed second. */
static void
test_mtime(const char *path, time_t sec)
{
	struct timespec	 ts[2];

	ts[0].tv_sec = ts[1].tv_sec = sec;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void
test_cmdinfo_get(void **)
{
	const struct cmdinfo	*info;

	test_write(test_path, "#!/bin/bash\n# info: add a thing\n"
	    "# options: DOMAIN USER [FORMAT]\n#\n# example: v-test\n"
	    "# options: USER\n");
	assert_non_null(info = cmdinfo_get(test_path));
	assert_int_equal(info->noptions, 3);
	assert_int_equal(info->user_pos, 2);
	assert_string_equal(info->options[2], "FORMAT");
	/* Asked again: the same answer. */
	assert_non_null(info = cmdinfo_get(test_path));
	assert_int_equal(info->user_pos, 2);
}

/* Only a line that starts with "# options:" counts. */
static void
test_cmdinfo_get_no_options(void **)
{
	const struct cmdinfo	*info;

	test_write(test_path, "#!/bin/bash\n#options: USER\n"
	    " # options: USER\n# Options: USER\necho '# options: USER'\n");
	assert_non_null(info = cmdinfo_get(test_path));
	assert_int_equal(info->noptions, 0);
	assert_int_equal(info->user_pos, 0);
	test_write(test_path, "");
	assert_non_null(info = cmdinfo_get(test_path));
	assert_int_equal(info->noptions, 0);
}

/* The line is looked for in the header only (the first 64 lines). */
static void
test_cmdinfo_get_header_only(void **)
{
	const struct cmdinfo	*info;
	char			 text[4096];
	size_t			 n = 0;
	int			 i;

	for (i = 0; i < 63; i++)
		n += snprintf(text + n, sizeof text - n, "#\n");
	snprintf(text + n, sizeof text - n, "# options: DOMAIN USER\n");
	test_write(test_path, text);
	assert_non_null(info = cmdinfo_get(test_path));
	assert_int_equal(info->user_pos, 2);

	n = 0;
	for (i = 0; i < 64; i++)
		n += snprintf(text + n, sizeof text - n, "#\n");
	snprintf(text + n, sizeof text - n, "# options: DOMAIN USER\n");
	test_write(test_path, text);
	assert_non_null(info = cmdinfo_get(test_path));
	assert_int_equal(info->noptions, 0);
	assert_int_equal(info->user_pos, 0);
}

/* A script changed in place is read again: by size, or by mtime when the
 * size stays. */
static void
test_cmdinfo_get_changed(void **)
{
	const struct cmdinfo	*info;

	test_write(test_path, "#!/bin/sh\n# options: USER DOMAIN\n");
	test_mtime(test_path, 1000000000);
	assert_non_null(info = cmdinfo_get(test_path));
	assert_int_equal(info->user_pos, 1);

	/* Another size. */
	test_write(test_path, "#!/bin/sh\n# options: DOMAIN ARG USER\n");
	test_mtime(test_path, 1000000000);
	assert_non_null(info = cmdinfo_get(test_path));
	assert_int_equal(info->user_pos, 3);

	/* The same size, another mtime. */
	test_write(test_path, "#!/bin/sh\n# options: DOMAIN USER ARG\n");
	test_mtime(test_path, 1000000001);
	assert_non_null(info = cmdinfo_get(test_path));
	assert_int_equal(info->user_pos, 2);

	/* Proof that it is a cache: the same size and mtime are taken for
	 * the same script. */
	test_write(test_path, "#!/bin/sh\n# options: USER DOMAIN ARG\n");
	test_mtime(test_path, 1000000001);
	assert_non_null(info = cmdinfo_get(test_path));
	assert_int_equal(info->user_pos, 2);
	cmdinfo_flush();
	assert_non_null(info = cmdinfo_get(test_path));
	assert_int_equal(info->user_pos, 1);
}

/* A script replaced by another file (a new inode), same size and time. */
static void
test_cmdinfo_get_replaced(void **)
{
	const struct cmdinfo	*info;
	char			 tmp[300];

	test_write(test_path, "#!/bin/sh\n# options: USER DOMAIN\n");
	test_mtime(test_path, 1000000000);
	assert_non_null(info = cmdinfo_get(test_path));
	assert_int_equal(info->user_pos, 1);
	snprintf(tmp, sizeof tmp, "%s.new", test_path);
	test_write(tmp, "#!/bin/sh\n# options: DOMAIN USER\n");
	test_mtime(tmp, 1000000000);
	assert_int_equal(rename(tmp, test_path), 0);
	assert_non_null(info = cmdinfo_get(test_path));
	assert_int_equal(info->user_pos, 2);
}

static void
test_cmdinfo_get_missing(void **)
{
	char	 path[300];

	snprintf(path, sizeof path, "%s/v-missing", test_top);
	assert_null(cmdinfo_get(path));
	/* Once known, then gone. */
	test_write(path, "# options: USER\n");
	assert_non_null(cmdinfo_get(path));
	assert_int_equal(unlink(path), 0);
	assert_null(cmdinfo_get(path));
}

/* Several scripts are held at once, each with its own answer. */
static void
test_cmdinfo_get_several(void **)
{
	const struct cmdinfo	*info;
	char			 path[300], text[64];
	int			 i;

	for (i = 0; i < 20; i++) {
		snprintf(path, sizeof path, "%s/v-s%d", test_top, i);
		snprintf(text, sizeof text, "# options:%.*s USER\n", 2 * (i %
		    5), " X X X X X");
		test_write(path, text);
	}
	for (i = 0; i < 20; i++) {
		snprintf(path, sizeof path, "%s/v-s%d", test_top, i);
		assert_non_null(info = cmdinfo_get(path));
		assert_int_equal(info->user_pos, i % 5 + 1);
	}
	for (i = 19; i >= 0; i--) {
		snprintf(path, sizeof path, "%s/v-s%d", test_top, i);
		assert_non_null(info = cmdinfo_get(path));
		assert_int_equal(info->user_pos, i % 5 + 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmdinfo_parse_first),
		cmocka_unit_test(test_cmdinfo_parse_second),
		cmocka_unit_test(test_cmdinfo_parse_lower),
		cmocka_unit_test(test_cmdinfo_parse_brackets),
		cmocka_unit_test(test_cmdinfo_parse_twice),
		cmocka_unit_test(test_cmdinfo_parse_none),
		cmocka_unit_test(test_cmdinfo_parse_spaces),
		cmocka_unit_test(test_cmdinfo_parse_many),
		cmocka_unit_test(test_cmdinfo_get),
		cmocka_unit_test(test_cmdinfo_get_no_options),
		cmocka_unit_test(test_cmdinfo_get_header_only),
		cmocka_unit_test(test_cmdinfo_get_changed),
		cmocka_unit_test(test_cmdinfo_get_replaced),
		cmocka_unit_test(test_cmdinfo_get_missing),
		cmocka_unit_test(test_cmdinfo_get_several),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
