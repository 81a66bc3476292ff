#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Memory: hestia-apid's RSS, PSS and private memory idle, at the peak of a
# burst of parallel logins at the default argon2 cost (19 MiB a run, the
# verification cache off so every login pays it), and after the burst.
# The bar: RSS after the burst within 2 MiB of idle. A figure, not a time.
set -eu

BURST=${BENCH_BURST:-32}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

apid_conf "$tmp/mem.conf" mem "AUTH_CACHE='0'"
start mem "$tmp/mem.port" "$APID" -d -f "$tmp/mem.conf" -p "$tmp/mem.port"
mem_addr=$addr mem_pid=$pid
add_key "$tmp/mem.conf"
body="hash=$hash&cmd=v-true&returncode=yes"
check mem "$mem_addr" "$body"
sleep 0.5

# mem_line WHEN: VmRSS, Pss and Private (clean + dirty) in kB.
mem_line() {
	awk -v when="$1" '
		/^Rss:/ { rss = $2 } /^Pss:/ { pss = $2 }
		/^Private_(Clean|Dirty):/ { priv += $2 }
		END { printf "%-14s RSS %6d kB  PSS %6d kB  private %6d kB\n",
		    when, rss, pss, priv }' "/proc/$mem_pid/smaps_rollup"
}

idle=$(rss "$mem_pid" VmRSS)
mem_line idle
i=0 cpids=
while [ $i -lt "$BURST" ]; do
	curl -s -o /dev/null --data-binary "$body" "http://$mem_addr/api/" &
	cpids="$cpids $!"
	i=$((i + 1))
done
peak=0
running=1
while [ $running = 1 ]; do
	r=$(rss "$mem_pid" VmRSS)
	[ "$r" -gt "$peak" ] && peak=$r
	sleep 0.02
	running=0
	for c in $cpids; do
		kill -0 "$c" 2>/dev/null && running=1 && break
	done
done
for c in $cpids; do
	wait "$c" || :
done
sleep 1
after=$(rss "$mem_pid" VmRSS)
mem_line "after $BURST"
echo "RSS: idle $idle kB, peak seen $peak kB (VmHWM $(rss "$mem_pid" VmHWM) kB) during $BURST parallel logins, $after kB after"
bar "RSS after the burst - idle, kB" $((after - idle)) 2048 "<="
echo "bench-memory: rss_idle_kb=$idle rss_peak_kb=$peak rss_after_kb=$after"
