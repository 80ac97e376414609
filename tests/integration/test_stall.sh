#!/bin/bash
# A stalled writer (test hook: SIGUSR1 blocks it for buffer_seconds +
# 1.5 s): the ring overflows, the callback drops and counts, and the gap is
# logged, marked with a cue and counted; with gap_policy split the files
# end at the gap and the next start at the true time of the next sample,
# with gap_policy silence the gap is filled with exactly the frames lost.
# No file is corrupt, and recording goes on.
. "$(dirname "$0")/lib.sh"
export RECD_TEST_HOOKS=1

start_jackd 48000 1024
start_siggen sg 4 -b 24
for policy in split silence; do
	d=$T/$policy
	start_recd "recd-$policy" --directory "$d" --channels 4 \
	    --connect 'sg:out_.*' --rotate-seconds 2 --no-rotate-align \
	    --buffer-seconds 0.5 --gap-policy "$policy"
	log=$T/recd-$policy.log
	wait_log "$log" 'closed, ' 1 30
	kill -USR1 "$RECD_PID"
	wait_log "$log" 'gap: [0-9]+ frames .*ring full' 1 30
	closed=$(grep -c 'closed, ' "$log")
	wait_log "$log" 'closed, ' $((closed + 2)) 30
	stop_recd
	no_partials "$d"
	out=$("$VERIFY" -v -g -c 4 $(takes "$d") 2>&1) || fail "$policy: $out"
	summary=$(tail -n 1 <<<"$out")
	dropped=$(sed -n 's/.*, \([0-9]*\) frames dropped.*/\1/p' "$log")
	[ "${dropped:-0}" -gt 0 ] || fail "$policy: no frames counted as dropped"
	case $policy in
	split)
		[[ $summary =~ ", 0 gaps" ]] && fail "split: verify saw no gap"
		;;
	silence)
		[[ $summary =~ ", 0 gaps, " ]] ||
		    fail "silence: the files should join: $summary"
		[[ $summary =~ ", 0 silence runs" ]] &&
		    fail "silence: no silence filled in"
		;;
	esac
	grep -qa 'gap: [0-9]* frames' $(takes "$d") ||
	    fail "$policy: no cue label marks the gap"
	while read -r f tr frames rate; do
		[ "$f" = verify: ] || third_party "$f" "$frames" 4 48000
	done <<<"$out"
	echo "$policy: $summary; $dropped frames dropped"
done
