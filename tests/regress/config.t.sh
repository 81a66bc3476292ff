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

# -n tries each LISTEN address: one that another process holds (Hestia's
# nginx on 8083, say) is an error that names it; one that a running
# hestia-apid holds is what a reload's -n meets, and fine.
python3 - "$T/held.sock" >"$T/held.port" <<'PY' &
import socket, sys, time
t = socket.socket()
t.bind(("127.0.0.1", 0))
t.listen()
u = socket.socket(socket.AF_UNIX)
u.bind(sys.argv[1])
u.listen()
print(t.getsockname()[1], flush=True)
time.sleep(60)
PY
HOLDER=$!
PIDS="$PIDS $HOLDER"
while [ ! -s "$T/held.port" ]; do sleep 0.05; done
HELD=$(cat "$T/held.port")
echo "LISTEN='127.0.0.1:$HELD'" | write_conf
check "TCP address held" "$T/apid.conf"
ok "TCP address held: exit" 1 "$RC"
ok "TCP address held: the holder named" \
    "hestia-apid: $T/apid.conf: LISTEN: 127.0.0.1:$HELD: in use by python3 (pid $HOLDER)" \
    "$ERR"
ok "TCP address held: no OK" "" "$OUT"
echo "LISTEN='[::]:$HELD'" | write_conf
check "IPv6 wildcard over a held IPv4 port" "$T/apid.conf"
contains "IPv6 wildcard: the holder named" "1 hestia-apid: " "$RC $ERR"
contains "IPv6 wildcard: the holder named" "in use by python3 (pid $HOLDER)" \
    "$ERR"
echo "LISTEN='127.0.0.1:0, unix:$T/held.sock'" | write_conf
check "unix socket held" "$T/apid.conf"
ok "unix socket held: the holder named" \
    "1 hestia-apid: $T/apid.conf: LISTEN: unix:$T/held.sock: in use by python3 (pid $HOLDER)" \
    "$RC $ERR"
"$APID" -d -f "$T/apid.conf" >"$T/out" 2>"$T/err"
ok "a held socket is never taken over at start" 1 "$?"
contains "the start names the holder" \
    "LISTEN: unix:$T/held.sock: in use by python3 (pid $HOLDER)" \
    "$(cat "$T/err")"
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
# The socket file python leaves behind answers nobody: free.
check "a socket file left behind" "$T/apid.conf"
ok "a socket file left behind is free" "0 configuration OK" "$RC $OUT"
: >"$T/plain"
echo "LISTEN='unix:$T/plain,localhost'" | write_conf
check "not addresses" "$T/apid.conf"
ok "not addresses: exit" 1 "$RC"
contains "a file that is not a socket" \
    "LISTEN: unix:$T/plain: exists and is not a socket" "$ERR"
contains "a word that is not HOST:PORT" \
    "LISTEN: localhost: expected HOST:PORT, [V6]:PORT or unix:/path" "$ERR"

# The daemon's own addresses, as ExecReload's -n sees them.
echo "LISTEN='127.0.0.1:0,unix:$T/apid.sock'" | write_conf
start_apid
echo "LISTEN='$PORT,unix:$T/apid.sock'" | write_conf
check "held by hestia-apid" "$T/apid.conf"
ok "held by hestia-apid: OK" "0 configuration OK" "$RC $OUT"
ok "held by hestia-apid: quiet" "" "$ERR"
stopped_clean

# -V: the version, the same in both programs and the header.
want=$(sed -n 's/^#define APID_VERSION[^"]*"\(.*\)"/\1/p' "$top/include/version.h")
ok "hestia-apid -V" "hestia-apid $want" "$("$APID" -V)"
ok "hestia-apictl -V" "hestia-apictl $want" "$("$APICTL" -V)"
ok "hestia-apictl --version" "hestia-apictl $want" "$("$APICTL" --version)"
finish
