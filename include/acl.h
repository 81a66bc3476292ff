/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Client address allowlists. */
#ifndef ACL_H
#define ACL_H

/* Hestia's API_ALLOWED_IP: the whole value "allow-all" admits everyone;
 * otherwise a comma list of addresses compared exactly, plus (for access
 * keys only, as Hestia) the wildcard entry 0.0.0.0. Unlike Hestia, an empty
 * client address is never admitted. */
int	 acl_hestia_allowed(const char *list, const char *client,
	    int access_key);

#endif
