/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The thin SQLite layer: every query of the project goes through here. */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "apid.h"
#include "db.h"
#include "schema_sql.h"

#define DB_CACHE_KIB	"-256"	/* SQLite's page cache, per connection */

enum {
	DB_KEY_GET,
	DB_KEY_MAY_RUN,
	DB_LEGACY_GET,
	DB_ALLOW_GENERATION,
	DB_ALLOW_EACH,
	DB_NSTMT
};

static const char *const db_sql[DB_NSTMT] = {
	/* DB_KEY_GET */
	"SELECT id, user, secret_hash, comment, created_at,"
	" coalesce(expires_at, 0), disabled,"
	" (SELECT count(*) FROM key_perms WHERE key_id = :id),"
	" coalesce((SELECT group_concat(cidr, ',') FROM key_allow"
	" WHERE key_id = :id), '')"
	" FROM keys WHERE id = :id",
	/* DB_KEY_MAY_RUN */
	"SELECT 1 FROM key_perms p WHERE p.key_id = :id AND (p.name = :cmd"
	" OR EXISTS (SELECT 1 FROM perm_set_commands c"
	" WHERE c.set_name = p.name AND c.command = :cmd)) LIMIT 1",
	/* DB_LEGACY_GET */
	"SELECT secret_hash FROM legacy_keys WHERE lookup = :lookup",
	/* DB_ALLOW_GENERATION */
	"SELECT n FROM allow_generation",
	/* DB_ALLOW_EACH */
	"SELECT cidr FROM allow",
};

struct db {
	sqlite3		*sq;
	sqlite3_stmt	*stmt[DB_NSTMT];
};

static void
db_error(struct db *db, const char *what, char **cause)
{
	if (cause != nullptr)
		xasprintf(cause, "%s: %s", what, sqlite3_errmsg(db->sq));
}

