/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The database side of hestia-apictl. Its statements run once per command,
 * so they are prepared at use rather than kept like db.cc's hot queries. */
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "admin.h"
#include "apid.h"
#include "db.h"
#include "key.h"

/*
 * Delete what "SELECT kind, name FROM table WHERE ..." (from_where, with
 * one parameter :v) finds, and record it in deleted, so that neither the
 * sync with Hestia's files nor an import brings it back. 1 when any row
 * went, 0 none.
 */
static int
admin_delete_recorded(struct db *db, const char *from_where,
    const char *value, const char *what, char **cause)
{
	char	*sql;
	int	 rv;

	if (db_exec(db, "SAVEPOINT admin_delete", cause) == -1)
		return -1;
	xasprintf(&sql, "INSERT OR REPLACE INTO deleted (kind, name) SELECT"
	    " %s", from_where);
	rv = db_change(db, sql, ":v", value, what, cause);
	free(sql);
	if (rv == 1) {
		/* The same rows: "'key', id FROM keys WHERE ..." less its
		 * selected columns. */
		xasprintf(&sql, "DELETE %s", strstr(from_where, "FROM"));
		rv = db_change(db, sql, ":v", value, what, cause);
		free(sql);
	}
	if (rv == -1) {
		db_exec(db, "ROLLBACK TO admin_delete; RELEASE admin_delete",
		    nullptr);
		return -1;
	}
	if (db_exec(db, "RELEASE admin_delete", cause) == -1)
		return -1;
	return rv;
}

/* Insert (key_id, value) pairs into a key's perms or CIDRs. */
static int
admin_key_rows(struct db *db, const char *sql, const char *id,
    char *const *v, int n, char **cause)
{
	struct db_q	 q;
	int		 i;

	for (i = 0; i < n; i++) {
		if (db_prepare(db, &q, sql, cause) == -1)
			return -1;
		db_bind_text(&q, ":id", id);
		db_bind_text(&q, ":v", v[i]);
		if (db_done(&q, "adding the key", cause) == -1)
			return -1;
	}
	return 0;
}

int
admin_key_add(struct db *db, const struct db_key *key, char *const *perms,
    int nperms, char *const *allow, int nallow, char **cause)
{
	struct db_q	 q;
	int		 rv;

	if (db_prepare(db, &q, "INSERT INTO keys (id, user, secret_hash,"
	    " comment, created_at, expires_at, disabled) VALUES (:id, :user,"
	    " :hash, :comment, coalesce(:created, strftime('%s', 'now')),"
	    " :expires, :disabled) ON CONFLICT (id) DO NOTHING", cause) == -1)
		return -1;
	db_bind_text(&q, ":id", key->id);
	db_bind_text(&q, ":user", key->user);
	db_bind_text(&q, ":hash", key->secret_hash);
	db_bind_text(&q, ":comment", key->comment != nullptr ?
	    key->comment : "");
	if (key->created_at != 0)
		db_bind_int64(&q, ":created", key->created_at);
	if (key->expires_at != 0)
		db_bind_int64(&q, ":expires", key->expires_at);
	db_bind_int64(&q, ":disabled", key->disabled != 0);
	if ((rv = db_done(&q, "adding the key", cause)) <= 0)
		return rv;
	if (admin_key_rows(db, "INSERT OR IGNORE INTO key_perms (key_id, name)"
	    " VALUES (:id, :v)", key->id, perms, nperms, cause) == -1)
		return -1;
	if (admin_key_rows(db, "INSERT OR IGNORE INTO key_allow (key_id, cidr)"
	    " VALUES (:id, :v)", key->id, allow, nallow, cause) == -1)
		return -1;
	return 1;
}

struct admin_key_ctx {
	admin_key_cb	 cb;
	void		*arg;
};

