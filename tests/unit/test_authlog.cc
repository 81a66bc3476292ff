/* SPDX-License-Identifier: GPL-3.0-or-later */
/* authlog.cc: the exact lines fail2ban reads, sanitised, and reopening. */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <regex.h>
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
#include "authlog.h"

extern char	 mock_log_last[1024];
extern int	 mock_log_count;

/* YYYY-MM-DD HH:MM:SS and a space. */
#define TEST_STAMP \
	"^[0-9]{4}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] "

static char	 test_dir[] = "/tmp/test_authlog.XXXXXX";
static char	 test_log[128];
static char	 test_old[128];

static int
test_group_setup(void **)
{
	if (mkdtemp(test_dir) == nullptr)
		return -1;
	snprintf(test_log, sizeof test_log, "%s/auth.log", test_dir);
	snprintf(test_old, sizeof test_old, "%s/auth.log.1", test_dir);
	return 0;
}

static int
test_group_teardown(void **)
{
	unlink(test_log);
	unlink(test_old);
	rmdir(test_dir);
	return 0;
}

static int
test_setup(void **)
{
	unlink(test_log);
	unlink(test_old);
	return 0;
}

static int
test_teardown(void **)
{
	authlog_close();
	return 0;
}

/* The whole file, or "" when it is missing. */
static char *
test_slurp(const char *path)
{
	static char	 buf[8192];
	int		 fd;
	ssize_t		 n;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY)) == -1)
		return buf;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

/* line must be a date and time, a space, then exactly rest. */
static void
test_line(const char *line, const char *rest)
{
	regex_t	 re;

	assert_int_equal(regcomp(&re, TEST_STAMP, REG_EXTENDED | REG_NOSUB),
	    0);
	if (regexec(&re, line, 0, nullptr, 0) != 0)
		fail_msg("no date and time in [%s]", line);
	regfree(&re);
	assert_true(strlen(line) > 20);
	assert_string_equal(line + 20, rest);
}

