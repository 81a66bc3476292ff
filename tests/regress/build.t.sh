#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The Makefile takes CPPFLAGS, CXXFLAGS and LDFLAGS from the command line
# (Debian's hardening flags) after its own, which they never replace.
. "$(dirname "$0")/lib.sh"

cd "$top" || exit 1
out=$(make -n -B BUILD="$T/b" CPPFLAGS=-DAPID_CPP_PROBE \
    CXXFLAGS='-O1 -fstack-protector-strong' LDFLAGS=-Wl,-z,now \
    "$T/b/obj/apid.o" "$T/b/hestia-apid" 2>&1)
compile=$(echo "$out" | grep -- '-c -o .*obj/apid.o')
link=$(echo "$out" | grep -- '-o .*/hestia-apid ')
contains "CPPFLAGS reach the compiler" "-DAPID_CPP_PROBE" "$compile"
contains "CXXFLAGS reach the compiler" "-O1 -fstack-protector-strong" \
    "$compile"
contains "the project's flags stay" "-Werror" "$compile"
contains "and its language flags" "-std=c++17" "$compile"
contains "LDFLAGS reach the linker" "-Wl,-z,now" "$link"
out=$(env CPPFLAGS=-DAPID_ENV_PROBE make -n -B BUILD="$T/b" \
    "$T/b/obj/apid.o" 2>&1)
contains "CPPFLAGS from the environment too" "-DAPID_ENV_PROBE" "$out"
finish
