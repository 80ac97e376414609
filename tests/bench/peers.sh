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
# recd, jack_capture and ffmpeg).  Then the file's size is printed too
# (FLAC: its audio frames only, without the metadata), and the rows
# compare recd with the best peer (flac: CPU at most 0.5 of it; opus and
# mp3: at most 0.8 of ffmpeg's).
# FLAC, since the issue lets recd use any level whose file is within 2% of
# the peer's size: after the peers, the cheapest level of FLAC_LEVELS
# ("0 1 2 3 4") whose file per audio second is no more than 2% over level
# 5's, jack_capture's level, on the same audio (flac(1), the same libFLAC
# and presets, re-encodes recd's level-5 take at each: siggen's takes
# differ in size from one to the next, so two recorders' takes are no
# measure of their levels); recd at that level, its CPU against the best
# peer of the same run, and recd split at it (unless FLAC_SPLIT=0).
# Above 8 channels (a FLAC file holds at most 8) no peer records: recd
# alone, split, at the level chosen at the count before.
# FLAC also gets the floor under any recorder on this machine: jack_null
# (a client that copies its ports out and does nothing more) measured like
# the recorders, plus flac_floor (libFLAC alone encoding recd's take in
# memory at the chosen level, the MD5 on); against 0.5 of the best peer it
# says whether the target can be met here at all.
# For recd, each thread's share as well (by name: recd-writer converts,
# recd-flush encodes and writes, main is the libuv loop, recd(other)
# libjack's threads, the process callback among them).
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
# FLAC: the peers' level, said in recd's labels and rows.
LVL5=""
[ "$CODEC" = flac ] && LVL5=1
CHOSEN=""
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

# "TID NAME NS" for every thread of PID (NAME without spaces; the main
# thread "main", the threads that kept the process's name, such as
# libjack's, "NAME(other)").
thread_ns() {
	local f d name ns rest pname
	pname=$(tr ' ' _ <"/proc/$1/comm" 2>/dev/null)
	for f in /proc/"$1"/task/*/schedstat; do
		d=${f%/schedstat}
		read -r ns rest <"$f" 2>/dev/null || continue
		name=$(tr ' ' _ <"$d/comm" 2>/dev/null) || continue
		if [ "${d##*/}" = "$1" ]; then
			name=main
		elif [ "$name" = "$pname" ]; then
			name="$name(other)"
		fi
		echo "${d##*/} $name $ns"
	done
}

# thread_split BEFORE AFTER: "NAME ms/s, ..." per thread name, over SECS,
# threads that began within the window counted from 0.
thread_split() {
	awk -v s="$SECS" 'NR == FNR { t0[$1] = $3; next }
	    { ms[$2] += ($3 - t0[$1]) / 1e6 / s; if (!($2 in seen)) {
		seen[$2] = 1; order[++n] = $2 } }
	    END { for (i = 1; i <= n; i++)
		printf "%s%s %.2f", (i > 1 ? ", " : ""), order[i], \
		    ms[order[i]] }' \
	    <(echo "$1") <(echo "$2")
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
# recd takes LEVEL (FLAC, 5) and MODE (single) from the caller.
start_recd() {
	local fmt=pcm24
	case $CODEC in
	flac)	fmt=flac24 ;;
	opus|mp3) fmt=$CODEC ;;
	esac
	"$B/recd" --directory "$2" --channels "$1" --format $fmt \
	    --flac-level "${LEVEL:-5}" --opus-bitrate 96 --mp3-bitrate 128 \
	    --mode "${MODE:-single}" --connect 'sig:out_.*' --client-name recd \
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
# WAV and FLAC, ffprobe the others (its duration, at RATE).  In split mode
# (MODE) N mono files, and the frames of one channel (their sum over N).
frames_in() {
	local f sum=0 ch n want=$2 files=0
	[ "${MODE:-single}" = split ] && want=1
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
		[ "$ch" = "$want" ] || { echo 0; return 0; }
		sum=$((sum + n))
		files=$((files + 1))
	done
	if [ "$want" != "$2" ]; then
		[ "$files" = "$2" ] || { echo 0; return 0; }
		sum=$((sum / $2))
	fi
	echo "$sum"
}

