#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# tools/hestia-apid-switch against a Hestia tree in $T/root (standing in
# for / through HESTIA_APID_TEST_ROOT) whose panel nginx.conf is the
# fixture's: it refuses without Hestia; -n changes nothing; "on" sets the
# daemon up, includes the proxy block and installs the upgrade hook, and
# doing it again changes nothing; an upgrade of hestia-nginx (its own
# nginx.conf back in place) is seen as LOST by "status", and the hook puts
# the include back; a change nginx -t refuses changes nothing; "off" gives
# back the package's nginx.conf. With nginx installed, its real -t checks
# every change, and a real nginx serving the fixture sends /api/ to the
# daemon while the switch is on, and only then.
. "$(dirname "$0")/lib.sh"

SWITCH=$top/tools/hestia-apid-switch
R=$T/root
H=$R/usr/local/hestia
NGCONF=$H/nginx/conf/nginx.conf
HOOK=$R/etc/hestiacp/hooks/nginx/post_install.sh
SNIP=$T/hestia-nginx-api.conf
HESTIA_APID_TEST_ROOT=$R
HESTIA_APID=$APID
HESTIA_APID_RESTART=$T/restart-apid
export HESTIA_APID_TEST_ROOT HESTIA_APID HESTIA_APID_RESTART

# sw ARGS: the switch, for this test's daemon config; sets RC and OUT
# (stdout and stderr). SHOW=1 prints each run's output.
sw() {
	"$SWITCH" -f "$T/apid.conf" "$@" >"$T/sw.out" 2>&1
	RC=$?
	OUT=$(cat "$T/sw.out")
	[ -z "${SHOW:-}" ] || { echo "=== sw $*"; cat "$T/sw.out"; }
}

nfiles() {	# DIR: how many files it holds
	find "$1" -type f 2>/dev/null | wc -l
}

# No Hestia: a clear refusal, nothing made.
write_conf </dev/null
HESTIA_APID_TEST_ROOT=$T/empty sw on
ok "no Hestia: refused" 1 "$RC"
contains "no Hestia: says why" "is Hestia installed?" "$OUT"
ok "no Hestia: nothing made" 0 "$(nfiles "$T/empty")"

# The tree: Hestia's /etc/hestiacp/hestia.conf and its panel nginx, whose
# workers run as nobody:nogroup here (hestiaweb:hestiaweb on Hestia).
mkdir -p "$R/etc/hestiacp" "$H/nginx/conf" "$H/nginx/sbin" "$H/ssl" \
    "$H/web" "$T/log"
printf "export HESTIA='/usr/local/hestia'\n" >"$R/etc/hestiacp/hestia.conf"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
NPORT=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -e "s|^user .*|user nobody nogroup;|" \
    -e "s|/usr/local/hestia|$H|g" -e "s|/var/log/hestia|$T/log|g" \
    -e "s|/run/hestia-nginx.pid|$T/nginx.pid|" \
    -e "s|listen  *8083 ssl;|listen 127.0.0.1:$NPORT ssl;|" \
    -e "/listen  *\[::\]:8083/d" -e "/ssl_dhparam/d" \
    "$top/tests/fixtures/hestia/nginx/conf/nginx.conf" >"$NGCONF"
if [ -x "$NGINX" ]; then
	# "http2 on" is nginx 1.25.1's; older ones know "listen ... http2".
	v=$("$NGINX" -v 2>&1 | sed 's|.*nginx/||')
	[ "$(printf '%s\n1.25.1\n' "$v" | sort -V | head -n 1)" = 1.25.1 ] ||
	    sed -i '/http2  *on;/d' "$NGCONF"
	cp /etc/nginx/mime.types /etc/nginx/fastcgi_params "$H/nginx/conf/" \
	    2>/dev/null || {
		echo 'types { text/html html; }' >"$H/nginx/conf/mime.types"
		: >"$H/nginx/conf/fastcgi_params"
	}
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$H/ssl/certificate.key" \
	    -out "$H/ssl/certificate.crt" -days 2 -subj /CN=localhost \
	    >/dev/null 2>&1
	HESTIA_NGINX=$NGINX
	"$NGINX" -t -c "$NGCONF" >"$T/t.out" 2>&1
	ok "real nginx -t accepts the fixture" 0 "$?"
