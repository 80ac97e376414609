#!/bin/bash
# recd under a service manager: $NOTIFY_SOCKET points at a stand-in for
# systemd's socket (tests/tools/notifyd.c, which prints each line with its
# time and the sender's pid).  READY=1 comes once the first files are open
# (or at once when idle by configuration), STATUS= every few seconds,
# WATCHDOG=1 only while the writer makes progress (none while the test hook
# stalls it, though the loop goes on sending STATUS), STOPPING=1 on
# SIGTERM.  Built without libsystemd (make SYSTEMD=0), recd sends nothing
# and records all the same.
. "$(dirname "$0")/lib.sh"
NOTIFYD=${NOTIFYD:-build/tests/notifyd}
export RECD_TEST_HOOKS=1

start_jackd 48000 1024
start_siggen sg 2 -b 24

"$NOTIFYD" "$T/notify.sock" >"$T/notify.log" 2>&1 &
PIDS="$PIDS $!"
wait_log "$T/notify.log" 'notifyd: listening' 1 10
export NOTIFY_SOCKET=$T/notify.sock

# lines PID REGEX: what PID sent that matches REGEX, "MS LINE" each.
lines() {
	awk -v pid="$1" -v re="$2" '$2 == pid && $3 ~ re {
		print $1, substr($0, index($0, $3)) }' "$T/notify.log"
}

if "$RECD" --version | grep -q 'service manager: none'; then
	WATCHDOG_USEC=1000000 start_recd plain --directory "$T/plain" \
	    --connect 'sg:out_.*' --rotate-seconds 1 --no-rotate-align
	wait_log "$T/plain.log" 'closed, ' 2 30
	stop_recd
	n=$(grep -vc 'notifyd: listening' "$T/notify.log")
	[ "$n" = 0 ] || fail "built without systemd, recd sent: $(cat "$T/notify.log")"
	verify_take "$T/plain" "$T/plain.log" -c 2 >/dev/null
	echo "without libsystemd: nothing sent, recording as usual"
	exit 0
fi

# 1. Recording from the start, with a watchdog of 1 s (fed every 0.5 s).
# A stall lasts buffer_seconds + 1.5 s: 6.5 s here.
WATCHDOG_USEC=1000000 start_recd rec --directory "$T/rec" \
    --connect 'sg:out_.*' --buffer-seconds 5
log=$T/rec.log
wait_log "$T/notify.log" " $RECD_PID READY=1\$" 1 20
# READY follows the writer's flag, set after it logged the files opened.
grep -q ': opened' "$log" || fail "READY=1 before any file was opened"
grep -q 'watchdog: fed every 500 ms' "$log" ||
    fail "recd did not take WATCHDOG_USEC: $(grep watchdog "$log")"
wait_log "$T/notify.log" " $RECD_PID STATUS=recording " 2 20
status=$(lines "$RECD_PID" '^STATUS=' | tail -n 1)
[[ $status =~ STATUS=recording\ 0:00:[0-9]{2},\ 0\ frames\ dropped,\ [0-9]+\ gaps,\ [0-9.]+\ [kMGT]?B\ free$ ]] ||
    fail "status line: $status"
wait_log "$T/notify.log" " $RECD_PID WATCHDOG=1\$" 4 20

kill -USR1 "$RECD_PID"
wait_log "$log" 'test hook: the writer stalls' 1 10
wait_log "$log" 'gap: [0-9]+ frames .*ring full' 1 30
fed=$(lines "$RECD_PID" '^WATCHDOG=1$' | wc -l)
wait_log "$T/notify.log" " $RECD_PID WATCHDOG=1\$" $((fed + 2)) 20

# The longest silence of the watchdog, and the status lines sent in it.
read -r longest from to <<<"$(lines "$RECD_PID" '^WATCHDOG=1$' |
    awk 'NR > 1 && $1 - prev > max { max = $1 - prev; a = prev; b = $1 }
	{ prev = $1 } END { print max, a, b }')"
[ "$longest" -ge 5000 ] ||
    fail "the watchdog was fed while the writer stalled (longest pause ${longest} ms)"
[ "$longest" -le 9000 ] ||
    fail "the watchdog stayed unfed ${longest} ms, longer than the stall"
during=$(lines "$RECD_PID" '^STATUS=' |
    awk -v a="$from" -v b="$to" '$1 > a && $1 < b' | wc -l)
[ "$during" -ge 2 ] ||
    fail "only $during status lines while the watchdog paused: the loop stalled too"
# The drops and the gap reach the status line within its period.
wait_log "$T/notify.log" \
    " $RECD_PID STATUS=recording .*, [1-9][0-9]* frames dropped, [1-9][0-9]* gaps, " 1 10

stop_recd
stopping=$(lines "$RECD_PID" '^STOPPING=1$' | wc -l)
[ "$stopping" = 1 ] || fail "$stopping STOPPING=1 lines"
last=$(lines "$RECD_PID" '' | tail -n 2 | cut -d' ' -f2-)
[ "$last" = "STOPPING=1
STATUS=stopping: finishing the files" ] ||
    fail "the last lines are not STOPPING=1 and its status: $last"
echo "recording: READY, STATUS, WATCHDOG paused ${longest} ms in a stall" \
    "with $during status lines, STOPPING"

# 2. Idle by configuration: READY at once, with no file open; a start
# changes the status, not READY.  No WATCHDOG_USEC: no WATCHDOG=1.
start_recd idle --directory "$T/idle" --connect 'sg:out_.*' \
    --no-autostart --socket "$T/ctl.sock"
wait_log "$T/notify.log" " $RECD_PID READY=1\$" 1 20
[ -z "$(find "$T/idle" -name '*.wav*')" ] || fail "idle recd opened files"
wait_log "$T/notify.log" " $RECD_PID STATUS=idle, " 1 20
out=$("$B/recctl" --socket "$T/ctl.sock" start 2>&1) || fail "recctl start: $out"
wait_log "$T/notify.log" " $RECD_PID STATUS=recording " 1 20
stop_recd
n=$(lines "$RECD_PID" '^READY=1$' | wc -l)
[ "$n" = 1 ] || fail "idle: $n READY=1 lines"
n=$(lines "$RECD_PID" '^WATCHDOG=1$' | wc -l)
[ "$n" = 0 ] || fail "idle: $n WATCHDOG=1 lines without WATCHDOG_USEC"
lines "$RECD_PID" '^STOPPING=1$' | grep -q . || fail "idle: no STOPPING=1"
echo "idle: READY at once, no watchdog unless asked for, STOPPING"
