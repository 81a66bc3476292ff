/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shell-style KEY='value' files: our config, hestia.conf, Hestia's data. */
#ifndef SHCONF_H
#define SHCONF_H

#include <stddef.h>
#include <stdio.h>

/* Parse one line in place. Returns 1 with *key and *value pointing into
 * line, 0 for a blank or comment line, -1 with *why (static) on error. */
int	 shconf_parse_line(char *line, char **key, char **value,
	    const char **why);

/* Called for each KEY=value of a file; return -1 (with *cause) to stop. */
typedef int (*shconf_cb)(const char *key, const char *value, int lineno,
	    void *arg, char **cause);

/* Read a whole file. Returns 0, or -1 with *cause ("file:line: why"). */
int	 shconf_read(const char *path, shconf_cb cb, void *arg, char **cause);
/* The same from an open file (path names it in messages). */
int	 shconf_read_file(FILE *, const char *path, shconf_cb cb, void *arg,
	    char **cause);

/* A key of one of Hestia's own files, as Hestia reads it. */
struct shconf_var {
	const char	*name;
	char		*value;		/* allocated; nullptr when not set */
	char		*bash;		/* what bash's source alone left */
	int		 bash_unknown;	/* a line bash would do more with than
					 * assign may set it */
	int		 uncertain;	/* value unknown: bash_unknown, and
					 * source_conf did not assign it; the
					 * caller fails closed */
};

/*
 * Read a file of Hestia's (hestia.conf, user.conf) as v-list-sys-config
 * does: bash's `source`, then Hestia's source_conf, whose value wins for
 * every key it reads. Fills value and uncertain of each var. Returns 0,
 * or -1 with *cause when the file cannot be read (or is over 1 MiB).
 */
int	 shconf_hestia(const char *path, struct shconf_var *vars,
	    size_t nvars, char **cause);
/* The same on the bytes of such a file (not NUL-terminated), which
 * cannot fail: what shconf_hestia runs on what it read. */
void	 shconf_hestia_buf(const char *buf, size_t len,
	    struct shconf_var *vars, size_t nvars);
/* 1 when the file holds needle, 0 when not, -1 when it cannot be read. */
int	 shconf_contains(const char *path, const char *needle);
void	 shconf_vars_free(struct shconf_var *vars, size_t nvars);

/* Hestia's source_conf on one line (without its newline): 1 with *key
 * and *value allocated, or 0 when it assigns nothing (both nullptr). */
int	 shconf_source_conf_line(const char *line, size_t len, char **key,
	    char **value);

#endif
