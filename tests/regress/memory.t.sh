#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Memory comes back: a burst of parallel logins at argon2's default cost
# (19 MiB a run, the verification cache off) leaves RSS within 2 MiB of
# idle once it is over. A size, not a time.
. "$(dirname "$0")/lib.sh"

case $BUILD in
*san*)	# ASan's allocator keeps freed memory in quarantine by design.
	echo "memory.t.sh: sanitizer build; skipped"
	echo "memory.t.sh: 0 passed, 0 failed"
	exit 0 ;;
esac
write_conf <<CONF
ARGON2='t=2,m=19456,p=1'
AUTH_CACHE='0'
CONF
K=$(new_key admin)
start_apid
req -d "hash=$K" -d cmd=v-list-users
ok "a login at the default cost" 200 "$STATUS"
sleep 0.3
idle=$(awk '/^VmRSS:/ { print $2 }' /proc/"$APID_PID"/status)
cpids=
for i in $(seq 1 16); do
	curl -s -o /dev/null -d "hash=$K" -d cmd=v-list-users \
	    "http://$PORT/api/" &
	cpids="$cpids $!"
done
for c in $cpids; do wait "$c"; done
hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/"$APID_PID"/status)
sleep 0.5
after=$(awk '/^VmRSS:/ { print $2 }' /proc/"$APID_PID"/status)
ok "the burst did use argon2's memory (VmHWM $hwm kB, idle $idle kB)" 1 \
    "$(test $((hwm - idle)) -ge 19000 && echo 1)"
ok "RSS after the burst within 2 MiB of idle ($idle -> $after kB)" 1 \
    "$(test $((after - idle)) -le 2048 && echo 1)"
stopped_clean
finish
