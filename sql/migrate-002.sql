-- SPDX-License-Identifier: GPL-3.0-or-later
-- Version 2: a counter that moves whenever the global allowlist changes,
-- so the daemon rebuilds its prefix tables only then (one cheap read per
-- request instead of re-reading the table).
CREATE TABLE allow_generation (n INTEGER NOT NULL);
INSERT INTO allow_generation VALUES (0);
CREATE TRIGGER allow_gen_ins AFTER INSERT ON allow
BEGIN UPDATE allow_generation SET n = n + 1; END;
CREATE TRIGGER allow_gen_del AFTER DELETE ON allow
BEGIN UPDATE allow_generation SET n = n + 1; END;
CREATE TRIGGER allow_gen_upd AFTER UPDATE ON allow
BEGIN UPDATE allow_generation SET n = n + 1; END;
PRAGMA user_version = 2;
