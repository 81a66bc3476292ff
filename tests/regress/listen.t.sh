#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The unix socket that the default LISTEN names: its directory is made
# when missing, the socket is 0660 and of SOCKET_GROUP, whose members (the
# proxy's user) may connect and nobody else, and it is removed at stop.
# The shipped files agree with the default, which is not Hestia's 8083.
. "$(dirname "$0")/lib.sh"

ok "the shipped configuration shows the default LISTEN" 1 \
    "$(grep -c "^#LISTEN='unix:/run/hestia-apid/api.sock'\$" \
    "$top/init/hestia-apid.conf")"
ok "the socket unit listens where LISTEN does" \
    "ListenStream=/run/hestia-apid/api.sock" \
    "$(grep '^ListenStream=' "$top/init/hestia-apid.socket")"
ok "nothing shipped listens on Hestia's 8083" 0 \
    "$(grep -c '^[^#]*8083' "$top/init/hestia-apid.conf" \
    "$top/init/hestia-apid.socket" | awk -F: '{ n += $2 } END { print n }')"

# usock [curl args]: POST /api/ on the socket; prints the status.
usock() {
	curl -s -m 10 -o "$T/body" -w '%{http_code}' --unix-socket \
	    "$T/run/api.sock" "$@" http://localhost/api/
}

echo "LISTEN='unix:$T/run/api.sock'" | write_conf
K=$(new_key admin)
start_apid
ok "the port file names the socket" "unix:$T/run/api.sock" "$PORT"
ok "the missing directory is made, 0755" 755 "$(stat -c %a "$T/run")"
ok "the socket is 0660" 660 "$(stat -c %a "$T/run/api.sock")"
ok "of the daemon's group without SOCKET_GROUP" "$(id -gn)" \
    "$(stat -c %G "$T/run/api.sock")"
ok "it serves" 200 "$(usock -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
stopped_clean
ok "the socket is removed at stop" no \
    "$(test -e "$T/run/api.sock" && echo yes || echo no)"

printf "LISTEN='unix:%s/run/api.sock'\nSOCKET_GROUP='no-such-group'\n" "$T" |
    write_conf
"$APID" -n -f "$T/apid.conf" >"$T/out" 2>"$T/err"
ok "an unknown SOCKET_GROUP is refused" \
    "1 hestia-apid: $T/apid.conf:$(grep -c . "$T/apid.conf"): SOCKET_GROUP: no such group" \
    "$? $(cat "$T/err")"

if [ "$(id -u)" -ne 0 ]; then
	echo "listen.t.sh: not root; SOCKET_GROUP's access is not tried"
	finish
	exit
fi
# As Hestia's nginx (user hestiaweb) would use it: nobody, of group
# nogroup, stands in for it; daemon, of another group, for anyone else.
chmod 755 "$T"
printf "LISTEN='unix:%s/run/api.sock'\nSOCKET_GROUP='nogroup'\n" "$T" |
    write_conf
start_apid
ok "the socket is of SOCKET_GROUP" "660 nogroup" \
    "$(stat -c '%a %G' "$T/run/api.sock")"
ok "a member of SOCKET_GROUP connects" 200 \
    "$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
    curl -s -m 10 -o /dev/null -w '%{http_code}' --unix-socket \
    "$T/run/api.sock" -d "hash=$K" -d cmd=v-list-users -d returncode=yes \
    http://localhost/api/)"
ok "anyone else cannot" 000 \
    "$(setpriv --reuid=daemon --regid=daemon --clear-groups \
    curl -s -m 10 -o /dev/null -w '%{http_code}' --unix-socket \
    "$T/run/api.sock" -d "hash=$K" -d cmd=v-list-users -d returncode=yes \
    http://localhost/api/)"
stopped_clean

# Started as root with USER: the directory it makes is USER's, so that the
# network side removes its socket at stop.
rm -rf "$T/run"
mkdir "$T/db"
printf "LISTEN='unix:%s/run/api.sock'\nUSER='nobody'\nSOCKET_GROUP='nogroup'
DATABASE='%s/db/keys.db'\n" "$T" "$T" | write_conf
chmod 755 "$T/tmp"
start_apid
ok "the directory is USER's" "755 nobody" "$(stat -c '%a %U' "$T/run")"
ok "the socket is root's, of SOCKET_GROUP" "660 root nogroup" \
    "$(stat -c '%a %U %G' "$T/run/api.sock")"
ok "it serves with privilege separation" ok \
    "$(curl -s -m 10 --unix-socket "$T/run/api.sock" http://localhost/healthz)"
stopped_clean
ok "USER removed the socket at stop" no \
    "$(test -e "$T/run/api.sock" && echo yes || echo no)"
finish
