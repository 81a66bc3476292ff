-- SPDX-License-Identifier: GPL-3.0-or-later
-- Version 3: an audit row may stand for several requests. Requests refused
-- before authentication that come faster than a client's share of rows
-- are folded into one row per client and second, so a flood cannot fill
-- the disk and nothing goes uncounted: SUM(count) is the requests seen.
ALTER TABLE audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
DROP VIEW audit_view;
CREATE VIEW audit_view AS
SELECT id, strftime('%Y-%m-%d %H:%M:%f', at_ms / 1000.0, 'unixepoch') AS at,
	who, peer_ip, client_ip, cmd, args, exit_code, http_status,
	duration_ms, count
FROM audit;
PRAGMA user_version = 3;
