/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What any parsed form must look like, whichever body it came from; then
 * form_get and form_trim on each of its parameters. */
#ifndef FORM_CHECK_H
#define FORM_CHECK_H

#include "form.h"
#include "fuzz.h"

/* PHP's max_input_vars, and one past it that PHP reads before stopping. */
#define FORM_CHECK_MAX	1001

static inline int
form_check_trim_char(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0' ||
	    c == '\x0B';
}

/* names: what PHP registers (no ' ', '.' or '[', none empty), so a check
 * of form_name's rewriting as well. */
static inline void
form_check(struct form *f, int php_names)
{
	const struct form_param	*g;
	struct form_param	*p;
	size_t			 i, j, before;

	if (f->n > FORM_CHECK_MAX)
		fuzz_fail("%zu parameters", f->n);
	for (i = 0; i < f->n; i++) {
		p = &f->v[i];
		if (p->name == nullptr || p->value == nullptr)
			fuzz_fail("parameter %zu: nullptr", i);
		if (p->value[p->valuelen] != '\0')
			fuzz_fail("%s: value not NUL-terminated", p->name);
		if (p->is_array && p->valuelen != 0)
			fuzz_fail("%s: array with a value", p->name);
		if (php_names && (p->name[0] == '\0' ||
		    strpbrk(p->name, " .[") != nullptr))
			fuzz_fail("name \"%s\" is not as PHP registers it",
			    p->name);
	}
	/* The last one of a name wins. */
	for (i = 0; i < f->n; i++) {
		if ((g = form_get(f, f->v[i].name)) == nullptr)
			fuzz_fail("%s: not found", f->v[i].name);
		for (j = i + 1; j < f->n; j++) {
			if (strcmp(f->v[j].name, f->v[i].name) == 0)
				break;
		}
		if (j == f->n && g != &f->v[i])
			fuzz_fail("%s: not the last one", f->v[i].name);
	}
	for (i = 0; i < f->n; i++) {
		p = &f->v[i];
		before = p->valuelen;
		form_trim(p);
		if (p->valuelen > before || p->value[p->valuelen] != '\0')
			fuzz_fail("%s: trim grew or lost the NUL", p->name);
		if (p->valuelen > 0 &&
		    (form_check_trim_char(p->value[0]) ||
		    form_check_trim_char(p->value[p->valuelen - 1])))
			fuzz_fail("%s: trim left blanks", p->name);
	}
}

#endif
