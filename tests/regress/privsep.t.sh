#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Privilege separation (USER set, started as root): the network side runs
# as USER with NoNewPrivs and no capability; the root helper spawns the
# commands (as root, no sudo), opens AUTH_LOG after logrotate and reads a
# root-only config on SIGHUP; neither side outlives the other, and no
# command outlives both.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "privsep.t.sh: needs root to switch users; skipped"
	echo "privsep.t.sh: 0 passed, 0 failed"
	exit 0
fi
U=hapidt$$
useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$U" || exit 1
trap 'cleanup; userdel "$U" 2>/dev/null' EXIT

chmod 755 "$T"
mkdir -p "$T/bin" "$T/db"
printf '#!/bin/sh\n# options: [ARG]\nid -u\n' >"$T/bin/v-whoami"
printf '#!/bin/sh\n# options: [ARG]\nps -o comm= -p $PPID\n' >"$T/bin/v-parent"
# Its argument, then the descriptors it was given (ls adds its own 3).
printf '#!/bin/sh\n# options: ARG\necho "$1" $(ls /proc/self/fd)\n' \
    >"$T/bin/v-fds"
# Ignores SIGTERM, and so does the sleep it becomes.
printf '#!/bin/sh\n# options: NUMBER\ntrap "" TERM\nexec sleep "$1"\n' \
    >"$T/bin/v-stubborn"
