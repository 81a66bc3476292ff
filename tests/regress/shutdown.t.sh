#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# SIGTERM: no new connections, running and queued commands finish and are
# answered, the audit keeps every row, the daemon exits 0 and clean.
. "$(dirname "$0")/lib.sh"

write_conf <<CONF
MAX_JOBS='1'
QUEUE='4'
CONF
K=$(new_key admin)
start_apid
for i in 1 2 3; do
	curl -s -m 30 -o "$T/out.$i" -w '%{http_code}' -d "hash=$K" \
	    -d cmd=v-sleep -d arg1=1 "http://$PORT/api/" >"$T/status.$i" &
	PIDS="$PIDS $!"
done
sleep 0.5
kill -TERM "$APID_PID"
sleep 0.3
ok "no new connections" 000 \
    "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$PORT/healthz")"
wait "$APID_PID"
ok "exits 0" 0 $?
for i in 1 2 3; do
	wait_for=0
	while [ ! -s "$T/status.$i" ] && [ $wait_for -lt 100 ]; do
		sleep 0.1
		wait_for=$((wait_for + 1))
	done
	ok "request $i answered" "200 slept" \
	    "$(cat "$T/status.$i") $(cat "$T/out.$i")"
done
ok "every request audited" 3 \
    "$(sqlite3 "$T/keys.db" "SELECT count(*) FROM audit WHERE cmd = 'v-sleep' AND http_status = 200")"
ok "no sanitizer report" 0 "$(grep -c -E 'Sanitizer|runtime error' "$T/apid.log")"
finish
