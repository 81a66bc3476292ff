/* SPDX-License-Identifier: GPL-3.0-or-later */
/* "May this key run this command": command syntax and script, the key's
 * permissions, API_SYSTEM, the USER argument; the gate asks once it knows
 * who is behind the credentials. */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "authz.h"
#include "cmd.h"
#include "cmdinfo.h"
#include "config.h"
#include "db.h"
#include "hestia.h"
#include "http.h"

int
authz_cmd_valid(const char *cmd)
{
	const char	*p;

	if (*cmd == '\0')
		return 0;
	for (p = cmd; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return 0;
	}
	return 1;
}

/* PHP's empty(): "" and "0" are empty. */
static int
authz_empty(const char *s)
{
	return s == nullptr || s[0] == '\0' || strcmp(s, "0") == 0;
}

int
authz_check_cmd(struct request *r)
{
	if (authz_empty(r->cmd)) {
		r->ep->refuse(r, E_INVALID, "Command not provided");
		return -1;
	}
	/* Hestia echoed the bad name back; we never reflect input here. */
	if (!authz_cmd_valid(r->cmd)) {
		r->ep->refuse(r, E_INVALID, "Command invalid");
		return -1;
	}
	return 0;
}

int
authz_api_system(struct request *r, const struct hestia_switches *sw)
{
	if (!r->who.is_root && sw->api_system < 2) {
		r->ep->refuse(r, E_API_DISABLED, "API has been disabled");
		return -1;
	}
	return 0;
}

/*
 * A non-admin key may name only its own user in the command's USER
 * argument (position from the script's "# options:" line). Hestia checks
 * the request's argN but runs the compacted argv, so leaving out an
 * earlier argument shifts another value into the USER slot; we require
 * both the argN sent and the argument the command receives to match.
 */
static int
authz_user_arg_ok(struct request *r)
{
	const struct cmdinfo	*info;
	const char		*sent = nullptr;
	int			 pos, i;

	if (r->cmd_path == nullptr)
		return 1;	/* the built-in v-make-tmp-file */
	if ((info = cmdinfo_get_id(r->cmd_path, &r->cmd_id)) == nullptr)
		return 0;
	if ((pos = info->user_pos) == 0)
		return 1;	/* Hestia: no USER option, no restriction */
	for (i = 0; i < r->nargs; i++) {
		if (r->argpos[i] == pos)
			sent = r->args[i];
	}
	return sent != nullptr && strcmp(sent, r->who.user) == 0 &&
	    pos <= r->nargs && strcmp(r->args[pos - 1], r->who.user) == 0;
}

/* The command's script, and which version of it (for its "# options:"
 * line, read by path and version without another stat). */
static int
authz_resolve(struct request *r)
{
	struct stat	 st;

	if ((r->cmd_path = cmd_resolve_stat(env->conf, r->cmd, &st)) ==
	    nullptr)
		return -1;
	cmdinfo_id_set(&r->cmd_id, &st);
	return 0;
}

int
authz_key(struct request *r, const struct hestia_switches *sw,
    const char *key_id, int nperms)
{
	char	*msg, *cause = nullptr;
	int	 may;

	if (strcmp(r->cmd, CMD_MAKE_TMP_FILE) != 0) {
		if (authz_resolve(r) == -1) {
			xasprintf(&msg, "Command %s not found", r->cmd);
			r->ep->refuse(r, E_FORBIDEN, msg);
			free(msg);
			return -1;
		}
	}
	if (nperms == 0)
		may = r->who.is_root;
	else if ((may = db_key_may_run(env->db, key_id, r->cmd,
	    &cause)) == -1) {
		log_warnx("key database: %s; answered 500", cause);
		free(cause);
		r->ep->refuse(r, 500, "Key database unavailable");
		return -1;
	}
	if (!may) {
		xasprintf(&msg, "Key %s don't have permission to run the "
		    "command %s", key_id, r->cmd);
		r->ep->refuse(r, E_FORBIDEN, msg);
		free(msg);
		return -1;
	}
	if (authz_api_system(r, sw) == -1)
		return -1;
	if (!r->who.is_root && !authz_user_arg_ok(r)) {
		/* Hestia's text, its literal backslashes included. */
		xasprintf(&msg, "Key %s - the \"user\" argument doesn\\'t "
		    "match the key\\'s user", key_id);
		r->ep->refuse(r, E_FORBIDEN, msg);
		free(msg);
		return -1;
	}
	return 0;
}

int
authz_legacy(struct request *r)
{
	/* Hestia checks the command only once the login succeeded. */
	if (authz_check_cmd(r) == -1)
		return -1;
	if (strcmp(r->cmd, CMD_MAKE_TMP_FILE) != 0)
		authz_resolve(r);
	return 0;
}
