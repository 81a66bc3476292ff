#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# arg1..arg13: trimmed, numeric order, compacted, empties kept, arg14
# ignored, NUL and arrays refused; the same from JSON and multipart bodies.
. "$(dirname "$0")/lib.sh"

write_conf </dev/null
K=$(new_key admin)
start_apid

nl='
'
# lines L1 L2...: the arguments joined by newlines, as the expected body.
lines() {
	out=""
	for l in "$@"; do
		out="$out${out:+$nl}$l"
	done
	printf '%s' "$out"
}

# echo_args NAME EXPECTED-BODY curl-args...: run v-echo-args.
echo_args() {
	name=$1
	want=$2
	shift 2
	req -d "hash=$K" -d cmd=v-echo-args "$@"
	ok "$name status" 200 "$STATUS"
	ok "$name" "$want" "$BODY"
}

echo_args "no args" "argc=0"
echo_args "three args" "$(lines argc=3 '[a]' '[b]' '[c]')" \
    -d arg1=a -d arg2=b -d arg3=c
echo_args "numeric order" "$(lines argc=4 '[a]' '[b]' '[c]' '[j]')" \
    -d arg10=j -d arg3=c -d arg2=b -d arg1=a
echo_args "compacted" "$(lines argc=2 '[a]' '[c]')" -d arg1=a -d arg3=c
echo_args "compacted from arg5" "$(lines argc=1 '[e]')" -d arg5=e
echo_args "empties kept" "$(lines argc=3 '[]' '[x]' '[]')" \
    -d arg1= -d arg2=x -d arg3=
echo_args "DNS cluster shape" \
    "$(lines argc=8 '[v]' '[]' '[]' '[]' '[]' '[]' '[]' '[]')" \
    -d arg1=v -d arg2= -d arg3= -d arg4= -d arg5= -d arg6= -d arg7= -d arg8=
# Trim strips space, \t, \n, \r, \0 and \v at both ends only.
echo_args "trimmed" "$(lines argc=1 '[a b]')" -d 'arg1=%20%09%0A%0D%0B%00a%20b%00%0B%0D%0A%09%20'
echo_args "whitespace-only is empty" "$(lines argc=1 '[]')" -d 'arg1=%20%09%0A'
echo_args "other blanks kept" "$(printf 'argc=1\n[\fa\302\240]')" \
    -d 'arg1=%0Ca%C2%A0'
echo_args "literal shell text" "$(lines argc=2 "[a 'b' \"c\" \$(id) \`id\` ;|&>x]" '[*]')" \
    --data-urlencode "arg1=a 'b' \"c\" \$(id) \`id\` ;|&>x" -d 'arg2=*'
echo_args "utf-8" "$(lines argc=1 '[é☃]')" --data-urlencode 'arg1=é☃'
echo_args "plus is a space" "$(lines argc=1 '[a b]')" -d 'arg1=a+b'
echo_args "last of a repeated field wins" "$(lines argc=1 '[y]')" \
    -d arg1=x -d arg1=y
# An inner line break stays; each output line loses its trailing blanks.
echo_args "multi-line arg" "$(lines argc=1 '[line 1' 'line 2' '' 'line 4]')" \
    --data-urlencode "arg1=line 1  ${nl}line 2	${nl}${nl}line 4"
echo_args "dash args" "$(lines argc=2 '[-n]' '[--help]')" \
    -d arg1=-n -d arg2=--help

# arg1..arg13 count; arg14 and arg0 are ignored.
set --
i=1
while [ $i -le 14 ]; do
	set -- "$@" -d "arg$i=v$i"
	i=$((i + 1))
done
echo_args "arg14 ignored" "$(lines argc=13 '[v1]' '[v2]' '[v3]' '[v4]' \
    '[v5]' '[v6]' '[v7]' '[v8]' '[v9]' '[v10]' '[v11]' '[v12]' '[v13]')" \
    "$@" -d arg0=zero -d arg15=v15 -d arg01=x -d ARG2=y
set --

