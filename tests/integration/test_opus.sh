#!/bin/bash
# Ogg Opus files (format opus), read back by independent tools: opusinfo
# accepts every file, opusdec decodes it, and the decoded files of a take,
# joined, hold exactly the take's samples (each file as many as recd
# wrote into it): rotation is sample-exact.  Single and split.  Bad values
# are refused.  Then kill -9 at random moments and repair on start: every
# file left by the kill plays (opusinfo, ffprobe) before the repair, and
# after it ends well-formed with the samples recd says it holds.
#
# Trials: OPUS_TRIALS (10); under a sanitizer OPUS_TRIALS_SAN (3).
. "$(dirname "$0")/lib.sh"
not_under_tsan
for tool in opusinfo opusdec ffprobe soxi; do
	command -v $tool >/dev/null ||
	    { echo "skipped: no $tool (make deps installs it)"; exit 77; }
done

if [ -n "${SAN:-}" ]; then
	trials=${OPUS_TRIALS_SAN:-3}
else
	trials=${OPUS_TRIALS:-10}
fi

# samples FILE: what opusdec decodes of FILE (at 48 kHz), after opusinfo
# accepted it without a warning (strict) or at all.
samples() {
	local f=$1 strict=$2 out w rc
	out=$(opusinfo "$f" 2>&1)
	rc=$?
	if [ $rc != 0 ]; then
		# A file opened ahead of a boundary and cut by the kill holds
		# the headers alone: no audio (repair removes it).
		if [ "$strict" = 0 ] && grep -q 'stream 1 is empty' <<<"$out"; then
			echo 0
			return 0
		fi
		fail "opusinfo $f: $out"
	fi
	if [ "$strict" = 1 ] && grep -qi 'warning' <<<"$out"; then
		fail "opusinfo $f: $out"
	fi
	out=$(ffprobe -v error -show_entries format=duration "$f" 2>&1) ||
	    fail "ffprobe $f: $out"
	w=$T/dec.wav
	out=$(opusdec --quiet --force-wav "$f" "$w" 2>&1) ||
	    fail "opusdec $f: $out"
	soxi -s "$w"
}

start_jackd 48000 1024
start_siggen sg 2 -b 24

out=$("$RECD" -n --format opus --opus-bitrate 5 --directory "$T/x" 2>&1) &&
    fail "opus_bitrate 5 accepted: $out"
[[ $out == *'opus_bitrate'*'5'* ]] || fail "opus_bitrate 5: $out"

for mode in single split; do
	d=$T/$mode
	log=$T/recd-$mode.log
	start_recd "recd-$mode" --directory "$d" --channels 2 \
	    --connect 'sg:out_.*' --mode "$mode" --format opus \
	    --opus-bitrate 64 --rotate-seconds 1 --no-rotate-align
	wait_log "$log" 'closed, 48000 frames' 2 60
	stop_recd
	no_partials "$d"
	# Each file decodes to the frames recd wrote into it.
	n=0 total=0 want=0
	while read -r f frames; do
		got=$(samples "$f" 1) || exit 1
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
	    --connect 'sg:out_.*' --format opus --rotate-seconds 2 \
	    --no-rotate-align --header-seconds 0.25
	kill_with_audio "$d"
	# As kill -9 left them: each plays to its last page.
	for f in $(find "$d" -name '*.opus.partial'); do
		[ "$(stat -c %s "$f")" -gt 0 ] || continue
		samples "$f" 0 >/dev/null || exit 1
	done
	start_recd "again-$k" --directory "$d" --channels 2 \
	    --connect 'sg:out_.*' --format opus --autostart false
	stop_recd
	no_partials "$d"
	repaired=0
	while read -r f frames; do
		got=$(samples "$f" 1) || exit 1
		[ "$got" = "$frames" ] ||
		    fail "trial $k: $f: $got samples decoded, repair says $frames"
		repaired=$((repaired + 1))
	done < <(repaired_files "$T/again-$k.log")
	[ "$repaired" -ge 1 ] || fail "trial $k: no file repaired: $(cat "$T/again-$k.log")"
	echo "trial $k: $repaired files repaired, each its length"
done
