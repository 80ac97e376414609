#!/bin/bash
# Loudness (the option loudness): every finished file's bext holds the
# five loudness fields (version 2, none left 0x7FFF), the file_closed
# event carries the same values for every group, and the integrated
# loudness agrees with ffmpeg's ebur128 filter on the same file within
# 0.1 LU (ffmpeg on the group's channels alone where the group is not the
# whole file).  Three takes of 3 s files: a stereo 1 kHz sine at -23 dBFS
# (-23 LUFS) in single mode with two groups (1-2 and 1, a mono -26 LUFS);
# siggen's channel and frame codes in single mode; and the codes in split
# mode, each file measuring its own channel.
. "$(dirname "$0")/lib.sh"
# loud.c is unit-tested under both sanitizers (test_loud); this end-to-end
# check against ffmpeg runs in the plain pass (time budget).
plain_only

RECCTL=${RECCTL:-$B/recctl}
rate=48000 secs=3

command -v ffmpeg >/dev/null || { echo "skipped: no ffmpeg"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }

start_jackd $rate 1024
start_siggen sine 2 -s -23
start_siggen codes 2 -b 24

# take NAME SOURCE MODE GROUPS...: records 3 s files until two whole
# ones are closed, then stops; NAME.events holds every event.
take() {
	local name=$1 src=$2 mode=$3 sock="$T/$1.sock" g n want end
	shift 3
	local args=()
	for g in "$@"; do
		args+=(--loudness "$g")
	done
	start_recd "$name" --directory "$T/$name" --channels 2 \
	    --connect "$src:out_.*" --mode "$mode" --rotate-seconds $secs \
	    --no-rotate-align --socket "$sock" --autostart false "${args[@]}"
	"$RECCTL" --socket "$sock" --json events >"$T/$name.events" 2>&1 &
	PIDS="$PIDS $!"
	listening "$sock" "$T/$name.events"
	"$RECCTL" --socket "$sock" start >/dev/null || fail "start refused"
	wait_log "$T/$name.log" "closed, $((rate * secs)) frames" 2 30
	stop_recd
	no_partials "$T/$name"
	# Every finished file's event has come (the last after SIGTERM).
	want=$(takes "$T/$name" | wc -l)
	end=$((SECONDS + 10))
	while :; do
		n=$(grep -c '"event":"file_closed"' "$T/$name.events")
		[ "$n" -ge "$want" ] && break
		[ $SECONDS -lt $end ] ||
		    fail "$name: $n file_closed events for $want files"
		timeout 0.05 tail -f /dev/null
	done
}

# check NAME MODE GROUPS [LUFS]: the files of take NAME against their
# events and ffmpeg (loudness_check.py says how); LUFS: what the first
# group of every whole file must read.
check() {
	python3 "$(dirname "$0")/../tools/loudness_check.py" "$T/$1.events" "$2" \
	    "$3" $((rate)) "${4:-}" || fail "$1: loudness: see above"
}

take sine sine single 1-2 1
check sine single 1-2,1 -23
take codes codes single 1-2
check codes single 1-2
take split codes split 1-2
check split split 1-2
