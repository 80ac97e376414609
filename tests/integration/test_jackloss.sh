#!/bin/bash
# JACK goes away during a take (jackd killed with SIGKILL) and comes back
# at another sample rate and buffer size: recd finishes its files, says so, reconnects by
# itself and records on in new files at the new rate, after a gap it
# reports.  The file from before the loss is whole up to it and
# bit-exact; after the return, a file is bit-exact again.  The time away is
# a jack_lost alarm, listed in status while up and cleared at the return.
. "$(dirname "$0")/lib.sh"

RECCTL=${RECCTL:-$B/recctl}
sock="$T/s.sock"

start_jackd 48000 1024
start_siggen sg 2 -b 24
sg_pid=${PIDS##* }
start_recd recd --directory "$T/rec" --channels 2 --connect 'sg:out_.*' \
    --rotate-seconds 2 --rotate-align false --socket "$sock"
"$RECCTL" --socket "$sock" --json events >"$T/events" 2>&1 &
PIDS="$PIDS $!"
# A whole file first, and the next one under way.
wait_log "$T/recd.log" ': closed, ' 1 20
st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"

kill -KILL "$JACKD_PID"
wait_log "$T/recd.log" 'jack: the server went away' 1 20
# siggen has no server either; it goes (it would only spin).
stop_pid "$sg_pid"
# jack_lost goes out once every file is finished and named.
wait_log "$T/events" '"event":"jack_lost"' 1 20
before=$(find "$T/rec" -name '*.wav')
[ -n "$before" ] || fail "no finished file after the server went away"
no_partials "$T/rec"
wait_log "$T/events" "$(alarm_re jack_lost false)" 1 5
st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
[[ $st == *'"state":"paused"'* && $st == *'"connected":false'* ]] ||
    fail "status while JACK is away: $st"
alarm_up "$st" jack_lost || fail "status lists no jack_lost alarm: $st"

start_jackd 44100 2048
start_siggen sg 2 -b 24
wait_log "$T/recd.log" 'jack: the server is back' 1 30
wait_log "$T/events" "$(alarm_re jack_lost true)" 1 5
wait_log "$T/recd.log" 'port sg:out_02 -> ' 2 20
st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
[[ $st == *'"connected":true'* && $st == *'"rate":44100,"period":2048'* ]] ||
    fail "status after the return: $st"
# The file opened at the return may begin before siggen was connected;
# the next one holds only its signal.
n=$(grep -c ': closed, ' "$T/recd.log")
wait_log "$T/recd.log" ': closed, ' $((n + 2)) 20
stop_recd
no_partials "$T/rec"

grep -q '"event":"jack_lost"' "$T/events" || fail "no jack_lost event"
grep -q '"event":"jack_back".*"rate":44100,"period":2048' "$T/events" ||
    fail "no jack_back event at 44100 Hz"
grep -q '"event":"gap".*JACK server was away' "$T/events" ||
    fail "no gap event for the time JACK was away"
grep -q 'recd: warning: gap: .*JACK server was away' "$T/recd.log" ||
    fail "no gap logged for the time JACK was away"

# Before the loss: bit-exact and gapless up to it (or to a gap recd
# logged before it).
out=$("$VERIFY" -g -c 2 $before 2>&1) || fail "$out"
echo "before the loss: $out"
after=$(comm -13 <(echo "$before" | sort) <(takes "$T/rec"))
[ "$(wc -l <<<"$after")" -ge 3 ] || fail "want 3 files after the return: $after"
rate2=$("$SFCHECK" "$(sed -n 1p <<<"$after")" | cut -d' ' -f3)
[ "$rate2" = 44100 ] || fail "the file after the return is at $rate2 Hz"
third=$(sed -n 2p <<<"$after")
out=$("$VERIFY" -c 2 "$third" 2>&1) || fail "$out"
echo "after the return: $out"
frames=$("$SFCHECK" "$third" | cut -d' ' -f1)
third_party "$third" "$frames" 2 44100
