#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Behind a real nginx, set up as hestia-apid.conf(5) documents: a client
# cannot choose its address with forwarding headers of its own, neither to
# pass the allowlist nor to get someone else banned. Both PROXY_HEADER
# settings are tried, each with the nginx block the manual gives for it.
. "$(dirname "$0")/lib.sh"

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ]; then
	fail "nginx is not installed (make deps installs nginx-light)"
	finish
	exit 1
fi

# nginx in the foreground, one process, everything under $T; the daemon
# behind it on a unix socket, so that no local TCP client is a proxy.
start_nginx() {	# header lines for the location block
	mkdir -p "$T/nginx"
	cat >"$T/nginx/nginx.conf" <<NGX
daemon off;
master_process off;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $T/nginx;
	proxy_temp_path $T/nginx;
	server {
		listen 127.0.0.1:0;
		location ^~ /api {
			proxy_pass http://unix:$T/apid.sock;
			$1
			proxy_read_timeout 600s;
		}
	}
}
NGX
	# nginx cannot listen on port 0: find a free port first.
	NPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	sed -i "s/listen 127.0.0.1:0;/listen 127.0.0.1:$NPORT;/" \
	    "$T/nginx/nginx.conf"
	"$NGINX" -p "$T/nginx" -c "$T/nginx/nginx.conf" \
	    >>"$T/nginx/out.log" 2>&1 &
	NGINX_PID=$!
	PIDS="$PIDS $NGINX_PID"
	i=0
	until curl -s -o /dev/null "http://127.0.0.1:$NPORT/nowhere"; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			fail "nginx did not start: $(cat "$T/nginx/error.log")"
			finish
			exit 1
		fi
		sleep 0.05
	done
}

stop_nginx() {
	kill "$NGINX_PID" 2>/dev/null
	wait "$NGINX_PID" 2>/dev/null
}

# via_nginx [curl args]: POST /api/ through nginx; prints the status.
via_nginx() {
	curl -s -m 10 -o "$T/body" -w '%{http_code}' "$@" \
	    "http://127.0.0.1:$NPORT/api/"
}

# direct [curl args]: on the daemon's socket, as a trusted proxy would.
direct() {
	curl -s -m 10 -o "$T/body" -w '%{http_code}' --unix-socket \
	    "$T/apid.sock" "$@" http://localhost/api/
}

run_case() {	# PROXY_HEADER, nginx header lines
	rm -f "$T/auth.log"
	write_conf <<CONF
LISTEN='unix:$T/apid.sock'
TRUSTED_PROXIES='unix'
PROXY_HEADER='$1'
API_ALLOWED_IP='192.0.2.7,127.0.0.1'
LOCKOUT='3/600/600'
CONF
	K=$(new_key admin)
	ID=${K%%:*}
	start_apid
	start_nginx "$2"

	# The real client is 127.0.0.1; it claims to be 192.0.2.7.
	ok "$1: a request through nginx" 200 \
	    "$(via_nginx -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
	ok "$1: the client is nginx's peer" \
	    "$ID 127.0.0.1 v-list-users successfully launched" \
	    "$(tail -1 "$T/auth.log" | cut -d' ' -f3-)"
	via_nginx -H 'X-Forwarded-For: 192.0.2.7' \
	    -H 'X-Real-IP: 192.0.2.7' -H 'CF-Connecting-IP: 192.0.2.7' \
	    -d "hash=$K" -d cmd=v-list-users -d returncode=yes >/dev/null
	ok "$1: spoofed headers do not change the client" \
	    "$ID 127.0.0.1 v-list-users successfully launched" \
	    "$(tail -1 "$T/auth.log" | cut -d' ' -f3-)"

	# Failed logins with the victim's address in every header: the
	# lines and the ban are the sender's, the victim stays welcome.
	bad=ZZZZZZZZZZZZZZZZZZZZ:$(printf '%040d' 0)
	for i in 1 2 3; do
		via_nginx -H 'X-Forwarded-For: 192.0.2.7' \
		    -H 'X-Real-IP: 192.0.2.7' -d "hash=$bad" \
		    -d cmd=v-list-users >/dev/null
	done
	ok "$1: no failure line names the victim" 0 \
	    "$(grep -c '192.0.2.7' "$T/auth.log")"
	ok "$1: the sender is banned" 401 \
	    "$(via_nginx -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"
	ok "$1: the victim is not" 200 \
	    "$(direct -H "$1: 192.0.2.7" -d "hash=$K" -d cmd=v-list-users -d returncode=yes)"

	# A request that reaches the socket without the header: nobody.
	ok "$1: no header from the proxy, refused" 401 \
	    "$(direct -d "hash=$K" -d cmd=v-list-users)"
	ok "$1: as an address not allowed" \
	    "Error: IP is not allowed to connect with API" "$(cat "$T/body")"
	stop_nginx
	stopped_clean
}

# The default: X-Real-IP, which nginx overwrites with $remote_addr. The
# manual's block also sets X-Forwarded-For, as Hestia's own nginx does.
run_case X-Real-IP 'proxy_set_header X-Real-IP $remote_addr;
			proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;'
# The old manual's block, which set X-Real-IP only and passed the client's
# X-Forwarded-For through: safe now, since that header is never read.
run_case X-Real-IP 'proxy_set_header X-Real-IP $remote_addr;'
# X-Forwarded-For, which nginx appends to: the right-most hop is nginx's.
run_case X-Forwarded-For \
    'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;'
finish
