/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The global allowlist: Hestia's API_ALLOWED_IP and the database's allow
 * table, held in prefix tables rebuilt only when either changes. */
#ifndef ALLOW_H
#define ALLOW_H

/* 1 when the client may use the API: in API_ALLOWED_IP (with Hestia's
 * allow-all, and 0.0.0.0 for access keys only) or in the allow table. An
 * empty or unknown address is never admitted. */
int	 allow_global(const char *allowed_ip, const char *client,
	    int access_key);
/* 1 when client is inside a key's own list ("a,b,c" of CIDRs; empty: no
 * list of its own, so 1). */
int	 allow_key(const char *list, const char *client);
/* Forget the tables (SIGHUP, tests). */
void	 allow_reset(void);

#endif
