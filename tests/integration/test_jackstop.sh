#!/bin/bash
# The liveness guard: jackd frozen with SIGSTOP for 3 s during a take, so
# that recd's callback runs no more while its client stays connected.
# recd says so within 1.5 s (a stalled event, an error line, status with
# "state":"stalled" and the age of the last period, and the stalled alarm,
# raised once and cleared once), and after SIGCONT
# records on, with the time it heard nothing reported as a gap of about
# that length (the dummy driver's frame time goes on as if nothing
# happened, so the length comes from the wall clock).  The files on each
# side of the stall are bit-exact.  Under a service manager (notifyd, as
# in test_notify) the watchdog goes unfed while no period comes.  Then
# (plain pass) jackd frozen for about 8 s, past the guard's deadline: the
# stall said within 1.5 s, the client dropped (jack_lost, stalled) and
# made afresh after SIGCONT, the whole time one gap, and a recd idle on
# purpose beside it fed the watchdog through the stall.
. "$(dirname "$0")/lib.sh"

RECCTL=${RECCTL:-$B/recctl}
sock="$T/s.sock"

# num NAME JSON: one number from a JSON line.
num() {
	sed -n "s/.*\"$1\":\\([0-9.e+-]*\\).*/\\1/p" <<<"$2" | head -n 1
}

start_jackd 48000 256
start_siggen sg 2 -b 24
sd=0
if "$RECD" --version | grep -q 'service manager: systemd'; then
	sd=1
	"${NOTIFYD:-build/tests/notifyd}" "$T/notify.sock" >"$T/notify.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_log "$T/notify.log" 'notifyd: listening' 1 10
	export NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=1000000
fi
start_recd recd --directory "$T/rec" --channels 2 --connect 'sg:out_.*' \
    --rotate-seconds 2 --no-rotate-align --socket "$sock"
"$RECCTL" --socket "$sock" --json events >"$T/events" 2>&1 &
PIDS="$PIDS $!"
wait_log "$T/recd.log" ': closed, ' 1 20
st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
[[ $st == *'"state":"recording"'* ]] || fail "status before: $st"
age=$(num last_period_age_seconds "$st")
awk -v a="$age" 'BEGIN { exit !(a < 0.5) }' ||
    fail "the last period is $age s old while JACK runs: $st"

# freeze EVENTS WHAT: jackd frozen; recd's stalled event (in EVENTS)
# must come within 1.5 s of the last period, by recd's own measure, which
# is left in age.
freeze() {
	local stalled
	kill -STOP "$JACKD_PID"
	wait_log "$1" '"event":"stalled"' 1 10
	stalled=$(grep '"event":"stalled"' "$1")
	age=$(num seconds "$stalled")
	awk -v a="$age" 'BEGIN { exit !(a >= 1 && a < 1.5) }' ||
	    fail "$2stalled said after $age s, not within 1.5 s: $stalled"
}

# A failed check while jackd is frozen must not leave it so: recd's
# shutdown would wait on it.
AT_CLEANUP='kill -CONT $JACKD_PID 2>/dev/null'
freeze "$T/events" ""
grep -q 'recd: error: jack: no period from the server' "$T/recd.log" ||
    fail "no error line for the stall"
# The alarms look every 250 ms; the stall lasts 2 s more.
wait_log "$T/events" "$(alarm_re stalled false)" 1 5
wait_log "$T/recd.log" 'recd: warning: alarm: stalled, since' 1 5
st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
[[ $st == *'"state":"stalled"'* && $st == *'"connected":true'* ]] ||
    fail "status during the stall: $st"
alarm_up "$st" stalled || fail "status lists no stalled alarm: $st"
age=$(num last_period_age_seconds "$st")
awk -v a="$age" 'BEGIN { exit !(a >= 1) }' ||
    fail "status gives the last period's age as $age s: $st"
out=$("$RECCTL" --socket "$sock" status) || fail "recctl status: $out"
grep -Eq '^state: +stalled$' <<<"$out" && grep -Eq '^jack: .*, no period for [0-9.]+ s$' <<<"$out" ||
    fail "recctl status during the stall: $out"
# The files of the take so far: those finished, and those status says are
# being written (not the next ones, opened ahead of a boundary: their
# names may come again after the stall).
before=$( (find "$T/rec" -name '*.wav'
    sed 's/.*"files":\[\([^]]*\)\].*/\1/' <<<"$st" | tr ',' '\n' |
    sed 's/^"//; s/\.partial"$//') | sort)

