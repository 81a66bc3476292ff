/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The client's address: never taken from a header unless the peer that
 * sent it is a proxy we were told to trust, and then from the one header
 * that proxy is configured to set (PROXY_HEADER). */
/*
 * Why one header and not a preference order: a proxy overwrites or appends
 * the header it sets, but passes every other header on as the client wrote
 * it. Behind nginx with "proxy_set_header X-Real-IP $remote_addr" alone, a
 * client's own X-Forwarded-For arrives untouched; a daemon that preferred
 * it would let the client choose its address. So the admin names the header
 * the proxy sets, and nothing else is read.
 *
 * Why the last header line and the right-most hop: a proxy that appends
 * (X-Forwarded-For $proxy_add_x_forwarded_for, or a second header line)
 * puts what it saw after what the client wrote.
 *
 * A trusted peer that sends no usable header has no known client: the
 * address is empty, which no allowlist admits. Falling back to the peer
 * would admit every client of a misconfigured proxy as the proxy itself.
 */
#include <sys/queue.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "apid.h"
#include "acl.h"
#include "clientip.h"

static const char *const clientip_headers[] = {
	"X-Real-IP", "X-Forwarded-For", "CF-Connecting-IP",
};

static struct acl	*clientip_trusted;
static int		 clientip_trust_unix;
static const char	*clientip_header = "X-Real-IP";

/* The canonical spelling of a PROXY_HEADER value, or nullptr. */
const char *
clientip_header_name(const char *name)
{
	size_t	 i;

	for (i = 0; i < nitems(clientip_headers); i++) {
		if (strcasecmp(name, clientip_headers[i]) == 0)
			return clientip_headers[i];
	}
	return nullptr;
}

int
clientip_init(const char *trusted, const char *header, char **cause)
{
	struct acl	*acl;
	const char	*name;
	char		*list, *p, *w;
	int		 unix_ok = 0, rv = -1;

	if ((name = clientip_header_name(header)) == nullptr) {
		xasprintf(cause, "PROXY_HEADER: %s: expected X-Real-IP, "
		    "X-Forwarded-For or CF-Connecting-IP", header);
		return -1;
	}
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
	clientip_header = name;
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
	clientip_header = "X-Real-IP";
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

void
clientip_key(const char *client, int prefix6, char *out, size_t outlen)
{
	struct in6_addr	 a6;
	char		 net[INET6_ADDRSTRLEN];
	int		 i;

	snprintf(out, outlen, "%s", client);
	if (prefix6 >= 128 || strchr(client, ':') == nullptr ||
	    inet_pton(AF_INET6, client, &a6) != 1)
		return;
	for (i = 0; i < 16; i++) {
		if (i * 8 >= prefix6)
			a6.s6_addr[i] = 0;
		else if (i * 8 + 8 > prefix6)
			a6.s6_addr[i] &= (uint8_t)(0xff << (8 - prefix6 % 8));
	}
	if (inet_ntop(AF_INET6, &a6, net, sizeof net) != nullptr)
		snprintf(out, outlen, "%s/%d", net, prefix6);
}

int
clientip_trusted_peer(const char *addr)
{
	if (strcmp(addr, "unix") == 0)
		return clientip_trust_unix;
	return clientip_trusted != nullptr &&
	    acl_match(clientip_trusted, addr);
}

/* The canonical address in s[0..len), blanks around it ignored; -1 when
 * it is not one. */
static int
clientip_element(const char *s, size_t len, char *out, size_t outlen)
{
	char	 buf[64];

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return clientip_canonical(buf, out, outlen);
}

/*
 * Walk the hops of every X-Forwarded-For line from the right: the first
 * that is not a trusted proxy is the client. 1 found, 0 every hop was a
 * trusted proxy (then *out is the left-most), -1 a hop that is not an
 * address came first (nothing to its left can be believed).
 */
static int
clientip_forwarded_for(const char *const *lines, int nlines, char *out,
    size_t outlen)
{
	const char	*v, *end, *comma;
	char		 canon[64];
	int		 i, found = 0;

	for (i = nlines - 1; i >= 0; i--) {
		v = lines[i];
		end = v + strlen(v);
		for (;;) {
			comma = end;
			while (comma > v && comma[-1] != ',')
				comma--;
			if (clientip_element(comma, end - comma, canon,
			    sizeof canon) == -1)
				return -1;
			snprintf(out, outlen, "%s", canon);
			found = 1;
			if (!clientip_trusted_peer(canon))
				return 1;
			if (comma == v)
				break;
			end = comma - 1;
		}
	}
	return found ? 0 : -1;
}

void
clientip_resolve(const char *peer, const struct evkeyvalq *headers,
    char *out, size_t outlen)
{
	const struct evkeyval	*kv;
	const char		*lines[16], *last = nullptr;
	char			 canon[64];
	int			 n = 0;

	snprintf(out, outlen, "%s", peer);
	if (peer[0] == '\0' || !clientip_trusted_peer(peer))
		return;
	/* Only the header the proxy sets; its last line is the proxy's. */
	TAILQ_FOREACH(kv, headers, next) {
		if (strcasecmp(kv->key, clientip_header) != 0)
			continue;
		last = kv->value;
		if (n < (int)nitems(lines))
			lines[n] = kv->value;
		n++;
	}
	out[0] = '\0';
	if (last == nullptr || n > (int)nitems(lines))
		return;		/* no header, or more lines than any proxy sets */
	if (clientip_header == clientip_headers[1]) {
		if (clientip_forwarded_for(lines, n, canon, sizeof canon) != -1)
			snprintf(out, outlen, "%s", canon);
		return;
	}
	if (clientip_element(last, strlen(last), canon, sizeof canon) == 0)
		snprintf(out, outlen, "%s", canon);
}