# Refused: a NUL inside, an array.
# In code mode these refusals are the bare code too, as returncode=yes
# clients (DNS cluster: `return $answer`) need; an earlier build sent the
# message.
req -d "hash=$K" -d cmd=v-echo-args -d 'arg1=a%00b'
ok "inner NUL status" "422 2" "$STATUS $CODE"
case $BODY in
"Error: invalid request"*) pass ;;
*) fail "inner NUL body: [$BODY]" ;;
esac
req -d "hash=$K" -d cmd=v-echo-args -d 'arg1=a%00b' -d returncode=yes
ok "inner NUL, code mode" "422 2 2" "$STATUS $CODE $BODY"
req -d "hash=$K" -d cmd=v-echo-args -d 'arg13=a%00b'
ok "inner NUL in arg13" "422 2" "$STATUS $CODE"
req -d "hash=$K" -d cmd=v-echo-args -d 'arg14=a%00b'
ok "NUL in arg14 ignored" "200 argc=0" "$STATUS $BODY"
req -d "hash=$K" -d cmd=v-echo-args -d 'arg1[]=x'
ok "arg1[] array" "422 2" "$STATUS $CODE"
case $BODY in
"Error: invalid request"*) pass ;;
*) fail "arg1[] body: [$BODY]" ;;
esac
req -d "hash=$K" -d cmd=v-echo-args -d 'arg2[a]=x' -d arg1=y
ok "arg2[a] array" "422 2" "$STATUS $CODE"
# The message names the offending field (an earlier build named arg13, the
# last name tried, through a buffer the loop reused).
contains "arg2[a] array names arg2" "arg2" "$BODY"
req -d "hash=$K" -d cmd=v-echo-args -d 'arg1[]=x' -d returncode=yes
ok "arg1[] array, code mode" "422 2 2" "$STATUS $CODE $BODY"

# JSON: numbers and booleans as PHP's trim() makes them; null is absent.
jreq() {
	req -H 'Content-Type: application/json' --data-binary "$1"
}
H="\"hash\":\"$K\",\"cmd\":\"v-echo-args\""
jreq "{$H,\"arg1\":42,\"arg2\":true,\"arg3\":false,\"arg4\":null,\"arg5\":\" s \"}"
ok "json scalars" "200 $(lines argc=4 '[42]' '[1]' '[]' '[s]')" "$STATUS $BODY"
jreq "{$H,\"arg2\":\"b\",\"arg1\":\"a\",\"arg14\":\"n\"}"
ok "json order" "200 $(lines argc=2 '[a]' '[b]')" "$STATUS $BODY"
jreq "{$H,\"arg1\":-7,\"arg2\":0}"
ok "json integers" "200 $(lines argc=2 '[-7]' '[0]')" "$STATUS $BODY"
jreq "{$H,\"arg1\":\"a\\nb \\t\",\"arg2\":\"\\u00e9\"}"
ok "json escapes" "200 $(lines argc=2 '[a' 'b]' '[é]')" "$STATUS $BODY"
jreq "{$H,\"arg1\":\"a\\u0000b\"}"
ok "json inner NUL" "422 2" "$STATUS $CODE"
jreq "{$H,\"arg1\":[\"x\"]}"
ok "json array arg" "422 2" "$STATUS $CODE"
jreq "{$H,\"arg1\":{\"x\":1}}"
ok "json object arg" "422 2" "$STATUS $CODE"
jreq "{$H,\"arg1\":[\"x\"],\"returncode\":\"yes\"}"
ok "json array arg, code mode" "422 2 2" "$STATUS $CODE $BODY"

# Multipart: fields as in a form; a file part is not an argument.
printf 'file content\n' >"$T/upload.txt"
req -F "hash=$K" -F cmd=v-echo-args -F arg1=' a ' -F "arg2=@$T/upload.txt" \
    -F arg3=c
ok "multipart file part ignored" "200 $(lines argc=2 '[a]' '[c]')" \
    "$STATUS $BODY"
req -F "hash=$K" -F cmd=v-echo-args -F "arg1=x${nl}y" -F arg2=
ok "multipart newline and empty" "200 $(lines argc=2 '[x' 'y]' '[]')" \
    "$STATUS $BODY"

kill -0 "$APID_PID" 2>/dev/null
ok "daemon alive" 0 $?
stopped_clean
finish
