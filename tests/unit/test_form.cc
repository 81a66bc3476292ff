/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Unit tests for form.cc: PHP's $_POST and json_decode() rules, both ways. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka 1.1 has no extern "C" of its own. */
extern "C" {
#include <cmocka.h>
}

#include "apid.h"
#include "form.h"

#define MP_CT	"multipart/form-data; boundary=XyZ"

/* Parse a urlencoded C string into a fresh form. */
static void
test_url(struct form *f, const char *body)
{
	char	*cause = nullptr;

	form_init(f);
	assert_int_equal(form_parse_urlencoded(f, body, strlen(body), &cause),
	    0);
	assert_null(cause);
}

/* Assert that name's winning value is the string value, not an array. */
static void
test_value(const struct form *f, const char *name, const char *value)
{
	const struct form_param	*p;

	p = form_get(f, name);
	assert_non_null(p);
	assert_int_equal(p->is_array, 0);
	assert_int_equal(p->valuelen, strlen(value));
	assert_memory_equal(p->value, value, p->valuelen + 1);
}

/* Assert that name's winning value is an array (empty value). */
static void
test_array(const struct form *f, const char *name)
{
	const struct form_param	*p;

	p = form_get(f, name);
	assert_non_null(p);
	assert_int_equal(p->is_array, 1);
	assert_int_equal(p->valuelen, 0);
	assert_string_equal(p->value, "");
}

/* Parse a multipart body (sizeof-length, may hold NUL) expecting ret. */
static int
test_mp(struct form *f, const char *ct, const char *body, size_t len,
    char **cause)
{
	form_init(f);
	*cause = nullptr;
	return form_parse_multipart(f, ct, body, len, cause);
}

/* Parse a JSON C string into a fresh form. */
static int
test_json(struct form *f, const char *body)
{
	form_init(f);
	return form_parse_json(f, body, strlen(body));
}

static void
test_url_basic(void **state)
{
	struct form	 f;

	(void)state;
	test_url(&f, "cmd=v-list-users&arg1=admin&returncode=yes");
	assert_int_equal(f.n, 3);
	test_value(&f, "cmd", "v-list-users");
	test_value(&f, "arg1", "admin");
	test_value(&f, "returncode", "yes");
	assert_null(form_get(&f, "arg2"));
	assert_null(form_get(&f, "Cmd"));
	form_free(&f);

	test_url(&f, "");
	assert_int_equal(f.n, 0);
	assert_null(f.v);
	assert_null(form_get(&f, "cmd"));
	form_free(&f);
}

static void
test_url_last_wins(void **state)
{
	struct form	 f;

	(void)state;
	test_url(&f, "a=1&b=x&a=2&a=3");
	assert_int_equal(f.n, 4);
	assert_string_equal(f.v[0].value, "1");
	assert_string_equal(f.v[2].value, "2");
	test_value(&f, "a", "3");
	test_value(&f, "b", "x");
	form_free(&f);

	/* A single occurrence is its own last. */
	test_url(&f, "a=only");
	test_value(&f, "a", "only");
	form_free(&f);
}

static void
test_url_plus_percent(void **state)
{
	struct form	 f;

	(void)state;
	test_url(&f, "v=a+b%20c%41%7e%2B&%61%72%67=%2f");
	test_value(&f, "v", "a b cA~+");
	test_value(&f, "arg", "/");
	form_free(&f);

	/* Without + or % a value is taken as is. */
	test_url(&f, "v=abc-_~*");
	test_value(&f, "v", "abc-_~*");
	form_free(&f);
}

static void
test_url_bad_percent(void **state)
{
	struct form	 f;

	(void)state;
	test_url(&f, "a=%zz&b=%4&c=%&d=%4g%41&e=100%&f=%%41");
	test_value(&f, "a", "%zz");
	test_value(&f, "b", "%4");
	test_value(&f, "c", "%");
	test_value(&f, "d", "%4gA");
	test_value(&f, "e", "100%");
	test_value(&f, "f", "%A");
	form_free(&f);

	/* A bad escape in a name stays literal too. */
	test_url(&f, "x%zz=1");
	test_value(&f, "x%zz", "1");
	form_free(&f);
}

