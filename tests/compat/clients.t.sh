#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# What Hestia's real clients send (hestia-compat.md §14), and what each of
# them needs back, asserted exactly: bodies, statuses and headers.
. "$(dirname "$0")/../regress/lib.sh"

BIN=$top/tests/compat/bin write_conf </dev/null
ADMIN=$(new_key admin)
PMA=$(new_key admin --perm phpmyadmin-sso --comment phpMyAdmin)
DNS=$(new_key admin --perm sync-dns-cluster)
start_apid

# func/remote.sh send_api_cmd: curl --data-urlencode, returncode=yes,
# always arg1..arg8, and "return $answer": the body must be a bare integer.
send_api_cmd() {
	answer=$(curl -s -k -m 30 \
	    --data-urlencode "hash=$DNS" \
	    --data-urlencode "returncode=yes" \
	    --data-urlencode "cmd=$1" \
	    --data-urlencode "arg1=$2" \
	    --data-urlencode "arg2=$3" \
	    --data-urlencode "arg3=$4" \
	    --data-urlencode "arg4=$5" \
	    --data-urlencode "arg5=$6" \
	    --data-urlencode "arg6=$7" \
	    --data-urlencode "arg7=$8" \
	    --data-urlencode "arg8=$9" \
	    "http://$PORT/api/")
	bash -c "f() { return \$1; }; f '$answer'" 2>"$T/bash.err"
}

# func/remote.sh send_api_file: the whole zone file as arg1 of
# v-make-tmp-file, then a command that reads the file.
send_api_file() {
	answer=$(curl -s -k -m 30 \
	    --data-urlencode "hash=$DNS" \
	    --data-urlencode "returncode=yes" \
	    --data-urlencode "cmd=v-make-tmp-file" \
	    --data-urlencode "arg1=$(cat "$1")" \
	    --data-urlencode "arg2=$2" \
	    "http://$PORT/api/")
	bash -c "f() { return \$1; }; f '$answer'" 2>"$T/bash.err"
}

send_api_cmd v-list-sys-config json "" "" "" "" "" "" ""
ok "dns: v-list-sys-config returns 0" 0 $?
ok "dns: no bash error" "" "$(cat "$T/bash.err")"
send_api_cmd v-list-user admin json "" "" "" "" "" ""
ok "dns: v-list-user returns 0" 0 $?
send_api_cmd v-list-user nobody json "" "" "" "" "" ""
ok "dns: v-list-user nobody returns 3" 3 $?
ok "dns: a failure is still numeric" "" "$(cat "$T/bash.err")"
send_api_cmd v-add-user x y z "" "" "" "" ""
ok "dns: a command outside the set is 10, numerically" 10 $?
ok "dns: refusal still numeric" "" "$(cat "$T/bash.err")"

printf '%s\n' "ID='1' RECORD='@' TYPE='A' VALUE='192.0.2.1'" \
    "ID='2' RECORD='www' TYPE='CNAME' VALUE='example.com.'" >"$T/zone"
send_api_file "$T/zone" vst-sync.example.com
ok "dns: v-make-tmp-file returns 0" 0 $?
ok "dns: zone file written whole" "$(cat "$T/zone")" \
    "$(cat "$T/tmp/vst-sync.example.com")"
ok "dns: zone file is private" 600 \
    "$(stat -c %a "$T/tmp/vst-sync.example.com")"

# WHMCS (JosephChuks/HestiaCP-WHMCS-Module): hash=ID:SECRET,
# returncode=yes, success test $answer == 0.
req --data-urlencode "hash=$ADMIN" -d returncode=yes -d cmd=v-add-user \
    -d arg1=whmcs1 -d arg2=pw -d arg3=w%40example.com -d arg4=default \
    -d arg5=W -d arg6=X
ok "whmcs: add user body" 0 "$BODY"
ok "whmcs: add user status" 200 "$STATUS"
ok "whmcs: exit header" 0 "$CODE"
req --data-urlencode "hash=$ADMIN" -d returncode=yes -d cmd=v-add-domain \
    -d arg1=whmcs1 -d arg2=whmcs1.example.com
ok "whmcs: add domain body" 0 "$BODY"
req --data-urlencode "hash=$ADMIN" -d returncode=yes -d cmd=v-exit -d arg1=4
ok "whmcs: a failure is the bare code" 4 "$BODY"
ok "whmcs: code mode stays 200" 200 "$STATUS"

# phpMyAdmin SSO (install/deb/phpmyadmin/hestia-sso.php): create with
# returncode=no expects JSON; delete with returncode=yes expects 0.
req --data-urlencode "hash=$PMA" -d returncode=no \
    -d cmd=v-add-database-temp-user -d arg1=admin -d arg2=admin_db \
    -d arg3=mysql -d arg4=localhost
ok "pma: create status" 200 "$STATUS"
ok "pma: create ctype" "application/json; charset=utf-8" "$CTYPE"
user=$(printf '%s' "$BODY" | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["login"]["user"])')
contains "pma: create body is the login" hestia_tmp_ "$user"
req --data-urlencode "hash=$PMA" -d returncode=yes \
    -d cmd=v-delete-database-temp-user -d arg1=admin -d arg2=admin_db \
    -d arg3="$user" -d arg4=mysql -d arg5=localhost
ok "pma: delete body" 0 "$BODY"
req --data-urlencode "hash=$PMA" -d returncode=yes -d cmd=v-list-users
ok "pma: key limited to its set" 10 "$BODY"

# Node/axios-style clients (PR #1465): the same keys in a JSON body.
id=${ADMIN%%:*}
secret=${ADMIN#*:}
req -H 'Content-Type: application/json' --data-binary \
    "{\"access_key\":\"$id\",\"secret_key\":\"$secret\",\"cmd\":\"v-list-users\",\"arg1\":\"json\"}"
ok "json: status" 200 "$STATUS"
ok "json: ctype" "application/json; charset=utf-8" "$CTYPE"
contains "json: body" '"admin"' "$BODY"
req -H 'Content-Type: application/json' --data-binary \
    "{\"hash\":\"$ADMIN\",\"cmd\":\"v-list-users\",\"returncode\":\"yes\"}"
ok "json: hash and code mode" 0 "$BODY"

# Hestia's own test suite posts to /api/index.php.
reqto /api/index.php --data-urlencode "hash=$ADMIN" -d cmd=v-list-users \
    -d arg1=plain
ok "index.php: status" 200 "$STATUS"
contains "index.php: text" "alice" "$BODY"

# Hestia Nginx Cache plugin: hash=ID:SECRET, returncode=yes, 2 args.
req --data-urlencode "hash=$ADMIN" -d returncode=yes -d cmd=v-echo-args \
    -d arg1=alice -d arg2=example.com
ok "nginx-cache: exit code" 0 "$BODY"
stopped_clean
finish
