-- SPDX-License-Identifier: GPL-3.0-or-later
-- Version 4: keys, legacy keys and permission sets kept in step with
-- Hestia's own files (data/access-keys, data/keys, data/api; hsync.cc).
-- A row says where it came from; a row from Hestia remembers which
-- version of its file it was read from, so an unchanged file is not read
-- (nor its secret hashed) again. What an admin deletes with hestia-apictl
-- is recorded, so that neither the sync nor an import brings it back.
ALTER TABLE keys ADD COLUMN source TEXT NOT NULL DEFAULT 'local'
	CHECK (source IN ('local', 'hestia'));
ALTER TABLE keys ADD COLUMN hestia_stamp TEXT;
ALTER TABLE legacy_keys ADD COLUMN source TEXT NOT NULL DEFAULT 'local'
	CHECK (source IN ('local', 'hestia'));
ALTER TABLE perm_sets ADD COLUMN source TEXT NOT NULL DEFAULT 'local'
	CHECK (source IN ('builtin', 'local', 'hestia'));
ALTER TABLE perm_sets ADD COLUMN hestia_stamp TEXT;
UPDATE perm_sets SET source = 'builtin' WHERE name IN ('billing',
	'mail-accounts', 'phpmyadmin-sso', 'purge-nginx-cache',
	'sync-dns-cluster', 'update-dns-records');
CREATE TABLE deleted (
	kind		TEXT NOT NULL CHECK (kind IN ('key', 'legacy', 'set')),
	name		TEXT NOT NULL,	-- key ID, legacy lookup, set name
	deleted_at	INTEGER NOT NULL DEFAULT (strftime('%s', 'now')),
	PRIMARY KEY (kind, name)
) WITHOUT ROWID;
-- Hestia ships 21 commands in mail-accounts (install/common/api); the
-- first versions had 11.
INSERT OR IGNORE INTO perm_set_commands
SELECT 'mail-accounts', c.column1 FROM (VALUES
	('v-delete-mail-account-alias'), ('v-delete-mail-account-autoreply'),
	('v-delete-mail-account-forward'), ('v-delete-mail-account-fwd-only'),
	('v-add-mail-account-alias'), ('v-add-mail-account-autoreply'),
	('v-add-mail-account-forward'), ('v-add-mail-account-fwd-only'),
	('v-suspend-mail-accounts'), ('v-unsuspend-mail-accounts')) c
WHERE EXISTS (SELECT 1 FROM perm_sets
	WHERE name = 'mail-accounts' AND source = 'builtin');
-- keys_view says where a key came from, and its times say they are UTC.
DROP VIEW keys_view;
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
PRAGMA user_version = 4;