static void
test_url_nul(void **state)
{
	struct form		 f;
	const struct form_param	*p;

	(void)state;
	test_url(&f, "arg1=a%00b&arg2=%00");
	p = form_get(&f, "arg1");
	assert_non_null(p);
	assert_int_equal(p->valuelen, 3);
	assert_memory_equal(p->value, "a\0b\0", 4);
	p = form_get(&f, "arg2");
	assert_non_null(p);
	assert_int_equal(p->valuelen, 1);
	assert_memory_equal(p->value, "\0\0", 2);
	form_free(&f);

	/* In a name, NUL ends it, as PHP handles names as C strings. */
	test_url(&f, "a%00b=1&%00c=2");
	assert_int_equal(f.n, 1);
	test_value(&f, "a", "1");
	assert_string_equal(f.v[0].name, "a");
	assert_null(form_get(&f, "ab"));
	form_free(&f);
}

static void
test_url_name_mangling(void **state)
{
	struct form	 f;

	(void)state;
	test_url(&f, "a.b=1&c+d=2&%20%20e=3&+f.=4&.g=5&h%2Ei=6&j\tk=7");
	test_value(&f, "a_b", "1");
	test_value(&f, "c_d", "2");
	test_value(&f, "e", "3");
	test_value(&f, "f_", "4");
	test_value(&f, "_g", "5");
	test_value(&f, "h_i", "6");
	test_value(&f, "j\tk", "7");	/* only ' ' and '.' change */
	assert_null(form_get(&f, "a.b"));
	assert_null(form_get(&f, "  e"));
	form_free(&f);

	/* The mangled and the plain spelling are one variable. */
	test_url(&f, "a_b=1&a.b=2");
	test_value(&f, "a_b", "2");
	form_free(&f);
}

static void
test_url_array(void **state)
{
	struct form	 f;

	(void)state;
	test_url(&f, "arg1[]=x&arg2[a]=y&a.b[c.d]=z&e[x][y=1&f[x]g=2&"
	    "h[ ]=3");
	test_array(&f, "arg1");
	test_array(&f, "arg2");
	test_array(&f, "a_b");
	test_array(&f, "e");
	test_array(&f, "f");
	test_array(&f, "h");
	assert_null(form_get(&f, "arg1[]"));
	form_free(&f);

	/* A '[' without ']' is no array: PHP mangles it to '_'. */
	test_url(&f, "a[=1&b[c=2&c[d.e[f=3&d]=4");
	test_value(&f, "a_", "1");
	test_value(&f, "b_c", "2");
	test_value(&f, "c_d_e_f", "3");
	test_value(&f, "d]", "4");
	assert_null(form_get(&f, "a"));
	form_free(&f);

	/* Last wins between the array and the string spelling. */
	test_url(&f, "a[]=1&a=2&b=1&b[]=2");
	test_value(&f, "a", "2");
	test_array(&f, "b");
	form_free(&f);
}

static void
test_url_nesting_limit(void **state)
{
	struct form	 f;
	char		 body[1024];
	size_t		 o;
	int		 i;

	(void)state;
	/* 64 levels is PHP's max_input_nesting_level: still an array. */
	o = snprintf(body, sizeof body, "b=0&a=1&a");
	for (i = 0; i < 64; i++)
		o += snprintf(body + o, sizeof body - o, "[x]");
	snprintf(body + o, sizeof body - o, "=2");
	test_url(&f, body);
	test_array(&f, "a");
	test_value(&f, "b", "0");
	form_free(&f);

	/* 65 levels: PHP deletes the variable, earlier values included. */
	o = snprintf(body, sizeof body, "b=0&a=1&a");
	for (i = 0; i < 65; i++)
		o += snprintf(body + o, sizeof body - o, "[]");
	snprintf(body + o, sizeof body - o, "=2");
	test_url(&f, body);
	assert_null(form_get(&f, "a"));
	assert_int_equal(f.n, 1);
	test_value(&f, "b", "0");
	form_free(&f);

	/* A later value sets it again. */
	o = snprintf(body, sizeof body, "a=1&a");
	for (i = 0; i < 65; i++)
		o += snprintf(body + o, sizeof body - o, "[]");
	snprintf(body + o, sizeof body - o, "=2&a=3");
	test_url(&f, body);
	test_value(&f, "a", "3");
	form_free(&f);
}

