/* SPDX-License-Identifier: GPL-3.0-or-later */
/* shconf.cc: our config one line at a time and whole; Hestia's files as
 * its bash reads them, checked against bash itself. */
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

/* source_conf's `read` splits at "=" and spaces, and its patterns cut
 * the quotes; as bash does it (checked against bash by hand and below). */
static void
test_source_conf_line(const char *line, const char *key, const char *value)
{
	char	*k, *v;
	int	 r;

	r = shconf_source_conf_line(line, strlen(line), &k, &v);
	if (key == nullptr) {
		assert_int_equal(r, 0);
		assert_null(k);
		assert_null(v);
		return;
	}
	assert_int_equal(r, 1);
	assert_string_equal(k, key);
	assert_string_equal(v, value);
	free(k);
	free(v);
}

static void
test_shconf_source_conf(void **)
{
	test_source_conf_line("API='yes'", "API", "yes");
	test_source_conf_line("  API = 'yes'  ", "API", "yes");
	test_source_conf_line("API=='yes'", "API", "='yes");
	test_source_conf_line("API='a=b'", "API", "a=b");
	test_source_conf_line("API=", "API", "");
	test_source_conf_line("API", "API", "");
	test_source_conf_line("API='yes'=", "API", "yes");
	test_source_conf_line("A=b=c=", "A", "b=c=");
	test_source_conf_line("A=b =  =", "A", "b =  =");
	test_source_conf_line("A= =", "A", "");
	test_source_conf_line("API='yes';", "API", "yes");
	test_source_conf_line("A='a' B='c'", "A", "a' B='c");
	test_source_conf_line("API=\"yes\"", "API", "\"yes\"");
	test_source_conf_line("API='yes'\r", "API", "yes");
	test_source_conf_line("API='x'^#c", "API", "x");
	test_source_conf_line("API='ab( )'", "API", "");
	test_source_conf_line("API=ab( )", "API", "");
	test_source_conf_line("API=a( )b", "API", "b");
	test_source_conf_line("API='yes' # c", "API", "yes");
	/* Not a name, a reserved name, a comment. */
	test_source_conf_line("\tAPI='yes'", nullptr, nullptr);
	test_source_conf_line("=API", nullptr, nullptr);
	test_source_conf_line("#API='yes'", nullptr, nullptr);
	test_source_conf_line("PATH='/x'", nullptr, nullptr);
	test_source_conf_line("A-B='x'", nullptr, nullptr);
	test_source_conf_line("", nullptr, nullptr);
}

/* What bash makes of a file when v-list-sys-config reads it: `source`,
 * then a source_conf loop (Hestia's func/main.sh, restated), then the
 * names, "NAME=value" or "NAME unset", a line each; with only_source, the
 * source_conf loop is left out. */
static void
test_bash_reads(const char *path, int only_source, const char *const *names,
    size_t n, char out[][128])
{
	static const char	*script =
	    "reader() {\n"
	    "  while IFS='= ' read -r lhs rhs; do\n"
	    "    [[ $lhs =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue\n"
	    "    rhs=\"${rhs//[[:cntrl:]]/}\"\n"
	    "    rhs=\"${rhs%%^\\#*}\"\n"
	    "    rhs=\"${rhs%%*( )}\"\n"
	    "    rhs=\"${rhs%\\'*}\"\n"
	    "    rhs=\"${rhs#\\'*}\"\n"
	    "    rhs=\"${rhs##*( )}\"\n"
	    "    rhs=\"${rhs%%*( )}\"\n"
	    "    declare -g \"$lhs=$rhs\"\n"
	    "  done < \"$1\"\n"
	    "}\n"
	    "source \"$1\" >/dev/null 2>&1\n"
	    "[ \"$2\" = 1 ] || reader \"$1\"\n"
	    "shift 2\n"
	    "for v; do\n"
	    "  x=${!v-}; x=${x//$'\\n'/\\\\n}\n"
	    "  if [ -n \"${!v+x}\" ]; then printf '%s=%s\\n' \"$v\" \"$x\"\n"
	    "  else printf '%s unset\\n' \"$v\"; fi\n"
	    "done\n";
	char	*cmd, line[256], *p;
	FILE	*f;
	size_t	 i;
	int	 len;

	len = snprintf(line, sizeof line, " ");
	for (i = 0; i < n; i++)
		len += snprintf(line + len, sizeof line - len, " %s", names[i]);
	xasprintf(&cmd, "bash -c \"$(cat <<'EOF'\n%sEOF\n)\" bash '%s' %d%s",
	    script, path, only_source, line);
	assert_non_null(f = popen(cmd, "r"));
	for (i = 0; i < n; i++) {
		assert_non_null(fgets(out[i], 128, f));
		if ((p = strchr(out[i], '\n')) != nullptr)
			*p = '\0';
	}
	assert_int_equal(pclose(f), 0);
	free(cmd);
}

