#!/bin/bash
# The silence gate, with siggen -G: signal for 2^16 frames of every 2^17,
# each sample of it far above the threshold, digital silence between.
# verify -G proves every stretch of signal whole and bit-exact, with
# exactly the pre-roll before it and the hold after it, and (through the
# bext TimeReferences) that no stretch is missing.  The gate_opened events
# must come exactly one cycle apart; status tells the gate's state.
# Both ways of gate_split: new files per stretch, and one file with
# markers where the quiet was left out.
. "$(dirname "$0")/lib.sh"
# The gate is the writer thread's alone (test_gate unit-tests it too):
# TSan has no hand-off here to look at (time budget).
not_under_tsan

RECCTL=${RECCTL:-$B/recctl}
rate=48000 pre=12000 hold=24000 cycle=131072

start_jackd $rate 1024
start_siggen sg 2 -b 24 -G

# gate_take NAME SPLIT: records until the gate has closed 3 times.
gate_take() {
	local name=$1 split=$2 sock="$T/$1.sock" st
	start_recd "$name" --directory "$T/$name" --channels 2 \
	    --connect 'sg:out_.*' --rotate-seconds 0 --socket "$sock" \
	    --gate --gate-threshold-dbfs -40 --gate-hold-seconds 0.5 --gate-preroll-seconds 0.25 \
	    --gate-split "$split" --autostart false
	# Listening before the take starts: no event is missed.
	"$RECCTL" --socket "$sock" --json events >"$T/$name.events" 2>&1 &
	PIDS="$PIDS $!"
	listening "$sock" "$T/$name.events"
	"$RECCTL" --socket "$sock" start >/dev/null || fail "start refused"
	wait_log "$T/$name.log" 'gate: open at' 1 20
	st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
	[[ $st == *'"gate":{"open":'* ]] || fail "status has no gate: $st"
	wait_log "$T/$name.log" 'gate: closed at' 3 30
	st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
	stop_recd
	if grep -q 'recd: warning: gap: ' "$T/$name.log"; then
		echo "recd logged a gap (an xrun of this machine):" \
		    "the gate's figures cannot be exact; skipped" >&2
		exit 77
	fi
}

# opened_apart EVENTS: every gate_opened event one cycle after the last
# (but one at frame 0: the take began in a stretch of signal).
opened_apart() {
	local last="" f n=0
	while read -r f; do
		[ "$f" != 0 ] || continue
		n=$((n + 1))
		[ -z "$last" ] || [ $((f - last)) = $cycle ] ||
		    fail "gate opened at frames $last and $f of the take:" \
		    "not one cycle ($cycle) apart"
		last=$f
	done < <(grep '"event":"gate_opened"' "$1" |
	    sed 's/.*"frame":\([0-9]*\).*/\1/')
	[ $n -ge 2 ] || fail "$n gate_opened events in $1, want 2 or more"
}

gate_take split true
out=$("$VERIFY" -G $pre:$hold $(takes "$T/split") 2>&1) || fail "$out"
echo "split: $out"
n=$(takes "$T/split" | wc -l)
[ "$n" -ge 3 ] || fail "$n files with gate_split, want one a stretch"
opened_apart "$T/split.events"
grep -q '"event":"gate_closed"' "$T/split.events" ||
    fail "no gate_closed event"
no_partials "$T/split"

gate_take joined false
n=$(takes "$T/joined" | wc -l)
[ "$n" = 1 ] || fail "$n files with gate_split false, want 1"
out=$("$VERIFY" -G $pre:$hold $(takes "$T/joined") 2>&1) || fail "$out"
echo "joined: $out"
opened_apart "$T/joined.events"
f=$(takes "$T/joined")
third_party "$f" "$("$SFCHECK" "$f" | cut -d' ' -f1)" 2 $rate