chmod 755 "$T"/bin/*
BIN=$T/bin write_conf <<CONF
USER='$U'
DATABASE='$T/db/keys.db'
CMD_TIMEOUT='60'
CONF
chmod 755 "$T/tmp"
chmod 640 "$T/apid.conf"	# root's alone: only the helper can read it

# The database made first by hestia-apictl as root is handed to USER.
K=$(new_key admin)
ok "apictl as root leaves the database USER's" "$U" \
    "$(stat -c %U "$T/db/keys.db")"
ok "and its directory" "$U" "$(stat -c %U "$T/db")"

start_apid
HELPER=$(pgrep -P "$APID_PID" -x apid-helper)
ok "the helper is the daemon's child" 1 "$(echo "$HELPER" | wc -w)"
ok "the network side is USER" "$U" \
    "$(ps -o user= -p "$APID_PID" | tr -d ' ')"
ok "the network side has NoNewPrivs" 1 \
    "$(awk '/^NoNewPrivs:/ { print $2 }' /proc/"$APID_PID"/status)"
ok "the network side has no capability" 0000000000000000 \
    "$(awk '/^CapEff:/ { print $2 }' /proc/"$APID_PID"/status)"
ok "the helper is root" root "$(ps -o user= -p "$HELPER" | tr -d ' ')"
ok "auth.log opened as root" root "$(stat -c %U "$T/auth.log")"

req -d "hash=$K" -d cmd=v-whoami
ok "a command runs as root with EXEC_PREFIX empty" "200 0" "$STATUS $BODY"
# /metrics reads the network side's own /proc entries as USER.
reqto /metrics
ok "metrics as USER" 200 "$STATUS"
contains "metrics: resident memory" hestia_apid_process_resident_memory_bytes \
    "$(grep -v '^#' "$T/body")"
contains "metrics: open fds" hestia_apid_process_open_fds \
    "$(grep -v '^#' "$T/body")"
req -d "hash=$K" -d cmd=v-parent
ok "spawned by the helper itself: no sudo" "200 apid-helper" \
    "$STATUS $BODY"
req -d "hash=$K" -d cmd=v-nonexistent
contains "an unknown command" "Command v-nonexistent not found" "$BODY"
req -d "hash=$K" -d cmd=v-whoami -d 'arg1=a;id'
ok "arguments are not a shell's" "200 0" "$STATUS $BODY"

# Many commands at once: each answer is its own command's output, and no
# command gets a descriptor of another's (or of the helper's).
i=0 curls=
while [ $i -lt 24 ]; do
	curl -s -m 30 -o "$T/many.$i" -d "hash=$K" -d cmd=v-fds \
	    -d "arg1=n$i" "http://$PORT/api/" &
	curls="$curls $!"
	i=$((i + 1))
done
# shellcheck disable=SC2086
wait $curls	# not the daemon, a child of ours too
i=0 bad=
while [ $i -lt 24 ]; do
	[ "$(cat "$T/many.$i" 2>/dev/null)" = "n$i 0 1 2 3" ] ||
	    bad="$bad n$i:[$(cat "$T/many.$i" 2>/dev/null)]"
	i=$((i + 1))
done
ok "24 commands at once: own output, only 0, 1 and 2 open" "" "$bad"

# Logrotate moves auth.log aside and makes a new one, 0600 root.
mv "$T/auth.log" "$T/auth.log.1"
install -m 600 -o root -g root /dev/null "$T/auth.log"
sleep 1.1	# the daemon looks for a new file once a second
req -d "hash=$K" -d cmd=v-whoami
contains "a rotated 0600 root auth.log gets the next line" \
    "v-whoami successfully launched" "$(cat "$T/auth.log")"

# Every audit row reaches the database the root apictl made. The writer
# thread commits in batches: read the count once it stops moving.
audit_rows() {
	prev=-1
	i=0
	while [ $i -lt 50 ]; do
		n=$(python3 -c 'import sqlite3,sys
print(sqlite3.connect(sys.argv[1]).execute("select count(*) from audit").fetchone()[0])' "$T/db/keys.db")
		[ "$n" = "$prev" ] && break
		prev=$n
		sleep 0.4
		i=$((i + 1))
	done
	echo "$n"
}
rows0=$(audit_rows)
for i in 1 2 3 4 5; do req -d "hash=$K" -d cmd=v-whoami; done
rows1=$(audit_rows)
ok "five more requests, five more audit rows" 5 $((rows1 - rows0))
ok "no audit row lost" 0 "$(grep -c 'audit.*\(lost\|readonly\|read-only\)' "$T/apid.log")"

# SIGHUP with the root-only config: the change applies.
echo "API_ALLOWED_IP='10.9.9.9'" >>"$T/apid.conf"
kill -HUP "$APID_PID"
sleep 0.5
req -d "hash=$K" -d cmd=v-whoami
contains "SIGHUP applied a config only root can read" \
    "IP is not allowed" "$BODY"
ok "without a warning" 0 \
    "$(grep -c 'keeping the running configuration' "$T/apid.log")"
sed -i '$d' "$T/apid.conf"
kill -HUP "$APID_PID"
sleep 0.5

# A normal stop, while a command ignores SIGTERM: it is gone after.
curl -s -m 30 -o /dev/null -d "hash=$K" -d cmd=v-stubborn -d arg1=7771 \
    "http://$PORT/api/" &
sleep 1
ok "the stubborn command runs" 1 "$(pgrep -c -f 'sleep 7771')"
kill "$APID_PID"
sleep 0.3
kill "$APID_PID"	# again: stop now, not in 30 s
wait "$APID_PID"
ok "daemon exits 0 on a stop" 0 $?
sleep 0.2
ok "a command ignoring SIGTERM is gone after the stop" 0 \
    "$(pgrep -c -f 'sleep 7771')"
ok "the helper is gone too" 1 "$(kill -0 "$HELPER" 2>/dev/null; echo $?)"

# kill -9 of the network side: the helper kills its commands and exits.
start_apid
HELPER=$(pgrep -P "$APID_PID" -x apid-helper)
curl -s -m 30 -o /dev/null -d "hash=$K" -d cmd=v-stubborn -d arg1=7772 \
    "http://$PORT/api/" &
sleep 1
ok "a command runs" 1 "$(pgrep -c -f 'sleep 7772')"
kill -9 "$APID_PID"
wait "$APID_PID" 2>/dev/null
i=0
while kill -0 "$HELPER" 2>/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
ok "kill -9 of the network side: the helper exits" 1 \
    "$(kill -0 "$HELPER" 2>/dev/null; echo $?)"
ok "and leaves no command running" 0 "$(pgrep -c -f 'sleep 7772')"
# The helper, once exited, waits to be reaped by its new parent (init, or
# a subreaper), which may take a moment under a sanitizer's slow exit.
zombies() {
	ps -e -o stat=,args= | grep -c '^Z.*\(sleep\|v-stubborn\|apid\)'
}
i=0
while [ "$(zombies)" -gt 0 ] && [ $i -lt 30 ]; do
	sleep 0.1
	i=$((i + 1))
done
ok "and no zombie" 0 "$(zombies)"

# kill -9 of the helper: the daemon says so and exits non-zero.
start_apid
HELPER=$(pgrep -P "$APID_PID" -x apid-helper)
kill -9 "$HELPER"
wait "$APID_PID"
rc=$?
ok "kill -9 of the helper: the daemon exits non-zero" 1 "$rc"
contains "with a clear log line" "the root helper has exited; stopping" \
    "$(cat "$T/apid.log")"

# EXEC_PREFIX stays a fallback: commands then run under it, by the helper.
printf "EXEC_PREFIX='/usr/bin/env'\n" >>"$T/apid.conf"
start_apid
req -d "hash=$K" -d cmd=v-parent
ok "EXEC_PREFIX still works" "200 apid-helper" "$STATUS $BODY"
stopped_clean

# A Hestia server: conf/ and data/users are 0750 root, the TLS key 0600
# root. The helper opens them for the network side, and nothing else.
mkdir -p "$T/hestia/conf" "$T/hestia/data/users/admin" \
    "$T/hestia/data/users/bob"
echo "SUSPENDED='no'" >"$T/hestia/data/users/admin/user.conf"
echo "SUSPENDED='yes'" >"$T/hestia/data/users/bob/user.conf"
printf "API='yes'\nAPI_SYSTEM='2'\nAPI_ALLOWED_IP='allow-all'\nROOT_USER='admin'\n" \
    >"$T/hestia/conf/hestia.conf"
# Keys in Hestia's tree, as v-add-access-key leaves them: 0750 root dir,
# 0640 root files. data/keys does not exist yet.
mkdir -p "$T/hestia/data/access-keys"
HSEC=PrivsepSecretPrivsepSecretPrivsepSecret1
printf "SECRET_ACCESS_KEY='%s'\nUSER='admin'\nPERMISSIONS=''\n" "$HSEC" \
    >"$T/hestia/data/access-keys/PrivsepHestiaKey0001"
chmod 640 "$T/hestia/data/access-keys/PrivsepHestiaKey0001"
chmod 750 "$T/hestia/conf" "$T/hestia/data/users" "$T/hestia/data" \
    "$T/hestia/data/access-keys"
for n in first second; do
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/$n.key" \
	    -out "$T/$n.pem" -days 2 -subj "/CN=$n" >/dev/null 2>&1
done
install -m 600 "$T/first.pem" "$T/cert.pem"
install -m 600 "$T/first.key" "$T/key.pem"
BIN=$T/bin write_conf <<CONF
USER='$U'
DATABASE='$T/db/keys.db'
HESTIA_CONF='$T/hestia/conf/hestia.conf'
TLS_CERT='$T/cert.pem'
TLS_KEY='$T/key.pem'
CONF
sed -i '/^API=/d; /^API_SYSTEM=/d; /^API_ALLOWED_IP=/d' "$T/apid.conf"
chmod 640 "$T/apid.conf"
KA=$(new_key admin)
KB=$(new_key bob --perm v-whoami)
start_apid
tls() {
	curl -sk -m 10 -o "$T/body" -w '%{http_code}' "$@" "https://$PORT/api/"
}
ok "the network side cannot read hestia.conf itself" 1 \
    "$(setpriv --reuid "$U" --regid "$U" --clear-groups \
    cat "$T/hestia/conf/hestia.conf" >/dev/null 2>&1; echo $?)"
ok "a key of a user in a 0750 root tree runs" "200 0" \
    "$(tls -d "hash=$KA" -d cmd=v-whoami) $(cat "$T/body")"
tls -d "hash=$KB" -d cmd=v-whoami >/dev/null
contains "a suspended user in it is refused" "user bob is suspended" \
    "$(cat "$T/body")"
sed -i "s/^API_SYSTEM=.*/API_SYSTEM='0'/" "$T/hestia/conf/hestia.conf"
tls -d "hash=$KA" -d cmd=v-whoami >/dev/null
contains "a change to the root-only hestia.conf applies" "disabled" \
    "$(cat "$T/body")"