/* "NAME=value" (newlines as \n) or "NAME unset", as the script prints. */
static void
test_as_bash_prints(char *out, size_t outlen, const char *name,
    const char *value)
{
	size_t	 n;

	if (value == nullptr) {
		snprintf(out, outlen, "%s unset", name);
		return;
	}
	n = snprintf(out, outlen, "%s=", name);
	for (; *value != '\0' && n + 3 < outlen; value++) {
		if (*value == '\n') {
			out[n++] = '\\';
			out[n++] = 'n';
		} else
			out[n++] = *value;
	}
	out[n] = '\0';
}

/*
 * shconf_hestia against real bash, on lines that the two readers of
 * v-list-sys-config take differently. Where we say a value is known, it
 * is bash's; where bash would run something, we say it is not known.
 */
static void
test_shconf_hestia_vs_bash(void **)
{
	static const char *const files[] = {
		"API='yes'\nAPI_SYSTEM='2'\n",
		"API='no' API_SYSTEM='2'\n",
		"API=\"yes\"\nAPI_SYSTEM=\"2\"\n",
		"API_SYSTEM='2';\nAPI='yes' ; DEMO_MODE='yes'\n",
		"  API = 'yes'  \n",
		"API=yes=\nAPI_SYSTEM=='2'\n",
		"API='a=b'\nAPI_SYSTEM=a( )\nDEMO_MODE='x( )y'\n",
		"API='x'^#c\nAPI_SYSTEM='2' # comment\nDEMO_MODE=yes # c\n",
		"API='y\"e'\nAPI_SYSTEM=\\'2\\'\n",
		"API='yes'\r\nAPI_SYSTEM=2\r\n",
		"\tAPI='yes'\n\tAPI_SYSTEM=2\n",
		"API='yes'\nAPI_SYSTEM='2'",
		"export API='yes'\n",
		"A=1 API_SYSTEM='2'\n",
		"API_SYSTEM='2' true\n",
		"API_SYSTEM=2;API=yes\n",
		"API=a\\ b\nAPI_SYSTEM=''\nDEMO_MODE=\n",
		"API='multi\nline'\nAPI_SYSTEM='2'\n",
		"NAME='O'Brien'\nAPI='yes'\nA=1 API_SYSTEM='2'\n",
		"API=$(echo yes)\nA=1 API_SYSTEM=`echo 2`\n",
		"API='yes'\nAPI='no'\nAPI_SYSTEM='2'\nAPI_SYSTEM=''\n",
		"API=~\nAPI_SYSTEM=a~b\n",
		"# API='yes'\n\n   \nAPI_SYSTEM='2' #\n",
		"API_SYSTEM='2';;\nAPI='yes'",
		"API='no'\nDEMO_MODE=yes; ;\nAPI_SYSTEM='2'",
	};
	static const char *const names[] = { "API", "API_SYSTEM", "DEMO_MODE" };
	struct shconf_var	 v[3];
	char			 want[3][128], bash[3][128], got[160];
	char			*cause = nullptr;
	size_t			 f, i;

	for (f = 0; f < nitems(files); f++) {
		test_write_str(files[f]);
		for (i = 0; i < 3; i++)
			v[i].name = names[i];
		assert_int_equal(shconf_hestia(test_path, v, 3, &cause), 0);
		test_bash_reads(test_path, 0, names, 3, want);
		test_bash_reads(test_path, 1, names, 3, bash);
		for (i = 0; i < 3; i++) {
			if (!v[i].uncertain) {
				test_as_bash_prints(got, sizeof got, names[i],
				    v[i].value);
				if (strcmp(got, want[i]) != 0)
					fail_msg("file %zu: [%s], bash [%s]", f,
					    got, want[i]);
			}
			if (!v[i].bash_unknown) {
				test_as_bash_prints(got, sizeof got, names[i],
				    v[i].bash);
				if (strcmp(got, bash[i]) != 0)
					fail_msg("file %zu: source [%s], bash "
					    "[%s]", f, got, bash[i]);
			}
		}
		shconf_vars_free(v, 3);
	}
	/* Cases above that must be unknown, not guessed. */
	test_write_str(files[14]);
	assert_int_equal(shconf_hestia(test_path, v, 3, &cause), 0);
	assert_false(v[1].uncertain);	/* source_conf assigns it */
	assert_true(v[1].bash_unknown);
	shconf_vars_free(v, 3);
	test_write_str(files[13]);
	assert_int_equal(shconf_hestia(test_path, v, 3, &cause), 0);
	assert_false(v[1].uncertain);	/* bash's A=1 API_SYSTEM='2' */
	assert_string_equal(v[1].value, "2");
	shconf_vars_free(v, 3);
	test_write_str(files[19]);
	assert_int_equal(shconf_hestia(test_path, v, 3, &cause), 0);
	assert_false(v[0].uncertain);	/* source_conf: "$(echo yes)" */
	assert_true(v[1].uncertain);
	shconf_vars_free(v, 3);
}

