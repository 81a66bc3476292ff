/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The database side of hestia-apictl: keys, permission sets, allowlist,
 * legacy keys, import and audit. The daemon's own queries are in db.cc. */
#ifndef ADMIN_H
#define ADMIN_H

#include <stddef.h>
#include <stdint.h>

struct db;
struct db_key;

/* Lowercase hex SHA-256 and its terminating NUL. */
#define ADMIN_LOOKUP_LEN	64
/* The longest canonical CIDR text and its NUL ("ffff:...:ffff/128"). */
#define ADMIN_CIDR_MAX		64

/* A key as listings show it; never its secret or hash. The strings are
 * valid during the callback only. Times are unix times, 0 for none. */
struct admin_key {
	const char	*id;
	const char	*user;
	const char	*perms;		/* comma list */
	const char	*allow;		/* comma list */
	const char	*comment;
	const char	*state;		/* active, disabled, expired */
	const char	*last_ip;
	const char	*source;	/* local, hestia (its files) */
	int64_t		 created_at;
	int64_t		 expires_at;
	int64_t		 last_used_at;
	int64_t		 use_count;
};

struct admin_perm {
	const char	*name;
	const char	*role;
	const char	*commands;	/* comma list */
	const char	*source;	/* builtin, local, hestia */
};

struct admin_allow {
	const char	*cidr;
	const char	*comment;
	int64_t		 created_at;
};

struct admin_legacy {
	const char	*lookup;
	const char	*source;
	int64_t		 created_at;
};

/* What is kept in step with Hestia's files: data/api, data/access-keys,
 * data/keys (hsync.h). A legacy key's name is its lookup. */
enum admin_kind { ADMIN_SET, ADMIN_KEY, ADMIN_LEGACY };

/* One row of audit_view. */
struct admin_audit {
	int64_t		 id;
	const char	*at;		/* UTC, "YYYY-MM-DD HH:MM:SS.SSS" */
	const char	*who;
	const char	*peer_ip;
	const char	*client_ip;
	const char	*cmd;
	const char	*args;		/* JSON array */
	int		 exit_code;
	int		 http_status;
	int64_t		 duration_ms;
	int64_t		 count;		/* requests the row stands for */
};

typedef void (*admin_key_cb)(const struct admin_key *, void *);
typedef void (*admin_perm_cb)(const struct admin_perm *, void *);
typedef void (*admin_allow_cb)(const struct admin_allow *, void *);
typedef void (*admin_legacy_cb)(const struct admin_legacy *, void *);
typedef void (*admin_audit_cb)(const struct admin_audit *, void *);
typedef void (*admin_name_cb)(const char *, void *);

/* Functions returning int give -1 with *cause on a database error; the
 * other values are documented with each. */

/* One write transaction around several calls (BEGIN IMMEDIATE). */
int	 admin_begin(struct db *, char **cause);
int	 admin_commit(struct db *, char **cause);
void	 admin_rollback(struct db *);

/* Insert a key with its perms and CIDRs (created_at 0: now); call inside
 * a transaction. 1 inserted, 0 a key with this ID exists. */
int	 admin_key_add(struct db *, const struct db_key *,
	    char *const *perms, int nperms, char *const *allow, int nallow,
	    char **cause);
/* Keys of one user, or one key by ID, or all (nullptr, nullptr), oldest
 * first. Returns how many were found. */
int	 admin_key_foreach(struct db *, const char *user, const char *id,
	    admin_key_cb, void *, char **cause);
/* 1 changed (or already so), 0 no such key. */
int	 admin_key_set_disabled(struct db *, const char *id, int disabled,
	    char **cause);
/* 1 deleted, 0 no such key. */
int	 admin_key_delete(struct db *, const char *id, char **cause);
/* 1 exists, 0 not. */
int	 admin_key_exists(struct db *, const char *id, char **cause);

/* The role of a set: 1 found (*role allocated), 0 no such set. */
int	 admin_perm_role(struct db *, const char *name, char **role,
	    char **cause);
