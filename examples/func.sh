# SPDX-License-Identifier: GPL-3.0-or-later
# Helpers shared by the example v-* commands in examples/bin/ (bash only).
#
# The examples keep Hestia's on-disk layout under $HESTIA (data/users/USER/
# user.conf and friends, KEY='value' lines), Hestia's return codes and its
# "Error: ..." messages on stdout, so that clients see what a real Hestia
# would answer. Values are parsed, never sourced or eval'ed.

# Hestia's return codes (func/main.sh), used by the scripts that source this.
# shellcheck disable=SC2034
OK=0
E_ARGS=1
E_INVALID=2
E_NOTEXIST=3
E_EXISTS=4
E_SUSPENDED=5
E_UNSUSPENDED=6
E_PASSWORD=9
E_FORBIDEN=10

HESTIA=${HESTIA:-/usr/local/hestia}
SCRIPT=${0##*/}
umask 027

# Print Hestia's error line and exit with its code.
check_result() {
	echo "Error: $2"
	exit "$1"
}

# Refuse to run on a real Hestia install: these are demonstration commands
# that would corrupt its data.
if [ -e "$HESTIA/func/main.sh" ]; then
	check_result "$E_FORBIDEN" "$HESTIA is a real Hestia install, refusing to run the example $SCRIPT"
fi
case $HESTIA in
/?*) ;;
*) check_result "$E_INVALID" "HESTIA must be an absolute path" ;;
esac

USERS_DIR=$HESTIA/data/users

# check_args MIN ARGC USAGE
check_args() {
	if [ "$2" -lt "$1" ]; then
		echo "Error: not enough arguments"
		echo "Usage: $SCRIPT $3"
		exit "$E_ARGS"
	fi
}

# Read one KEY from hestia.conf (empty when missing).
sys_conf() {
	conf_get "$1" "$(cat -- "$HESTIA/conf/hestia.conf" 2>/dev/null)"
}

# DEMO_MODE='yes' in hestia.conf makes every mutating command refuse.
check_hestia_demo_mode() {
	if [ "$(sys_conf DEMO_MODE)" = yes ]; then
		echo "ERROR: Unable to perform operation due to security restrictions that are in place."
		exit "$E_ARGS"
	fi
}

# Serialise writers of the state tree (the daemon runs commands in parallel).
lock_state() {
	mkdir -p -- "$HESTIA/data" || exit "$E_INVALID"
	exec 9>>"$HESTIA/data/.examples.lock"
	flock 9
}

is_format_valid_format() {
	case $1 in
	plain | json | shell | csv) ;;
	*) check_result "$E_INVALID" "invalid format format :: $1" ;;
	esac
}

is_user_format_valid() {
	[[ $1 =~ ^[a-z][a-z0-9_-]{0,31}$ ]] ||
		check_result "$E_INVALID" "invalid user format :: $1"
}