else
	echo "switch.t.sh: no nginx (make deps installs it); a stub's -t"
	printf '#!/bin/sh\necho "$*" >>%s/nginx.calls\n' "$T" \
	    >"$T/stub-nginx"
	chmod 755 "$T/stub-nginx"
	HESTIA_NGINX=$T/stub-nginx
fi
export HESTIA_NGINX
cp "$NGCONF" "$T/nginx.conf.pkg"	# what hestia-nginx installs
grep -n listen "$NGCONF" >"$T/listen.before"

# An admin's own hook, which ends with exit 0.
mkdir -p "$(dirname "$HOOK")"
printf '#!/bin/bash\necho "admin hook ran"\nexit 0\n' >"$HOOK"
chmod 755 "$HOOK"
cp "$HOOK" "$T/hook.admin"

# The daemon, as the restart command (systemctl's stand-in) runs it. Its
# socket is for nobody's group once the switch sets SOCKET_GROUP.
chmod 755 "$T"
cat >"$T/restart-apid" <<EOF
#!/bin/sh
if [ -s "$T/apid.pid" ]; then
	kill "\$(cat "$T/apid.pid")" 2>/dev/null
	while kill -0 "\$(cat "$T/apid.pid")" 2>/dev/null; do sleep 0.05; done
fi
"$APID" -d -f "$T/apid.conf" >>"$T/apid.log" 2>&1 &
echo \$! >"$T/apid.pid"
EOF
chmod 755 "$T/restart-apid"
stop_daemon() {
	if [ -s "$T/apid.pid" ]; then
		kill "$(cat "$T/apid.pid")" 2>/dev/null
		while kill -0 "$(cat "$T/apid.pid")" 2>/dev/null; do
			sleep 0.05
		done
		rm -f "$T/apid.pid"
	fi
}
trap 'stop_daemon; cleanup' EXIT
printf "LISTEN='unix:%s/run/api.sock'\nAPI_ALLOWED_IP='127.0.0.1'\n" "$T" |
    write_conf
K=$(new_key admin)
cp "$T/apid.conf" "$T/apid.conf.orig"

# nginx serving the fixture, when there is one; via [curl args]: POST
# /api/ through it, prints the status.
if [ "$HESTIA_NGINX" = "$NGINX" ]; then
	"$NGINX" -c "$NGCONF" -g 'daemon off;' >>"$T/nginx.out" 2>&1 &
	PIDS="$PIDS $!"
	i=0
	until curl -sk -o /dev/null "https://127.0.0.1:$NPORT/"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { fail "nginx did not start:" \
		    "$(cat "$T/nginx.out" "$T/log/nginx-error.log")"; break; }
		sleep 0.05
	done
fi
via() {
	[ "$HESTIA_NGINX" = "$NGINX" ] || { echo none; return; }
	curl -sk -m 10 -o "$T/body" -w '%{http_code}' "$@"
}
via_api() {
	via "$@" "https://127.0.0.1:$NPORT/api/"
}
if [ "$HESTIA_NGINX" = "$NGINX" ]; then
	ok "before: /api/ is not the daemon's" no \
	    "$([ "$(via_api -d "hash=$K" -d cmd=v-list-users \
	    -d returncode=yes)" = 200 ] && echo yes || echo no)"
fi

# -n: what would change, and nothing changed.
sw -n on
ok "dry run: exit" 0 "$RC"
contains "dry run: shows the include" "+		include $SNIP; # hestia-apid-switch" \
    "$OUT"
contains "dry run: shows the config change" "+SOCKET_GROUP='nogroup'" "$OUT"
contains "dry run: would start the daemon" \
    "would restart hestia-apid: $T/restart-apid" "$OUT"
contains "dry run: shows the hook" "+'$SWITCH' -f '$T/apid.conf' on || :" \
    "$OUT"
ok "dry run: nginx.conf unchanged" 0 "$(cmp -s "$NGCONF" "$T/nginx.conf.pkg"; echo $?)"
ok "dry run: config unchanged" 0 \
    "$(cmp -s "$T/apid.conf" "$T/apid.conf.orig"; echo $?)"
