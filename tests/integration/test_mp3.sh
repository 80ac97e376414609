#!/bin/bash
# MP3 files (format mp3), read back by independent tools: mpg123 -t
# accepts every file, and mpg123 decodes each finished file to exactly the
# frames recd wrote into it (LAME's tag gives the encoder delay and the
# padding): rotation is sample-exact.  Single and split.  Bad values are
# refused.  Then kill -9 at random moments and repair on start: every file
# left by the kill plays (mpg123 -t, ffprobe, sox) before the repair and
# after.
#
# Trials: MP3_TRIALS (10); under a sanitizer MP3_TRIALS_SAN (3).
. "$(dirname "$0")/lib.sh"
not_under_tsan
for tool in mpg123 ffprobe soxi; do
	command -v $tool >/dev/null ||
	    { echo "skipped: no $tool (make deps installs it)"; exit 77; }
done

if [ -n "${SAN:-}" ]; then
	trials=${MP3_TRIALS_SAN:-3}
else
	trials=${MP3_TRIALS:-10}
fi

# plays FILE: mpg123, ffprobe and sox read it through; prints the samples
# mpg123 decodes.
plays() {
	local f=$1 out w=$T/dec.wav
	out=$(mpg123 -q -t "$f" 2>&1) || fail "mpg123 -t $f: $out"
	out=$(ffprobe -v error -show_entries format=duration "$f" 2>&1) ||
	    fail "ffprobe $f: $out"
	out=$(sox -t mp3 "$f" -n 2>&1) || fail "sox $f: $out"
	out=$(mpg123 -q -w "$w" "$f" 2>&1) || fail "mpg123 -w $f: $out"
	soxi -s "$w"
}

start_jackd 48000 1024
start_siggen sg 2 -b 24

out=$("$RECD" -n --format mp3 --channels 3 --directory "$T/x" 2>&1) &&
    fail "3 channels in one MP3 file accepted: $out"
[[ $out == *'format: mp3: an MP3 file holds at most 2 channels'* ]] ||
    fail "3 channels single: $out"
out=$("$RECD" -n --format mp3 --mp3-bitrate 16 --directory "$T/x" 2>&1) &&
    fail "mp3_bitrate 16 accepted: $out"
[[ $out == *'mp3_bitrate'*'16'* ]] || fail "mp3_bitrate 16: $out"

for mode in single split; do
	d=$T/$mode
	log=$T/recd-$mode.log
	start_recd "recd-$mode" --directory "$d" --channels 2 \
	    --connect 'sg:out_.*' --mode "$mode" --format mp3 \
	    --mp3-bitrate 128 --rotate-seconds 1 --no-rotate-align
	wait_log "$log" 'closed, 48000 frames' 2 60
	stop_recd
	no_partials "$d"
	n=0 total=0
	while read -r f frames; do
		got=$(plays "$f") || exit 1
		[ "$got" = "$frames" ] ||
		    fail "$mode: $f: $got samples decoded, recd wrote $frames"
		n=$((n + 1))
		total=$((total + got))
	done < <(closed_files "$log" "$mode")
	want=$(sed -n 's/.*recd: stopped: \([0-9]*\) frames recorded.*/\1/p' "$log")
	[ "$mode" = split ] && want=$((2 * want))
	[ "$total" = "$want" ] ||
	    fail "$mode: the files decode to $total samples, the take is $want"
	echo "$mode: $n files decode to $total samples, as the take"
done

for ((k = 1; k <= trials; k++)); do
	d=$T/kill-$k
	start_recd "kill-$k" --directory "$d" --channels 2 \
	    --connect 'sg:out_.*' --format mp3 --rotate-seconds 2 \
	    --no-rotate-align --header-seconds 0.25
	kill_with_audio "$d"
	for f in $(find "$d" -name '*.mp3.partial'); do
		[ "$(stat -c %s "$f")" -gt 0 ] || continue
		plays "$f" >/dev/null || exit 1
	done
	start_recd "again-$k" --directory "$d" --channels 2 \
	    --connect 'sg:out_.*' --format mp3 --autostart false
	stop_recd
	no_partials "$d"
	repaired=0
	while read -r f frames; do
		got=$(plays "$f") || exit 1
		[ "$got" -gt 0 ] || fail "trial $k: $f: nothing decoded"
		repaired=$((repaired + 1))
	done < <(repaired_files "$T/again-$k.log")
	[ "$repaired" -ge 1 ] || fail "trial $k: no file repaired: $(cat "$T/again-$k.log")"
	echo "trial $k: $repaired files repaired, each plays"
done
