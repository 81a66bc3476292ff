#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Attacks on the daemon itself, each reproduced first (issue 8): requests
# that must never stop it, fill its disk, or outrun its lockout.
. "$(dirname "$0")/lib.sh"

# 1. A forwarding header whose left-most hop starts with a blank and is a
# trusted proxy hung the whole daemon (found by fuzzing; /healthz too).
write_conf <<CONF
TRUSTED_PROXIES='127.0.0.1'
PROXY_HEADER='X-Forwarded-For'
CONF
start_apid
ok "xff hang: tab before a trusted hop" 200 "$(printf \
    'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: \t127.0.0.1\r\nConnection: close\r\n\r\n' | rawreq)"
ok "xff hang: obs-fold line" 200 "$(printf \
    'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For:\r\n 127.0.0.1\r\nConnection: close\r\n\r\n' | rawreq)"
ok "xff hang: blank and a newline" 200 "$(printf \
    'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For:  127.0.0.1 ,\t127.0.0.1\r\nConnection: close\r\n\r\n' | rawreq)"
reqto /healthz
ok "xff hang: still serving" 200 "$STATUS"
stopped_clean

# 4. The lockout leaked under concurrency: failures were counted when the
# hash finished, so every guess of a burst was verified (the right one at
# #50 got 200 with LOCKOUT=5/600/600). Now a verification counts against
# its address when it is queued.
write_conf <<CONF
LOCKOUT='5/600/600'
LISTEN='127.0.0.1:0,unix:$T/apid.sock'
TRUSTED_PROXIES='unix'
ARGON2='t=2,m=19456,p=1'
CONF
K=$(new_key admin)
ID=${K%%:*}
start_apid
i=0
burst=""
while [ $i -lt 60 ]; do
	i=$((i + 1))
	if [ $i -eq 50 ]; then s=${K#*:}; else s=$(printf 'w%039d' $i); fi
	curl -s -m 30 -o /dev/null -w '%{http_code}\n' -d "hash=$ID:$s" \
	    -d cmd=v-list-users "http://$PORT/api/" >"$T/burst.$i" &
	burst="$burst $!"
done
for p in $burst; do wait "$p"; done
ok "burst: the right secret at #50 is not let in" "" \
    "$(grep -l '^200' "$T"/burst.* 2>/dev/null)"
ok "burst: at most 5 guesses were verified" 1 \
    "$(test "$(grep -c "$ID 127.0.0.1 failed to login" "$T/auth.log")" -le 5 && echo 1)"
ok "burst: the others were refused or told to come back" "" \
    "$(cat "$T"/burst.* | grep -v -e '^401' -e '^503')"
req -d "hash=$K" -d cmd=v-list-users -d returncode=yes
ok "burst: then banned, even with the right secret" 401 "$STATUS"

# 5. A client that sends and hangs up still costs a verification, and is
# counted: it gets banned like one that waits.
sock() {
	curl -s -m 10 -o "$T/body" -w '%{http_code}' --unix-socket \
	    "$T/apid.sock" "$@" http://localhost/api/
}
for i in 1 2 3 4 5 6 7 8; do
	printf 'POST /api/ HTTP/1.1\r\nHost: x\r\nX-Real-IP: 192.0.2.50\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 78\r\n\r\nhash=%s:w%039d&cmd=v-list-users' \
	    "$ID" "$i" | python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.stdin.buffer.read())
s.close()
' "$T/apid.sock"
	sleep 0.2
done
sleep 0.5
ok "hang-up: the sender is banned" 401 \
    "$(sock -H 'X-Real-IP: 192.0.2.50' -d "hash=$K" -d cmd=v-list-users)"
contains "hang-up: its attempts are in auth.log" "$ID 192.0.2.50 failed to login" \
    "$(cat "$T/auth.log")"

# IPv6: a /64 is one client (LOCKOUT_V6_PREFIX), so a /64 of addresses
# gives no more guesses than one address.
for i in 1 2 3 4 5; do
	sock -H "X-Real-IP: 2001:db8:1:2::$i" -d "hash=$ID:$(printf 'v%039d' $i)" \
	    -d cmd=v-list-users >/dev/null
done
ok "v6: another address of the /64 is banned" 401 \
    "$(sock -H 'X-Real-IP: 2001:db8:1:2:ffff::9' -d "hash=$K" -d cmd=v-list-users)"
ok "v6: another /64 is not" 200 \
    "$(sock -H 'X-Real-IP: 2001:db8:1:3::1' -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