# Frozen for 3 s from the SIGSTOP (the stall event came about 1 s in).
wait_exit "$JACKD_PID" 2
kill -CONT "$JACKD_PID"
wait_log "$T/events" '"event":"stall_ended"' 1 10
wait_log "$T/events" "$(alarm_re stalled true)" 1 5
wait_log "$T/recd.log" 'alarm: stalled: cleared after' 1 5
wait_log "$T/events" '"event":"gap".*"cause":"JACK ran recd no more' 1 10
gap=$(grep '"event":"gap".*JACK ran recd no more' "$T/events" | head -n 1)
secs=$(num seconds "$gap")
awk -v s="$secs" 'BEGIN { exit !(s >= 2.5 && s <= 5) }' ||
    fail "the stall of about 3 s is reported as a gap of $secs s: $gap"
grep -q 'recd: warning: gap: .*JACK ran recd no more' "$T/recd.log" ||
    fail "no gap logged for the stall"
n=$(grep -c ': closed, ' "$T/recd.log")
wait_log "$T/recd.log" ': closed, ' $((n + 2)) 20
st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
[[ $st == *'"state":"recording"'* ]] || fail "status after: $st"
alarm_up "$st" stalled && fail "the stalled alarm is still up: $st"
[ "$(num gaps "$st")" -ge 1 ] || fail "status counts no gap: $st"
stop_recd
no_partials "$T/rec"
for c in false true; do
	n=$(grep -Ec "$(alarm_re stalled $c)" "$T/events")
	[ "$n" = 1 ] || fail "the stalled alarm with cleared $c $n times"
done

# Each side of the stall is bit-exact and gapless on its own (siggen was
# frozen too, so its codes run on across the stall: verify would take the
# honest gap in the TimeReferences for lost samples).
#
# Around SIGSTOP and SIGCONT the dummy driver has xruns.  In some it skips
# a cycle of the whole graph: JACK's time moves a period on while no
# client ran, siggen included, so recd's honest gap of a period (a new
# file, its TimeReference a period on) is no gap in siggen's codes, which
# count siggen's own cycles; a device's signal would have run on.  In
# others recd, late, reads the buffer siggen filled for the next cycle:
# a period of the codes is skipped, or comes twice, inside a file.  So
# verify allows a jump of exactly one period for each xrun JACK reported,
# and nothing else: every other frame is proven in order and whole.
xruns=$(grep -o '[0-9]* xruns$' "$T/recd.log" | tail -n 1 | cut -d' ' -f1)
[ -n "$xruns" ] || fail "recd's last line gives no xrun count"
old=$(find "$T/rec" -name '*.wav' | sort | grep -F -x -f <(echo "$before"))
new=$(comm -13 <(echo "$old") <(takes "$T/rec"))
[ -n "$old" ] && [ -n "$new" ] || fail "files: before $old, after $new"
out=$("$VERIFY" -g -j "256:$xruns" -c 2 $old 2>&1) || fail "before the stall: $out"
echo "before the stall: $(tail -n 1 <<<"$out")"
out=$("$VERIFY" -g -j "256:$xruns" -c 2 $new 2>&1) || fail "after the stall: $out"
echo "after the stall: $(tail -n 1 <<<"$out")"
[[ $(tail -n 1 <<<"$out") =~ ,\ 0\ silence\ runs ]] ||
    fail "after the stall: silence in the files: $out"
grep -qa 'JACK stalled after this point' $old ||
    fail "no cue marks where the stall began"

if [ $sd = 1 ]; then
	# The watchdog (fed every 0.5 s) paused from the stall's detection to
	# its end, about 2 s, and the status line said why.
	longest=$(awk -v pid="$RECD_PID" '$2 == pid && $3 == "WATCHDOG=1" {
		if (n++ && $1 - prev > max) max = $1 - prev; prev = $1 }
		END { print max + 0 }' "$T/notify.log")
	[ "$longest" -ge 1500 ] ||
	    fail "the watchdog was fed while no period came (longest pause $longest ms)"
	grep -q " $RECD_PID STATUS=stalled: " "$T/notify.log" ||
	    fail "no status line says stalled"
	echo "watchdog: paused $longest ms in the stall"
else
	echo "built without libsystemd: no watchdog to check"
fi

# 2. Frozen for longer than the guard waits (a stall, then 4 s more):
# recd drops its client (the drop waits on the frozen server), and after
# SIGCONT it connects afresh and records on, the whole time without audio
# one gap.  Beside it a recd idle on purpose (no take) stalls too, and its
# watchdog goes on being fed while the recording one's is not.  About 15 s
# more: the sanitizer passes leave it out (LONG_FREEZE=1 runs it there).
if [ -n "${SAN:-}" ] && [ -z "${LONG_FREEZE:-}" ]; then
	echo "the long freeze: skipped under $SAN (time budget)"
	exit 0
fi
lsock=$T/long.sock
start_recd long --client-name recd-long --directory "$T/long" --channels 2 \
    --connect 'sg:out_.*' --rotate-seconds 1 --no-rotate-align \
    --socket "$lsock"