ok "dry run: hook unchanged" 0 "$(cmp -s "$HOOK" "$T/hook.admin"; echo $?)"
ok "dry run: no proxy block" no "$(test -e "$SNIP" && echo yes || echo no)"
ok "dry run: no backup" 0 "$(nfiles "$R/var/backups")"
ok "dry run: no daemon started" no "$(test -e "$T/apid.pid" && echo yes || echo no)"
ok "dry run: no temporary file left" 0 \
    "$(ls -a "$T" "$(dirname "$NGCONF")" | grep -c 'hestia-apid-switch')"

sw status
ok "status before: off" "3" "$RC"

# on: the daemon set up and (re)started, the block included, the hook.
sw on
ok "on: exit" 0 "$RC"
contains "on: says so" "on: Hestia's nginx sends /api/ to hestia-apid on $T/run/api.sock" "$OUT"
ok "on: SOCKET_GROUP is nginx's group" 1 \
    "$(grep -c "^SOCKET_GROUP='nogroup'" "$T/apid.conf")"
ok "on: nginx trusted on the socket" 1 \
    "$(grep -c "^TRUSTED_PROXIES='unix'" "$T/apid.conf")"
ok "on: the config passes -n" "configuration OK" \
    "$("$APID" -n -f "$T/apid.conf" 2>&1)"
ok "on: the daemon answers" ok \
    "$(curl -s --unix-socket "$T/run/api.sock" http://localhost/healthz)"
ok "on: one include, before the server's location /" \
    "$(printf '\t\tinclude %s; # hestia-apid-switch\n\t\tlocation / {' "$SNIP")" \
    "$(grep -A1 -F "include $SNIP;" "$NGCONF")"
contains "on: the block proxies to the socket" \
    "proxy_pass         http://unix:$T/run/api.sock;" "$(cat "$SNIP")"
ok "on: the lines Hestia's scripts grep for are as they were" "" \
    "$(grep -n listen "$NGCONF" | diff "$T/listen.before" -)"
ok "on: the hook: our line right after the admin's #!" \
    "#!/bin/bash|# BEGIN hestia-apid-switch" \
    "$(head -n 2 "$HOOK" | paste -sd '|')"
contains "on: the admin's hook kept" 'echo "admin hook ran"' "$(cat "$HOOK")"
ok "on: the hook stays executable" yes "$(test -x "$HOOK" && echo yes)"
ok "on: backups of nginx.conf, the config and the hook" 3 \
    "$(nfiles "$R/var/backups/hestia-apid")"
sw status
ok "status: on" "0" "$RC"
contains "status: says on" "hestia-apid-switch: on" "$OUT"
if [ "$HESTIA_NGINX" = "$NGINX" ]; then
	ok "on: /api/ through Hestia's nginx is the daemon's" 200 \
	    "$(via_api -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
	ok "on: the body is the exit code" 0 "$(cat "$T/body")"
	ok "on: the client is nginx's peer, from X-Real-IP" \
	    "127.0.0.1 v-list-users successfully launched" \
	    "$(tail -n 1 "$T/auth.log" | cut -d' ' -f4-)"
	ok "on: /api/index.php too" 200 "$(via -d "hash=$K" \
	    -d cmd=v-list-users -d returncode=yes \
	    "https://127.0.0.1:$NPORT/api/index.php")"
	ok "on: /api too" 200 "$(via -d "hash=$K" -d cmd=v-list-users \
	    -d returncode=yes "https://127.0.0.1:$NPORT/api")"
	ok "on: the rest of the panel is not" 404 \
	    "$(via "https://127.0.0.1:$NPORT/apix")"
fi

# Again: nothing to change, no backup, no reload.
cp "$NGCONF" "$T/nginx.conf.on"
sw on
ok "on again: exit" 0 "$RC"
contains "on again: says so" "on already: nothing to change" "$OUT"
ok "on again: nothing changed" 0 "$(printf '%s\n' "$OUT" | grep -c 'changed\|made')"
ok "on again: nginx.conf the same" 0 "$(cmp -s "$NGCONF" "$T/nginx.conf.on"; echo $?)"
ok "on again: no new backup" 3 "$(nfiles "$R/var/backups/hestia-apid")"

