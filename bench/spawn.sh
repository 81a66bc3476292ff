#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Command requests at 16 and 64 connections, interleaved in one run: the
# bare evhttp+posix_spawn baseline, hestia-apid in single-process mode, in
# privsep mode (USER set, the root helper spawns), with EXEC_PREFIX='sudo
# -n' (what USER cost before the helper), and adnanh/webhook when it is
# installed; the same command for all, a copy of /bin/echo (a shell
# script would spend most of the CPU in the shell). Reports req/s,
# p99 and each server's own CPU per request (privsep: both processes).
# Privsep and sudo need root (a bench user is made and removed).
set -eu

ROUNDS=${BENCH_ROUNDS:-3}
DURATION=${BENCH_DURATION:-3s}
CONNS=${BENCH_CONNS:-16 64}

# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

root=0
[ "$(id -u)" = 0 ] && root=1
buser=hapid-bench
if [ $root = 1 ]; then
	command -v sudo >/dev/null 2>&1 || apt-get install -y sudo \
	    >/dev/null 2>&1 || :
	if ! id -u $buser >/dev/null 2>&1; then
		useradd --system --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin $buser
		made_user=1
	fi
	chmod 755 "$tmp"
fi
bench_cleanup() {
	cleanup
	[ -z "${made_user:-}" ] || userdel $buser 2>/dev/null || :
}
trap bench_cleanup EXIT

mkdir "$tmp/bin"
cp /bin/echo "$tmp/bin/v-echo"
VECHO=$tmp/bin/v-echo
names="baseline apid"
apid_conf "$tmp/apid.conf" apid "MAX_JOBS='64'" "BIN_DIR='$tmp/bin'"
start baseline "$tmp/baseline.port" "$BASELINE" -p "$tmp/baseline.port" -- "$VECHO"
baseline_addr=$addr baseline_pid=$pid
start apid "$tmp/apid.port" "$APID" -d -f "$tmp/apid.conf" -p "$tmp/apid.port"
apid_addr=$addr apid_pid=$pid
add_key "$tmp/apid.conf"
if [ $root = 1 ]; then
	# One database for all three daemons: the key works everywhere.
	apid_conf "$tmp/privsep.conf" apid "MAX_JOBS='64'" "BIN_DIR='$tmp/bin'" \
	    "USER='$buser'"
	start privsep "$tmp/privsep.port" "$APID" -d -f "$tmp/privsep.conf" \
	    -p "$tmp/privsep.port"
	privsep_addr=$addr privsep_pid=$pid
	helper_pid=$(pgrep -P "$pid" -x apid-helper)
	names="$names privsep"
	if command -v sudo >/dev/null 2>&1; then
		apid_conf "$tmp/sudo.conf" apid "MAX_JOBS='64'" \
		    "BIN_DIR='$tmp/bin'" "EXEC_PREFIX='$(command -v sudo) -n'"
		start sudo "$tmp/sudo.port" "$APID" -d -f "$tmp/sudo.conf" \
		    -p "$tmp/sudo.port"
		sudo_addr=$addr sudo_pid=$pid
		names="$names sudo"
	fi
fi
if command -v webhook >/dev/null 2>&1; then
	wport=$(python3 -c 'import socket; s = socket.socket()
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	cat >"$tmp/hooks.json" <<EOF
[{"id": "v-echo", "execute-command": "$VECHO",
  "include-command-output-in-response": true}]
EOF
	webhook -hooks "$tmp/hooks.json" -ip 127.0.0.1 -port "$wport" \
	    >"$tmp/webhook.log" 2>&1 &
	webhook_pid=$!
	pids="$pids $webhook_pid"
	webhook_addr=127.0.0.1:$wport
	i=0
	until curl -s -o /dev/null "http://$webhook_addr/hooks/v-echo"; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "bench: webhook did not start" >&2; exit 1; }
		sleep 0.05
	done
	names="$names webhook"
fi

body="hash=$hash&cmd=v-echo&returncode=yes"
lua "$tmp/post.lua" "$body"
for n in $names; do
	[ $n = webhook ] && continue
	eval "check $n \$${n}_addr \"\$body\""
done

