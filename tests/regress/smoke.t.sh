#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The daemon starts, answers /healthz, and runs a command for a key.
. "$(dirname "$0")/lib.sh"

write_conf </dev/null
K=$(new_key admin)
start_apid

reqto /healthz
ok "healthz status" 200 "$STATUS"
ok "healthz body" ok "$BODY"

req -d "hash=$K" -d cmd=v-list-users -d returncode=yes
ok "code mode status" 200 "$STATUS"
ok "code mode body" 0 "$BODY"
ok "code mode header" 0 "$CODE"

req -d "hash=$K" -d cmd=v-list-users -d arg1=json
ok "json status" 200 "$STATUS"
ok "json ctype" "application/json; charset=utf-8" "$CTYPE"
contains "json body" '"alice"' "$BODY"

reqto /nowhere
ok "unknown path" 404 "$STATUS"
stopped_clean
finish
