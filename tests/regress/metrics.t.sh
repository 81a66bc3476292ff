#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# GET /metrics: Prometheus text parsed by a real parser
# (python3-prometheus-client), counters that move by what was done, and
# the gate's network level: allowlisted, not banned, API_SYSTEM on, no key.
. "$(dirname "$0")/lib.sh"

# Debian's python3 holds Debian's python3-prometheus-client.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

write_conf <<CONF
LISTEN='127.0.0.1:0,unix:$T/apid.sock'
TRUSTED_PROXIES='unix'
API_ALLOWED_IP='127.0.0.1,192.0.2.50'
LOCKOUT='3/600/600'
CMD_TIMEOUT='1'
MAX_OUTPUT='100'
CONF
K=$(new_key admin)
ID=${K%%:*}
WRONG="$ID:$(printf 'x%039d' 0)"
start_apid

# scrape: fetch /metrics over TCP (127.0.0.1, allowlisted) and parse it
# into $T/samples; a text the parser or our checks refuse fails.
scrape() {
	reqto /metrics
	ok "scrape: 200" 200 "$STATUS"
	if "$PY" "$top/tests/regress/promparse.py" <"$T/body" \
	    >"$T/samples" 2>"$T/parse.err"; then
		pass
	else
		fail "scrape: $(cat "$T/parse.err")"
		cp "$T/body" "$T/bad-metrics.txt"
	fi
}
# m SAMPLE: its value in the last scrape, 0 when it has none.
m() {
	v=$(awk -v k="$1" '$1 == k { print $2 }' "$T/samples")
	echo "${v:-0}"
}
req_n() {
	echo "hestia_apid_requests_total{endpoint=\"$1\",status=\"$2\"}"
}
ended() {
	echo "hestia_apid_commands_ended_total{outcome=\"$1\"}"
}
# moved LABEL SAMPLE BY: SAMPLE moved by BY since $T/before.
moved() {
	b=$(awk -v k="$2" '$1 == k { print $2 }' "$T/before")
	ok "$1" "$3" "$(( $(m "$2") - ${b:-0} ))"
}
mark() {
	scrape
	cp "$T/samples" "$T/before"
}
exec_req() {
	reqto /api/v1/exec -H 'Content-Type: application/json' "$@"
}

# The format: its content type, HELP and TYPE for every family.
scrape
ok "content type" "text/plain; version=0.0.4; charset=utf-8" "$CTYPE"
for name in requests_total login_failures_total argon2_runs_total \
    shadow_runs_total verify_dummy_waits_total verify_cache_hits_total \
    commands_running commands_queued commands_started_total \
    commands_ended_total commands_rejected_total spawn_failures_total \
    command_timeouts_total output_truncations_total \
    audit_rows_written_total audit_rows_pending audit_rows_dropped_total \
    lockout_entries connections_open process_resident_memory_bytes \
    process_open_fds; do
	grep -q "^# TYPE hestia_apid_$name " "$T/body" && pass ||
	    fail "no family hestia_apid_$name"
done
ok "every outcome has its series" 6 \
    "$(grep -c '^hestia_apid_commands_ended_total{outcome=' "$T/body")"
ok "one open connection at least" 1 \
    "$(( $(m hestia_apid_connections_open) >= 1 ))"
ok "resident memory said" 1 \
    "$(( $(m hestia_apid_process_resident_memory_bytes) > 1000000 ))"
ok "open fds said" 1 "$(( $(m hestia_apid_process_open_fds) >= 5 ))"

# Requests: N of them, +N for their endpoint and status; the scrape
# counts itself once it is answered.
mark
for i in 1 2 3 4 5; do reqto /healthz; done
reqto /nowhere
scrape
moved "5 x /healthz 200" "$(req_n /healthz 200)" 5
moved "1 x 404 of no endpoint" "$(req_n other 404)" 1
moved "the last scrape counted" "$(req_n /metrics 200)" 1

# A wrong secret: one login failure, one argon2 run, one 401.
mark
exec_req -H "Authorization: Bearer $WRONG" --data-raw '{"cmd": "v-list-users"}'
ok "wrong secret refused" 401 "$STATUS"
scrape
moved "wrong secret: login failures" hestia_apid_login_failures_total 1
moved "wrong secret: argon2" hestia_apid_argon2_runs_total 1
moved "wrong secret: 401" "$(req_n /api/v1/exec 401)" 1
ok "wrong secret: its address in the lockout table" 1 \
    "$(m hestia_apid_lockout_entries)"

# The right one twice: argon2 once, then the cache; two commands ok.
mark
exec_req -H "Authorization: Bearer $K" --data-raw '{"cmd": "v-list-users"}'
ok "a command" 200 "$STATUS"
exec_req -H "Authorization: Bearer $K" --data-raw '{"cmd": "v-list-users"}'
scrape
moved "first login: argon2" hestia_apid_argon2_runs_total 1
moved "second login: the cache" hestia_apid_verify_cache_hits_total 1
moved "no failure" hestia_apid_login_failures_total 0
moved "two commands started" hestia_apid_commands_started_total 2
moved "two ended ok" "$(ended ok)" 2
moved "two 200" "$(req_n /api/v1/exec 200)" 2

