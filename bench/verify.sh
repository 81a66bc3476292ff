#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# One argon2id verification at the default cost against one hit of the
# verification cache (bench/verify_bench.cc); reports, never fails on a figure.
#	VERIFY_BENCH_ROUNDS=15	argon2 verifications; the median is taken
set -eu

BUILD=${BUILD:-build}
BENCH=$BUILD/bench/verify_bench
[ -x "$BENCH" ] || {
	echo "verify bench: $BENCH: not built; run 'make bench'" >&2
	exit 1
}
exec "$BENCH" -r "${VERIFY_BENCH_ROUNDS:-15}"
