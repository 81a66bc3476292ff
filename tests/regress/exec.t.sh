#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The JSON endpoint, /api/v1/exec: a command's answer, and its refusals,
# a 401 naming the Bearer scheme (RFC 6750).
. "$(dirname "$0")/lib.sh"

write_conf </dev/null
K=$(new_key admin)
start_apid
exec_req() {
	reqto /api/v1/exec -H 'Content-Type: application/json' "$@"
}

exec_req -H "Authorization: Bearer $K" --data-raw '{"cmd": "v-list-users", "args": ["json"]}'
ok "a command runs" 200 "$STATUS"
contains "its exit code in the JSON" '"exit_code": 0' \
    "$(python3 -m json.tool "$T/body")"

exec_req --data-raw '{"cmd": "v-list-users"}'
ok "no credentials: 401" 401 "$STATUS"
ok "the scheme named" 'Bearer realm="hestia-apid"' \
    "$(hdr WWW-Authenticate)"
exec_req -H "Authorization: Bearer ${K%%:*}:$(printf 'x%039d' 0)" \
    --data-raw '{"cmd": "v-list-users"}'
ok "a wrong secret: 401" 401 "$STATUS"
ok "the scheme named there too" 'Bearer realm="hestia-apid"' \
    "$(hdr WWW-Authenticate)"
contains "with Hestia's code" '"name": "E_PASSWORD"' \
    "$(python3 -m json.tool "$T/body")"
exec_req -H "Authorization: Bearer $K" --data-raw '{"cmd": "v-nonexistent-x"}'
ok "an unknown command: Hestia's 401 (code 10)" 401 "$STATUS"
ok "every 401 names the scheme (RFC 7235)" 'Bearer realm="hestia-apid"' \
    "$(hdr WWW-Authenticate)"
exec_req -H "Authorization: Bearer $K" --data-raw '[1]'
ok "a bad body: 400" 400 "$STATUS"
ok "other answers name no scheme" "" "$(hdr WWW-Authenticate)"
stopped_clean
finish
