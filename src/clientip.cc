/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client's address: never taken from a header unless the peer that
 * sent it is a proxy we were told to trust. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "apid.h"
#include "acl.h"
#include "clientip.h"

static struct acl	*clientip_trusted;
static int		 clientip_trust_unix;

int
clientip_init(const char *trusted, char **cause)
{
	struct acl	*acl;
	char		*list, *p, *w;
	int		 unix_ok = 0, rv = -1;

	acl = acl_new();
	p = list = xstrdup(trusted);
	while ((w = strsep(&p, ",")) != nullptr) {
		while (*w == ' ')
			w++;
		if (*w == '\0')
			continue;
		if (strcmp(w, "unix") == 0) {
			unix_ok = 1;
			continue;
		}
		if (acl_add(acl, w, cause) == -1)
			goto done;
	}
	acl_free(clientip_trusted);
	clientip_trusted = acl;
	clientip_trust_unix = unix_ok;
	acl = nullptr;
	rv = 0;
done:
	acl_free(acl);
	free(list);
	return rv;
}

void
clientip_free(void)
{
	acl_free(clientip_trusted);
	clientip_trusted = nullptr;
	clientip_trust_unix = 0;
}

int
clientip_canonical(const char *text, char *out, size_t outlen)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;

	if (inet_pton(AF_INET, text, &a4) == 1)
		return inet_ntop(AF_INET, &a4, out, outlen) != nullptr ? 0 : -1;
	if (inet_pton(AF_INET6, text, &a6) != 1)
		return -1;
	if (IN6_IS_ADDR_V4MAPPED(&a6))
		return inet_ntop(AF_INET, &a6.s6_addr[12], out, outlen) !=
		    nullptr ? 0 : -1;
	return inet_ntop(AF_INET6, &a6, out, outlen) != nullptr ? 0 : -1;
}

static int
clientip_is_trusted(const char *addr)
{
	if (strcmp(addr, "unix") == 0)
		return clientip_trust_unix;
	return clientip_trusted != nullptr &&
	    acl_match(clientip_trusted, addr);
}

/* The right-most hop of X-Forwarded-For that is not a trusted proxy. */
static int
clientip_forwarded_for(const char *xff, char *out, size_t outlen)
{
	char	*list, *hop, *end, canon[64];
	int	 found = 0;

	list = xstrdup(xff);
	for (;;) {
		if ((hop = strrchr(list, ',')) != nullptr)
			*hop++ = '\0';
		else
			hop = list;
		while (*hop == ' ' || *hop == '\t')
			hop++;
		end = hop + strlen(hop);
		while (end > hop && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (clientip_canonical(hop, canon, sizeof canon) == -1)
			break;	/* garbage: believe nothing further left */
		if (!clientip_is_trusted(canon)) {
			snprintf(out, outlen, "%s", canon);
			found = 1;
			break;
		}
		if (hop == list)
			break;
	}
	free(list);
	return found;
}

void
clientip_resolve(const char *peer, const struct evkeyvalq *headers,
    char *out, size_t outlen)
{
	const char	*h;
	char		 canon[64];

	snprintf(out, outlen, "%s", peer);
	if (peer[0] == '\0' || !clientip_is_trusted(peer))
		return;
	if ((h = evhttp_find_header(headers, "X-Forwarded-For")) != nullptr &&
	    clientip_forwarded_for(h, out, outlen))
		return;
	if ((h = evhttp_find_header(headers, "X-Real-IP")) != nullptr &&
	    clientip_canonical(h, canon, sizeof canon) == 0) {
		snprintf(out, outlen, "%s", canon);
		return;
	}
	if ((h = evhttp_find_header(headers, "CF-Connecting-IP")) != nullptr &&
	    clientip_canonical(h, canon, sizeof canon) == 0)
		snprintf(out, outlen, "%s", canon);
}
