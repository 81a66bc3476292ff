#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Run each libFuzzer target for SECONDS on a copy of its seed corpus (the
# repository's is never written); one summary line per target; fail on
# any crash, leak, timeout or out-of-memory.
# usage: run.sh BUILD_DIR SECONDS TARGET...
dir=$1
secs=$2
shift 2
seeds=$(dirname "$0")/corpus
passed=0
failed=0
for t in "$@"; do
	name=${t##*/}
	name=${name#fuzz_}
	corpus=$dir/corpus/$name
	art=$dir/artifacts/$name
	log=$dir/log/$name.log
	mkdir -p "$corpus" "$art" "$dir/log"
	if [ -d "$seeds/$name" ]; then
		cp "$seeds/$name"/* "$corpus"/
	fi
	"$t" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$art/" "$corpus" \
	    >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(sed -n 's/^#[0-9]*[[:space:]]*DONE[[:space:]]*cov: //p' "$log" |
	    cut -d' ' -f1)
	files=$(find "$corpus" -type f | wc -l)
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		printf 'fuzz: %-16s %9s runs in %s s, %6s/s, cov %s, %s\n' \
		    "$name" "$runs" "$secs" "$rate" "${cov:-?}" \
		    "corpus $files"
		passed=$((passed + 1))
	else
		echo "fuzz: FAIL $name (exit $rc), log $log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: |.*runtime error)' \
		    "$log" | head -5 | sed 's/^/fuzz:   /'
		ls "$art" 2>/dev/null | sed "s|^|fuzz:   input $art/|"
		failed=$((failed + 1))
	fi
done
echo "fuzz targets: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