# An exit code, a timeout, a cut output.
mark
exec_req -H "Authorization: Bearer $K" \
    --data-raw '{"cmd": "v-exit", "args": ["3"]}'
ok "exit 3" 400 "$STATUS"
exec_req -H "Authorization: Bearer $K" \
    --data-raw '{"cmd": "v-sleep", "args": ["5"]}'
ok "timed out" 504 "$STATUS"
exec_req -H "Authorization: Bearer $K" \
    --data-raw '{"cmd": "v-flood", "args": ["1000"]}'
contains "output cut" '"truncated":true' "$BODY"
scrape
moved "exit 3: nonzero" "$(ended nonzero)" 1
moved "timeout: counted" hestia_apid_command_timeouts_total 1
moved "timeout: ended so" "$(ended timeout)" 1
moved "timeout: 504" "$(req_n /api/v1/exec 504)" 1
moved "cut: counted" hestia_apid_output_truncations_total 1
moved "cut: ended ok" "$(ended ok)" 1
moved "three started" hestia_apid_commands_started_total 3
moved "no spawn failure" hestia_apid_spawn_failures_total 0
ok "none running" 0 "$(m hestia_apid_commands_running)"
ok "none queued" 0 "$(m hestia_apid_commands_queued)"

# A client that leaves mid-command: its command is cancelled, its request
# counted as 499.
mark
curl -s -m 0.5 -o /dev/null -H "Authorization: Bearer $K" \
    --data-raw '{"cmd": "v-sleep", "args": ["3"]}' "http://$PORT/api/v1/exec"
i=0
while :; do
	scrape
	[ "$(m hestia_apid_commands_running)" = 0 ] || [ $i -gt 50 ] && break
	i=$((i + 1))
	sleep 0.1
done
moved "left: cancelled" "$(ended cancelled)" 1
moved "left: 499" "$(req_n /api/v1/exec 499)" 1

# Audit rows: written by their thread, none dropped.
i=0
while [ "$(m hestia_apid_audit_rows_pending)" != 0 ] && [ $i -lt 50 ]; do
	sleep 0.1
	scrape
	i=$((i + 1))
done
# Seven API requests so far: one row each.
ok "audit: written" 7 "$(m hestia_apid_audit_rows_written_total)"
ok "audit: none dropped" 0 "$(m hestia_apid_audit_rows_dropped_total)"

# The network level: other methods, and addresses refused.
reqto /metrics -I
ok "HEAD" 200 "$STATUS"
reqto /metrics -d x=1
ok "POST" 405 "$STATUS"
sock() {
	curl -s -m 10 -o "$T/body" -w '%{http_code}' --unix-socket \
	    "$T/apid.sock" "$@" http://localhost/metrics
}
ok "unix, X-Real-IP allowlisted" 200 "$(sock -H 'X-Real-IP: 192.0.2.50')"
ok "not allowlisted: 403" 403 "$(sock -H 'X-Real-IP: 192.0.2.9')"
ok "not allowlisted: why" "Error: IP is not allowed to connect with API" \
    "$(cat "$T/body")"
ok "unknown address: 403" 403 "$(sock)"
for i in 1 2 3; do
	curl -s -o /dev/null --unix-socket "$T/apid.sock" \
	    -H 'X-Real-IP: 192.0.2.50' -H "Authorization: Bearer $WRONG" \
	    --data-raw '{"cmd": "v-list-users"}' http://localhost/api/v1/exec
done
ok "banned: 403" 403 "$(sock -H 'X-Real-IP: 192.0.2.50')"
ok "a key changes nothing" 403 \
    "$(sock -H 'X-Real-IP: 192.0.2.50' -H "Authorization: Bearer $K")"
scrape
ok "refusals counted" 4 "$(m "$(req_n /metrics 403)")"
stopped_clean
# Flushed at the stop: the API requests' rows, none of /metrics's.
ok "no audit row for /metrics" 0 "$(sqlite3 "$T/keys.db" \
    "SELECT count(*) FROM audit WHERE http_status = 403")"
ok "the API requests' rows" 10 "$(sqlite3 "$T/keys.db" \
    "SELECT sum(count) FROM audit")"

# A command that cannot be started.
echo "EXEC_PREFIX='/nonexistent/sudo'" >>"$T/apid.conf"
start_apid
exec_req -H "Authorization: Bearer $K" --data-raw '{"cmd": "v-list-users"}'
ok "spawn failure: 500" 500 "$STATUS"
scrape
ok "spawn failure: counted" 1 "$(m hestia_apid_spawn_failures_total)"
ok "spawn failure: ended so" 1 "$(m "$(ended spawn_failed)")"
stopped_clean

# API_SYSTEM off: /metrics too.
sed -i "s/^API_SYSTEM=.*/API_SYSTEM='0'/" "$T/apid.conf"
start_apid
reqto /metrics
ok "API_SYSTEM=0: 403" 403 "$STATUS"
ok "API_SYSTEM=0: why" "Error: API has been disabled" "$BODY"
stopped_clean
finish
