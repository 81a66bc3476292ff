/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: a JSON body, as json_decode($body, true) and trim() see it;
 * each value checked against jansson's own reading of the body. */
#include <jansson.h>

#include "form_check.h"

/*
 * A float as PHP writes it with precision 14: printf's %.14G (the same
 * digits and the same switch to an exponent), but "1.0E+25" for "1E+25"
 * and no leading zero in the exponent ("1.0E-5").
 */
static void
fuzz_json_real(const char *key, double d, const char *text)
{
	char	 want[64], *e;
	int	 exp;

	snprintf(want, sizeof want, "%.14G", d);
	if ((e = strchr(want, 'E')) != nullptr) {
		exp = atoi(e + 1);
		*e = '\0';
		snprintf(e, sizeof want - (e - want), "%sE%c%d",
		    strchr(want, '.') == nullptr ? ".0" : "",
		    exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
	}
	if (strcmp(text, want) != 0)
		fuzz_fail("%s: %.17g written as \"%s\", PHP \"%s\"", key, d,
		    text, want);
}

/* The parameters are the object's non-null members, in order. */
static void
fuzz_json_compare(const struct form *f, json_t *root)
{
	const struct form_param	*p;
	const char		*key;
	json_t			*v;
	char			 buf[64];
	size_t			 i = 0;

	json_object_foreach(root, key, v) {
		if (json_is_null(v))
			continue;
		if (i == f->n)
			fuzz_fail("%s: missing", key);
		p = &f->v[i++];
		if (strcmp(p->name, key) != 0)
			fuzz_fail("%s: found %s", key, p->name);
		switch (json_typeof(v)) {
		case JSON_STRING:
			if (p->valuelen != json_string_length(v) ||
			    memcmp(p->value, json_string_value(v),
			    p->valuelen) != 0)
				fuzz_fail("%s: string differs", key);
			break;
		case JSON_INTEGER:
			snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
			if (strcmp(p->value, buf) != 0)
				fuzz_fail("%s: %s, not %s", key, p->value, buf);
			break;
		case JSON_REAL:
			fuzz_json_real(key, json_real_value(v), p->value);
			break;
		case JSON_TRUE:
			if (strcmp(p->value, "1") != 0)
				fuzz_fail("%s: true is \"%s\"", key, p->value);
			break;
		case JSON_FALSE:
			if (p->valuelen != 0)
				fuzz_fail("%s: false is \"%s\"", key, p->value);
			break;
		default:
			if (!p->is_array || p->valuelen != 0)
				fuzz_fail("%s: array not marked", key);
			break;
		}
		if (json_typeof(v) != JSON_ARRAY &&
		    json_typeof(v) != JSON_OBJECT && p->is_array)
			fuzz_fail("%s: scalar marked as an array", key);
	}
	if (i != f->n)
		fuzz_fail("%zu parameters, %zu members", f->n, i);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form	 f;
	json_t		*root;
	json_error_t	 error;
	int		 rv;

	form_init(&f);
	rv = form_parse_json(&f, (const char *)data, size);
	if (rv != 0 && rv != 1)
		fuzz_fail("form_parse_json returned %d", rv);
	if (rv == 1 && f.n != 0)
		fuzz_fail("no data, yet %zu parameters", f.n);
	if (rv == 0) {
		root = json_loadb((const char *)data, size,
		    JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
		if (root == nullptr || !json_is_object(root))
			fuzz_fail("parsed a body jansson refuses");
		fuzz_json_compare(&f, root);
		json_decref(root);
	}
	form_check(&f, 0);
	form_free(&f);
	return 0;
}
