/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: hestia.conf or user.conf as Hestia's bash reads it, bash's
 * source then source_conf; source_conf's part checked line by line. */
#include <ctype.h>

#include "apid.h"
#include "fuzz.h"
#include "shconf.h"

static const char *const fuzz_names[] = {
	"API", "API_SYSTEM", "API_ALLOWED_IP", "ROOT_USER", "DEMO_MODE",
	"SUSPENDED", "A",
};

#define FUZZ_NVARS	nitems(fuzz_names)

/* source_conf's key: a shell name, the first word of the line as `read`
 * sees it, without its NUL bytes. */
static void
fuzz_source_conf_check(const uint8_t *raw, size_t rawlen, const char *key,
    const char *value)
{
	uint8_t	*line;
	size_t	 i = 0, n = strlen(key), v, len = 0;

	line = (uint8_t *)malloc(rawlen + 1);
	for (i = 0; i < rawlen; i++) {
		if (raw[i] != '\0')
			line[len++] = raw[i];
	}
	i = 0;

	while (i < len && line[i] == ' ')
		i++;
	if (n == 0 || len - i < n || memcmp(line + i, key, n) != 0 ||
	    (i + n < len && line[i + n] != ' ' && line[i + n] != '='))
		fuzz_fail("key \"%s\" is not the first word", key);
	if (!isalpha((unsigned char)key[0]) && key[0] != '_')
		fuzz_fail("key \"%s\" is no name", key);
	for (i = 1; i < n; i++) {
		if (!isalnum((unsigned char)key[i]) && key[i] != '_')
			fuzz_fail("key \"%s\" is no name", key);
	}
	/* [[:cntrl:]] gone; nothing added to what the line held. */
	for (v = 0; value[v] != '\0'; v++) {
		if (iscntrl((unsigned char)value[v]))
			fuzz_fail("%s: a control character in the value", key);
	}
	if (v > len)
		fuzz_fail("%s: value longer than its line", key);
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shconf_var	 vars[FUZZ_NVARS];
	const uint8_t		*p = data, *end = data + size, *line;
	char			*want[FUZZ_NVARS], *key, *value;
	size_t			 len, i;
	int			 r;

	for (i = 0; i < FUZZ_NVARS; i++) {
		vars[i].name = fuzz_names[i];
		want[i] = nullptr;
	}
	shconf_hestia_buf((const char *)data, size, vars, FUZZ_NVARS);

	/* source_conf's value, from the lines that end in "\n". */
	while ((line = fuzz_line(&p, end, &len)) != nullptr) {
		if (line + len == end)
			break;
		r = shconf_source_conf_line((const char *)line, len, &key,
		    &value);
		if (r != 1 && (r != 0 || key != nullptr || value != nullptr))
			fuzz_fail("source_conf_line %d, key %p", r, key);
		if (r == 0)
			continue;
		fuzz_source_conf_check(line, len, key, value);
		for (i = 0; i < FUZZ_NVARS; i++) {
			if (strcmp(key, fuzz_names[i]) == 0) {
				free(want[i]);
				want[i] = fuzz_str(value, strlen(value));
			}
		}
		free(key);
		free(value);
	}

	/* source_conf's value wins and is certain; else it is bash's. */
	for (i = 0; i < FUZZ_NVARS; i++) {
		if (want[i] != nullptr) {
			if (vars[i].value == nullptr ||
			    strcmp(vars[i].value, want[i]) != 0 ||
			    vars[i].uncertain)
				fuzz_fail("%s: \"%s\", source_conf \"%s\"",
				    fuzz_names[i], vars[i].value != nullptr ?
				    vars[i].value : "(unset)", want[i]);
		} else {
			if ((vars[i].value == nullptr) !=
			    (vars[i].bash == nullptr) ||
			    (vars[i].value != nullptr &&
			    strcmp(vars[i].value, vars[i].bash) != 0))
				fuzz_fail("%s: not bash's value",
				    fuzz_names[i]);
			if (vars[i].uncertain != vars[i].bash_unknown)
				fuzz_fail("%s: uncertain %d, bash unknown %d",
				    fuzz_names[i], vars[i].uncertain,
				    vars[i].bash_unknown);
		}
		free(want[i]);
	}
	shconf_vars_free(vars, FUZZ_NVARS);
	return 0;
}
