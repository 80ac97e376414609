#!/bin/bash
# The cause of issue 15's restart case, made to happen on purpose, and
# recd healing itself.  JACK2 1.9.21: when a client's open fails inside the
# server after the server told the other clients its refnum, those clients
# keep the new client's wake-up semaphore (jack_sem.UID_SERVER_NAME) mapped
# for that refnum, though the server unlinked it; the next client to get
# the refnum opens a new one, and the others, "already connected", go on
# waking the dead one.  siggen feeds recd, so siggen is what wakes recd:
# recd's callback runs only when the server itself happens to wake it.
# Here an open fails because another client's semaphore file is missing.
# recd must see that JACK runs it too rarely (starved: fewer than 9 in 10
# periods) or not at all (stalled), drop its client cleanly (the
# server then tells siggen to let go of the dead semaphore) and connect
# afresh; from then on it records every period, bit-exact.
. "$(dirname "$0")/lib.sh"

RECCTL=${RECCTL:-$B/recctl}
sock="$T/s.sock"

start_jackd 48000 256
start_siggen sg 2 -b 24
start_siggen zz 1 -b 24
sem=/dev/shm/jack_sem.$(id -u)_${JACK_DEFAULT_SERVER}_zz
[ -e "$sem" ] || { echo "skipped: no $sem (not JACK2's POSIX semaphores)"; exit 77; }
rm -f "$sem"
# An open that fails inside the server: it cannot reach zz.  Whether sg
# maps the new client's semaphore before the server unlinks it is a race:
# when sg says it could not, sg holds nothing stale, and the open is tried
# again until it does.
dead="can't connect named futex name = jack_sem\\..*_recd "
for try in 1 2 3 4 5 6; do
	n=$(grep -c "$dead" "$T/sg.log")
	timeout 20 "$RECD" --directory "$T/first" --channels 2 \
	    --connect 'sg:out_.*' --socket "$sock" >"$T/first.log" 2>&1
	[ $? = 1 ] || fail "a recd opened a client though zz's semaphore is gone: $(tail -n 3 "$T/first.log")"
	grep -q 'cannot connect to server' "$T/first.log" ||
	    fail "the first recd failed otherwise: $(tail -n 3 "$T/first.log")"
	[ "$(grep -c "$dead" "$T/sg.log")" != "$n" ] || break
	echo "try $try: sg did not map the dead semaphore; again"
done
[ "$(grep -c "$dead" "$T/sg.log")" = "$n" ] ||
    fail "in $try tries sg never mapped the failed client's semaphore"
# zz's file again (any file: the server opens it by name), so that opens
# succeed; siggen still holds the dead semaphore of recd's refnum.
truncate -s 12 "$sem"

start_recd recd --directory "$T/rec" --channels 2 --connect 'sg:out_.*' \
    --rotate-seconds 1 --no-rotate-align --socket "$sock"
"$RECCTL" --socket "$sock" --json events >"$T/events" 2>&1 &
PIDS="$PIDS $!"
# How often the poisoned client is still run is a race between the server
# and sg: from none of the periods (then it is a stall) to most of them.
wait_log "$T/recd.log" 'jack: (the server ran recd for [0-9]+ of its last [0-9]+ periods|still no period after)' 1 30
line=$(grep -E 'the server ran recd for|still no period after' "$T/recd.log")
if [[ $line =~ for\ ([0-9]+)\ of\ its\ last\ ([0-9]+)\ periods ]]; then
	[ $((BASH_REMATCH[1] * 10)) -lt $((BASH_REMATCH[2] * 9)) ] ||
	    fail "run for 9 in 10 periods, yet called starved: $line"
	reason=starved
else
	reason=stalled
fi
echo "the poisoned client: $line"
wait_log "$T/events" '"event":"jack_lost","reason":"'$reason'"' 1 10
wait_log "$T/recd.log" 'jack: the server is back' 1 30
n=$(grep -c ': closed, ' "$T/recd.log")
wait_log "$T/recd.log" ': closed, ' $((n + 3)) 20
f=$(grep ': closed, ' "$T/recd.log" | tail -n 1 |
    sed 's/.*recd: file \(.*\): closed, .*/\1/')
wait_file "$f"
# Bit-exact; under a sanitizer on a loaded machine the dummy driver may
# have a real xrun too, so every discontinuity must be a gap recd logged
# after the fresh client, and, as verify_take has it, each xrun JACK
# reported since may be a jump of a period in siggen's codes (the
# driver handed recd the source's next buffer: tsan met it).
xr=$(sed -n '/jack: the server is back/,$p' "$T/recd.log" |
    grep -c 'recd: warning: jack: xrun')
out=$("$VERIFY" -g -j "256:$xr" -c 2 "$f" 2>&1) ||
    fail "after the fresh client: $out"
echo "after the fresh client: $out"
logged=$(sed -n '/jack: the server is back/,$p' "$T/recd.log" |
    grep -c 'recd: warning: gap: ')
[ "$(discontinuities "$(tail -n 1 <<<"$out")")" -le "$logged" ] ||
    fail "after the fresh client: $out; recd logged $logged gaps since"
[ "$(grep -cE 'the server ran recd for|still no period after' "$T/recd.log")" = 1 ] ||
    fail "the fresh client was deaf too: $(grep -E 'the server ran recd|still no period' "$T/recd.log")"
! grep -q 'a fresh client is not run either' "$T/recd.log" ||
    fail "recd gave up"
! grep -q 'a fresh client is run for' "$T/recd.log" ||
    fail "the fresh client was starved too: $(grep 'a fresh client' "$T/recd.log")"
stop_recd
no_partials "$T/rec"
