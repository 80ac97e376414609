# lib.sh: what the integration tests share: a private jackd (dummy
# backend, no real-time, its own server name), the signal generator, recd,
# waits with deadlines on events (log lines, through tail -F), and cleanup
# of every process started, by PID.  Sourced by bash scripts.

B=${B:-build}
RECD=${RECD:-$B/recd}
SIGGEN=${SIGGEN:-build/tests/siggen}
VERIFY=${VERIFY:-build/tests/verify}
SFCHECK=${SFCHECK:-build/tests/sfcheck}
CHUNK=${CHUNK:-build/tests/chunk}
T=$(mktemp -d /tmp/recd-test.XXXXXX)
TEST_NAME=$(basename "$0" .sh)
export JACK_DEFAULT_SERVER="recd-$TEST_NAME-$$"
export JACK_NO_AUDIO_RESERVATION=1 JACK_NO_START_SERVER=1
# make tsan: see tests/tsan.supp.
TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}suppressions=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tsan.supp"
export TSAN_OPTIONS
PIDS=""
FAILED=0

dump_logs() {
	local f
	for f in "$T"/*.log; do
		[ -f "$f" ] || continue
		echo "----- $f (last 40 lines)"
		tail -n 40 "$f"
	done
}

# stop_pid PID [SECONDS]: SIGTERM, then SIGKILL after the deadline.
stop_pid() {
	local pid=$1 secs=${2:-10} i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < secs * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		wait_exit "$pid" 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# wait_exit PID SECONDS: waits for PID to end, at most SECONDS, on the
# process itself (tail --pid), not on a sleep.
wait_exit() {
	timeout "$2" tail --pid="$1" -f /dev/null 2>/dev/null
	return 0
}

cleanup() {
	local pid rev=""
	# Last started, first stopped: clients before the server.
	for pid in $PIDS; do
		rev="$pid $rev"
	done
	for pid in $rev; do
		stop_pid "$pid" 5
	done
	# What a test set up beyond processes (a mount): AT_CLEANUP says.
	[ -z "${AT_CLEANUP:-}" ] || eval "$AT_CLEANUP"
	[ "$FAILED" = 0 ] || dump_logs
	# KEEP_TEST_DIR=1 keeps the files for a look after a failure.
	if [ -n "${KEEP_TEST_DIR:-}" ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

# not_under_tsan: for tests whose threads and hand-offs the others already
# show TSan (formats, rates, faults from outside); they run plain and under
# ASan, and make check stays within its 25 minutes on two cores.
not_under_tsan() {
	if [ "${SAN:-}" = tsan ]; then
		echo "skipped under TSan: plain and ASan run it (time budget)"
		exit 77
	fi
}

# not_under_asan: for tests about threads and hand-offs (a stalled
# writer) that TSan runs too; they run plain and under TSan.
not_under_asan() {
	if [ "${SAN:-}" = asan ]; then
		echo "skipped under ASan: plain and TSan run it (time budget)"
		exit 77
	fi
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on, from a
# range that depends on the test's PID.
free_port() {
	local p=$((20000 + $$ % 20000)) i
	for ((i = 0; i < 50; i++, p++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
	done
	fail "no free TCP port from $((p - 50))"
}

# need_npm PACKAGE: node and an npm package of the web tests
# (tests/web/node_modules, which make check installs), or a skip.
need_npm() {
	command -v node >/dev/null && [ -d "tests/web/node_modules/$1" ] || {
		echo "skipped: no node or no tests/web/node_modules/$1 (make check installs it)"
		exit 77
	}
}

# plain_only: for slow end-to-end tests whose paths the other tests show
# the sanitizers already (test_restart: ten server restarts); the plain
# pass runs them, and make check stays within its time on two cores.
plain_only() {
	if [ -n "${SAN:-}" ]; then
		echo "skipped under ${SAN}: the plain pass runs it (time budget)"
		exit 77
	fi
}

# Also inside $(...): the message goes to stderr, which the runner shows.
fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	FAILED=1
	exit 1
}

# wait_log FILE REGEX [COUNT] [SECONDS]: until FILE has COUNT lines
# matching REGEX (extended), reading it as it grows.
wait_log() {
	local file=$1 re=$2 want=${3:-1} secs=${4:-30}
	local end=$((SECONDS + secs)) n=0 line fd tpid left
	exec {fd}< <(exec tail -n +1 -F "$file" 2>/dev/null)
	tpid=$!
	while [ "$n" -lt "$want" ]; do
		left=$((end - SECONDS))
		[ "$left" -gt 0 ] || break
		IFS= read -r -t "$left" -u "$fd" line || break
		[[ $line =~ $re ]] && n=$((n + 1))
	done
	kill "$tpid" 2>/dev/null
	exec {fd}<&-
	[ "$n" -ge "$want" ] ||
	    fail "waited ${secs}s for $want lines /$re/ in $file, saw $n"
}

# wait_clients SOCKET CONTROL READONLY: until recd's status counts these
# clients on its two sockets (the recctl asking is one of CONTROL); a
# client that went is counted until recd has closed it.
wait_clients() {
	local want="\"clients\":{\"control\":$2,\"readonly\":$3}" st i
	for ((i = 0; i < 100; i++)); do
		st=$("${RECCTL:-$B/recctl}" --socket "$1" --json status) ||
		    fail "status: $st"
		[[ $st == *"$want"* ]] && return 0
		# Polled: recd says nothing when a client comes or goes.
		timeout 0.1 tail -f /dev/null
	done
	fail "waited 10s for $want in recd's status: $st"
}

# start_jackd RATE PERIOD: the dummy backend runs in real time.  Two
# JACK tests at once (two checkouts on one machine) would starve each
# other's non-real-time servers into xruns, so each test holds a lock
# for as long as it runs.
start_jackd() {
	if [ -z "${JACK_LOCK_FD:-}" ]; then
		exec {JACK_LOCK_FD}>"${TMPDIR:-/tmp}/recd-jack.lock"
		flock "$JACK_LOCK_FD"
	fi
	jackd -n "$JACK_DEFAULT_SERVER" --no-realtime -d dummy -r "$1" \
	    -p "$2" -C 0 -P 0 >"$T/jackd.log" 2>&1 &
	JACKD_PID=$!
	PIDS="$PIDS $JACKD_PID"
	timeout 20 jack_wait -w >/dev/null 2>&1 ||
	    fail "jackd did not come up"
}

stop_jackd() {
	stop_pid "$JACKD_PID"
}

# start_siggen NAME CHANNELS BITS [-g ON:OFF]
start_siggen() {
	local name=$1
	shift
	"$SIGGEN" -n "$name" -c "$@" >"$T/$name.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_log "$T/$name.log" '^siggen: ' 1 20
}

# start_recd LOG ARGS...: recd with ARGS; returns when it records (or,
# with --autostart false, is ready to).
start_recd() {
	local log=$1
	shift
	"$RECD" "$@" >"$T/$log.log" 2>&1 &
	RECD_PID=$!
	PIDS="$PIDS $RECD_PID"
	wait_log "$T/$log.log" 'recd: (recording|ready to record) ' 1 30
}

# stop_recd: SIGTERM, and recd must exit 0.
stop_recd() {
	local rc
	kill -TERM "$RECD_PID"
	wait "$RECD_PID"
	rc=$?
	[ "$rc" = 0 ] || fail "recd exited $rc after SIGTERM"
}

# listening SOCKET EVENTS: until the events client is subscribed, which
# an option_changed event it prints tells.
listening() {
	local i
	for ((i = 0; i < 50; i++)); do
		"$RECCTL" --socket "$1" set description "probe $i" >/dev/null ||
		    fail "set refused"
		timeout 0.2 tail -n +1 -F "$2" 2>/dev/null |
		    grep -q -m 1 option_changed && return 0
	done
	fail "the events client did not subscribe"
}

# discontinuities VERIFY_OUTPUT: the gaps and silence runs verify found.
discontinuities() {
	[[ $1 =~ ,\ ([0-9]+)\ gaps,\ ([0-9]+)\ silence\ runs ]] ||
	    fail "verify: $1"
	echo $((BASH_REMATCH[1] + BASH_REMATCH[2]))
}

# out_field STATUS NAME KEY: KEY of output NAME in a status reply.
out_field() {
	python3 -c '
import json, sys
st = json.loads(sys.argv[1])
for o in st["outputs"]:
	if o["name"] == sys.argv[2]:
		print(json.dumps(o.get(sys.argv[3])))' "$1" "$2" "$3"
}

# files_close LOG DIR N SECONDS: N more files in DIR close, as LOG says.
files_close() {
	local n
	n=$(grep -c "file $2/.*: closed, " "$1")
	wait_log "$1" "file $2/.*: closed, " $((n + $3)) "$4"
}

# mirror_verified LOG MAIN_DIR MIRROR_DIR WHY: after a pause of the output
# "mirror" (WHY: its reason, in its gap's marker), of a 2-channel take at
# a period of 1024: the main output's files are bit-exact, their only
# discontinuities gaps it logged (xruns of a loaded machine); the
# mirror's bit-exact on both sides of at least one gap, which one of its
# files marks.  Prints both verify summaries.
mirror_verified() {
	local log=$1 main=$2 mir=$3 why=$4 xr out logged
	xr=$(xruns_counted "$log")
	out=$("$VERIFY" -g -j "1024:$xr" -c 2 $(takes "$main") 2>&1) ||
	    fail "main output: $out"
	logged=$(grep -c 'recd: warning: output main: gap: ' "$log")
	[ "$(discontinuities "$(tail -n 1 <<<"$out")")" -le "$logged" ] ||
	    fail "main output: $out; it logged $logged gaps"
	echo "main output: $(tail -n 1 <<<"$out")"
	out=$("$VERIFY" -g -j "1024:$xr" -c 2 $(takes "$mir") 2>&1) ||
	    fail "mirror: $out"
	[ "$(discontinuities "$(tail -n 1 <<<"$out")")" -ge 1 ] ||
	    fail "the mirror's pause left no gap: $out"
	grep -la "gap: about .* not recorded before this file: $why" \
	    $(takes "$mir") >/dev/null ||
	    fail "no file of the mirror marks its gap ($why)"
	echo "mirror: $(tail -n 1 <<<"$out")"
}

# md5_checked DIR LOG: every WAV file in DIR carries an `MD5 ' chunk that
# md5sum finds right for its data, unless LOG has a write of it failing
# (a full disk: as any WAV file's, its digest is dropped then).  A
# mirror's files share one digest, made once (writer_dg.c): this checks
# it for each output's files.
md5_checked() {
	local f md5 got
	for f in $(takes "$1"); do
		md5=$("$CHUNK" "$f" 'MD5 ' 2>/dev/null | od -An -t x1 |
		    tr -d ' \n')
		if [ -z "$md5" ]; then
			grep -qF "file $f.partial: write: " "$2" ||
			    fail "$f: no MD5 chunk, and no write of it failed"
			continue
		fi
		got=$("$CHUNK" "$f" data | md5sum | cut -d' ' -f1)
		[ "$md5" = "$got" ] || fail "$f: MD5 chunk $md5, md5sum $got"
	done
}

# alarm_re KIND false|true: the alarm event (PROTOCOL.md) of an alarm that
# is not a channel's (stalled, jack_lost, disk_*, write_error) rising
# (false) or clearing (true), as an extended regex for wait_log.
alarm_re() {
	echo "\"event\":\"alarm\",\"kind\":\"$1\",\"channels\":\\[\\],\"since\":\"[-0-9T:]+\",\"cleared\":$2"
}

# alarm_up STATUS KIND: status (--json) lists that alarm as up.
alarm_up() {
	[[ $1 == *'"alarms":['*"{\"kind\":\"$2\",\"channels\":[],\"since\":\""* ]]
}

# xruns_counted LOG: the xruns recd's last "stopped:" line in LOG counts
# (0 without one).
xruns_counted() {
	local n
	n=$(sed -n 's/.*recd: stopped: .*, \([0-9]*\) xruns$/\1/p' "$1" |
	    tail -n 1)
	echo "${n:-0}"
}

# verify_take DIR LOG ARGS...: proves the take in DIR bit-exact and in
# channel order, and that every discontinuity in it is a gap recd logged
# in LOG: no more, and no fewer but for a logged gap that verify counts
# as a period's jump; LOG must hold recd's "stopped:" line.  (On a loaded
# machine the dummy backend has real xruns, and recd reports them; a test
# cannot forbid them.)  Prints verify's output.
verify_take() {
	local dir=$1 log=$2 out logged found jumps period xr jump=()
	shift 2
	# Where JACK reported xruns, the dummy driver late on a loaded
	# machine may hand recd the source's next buffer (a period of the
	# codes skipped or twice, which recd cannot see): verify allows as
	# many such jumps of a whole period as recd counted xruns (its
	# "stopped:" line), and prints each.
	period=$(sed -n 's/.*recording .*(period \([0-9]*\)).*/\1/p' "$log" |
	    head -n 1)
	xr=$(xruns_counted "$log")
	[ -n "$period" ] && [ "$xr" -gt 0 ] && jump=(-j "$period:$xr")
	out=$("$VERIFY" -g "${jump[@]}" "$@" $(takes "$dir") 2>&1) ||
	    fail "$out"
	found=$(discontinuities "$out") || exit 1
	logged=$(grep -c 'recd: warning: gap: ' "$log")
	# A gap recd logged where JACK's frame time skipped a period but the
	# source's codes did not (the dummy driver's skipped cycle) is one of
	# verify's jumps, not a discontinuity.
	jumps=$(sed -n 's/.*, \([0-9]*\) jumps of a period$/\1/p' <<<"$out" |
	    tail -n 1)
	[ "$found" -le "$logged" ] &&
	    [ $((found + ${jumps:-0})) -ge "$logged" ] ||
	    fail "$found discontinuities in $dir, recd logged $logged: $out"
	echo "$out"
}

