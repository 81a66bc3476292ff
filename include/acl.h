/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Client address allowlists: CIDR rules in per-prefix-length hash tables. */
#ifndef ACL_H
#define ACL_H

#include <stddef.h>

/*
 * An acl is built with acl_new() and acl_add() and is immutable from then on:
 * any number of readers may call acl_match() on it at once, nobody adds to
 * it after it has been published. A lookup costs, whatever the number of
 * rules, two loads for the v4 rules to /16 (a probe per v6 length to /32
 * present), one probe of a summary, and one hash probe per prefix length
 * that rules inside the client's /16 (v6: its /32) have.
 */
struct acl;

struct acl	*acl_new(void);

/*
 * Add a rule: "a.b.c.d", "a.b.c.d/n", "v6" or "v6/n". A bare v4 address is a
 * /32, a bare v6 address a /128. "::ffff:a.b.c.d[/n]" is the v4 rule
 * a.b.c.d/(n-96), so that v4-mapped clients match it. Set host bits are an
 * error whose message names the network ("10.1.2.3/8: host bits set; did you
 * mean 10.0.0.0/8?"). "/0" is allowed: 0.0.0.0/0 admits every v4 client, ::/0
 * every v6 one. A duplicate is stored once. Returns 0, or -1 and an allocated
 * *cause.
 */
int		 acl_add(struct acl *, const char *cidr, char **cause);

/*
 * Is this client address, as inet_ntop prints it, inside a rule? A v4-mapped
 * v6 address ("::ffff:1.2.3.4") is the v4 client it maps and matches v4
 * rules only. Empty or unparseable text (zone IDs included) never matches.
 */
int		 acl_match(const struct acl *, const char *ip);

/* The same for a binary address in network order: AF_INET with 4 bytes, or
 * AF_INET6 with 16. Any other family never matches. */
int		 acl_match_addr(const struct acl *, int family,
		    const void *addr);

/* The number of distinct rules held. */
size_t		 acl_count(const struct acl *);

void		 acl_free(struct acl *);

/*
 * The canonical text of a rule, for storage and listings: the network in
 * inet_ntop's form, with "/n" unless it is a single address (/32 or /128);
 * a v4-mapped rule is written as its v4 rule. Canonical text parses back to
 * itself. Input is checked as acl_add() checks it. Returns 0, or -1 and an
 * allocated *cause (also when out is shorter than ACL_TEXTLEN and the text
 * does not fit).
 */
#define ACL_TEXTLEN	50	/* INET6_ADDRSTRLEN + "/128" */
int		 acl_canonical(const char *cidr, char *out, size_t outlen,
		    char **cause);

/*
 * An acl for Hestia's API_ALLOWED_IP. The whole value "allow-all" admits
 * every address; otherwise it is a comma list of addresses or CIDRs. The
 * entry "0.0.0.0" admits every address when access_key is 1 (Hestia's
 * v2-only wildcard) and is the plain address 0.0.0.0 otherwise. Entries that
 * are not an address or a CIDR (" 1.2.3.4": Hestia does not trim, and such an
 * entry never matched; "" from ",,"; "allow-all" inside a list) are skipped
 * and counted in *skipped (which may be nullptr). An empty list admits
 * nobody, and neither does any acl an empty client address. Allow-all and
 * the wildcard are the rules 0.0.0.0/0 and ::/0.
 */
struct acl	*acl_from_hestia(const char *list, int access_key,
		    int *skipped);

#endif