contains "v6: the ban names the /64" "2001:db8:1:2::/64: banned" "$(cat "$T/apid.log")"
stopped_clean

# 3 and 6. Refused requests filled the disk (every one wrote its whole
# arguments: 35 MB to 1,050 MB in 20 s) and kept passwords in clear. Now
# a refused request leaves a bounded, masked row, rationed per client.
write_conf <<CONF
API_ALLOWED_IP='192.0.2.1'
LISTEN='127.0.0.1:0,unix:$T/apid.sock'
TRUSTED_PROXIES='unix'
DATABASE='$T/flood/keys.db'
CONF
mkdir "$T/flood"
K=$(new_key admin)
ID=${K%%:*}
start_apid
python3 - "$PORT" >"$T/flood.out" <<'PY'
import http.client, sys, time, urllib.parse
host, port = sys.argv[1].rsplit(":", 1)
t0 = time.time()
big = "A" * 60000
body = urllib.parse.urlencode({"hash": "ZZZZZZZZZZZZZZZZZZZZ:" + "x" * 40,
    "cmd": "v-add-user\x1b[2J\n2026-01-01 admin v-delete-user OK",
    "arg1": "alice", "arg2": "MyN3wS3cretPassw0rd", "arg3": big})
c = http.client.HTTPConnection(host, int(port))
n = 0
for i in range(2000):
    c.request("POST", "/api/", body,
        {"Content-Type": "application/x-www-form-urlencoded"})
    r = c.getresponse()
    r.read()
    n += 1
print(n, int(time.time() - t0) + 1)
PY
ok "flood: 2000 refused requests answered" 2000 "$(cut -d ' ' -f 1 "$T/flood.out")"
# A burst of 10, then 2 rows a second and a folded row a second: what the
# flood may leave depends on how long it took (seconds, rounded up), never
# on how many requests it made.
secs=$(cut -d ' ' -f 2 "$T/flood.out")
sock -H 'X-Real-IP: 192.0.2.1' -d "hash=$ID:$(printf 'w%039d' 1)" \
    -d cmd=v-change-user-password -d arg1=alice -d arg2=MyN3wS3cretPassw0rd \
    >/dev/null
stopped_clean
rows=$(sqlite3 "$T/flood/keys.db" "SELECT count(*) FROM audit WHERE client_ip = '127.0.0.1'")
ok "flood: the rows are rationed ($rows rows in $secs s)" 1 \
    "$(test "$rows" -le $((11 + 3 * secs)) && echo 1)"
ok "flood: every request is counted" 2000 \
    "$(sqlite3 "$T/flood/keys.db" "SELECT sum(count) FROM audit WHERE client_ip = '127.0.0.1'")"
ok "flood: no row holds more than a summary" 1 \
    "$(test "$(sqlite3 "$T/flood/keys.db" "SELECT max(length(args) + length(cmd) + length(who)) FROM audit")" -le 200 && echo 1)"
ok "flood: the password is in no row" 0 \
    "$(sqlite3 "$T/flood/keys.db" "SELECT count(*) FROM audit WHERE args LIKE '%MyN3w%'")"
ok "flood: the database stays small" 1 \
    "$(test "$(du -sk "$T/flood" | cut -f1)" -lt 4096 && echo 1)"
ok "audit: database mode 0600" 600 "$(stat -c %a "$T/flood/keys.db")"
"$APICTL" -f "$T/apid.conf" audit --format plain >"$T/audit.out"
ok "audit: no control character reaches the terminal" 0 \
    "$(tr -d '\n\t' <"$T/audit.out" | tr -d '[:print:]' | wc -c)"

# 8. No cap on open connections: idle and slow clients held descriptors
# until the fd limit. Now at most MAX_CONNS_PER_IP of one address before
# a request, and at most MAX_CONNS in all, the oldest idle closed first.
write_conf <<CONF
MAX_CONNS='16'
MAX_CONNS_PER_IP='4'
LISTEN='127.0.0.1:0,unix:$T/apid.sock'
CONF
K=$(new_key admin)
start_apid
# conns N [PARTIAL]: open N connections (a partial request on each when
# PARTIAL), wait, then print how many the daemon has closed.
conns() {
	python3 - "$PORT" "$1" "${2:-}" <<'PY'
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
conns = []
for i in range(int(sys.argv[2])):
    s = socket.create_connection((host, int(port)))
    if sys.argv[3]:
        s.send(b"POST /api/ HTTP/1.1\r\nHost: x\r\n")
    conns.append(s)
    time.sleep(0.02)
time.sleep(0.5)
closed = 0
for s in conns:
    s.setblocking(False)
    try:
        closed += s.recv(1) == b""
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
print(closed)
PY
}
ok "conns: one address holds at most MAX_CONNS_PER_IP idle" 6 "$(conns 10)"
ok "conns: slow requests count the same" 6 "$(conns 10 partial)"
contains "conns: said once in the log" "more than 4 connections without a request" \
    "$(cat "$T/apid.log")"
