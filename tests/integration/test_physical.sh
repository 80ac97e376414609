#!/bin/bash
# The default connect, "physical": every physical capture port in the
# server's order, whatever it is called (system:capture_N here; the
# device's name under PipeWire).  A non-physical source is left alone, and
# our port N gets physical port N.
. "$(dirname "$0")/lib.sh"

if [ -z "${JACK_LOCK_FD:-}" ]; then
	exec {JACK_LOCK_FD}>"${TMPDIR:-/tmp}/recd-jack.lock"
	flock "$JACK_LOCK_FD"
fi
# As start_jackd, with three capture ports of the dummy "device".
jackd -n "$JACK_DEFAULT_SERVER" --no-realtime -d dummy -r 48000 -p 1024 \
    -C 3 -P 0 >"$T/jackd.log" 2>&1 &
JACKD_PID=$!
PIDS="$PIDS $JACKD_PID"
timeout 20 jack_wait -w >/dev/null 2>&1 || fail "jackd did not come up"
start_siggen sg 2 -b 24
start_recd recd --directory "$T/rec" --channels 4 --socket "$T/s.sock"
wait_log "$T/recd.log" 'port system:capture_3 -> recd:in_3' 1 10
for i in 1 2; do
	grep -q "port system:capture_$i -> recd:in_$i\$" "$T/recd.log" ||
	    fail "system:capture_$i is not on in_$i: $(grep 'port ' "$T/recd.log")"
done
grep -q 'sg:out' "$T/recd.log" &&
    fail "a source that is not physical was connected: $(grep 'sg:out' "$T/recd.log")"
grep -q 'connect: 1 of 4 channels have no source' "$T/recd.log" ||
    fail "the fourth channel's missing source is not said"
stop_recd
