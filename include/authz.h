/* SPDX-License-Identifier: GPL-3.0-or-later */
/* "May this key run this command": the command's name and script, the
 * key's permissions, API_SYSTEM for keys of other users than ROOT_USER,
 * and the USER argument rule. Who the key is, the gate (gate.h) has
 * settled before; each check that fails answers with ep->refuse. */
#ifndef AUTHZ_H
#define AUTHZ_H

struct hestia_switches;
struct request;

/* Hestia's cmd syntax: ^[A-Za-z0-9_-]+$ */
int	 authz_cmd_valid(const char *);
/* The request names a command of that syntax: 0, else refused and -1. */
int	 authz_check_cmd(struct request *);
/* The principal's user may use the API as API_SYSTEM says (ROOT_USER
 * always; others only at 2), by the switches in force: 0, else refused
 * and -1. */
int	 authz_api_system(struct request *,
	    const struct hestia_switches *);
/* An access key whose secret matched (r->who set) may run r->cmd: it
 * exists in BIN_DIR (r->cmd_path set), the key holds a permission for it
 * (nperms 0: ROOT_USER's keys only), API_SYSTEM allows its user, and a
 * non-admin key names only its own user. 0, else refused and -1. */
int	 authz_key(struct request *, const struct hestia_switches *,
	    const char *key_id, int nperms);
/* A legacy login (ROOT_USER, every right) runs a command of Hestia's
 * syntax; r->cmd_path is set when the script exists. 0, else -1. */
int	 authz_legacy(struct request *);

#endif