is_domain_format_valid() {
	[[ ${#1} -le 253 && $1 =~ ^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$ ]] ||
		check_result "$E_INVALID" "invalid domain format :: $1"
}

# A free-text value that goes inside '...' in a conf file.
is_text_valid() {
	local bad="['\\\`\$[:cntrl:]]"
	[[ ${#2} -le 128 && ! $2 =~ $bad ]] ||
		check_result "$E_INVALID" "invalid $1 format :: $2"
}

# The user exists (user.conf present); loads it into $USER_CONF.
is_user_valid() {
	is_user_format_valid "$1"
	[ -f "$USERS_DIR/$1/user.conf" ] ||
		check_result "$E_NOTEXIST" "user $1 doesn't exist"
	USER_CONF=$(cat -- "$USERS_DIR/$1/user.conf")
}

is_user_unsuspended() {
	[ "$(conf_get SUSPENDED "$USER_CONF")" != yes ] ||
		check_result "$E_SUSPENDED" "user $1 is suspended"
}

# A file made by v-make-tmp-file: /tmp/NAME, regular, not a symlink (the
# commands run as root; a link to /etc/shadow must not be read).
is_tmp_file() {
	[[ $1 =~ ^/tmp/[A-Za-z0-9._-]+$ && $1 != /tmp/. && $1 != /tmp/.. &&
	    -f $1 && ! -L $1 ]]
}

# Hestia passes secrets as /tmp/NAME files: such an argument stands for the
# file's first line, as in Hestia's is_password_valid.
arg_from_file() {
	local v=$1
	if is_tmp_file "$v"; then
		IFS= read -r v <"$v" || :
	fi
	printf '%s' "$v"
}

is_password_valid() {
	[[ ${#1} -ge 6 && ${#1} -le 256 && ! $1 =~ [[:cntrl:]] ]] ||
		check_result "$E_INVALID" "invalid password format"
}

# sha256:SALT:HEX, HEX = sha256(SALT PASSWORD).
password_hash() {
	local salt=${2:-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}
	printf 'sha256:%s:%s' "$salt" \
	    "$(printf '%s%s' "$salt" "$1" | sha256sum | cut -d' ' -f1)"
}

# Value of KEY in a blob of KEY='value' pairs (one object, any line layout).
conf_get() {
	local re="(^|[[:space:]])$1='([^']*)'"
	[[ $2 =~ $re ]] && printf '%s' "${BASH_REMATCH[2]}"
	return 0
}

# The line of FILE whose IDKEY is IDVAL (one object per line, as web.conf).
conf_line() {
	local line
	[ -f "$1" ] || return 1
	while IFS= read -r line; do
		if [[ " $line" == *" $2='$3'"* ]]; then
			printf '%s' "$line"
			return 0
		fi
	done <"$1"
	return 1
}

# conf_set FILE KEY VALUE [IDKEY IDVAL]: set KEY in a KEY='value' file, or
# with IDKEY in the one line whose IDKEY is IDVAL. Written atomically.
conf_set() {
	local tmp
	tmp=$(mktemp "$1.XXXXXX") || exit "$E_INVALID"
	K=$2 V=$3 IK=${4:-} IV=${5:-} awk '
	BEGIN { q = sprintf("%c", 39); k = ENVIRON["K"] "=" q
		nv = k ENVIRON["V"] q; ik = ENVIRON["IK"]
		id = " " ik "=" q ENVIRON["IV"] q }
	ik == "" && index($0, k) == 1 { $0 = nv; done = 1 }
	ik != "" && index(" " $0, id) {
		p = index(" " $0, " " k)
		if (p == 0) { $0 = $0 " " nv }
		else {
			rest = substr($0, p + length(k))
			$0 = substr($0, 1, p - 1) nv substr(rest, index(rest, q) + 1)
		}
		done = 1
	}
	{ print }
	END { if (!done && ik == "") print nv }' "$1" >"$tmp" || {
		rm -f -- "$tmp"
		exit "$E_INVALID"
	}
	mv -f -- "$tmp" "$1"
}

json_escape() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\t'/\\t}
	s=${s//$'\n'/\\n}
	s=${s//$'\r'/\\r}
	printf '"%s"' "$s"
}

csv_field() {
	if [[ $1 == *[,\"\ ]* ]]; then
		printf '"%s"' "${1//\"/\"\"}"
	else
		printf '%s' "$1"
	fi
}

# print_list FORMAT LAYOUT "KEY1 KEY2 ..." OBJECT...
# Each OBJECT is a blob of KEY='value' pairs; KEY1 names it in json. LAYOUT
# is "table" (a list: shell prints aligned columns) or "item" (one object:
# shell prints KEY: value lines), as Hestia's v-list-* do.
print_list() {
	local format=$1 layout=$2 keys obj k n=0 total sep
	read -r -a keys <<<"$3"
	shift 3
	total=$#
	case $format in
	json)
		echo '{'
		for obj in "$@"; do
			n=$((n + 1))
			printf '    %s: {\n' "$(json_escape "$(conf_get "${keys[0]}" "$obj")")"
			sep=
			for k in "${keys[@]:1}"; do
				[ -n "$sep" ] && printf ',\n'
				printf '        "%s": %s' "$k" "$(json_escape "$(conf_get "$k" "$obj")")"
				sep=1
			done
			if [ "$n" -lt "$total" ]; then printf '\n    },\n'; else printf '\n    }\n'; fi
		done
		echo '}'
		;;
	plain)
		for obj in "$@"; do
			sep=
			for k in "${keys[@]}"; do
				printf '%s%s' "$sep" "$(conf_get "$k" "$obj")"
				sep=$'\t'
			done
			echo
		done
		;;
	csv)
		(IFS=,; echo "${keys[*]}")
		for obj in "$@"; do
			sep=
			for k in "${keys[@]}"; do
				printf '%s%s' "$sep" "$(csv_field "$(conf_get "$k" "$obj")")"
				sep=,
			done
			echo
		done
		;;
	shell)
		if [ "$layout" = item ]; then
			for obj in "$@"; do
				for k in "${keys[@]}"; do
					printf '%-16s %s\n' "$k:" "$(conf_get "$k" "$obj")"
				done
			done
			return
		fi
		{
			(IFS=$'\t'; echo "${keys[*]}")
			for k in "${keys[@]}"; do printf '%s\t' "${k//?/-}"; done
			echo
			for obj in "$@"; do
				sep=
				for k in "${keys[@]}"; do
					printf '%s%s' "$sep" "$(conf_get "$k" "$obj")"
					sep=$'\t'
				done
				echo
			done
		} | awk -F '\t' '
		{ for (i = 1; i <= NF; i++) { c[NR, i] = $i
			if (length($i) > w[i]) w[i] = length($i) }
		  if (NF > nf) nf = NF }
		END { for (r = 1; r <= NR; r++) { line = ""
			for (i = 1; i <= nf; i++)
				line = line sprintf(i < nf ? "%-" w[i] + 2 "s" : "%s", c[r, i])
			sub(/ +$/, "", line); print line } }'
		;;
	esac
}

# The blob that v-list-user(s) print for USER: user.conf plus derived keys.
user_blob() {
	local d=$USERS_DIR/$1 n=0
	[ -f "$d/web.conf" ] && n=$(grep -c . "$d/web.conf")
	printf "USER='%s'\nU_WEB_DOMAINS='%s'\n" "$1" "$n"
	cat -- "$d/user.conf"
}
