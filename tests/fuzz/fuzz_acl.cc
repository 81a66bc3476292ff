/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: CIDR allowlists, checked against a naive matcher that
 * compares each rule's bits one after the other, as acl.h describes. */
/*
 * Input: a byte of flags, then lines. Flag 1 clear: rules, one a line
 * ("N*rule" adds N rules from rule on, each in the next /16 or /32, so
 * that tables grow), up to an empty line, then client addresses. Flag 1
 * set: the first line is an API_ALLOWED_IP value for acl_from_hestia
 * (flag 2: access_key), the rest client addresses. Every answer is
 * compared with the naive one: client lines, and the first and last
 * address of rules and their neighbours, in both v4 spellings.
 */
#include <sys/socket.h>
#include <arpa/inet.h>

#include <ctype.h>

#include "apid.h"
#include "acl.h"
#include "fuzz.h"

#define FUZZ_MAX_RULES	16384
#define FUZZ_MAX_EXPAND	4096
#define FUZZ_PROBED	16	/* rules whose edges are probed, at most */
#define FUZZ_BUDGET	16384	/* edges probed times rules */

/* A rule as the naive matcher holds it. */
struct fuzz_rule {
	int		 family;	/* AF_INET or AF_INET6 */
	int		 len;
	unsigned char	 a[16];		/* v4 in a[0..3] */
};

static struct fuzz_rule	 fuzz_rules[FUZZ_MAX_RULES];
static size_t		 fuzz_nrules;

static int
fuzz_bit(const unsigned char *a, int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

/* ::ffff:0:0/96 */
static int
fuzz_mapped(const unsigned char *a)
{
	static const unsigned char prefix[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	return memcmp(a, prefix, sizeof prefix) == 0;
}

/* acl_add's syntax, restated: address, "/" and a length without sign or
 * leading zero, no host bit; a v4-mapped /96 or longer is a v4 rule. */
static int
fuzz_parse(const char *text, struct fuzz_rule *r)
{
	char		 addr[64];
	const char	*slash, *p;
	size_t		 n;
	int		 max, i;

	memset(r, 0, sizeof *r);
	slash = strchr(text, '/');
	n = slash != nullptr ? (size_t)(slash - text) : strlen(text);
	if (n >= sizeof addr)
		return -1;
	memcpy(addr, text, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, r->a) == 1) {
		r->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, r->a) == 1) {
		r->family = AF_INET6;
		max = 128;
	} else
		return -1;
	r->len = max;
	if (slash != nullptr) {
		p = slash + 1;
		if (strcmp(p, "0") != 0) {
			if (*p < '1' || *p > '9')
				return -1;
			for (i = 1; p[i] != '\0'; i++) {
				if (!isdigit((unsigned char)p[i]) || i == 3)
					return -1;
			}
		}
		if ((r->len = atoi(p)) > max)
			return -1;
	}
	for (i = r->len; i < max; i++) {
		if (fuzz_bit(r->a, i))
			return -1;
	}
	if (r->family == AF_INET6 && r->len >= 96 && fuzz_mapped(r->a)) {
		memmove(r->a, r->a + 12, 4);
		memset(r->a + 4, 0, 12);
		r->family = AF_INET;
		r->len -= 96;
	}
	return 0;
}

/* The naive matcher's copy of a rule; the callers stop adding rules to
 * the acl before this is full, else they would differ. */
static int	 fuzz_full;

static void
fuzz_keep(const struct fuzz_rule *r)
{
	if (fuzz_nrules < FUZZ_MAX_RULES)
		fuzz_rules[fuzz_nrules++] = *r;
	else
		fuzz_full = 1;
}

/* The naive matcher: every rule, its whole bytes then the bits left. */
static int
fuzz_naive(int family, const unsigned char *a)
{
	const struct fuzz_rule	*r;
	size_t			 i;
	int			 n, mask;

	for (i = 0; i < fuzz_nrules; i++) {
		r = &fuzz_rules[i];
		if (r->family != family)
			continue;
		n = r->len / 8;
		if (memcmp(r->a, a, n) != 0)
			continue;
		mask = (0xff00 >> (r->len % 8)) & 0xff;
		if (r->len % 8 == 0 || ((r->a[n] ^ a[n]) & mask) == 0)
			return 1;
	}
	return 0;
}

/* One client address, as text and as bytes, both ways. */
static void
fuzz_probe(const struct acl *acl, const char *ip)
{
	unsigned char	 a[16];
	int		 got, want = 0, bin;

	got = acl_match(acl, ip);
	memset(a, 0, sizeof a);
	if (inet_pton(AF_INET, ip, a) == 1) {
		want = fuzz_naive(AF_INET, a);
		bin = acl_match_addr(acl, AF_INET, a);
	} else if (inet_pton(AF_INET6, ip, a) == 1) {
		bin = acl_match_addr(acl, AF_INET6, a);
		want = fuzz_mapped(a) ? fuzz_naive(AF_INET, a + 12) :
		    fuzz_naive(AF_INET6, a);
	} else
		bin = got;
	if (got != want)
		fuzz_fail("%s: acl_match %d, naive %d", ip, got, want);
	if (bin != got)
		fuzz_fail("%s: acl_match_addr %d, acl_match %d", ip, bin, got);
}

