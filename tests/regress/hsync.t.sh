#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Keys in step with Hestia's own files while the daemon runs, with no
# import and no restart: a key file written the way v-add-access-key
# writes it works on the request that follows; deleted, it is refused at
# once; changed permissions apply; a key deleted with hestia-apictl stays
# refused whatever the Hestia tree does; legacy keys and permission sets
# follow too.
. "$(dirname "$0")/lib.sh"

FIX=$top/tests/fixtures/hestia
S=$FIX/secrets.json
sec() { jq -r ".$1" "$S"; }

cp -R "$FIX" "$T/hestia"
H=$T/hestia/data
write_conf <<EOF
HESTIA_CONF='$T/hestia/conf/hestia.conf'
SHADOW_FILE='$T/hestia/shadow'
EOF

# As bin/v-add-access-key does it: one append a line, then chmod 640.
add_key() {	# ID SECRET USER PERMISSIONS
	f=$H/access-keys/$1
	echo "SECRET_ACCESS_KEY='$2'" >"$f"
	echo "USER='$3'" >>"$f"
	echo "PERMISSIONS='$4'" >>"$f"
	echo "COMMENT='made by Hestia'" >>"$f"
	echo "TIME='10:00:00'" >>"$f"
	echo "DATE='2026-11-27'" >>"$f"
	echo "EXPIRES_IN=''" >>"$f"
	echo "IP=''" >>"$f"
	chmod 640 "$f"
}

alice() {	# ID:SECRET: v-list-user alice, as alice's key
	req -d "hash=$1" -d cmd=v-list-user -d arg1=alice -d returncode=yes
}

start_apid
ok "no import: the tree's ADMIN key works at start" "200 0" \
    "$(req -d "hash=$(sec ADMIN_KEY_ID):$(sec ADMIN_SECRET)" \
    -d cmd=v-list-users -d returncode=yes; echo "$STATUS $BODY")"
ok "and its legacy key" "200 0" \
    "$(req -d "hash=$(sec LEGACY_KEY)" -d cmd=v-list-users -d returncode=yes;
    echo "$STATUS $BODY")"
ok "key list says where keys came from" "hestia" \
    "$("$APICTL" -f "$T/apid.conf" key list --format json |
    jq -r '[.[].SOURCE] | unique | join(",")')"

# --- a new key: usable on the very next request ---
ID=NewHestiaKey00000001
SECRET=NewSecretNewSecretNewSecretNewSecret0001
argon2() {
	curl -s "http://$PORT/metrics" |
	    sed -n 's/^hestia_apid_argon2_runs_total //p'
}
runs=$(argon2)
ok "the argon2 counter is read" yes \
    "$(case $runs in [0-9]*) echo yes ;; esac)"
add_key $ID $SECRET alice acc-user
alice "$ID:$SECRET"
ok "new key works on the next request" "200 0" "$STATUS $BODY"
ok "without a second argon2 run: the sync hands its hash to the cache" \
    "$runs" "$(argon2)"
ok "its secret is hashed in the database" 0 \
    "$(cat "$T"/keys.db* | grep -c -a -F -e "$SECRET")"
ok "its row says hestia" "hestia|acc-user|made by Hestia" \
    "$(sqlite3 "$T/keys.db" "SELECT source, permissions, comment FROM keys_view WHERE id = '$ID'")"

# --- its permissions change ---
sed -i "s/^PERMISSIONS=.*/PERMISSIONS='no-such-set'/" "$H/access-keys/$ID"
alice "$ID:$SECRET"
ok "changed permissions apply on the next request" "401 10" \
    "$STATUS $BODY"
sed -i "s/^PERMISSIONS=.*/PERMISSIONS='acc-user'/" "$H/access-keys/$ID"
alice "$ID:$SECRET"
ok "and back" "200 0" "$STATUS $BODY"

# --- a set changes ---
printf "ROLE='user'\nCOMMANDS='v-list-users'\n" >"$H/api/acc-user"
sleep 0.3	# sets are not held for: they follow within HSYNC_QUIET_MS
alice "$ID:$SECRET"
ok "a set's changed commands apply" "401 10" "$STATUS $BODY"
cp "$FIX/data/api/acc-user" "$H/api/acc-user"
sleep 0.3
alice "$ID:$SECRET"
ok "and back" "200 0" "$STATUS $BODY"

# --- deleted in Hestia: refused at once ---
rm "$H/access-keys/$ID"
alice "$ID:$SECRET"
ok "deleted key refused on the next request" "401 9" "$STATUS $BODY"
ok "its row is gone" 0 \
    "$(sqlite3 "$T/keys.db" "SELECT count(*) FROM keys WHERE id = '$ID'")"

