/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hestia's comma lists (COMMANDS, PERMISSIONS, --perm, --allow). */
#ifndef STRLIST_H
#define STRLIST_H

/* The items of "a, b,,c": blanks around each dropped, empty ones left
 * out. Returns a nullptr-terminated array of *n allocated strings. */
char	**strlist_split(const char *s, int *n);
void	  strlist_free(char **v, int n);

#endif
