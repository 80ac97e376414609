#!/bin/bash
# Every mode and format: 8 channels, 1 s rotation; each take is bit-exact,
# in channel order and gapless across all of its files.
. "$(dirname "$0")/lib.sh"
# Conversion and WAV files are unit-tested under ASan (test_conv,
# test_wav), and the codec tests run under ASan: the plain pass runs this
# (time budget).
plain_only

start_jackd 48000 1024
start_siggen sg24 8 -b 24
start_siggen sg16 8 -b 16
for mode in single split; do
	for fmt in pcm16 pcm24 pcm32 float32; do
		d=$T/$mode-$fmt src=sg24 bits=24
		[ "$fmt" = pcm16 ] && src=sg16 bits=16
		start_recd "recd-$mode-$fmt" --directory "$d" --channels 8 \
		    --connect "$src:out_.*" --mode "$mode" --format "$fmt" \
		    --rotate-seconds 1 --no-rotate-align
		# Three whole 1 s files (a gap, which recd logs, closes one
		# early and does not count).
		wait_log "$T/recd-$mode-$fmt.log" 'closed, 48000 frames' 3 60
		stop_recd
		no_partials "$d"
		n=$(takes "$d" | wc -l)
		want=4
		[ "$mode" = split ] && want=32
		[ "$n" -ge "$want" ] || fail "$mode $fmt: $n files, want $want"
		out=$(verify_take "$d" "$T/recd-$mode-$fmt.log" -b "$bits" \
		    -c 8 -m 144000) || exit 1
		echo "$mode $fmt: $out"
	done
done