/* Add (or take) one at bit (0 the first): the next (or previous)
 * network of a /(bit + 1), wrapping around. */
static void
fuzz_add(unsigned char *a, int bit, int down)
{
	int	 i = bit / 8;
	int	 v = 1 << (7 - bit % 8);

	for (; i >= 0; i--, v = 1) {
		if (!down) {
			v += a[i];
			a[i] = (unsigned char)v;
			if (v < 256)
				break;
		} else {
			v = a[i] - v;
			a[i] = (unsigned char)v;
			if (v >= 0)
				break;
		}
	}
}

static void
fuzz_probe_bytes(const struct acl *acl, int family, const unsigned char *a)
{
	char	 text[INET6_ADDRSTRLEN], mapped[INET6_ADDRSTRLEN + 8];

	inet_ntop(family, a, text, sizeof text);
	fuzz_probe(acl, text);
	if (family == AF_INET) {
		snprintf(mapped, sizeof mapped, "::ffff:%s", text);
		fuzz_probe(acl, mapped);
	}
}

/* The first and last address of a rule, and the ones either side. */
static void
fuzz_probe_edges(const struct acl *acl, const struct fuzz_rule *r)
{
	unsigned char	 a[16];
	int		 max = r->family == AF_INET ? 32 : 128, i;

	memcpy(a, r->a, sizeof a);
	fuzz_probe_bytes(acl, r->family, a);
	fuzz_add(a, max - 1, 1);
	fuzz_probe_bytes(acl, r->family, a);
	memcpy(a, r->a, sizeof a);
	for (i = r->len; i < max; i++)
		a[i / 8] |= 0x80 >> (i % 8);
	fuzz_probe_bytes(acl, r->family, a);
	fuzz_add(a, max - 1, 0);
	fuzz_probe_bytes(acl, r->family, a);
}

static int
fuzz_rule_cmp(const void *x, const void *y)
{
	const struct fuzz_rule	*a = (const struct fuzz_rule *)x;
	const struct fuzz_rule	*b = (const struct fuzz_rule *)y;

	if (a->family != b->family)
		return a->family - b->family;
	if (a->len != b->len)
		return a->len - b->len;
	return memcmp(a->a, b->a, sizeof a->a);
}

/* Distinct rules, as acl_count says. */
static size_t
fuzz_distinct(void)
{
	static struct fuzz_rule	 sorted[FUZZ_MAX_RULES];
	size_t			 i, n = 0;

	memcpy(sorted, fuzz_rules, fuzz_nrules * sizeof *sorted);
	qsort(sorted, fuzz_nrules, sizeof *sorted, fuzz_rule_cmp);
	for (i = 0; i < fuzz_nrules; i++) {
		if (i == 0 || fuzz_rule_cmp(&sorted[i - 1], &sorted[i]) != 0)
			n++;
	}
	return n;
}

/* acl_canonical of a rule acl_add took: the naive rule's text, which
 * parses back to itself and fits in exactly its length. */
static void
fuzz_canonical(const char *text, const struct fuzz_rule *r)
{
	char	 want[ACL_TEXTLEN + 8], out[ACL_TEXTLEN], again[ACL_TEXTLEN];
	char	*cause = nullptr, *small;
	size_t	 n;
	int	 max = r->family == AF_INET ? 32 : 128;

	inet_ntop(r->family, r->a, want, sizeof want);
	n = strlen(want);
	if (r->len != max)
		snprintf(want + n, sizeof want - n, "/%d", r->len);
	if (acl_canonical(text, out, sizeof out, &cause) == -1)
		fuzz_fail("%s: acl_canonical: %s", text, cause);
	if (strcmp(out, want) != 0)
		fuzz_fail("%s: canonical %s, expected %s", text, out, want);
	if (acl_canonical(out, again, sizeof again, &cause) == -1 ||
	    strcmp(again, out) != 0)
		fuzz_fail("%s: canonical %s is not a fixed point", text, out);
	/* Exactly the room it needs, then one byte short. */
	n = strlen(want) + 1;
	small = (char *)malloc(n);
	if (acl_canonical(text, small, n, &cause) == -1)
		fuzz_fail("%s: does not fit in %zu bytes", text, n);
	if (acl_canonical(text, small, n - 1, &cause) == 0)
		fuzz_fail("%s: fits in %zu bytes", text, n - 1);
	free(cause);
	free(small);
}

