# SPDX-License-Identifier: GPL-3.0-or-later
# What the wrk benches (run.sh, auth.sh) share; sourced, never run. It sets
# ROOT, BUILD, the program paths, $tmp (removed on exit with every program
# started here) and the cleanup traps. Traffic goes to 127.0.0.1 only.

BUILD=${BUILD:-build}
KEYUSER=${BENCH_USER:-admin}
# High enough that no run of a bench is ever banned by the lockout (the
# default, 5/600/600, bans 127.0.0.1 after 5 failures), so a refused figure
# stays the figure of the refusal it names.
BENCH_LOCKOUT='1000000000/600/600'

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || {
	echo "bench: no build directory; run 'make bench'" >&2
	exit 1
}
BASELINE=$BUILD/bench/baseline
APID=$BUILD/hestia-apid
APICTL=$BUILD/hestia-apictl
VTRUE=$ROOT/bench/bin/v-true

if ! command -v wrk >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "bench: installing wrk" >&2
		apt-get install -y wrk >/dev/null ||
		    { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
	fi
	if ! command -v wrk >/dev/null 2>&1; then
		echo "bench: wrk is needed (apt-get install wrk, as root)" >&2
		exit 1
	fi
fi
command -v curl >/dev/null 2>&1 || { echo "bench: curl is needed" >&2; exit 1; }
for f in "$BASELINE" "$APID" "$APICTL" "$VTRUE"; do
	[ -x "$f" ] || { echo "bench: $f: not built or not executable" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/apid-bench.XXXXXX")
pids=
cleanup() {
	trap - EXIT INT TERM
	for p in $pids; do
		kill "$p" 2>/dev/null || :
	done
	for p in $pids; do
		wait "$p" 2>/dev/null || :
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Start a program that writes its address to a port file; sets $addr, $pid.
start() {
	name=$1 portfile=$2
	shift 2
	"$@" >"$tmp/$name.log" 2>&1 &
	pid=$!
	pids="$pids $pid"
	i=0
	while [ ! -s "$portfile" ]; do
		if ! kill -0 "$pid" 2>/dev/null || [ $i -ge 100 ]; then
			echo "bench: $name did not start:" >&2
			tail -n 20 "$tmp/$name.log" >&2
			exit 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	# Either HOST:PORT or a bare port; the first listener is used.
	addr=$(head -n 1 "$portfile" | tr -d ' \r\t')
	case $addr in
	*:*) ;;
	*) addr=127.0.0.1:$addr ;;
	esac
}

# apid_conf FILE NAME [LINE...]: a daemon configuration of its own database
# and auth.log in $tmp, running bench/bin; the extra lines come last and
# override (the last value of a key wins).
apid_conf() {
	f=$1 n=$2
	shift 2
	cat >"$f" <<EOF
LISTEN='127.0.0.1:0'
DATABASE='$tmp/$n.db'
BIN_DIR='$ROOT/bench/bin'
HESTIA_CONF=''
API='yes'
API_SYSTEM='1'
API_ALLOWED_IP='allow-all'
ROOT_USER='$KEYUSER'
AUTH_LOG='$tmp/$n.auth.log'
MAX_JOBS='16'
QUEUE='1024'
ARGON2='t=2,m=19456,p=1'
LOCKOUT='$BENCH_LOCKOUT'
MAX_CONNS_PER_IP='4096'
EOF
	for l in "$@"; do
		printf '%s\n' "$l" >>"$f"
	done
	"$APID" -n -f "$f" >"$tmp/$n.check" 2>&1 || {
		echo "bench: the $n configuration is refused:" >&2
		cat "$tmp/$n.check" >&2
		exit 1
	}
}

# add_key CONF: a key of $KEYUSER in CONF's database; sets $hash (ID:SECRET).
add_key() {
	hash=$("$APICTL" -f "$1" key add "$KEYUSER" --format plain) || {
		echo "bench: hestia-apictl key add failed" >&2
		exit 1
	}
	hash=$(printf '%s\n' "$hash" | tail -n 1)
	case $hash in
	*:*) ;;
	*) echo "bench: hestia-apictl printed '$hash', not ID:SECRET" >&2; exit 1 ;;
	esac
}

