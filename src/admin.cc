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

static int
admin_error(struct db *db, const char *what, char **cause)
{
	if (cause != nullptr)
		xasprintf(cause, "%s: %s", what,
		    sqlite3_errmsg(db_sqlite(db)));
	return -1;
}

static sqlite3_stmt *
admin_prepare(struct db *db, const char *sql, char **cause)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, nullptr) !=
	    SQLITE_OK) {
		admin_error(db, "prepare", cause);
		return nullptr;
	}
	return st;
}

/* Bind by name; a nullptr value binds NULL. */
static void
admin_bind_text(sqlite3_stmt *st, const char *name, const char *value)
{
	int	 i;

	if ((i = sqlite3_bind_parameter_index(st, name)) == 0)
		return;
	if (value == nullptr)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, value, -1, SQLITE_TRANSIENT);
}

static void
admin_bind_int64(sqlite3_stmt *st, const char *name, int64_t value)
{
	int	 i;

	if ((i = sqlite3_bind_parameter_index(st, name)) != 0)
		sqlite3_bind_int64(st, i, value);
}

static const char *
admin_text(sqlite3_stmt *st, int col)
{
	const unsigned char	*s = sqlite3_column_text(st, col);

	return s != nullptr ? (const char *)s : "";
}

/* Run a statement that returns no rows: the number of rows changed. */
static int
admin_done(struct db *db, sqlite3_stmt *st, const char *what, char **cause)
{
	int	 rv;

	if (sqlite3_step(st) != SQLITE_DONE)
		rv = admin_error(db, what, cause);
	else
		rv = sqlite3_changes(db_sqlite(db));
	sqlite3_finalize(st);
	return rv;
}

/* Run a one-parameter statement that changes rows: 1 when any changed. */
static int
admin_change(struct db *db, const char *sql, const char *name,
    const char *value, const char *what, char **cause)
{
	sqlite3_stmt	*st;
	int		 rv;

	if ((st = admin_prepare(db, sql, cause)) == nullptr)
		return -1;
	admin_bind_text(st, name, value);
	if ((rv = admin_done(db, st, what, cause)) > 0)
		rv = 1;
	return rv;
}

/* Run a one-parameter query: 1 when it returns a row. */
static int
admin_exists(struct db *db, const char *sql, const char *name,
    const char *value, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc, rv;

	if ((st = admin_prepare(db, sql, cause)) == nullptr)
		return -1;
	admin_bind_text(st, name, value);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		rv = 1;
	else if (rc == SQLITE_DONE)
		rv = 0;
	else
		rv = admin_error(db, "lookup", cause);
	sqlite3_finalize(st);
	return rv;
}

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
	rv = admin_change(db, sql, ":v", value, what, cause);
	free(sql);
	if (rv == 1) {
		/* The same rows: "'key', id FROM keys WHERE ..." less its
		 * selected columns. */
		xasprintf(&sql, "DELETE %s", strstr(from_where, "FROM"));
		rv = admin_change(db, sql, ":v", value, what, cause);
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

/* Step through the rows of a query; returns how many, or -1. */
static int
admin_rows(struct db *db, sqlite3_stmt *st, void (*row)(sqlite3_stmt *,
    void *), void *arg, char **cause)
{
	int	 rc, n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row(st, arg);
		n++;
	}
	if (rc != SQLITE_DONE)
		n = admin_error(db, "query", cause);
	sqlite3_finalize(st);
	return n;
}

int
admin_begin(struct db *db, char **cause)
{
	return db_exec(db, "BEGIN IMMEDIATE", cause);
}

int
admin_commit(struct db *db, char **cause)
{
	return db_exec(db, "COMMIT", cause);
}

void
admin_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db_sqlite(db)))
		db_exec(db, "ROLLBACK", nullptr);
}

/* Insert (key_id, value) pairs into a key's perms or CIDRs. */
static int
admin_key_rows(struct db *db, const char *sql, const char *id,
    char *const *v, int n, char **cause)
{
	sqlite3_stmt	*st;
	int		 i, rv = 0;

	if (n == 0)
		return 0;
	if ((st = admin_prepare(db, sql, cause)) == nullptr)
		return -1;
	for (i = 0; i < n; i++) {
		sqlite3_reset(st);
		admin_bind_text(st, ":id", id);
		admin_bind_text(st, ":v", v[i]);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rv = admin_error(db, "adding the key", cause);
			break;
		}
	}
	sqlite3_finalize(st);
	return rv;
}

