/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The gate, "who is this": every request passes gate_begin, which runs the
 * checks its endpoint's level asks for (http.h, enum gate_level) — the
 * switches, the client's address against the allowlist and the lockout,
 * the credentials and their verification — and, for a command, asks
 * authz.h whether this key may run it; then ep->run or ep->refuse. */
#ifndef GATE_H
#define GATE_H

#include <stdint.h>

struct request;

void	 gate_begin(struct request *);

/* verify's settle hook: count a failed or abandoned attempt. */
void	 gate_settle(const char *who, const char *client, const char *addr,
	    int result);

/* Failed logins counted against a client address since start. */
uint64_t gate_login_failures(void);

#endif