# Bytes of the files under DIR, per audio second of FRAMES.  FLAC: the
# audio frames' bytes only, without the metadata blocks (recd keeps 4 KiB
# of padding for markers, libsndfile less): a few kB that weigh 5-10% of
# a short window of siggen's signal and nothing in a day's file.
rate_of() {
	local f
	find "$1" -name "*.$EXT" | while read -r f; do
		if [ "$EXT" = flac ]; then
			metaflac --list "$f" | awk -v s="$(stat -c %s "$f")" \
			    '/^  length: / { m += 4 + $2 } END { print s - 4 - m }'
		else
			stat -c %s "$f"
		fi
	done | awk -v f="$2" -v r=$RATE \
	    '{ t += $1 } END { printf "%.0f", (f > 0 ? t * r / f : 0) }'
}

# measure REC N LABEL: starts REC on N ports, measures a window, stops
# it; sets tot own jd rss frames bps (and threads for recd) or returns 1
# (no figure, said why).
measure() {
	local r=$1 n=$2 label=$3 d="$T/$1-$2" r0 r1 j0 j1 hwm line t0 t1
	mkdir -p "$d"
	threads=""
	if ! "start_$r" "$n" "$d" || ! wait_grow "$RPID" "$d"; then
		echo "$n ch: $label: did not start recording" \
		    "($(tail -n 3 "$T/$r.log" | tr '\n' ' '))"
		stop_pid "$RPID" INT
		return 1
	fi
	t0=$(thread_ns "$RPID")
	r0=$(cpu_ns "$RPID")
	j0=$(cpu_ns "$JPID")
	window "$RPID"
	r1=$(cpu_ns "$RPID")
	j1=$(cpu_ns "$JPID")
	t1=$(thread_ns "$RPID")
	hwm=$(hwm_kb "$RPID")
	stop_pid "$RPID" INT
	frames=$(frames_in "$d" "$n")
	bps=$(rate_of "$d" "${frames:-0}")
	[ -n "$KEEP" ] && rm -rf "$KEEP" && mv "$d" "$KEEP"
	rm -rf "$d"
	if [ "${frames:-0}" -lt $((SECS * RATE)) ]; then
		echo "$n ch: $label: file of ${frames:-0} frames, less" \
		    "than the window: no figure"
		return 1
	fi
	line=$(awk -v r0="$r0" -v r1="$r1" -v j="$((j1 - j0))" \
	    -v idle="$idle" -v s="$SECS" -v h="$hwm" 'BEGIN {
		own = (r1 - r0) / 1e6 / s
		jd = (j - idle) / 1e6 / s
		tot = own + (jd > 0 ? jd : 0)
		printf "%.2f %.2f %.2f %.1f", tot, own, jd, h / 1024 }')
	read -r tot own jd rss <<<"$line"
	echo "$n ch: $label: $tot ms per audio second (own $own," \
	    "jackd $jd), max RSS $rss MB, $frames frames," \
	    "$bps bytes per audio second"
	if [ "$r" = recd ]; then
		threads=$(thread_split "$t0" "$t1")
		echo "$n ch: $label: threads (ms per audio second): $threads"
	fi
	return 0
}

# floor_jack N: the CPU per audio second of jack_null on N ports of sig
# (libjack's threads and a callback that copies the ports out, plus what
# jackd spends beyond idle): the least any recorder on this graph costs.
# Sets floor_j, or empty.
floor_jack() {
	local n=$1 r0 r1 j0 j1
	floor_j=""
	"$B/tests/jack_null" "$n" >"$T/null.log" 2>&1 &
	RPID=$!
	if ! wait_log "$T/null.log" '^jack_null: ready'; then
		echo "$n ch: jack_null did not start ($(tr '\n' ' ' <"$T/null.log"))"
		stop_pid "$RPID"
		return 1
	fi
	r0=$(cpu_ns "$RPID")
	j0=$(cpu_ns "$JPID")
	window "$RPID"
	r1=$(cpu_ns "$RPID")
	j1=$(cpu_ns "$JPID")
	stop_pid "$RPID"
	floor_j=$(awk -v r="$((r1 - r0))" -v j="$((j1 - j0))" -v idle="$idle" \
	    -v s="$SECS" 'BEGIN { jd = (j - idle) / 1e6 / s
		printf "%.2f", r / 1e6 / s + (jd > 0 ? jd : 0) }')
	echo "$n ch: floor: jack_null (copies the ports, nothing more):" \
	    "$floor_j ms per audio second"
}