# From the unix socket (another address), 20 slow clients: the 4 over
# MAX_CONNS_PER_IP are closed, and nothing else while under MAX_CONNS.
python3 - "$T/apid.sock" >"$T/slow.out" <<'PY' &
import socket, sys, time
conns = []
for i in range(20):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.send(b"POST /api/ HTTP/1.1\r\nHost: x\r\n")
    conns.append(s)
print("open", flush=True)
time.sleep(3)
PY
SLOW=$!
sleep 1
reqto /healthz
ok "conns: a new client is still served" 200 "$STATUS"
req -d "hash=$K" -d cmd=v-list-users -d returncode=yes
ok "conns: and can log in" 200 "$STATUS"
kill "$SLOW" 2>/dev/null
wait "$SLOW" 2>/dev/null
stopped_clean

# MAX_CONNS: the one idle for longest makes room for a new client.
write_conf <<CONF
MAX_CONNS='16'
MAX_CONNS_PER_IP='100'
CONF
start_apid
python3 - "$PORT" >"$T/max.out" <<'PY'
import socket, sys, time, http.client
host, port = sys.argv[1].rsplit(":", 1)
conns = []
for i in range(16):
    conns.append(socket.create_connection((host, int(port))))
    time.sleep(0.02)
time.sleep(0.3)
c = http.client.HTTPConnection(host, int(port), timeout=10)
c.request("GET", "/healthz")
status = c.getresponse().status
time.sleep(0.3)
oldest = newest = "open"
for s, name in ((conns[0], "oldest"), (conns[-1], "newest")):
    s.setblocking(False)
    try:
        if s.recv(1) == b"":
            if name == "oldest": oldest = "closed"
            else: newest = "closed"
    except BlockingIOError:
        pass
print(status, oldest, newest)
PY
ok "max conns: served, the oldest idle closed, the newest kept" \
    "200 closed open" "$(cat "$T/max.out")"
stopped_clean

# 8. A NUL inside cmd cut the name and the shorter command ran; inside a
# credential it would cut the secret. Refused by name, before the gate.
write_conf </dev/null
rm -f "$T/auth.log"
K=$(new_key admin)
start_apid
req -d "hash=$K" --data-raw 'cmd=v-list-users%00x'
ok "nul: cmd refused" 422 "$STATUS"
ok "nul: cmd code" 2 "$CODE"
ok "nul: cmd message" "Error: invalid request: cmd holds a NUL byte" "$BODY"
req --data-raw "hash=$K%00x" -d cmd=v-list-users
ok "nul: hash refused" 422 "$STATUS"
ok "nul: hash message" "Error: invalid request: hash holds a NUL byte" \
    "$BODY"
req --data-raw "access_key=${K%%:*}%00" --data-raw "secret_key=${K#*:}x%00y" \
    -d cmd=v-list-users
ok "nul: secret_key refused" 422 "$STATUS"
req -d user=admin --data-raw 'password=a%00b' -d cmd=v-list-users
ok "nul: password refused" 422 "$STATUS"
ok "nul: no command ran" 0 "$(grep -c 'successfully launched' "$T/auth.log")"
reqto /api/v1/exec -H "Authorization: Bearer $K" \
    --data-raw '{"cmd": "v-list-users\u0000x"}'
ok "nul: exec cmd refused" 400 "$STATUS"
contains "nul: exec says why" '"cmd\" holds a NUL byte' "$BODY"
reqto /api/v1/exec -H "Authorization: Bearer $K" \
    --data-raw '{"cmd": "v-list-users", "args": ["a\u0000b"]}'
ok "nul: exec arg refused" 400 "$STATUS"
contains "nul: exec arg says why" 'without NUL bytes' "$BODY"
reqto /api/v1/exec -H "Authorization: Bearer $K" --data-raw '{"cmd": <script>'
ok "exec: bad JSON" 400 "$STATUS"
contains "exec: bad JSON says so" 'not valid JSON' "$BODY"
case $BODY in *script*) fail "exec: bad JSON echoes the input: $BODY" ;; *) pass ;; esac
stopped_clean
finish
