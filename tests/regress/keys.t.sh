#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Keys through hestia-apictl: the formats of `key add`, listings without
# secrets, a database without secrets, and changes that a running daemon
# sees on the next request.
. "$(dirname "$0")/lib.sh"

AUTHFAIL="Error: Authentication failed"

# nosecret NAME SECRET FILE...: none of the files holds SECRET.
nosecret() {
	name=$1
	s=$2
	shift 2
	if [ -z "$s" ]; then
		fail "$name: no secret to look for"
		return
	fi
	n=$(cat "$@" 2>/dev/null | grep -c -F -e "$s")
	ok "$name" 0 "$n"
}

# matches NAME ERE TEXT
matches() {
	if printf '%s\n' "$3" | grep -Eq "$2"; then pass; else
		fail "$1: [$3] does not match /$2/"
	fi
}

write_conf </dev/null

# --- key add, plain ---
K1=$(new_key admin)
ok "plain exit" 0 $?
matches "plain is ID:SECRET" '^[A-Za-z0-9]{20}:[A-Za-z0-9_=-]{40}$' "$K1"
ok "plain is one line" 1 "$(printf '%s\n' "$K1" | wc -l | tr -d ' ')"
K2=$(new_key admin)
ok "IDs differ" yes "$([ "${K1%%:*}" != "${K2%%:*}" ] && echo yes || echo no)"
ok "secrets differ" yes "$([ "${K1#*:}" != "${K2#*:}" ] && echo yes || echo no)"
ID1=${K1%%:*}
SEC1=${K1#*:}
SEC2=${K2#*:}

# --- key add, json ---
"$APICTL" -f "$T/apid.conf" key add alice --perm v-list-users,purge-nginx-cache \
    --format json >"$T/k3.json"
ok "json exit" 0 $?
ok "json parses" 0 "$(jq -e . "$T/k3.json" >/dev/null 2>&1; echo $?)"
ID3=$(jq -r .ACCESS_KEY_ID "$T/k3.json")
SEC3=$(jq -r .SECRET_ACCESS_KEY "$T/k3.json")
matches "json ACCESS_KEY_ID" '^[A-Za-z0-9]{20}$' "$ID3"
matches "json SECRET_ACCESS_KEY" '^[A-Za-z0-9_=-]{40}$' "$SEC3"
ok "json USER" alice "$(jq -r .USER "$T/k3.json")"
ok "json PERMISSIONS is a list" "purge-nginx-cache,v-list-users" \
    "$(jq -r '.PERMISSIONS | sort | join(",")' "$T/k3.json")"
"$APICTL" -f "$T/apid.conf" key add admin --format json >"$T/k4.json"
ok "json no permissions" "[]" "$(jq -c .PERMISSIONS "$T/k4.json")"
SEC4=$(jq -r .SECRET_ACCESS_KEY "$T/k4.json")
"$APICTL" -f "$T/apid.conf" key add admin --format shell >"$T/k5.txt"
contains "shell shows the secret once" SECRET_ACCESS_KEY "$(cat "$T/k5.txt")"
SEC5=$(sed -n 's/^SECRET_ACCESS_KEY:\{0,1\}[[:space:]]*//p' "$T/k5.txt")
matches "shell secret" '^[A-Za-z0-9_=-]{40}$' "$SEC5"

# As Hestia's v-add-access-key: a key of another user needs a permission,
# and sets of role admin are for ROOT_USER's keys only.
"$APICTL" -f "$T/apid.conf" key add alice --format plain >"$T/out" 2>"$T/err"
ok "user key without --perm refused" yes \
    "$([ $? -ne 0 ] && [ ! -s "$T/out" ] && echo yes || echo no)"
"$APICTL" -f "$T/apid.conf" key add alice --perm sync-dns-cluster \
    --format plain >"$T/out" 2>"$T/err"
ok "admin set for a user key refused" yes \
    "$([ $? -ne 0 ] && [ ! -s "$T/out" ] && echo yes || echo no)"

# --- listings never show a secret ---
"$APICTL" -f "$T/apid.conf" key list --format json >"$T/list.json"
ok "list json exit" 0 $?
ok "list json has every key" 5 "$(jq 'length' "$T/list.json")"
ok "list json entry" alice "$(jq -r ".\"$ID3\".USER" "$T/list.json")"
ok "list json has no SECRET field" 0 "$(grep -c SECRET "$T/list.json")"
for f in shell plain csv; do
	"$APICTL" -f "$T/apid.conf" key list --format $f >"$T/list.$f"
	contains "list $f shows IDs" "$ID1" "$(cat "$T/list.$f")"
done
"$APICTL" -f "$T/apid.conf" key list alice --format json >"$T/alice.json"
ok "list by user" "$ID3" "$(jq -r 'keys | join(",")' "$T/alice.json")"
"$APICTL" -f "$T/apid.conf" key show "$ID3" --format json >"$T/show.json"
ok "show json" "$ID3 alice" "$(jq -r '.ACCESS_KEY_ID + " " + .USER' "$T/show.json")"
"$APICTL" -f "$T/apid.conf" key show "$ID3" >"$T/show.txt"
for s in "$SEC1" "$SEC2" "$SEC3" "$SEC4" "$SEC5"; do
	nosecret "listings without secret ${s%????????????????????????????????}..." \
	    "$s" "$T"/list.* "$T/alice.json" "$T"/show.*
done

# --- the database holds hashes only ---
sqlite3 "$T/keys.db" .dump >"$T/dump.sql"
ok "dump works" yes "$([ -s "$T/dump.sql" ] && echo yes || echo no)"
for s in "$SEC1" "$SEC2" "$SEC3" "$SEC4" "$SEC5"; do
	nosecret "no secret in dump" "$s" "$T/dump.sql"
	nosecret "no secret in db files" "$s" "$T"/keys.db*
done
ok "secrets are argon2id hashes" 0 \
    "$(sqlite3 "$T/keys.db" "SELECT count(*) FROM keys WHERE secret_hash NOT LIKE '\$argon2id\$%'")"

# --- a running daemon sees changes on the next request ---
start_apid
req -d "hash=$K1" -d cmd=v-echo-args -d arg1=a
ok "key 1 works" "200 0" "$STATUS $CODE"
req -d "access_key=$ID3" -d "secret_key=$SEC3" -d cmd=v-list-users
ok "key 3 works" "200 0" "$STATUS $CODE"
req -d "hash=$ID3:$SEC3" -d cmd=v-list-web-domains -d arg1=alice
ok "key 3 has its set" "200 0" "$STATUS $CODE"
req -d "hash=$ID3:$SEC3" -d cmd=v-echo-args
ok "key 3 has nothing else" "401 10" "$STATUS $CODE"

K6=$(new_key admin)
req -d "hash=$K6" -d cmd=v-echo-args -d arg1=a
ok "key added while running works" "200 0" "$STATUS $CODE"

# Deleting a key that was just used (and may be cached) stops it at once.
"$APICTL" -f "$T/apid.conf" key delete "$ID1" >"$T/out" 2>&1
ok "delete exit" 0 $?
ok "delete prints nothing" "" "$(cat "$T/out")"
n=$(wc -l <"$T/auth.log" | tr -d ' ')
req -d "hash=$K1" -d cmd=v-echo-args -d arg1=a
ok "deleted key refused" "401 9 $AUTHFAIL" "$STATUS $CODE $BODY"
ok "deleted key logged" "$((n + 1))" "$(wc -l <"$T/auth.log" | tr -d ' ')"
contains "deleted key log line" "$ID1 127.0.0.1 failed to login" \
    "$(tail -1 "$T/auth.log")"
req -d "hash=$K1" -d cmd=v-echo-args -d returncode=yes
ok "deleted key, code mode" "401 9 9" "$STATUS $CODE $BODY"
req -d "hash=$K2" -d cmd=v-echo-args -d arg1=a
ok "other keys still work" "200 0" "$STATUS $CODE"
"$APICTL" -f "$T/apid.conf" key delete "${K6%%:*}"
ok "delete while running exit" 0 $?
req -d "hash=$K6" -d cmd=v-echo-args
ok "key added and deleted while running" "401 9" "$STATUS $CODE"

"$APICTL" -f "$T/apid.conf" key list --format json >"$T/list2.json"
ok "deleted key not listed" null "$(jq -r ".\"$ID1\"" "$T/list2.json")"
ok "deleted key row gone" 0 \
    "$(sqlite3 "$T/keys.db" "SELECT count(*) FROM keys WHERE id = '$ID1'")"

# Deleting what does not exist: E_NOTEXIST.
"$APICTL" -f "$T/apid.conf" key delete NOPE >"$T/out" 2>"$T/err"
ok "delete NOPE exit" 3 $?
contains "delete NOPE message" NOPE "$(cat "$T/err")"
"$APICTL" -f "$T/apid.conf" key delete "$ID1" 2>/dev/null
ok "delete twice exit" 3 $?
"$APICTL" -f "$T/apid.conf" key show NOPE 2>/dev/null
ok "show NOPE exit" 3 $?
"$APICTL" -f "$T/apid.conf" key add admin --format xml >/dev/null 2>&1
ok "bad format exit" 2 $?

# Secrets never reach the logs.
for s in "$SEC1" "$SEC2" "$SEC3" "$SEC4" "$SEC5"; do
	nosecret "no secret in logs" "$s" "$T/auth.log" "$T/apid.log"
done

kill -0 "$APID_PID" 2>/dev/null
ok "daemon alive" 0 $?
stopped_clean
finish