# floor_flac N LEVEL FILE: libFLAC alone encoding FILE (recd's take) at
# LEVEL in memory with the MD5 on (flac_floor, best of 5), added to
# floor_jack's figure: the least any recorder with libjack and libFLAC
# costs here; against 0.5 of the best peer, it says whether the target
# can be met on this machine at all.
floor_flac() {
	local n=$1 l=$2 f=$3 fl
	[ -n "$floor_j" ] && [ -n "$best" ] && [ -n "$f" ] || return 0
	fl=$("$B/tests/flac_floor" "$f" "$l" 5 | awk '{ print $1 }')
	[ -n "$fl" ] || return 0
	echo "$n ch: floor: libFLAC alone at level $l: $fl ms per audio" \
	    "second; with jack_null: $(awk -v a="$fl" -v b="$floor_j" \
	    'BEGIN { printf "%.2f", a + b }')"
	awk -v n="$n" -v l="$l" -v a="$fl" -v j="$floor_j" -v b="$best" \
	    -v bn="$best_name" 'BEGIN {
		split(b, y, " ")
		ratio = y[1] > 0 ? (a + j) / y[1] : 0
		printf "ROW|floor flac %dch/48k level %d: jack_null %.2f +" \
		    " libFLAC %.2f|%.2f ms|%s %.2f ms|%.2f|<=0.5 of best|%s\n",
		    n, l, j, a, a + j, bn, y[1], ratio,
		    ratio <= 0.5 ? "reachable" : "UNREACHABLE" }'
}

# flac_size FILE LEVEL: bytes of audio frames per audio second of FILE
# re-encoded by flac(1) at LEVEL.
flac_size() {
	local b
	mkdir -p "$T/lv"
	flac -s -f "-$2" -o "$T/lv/l.flac" "$1" 2>/dev/null &&
	    b=$(rate_of "$T/lv" "$(soxi -s "$T/lv/l.flac")")
	rm -rf "$T/lv"
	echo "$b"
}