# check NAME ADDR BODY [CODE [ANSWER]]: send BODY once with curl and insist
# on HTTP CODE (200) with body ANSWER ("0").
check() {
	name=$1 addr=$2 data=$3 want=${4:-200} answer=${5:-0}
	got=$(curl -sS -o "$tmp/check.body" -w '%{http_code}' \
	    -H 'Content-Type: application/x-www-form-urlencoded' \
	    --data-binary "$data" "http://$addr/api/") || got=none
	if [ "$got" != "$want" ] || [ "$(cat "$tmp/check.body")" != "$answer" ]
	then
		echo "bench: $name answered HTTP $got (expected $want, body" \
		    "'$answer'), body:" >&2
		head -c 500 "$tmp/check.body" >&2; echo >&2
		tail -n 20 "$tmp/$name.log" >&2
		exit 1
	fi
}

rss() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

# CPU time of a process so far, user and system, in clock ticks.
cputicks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# One wrk run; appends "req/s p99_ms socket_errors non2xx" to $tmp/NAME.C.
# $round names the round in the progress line; RUN_PATH the URL's path
# (/api/).
run() {
	name=$1 addr=$2 c=$3 lua=$4
	t=2
	[ "$c" -gt 1 ] || t=1
	# A long timeout: an uncached argon2 request may wait behind 15 others.
	wrk -t$t -c"$c" -d"$DURATION" --timeout 30s --latency -s "$lua" \
	    "http://$addr${RUN_PATH:-/api/}" >"$tmp/wrk.out" 2>&1 || {
		echo "bench: wrk failed against $name:" >&2
		cat "$tmp/wrk.out" >&2
		exit 1
	}
	line=$(sed -n 's/^BENCH //p' "$tmp/wrk.out" | awk '{
		printf "%.1f %.2f %d %d\n", $1 * 1e6 / $2, $3 / 1000, $4, $5 }')
	[ -n "$line" ] || { cat "$tmp/wrk.out" >&2; exit 1; }
	echo "$line" >>"$tmp/$name.$c"
	echo "$line" | awk -v n="$name" -v c="$c" -v r="${round:-?}" '{
		printf "  round %s %-9s c=%-2s %9.1f req/s  p99 %7.2f ms", r, n, c, $1, $2
		if ($3) printf "  socket errors %d", $3
		if ($4) printf "  non-2xx %d", $4
		printf "\n" }' >&2
}

# Median of column COL of $tmp/NAME.C.
median() {
	sort -g -k"$3,$3" "$tmp/$1.$2" | awk -v col="$3" '
		{ v[NR] = $col }
		END { if (NR == 0) print "nan"; else print v[int((NR + 1) / 2)] }'
}

# Sum of column COL of $tmp/NAME.C (error counts).
total() {
	awk -v col="$3" '{ s += $col } END { print s + 0 }' "$tmp/$1.$2"
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }'
}

# lua FILE BODY: a wrk script posting BODY that prints one BENCH line.
lua() {
	cat >"$1" <<EOF
wrk.method = "POST"
wrk.body = "$2"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("BENCH %.0f %.0f %.0f %.0f %.0f\n",
	    summary.requests, summary.duration, latency:percentile(99),
	    e.connect + e.read + e.write + e.timeout, e.status))
end
EOF
}

# A quality bar of product.md section 7: reports, never fails the run
# (these machines drift by 15%).
bar() {
	awk -v v="$2" -v lim="$3" -v op="$4" -v what="$1" 'BEGIN {
		if (op == ">=") ok = (v >= lim)
		else if (op == "<=") ok = (v <= lim)
		else ok = (v < lim)
		printf "bar: %-48s %-8s %s %-6s %s\n", what, v, op, lim,
		    ok ? "met" : "MISSED" }'
}
