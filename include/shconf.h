/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shell-style KEY='value' files: our config, hestia.conf, Hestia's data. */
#ifndef SHCONF_H
#define SHCONF_H

/* Parse one line in place. Returns 1 with *key and *value pointing into
 * line, 0 for a blank or comment line, -1 with *why (static) on error. */
int	 shconf_parse_line(char *line, char **key, char **value,
	    const char **why);

/* Called for each KEY=value of a file; return -1 (with *cause) to stop. */
typedef int (*shconf_cb)(const char *key, const char *value, int lineno,
	    void *arg, char **cause);

/* Read a whole file. Returns 0, or -1 with *cause ("file:line: why"). */
int	 shconf_read(const char *path, shconf_cb cb, void *arg, char **cause);

/* Parse a whole file for one key (Hestia data files). Returns an allocated
 * value, or nullptr when the file or the key is missing. */
char	*shconf_get(const char *path, const char *key);

#endif
