#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# systemd without systemd: READY, RELOADING and STOPPING go to
# NOTIFY_SOCKET (a datagram socket of ours), and the listeners of socket
# activation (systemd-socket-activate stands in for the .socket unit)
# replace LISTEN.
. "$(dirname "$0")/lib.sh"

write_conf </dev/null
K=$(new_key admin)

# A datagram socket that writes each message it gets, a line each.
python3 - "$T/notify.sock" "$T/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as log:
    while True:
        m = s.recv(4096).decode()
        log.write(m.replace("\n", " ") + "\n")
        log.flush()
PY
LISTENER=$!
PIDS="$PIDS $LISTENER"
while [ ! -S "$T/notify.sock" ]; do sleep 0.05; done

NOTIFY_SOCKET=$T/notify.sock start_apid
sleep 0.2
ok "READY=1 once serving" "READY=1" "$(head -1 "$T/notify.log")"
kill -HUP "$APID_PID"
sleep 0.5
contains "RELOADING=1 with the time it began" "RELOADING=1 MONOTONIC_USEC=" \
    "$(sed -n 2p "$T/notify.log")"
ok "READY=1 again after the reload" "READY=1" "$(sed -n 3p "$T/notify.log")"
req -d "hash=$K" -d cmd=v-list-users -d returncode=yes
ok "serving" 200 "$STATUS"
stopped_clean
ok "STOPPING=1 at SIGTERM" "STOPPING=1" "$(sed -n 4p "$T/notify.log")"

# The journal: when stderr is the stream JOURNAL_STREAM names, each line
# starts with its priority, <6> info, <4> warning.
: >"$T/journal.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal.log")
export JOURNAL_STREAM
"$APID" -d -f "$T/apid.conf" -p "$T/port2" 2>>"$T/journal.log" &
JPID=$!
PIDS="$PIDS $JPID"
i=0
until grep -q 'started: ' "$T/journal.log" || [ $i -gt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill "$JPID"
wait "$JPID"
unset JOURNAL_STREAM
contains "info lines carry <6>" "<6>started: " "$(cat "$T/journal.log")"
ok "every line carries a priority" 0 \
    "$(grep -vc '^<[0-7]>' "$T/journal.log")"
"$APID" -d -f "$T/apid.conf" -p "$T/port3" 2>"$T/plain.log" &
JPID=$!
i=0
until grep -q 'started: ' "$T/plain.log" || [ $i -gt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill "$JPID"
wait "$JPID"
ok "not the journal: no prefix" 0 "$(grep -c '^<[0-7]>' "$T/plain.log")"

if ! command -v systemd-socket-activate >/dev/null 2>&1; then
	echo "systemd.t.sh: no systemd-socket-activate; socket activation skipped"
	finish
	exit
fi
# Socket activation: the port is systemd's; LISTEN (port 0) is not used.
port=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
systemd-socket-activate -l "127.0.0.1:$port" -l "$T/act.sock" \
    "$APID" -d -f "$T/apid.conf" >>"$T/apid.log" 2>&1 &
ACT=$!
PIDS="$PIDS $ACT"
i=0
until curl -s -o /dev/null "http://127.0.0.1:$port/healthz" || [ $i -gt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
PORT=127.0.0.1:$port
req -d "hash=$K" -d cmd=v-list-users -d returncode=yes
ok "a TCP listener from systemd serves" 200 "$STATUS"
ok "a unix listener from systemd serves" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$T/act.sock" \
    -d "hash=$K" -d cmd=v-list-users -d returncode=yes http://localhost/api/)"
contains "the log says whose listeners" "2 listener(s) from systemd" \
    "$(cat "$T/apid.log")"
kill "$ACT"
wait "$ACT"
ok "it stops cleanly" 0 $?
ok "and leaves systemd's socket file alone" yes \
    "$(test -S "$T/act.sock" && echo yes || echo no)"
finish
