#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# hestia-apictl import-hestia: the fixture Hestia tree comes in once, with
# its secrets hashed, and its keys then work against the running daemon.
. "$(dirname "$0")/lib.sh"

FIX=$top/tests/fixtures/hestia
S=$FIX/secrets.json

run() {
	"$APICTL" -f "$T/apid.conf" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

lines() {
	printf '%s\n' "$1" | grep -c .
}

sec() {
	jq -r ".$1" "$S"
}

# A copy, so that tests may change it; HESTIA_CONF names its hestia.conf.
cp -R "$FIX" "$T/hestia"
write_conf <<EOF
HESTIA_CONF='$T/hestia/conf/hestia.conf'
SHADOW_FILE='$T/hestia/shadow'
LOCKOUT='1000/600/1'
EOF

# --- the default directory is two levels above HESTIA_CONF ---
run import-hestia
ok "import exit" 0 "$RC"
ok "import summary" \
    "imported 6 access keys, 1 legacy key, 1 permission set; skipped 6 already present" \
    "$OUT"
ok "import: nothing on stderr" "" "$ERR"
run import-hestia "$T/hestia"
ok "import again exit" 0 "$RC"
ok "import again skips all" \
    "imported 0 access keys, 0 legacy keys, 0 permission sets; skipped 14 already present" \
    "$OUT"
run import-hestia "$T/hestia" --format json
ok "import json" '{"ACCESS_KEYS":0,"LEGACY_KEYS":0,"PERMISSION_SETS":0,"SKIPPED":14,"PROBLEMS":0}' \
    "$(printf '%s' "$OUT" | jq -c .)"

# --- what came in ---
run key list --format json
ok "six keys" 6 "$(printf '%s' "$OUT" | jq length)"
for k in ADMIN ALICE LIMITED NOSET BOB GHOST; do
	id=$(sec ${k}_KEY_ID)
	ok "key $k imported with its ID" "$id" \
	    "$(printf '%s' "$OUT" | jq -r ".\"$id\".ACCESS_KEY_ID")"
done
ok "ADMIN has no permissions" "admin []" \
    "$(printf '%s' "$OUT" | jq -c -r ".\"$(sec ADMIN_KEY_ID)\" | .USER + \" \" + (.PERMISSIONS|tostring)")"
ok "NOSET keeps its missing set" '["no-such-set"]' \
    "$(printf '%s' "$OUT" | jq -c ".\"$(sec NOSET_KEY_ID)\".PERMISSIONS")"
ok "GHOST keeps its owner" ghost \
    "$(printf '%s' "$OUT" | jq -r ".\"$(sec GHOST_KEY_ID)\".USER")"
ok "created from DATE and TIME" "2024-03-01 09:00:02 fixture alice" \
    "$(printf '%s' "$OUT" | jq -r ".\"$(sec ALICE_KEY_ID)\" | .DATE + \" \" + .TIME + \" \" + .COMMENT")"
run perm show acc-user --format json
ok "acc-user set" "user 11" \
    "$(printf '%s' "$OUT" | jq -r '.ROLE + " " + (.COMMANDS | length | tostring)')"
run apikey list --format plain
ok "legacy key listed by lookup" \
    "$(printf '%s' "$(sec LEGACY_KEY)" | sha256sum | cut -c1-12)" \
    "$(printf '%s\n' "$OUT" | cut -f1)"

# --- no secret anywhere in the database ---
sqlite3 "$T/keys.db" .dump >"$T/dump.sql"
ok "dump works" yes "$([ -s "$T/dump.sql" ] && echo yes || echo no)"
for k in ADMIN_SECRET ALICE_SECRET LIMITED_SECRET NOSET_SECRET BOB_SECRET \
    GHOST_SECRET LEGACY_KEY; do
	ok "no $k in the dump" 0 "$(grep -c -F -e "$(sec $k)" "$T/dump.sql")"
	ok "no $k in the db files" 0 \
	    "$(cat "$T"/keys.db* | grep -c -a -F -e "$(sec $k)")"
done
ok "all hashes are argon2id" 7 \
    "$(sqlite3 "$T/keys.db" "SELECT (SELECT count(*) FROM keys WHERE secret_hash LIKE '\$argon2id\$%') + (SELECT count(*) FROM legacy_keys WHERE secret_hash LIKE '\$argon2id\$%')")"