int
db_exec(struct db *db, const char *sql, char **cause)
{
	char	*msg = nullptr;

	if (sqlite3_exec(db->sq, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
		if (cause != nullptr)
			xasprintf(cause, "%s", msg != nullptr ? msg :
			    sqlite3_errmsg(db->sq));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
db_schema_version(struct db *db)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(db->sq, "PRAGMA user_version", -1, &st,
	    nullptr) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Create a new database, or bring an old one up to date, in one
 * transaction each, so that a crash never leaves half a schema. */
static int
db_migrate(struct db *db, char **cause)
{
	const struct schema_migration	*m;
	int				 v;
	char				*why = nullptr;

	if ((v = db_schema_version(db)) == -1) {
		db_error(db, "user_version", cause);
		return -1;
	}
	if (v == 0) {
		if (db_exec(db, "BEGIN IMMEDIATE", cause) == -1)
			return -1;
		/* Another process may have created it meanwhile. */
		if (db_schema_version(db) == 0 &&
		    db_exec(db, schema_sql, &why) == -1) {
			xasprintf(cause, "creating the schema: %s", why);
			free(why);
			db_exec(db, "ROLLBACK", nullptr);
			return -1;
		}
		return db_exec(db, "COMMIT", cause);
	}
	for (m = schema_migrations; m->sql != nullptr; m++) {
		if (m->version <= v)
			continue;
		if (db_exec(db, "BEGIN IMMEDIATE", cause) == -1)
			return -1;
		if (db_schema_version(db) < m->version &&
		    db_exec(db, m->sql, &why) == -1) {
			xasprintf(cause, "migrating to version %d: %s",
			    m->version, why);
			free(why);
			db_exec(db, "ROLLBACK", nullptr);
			return -1;
		}
		if (db_exec(db, "COMMIT", cause) == -1)
			return -1;
	}
	return 0;
}

/* A database made by an older version may be readable by everyone: it
 * holds the audit and key hashes, so take that away (and from its WAL
 * and shared-memory files, which SQLite makes with the same mode). */
static void
db_private(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	struct stat	 st;
	char		*p;
	size_t		 i;

	for (i = 0; i < nitems(suffix); i++) {
		xasprintf(&p, "%s%s", path, suffix[i]);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & 007) != 0) {
			if (chmod(p, st.st_mode & 0770) == 0)
				log_info("%s: no longer readable by others", p);
			else
				log_warn("%s: chmod", p);
		}
		free(p);
	}
}

struct db *
db_open(const char *path, char **cause)
{
	struct db	*db;
	int		 i;

	db = XCALLOC(struct db);
	if (sqlite3_open_v2(path, &db->sq, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", path, db->sq != nullptr ?
		    sqlite3_errmsg(db->sq) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(db->sq, 5000);
	db_private(path);
	/* A small page cache: the daemon reads a key row at a time, and the
	 * audit table it appends to grows without end. */
	if (db_exec(db, "PRAGMA journal_mode = WAL;"
	    " PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
	    " PRAGMA cache_size = " DB_CACHE_KIB ";",
	    cause) == -1)
		goto fail;
	if (db_migrate(db, cause) == -1)
		goto fail;
	for (i = 0; i < DB_NSTMT; i++) {
		if (sqlite3_prepare_v3(db->sq, db_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->stmt[i], nullptr) !=
		    SQLITE_OK) {
			db_error(db, "prepare", cause);
			goto fail;
		}
	}
	return db;
fail:
	db_close(db);
	return nullptr;
}

void
db_close(struct db *db)
{
	int	 i;

	if (db == nullptr)
		return;
	for (i = 0; i < DB_NSTMT; i++)
		sqlite3_finalize(db->stmt[i]);
	sqlite3_close(db->sq);
	free(db);
}

sqlite3 *
db_sqlite(struct db *db)
{
	return db->sq;
}

sqlite3_stmt *
db_stmt(struct db *db, int which)
{
	sqlite3_stmt	*st = db->stmt[which];

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return st;
}

static void
db_bind_text(sqlite3_stmt *st, const char *name, const char *value)
{
	int	 i;

	if ((i = sqlite3_bind_parameter_index(st, name)) != 0)
		sqlite3_bind_text(st, i, value, -1, SQLITE_TRANSIENT);
}

static char *
db_column_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char	*s = sqlite3_column_text(st, col);

	return xstrdup(s != nullptr ? (const char *)s : "");
}

int
db_key_get(struct db *db, const char *id, struct db_key *key, char **cause)
{
	sqlite3_stmt	*st = db_stmt(db, DB_KEY_GET);
	int		 rc;

	memset(key, 0, sizeof *key);
	db_bind_text(st, ":id", id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		db_error(db, "key lookup", cause);
		sqlite3_reset(st);
		return -1;
	}
	key->id = db_column_strdup(st, 0);
	key->user = db_column_strdup(st, 1);
	key->secret_hash = db_column_strdup(st, 2);
	key->comment = db_column_strdup(st, 3);
	key->created_at = sqlite3_column_int64(st, 4);
	key->expires_at = sqlite3_column_int64(st, 5);
	key->disabled = sqlite3_column_int(st, 6);
	key->nperms = sqlite3_column_int(st, 7);
	key->allow = db_column_strdup(st, 8);
	sqlite3_reset(st);
	return 1;
}

void
db_key_free(struct db_key *key)
{
	free(key->id);
	free(key->user);
	free(key->secret_hash);
	free(key->comment);
	free(key->allow);
	memset(key, 0, sizeof *key);
}

int
db_key_may_run(struct db *db, const char *id, const char *cmd, char **cause)
{
	sqlite3_stmt	*st = db_stmt(db, DB_KEY_MAY_RUN);
	int		 rc;

	db_bind_text(st, ":id", id);
	db_bind_text(st, ":cmd", cmd);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	db_error(db, "permission lookup", cause);
	return -1;
}

int
db_legacy_get(struct db *db, const char *lookup, char **hash, char **cause)
{
	sqlite3_stmt	*st = db_stmt(db, DB_LEGACY_GET);
	int		 rc;

	*hash = nullptr;
	db_bind_text(st, ":lookup", lookup);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*hash = db_column_strdup(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	db_error(db, "legacy key lookup", cause);
	return -1;
}

int64_t
db_allow_generation(struct db *db)
{
	sqlite3_stmt	*st = db_stmt(db, DB_ALLOW_GENERATION);
	int64_t		 n = -1;

	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

int
db_allow_each(struct db *db, db_row_cb cb, void *arg, char **cause)
{
	sqlite3_stmt	*st = db_stmt(db, DB_ALLOW_EACH);
	int		 rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cb((const char *)sqlite3_column_text(st, 0), arg);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return 0;
	db_error(db, "allowlist", cause);
	return -1;
}

int
db_key_add(struct db *db, const struct db_key *key, char *const *perms,
    int nperms, char **cause)
{
	sqlite3_stmt	*st = nullptr;
	int		 i, rv = -1;

	if (db_exec(db, "BEGIN IMMEDIATE", cause) == -1)
		return -1;
	if (sqlite3_prepare_v2(db->sq, "INSERT INTO keys (id, user,"
	    " secret_hash, comment, expires_at, disabled) VALUES"
	    " (:id, :user, :hash, :comment, :expires, :disabled)", -1, &st,
	    nullptr) != SQLITE_OK)
		goto fail;
	db_bind_text(st, ":id", key->id);
	db_bind_text(st, ":user", key->user);
	db_bind_text(st, ":hash", key->secret_hash);
	db_bind_text(st, ":comment", key->comment != nullptr ?
	    key->comment : "");
	if (key->expires_at != 0)
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st,
		    ":expires"), key->expires_at);
	sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":disabled"),
	    key->disabled);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = nullptr;
	if (sqlite3_prepare_v2(db->sq, "INSERT OR IGNORE INTO key_perms"
	    " (key_id, name) VALUES (:id, :name)", -1, &st, nullptr) !=
	    SQLITE_OK)
		goto fail;
	for (i = 0; i < nperms; i++) {
		sqlite3_reset(st);
		db_bind_text(st, ":id", key->id);
		db_bind_text(st, ":name", perms[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
	}
	sqlite3_finalize(st);
	st = nullptr;
	if (db_exec(db, "COMMIT", cause) == -1)
		goto rollback;
	return 0;
fail:
	db_error(db, "adding the key", cause);
rollback:
	sqlite3_finalize(st);
	db_exec(db, "ROLLBACK", nullptr);
	return rv;
}

int
db_key_delete(struct db *db, const char *id, char **cause)
{
	sqlite3_stmt	*st;
	int		 rv = -1;

	if (sqlite3_prepare_v2(db->sq, "DELETE FROM keys WHERE id = :id", -1,
	    &st, nullptr) != SQLITE_OK) {
		db_error(db, "delete", cause);
		return -1;
	}
	db_bind_text(st, ":id", id);
	if (sqlite3_step(st) == SQLITE_DONE)
		rv = sqlite3_changes(db->sq) > 0 ? 1 : 0;
	else
		db_error(db, "delete", cause);
	sqlite3_finalize(st);
	return rv;
}
