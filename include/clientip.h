/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Who the client is: the socket's peer, unless that peer is a trusted proxy
 * (TRUSTED_PROXIES), whose PROXY_HEADER is then believed. */
#ifndef CLIENTIP_H
#define CLIENTIP_H

#include <stddef.h>

struct evkeyvalq;

/* TRUSTED_PROXIES: a comma list of CIDRs and the word "unix" (the peer of
 * a unix-socket listener); PROXY_HEADER: X-Real-IP, X-Forwarded-For or
 * CF-Connecting-IP, in any case. Returns 0, or -1 with *cause; on error
 * what was in force stays. */
int	 clientip_init(const char *trusted, const char *header, char **cause);
void	 clientip_free(void);

/* The canonical spelling of a PROXY_HEADER value, or nullptr. */
const char *clientip_header_name(const char *);

/* The canonical text of an address (v4-mapped v6 as v4), or -1. */
int	 clientip_canonical(const char *text, char *out, size_t outlen);

/* What a client's failures, attempts and connections are counted under:
 * an IPv4 address itself, an IPv6 address its /prefix6 network
 * ("2001:db8:1:2::/64"); anything else as it is. */
void	 clientip_key(const char *client, int prefix6, char *out,
	    size_t outlen);

/* 1 when addr (canonical, or "unix") is a trusted proxy. */
int	 clientip_trusted_peer(const char *addr);

/*
 * The client's address from the peer and the request headers, into out.
 * From a peer that is not a trusted proxy: the peer. From a trusted proxy:
 * its PROXY_HEADER, the last line of it; for X-Forwarded-For the right-most
 * hop that is not a trusted proxy (the left-most when all are). When that
 * header is missing, not an address, or a hop that is not an address comes
 * first, out is "": the client is unknown and no allowlist admits it.
 */
void	 clientip_resolve(const char *peer, const struct evkeyvalq *headers,
	    char *out, size_t outlen);

#endif
