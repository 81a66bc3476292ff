#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The wire format of the Hestia endpoint: paths, body formats, credential
# forms, code and data mode, status mapping, content types, output shaping.
. "$(dirname "$0")/lib.sh"

# The recorded stubs plus v-print, which prints arg1 through printf %b so a
# test can make any output (leading blank lines, trailing blanks, JSON).
BIN=$T/bin
mkdir -p "$BIN"
cp "$top"/tests/compat/bin/* "$BIN"/
cat >"$BIN/v-print" <<'EOF'
#!/bin/sh
# info: print arg1 through printf %b (regress stub)
# options: TEXT
printf '%b' "$1"
EOF
chmod 755 "$BIN/v-print"

write_conf </dev/null
K=$(new_key admin)
ID=${K%%:*}
SEC=${K#*:}
start_apid

nl='
'
ECHO_HI="argc=1${nl}[hi]"

# --- the three paths, urlencoded ---
for p in /api/ /api /api/index.php; do
	reqto "$p" -d "hash=$K" -d cmd=v-echo-args -d arg1=hi
	ok "$p status" 200 "$STATUS"
	ok "$p body" "$ECHO_HI" "$BODY"
	ok "$p code" 0 "$CODE"
	ok "$p ctype" "text/plain; charset=utf-8" "$CTYPE"
	ok "$p nosniff" nosniff "$(hdr X-Content-Type-Options)"
done

# --- access_key + secret_key, multipart, JSON ---
req -d "access_key=$ID" -d "secret_key=$SEC" -d cmd=v-echo-args -d arg1=hi
ok "access_key form" "200 $ECHO_HI" "$STATUS $BODY"

req -F "hash=$K" -F cmd=v-echo-args -F arg1=hi
ok "multipart hash" "200 $ECHO_HI" "$STATUS $BODY"
req -F "access_key=$ID" -F "secret_key=$SEC" -F cmd=v-echo-args -F arg1=hi
ok "multipart access_key" "200 $ECHO_HI" "$STATUS $BODY"

J="{\"hash\":\"$K\",\"cmd\":\"v-echo-args\",\"arg1\":\"hi\"}"
req -H 'Content-Type: application/json' --data-binary "$J"
ok "json body" "200 $ECHO_HI" "$STATUS $BODY"
req -H 'Content-Type: text/plain' --data-binary "$J"
ok "json body, text/plain ctype" "200 $ECHO_HI" "$STATUS $BODY"
# curl -d sets the urlencoded type: PHP finds no form keys, then reads JSON.
req --data-binary "$J"
ok "json body, urlencoded ctype" "200 $ECHO_HI" "$STATUS $BODY"
req -X PUT -H 'Content-Type: application/json' --data-binary "$J"
ok "json body, PUT" "200 $ECHO_HI" "$STATUS $BODY"
req -X DELETE --data-binary "{\"access_key\":\"$ID\",\"secret_key\":\"$SEC\",\"cmd\":\"v-echo-args\",\"arg1\":\"hi\"}"
ok "json access_key, DELETE" "200 $ECHO_HI" "$STATUS $BODY"

# A form body counts only for POST.
req -X PUT -d "hash=$K" -d cmd=v-echo-args -d arg1=hi
ok "form PUT status" 405 "$STATUS"
ok "form PUT code" 405 "$CODE"
contains "form PUT body" "data received is null or invalid" "$BODY"

# The query string is never read.
reqto "/api/?hash=$K&cmd=v-echo-args&arg1=hi" -X POST
ok "query string ignored" 405 "$STATUS"
reqto "/api/?cmd=v-nope" -d "hash=$K" -d cmd=v-echo-args -d arg1=hi
ok "query string does not override" "200 $ECHO_HI" "$STATUS $BODY"

# --- credential forms ---
# access_key without secret_key: not v2, no user or hash: no data.
req -d "access_key=$ID" -d cmd=v-echo-args
ok "access_key alone" 405 "$STATUS"
# hash splits only at exactly 20:40 with one colon; otherwise it is a
# legacy key, refused.
req -d "hash=${K}x" -d cmd=v-echo-args
ok "hash 20:41 is legacy" "401 9" "$STATUS $CODE"
req -d "hash=x$K" -d cmd=v-echo-args
ok "hash 21:40 is legacy" "401 9" "$STATUS $CODE"
req -d "hash=$ID::$SEC" -d cmd=v-echo-args
ok "hash with two colons is legacy" "401 9" "$STATUS $CODE"
# access_key present: hash is not split, the pair wins.
req -d "access_key=$ID" -d "secret_key=$SEC" -d "hash=AAAAAAAAAAAAAAAAAAAA:$SEC" \
    -d cmd=v-echo-args -d arg1=hi
ok "access_key beats hash" "200 $ECHO_HI" "$STATUS $BODY"
# Trimmed access_key and secret_key.
req --data-urlencode "access_key= $ID " --data-urlencode "secret_key=$SEC
" -d cmd=v-echo-args -d arg1=hi
ok "access_key/secret_key trimmed" "200 $ECHO_HI" "$STATUS $BODY"
# A repeated field: the last value wins.
req -d "hash=AAAAAAAAAAAAAAAAAAAA:$SEC" -d "hash=$K" -d cmd=v-echo-args \
    -d arg1=hi
ok "last hash wins" "200 $ECHO_HI" "$STATUS $BODY"

# --- code mode ---
req -d "hash=$K" -d cmd=v-echo-args -d returncode=yes
ok "code mode status" 200 "$STATUS"
ok "code mode body" 0 "$BODY"
ok "code mode header" 0 "$CODE"
ok "code mode body has no newline" 1 "$(wc -c <"$T/body" | tr -d ' ')"
ok "code mode nosniff" nosniff "$(hdr X-Content-Type-Options)"
for c in 1 3 9 21; do
	req -d "hash=$K" -d cmd=v-exit -d arg1=$c -d returncode=yes
	ok "code mode exit $c" "200 $c $c" "$STATUS $CODE $BODY"
done
# Only exactly "yes" selects code mode.
for rc in YES Yes 'yes ' 1 no; do
	req -d "hash=$K" -d cmd=v-exit -d arg1=3 --data-urlencode "returncode=$rc"
	ok "returncode=[$rc] is data mode" "400 3 " "$STATUS $CODE $BODY"
done
J="{\"hash\":\"$K\",\"cmd\":\"v-exit\",\"arg1\":\"5\",\"returncode\":\"yes\"}"
req --data-binary "$J"
ok "json code mode" "200 5 5" "$STATUS $CODE $BODY"
# Errors in code mode are the bare number too.
req -d "hash=$ID:$(echo "$SEC" | tr 'A-Za-z' 'N-ZA-Mn-za-m')" -d cmd=v-exit \
    -d returncode=yes
ok "code mode auth failure" "401 9 9" "$STATUS $CODE $BODY"
req -d "hash=$K" -d 'cmd=v-e;x' -d returncode=yes
ok "code mode bad cmd" "422 2 2" "$STATUS $CODE $BODY"

# --- data mode status mapping ---
for pair in 1:400 2:422 3:400 4:400 5:401 6:401 7:400 9:401 10:401 11:400 \
    14:400 20:400 21:401 22:400; do
	c=${pair%%:*}
	s=${pair#*:}
	req -d "hash=$K" -d cmd=v-exit -d arg1=$c
	ok "exit $c status" "$s" "$STATUS"
	ok "exit $c header" "$c" "$CODE"
	ok "exit $c empty body" "" "$BODY"
done
req -d "hash=$K" -d cmd=v-exit -d arg1=0
ok "exit 0 empty output" "204 0" "$STATUS $CODE"
ok "204 empty body" 0 "$(wc -c <"$T/body" | tr -d ' ')"
ok "204 nosniff" nosniff "$(hdr X-Content-Type-Options)"
# stderr is never part of the answer.
req -d "hash=$K" -d cmd=v-stderr
ok "stderr status" "400 3" "$STATUS $CODE"
ok "stderr not in body" "to stdout" "$BODY"
ok "error ctype" "text/plain; charset=utf-8" "$CTYPE"

# --- content type: JSON only when the output is truthy JSON ---
ctype_of() {
	req -d "hash=$K" -d cmd=v-print --data-urlencode "arg1=$1"
	ok "v-print [$1] status" 200 "$STATUS"
	ok "v-print [$1] body" "$1" "$BODY"
	ok "v-print [$1] ctype" "$2" "$CTYPE"
}
JS="application/json; charset=utf-8"
TX="text/plain; charset=utf-8"
ctype_of '{"a": 1}' "$JS"
ctype_of '[1]' "$JS"
ctype_of '42' "$JS"
ctype_of '"x"' "$JS"
ctype_of 'true' "$JS"
ctype_of '0' "$TX"
ctype_of '{}' "$TX"
ctype_of '[]' "$TX"
ctype_of '""' "$TX"
ctype_of '"0"' "$TX"
ctype_of 'false' "$TX"
ctype_of 'null' "$TX"
ctype_of '{"a": 1' "$TX"
ctype_of 'hello' "$TX"
req -d "hash=$K" -d cmd=v-list-users -d arg1=json
ok "v-list-users json" "200 $JS" "$STATUS $CTYPE"
req -d "hash=$K" -d cmd=v-list-users -d arg1=plain
ok "v-list-users plain" "200 $TX" "$STATUS $CTYPE"

# --- output shaping: trailing blanks per line, whole output trimmed ---
req -d "hash=$K" -d cmd=v-print --data-urlencode 'arg1=\n\n  a  \t\n\tb \n\n c\n\n\n'
ok "output shaped" "a${nl}	b${nl}${nl} c" "$BODY"
ok "output shaped length" 8 "$(wc -c <"$T/body" | tr -d ' ')"
req -d "hash=$K" -d cmd=v-print --data-urlencode 'arg1=\n \n\t\n'
ok "whitespace-only output is empty" "204 0" "$STATUS $CODE"
req -d "hash=$K" -d cmd=v-list-users
ok "table output keeps inner spacing" \
    "USER   NAME                  SUSPENDED" "$(head -1 "$T/body")"

# --- other paths and methods ---
reqto /healthz
ok "healthz" "200 ok" "$STATUS $BODY"
ok "healthz nosniff" nosniff "$(hdr X-Content-Type-Options)"
reqto /api/index.ph -d "hash=$K" -d cmd=v-echo-args
ok "near-miss path" 404 "$STATUS"
ok "404 nosniff" nosniff "$(hdr X-Content-Type-Options)"
reqto /api// -d "hash=$K" -d cmd=v-echo-args
ok "double slash path" 404 "$STATUS"
reqto /API/ -d "hash=$K" -d cmd=v-echo-args
ok "paths are case-sensitive" 404 "$STATUS"
reqto /api/
ok "GET no data" 405 "$STATUS"
ok "405 nosniff" nosniff "$(hdr X-Content-Type-Options)"

kill -0 "$APID_PID" 2>/dev/null
ok "daemon alive" 0 $?
stopped_clean
finish