# flac_levels N: after the peers at N channels, the cheapest level of
# FLAC_LEVELS ("0 1 2 3 4") whose file is no more than 2% larger per audio
# second than at level 5, jack_capture's, on the same audio (the issue
# lets recd use any level that does so), else 5.  The sizes come from
# flac(1), the same libFLAC and presets, re-encoding recd's level-5 take
# at each level (a second each, not a window each; it gives recd's own
# size to the byte); recd then records at that level.  Then, unless
# FLAC_SPLIT is 0, recd in split mode at that level.  Above 8 channels no
# peer writes such a FLAC file: recd alone records, split, at the level
# chosen at the count before (the main loop does that).  Rows against
# the best peer of this same run.
flac_levels() {
	local n=$1 L lvl="" jb mb f b b5
	if [ "$n" -gt 8 ]; then
		[ -n "$mine" ] && echo "ROW|CPU per audio s flac ${n}ch/48k split level ${CHOSEN:-5}|recd ${mine%% *} ms|no peer (FLAC: 8 ch a file)|-|info|-"
		return 0
	fi
	if [ -z "$jc" ] || [ -z "$best" ] || [ -z "$mine" ]; then
		echo "$n ch: no jack_capture, recd or peer figure: no level chosen"
		return 0
	fi
	jb=$(echo "$jc" | awk '{ print $3 }')
	f=$(find "$T/keep" -name '*.flac' | head -n 1)
	# The same audio at level 5, as jack_capture's libFLAC encodes it:
	# siggen's takes differ in size from take to take (README), so
	# jack_capture's own file is shown but the levels are weighed on one
	# take.
	b5=$(flac_size "$f" 5)
	echo "$n ch: recd's take: $b5 bytes per audio second at level 5" \
	    "(flac -5; recd wrote $(echo "$mine" | awk '{ print $3 }'));" \
	    "jack_capture's own take: $jb"
	for L in ${FLAC_LEVELS-0 1 2 3 4}; do
		b=$(flac_size "$f" "$L")
		[ -n "$b" ] || continue
		if awk -v a="$b" -v b="$b5" 'BEGIN { exit !(a <= 1.02 * b) }'
		then
			echo "$n ch: level $L: $b bytes per audio second on the" \
			    "same take: within 2% of level 5's $b5: chosen," \
			    "the cheapest"
			lvl=$L
			break
		fi
		echo "$n ch: level $L: $b bytes per audio second on the same" \
		    "take: over level 5's $b5 by more than 2%"
	done
	if [ -z "$lvl" ]; then
		lvl=5
		mb=$mine
		b=$b5
		echo "$n ch: no level of ${FLAC_LEVELS-0 1 2 3 4} within 2%:" \
		    "level 5 stands"
	elif ! LEVEL=$lvl measure recd "$n" "recd level $lvl"; then
		return 0
	else
		mb="$tot $rss $bps"
	fi
	CHOSEN=$lvl
	awk -v n="$n" -v m="$mb" -v b="$best" -v bn="$best_name" -v l="$lvl" \
	    -v jb="$jb" -v b5="$b5" -v lb="${b:-$b5}" 'BEGIN {
		split(m, x, " "); split(b, y, " ")
		ratio = y[1] > 0 ? x[1] / y[1] : 0
		printf "ROW|CPU per audio s flac %dch/48k level %d" \
		    " (cheapest within 2%%)|recd %.2f ms|%s %.2f ms (level 5)" \
		    "|%.2f|<=0.5 of best|%s\n", n, l, x[1], bn, y[1], ratio,
		    ratio <= 0.5 ? "PASS" : "MISS"
		size = b5 > 0 ? lb / b5 : 0
		printf "ROW|file size flac %dch/48k level %d, same take" \
		    "|%.1f kB/s|level 5 %.1f kB/s|%.3f|<=1.02|%s\n", n, l,
		    lb / 1000, b5 / 1000, size, size <= 1.02 ? "PASS" : "MISS"
		size = jb > 0 ? x[3] / jb : 0
		printf "ROW|file size flac %dch/48k level %d, own take" \
		    "|recd %.1f kB/s|jack_capture %.1f kB/s (level 5)|%.3f" \
		    "|info|-\n", n, l, x[3] / 1000, jb / 1000, size
		}'
	floor_flac "$n" "$lvl" "$f"
	[ "${FLAC_SPLIT:-1}" = 0 ] && return 0
	LEVEL=$lvl MODE=split measure recd "$n" "recd split level $lvl" ||
	    return 0
	awk -v n="$n" -v t="$tot" -v b="$best" -v bn="$best_name" -v l="$lvl" \
	    'BEGIN {
		split(b, y, " ")
		ratio = y[1] > 0 ? t / y[1] : 0
		printf "ROW|CPU per audio s flac %dch/48k split level %d" \
		    "|recd %.2f ms|%s %.2f ms (one file)|%.2f|<=0.5 of best" \
		    "|%s\n", n, l, t, bn, y[1], ratio,
		    ratio <= 0.5 ? "PASS" : "MISS" }'
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
	rm -rf "$T/keep"
	jc=""
	# A FLAC file holds at most 8 channels: above that recd records
	# split, and no peer records.
	MODE=single
	[ "$CODEC" = flac ] && [ "$n" -gt 8 ] && MODE="split"
	for r in $PEERS; do
		[ "$MODE" = split ] && [ "$r" != recd ] && continue
		if [ "$MODE" = split ]; then
			LEVEL=${CHOSEN:-5} measure recd "$n" \
			    "recd split level ${CHOSEN:-5}" || continue
		else
			k=""
		[ "$r" = recd ] && [ -n "$LVL5" ] && k="$T/keep"
		KEEP=$k measure "$r" "$n" "$r${LVL5:+ level 5}" || continue
		fi
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
		    -v c="$CODEC" -v jc="$jc" -v l5="${LVL5:+ level 5}" 'BEGIN {
			split(m, x, " "); split(b, y, " ")
			lim = c == "flac" ? 0.5 : 0.8
			ratio = y[1] > 0 ? x[1] / y[1] : 0
			printf "ROW|CPU per audio s %s %dch/48k%s|recd %.2f ms" \
			    "|%s %.2f ms|%.2f|<=%.1f of best|%s\n", c, n, l5,
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
			printf "ROW|file size %s %dch/48k%s|recd %.1f kB/s" \
			    "|%s %.1f kB/s|%.3f|%s|%s\n", c, n, l5, x[3] / 1000,
			    sn, y[3] / 1000, size, target, verdict }'
	elif [ "$MODE" = single ]; then
		echo "ROW|CPU per audio s ${CODEC:+$CODEC }${n}ch/48k|${mine:-none}|${best:-none}|0|-|MISS"
	fi
	if [ "$CODEC" = flac ]; then
		[ "$n" -le 8 ] && floor_jack "$n"
		flac_levels "$n"
	fi
	stop_pid "$SPID"
done
