#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every regress script against the real daemon; one summary line.
dir=$(dirname "$0")
passed=0
failed=0
for t in "$dir"/*.t.sh; do
	if sh "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "regress scripts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