static void
test_url_empty_name(void **state)
{
	struct form	 f;

	(void)state;
	test_url(&f, "=1&[x]=2&[y=3&+=4&%20=5&&&ok=6&");
	assert_int_equal(f.n, 1);
	test_value(&f, "ok", "6");
	assert_null(form_get(&f, ""));
	form_free(&f);

	test_url(&f, "=only");
	assert_int_equal(f.n, 0);
	form_free(&f);
}

static void
test_url_no_equals(void **state)
{
	struct form	 f;

	(void)state;
	test_url(&f, "a&b=&c=x=y&d");
	assert_int_equal(f.n, 4);
	test_value(&f, "a", "");
	test_value(&f, "b", "");
	test_value(&f, "c", "x=y");
	test_value(&f, "d", "");
	form_free(&f);
}

static void
test_url_max_input_vars(void **state)
{
	struct form	 f;
	char		*body;
	size_t		 o, size;
	int		 i;

	(void)state;
	/* PHP stops after the 1001st piece, empty pieces counted. */
	size = 32 * 1010;
	body = (char *)xmalloc(size);
	o = snprintf(body, size, "&&");
	for (i = 0; i < 1005; i++)
		o += snprintf(body + o, size - o, "v%d=%d&", i, i);
	test_url(&f, body);
	assert_int_equal(f.n, 999);
	test_value(&f, "v0", "0");
	test_value(&f, "v998", "998");
	assert_null(form_get(&f, "v999"));
	form_free(&f);

	o = 0;
	for (i = 0; i < 1005; i++)
		o += snprintf(body + o, size - o, "v%d=%d&", i, i);
	test_url(&f, body);
	assert_int_equal(f.n, 1001);
	test_value(&f, "v1000", "1000");
	assert_null(form_get(&f, "v1001"));
	form_free(&f);
	free(body);
}

static void
test_url_large(void **state)
{
	struct form		 f;
	const struct form_param	*p;
	char			*body;
	size_t			 len, i, n;

	(void)state;
	/* A 2 MiB body: one 1 MiB value written half as %41. */
	len = 2 * 1024 * 1024;
	body = (char *)xmalloc(len + 1);
	memcpy(body, "cmd=x&big=", 10);
	for (i = 10, n = 0; i + 4 <= len; n += 2) {
		memcpy(body + i, "%41B", 4);
		i += 4;
	}
	body[i] = '\0';
	test_url(&f, body);
	p = form_get(&f, "big");
	assert_non_null(p);
	assert_int_equal(p->valuelen, n);
	assert_int_equal(strlen(p->value), n);
	assert_memory_equal(p->value, "ABAB", 4);
	assert_memory_equal(p->value + n - 2, "AB", 3);
	test_value(&f, "cmd", "x");
	form_free(&f);

	/* A 2 MiB body of 1000 parameters of 2 KiB each. */
	for (i = 0, n = 0; n < 1000; n++) {
		i += snprintf(body + i, len + 1 - i, "%sarg%zu=", n ? "&" : "",
		    n);
		memset(body + i, 'v', 2000);
		i += 2000;
	}
	body[i] = '\0';
	test_url(&f, body);
	assert_int_equal(f.n, 1000);
	p = form_get(&f, "arg999");
	assert_non_null(p);
	assert_int_equal(p->valuelen, 2000);
	form_free(&f);
	free(body);
}

