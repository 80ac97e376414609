#!/bin/bash
# What fsync_seconds promises about a power cut.  An LD_PRELOAD spy
# (tests/tools/syncspy.c) logs the length of the file each time fsync or
# fdatasync reports it durable.  recd records; at a random moment we read
# how many frames it has written (status) and freeze it (SIGSTOP).  A
# power cut at that moment leaves at least the file as of its last sync:
# we cut a copy to that length, let a new recd repair it, and the repaired
# file must be the signal, bit-exact and gapless, and hold every frame
# but at most fsync_seconds (+ 0.4 s: the writer's period, 250 ms with
# no meters, and the time between the status and the freeze) of what was
# recorded.  Syncs
# come every fsync_seconds, and the directory of a new file is synced
# (or its name could be lost with its data on disk).  Twice: headers refreshed as often as syncs,
# and five times less often (the sync must not wait for a header refresh
# to write what the writer holds).  Plain build only: the spy and the
# sanitizers' interposers do not mix.
. "$(dirname "$0")/lib.sh"
[ -z "${SAN:-}" ] || { echo "skipped under $SAN"; exit 77; }
SOCKC=build/tests/sockc
RATE=48000
SLACK=0.4

elapse() {
	timeout "$2" tail --pid="$1" -f /dev/null 2>/dev/null
	return 0
}

start_jackd $RATE 1024
start_siggen sg 2 -b 24
for run in "1 1" "0.5 2.5"; do
	read -r fsync hdr <<<"$run"
	d=$T/rec-$fsync
	spy=$T/sync-$fsync.log
	: >"$spy"
	LD_PRELOAD="$PWD/build/tests/syncspy.so" SYNCSPY_LOG="$spy" \
	    start_recd "recd-$fsync" --directory "$d" --channels 2 \
	    --connect 'sg:out_.*' --rotate-seconds 0 --fsync-seconds "$fsync" \
	    --header-seconds "$hdr" --socket "$T/recd.sock"
	wait_log "$spy" '\.wav\.partial ' 4 30
	elapse "$RECD_PID" "$(printf '0.%03d' $((RANDOM % 1000)))"
	st=$("$SOCKC" "$T/recd.sock" lines <<<'{"id":1,"cmd":"status"}')
	kill -STOP "$RECD_PID"
	recorded=$(sed -n 's/.*"frames_written":\([0-9]*\).*/\1/p' <<<"$st")
	[ -n "$recorded" ] || fail "status: $st"

	# The file, as a power cut now would leave it at the least.
	f=$(find "$d" -name '*.wav.partial')
	[ "$(wc -w <<<"$f")" = 1 ] || fail "not one file: $f"
	synced=$(awk -v f="$f" '$2 == f { n = $3 } END { print n + 0 }' "$spy")
	mkdir -p "$T/cut-$fsync"
	head -c "$synced" "$f" >"$T/cut-$fsync/take.wav.partial"
	kill -KILL "$RECD_PID"
	kill -CONT "$RECD_PID" 2>/dev/null
	wait "$RECD_PID" 2>/dev/null

	# The new file's name is as durable as its data: its directory
	# was synced once the file was created.
	grep -q "^sync $(dirname "$f") " "$spy" ||
	    fail "the directory of $f was never synced"

	# Syncs every fsync_seconds, never further apart.
	awk -v f="$f" -v max="$(awk -v a="$fsync" -v b=$SLACK \
	    'BEGIN { print (a + b) * 1e9 }')" '
	    $2 == f { if (t && $4 - t > max) { print "syncs " ($4 - t) / 1e9 \
	    " s apart"; bad = 1 } t = $4 } END { exit bad }' "$spy" ||
	    fail "fsync_seconds $fsync: syncs too far apart"

	start_recd "again-$fsync" --directory "$T/cut-$fsync" --channels 2 \
	    --connect 'sg:out_.*' --socket "$T/recd.sock" --autostart false
	grep -q 'left unfinished by a crash: repaired' "$T/again-$fsync.log" ||
	    fail "the cut file was not repaired"
	stop_recd
	out=$("$VERIFY" -c 2 "$T/cut-$fsync/take.wav" 2>&1) ||
	    fail "fsync_seconds $fsync: what was synced: $out"
	[[ $out =~ ,\ ([0-9]+)\ frames\ each ]] || fail "verify: $out"
	kept=${BASH_REMATCH[1]}
	lost=$((recorded - kept))
	bound=$(awk -v a="$fsync" -v b=$SLACK -v r=$RATE \
	    'BEGIN { printf "%d\n", (a + b) * r }')
	[ "$lost" -le "$bound" ] ||
	    fail "fsync_seconds $fsync, header_seconds $hdr: $recorded frames recorded, $kept durable: $lost lost, more than $bound"
	echo "fsync_seconds $fsync, header_seconds $hdr: $(grep -c "$f" "$spy") syncs; at the freeze $recorded frames written, $kept durable ($((lost * 1000 / RATE)) ms at risk)"
done