/* A file that cannot be read is an error, never an empty reading. */
static void
test_shconf_hestia_unreadable(void **)
{
	struct shconf_var	 v = { "API", nullptr, nullptr, 0, 0 };
	char			*cause = nullptr;

	unlink(test_path);
	assert_int_equal(shconf_hestia(test_path, &v, 1, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = nullptr;
	assert_int_equal(shconf_contains(test_path, "x"), -1);
	assert_int_equal(shconf_hestia(test_dir, &v, 1, &cause), -1);
	free(cause);
	test_write_str("SUSPENDED='yes'\n");
	assert_int_equal(shconf_contains(test_path, "SUSPENDED='yes'"), 1);
	assert_int_equal(shconf_contains(test_path, "SUSPENDED='no'"), 0);
}

/*
 * Bug found by fuzzing (the corpus against bash): ";;" is a syntax error
 * to bash, which ends its source there; it was taken for two ";", so a
 * last line "API='yes';;" (no newline: source_conf never reads it) made
 * API "yes" where Hestia's bash leaves it unset.
 */
static void
test_shconf_hestia_double_semicolon(void **)
{
	struct shconf_var	 v[2] = {
		{ "API", nullptr, nullptr, 0, 0 },
		{ "API_SYSTEM", nullptr, nullptr, 0, 0 },
	};
	char			*cause = nullptr;

	test_write_str("API_SYSTEM='1'\nAPI='yes';;");
	assert_int_equal(shconf_hestia(test_path, v, 2, &cause), 0);
	assert_true(v[0].uncertain);
	assert_string_equal(v[1].value, "1");
	assert_false(v[1].uncertain);
	shconf_vars_free(v, 2);
	test_write_str("API_SYSTEM=1; ;\nAPI='yes'");
	assert_int_equal(shconf_hestia(test_path, v, 2, &cause), 0);
	assert_true(v[0].uncertain);		/* after the error */
	assert_string_equal(v[1].value, "1; ;");	/* source_conf's */
	shconf_vars_free(v, 2);
	test_write_str("API_SYSTEM=1;\nAPI='yes' ;  # c");
	assert_int_equal(shconf_hestia(test_path, v, 2, &cause), 0);
	assert_false(v[0].uncertain);
	assert_string_equal(v[0].value, "yes");
	shconf_vars_free(v, 2);
}

/*
 * Bug found by fuzzing (the corpus against bash): `read` drops NUL bytes
 * before it splits a line, so "AP\0I='yes'" assigns API and "API= A=\0"
 * gives "A"; source_conf's reading kept them while splitting.
 */
static void
test_shconf_source_conf_nul(void **)
{
	char	*k, *v;

	assert_int_equal(shconf_source_conf_line("AP\0I='yes'", 10, &k, &v),
	    1);
	assert_string_equal(k, "API");
	assert_string_equal(v, "yes");
	free(k);
	free(v);
	assert_int_equal(shconf_source_conf_line("API= A=\0", 8, &k, &v), 1);
	assert_string_equal(k, "API");
	assert_string_equal(v, "A");
	free(k);
	free(v);
	assert_int_equal(shconf_source_conf_line("\0", 1, &k, &v), 0);
	assert_null(k);
}

/*
 * Bug found by fuzzing (the corpus against bash): bash drops NUL bytes, so
 * a line after one we cannot evaluate that reads "DEMO\0_MODE='yes'" sets
 * DEMO_MODE; it was not seen to name it, and DEMO_MODE was certainly
 * unset where Hestia has it "yes".
 */
static void
test_shconf_hestia_nul_in_name(void **)
{
	static const char	 text[] = "X=\0\nDEMO\0_MODE='yes'\n";
	struct shconf_var	 v = { "DEMO_MODE", nullptr, nullptr, 0, 0 };
	char			*cause = nullptr;

	test_write(text, sizeof text - 2);
	assert_int_equal(shconf_hestia(test_path, &v, 1, &cause), 0);
	assert_true(v.uncertain);
	shconf_vars_free(&v, 1);
	/* With its newline, source_conf reads it: known, and "yes". */
	test_write(text, sizeof text - 1);
	assert_int_equal(shconf_hestia(test_path, &v, 1, &cause), 0);
	assert_false(v.uncertain);
	assert_string_equal(v.value, "yes");
	shconf_vars_free(&v, 1);
}

/* shconf_hestia_buf on a copy of text with no NUL after it, checked
 * against shconf_hestia on the same bytes as a file. */
static void
test_hestia_buf(const char *text, struct shconf_var *v, size_t n)
{
	struct shconf_var	 w[4];
	char			*buf, *cause = nullptr;
	size_t			 i, len = strlen(text);

	assert_true(n <= 4);
	buf = (char *)xmalloc(len + 1);
	memcpy(buf, text, len);
	test_write(text, len);
	for (i = 0; i < n; i++) {
		w[i].name = v[i].name;
		/* Left from an earlier reading: overwritten, not freed. */
		v[i].value = v[i].bash = (char *)text;
		v[i].bash_unknown = v[i].uncertain = 1;
	}
	shconf_hestia_buf(buf, len, v, n);
	assert_int_equal(shconf_hestia(test_path, w, n, &cause), 0);
	for (i = 0; i < n; i++) {
		if (v[i].value == nullptr || w[i].value == nullptr)
			assert_ptr_equal(v[i].value, w[i].value);
		else
			assert_string_equal(v[i].value, w[i].value);
		if (v[i].bash == nullptr || w[i].bash == nullptr)
			assert_ptr_equal(v[i].bash, w[i].bash);
		else
			assert_string_equal(v[i].bash, w[i].bash);
		assert_int_equal(v[i].uncertain, w[i].uncertain);
		assert_int_equal(v[i].bash_unknown, w[i].bash_unknown);
	}
	shconf_vars_free(w, n);
	free(buf);
}

/* The bytes of a file read as the file is, vars set afresh. */
static void
test_shconf_hestia_buf(void **)
{
	struct shconf_var	 v[3] = {
		{ "API", nullptr, nullptr, 0, 0 },
		{ "DEMO_MODE", nullptr, nullptr, 0, 0 },
		{ "ROOT_USER", nullptr, nullptr, 0, 0 },
	};

	test_hestia_buf("API='no'\nAPI=\"yes\"\nA=$(x) DEMO_MODE=1\n", v, 3);
	assert_string_equal(v[0].value, "\"yes\"");	/* source_conf's */
	assert_string_equal(v[0].bash, "yes");
	assert_true(v[1].uncertain);		/* set after A=$(x)? */
	assert_null(v[2].value);
	assert_false(v[2].uncertain);
	shconf_vars_free(v, 3);
	/* A last line without "\n" is bash's alone. */
	test_hestia_buf("ROOT_USER='admin'", v, 3);
	assert_string_equal(v[2].value, "admin");
	assert_false(v[2].uncertain);
	assert_null(v[0].value);
	shconf_vars_free(v, 3);
	test_hestia_buf("", v, 3);
	assert_null(v[0].value);
	assert_false(v[0].uncertain);
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
		cmocka_unit_test(test_shconf_source_conf),
		cmocka_unit_test(test_shconf_hestia_vs_bash),
		cmocka_unit_test(test_shconf_hestia_unreadable),
		cmocka_unit_test(test_shconf_hestia_buf),
		cmocka_unit_test(test_shconf_hestia_double_semicolon),
		cmocka_unit_test(test_shconf_source_conf_nul),
		cmocka_unit_test(test_shconf_hestia_nul_in_name),
	};

	return cmocka_run_group_tests(tests, test_group_setup,
	    test_group_teardown);
}