int
admin_key_add(struct db *db, const struct db_key *key, char *const *perms,
    int nperms, char *const *allow, int nallow, char **cause)
{
	sqlite3_stmt	*st;
	int		 rv;

	if ((st = admin_prepare(db, "INSERT INTO keys (id, user, secret_hash,"
	    " comment, created_at, expires_at, disabled) VALUES (:id, :user,"
	    " :hash, :comment, coalesce(:created, strftime('%s', 'now')),"
	    " :expires, :disabled) ON CONFLICT (id) DO NOTHING", cause)) ==
	    nullptr)
		return -1;
	admin_bind_text(st, ":id", key->id);
	admin_bind_text(st, ":user", key->user);
	admin_bind_text(st, ":hash", key->secret_hash);
	admin_bind_text(st, ":comment", key->comment != nullptr ?
	    key->comment : "");
	if (key->created_at != 0)
		admin_bind_int64(st, ":created", key->created_at);
	if (key->expires_at != 0)
		admin_bind_int64(st, ":expires", key->expires_at);
	admin_bind_int64(st, ":disabled", key->disabled != 0);
	if ((rv = admin_done(db, st, "adding the key", cause)) <= 0)
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
admin_key_row(sqlite3_stmt *st, void *arg)
{
	struct admin_key_ctx	*ctx = (struct admin_key_ctx *)arg;
	struct admin_key	 k;

	k.id = admin_text(st, 0);
	k.user = admin_text(st, 1);
	k.perms = admin_text(st, 2);
	k.allow = admin_text(st, 3);
	k.comment = admin_text(st, 4);
	k.created_at = sqlite3_column_int64(st, 5);
	k.expires_at = sqlite3_column_int64(st, 6);
	k.state = admin_text(st, 7);
	k.last_used_at = sqlite3_column_int64(st, 8);
	k.last_ip = admin_text(st, 9);
	k.use_count = sqlite3_column_int64(st, 10);
	k.source = admin_text(st, 11);
	ctx->cb(&k, ctx->arg);
}

int
admin_key_foreach(struct db *db, const char *user, const char *id,
    admin_key_cb cb, void *arg, char **cause)
{
	struct admin_key_ctx	 ctx = { cb, arg };
	sqlite3_stmt		*st;

	/* State and lists come from keys_view, so the CLI and an admin's
	 * own SELECT never disagree. */
	if ((st = admin_prepare(db, "SELECT k.id, k.user,"
	    " coalesce(v.permissions, ''), coalesce(v.allow, ''), k.comment,"
	    " k.created_at, coalesce(k.expires_at, 0), v.state,"
	    " coalesce(k.last_used_at, 0), coalesce(k.last_ip, ''),"
	    " k.use_count, k.source FROM keys k JOIN keys_view v"
	    " ON v.id = k.id"
	    " WHERE (:user IS NULL OR k.user = :user)"
	    " AND (:id IS NULL OR k.id = :id)"
	    " ORDER BY k.created_at, k.id", cause)) == nullptr)
		return -1;
	admin_bind_text(st, ":user", user);
	admin_bind_text(st, ":id", id);
	return admin_rows(db, st, admin_key_row, &ctx, cause);
}

int
admin_key_set_disabled(struct db *db, const char *id, int disabled,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rv;

	if ((st = admin_prepare(db, "UPDATE keys SET disabled = :disabled"
	    " WHERE id = :id", cause)) == nullptr)
		return -1;
	admin_bind_text(st, ":id", id);
	admin_bind_int64(st, ":disabled", disabled != 0);
	if ((rv = admin_done(db, st, "updating the key", cause)) > 0)
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
	return admin_exists(db, "SELECT 1 FROM keys WHERE id = :id", ":id", id,
	    cause);
}

int
admin_perm_role(struct db *db, const char *name, char **role, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc, rv;

	*role = nullptr;
	if ((st = admin_prepare(db, "SELECT role FROM perm_sets"
	    " WHERE name = :name", cause)) == nullptr)
		return -1;
	admin_bind_text(st, ":name", name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*role = xstrdup(admin_text(st, 0));
		rv = 1;
	} else if (rc == SQLITE_DONE)
		rv = 0;
	else
		rv = admin_error(db, "permission set lookup", cause);
	sqlite3_finalize(st);
	return rv;
}

struct admin_perm_ctx {
	admin_perm_cb	 cb;
	void		*arg;
};

static void
admin_perm_row(sqlite3_stmt *st, void *arg)
{
	struct admin_perm_ctx	*ctx = (struct admin_perm_ctx *)arg;
	struct admin_perm	 p;

	p.name = admin_text(st, 0);
	p.role = admin_text(st, 1);
	p.commands = admin_text(st, 2);
	p.source = admin_text(st, 3);
	ctx->cb(&p, ctx->arg);
}

int
admin_perm_foreach(struct db *db, const char *name, admin_perm_cb cb,
    void *arg, char **cause)
{
	struct admin_perm_ctx	 ctx = { cb, arg };
	sqlite3_stmt		*st;

	if ((st = admin_prepare(db, "SELECT s.name, s.role,"
	    " coalesce((SELECT group_concat(command, ',') FROM"
	    " (SELECT command FROM perm_set_commands c"
	    " WHERE c.set_name = s.name ORDER BY command)), ''), s.source"
	    " FROM perm_sets s WHERE (:name IS NULL OR s.name = :name)"
	    " ORDER BY s.name", cause)) == nullptr)
		return -1;
	admin_bind_text(st, ":name", name);
	return admin_rows(db, st, admin_perm_row, &ctx, cause);
}

static int
admin_perm_commands(struct db *db, const char *name, char *const *commands,
    int ncommands, char **cause)
{
	sqlite3_stmt	*st;
	int		 i, rv = 0;

	if ((st = admin_prepare(db, "INSERT OR IGNORE INTO perm_set_commands"
	    " (set_name, command) VALUES (:name, :cmd)", cause)) == nullptr)
		return -1;
	for (i = 0; i < ncommands; i++) {
		sqlite3_reset(st);
		admin_bind_text(st, ":name", name);
		admin_bind_text(st, ":cmd", commands[i]);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rv = admin_error(db, "adding the commands", cause);
			break;
		}
	}
	sqlite3_finalize(st);
	return rv;
}

