#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# api/openapi.json describes /api/v1: it is a valid OpenAPI 3.1 document,
# the daemon serves it as it is (public), every real answer of every
# operation matches what it describes, and every status it describes is
# one that real requests produce.
. "$(dirname "$0")/lib.sh"

SPEC=$top/api/openapi.json
CHECK="/usr/bin/python3 $top/tests/regress/openapi_check.py"
if ! /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	echo "openapi.t.sh: skipped: python3-jsonschema is not installed"
	exit 0
fi

ok "the document is valid" ok "$($CHECK "$SPEC" doc)"

mkdir -p "$T/bin"
printf '#!/bin/sh\necho "users of $1"\n' >"$T/bin/v-list-users"
printf '#!/bin/sh\necho "exit $1" >&2\nexit "$1"\n' >"$T/bin/v-exit"
printf '#!/bin/sh\nsleep "$1"\n' >"$T/bin/v-sleep"
printf '#!/nonexistent/interpreter\n' >"$T/bin/v-broken"
chmod 755 "$T"/bin/*
BIN=$T/bin write_conf <<EOF2
CMD_TIMEOUT='1'
MAX_JOBS='1'
QUEUE='0'
EOF2
K=$(new_key admin)
start_apid
: >"$T/seen"

# answer NAME METHOD PATH [curl args]: one request, checked.
answer() {
	name=$1 method=$2 path=$3
	shift 3
	curl -s -m 30 -o "$T/body" -D "$T/headers" -X "$method" "$@" \
	    "http://$PORT$path" >/dev/null 2>&1
	STATUS=$(sed -n '1s/^HTTP\/1\.[01] \([0-9]*\).*/\1/p' "$T/headers")
	CTYPE=$(hdr Content-Type)
	echo "$method $path $STATUS" >>"$T/seen"
	ok "$name: matches the description ($STATUS)" ok \
	    "$($CHECK "$SPEC" answer "$method" "$path" "$STATUS" "$CTYPE" \
	    "$T/body")"
}
exec_() {	# NAME JSON [curl args]
	name=$1 json=$2
	shift 2
	answer "$name" POST /api/v1/exec -H "Authorization: Bearer $K" \
	    -H 'Content-Type: application/json' -d "$json" "$@"
}

answer "the description" GET /api/v1/openapi.json
ok "served as it is in the repository" "" \
    "$(cmp "$T/body" "$SPEC" 2>&1)"
answer "the description, HEAD" HEAD /api/v1/openapi.json -I
answer "not a GET" POST /api/v1/openapi.json -d x=1

exec_ "exit 0" '{"cmd": "v-list-users", "args": ["json"]}'
ok "exit 0 is 200" 200 "$STATUS"
exec_ "exit 1 (E_ARGS)" '{"cmd": "v-exit", "args": ["1"]}'
ok "E_ARGS is 400" 400 "$STATUS"
exec_ "exit 2 (E_INVALID)" '{"cmd": "v-exit", "args": ["2"]}'
ok "E_INVALID is 422" 422 "$STATUS"
exec_ "exit 9 (E_PASSWORD)" '{"cmd": "v-exit", "args": ["9"]}'
ok "E_PASSWORD is 401" 401 "$STATUS"
exec_ "not JSON" '{"cmd": '
ok "bad JSON is 400" 400 "$STATUS"
exec_ "no cmd" '{"args": []}'
exec_ "args not strings" '{"cmd": "v-exit", "args": [1]}'
answer "no credentials" POST /api/v1/exec -d '{"cmd": "v-list-users"}'
ok "no credentials is 401" 401 "$STATUS"
contains "with WWW-Authenticate" Bearer "$(hdr WWW-Authenticate)"
answer "a wrong secret" POST /api/v1/exec \
    -H "Authorization: Bearer ${K%%:*}:WrongSecretWrongSecretWrongSecretWrong00" \
    -d '{"cmd": "v-list-users"}'
exec_ "a command not in BIN_DIR" '{"cmd": "v-nowhere"}'
answer "not a POST" GET /api/v1/exec -H "Authorization: Bearer $K"
ok "GET is 405" 405 "$STATUS"
exec_ "a command that cannot start" '{"cmd": "v-broken"}'
ok "cannot start is 500" 500 "$STATUS"
exec_ "async" '{"cmd": "v-list-users", "async": true}'
ok "async is 501 for now" 501 "$STATUS"
exec_ "a timeout" '{"cmd": "v-sleep", "args": ["5"]}'
ok "a timeout is 504" 504 "$STATUS"
# MAX_JOBS 1, QUEUE 0: while one command runs, the next is refused.
curl -s -m 30 -o /dev/null -H "Authorization: Bearer $K" \
    -d '{"cmd": "v-sleep", "args": ["5"]}' "http://$PORT/api/v1/exec" &
SLOW=$!
i=0
while [ "$(curl -s "http://$PORT/metrics" | sed -n 's/^hestia_apid_commands_running //p')" != 1 ] &&
    [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
exec_ "busy" '{"cmd": "v-list-users"}'
ok "busy is 503" 503 "$STATUS"
ok "with Retry-After" 1 "$(hdr Retry-After)"
wait "$SLOW"

ok "every described status was produced" ok \
    "$($CHECK "$SPEC" covered "$T/seen")"
stopped_clean
finish