static void
admin_key_row(struct db_q *q, void *arg)
{
	struct admin_key_ctx	*ctx = (struct admin_key_ctx *)arg;
	struct admin_key	 k;

	k.id = db_text(q, 0);
	k.user = db_text(q, 1);
	k.perms = db_text(q, 2);
	k.allow = db_text(q, 3);
	k.comment = db_text(q, 4);
	k.created_at = db_int64(q, 5);
	k.expires_at = db_int64(q, 6);
	k.state = db_text(q, 7);
	k.last_used_at = db_int64(q, 8);
	k.last_ip = db_text(q, 9);
	k.use_count = db_int64(q, 10);
	k.source = db_text(q, 11);
	ctx->cb(&k, ctx->arg);
}

int
admin_key_foreach(struct db *db, const char *user, const char *id,
    admin_key_cb cb, void *arg, char **cause)
{
	struct admin_key_ctx	 ctx = { cb, arg };
	struct db_q		 q;

	/* State and lists come from keys_view, so the CLI and an admin's
	 * own SELECT never disagree. */
	if (db_prepare(db, &q, "SELECT k.id, k.user,"
	    " coalesce(v.permissions, ''), coalesce(v.allow, ''), k.comment,"
	    " k.created_at, coalesce(k.expires_at, 0), v.state,"
	    " coalesce(k.last_used_at, 0), coalesce(k.last_ip, ''),"
	    " k.use_count, k.source FROM keys k JOIN keys_view v"
	    " ON v.id = k.id"
	    " WHERE (:user IS NULL OR k.user = :user)"
	    " AND (:id IS NULL OR k.id = :id)"
	    " ORDER BY k.created_at, k.id", cause) == -1)
		return -1;
	db_bind_text(&q, ":user", user);
	db_bind_text(&q, ":id", id);
	return db_rows(&q, admin_key_row, &ctx, "query", cause);
}

int
admin_key_set_disabled(struct db *db, const char *id, int disabled,
    char **cause)
{
	struct db_q	 q;
	int		 rv;

	if (db_prepare(db, &q, "UPDATE keys SET disabled = :disabled"
	    " WHERE id = :id", cause) == -1)
		return -1;
	db_bind_text(&q, ":id", id);
	db_bind_int64(&q, ":disabled", disabled != 0);
	if ((rv = db_done(&q, "updating the key", cause)) > 0)
		rv = 1;
	return rv;
}

int
admin_key_delete(struct db *db, const char *id, char **cause)
{
	return admin_delete_recorded(db, "'key', id FROM keys WHERE id = :v",
	    id, "deleting the key", cause);
}

int
admin_key_exists(struct db *db, const char *id, char **cause)
{
	return db_exists(db, "SELECT 1 FROM keys WHERE id = :id", ":id", id,
	    cause);
}

int
admin_perm_role(struct db *db, const char *name, char **role, char **cause)
{
	struct db_q	 q;
	int		 rv;

	*role = nullptr;
	if (db_prepare(db, &q, "SELECT role FROM perm_sets"
	    " WHERE name = :name", cause) == -1)
		return -1;
	db_bind_text(&q, ":name", name);
	if ((rv = db_step(&q, "permission set lookup", cause)) == 1)
		*role = xstrdup(db_text(&q, 0));
	db_finish(&q);
	return rv;
}

struct admin_perm_ctx {
	admin_perm_cb	 cb;
	void		*arg;
};

static void
admin_perm_row(struct db_q *q, void *arg)
{
	struct admin_perm_ctx	*ctx = (struct admin_perm_ctx *)arg;
	struct admin_perm	 p;

	p.name = db_text(q, 0);
	p.role = db_text(q, 1);
	p.commands = db_text(q, 2);
	p.source = db_text(q, 3);
	ctx->cb(&p, ctx->arg);
}