# An upgrade of hestia-nginx: dpkg puts the package's nginx.conf back.
cp "$T/nginx.conf.pkg" "$NGCONF"
sw status
ok "after the upgrade: status LOST" 2 "$RC"
contains "after the upgrade: says so" "LOST: nginx.conf no longer includes" \
    "$OUT"
# Then its postinst runs the hook (if [ -e hook ]; then hook; fi).
"$HOOK" >"$T/hook.out" 2>&1
ok "the hook runs through" 0 "$?"
contains "the admin's part of the hook ran too" "admin hook ran" \
    "$(cat "$T/hook.out")"
ok "the hook put the include back" 0 "$(cmp -s "$NGCONF" "$T/nginx.conf.on"; echo $?)"
sw status
ok "after the hook: status on" 0 "$RC"
if [ "$HESTIA_NGINX" = "$NGINX" ]; then
	ok "after the hook: /api/ is the daemon's again" 200 \
	    "$(via_api -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
fi

# A change that nginx -t refuses changes nothing.
off_then() { cp "$T/nginx.conf.pkg" "$NGCONF"; rm -f "$SNIP"; }
off_then
printf '#!/bin/sh\n[ "$1" = -t ] || exit 0\necho "nginx: [emerg] unknown directive" >&2\nexit 1\n' \
    >"$T/bad-nginx"
chmod 755 "$T/bad-nginx"
HESTIA_NGINX=$T/bad-nginx sw on
ok "nginx -t fails: refused" 1 "$RC"
contains "nginx -t fails: its words" "[emerg] unknown directive" "$OUT"
contains "nginx -t fails: says nothing changed" "nothing changed in nginx" "$OUT"
ok "nginx -t fails: nginx.conf unchanged" 0 \
    "$(cmp -s "$NGCONF" "$T/nginx.conf.pkg"; echo $?)"
ok "nginx -t fails: no block left" no "$(test -e "$SNIP" && echo yes || echo no)"
ok "nginx -t fails: no temporary file left" 0 \
    "$(ls -a "$T" "$(dirname "$NGCONF")" | grep -c 'hestia-apid-switch')"
sw on
ok "on once more" 0 "$RC"

# A LISTEN without a socket for nginx: refused, nothing changed.
cp "$T/apid.conf" "$T/apid.conf.on"
sed "s|^LISTEN=.*|LISTEN='127.0.0.1:0'|" "$T/apid.conf.on" >"$T/apid.conf"
sw on
ok "no unix: listener: refused" 1 "$RC"
contains "no unix: listener: says why" "has no unix: socket" "$OUT"
cp "$T/apid.conf.on" "$T/apid.conf"

# off: the package's nginx.conf, the admin's hook, no block.
sw off
ok "off: exit" 0 "$RC"
ok "off: nginx.conf as the package has it" 0 \
    "$(cmp -s "$NGCONF" "$T/nginx.conf.pkg"; echo $?)"
ok "off: the admin's hook as it was" 0 "$(cmp -s "$HOOK" "$T/hook.admin"; echo $?)"
ok "off: no block" no "$(test -e "$SNIP" && echo yes || echo no)"
sw status
ok "status after off: off" 3 "$RC"
if [ "$HESTIA_NGINX" = "$NGINX" ]; then
	ok "off: /api/ is not the daemon's any more" no \
	    "$([ "$(via_api -d "hash=$K" -d cmd=v-list-users \
	    -d returncode=yes)" = 200 ] && echo yes || echo no)"
fi
sw off
ok "off again: nothing to do" 0 "$RC"
ok "off again: nothing changed" 0 "$(printf '%s\n' "$OUT" | grep -c 'changed\|removed')"

# A hook file that was ours alone goes with off.
rm "$HOOK"
sw on
ok "on without a hook file: one made, executable" "yes #!/bin/sh" \
    "$(test -x "$HOOK" && echo yes) $(head -n 1 "$HOOK")"
sw off
ok "off: our own hook file removed" no "$(test -e "$HOOK" && echo yes || echo no)"

stop_daemon
ok "no sanitizer report in the daemon log" 0 \
    "$(grep -c -E 'Sanitizer|runtime error' "$T/apid.log")"
finish
