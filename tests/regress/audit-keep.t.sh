#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# AUDIT_KEEP: audit rows older than that many days are pruned by the
# writer at start (and hourly); newer rows stay; 0 keeps everything; a
# SIGHUP applies a new value.
. "$(dirname "$0")/lib.sh"

write_conf <<EOF2
AUDIT_KEEP='2'
EOF2
K=$(new_key admin)
now=$(date +%s)000
old() {	# a row N days old
	sqlite3 "$T/keys.db" "INSERT INTO audit (at_ms, who, peer_ip,
	    client_ip, cmd, args, exit_code, http_status, duration_ms)
	    VALUES ($now - $1 * 86400000, 'old$1', '-', '-', 'v-x', '[]', 0,
	    200, 1)"
}
rows() {
	sqlite3 "$T/keys.db" "SELECT group_concat(who, ' ') FROM
	    (SELECT who FROM audit WHERE who LIKE 'old%' ORDER BY who)"
}
# Wait for the writer (at most 5 s) until rows says $1.
wait_rows() {
	i=0
	while [ "$(rows)" != "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}
old 1
old 3
old 30
start_apid
wait_rows "old1"
ok "rows older than AUDIT_KEEP days pruned at start, newer kept" "old1" \
    "$(rows)"
contains "the prune is logged" "2 rows older than 2 days pruned" \
    "$(cat "$T/apid.log")"
req -d "hash=$K" -d cmd=v-list-users -d returncode=yes
ok "the daemon serves on" "200 0" "$STATUS $BODY"

sed -i "s/^AUDIT_KEEP=.*/AUDIT_KEEP='0'/" "$T/apid.conf"
kill -HUP "$APID_PID"
sleep 0.5
old 40
kill -HUP "$APID_PID"
sleep 1
ok "AUDIT_KEEP=0 keeps everything" "old1 old40" "$(rows)"

sed -i "s/^AUDIT_KEEP=.*/AUDIT_KEEP='10'/" "$T/apid.conf"
kill -HUP "$APID_PID"
wait_rows "old1"
ok "a new AUDIT_KEEP applies on SIGHUP" "old1" "$(rows)"
ok "the request's own row is kept" 1 \
    "$(sqlite3 "$T/keys.db" "SELECT count(*) FROM audit WHERE cmd = 'v-list-users'")"
stopped_clean

printf "AUDIT_KEEP='-1'\n" >>"$T/apid.conf"
out=$("$APID" -n -f "$T/apid.conf" 2>&1)
ok "-n refuses a negative AUDIT_KEEP" 1 $?
contains "and says which key" "AUDIT_KEEP" "$out"
finish
