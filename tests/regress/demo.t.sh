#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# make demo's script: every line it prints under "Try:" works, and SIGINT
# (from kill, or Ctrl-C in a terminal, which reaches the daemon too) stops
# it quietly with status 0, leaving no daemon behind.
. "$(dirname "$0")/lib.sh"

# demo_wait FILE: until the demo printed its banner (or 30 s).
demo_wait() {
	i=0
	until grep -q 'Ctrl-C stops it' "$1" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 300 ]; then
			fail "the demo did not start: $(cat "$1" "$T/demo.err")"
			finish
			exit 1
		fi
		sleep 0.1
	done
}

# left: how many daemons of the demos under $T still run.
left() {
	pgrep -cf "hestia-apid -d -f $T/"
}

mkdir -p "$T/a" "$T/b"
# A shell's background job starts with SIGINT ignored, and then no trap
# can catch it: env gives the demo the disposition a terminal would.
(cd "$top" && TMPDIR=$T/a BUILD=$BUILD exec env --default-signal=INT \
    sh examples/demo.sh) >"$T/demo.out" 2>"$T/demo.err" &
DEMO=$!
PIDS="$PIDS $DEMO"
demo_wait "$T/demo.out"

# Each curl line as printed, the slow one aside.
sed -n 's/^  \(curl .*\)$/\1/p' "$T/demo.out" | grep -v v-sleep >"$T/lines"
ok "the demo prints its curl lines" 5 "$(grep -c . "$T/lines")"
run_line() {	# N: the output of line N
	sh -c "$(sed -n "${1}p" "$T/lines")" 2>&1
}
contains "v-list-users json" '"demo": {' "$(run_line 1)"
contains "v-list-user demo json" '"CONTACT": "demo@example.com"' \
    "$(run_line 2)"
ok "v-check-user-password with the printed password" 0 "$(run_line 3)"
contains "v-add-domain" "HTTP/1.1 204" "$(run_line 4)"
ok "healthz" ok "$(run_line 5)"
ctl=$(sed -n 's/^  \(.*hestia-apictl .* key list\)$/\1/p' "$T/demo.out")
contains "the printed key list" "STATE:         active" "$(sh -c "$ctl")"
state=$(sed -n 's/^  state: *\([^ ]*\) .*/\1/p' "$T/demo.out")
contains "the printed auth.log" "successfully launched" \
    "$(cat "$state/auth.log")"
ok "a daemon runs" 1 "$(left)"

kill -INT "$DEMO"
wait "$DEMO"
ok "SIGINT: the demo exits 0" 0 $?
ok "SIGINT: one line, no error" "demo: stopped; state kept in $state" \
    "$(cat "$T/demo.err")"
ok "SIGINT: no daemon left" 0 "$(left)"
ok "the daemon stopped cleanly" 0 \
    "$(grep -c -E 'Sanitizer|runtime error|fatal' "$state/apid.log")"

# Ctrl-C in a terminal: the whole foreground group gets SIGINT.
python3 - "$top" "$BUILD" "$T/b" >"$T/pty.out" 2>&1 <<'PY'
import os, pty, select, sys, time
top, build, tmp = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.chdir(top)
    os.environ.update(BUILD=build, TMPDIR=tmp)
    os.execvp("sh", ["sh", "examples/demo.sh"])
out = b""
def pump(until, limit):
    global out
    end = time.time() + limit
    while time.time() < end and until not in out:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return
            if not data:
                return
            out += data
pump(b"Ctrl-C stops it", 30)
pump(b"\nEOF-never", 0.5)
mark = len(out)
os.write(fd, b"\x03")
pump(b"EOF-never", 10)
_, status = os.waitpid(pid, 0)
print("status", os.waitstatus_to_exitcode(status))
sys.stdout.write(out[mark:].decode(errors="replace").replace("\r", ""))
PY
pstate=$(sed -n 's/.*state kept in \(.*\)$/\1/p' "$T/pty.out")
ok "Ctrl-C: the demo exits 0" "status 0" "$(head -1 "$T/pty.out")"
ok "Ctrl-C: one line, no error" \
    "^Cdemo: stopped; state kept in $pstate" "$(sed -n 2,\$p "$T/pty.out")"
contains "Ctrl-C: in the demo's own directory" "$T/b/hestia-apid-demo." \
    "$pstate"
ok "Ctrl-C: no daemon left" 0 "$(left)"
finish
