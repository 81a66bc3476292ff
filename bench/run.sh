#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Throughput bench: hestia-apid against a bare evhttp-plus-spawn program
# (bench/baseline.cc), in interleaved wrk runs on this machine; see bench/README.
set -eu

ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-3s}
REFUSED=${BENCH_REFUSED:-1}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

apid_conf "$tmp/apid.conf" apid
# The same daemon, but no client address is allowed (10.9.8.7 is not us):
# every request is refused at the first gate, before any lookup or hash.
apid_conf "$tmp/refip.conf" refip "API_ALLOWED_IP='10.9.8.7'"

start baseline "$tmp/baseline.port" "$BASELINE" -p "$tmp/baseline.port" -- "$VTRUE"
base_addr=$addr
start bare "$tmp/bare.port" "$BASELINE" -s -p "$tmp/bare.port"
bare_addr=$addr
bare_pid=$pid
start apid "$tmp/apid.port" "$APID" -d -f "$tmp/apid.conf" -p "$tmp/apid.port"
apid_addr=$addr
apid_pid=$pid
rss_start=$(rss "$apid_pid" VmRSS)
if [ "$REFUSED" = 1 ]; then
	start refip "$tmp/refip.port" "$APID" -d -f "$tmp/refip.conf" \
	    -p "$tmp/refip.port"
	refip_addr=$addr
fi

# The key is added while the daemon runs: it must take effect at once.
add_key "$tmp/apid.conf"
body="hash=$hash&cmd=v-true&returncode=yes"
lua "$tmp/post.lua" "$body"
# A well-formed ID that no key has: refused after as long as a wrong
# secret takes (a wait drawn from recent verifications), without argon2.
refkey_body="hash=AAAAAAAAAAAAAAAAAAAA:$(printf '%040d' 0)&cmd=v-true&returncode=yes"
lua "$tmp/refkey.lua" "$refkey_body"

check baseline "$base_addr" "$body"
check bare "$bare_addr" "$body"
check apid "$apid_addr" "$body"
rss_idle=$(rss "$apid_pid" VmRSS)
anon_idle=$(rss "$apid_pid" RssAnon)
file_idle=$(rss "$apid_pid" RssFile)
if [ "$REFUSED" = 1 ]; then
	# Hestia's answers: E_FORBIDEN (10) for the address, E_PASSWORD (9)
	# for the key.
	check refip "$refip_addr" "$body" 401 10
	check apid "$apid_addr" "$refkey_body" 401 9
fi

# cpu_per_req NAME PID TICKS0 CONNS: microseconds of the process's CPU per
# request of the run just made (its req/s times the duration), to
# $tmp/NAME.cpu.
cpu_per_req() {
	ticks=$(($(cputicks "$2") - $3))
	tail -n 1 "$tmp/$1.$4" | awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" \
	    -v d="${DURATION%s}" '{ n = $1 * d
		printf "%.1f\n", (n > 0 ? t * 1e6 / hz / n : 0) }' >>"$tmp/$1.cpu"
}

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

# Refused requests against bare evhttp, interleaved. They come after the
# spawn runs so that the unknown-key failures, which hestia-apid counts and
# logs, leave the RSS figures above alone; LOCKOUT is high enough that they
# never ban 127.0.0.1 (checked below).
round=1
# An unknown key waits as long as a verification would, so its req/s is
# bound by that wait, not by work: it is compared by CPU time per request,
# with 128 connections so that a run holds enough requests to measure.
while [ $round -le "$ROUNDS" ]; do
	c0=$(cputicks "$bare_pid")
	run bare "$bare_addr" 16 "$tmp/post.lua"
	cpu_per_req bare "$bare_pid" "$c0" 16
	if [ "$REFUSED" = 1 ]; then
		run refip "$refip_addr" 16 "$tmp/post.lua"
		c0=$(cputicks "$apid_pid")
		run refkey "$apid_addr" 128 "$tmp/refkey.lua"
		cpu_per_req refkey "$apid_pid" "$c0" 128
	fi
	round=$((round + 1))
done
kill -0 "$apid_pid" 2>/dev/null || { echo "bench: hestia-apid died" >&2; exit 1; }
# Still served, not banned: the refused figures were refusals, not bans.
check apid "$apid_addr" "$body"

