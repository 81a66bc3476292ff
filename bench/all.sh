#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# What 'make bench' runs: each bench named on the command line (bench/X.sh),
# in sequence, then the final line of each together, for a report. A bench
# that fails does not stop the others; the exit status says one failed.
set -eu

BUILD=${BUILD:-build}
export BUILD
dir=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/apid-bench-all.XXXXXX")
cleanup() {
	trap - EXIT INT TERM
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start=$(date +%s)
failed=0
: >"$tmp/summary"
for b in "$@"; do
	echo "==> bench/$b.sh"
	# stdout is kept for its last line; progress on stderr goes by.
	{ sh "$dir/$b.sh" || echo $? >"$tmp/$b.rc"; } | tee "$tmp/$b.out"
	if [ -s "$tmp/$b.rc" ]; then
		echo "$b: FAILED (exit $(cat "$tmp/$b.rc"))" >>"$tmp/summary"
		failed=1
	else
		tail -n 1 "$tmp/$b.out" >>"$tmp/summary"
	fi
	echo
done

echo "==> final lines ($(nproc) CPUs, load average" \
    "$(cut -d ' ' -f 1-3 /proc/loadavg), $(($(date +%s) - start)) s)"
cat "$tmp/summary"
exit $failed
