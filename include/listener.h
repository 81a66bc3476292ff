/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LISTEN's addresses: their syntax, and whether a process holds one. */
#ifndef LISTENER_H
#define LISTENER_H

#include <stddef.h>

/* "HOST:PORT" or "[V6]:PORT"; fills host (brackets removed) and port.
 * Returns 0, or -1 when spec is neither. */
int	 listener_split(const char *spec, char *host, size_t hostlen,
	    int *port);

/* The address of a unix socket at path (absolute, short enough for
 * sun_path). Returns 0, or -1 with *cause ("LISTEN: unix:PATH: ..."). */
struct sockaddr_un;
int	 listener_unix_addr(const char *path, struct sockaddr_un *sun,
	    char **cause);

enum listener_state {
	LISTENER_FREE,		/* bindable, or nothing to tell */
	LISTENER_OURS,		/* held by a hestia-apid or by systemd */
	LISTENER_TAKEN,		/* held by another process */
};

/*
 * Whether one LISTEN entry ("HOST:PORT", "[V6]:PORT", "unix:/path") is
 * held already: a TCP address is bound for a moment, a unix socket is
 * connected to. OURS means a hestia-apid (a reload's -n sees its own
 * daemon) or pid 1 (systemd's socket unit) holds it. OURS and TAKEN set
 * *cause to "LISTEN: SPEC: in use by NAME (pid N)". Returns the state,
 * or -1 with *cause when spec is not an address or could never be bound.
 */
int	 listener_check(const char *spec, char **cause);

#endif
