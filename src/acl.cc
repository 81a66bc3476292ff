/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Client address allowlists. */
#include <string.h>

#include "apid.h"
#include "acl.h"

int
acl_hestia_allowed(const char *list, const char *client, int access_key)
{
	const char	*p = list, *end;
	size_t		 n, clen = strlen(client);

	if (strcmp(list, "allow-all") == 0)
		return 1;
	if (clen == 0)
		return 0;
	for (;;) {
		end = strchr(p, ',');
		n = end != nullptr ? (size_t)(end - p) : strlen(p);
		if (n == clen && memcmp(p, client, n) == 0)
			return 1;
		if (access_key && n == 7 && memcmp(p, "0.0.0.0", 7) == 0)
			return 1;
		if (end == nullptr)
			return 0;
		p = end + 1;
	}
}