int
admin_perm_foreach(struct db *db, const char *name, admin_perm_cb cb,
    void *arg, char **cause)
{
	struct admin_perm_ctx	 ctx = { cb, arg };
	struct db_q		 q;

	if (db_prepare(db, &q, "SELECT s.name, s.role,"
	    " coalesce((SELECT group_concat(command, ',') FROM"
	    " (SELECT command FROM perm_set_commands c"
	    " WHERE c.set_name = s.name ORDER BY command)), ''), s.source"
	    " FROM perm_sets s WHERE (:name IS NULL OR s.name = :name)"
	    " ORDER BY s.name", cause) == -1)
		return -1;
	db_bind_text(&q, ":name", name);
	return db_rows(&q, admin_perm_row, &ctx, "query", cause);
}

static int
admin_perm_commands(struct db *db, const char *name, char *const *commands,
    int ncommands, char **cause)
{
	struct db_q	 q;
	int		 i;

	for (i = 0; i < ncommands; i++) {
		if (db_prepare(db, &q, "INSERT OR IGNORE INTO"
		    " perm_set_commands (set_name, command) VALUES"
		    " (:name, :cmd)", cause) == -1)
			return -1;
		db_bind_text(&q, ":name", name);
		db_bind_text(&q, ":cmd", commands[i]);
		if (db_done(&q, "adding the commands", cause) == -1)
			return -1;
	}
	return 0;
}

int
admin_perm_add(struct db *db, const char *name, const char *role,
    char *const *commands, int ncommands, char **cause)
{
	struct db_q	 q;
	int		 rv;

	if (db_begin(db, cause) == -1)
		return -1;
	if (db_prepare(db, &q, "INSERT INTO perm_sets (name, role)"
	    " VALUES (:name, :role) ON CONFLICT (name) DO NOTHING", cause) == -1)
		goto fail;
	db_bind_text(&q, ":name", name);
	db_bind_text(&q, ":role", role);
	if ((rv = db_done(&q, "adding the set", cause)) == -1)
		goto fail;
	if (rv == 0) {
		db_rollback(db);
		return 0;
	}
	if (admin_perm_commands(db, name, commands, ncommands, cause) == -1 ||
	    db_commit(db, cause) == -1)
		goto fail;
	return 1;
fail:
	db_rollback(db);
	return -1;
}

/* 1 when the set has this role and exactly these commands. */
static int
admin_perm_same(struct db *db, const char *name, const char *role,
    char *const *commands, int ncommands, char **cause)
{
	struct db_q	 q;
	char		*have = nullptr;
	int		 i, j, distinct = 0, n = -1, rv;

	if ((rv = admin_perm_role(db, name, &have, cause)) != 1)
		return rv;
	rv = strcmp(have, role) == 0;
	free(have);
	if (!rv)
		return 0;
	for (i = 0; i < ncommands; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(commands[i], commands[j]) == 0)
				break;
		}
		if (j < i)
			continue;
		distinct++;
		if (db_prepare(db, &q, "SELECT 1 FROM perm_set_commands"
		    " WHERE set_name = :name AND command = :cmd", cause) == -1)
			return -1;
		db_bind_text(&q, ":name", name);
		db_bind_text(&q, ":cmd", commands[i]);
		rv = db_step(&q, "permission set lookup", cause);
		db_finish(&q);
		if (rv != 1)
			return rv;
	}
	if (db_prepare(db, &q, "SELECT count(*) FROM perm_set_commands"
	    " WHERE set_name = :name", cause) == -1)
		return -1;
	db_bind_text(&q, ":name", name);
	if ((n = db_count(&q, "permission set lookup", cause)) == -1)
		return -1;
	return n == distinct;
}

int
admin_perm_import(struct db *db, const char *name, const char *role,
    char *const *commands, int ncommands, char **cause)
{
	struct db_q	 q;
	int		 rv;

	if ((rv = admin_perm_same(db, name, role, commands, ncommands,
	    cause)) != 0)
		return rv == 1 ? 0 : -1;
	/* An update, not a REPLACE: keys name sets by name only, and the
	 * set's row must not be deleted under them. */
	if (db_prepare(db, &q, "INSERT INTO perm_sets (name, role)"
	    " VALUES (:name, :role) ON CONFLICT (name)"
	    " DO UPDATE SET role = excluded.role", cause) == -1)
		return -1;
	db_bind_text(&q, ":name", name);
	db_bind_text(&q, ":role", role);
	if (db_done(&q, "importing the set", cause) == -1)
		return -1;
	if (db_change(db, "DELETE FROM perm_set_commands"
	    " WHERE set_name = :name", ":name", name, "importing the set",
	    cause) == -1)
		return -1;
	if (admin_perm_commands(db, name, commands, ncommands, cause) == -1)
		return -1;
	return 1;
}

