#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Attacks on the daemon itself, each reproduced first (issue 8): requests
# that must never stop it, fill its disk, or outrun its lockout.
. "$(dirname "$0")/lib.sh"

# 1. A forwarding header whose left-most hop starts with a blank and is a
# trusted proxy hung the whole daemon (found by fuzzing; /healthz too).
write_conf <<CONF
TRUSTED_PROXIES='127.0.0.1'
PROXY_HEADER='X-Forwarded-For'
CONF
start_apid
ok "xff hang: tab before a trusted hop" 200 "$(printf \
    'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: \t127.0.0.1\r\nConnection: close\r\n\r\n' | rawreq)"
ok "xff hang: obs-fold line" 200 "$(printf \
    'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For:\r\n 127.0.0.1\r\nConnection: close\r\n\r\n' | rawreq)"
ok "xff hang: blank and a newline" 200 "$(printf \
    'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For:  127.0.0.1 ,\t127.0.0.1\r\nConnection: close\r\n\r\n' | rawreq)"
reqto /healthz
ok "xff hang: still serving" 200 "$STATUS"
stopped_clean

# 8. A NUL inside cmd cut the name and the shorter command ran; inside a
# credential it would cut the secret. Refused by name, before the gate.
write_conf </dev/null
K=$(new_key admin)
start_apid
req -d "hash=$K" --data-raw 'cmd=v-list-users%00x'
ok "nul: cmd refused" 422 "$STATUS"
ok "nul: cmd code" 2 "$CODE"
ok "nul: cmd message" "Error: invalid request: cmd holds a NUL byte" "$BODY"
req --data-raw "hash=$K%00x" -d cmd=v-list-users
ok "nul: hash refused" 422 "$STATUS"
ok "nul: hash message" "Error: invalid request: hash holds a NUL byte" \
    "$BODY"
req --data-raw "access_key=${K%%:*}%00" --data-raw "secret_key=${K#*:}x%00y" \
    -d cmd=v-list-users
ok "nul: secret_key refused" 422 "$STATUS"
req -d user=admin --data-raw 'password=a%00b' -d cmd=v-list-users
ok "nul: password refused" 422 "$STATUS"
ok "nul: no command ran" 0 "$(grep -c 'successfully launched' "$T/auth.log")"
reqto /api/v1/exec -H "Authorization: Bearer $K" \
    --data-raw '{"cmd": "v-list-users\u0000x"}'
ok "nul: exec cmd refused" 400 "$STATUS"
contains "nul: exec says why" '"cmd\" holds a NUL byte' "$BODY"
reqto /api/v1/exec -H "Authorization: Bearer $K" \
    --data-raw '{"cmd": "v-list-users", "args": ["a\u0000b"]}'
ok "nul: exec arg refused" 400 "$STATUS"
contains "nul: exec arg says why" 'without NUL bytes' "$BODY"
reqto /api/v1/exec -H "Authorization: Bearer $K" --data-raw '{"cmd": <script>'
ok "exec: bad JSON" 400 "$STATUS"
contains "exec: bad JSON says so" 'not valid JSON' "$BODY"
case $BODY in *script*) fail "exec: bad JSON echoes the input: $BODY" ;; *) pass ;; esac
stopped_clean
finish
