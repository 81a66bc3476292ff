/* SPDX-License-Identifier: GPL-3.0-or-later */
/* All SQLite access: open with schema and migrations, prepared statements. */
#ifndef DB_H
#define DB_H

#include <stdint.h>

struct db;
struct sqlite3;
struct sqlite3_stmt;

/* A key row, without its perms; strings owned by the struct. */
struct db_key {
	char	*id;
	char	*user;
	char	*secret_hash;
	char	*comment;
	int64_t	 created_at;
	int64_t	 expires_at;	/* 0: never */
	int	 disabled;
	int	 nperms;	/* entries in key_perms */
	char	*allow;		/* the key's own CIDRs, comma list, or "" */
};

/* Open (creating and upgrading as needed). Returns nullptr with *cause. */
struct db	*db_open(const char *path, char **cause);
void		 db_close(struct db *);
struct sqlite3	*db_sqlite(struct db *);
int		 db_schema_version(struct db *);

/* Run SQL with no result; returns 0 or -1 with *cause. */
int		 db_exec(struct db *, const char *sql, char **cause);

/*
 * Statements, in the manner of Fossil's db.c: prepare, bind by name, step,
 * read columns, finish. Binding a name the SQL does not have is a bug: the
 * statement is marked, and its step fails with a cause that names it,
 * rather than run with a parameter left NULL. Every failing call gives
 * "what: SQLite's message" in *cause (what is the caller's words).
 */
struct db_q {
	struct db		*db;
	struct sqlite3_stmt	*st;
	int			 kept;	/* the connection's own: reset, kept */
	const char		*bad;	/* a name bound that the SQL lacks */
};

/* A second connection to a database that exists and is up to date (the
 * audit writer's): never creates or migrates. nullptr with *cause. */
struct db	*db_attach(const char *path, char **cause);
/* A statement kept for the connection's life (prepared once; db_finish
 * resets it), freed by db_unkeep. 0, or -1 with *cause. */
int		 db_keep(struct db *, struct db_q *, const char *sql,
		    char **cause);
void		 db_unkeep(struct db_q *);
/* A statement for one use: 0, or -1 with *cause. Finish it. */
int		 db_prepare(struct db *, struct db_q *, const char *sql,
		    char **cause);
/* Bind; a nullptr text binds NULL. 0, or -1 for an unknown name. */
int		 db_bind_text(struct db_q *, const char *name, const char *);
int		 db_bind_int64(struct db_q *, const char *name, int64_t);
/* 1 a row, 0 done, -1 error (*cause, what it was doing: what). */
int		 db_step(struct db_q *, const char *what, char **cause);
/* Columns of the row: "" for a NULL text. */
const char	*db_text(struct db_q *, int col);
int64_t		 db_int64(struct db_q *, int col);
int		 db_is_null(struct db_q *, int col);
/* Reset a kept statement, free another. */
void		 db_finish(struct db_q *);
/* Step a statement that returns no rows, then finish it: the number of
 * rows it changed, or -1. */
int		 db_done(struct db_q *, const char *what, char **cause);
/* The first column of the one row of a count(*), then finish; -1. */
int		 db_count(struct db_q *, const char *what, char **cause);
/* Call row for each row, then finish: how many, or -1. */
int		 db_rows(struct db_q *, void (*row)(struct db_q *, void *),
		    void *arg, const char *what, char **cause);
/* A query with one text parameter: 1 when it returns a row, 0 none. */
int		 db_exists(struct db *, const char *sql, const char *name,
		    const char *value, char **cause);
/* A change with one text parameter: 1 when any row changed, 0 none. */
int		 db_change(struct db *, const char *sql, const char *name,
		    const char *value, const char *what, char **cause);
/* One write transaction (BEGIN IMMEDIATE) around several calls. */
int		 db_begin(struct db *, char **cause);
int		 db_commit(struct db *, char **cause);
void		 db_rollback(struct db *);

/* 1 found, 0 not found, -1 error (*cause). */
int		 db_key_get(struct db *, const char *id, struct db_key *,
		    char **cause);
void		 db_key_free(struct db_key *);
/* 1 when the key's perms name cmd or a set holding cmd, 0 if not, -1. */
int		 db_key_may_run(struct db *, const char *id, const char *cmd,
		    char **cause);
/* The argon2id hash of a legacy API key, by the hex SHA-256 of the key:
 * 1 found (*hash allocated), 0 not found, -1 error. */
int		 db_legacy_get(struct db *, const char *lookup, char **hash,
		    char **cause);
/* The allowlist's change counter (-1 on error), and its rows. */
int64_t		 db_allow_generation(struct db *);
typedef void	(*db_row_cb)(const char *value, void *arg);
int		 db_allow_each(struct db *, db_row_cb, void *arg,
		    char **cause);
/* 0, or -1 with *cause; perms are set or command names. */
int		 db_key_add(struct db *, const struct db_key *,
		    char *const *perms, int nperms, char **cause);
/* 1 deleted, 0 no such key, -1 error. */
int		 db_key_delete(struct db *, const char *id, char **cause);

#endif
