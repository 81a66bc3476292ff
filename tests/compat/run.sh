#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Compatibility tests: real clients' requests, and (replay.t.sh) the
# responses recorded from Hestia's real PHP endpoint.
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
echo "compat scripts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