# --- deleted with hestia-apictl: stays deleted ---
ID2=ApictlDeletes0000001
add_key $ID2 $SECRET alice acc-user
alice "$ID2:$SECRET"
ok "second key works" "200 0" "$STATUS $BODY"
"$APICTL" -f "$T/apid.conf" key delete $ID2 >/dev/null
ok "hestia-apictl key delete" 0 $?
echo "COMMENT='touched'" >>"$H/access-keys/$ID2"
touch "$H/access-keys/$ID2"
alice "$ID2:$SECRET"
ok "deleted with hestia-apictl: stays refused after its file changes" \
    "401 9" "$STATUS $BODY"

# --- legacy keys ---
LEG=NewLegacyKeyNewLegacyKey00000001
: >"$H/keys/$LEG"
req -d "hash=$LEG" -d cmd=v-list-users -d returncode=yes
ok "new legacy key works on the next request" "200 0" "$STATUS $BODY"
rm "$H/keys/$LEG"
req -d "hash=$LEG" -d cmd=v-list-users -d returncode=yes
ok "deleted legacy key refused on the next request" "401 9" "$STATUS $BODY"

# --- the directory itself goes and comes back ---
mv "$H/access-keys" "$T/moved"
req -d "hash=$(sec ADMIN_KEY_ID):$(sec ADMIN_SECRET)" -d cmd=v-list-users \
    -d returncode=yes
sleep 0.3
req -d "hash=$(sec ADMIN_KEY_ID):$(sec ADMIN_SECRET)" -d cmd=v-list-users \
    -d returncode=yes
ok "access-keys gone: its keys refused" "401 9" "$STATUS $BODY"
mkdir "$H/access-keys"
sleep 0.3
add_key $ID $SECRET alice acc-user
alice "$ID:$SECRET"
ok "a directory made anew is watched" "200 0" "$STATUS $BODY"

# --- a file that is not a key: warned, and the daemon goes on ---
printf "USER='alice'\n" >"$H/access-keys/NoSecretNoSecret0001"
sleep 0.3
contains "a bad file is warned" \
    "NoSecretNoSecret0001: SECRET_ACCESS_KEY missing or not valid" \
    "$(cat "$T/apid.log")"
alice "$ID:$SECRET"
ok "daemon serves on" "200 0" "$STATUS $BODY"

# A request held for a key still being written, whose client hangs up:
# the hold ends with the request (a sanitizer build would catch a timer
# firing on a freed request), and the daemon serves on.
ID4=HeldKeyHeldKey000001
left() {	# requests whose client left before the answer
	curl -s "http://$PORT/metrics" | sed -n \
	    's/^hestia_apid_requests_total{endpoint="\/api\/",status="499"} //p'
}
before=$(left)
(
	# Faster than HSYNC_QUIET_MS: the directory never goes quiet.
	i=0
	while [ $i -lt 150 ]; do
		echo "COMMENT='$i'" >>"$H/access-keys/$ID4"
		sleep 0.005
		i=$((i + 1))
	done
) &
W=$!
sleep 0.1
curl -s -m 0.3 -o /dev/null -d "hash=$ID4:$SECRET" -d cmd=v-list-user \
    -d arg1=alice "http://$PORT/api/"
wait "$W"
sleep 0.3
ok "the held client left before any answer" "$((${before:-0} + 1))" "$(left)"
alice "$ID:$SECRET"
ok "a client that hangs up while held leaves the daemon serving" "200 0" \
    "$STATUS $BODY"
ok "and alive" 0 "$(kill -0 "$APID_PID"; echo $?)"

ok "no secret in the log" 0 \
    "$(grep -c -F -e "$SECRET" -e "$LEG" "$T/apid.log")"

# --- HESTIA_KEY_SYNC='no': the database alone decides ---
stopped_clean
echo "HESTIA_KEY_SYNC='no'" >>"$T/apid.conf"
start_apid
ID3=NotSyncedKey00000001
add_key $ID3 $SECRET alice acc-user
sleep 0.3
alice "$ID3:$SECRET"
ok "HESTIA_KEY_SYNC=no: a new Hestia key is not taken" "401 9" \
    "$STATUS $BODY"
sed -i "s/^HESTIA_KEY_SYNC=.*/HESTIA_KEY_SYNC='yes'/" "$T/apid.conf"
kill -HUP "$APID_PID"
sleep 0.5
contains "SIGHUP: a changed HESTIA_KEY_SYNC says it needs a restart" \
    "the key sync follows a change only on restart" "$(cat "$T/apid.log")"
stopped_clean
finish
