#!/bin/bash
# kill -9 in the middle of a take leaves .wav.partial files that readers
# already open (headers are refreshed every header_seconds); the next
# recd repairs them to every complete frame on disk and gives them their
# final names, and the killed take is bit-exact and gapless up to the
# kill.  A second recd on the same directory leaves the files that the
# first is writing alone (they are locked).
. "$(dirname "$0")/lib.sh"

start_jackd 48000 1024
start_siggen sg 4 -b 24
start_recd recd --directory "$T/rec" --channels 4 --connect 'sg:out_.*' \
    --rotate-seconds 2 --no-rotate-align --header-seconds 0.2 \
    --socket "$T/a.sock"
wait_log "$T/recd.log" 'closed, ' 1 30
wait_log "$T/recd.log" 'opened' 3 30

# Another recd on the same directory, while the first writes.
start_recd other --directory "$T/rec" --channels 1 --client-name other \
    --connect 'sg:out_01' --socket "$T/b.sock" --autostart false
wait_log "$T/other.log" 'being written by another recd; left alone' 1 10
grep -q 'repaired' "$T/other.log" && fail "the second recd repaired a file in use"
stop_recd

RECD_PID=$(pgrep -f "socket $T/a.sock")
kill -KILL "$RECD_PID"
wait "$RECD_PID" 2>/dev/null
partials=$(find "$T/rec" -name '*.wav.partial' | sort)
n=$(wc -w <<<"$partials")
[ "$n" -ge 1 ] || fail "kill -9 left no unfinished file"
for f in $partials; do
	# Valid already, before any repair: third-party readers open it.
	"$SFCHECK" "$f" >/dev/null || fail "libsndfile cannot open $f"
	ffprobe -v error "$f" >/dev/null 2>&1 || fail "ffprobe cannot open $f"
done
first=$(find "$T/rec" -name '*.wav*' | sort)
# A kill between the final name's link() and the .partial's unlink():
# one finished file under both names.  Repair keeps the one file.
mkdir -p "$T/rec/dup"
done1=$(find "$T/rec" -name '*.wav' | head -n 1)
cp "$done1" "$T/rec/dup/two.wav"
ln "$T/rec/dup/two.wav" "$T/rec/dup/two.wav.partial"
sum=$(cksum <"$T/rec/dup/two.wav")

start_recd again --directory "$T/rec" --channels 4 --connect 'sg:out_.*' \
    --socket "$T/a.sock" --autostart false
repaired=$(grep -c 'left unfinished by a crash: repaired' "$T/again.log")
empty=$(grep -c 'unfinished and empty: removed' "$T/again.log")
[ $((repaired + empty)) = "$n" ] && [ "$repaired" -ge 1 ] ||
    fail "$n unfinished files: $repaired repaired, $empty empty removed"
no_partials "$T/rec"
grep -q 'dup/two.wav: finished; only its unfinished name was left' \
    "$T/again.log" || fail "the finished file with two names was not seen"
[ "$(cksum <"$T/rec/dup/two.wav")" = "$sum" ] ||
    fail "the finished file with two names was changed"
[ -z "$(find "$T/rec/dup" -name '*recovered*')" ] ||
    fail "a finished file with two names became two files"
rm -r "$T/rec/dup"
stop_recd
take=$(for f in $(sed 's/\.partial$//' <<<"$first"); do
	[ -e "$f" ] && echo "$f"; done)
out=$("$VERIFY" -g -v -c 4 $take 2>&1) || fail "the killed take: $out"
[ "$(discontinuities "$(tail -n 1 <<<"$out")")" = \
    "$(grep -c 'recd: warning: gap: ' "$T/recd.log")" ] ||
    fail "discontinuities the log does not report: $out"
while read -r f tr frames rate; do
	[ "$f" = verify: ] || third_party "$f" "$frames" 4 48000
done <<<"$out"
echo "repair: after kill -9, $repaired repaired, $empty empty removed; $(tail -n 1 <<<"$out")"
