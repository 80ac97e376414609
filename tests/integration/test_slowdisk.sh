#!/bin/bash
# A disk slower than the stream under one output: a mirror whose every
# write waits 4 s (tests/tools/slowio.c, while a flag file exists), twice
# what the ring holds.  Waiting for it would hold up the writer and give
# every output the ring's gap; instead the mirror pauses (disk_slow:
# logged, evented with its name, in status), the main output records on,
# bit-exact and with no gap of its own, and nothing is dropped; the
# disk_slow alarm is up meanwhile.  The flag
# gone, the mirror's files are finished as its disk catches up, and it
# resumes with its gap marked; its files before and after are bit-exact
# and their MD5 chunks right.
# Thread hand-offs (writer, two flushers): TSan runs it too; under ASan
# the preloaded library cannot come before ASan's runtime.
. "$(dirname "$0")/lib.sh"
not_under_asan

RECCTL=${RECCTL:-$B/recctl}
sock="$T/s.sock"
a=$T/a
b=$T/b

status() {
	"$RECCTL" --socket "$sock" --json status || fail "status failed"
}

start_jackd 48000 1024
start_siggen sg 2 -b 24
LD_PRELOAD="$PWD/build/tests/slowio.so" SLOWIO_DIR="$b" \
    SLOWIO_FLAG="$T/slow" SLOWIO_MS=4000 \
    "$RECD" --directory "$a/rec" --channels 2 --connect 'sg:out_.*' \
    --rotate-seconds 1 --rotate-align false --buffer-seconds 2 \
    --socket "$sock" --outputs "{\"name\":\"mirror\",\"directory\":\"$b/rec\"}" \
    >"$T/recd.log" 2>&1 &
RECD_PID=$!
PIDS="$PIDS $RECD_PID"
wait_log "$T/recd.log" 'recd: recording ' 1 30
"$RECCTL" --socket "$sock" --json events >"$T/events" 2>&1 &
PIDS="$PIDS $!"
wait_log "$T/recd.log" "file $b/rec/.*: closed, " 1 20

touch "$T/slow"
wait_log "$T/recd.log" 'output mirror: recording paused: directory .*: the disk is behind the stream' 1 30
wait_log "$T/events" '"event":"paused",.*"output":"mirror"' 1 10
wait_log "$T/events" "$(alarm_re disk_slow false)" 1 10
st=$(status)
[ "$(out_field "$st" mirror state)" = '"paused"' ] &&
    [ "$(out_field "$st" mirror paused)" = '"disk_slow"' ] &&
    [ "$(out_field "$st" main state)" = '"recording"' ] ||
    fail "status with the mirror's disk slow: $st"
# The main output records on meanwhile: files close in its directory.
files_close "$T/recd.log" "$a/rec" 3 20
rm -f "$T/slow"
wait_log "$T/recd.log" 'output mirror: recording resumes: its disk caught up' 1 30
wait_log "$T/recd.log" 'output mirror: gap: .* not recorded: disk too slow' 1 10
wait_log "$T/events" '"event":"resumed",.*"output":"mirror"' 1 10
wait_log "$T/events" "$(alarm_re disk_slow true)" 1 10
files_close "$T/recd.log" "$b/rec" 2 20
stop_recd
no_partials "$a/rec"
no_partials "$b/rec"
grep -q 'recd: stopped: .*, 0 frames dropped, ' "$T/recd.log" ||
    fail "frames dropped: $(grep 'recd: stopped: ' "$T/recd.log")"

# The main output: bit-exact, no gap but xruns, none from the mirror's
# slow disk; the mirror bit-exact on both sides of its gap, which its
# files mark, as they mark where its disk fell behind.
mirror_verified "$T/recd.log" "$a/rec" "$b/rec" "disk too slow"
grep -la 'the disk was too slow after this point' $(takes "$b/rec") \
    >/dev/null || fail "no file of the mirror marks where its disk fell behind"
md5_checked "$a/rec" "$T/recd.log"
md5_checked "$b/rec" "$T/recd.log"
echo "slow disk: the mirror paused and resumed alone, MD5 right"
