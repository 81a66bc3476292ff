#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# USER: the daemon binds and opens AUTH_LOG as root, then runs as USER:
# the database it creates is USER's, and commands run as USER.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "priv.t.sh: needs root to switch users; skipped"
	echo "priv.t.sh: 0 passed, 0 failed"
	exit 0
fi
chmod 755 "$T"
mkdir -p "$T/bin" "$T/db"
chown nobody "$T/db"
printf '#!/bin/sh\n# options: [ARG]\nid -un\n' >"$T/bin/v-whoami"
chmod 755 "$T/bin/v-whoami"
BIN=$T/bin write_conf <<CONF
USER='nobody'
DATABASE='$T/db/keys.db'
CONF
chmod 755 "$T/tmp"
start_apid
ok "database created as USER" nobody "$(stat -c %U "$T/db/keys.db")"
pid_user=$(ps -o user= -p "$APID_PID" | tr -d ' ')
ok "daemon runs as USER" nobody "$pid_user"
ok "auth.log opened as root" root "$(stat -c %U "$T/auth.log")"
K=$(new_key admin)
req -d "hash=$K" -d cmd=v-whoami
ok "commands run as USER" "200 nobody" "$STATUS $BODY"
contains "auth.log still written" "v-whoami successfully launched" \
    "$(cat "$T/auth.log")"

printf "USER='no-such-user-here'\n" >>"$T/apid.conf"
out=$("$APID" -n -f "$T/apid.conf" 2>&1)
ok "-n names an unknown USER" 1 $?
contains "unknown USER message" "USER: no such user" "$out"
stopped_clean
finish
