#!/bin/bash
# run.sh: make bench.  Runs every benchmark, each figure with its baseline
# measured in the same run, and ends with one table: figure, value,
# baseline, ratio, target, PASS/MISS.  Informational: exits 0 unless
# something broke.
# usage: run.sh BUILD_DIR
# Knobs (environment):
#   BENCH_SECONDS  JACK windows and real-time rotation runs (10)
#   BENCH_MB       MB of file data per writer headroom run (500)
#   BENCH_RUNS     writer headroom runs, best taken (2)
#   BENCH_DIR      a directory on the recordings' filesystem (build/bench)
#   BENCH_SHM      a RAM filesystem (/dev/shm), "" to skip
#   BENCH_PEERS    channel counts of the JACK side-by-side ("2 16 64"),
#                  "" to skip
#   BENCH_CALLS    callback calls per figure (200000)
#   BENCH_CODECS   the codecs side by side ("flac opus mp3"), "" to skip
B=${1:-build}
SECS=${BENCH_SECONDS:-10}
MB=${BENCH_MB:-500}
RUNS=${BENCH_RUNS:-2}
DIR=${BENCH_DIR:-build/bench}
SHM=${BENCH_SHM-/dev/shm}
PEERS=${BENCH_PEERS-2 16 64}
CALLS=${BENCH_CALLS:-200000}
CODECS=${BENCH_CODECS-flac opus mp3}
ROWS=$(mktemp /tmp/recd-bench-rows.XXXXXX)
SHMDIR=""
broke=0

cleanup() {
	rm -f "$ROWS"
	[ -n "$SHMDIR" ] && rm -rf "$SHMDIR"
}
trap cleanup EXIT

# step CMD...: details to the terminal as they come, rows kept.
step() {
	local rc
	"$@" | while IFS= read -r line; do
		case $line in
		ROW\|*) echo "${line#ROW|}" >>"$ROWS" ;;
		*) echo "  $line" ;;
		esac
	done
	rc=${PIPESTATUS[0]}
	if [ "$rc" != 0 ]; then
		echo "bench: $* failed ($rc)" >&2
		broke=1
	fi
}

mkdir -p "$DIR" || exit 1
dirs=("$DIR")
if [ -n "$SHM" ] && [ -d "$SHM" ]; then
	SHMDIR=$(mktemp -d "$SHM/recd-bench.XXXXXX")
	dirs+=("$SHMDIR")
fi

echo "== machine"
echo "  $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
    "$(nproc) cores, Linux $(uname -r), $DIR on" \
    "$(stat -f -c %T "$DIR"), $(date -u '+%Y-%m-%d %H:%M UTC')"

echo "== 2. conversion (8 channels)"
step "$B/tests/bench_conv" 8

echo "== 3. real-time callback, 256 frames"
for n in 2 16 64 128 256; do
	step "$B/tests/bench_writer" callback "$n" 256 "$CALLS"
done

echo "== 1. writer headroom (pcm24; $MB MB a run, best of $RUNS)"
for d in "${dirs[@]}"; do
	for shape in "2 48000 single" "2 48000 split" "64 192000 single" \
	    "64 192000 split" "128 96000 single" "128 96000 split" \
	    "256 48000 single" "256 48000 split"; do
		# shellcheck disable=SC2086
		step "$B/tests/bench_writer" headroom $shape "$d" "$MB" "$RUNS"
	done
done

echo "== 4. rotation stall (real time, files every 2 s, $SECS s)"
step "$B/tests/bench_writer" rotation 2 48000 single "$DIR" "$SECS" 2
step "$B/tests/bench_writer" rotation 64 48000 split "$DIR" "$SECS" 2
step "$B/tests/bench_writer" rotation 256 48000 split "$DIR" "$SECS" 2

if [ -n "$PEERS" ]; then
	echo "== 5. side by side on one JACK server ($SECS s windows)"
	# shellcheck disable=SC2086
	step tests/bench/peers.sh "$B" "$SECS" $PEERS
fi

for c in $CODECS; do
	echo "== 6. $c side by side on one JACK server ($SECS s windows)"
	# FLAC at 2, 8 and 64 channels (a FLAC file holds at most 8: 64
	# is recd alone, split), the codecs for logs at 2.
	n="2"
	[ "$c" = flac ] && n="2 8 64"
	# shellcheck disable=SC2086
	CODEC=$c step tests/bench/peers.sh "$B" "$SECS" $n
done

echo "== 7. loudness (8 channels in stereo groups, 60 s of audio, 3 runs)"
step "$B/tests/bench_writer" loudness 8 48000 "${dirs[-1]}" 60 3

# 2 channels over 600 s: over 60 s a take's fixed costs (a flusher
# thread, files created, synced and renamed) are a fifth of its cost, and
# an hour's take has none of that.
echo "== 8. outputs: a mirror and a second output against one (60 s, 600 s at 2 ch, 5 runs)"
step "$B/tests/bench_writer" outputs 2 48000 single "${dirs[-1]}" 600 5
step "$B/tests/bench_writer" outputs 16 48000 single "${dirs[-1]}" 60 5
step "$B/tests/bench_writer" outputs 16 48000 split "${dirs[-1]}" 60 5

echo
echo "== figures (ratio: value / baseline)"
{
	echo "figure|value|baseline|ratio|target|verdict"
	cat "$ROWS"
} | column -t -s '|'
exit "$broke"
