/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The built-in v-make-tmp-file of Hestia's index.php, made safe. */
#ifndef TMPFILE_H
#define TMPFILE_H

#include <stddef.h>

/* ^[A-Za-z0-9._-]+$ and not a dot-file. */
int	 tmpfile_name_valid(const char *);

/* Write data to dir/name, mode 0600, replacing an old regular file of ours
 * by rename (a symlink there is replaced, never followed). Returns 0, or -1
 * with *cause. */
int	 tmpfile_write(const char *dir, const char *name, const char *data,
	    size_t len, char **cause);

#endif
