#!/bin/bash
# Rates and channel counts: 1 channel at 44.1 kHz, 2 at 96 kHz split,
# 2 at 192 kHz, 64 at 48 kHz split; each take bit-exact and gapless, and
# read at the right rate by the third-party readers.
. "$(dirname "$0")/lib.sh"
not_under_tsan

take() {	# RATE PERIOD CHANNELS MODE FORMAT
	local rate=$1 period=$2 ch=$3 mode=$4 fmt=$5 d out f
	d=$T/$rate-$ch-$mode
	start_jackd "$rate" "$period"
	start_siggen sg "$ch" -b 24
	start_recd "recd-$rate" --directory "$d" --channels "$ch" \
	    --connect 'sg:out_.*' --mode "$mode" --format "$fmt" \
	    --rotate-seconds 1 --no-rotate-align
	wait_log "$T/recd-$rate.log" "closed, $rate frames" 2 30
	stop_recd
	out=$(verify_take "$d" "$T/recd-$rate.log" -c "$ch" \
	    -m $((2 * rate))) || exit 1
	f=$(takes "$d" | head -n 1)
	[ "$mode" = split ] && ch=1
	third_party "$f" "$rate" "$ch" "$rate"
	echo "$rate Hz, $3 ch $mode $fmt: $out"
	stop_pid "$(pidof -s siggen)" 2>/dev/null
	stop_jackd
}

take 44100 1024 1 single pcm24
take 96000 1024 2 split pcm32
take 192000 2048 2 single float32
take 48000 1024 64 split pcm24
