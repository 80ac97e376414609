#!/bin/bash
# The disk watch on a small tmpfs: below disk_warn_mb a warning and an
# event; below disk_min_mb the take pauses with every file finished, and
# resumes by itself when space comes back (disk_resume auto) or on start
# (disk_resume start).  A disk filled to the brim (ENOSPC) finishes the
# files to what was written and waits for space the same way.  Every file
# opens in sox, ffprobe and libsndfile, and the take is bit-exact with
# each gap where recd logged one.  Low and full disk are alarms too: raised
# with the condition (listed in status while up) and cleared with it.
# Plain pass only (time budget): the disk watch is unit-tested
# (test_diskw) under both sanitizers, and test_outputs fills a mirror's
# disk to the brim under ASan.
. "$(dirname "$0")/lib.sh"
plain_only

RECCTL=${RECCTL:-$B/recctl}
sock="$T/s.sock" disk="$T/disk"

mkdir -p "$disk"
if ! mount -t tmpfs -o size=64m recd-test "$disk" 2>"$T/mount.err"; then
	echo "cannot mount a tmpfs here: $(cat "$T/mount.err")" >&2
	exit 77
fi
AT_CLEANUP='umount "$disk"'

free_mb() {
	df --output=avail -B1M "$disk" | tail -n 1 | tr -d ' '
}

# fill_to MB: a filler file so that about MB are left free.
fill_to() {
	local have n
	have=$(free_mb)
	n=$((have - $1))
	[ $n -gt 0 ] || return 0
	dd if=/dev/zero of="$disk/filler.$RANDOM" bs=1M count=$n \
	    status=none 2>/dev/null
	return 0
}

status() {
	"$RECCTL" --socket "$sock" --json status || fail "status failed"
}

start_jackd 48000 1024
start_siggen sg 2 -b 24
start_recd recd --directory "$disk/rec" --channels 2 --connect 'sg:out_.*' \
    --rotate-seconds 2 --rotate-align false --socket "$sock" \
    --disk-warn-mb 40 --disk-min-mb 24
"$RECCTL" --socket "$sock" --json events >"$T/events" 2>&1 &
PIDS="$PIDS $!"
wait_log "$T/recd.log" ': closed, ' 1 20

fill_to 32
wait_log "$T/recd.log" 'below disk_warn_mb \(40\)' 1 10
wait_log "$T/events" "$(alarm_re disk_low false)" 1 5
fill_to 16
wait_log "$T/recd.log" 'recording paused: disk .* below disk_min_mb' 1 10
wait_log "$T/recd.log" ': closed, ' 2 10
no_partials "$disk/rec"
wait_log "$T/events" "$(alarm_re disk_full false)" 1 5
st=$(status)
[[ $st == *'"state":"paused","take"'*'"paused":"disk_full"'* ]] ||
    fail "status while paused: $st"
alarm_up "$st" disk_low && alarm_up "$st" disk_full ||
    fail "status while paused lists not both disk alarms: $st"
rm -f "$disk"/filler.*
wait_log "$T/recd.log" 'recording resumes: there is disk space again' 1 10
wait_log "$T/events" "$(alarm_re disk_full true)" 1 5
wait_log "$T/events" "$(alarm_re disk_low true)" 1 10
wait_log "$T/recd.log" 'gap: .* not recorded: disk full' 1 10
wait_log "$T/recd.log" ': closed, ' 3 10

# To the brim: no threshold stops recd before ENOSPC does.
"$RECCTL" --socket "$sock" set disk_min_mb 0 >/dev/null || fail "set"
"$RECCTL" --socket "$sock" set disk_warn_mb 0 >/dev/null || fail "set"
fill_to 0
wait_log "$T/recd.log" 'write: No space left on device' 1 20
wait_log "$T/recd.log" 'recording paused: directory .*: No space left' 1 10
wait_log "$T/events" "$(alarm_re disk_full false)" 2 5
rm -f "$disk"/filler.*
wait_log "$T/recd.log" 'recording resumes' 2 10
wait_log "$T/events" "$(alarm_re disk_full true)" 2 5
wait_log "$T/recd.log" 'gap: .* not recorded: disk full' 2 10

# disk_resume start: space back is not enough, a start command is.
"$RECCTL" --socket "$sock" set disk_warn_mb 40 >/dev/null || fail "set"
"$RECCTL" --socket "$sock" set disk_min_mb 24 >/dev/null || fail "set"
"$RECCTL" --socket "$sock" set disk_resume start >/dev/null || fail "set"
n=$(grep -c ': closed, ' "$T/recd.log")
wait_log "$T/recd.log" ': closed, ' $((n + 1)) 10
fill_to 16
wait_log "$T/recd.log" 'recording paused: disk ' 2 10
out=$("$RECCTL" --socket "$sock" start 2>&1) &&
    fail "start with the disk full was not refused: $out"
[[ $out == *'below disk_min_mb'* ]] || fail "start refused for: $out"
rm -f "$disk"/filler.*
wait_log "$T/recd.log" 'waits for a start command' 1 10
[[ $(status) == *'"paused":"wait_start"'* ]] ||
    fail "status while waiting for start: $(status)"
"$RECCTL" --socket "$sock" start >/dev/null || fail "start refused"
wait_log "$T/recd.log" 'recording resumes: start command' 1 10
n=$(grep -c ': closed, ' "$T/recd.log")
wait_log "$T/recd.log" ': closed, ' $((n + 1)) 10
stop_recd
no_partials "$disk/rec"

for e in disk_low paused resumed write_error gap; do
	grep -q "\"event\":\"$e\"" "$T/events" || fail "no $e event"
done
grep -q '"event":"write_error","path":"[^"]*\.wav".*"errno":28' \
    "$T/events" || fail "write_error event without path and errno"
out=$(verify_take "$disk/rec" "$T/recd.log" -c 2) || exit 1
echo "$out"
for f in $(takes "$disk/rec"); do
	third_party "$f" "$("$SFCHECK" "$f" | cut -d' ' -f1)" 2 48000
done