static void
test_mp_quoted_boundary(void **state)
{
	static const char	 body[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"cmd\"\r\n"
	    "\r\n"
	    "v-list-users\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"arg1\"\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "line 1\r\n--Xy\r\nline 2\r\n"
	    "--XyZ--\r\n";
	struct form		 f;
	char			*cause;

	(void)state;
	assert_int_equal(test_mp(&f, "multipart/form-data; "
	    "boundary=\"XyZ\"; charset=utf-8", body, sizeof body - 1, &cause),
	    0);
	assert_null(cause);
	assert_int_equal(f.n, 2);
	test_value(&f, "cmd", "v-list-users");
	test_value(&f, "arg1", "line 1\r\n--Xy\r\nline 2");
	form_free(&f);

	/* A quote that never closes is no boundary. */
	assert_int_equal(test_mp(&f, "multipart/form-data; boundary=\"XyZ",
	    body, sizeof body - 1, &cause), -1);
	assert_non_null(cause);
	assert_int_equal(f.n, 0);
	free(cause);
	form_free(&f);
}

static void
test_mp_unquoted_boundary(void **state)
{
	static const char	 body[] =
	    "--XyZ\r\n"
	    "content-disposition: form-data; name=cmd\r\n"
	    "\r\n"
	    "v-list-users\r\n"
	    "--XyZ--";
	struct form		 f;
	char			*cause;

	(void)state;
	assert_int_equal(test_mp(&f, MP_CT, body, sizeof body - 1, &cause),
	    0);
	test_value(&f, "cmd", "v-list-users");
	form_free(&f);

	/* "Boundary" in any case, ended by ';'. */
	assert_int_equal(test_mp(&f, "multipart/form-data; Boundary=XyZ; "
	    "charset=utf-8", body, sizeof body - 1, &cause), 0);
	test_value(&f, "cmd", "v-list-users");
	form_free(&f);

	/* Another boundary does not match the body. */
	assert_int_equal(test_mp(&f, "multipart/form-data; boundary=Xy",
	    body, sizeof body - 1, &cause), -1);
	assert_non_null(cause);
	free(cause);
	form_free(&f);
}

static void
test_mp_file_skipped(void **state)
{
	static const char	 body[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"a.b\"\r\n\r\n"
	    "1\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"up\"; "
	    "filename=\"x.txt\"\r\n"
	    "Content-Type: application/octet-stream\r\n\r\n"
	    "file data\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"a.b\"; filename=\"\"\r\n"
	    "\r\n"
	    "\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"c[]\"\r\n\r\n"
	    "2\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\" d\"\r\n\r\n"
	    "3\r\n"
	    "--XyZ--\r\n";
	struct form		 f;
	char			*cause;

	(void)state;
	assert_int_equal(test_mp(&f, MP_CT, body, sizeof body - 1, &cause),
	    0);
	assert_int_equal(f.n, 3);
	assert_null(form_get(&f, "up"));
	test_value(&f, "a_b", "1");	/* the file part did not win */
	test_array(&f, "c");
	test_value(&f, "d", "3");
	form_free(&f);
}

static void
test_mp_values(void **state)
{
	static const char	 body[] =
	    "preamble\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"nul\"\r\n\r\n"
	    "a\0b\r\n\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"empty\"\r\n\r\n"
	    "\r\n"
	    "--XyZ\r\n"
	    "X-Other: 1\r\n\r\n"
	    "no disposition: skipped\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data;\r\n"
	    "\tname=\"folded\"\r\n\r\n"
	    "f\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"dup1\"\r\n"
	    "Content-Disposition: form-data; name=\"dup2\"\r\n\r\n"
	    "d\r\n"	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"q\\\"t;x\"\r\n\r\n"
	    "q\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name='s q'\r\n\r\n"
	    "s\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"empty\"\r\n\r\n"
	    "last\r\n"
	    "--XyZ--\r\n"
	    "epilogue\r\n";
	struct form		 f;
	const struct form_param	*p;
	char			*cause;

	(void)state;
	assert_int_equal(test_mp(&f, MP_CT, body, sizeof body - 1, &cause),
	    0);
	p = form_get(&f, "nul");
	assert_non_null(p);
	assert_int_equal(p->valuelen, 5);
	assert_memory_equal(p->value, "a\0b\r\n", 6);
	assert_string_equal(f.v[1].name, "empty");
	assert_int_equal(f.v[1].valuelen, 0);
	test_value(&f, "empty", "last");
	test_value(&f, "folded", "f");
	test_value(&f, "q\"t;x", "q");
	test_value(&f, "s_q", "s");
	test_value(&f, "dup1", "d");	/* the first Content-Disposition */
	assert_null(form_get(&f, "dup2"));
	assert_int_equal(f.n, 7);
	form_free(&f);
}

static void
test_mp_long_header(void **state)
{
	struct form	 f;
	char		*body, *cause;
	size_t		 o, size;
	int		 i;

	(void)state;
	/* A header folded over 300000 lines (~2 MiB) stays linear. */
	size = 7 * 300000 + 256;
	body = (char *)xmalloc(size);
	o = snprintf(body, size, "--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"a\"");
	for (i = 0; i < 300000; i++) {
		memcpy(body + o, "\r\n ; x", 7);
		o += 7;
	}
	o += snprintf(body + o, size - o, "\r\n\r\nv\r\n--XyZ--\r\n");
	assert_int_equal(test_mp(&f, MP_CT, body, o, &cause), 0);
	assert_int_equal(f.n, 1);
	test_value(&f, "a", "v");
	form_free(&f);
	free(body);
}

static void
test_mp_lf_only(void **state)
{
	static const char	 body[] =
	    "--XyZ\n"
	    "Content-Disposition: form-data; name=\"a\"\n\n"
	    "x\ny\n"
	    "--XyZ--\n";
	struct form		 f;
	char			*cause;

	(void)state;
	assert_int_equal(test_mp(&f, MP_CT, body, sizeof body - 1, &cause),
	    0);
	test_value(&f, "a", "x\ny");
	form_free(&f);
}

static void
test_mp_malformed(void **state)
{
	static const struct {
		const char	*ct;
		const char	*body;
	} bad[] = {
		{ "multipart/form-data", "--XyZ--\r\n" },
		{ "multipart/form-data; boundary=", "--\r\n" },
		{ "multipart/form-data; boundary=\"\"", "--\r\n" },
		{ MP_CT, "" },
		{ MP_CT, "no delimiter at all\r\n" },
		{ MP_CT, "--XyZ\r\nContent-Disposition: form-data; "
		    "name=\"a\"\r\n" },
		{ MP_CT, "--XyZ\r\nContent-Disposition: form-data; "
		    "name=\"a\"\r\n\r\ncut short" },
		{ MP_CT, "--XyZ\r\nContent-Disposition: form-data; "
		    "name=\"a\"\r\n\r\n1\r\n--XyZ\r\n" },
		{ MP_CT, "--XyZ\r\nContent-Disposition: form-data; "
		    "name=\"a\"\r\n\r\n1\r\n" },
		{ MP_CT, "--XyZ\r\nContent-Disposition: form-data\r\n\r\n"
		    "1\r\n--XyZ--\r\n" },
		{ MP_CT, "--XyZ\r\nContent-Disposition: form-data; "
		    "name=\"a\"\r\n\r\n1\r\n--XyZ-" },
		{ MP_CT, "--XyZ\r\nContent-Disposition: form-data; "
		    "name=\"a\"\r\n\r\n1\r\n--XyZX\r\n" },
	};
	static const char	 partial[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data\r\n\r\n2\r\n"
	    "--XyZ--\r\n";
	struct form	 f;
	char		*cause;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		assert_int_equal(test_mp(&f, bad[i].ct, bad[i].body,
		    strlen(bad[i].body), &cause), -1);
		assert_non_null(cause);
		assert_true(strlen(cause) > 0);
		free(cause);
		form_free(&f);
	}

	/* What came before the error stays, for the caller to free. */
	assert_int_equal(test_mp(&f, MP_CT, partial, sizeof partial - 1,
	    &cause), -1);
	assert_non_null(cause);
	test_value(&f, "a", "1");
	free(cause);
	form_free(&f);
}

static void
test_mp_max_input_vars(void **state)
{
	struct form	 f;
	char		*body, *cause;
	size_t		 o, size;
	int		 i;

	(void)state;
	/* PHP registers 1000 variables; file parts do not count. */
	size = 96 * 1010;
	body = (char *)xmalloc(size);
	o = snprintf(body, size, "--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"f\"; filename=\"f\"\r\n\r\nfile\r\n");
	for (i = 0; i < 1002; i++)
		o += snprintf(body + o, size - o, "--XyZ\r\n"
		    "Content-Disposition: form-data; name=\"v%d\"\r\n\r\n"
		    "%d\r\n", i, i);
	o += snprintf(body + o, size - o, "--XyZ--\r\n");
	assert_int_equal(test_mp(&f, MP_CT, body, o, &cause), 0);
	assert_int_equal(f.n, 1000);
	test_value(&f, "v999", "999");
	assert_null(form_get(&f, "v1000"));
	form_free(&f);
	free(body);
}

static void
test_json_coercions(void **state)
{
	struct form		 f;
	const struct form_param	*p;

	(void)state;
	assert_int_equal(test_json(&f, "{\"i\": 42, \"neg\": -7, \"t\": true, "
	    "\"f\": false, \"r\": 1.5, \"n\": null, \"a\": [1, 2], "
	    "\"o\": {\"x\": 1}, \"s\": \"x\\u0000y\", \"e\": \"\", "
	    "\"big\": 9223372036854775807}"), 0);
	test_value(&f, "i", "42");
	test_value(&f, "neg", "-7");
	test_value(&f, "t", "1");
	test_value(&f, "f", "");
	test_value(&f, "r", "1.5");
	assert_null(form_get(&f, "n"));
	test_array(&f, "a");
	test_array(&f, "o");
	test_value(&f, "e", "");
	test_value(&f, "big", "9223372036854775807");
	p = form_get(&f, "s");
	assert_non_null(p);
	assert_int_equal(p->valuelen, 3);
	assert_memory_equal(p->value, "x\0y\0", 4);
	assert_int_equal(f.n, 10);
	form_free(&f);

	/* Only null: an object all the same, with nothing set. */
	assert_int_equal(test_json(&f, "{\"arg1\": null}"), 0);
	assert_int_equal(f.n, 0);
	form_free(&f);
}

static void
test_json_floats(void **state)
{
	/* Each checked against PHP 8.2's trim(json_decode(...)). */
	static const struct {
		const char	*json;
		const char	*php;
	} t[] = {
		{ "1.5", "1.5" },
		{ "1e100", "1.0E+100" },
		{ "0.1", "0.1" },
		{ "3.0", "3" },
		{ "1E2", "100" },
		{ "-0.0", "-0" },
		{ "0.30000000000000004", "0.3" },
		{ "0.7999999999999999", "0.8" },
		{ "0.3333333333333333", "0.33333333333333" },
		{ "1.2345678901234567", "1.2345678901235" },
		{ "1e13", "10000000000000" },
		{ "1e14", "1.0E+14" },
		{ "123456789012345.6", "1.2345678901235E+14" },
		{ "0.0001", "0.0001" },
		{ "0.00001", "1.0E-5" },
		{ "-1.5e-7", "-1.5E-7" },
		{ "2.5e-5", "2.5E-5" },
		{ "5e-324", "4.9406564584125E-324" },
		{ "1.7976931348623157e308", "1.7976931348623E+308" },
		{ "-123.456", "-123.456" },
	};
	struct form	 f;
	char		 body[128];
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(t); i++) {
		snprintf(body, sizeof body, "{\"r\": %s}", t[i].json);
		assert_int_equal(test_json(&f, body), 0);
		test_value(&f, "r", t[i].php);
		form_free(&f);
	}
}

static void
test_json_no_data(void **state)
{
	static const char	*nodata[] = {
		"{}", " { } ", "[]", "[1]", "[{\"cmd\": \"x\"}]", "0", "42",
		"1.5", "\"\"", "\"cmd\"", "true", "false", "null", "", "  ",
		"{", "{\"a\": 1", "{\"a\": 1} x", "{a: 1}", "{'a': 1}",
		"{\"a\": 1,}", "\xef\xbb\xbf{\"a\": 1}", "{\"a\": \"\xff\"}",
		"cmd=v-list-users",
	};
	struct form	 f;
	size_t		 i;

	(void)state;
	for (i = 0; i < nitems(nodata); i++) {
		assert_int_equal(test_json(&f, nodata[i]), 1);
		assert_int_equal(f.n, 0);
		assert_null(f.v);
		form_free(&f);
	}

	/* Whitespace around an object is fine. */
	assert_int_equal(test_json(&f, " \r\n\t{\"a\": \"1\"}\n"), 0);
	test_value(&f, "a", "1");
	form_free(&f);
}

static void
test_json_names(void **state)
{
	struct form	 f;

	(void)state;
	/* json_decode() keeps keys as they are; the last duplicate wins. */
	assert_int_equal(test_json(&f, "{\"a.b\": 1, \"c[]\": 2, \" d\": 3, "
	    "\"x\": 1, \"x\": 2}"), 0);
	test_value(&f, "a.b", "1");
	test_value(&f, "c[]", "2");
	test_value(&f, " d", "3");
	test_value(&f, "x", "2");
	assert_null(form_get(&f, "a_b"));
	assert_null(form_get(&f, "c"));
	form_free(&f);
}

static void
test_json_depth(void **state)
{
	struct form	 f;
	char		*body;
	size_t		 o;
	int		 i, n;

	(void)state;
	/* PHP's json_decode() takes 511 nested levels, not 512. */
	body = (char *)xmalloc(2048);
	for (n = 510; n <= 511; n++) {
		o = snprintf(body, 2048, "{\"cmd\": \"x\", \"a\": ");
		for (i = 0; i < n; i++)
			body[o++] = '[';
		for (i = 0; i < n; i++)
			body[o++] = ']';
		body[o++] = '}';
		body[o] = '\0';
		if (n == 510) {
			assert_int_equal(test_json(&f, body), 0);
			test_value(&f, "cmd", "x");
			test_array(&f, "a");
		} else {
			assert_int_equal(test_json(&f, body), 1);
			assert_int_equal(f.n, 0);
		}
		form_free(&f);
	}
	free(body);
}

static void
test_json_many_keys(void **state)
{
	struct form	 f;
	char		*body;
	size_t		 o, size;
	int		 i;

	(void)state;
	/* About 2 MiB of JSON; no max_input_vars applies to json_decode(). */
	size = 24 * 100000 + 16;
	body = (char *)xmalloc(size);
	o = snprintf(body, size, "{");
	for (i = 0; i < 100000; i++)
		o += snprintf(body + o, size - o, "%s\"key%d\": \"%d\"",
		    i ? ", " : "", i, i);
	snprintf(body + o, size - o, "}");
	assert_true(o > 1800000);
	assert_int_equal(test_json(&f, body), 0);
	assert_int_equal(f.n, 100000);
	test_value(&f, "key0", "0");
	test_value(&f, "key99999", "99999");
	form_free(&f);
	free(body);
}

static void
test_trim(void **state)
{
	static const char	 strip[] = {
	    ' ', '\t', '\n', '\r', '\0', '\x0B'
	};
	struct form_param	 p;
	char			 buf[16];
	size_t			 i;

	(void)state;
	for (i = 0; i < nitems(strip); i++) {
		buf[0] = strip[i];
		buf[1] = strip[i];
		buf[2] = 'x';
		buf[3] = strip[i];
		buf[4] = '\0';
		p.name = nullptr;
		p.value = buf;
		p.valuelen = 4;
		p.is_array = 0;
		form_trim(&p);
		assert_int_equal(p.valuelen, 1);
		assert_memory_equal(p.value, "x", 2);
	}

	/* Inside the value nothing goes, NUL included. */
	memcpy(buf, " \0a \0\tb\x0B\r\n", 11);
	p.value = buf;
	p.valuelen = 11;
	form_trim(&p);
	assert_int_equal(p.valuelen, 5);
	assert_memory_equal(p.value, "a \0\tb\0", 6);

	/* Other control and non-ASCII bytes stay. */
	memcpy(buf, "\f\xa0x\xa0\f", 6);
	p.valuelen = 5;
	form_trim(&p);
	assert_int_equal(p.valuelen, 5);
	assert_memory_equal(p.value, "\f\xa0x\xa0\f", 6);

	/* Nothing but whitespace leaves an empty string. */
	memcpy(buf, " \t\0\n", 5);
	p.valuelen = 4;
	form_trim(&p);
	assert_int_equal(p.valuelen, 0);
	assert_int_equal(p.value[0], '\0');

	/* Nothing to strip: unchanged. */
	memcpy(buf, "abc", 4);
	p.valuelen = 3;
	form_trim(&p);
	assert_int_equal(p.valuelen, 3);
	assert_string_equal(p.value, "abc");
}

static void
test_trim_param(void **state)
{
	struct form	 f;
	struct form_param *p;

	(void)state;
	/* The way the API uses it: trim a parsed parameter in place. */
	test_url(&f, "arg1=%20%09value%00%0B%0A");
	p = (struct form_param *)form_get(&f, "arg1");
	assert_non_null(p);
	assert_int_equal(p->valuelen, 10);
	form_trim(p);
	test_value(&f, "arg1", "value");
	form_free(&f);
}

static void
test_free_reuse(void **state)
{
	struct form	 f;
	char		*cause = nullptr;

	(void)state;
	test_url(&f, "a=1&b=2");
	assert_int_equal(f.n, 2);
	form_free(&f);
	assert_null(f.v);
	assert_int_equal(f.n, 0);
	assert_null(form_get(&f, "a"));

	/* The freed form takes a new body, of another kind. */
	assert_int_equal(form_parse_json(&f, "{\"c\": 3}", 8), 0);
	assert_int_equal(f.n, 1);
	test_value(&f, "c", "3");
	assert_null(form_get(&f, "a"));
	assert_int_equal(form_parse_urlencoded(&f, "d=4", 3, &cause), 0);
	assert_int_equal(f.n, 2);
	test_value(&f, "d", "4");
	form_free(&f);
	form_free(&f);
	assert_null(f.v);
	assert_int_equal(f.n, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_basic),
		cmocka_unit_test(test_url_last_wins),
		cmocka_unit_test(test_url_plus_percent),
		cmocka_unit_test(test_url_bad_percent),
		cmocka_unit_test(test_url_nul),
		cmocka_unit_test(test_url_name_mangling),
		cmocka_unit_test(test_url_array),
		cmocka_unit_test(test_url_nesting_limit),
		cmocka_unit_test(test_url_empty_name),
		cmocka_unit_test(test_url_no_equals),
		cmocka_unit_test(test_url_max_input_vars),
		cmocka_unit_test(test_url_large),
		cmocka_unit_test(test_mp_quoted_boundary),
		cmocka_unit_test(test_mp_unquoted_boundary),
		cmocka_unit_test(test_mp_file_skipped),
		cmocka_unit_test(test_mp_values),
		cmocka_unit_test(test_mp_long_header),
		cmocka_unit_test(test_mp_lf_only),
		cmocka_unit_test(test_mp_malformed),
		cmocka_unit_test(test_mp_max_input_vars),
		cmocka_unit_test(test_json_coercions),
		cmocka_unit_test(test_json_floats),
		cmocka_unit_test(test_json_no_data),
		cmocka_unit_test(test_json_names),
		cmocka_unit_test(test_json_depth),
		cmocka_unit_test(test_json_many_keys),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_trim_param),
		cmocka_unit_test(test_free_reuse),
	};

	return cmocka_run_group_tests(tests, nullptr, nullptr);
}