b1=$(median baseline 1 1) a1=$(median apid 1 1)
b16=$(median baseline 16 1) a16=$(median apid 16 1)
bp1=$(median baseline 1 2) ap1=$(median apid 1 2)
bp16=$(median baseline 16 2) ap16=$(median apid 16 2)
s16=$(median bare 16 1) sp16=$(median bare 16 2)
r1=$(ratio "$a1" "$b1") r16=$(ratio "$a16" "$b16")
if [ "$REFUSED" = 1 ]; then
	f16=$(median refip 16 1) fp16=$(median refip 16 2)
	rf=$(ratio "$f16" "$s16")
	k16=$(median refkey 128 1) kp16=$(median refkey 128 2)
	kc=$(sort -g "$tmp/refkey.cpu" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	sc=$(sort -g "$tmp/bare.cpu" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	rk=$(ratio "$sc" "$kc")
fi
err=0
for n in baseline.1 baseline.16 apid.1 apid.16; do
	e=$(total "${n%.*}" "${n#*.}" 3)
	x=$(total "${n%.*}" "${n#*.}" 4)
	err=$((err + e + x))
done
# Refusals are non-2xx by design; only socket errors count there.
rerr=$(total bare 16 3)
if [ "$REFUSED" = 1 ]; then
	rerr=$((rerr + $(total refip 16 3) + $(total refkey 128 3)))
fi

echo
echo "hestia-apid bench: nproc $(nproc), medians of $ROUNDS interleaved runs of $DURATION, command $VTRUE"
printf '%-34s %5s %11s %10s %12s\n' program conns req/s "p99 ms" "apid/base"
printf '%-34s %5s %11s %10s %12s\n' "baseline (evhttp + posix_spawn)" 1 "$b1" "$bp1" ""
printf '%-34s %5s %11s %10s %12s\n' "hestia-apid" 1 "$a1" "$ap1" "$r1"
printf '%-34s %5s %11s %10s %12s\n' "baseline (evhttp + posix_spawn)" 16 "$b16" "$bp16" ""
printf '%-34s %5s %11s %10s %12s\n' "hestia-apid" 16 "$a16" "$ap16" "$r16"
printf '%-34s %5s %11s %10s %12s\n' "bare evhttp (no spawn)" 16 "$s16" "$sp16" ""
if [ "$REFUSED" = 1 ]; then
	printf '%-34s %5s %11s %10s %12s\n' "refused: IP not allowed (vs bare)" 16 "$f16" "$fp16" "$rf"
	printf '%-34s %5s %11s %10s %12s\n' "refused: unknown key" 128 "$k16" "$kp16" ""
	echo "CPU per request: bare evhttp $sc us, hestia-apid refusing an unknown key $kc us (bare/apid $rk); an unknown key's answer waits as long as a verification, p99 $kp16 ms"
fi
echo "hestia-apid VmRSS: ${rss_start} kB at start, ${rss_idle} kB idle after one request, ${rss_load} kB after load; VmHWM ${hwm} kB"
# Shared-library pages count in VmRSS; the heap and stacks are RssAnon.
echo "hestia-apid idle RSS: ${anon_idle} kB anonymous + ${file_idle} kB file-backed; anonymous after load ${anon_load} kB"
[ "$err" -eq 0 ] || echo "WARNING: $err socket errors or non-2xx answers in the spawn runs"
[ "$rerr" -eq 0 ] || echo "WARNING: $rerr socket errors in the bare and refused runs"

bar "apid/baseline at 1 connection" "$r1" 0.90 ">="
bar "apid/baseline at 16 connections" "$r16" 0.90 ">="
if [ "$REFUSED" = 1 ]; then
	bar "refused (IP)/bare evhttp at 16 connections" "$rf" 0.50 ">="
	bar "refused (unknown key): bare/apid CPU per request" "$rk" 0.50 ">="
fi
bar "idle RSS kB" "$rss_idle" 4096 "<"
# Only the first request ran argon2; later ones hit the verification cache.
bar "VmHWM kB (7 MiB + one argon2 of 19 MiB)" "$hwm" $((7168 + 19456)) "<"
line="bench: nproc=$(nproc) base1=$b1 apid1=$a1 ratio1=$r1 base16=$b16 apid16=$a16 ratio16=$r16 p99ms16=$bp16/$ap16 bare16=$s16"
[ "$REFUSED" = 1 ] && line="$line refused16=$f16 refused/bare=$rf refkey128=$k16 refkey_cpu_us=$kc bare_cpu_us=$sc refkey_cpu_bare/apid=$rk"
echo "$line rss_idle_kb=$rss_idle anon_idle_kb=$anon_idle hwm_kb=$hwm"