sed -i "s/^API_SYSTEM=.*/API_SYSTEM='2'/" "$T/hestia/conf/hestia.conf"
ok "a key in the root-only data/access-keys works" "200 0" \
    "$(tls -d "hash=PrivsepHestiaKey0001:$HSEC" -d cmd=v-whoami) $(cat "$T/body")"
printf "SECRET_ACCESS_KEY='%s'\nUSER='admin'\n" "$HSEC" \
    >"$T/hestia/data/access-keys/PrivsepHestiaKey0002"
ok "a key added there works on the next request" "200 0" \
    "$(tls -d "hash=PrivsepHestiaKey0002:$HSEC" -d cmd=v-whoami) $(cat "$T/body")"
rm "$T/hestia/data/access-keys/PrivsepHestiaKey0002"
ok "removed, refused on the next request" "401" \
    "$(tls -d "hash=PrivsepHestiaKey0002:$HSEC" -d cmd=v-whoami)"
mkdir -m 750 "$T/hestia/data/keys"
sleep 0.3
: >"$T/hestia/data/keys/PrivsepLegacyKeyPrivsepLegacy001"
ok "a root-only data/keys made after start is watched" "200 0" \
    "$(tls -d "hash=PrivsepLegacyKeyPrivsepLegacy001" -d cmd=v-whoami) $(cat "$T/body")"
subject() {
	openssl s_client -connect "$PORT" </dev/null 2>/dev/null |
	    openssl x509 -noout -subject 2>/dev/null
}
contains "TLS from a 0600 root key" "CN = first" "$(subject)"
install -m 600 "$T/second.pem" "$T/cert.pem"
install -m 600 "$T/second.key" "$T/key.pem"
kill -HUP "$APID_PID"
sleep 0.5
contains "SIGHUP: the helper opens the new 0600 root certificate" \
    "CN = second" "$(subject)"
ok "the helper opened no other file for it" 0 \
    "$(grep -c 'refused to' "$T/apid.log")"
stopped_clean

printf "USER='no-such-user-here'\n" >>"$T/apid.conf"
out=$("$APID" -n -f "$T/apid.conf" 2>&1)
ok "-n names an unknown USER" 1 $?
contains "unknown USER message" "USER: no such user" "$out"
finish
