#!/bin/bash
# make soak: recd records 8 channels for SOAK_SECONDS (3600) with 10 s
# rotation while `recctl meter` follows the levels the whole time.  At
# every file boundary the resident memory of recd is sampled (VmRSS).
# Then it reports the gaps (must be 0), the drops, the xruns, the memory
# at start and end and its growth (at most SOAK_MAX_RSS_GROWTH_KB, 8192),
# the meter lines received and the file count, and proves the whole take
# bit-exact and gapless.  Not part of make check: it takes an hour.
. "$(dirname "$0")/../integration/lib.sh"
RECCTL=${RECCTL:-$B/recctl}
SECS=${SOAK_SECONDS:-3600}
MAX_GROWTH=${SOAK_MAX_RSS_GROWTH_KB:-8192}
CH=8
ROT=10
S=$T/recd.sock

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$RECD_PID/status"
}

start_jackd 48000 1024
start_siggen sg $CH -b 24
start_recd recd --directory "$T/rec" --channels $CH --connect 'sg:out_.*' \
    --rotate-seconds $ROT --socket "$S"
"$RECCTL" --socket "$S" meter >"$T/meter.out" 2>"$T/meter.log" &
meter=$!
PIDS="$PIDS $meter"

# One sample a boundary, from the first (warmed up) to the last.
files=$((SECS / ROT))
[ "$files" -ge 3 ] || fail "SOAK_SECONDS=$SECS: at least $((3 * ROT)) s"
wait_log "$T/recd.log" 'closed, ' 1 $((ROT * 3))
rss0=$(rss_kb)
rss_max=$rss0
echo "soak: $SECS s, $CH channels, ${ROT} s files; recd pid $RECD_PID, RSS $rss0 kB"
for ((k = 2; k <= files; k++)); do
	wait_log "$T/recd.log" 'closed, ' $k $((ROT * 3))
	rss=$(rss_kb)
	[ "$rss" -gt "$rss_max" ] && rss_max=$rss
	kill -0 "$meter" 2>/dev/null || fail "recctl meter ended: $(cat "$T/meter.log")"
	((k % 30 == 0)) && echo "soak: $((k * ROT)) s, RSS $rss kB"
done
rss1=$(rss_kb)
st=$("$RECCTL" --socket "$S" --json status) || fail "status: $st"
stop_pid "$meter"
stop_recd

num() {
	sed -n "s/.*\"$1\":\\([0-9]*\\).*/\\1/p" <<<"$st"
}
gaps=$(num gaps)
dropped=$(num dropped_frames)
xruns=$(num xruns)
nfiles=$(find "$T/rec" -name '*.wav' | wc -l)
meter_lines=$(wc -l <"$T/meter.out")
growth=$((rss1 - rss0))
echo "soak: gaps $gaps, dropped frames $dropped, xruns $xruns"
echo "soak: RSS $rss0 kB at start, $rss1 kB at end (max $rss_max): growth $growth kB"
echo "soak: $nfiles files, $meter_lines meter lines"
no_partials "$T/rec"
out=$("$VERIFY" -c $CH $(takes "$T/rec") 2>&1) || fail "the take: $out"
echo "soak: $out"
[ "$gaps" = 0 ] || fail "$gaps gaps"
[ "$dropped" = 0 ] || fail "$dropped frames dropped"
[ "$growth" -le "$MAX_GROWTH" ] || fail "RSS grew by $growth kB"
[ "$nfiles" -ge "$files" ] || fail "$nfiles files, expected $files or more"
# The meter ran the whole time: at least 5 updates a second.
[ "$meter_lines" -ge $((SECS * 5)) ] || fail "only $meter_lines meter lines"
echo "soak: passed"
