#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every *.t.sh of a directory (default: this one) against the real
# daemon; one summary line. Usage: run.sh [DIR [LABEL]]
dir=${1:-$(dirname "$0")}
label=${2:-regress}
passed=0
failed=0
for t in "$dir"/*.t.sh; do
	if sh "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "$label scripts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
