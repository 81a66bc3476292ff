#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Gate levels on the wire: /healthz is public whatever the switches and
# the address; the command endpoints refuse a request without credentials
# as they always have, with the API on or off, allowlisted or not.
. "$(dirname "$0")/lib.sh"

write_conf <<CONF
API='no'
API_SYSTEM='0'
API_ALLOWED_IP='192.0.2.1'
CONF
K=$(new_key admin)
start_apid

# nocred LABEL: the answers of the command endpoints to no credentials.
nocred() {
	req -d cmd=v-list-users
	ok "$1: /api/ without credentials" 405 "$STATUS"
	ok "$1: /api/ says no data" "Error: data received is null or invalid, check https://hestiacp.com/docs/server-administration/rest-api.html" "$BODY"
	ok "$1: /api/ code" 405 "$CODE"
	reqto /api/v1/exec -H 'Content-Type: application/json' \
	    --data-raw '{"cmd": "v-list-users"}'
	ok "$1: /api/v1/exec without credentials" 401 "$STATUS"
	ok "$1: /api/v1/exec body" '{"exit_code":9,"name":"E_PASSWORD","error":"Authentication failed"}' "$BODY"
	ok "$1: /api/v1/exec scheme" 'Bearer realm="hestia-apid"' \
	    "$(hdr WWW-Authenticate)"
	reqto /healthz
	ok "$1: /healthz" "200 ok" "$STATUS $BODY"
	reqto /healthz -I
	ok "$1: /healthz HEAD" 200 "$STATUS"
	reqto /healthz -d x=1
	ok "$1: /healthz POST" 405 "$STATUS"
	reqto /nowhere
	ok "$1: unknown path" 404 "$STATUS"
}

# API off, the client not allowlisted: /healthz answers all the same.
nocred "API off"
reqto /api/v1/exec -H "Authorization: Bearer $K" \
    --data-raw '{"cmd": "v-list-users"}'
ok "API off: a good key is refused" 400 "$STATUS"
contains "API off: as disabled" '"name":"E_DISABLED"' "$BODY"
stop_apid

# API on, the client allowlisted: the same refusals without credentials,
# and a good key runs its command.
sed -i "s/^API=.*/API='yes'/; s/^API_SYSTEM=.*/API_SYSTEM='2'/; s/^API_ALLOWED_IP=.*/API_ALLOWED_IP='127.0.0.1'/" \
    "$T/apid.conf"
start_apid
nocred "API on"
reqto /api/v1/exec -H "Authorization: Bearer ${K%%:*}:" \
    --data-raw '{"cmd": "v-list-users"}'
ok "API on: an empty secret" 401 "$STATUS"
reqto /api/v1/exec -H "Authorization: Bearer $K" \
    --data-raw '{"cmd": "v-list-users"}'
ok "API on: a good key runs" 200 "$STATUS"
# Lockout bans the address; /healthz does not look.
sed -i "s|^LOCKOUT=.*|LOCKOUT='2/600/600'|" "$T/apid.conf"
stop_apid
start_apid
for i in 1 2; do
	req -d "hash=${K%%:*}:$(printf 'x%039d' 0)" -d cmd=v-list-users
done
req -d "hash=$K" -d cmd=v-list-users -d returncode=yes
ok "banned: a good key is refused" "401 9" "$STATUS $BODY"
reqto /healthz
ok "banned: /healthz still answers" "200 ok" "$STATUS $BODY"
stopped_clean
finish
