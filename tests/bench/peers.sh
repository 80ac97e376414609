#!/bin/bash
# peers.sh: recd side by side with jack_capture, ecasound and ffmpeg on one
# private JACK server (dummy backend, no real time), each recording the
# same siggen ports to a 24-bit WAV file in turn.  For each: CPU time per
# recorded audio second over a window of SECONDS once it records (every
# thread's time on CPU, from /proc/PID/task/*/schedstat, in ns), plus what
# jackd spent beyond its idle cost (measured over a window of the same
# length with the source connected and no recorder), and the peak RSS
# (VmHWM).  A recorder whose file is not as long as the window, or has
# other than CHANNELS channels, gets no figure.
# Prints details and "ROW|..." lines for run.sh.
#
# CODEC (environment) records compressed files instead, each recorder with
# the same codec and settings: flac (24 bits, level 5: recd, jack_capture
# and ffmpeg), opus (96 kbit/s: recd and ffmpeg) or mp3 (128 kbit/s CBR:
# recd, jack_capture and ffmpeg).  Then the file's size is printed too,
# and the rows compare recd with the best peer (flac: CPU at most 0.5 of
# it and a file within 2% of its size; opus and mp3: CPU at most 0.8 of
# ffmpeg's).
# usage: [CODEC=flac|opus|mp3] peers.sh BUILD_DIR SECONDS CHANNELS...
B=${1:-build}
SECS=${2:-10}
shift 2
RATE=48000
PERIOD=1024
CODEC=${CODEC:-}
case $CODEC in
'')	PEERS="recd jack_capture ecasound ffmpeg"; EXT=wav ;;
flac)	PEERS="recd jack_capture ffmpeg"; EXT=flac ;;
opus)	PEERS="recd ffmpeg"; EXT=opus ;;
mp3)	PEERS="recd jack_capture ffmpeg"; EXT=mp3 ;;
*)	echo "peers: CODEC $CODEC: flac, opus or mp3" >&2; exit 1 ;;
esac
T=$(mktemp -d /tmp/recd-bench.XXXXXX)
export JACK_DEFAULT_SERVER=recd-bench-$$
export JACK_NO_AUDIO_RESERVATION=1 JACK_NO_START_SERVER=1
PIDS=""

