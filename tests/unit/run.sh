#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Run every cmocka program; print cmocka's own lines and one summary line.
passed=0
failed=0
for t in "$@"; do
	if "$t"; then
		passed=$((passed + 1))
	else
		echo "unit: FAIL $t"
		failed=$((failed + 1))
	fi
done
echo "unit programs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
