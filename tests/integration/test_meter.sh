#!/bin/bash
# recctl meter against a real recd: 4 channels of a sine that peaks at
# exactly -6 dBFS.  Into a pipe it prints plain lines; on a terminal (a
# tmux pane of 100 x 30) it draws 4 bars reading -6.0 dB with no CLIP,
# and Ctrl-C ends it with status 0 and the cursor shown again.
. "$(dirname "$0")/lib.sh"
RECCTL=${RECCTL:-$B/recctl}
S=$T/recd.sock

if ! command -v tmux >/dev/null; then
	echo "skipped: tmux is not installed"
	exit 77
fi
if [ ! -x "$RECCTL" ]; then
	echo "skipped: no $RECCTL (make $RECCTL)"
	exit 77
fi

# The tmux server is ours alone: its socket is in $T, and it is stopped
# by its PID.
tm() {
	tmux -S "$T/tmux.sock" -f "$T/tmux.conf" "$@"
}

# meter_ok SCREEN: 4 channel lines at -6.0 dB (within 0.1), each bar lit
# to 54/60 of its width, and no CLIP anywhere.
meter_ok() {
	local line n=0 w lit v
	local re='^in_[1-4] +\[([#| ]+)\] +(-?[0-9]+\.[0-9]) dB *$'

	[[ $1 == *CLIP* ]] && return 1
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		w=${#BASH_REMATCH[1]}
		v=${BASH_REMATCH[2]}
		lit=${BASH_REMATCH[1]//[^#]/}
		awk -v v="$v" 'BEGIN { exit !(v >= -6.1 && v <= -5.9) }' ||
		    continue
		[ "${#lit}" = $((54 * w / 60)) ] || continue
		n=$((n + 1))
	done <<<"$1"
	[ "$n" = 4 ]
}

# wait_pane CHECK WHAT [SECONDS]: each time recctl draws a frame (its
# title line reaches pipe-pane's copy of its output), checks the pane's
# text, until CHECK accepts it.
wait_pane() {
	local check=$1 what=$2 secs=${3:-20} end screen line fd tpid left

	end=$((SECONDS + secs))
	exec {fd}< <(exec tail -c +1 -F "$T/pane.raw" 2>/dev/null)
	tpid=$!
	while :; do
		screen=$(tm capture-pane -p -t meter 2>&1)
		if "$check" "$screen"; then
			kill "$tpid"
			exec {fd}<&-
			return 0
		fi
		# The next frame: recctl draws its title line once a frame.
		while left=$((end - SECONDS)); [ "$left" -gt 0 ] &&
		    IFS= read -r -t "$left" -u "$fd" line; do
			[[ $line == *"(Ctrl-C quits)"* ]] && break
		done
		[ "$left" -gt 0 ] || break
	done
	kill "$tpid"
	exec {fd}<&-
	fail "waited ${secs}s for $what; the pane shows:
$screen"
}

# The last cursor mode recctl set (pipe-pane's copy of its output) is
# "shown".
cursor_shown() {
	[ "$(LC_ALL=C grep -ao $'\033\\[?25[hl]' "$T/pane.raw" |
	    tail -n 1)" = $'\033[?25h' ]
}

# wait_raw_cursor: reads recctl's output as it arrives, piece by piece
# up to each 'h' (the end of a cursor mode), until the cursor is shown.
wait_raw_cursor() {
	local end=$((SECONDS + 5)) left piece fd tpid

	exec {fd}< <(exec tail -c +1 -F "$T/pane.raw" 2>/dev/null)
	tpid=$!
	until cursor_shown; do
		left=$((end - SECONDS))
		[ "$left" -gt 0 ] &&
		    IFS= read -r -d h -t "$left" -u "$fd" piece || break
	done
	kill "$tpid"
	exec {fd}<&-
	cursor_shown ||
	    fail "the cursor is not shown again, last in $T/pane.raw"
}

start_jackd 48000 1024
start_siggen sgm 4 -s -6
start_recd recd --directory "$T/rec" --channels 4 --connect 'sgm:out_.*' \
    --socket "$S"

# Into a pipe: plain lines, no escape sequences; recctl ends when head
# does.  The crest samples are exact, so the peaks are exactly -6.00.
timeout 20 "$RECCTL" --socket "$S" meter | head -n 3 >"$T/plain.out"
rc=${PIPESTATUS[0]}
[ "$rc" = 0 ] || fail "recctl meter | head: exit status $rc"
[ "$(wc -l <"$T/plain.out")" = 3 ] ||
    fail "recctl meter | head -n 3: $(cat "$T/plain.out")"
if LC_ALL=C grep -q $'\033' "$T/plain.out"; then
	fail "escape sequences in the plain output: $(od -c "$T/plain.out")"
fi
while IFS= read -r line; do
	[ "$line" = "levels -6.00 -6.00 -6.00 -6.00" ] ||
	    fail "plain line: '$line', want 'levels -6.00 -6.00 -6.00 -6.00'"
done <"$T/plain.out"

# On a terminal.  The pane waits for the signal "go" before it runs
# recctl, so that pipe-pane records all of recctl's output; when recctl
# ends, the pane's shell keeps its exit status and signals "done" (the
# shell outlives Ctrl-C, which reaches its whole process group, thanks to
# its own trap; recctl gets the default back at exec).
echo 'set -g remain-on-exit on' >"$T/tmux.conf"
tm new-session -d -s meter -x 100 -y 30 "trap : INT; tmux wait-for go;
    $(printf '%q' "$RECCTL") --socket $(printf '%q' "$S") meter;
    echo \$? >$(printf '%q' "$T/exit.status"); tmux wait-for -S done" ||
    fail "tmux new-session"
TM_PID=$(tm display -p '#{pid}')
PIDS="$PIDS $TM_PID"
tm pipe-pane -t meter "cat >$(printf '%q' "$T/pane.raw")" ||
    fail "tmux pipe-pane"
tm wait-for -S go
wait_pane meter_ok "4 channels at -6.0 dB and no CLIP"
[ "$(tm display -p -t meter '#{cursor_flag}')" = 0 ] ||
    fail "the cursor shows while the meter runs"
tm send-keys -t meter C-c
timeout 10 tmux -S "$T/tmux.sock" wait-for done ||
    fail "recctl did not end within 10 s of Ctrl-C"
[ "$(cat "$T/exit.status")" = 0 ] ||
    fail "recctl exited $(cat "$T/exit.status") after Ctrl-C"
# recctl has ended: pipe-pane has all it wrote, or is copying the rest.
wait_raw_cursor
echo "meter: plain lines at -6.00 dBFS; 4 bars at -6.0 dB on 100 x 30;" \
    "Ctrl-C exits 0"
