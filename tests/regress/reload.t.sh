#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# What changes without a restart: hestia.conf (read again when it changes),
# the allow table, and on SIGHUP the TLS certificate (open connections
# keep theirs), trusted proxies, limits, and AUTH_LOG.
. "$(dirname "$0")/lib.sh"

cert() {	# NAME: a self-signed certificate with that common name
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/$1.key" \
	    -out "$T/$1.pem" -days 2 -subj "/CN=$1" >/dev/null 2>&1
}
subject() {	# the CN the server presents now
	echo | openssl s_client -connect "$PORT" 2>/dev/null |
	    openssl x509 -noout -subject 2>/dev/null | sed 's/.*CN *= *//'
}
cert first
cert second
cp "$T/first.pem" "$T/cert.pem"
cp "$T/first.key" "$T/key.pem"
mkdir -p "$T/hestia/conf" "$T/hestia/data/users/admin"
echo "SUSPENDED='no'" >"$T/hestia/data/users/admin/user.conf"
printf "API='yes'\nAPI_SYSTEM='2'\nAPI_ALLOWED_IP='10.9.8.7'\nROOT_USER='admin'\n" \
    >"$T/hestia/conf/hestia.conf"
write_conf <<CONF
HESTIA_CONF='$T/hestia/conf/hestia.conf'
TLS_CERT='$T/cert.pem'
TLS_KEY='$T/key.pem'
MAX_OUTPUT='1k'
CONF
sed -i '/^API=/d; /^API_SYSTEM=/d; /^API_ALLOWED_IP=/d' "$T/apid.conf"
K=$(new_key admin)
start_apid
tls() {
	curl -sk -m 10 -o "$T/body" -D "$T/headers" -w '%{http_code}' "$@" \
	    "https://$PORT/api/"
}

# The allow table: a row added from another process admits at once.
ok "not allowed yet" 401 "$(tls -d "hash=$K" -d cmd=v-list-users)"
"$APICTL" -f "$T/apid.conf" allow add 127.0.0.0/8 >/dev/null
ok "allow table row admits" 200 \
    "$(tls -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
"$APICTL" -f "$T/apid.conf" allow delete 127.0.0.0/8 >/dev/null
ok "deleted row stops admitting" 401 "$(tls -d "hash=$K" -d cmd=v-list-users)"

# hestia.conf: changed switches apply on the next request.
sed -i "s/^API_ALLOWED_IP=.*/API_ALLOWED_IP='allow-all'/" \
    "$T/hestia/conf/hestia.conf"
ok "hestia.conf allow-all" 200 \
    "$(tls -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
sed -i "s/^API_SYSTEM=.*/API_SYSTEM='0'/" "$T/hestia/conf/hestia.conf"
ok "hestia.conf API_SYSTEM=0" "400 11" \
    "$(tls -d "hash=$K" -d cmd=v-list-users -d returncode=yes) $(cat "$T/body")"
sed -i "s/^API_SYSTEM=.*/API_SYSTEM='2'/" "$T/hestia/conf/hestia.conf"

# SIGHUP: a new certificate for new connections; an open one keeps going.
ok "first certificate" first "$(subject)"
python3 - "$PORT" "$K" >"$T/keepalive.out" 2>&1 <<'PY' &
import http.client, ssl, sys, time
host, port = sys.argv[1].rsplit(":", 1)
ctx = ssl._create_unverified_context()
c = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=20)
body = "hash=%s&cmd=v-list-users&returncode=yes" % sys.argv[2]
hdrs = {"Content-Type": "application/x-www-form-urlencoded"}
c.request("POST", "/api/", body, hdrs)
first = c.getresponse().read().decode()
time.sleep(2)
c.request("POST", "/api/", body, hdrs)
print(first, c.getresponse().read().decode(), flush=True)
PY
KA=$!
PIDS="$PIDS $KA"
sleep 0.5
cp "$T/second.pem" "$T/cert.pem"
cp "$T/second.key" "$T/key.pem"
sed -i "s/^MAX_OUTPUT=.*/MAX_OUTPUT='2k'/" "$T/apid.conf"
mv "$T/auth.log" "$T/auth.log.1"
kill -HUP "$APID_PID"
sleep 0.5
ok "second certificate after SIGHUP" second "$(subject)"
wait "$KA"
ok "open connection kept across SIGHUP" "0 0" "$(cat "$T/keepalive.out")"
tls -d "hash=$K" -d cmd=v-flood -d arg1=5000 >/dev/null
ok "MAX_OUTPUT reloaded" 2048 "$(wc -c <"$T/body")"
contains "AUTH_LOG reopened" "v-flood successfully launched" \
    "$(cat "$T/auth.log")"

# A broken configuration at SIGHUP keeps the running one.
echo "NOPE='1'" >>"$T/apid.conf"
kill -HUP "$APID_PID"
sleep 0.3
ok "still serving after a bad reload" 200 \
    "$(tls -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
contains "bad reload logged" "NOPE: unknown key" "$(cat "$T/apid.log")"
stopped_clean
finish
