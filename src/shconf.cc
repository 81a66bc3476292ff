/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shell-style KEY='value' lines, as hestia.conf and Hestia's data use. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "shconf.h"

int
shconf_parse_line(char *line, char **key, char **value, const char **why)
{
	char	*p = line, *k, *v, *end;
	char	 q;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
		return 0;
	if (strncmp(p, "export ", 7) == 0)
		p += 7;
	k = p;
	if (!isalpha((unsigned char)*p) && *p != '_') {
		*why = "not a KEY=value line";
		return -1;
	}
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	if (*p != '=') {
		*why = "not a KEY=value line";
		return -1;
	}
	*p++ = '\0';
	if (*p == '\'' || *p == '"') {
		q = *p++;
		v = p;
		if ((end = strchr(p, q)) == nullptr) {
			*why = "unterminated quote";
			return -1;
		}
		*end = '\0';
		p = end + 1;
	} else {
		/* As sh: the word ends at blank space; "#" starts a comment
		 * only after a blank, so K=a#b is "a#b". */
		v = p;
		while (*p != '\0' && *p != '\n' && *p != '\r' && *p != ' ' &&
		    *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p != '\0' && *p != '#') {
		*why = "trailing text after the value";
		return -1;
	}
	*key = k;
	*value = v;
	return 1;
}

int
shconf_read(const char *path, shconf_cb cb, void *arg, char **cause)
{
	FILE		*f;
	char		*line = nullptr, *key, *value;
	const char	*why;
	size_t		 sz = 0;
	ssize_t		 len;
	int		 lineno = 0, rv = -1, r;

	if ((f = fopen(path, "r")) == nullptr) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &sz, f)) != -1) {
		lineno++;
		if (memchr(line, '\0', len) != nullptr) {
			xasprintf(cause, "%s:%d: NUL byte", path, lineno);
			goto done;
		}
		r = shconf_parse_line(line, &key, &value, &why);
		if (r == -1) {
			xasprintf(cause, "%s:%d: %s", path, lineno, why);
			goto done;
		}
		if (r == 1 && cb(key, value, lineno, arg, cause) == -1)
			goto done;
	}
	if (ferror(f)) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		goto done;
	}
	rv = 0;
done:
	free(line);
	fclose(f);
	return rv;
}

/* Hestia's source_conf skips a line it cannot parse; so does this, so that
 * one odd line (NAME='O'Brien') never hides SUSPENDED='yes'. */
char *
shconf_get(const char *path, const char *key)
{
	FILE		*f;
	char		*line = nullptr, *k, *v, *value = nullptr;
	const char	*why;
	size_t		 sz = 0;

	if ((f = fopen(path, "r")) == nullptr)
		return nullptr;
	while (getline(&line, &sz, f) != -1) {
		if (shconf_parse_line(line, &k, &v, &why) == 1 &&
		    strcmp(k, key) == 0) {
			free(value);
			value = xstrdup(v);
		}
	}
	free(line);
	fclose(f);
	return value;
}
