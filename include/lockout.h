/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Per-client-IP failure counting and bans (LOCKOUT), in bounded memory. */
#ifndef LOCKOUT_H
#define LOCKOUT_H

#include <stddef.h>
#include <time.h>

/* Longest address kept, without the NUL: IPv6 text (INET6_ADDRSTRLEN - 1).
 * Longer strings are cut to this length, so they share an entry rather than
 * escape counting. */
#define LOCKOUT_IPLEN	45

struct lockout_conf {
	int	 max_failures;	/* failures within window that ban */
	int	 window;	/* seconds */
	int	 ban;		/* seconds */
};

/* Parse "5/600/600" (FAILURES/WINDOW/BAN, each >= 1). 0 or -1; on error
 * the conf is left untouched. */
int	 lockout_parse(const char *, struct lockout_conf *);

/* (Re)configure; max_entries bounds memory (e.g. 8192). Keeps current
 * entries when called again (SIGHUP) with new numbers: windows and bans
 * already running are measured with the new numbers from their start. */
void	 lockout_init(const struct lockout_conf *, size_t max_entries);
void	 lockout_free(void);

/* Seconds left of a ban on this address, or 0 when not banned. Addresses
 * are compared exactly (the caller canonicalises). `now` should come from
 * one clock that does not go backwards. */
int	 lockout_banned(const char *ip, time_t now);

/* Count a credential failure; returns 1 when this failure starts a ban. */
int	 lockout_failure(const char *ip, time_t now);

/* Failures counted against this address now (FAILURES while it is
 * banned), and FAILURES itself: a caller adds what is in flight. */
int	 lockout_failures(const char *ip, time_t now);
int	 lockout_max_failures(void);

/* Entries held, for metrics and tests. */
size_t	 lockout_size(void);

#endif
