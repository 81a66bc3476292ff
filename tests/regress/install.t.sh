#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# PREFIX and SYSCONFDIR reach everything "make install" writes (units, init
# script, logrotate, man pages), and a binary built with another SYSCONFDIR
# looks there for its configuration.
. "$(dirname "$0")/lib.sh"

cd "$top" || exit 1
# The make that runs this test passes its own variables (SANITIZE=1, -j)
# in MAKEFLAGS; the makes below choose their own.
unset MAKEFLAGS MFLAGS MAKELEVEL

R=$T/root
make install BUILD="$BUILD" DESTDIR="$R" PREFIX=/usr SYSCONFDIR=/etc \
    >"$T/install.log" 2>&1
ok "make install DESTDIR=... PREFIX=/usr succeeds" 0 $?
unit=$R/usr/lib/systemd/system/hestia-apid.service
ok "ExecStart runs /usr/sbin/hestia-apid on /etc's configuration" \
    "ExecStart=/usr/sbin/hestia-apid -d -f /etc/hestia-apid/hestia-apid.conf" \
    "$(grep '^ExecStart=' "$unit")"
ok "no /usr/local/sbin left in the unit" 0 "$(grep -c /usr/local/sbin "$unit")"
ok "hestia-apid-switch beside the daemon, executable" yes \
    "$([ -x "$R/usr/sbin/hestia-apid-switch" ] && echo yes)"
ok "it looks for /usr/sbin/hestia-apid, not /usr/local" 0 \
    "$(grep -c /usr/local/sbin "$R/usr/sbin/hestia-apid-switch")"
ok "its manual page" yes \
    "$([ -s "$R/usr/share/man/man8/hestia-apid-switch.8" ] && echo yes)"
ok "the socket unit beside it" yes \
    "$(grep -q '^ListenStream=' \
    "$R/usr/lib/systemd/system/hestia-apid.socket" && echo yes)"
ok "the init script starts /usr/sbin/hestia-apid" \
    "DAEMON=/usr/sbin/hestia-apid" \
    "$(grep '^DAEMON=' "$R/etc/init.d/hestia-apid")"
ok "with /etc's configuration" "CONF=/etc/hestia-apid/hestia-apid.conf" \
    "$(grep '^CONF=' "$R/etc/init.d/hestia-apid")"
ok "the init script is executable" yes \
    "$([ -x "$R/etc/init.d/hestia-apid" ] && echo yes)"
contains "logrotate signals /usr/sbin/hestia-apid" \
    "--exec /usr/sbin/hestia-apid" "$(cat "$R/etc/logrotate.d/hestia-apid")"
ok "the fail2ban filter" yes \
    "$([ -s "$R/etc/fail2ban/filter.d/hestia-apid.conf" ] && echo yes)"
ok "the fail2ban jail, disabled" "enabled  = false" \
    "$(grep '^enabled' "$R/etc/fail2ban/jail.d/hestia-apid.conf")"
ok "the configuration, mode 0640" 640 \
    "$(stat -c %a "$R/etc/hestia-apid/hestia-apid.conf")"
ok "the man pages" 4 "$(ls "$R/usr/share/man/man8" "$R/usr/share/man/man5" |
    grep -c '\.[58]$')"

# systemd parses every line of the unit (an unknown or misspelt option is
# only a warning to it, so a hardening line could silently do nothing), and
# its exposure stays at most 5.7 (57 in tenths), the figure of hestia-apid(8).
if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
	sed "s|/usr/sbin/hestia-apid|$APID|" "$unit" >"$T/hestia-apid.service"
	ok "systemd-analyze verify finds nothing to say" "" \
	    "$(systemd-analyze verify --man=no "$T/hestia-apid.service" 2>&1)"
	systemd-analyze security --offline=true --threshold=57 \
	    "$T/hestia-apid.service" >"$T/security.txt" 2>&1
	ok "exposure at most 5.7: $(tail -1 "$T/security.txt")" 0 $?
else
	echo "install.t.sh: no systemd-analyze with --offline, unit not analysed"
fi

# Installing again keeps what an admin edits.
echo "# edited" >>"$R/etc/hestia-apid/hestia-apid.conf"
echo "# edited" >>"$R/etc/fail2ban/jail.d/hestia-apid.conf"
make install BUILD="$BUILD" DESTDIR="$R" PREFIX=/usr SYSCONFDIR=/etc \
    >>"$T/install.log" 2>&1
ok "a second install keeps the edited configuration" "# edited" \
    "$(tail -1 "$R/etc/hestia-apid/hestia-apid.conf")"
ok "and the edited jail" "# edited" \
    "$(tail -1 "$R/etc/fail2ban/jail.d/hestia-apid.conf")"

# Another SYSCONFDIR: compiled in (-O0, only the paths matter here), and
# written into the unit and the man pages.
etc=/opt/apid-test-etc
make -j2 BUILD="$T/b" OPT=-O0 SYSCONFDIR=$etc "$T/b/hestia-apid" \
    "$T/b/hestia-apictl" >"$T/build.log" 2>&1
ok "a build with SYSCONFDIR=$etc succeeds" 0 $?
contains "hestia-apid -h names its default" \
    "(default $etc/hestia-apid/hestia-apid.conf)" \
    "$("$T/b/hestia-apid" -h 2>&1)"
contains "hestia-apid -n without -f reads it" \
    "$etc/hestia-apid/hestia-apid.conf: No such file" \
    "$("$T/b/hestia-apid" -n 2>&1)"
contains "hestia-apictl -h names it too" \
    "(default $etc/hestia-apid/hestia-apid.conf)" \
    "$("$T/b/hestia-apictl" -h 2>&1)"
contains "the default build names /etc" \
    "(default /etc/hestia-apid/hestia-apid.conf)" "$("$APID" -h 2>&1)"
make install BUILD="$T/b" DESTDIR="$T/root2" SYSCONFDIR=$etc \
    >>"$T/install.log" 2>&1
ok "make install with the default PREFIX succeeds" 0 $?
ok "its unit runs /usr/local/sbin on $etc" \
    "ExecStart=/usr/local/sbin/hestia-apid -d -f $etc/hestia-apid/hestia-apid.conf" \
    "$(grep '^ExecStart=' \
    "$T/root2/usr/local/lib/systemd/system/hestia-apid.service")"
ok "the installed binary is the one built for $etc" \
    "$(cat "$T/b/hestia-apid" | cksum)" \
    "$(cat "$T/root2/usr/local/sbin/hestia-apid" | cksum)"
contains "hestia-apid(8) names $etc" "$etc/hestia-apid/hestia-apid.conf" \
    "$(cat "$T/root2/usr/local/share/man/man8/hestia-apid.8")"
ok "no /etc/hestia-apid left in the man pages" 0 \
    "$(cat "$T/root2/usr/local/share/man/man"*/* | grep -c '/etc/hestia-apid')"
finish