/* One set by name, or all (nullptr), by name. Returns how many. */
int	 admin_perm_foreach(struct db *, const char *name, admin_perm_cb,
	    void *, char **cause);
/* 1 added, 0 a set of that name exists. */
int	 admin_perm_add(struct db *, const char *name, const char *role,
	    char *const *commands, int ncommands, char **cause);
/* Make a set hold exactly this role and these commands: 1 created or
 * changed, 0 it was so already. Call inside a transaction. */
int	 admin_perm_import(struct db *, const char *name, const char *role,
	    char *const *commands, int ncommands, char **cause);
/* 1 deleted, 0 no such set, 2 in use by *nkeys keys (not deleted). */
int	 admin_perm_delete(struct db *, const char *name, int *nkeys,
	    char **cause);

/* Canonical "address/prefix" of a CIDR or a bare address (which counts as
 * /32 or /128). Refuses host bits set beyond the prefix. 0, or -1 with
 * *cause (allocated). */
int	 admin_cidr_canonical(const char *cidr, char *out, size_t outlen,
	    char **cause);
/* 1 added, 0 present already (cidr must be canonical). */
int	 admin_allow_add(struct db *, const char *cidr, const char *comment,
	    char **cause);
/* 1 deleted, 0 not there. */
int	 admin_allow_delete(struct db *, const char *cidr, char **cause);
int	 admin_allow_foreach(struct db *, admin_allow_cb, void *,
	    char **cause);

/* The lookup of a legacy key: lowercase hex SHA-256; out holds
 * ADMIN_LOOKUP_LEN + 1. */
void	 admin_legacy_lookup(const char *key, char *out);
/* 1 added, 0 present already (created_at 0: now). */
int	 admin_legacy_add(struct db *, const char *lookup, const char *hash,
	    int64_t created_at, char **cause);
/* 1 exists, 0 not. */
int	 admin_legacy_exists(struct db *, const char *lookup, char **cause);
/* Delete by full lookup, or by a unique prefix of one: 1 deleted, 0 none,
 * 2 the prefix is ambiguous (nothing deleted). */
int	 admin_legacy_revoke(struct db *, const char *lookup, int prefix,
	    char **cause);
int	 admin_legacy_foreach(struct db *, admin_legacy_cb, void *,
	    char **cause);

/* Audit rows, newest first: of one key (or who) or all (nullptr), at or
 * after since (UTC "YYYY-MM-DD HH:MM:SS", or nullptr), at most limit. */
int	 admin_audit_foreach(struct db *, const char *who, const char *since,
	    int limit, admin_audit_cb, void *, char **cause);

/* Hestia's files and the rows from them (hsync.cc). Deleting a key, a
 * legacy key or a set above records it: admin_deleted is then 1. */
int	 admin_deleted(struct db *, enum admin_kind, const char *name,
	    char **cause);
/* 1 the row exists: *from_hestia, and the version of its file it was last
 * read from (*stamp allocated, or nullptr); 0 no such row. */
int	 admin_hestia_stamp(struct db *, enum admin_kind, const char *name,
	    int *from_hestia, char **stamp, char **cause);
/* The row comes from Hestia, from this version of its file. */
int	 admin_hestia_mark(struct db *, enum admin_kind, const char *name,
	    const char *stamp, char **cause);
/* Remove a row that came from Hestia: 1 removed, 0 none such. */
int	 admin_hestia_remove(struct db *, enum admin_kind, const char *name,
	    char **cause);
/* The names of the rows from Hestia; returns how many. */
int	 admin_hestia_foreach(struct db *, enum admin_kind, admin_name_cb,
	    void *, char **cause);
/* Give an existing key this user, hash, comment (and created_at, unless
 * 0) and exactly these perms; its state, expiry and allowlist stay. 1
 * changed, 0 no such key. Call inside a transaction. */
int	 admin_key_replace(struct db *, const struct db_key *,
	    char *const *perms, int nperms, char **cause);

#endif