int
admin_perm_delete(struct db *db, const char *name, int *nkeys, char **cause)
{
	struct db_q	 q;
	int		 rv;

	*nkeys = 0;
	if (db_begin(db, cause) == -1)
		return -1;
	if ((rv = db_exists(db, "SELECT 1 FROM perm_sets"
	    " WHERE name = :name", ":name", name, cause)) != 1)
		goto out;
	if (db_prepare(db, &q, "SELECT count(DISTINCT key_id) FROM"
	    " key_perms WHERE name = :name", cause) == -1)
		goto fail;
	db_bind_text(&q, ":name", name);
	if ((*nkeys = db_count(&q, "permission set lookup", cause)) == -1)
		goto fail;
	if (*nkeys > 0) {
		rv = 2;
		goto out;
	}
	if ((rv = admin_delete_recorded(db, "'set', name FROM perm_sets"
	    " WHERE name = :v", name, "deleting the set", cause)) == -1)
		goto fail;
	if (db_commit(db, cause) == -1)
		goto fail;
	return rv;
out:
	db_rollback(db);
	return rv;
fail:
	db_rollback(db);
	return -1;
}

/* Parse a prefix length of at most max decimal digits' value. */
static int
admin_cidr_prefix(const char *s, int max)
{
	int	 n = 0;

	if (*s == '\0' || strlen(s) > 3)
		return -1;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n <= max ? n : -1;
}

int
admin_cidr_canonical(const char *cidr, char *out, size_t outlen,
    char **cause)
{
	unsigned char	 addr[16];
	char		 host[INET6_ADDRSTRLEN + 8], text[INET6_ADDRSTRLEN];
	const char	*slash;
	int		 af, bits, prefix, i;

	slash = strchr(cidr, '/');
	if ((slash != nullptr ? (size_t)(slash - cidr) : strlen(cidr)) >=
	    sizeof host) {
		xasprintf(cause, "%s: not an IP address", cidr);
		return -1;
	}
	snprintf(host, sizeof host, "%.*s", slash != nullptr ?
	    (int)(slash - cidr) : (int)strlen(cidr), cidr);
	if (inet_pton(AF_INET, host, addr) == 1) {
		af = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, host, addr) == 1) {
		af = AF_INET6;
		bits = 128;
	} else {
		xasprintf(cause, "%s: not an IP address", cidr);
		return -1;
	}
	prefix = bits;
	if (slash != nullptr &&
	    (prefix = admin_cidr_prefix(slash + 1, bits)) == -1) {
		xasprintf(cause, "%s: the prefix length must be 0 to %d", cidr,
		    bits);
		return -1;
	}
	/* No bit of the address may be set past the prefix. */
	for (i = prefix; i < bits; i++) {
		if (addr[i / 8] & (0x80 >> (i % 8))) {
			xasprintf(cause, "%s: host bits are set beyond /%d",
			    cidr, prefix);
			return -1;
		}
	}
	if (inet_ntop(af, addr, text, sizeof text) == nullptr ||
	    (size_t)snprintf(out, outlen, "%s/%d", text, prefix) >= outlen) {
		xasprintf(cause, "%s: not an IP address", cidr);
		return -1;
	}
	return 0;
}

