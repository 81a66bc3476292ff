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
#define DB_BUSY_MS	5000	/* how long a locked database is waited for */

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

/* A connection with our settings; create: the file may be made. */
static struct db *
db_connect(const char *path, int create, char **cause)
{
	struct db	*db;

	db = XCALLOC(struct db);
	if (sqlite3_open_v2(path, &db->sq, SQLITE_OPEN_READWRITE |
	    (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX,
	    nullptr) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", path, db->sq != nullptr ?
		    sqlite3_errmsg(db->sq) : "cannot open");
		db_close(db);
		return nullptr;
	}
	sqlite3_busy_timeout(db->sq, DB_BUSY_MS);
	/* A small page cache: the daemon reads a key row at a time, and the
	 * audit table it appends to grows without end. */
	if (db_exec(db, "PRAGMA journal_mode = WAL;"
	    " PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
	    " PRAGMA cache_size = " DB_CACHE_KIB ";",
	    cause) == -1) {
		db_close(db);
		return nullptr;
	}
	return db;
}

struct db *
db_attach(const char *path, char **cause)
{
	return db_connect(path, 0, cause);
}

struct db *
db_open(const char *path, char **cause)
{
	struct db	*db;
	int		 i;

	if ((db = db_connect(path, 1, cause)) == nullptr)
		return nullptr;
	db_private(path);
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

/* One of the connection's kept statements (the daemon's hot queries). */
static void
db_kept(struct db *db, struct db_q *q, int which)
{
	q->db = db;
	q->st = db->stmt[which];
	q->kept = 1;
	q->bad = nullptr;
}

/* Prepare sql into q: kept for the connection's life, or for one use. */
static int
db_compile(struct db *db, struct db_q *q, const char *sql, int kept,
    char **cause)
{
	q->db = db;
	q->kept = kept;
	q->bad = nullptr;
	if (sqlite3_prepare_v3(db->sq, sql, -1, kept ?
	    SQLITE_PREPARE_PERSISTENT : 0, &q->st, nullptr) != SQLITE_OK) {
		db_error(db, "prepare", cause);
		q->st = nullptr;
		return -1;
	}
	return 0;
}

int
db_keep(struct db *db, struct db_q *q, const char *sql, char **cause)
{
	return db_compile(db, q, sql, 1, cause);
}

void
db_unkeep(struct db_q *q)
{
	sqlite3_finalize(q->st);
	q->st = nullptr;
}

int
db_prepare(struct db *db, struct db_q *q, const char *sql, char **cause)
{
	return db_compile(db, q, sql, 0, cause);
}

static int
db_param(struct db_q *q, const char *name)
{
	int	 i;

	if ((i = sqlite3_bind_parameter_index(q->st, name)) == 0)
		q->bad = name;
	return i;
}

int
db_bind_text(struct db_q *q, const char *name, const char *value)
{
	int	 i;

	if ((i = db_param(q, name)) == 0)
		return -1;
	if (value == nullptr)
		sqlite3_bind_null(q->st, i);
	else
		sqlite3_bind_text(q->st, i, value, -1, SQLITE_TRANSIENT);
	return 0;
}

int
db_bind_int64(struct db_q *q, const char *name, int64_t value)
{
	int	 i;

	if ((i = db_param(q, name)) == 0)
		return -1;
	sqlite3_bind_int64(q->st, i, value);
	return 0;
}

int
db_step(struct db_q *q, const char *what, char **cause)
{
	int	 rc;

	if (q->bad != nullptr) {
		if (cause != nullptr)
			xasprintf(cause, "%s: no parameter %s in the statement",
			    what, q->bad);
		return -1;
	}
	if ((rc = sqlite3_step(q->st)) == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	db_error(q->db, what, cause);
	return -1;
}

const char *
db_text(struct db_q *q, int col)
{
	const unsigned char	*s = sqlite3_column_text(q->st, col);

	return s != nullptr ? (const char *)s : "";
}

int64_t
db_int64(struct db_q *q, int col)
{
	return sqlite3_column_int64(q->st, col);
}

int
db_is_null(struct db_q *q, int col)
{
	return sqlite3_column_type(q->st, col) == SQLITE_NULL;
}

void
db_finish(struct db_q *q)
{
	if (q->st == nullptr)
		return;
	q->bad = nullptr;
	if (q->kept) {
		sqlite3_reset(q->st);
		sqlite3_clear_bindings(q->st);
		return;
	}
	sqlite3_finalize(q->st);
	q->st = nullptr;
}

int
db_done(struct db_q *q, const char *what, char **cause)
{
	int	 rv;

	if ((rv = db_step(q, what, cause)) == 1) {
		if (cause != nullptr)
			xasprintf(cause, "%s: a statement returned rows", what);
		rv = -1;
	} else if (rv == 0)
		rv = sqlite3_changes(q->db->sq);
	db_finish(q);
	return rv;
}

int
db_count(struct db_q *q, const char *what, char **cause)
{
	int	 n = -1, rv;

	if ((rv = db_step(q, what, cause)) == 1)
		n = (int)db_int64(q, 0);
	else if (rv == 0 && cause != nullptr)
		xasprintf(cause, "%s: no row", what);
	db_finish(q);
	return n;
}

int
db_rows(struct db_q *q, void (*row)(struct db_q *, void *), void *arg,
    const char *what, char **cause)
{
	int	 rv, n = 0;

	while ((rv = db_step(q, what, cause)) == 1) {
		row(q, arg);
		n++;
	}
	db_finish(q);
	return rv == -1 ? -1 : n;
}

int
db_exists(struct db *db, const char *sql, const char *name,
    const char *value, char **cause)
{
	struct db_q	 q;
	int		 rv;

	if (db_prepare(db, &q, sql, cause) == -1)
		return -1;
	db_bind_text(&q, name, value);
	rv = db_step(&q, "lookup", cause);
	db_finish(&q);
	return rv;
}

int
db_change(struct db *db, const char *sql, const char *name,
    const char *value, const char *what, char **cause)
{
	struct db_q	 q;
	int		 rv;

	if (db_prepare(db, &q, sql, cause) == -1)
		return -1;
	db_bind_text(&q, name, value);
	if ((rv = db_done(&q, what, cause)) > 0)
		rv = 1;
	return rv;
}

int
db_begin(struct db *db, char **cause)
{
	return db_exec(db, "BEGIN IMMEDIATE", cause);
}

int
db_commit(struct db *db, char **cause)
{
	return db_exec(db, "COMMIT", cause);
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->sq))
		db_exec(db, "ROLLBACK", nullptr);
}

