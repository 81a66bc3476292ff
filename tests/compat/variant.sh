#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Restart hestia-apid with one of the corpus's config variants (see
# TRUTH.md) written into the fixture's hestia.conf; print the base URL.
# Needs REPLAY_DIR (the state dir) and APID (the binary) in the environment.
set -eu
variant=$1
d=$REPLAY_DIR

api=yes sys=2 ip=allow-all demo=no
case $variant in
default) ;;
sys1) sys=1 ;;
sys0) sys=0 ;;
sysempty) sys= ;;
legacy-off) api=no ;;
all-off) api=no sys=0 ;;
ip-deny) ip=10.9.8.7 ;;
ip-empty) ip= ;;
ip-list-local) ip=10.9.8.7,127.0.0.1 ;;
ip-wildcard) ip=10.9.8.7,0.0.0.0 ;;
ip-allowall-combo) ip=allow-all,10.9.8.7 ;;
ip-spaced) ip='10.9.8.7, 127.0.0.1' ;;
demo) demo=yes ;;
*) echo "variant.sh: unknown variant $variant" >&2; exit 1 ;;
esac

if [ -s "$d/apid.pid" ]; then
	kill "$(cat "$d/apid.pid")" 2>/dev/null || true
	i=0
	while kill -0 "$(cat "$d/apid.pid")" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
fi
cat >"$d/hestia/conf/hestia.conf" <<CONF
ROOT_USER='admin'
API='$api'
API_SYSTEM='$sys'
API_ALLOWED_IP='$ip'
DEMO_MODE='$demo'
CONF
rm -f "$d/port"
"$APID" -d -f "$d/apid.conf" -p "$d/port" >>"$d/apid.log" 2>&1 &
echo $! >"$d/apid.pid"
i=0
while [ ! -s "$d/port" ]; do
	i=$((i + 1))
	if [ $i -gt 200 ]; then
		echo "variant.sh: daemon did not start" >&2
		cat "$d/apid.log" >&2
		exit 1
	fi
	sleep 0.05
done
echo "http://$(head -1 "$d/port")"
