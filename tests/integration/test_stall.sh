#!/bin/bash
# A stalled writer (test hook: SIGUSR1 blocks it for buffer_seconds +
# 1.5 s): the ring overflows, and the callback runs on, dropping and
# counting (status shows the drops while the writer is still blocked).
# The gap is logged, marked with a cue, counted in status and sent to
# subscribers as a gap event; with gap_policy split the files end at the
# gap and the next start at the true time of the next sample, with
# gap_policy silence the gap is filled with exactly the frames lost.  No
# file is corrupt, and recording goes on.
. "$(dirname "$0")/lib.sh"
not_under_asan
export RECD_TEST_HOOKS=1
SOCKC=build/tests/sockc

# field NAME STATUS_LINE: one number from a status reply.
field() {
	sed -n "s/.*\"$1\":\\([0-9]*\\).*/\\1/p" <<<"$2"
}

status() {
	"$SOCKC" "$S" lines <<<'{"id":1,"cmd":"status"}'
}

start_jackd 48000 1024
start_siggen sg 4 -b 24
for policy in split silence; do
	d=$T/$policy
	S=$T/$policy.sock
	start_recd "recd-$policy" --directory "$d" --channels 4 \
	    --connect 'sg:out_.*' --rotate-seconds 2 --no-rotate-align \
	    --buffer-seconds 0.5 --gap-policy "$policy" --socket "$S"
	log=$T/recd-$policy.log
	"$SOCKC" "$S" listen 60 '{"id":1,"cmd":"subscribe","stream":"events"}' \
	    >"$T/events-$policy.log" 2>&1 &
	listener=$!
	PIDS="$PIDS $listener"
	wait_log "$T/events-$policy.log" '"id":1,"result"' 1 10
	wait_log "$log" 'closed, ' 1 30
	[ "$(field dropped_frames "$(status)")" = 0 ] ||
	    fail "$policy: drops before the stall"
	kill -USR1 "$RECD_PID"
	wait_log "$log" 'test hook: the writer stalls' 1 10
	# The callback runs on while the writer is blocked: drops are
	# counted now, before the writer is back to report the gap.
	end=$((SECONDS + 10))
	while :; do
		st=$(status)
		dropped=$(field dropped_frames "$st")
		[ "${dropped:-0}" -gt 0 ] && break
		[ $SECONDS -lt $end ] ||
		    fail "$policy: no drop counted during the stall: $st"
		wait_exit "$RECD_PID" 0.05
	done
	wait_log "$log" 'gap: [0-9]+ frames .*ring full' 1 30
	wait_log "$T/events-$policy.log" '"event":"gap","frames":[1-9][0-9]*,.*"cause":"ring full' 1 10
	closed=$(grep -c 'closed, ' "$log")
	wait_log "$log" 'closed, ' $((closed + 2)) 30
	# Recording resumed: status agrees with the log, frames go on.
	st=$(status)
	[ "$(field gaps "$st")" = "$(grep -c 'recd: warning: gap: ' "$log")" ] ||
	    fail "$policy: status gaps: $st"
	[ "$(field gap_frames "$st")" -ge "$(field dropped_frames "$st")" ] ||
	    fail "$policy: gap frames below the drops: $st"
	frames=$(field frames_written "$st")
	wait_log "$log" 'closed, ' $((closed + 3)) 30
	[ "$(field frames_written "$(status)")" -gt "$frames" ] ||
	    fail "$policy: frames stopped at $frames"
	stop_pid "$listener"
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