int
admin_allow_add(struct db *db, const char *cidr, const char *comment,
    char **cause)
{
	struct db_q	 q;

	if (db_prepare(db, &q, "INSERT INTO allow (cidr, comment)"
	    " VALUES (:cidr, :comment) ON CONFLICT (cidr) DO NOTHING",
	    cause) == -1)
		return -1;
	db_bind_text(&q, ":cidr", cidr);
	db_bind_text(&q, ":comment", comment);
	return db_done(&q, "adding the range", cause);
}

int
admin_allow_delete(struct db *db, const char *cidr, char **cause)
{
	return db_change(db, "DELETE FROM allow WHERE cidr = :cidr",
	    ":cidr", cidr, "deleting the range", cause);
}

struct admin_allow_ctx {
	admin_allow_cb	 cb;
	void		*arg;
};

static void
admin_allow_row(struct db_q *q, void *arg)
{
	struct admin_allow_ctx	*ctx = (struct admin_allow_ctx *)arg;
	struct admin_allow	 a;

	a.cidr = db_text(q, 0);
	a.comment = db_text(q, 1);
	a.created_at = db_int64(q, 2);
	ctx->cb(&a, ctx->arg);
}

int
admin_allow_foreach(struct db *db, admin_allow_cb cb, void *arg,
    char **cause)
{
	struct admin_allow_ctx	 ctx = { cb, arg };
	struct db_q		 q;

	if (db_prepare(db, &q, "SELECT cidr, comment, created_at"
	    " FROM allow ORDER BY created_at, cidr", cause) == -1)
		return -1;
	return db_rows(&q, admin_allow_row, &ctx, "query", cause);
}

/* The daemon finds a legacy key the same way (gate.cc). */
void
admin_legacy_lookup(const char *key, char *out)
{
	key_sha256_hex(key, out);
}

int
admin_legacy_add(struct db *db, const char *lookup, const char *hash,
    int64_t created_at, char **cause)
{
	struct db_q	 q;

	if (db_prepare(db, &q, "INSERT INTO legacy_keys (lookup,"
	    " secret_hash, created_at) VALUES (:lookup, :hash,"
	    " coalesce(:created, strftime('%s', 'now')))"
	    " ON CONFLICT (lookup) DO NOTHING", cause) == -1)
		return -1;
	db_bind_text(&q, ":lookup", lookup);
	db_bind_text(&q, ":hash", hash);
	if (created_at != 0)
		db_bind_int64(&q, ":created", created_at);
	return db_done(&q, "adding the legacy key", cause);
}

int
admin_legacy_exists(struct db *db, const char *lookup, char **cause)
{
	return db_exists(db, "SELECT 1 FROM legacy_keys"
	    " WHERE lookup = :lookup", ":lookup", lookup, cause);
}

int
admin_legacy_revoke(struct db *db, const char *lookup, int prefix,
    char **cause)
{
	struct db_q	 q;
	int		 n = -1, rv;

	if (!prefix)
		return admin_delete_recorded(db, "'legacy', lookup FROM"
		    " legacy_keys WHERE lookup = :v", lookup,
		    "revoking the legacy key", cause);
	if (db_begin(db, cause) == -1)
		return -1;
	if (db_prepare(db, &q, "SELECT count(*) FROM legacy_keys"
	    " WHERE substr(lookup, 1, length(:p)) = :p", cause) == -1)
		goto fail;
	db_bind_text(&q, ":p", lookup);
	if ((n = db_count(&q, "legacy key lookup", cause)) == -1)
		goto fail;
	if (n != 1) {
		db_rollback(db);
		return n == 0 ? 0 : 2;
	}
	if ((rv = admin_delete_recorded(db, "'legacy', lookup FROM"
	    " legacy_keys WHERE substr(lookup, 1, length(:v)) = :v", lookup,
	    "revoking the legacy key", cause)) == -1 ||
	    db_commit(db, cause) == -1)
		goto fail;
	return rv;
fail:
	db_rollback(db);
	return -1;
}

struct admin_legacy_ctx {
	admin_legacy_cb	 cb;
	void		*arg;
};