# --- problem files: reported one by one, the rest imported ---
mkdir -p "$T/bad/data/api" "$T/bad/data/access-keys" "$T/bad/data/keys"
printf "ROLE='root'\nCOMMANDS='v-a'\n" >"$T/bad/data/api/badrole"
printf "ROLE='user'\nCOMMANDS='v-a,../x'\n" >"$T/bad/data/api/badcmd"
printf "ROLE='user'\nCOMMANDS='v-a, v-b'\n" >"$T/bad/data/api/good-set"
printf "USER='alice'\nPERMISSIONS='good-set'\n" \
    >"$T/bad/data/access-keys/NoSecretNoSecret0001"
printf "SECRET_ACCESS_KEY='%s'\nUSER='alice'\n" "$(sec ALICE_SECRET)" \
    >"$T/bad/data/access-keys/tooshort"
printf "SECRET_ACCESS_KEY='unterminated\nUSER='alice'\n" \
    >"$T/bad/data/access-keys/Unterminated00000001"
printf "SECRET_ACCESS_KEY='%s'\nUSER='bad user!'\n" "$(sec BOB_SECRET)" \
    >"$T/bad/data/access-keys/BadUserBadUser000001"
GOODSEC=GoodSecretGoodSecretGoodSecretGoodSecret
printf "SECRET_ACCESS_KEY='%s'\nUSER='alice'\nPERMISSIONS='good-set'\nDATE='bad'\n" \
    "$GOODSEC" >"$T/bad/data/access-keys/GoodKeyGoodKey000001"
: >"$T/bad/data/keys/ShortLegacy01"
: >"$T/bad/data/keys/GoodLegacyKeyGoodLegacyKey000001"
mkdir "$T/bad/data/keys/LegacyKeyThatIsADirectory01"
run import-hestia "$T/bad"
ok "problems: exit E_INVALID" 2 "$RC"
ok "problems: summary" \
    "imported 1 access key, 1 legacy key, 1 permission set; skipped 0 already present; 8 not imported (see above)" \
    "$OUT"
ok "problems: a line each" 8 "$(lines "$ERR")"
contains "bad role" "badrole: ROLE must be admin or user" "$ERR"
contains "bad command" "badcmd: invalid command name" "$ERR"
contains "missing secret" "NoSecretNoSecret0001: SECRET_ACCESS_KEY missing" \
    "$ERR"
contains "bad file name" "tooshort: not an access key ID" "$ERR"
contains "bad syntax" "Unterminated00000001:1: unterminated quote" "$ERR"
contains "bad user" "BadUserBadUser000001: USER missing or not valid" "$ERR"
contains "bad legacy name" "13 characters" "$ERR"
ok "no legacy key name in messages" 0 \
    "$(printf '%s' "$ERR" | grep -c -e ShortLegacy01 -e LegacyKeyThatIsADirectory01)"
ok "no secret in messages" 0 \
    "$(printf '%s\n%s' "$OUT" "$ERR" | grep -c -F -e "$(sec ALICE_SECRET)" -e "$(sec BOB_SECRET)" -e "$GOODSEC")"
run perm show good-set --format plain
ok "good set imported, spaces trimmed" "good-set	user	v-a,v-b" "$OUT"
run key show GoodKeyGoodKey000001 --format json
ok "good key imported" "alice good-set" \
    "$(printf '%s' "$OUT" | jq -r '.USER + " " + (.PERMISSIONS | join(","))')"
run import-hestia "$T/nowhere"
ok "missing directory: E_NOTEXIST" 3 "$RC"

# --- a changed set is brought up to date ---
printf "ROLE='user'\nCOMMANDS='v-list-user,v-list-users'\n" \
    >"$T/hestia/data/api/acc-user"
run import-hestia
ok "changed set imported" \
    "imported 0 access keys, 0 legacy keys, 1 permission set; skipped 13 already present" \
    "$OUT"
run perm show acc-user --format plain
ok "changed set holds the new commands" "acc-user	user	v-list-user,v-list-users" \
    "$OUT"
cp "$FIX/data/api/acc-user" "$T/hestia/data/api/acc-user"
run import-hestia
ok "and back" 0 "$RC"

# --- users and ROOT_USER from HESTIA_CONF ---
run key add carol --perm acc-user
ok "key for a user Hestia does not have" 3 "$RC"
contains "missing user message" "user carol doesn't exist" "$ERR"
run key add alice --perm billing
ok "admin set refused for alice" 2 "$RC"
sed -i "s/^ROOT_USER=.*/ROOT_USER='alice'/" "$T/hestia/conf/hestia.conf"
run key add alice --perm billing --format plain
ok "ROOT_USER from HESTIA_CONF" 0 "$RC"
run key add admin
ok "admin without permissions once alice is root" 2 "$RC"
sed -i "s/^ROOT_USER=.*/ROOT_USER='admin'/" "$T/hestia/conf/hestia.conf"

