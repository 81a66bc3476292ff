#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Allowlist lookups with 10 rules against 100,000 (bench/acl_bench.cc);
# reports the ratio that product.md section 7 bounds, and never fails on it.
#	ACL_BENCH_MILLIONS=2	lookups per acl, form and round, in millions
#	ACL_BENCH_ROUNDS=7	interleaved rounds; medians are taken over them
set -eu

BUILD=${BUILD:-build}
BENCH=$BUILD/bench/acl_bench
[ -x "$BENCH" ] || {
	echo "acl bench: $BENCH: not built; run 'make bench'" >&2
	exit 1
}
exec "$BENCH" -n "${ACL_BENCH_MILLIONS:-2}" -r "${ACL_BENCH_ROUNDS:-7}"
