#!/bin/bash
# FLAC files (format flac16, flac24), read back by independent tools: flac
# decodes them (flac -t passes, the MD5 of a finished file included) and
# verify proves the decoded take bit-exact, in channel order and gapless
# across files, in single and split mode (split with more channels than a
# FLAC stream holds); metaflac reads the TimeReference comment, ffprobe the
# markers as chapters.  Bad values are refused.  Then kill -9 at random
# moments and repair on start: every file decodes, its STREAMINFO gives
# the samples it holds, and the take is bit-exact up to the kill.
#
# Trials: FLAC_TRIALS (10); under a sanitizer FLAC_TRIALS_SAN (3).
. "$(dirname "$0")/lib.sh"
not_under_tsan
for tool in flac metaflac ffprobe; do
	command -v $tool >/dev/null ||
	    { echo "skipped: no $tool (make deps installs it)"; exit 77; }
done

if [ -n "${SAN:-}" ]; then
	trials=${FLAC_TRIALS_SAN:-3}
else
	trials=${FLAC_TRIALS:-10}
fi

# decoded DIR FILES...: each FLAC file decoded by flac into DIR, as
# PATH@TIME_REFERENCE for verify; flac -t first.
decoded() {
	local dir=$1 f tr out
	shift
	mkdir -p "$dir"
	for f in "$@"; do
		out=$(flac -t -s "$f" 2>&1) || fail "flac -t $f: $out"
		out=$(ffprobe -v error -show_entries format=duration "$f" 2>&1) ||
		    fail "ffprobe $f: $out"
		[ "$(soxi -s "$f" 2>&1)" = "$(metaflac --show-total-samples "$f")" ] ||
		    fail "$f: sox reads $(soxi -s "$f" 2>&1) samples, STREAMINFO says $(metaflac --show-total-samples "$f")"
		tr=$(metaflac --show-tag=TIME_REFERENCE "$f" | cut -d= -f2)
		[ -n "$tr" ] || fail "$f: no TIME_REFERENCE comment"
		out=$(flac -d -s -f -o "$dir/$(basename "$f" .flac).wav" "$f" 2>&1) ||
		    fail "flac -d $f: $out"
		echo "$dir/$(basename "$f" .flac).wav@$tr"
	done
}

# flacs DIR: the finished FLAC files under DIR.
flacs() {
	find "$1" -name '*.flac' | sort
}

start_jackd 48000 1024
start_siggen sg24 2 -b 24
start_siggen sg16 2 -b 16
start_siggen sg10 10 -b 24

# Refused: more than 8 channels in one FLAC file, a level out of range.
out=$("$RECD" -n --channels 9 --format flac24 --directory "$T/x" 2>&1) &&
    fail "9 channels in one FLAC file accepted: $out"
[[ $out == *'format: flac24: a FLAC file holds at most 8 channels'* ]] ||
    fail "9 channels single: $out"
out=$("$RECD" -n --channels 9 --mode split --format flac24 \
    --directory "$T/x" 2>&1) || fail "9 channels split refused: $out"
out=$("$RECD" -n --format flac16 --flac-level 9 --directory "$T/x" 2>&1) &&
    fail "flac_level 9 accepted: $out"
[[ $out == *'flac_level'*'9'* ]] || fail "flac_level 9: $out"

