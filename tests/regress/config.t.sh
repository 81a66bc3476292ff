#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Configuration checking: -n accepts a good file and names the file, line
# and key of a bad one; -h prints the usage; a bad file never starts.
. "$(dirname "$0")/lib.sh"

# check NAME FILE: run hestia-apid -n -f FILE; sets RC, OUT, ERR.
check() {
	"$APID" -n -f "$2" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# bad NAME LINE KEY REASON: $T/bad.conf is refused with FILE:LINE: KEY: REASON
bad() {
	check "$1" "$T/bad.conf"
	ok "$1 exit" 1 "$RC"
	contains "$1 message" "$T/bad.conf:$2: $3: $4" "$ERR"
	ok "$1 one line" 1 "$(grep -c . "$T/err")"
	ok "$1 no OK" "" "$OUT"
}

write_conf </dev/null
check good "$T/apid.conf"
ok "good exit" 0 "$RC"
ok "good output" "configuration OK" "$OUT"
ok "good stderr" "" "$ERR"

# Comments, blank lines and every runner key, in hestia.conf syntax.
write_conf <<'EOF'
# a comment

MAX_JOBS='3'
QUEUE='0'
CMD_TIMEOUT='60'
MAX_OUTPUT='8M'
MAX_BODY='512k'
LOCKOUT='5/600/600'
ROOT_USER='admin'
DEMO_MODE='no'
EOF
check "good, all keys" "$T/apid.conf"
ok "good, all keys" "0 configuration OK" "$RC $OUT"

{
	echo "# hestia-apid"
	echo ""
	echo "API='yes'"
	echo "FOO='1'"
} >"$T/bad.conf"
bad "unknown key" 4 FOO "unknown key"

{
	echo "API='yes'"
	echo "MAX_JOBS='abc'"
} >"$T/bad.conf"
bad "MAX_JOBS=abc" 2 MAX_JOBS "not a number"

echo "MAX_JOBS=''" >"$T/bad.conf"
bad "empty MAX_JOBS" 1 MAX_JOBS "not a number"
echo "max_jobs='2'" >"$T/bad.conf"
bad "keys are case-sensitive" 1 max_jobs "unknown key"
echo "MAX_BODY='12q'" >"$T/bad.conf"
bad "MAX_BODY=12q" 1 MAX_BODY "not a size"
echo "CMD_TIMEOUT='0'" >"$T/bad.conf"
bad "CMD_TIMEOUT=0" 1 CMD_TIMEOUT "out of range"
echo "MAX_JOBS='0'" >"$T/bad.conf"
bad "MAX_JOBS=0" 1 MAX_JOBS "out of range"
echo "DATABASE='keys.db'" >"$T/bad.conf"
bad "relative DATABASE" 1 DATABASE "must be an absolute path"
echo "LOCKOUT='5/600'" >"$T/bad.conf"
bad "LOCKOUT" 1 LOCKOUT "expected"
echo "ARGON2='t=0,m=64,p=1'" >"$T/bad.conf"
bad "ARGON2" 1 ARGON2 "expected"

# A line that is not KEY='value' names the file and line.
printf "API='yes'\nAPI='no\n" >"$T/bad.conf"
check "unterminated quote" "$T/bad.conf"
ok "unterminated quote exit" 1 "$RC"
contains "unterminated quote names the line" "$T/bad.conf:2:" "$ERR"

check "missing file" "$T/nonexistent.conf"
ok "missing file exit" 1 "$RC"
contains "missing file named" "$T/nonexistent.conf" "$ERR"

# The daemon itself refuses to start on a bad file.
echo "FOO='1'" >>"$T/apid.conf"
"$APID" -d -f "$T/apid.conf" -p "$T/port.bad" >"$T/out" 2>"$T/err"
ok "daemon start with bad config" 1 "$?"
contains "daemon start names the key" "FOO: unknown key" "$(cat "$T/err")"
ok "daemon wrote no port file" no \
    "$(test -e "$T/port.bad" && echo yes || echo no)"
# And so does the key tool.
"$APICTL" -f "$T/apid.conf" key list >"$T/out" 2>"$T/err"
ok "apictl with bad config fails" yes "$([ $? -ne 0 ] && echo yes || echo no)"
contains "apictl names the key" "FOO: unknown key" "$(cat "$T/err")"

# -h: the usage on standard output, naming the options, and exit 0.
"$APID" -h >"$T/out" 2>/dev/null
ok "-h exit" 0 "$?"
USAGE=$(cat "$T/out")
contains "-h usage" "usage: hestia-apid" "$USAGE"
for o in -d -f -h -n -p; do
	contains "-h mentions $o" "$o" "$USAGE"
done
"$APID" -Z >"$T/out" 2>&1
ok "bad option exit" 1 "$?"
contains "bad option usage" "usage: hestia-apid" "$(cat "$T/out")"

# A good file with -n neither binds nor touches the database.
write_conf </dev/null
check "no side effects" "$T/apid.conf"
ok "-n creates no database" no "$(test -e "$T/keys.db" && echo yes || echo no)"

# -V: the version, the same in both programs and the header.
want=$(sed -n 's/^#define APID_VERSION[^"]*"\(.*\)"/\1/p' "$top/include/version.h")
ok "hestia-apid -V" "hestia-apid $want" "$("$APID" -V)"
ok "hestia-apictl -V" "hestia-apictl $want" "$("$APICTL" -V)"
ok "hestia-apictl --version" "hestia-apictl $want" "$("$APICTL" --version)"
finish
