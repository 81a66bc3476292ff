#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# What the verification cache buys: an authenticated trivial command with
# the cache (AUTH_CACHE default) against the same daemon with AUTH_CACHE='0',
# where every request pays one argon2id verification at the default cost;
# interleaved wrk runs, medians and their ratio. See bench/README.
#	BENCH_AUTH_ROUNDS=3	interleaved rounds; medians are taken over them
#	BENCH_AUTH_DURATION=4s	length of each wrk run
#	BENCH_AUTH_CONNS=16	wrk connections
set -eu

ROUNDS=${BENCH_AUTH_ROUNDS:-3}
DURATION=${BENCH_AUTH_DURATION:-4s}
CONNS=${BENCH_AUTH_CONNS:-16}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

# Both at the default argon2 cost, so that a miss costs what it costs in
# production; they differ by AUTH_CACHE alone.
apid_conf "$tmp/cached.conf" cached
apid_conf "$tmp/uncached.conf" uncached "AUTH_CACHE='0'"

start cached "$tmp/cached.port" "$APID" -d -f "$tmp/cached.conf" \
    -p "$tmp/cached.port"
cached_addr=$addr
start uncached "$tmp/uncached.port" "$APID" -d -f "$tmp/uncached.conf" \
    -p "$tmp/uncached.port"
uncached_addr=$addr
uncached_pid=$pid

add_key "$tmp/cached.conf"
cached_body="hash=$hash&cmd=v-true&returncode=yes"
add_key "$tmp/uncached.conf"
uncached_body="hash=$hash&cmd=v-true&returncode=yes"
lua "$tmp/cached.lua" "$cached_body"
lua "$tmp/uncached.lua" "$uncached_body"
# The first request of the cached daemon pays argon2 and fills the cache.
check cached "$cached_addr" "$cached_body"
check uncached "$uncached_addr" "$uncached_body"

# Wait until the daemon has finished what a run left in flight (up to
# CONNS argon2 verifications queued behind the workers), so that the
# next run does not pay for it: its CPU time stops moving.
settle() {
	prev=
	i=0
	while [ $i -lt 40 ]; do
		now=$(awk '{ print $14 + $15 }' "/proc/$1/stat")
		[ "$now" = "$prev" ] && return 0
		prev=$now
		sleep 0.1
		i=$((i + 1))
	done
}

echo "auth bench: $(nproc) CPUs, $ROUNDS rounds of $DURATION per run," \
    "$CONNS connections" >&2
round=1
while [ $round -le "$ROUNDS" ]; do
	run cached "$cached_addr" "$CONNS" "$tmp/cached.lua"
	run uncached "$uncached_addr" "$CONNS" "$tmp/uncached.lua"
	settle "$uncached_pid"
	round=$((round + 1))
done
hwm=$(rss "$uncached_pid" VmHWM)

c=$(median cached "$CONNS" 1) cp=$(median cached "$CONNS" 2)
u=$(median uncached "$CONNS" 1) up=$(median uncached "$CONNS" 2)
r=$(ratio "$c" "$u")
err=$(($(total cached "$CONNS" 3) + $(total cached "$CONNS" 4) +
    $(total uncached "$CONNS" 3) + $(total uncached "$CONNS" 4)))

echo
echo "auth bench: nproc $(nproc), medians of $ROUNDS interleaved runs of $DURATION at $CONNS connections, ARGON2 t=2,m=19456,p=1"
printf '%-36s %11s %10s %8s\n' program req/s "p99 ms" ratio
printf '%-36s %11s %10s %8s\n' "hestia-apid, AUTH_CACHE default" "$c" "$cp" "$r"
printf '%-36s %11s %10s %8s\n' "hestia-apid, AUTH_CACHE='0'" "$u" "$up" ""
echo "uncached hestia-apid VmHWM: ${hwm} kB (argon2 takes 19 MiB per verification in flight, one per worker thread)"
[ "$err" -eq 0 ] || echo "WARNING: $err socket errors or non-2xx answers"
echo "auth: cached_rps=$c uncached_rps=$u ratio=$r"
