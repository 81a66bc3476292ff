/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The global allowlist, rebuilt whole and swapped when its sources change:
 * a request never sees a half-built table. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apid.h"
#include "acl.h"
#include "allow.h"
#include "db.h"

/* One API_ALLOWED_IP value, built for both kinds of login. */
static char		*allow_hestia_src;
static struct acl	*allow_hestia_key;	/* with the 0.0.0.0 wildcard */
static struct acl	*allow_hestia_legacy;
static struct acl	*allow_db;
static int64_t		 allow_db_gen = -1;

void
allow_reset(void)
{
	free(allow_hestia_src);
	allow_hestia_src = nullptr;
	acl_free(allow_hestia_key);
	acl_free(allow_hestia_legacy);
	acl_free(allow_db);
	allow_hestia_key = allow_hestia_legacy = allow_db = nullptr;
	allow_db_gen = -1;
}

static void
allow_db_row_cb(const char *cidr, void *arg)
{
	struct acl	*acl = (struct acl *)arg;
	char		*cause = nullptr;

	if (acl_add(acl, cidr, &cause) == -1) {
		log_warnx("allow table: %s", cause);
		free(cause);
	}
}

/* Rebuild API_ALLOWED_IP's tables when its text changed. */
static void
allow_refresh_hestia(const char *allowed_ip)
{
	int	 skipped = 0, skipped_legacy = 0;

	if (allow_hestia_src != nullptr &&
	    strcmp(allow_hestia_src, allowed_ip) == 0)
		return;
	acl_free(allow_hestia_key);
	acl_free(allow_hestia_legacy);
	allow_hestia_key = acl_from_hestia(allowed_ip, 1, &skipped);
	allow_hestia_legacy = acl_from_hestia(allowed_ip, 0, &skipped_legacy);
	if (skipped > 0)
		log_warnx("API_ALLOWED_IP: %d entries are not addresses and "
		    "never match", skipped);
	free(allow_hestia_src);
	allow_hestia_src = xstrdup(allowed_ip);
}

/* Rebuild the allow table when its change counter moved (one indexed
 * read). */
static void
allow_refresh_db(void)
{
	struct acl	*acl;
	char		*cause = nullptr;
	int64_t		 gen;

	if (env == nullptr || env->db == nullptr)
		return;
	gen = db_allow_generation(env->db);
	if (gen == allow_db_gen && allow_db != nullptr)
		return;
	acl = acl_new();
	if (db_allow_each(env->db, allow_db_row_cb, acl, &cause) == -1) {
		/* Keep the old table rather than admit or refuse wrongly. */
		log_warnx("%s", cause);
		free(cause);
		acl_free(acl);
		return;
	}
	acl_free(allow_db);
	allow_db = acl;
	allow_db_gen = gen;
}

int
allow_global(const char *allowed_ip, const char *client, int access_key)
{
	/* A client of a unix socket has no address for a table to match:
	 * only allow-all, every client, admits it. (An unknown address,
	 * "", stays refused even then.) */
	if (strcmp(client, "unix") == 0)
		return strcmp(allowed_ip, "allow-all") == 0;
	allow_refresh_hestia(allowed_ip);
	if (acl_match(access_key ? allow_hestia_key : allow_hestia_legacy,
	    client))
		return 1;
	/* The table only ever admits more: it is read only when
	 * API_ALLOWED_IP alone does not admit the client. */
	allow_refresh_db();
	return allow_db != nullptr && acl_match(allow_db, client);
}

int
allow_key(const char *list, const char *client)
{
	struct acl	*acl;
	char		*copy, *p, *w, *cause = nullptr;
	int		 ok;

	if (list[0] == '\0')
		return 1;
	/* A key's own list is short: built for the request, then freed. */
	acl = acl_new();
	p = copy = xstrdup(list);
	while ((w = strsep(&p, ",")) != nullptr) {
		if (acl_add(acl, w, &cause) == -1) {
			log_warnx("key allowlist: %s", cause);
			free(cause);
			cause = nullptr;
		}
	}
	free(copy);
	ok = acl_match(acl, client);
	acl_free(acl);
	return ok;
}