static void
admin_legacy_row(struct db_q *q, void *arg)
{
	struct admin_legacy_ctx	*ctx = (struct admin_legacy_ctx *)arg;
	struct admin_legacy	 l;

	l.lookup = db_text(q, 0);
	l.created_at = db_int64(q, 1);
	l.source = db_text(q, 2);
	ctx->cb(&l, ctx->arg);
}

int
admin_legacy_foreach(struct db *db, admin_legacy_cb cb, void *arg,
    char **cause)
{
	struct admin_legacy_ctx	 ctx = { cb, arg };
	struct db_q		 q;

	if (db_prepare(db, &q, "SELECT lookup, created_at, source"
	    " FROM legacy_keys ORDER BY created_at, lookup", cause) == -1)
		return -1;
	return db_rows(&q, admin_legacy_row, &ctx, "query", cause);
}

struct admin_audit_ctx {
	admin_audit_cb	 cb;
	void		*arg;
};

static void
admin_audit_row(struct db_q *q, void *arg)
{
	struct admin_audit_ctx	*ctx = (struct admin_audit_ctx *)arg;
	struct admin_audit	 a;

	a.id = db_int64(q, 0);
	a.at = db_text(q, 1);
	a.who = db_text(q, 2);
	a.peer_ip = db_text(q, 3);
	a.client_ip = db_text(q, 4);
	a.cmd = db_text(q, 5);
	a.args = db_text(q, 6);
	a.exit_code = (int)db_int64(q, 7);
	a.http_status = (int)db_int64(q, 8);
	a.duration_ms = db_int64(q, 9);
	a.count = db_int64(q, 10);
	ctx->cb(&a, ctx->arg);
}

int
admin_audit_foreach(struct db *db, const char *who, const char *since,
    int limit, admin_audit_cb cb, void *arg, char **cause)
{
	struct admin_audit_ctx	 ctx = { cb, arg };
	struct db_q		 q;

	/* Rows are appended in time order, so newest first is by id,
	 * which also lets LIMIT stop the scan early. */
	if (db_prepare(db, &q, "SELECT id, at, who, peer_ip, client_ip,"
	    " cmd, args, exit_code, http_status, duration_ms, count"
	    " FROM audit_view"
	    " WHERE (:who IS NULL OR who = :who)"
	    " AND (:since IS NULL OR at >= :since)"
	    " ORDER BY id DESC LIMIT :limit", cause) == -1)
		return -1;
	db_bind_text(&q, ":who", who);
	db_bind_text(&q, ":since", since);
	db_bind_int64(&q, ":limit", limit);
	return db_rows(&q, admin_audit_row, &ctx, "query", cause);
}

/* Rows kept in step with Hestia's files (hsync.cc), by kind. */
static const struct {
	const char	*table;
	const char	*column;	/* the name a file gives it */
	int		 stamped;	/* remembers the file's version */
} admin_hestia[] = {
	{ "perm_sets",		"name",		1 },	/* ADMIN_SET */
	{ "keys",		"id",		1 },	/* ADMIN_KEY */
	{ "legacy_keys",	"lookup",	0 },	/* ADMIN_LEGACY */
};
static const char *const admin_kind_names[] = { "set", "key", "legacy" };

int
admin_deleted(struct db *db, enum admin_kind kind, const char *name,
    char **cause)
{
	char	*sql;
	int	 rv;

	xasprintf(&sql, "SELECT 1 FROM deleted WHERE kind = '%s' AND"
	    " name = :name", admin_kind_names[kind]);
	rv = db_exists(db, sql, ":name", name, cause);
	free(sql);
	return rv;
}

