/* SPDX-License-Identifier: GPL-3.0-or-later */
/* shconf.cc: one line at a time, whole files, and the one-key lookup. */
#include <sys/stat.h>

#include <errno.h>
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
#include "shconf.h"

/* What the callback of shconf_read saw, in order. */
struct test_seen {
	int	 n;
	char	 key[8][32];
	char	 value[8][64];
	int	 lineno[8];
	int	 stop_at;	/* return -1 on this call (1-based), 0: never */
};

static char	 test_dir[] = "/tmp/test_shconf.XXXXXX";
static char	 test_path[PATH_MAX];
static char	 test_expect[PATH_MAX + 128];

static int
test_group_setup(void **)
{
	if (mkdtemp(test_dir) == nullptr)
		return -1;
	snprintf(test_path, sizeof test_path, "%s/data.conf", test_dir);
	return 0;
}

static int
test_group_teardown(void **)
{
	unlink(test_path);
	rmdir(test_dir);
	return 0;
}

/* Write len bytes (NULs allowed) as the file. */
static void
test_write(const char *data, size_t len)
{
	FILE	*f;

	assert_non_null(f = fopen(test_path, "w"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void
test_write_str(const char *text)
{
	test_write(text, strlen(text));
}

static int
test_seen_cb(const char *key, const char *value, int lineno, void *arg,
    char **cause)
{
	struct test_seen	*s = (struct test_seen *)arg;

	assert_true(s->n < (int)nitems(s->key));
	snprintf(s->key[s->n], sizeof s->key[s->n], "%s", key);
	snprintf(s->value[s->n], sizeof s->value[s->n], "%s", value);
	s->lineno[s->n] = lineno;
	s->n++;
	if (s->stop_at == s->n) {
		xasprintf(cause, "stopped at %s", key);
		return -1;
	}
	return 0;
}

/* Parse a copy of text; returns what shconf_parse_line returned. */
static int
test_parse(const char *text, char *key, char *value, const char **why)
{
	char	 line[256], *k = nullptr, *v = nullptr;
	int	 r;

	snprintf(line, sizeof line, "%s", text);
	*why = nullptr;
	key[0] = value[0] = '\0';
	r = shconf_parse_line(line, &k, &v, why);
	if (r == 1) {
		strcpy(key, k);
		strcpy(value, v);
	}
	return r;
}

static void
test_parse_ok(const char *text, const char *key, const char *value)
{
	char		 k[256], v[256];
	const char	*why;

	if (test_parse(text, k, v, &why) != 1)
		fail_msg("\"%s\": %s", text, why != nullptr ? why : "not 1");
	assert_string_equal(k, key);
	assert_string_equal(v, value);
}

static void
test_parse_skip(const char *text)
{
	char		 k[256], v[256];
	const char	*why;

	assert_int_equal(test_parse(text, k, v, &why), 0);
	assert_null(why);
}

static void
test_parse_bad(const char *text, const char *expect)
{
	char		 k[256], v[256];
	const char	*why;

	assert_int_equal(test_parse(text, k, v, &why), -1);
	assert_non_null(why);
	assert_string_equal(why, expect);
}

static void
test_shconf_parse_values(void **)
{
	test_parse_ok("K='v'\n", "K", "v");
	test_parse_ok("K=\"v\"\n", "K", "v");
	test_parse_ok("K=v\n", "K", "v");
	test_parse_ok("K=v", "K", "v");
	test_parse_ok("K=''\n", "K", "");
	test_parse_ok("K=\"\"", "K", "");
	test_parse_ok("K=\n", "K", "");
	test_parse_ok("K=", "K", "");
	test_parse_ok("_K_1='a b  c'\n", "_K_1", "a b  c");
	test_parse_ok("K=\"it's\"\n", "K", "it's");
	test_parse_ok("K='say \"hi\"'\n", "K", "say \"hi\"");
	test_parse_ok("K='a#b'\n", "K", "a#b");
	test_parse_ok("K='a=b'\n", "K", "a=b");
	test_parse_ok("  \tK='v'\n", "K", "v");
	test_parse_ok("export K='v'\n", "K", "v");
	test_parse_ok("K='v'  \t\n", "K", "v");
	test_parse_ok("K=v  \t\n", "K", "v");
	test_parse_ok("K='v'\r\n", "K", "v");
	test_parse_ok("K='v' # comment\n", "K", "v");
	test_parse_ok("K='v'#comment\n", "K", "v");
	test_parse_ok("K=v # comment\n", "K", "v");
	/* As sh: "#" starts a comment only after blank space. */
	test_parse_ok("K=#notacomment\n", "K", "#notacomment");
	test_parse_ok("K=abc#def\n", "K", "abc#def");
	test_parse_ok("K=v\r\n", "K", "v");
	test_parse_ok("K='$HOME `x` \\n'\n", "K", "$HOME `x` \\n");
}

static void
test_shconf_parse_skipped(void **)
{
	test_parse_skip("");
	test_parse_skip("\n");
	test_parse_skip("   \t \n");
	test_parse_skip("# K='v'\n");
	test_parse_skip("   # indented comment\n");
}

static void
test_shconf_parse_errors(void **)
{
	test_parse_bad("K\n", "not a KEY=value line");
	test_parse_bad("K =v\n", "not a KEY=value line");
	test_parse_bad("K-1=v\n", "not a KEY=value line");
	test_parse_bad("1K=v\n", "not a KEY=value line");
	test_parse_bad("=v\n", "not a KEY=value line");
	test_parse_bad("$K=v\n", "not a KEY=value line");
	test_parse_bad("export\n", "not a KEY=value line");
	test_parse_bad("K='v\n", "unterminated quote");
	test_parse_bad("K=\"v'\n", "unterminated quote");
	test_parse_bad("K='v\"", "unterminated quote");
	test_parse_bad("K='v' x\n", "trailing text after the value");
	test_parse_bad("K='v'x\n", "trailing text after the value");
	test_parse_bad("K=v x\n", "trailing text after the value");
	test_parse_bad("K=v\tx\n", "trailing text after the value");
	test_parse_bad("K='a' 'b'\n", "trailing text after the value");
}

/* Callbacks in file order, with real line numbers; skipped lines count. */
static void
test_shconf_read_order(void **)
{
	struct test_seen	 s = {};
	char			*cause = nullptr;

	test_write_str("# header\nA='1'\n\n  # c\nB=2\nC=\"three\"\nA=4");
	assert_int_equal(shconf_read(test_path, test_seen_cb, &s, &cause), 0);
	assert_null(cause);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.key[0], "A");
	assert_string_equal(s.value[0], "1");
	assert_int_equal(s.lineno[0], 2);
	assert_string_equal(s.key[1], "B");
	assert_string_equal(s.value[1], "2");
	assert_int_equal(s.lineno[1], 5);
	assert_string_equal(s.key[2], "C");
	assert_string_equal(s.value[2], "three");
	assert_int_equal(s.lineno[2], 6);
	assert_string_equal(s.key[3], "A");
	assert_string_equal(s.value[3], "4");
	assert_int_equal(s.lineno[3], 7);
}

/* A bad line stops the read: the lines before it were reported. */
static void
test_shconf_read_error_line(void **)
{
	struct test_seen	 s = {};
	char			*cause = nullptr;

	test_write_str("A=1\n\nB='x\nC=3\n");
	assert_int_equal(shconf_read(test_path, test_seen_cb, &s, &cause),
	    -1);
	snprintf(test_expect, sizeof test_expect, "%s:3: unterminated quote",
	    test_path);
	assert_string_equal(cause, test_expect);
	free(cause);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.key[0], "A");

	memset(&s, 0, sizeof s);
	cause = nullptr;
	test_write_str("A=1\nB=2 3\n");
	assert_int_equal(shconf_read(test_path, test_seen_cb, &s, &cause),
	    -1);
	snprintf(test_expect, sizeof test_expect,
	    "%s:2: trailing text after the value", test_path);
	assert_string_equal(cause, test_expect);
	free(cause);

	cause = nullptr;
	test_write_str("junk\n");
	assert_int_equal(shconf_read(test_path, test_seen_cb, &s, &cause),
	    -1);
	snprintf(test_expect, sizeof test_expect,
	    "%s:1: not a KEY=value line", test_path);
	assert_string_equal(cause, test_expect);
	free(cause);
}

/* The callback's -1 and cause stop the read. */
static void
test_shconf_read_cb_stops(void **)
{
	struct test_seen	 s = {};
	char			*cause = nullptr;

	s.stop_at = 2;
	test_write_str("A=1\nB=2\nC=3\n");
	assert_int_equal(shconf_read(test_path, test_seen_cb, &s, &cause),
	    -1);
	assert_string_equal(cause, "stopped at B");
	assert_int_equal(s.n, 2);
	free(cause);
}

static void
test_shconf_read_nul(void **)
{
	struct test_seen	 s = {};
	char			*cause = nullptr;
	const char		 data[] = "A=1\nB='x\0y'\nC=3\n";

	test_write(data, sizeof data - 1);
	assert_int_equal(shconf_read(test_path, test_seen_cb, &s, &cause),
	    -1);
	snprintf(test_expect, sizeof test_expect, "%s:2: NUL byte",
	    test_path);
	assert_string_equal(cause, test_expect);
	assert_int_equal(s.n, 1);
	free(cause);

	/* A NUL that would end the line early is caught as well. */
	memset(&s, 0, sizeof s);
	cause = nullptr;
	test_write("\0A=1\n", 5);
	assert_int_equal(shconf_read(test_path, test_seen_cb, &s, &cause),
	    -1);
	snprintf(test_expect, sizeof test_expect, "%s:1: NUL byte",
	    test_path);
	assert_string_equal(cause, test_expect);
	assert_int_equal(s.n, 0);
	free(cause);
}

static void
test_shconf_read_missing(void **)
{
	struct test_seen	 s = {};
	char			*cause = nullptr;

	unlink(test_path);
	assert_int_equal(shconf_read(test_path, test_seen_cb, &s, &cause),
	    -1);
	snprintf(test_expect, sizeof test_expect, "%s: %s", test_path,
	    strerror(ENOENT));
	assert_string_equal(cause, test_expect);
	free(cause);
	assert_int_equal(s.n, 0);
}

/* A directory opens but cannot be read: the read error is reported. */
static void
test_shconf_read_dir(void **)
{
	struct test_seen	 s = {};
	char			*cause = nullptr;

	assert_int_equal(shconf_read(test_dir, test_seen_cb, &s, &cause), -1);
	snprintf(test_expect, sizeof test_expect, "%s: %s", test_dir,
	    strerror(EISDIR));
	assert_string_equal(cause, test_expect);
	free(cause);
}

static void
test_shconf_read_empty(void **)
{
	struct test_seen	 s = {};
	char			*cause = nullptr;

	test_write_str("");
	assert_int_equal(shconf_read(test_path, test_seen_cb, &s, &cause), 0);
	assert_null(cause);
	assert_int_equal(s.n, 0);
}

static void
test_shconf_get(void **)
{
	char	*v;

	test_write_str("NAME='a'\nSUSPENDED='no'\nNAME=\"b\"\nEMPTY=''\n");
	/* The last line wins. */
	assert_non_null(v = shconf_get(test_path, "NAME"));
	assert_string_equal(v, "b");
	free(v);
	assert_non_null(v = shconf_get(test_path, "SUSPENDED"));
	assert_string_equal(v, "no");
	free(v);
	/* Present but empty is not missing. */
	assert_non_null(v = shconf_get(test_path, "EMPTY"));
	assert_string_equal(v, "");
	free(v);
	/* Missing key, key differing in case, a prefix. */
	assert_null(shconf_get(test_path, "CONTACT"));
	assert_null(shconf_get(test_path, "name"));
	assert_null(shconf_get(test_path, "NAM"));

	/* A line that does not parse is skipped, as Hestia's source_conf
	 * does: it never hides the lines around it. */
	test_write_str("SUSPENDED='yes'\nNAME='O'Brien'\nbroken\n");
	v = shconf_get(test_path, "SUSPENDED");
	assert_non_null(v);
	assert_string_equal(v, "yes");
	free(v);
	assert_null(shconf_get(test_path, "NAME"));

	unlink(test_path);
	assert_null(shconf_get(test_path, "NAME"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shconf_parse_values),
		cmocka_unit_test(test_shconf_parse_skipped),
		cmocka_unit_test(test_shconf_parse_errors),
		cmocka_unit_test(test_shconf_read_order),
		cmocka_unit_test(test_shconf_read_error_line),
		cmocka_unit_test(test_shconf_read_cb_stops),
		cmocka_unit_test(test_shconf_read_nul),
		cmocka_unit_test(test_shconf_read_missing),
		cmocka_unit_test(test_shconf_read_dir),
		cmocka_unit_test(test_shconf_read_empty),
		cmocka_unit_test(test_shconf_get),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