# wait_file PATH [SECONDS]: until PATH exists.  recd logs "closed" when
# it hands a file to its flusher; the final name comes once it is synced
# (the file_closed event says so).  Polled with a deadline.
wait_file() {
	local end=$((SECONDS + ${2:-10}))
	until [ -e "$1" ]; do
		[ $SECONDS -lt "$end" ] || fail "waited for $1"
		timeout 0.05 tail -f /dev/null
	done
}

# Every finished file in DIR, and no file left unfinished.
takes() {
	find "$1" -name '*.wav' | sort
}

no_partials() {
	local left f
	left=$(find "$1" -name '*.partial')
	[ -z "$left" ] && return 0
	# What the logs say of each, for the one who reads the failure.
	for f in $left; do
		grep -h -F "$(basename "$f" .partial)" "$T"/*.log "$T"/events \
		    2>/dev/null | head -n 20
	done
	fail "unfinished files left: $left"
}

# third_party FILE FRAMES CHANNELS RATE: sox, ffprobe and libsndfile all
# read the file with this length and shape.
third_party() {
	local f=$1 frames=$2 ch=$3 rate=$4 got
	# sox warns about WAVE_FORMAT_EXTENSIBLE float headers that libsndfile
	# writes too; its answer is on stdout.
	got=$(sox --i -s "$f" 2>/dev/null) || fail "sox cannot read $f"
	[ "$got" = "$frames" ] || fail "sox reads $got frames of $f, not $frames"
	got=$(sox --i -c "$f" 2>/dev/null)
	[ "$got" = "$ch" ] || fail "sox reads $got channels in $f, not $ch"
	got=$(ffprobe -v error -select_streams a:0 -count_packets \
	    -show_entries stream=channels,sample_rate,duration_ts \
	    -of csv=p=0 "$f" 2>&1) || fail "ffprobe cannot read $f: $got"
	case $got in
	"$ch,$rate,$frames"|"$rate,$ch,$frames") ;;
	*) fail "ffprobe reads $f as $got, not $ch channels, $rate Hz, $frames frames" ;;
	esac
	got=$("$SFCHECK" "$f" 2>&1) || fail "libsndfile cannot read $f: $got"
	[ "$got" = "$frames $ch $rate" ] ||
	    fail "libsndfile reads $f as $got, not $frames $ch $rate"
}

# closed_files LOG MODE: "PATH FRAMES" for every file recd finished, as
# its log says (in split mode a line stands for every channel's file).
closed_files() {
	local f frames c
	sed -n 's/.*recd: file \([^ ]*\)\( and the other channels\)\{0,1\}: closed, \([0-9]*\) frames.*/\1 \3/p' "$1" |
	    while read -r f frames; do
		if [ "$2" = split ]; then
			for c in "${f%_ch01_*}"_ch*_*"${f##*.}"; do
				echo "$c $frames"
			done
		else
			echo "$f $frames"
		fi
	    done
}

# repaired_files LOG: "PATH FRAMES" for every file the start-up repair in
# LOG made whole.
repaired_files() {
	sed -n 's/.*: left unfinished by a crash: repaired, \([0-9]*\) frames, now \(.*\)$/\2 \1/p' "$1"
}

# kill_with_audio DIR: recd (RECD_PID, writing 2 s files into DIR) is
# killed with SIGKILL at a random moment once its file holds audio: once
# an unfinished file in DIR has grown past 8 KiB (headers and half a
# second or so), and up to 0.4 s later, well inside the file.
kill_with_audio() {
	local end=$((SECONDS + 20)) big
	while [ $SECONDS -lt $end ]; do
		big=$(find "$1" -name '*.partial' -size +8k | head -n 1)
		[ -n "$big" ] && break
		timeout 0.05 tail --pid="$RECD_PID" -f /dev/null 2>/dev/null
	done
	[ -n "$big" ] || fail "no unfinished file grew past 8 KiB in $1"
	timeout "$(printf "0.%03d" $((RANDOM % 400 + 1)))" \
	    tail --pid="$RECD_PID" -f /dev/null 2>/dev/null
	kill -KILL "$RECD_PID"
	wait "$RECD_PID" 2>/dev/null
	return 0
}
