#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The Debian package: its files and their modes, its conffiles, what its
# maintainer scripts do, and lintian without error or warning. It checks
# build-deb/'s package (make deb) when that is newer than every source,
# and otherwise builds it there first (about a minute), so that make check
# SANITIZE=1 after make check does not build it again.
. "$(dirname "$0")/lib.sh"

for t in dpkg-buildpackage dh lintian; do
	if ! command -v $t >/dev/null 2>&1; then
		echo "deb.t.sh: SKIP: no $t (dpkg-dev, debhelper, lintian;" \
		    "make deps as root installs them)"
		finish
		exit
	fi
done

cd "$top" || exit 1
dir=$top/build-deb
version=$(dpkg-parsechangelog -S Version)
deb=$dir/hestia-apid_${version}_$(dpkg --print-architecture).deb
if [ ! -f "$deb" ] || [ ! -f "$dir/lintian.txt" ] ||
    [ -n "$(find Makefile src include sql init man debian tools api \
    -newer "$deb" | head -1)" ]; then
	start=$(date +%s)
	sh tools/deb.sh "$dir" >"$T/deb.log" 2>&1
	rc=$?
	ok "tools/deb.sh builds the package and lintian passes it" 0 $rc
	if [ $rc -ne 0 ]; then
		tail -20 "$T/deb.log"
		finish
		exit 1
	fi
	echo "deb.t.sh: package built and checked in" \
	    "$(($(date +%s) - start)) s"
fi
ok "the changelog's version is the programs' one" \
    "#define APID_VERSION	\"$version\"" \
    "$(grep '^#define APID_VERSION' include/version.h)"

# Every file, with its mode; directories aside.
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $1, $6 }' | sort >"$T/files"
cat >"$T/want" <<'EOF'
-rw-r--r-- ./etc/fail2ban/filter.d/hestia-apid.conf
-rw-r--r-- ./etc/fail2ban/jail.d/hestia-apid.conf
-rw-r----- ./etc/hestia-apid/hestia-apid.conf
-rwxr-xr-x ./etc/init.d/hestia-apid
-rw-r--r-- ./etc/logrotate.d/hestia-apid
-rw-r--r-- ./lib/systemd/system/hestia-apid.service
-rw-r--r-- ./lib/systemd/system/hestia-apid.socket
-rwxr-xr-x ./usr/sbin/hestia-apictl
-rwxr-xr-x ./usr/sbin/hestia-apid
-rwxr-xr-x ./usr/sbin/hestia-apid-switch
-rw-r--r-- ./usr/share/doc/hestia-apid/README.gz
-rw-r--r-- ./usr/share/doc/hestia-apid/changelog.gz
-rw-r--r-- ./usr/share/doc/hestia-apid/copyright
-rw-r--r-- ./usr/share/lintian/overrides/hestia-apid
-rw-r--r-- ./usr/share/man/man5/hestia-apid.conf.5.gz
-rw-r--r-- ./usr/share/man/man8/hestia-apictl.8.gz
-rw-r--r-- ./usr/share/man/man8/hestia-apid.8.gz
-rw-r--r-- ./usr/share/man/man8/hestia-apid-switch.8.gz
EOF
sort "$T/want" -o "$T/want"
ok "the package's files and modes, and no other" "" \
    "$(diff "$T/want" "$T/files")"

mkdir "$T/ctl" "$T/fs"
dpkg-deb -e "$deb" "$T/ctl"
dpkg-deb -x "$deb" "$T/fs"
ok "every file in /etc is a conffile" \
    "$(grep ' ./etc/' "$T/want" | sed 's/^[^ ]* \.//' | sort)" \
    "$(sort "$T/ctl/conffiles")"
contains "Depends on adduser, which postinst uses" "Depends: adduser" \
    "$(cat "$T/ctl/control")"
ok "the unit runs /usr/sbin/hestia-apid on /etc's configuration" \
    "ExecStart=/usr/sbin/hestia-apid -d -f /etc/hestia-apid/hestia-apid.conf" \
    "$(grep '^ExecStart=' "$T/fs/lib/systemd/system/hestia-apid.service")"
ok "so does the init script" "DAEMON=/usr/sbin/hestia-apid" \
    "$(grep '^DAEMON=' "$T/fs/etc/init.d/hestia-apid")"
ok "the fail2ban jail is disabled" "enabled  = false" \
    "$(grep '^enabled' "$T/fs/etc/fail2ban/jail.d/hestia-apid.conf")"
contains "the packaged daemon's default configuration is in /etc" \
    "(default /etc/hestia-apid/hestia-apid.conf)" \
    "$("$T/fs/usr/sbin/hestia-apid" -h 2>&1)"

# postinst: the user (system, no login shell, home the state directory),
# the directory 0750 and the configuration's group, before debhelper's
# part starts the service; the service is enabled, the socket unit not.
post=$(cat "$T/ctl/postinst")
line() { grep -n -e "$1" "$T/ctl/$2" | head -1 | cut -d: -f1; }
contains "postinst makes a system user" "adduser --system" "$post"
contains "without a login shell" "--shell /usr/sbin/nologin" "$post"
contains "whose home is /var/lib/hestia-apid" "state=/var/lib/hestia-apid" \
    "$post"
contains "and the state directory, 0750, its own" \
    'install -d -m 0750 -o "$user" -g "$user" "$state"' "$post"
contains "the configuration: root:hestia-apid" 'chown "root:$user" "$conf"' \
    "$post"
contains "mode 0640" 'chmod 0640 "$conf"' "$post"
ok "the user exists before the service starts" yes \
    "$([ "$(line 'adduser --system' postinst)" -lt \
    "$(line 'deb-systemd-invoke' postinst)" ] && echo yes)"
contains "the service is enabled" \
    "deb-systemd-helper enable 'hestia-apid.service'" "$post"
contains "the socket unit only if it was before" \
    "deb-systemd-helper debian-installed 'hestia-apid.socket'" "$post"
ok "nor started" 0 "$(grep -c "invoke.*'hestia-apid.socket'" \
    "$T/ctl/postinst")"
ok "a failed start leaves the package installed" 0 \
    "$(grep -c 'invoke-rc.d.*|| exit 1' "$T/ctl/postinst")"

# postrm purge: the state directory (the database), then user and group,
# each step checked first.
rm_=$(sed -n '/"$1" = purge/,/^fi/p' "$T/ctl/postrm")
contains "purge removes the state directory and the database" \
    "rm -rf /var/lib/hestia-apid" "$rm_"
contains "and the user" 'deluser --system --quiet "$user"' "$rm_"
contains "and the group" 'delgroup --system --quiet "$user"' "$rm_"
contains "only if the user is there" 'if getent passwd "$user"' "$rm_"
for s in postinst postrm prerm; do
	sh -n "$T/ctl/$s"
	ok "$s is valid sh" 0 $?
done

ok "lintian: no error" 0 "$(grep -c '^E:' "$dir/lintian.txt")"
ok "lintian: no warning" 0 "$(grep -c '^W:' "$dir/lintian.txt")"
finish
