/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Who the client is: the socket's peer, unless that peer is a trusted proxy
 * (TRUSTED_PROXIES), whose forwarding headers are then believed. */
#ifndef CLIENTIP_H
#define CLIENTIP_H

#include <stddef.h>

struct evkeyvalq;

/* TRUSTED_PROXIES: a comma list of CIDRs and the word "unix" (the peer of
 * a unix-socket listener). Returns 0, or -1 with *cause; on error the old
 * list stays. */
int	 clientip_init(const char *trusted, char **cause);
void	 clientip_free(void);

/* The canonical text of an address (v4-mapped v6 as v4), or -1. */
int	 clientip_canonical(const char *text, char *out, size_t outlen);

/* The client's address from the peer and the request headers, into out:
 * from a trusted peer, the right-most untrusted X-Forwarded-For hop, else
 * X-Real-IP, else CF-Connecting-IP; from anyone else, the peer. */
void	 clientip_resolve(const char *peer, const struct evkeyvalq *headers,
	    char *out, size_t outlen);

#endif
