#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Network trust and transport: who the client is (spoofed headers from
# untrusted and trusted peers), lockout and its expiry, Hestia's exact
# auth.log lines, TLS, unix sockets, 413, and slow clients.
. "$(dirname "$0")/lib.sh"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" \
    -out "$T/cert.pem" -days 2 -subj /CN=localhost >/dev/null 2>&1
write_conf <<CONF
LISTEN='127.0.0.1:0,unix:$T/apid.sock'
API_ALLOWED_IP='127.0.0.1,192.0.2.7'
TRUSTED_PROXIES='unix'
LOCKOUT='3/600/2'
MAX_BODY='64k'
TLS_CERT='$T/cert.pem'
TLS_KEY='$T/key.pem'
CONF
K=$(new_key admin)
ID=${K%%:*}
start_apid
URL="https://$PORT/api/"
sock() {
	curl -s -m 10 -o "$T/body" -w '%{http_code}' --unix-socket \
	    "$T/apid.sock" "$@" http://localhost/api/
}
tls() {
	curl -sk -m 10 -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" \
	    "$URL"
}

# TLS: the TCP listener speaks HTTPS only, TLS 1.2 and later.
ok "tls: request" 200 "$(tls -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
ok "tls: body" 0 "$(cat "$T/body")"
ok "tls: plain http refused" 000 "$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$PORT/api/")"
ok "tls: 1.1 refused" 000 "$(curl -sk -m 5 --tlsv1.1 --tls-max 1.1 -o /dev/null -w '%{http_code}' "$URL")"

# Untrusted TCP peer: forwarding headers are ignored (client is the peer).
tls -H 'X-Forwarded-For: 192.0.2.7' -H 'X-Real-IP: 192.0.2.7' \
    -H 'CF-Connecting-IP: 192.0.2.7' -d "hash=$K" -d cmd=v-list-users \
    -d returncode=yes >/dev/null
ok "spoof: headers ignored from untrusted peer" \
    "$ID 127.0.0.1 v-list-users successfully launched" \
    "$(tail -1 "$T/auth.log" | cut -d' ' -f3-)"

# Trusted unix peer: X-Real-IP is believed; without it the client is
# unknown, and no allowlist admits it.
ok "unix: no header, refused" 401 "$(sock -d "hash=$K" -d cmd=v-list-users)"
ok "unix: refusal body" "Error: IP is not allowed to connect with API" "$(cat "$T/body")"
ok "unix: X-Real-IP believed" 200 "$(sock -H 'X-Real-IP: 192.0.2.7' -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
ok "unix: client in auth.log" \
    "$ID 192.0.2.7 v-list-users successfully launched" \
    "$(tail -1 "$T/auth.log" | cut -d' ' -f3-)"
ok "unix: X-Forwarded-For not read (PROXY_HEADER is X-Real-IP)" 401 \
    "$(sock -H 'X-Forwarded-For: 192.0.2.7' -d "hash=$K" -d cmd=v-list-users)"
ok "unix: the last X-Real-IP line is the proxy's" 200 \
    "$(sock -H 'X-Real-IP: 6.6.6.6' -H 'X-Real-IP: 192.0.2.7' -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
ok "unix: socket mode" 660 "$(stat -c %a "$T/apid.sock")"

# auth.log: exact Hestia lines; none for a permission refusal.
bad=ZZZZZZZZZZZZZZZZZZZZ:$(printf '%040d' 0)
tls -H 'X-Real-IP: 1.1.1.1' -d "hash=$bad" -d cmd=v-list-users >/dev/null
line=$(tail -1 "$T/auth.log")
case $line in
[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]\ [0-9][0-9]:[0-9][0-9]:[0-9][0-9]\ ZZZZZZZZZZZZZZZZZZZZ\ 127.0.0.1\ failed\ to\ login) pass ;;
*) fail "auth.log failure line: [$line]" ;;
esac
n=$(wc -l <"$T/auth.log")
tls -d "hash=$K" -d cmd=v-does-not-exist >/dev/null
ok "auth.log: no line for a refused command" "$n" "$(wc -l <"$T/auth.log")"

# Lockout (3 failures, 2 s ban): the 3rd failure bans; a banned client is
# refused even with the right key, and no argon2 or line is spent on it.
tls -d "hash=$bad" -d cmd=v-list-users >/dev/null
tls -d "hash=$bad" -d cmd=v-list-users >/dev/null
ok "lockout: banned even with a good key" 401 \
    "$(tls -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
ok "lockout: code 9" 9 "$(cat "$T/body")"
ok "lockout: unix client not banned" 200 \
    "$(sock -H 'X-Real-IP: 192.0.2.7' -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
sleep 2.2
ok "lockout: expires" 200 \
    "$(tls -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
contains "lockout: logged" "banned after repeated login failures" \
    "$(cat "$T/apid.log")"

# Hard limits: a body over MAX_BODY is 413. The client waits for the
# verdict before sending the body (Expect: 100-continue): one that sends it
# anyway may see the connection reset before it reads the 413.
head -c 70000 /dev/zero | tr '\0' 'a' >"$T/big"
ok "413 over MAX_BODY" 413 \
    "$(tls -H 'Expect: 100-continue' --data-binary "@$T/big")"

# 1,000 idle, slow clients do not stop a valid one from being served.
python3 - "$T/apid.sock" >"$T/slow.out" 2>&1 <<'PY' &
import socket, sys, time
conns = []
for i in range(1000):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.send(b"POST /api/ HTTP/1.1\r\nHost: x\r\n")
    conns.append(s)
print("open", len(conns), flush=True)
time.sleep(6)
PY
SLOW=$!
PIDS="$PIDS $SLOW"
i=0
while ! grep -q open "$T/slow.out" && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
ok "slowloris: 1000 slow connections open" "open 1000" "$(cat "$T/slow.out")"
ok "slowloris: a valid client is served" 200 \
    "$(tls -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
kill "$SLOW" 2>/dev/null
stopped_clean

# API_ALLOWED_IP='allow-all' admits every client, those of the unix
# socket too (a local client has no address for a list to match).
sed -i "s/^API_ALLOWED_IP=.*/API_ALLOWED_IP='allow-all'/; /^TRUSTED_PROXIES=/d" \
    "$T/apid.conf"
start_apid
ok "unix under allow-all: admitted" 200 \
    "$(sock -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
sed -i "s/^API_ALLOWED_IP=.*/API_ALLOWED_IP='127.0.0.1'/" "$T/apid.conf"
kill -HUP "$APID_PID"
sleep 0.3
ok "unix under a list: still refused" 401 \
    "$(sock -d "hash=$K" -d cmd=v-list-users)"
stopped_clean
finish
