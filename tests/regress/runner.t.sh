#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runner limits: CMD_TIMEOUT kills the process group, MAX_OUTPUT cuts and
# marks, MAX_JOBS/QUEUE answer 503 with Retry-After, MAX_BODY gives 413,
# and a client that goes away does not hurt the daemon.
. "$(dirname "$0")/lib.sh"

# A sleep length no other process on the box is using: 30.<pid>, 2.<pid>...
U=$(printf '%05d' $(($$ % 100000)))

# running PATTERN: how many processes have PATTERN in their command line.
running() {
	pgrep -f -- "$1" | wc -l | tr -d ' '
}

# wait_gone PATTERN: poll up to 5 s until no process matches.
wait_gone() {
	i=0
	while [ "$(running "$1")" != 0 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# wait_started PATTERN: poll up to 5 s until some process matches.
wait_started() {
	i=0
	while [ "$(running "$1")" = 0 ] && [ $i -lt 50 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

# bgreq OUT [curl args]: a request in the background; status code in OUT.
bgreq() {
	out=$1
	shift
	curl -s -m 30 -o "$out.body" -w '%{http_code}' "$@" "http://$PORT/api/" \
	    >"$out" 2>/dev/null &
	BGPID=$!
}

no_crash() {
	kill -0 "$APID_PID" 2>/dev/null
	ok "$1: daemon alive" 0 $?
	ok "$1: no sanitizer report or crash in the log" 0 \
	    "$(grep -c -E 'AddressSanitizer|LeakSanitizer|runtime error|Segmentation|Aborted|assert' "$T/apid.log")"
}

write_conf <<'EOF'
CMD_TIMEOUT='1'
MAX_OUTPUT='1k'
MAX_BODY='64k'
EOF
K=$(new_key admin)
start_apid

# --- timeout: 504, E_LA, the whole process group gone ---
S="30.$U"
t0=$(date +%s)
req -d "hash=$K" -d cmd=v-sleep -d "arg1=$S"
t1=$(date +%s)
ok "timeout status" 504 "$STATUS"
ok "timeout code" 14 "$CODE"
ok "timeout body" "Error: Command timed out" "$BODY"
ok "timeout nosniff" nosniff "$(hdr X-Content-Type-Options)"
ok "timeout answered within a few seconds" yes \
    "$([ $((t1 - t0)) -le 8 ] && echo yes || echo "no ($((t1 - t0)) s)")"
wait_gone "sleep $S"
ok "sleep and its shell are gone" 0 "$(running "sleep $S")"
req -d "hash=$K" -d cmd=v-sleep -d "arg1=$S" -d returncode=yes
ok "timeout, code mode" "14" "$CODE"
wait_gone "sleep $S"
ok "sleep gone again" 0 "$(running "sleep $S")"
req -d "hash=$K" -d cmd=v-sleep -d arg1=0.2
ok "a short command still runs" "200 0 slept" "$STATUS $CODE $BODY"

# --- output cap: exactly MAX_OUTPUT bytes, marked ---
req -d "hash=$K" -d cmd=v-flood -d arg1=100000
ok "flood status" "200 0" "$STATUS $CODE"
ok "flood body is 1024 bytes" 1024 "$(wc -c <"$T/body" | tr -d ' ')"
ok "flood body is the output" "" "$(tr -d x <"$T/body")"
ok "flood marked truncated" yes "$(hdr Hestia-Output-Truncated)"
req -d "hash=$K" -d cmd=v-flood -d arg1=1000
ok "small output status" 200 "$STATUS"
ok "small output whole" 1000 "$(wc -c <"$T/body" | tr -d ' ')"
ok "small output not marked" "" "$(hdr Hestia-Output-Truncated)"
req -d "hash=$K" -d cmd=v-flood -d arg1=100000 -d returncode=yes
ok "flood, code mode" "200 0 0" "$STATUS $CODE $BODY"
# A big flood must not stall the daemon (the pipe is drained or closed).
t0=$(date +%s)
req -d "hash=$K" -d cmd=v-flood -d arg1=20000000
t1=$(date +%s)
ok "big flood answered" "200 1024" "$STATUS $(wc -c <"$T/body" | tr -d ' ')"
ok "big flood in time" yes "$([ $((t1 - t0)) -le 8 ] && echo yes || echo no)"

# --- body cap ---
{
	printf 'hash=%s&cmd=v-exit&arg1=0&arg2=' "$K"
	head -c 102400 /dev/zero | tr '\0' 'a'
} >"$T/big"
# Expect: 100-continue, so the 413 comes before the body is sent (a body
# sent anyway can meet a reset connection before the answer is read).
req -H 'Expect: 100-continue' --data-binary "@$T/big"
ok "100 KiB body" 413 "$STATUS"
# The 413 is libevent's own fixed page (libevent 2.1 has no hook to shape
# it): it must carry nothing of the request, so it reflects no input.
ok "413 reflects nothing" no "$(case $BODY in *aaaa*|*"$K"*) echo yes ;; *) echo no ;; esac)"
contains "413 fixed text" "Request Entity Too Large" "$BODY"
{
	printf 'hash=%s&cmd=v-exit&arg1=0&arg2=' "$K"
	head -c 50000 /dev/zero | tr '\0' 'a'
} >"$T/fits"
req --data-binary "@$T/fits"
ok "50 KB body fits" "204 0" "$STATUS $CODE"
printf '{"hash":"%s","cmd":"v-exit","arg1":"%s"}' "$K" \
    "$(head -c 70000 /dev/zero | tr '\0' '1')" >"$T/bigjson"
req -H 'Expect: 100-continue' -H 'Content-Type: application/json' --data-binary "@$T/bigjson"
ok "70 KB JSON body" 413 "$STATUS"
req -d "hash=$K" -d cmd=v-echo-args -d arg1=after
ok "serving after 413" "200 argc=1
[after]" "$STATUS $BODY"

# --- a client that leaves mid-command ---
S="3.$U"
curl -s -m 1 -d "hash=$K" -d cmd=v-sleep -d "arg1=$S" "http://$PORT/api/" \
    >/dev/null 2>&1
ok "client gave up" 28 $?
# The daemon notices the hang-up and kills the command's process group,
# well before the 3 s it would have slept.
sleep 0.5
ok "orphan killed when its client left" 0 "$(running "sleep $S")"
# Its audit row says the client left (written within a second or two).
i=0
while [ $i -lt 30 ] && [ "$(sqlite3 "$T/keys.db" "SELECT count(*) FROM audit WHERE http_status = 499" 2>/dev/null)" != 1 ]; do
	sleep 0.1
	i=$((i + 1))
done
ok "audited as 499" 1 "$(sqlite3 "$T/keys.db" "SELECT count(*) FROM audit WHERE http_status = 499")"
req -d "hash=$K" -d cmd=v-echo-args -d arg1=next
ok "next request while the orphan runs" "200 argc=1
[next]" "$STATUS $BODY"
# Let the orphan finish (or be killed), then make sure the daemon lived.
wait_gone "sleep $S"
ok "orphan command ended" 0 "$(running "sleep $S")"
sleep 0.3
req -d "hash=$K" -d cmd=v-echo-args -d arg1=later
ok "request after the orphan ended" "200 argc=1
[later]" "$STATUS $BODY"
no_crash "disconnect"

# --- concurrency: one slot, no queue ---
stop_apid
write_conf <<'EOF'
MAX_JOBS='1'
QUEUE='0'
EOF
start_apid
S="3.2$U"
bgreq "$T/bg1" -d "hash=$K" -d cmd=v-sleep -d "arg1=$S"
BG1=$BGPID
wait_started "sleep $S"
ok "first command running" yes \
    "$([ "$(running "sleep $S")" -gt 0 ] && echo yes || echo no)"
req -d "hash=$K" -d cmd=v-echo-args -d arg1=x
ok "busy status" 503 "$STATUS"
ok "busy code" 14 "$CODE"
ok "busy nosniff" nosniff "$(hdr X-Content-Type-Options)"
ok "busy Retry-After" yes \
    "$(hdr Retry-After | grep -Eq '^[0-9]+$' && echo yes || echo no)"
req -d "hash=$K" -d cmd=v-echo-args -d arg1=x -d returncode=yes
ok "busy, code mode" "503 14" "$STATUS $CODE"
# Refusals that need no slot are still answered at once.
req -d "hash=$K" -d 'cmd=a;b'
ok "bad cmd while busy" "422 2" "$STATUS $CODE"
wait "$BG1"
ok "first command finished" "200 slept" "$(cat "$T/bg1") $(cat "$T/bg1.body")"
req -d "hash=$K" -d cmd=v-echo-args -d arg1=x
ok "slot free again" 200 "$STATUS"

# --- one slot and a queue of one ---
stop_apid
write_conf <<'EOF'
MAX_JOBS='1'
QUEUE='1'
EOF
start_apid
S="3.5$U"
bgreq "$T/q1" -d "hash=$K" -d cmd=v-sleep -d "arg1=$S"
Q1=$BGPID
wait_started "sleep $S"
bgreq "$T/q2" -d "hash=$K" -d cmd=v-echo-args -d arg1=queued
Q2=$BGPID
# Give the queued request time to arrive, well within the running sleep.
sleep 1
req -d "hash=$K" -d cmd=v-echo-args -d arg1=third
ok "queue full" "503 14" "$STATUS $CODE"
wait "$Q1"
wait "$Q2"
ok "running one finished" "200 slept" "$(cat "$T/q1") $(cat "$T/q1.body")"
ok "queued one ran" "200 argc=1
[queued]" "$(cat "$T/q2") $(cat "$T/q2.body")"
no_crash "queue"
stopped_clean
finish
