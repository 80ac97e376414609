#!/bin/bash
# write_error: a write error other than a full disk (here EFBIG, from a
# file size limit, ulimit -f) finishes the files to what reached them and
# reports path and errno; then `retry' tries again with new files after
# WRITER_RETRY_S (10 s), `stop' stops the take until a start command.
# Eight channels: recd writes such files straight to the disk (O_DIRECT),
# so the error comes through that path.  The pause is a write_error alarm,
# listed in status while up and cleared when recording resumes.
. "$(dirname "$0")/lib.sh"
not_under_tsan

RECCTL=${RECCTL:-$B/recctl}
sock="$T/s.sock"

start_jackd 48000 1024
start_siggen sg 8 -b 24
# 1 MiB a file: about 0.9 s of 8 channels at 24 bits.
(ulimit -f 1024 && exec "$RECD" --directory "$T/rec" --channels 8 \
    --connect 'sg:out_.*' --rotate-seconds 0 --socket "$sock" \
    >"$T/recd.log" 2>&1) &
RECD_PID=$!
PIDS="$PIDS $RECD_PID"
wait_log "$T/recd.log" 'recd: recording ' 1 30
"$RECCTL" --socket "$sock" --json events >"$T/events" 2>&1 &
PIDS="$PIDS $!"

wait_log "$T/recd.log" 'write: File too large' 1 20
wait_log "$T/recd.log" 'recording paused: File too large; trying again' 1 5
no_partials "$T/rec"
# The pause lasts 10 s; the alarms look every 250 ms.
wait_log "$T/events" "$(alarm_re write_error false)" 1 5
st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
[[ $st == *'"paused":"write_error"'* ]] && alarm_up "$st" write_error ||
    fail "status while paused for the write error: $st"
wait_log "$T/recd.log" 'recording resumes: trying again' 1 15
wait_log "$T/events" "$(alarm_re write_error true)" 1 5
wait_log "$T/recd.log" 'gap: .* not recorded: write error' 1 5
wait_log "$T/recd.log" 'write: File too large' 2 20
# The flusher met the error; the writer pauses on its next pass.
wait_log "$T/recd.log" 'recording paused: File too large; trying again' 2 5

"$RECCTL" --socket "$sock" set write_error stop >/dev/null || fail "set"
"$RECCTL" --socket "$sock" start >/dev/null || fail "start refused"
wait_log "$T/recd.log" 'recording resumes: start command|recording resumes: trying' 2 15
wait_log "$T/recd.log" 'take stopped after a write error' 1 20
wait_log "$T/recd.log" 'take stopped: write error' 1 5
st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
[[ $st == *'"state":"idle"'* ]] || fail "status after the stop: $st"
"$RECCTL" --socket "$sock" start >/dev/null || fail "start refused"
wait_log "$T/recd.log" 'write: File too large' 4 20
stop_recd
no_partials "$T/rec"

grep -q '"event":"write_error","path":"[^"]*\.wav".*"errno":27' \
    "$T/events" || fail "write_error event without path and errno"
grep -q '"event":"take_stopped".*"reason":"write error"' "$T/events" ||
    fail "no take_stopped event with its reason"
# Each file, to where the limit cut it, is bit-exact and readable.
for f in $(takes "$T/rec"); do
	out=$("$VERIFY" -c 8 "$f" 2>&1) || fail "$out"
	third_party "$f" "$("$SFCHECK" "$f" | cut -d' ' -f1)" 8 48000
done
echo "$(takes "$T/rec" | wc -l) files cut by the limit, each whole"
