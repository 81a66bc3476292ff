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

/* A statement prepared once and kept (the daemon's hot queries); reset
 * before it is returned. */
struct sqlite3_stmt *db_stmt(struct db *, int which);
/* Run SQL with no result; returns 0 or -1 with *cause. */
int		 db_exec(struct db *, const char *sql, char **cause);

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
