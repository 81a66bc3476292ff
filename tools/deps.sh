#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Install the Debian packages that the build, the tests and the demo need
# and that this machine lacks. Does nothing when everything is there.
# "deps.sh fuzz": what the build and the libFuzzer targets need instead;
# "deps.sh deb": what the build of the Debian package needs (make deb).
set -e
mode=${1:-all}
need=""
pc() {	# pkg-config module, Debian package
	pkg-config --exists "$1" 2>/dev/null || need="$need $2"
}
tool() {	# command, Debian package
	command -v "$1" >/dev/null 2>&1 || need="$need $2"
}
# clang links a fuzz target only with its runtime (libclang_rt.fuzzer).
fuzzer() {
	t=$(mktemp -d)
	printf '%s\n' 'extern "C" int LLVMFuzzerTestOneInput(const unsigned' \
	    'char *, unsigned long) { return 0; }' > "$t/f.cc"
	clang++ -fsanitize=fuzzer,address,undefined -o "$t/f" "$t/f.cc" \
	    >/dev/null 2>&1 || need="$need libclang-rt-dev"
	rm -rf "$t"
}
tool pkg-config pkg-config
tool g++ g++
tool make make
pc libevent libevent-dev
pc libevent_pthreads libevent-dev
pc libevent_openssl libevent-dev
pc jansson libjansson-dev
pc libargon2 libargon2-dev
pc sqlite3 libsqlite3-dev
pc openssl libssl-dev
pc libcrypt libcrypt-dev
if [ "$mode" = fuzz ]; then
	if command -v clang++ >/dev/null 2>&1; then
		fuzzer
	else
		need="$need clang libclang-rt-dev"
	fi
else
	pc cmocka libcmocka-dev
	# The package: "make deb", and tests/regress/deb.t.sh in make check.
	tool dpkg-buildpackage dpkg-dev
	tool dh debhelper
	tool lintian lintian
fi
if [ "$mode" = all ]; then
	tool curl curl
	tool python3 python3
	tool sqlite3 sqlite3
	tool openssl openssl
	tool nginx nginx-light
fi
[ -n "$need" ] || exit 0
need=$(echo $need | tr ' ' '\n' | sort -u | tr '\n' ' ')
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$need" >&2
	[ "$mode" = all ] && mode=deps
	echo "deps: run 'make $mode' as root, or: apt-get install$need" >&2
	exit 1
fi
echo "deps: installing$need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need