int
admin_perm_add(struct db *db, const char *name, const char *role,
    char *const *commands, int ncommands, char **cause)
{
	sqlite3_stmt	*st;
	int		 rv;

	if (admin_begin(db, cause) == -1)
		return -1;
	if ((st = admin_prepare(db, "INSERT INTO perm_sets (name, role)"
	    " VALUES (:name, :role) ON CONFLICT (name) DO NOTHING", cause)) ==
	    nullptr)
		goto fail;
	admin_bind_text(st, ":name", name);
	admin_bind_text(st, ":role", role);
	if ((rv = admin_done(db, st, "adding the set", cause)) == -1)
		goto fail;
	if (rv == 0) {
		admin_rollback(db);
		return 0;
	}
	if (admin_perm_commands(db, name, commands, ncommands, cause) == -1 ||
	    admin_commit(db, cause) == -1)
		goto fail;
	return 1;
fail:
	admin_rollback(db);
	return -1;
}

/* 1 when the set has this role and exactly these commands. */
static int
admin_perm_same(struct db *db, const char *name, const char *role,
    char *const *commands, int ncommands, char **cause)
{
	sqlite3_stmt	*st;
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
		if ((st = admin_prepare(db, "SELECT 1 FROM perm_set_commands"
		    " WHERE set_name = :name AND command = :cmd", cause)) ==
		    nullptr)
			return -1;
		admin_bind_text(st, ":name", name);
		admin_bind_text(st, ":cmd", commands[i]);
		rv = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rv == SQLITE_DONE)
			return 0;
		if (rv != SQLITE_ROW)
			return admin_error(db, "permission set lookup", cause);
	}
	if ((st = admin_prepare(db, "SELECT count(*) FROM perm_set_commands"
	    " WHERE set_name = :name", cause)) == nullptr)
		return -1;
	admin_bind_text(st, ":name", name);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (n == -1)
		return admin_error(db, "permission set lookup", cause);
	return n == distinct;
}

