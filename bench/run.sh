#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Throughput bench: hestia-apid against a bare evhttp-plus-spawn program
# (bench/baseline.cc), in interleaved wrk runs on this machine; see bench/README.
set -eu

BUILD=${BUILD:-build}
ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-3s}
REFUSED=${BENCH_REFUSED:-1}
KEYUSER=${BENCH_USER:-admin}

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

# Send the bench request once and insist on HTTP 200 with body "0".
check() {
	name=$1 addr=$2
	got=$(curl -sS -o "$tmp/check.body" -w '%{http_code}' \
	    -H 'Content-Type: application/x-www-form-urlencoded' \
	    --data-binary "$body" "http://$addr/api/") || got=none
	if [ "$got" != 200 ] || [ "$(cat "$tmp/check.body")" != 0 ]; then
		echo "bench: $name answered HTTP $got, body:" >&2
		head -c 500 "$tmp/check.body" >&2; echo >&2
		tail -n 20 "$tmp/$name.log" >&2
		exit 1
	fi
}

rss() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}

# One wrk run; appends "req/s p99_ms socket_errors non2xx" to $tmp/NAME.C.
run() {
	name=$1 addr=$2 c=$3 lua=$4
	t=2
	[ "$c" -gt 1 ] || t=1
	wrk -t$t -c"$c" -d"$DURATION" --latency -s "$lua" "http://$addr/api/" \
	    >"$tmp/wrk.out" 2>&1 || {
		echo "bench: wrk failed against $name:" >&2
		cat "$tmp/wrk.out" >&2
		exit 1
	}
	line=$(sed -n 's/^BENCH //p' "$tmp/wrk.out" | awk '{
		printf "%.1f %.2f %d %d\n", $1 * 1e6 / $2, $3 / 1000, $4, $5 }')
	[ -n "$line" ] || { cat "$tmp/wrk.out" >&2; exit 1; }
	echo "$line" >>"$tmp/$name.$c"
	echo "$line" | awk -v n="$name" -v c="$c" -v r="$round" '{
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

cat >"$tmp/apid.conf" <<EOF
LISTEN='127.0.0.1:0'
DATABASE='$tmp/keys.db'
BIN_DIR='$ROOT/bench/bin'
API='yes'
API_SYSTEM='1'
API_ALLOWED_IP='allow-all'
ROOT_USER='$KEYUSER'
AUTH_LOG='$tmp/auth.log'
MAX_JOBS='16'
QUEUE='1024'
ARGON2='t=2,m=19456,p=1'
EOF

start baseline "$tmp/baseline.port" "$BASELINE" -p "$tmp/baseline.port" -- "$VTRUE"
base_addr=$addr
start bare "$tmp/bare.port" "$BASELINE" -s -p "$tmp/bare.port"
bare_addr=$addr
start apid "$tmp/apid.port" "$APID" -d -f "$tmp/apid.conf" -p "$tmp/apid.port"
apid_addr=$addr
apid_pid=$pid
rss_start=$(rss "$apid_pid" VmRSS)

# The key is added while the daemon runs: it must take effect at once.
hash=$("$APICTL" -f "$tmp/apid.conf" key add "$KEYUSER" --format plain) || {
	echo "bench: hestia-apictl key add failed" >&2
	exit 1
}
hash=$(printf '%s\n' "$hash" | tail -n 1)
case $hash in
*:*) ;;
*) echo "bench: hestia-apictl printed '$hash', not ID:SECRET" >&2; exit 1 ;;
esac
body="hash=$hash&cmd=v-true&returncode=yes"
lua "$tmp/post.lua" "$body"
# A well-formed ID with a secret that matches no key: refused before argon2.
lua "$tmp/refused.lua" \
    "hash=AAAAAAAAAAAAAAAAAAAA:$(printf '%040d' 0)&cmd=v-true&returncode=yes"

check baseline "$base_addr"
check bare "$bare_addr"
check apid "$apid_addr"
rss_idle=$(rss "$apid_pid" VmRSS)
anon_idle=$(rss "$apid_pid" RssAnon)
file_idle=$(rss "$apid_pid" RssFile)

echo "bench: $(nproc) CPUs, $ROUNDS rounds of $DURATION per run" >&2
round=1
while [ $round -le "$ROUNDS" ]; do
	for c in 1 16; do
		run baseline "$base_addr" "$c" "$tmp/post.lua"
		run apid "$apid_addr" "$c" "$tmp/post.lua"
	done
	round=$((round + 1))