static char *
db_strdup(struct db_q *q, int col)
{
	return xstrdup(db_text(q, col));
}

int
db_key_get(struct db *db, const char *id, struct db_key *key, char **cause)
{
	struct db_q	 q;
	int		 rv;

	memset(key, 0, sizeof *key);
	db_kept(db, &q, DB_KEY_GET);
	db_bind_text(&q, ":id", id);
	if ((rv = db_step(&q, "key lookup", cause)) == 1) {
		key->id = db_strdup(&q, 0);
		key->user = db_strdup(&q, 1);
		key->secret_hash = db_strdup(&q, 2);
		key->comment = db_strdup(&q, 3);
		key->created_at = db_int64(&q, 4);
		key->expires_at = db_int64(&q, 5);
		key->disabled = (int)db_int64(&q, 6);
		key->nperms = (int)db_int64(&q, 7);
		key->allow = db_strdup(&q, 8);
	}
	db_finish(&q);
	return rv;
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
	struct db_q	 q;
	int		 rv;

	db_kept(db, &q, DB_KEY_MAY_RUN);
	db_bind_text(&q, ":id", id);
	db_bind_text(&q, ":cmd", cmd);
	rv = db_step(&q, "permission lookup", cause);
	db_finish(&q);
	return rv;
}

int
db_legacy_get(struct db *db, const char *lookup, char **hash, char **cause)
{
	struct db_q	 q;
	int		 rv;

	*hash = nullptr;
	db_kept(db, &q, DB_LEGACY_GET);
	db_bind_text(&q, ":lookup", lookup);
	if ((rv = db_step(&q, "legacy key lookup", cause)) == 1)
		*hash = db_strdup(&q, 0);
	db_finish(&q);
	return rv;
}

int64_t
db_allow_generation(struct db *db)
{
	struct db_q	 q;
	int64_t		 n = -1;

	db_kept(db, &q, DB_ALLOW_GENERATION);
	if (db_step(&q, "allowlist", nullptr) == 1)
		n = db_int64(&q, 0);
	db_finish(&q);
	return n;
}

int
db_allow_each(struct db *db, db_row_cb cb, void *arg, char **cause)
{
	struct db_q	 q;
	int		 rv;

	db_kept(db, &q, DB_ALLOW_EACH);
	while ((rv = db_step(&q, "allowlist", cause)) == 1)
		cb(db_text(&q, 0), arg);
	db_finish(&q);
	return rv;
}

int
db_key_add(struct db *db, const struct db_key *key, char *const *perms,
    int nperms, char **cause)
{
	struct db_q	 q;
	int		 i;

	if (db_begin(db, cause) == -1)
		return -1;
	if (db_prepare(db, &q, "INSERT INTO keys (id, user, secret_hash,"
	    " comment, expires_at, disabled) VALUES (:id, :user, :hash,"
	    " :comment, :expires, :disabled)", cause) == -1)
		goto fail;
	db_bind_text(&q, ":id", key->id);
	db_bind_text(&q, ":user", key->user);
	db_bind_text(&q, ":hash", key->secret_hash);
	db_bind_text(&q, ":comment", key->comment != nullptr ?
	    key->comment : "");
	if (key->expires_at != 0)
		db_bind_int64(&q, ":expires", key->expires_at);
	db_bind_int64(&q, ":disabled", key->disabled);
	if (db_done(&q, "adding the key", cause) == -1)
		goto fail;
	for (i = 0; i < nperms; i++) {
		if (db_prepare(db, &q, "INSERT OR IGNORE INTO key_perms"
		    " (key_id, name) VALUES (:id, :name)", cause) == -1)
			goto fail;
		db_bind_text(&q, ":id", key->id);
		db_bind_text(&q, ":name", perms[i]);
		if (db_done(&q, "adding the key", cause) == -1)
			goto fail;
	}
	if (db_commit(db, cause) == -1)
		goto fail;
	return 0;
fail:
	db_rollback(db);
	return -1;
}

int
db_key_delete(struct db *db, const char *id, char **cause)
{
	return db_change(db, "DELETE FROM keys WHERE id = :id", ":id", id,
	    "delete", cause);
}
