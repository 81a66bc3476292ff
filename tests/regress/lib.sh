# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by the regress scripts: a temp dir, a daemon on port 0, curl, and
# assertions that count. Sourced with BUILD set (by run.sh or make).
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$top/$BUILD ;; esac
APID=$BUILD/hestia-apid
APICTL=$BUILD/hestia-apictl
T=$(mktemp -d /tmp/apid-regress.XXXXXX)
# A Hestia installed on this machine is never found by accident (an unset
# HESTIA_CONF looks for one): the daemon looks in this empty place instead.
HESTIA_APID_TEST_ROOT=$T/no-hestia
export HESTIA_APID_TEST_ROOT
PIDS=""
npass=0
nfail=0

cleanup() {
	[ -n "${KEEP_T:-}" ] && { for p in $PIDS; do kill "$p" 2>/dev/null; done; echo "kept $T"; return; }
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pass() { npass=$((npass + 1)); }
fail() {
	nfail=$((nfail + 1))
	echo "FAIL $(basename "$0"): $*"
}

# ok NAME EXPECTED GOT
ok() {
	if [ "$2" = "$3" ]; then pass; else
		fail "$1: expected [$2], got [$3]"
	fi
}

# contains NAME NEEDLE HAYSTACK
contains() {
	case $3 in
	*"$2"*) pass ;;
	*) fail "$1: [$2] not in [$3]" ;;
	esac
}

# Write a config: the defaults below, then any KEY='value' lines on stdin.
# BIN defaults to the recorded Hestia stubs kept in tests/compat/bin.
write_conf() {
	{
		echo "LISTEN='127.0.0.1:0'"
		echo "DATABASE='$T/keys.db'"
		echo "BIN_DIR='${BIN:-$top/tests/compat/bin}'"
		echo "HESTIA_CONF=''"
		echo "API='yes'"
		echo "API_SYSTEM='2'"
		echo "API_ALLOWED_IP='allow-all'"
		echo "AUTH_LOG='$T/auth.log'"
		echo "TMP_DIR='$T/tmp'"
		echo "ARGON2='t=1,m=64,p=1'"
		# Tests fail logins on purpose; lockout.t.sh tests the ban.
		echo "LOCKOUT='100000/600/600'"
		cat
	} >"$T/apid.conf"
	mkdir -p "$T/tmp"
}

# Start the daemon with $T/apid.conf; sets PORT (HOST:PORT) and APID_PID.
start_apid() {
	rm -f "$T/port"
	"$APID" -d -f "$T/apid.conf" -p "$T/port" "$@" >>"$T/apid.log" 2>&1 &
	APID_PID=$!
	PIDS="$PIDS $APID_PID"
	i=0
	while [ ! -s "$T/port" ]; do
		i=$((i + 1))
		if [ $i -gt 100 ] || ! kill -0 "$APID_PID" 2>/dev/null; then
			echo "FAIL $(basename "$0"): daemon did not start:"
			cat "$T/apid.log"
			exit 1
		fi
		sleep 0.05
	done
	PORT=$(head -1 "$T/port")
}

stop_apid() {
	kill "$APID_PID" 2>/dev/null
	wait "$APID_PID" 2>/dev/null
}

# A new key: prints ID:SECRET.
new_key() {
	"$APICTL" -f "$T/apid.conf" key add "$@" --format plain
}

# req [curl args...]: POST to /api/; sets STATUS, CODE (Hestia-Exit-Code),
# CTYPE and BODY.
req() {
	reqto /api/ "$@"
}

reqto() {
	path=$1
	shift
	curl -s -m 30 -o "$T/body" -D "$T/headers" "$@" \
	    "http://$PORT$path" >/dev/null 2>&1
	STATUS=$(sed -n '1s/^HTTP\/1\.[01] \([0-9]*\).*/\1/p' "$T/headers")
	CODE=$(sed -n 's/^Hestia-Exit-Code: \([^\r]*\)\r*$/\1/ip' "$T/headers")
	CTYPE=$(sed -n 's/^Content-Type: \([^\r]*\)\r*$/\1/ip' "$T/headers")
	BODY=$(cat "$T/body")
}

# rawreq: send the bytes on stdin to the daemon as they are, then print the
# status code of the answer ("none" when there was none within 10 s).
rawreq() {
	python3 -c '
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=10)
s.sendall(sys.stdin.buffer.read())
data = b""
try:
    while b"\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
except OSError:
    pass
line = data.split(b"\r\n", 1)[0].split()
print(line[1].decode() if len(line) > 1 else "none")
' "$PORT"
}

# stopped_clean: SIGTERM stops the daemon with status 0, and its log holds
# no sanitizer report (ASan, UBSan and LSan write there).
stopped_clean() {
	kill "$APID_PID" 2>/dev/null
	wait "$APID_PID"
	ok "daemon exits 0 on SIGTERM" 0 $?
	ok "no sanitizer report in the daemon log" 0 \
	    "$(grep -c -E 'Sanitizer|runtime error' "$T/apid.log")"
}

# hdr NAME: the value of response header NAME (last one), without the CR.
hdr() {
	sed -n "s/^$1: \\([^\\r]*\\)\\r*\$/\\1/ip" "$T/headers" | tail -1
}

# The script's closing line, counted by run.sh.
finish() {
	echo "$(basename "$0"): $npass passed, $nfail failed"
	[ "$nfail" -eq 0 ]
}