static void
test_authlog_failed(void **)
{
	mode_t	 old;
	struct stat st;

	old = umask(0);
	assert_int_equal(authlog_open(test_log), 0);
	umask(old);
	authlog_failed("AbCdEfGhIjKlMnOp0123", "192.0.2.7");
	test_line(test_slurp(test_log),
	    "AbCdEfGhIjKlMnOp0123 192.0.2.7 failed to login\n");
	assert_int_equal(stat(test_log, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
}

static void
test_authlog_launched(void **)
{
	assert_int_equal(authlog_open(test_log), 0);
	authlog_launched("AbCdEfGhIjKlMnOp0123", "2001:db8::1",
	    "v-list-users");
	test_line(test_slurp(test_log), "AbCdEfGhIjKlMnOp0123 2001:db8::1 "
	    "v-list-users successfully launched\n");
}

/* Line n (from 0) of text, with its newline. */
static const char *
test_nth(const char *text, int n)
{
	static char	 buf[1024];
	const char	*nl;

	for (; n > 0; n--) {
		assert_non_null(nl = strchr(text, '\n'));
		text = nl + 1;
	}
	assert_non_null(nl = strchr(text, '\n'));
	assert_true((size_t)(nl + 1 - text) < sizeof buf);
	memcpy(buf, text, nl + 1 - text);
	buf[nl + 1 - text] = '\0';
	return buf;
}

static int
test_nlines(const char *text)
{
	int	 n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

/* Any other event, in the same shape. */
static void
test_authlog_line(void **)
{
	assert_int_equal(authlog_open(test_log), 0);
	authlog_line("admin", "10.0.0.1", "successfully logged in");
	authlog_line("a b", "", "api successfully launched");
	test_line(test_nth(test_slurp(test_log), 0),
	    "admin 10.0.0.1 successfully logged in\n");
	test_line(test_nth(test_slurp(test_log), 1),
	    "a?b - api successfully launched\n");
}

/* Lines are appended after what is there, one whole line per call. */
static void
test_authlog_append(void **)
{
	const char	*first = "2024-01-01 00:00:00 admin 10.0.0.1 "
			    "successfully logged in\n";
	const char	*s;
	FILE		*f;

	assert_non_null(f = fopen(test_log, "w"));
	fputs(first, f);
	fclose(f);
	assert_int_equal(authlog_open(test_log), 0);
	authlog_failed("api", "10.0.0.2");
	authlog_launched("api", "10.0.0.3", "v-list-user");
	s = test_slurp(test_log);
	assert_string_equal(test_nth(s, 0), first);
	test_line(test_nth(s, 1), "api 10.0.0.2 failed to login\n");
	test_line(test_nth(s, 2),
	    "api 10.0.0.3 v-list-user successfully launched\n");
	assert_int_equal(test_nlines(s), 3);
}

/* A name from the client can never forge a line or a field. */
static void
test_authlog_sanitise(void **)
{
	char	 longname[101], expect[128];
	char	*s;

	assert_int_equal(authlog_open(test_log), 0);
	authlog_failed("evil 1.2.3.4 failed to login\n"
	    "2024-01-01 00:00:00 x", "10.0.0.1");
	s = test_slurp(test_log);
	assert_int_equal(test_nlines(s), 1);
	test_line(s, "evil?1.2.3.4?failed?to?login?2024-01-01?00?00?00?x "
	    "10.0.0.1 failed to login\n");

	unlink(test_log);
	authlog_reopen();
	authlog_failed("a\tb\rc;d$(e)/f'g\"h", "10.0.0.1");
	test_line(test_slurp(test_log),
	    "a?b?c?d??e??f?g?h 10.0.0.1 failed to login\n");

	/* Kept: letters, digits and ._-@ */
	unlink(test_log);
	authlog_reopen();
	authlog_failed("user.name_1-x@example.com", "10.0.0.1");
	test_line(test_slurp(test_log),
	    "user.name_1-x@example.com 10.0.0.1 failed to login\n");

	/* Empty name and address are shown as "-". */
	unlink(test_log);
	authlog_reopen();
	authlog_failed("", "");
	test_line(test_slurp(test_log), "- - failed to login\n");

	/* A long name is cut at 64 characters. */
	unlink(test_log);
	authlog_reopen();
	memset(longname, 'n', 100);
	longname[100] = '\0';
	authlog_failed(longname, "10.0.0.1");
	memset(expect, 'n', 64);
	snprintf(expect + 64, sizeof expect - 64,
	    " 10.0.0.1 failed to login\n");
	test_line(test_slurp(test_log), expect);
}

/* An empty path disables the log: nothing is written anywhere. */
static void
test_authlog_disabled(void **)
{
	assert_int_equal(authlog_open(test_log), 0);
	authlog_failed("before", "10.0.0.1");
	authlog_close();
	assert_int_equal(authlog_open(""), 0);
	authlog_failed("after", "10.0.0.1");
	authlog_launched("after", "10.0.0.1", "v-list-users");
	authlog_reopen();
	authlog_failed("after", "10.0.0.1");
	test_line(test_slurp(test_log), "before 10.0.0.1 failed to login\n");
}

/* A file that cannot be opened is a warning, and writes are dropped. */
static void
test_authlog_open_fails(void **)
{
	char	 bad[256];
	int	 count = mock_log_count;

	snprintf(bad, sizeof bad, "%s/missing/auth.log", test_dir);
	assert_int_equal(authlog_open(bad), -1);
	assert_int_equal(mock_log_count, count + 1);
	snprintf(bad, sizeof bad, "AUTH_LOG %s/missing/auth.log", test_dir);
	assert_string_equal(mock_log_last, bad);
	authlog_failed("x", "10.0.0.1");
	assert_int_equal(mock_log_count, count + 1);
}

/* Hestia's logrotate renames the file and creates a new one without a
 * signal: the next line follows the name into the new file. */
static void
test_authlog_reopen(void **)
{
	assert_int_equal(authlog_open(test_log), 0);
	authlog_failed("one", "10.0.0.1");
	assert_int_equal(rename(test_log, test_old), 0);
	/* The file is looked for once a second: let one pass. */
	sleep(1);
	authlog_failed("two", "10.0.0.1");
	test_line(test_slurp(test_log), "two 10.0.0.1 failed to login\n");
	test_line(test_slurp(test_old), "one 10.0.0.1 failed to login\n");
	authlog_reopen();
	authlog_failed("three", "10.0.0.1");
	test_line(test_nth(test_slurp(test_log), 1),
	    "three 10.0.0.1 failed to login\n");
	assert_null(strstr(test_slurp(test_old), "two"));
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_authlog_failed),
		TEST(test_authlog_launched),
		TEST(test_authlog_line),
		TEST(test_authlog_append),
		TEST(test_authlog_sanitise),
		TEST(test_authlog_disabled),
		TEST(test_authlog_open_fails),
		TEST(test_authlog_reopen),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
