#!/bin/bash
# kill -9 of recd at random moments of a multi-file take, in single and
# split mode: anywhere in a file, right as a file is closed at a boundary
# (rotation: close, sync, rename), and right as the next files are opened
# ahead of it.  After each kill, before any repair, every file left on disk
# is valid for libsndfile and ffprobe, its header covers every frame but
# at most header_seconds' worth of what the file holds, and what it covers
# is the signal, bit-exact.  Then recd starts again on the same directory:
# it repairs each unfinished file (a log line each) or removes it when
# empty, and the take is bit-exact and gapless up to the kill (every
# discontinuity one that recd logged), opens in sox, ffprobe and
# libsndfile with the length verify reads, and lost at most what recd
# still held in memory at the kill.
#
# 10 trials: KILL9_TRIALS (5) in each mode, 4 s each; the sanitizer runs
# take fewer (KILL9_TRIALS_SAN, 2 a mode): they are slow, and the plain
# run has already covered the moments.  Each mode meets every kind of
# moment.  KILL9_TRIALS=20 gives 20 a mode.
. "$(dirname "$0")/lib.sh"
not_under_tsan

if [ -n "${SAN:-}" ]; then
	trials=$((2 * ${KILL9_TRIALS_SAN:-2}))
else
	trials=$((2 * ${KILL9_TRIALS:-5}))
fi
CH=4
RATE=48000
HDR=0.2			# header_seconds
# What a kill may take beyond the last header refresh, in seconds: the
# writer's 20 ms drain period and its flush, with room for a loaded
# machine (a late drain writes a backlog in one go).
SLACK=0.5
# Under the sanitizers the writer is several times slower, and its
# backlog on a loaded machine longer.
[ -n "${SAN:-}" ] && SLACK=1.5
LIMIT=$(awk -v a=$HDR -v b=$SLACK 'BEGIN { print a + b }')

# elapse PID SECONDS: lets PID run on for SECONDS (a random part of the
# experiment, not a wait for a state); returns early if PID ends.
elapse() {
	# Never 0: to timeout, 0 means no limit at all.
	timeout "$2" tail --pid="$1" -f /dev/null 2>/dev/null
	return 0
}

# frames_of SECONDS: SECONDS at RATE, rounded up.
frames_of() {
	awk -v s="$1" -v r=$RATE 'BEGIN { printf "%d\n", s * r + 0.999 }'
}

# Sum of the frames of the gaps recd logged in LOG.
gap_frames() {
	sed -n 's/.*recd: warning: gap: \([0-9]*\) frames.*/\1/p' "$1" |
	    awk '{ s += $1 } END { print s + 0 }'
}

start_jackd $RATE 1024
echo "jackd up after ${SECONDS}s"
start_siggen sg $CH -b 24

