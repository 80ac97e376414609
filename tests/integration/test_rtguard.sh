#!/bin/bash
# The real-time rule at run time: an LD_PRELOAD guard wraps recd's process
# callback and counts every allocation, lock, sleep or write made inside
# it.  A real take must show callbacks and no forbidden call; the guard's
# self-test must see the malloc it provokes.  Plain build only: the
# sanitizers replace malloc themselves.
. "$(dirname "$0")/lib.sh"
[ -z "${SAN:-}" ] || { echo "skipped under $SAN"; exit 77; }

start_jackd 48000 256
start_siggen sg 8 -b 24
for mode in real selftest; do
	env=(LD_PRELOAD="$PWD/build/tests/rtguard.so")
	[ $mode = selftest ] && env+=(RTGUARD_SELFTEST=1)
	env "${env[@]}" "$RECD" --directory "$T/$mode" --channels 8 \
	    --connect 'sg:out_.*' --rotate-seconds 1 --no-rotate-align \
	    >"$T/recd-$mode.log" 2>&1 &
	RECD_PID=$!
	PIDS="$PIDS $RECD_PID"
	wait_log "$T/recd-$mode.log" 'closed, ' 1 30
	stop_recd
	line=$(grep '^rtguard: ' "$T/recd-$mode.log") ||
	    fail "$mode: the guard did not report"
	[[ $line =~ ^rtguard:\ ([0-9]+)\ callbacks,\ ([0-9]+)\ forbidden ]] ||
	    fail "$mode: $line"
	[ "${BASH_REMATCH[1]}" -gt 100 ] || fail "$mode: $line"
	if [ $mode = real ]; then
		[ "${BASH_REMATCH[2]}" = 0 ] || fail "$line"
	else
		[[ $line =~ first:\ malloc ]] || fail "self-test: $line"
	fi
	echo "$mode: $line"
done
