-- SPDX-License-Identifier: GPL-3.0-or-later
-- hestia-apid database, the whole current schema: applied to a new database.
-- An older database is upgraded by sql/migrate-N.sql instead.
-- No table holds a secret: only argon2id hashes, and the views show none.

CREATE TABLE keys (
	id		TEXT PRIMARY KEY NOT NULL
			CHECK (length(id) = 20 AND id NOT GLOB '*[^0-9A-Za-z]*'),
	user		TEXT NOT NULL CHECK (user <> ''),
	secret_hash	TEXT NOT NULL CHECK (secret_hash GLOB '$argon2id$*'),
	comment		TEXT NOT NULL DEFAULT '',
	created_at	INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
	expires_at	INTEGER,			-- unix time, NULL: never
	disabled	INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	last_used_at	INTEGER,
	last_ip		TEXT,
	use_count	INTEGER NOT NULL DEFAULT 0,
	-- 'hestia': kept in step with Hestia's data/access-keys/ID, whose
	-- version (inode, size, mtime) it was last read from is hestia_stamp
	source		TEXT NOT NULL DEFAULT 'local'
			CHECK (source IN ('local', 'hestia')),
	hestia_stamp	TEXT
);
CREATE INDEX keys_user ON keys (user);

-- What a key may run: permission-set names and plain command names.
CREATE TABLE key_perms (
	key_id		TEXT NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
	name		TEXT NOT NULL,
	PRIMARY KEY (key_id, name)
) WITHOUT ROWID;

-- A key's own allowlist; empty means the global one alone decides.
CREATE TABLE key_allow (
	key_id		TEXT NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
	cidr		TEXT NOT NULL,
	PRIMARY KEY (key_id, cidr)
) WITHOUT ROWID;

-- Permission sets, as Hestia's data/api files (ROLE, COMMANDS).
CREATE TABLE perm_sets (
	name		TEXT PRIMARY KEY NOT NULL,
	role		TEXT NOT NULL CHECK (role IN ('admin', 'user')),
	-- 'builtin': shipped below; 'hestia': Hestia's data/api/NAME
	source		TEXT NOT NULL DEFAULT 'local'
			CHECK (source IN ('builtin', 'local', 'hestia')),
	hestia_stamp	TEXT
);
CREATE TABLE perm_set_commands (
	set_name	TEXT NOT NULL REFERENCES perm_sets (name)
			ON DELETE CASCADE ON UPDATE CASCADE,
	command		TEXT NOT NULL,
	PRIMARY KEY (set_name, command)
) WITHOUT ROWID;
CREATE INDEX perm_set_commands_cmd ON perm_set_commands (command);

-- Legacy API keys: found by the SHA-256 of the key, verified by argon2id.
CREATE TABLE legacy_keys (
	lookup		TEXT PRIMARY KEY NOT NULL,	-- hex SHA-256 of the key
	secret_hash	TEXT NOT NULL CHECK (secret_hash GLOB '$argon2id$*'),
	created_at	INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
	source		TEXT NOT NULL DEFAULT 'local'	-- 'hestia': data/keys
			CHECK (source IN ('local', 'hestia'))
);

-- What an admin deleted with hestia-apictl: neither the sync with
-- Hestia's files nor an import brings it back.
CREATE TABLE deleted (
	kind		TEXT NOT NULL CHECK (kind IN ('key', 'legacy', 'set')),
	name		TEXT NOT NULL,	-- key ID, legacy lookup, set name
	deleted_at	INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
	PRIMARY KEY (kind, name)
) WITHOUT ROWID;

-- The global allowlist (beside API_ALLOWED_IP).
CREATE TABLE allow (
	cidr		TEXT PRIMARY KEY NOT NULL,
	comment		TEXT NOT NULL DEFAULT '',
	created_at	INTEGER NOT NULL DEFAULT (strftime('%s', 'now'))
);

-- One row per API request; secrets and /tmp files masked in args.
CREATE TABLE audit (
	id		INTEGER PRIMARY KEY,
	at_ms		INTEGER NOT NULL,	-- unix time in milliseconds
	who		TEXT NOT NULL,		-- key ID, 'api', or a user
	peer_ip		TEXT NOT NULL,
	client_ip	TEXT NOT NULL,
	cmd		TEXT NOT NULL,
	args		TEXT NOT NULL,		-- JSON array
	exit_code	INTEGER NOT NULL,
	http_status	INTEGER NOT NULL,
	duration_ms	INTEGER NOT NULL,
	count		INTEGER NOT NULL DEFAULT 1	-- requests it stands for
);
CREATE INDEX audit_who ON audit (who, at_ms);

-- The shipped permission sets of Hestia (install/common/api/).
INSERT INTO perm_sets (name, role, source) VALUES
	('billing', 'admin', 'builtin'), ('mail-accounts', 'user', 'builtin'),
	('phpmyadmin-sso', 'admin', 'builtin'),
	('purge-nginx-cache', 'user', 'builtin'),
	('sync-dns-cluster', 'admin', 'builtin'),
	('update-dns-records', 'user', 'builtin');
