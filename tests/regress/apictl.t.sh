#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# hestia-apictl: every verb in every format, the permission rules, CIDR
# checks, and the Hestia return codes of its errors.
. "$(dirname "$0")/lib.sh"

# run ARGS...: hestia-apictl with our config; sets OUT, ERR and RC.
run() {
	"$APICTL" -f "$T/apid.conf" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# rc NAME EXPECTED ARGS...: the exit status of a run.
rc() {
	name=$1
	want=$2
	shift 2
	run "$@"
	ok "$name" "$want" "$RC"
}

# matches NAME ERE TEXT
matches() {
	if printf '%s\n' "$3" | grep -Eq "$2"; then pass; else
		fail "$1: [$3] does not match /$2/"
	fi
}

# jsonok NAME: OUT is valid JSON.
jsonok() {
	ok "$1" 0 "$(printf '%s' "$OUT" | jq -e . >/dev/null 2>&1; echo $?)"
}

lines() {
	printf '%s\n' "$1" | grep -c .
}

write_conf </dev/null

# --- help and usage ---
rc "--help" 0 --help
contains "--help lists key add" "key add USER" "$OUT"
contains "--help lists import-hestia" "import-hestia" "$OUT"
contains "--help lists audit" "audit [--key ID]" "$OUT"
ok "--help has no jobs yet" "" "$(printf '%s\n' "$OUT" | grep -w jobs)"
rc "-h" 0 -h
rc "verb --help" 0 key add --help
contains "verb --help usage" "usage: hestia-apictl [-f file] key add USER" \
    "$OUT"
rc "noun --help" 0 perm --help
contains "noun --help lists the verbs" "perm delete SET" "$OUT"
rc "audit --help" 0 audit --help
rc "no command" 1
ok "no command: one line" 1 "$(lines "$ERR")"
contains "errors are prefixed" "hestia-apictl: " "$ERR"
rc "unknown command" 1 frobnicate
rc "unknown verb" 1 key frob
rc "missing verb" 1 key
rc "missing argument" 1 key show
rc "too many arguments" 1 key show a b
rc "unknown option" 1 key list --bogus
rc "option of another verb" 1 key list --role user
rc "bad format" 2 key list --format xml
rc "jobs is not built" 1 jobs

# --- key add: formats ---
run key add admin --format plain
ok "add plain exit" 0 "$RC"
matches "add plain is ID:SECRET" '^[A-Za-z0-9]{20}:[A-Za-z0-9_=-]{40}$' "$OUT"
KA=$OUT
IDA=${KA%%:*}
SECA=${KA#*:}
run key add admin --comment "json key" --format json
ok "add json exit" 0 "$RC"
jsonok "add json parses"
IDJ=$(printf '%s' "$OUT" | jq -r .ACCESS_KEY_ID)
SECJ=$(printf '%s' "$OUT" | jq -r .SECRET_ACCESS_KEY)
matches "add json secret" '^[A-Za-z0-9_=-]{40}$' "$SECJ"
ok "add json fields" "admin|json key|[]|active" \
    "$(printf '%s' "$OUT" | jq -r '[.USER, .COMMENT, (.PERMISSIONS|tostring), .STATE] | join("|")')"
run key add admin
ok "add shell exit" 0 "$RC"
SECS=$(printf '%s\n' "$OUT" | sed -n 's/^SECRET_ACCESS_KEY:[[:space:]]*//p')
matches "add shell KEY: value" '^[A-Za-z0-9_=-]{40}$' "$SECS"
IDS=$(printf '%s\n' "$OUT" | sed -n 's/^ACCESS_KEY_ID:[[:space:]]*//p')
run key add admin --format csv
ok "add csv exit" 0 "$RC"
ok "add csv header" \
    "ACCESS_KEY_ID,SECRET_ACCESS_KEY,USER,PERMISSIONS,COMMENT,TIME,DATE,EXPIRES,STATE,ALLOW" \
    "$(printf '%s\n' "$OUT" | head -1)"
ok "add csv rows" 2 "$(lines "$OUT")"
IDC=$(printf '%s\n' "$OUT" | sed -n 2p | cut -d, -f1)
SECC=$(printf '%s\n' "$OUT" | sed -n 2p | cut -d, -f2)

# --- key add: permission rules ---
rc "non-root key without permissions" 2 key add alice
contains "no-permission message" "needs --perm" "$ERR"
ok "one line" 1 "$(lines "$ERR")"
rc "admin set for a non-root key" 2 key add alice --perm billing
contains "admin-set message" "role admin" "$ERR"
rc "admin set among others" 2 key add alice --perm mail-accounts,sync-dns-cluster
rc "admin set for ROOT_USER" 0 key add admin --perm billing,sync-dns-cluster
rc "user set for a user" 0 key add alice --perm mail-accounts --format plain
IDU=$(printf '%s' "$OUT" | cut -d: -f1)
rc "an unknown set" 2 key add alice --perm no-such-set
contains "unknown-set message" "no permission set and no command" "$ERR"
rc "a command BIN_DIR does not have" 2 key add alice --perm v-no-such-cmd
rc "an impossible date" 2 key add admin --expires 2027-02-30
contains "impossible-date message" "--expires 2027-02-30" "$ERR"
rc "not a leap year" 2 key add admin --expires 2027-02-29
rc "no 24:00:00" 2 key add admin --expires '2027-01-01 24:00:00'
rc "a leap day" 0 key add admin --expires 2028-02-29 --format plain
rc "an impossible --since" 2 audit --since 2026-04-31
rc "a command for a user" 0 key add alice --perm v-list-users --format plain
IDV=$(printf '%s' "$OUT" | cut -d: -f1)
run key show "$IDV" --format json
ok "command kept as a name" '["v-list-users"]' \
    "$(printf '%s' "$OUT" | jq -c .PERMISSIONS)"
rc "not a set, not a command" 2 key add alice --perm 'no such/set'
rc "shell metacharacters" 2 key add alice --perm 'v-x;rm'
rc "empty --perm for a user" 2 key add alice --perm ,
rc "invalid user" 2 key add 'bad user'
rc "bad comment" 2 key add admin --comment "$(printf 'a\tb')"
# ROOT_USER comes from the config when HESTIA_CONF is empty.
sed 's/^API=.*/ROOT_USER='"'"'alice'"'"'/' "$T/apid.conf" >"$T/alice.conf"
echo "API='yes'" >>"$T/alice.conf"
"$APICTL" -f "$T/alice.conf" key add alice --perm billing >/dev/null 2>&1
ok "admin set for a ROOT_USER from the config" 0 $?
"$APICTL" -f "$T/alice.conf" key add admin >/dev/null 2>&1
ok "admin is not root then" 2 $?

# --- key add: --allow and --expires ---
rc "allow: host bits v4" 2 key add admin --allow 10.0.0.1/8
contains "host bits message" "host bits" "$ERR"
rc "allow: host bits v6" 2 key add admin --allow 2001:db8::1/32
rc "allow: prefix 33" 2 key add admin --allow 10.0.0.0/33
contains "prefix message" "0 to 32" "$ERR"
rc "allow: prefix 129" 2 key add admin --allow ::/129
rc "allow: empty prefix" 2 key add admin --allow 10.0.0.0/
rc "allow: signed prefix" 2 key add admin --allow 10.0.0.0/+8
rc "allow: not an address" 2 key add admin --allow example.org
rc "allow: /0 with host bits" 2 key add admin --allow 0.0.0.1/0
rc "allow: one bad among good" 2 key add admin --allow 10.0.0.0/8,10.1.1.1/16
rc "allow: only commas" 2 key add admin --allow ,
run key add admin --allow '10.0.0.0/8, 2001:DB8:0::/32,192.0.2.7,0.0.0.0/0,::/0' \
    --format json
ok "allow: good list" 0 "$RC"
ok "allow: canonical" \
    '["0.0.0.0/0","10.0.0.0/8","192.0.2.7/32","2001:db8::/32","::/0"]' \
    "$(printf '%s' "$OUT" | jq -c '.ALLOW | sort')"
IDW=$(printf '%s' "$OUT" | jq -r .ACCESS_KEY_ID)
ok "allow: rows in key_allow" 5 \
    "$(sqlite3 "$T/keys.db" "SELECT count(*) FROM key_allow WHERE key_id = '$IDW'")"
rc "expires +DAYS" 0 key add admin --expires +30 --format json
matches "expires shown" '^20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC$' \
    "$(printf '%s' "$OUT" | jq -r .EXPIRES)"
# One zone everywhere, and it says so: whatever the admin's TZ.
TZ=America/New_York rc "expires DATE" 0 key add admin --expires 2099-12-31 \
    --format json
ok "expires DATE taken and shown in UTC" "2099-12-31 00:00:00 UTC" \
    "$(printf '%s' "$OUT" | jq -r .EXPIRES)"
IDX=$(printf '%s' "$OUT" | jq -r .ACCESS_KEY_ID)
ok "stored as 2099-12-31 00:00 UTC" 4102358400 \
    "$(sqlite3 "$T/keys.db" "SELECT expires_at FROM keys WHERE id = '$IDX'")"
ok "the view says UTC too" "2099-12-31 00:00:00 UTC" \
    "$(sqlite3 "$T/keys.db" "SELECT expires FROM keys_view WHERE id = '$IDX'")"
TZ=Asia/Tokyo rc "key show in another TZ" 0 key show "$IDX" --format json
ok "shown the same from another TZ" "2099-12-31 00:00:00 UTC" \
    "$(printf '%s' "$OUT" | jq -r .EXPIRES)"
rc "expires in the past" 2 key add admin --expires 2001-01-01
rc "expires bad" 2 key add admin --expires tomorrow
rc "expires +0" 2 key add admin --expires +0

# --- key list / show ---
run key list --format json
ok "list json exit" 0 "$RC"
jsonok "list json parses"
NKEYS=$(printf '%s' "$OUT" | jq length)
ok "list json holds all keys" \
    "$(sqlite3 "$T/keys.db" 'SELECT count(*) FROM keys')" "$NKEYS"
ok "list json has no secret field" 0 "$(printf '%s' "$OUT" | grep -c SECRET)"
ok "list json fields" \
    "ACCESS_KEY_ID,USER,PERMISSIONS,COMMENT,TIME,DATE,EXPIRES,STATE,ALLOW,LAST_USED,LAST_IP,USE_COUNT,SOURCE" \
    "$(printf '%s' "$OUT" | jq -r "[.\"$IDA\" | keys_unsorted[]] | join(\",\")")"
run key list --format plain
ok "list plain: a line per key" "$NKEYS" "$(lines "$OUT")"
ok "list plain: tab-separated" 13 \
    "$(printf '%s\n' "$OUT" | head -1 | awk -F '\t' '{print NF}')"
run key list --format csv
ok "list csv: header and rows" "$((NKEYS + 1))" "$(lines "$OUT")"
ok "list csv header" \
    "ACCESS_KEY_ID,USER,PERMISSIONS,COMMENT,TIME,DATE,EXPIRES,STATE,ALLOW,LAST_USED,LAST_IP,USE_COUNT,SOURCE" \
    "$(printf '%s\n' "$OUT" | head -1)"
contains "list csv quotes lists" ',"billing,sync-dns-cluster",' "$OUT"
run key list
ok "list shell exit" 0 "$RC"
ok "list shell: a block per key" "$NKEYS" \
    "$(printf '%s\n' "$OUT" | grep -c '^ACCESS_KEY_ID: ')"
run key list alice --format json
ok "list by user" "alice" \
    "$(printf '%s' "$OUT" | jq -r '[.[].USER] | unique | join(",")')"
run key list nobody --format json
ok "list of nobody" "{}" "$(printf '%s' "$OUT" | jq -c .)"
run key show "$IDU"
ok "show exit" 0 "$RC"
contains "show USER" "USER:          alice" "$OUT"
contains "show STATE" "STATE:         active" "$OUT"
contains "show USE_COUNT" "USE_COUNT:     0" "$OUT"
run key show "$IDU" --format json
ok "show json is the key" "$IDU" "$(printf '%s' "$OUT" | jq -r .ACCESS_KEY_ID)"
run key show "$IDU" --format plain
ok "show plain: one line" 1 "$(lines "$OUT")"
run key show "$IDU" --format csv
ok "show csv: two lines" 2 "$(lines "$OUT")"
rc "show missing" 3 key show AAAAAAAAAAAAAAAAAAAA
contains "show missing message" "doesn't exist" "$ERR"
for s in "$SECA" "$SECJ" "$SECS" "$SECC"; do
	run key list --format json
	ok "no secret in listings" 0 "$(printf '%s' "$OUT" | grep -c -F -e "$s")"
done

# --- disable, enable, expired, delete ---
rc "disable" 0 key disable "$IDU"
ok "disable prints nothing" "" "$OUT"
run key show "$IDU" --format json
ok "state disabled" disabled "$(printf '%s' "$OUT" | jq -r .STATE)"
rc "disable twice" 0 key disable "$IDU"
rc "enable" 0 key enable "$IDU"
run key show "$IDU" --format json
ok "state active again" active "$(printf '%s' "$OUT" | jq -r .STATE)"
sqlite3 "$T/keys.db" "UPDATE keys SET expires_at = strftime('%s','now') - 60
    WHERE id = '$IDV'"
run key show "$IDV" --format json
ok "state expired" expired "$(printf '%s' "$OUT" | jq -r .STATE)"
rc "disable missing" 3 key disable AAAAAAAAAAAAAAAAAAAA
rc "enable missing" 3 key enable AAAAAAAAAAAAAAAAAAAA
rc "delete" 0 key delete "$IDV"
rc "delete again" 3 key delete "$IDV"
rc "show deleted" 3 key show "$IDV"
ok "perms deleted with the key" 0 \
    "$(sqlite3 "$T/keys.db" "SELECT count(*) FROM key_perms WHERE key_id = '$IDV'")"

# --- apikey ---
run apikey generate --format plain
ok "apikey plain exit" 0 "$RC"
matches "apikey plain is the key" '^[A-Za-z0-9_-]{32}$' "$OUT"
LK=$OUT
LOOKUP=$(printf '%s' "$LK" | sha256sum | cut -c1-64)
ok "apikey stored by its SHA-256" 1 \
    "$(sqlite3 "$T/keys.db" "SELECT count(*) FROM legacy_keys WHERE lookup = '$LOOKUP' AND secret_hash LIKE '\$argon2id\$%'")"
run apikey generate --format json
jsonok "apikey json parses"
LK2=$(printf '%s' "$OUT" | jq -r .API_KEY)
matches "apikey json API_KEY" '^[A-Za-z0-9_-]{32}$' "$LK2"
run apikey generate
LK3=$(printf '%s\n' "$OUT" | sed -n 's/^API_KEY:[[:space:]]*//p')
matches "apikey shell API_KEY" '^[A-Za-z0-9_-]{32}$' "$LK3"
run apikey generate --format csv
ok "apikey csv header" API_KEY "$(printf '%s\n' "$OUT" | head -1)"
LK4=$(printf '%s\n' "$OUT" | sed -n 2p)
run apikey list
ok "apikey list exit" 0 "$RC"
contains "apikey list shows the lookup prefix" "$(echo "$LOOKUP" | cut -c1-12)" "$OUT"
ok "apikey list: header, dashes, 4 rows" 6 "$(lines "$OUT")"
run apikey list --format json
ok "apikey list json" 4 "$(printf '%s' "$OUT" | jq length)"
ok "apikey list json fields" "LOOKUP,TIME,DATE,SOURCE" \
    "$(printf '%s' "$OUT" | jq -r '[first(.[]) | keys_unsorted[]] | join(",")')"
run apikey list --format plain
ok "apikey list plain" 4 "$(lines "$OUT")"
run apikey list --format csv
ok "apikey list csv" 5 "$(lines "$OUT")"
for k in "$LK" "$LK2" "$LK3" "$LK4"; do
	ok "no legacy key in listings" 0 "$(cat "$T/out" | grep -c -F -e "$k")"
done
rc "apikey revoke" 0 apikey revoke "$LK"
rc "apikey revoke twice" 3 apikey revoke "$LK"
ok "revoke message hides the key" 0 "$(printf '%s' "$ERR" | grep -c -F -e "$LK")"
P2=$(printf '%s' "$LK2" | sha256sum | cut -c1-12)
rc "apikey revoke by lookup prefix" 0 apikey revoke "$P2"
rc "apikey revoke a key beginning with -" 3 \
    apikey revoke -abcdefghijklmnopqrstuvwxyz012345
rc "apikey revoke after --" 3 apikey revoke -- -abcdefghijklmnopqrstuvwxyz
rc "apikey revoke --help" 0 apikey revoke --help
rc "apikey revoke short prefix" 3 apikey revoke "$(echo "$P2" | cut -c1-6)"
run apikey list --format plain
ok "two legacy keys left" 2 "$(lines "$OUT")"

# --- perm ---
run perm list --format json
jsonok "perm list json parses"
ok "perm list json shape" admin \
    "$(printf '%s' "$OUT" | jq -r '.billing.ROLE')"
ok "perm list json commands" true \
    "$(printf '%s' "$OUT" | jq '.["sync-dns-cluster"].COMMANDS | index("v-list-users") != null')"
ok "perm list json keys" "COMMANDS,SOURCE,ROLE" \
    "$(printf '%s' "$OUT" | jq -r '.billing | keys_unsorted | join(",")')"
run perm list
contains "perm list shell table" "API" "$(printf '%s\n' "$OUT" | head -1)"
ok "perm list shell rows" 8 "$(lines "$OUT")"
run perm list --format plain
ok "perm list plain" "update-dns-records	user	v-change-dns-record,v-list-dns-records	builtin" \
    "$(printf '%s\n' "$OUT" | tail -1)"
run perm list --format csv
ok "perm list csv header" "API,ROLE,COMMANDS,SOURCE" "$(printf '%s\n' "$OUT" | head -1)"
run perm show phpmyadmin-sso --format json
ok "perm show json" \
    '{"API":"phpmyadmin-sso","ROLE":"admin","COMMANDS":["v-add-database-temp-user","v-delete-database-temp-user"],"SOURCE":"builtin"}' \
    "$(printf '%s' "$OUT" | jq -c .)"
run perm show phpmyadmin-sso
contains "perm show shell" "ROLE:     admin" "$OUT"
rc "perm show missing" 3 perm show nope
rc "perm add" 0 perm add my-set --role user --commands v-a,v-b,v-a
ok "perm add prints nothing" "" "$OUT"
run perm show my-set --format plain
ok "perm add stored" "my-set	user	v-a,v-b	local" "$OUT"
rc "perm add exists" 4 perm add my-set --role user --commands v-c
rc "perm add bad role" 2 perm add other --role root --commands v-a
rc "perm add bad name" 2 perm add 'a/b' --role user --commands v-a
rc "perm add bad command" 2 perm add other --role user --commands 'v-a,../x'
rc "perm add no commands" 2 perm add other --role user --commands ,
rc "perm add without --role" 1 perm add other --commands v-a
rc "perm add without --commands" 1 perm add other --role user
rc "perm add admin" 0 perm add my-admin --role admin --commands v-list-users
rc "admin set of ours for a user" 2 key add alice --perm my-admin
rc "user set of ours for a user" 0 key add alice --perm my-set --format plain
IDM=$(printf '%s' "$OUT" | cut -d: -f1)
rc "perm delete in use" 7 perm delete my-set
contains "perm delete in use: how many" "used by 1 key" "$ERR"
rc "delete the user of the set" 0 key delete "$IDM"
rc "perm delete" 0 perm delete my-set
rc "perm delete again" 3 perm delete my-set
ok "perm delete takes the commands" 0 \
    "$(sqlite3 "$T/keys.db" "SELECT count(*) FROM perm_set_commands WHERE set_name = 'my-set'")"

# --- allow ---
rc "allow add" 0 allow add 192.0.2.0/24 --comment office
rc "allow add v6" 0 allow add 2001:DB8:0:0::/48
rc "allow add host" 0 allow add 198.51.100.7
rc "allow add exists" 4 allow add 192.0.2.0/24
rc "allow add exists, other spelling" 4 allow add 2001:db8::/48
rc "allow add host bits" 2 allow add 192.0.2.1/24
rc "allow add bad" 2 allow add 300.1.1.1
rc "allow add bad comment" 2 allow add 203.0.113.0/24 \
    --comment "$(printf 'a\nb')"
run allow list --format json
jsonok "allow list json"
ok "allow list canonical" "192.0.2.0/24,198.51.100.7/32,2001:db8::/48" \
    "$(printf '%s' "$OUT" | jq -r 'keys | join(",")')"
ok "allow list comment" office \
    "$(printf '%s' "$OUT" | jq -r '.["192.0.2.0/24"].COMMENT')"
run allow list
ok "allow list shell" 5 "$(lines "$OUT")"
run allow list --format plain
ok "allow list plain" 3 "$(lines "$OUT")"
run allow list --format csv
ok "allow list csv header" "CIDR,COMMENT,TIME,DATE" "$(printf '%s\n' "$OUT" | head -1)"
rc "allow delete" 0 allow delete 2001:db8:0::/48
rc "allow delete again" 3 allow delete 2001:db8::/48
rc "allow delete bad" 2 allow delete nonsense
run allow list --format plain
ok "allow list after delete" 2 "$(lines "$OUT")"

# --- audit ---
sqlite3 "$T/keys.db" "INSERT INTO audit (at_ms, who, peer_ip, client_ip, cmd,
    args, exit_code, http_status, duration_ms) VALUES
    ((strftime('%s','now') - 3 * 86400) * 1000, '$IDA', '127.0.0.1',
	'127.0.0.1', 'v-list-users', '[\"json\"]', 0, 200, 12),
    ((strftime('%s','now') - 7200) * 1000, '$IDU', '127.0.0.1',
	'127.0.0.1', 'v-list-user', '[\"alice\"]', 0, 200, 7),
    (strftime('%s','now') * 1000, '$IDA', '127.0.0.1', '10.0.0.9',
	'v-echo-args', '[\"a,b\",\"c\"]', 3, 500, 3)"
run audit
ok "audit exit" 0 "$RC"
ok "audit shell: header, dashes, 3 rows" 5 "$(lines "$OUT")"
contains "audit newest first" v-echo-args "$(printf '%s\n' "$OUT" | sed -n 3p)"
run audit --format json
jsonok "audit json"
ok "audit json newest first" "3,2,1" \
    "$(printf '%s' "$OUT" | jq -r 'keys_unsorted | join(",")')"
ok "audit json args" '["a,b","c"]' "$(printf '%s' "$OUT" | jq -c '.["3"].ARGS')"
ok "audit json numbers" 500 "$(printf '%s' "$OUT" | jq '.["3"].HTTP_STATUS')"
run audit --key "$IDA" --format plain
ok "audit --key" 2 "$(lines "$OUT")"
run audit --since -1h --format plain
ok "audit --since -1h" 1 "$(lines "$OUT")"
run audit --since -1d --format plain
ok "audit --since -1d" 2 "$(lines "$OUT")"
run audit --since 2000-01-01 --format plain
ok "audit --since DATE" 3 "$(lines "$OUT")"
run audit --since '2999-01-01 00:00:00' --format plain
ok "audit --since future" 0 "$(lines "$OUT")"
run audit --limit 1 --format csv
ok "audit --limit 1" 2 "$(lines "$OUT")"
ok "audit csv header" \
    "ID,AT,WHO,PEER_IP,CLIENT_IP,CMD,ARGS,EXIT_CODE,HTTP_STATUS,DURATION_MS,COUNT" \
    "$(printf '%s\n' "$OUT" | head -1)"
contains "audit csv args quoted" '"[""a,b"",""c""]"' "$OUT"
# A stored value cannot fake a row or move the cursor: control
# characters, C1 controls and bad UTF-8 are shown as escapes.
sqlite3 "$T/keys.db" "INSERT INTO audit (at_ms, who, peer_ip, client_ip, cmd,
    args, exit_code, http_status, duration_ms) VALUES (1, 'x', '', '',
    'v' || char(27) || '[2J' || char(10) || '2026 admin v-delete-user'
    || char(155) || '1', '[]', 0, 200, 0)"
run audit --limit 1 --format plain
ok "audit: one line per row" 1 "$(lines "$OUT")"
contains "audit: escapes shown" 'v\x1b[2J\n2026 admin v-delete-user\xc2\x9b1' "$OUT"
run audit --limit 1 --format json
ok "audit json: ASCII only" "" "$(printf '%s' "$OUT" | LC_ALL=C tr -d '\n\t -~')"
rc "audit bad since" 2 audit --since yesterday
rc "audit bad since unit" 2 audit --since -3y
rc "audit bad limit" 2 audit --limit 0
rc "audit bad limit text" 2 audit --limit ten
rc "audit argument" 1 audit extra

# --- errors of the environment ---
"$APICTL" -f "$T/nonexistent.conf" key list >/dev/null 2>&1
ok "missing config: E_PARSING" 12 $?
sed "s|^DATABASE=.*|DATABASE='$T/no/such/dir/keys.db'|" "$T/apid.conf" \
    >"$T/nodb.conf"
"$APICTL" -f "$T/nodb.conf" key list >/dev/null 2>"$T/err"
ok "database unavailable: E_DB" 17 $?
ok "database error: one line" 1 "$(lines "$(cat "$T/err")")"
finish