/* A rule line: acl_add and the naive parser agree; "N*rule" expands. */
static void
fuzz_rule_line(struct acl *acl, char *line)
{
	struct fuzz_rule	 r;
	char			*star, *cause = nullptr, text[ACL_TEXTLEN];
	char			 out[ACL_TEXTLEN];
	long			 count = 1, i;
	int			 got, want, bit;

	if (fuzz_nrules == FUZZ_MAX_RULES)
		return;
	if ((star = strchr(line, '*')) != nullptr &&
	    strspn(line, "0123456789") == (size_t)(star - line) &&
	    star != line) {
		count = strtol(line, nullptr, 10);
		if (count < 1 || count > FUZZ_MAX_EXPAND)
			count = 1;
		line = star + 1;
	}
	got = acl_add(acl, line, &cause);
	want = fuzz_parse(line, &r);
	if (got != want)
		fuzz_fail("\"%s\": acl_add %d, naive %d (%s)", line, got, want,
		    cause != nullptr ? cause : "");
	if ((got == -1) != (cause != nullptr))
		fuzz_fail("\"%s\": returned %d, cause %s", line, got,
		    cause != nullptr ? cause : "(none)");
	free(cause);
	cause = nullptr;
	if (acl_canonical(line, out, sizeof out, &cause) != got)
		fuzz_fail("\"%s\": acl_canonical and acl_add differ", line);
	free(cause);
	if (got == -1)
		return;
	fuzz_canonical(line, &r);
	fuzz_keep(&r);

	/* The next networks, each in another /16 (v6: /32) when it can. */
	bit = r.family == AF_INET ? 16 : 32;
	if (r.len < bit)
		bit = r.len;
	for (i = 1; i < count && bit > 0 && fuzz_nrules < FUZZ_MAX_RULES;
	    i++) {
		fuzz_add(r.a, bit - 1, 0);
		inet_ntop(r.family, r.a, text, sizeof text);
		snprintf(text + strlen(text), sizeof text - strlen(text),
		    "/%d", r.len);
		if (acl_add(acl, text, &cause) == -1)
			fuzz_fail("%s: refused: %s", text, cause);
		fuzz_keep(&r);
	}
}

/* acl_from_hestia's list, restated. */
static void
fuzz_hestia_naive(const char *list, int access_key, int *skipped)
{
	struct fuzz_rule	 r;
	char			*copy, *p, *entry;

	*skipped = 0;
	if (*list == '\0')
		return;
	if (strcmp(list, "allow-all") != 0) {
		p = copy = fuzz_str(list, strlen(list));
		while ((entry = strsep(&p, ",")) != nullptr) {
			if (access_key && strcmp(entry, "0.0.0.0") == 0)
				goto all;
			if (fuzz_parse(entry, &r) == -1)
				(*skipped)++;
			else
				fuzz_keep(&r);
			continue;
all:
			fuzz_parse("0.0.0.0/0", &r);
			fuzz_keep(&r);
			fuzz_parse("::/0", &r);
			fuzz_keep(&r);
		}
		free(copy);
		return;
	}
	fuzz_parse("0.0.0.0/0", &r);
	fuzz_keep(&r);
	fuzz_parse("::/0", &r);
	fuzz_keep(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*p, *end = data + size, *line;
	struct acl	*acl;
	char		*s;
	size_t		 len, i, step, probed;
	int		 flags, skipped, want;

	if (size < 1)
		return 0;
	flags = data[0];
	p = data + 1;
	fuzz_nrules = 0;
	fuzz_full = 0;

	if (flags & 1) {
		line = fuzz_line(&p, end, &len);
		s = line != nullptr ? fuzz_str(line, len) : fuzz_str("", 0);
		acl = acl_from_hestia(s, flags & 2 ? 1 : 0, &skipped);
		fuzz_hestia_naive(s, flags & 2 ? 1 : 0, &want);
		if (skipped != want)
			fuzz_fail("\"%s\": %d skipped, expected %d", s,
			    skipped, want);
		free(s);
	} else {
		acl = acl_new();
		while ((line = fuzz_line(&p, end, &len)) != nullptr &&
		    len != 0) {
			s = fuzz_str(line, len);
			fuzz_rule_line(acl, s);
			free(s);
		}
	}
	/* Only an API_ALLOWED_IP of over FUZZ_MAX_RULES entries. */
	if (fuzz_full) {
		acl_free(acl);
		return 0;
	}
	if (acl_count(acl) != fuzz_distinct())
		fuzz_fail("acl_count %zu, %zu distinct rules", acl_count(acl),
		    fuzz_distinct());

	while ((line = fuzz_line(&p, end, &len)) != nullptr) {
		s = fuzz_str(line, len);
		fuzz_probe(acl, s);
		free(s);
	}
	/* Fewer edges of many rules: the naive matcher reads them all. */
	probed = FUZZ_BUDGET / (fuzz_nrules + 1);
	probed = probed < 4 ? 4 : probed > FUZZ_PROBED ? FUZZ_PROBED : probed;
	step = fuzz_nrules / probed + 1;
	for (i = 0; i < fuzz_nrules; i += step)
		fuzz_probe_edges(acl, &fuzz_rules[i]);
	fuzz_probe(acl, "");
	if (acl_match_addr(acl, AF_UNIX, "0123456789abcdef") ||
	    acl_match_addr(acl, AF_INET, nullptr))
		fuzz_fail("a family other than v4 and v6 matched");
	acl_free(acl);
	return 0;
}
