#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# A database of an old schema (version 1) is upgraded on open, keeps
# its rows, and then works with the daemon.
. "$(dirname "$0")/lib.sh"

write_conf </dev/null
sqlite3 "$T/keys.db" <"$top/tests/fixtures/schema-v1.sql"
sqlite3 "$T/keys.db" "INSERT INTO allow (cidr, comment) VALUES ('192.0.2.0/24', 'old')"
ok "starts at version 1" 1 "$(sqlite3 "$T/keys.db" 'PRAGMA user_version')"

out=$("$APICTL" -f "$T/apid.conf" allow list --format plain 2>&1)
contains "old rows kept" "192.0.2.0/24" "$out"
ok "upgraded to version 4" 4 "$(sqlite3 "$T/keys.db" 'PRAGMA user_version')"
ok "allow counter added" 1 \
    "$(sqlite3 "$T/keys.db" "SELECT count(*) FROM sqlite_master WHERE name = 'allow_generation'")"
"$APICTL" -f "$T/apid.conf" allow add 198.51.100.0/24 >/dev/null
ok "counter moves on change" 1 "$(sqlite3 "$T/keys.db" 'SELECT n FROM allow_generation')"
ok "schema equals a new database's" \
    "$(sqlite3 "$T/new.db" <"$top/sql/schema.sql"; sqlite3 "$T/new.db" "SELECT name FROM sqlite_master ORDER BY name")" \
    "$(sqlite3 "$T/keys.db" "SELECT name FROM sqlite_master ORDER BY name")"

ok "audit columns equal a new database's" \
    "$(sqlite3 "$T/new.db" "SELECT name FROM pragma_table_info('audit')")" \
    "$(sqlite3 "$T/keys.db" "SELECT name FROM pragma_table_info('audit')")"
for t in keys legacy_keys perm_sets keys_view deleted; do
	ok "$t columns equal a new database's" \
	    "$(sqlite3 "$T/new.db" "SELECT name FROM pragma_table_info('$t')")" \
	    "$(sqlite3 "$T/keys.db" "SELECT name FROM pragma_table_info('$t')")"
done
ok "shipped sets marked builtin, mail-accounts has Hestia's 21" "6 21" \
    "$(sqlite3 "$T/keys.db" "SELECT (SELECT count(*) FROM perm_sets WHERE source = 'builtin'), (SELECT count(*) FROM perm_set_commands WHERE set_name = 'mail-accounts')" | tr '|' ' ')"
ok "the same in a new database" "6 21" \
    "$(sqlite3 "$T/new.db" "SELECT (SELECT count(*) FROM perm_sets WHERE source = 'builtin'), (SELECT count(*) FROM perm_set_commands WHERE set_name = 'mail-accounts')" | tr '|' ' ')"
ok "audit_view columns equal a new database's" \
    "$(sqlite3 "$T/new.db" "SELECT name FROM pragma_table_info('audit_view')")" \
    "$(sqlite3 "$T/keys.db" "SELECT name FROM pragma_table_info('audit_view')")"

K=$(new_key admin)
start_apid
req -d "hash=$K" -d cmd=v-list-users -d returncode=yes
ok "daemon serves on the upgraded database" 0 "$BODY"
stopped_clean
finish