int
admin_hestia_stamp(struct db *db, enum admin_kind kind, const char *name,
    int *from_hestia, char **stamp, char **cause)
{
	struct db_q	 q;
	char		*sql;
	int		 rv;

	*stamp = nullptr;
	*from_hestia = 0;
	xasprintf(&sql, "SELECT source = 'hestia', %s FROM %s WHERE %s = :name",
	    admin_hestia[kind].stamped ? "hestia_stamp" : "NULL",
	    admin_hestia[kind].table, admin_hestia[kind].column);
	rv = db_prepare(db, &q, sql, cause);
	free(sql);
	if (rv == -1)
		return -1;
	db_bind_text(&q, ":name", name);
	if ((rv = db_step(&q, "lookup", cause)) == 1) {
		*from_hestia = (int)db_int64(&q, 0);
		if (!db_is_null(&q, 1))
			*stamp = xstrdup(db_text(&q, 1));
	}
	db_finish(&q);
	return rv;
}

int
admin_hestia_mark(struct db *db, enum admin_kind kind, const char *name,
    const char *stamp, char **cause)
{
	struct db_q	 q;
	char		*sql;
	int		 rv;

	xasprintf(&sql, "UPDATE %s SET source = 'hestia'%s WHERE %s = :name",
	    admin_hestia[kind].table, admin_hestia[kind].stamped ?
	    ", hestia_stamp = :stamp" : "", admin_hestia[kind].column);
	rv = db_prepare(db, &q, sql, cause);
	free(sql);
	if (rv == -1)
		return -1;
	db_bind_text(&q, ":name", name);
	if (admin_hestia[kind].stamped)
		db_bind_text(&q, ":stamp", stamp);
	return db_done(&q, "marking a row from Hestia", cause);
}

int
admin_hestia_remove(struct db *db, enum admin_kind kind, const char *name,
    char **cause)
{
	char	*sql;
	int	 rv;

	xasprintf(&sql, "DELETE FROM %s WHERE %s = :name AND"
	    " source = 'hestia'", admin_hestia[kind].table,
	    admin_hestia[kind].column);
	rv = db_change(db, sql, ":name", name, "removing a row from Hestia",
	    cause);
	free(sql);
	return rv;
}

struct admin_name_ctx {
	admin_name_cb	 cb;
	void		*arg;
};

static void
admin_name_row(struct db_q *q, void *arg)
{
	struct admin_name_ctx	*ctx = (struct admin_name_ctx *)arg;

	ctx->cb(db_text(q, 0), ctx->arg);
}

int
admin_hestia_foreach(struct db *db, enum admin_kind kind, admin_name_cb cb,
    void *arg, char **cause)
{
	struct admin_name_ctx	 ctx = { cb, arg };
	struct db_q		 q;
	char			*sql;
	int			 rv;

	xasprintf(&sql, "SELECT %s FROM %s WHERE source = 'hestia'",
	    admin_hestia[kind].column, admin_hestia[kind].table);
	rv = db_prepare(db, &q, sql, cause);
	free(sql);
	if (rv == -1)
		return -1;
	return db_rows(&q, admin_name_row, &ctx, "query", cause);
}

int
admin_key_replace(struct db *db, const struct db_key *key,
    char *const *perms, int nperms, char **cause)
{
	struct db_q	 q;
	int		 rv;

	if (db_prepare(db, &q, "UPDATE keys SET user = :user,"
	    " secret_hash = :hash, comment = :comment,"
	    " created_at = coalesce(:created, created_at) WHERE id = :id",
	    cause) == -1)
		return -1;
	db_bind_text(&q, ":id", key->id);
	db_bind_text(&q, ":user", key->user);
	db_bind_text(&q, ":hash", key->secret_hash);
	db_bind_text(&q, ":comment", key->comment != nullptr ?
	    key->comment : "");
	if (key->created_at != 0)
		db_bind_int64(&q, ":created", key->created_at);
	if ((rv = db_done(&q, "changing the key", cause)) <= 0)
		return rv;
	if (db_change(db, "DELETE FROM key_perms WHERE key_id = :id",
	    ":id", key->id, "changing the key", cause) == -1 ||
	    admin_key_rows(db, "INSERT OR IGNORE INTO key_perms (key_id, name)"
	    " VALUES (:id, :v)", key->id, perms, nperms, cause) == -1)
		return -1;
	return 1;
}