max_ahead=0		# most frames on disk beyond a header, seen
max_lost=0		# most frames a kill took (ms), seen
nrepaired=0
nremoved=0
kinds=""
for ((k = 1; k <= trials; k++)); do
	mode=single
	[ $((k % 2)) = 0 ] && mode=split
	dir=$T/rec-$k
	log=$T/recd-$k.log
	start_recd "recd-$k" --directory "$dir" --channels $CH \
	    --connect 'sg:out_.*' --mode $mode --rotate-seconds 2 \
	    --no-rotate-align --header-seconds $HDR --fsync-seconds 1 \
	    --socket "$T/recd.sock"
	t0=$EPOCHREALTIME
	# Where to kill: four kinds of moment, in turn in each mode (trials
	# alternate modes), at random within.
	n=$((RANDOM % 2 + 1))
	case $(((k - 1) / 2 % 4)) in
	0)	kind=random
		elapse "$RECD_PID" "$(printf '%d.%03d' $((RANDOM % 4)) \
		    $((RANDOM % 700 + 300)))" ;;
	1)	kind=close
		wait_log "$log" 'closed, ' $n 30 ;;
	2)	kind=open
		wait_log "$log" 'opened' $((n + 2)) 30 ;;
	3)	kind=after-close
		wait_log "$log" 'closed, ' $n 30
		elapse "$RECD_PID" "$(printf '0.%03d' $((RANDOM % 100 + 1)))" ;;
	esac
	kill -0 "$RECD_PID" 2>/dev/null || fail "trial $k: recd died early"
	kill -KILL "$RECD_PID"
	t1=$EPOCHREALTIME
	wait "$RECD_PID" 2>/dev/null
	kinds="$kinds${kinds:+ }$kind"

	# As a crash left them: valid to readers; headers nearly current.
	partials=$(find "$dir" -name '*.wav.partial' | sort)
	# JACK's dummy driver on a loaded machine may run recd late in a
	# cycle and hand it the source's next period (its time stamp a
	# period on, the next one back in line: recd takes it for a stamp
	# that was off, as the driver's re-estimation makes them): siggen's
	# codes jump a period where recd could see nothing.  verify allows
	# one such jump per xrun JACK reported in this trial, nothing else.
	xruns=$(sed -n 's/.*jack: xrun (\([0-9]*\) so far).*/\1/p' "$log" |
	    tail -n 1)
	jumps="1024:${xruns:-0}"
	np=$(wc -w <<<"$partials")
	[ "$np" -ge 1 ] || fail "trial $k ($mode, $kind): no unfinished file"
	for f in $partials; do
		"$SFCHECK" "$f" >/dev/null ||
		    fail "trial $k: libsndfile cannot open $f"
		ffprobe -v error -f wav "$f" >/dev/null 2>&1 ||
		    fail "trial $k: ffprobe cannot open $f"
		out=$("$VERIFY" -d -g -j "$jumps" -b 24 "$f" 2>&1) ||
		    fail "trial $k ($mode, $kind): before repair: $out"
		read -r _ hframes dframes <<<"$(grep -v '^verify: ' <<<"$out" |
		    sed -n 1p)"
		ahead=$((dframes - hframes))
		[ "$ahead" -le "$(frames_of "$LIMIT")" ] ||
		    fail "trial $k ($mode, $kind): $f: header covers $hframes of $dframes frames"
		[ "$ahead" -gt "$max_ahead" ] && max_ahead=$ahead
	done
	# A kill between the final name's link and the .partial's unlink
	# leaves one file under both names.
	before=$(find "$dir" -name '*.wav*' | sed 's/\.partial$//' | sort -u)

	# recd again on the same directory: the repair at start.
	start_recd "again-$k" --directory "$dir" --channels $CH \
	    --connect 'sg:out_.*' --socket "$T/recd.sock" --autostart false
	alog=$T/again-$k.log
	repaired=$(grep -c 'left unfinished by a crash: repaired' "$alog")
	removed=$(grep -c -E 'unfinished and empty: removed|only its unfinished name' "$alog")
	[ $((repaired + removed)) = "$np" ] ||
	    fail "trial $k: $np unfinished files, $repaired repaired, $removed removed"
	no_partials "$dir"
	stop_recd
	nrepaired=$((nrepaired + repaired))
	nremoved=$((nremoved + removed))

	take=$(for f in $before; do [ -e "$f" ] && echo "$f"; done)
	recorded=$(awk -v a="$t0" -v b="$t1" -v r=$RATE -v g="$(gap_frames \
	    "$log")" 'BEGIN { printf "%d\n", (b - a) * r - g }')
	if [ -z "$take" ]; then
		# A kill this early may find nothing written yet: all of it
		# is what recd may hold (the random kind kills from 0.3 s).
		[ "$recorded" -le "$(frames_of "$LIMIT")" ] ||
		    fail "trial $k: nothing left of the take, $recorded frames recorded"
		echo "trial $k ($mode, $kind, ${SECONDS}s): killed $recorded frames in, nothing on disk yet"
		[ -n "${KEEP_TEST_DIR:-}" ] || rm -rf "$dir"
		continue
	fi
	out=$("$VERIFY" -g -k -v -j "$jumps" -b 24 -c $CH $take 2>&1) ||
	    fail "trial $k ($mode, $kind): $out"
	summary=$(tail -n 1 <<<"$out")
	[ "$(discontinuities "$summary")" = \
	    "$(grep -c 'recd: warning: gap: ' "$log")" ] ||
	    fail "trial $k: discontinuities the log does not report: $out"
	while read -r f tr frames rate; do
		[ "$f" = verify: ] && continue
		if [ $mode = split ]; then
			third_party "$f" "$frames" 1 $RATE
		else
			third_party "$f" "$frames" $CH $RATE
		fi
	done <<<"$out"

	# Up to the kill: the files hold what was recorded until at most
	# header_seconds (+ slack) before it; t0 is later than the take's
	# start, so this undercounts what was recorded.
	[[ $summary =~ ,\ ([0-9]+)\ frames\ each ]] || fail "verify: $summary"
	held=${BASH_REMATCH[1]}
	lost=$((recorded - held))
	[ "$lost" -le "$(frames_of "$LIMIT")" ] ||
	    fail "trial $k ($mode, $kind): $held frames in the files, $recorded recorded until the kill"
	[ "$lost" -gt "$max_lost" ] && max_lost=$lost
	echo "trial $k ($mode, $kind, ${SECONDS}s): $np unfinished, $repaired repaired; $summary"
	[ -n "${KEEP_TEST_DIR:-}" ] || rm -rf "$dir"
done
echo "kill -9: $trials trials ($(tr ' ' '\n' <<<"$kinds" | sort | uniq -c |
    awk '{ printf "%s%d %s", (NR > 1 ? ", " : ""), $1, $2 }')), $nrepaired files repaired, $nremoved empty removed; headers at most $max_ahead frames behind the disk, at most $max_lost frames lost at a kill"
