#!/bin/bash
# recd under PipeWire's JACK (pw-jack), unchanged: a private pipewire (its
# own XDG_RUNTIME_DIR; no session manager: its Dummy-Driver schedules the
# JACK clients), siggen and recd through pw-jack.  The take is bit-exact
# across rotations; clock.force-rate mid-take ends the files and starts new
# ones at the new rate, each bit-exact with the right header, the frames
# lost on the way a reported gap.  recd runs with node.lock-quantum, as the
# user unit sets it, so another client asking for a smaller latency does
# not change recd's period; clock.force-quantum overrides even that, and
# the change costs no gap or a reported one, never a silent one.
. "$(dirname "$0")/lib.sh"

RECCTL=${RECCTL:-$B/recctl}
for c in pipewire pw-jack pw-metadata; do
	command -v $c >/dev/null ||
	    { echo "skipped: no $c (make deps installs pipewire, pipewire-jack, pipewire-bin)"; exit 77; }
done
# pipewire's own threads are outside what TSan can follow.
not_under_tsan
sock="$T/s.sock"
# make asan: pipewire-jack's own leaks at exit are not recd's.
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$(cd "$(dirname "$0")/.." && pwd)/lsan-pipewire.supp"
export LSAN_OPTIONS

# As start_jackd: one audio server test at a time on this machine.
exec {JACK_LOCK_FD}>"${TMPDIR:-/tmp}/recd-jack.lock"
flock "$JACK_LOCK_FD"
export XDG_RUNTIME_DIR=$T/xdg PIPEWIRE_RUNTIME_DIR=$T/xdg
unset JACK_DEFAULT_SERVER
mkdir -m 700 "$XDG_RUNTIME_DIR"
pipewire >"$T/pipewire.log" 2>&1 &
PIDS="$PIDS $!"
end=$((SECONDS + 20))
until [ -S "$XDG_RUNTIME_DIR/pipewire-0" ] && pw-metadata -n settings >/dev/null 2>&1; do
	[ $SECONDS -lt $end ] || fail "pipewire did not come up"
	wait_exit "${PIDS##* }" 0.1
done

# settings KEY VALUE
settings() {
	pw-metadata -n settings 0 "$1" "$2" >/dev/null ||
	    fail "pw-metadata $1 $2"
}