stop_pid() {
	local pid=$1 sig=${2:-TERM} i
	kill -"$sig" "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		timeout 0.1 tail --pid="$pid" -f /dev/null 2>/dev/null
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

cleanup() {
	local pid rev=""
	for pid in $PIDS; do
		rev="$pid $rev"
	done
	for pid in $rev; do
		stop_pid "$pid"
	done
	rm -rf "$T"
}
trap cleanup EXIT

die() {
	echo "peers: $*" >&2
	exit 1
}

# Nanoseconds on CPU of every thread of PID.
cpu_ns() {
	local f sum=0 ns rest
	for f in /proc/"$1"/task/*/schedstat; do
		read -r ns rest <"$f" 2>/dev/null || continue
		sum=$((sum + ns))
	done
	echo "$sum"
}

hwm_kb() {
	awk '/^VmHWM:/ { print $2 }' /proc/"$1"/status 2>/dev/null
}

# The measuring window: SECS, or less if PID ends first (then the figure
# is void: the file check says so).
window() {
	timeout "$SECS" tail --pid="$1" -f /dev/null 2>/dev/null
}

# wait_grow PID DIR: until the files under DIR grow, at most 20 s: the
# recorder is writing.
wait_grow() {
	local pid=$1 dir=$2 i s0=-1 s
	for ((i = 0; i < 400; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		s=$(find "$dir" -type f -name "*.$EXT*" -printf '%s\n' |
		    awk '{ t += $1 } END { print t + 0 }')
		[ "$s0" -ge 0 ] && [ "$s" -gt "$s0" ] && return 0
		[ "$s" -gt 0 ] && s0=$s
		timeout 0.05 tail --pid="$pid" -f /dev/null 2>/dev/null
	done
	return 1
}

# wait_log FILE REGEX: at most 20 s.
wait_log() {
	local i
	for ((i = 0; i < 400; i++)); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		timeout 0.05 tail -f /dev/null 2>/dev/null
	done
	return 1
}

# start_REC N DIR: starts the recorder on N ports of sig into DIR;
# sets RPID.
start_recd() {
	local fmt=pcm24
	case $CODEC in
	flac)	fmt=flac24 ;;
	opus|mp3) fmt=$CODEC ;;
	esac
	"$B/recd" --directory "$2" --channels "$1" --format $fmt \
	    --flac-level 5 --opus-bitrate 96 --mp3-bitrate 128 \
	    --mode single --connect 'sig:out_.*' --client-name recd \
	    --socket "$2/recd.sock" --rotate-seconds 0 --log-level warning \
	    >"$T/recd.log" 2>&1 &
	RPID=$!
}

start_jack_capture() {
	local ports=() c
	for ((c = 1; c <= $1; c++)); do
		ports+=(-p "$(printf 'sig:out_%02d' "$c")")
	done
	case $CODEC in
	flac)	set -- "$1" "$2" -f flac ;;
	mp3)	set -- "$1" "$2" --mp3 --mp3-bitrate 128 ;;
	*)	set -- "$1" "$2" ;;
	esac
	jack_capture --daemon -b 24 -c "$1" "${@:3}" "${ports[@]}" \
	    "$2/jc.$EXT" >"$T/jack_capture.log" 2>&1 &
	RPID=$!
}

start_ecasound() {
	ecasound -q -f:s24_le,"$1",$RATE -i jack,sig -o "$2/eca.wav" \
	    >"$T/ecasound.log" 2>&1 &
	RPID=$!
}

# ffmpeg's JACK input registers its own ports (ffrec:input_N); we connect
# them once they exist.
start_ffmpeg() {
	local c i
	local codec=(-c:a pcm_s24le)
	case $CODEC in
	flac)	codec=(-c:a flac -sample_fmt s32 -bits_per_raw_sample 24
		    -compression_level 5) ;;
	opus)	codec=(-c:a libopus -b:a 96k) ;;
	# Its mp3 muxer holds the file back until the end otherwise.
	mp3)	codec=(-c:a libmp3lame -b:a 128k -flush_packets 1) ;;
	esac
	ffmpeg -nostdin -loglevel error -f jack -channels "$1" -i ffrec \
	    "${codec[@]}" -y "$2/ff.$EXT" >"$T/ffmpeg.log" 2>&1 &
	RPID=$!
	for ((i = 0; i < 400; i++)); do
		jack_lsp 2>/dev/null | grep -q "^ffrec:input_$1\$" && break
		timeout 0.05 tail --pid="$RPID" -f /dev/null 2>/dev/null
	done
	for ((c = 1; c <= $1; c++)); do
		jack_connect "$(printf 'sig:out_%02d' "$c")" "ffrec:input_$c" ||
		    return 1
	done
}

# Frames in the files under DIR with N channels (sum), or 0; sox reads
# WAV and FLAC, ffprobe the others (its duration, at RATE).
frames_in() {
	local f sum=0 ch n
	for f in $(find "$1" -name "*.$EXT"); do
		if [ "$EXT" = wav ] || [ "$EXT" = flac ]; then
			ch=$(soxi -c "$f" 2>/dev/null) || return 1
			n=$(soxi -s "$f" 2>/dev/null)
		else
			ch=$(ffprobe -v error -select_streams a:0 -show_entries \
			    stream=channels -of csv=p=0 "$f") || return 1
			n=$(ffprobe -v error -show_entries format=duration \
			    -of csv=p=0 "$f" | awk -v r=$RATE '{ printf "%d", $1 * r }')
		fi
		[ "$ch" = "$2" ] || { echo 0; return 0; }
		sum=$((sum + n))
	done
	echo "$sum"
}

# Bytes of the files under DIR, per audio second of FRAMES.
rate_of() {
	find "$1" -name "*.$EXT" -printf '%s\n' | awk -v f="$2" -v r=$RATE \
	    '{ t += $1 } END { printf "%.0f", (f > 0 ? t * r / f : 0) }'
}

exec {lock}>"${TMPDIR:-/tmp}/recd-jack.lock"
flock "$lock"
jackd -n "$JACK_DEFAULT_SERVER" --no-realtime -d dummy -r $RATE \
    -p $PERIOD -C 0 -P 0 >"$T/jackd.log" 2>&1 &
JPID=$!
PIDS="$PIDS $JPID"
timeout 20 jack_wait -w >/dev/null 2>&1 || die "jackd did not come up"

for n in "$@"; do
	"${SIGGEN:-build/tests/siggen}" -n sig -c "$n" -b 24 >"$T/sig.log" 2>&1 &
	SPID=$!
	PIDS="$PIDS $SPID"
	wait_log "$T/sig.log" '^siggen: ' || die "siggen did not start"
	j0=$(cpu_ns "$JPID")
	window "$SPID"
	idle=$(( $(cpu_ns "$JPID") - j0 ))
	echo "$n ch: jackd idle with the source: $(awk -v x="$idle" \
	    -v s="$SECS" 'BEGIN { printf "%.2f", x / 1e6 / s }') ms/s"
	best=""
	best_name=""
	mine=""
	jc=""
	for r in $PEERS; do
		d="$T/$r-$n"
		mkdir -p "$d"
		if ! "start_$r" "$n" "$d" || ! wait_grow "$RPID" "$d"; then
			echo "$n ch: $r: did not start recording" \
			    "($(tail -n 3 "$T/$r.log" | tr '\n' ' '))"
			stop_pid "$RPID" INT
			continue
		fi
		r0=$(cpu_ns "$RPID")
		j0=$(cpu_ns "$JPID")
		window "$RPID"
		r1=$(cpu_ns "$RPID")
		j1=$(cpu_ns "$JPID")
		hwm=$(hwm_kb "$RPID")
		stop_pid "$RPID" INT
		frames=$(frames_in "$d" "$n")
		bps=$(rate_of "$d" "${frames:-0}")
		rm -rf "$d"
		if [ "${frames:-0}" -lt $((SECS * RATE)) ]; then
			echo "$n ch: $r: file of ${frames:-0} frames, less" \
			    "than the window: no figure"
			continue
		fi
		line=$(awk -v r0="$r0" -v r1="$r1" -v j="$((j1 - j0))" \
		    -v idle="$idle" -v s="$SECS" -v h="$hwm" 'BEGIN {
			own = (r1 - r0) / 1e6 / s
			jd = (j - idle) / 1e6 / s
			tot = own + (jd > 0 ? jd : 0)
			printf "%.2f %.2f %.2f %.1f", tot, own, jd, h / 1024 }')
		read -r tot own jd rss <<<"$line"
		echo "$n ch: $r: $tot ms per audio second (own $own," \
		    "jackd $jd), max RSS $rss MB, $frames frames," \
		    "$bps bytes per audio second"
		[ "$r" = jack_capture ] && jc="$tot $rss $bps"
		if [ "$r" = recd ]; then
			mine="$tot $rss $bps"
		elif [ -z "$best" ] ||
		    awk -v a="$tot" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'
		then
			best="$tot $rss $bps"
			best_name=$r
		fi
	done
	stop_pid "$SPID"
	if [ -z "$CODEC" ] && [ -n "$mine" ] && [ -n "$best" ]; then
		awk -v n="$n" -v m="$mine" -v b="$best" -v bn="$best_name" \
		    'BEGIN {
			split(m, x, " "); split(b, y, " ")
			ratio = y[1] > 0 ? x[1] / y[1] : 0
			printf "ROW|CPU per audio s %dch/48k|recd %.2f ms, %.1f MB" \
			    "|%s %.2f ms, %.1f MB|%.2f|<=0.33 of best|%s\n", n,
			    x[1], x[2], bn, y[1], y[2], ratio,
			    ratio <= 1 / 3 ? "PASS" : "MISS" }'
	elif [ -n "$mine" ] && [ -n "$best" ]; then
		# Sizes against jack_capture where it writes the codec: the
		# same libFLAC or LAME, so the same settings.
		awk -v n="$n" -v m="$mine" -v b="$best" -v bn="$best_name" \
		    -v c="$CODEC" -v jc="$jc" 'BEGIN {
			split(m, x, " "); split(b, y, " ")
			lim = c == "flac" ? 0.5 : 0.8
			ratio = y[1] > 0 ? x[1] / y[1] : 0
			printf "ROW|CPU per audio s %s %dch/48k|recd %.2f ms" \
			    "|%s %.2f ms|%.2f|<=%.1f of best|%s\n", c, n,
			    x[1], bn, y[1], ratio, lim,
			    ratio <= lim ? "PASS" : "MISS"
			sn = bn
			if (jc != "") {
				split(jc, y, " ")
				sn = "jack_capture"
			}
			size = y[3] > 0 ? x[3] / y[3] : 0
			target = "info"
			verdict = "-"
			if (c == "flac") {
				target = "within 2%"
				verdict = size >= 0.98 && size <= 1.02 ? \
				    "PASS" : "MISS"
			}
			printf "ROW|file size %s %dch/48k|recd %.1f kB/s" \
			    "|%s %.1f kB/s|%.3f|%s|%s\n", c, n, x[3] / 1000,
			    sn, y[3] / 1000, size, target, verdict }'
	else
		echo "ROW|CPU per audio s ${CODEC:+$CODEC }${n}ch/48k|${mine:-none}|${best:-none}|0|-|MISS"
	fi
done
