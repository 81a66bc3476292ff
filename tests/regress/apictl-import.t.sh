#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# hestia-apictl import-hestia: the fixture Hestia tree comes in once, with
# its secrets hashed, and its keys then work against the running daemon;
# run again it changes nothing; what was deleted with hestia-apictl stays
# deleted.
. "$(dirname "$0")/lib.sh"
# Hestia's DATE and TIME are the server's local time; shown in UTC.
TZ=UTC
export TZ

FIX=$top/tests/fixtures/hestia
S=$FIX/secrets.json

run() {
	"$APICTL" -f "$T/apid.conf" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# The counts of one kind of an import's JSON: ADDED CHANGED REMOVED
# UNCHANGED DELETED PROBLEMS.
counts() {
	printf '%s' "$OUT" | jq -r ".\"$1\" | [.ADDED, .CHANGED, .REMOVED,
	    .UNCHANGED, .DELETED, .PROBLEMS] | map(tostring) | join(\" \")"
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
run import-hestia --format json
ok "import exit" 0 "$RC"
# The six shipped sets are there already, as Hestia ships them: adopted.
ok "import: sets" "1 6 0 0 0 0" "$(counts permission-sets)"
ok "import: access keys" "6 0 0 0 0 0" "$(counts access-keys)"
ok "import: legacy keys" "1 0 0 0 0 0" "$(counts legacy-keys)"
ok "import: nothing on stderr" "" "$ERR"
run import-hestia "$T/hestia"
ok "import again exit" 0 "$RC"
contains "import shell table" "access-keys      0      0        0        6" "$OUT"
run import-hestia "$T/hestia" --format json
ok "import again changes nothing" "0 0 0 7 0 0|0 0 0 6 0 0|0 0 0 1 0 0" \
    "$(counts permission-sets)|$(counts access-keys)|$(counts legacy-keys)"

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
ok "created from DATE and TIME" "2024-03-01 09:00:02 UTC fixture alice" \
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
run import-hestia "$T/bad" --format json
ok "problems: exit E_INVALID" 2 "$RC"
ok "problems: sets" "1 0 0 0 0 2" "$(counts permission-sets)"
ok "problems: access keys" "1 0 0 0 0 4" "$(counts access-keys)"
ok "problems: legacy keys" "1 0 0 0 0 2" "$(counts legacy-keys)"
ok "an import from another tree removes nothing" 7 \
    "$("$APICTL" -f "$T/apid.conf" key list --format json | jq length)"
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
ok "good set imported, spaces trimmed" "good-set	user	v-a,v-b	hestia" "$OUT"
run key show GoodKeyGoodKey000001 --format json
ok "good key imported" "alice good-set" \
    "$(printf '%s' "$OUT" | jq -r '.USER + " " + (.PERMISSIONS | join(","))')"
run import-hestia "$T/nowhere"
ok "missing directory: E_NOTEXIST" 3 "$RC"

# --- a changed set is brought up to date ---
printf "ROLE='user'\nCOMMANDS='v-list-user,v-list-users'\n" \
    >"$T/hestia/data/api/acc-user"
run import-hestia --format json
ok "changed set imported" "0 1 0 6 0 0" "$(counts permission-sets)"
run perm show acc-user --format plain
ok "changed set holds the new commands" \
    "acc-user	user	v-list-user,v-list-users	hestia" "$OUT"
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

# --- deleted with hestia-apictl: no import brings it back ---
"$APICTL" -f "$T/apid.conf" key delete "$(sec LIMITED_KEY_ID)" >/dev/null
ok "delete an imported key" 0 $?
"$APICTL" -f "$T/apid.conf" perm add doomed --role user --commands v-a >/dev/null
cp "$T/hestia/data/api/acc-user" "$T/hestia/data/api/doomed"
"$APICTL" -f "$T/apid.conf" perm delete doomed >/dev/null
ok "delete a set" 0 $?
run import-hestia --format json
ok "import after deletes: keys" "0 0 0 5 1 0" "$(counts access-keys)"
ok "import after deletes: legacy" "0 0 0 0 1 0" "$(counts legacy-keys)"
ok "import after deletes: sets" "0 0 0 7 1 0" "$(counts permission-sets)"
req -d "access_key=$(sec LIMITED_KEY_ID)" -d "secret_key=$(sec LIMITED_SECRET)" \
    -d cmd=v-list-user -d arg1=alice -d returncode=yes
ok "deleted key stays refused" "401 9" "$STATUS $BODY"
req -d "hash=$(sec LEGACY_KEY)" -d cmd=v-list-users -d returncode=yes
ok "revoked legacy key stays refused" "401 9" "$STATUS $BODY"
run perm show doomed
ok "deleted set stays deleted" 3 "$RC"
ok "deletions recorded, by kind" "key legacy set" \
    "$(sqlite3 "$T/keys.db" "SELECT group_concat(kind, ' ') FROM (SELECT kind FROM deleted ORDER BY kind)")"

for k in ADMIN_SECRET ALICE_SECRET LEGACY_KEY; do
	ok "no $k in the logs" 0 \
	    "$(cat "$T/apid.log" "$T/auth.log" 2>/dev/null | grep -c -F -e "$(sec $k)")"
done
finish