# tr_gaps VERIFY_OUTPUT: the gaps verify found between files, from their
# TimeReferences.  recd's gaps here are new files (gap_policy split), each
# a step in the TimeReferences, and each must be one recd logged.  Runs
# of silence inside a file are not recd's (it writes no silence here):
# they are cycles in which PipeWire ran recd but not siggen (a loaded
# machine; the last cycle before a rate change), and verify has checked
# that siggen's codes go on after each exactly where it ends.  Each is a
# whole number of periods, at most a few.
tr_gaps() {
	local bad
	[[ $(tail -n 1 <<<"$1") =~ ,\ ([0-9]+)\ gaps,\ [0-9]+\ silence\ runs ]] ||
	    fail "verify: $1"
	bad=$(awk -v p="$period" '$1 == "verify:" && $3 == "silence" &&
	    ($6 % p != 0 || $6 > 8 * p)' <<<"$1")
	[ -z "$bad" ] || fail "silence that is not a period PipeWire skipped: $bad"
	echo "${BASH_REMATCH[1]}"
}

# pipewire-jack locks the quantum of every JACK client by default; siggen
# does not, so that recd's own node.lock-quantum is what the check below
# judges.
PIPEWIRE_PROPS='{ node.lock-quantum = false }' \
    pw-jack "$SIGGEN" -n sg -c 2 -b 24 >"$T/sg.log" 2>&1 &
PIDS="$PIDS $!"
wait_log "$T/sg.log" '^siggen: ' 1 20
PIPEWIRE_PROPS='{ node.lock-quantum = true }' pw-jack "$RECD" \
    --directory "$T/rec" --channels 2 --connect 'sg:out_.*' \
    --rotate-seconds 2 --no-rotate-align --socket "$sock" \
    >"$T/recd.log" 2>&1 &
RECD_PID=$!
PIDS="$PIDS $RECD_PID"
wait_log "$T/recd.log" 'recd: recording ' 1 30
"$RECCTL" --socket "$sock" --json events >"$T/events" 2>&1 &
EV_PID=$!
PIDS="$PIDS $EV_PID"
# A whole 2 s file at each rate (an xrun ends a file early: wait on).
wait_log "$T/recd.log" ': closed, 96000 frames' 1 30
st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
[[ $st == *'"rate":48000'* ]] || fail "status before: $st"
period=$(sed -n 's/.*"period":\([0-9]*\).*/\1/p' <<<"$st")

# node.lock-quantum holds: another client asking for a smaller latency
# (128 frames) leaves recd's period alone, judged over a whole file
# written while that client runs.  The client is a second recd reading
# siggen, not locking the quantum (a siggen linked to nothing, asking for
# 128, changed nothing under pipewire 0.3.65, locked or not).  Without
# recd's lock the period drops to 128 here at once: the check can fail.
PIPEWIRE_PROPS='{ node.lock-quantum = false }' PIPEWIRE_LATENCY=128/48000 \
    pw-jack "$RECD" --client-name small --directory "$T/small" --channels 2 \
    --connect 'sg:out_.*' --rotate-seconds 0 --socket "$T/small.sock" \
    >"$T/small.log" 2>&1 &
small_pid=$!
PIDS="$PIDS $small_pid"
wait_log "$T/small.log" 'recd: recording ' 1 30
n=$(grep -c ': closed, ' "$T/recd.log")
wait_log "$T/recd.log" ': closed, ' $((n + 2)) 20
! grep -q '"event":"period_changed"' "$T/events" ||
    fail "a client's latency changed the locked quantum: $(grep period_changed "$T/events")"
st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
[[ $st == *"\"period\":$period,"* ]] ||
    fail "the period is no longer $period beside a client at 128 frames: $st"
stop_pid "$small_pid"
echo "lock-quantum: the period stays $period beside a client asking for 128"

settings clock.force-rate 96000
wait_log "$T/events" '"event":"rate_changed","rate":96000,"was":48000' 1 10
grep -q 'recd: warning: jack: the sample rate is now 96000 Hz (was 48000)' \
    "$T/recd.log" || fail "the rate change is not logged"
wait_log "$T/recd.log" ': closed, 192000 frames' 1 30
st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
[[ $st == *'"rate":96000'* ]] || fail "status after the rate change: $st"

# The files finished before the quantum change, for the checks below.
done96=$(takes "$T/rec")
settings clock.force-quantum $((period == 1024 ? 512 : 1024))
wait_log "$T/events" '"event":"period_changed"' 1 10
n=$(grep -c ': closed, ' "$T/recd.log")
wait_log "$T/recd.log" ': closed, ' $((n + 2)) 20
stop_recd
# recd sends its last events before it closes the socket: all are read
# once recctl has seen the end (status 3: recd hung up).
wait "$EV_PID"
rc=$?
[ "$rc" = 3 ] || fail "recctl events exited $rc, not 3, when recd stopped"
no_partials "$T/rec"

# The files, by the rate in their headers: each rate's files are one
# bit-exact, gapless take; the change is one gap, logged and evented.
declare -A at
for f in $(takes "$T/rec"); do
	read -r frames ch rate <<<"$("$SFCHECK" "$f")" || fail "sfcheck $f"
	[ "$ch" = 2 ] || fail "$f: $ch channels"
	at[$rate]="${at[$rate]} $f"
done
[ -n "${at[48000]}" ] && [ -n "${at[96000]}" ] && [ ${#at[@]} = 2 ] ||
    fail "want files at 48000 and 96000 Hz: ${!at[*]}"
# 48 kHz: one bit-exact take across rotations, gapless but for the gaps
# recd logged before the change (PipeWire on a loaded machine has xruns).
# Where PipeWire skipped a cycle of the whole graph, siggen's codes do not
# jump where JACK's time (and so recd's gap) does: verify allows that, a
# whole number of periods, for each gap recd logged from JACK's time.
xr=$(grep -c "recd: warning: gap: .*JACK's frame time" "$T/recd.log")
out=$("$VERIFY" -g -v -j "$period:$xr" -c 2 ${at[48000]} 2>&1) ||
    fail "48000 Hz: $out"
found=$(tr_gaps "$out") || exit 1
logged=$(sed -n '1,/recd: rate: 96000 Hz/p' "$T/recd.log" |
    grep -c "recd: warning: gap: ")
[ "$found" = "$logged" ] ||
    fail "48000 Hz: $found gaps in the files, recd logged $logged: $out"
echo "48000 Hz: $(tail -n 1 <<<"$out")"
grep -q " 96000 48000\$" <<<"$out" ||
    fail "48000 Hz: no file of exactly 2 s: $out"
# 96 kHz, up to the quantum change: one bit-exact, gapless take.  (At a
# forced quantum change pipewire-jack 0.3.65 skips its clients' process
# callbacks on cycles of their own, each after its buffer-size callback:
# recd reports the period JACK's frame time skips for it, but siggen's
# codes also jump where recd's clock runs on, so they cannot judge recd
# there.)
before=$(for f in ${at[96000]}; do grep -qxF "$f" <<<"$done96" && echo "$f"; done)
[ -n "$before" ] || fail "no 96 kHz file finished before the quantum change"
out=$("$VERIFY" -g -v -j "$period:$xr" -c 2 $before 2>&1) ||
    fail "96000 Hz: $out"
found=$(tr_gaps "$out") || exit 1
logged=$(sed -n '/recd: rate: 96000 Hz/,/jack: the period is now/p' \
    "$T/recd.log" | grep "recd: warning: gap: " |
    grep -vc 'the sample rate changed')
[ "$found" -le "$logged" ] ||
    fail "96000 Hz: $found gaps in the files, recd logged $logged: $out"
echo "96000 Hz: $(tail -n 1 <<<"$out")"
grep -q " 192000 96000\$" <<<"$out" ||
    fail "96000 Hz: no file of exactly 2 s: $out"
# Every gap recd logged is evented, and the rate change costs at most one.
rgap=$(grep -c 'recd: warning: gap: .*the sample rate changed from 48000 to 96000 Hz' "$T/recd.log")
gaps=$(grep -c 'recd: warning: gap: ' "$T/recd.log")
[ "$rgap" -le 1 ] || fail "$rgap gaps at the rate change"
[ "$(grep -c '"event":"gap"' "$T/events")" = "$gaps" ] ||
    fail "gaps logged: $gaps; evented: $(grep -c '"event":"gap"' "$T/events")"
grep -qa 'the sample rate changed after this point' ${at[48000]} ||
    fail "no cue marks the rate change in the last 48 kHz file"
echo "gaps: $gaps, of them at the rate change: $rgap"
