#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Replay every response recorded from Hestia's real PHP endpoint against
# hestia-apid: the fixture Hestia tree imported with hestia-apictl
# import-hestia, the recorded stub commands, a shadow file for admin, and
# each config variant in turn (the daemon restarted between them).
. "$(dirname "$0")/../regress/lib.sh"

fix=$top/tests/fixtures/hestia
cp -R "$fix" "$T/hestia"
password=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["PASSWORD"])' "$fix/secrets.json")
printf 'admin:%s:19000:0:99999:7:::\n' "$(openssl passwd -6 "$password")" \
    >"$T/shadow"
BIN=$top/tests/compat/bin write_conf <<CONF
HESTIA_CONF='$T/hestia/conf/hestia.conf'
SHADOW_FILE='$T/shadow'
CONF
# The switches come from hestia.conf (variant.sh); ours must not matter.
sed -i '/^API=/d; /^API_SYSTEM=/d; /^API_ALLOWED_IP=/d' "$T/apid.conf"

"$APICTL" -f "$T/apid.conf" import-hestia "$T/hestia" >"$T/import.log" 2>&1
ok "import-hestia exit" 0 $?

export REPLAY_DIR=$T APID
base=$(sh "$top/tests/compat/variant.sh" default)
printf '#!/bin/sh\nexec sh %s "$@"\n' "$top/tests/compat/variant.sh" \
    >"$T/hook"
chmod +x "$T/hook"
if python3 "$top/tests/compat/replay_check.py" "$base" "$fix/secrets.json" \
    "$T/hook" >"$T/replay.out" 2>&1; then
	pass
else
	fail "replay: see below"
fi
grep -v '^ok ' "$T/replay.out"
[ -s "$T/apid.pid" ] && PIDS="$PIDS $(cat "$T/apid.pid")"
finish
