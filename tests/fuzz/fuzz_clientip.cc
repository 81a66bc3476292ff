/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the client's address from the peer and the forwarding
 * headers, checked against a plain restatement of clientip.h. */
/*
 * Input: a byte of flags (PROXY_HEADER, or X-Real-IP after an unknown one;
 * whether the second line is a TRUSTED_PROXIES value to try), a byte for
 * LOCKOUT_V6_PREFIX, then lines: the peer (made canonical; "127.0.0.1"
 * when it is no address), maybe the trusted list, then "Name: value"
 * request headers.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <strings.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "apid.h"
#include "clientip.h"
#include "fuzz.h"

#define FUZZ_TRUSTED	"127.0.0.0/8,10.0.0.0/8,::1,2001:db8::/32,unix"
#define FUZZ_OUTLEN	64	/* struct request's */
#define FUZZ_LINES	16	/* header lines clientip_resolve reads */

/* PROXY_HEADER, in any case; the last is followed by a refused one. */
static const char *const fuzz_headers[] = {
	"X-Real-IP", "x-forwarded-for", "CF-CONNECTING-IP", "x-real-ip",
};

/* Addresses whose trust tells one TRUSTED_PROXIES from another. */
static const char *const fuzz_probes[] = {
	"127.0.0.1", "10.1.2.3", "::1", "2001:db8::1", "unix", "192.0.2.1",
	"2001:db9::1", "0.0.0.0", "::",
};

/* Canonical, or nullptr: an element of a header value, blanks around. */
static int
fuzz_element(const char *s, size_t len, char *out)
{
	char	 buf[FUZZ_OUTLEN];

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
	return clientip_canonical(buf, out, FUZZ_OUTLEN);
}

/* clientip.h's comment on clientip_resolve, restated. */
static void
fuzz_resolve(const char *peer, const struct evkeyvalq *headers,
    const char *header, char *out)
{
	const struct evkeyval	*kv;
	const char		*lines[FUZZ_LINES], *v, *e, *c;
	char			 canon[FUZZ_OUTLEN];
	int			 n = 0, i;

	snprintf(out, FUZZ_OUTLEN, "%s", peer);
	if (*peer == '\0' || !clientip_trusted_peer(peer))
		return;
	out[0] = '\0';
	TAILQ_FOREACH(kv, headers, next) {
		if (strcasecmp(kv->key, header) != 0)
			continue;
		if (n == FUZZ_LINES)
			return;		/* more than any proxy sets */
		lines[n++] = kv->value;
	}
	if (n == 0)
		return;
	if (strcmp(header, "X-Forwarded-For") != 0) {
		if (fuzz_element(lines[n - 1], strlen(lines[n - 1]), canon) ==
		    0)
			snprintf(out, FUZZ_OUTLEN, "%s", canon);
		return;
	}
	/* Right to left over every hop of every line. */
	for (i = n - 1; i >= 0; i--) {
		v = lines[i];
		e = v + strlen(v);
		for (;;) {
			for (c = e; c > v && c[-1] != ','; c--)
				;
			if (fuzz_element(c, e - c, canon) == -1) {
				out[0] = '\0';
				return;
			}
			snprintf(out, FUZZ_OUTLEN, "%s", canon);
			if (!clientip_trusted_peer(canon))
				return;
			if (c == v)
				break;
			e = c - 1;
		}
	}
}