INSERT INTO perm_set_commands VALUES
	('billing', 'v-add-user'), ('billing', 'v-delete-user'),
	('billing', 'v-suspend-user'), ('billing', 'v-unsuspend-user'),
	('billing', 'v-change-user-shell'), ('billing', 'v-list-user'),
	('billing', 'v-list-users'), ('billing', 'v-make-tmp-file'),
	('billing', 'v-add-domain'), ('billing', 'v-change-user-package'),
	('billing', 'v-change-user-password'),
	('mail-accounts', 'v-list-mail-domain'),
	('mail-accounts', 'v-list-mail-domains'),
	('mail-accounts', 'v-list-mail-account'),
	('mail-accounts', 'v-list-mail-accounts'),
	('mail-accounts', 'v-list-mail-account-autoreply'),
	('mail-accounts', 'v-add-mail-account'),
	('mail-accounts', 'v-delete-mail-account'),
	('mail-accounts', 'v-change-mail-account-password'),
	('mail-accounts', 'v-change-mail-account-quota'),
	('mail-accounts', 'v-suspend-mail-account'),
	('mail-accounts', 'v-unsuspend-mail-account'),
	('mail-accounts', 'v-delete-mail-account-alias'),
	('mail-accounts', 'v-delete-mail-account-autoreply'),
	('mail-accounts', 'v-delete-mail-account-forward'),
	('mail-accounts', 'v-delete-mail-account-fwd-only'),
	('mail-accounts', 'v-add-mail-account-alias'),
	('mail-accounts', 'v-add-mail-account-autoreply'),
	('mail-accounts', 'v-add-mail-account-forward'),
	('mail-accounts', 'v-add-mail-account-fwd-only'),
	('mail-accounts', 'v-suspend-mail-accounts'),
	('mail-accounts', 'v-unsuspend-mail-accounts'),
	('phpmyadmin-sso', 'v-add-database-temp-user'),
	('phpmyadmin-sso', 'v-delete-database-temp-user'),
	('purge-nginx-cache', 'v-purge-nginx-cache'),
	('purge-nginx-cache', 'v-list-web-domains'),
	('purge-nginx-cache', 'v-list-web-domain'),
	('sync-dns-cluster', 'v-list-users'),
	('sync-dns-cluster', 'v-list-sys-config'),
	('sync-dns-cluster', 'v-list-user'),
	('sync-dns-cluster', 'v-add-cron-restart-job'),
	('sync-dns-cluster', 'v-delete-dns-domains-src'),
	('sync-dns-cluster', 'v-insert-dns-domain'),
	('sync-dns-cluster', 'v-insert-dns-record'),
	('sync-dns-cluster', 'v-insert-dns-records'),
	('sync-dns-cluster', 'v-rebuild-dns-domains'),
	('sync-dns-cluster', 'v-rebuild-dns-domain'),
	('sync-dns-cluster', 'v-delete-dns-record'),
	('sync-dns-cluster', 'v-make-tmp-file'),
	('sync-dns-cluster', 'v-delete-dns-domain'),
	('update-dns-records', 'v-list-dns-records'),
	('update-dns-records', 'v-change-dns-record');

-- For admins: who can do what, since when, last used. Never a hash.
CREATE VIEW keys_view AS
SELECT k.id, k.user,
	(SELECT group_concat(name, ',') FROM key_perms p
	    WHERE p.key_id = k.id) AS permissions,
	(SELECT group_concat(cidr, ',') FROM key_allow a
	    WHERE a.key_id = k.id) AS allow,
	k.comment, k.source,
	datetime(k.created_at, 'unixepoch') || ' UTC' AS created,
	datetime(k.expires_at, 'unixepoch') || ' UTC' AS expires,
	CASE WHEN k.disabled THEN 'disabled'
	    WHEN k.expires_at IS NOT NULL AND
		k.expires_at <= strftime('%s', 'now') THEN 'expired'
	    ELSE 'active' END AS state,
	datetime(k.last_used_at, 'unixepoch') || ' UTC' AS last_used,
	k.last_ip, k.use_count
FROM keys k;

CREATE VIEW audit_view AS
SELECT id, strftime('%Y-%m-%d %H:%M:%f', at_ms / 1000.0, 'unixepoch') AS at,
	who, peer_ip, client_ip, cmd, args, exit_code, http_status,
	duration_ms, count
FROM audit;

-- Moves whenever the allowlist changes (see migrate-002.sql).
CREATE TABLE allow_generation (n INTEGER NOT NULL);
INSERT INTO allow_generation VALUES (0);
CREATE TRIGGER allow_gen_ins AFTER INSERT ON allow
BEGIN UPDATE allow_generation SET n = n + 1; END;
CREATE TRIGGER allow_gen_del AFTER DELETE ON allow
BEGIN UPDATE allow_generation SET n = n + 1; END;
CREATE TRIGGER allow_gen_upd AFTER UPDATE ON allow
BEGIN UPDATE allow_generation SET n = n + 1; END;

PRAGMA user_version = 4;
