#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Run hestia-apid on a free local port against the example v-* commands.
#
# Usage (from the top of the tree): BUILD=build sh examples/demo.sh
# Everything lives in a fresh ${TMPDIR:-/tmp}/hestia-apid-demo.XXXXXX
# directory, which is kept when the demo stops so that keys.db and the logs
# can be looked at. Ctrl-C (or SIGINT, SIGTERM) stops the daemon and the
# demo, which then exits 0 with one line.
set -eu

BUILD=${BUILD:-build}
case $BUILD in
/*) ;;
*) BUILD=$(pwd)/$BUILD ;;
esac
apid=$BUILD/hestia-apid
ctl=$BUILD/hestia-apictl
bindir=$(cd "$(dirname "$0")/bin" && pwd)

die() {
	echo "demo: $*" >&2
	exit 1
}

for p in "$apid" "$ctl"; do
	[ -x "$p" ] || die "$p not found; run make first"
done
# Paths go inside '...' in the config files.
case $bindir in
*\'*) die "the tree's path may not contain a quote: $bindir" ;;
esac

state=$(mktemp -d "${TMPDIR:-/tmp}/hestia-apid-demo.XXXXXX")

# Ctrl-C from here on: the daemon, once it runs, gets it too (it is in the
# terminal's process group); both stop, and the demo says so in one line,
# without an error.
pid=
stop() {
	trap - INT TERM EXIT
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
	fi
	echo "demo: stopped; state kept in $state" >&2
	exit 0
}
trap stop INT TERM
trap 'echo "demo: state kept in $state" >&2' EXIT

conf=$state/hestia-apid.conf
mkdir -p "$state/conf" "$state/data/users" "$state/log"

cat >"$state/conf/hestia.conf" <<EOF
VERSION='1.10.3'
API='yes'
API_SYSTEM='1'
API_ALLOWED_IP='127.0.0.1'
ROOT_USER='admin'
WEB_SYSTEM='nginx'
DNS_SYSTEM='bind9'
DB_SYSTEM='mysql'
EOF

# Seed the users with the example commands themselves.
demopw=demo-pass-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
adminpw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
HESTIA=$state "$bindir/v-add-user" admin "$adminpw" admin@example.com \
    default System Administrator >/dev/null
HESTIA=$state "$bindir/v-add-user" demo "$demopw" demo@example.com \
    default Demo User >/dev/null
HESTIA=$state "$bindir/v-add-domain" demo demo.example.com >/dev/null
echo "DB='demo_wp' DBUSER='demo_wp' TYPE='mysql' SUSPENDED='no'" \
    >"$state/data/users/demo/db.conf"

cat >"$conf" <<EOF
# hestia-apid demo configuration (see hestia-apid.conf(5))
LISTEN='127.0.0.1:0'
DATABASE='$state/keys.db'
BIN_DIR='$bindir'
HESTIA_CONF='$state/conf/hestia.conf'
AUTH_LOG='$state/auth.log'
CMD_TIMEOUT='10'
TMP_DIR='/tmp'
ARGON2='t=2,m=19456,p=1'
EOF

key=$("$ctl" -f "$conf" key add admin --comment demo --format plain)
case $key in
?*:?*) ;;
*) die "hestia-apictl key add printed no ID:SECRET" ;;
esac
# '+' would turn into a space in a plain -d form field.
case $key in
*[!A-Za-z0-9:_=.-]*) hash="--data-urlencode 'hash=$key'" ;;
*) hash="-d 'hash=$key'" ;;
esac

# The daemon's log goes to a file, so that the terminal shows the demo.
"$apid" -d -f "$conf" -p "$state/port" 2>"$state/apid.log" &
pid=$!

# Wait (at most about 5 s) for the daemon to bind and write the port file.
addr=
i=0
while [ "$i" -lt 50 ]; do
	if ! kill -0 "$pid" 2>/dev/null; then
		rc=0
		wait "$pid" || rc=$?
		pid=
		cat "$state/apid.log" >&2
		die "hestia-apid exited with status $rc"
	fi
	if [ -s "$state/port" ]; then
		addr=$(sed -n 1p "$state/port")
		case $addr in
		*:[0-9]*) break ;;
		esac
	fi
	sleep 0.1
	i=$((i + 1))
done
case $addr in
*:[0-9]*) ;;
*) die "no port file after 5 s" ;;
esac
url=http://$addr/api/

cat <<EOF

hestia-apid is running on $addr (Ctrl-C stops it).
  state:    $state (kept after exit; rm -rf it when done)
  log:      $state/apid.log
  config:   $conf
  commands: $bindir
  key:      $key (user admin, all commands)
  users:    admin, demo (password $demopw)

Try:
  curl -s $hash -d 'cmd=v-list-users' -d 'arg1=json' $url
  curl -s $hash -d 'cmd=v-list-user' -d 'arg1=demo' -d 'arg2=json' $url
  curl -s $hash -d 'returncode=yes' -d 'cmd=v-check-user-password' -d 'arg1=demo' -d 'arg2=$demopw' $url
  curl -si $hash -d 'cmd=v-add-domain' -d 'arg1=demo' -d 'arg2=shop.example.com' $url
  curl -si $hash -d 'cmd=v-sleep' -d 'arg1=30' $url    # killed at CMD_TIMEOUT (10 s): HTTP 504, code 14
  curl -s http://$addr/healthz
  $ctl -f $conf key list
  cat $state/auth.log

EOF

# Until a signal (stop, above) or the daemon's own end.
rc=0
wait "$pid" || rc=$?
pid=
trap - EXIT
echo "demo: hestia-apid exited with status $rc; state kept in $state" >&2
exit "$rc"