long_pid=$RECD_PID
"$RECCTL" --socket "$lsock" --json events >"$T/long.events" 2>&1 &
PIDS="$PIDS $!"
start_recd idle --client-name recd-idle --directory "$T/idle" --channels 2 \
    --connect 'sg:out_.*' --no-autostart --socket "$T/idle.sock"
idle_pid=$RECD_PID
wait_clients "$lsock" 2 0
wait_log "$T/long.log" ': closed, ' 1 20

freeze "$T/long.events" "long freeze: "
# The guard's deadline, by recd's clock: the stall time and 4 s more.
wait_log "$T/long.log" 'jack: still no period after [0-9.]+ s; finishing the files, dropping the client and connecting afresh' 1 15
line=$(grep 'still no period after' "$T/long.log")
[[ $line =~ after\ ([0-9.]+)\ s ]] || fail "no age in: $line"
gone=${BASH_REMATCH[1]}
awk -v a="$gone" 'BEGIN { exit !(a >= 5 && a < 6) }' ||
    fail "the client dropped after $gone s without a period, not 5: $line"
grep -q 'recd: error: jack: no period from the server' "$T/idle.log" ||
    fail "the idle recd did not see the stall"
# Frozen 3 s past the deadline, about 8 s in all.
wait_exit "$JACKD_PID" 3
kill -CONT "$JACKD_PID"
wait_log "$T/long.events" '"event":"jack_lost","reason":"stalled"' 1 20
wait_log "$T/long.log" 'jack: the server is back after' 1 20
wait_log "$T/long.events" '"event":"jack_back"' 1 10
cause='JACK ran recd no more \(stalled\); recd connected afresh'
wait_log "$T/long.events" "\"event\":\"gap\".*\"cause\":\"$cause\"" 1 10
gap=$(grep -E "\"event\":\"gap\".*$cause" "$T/long.events")
secs=$(num seconds "$gap")
# From the last period to the fresh client: longer than the freeze after
# the deadline (it was held 3 s past it), and not much more.
awk -v s="$secs" -v g="$gone" 'BEGIN { exit !(s > g + 3 && s < g + 8) }' ||
    fail "a freeze of about $gone + 3 s reported as a gap of $secs s: $gap"
grep -Eq "recd: warning: gap: .*$cause" "$T/long.log" ||
    fail "no gap logged for the long freeze"
n=$(grep -c ': closed, ' "$T/long.log")
wait_log "$T/long.log" ': closed, ' $((n + 2)) 20
f=$(grep ': closed, ' "$T/long.log" | tail -n 1 |
    sed 's/.*recd: file \(.*\): closed, .*/\1/')
wait_file "$f"
st=$("$RECCTL" --socket "$lsock" --json status) || fail "status: $st"
[[ $st == *'"state":"recording"'* ]] || fail "status after the long freeze: $st"
[ "$(num gaps "$st")" -ge 1 ] || fail "status counts no gap: $st"
xr=$(num xruns "$st")
out=$("$VERIFY" -j "256:${xr:-0}" -c 2 "$f" 2>&1) ||
    fail "after the long freeze: $out"
echo "after the long freeze: $(tail -n 1 <<<"$out")"
! grep -Eq 'a fresh client is (not run either|run for)' "$T/long.log" ||
    fail "the fresh client: $(grep 'a fresh client' "$T/long.log")"
RECD_PID=$idle_pid
stop_recd
RECD_PID=$long_pid
stop_recd
no_partials "$T/long"
[ -z "$(find "$T/idle" -name '*.wav*' 2>/dev/null)" ] ||
    fail "the idle recd opened files"
echo "long freeze: stalled after $age s, dropped after $gone s, a gap of $secs s"

[ $sd = 1 ] || exit 0
# The recording recd's watchdog paused from its stall to SIGCONT; the
# idle one's was fed all the while its loop ran (until its own drop
# waited on the frozen server).
read -r longest from to <<<"$(awk -v pid="$long_pid" '
	$2 == pid && $3 == "WATCHDOG=1" {
		if (n++ && $1 - prev > max) { max = $1 - prev; a = prev; b = $1 }
		prev = $1 }
	END { print max + 0, a + 0, b + 0 }' "$T/notify.log")"
[ "$longest" -ge 6000 ] ||
    fail "long freeze: the recording recd's watchdog paused only $longest ms"
fed=$(awk -v pid="$idle_pid" -v a="$from" -v b="$to" '$2 == pid &&
    $3 == "WATCHDOG=1" && $1 > a && $1 < b' "$T/notify.log" | wc -l)
[ "$fed" -ge 4 ] ||
    fail "the idle recd's watchdog was fed $fed times in the freeze"
echo "watchdog: recording recd unfed $longest ms, idle recd fed $fed times meanwhile"