# cpu NAME C PIDS...: the processes' CPU microseconds per request of the
# run just made, appended to $tmp/NAME.C.cpu.
cpu() {
	n=$1 c=$2
	shift 2
	t=0
	for p in "$@"; do
		t=$((t + $(cputicks "$p")))
	done
	t=$((t - $(cat "$tmp/$n.ticks")))
	tail -n 1 "$tmp/$n.$c" | awk -v t="$t" -v hz="$(getconf CLK_TCK)" \
	    -v d="${DURATION%s}" '{ n = $1 * d
		printf "%.1f\n", (n > 0 ? t * 1e6 / hz / n : 0) }' \
	    >>"$tmp/$n.$c.cpu"
}
ticks() {
	n=$1
	shift
	t=0
	for p in "$@"; do
		t=$((t + $(cputicks "$p")))
	done
	echo $t >"$tmp/$n.ticks"
}
pids_of() {
	case $1 in
	privsep) echo "$privsep_pid $helper_pid" ;;
	*) eval "echo \$${1}_pid" ;;
	esac
}

echo "bench: $(nproc) CPUs, $ROUNDS rounds of $DURATION per run: $names" >&2
round=1
while [ $round -le "$ROUNDS" ]; do
	for c in $CONNS; do
		for n in $names; do
			# shellcheck disable=SC2046
			ticks $n $(pids_of $n)
			path=/api/
			[ $n = webhook ] && path=/hooks/v-echo
			eval "RUN_PATH=$path run $n \$${n}_addr $c \"\$tmp/post.lua\""
			# shellcheck disable=SC2046
			cpu $n $c $(pids_of $n)
		done
	done
	round=$((round + 1))
done
for n in $names; do
	[ $n = webhook ] || eval "check $n \$${n}_addr \"\$body\""
done

cmedian() {
	sort -g "$tmp/$1.$2.cpu" | awk '{ v[NR] = $1 }
		END { print v[int((NR + 1) / 2)] }'
}

echo
echo "command requests: medians of $ROUNDS interleaved runs of $DURATION, command /bin/echo (copied to $VECHO)"
printf '%-40s %5s %10s %9s %10s %11s\n' program conns req/s "p99 ms" "/baseline" "CPU us/req"
line="bench-spawn:"
for c in $CONNS; do
	b=$(median baseline "$c" 1)
	bp=$(median baseline "$c" 2)
	for n in $names; do
		r=$(median $n "$c" 1)
		p=$(median $n "$c" 2)
		case $n in
		baseline) what="baseline (evhttp + posix_spawn)" ;;
		apid) what="hestia-apid, single process" ;;
		privsep) what="hestia-apid, privsep (network+helper)" ;;
		sudo) what="hestia-apid, EXEC_PREFIX='sudo -n'" ;;
		webhook) what="webhook $(webhook -version 2>&1 | awk '{ print $NF }')" ;;
		esac
		printf '%-40s %5s %10s %9s %10s %11s\n' "$what" "$c" "$r" "$p" \
		    "$(ratio "$r" "$b")" "$(cmedian $n "$c")"
		line="$line $n$c=$r"
	done
	a=$(median apid "$c" 1)
	bar "apid/baseline at $c connections" "$(ratio "$a" "$b")" 0.90 ">="
	bar "apid p99/baseline p99 at $c" "$(ratio "$(median apid "$c" 2)" "$bp")" 1.25 "<="
	bar "apid CPU/baseline CPU per request at $c" \
	    "$(ratio "$(cmedian apid "$c")" "$(cmedian baseline "$c")")" 1.30 "<="
	if echo "$names" | grep -q privsep; then
		ps=$(median privsep "$c" 1)
		bar "privsep/baseline at $c connections" "$(ratio "$ps" "$b")" 0.90 ">="
		bar "privsep/single-process at $c" "$(ratio "$ps" "$a")" 0.95 ">="
		bar "privsep p99/baseline p99 at $c" "$(ratio "$(median privsep "$c" 2)" "$bp")" 1.25 "<="
	fi
	if echo "$names" | grep -q webhook; then
		w=$(median webhook "$c" 1)
		bar "apid/webhook at $c connections" "$(ratio "$a" "$w")" 1.15 ">="
		echo "$names" | grep -q privsep &&
		    bar "privsep/webhook at $c connections" "$(ratio "$ps" "$w")" 1.15 ">="
	fi
	line="$line cpu_base$c=$(cmedian baseline "$c") cpu_apid$c=$(cmedian apid "$c")"
	echo "$names" | grep -q privsep && line="$line cpu_privsep$c=$(cmedian privsep "$c")"
done
echo "$line"