int
admin_perm_import(struct db *db, const char *name, const char *role,
    char *const *commands, int ncommands, char **cause)
{
	sqlite3_stmt	*st;
	int		 rv;

	if ((rv = admin_perm_same(db, name, role, commands, ncommands,
	    cause)) != 0)
		return rv == 1 ? 0 : -1;
	/* An update, not a REPLACE: keys name sets by name only, and the
	 * set's row must not be deleted under them. */
	if ((st = admin_prepare(db, "INSERT INTO perm_sets (name, role)"
	    " VALUES (:name, :role) ON CONFLICT (name)"
	    " DO UPDATE SET role = excluded.role", cause)) == nullptr)
		return -1;
	admin_bind_text(st, ":name", name);
	admin_bind_text(st, ":role", role);
	if (admin_done(db, st, "importing the set", cause) == -1)
		return -1;
	if (admin_change(db, "DELETE FROM perm_set_commands"
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
	sqlite3_stmt	*st;
	int		 rv;

	*nkeys = 0;
	if (admin_begin(db, cause) == -1)
		return -1;
	if ((rv = admin_exists(db, "SELECT 1 FROM perm_sets"
	    " WHERE name = :name", ":name", name, cause)) != 1)
		goto out;
	if ((st = admin_prepare(db, "SELECT count(DISTINCT key_id) FROM"
	    " key_perms WHERE name = :name", cause)) == nullptr)
		goto fail;
	admin_bind_text(st, ":name", name);
	if (sqlite3_step(st) == SQLITE_ROW)
		*nkeys = sqlite3_column_int(st, 0);
	else
		*nkeys = admin_error(db, "permission set lookup", cause);
	sqlite3_finalize(st);
	if (*nkeys == -1)
		goto fail;
	if (*nkeys > 0) {
		rv = 2;
		goto out;
	}
	if ((rv = admin_delete_recorded(db, "'set', name FROM perm_sets"
	    " WHERE name = :v", name, "deleting the set", cause)) == -1)
		goto fail;
	if (admin_commit(db, cause) == -1)
		goto fail;
	return rv;
out:
	admin_rollback(db);
	return rv;
fail:
	admin_rollback(db);
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
	sqlite3_stmt	*st;

	if ((st = admin_prepare(db, "INSERT INTO allow (cidr, comment)"
	    " VALUES (:cidr, :comment) ON CONFLICT (cidr) DO NOTHING",
	    cause)) == nullptr)
		return -1;
	admin_bind_text(st, ":cidr", cidr);
	admin_bind_text(st, ":comment", comment);
	return admin_done(db, st, "adding the range", cause);
}

int
admin_allow_delete(struct db *db, const char *cidr, char **cause)
{
	return admin_change(db, "DELETE FROM allow WHERE cidr = :cidr",
	    ":cidr", cidr, "deleting the range", cause);
}

struct admin_allow_ctx {
	admin_allow_cb	 cb;
	void		*arg;
};

static void
admin_allow_row(sqlite3_stmt *st, void *arg)
{
	struct admin_allow_ctx	*ctx = (struct admin_allow_ctx *)arg;
	struct admin_allow	 a;

	a.cidr = admin_text(st, 0);
	a.comment = admin_text(st, 1);
	a.created_at = sqlite3_column_int64(st, 2);
	ctx->cb(&a, ctx->arg);
}

int
admin_allow_foreach(struct db *db, admin_allow_cb cb, void *arg,
    char **cause)
{
	struct admin_allow_ctx	 ctx = { cb, arg };
	sqlite3_stmt		*st;

	if ((st = admin_prepare(db, "SELECT cidr, comment, created_at"
	    " FROM allow ORDER BY created_at, cidr", cause)) == nullptr)
		return -1;
	return admin_rows(db, st, admin_allow_row, &ctx, cause);
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
	sqlite3_stmt	*st;

	if ((st = admin_prepare(db, "INSERT INTO legacy_keys (lookup,"
	    " secret_hash, created_at) VALUES (:lookup, :hash,"
	    " coalesce(:created, strftime('%s', 'now')))"
	    " ON CONFLICT (lookup) DO NOTHING", cause)) == nullptr)
		return -1;
	admin_bind_text(st, ":lookup", lookup);
	admin_bind_text(st, ":hash", hash);
	if (created_at != 0)
		admin_bind_int64(st, ":created", created_at);
	return admin_done(db, st, "adding the legacy key", cause);
}

int
admin_legacy_exists(struct db *db, const char *lookup, char **cause)
{
	return admin_exists(db, "SELECT 1 FROM legacy_keys"
	    " WHERE lookup = :lookup", ":lookup", lookup, cause);
}

int
admin_legacy_revoke(struct db *db, const char *lookup, int prefix,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 n = -1, rv;

	if (!prefix)
		return admin_delete_recorded(db, "'legacy', lookup FROM"
		    " legacy_keys WHERE lookup = :v", lookup,
		    "revoking the legacy key", cause);
	if (admin_begin(db, cause) == -1)
		return -1;
	if ((st = admin_prepare(db, "SELECT count(*) FROM legacy_keys"
	    " WHERE substr(lookup, 1, length(:p)) = :p", cause)) == nullptr)
		goto fail;
	admin_bind_text(st, ":p", lookup);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	else
		admin_error(db, "legacy key lookup", cause);
	sqlite3_finalize(st);
	if (n == -1)
		goto fail;
	if (n != 1) {
		admin_rollback(db);
		return n == 0 ? 0 : 2;
	}
	if ((rv = admin_delete_recorded(db, "'legacy', lookup FROM"
	    " legacy_keys WHERE substr(lookup, 1, length(:v)) = :v", lookup,
	    "revoking the legacy key", cause)) == -1 ||
	    admin_commit(db, cause) == -1)
		goto fail;
	return rv;
fail:
	admin_rollback(db);
	return -1;
}

struct admin_legacy_ctx {
	admin_legacy_cb	 cb;
	void		*arg;
};

static void
admin_legacy_row(sqlite3_stmt *st, void *arg)
{
	struct admin_legacy_ctx	*ctx = (struct admin_legacy_ctx *)arg;
	struct admin_legacy	 l;

	l.lookup = admin_text(st, 0);
	l.created_at = sqlite3_column_int64(st, 1);
	l.source = admin_text(st, 2);
	ctx->cb(&l, ctx->arg);
}

int
admin_legacy_foreach(struct db *db, admin_legacy_cb cb, void *arg,
    char **cause)
{
	struct admin_legacy_ctx	 ctx = { cb, arg };
	sqlite3_stmt		*st;

	if ((st = admin_prepare(db, "SELECT lookup, created_at, source"
	    " FROM legacy_keys ORDER BY created_at, lookup", cause)) ==
	    nullptr)
		return -1;
	return admin_rows(db, st, admin_legacy_row, &ctx, cause);
}

struct admin_audit_ctx {
	admin_audit_cb	 cb;
	void		*arg;
};

static void
admin_audit_row(sqlite3_stmt *st, void *arg)
{
	struct admin_audit_ctx	*ctx = (struct admin_audit_ctx *)arg;
	struct admin_audit	 a;

	a.id = sqlite3_column_int64(st, 0);
	a.at = admin_text(st, 1);
	a.who = admin_text(st, 2);
	a.peer_ip = admin_text(st, 3);
	a.client_ip = admin_text(st, 4);
	a.cmd = admin_text(st, 5);
	a.args = admin_text(st, 6);
	a.exit_code = sqlite3_column_int(st, 7);
	a.http_status = sqlite3_column_int(st, 8);
	a.duration_ms = sqlite3_column_int64(st, 9);
	a.count = sqlite3_column_int64(st, 10);
	ctx->cb(&a, ctx->arg);
}

int
admin_audit_foreach(struct db *db, const char *who, const char *since,
    int limit, admin_audit_cb cb, void *arg, char **cause)
{
	struct admin_audit_ctx	 ctx = { cb, arg };
	sqlite3_stmt		*st;

	/* Rows are appended in time order, so newest first is by id,
	 * which also lets LIMIT stop the scan early. */
	if ((st = admin_prepare(db, "SELECT id, at, who, peer_ip, client_ip,"
	    " cmd, args, exit_code, http_status, duration_ms, count"
	    " FROM audit_view"
	    " WHERE (:who IS NULL OR who = :who)"
	    " AND (:since IS NULL OR at >= :since)"
	    " ORDER BY id DESC LIMIT :limit", cause)) == nullptr)
		return -1;
	admin_bind_text(st, ":who", who);
	admin_bind_text(st, ":since", since);
	admin_bind_int64(st, ":limit", limit);
	return admin_rows(db, st, admin_audit_row, &ctx, cause);
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
	rv = admin_exists(db, sql, ":name", name, cause);
	free(sql);
	return rv;
}

int
admin_hestia_stamp(struct db *db, enum admin_kind kind, const char *name,
    int *from_hestia, char **stamp, char **cause)
{
	sqlite3_stmt	*st;
	char		*sql;
	int		 rc, rv;

	*stamp = nullptr;
	*from_hestia = 0;
	xasprintf(&sql, "SELECT source = 'hestia', %s FROM %s WHERE %s = :name",
	    admin_hestia[kind].stamped ? "hestia_stamp" : "NULL",
	    admin_hestia[kind].table, admin_hestia[kind].column);
	st = admin_prepare(db, sql, cause);
	free(sql);
	if (st == nullptr)
		return -1;
	admin_bind_text(st, ":name", name);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*from_hestia = sqlite3_column_int(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			*stamp = xstrdup(admin_text(st, 1));
		rv = 1;
	} else if (rc == SQLITE_DONE)
		rv = 0;
	else
		rv = admin_error(db, "lookup", cause);
	sqlite3_finalize(st);
	return rv;
}

int
admin_hestia_mark(struct db *db, enum admin_kind kind, const char *name,
    const char *stamp, char **cause)
{
	sqlite3_stmt	*st;
	char		*sql;

	xasprintf(&sql, "UPDATE %s SET source = 'hestia'%s WHERE %s = :name",
	    admin_hestia[kind].table, admin_hestia[kind].stamped ?
	    ", hestia_stamp = :stamp" : "", admin_hestia[kind].column);
	st = admin_prepare(db, sql, cause);
	free(sql);
	if (st == nullptr)
		return -1;
	admin_bind_text(st, ":name", name);
	admin_bind_text(st, ":stamp", stamp);
	return admin_done(db, st, "marking a row from Hestia", cause);
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
	rv = admin_change(db, sql, ":name", name, "removing a row from Hestia",
	    cause);
	free(sql);
	return rv;
}

struct admin_name_ctx {
	admin_name_cb	 cb;
	void		*arg;
};

static void
admin_name_row(sqlite3_stmt *st, void *arg)
{
	struct admin_name_ctx	*ctx = (struct admin_name_ctx *)arg;

	ctx->cb(admin_text(st, 0), ctx->arg);
}

int
admin_hestia_foreach(struct db *db, enum admin_kind kind, admin_name_cb cb,
    void *arg, char **cause)
{
	struct admin_name_ctx	 ctx = { cb, arg };
	sqlite3_stmt		*st;
	char			*sql;

	xasprintf(&sql, "SELECT %s FROM %s WHERE source = 'hestia'",
	    admin_hestia[kind].column, admin_hestia[kind].table);
	st = admin_prepare(db, sql, cause);
	free(sql);
	if (st == nullptr)
		return -1;
	return admin_rows(db, st, admin_name_row, &ctx, cause);
}

int
admin_key_replace(struct db *db, const struct db_key *key,
    char *const *perms, int nperms, char **cause)
{
	sqlite3_stmt	*st;
	int		 rv;

	if ((st = admin_prepare(db, "UPDATE keys SET user = :user,"
	    " secret_hash = :hash, comment = :comment,"
	    " created_at = coalesce(:created, created_at) WHERE id = :id",
	    cause)) == nullptr)
		return -1;
	admin_bind_text(st, ":id", key->id);
	admin_bind_text(st, ":user", key->user);
	admin_bind_text(st, ":hash", key->secret_hash);
	admin_bind_text(st, ":comment", key->comment != nullptr ?
	    key->comment : "");
	if (key->created_at != 0)
		admin_bind_int64(st, ":created", key->created_at);
	if ((rv = admin_done(db, st, "changing the key", cause)) <= 0)
		return rv;
	if (admin_change(db, "DELETE FROM key_perms WHERE key_id = :id",
	    ":id", key->id, "changing the key", cause) == -1 ||
	    admin_key_rows(db, "INSERT OR IGNORE INTO key_perms (key_id, name)"
	    " VALUES (:id, :v)", key->id, perms, nperms, cause) == -1)
		return -1;
	return 1;
}