for run in single:flac24:sg24:2:24 single:flac16:sg16:2:16 \
    split:flac24:sg10:10:24; do
	IFS=: read -r mode fmt src ch bits <<<"$run"
	d=$T/$mode-$fmt
	start_recd "recd-$mode-$fmt" --directory "$d" --channels "$ch" \
	    --connect "$src:out_.*" --mode "$mode" --format "$fmt" \
	    --flac-level 5 --rotate-seconds 1 --no-rotate-align \
	    --socket "$T/$mode-$fmt.sock"
	wait_log "$T/recd-$mode-$fmt.log" 'closed, 48000 frames' 1 60
	"$B/recctl" --socket "$T/$mode-$fmt.sock" mark "a marker" >/dev/null ||
	    fail "mark"
	wait_log "$T/recd-$mode-$fmt.log" 'closed, 48000 frames' 2 60
	stop_recd
	no_partials "$d"
	files=$(flacs "$d")
	want=3
	[ "$mode" = split ] && want=$((3 * ch))
	[ "$(wc -l <<<"$files")" -ge "$want" ] ||
	    fail "$mode $fmt: $(wc -l <<<"$files") files, want $want"
	args=$(decoded "$T/dec-$mode-$fmt" $files) || exit 1
	out=$("$VERIFY" -g -b "$bits" -c "$ch" -m 96000 $args 2>&1) ||
	    fail "$mode $fmt: $out"
	found=$(discontinuities "$out") || exit 1
	logged=$(grep -c 'recd: warning: gap: ' "$T/recd-$mode-$fmt.log")
	[ "$found" -le "$logged" ] ||
	    fail "$mode $fmt: $out; recd logged $logged gaps"
	echo "$mode $fmt: $out"
	# Finished files carry the MD5 of their audio, and flac -t checked it.
	f=$(head -n 1 <<<"$files")
	md5=$(metaflac --show-md5sum "$f")
	[ "$md5" != 00000000000000000000000000000000 ] || fail "$f: no MD5"
	# Every file gives its channels' ports.
	metaflac --show-tag=CHANNEL01 "$f" | grep -q '=in_' ||
	    fail "$f: no port name: $(metaflac --export-tags-to=- "$f")"
	# The marker, as a chapter that ffprobe shows.
	shown=
	for f in $files; do
		ffprobe -v error -show_chapters "$f" 2>/dev/null |
		    grep -q '^TAG:title=a marker$' && shown=$f
	done
	[ -n "$shown" ] || fail "$mode $fmt: no file shows the marker"
done

# kill -9 at random moments in a take of 2 s files, then repair on start.
for ((k = 1; k <= trials; k++)); do
	d=$T/kill-$k
	start_recd "kill-$k" --directory "$d" --channels 2 \
	    --connect 'sg24:out_.*' --format flac24 --rotate-seconds 2 \
	    --no-rotate-align --header-seconds 0.25 --socket "$T/kill.sock"
	kill_with_audio "$d"
	# As kill -9 left them: each decodes up to its last frame.
	for f in $(find "$d" -name '*.flac.partial'); do
		out=$(flac -t -s -F "$f" 2>&1) || fail "trial $k: $f: $out"
	done
	killed=$(find "$d" -name '*.flac*' | sed 's/\.partial$//' | sort)
	start_recd "again-$k" --directory "$d" --channels 2 \
	    --connect 'sg24:out_.*' --format flac24 --no-autostart \
	    --socket "$T/kill.sock"
	stop_recd
	no_partials "$d"
	files=
	for f in $killed; do
		[ -e "$f" ] && files="$files $f"
	done
	[ -n "$files" ] || fail "trial $k: nothing left of the take"
	for f in $files; do
		n=$(metaflac --show-total-samples "$f")
		[ "$n" -gt 0 ] || fail "trial $k: $f: STREAMINFO gives $n samples"
	done
	args=$(decoded "$T/dec-kill-$k" $files) || exit 1
	out=$("$VERIFY" -g -k -b 24 -c 2 $args 2>&1) ||
	    fail "trial $k: $out"
	# The decoded length is what STREAMINFO says.
	for f in $files; do
		n=$(metaflac --show-total-samples "$f")
		w=$T/dec-kill-$k/$(basename "$f" .flac).wav
		m=$(soxi -s "$w")
		[ "$m" = "$n" ] || fail "trial $k: $f: $m samples decoded, STREAMINFO $n"
	done
	repaired=$(grep -c 'left unfinished by a crash: repaired' "$T/again-$k.log")
	[ "$repaired" -ge 1 ] || fail "trial $k: no file repaired: $(cat "$T/again-$k.log")"
	echo "trial $k: $(wc -w <<<"$files") files, $repaired repaired: $out"
done