# --- the imported keys against the daemon ---
start_apid
ADMIN=$(sec ADMIN_KEY_ID):$(sec ADMIN_SECRET)
req -d "hash=$ADMIN" -d cmd=v-list-users -d returncode=yes
ok "imported ADMIN key works" "200 0" "$STATUS $BODY"
req -d "access_key=$(sec ALICE_KEY_ID)" -d "secret_key=$(sec ALICE_SECRET)" \
    -d cmd=v-list-user -d arg1=alice -d returncode=yes
ok "imported ALICE key works" "200 0" "$STATUS $BODY"
req -d "access_key=$(sec LIMITED_KEY_ID)" -d "secret_key=$(sec LIMITED_SECRET)" \
    -d cmd=v-echo-args -d returncode=yes
ok "LIMITED key limited to its set" "401 10" "$STATUS $BODY"
req -d "access_key=$(sec NOSET_KEY_ID)" -d "secret_key=$(sec NOSET_SECRET)" \
    -d cmd=v-list-user -d arg1=alice -d returncode=yes
ok "NOSET key may run nothing" "401 10" "$STATUS $BODY"
req -d "access_key=$(sec BOB_KEY_ID)" -d "secret_key=$(sec BOB_SECRET)" \
    -d cmd=v-list-user -d arg1=bob -d returncode=yes
ok "BOB is suspended" "401 9" "$STATUS $BODY"
req -d "access_key=$(sec GHOST_KEY_ID)" -d "secret_key=$(sec GHOST_SECRET)" \
    -d cmd=v-list-user -d arg1=ghost -d returncode=yes
ok "GHOST has no owner" "401 9" "$STATUS $BODY"
req -d "hash=$(sec LEGACY_KEY)" -d cmd=v-list-users -d returncode=yes
ok "imported legacy key works" "200 0" "$STATUS $BODY"

"$APICTL" -f "$T/apid.conf" key disable "$(sec ADMIN_KEY_ID)"
ok "disable exit" 0 $?
req -d "hash=$ADMIN" -d cmd=v-list-users -d returncode=yes
ok "disabled key refused" "401 9 9" "$STATUS $CODE $BODY"
"$APICTL" -f "$T/apid.conf" key enable "$(sec ADMIN_KEY_ID)"
ok "enable exit" 0 $?
req -d "hash=$ADMIN" -d cmd=v-list-users -d returncode=yes
ok "enabled key works again" "200 0 0" "$STATUS $CODE $BODY"

sqlite3 "$T/keys.db" "UPDATE keys SET expires_at = strftime('%s','now') - 1
    WHERE id = '$(sec ALICE_KEY_ID)'"
req -d "access_key=$(sec ALICE_KEY_ID)" -d "secret_key=$(sec ALICE_SECRET)" \
    -d cmd=v-list-user -d arg1=alice -d returncode=yes
ok "expired key refused" "401 9 9" "$STATUS $CODE $BODY"
"$APICTL" -f "$T/apid.conf" key show "$(sec ALICE_KEY_ID)" --format json \
    >"$T/out"
ok "expired key shown as expired" expired "$(jq -r .STATE "$T/out")"

K=$("$APICTL" -f "$T/apid.conf" key add admin --expires +1 --format plain)
req -d "hash=$K" -d cmd=v-list-users -d returncode=yes
ok "key with a future expiry works" "200 0" "$STATUS $BODY"

# --allow: the key's own ranges, read by the daemon from key_allow.
K=$("$APICTL" -f "$T/apid.conf" key add admin --allow 192.0.2.0/24 --format plain)
req -d "hash=$K" -d cmd=v-list-users -d returncode=yes
ok "key from outside its --allow refused" "401 9" "$STATUS $BODY"
K=$("$APICTL" -f "$T/apid.conf" key add admin --allow 192.0.2.0/24,127.0.0.0/8,::1 \
    --format plain)
req -d "hash=$K" -d cmd=v-list-users -d returncode=yes
ok "key from inside its --allow works" "200 0" "$STATUS $BODY"

"$APICTL" -f "$T/apid.conf" apikey revoke "$(sec LEGACY_KEY)"
ok "revoke the legacy key" 0 $?
req -d "hash=$(sec LEGACY_KEY)" -d cmd=v-list-users -d returncode=yes
ok "revoked legacy key refused" "401 9" "$STATUS $BODY"

for k in ADMIN_SECRET ALICE_SECRET LEGACY_KEY; do
	ok "no $k in the logs" 0 \
	    "$(cat "$T/apid.log" "$T/auth.log" 2>/dev/null | grep -c -F -e "$(sec $k)")"
done
finish
