#!/bin/bash
# A source that appears after recd started (a USB interface plugged in,
# a client started later) is connected when it matches connect, to the
# ports that have no source, and never on top of a connection: here
# channel 1 is fed by hand before, and keeps its one source.
. "$(dirname "$0")/lib.sh"

RECCTL=${RECCTL:-$B/recctl}
sock="$T/s.sock"

start_jackd 48000 1024
start_siggen early 1 -b 24
start_recd recd --directory "$T/rec" --channels 3 \
    --connect 'late:out_.*' --rotate-seconds 2 --rotate-align false \
    --socket "$sock"
grep -q 'connect: "late:out_.\*": no such port (yet)' "$T/recd.log" ||
    fail "no warning about the missing source"
jack_connect early:out_01 recd:in_1 || fail "jack_connect"
start_siggen late 2 -b 24
wait_log "$T/recd.log" 'port late:out_02 -> recd:in_3' 1 20
grep -q 'port late:out_01 -> recd:in_2' "$T/recd.log" ||
    fail "late:out_01 not connected to the first free port"
ports=$("$RECCTL" --socket "$sock" --json ports) || fail "ports: $ports"
[[ $ports == *'"channel":1,"name":"recd:in_1","sources":["early:out_01"]'* ]] ||
    fail "channel 1 lost its source or got another: $ports"
[[ $ports == *'"sources":["late:out_01"]'* &&
   $ports == *'"sources":["late:out_02"]'* ]] ||
    fail "late sources not connected: $ports"
# A file that began after the connections: channels 2 and 3 are late's
# 1 and 2 (siggen codes say which channel they are, so a check on the
# split files suffices).  The writer logs a file's close when it reaches
# the file's end in the stream, which on a loaded machine is later than
# JACK: the first close after the connection may end a file that began
# before it.  The file between the second and the third close began at
# least a rotation (2 s) after any close logged past the connection, so
# a writer up to 2 s behind JACK still gives a file wholly after it.
n=$(grep -c ': closed, ' "$T/recd.log")
wait_log "$T/recd.log" ': closed, ' $((n + 3)) 20
stop_recd
f=$(takes "$T/rec" | tail -n 2 | head -n 1)
sox "$f" -t wav "$T/late.wav" remix 2 3 2>/dev/null || fail "sox remix $f"
out=$("$VERIFY" -c 2 "$T/late.wav" 2>&1) || fail "$out"
echo "late sources: $out"
