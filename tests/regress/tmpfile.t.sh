#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The built-in v-make-tmp-file: content plus a newline in TMP_DIR/basename,
# mode 0600, names checked, symlinks replaced and never written through;
# the file is then usable as a command argument.
. "$(dirname "$0")/lib.sh"

# The recorded stubs plus v-read-file, which prints the file named by arg2
# (as v-add-user reads a /tmp password file).
BIN=$T/bin
mkdir -p "$BIN"
cp "$top"/tests/compat/bin/* "$BIN"/
cat >"$BIN/v-read-file" <<'EOF'
#!/bin/sh
# info: print the file named by arg2 (regress stub)
# options: USER FILE
cat "$2"
EOF
chmod 755 "$BIN/v-read-file"

write_conf </dev/null
K=$(new_key admin)
KU=$(new_key alice --perm v-list-users)
IDU=${KU%%:*}
KS=$(new_key admin --perm sync-dns-cluster)
start_apid
TMP=$T/tmp
nl='
'

# mk NAME CONTENT [curl args]: v-make-tmp-file with arg1=CONTENT arg2=NAME.
mk() {
	n=$1
	c=$2
	shift 2
	req -d "hash=$K" -d cmd=v-make-tmp-file --data-urlencode "arg1=$c" \
	    --data-urlencode "arg2=$n" "$@"
}

# filecheck NAME PATH EXPECTED-BYTES: the file holds exactly these bytes.
filecheck() {
	if [ -f "$2" ] && printf '%s' "$3" | cmp -s - "$2"; then pass; else
		fail "$1: $2 is [$(cat "$2" 2>/dev/null)]"
	fi
}

mk pw1 'hello world'
ok "data mode" "204 0" "$STATUS $CODE"
ok "data mode body" "" "$BODY"
filecheck "content plus newline" "$TMP/pw1" "hello world$nl"
ok "mode 0600" 600 "$(stat -c %a "$TMP/pw1")"
ok "owned by the daemon's user" "$(id -u)" "$(stat -c %u "$TMP/pw1")"

mk pw2 'second' -d returncode=yes
ok "code mode" "200 0 0" "$STATUS $CODE $BODY"
filecheck "code mode content" "$TMP/pw2" "second$nl"

# The argument is trimmed; inner lines stay (a zone file).
ZONE="\$ORIGIN example.com.${nl}@ IN A 192.0.2.1${nl}www IN CNAME @"
mk zone "  $ZONE  $nl"
ok "multi-line" "204" "$STATUS"
filecheck "multi-line content" "$TMP/zone" "$ZONE$nl"
mk empty ''
ok "empty content" "204" "$STATUS"
filecheck "empty content is a newline" "$TMP/empty" "$nl"

# An existing file is replaced.
mk pw1 'new'
ok "overwrite" "204" "$STATUS"
filecheck "overwritten content" "$TMP/pw1" "new$nl"
ok "overwrite keeps 0600" 600 "$(stat -c %a "$TMP/pw1")"

# Only the basename counts.
mkdir -p "$T/elsewhere"
mk "$T/elsewhere/pw3" 'based'
ok "path name" "204" "$STATUS"
filecheck "basename in TMP_DIR" "$TMP/pw3" "based$nl"
ok "nothing written at the given path" no \
    "$(test -e "$T/elsewhere/pw3" && echo yes || echo no)"
mk "../pw4" 'up'
ok "../name" "204" "$STATUS"
filecheck "../name lands in TMP_DIR" "$TMP/pw4" "up$nl"
ok "nothing written above TMP_DIR" no \
    "$(test -e "$T/pw4" && echo yes || echo no)"
mk "a-b_c.D9" 'x'
ok "all allowed chars" "204" "$STATUS"

# Bad names: a leading dot, chars outside [A-Za-z0-9._-], nothing left.
for n in .hidden .. . 'a b' 'a;b' 'a$b' 'é' 'a*' "a${nl}b" 'dir/.x'; do
	before=$(ls -A "$TMP" | wc -l)
	mk "$n" 'bad'
	ok "bad name [$n]" "422 2" "$STATUS $CODE"
	ok "bad name [$n] writes nothing" "$before" "$(ls -A "$TMP" | wc -l)"
done
mk '.hidden' 'bad' -d returncode=yes
ok "bad name, code mode" "422 2 2" "$STATUS $CODE $BODY"

# A symlink at the name is replaced by a file, never written through.
printf 'precious\n' >"$T/victim"
ln -s "$T/victim" "$TMP/lnk"
mk lnk 'attack'
ok "over a symlink" "204" "$STATUS"
filecheck "link target unchanged" "$T/victim" "precious$nl"
ok "symlink replaced" no "$(test -L "$TMP/lnk" && echo yes || echo no)"
filecheck "new file at the name" "$TMP/lnk" "attack$nl"
ok "replacement is 0600" 600 "$(stat -c %a "$TMP/lnk")"
ln -s "$T/nonexistent" "$TMP/dangling"
mk dangling 'attack'
ok "over a dangling symlink" "204" "$STATUS"
ok "dangling target not created" no \
    "$(test -e "$T/nonexistent" && echo yes || echo no)"
filecheck "file at the dangling name" "$TMP/dangling" "attack$nl"

# No half-written temporaries are left behind.
ok "no leftovers" "" "$(ls -A "$TMP" | grep '^\.')"

# The file is then a command argument.
req -d "hash=$K" -d cmd=v-echo-args -d arg1=u --data-urlencode "arg2=$TMP/pw2" \
    -d arg3=e@x
ok "path as argument" "200 argc=3${nl}[u]${nl}[$TMP/pw2]${nl}[e@x]" \
    "$STATUS $BODY"
req -d "hash=$K" -d cmd=v-read-file -d arg1=u --data-urlencode "arg2=$TMP/zone"
ok "command reads the file" "200 $ZONE" "$STATUS $BODY"

# Permissions: the command must be in the key's sets.
req -d "hash=$KU" -d cmd=v-make-tmp-file -d arg1=x -d arg2=pw5
ok "not permitted" \
    "401 10 Error: Key $IDU don't have permission to run the command v-make-tmp-file" \
    "$STATUS $CODE $BODY"
ok "not permitted writes nothing" no \
    "$(test -e "$TMP/pw5" && echo yes || echo no)"
req -d "hash=$KS" -d cmd=v-make-tmp-file -d arg1=x -d arg2=pw6 \
    -d returncode=yes
ok "permitted by sync-dns-cluster" "200 0" "$STATUS $BODY"
filecheck "sync-dns-cluster content" "$TMP/pw6" "x$nl"
req -d "hash=${K%%:*}:$(printf '%40s' '' | tr ' ' A)" -d cmd=v-make-tmp-file \
    -d arg1=x -d arg2=pw7
ok "bad secret" "401 9" "$STATUS $CODE"
ok "bad secret writes nothing" no \
    "$(test -e "$TMP/pw7" && echo yes || echo no)"

kill -0 "$APID_PID" 2>/dev/null
ok "daemon alive" 0 $?
stopped_clean
finish