done
rss_load=$(rss "$apid_pid" VmRSS)
anon_load=$(rss "$apid_pid" RssAnon)
hwm=$(rss "$apid_pid" VmHWM)

# Refused requests come last: the failures they log ban 127.0.0.1.
round=1
while [ $round -le "$ROUNDS" ]; do
	run bare "$bare_addr" 16 "$tmp/post.lua"
	if [ "$REFUSED" = 1 ]; then
		run refused "$apid_addr" 16 "$tmp/refused.lua"
	fi
	round=$((round + 1))
done
kill -0 "$apid_pid" 2>/dev/null || { echo "bench: hestia-apid died" >&2; exit 1; }

b1=$(median baseline 1 1) a1=$(median apid 1 1)
b16=$(median baseline 16 1) a16=$(median apid 16 1)
bp1=$(median baseline 1 2) ap1=$(median apid 1 2)
bp16=$(median baseline 16 2) ap16=$(median apid 16 2)
s16=$(median bare 16 1) sp16=$(median bare 16 2)
r1=$(ratio "$a1" "$b1") r16=$(ratio "$a16" "$b16")
if [ "$REFUSED" = 1 ]; then
	f16=$(median refused 16 1) fp16=$(median refused 16 2)
	rf=$(ratio "$f16" "$s16")
fi
err=0
for n in baseline.1 baseline.16 apid.1 apid.16; do
	e=$(total "${n%.*}" "${n#*.}" 3)
	x=$(total "${n%.*}" "${n#*.}" 4)
	err=$((err + e + x))
done

echo
echo "hestia-apid bench: nproc $(nproc), medians of $ROUNDS interleaved runs of $DURATION, command $VTRUE"
printf '%-34s %5s %11s %10s %12s\n' program conns req/s "p99 ms" "apid/base"
printf '%-34s %5s %11s %10s %12s\n' "baseline (evhttp + posix_spawn)" 1 "$b1" "$bp1" ""
printf '%-34s %5s %11s %10s %12s\n' "hestia-apid" 1 "$a1" "$ap1" "$r1"
printf '%-34s %5s %11s %10s %12s\n' "baseline (evhttp + posix_spawn)" 16 "$b16" "$bp16" ""
printf '%-34s %5s %11s %10s %12s\n' "hestia-apid" 16 "$a16" "$ap16" "$r16"
printf '%-34s %5s %11s %10s %12s\n' "bare evhttp (no spawn)" 16 "$s16" "$sp16" ""
if [ "$REFUSED" = 1 ]; then
	printf '%-34s %5s %11s %10s %12s\n' "hestia-apid refused (vs bare)" 16 "$f16" "$fp16" "$rf"
fi
echo "hestia-apid VmRSS: ${rss_start} kB at start, ${rss_idle} kB idle after one request, ${rss_load} kB after load; VmHWM ${hwm} kB"
# Shared-library pages count in VmRSS; the heap and stacks are RssAnon.
echo "hestia-apid idle RSS: ${anon_idle} kB anonymous + ${file_idle} kB file-backed; anonymous after load ${anon_load} kB"
[ "$err" -eq 0 ] || echo "WARNING: $err socket errors or non-2xx answers in the spawn runs"

# The quality bars of product.md section 7; the bench reports, never fails.
bar() {
	awk -v v="$2" -v lim="$3" -v op="$4" -v what="$1" 'BEGIN {
		ok = (op == ">=") ? (v >= lim) : (v < lim)
		printf "bar: %-48s %-8s %s %-6s %s\n", what, v, op, lim,
		    ok ? "met" : "MISSED" }'
}
bar "apid/baseline at 1 connection" "$r1" 0.90 ">="
bar "apid/baseline at 16 connections" "$r16" 0.90 ">="
[ "$REFUSED" = 1 ] && bar "refused/bare evhttp at 16 connections" "$rf" 0.50 ">="
bar "idle RSS kB" "$rss_idle" 4096 "<"
# Only the first request ran argon2; later ones hit the verification cache.
bar "VmHWM kB (7 MiB + one argon2 of 19 MiB)" "$hwm" $((7168 + 19456)) "<"
line="bench: nproc=$(nproc) base1=$b1 apid1=$a1 ratio1=$r1 base16=$b16 apid16=$a16 ratio16=$r16 p99ms16=$bp16/$ap16 bare16=$s16"
[ "$REFUSED" = 1 ] && line="$line refused16=$f16 refused/bare=$rf"
echo "$line rss_idle_kb=$rss_idle anon_idle_kb=$anon_idle hwm_kb=$hwm"
