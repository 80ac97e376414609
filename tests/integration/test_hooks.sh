#!/bin/bash
# on_file_closed runs for every finished file, from the loop: with the
# path as $1 and RECD_* in its environment; its exit status is logged and
# sent.  A hook that hangs does not hold the recording up (files go on
# being finished while four hooks wait on a fifo), and the hooks of the
# last files run before recd exits.  Retention (keep_gb) deletes recd's
# oldest finished files, and never a file recd did not write.
. "$(dirname "$0")/lib.sh"

RECCTL=${RECCTL:-$B/recctl}
sock="$T/s.sock"
mkfifo "$T/gate"
mkdir -p "$T/rec"
echo "not recd's" >"$T/rec/mine.wav"

start_jackd 48000 1024
start_siggen sg 2 -b 24
start_recd recd --directory "$T/rec" --channels 2 --connect 'sg:out_.*' \
    --rotate-seconds 1 --rotate-align false --socket "$sock" \
    --on-file-closed 'read x <'"$T/gate"'; echo "$1 $RECD_FRAMES $RECD_CHANNELS $RECD_RATE $RECD_FORMAT" >>'"$T/hooked"'; exit 3' \
    --keep-gb 0.0012
"$RECCTL" --socket "$sock" --json events >"$T/events" 2>&1 &
PIDS="$PIDS $!"
# Four hooks wait on the fifo; recording goes on regardless.
wait_log "$T/recd.log" ': closed, ' 7 30
[ ! -e "$T/hooked" ] || fail "a hook ran past the fifo"
exec {g}<>"$T/gate"		# one line lets one hook on
printf '\n%.0s' {1..500} >&$g
wait_log "$T/recd.log" 'hook on_file_closed: .*: exit 3' 5 20
wait_log "$T/recd.log" 'retention: .*: deleted' 1 20
stop_recd
exec {g}>&-

n=$(grep -c 'hook on_file_closed: .*: exit 3' "$T/recd.log")
closed=$(grep -c ': closed, ' "$T/recd.log")
[ "$n" = "$closed" ] || fail "$closed files closed, $n hooks ran"
grep -q '"event":"hook_done","hook":"on_file_closed",.*"status":3' \
    "$T/events" || fail "no hook_done event"
while read -r path frames ch rate fmt; do
	[ "$ch $rate $fmt" = "2 48000 pcm24" ] ||
	    fail "hook saw $ch channels, $rate Hz, $fmt for $path"
	[ -f "$path" ] || grep -q "retention: $path: deleted" "$T/recd.log" ||
	    fail "hook got $path, which is not there"
	[ ! -f "$path" ] || [ "$("$SFCHECK" "$path" | cut -d' ' -f1)" = "$frames" ] ||
	    fail "hook got $frames frames for $path"
done <"$T/hooked"
# The last file's hook ran before recd exited.
last=$(grep ': closed, ' "$T/recd.log" | tail -n 1 |
    sed 's/.*recd: file \(.*\): closed,.*/\1/')
grep -q "^$last " "$T/hooked" || fail "no hook for the last file $last"

[ -f "$T/rec/mine.wav" ] || fail "retention deleted a file recd did not write"
grep -q '"event":"file_deleted"' "$T/events" || fail "no file_deleted event"
total=$(find "$T/rec" -name 'recd-*.wav' -printf '%s\n' |
    awk '{ s += $1 } END { print s + 0 }')
[ "$total" -le 1200000 ] || fail "$total bytes kept, keep_gb allows 1200000"
[ -f "$T/rec/.recd-ledger" ] || fail "no ledger"
echo "$n hooks, $(grep -c 'retention: .*: deleted' "$T/recd.log") files deleted, $total bytes kept"
