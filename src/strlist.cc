/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hestia's comma lists. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "strlist.h"

char **
strlist_split(const char *s, int *n)
{
	char		**v, *copy, *p, *w, *end;
	const char	 *q;
	int		  max = 1;

	for (q = s; *q != '\0'; q++)
		max += *q == ',';
	v = XCALLOCARRAY(max + 1, char *);
	*n = 0;
	p = copy = xstrdup(s);
	while ((w = strsep(&p, ",")) != nullptr) {
		while (isspace((unsigned char)*w))
			w++;
		end = w + strlen(w);
		while (end > w && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (*w != '\0')
			v[(*n)++] = xstrdup(w);
	}
	free(copy);
	return v;
}

void
strlist_free(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
