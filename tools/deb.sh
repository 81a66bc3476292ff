#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Build the Debian package from a copy of the tree in DIR (default
# build-deb), then run lintian on it. dpkg-buildpackage writes the .deb,
# .buildinfo and .changes beside the tree it builds: the copy keeps them
# in DIR instead of the checkout's parent. The last line printed is the
# .deb's path; build.log and lintian.txt stay in DIR.
# Usage: deb.sh [DIR]
set -eu
# The package is built the same whatever make ran this: MAKEFLAGS would
# carry make check's SANITIZE=1 or BUILD into the package's own build.
unset MAKEFLAGS MFLAGS MAKELEVEL BUILD
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-build-deb}
case $dir in /*) ;; *) dir=$top/$dir ;; esac
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$dir/hestia-apid-$version

mkdir -p "$dir"
rm -rf "$src" "$dir"/hestia-apid_* "$dir"/hestia-apid-dbgsym_*
mkdir "$src"
# The sources only: not .git, nor any build tree (build-deb among them).
(cd "$top" && tar -cf - --exclude=./.git --exclude='./build*' .) |
    (cd "$src" && tar -xf -)
start=$(date +%s)
if ! (cd "$src" && dpkg-buildpackage -us -uc -b -Jauto) >"$dir/build.log" 2>&1
then
	tail -40 "$dir/build.log" >&2
	echo "deb: dpkg-buildpackage failed; see $dir/build.log" >&2
	exit 1
fi
echo "deb: built in $(($(date +%s) - start)) s"
rm -rf "$src"
changes=$(ls "$dir"/hestia-apid_"$version"_*.changes)
deb=$(ls "$dir"/hestia-apid_"$version"_*.deb)
# Errors fail the build; warnings and the rest are listed, each explained
# (--info) unless an override in debian/ says why it does not apply.
lintian --allow-root --info --fail-on error "$changes" >"$dir/lintian.txt" 2>&1 || {
	cat "$dir/lintian.txt" >&2
	echo "deb: lintian found errors" >&2
	exit 1
}
echo "deb: lintian: $(grep -c '^E:' "$dir/lintian.txt") errors," \
    "$(grep -c '^W:' "$dir/lintian.txt") warnings," \
    "$(grep -c '^[IPX]:' "$dir/lintian.txt") other tags" \
    "(in $dir/lintian.txt)"
echo "$deb"