/* out is what clientip_key must make of client. */
static void
fuzz_key(const char *client, int prefix6)
{
	char		 out[FUZZ_OUTLEN], net[FUZZ_OUTLEN], *slash;
	unsigned char	 a[16];
	int		 i;

	clientip_key(client, prefix6, out, sizeof out);
	if (strchr(client, ':') == nullptr || prefix6 >= 128) {
		if (strcmp(out, client) != 0)
			fuzz_fail("key of %s is %s", client, out);
		return;
	}
	/* The /prefix6 network: masked, and as inet_ntop writes it. */
	if ((slash = strchr(out, '/')) == nullptr || atoi(slash + 1) !=
	    prefix6)
		fuzz_fail("key of %s /%d is %s", client, prefix6, out);
	*slash = '\0';
	if (inet_pton(AF_INET6, out, a) != 1)
		fuzz_fail("key of %s /%d is %s", client, prefix6, out);
	for (i = prefix6; i < 128; i++) {
		if (a[i / 8] & (0x80 >> (i % 8)))
			fuzz_fail("key of %s /%d has host bits", client,
			    prefix6);
	}
	inet_ntop(AF_INET6, a, net, sizeof net);
	if (strcmp(net, out) != 0)
		fuzz_fail("key of %s /%d is not canonical", client, prefix6);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*p, *end = data + size, *line;
	struct evkeyvalq headers;
	const char	*header;
	char		*s, *colon, *v, *cause = nullptr;
	char		 peer[FUZZ_OUTLEN], out[FUZZ_OUTLEN], want[FUZZ_OUTLEN];
	char		 canon[FUZZ_OUTLEN];
	int		 flags, prefix6, before[nitems(fuzz_probes)];
	size_t		 len, i;

	if (size < 2)
		return 0;
	flags = data[0];
	prefix6 = 1 + data[1] % 128;
	p = data + 2;
	TAILQ_INIT(&headers);

	header = fuzz_headers[flags & 3];
	if (clientip_init(FUZZ_TRUSTED, header, &cause) == -1)
		fuzz_fail("PROXY_HEADER %s refused: %s", header, cause);
	header = clientip_header_name(header);
	/* Another header name is refused, and changes nothing. */
	if ((flags & 3) == 3 &&
	    (clientip_init("", "X-Bogus", &cause) != -1 || cause == nullptr ||
	    !clientip_trusted_peer("127.0.0.1")))
		fuzz_fail("PROXY_HEADER X-Bogus taken");
	free(cause);
	cause = nullptr;

	if ((line = fuzz_line(&p, end, &len)) == nullptr)
		return 0;
	s = fuzz_str(line, len);
	if (clientip_canonical(s, peer, sizeof peer) == -1)
		snprintf(peer, sizeof peer, "%s", strcmp(s, "unix") == 0 ||
		    *s == '\0' ? s : "127.0.0.1");
	free(s);

	/* A trusted list that is refused leaves the old one in force. */
	if ((flags & 4) && (line = fuzz_line(&p, end, &len)) != nullptr) {
		for (i = 0; i < nitems(fuzz_probes); i++)
			before[i] = clientip_trusted_peer(fuzz_probes[i]);
		s = fuzz_str(line, len);
		if (clientip_init(s, header, &cause) == -1) {
			if (cause == nullptr)
				fuzz_fail("init failed without a cause");
			for (i = 0; i < nitems(fuzz_probes); i++) {
				if (clientip_trusted_peer(fuzz_probes[i]) !=
				    before[i])
					fuzz_fail("refused list changed trust");
			}
			free(cause);
			cause = nullptr;
		}
		free(s);
	}

	while ((line = fuzz_line(&p, end, &len)) != nullptr) {
		s = fuzz_str(line, len);
		if ((colon = strchr(s, ':')) != nullptr) {
			*colon = '\0';
			for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
				;
			/* libevent refuses what a request could not carry. */
			(void)evhttp_add_header(&headers, s, v);
		}
		free(s);
	}

	clientip_resolve(peer, &headers, out, sizeof out);
	fuzz_resolve(peer, &headers, header, want);
	if (strcmp(out, want) != 0)
		fuzz_fail("peer %s: client \"%s\", expected \"%s\"", peer, out,
		    want);
	if (out[0] != '\0' && strcmp(out, "unix") != 0 &&
	    (clientip_canonical(out, canon, sizeof canon) == -1 ||
	    strcmp(canon, out) != 0))
		fuzz_fail("client \"%s\" is not canonical", out);
	fuzz_key(out, prefix6);
	fuzz_key(peer, prefix6);

	evhttp_clear_headers(&headers);
	return 0;
}
