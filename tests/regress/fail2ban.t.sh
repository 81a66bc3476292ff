#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The shipped fail2ban filter, its failregex read as fail2ban reads it
# (<HOST> an address), against the daemon's own failure lines and
# Hestia's panel lines with a reason; never a success line.
. "$(dirname "$0")/lib.sh"

filter=$top/init/fail2ban/filter.d/hestia-apid.conf
python3 - "$filter" >"$T/out" <<'PY'
import re, sys
rx = None
for line in open(sys.argv[1]):
    if line.startswith("failregex"):
        rx = line.split("=", 1)[1].strip()
rx = re.compile(rx.replace("<HOST>", r"(?P<host>[0-9a-fA-F:.]+)"))
cases = [
    ("2026-11-27 10:00:00 Ab3dEf 203.0.113.9 failed to login", "203.0.113.9"),
    ("2026-11-27 10:00:00 api 2001:db8::7 failed to login", "2001:db8::7"),
    ("2026-11-27 10:00:00 admin 198.51.100.4 failed to login (invalid username or password)", "198.51.100.4"),
    ("2026-11-27 10:00:00 admin 198.51.100.4 successfully logged in", None),
    ("2026-11-27 10:00:00 admin 198.51.100.4 v-list-users successfully launched", None),
    ("2026-11-27 10:00:00 admin 198.51.100.4 failed to login (x) 192.0.2.1", None),
]
for line, want in cases:
    m = rx.search(line)
    got = m.group("host") if m else None
    print("%s|%s" % (want, got))
PY
n=0
while IFS='|' read -r want got; do
	n=$((n + 1))
	ok "line $n: the address fail2ban bans" "$want" "$got"
done <"$T/out"
ok "every case ran" 6 "$n"
finish
