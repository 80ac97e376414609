#!/bin/bash
# Pre-record: a take that a start command begins starts prerecord_seconds
# before the command, from what the writer kept while it did not record.
# siggen -J's codes count JACK frames, so the take's first sample tells,
# to the frame, where it began.  The take is bit-exact and gapless across
# the rotations inside its pre-record, its first file's TimeReference is
# that of the first pre-recorded sample, and a marker sits at the
# command's frame.  A start before all was kept begins with what there
# is, and says so.  status tells how much is kept.  The dummy driver's
# xruns on a loaded machine are gaps, and each starts the pre-record
# again: the whole one is half a second, and tried up to 8 times.
. "$(dirname "$0")/lib.sh"
# The keeping and the hand-over are the writer's one thread, and its
# buffer (daemon/hist.c) is unit-tested under both sanitizers: the plain
# pass only (time budget).
plain_only

RECCTL=${RECCTL:-$B/recctl}
sock="$T/s.sock"
RATE=48000
PRE=0.5
PRE_FRAMES=24000

start_jackd $RATE 256
start_siggen sg 2 -b 24 -J
start_recd recd --directory "$T/rec" --channels 2 --connect 'sg:out_.*' \
    --rotate-seconds 1 --rotate-align false --autostart false \
    --prerecord-seconds 60 --socket "$sock"

# kept_at_least SECONDS: polls status until that much is kept.
kept_at_least() {
	local end=$((SECONDS + 20)) st k
	while :; do
		st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
		k=$(sed -n 's/.*"prerecord_seconds_kept":\([0-9.]*\).*/\1/p' <<<"$st")
		[ -n "$k" ] || fail "status has no prerecord_seconds_kept: $st"
		awk -v k="$k" -v w="$1" 'BEGIN { exit !(k >= w) }' && return 0
		[ $SECONDS -lt "$end" ] || fail "kept $k s of pre-record, not $1"
		timeout 0.05 tail -f /dev/null
	done
}

# take: records a take with a start command, 3 files after it began;
# sets first (the JACK frame it began at), cmd (the command's), files and
# short (1 when less than PRE s was kept).
ntakes=0
take() {
	local before n line
	ntakes=$((ntakes + 1))
	before=$(takes "$T/rec")
	n=$(grep -c ': closed, ' "$T/recd.log")
	"$RECCTL" --socket "$sock" start >/dev/null || fail "start"
	wait_log "$T/recd.log" 'pre-record: the take begins' $ntakes 10
	st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
	[[ $st == *'"prerecord_seconds_kept":0,'* ]] ||
	    fail "during a take, pre-record is kept: $st"
	wait_log "$T/recd.log" ': closed, ' $((n + 3)) 20
	"$RECCTL" --socket "$sock" stop >/dev/null || fail "stop"
	wait_log "$T/recd.log" 'take stopped' $ntakes 10
	line=$(grep 'pre-record: the take begins' "$T/recd.log" | tail -n 1)
	[[ $line =~ begins\ at\ JACK\ frame\ ([0-9]+),\ -?[0-9.]+\ s\ before\ the\ start\ command\'s\ frame\ ([0-9]+)$ ]] ||
	    fail "pre-record log line: $line"
	first=${BASH_REMATCH[1]}
	cmd=${BASH_REMATCH[2]}
	files=$(comm -13 <(echo "$before") <(takes "$T/rec"))
	short=0
	[ "$(grep -c 'pre-record: [0-9.]* s kept of the' "$T/recd.log")" = \
	    "$nshort" ] || { short=1; nshort=$((nshort + 1)); }
	for f in $files; do wait_file "$f"; done
}

# cue_at FILE LABEL: the frame of FILE's cue point whose label begins
# with LABEL (its cue and adtl labl chunks, read by the chunk tool).
cue_at() {
	CHUNK=$CHUNK python3 - "$1" "$2" <<'PY'
import os, struct, subprocess, sys
path, want = sys.argv[1], sys.argv[2].encode()
def body(cid):
	return subprocess.run([os.environ["CHUNK"], path, cid],
	    capture_output=True).stdout
cue, lst = body("cue "), body("LIST")
if len(cue) < 4 or lst[:4] != b"adtl":
	sys.exit(1)
at = {}
for i in range(struct.unpack_from("<I", cue, 0)[0]):
	cid, = struct.unpack_from("<I", cue, 4 + 24 * i)
	at[cid], = struct.unpack_from("<I", cue, 4 + 24 * i + 20)
p, found = 4, 1
while p + 8 <= len(lst):
	kind, size = lst[p:p + 4], struct.unpack_from("<I", lst, p + 4)[0]
	if kind == b"labl" and lst[p + 12:p + 8 + size].startswith(want):
		print(at[struct.unpack_from("<I", lst, p + 8)[0]])
		found = 0
	p += 8 + size + (size & 1)
sys.exit(found)
PY
}

# check: the take in $files is bit-exact and gapless, begins at frame
# $first, and marks $cmd.
check() {
	local out idx f cue off fidx
	# Under load the dummy driver has xruns: each discontinuity must be a
	# gap recd logged, and a period's jump in the codes an xrun it
	# logged (as verify_take has it, for this take's files alone).
	local gaps xr
	gaps=$(grep -c 'recd: warning: gap: ' "$T/recd.log")
	xr=$(grep -c 'recd: warning: jack: xrun' "$T/recd.log")
	out=$("$VERIFY" -g -j "256:$xr" -f -c 2 $files 2>&1) || fail "$out"
	[ "$(discontinuities "$(tail -n 1 <<<"$out")")" -le "$gaps" ] ||
	    fail "$out; recd logged $gaps gaps"
	idx=$(sed -n 's/^verify: first frame index //p' <<<"$out")
	[ "$idx" = $((first % 131072)) ] ||
	    fail "the take's first sample is JACK frame $idx (mod 2^17), not $first: $out"
	# The marker: in the file the command came in, at its frame (none
	# when nothing was kept: the take begins after the command's frame).
	[ $(((cmd - first) & 0xffffffff)) -gt 0 ] &&
	    [ $(((cmd - first) & 0xffffffff)) -lt $((1 << 31)) ] || return 0
	f=$(grep -la 'start: the command came here' $files) ||
	    fail "no marker of the start command in $files"
	[ "$(wc -l <<<"$f")" = 1 ] || fail "the command marked in: $f"
	off=$(cue_at "$f" 'start: the command came here') ||
	    fail "$f: no cue point labelled as the start command's"
	# (with the take's allowances: an xrun's jump inside this file
	# would otherwise fail verify and leave no index to add to)
	fidx=$("$VERIFY" -g -j "256:$xr" -f -c 2 "$f" 2>&1 |
	    sed -n 's/^verify: first frame index //p')
	[ -n "$fidx" ] || fail "$f: verify gives no first frame index: $("$VERIFY" -g -j "256:$xr" -f -c 2 "$f" 2>&1)"
	[ $(((fidx + off) % 131072)) = $((cmd % 131072)) ] ||
	    fail "the marker is at JACK frame $(((fidx + off) % 131072)), the command at $cmd (mod 2^17)"
}

# A start before the pre-record is full (60 s asked): it begins with what
# there is, across a rotation (files of 1 s from the take's first frame).
nshort=0
kept_at_least 1.5
take
[ $short = 1 ] || fail "a short pre-record was not told"
check
echo "a short pre-record: the take began $(((cmd - first) & 0xffffffff)) frames before the command"

# A start with all of it: exactly PRE s before the command, to the frame
# (set at run time: a new size starts empty).
"$RECCTL" --socket "$sock" set prerecord_seconds $PRE >/dev/null ||
    fail "set prerecord_seconds"
for try in 1 2 3 4 5 6 7 8; do
	kept_at_least $PRE
	t_cmd=$(date +%H:%M:%S.%N)
	take
	[ $short = 1 ] || break
	echo "try $try: a gap cut the pre-record short; again"
done
[ $short = 0 ] || fail "in $try tries, never a whole pre-record"
[ $(((cmd - first) & 0xffffffff)) = $PRE_FRAMES ] ||
    fail "the take began $(((cmd - first) & 0xffffffff)) frames before the command, not $PRE_FRAMES"
check
# Its TimeReference (samples since local midnight) is that of its first
# sample: PRE s before the command, give or take the time the command
# took to reach recd and the period it begins after.
# (verify -v lists the files in time order; names do not sort so: a
# file after a gap in the same second is NAME-1.)
read -r f1 tr _ < <("$VERIFY" -v -g -j "256:1000" -c 2 $files |
    awk 'NF == 4 && $1 !~ /^verify:/' | head -n 1)
awk -v tr="$tr" -v t="$t_cmd" -v pre=$PRE -v rate=$RATE 'BEGIN {
	split(t, h, ":"); c = h[1] * 3600 + h[2] * 60 + h[3]
	d = (tr / rate) - (c - pre)
	d = (d + 86400 + 43200) % 86400 - 43200
	exit !(d > -0.1 && d < 0.5)
}' || fail "$f1: TimeReference $tr, the command at $t_cmd, pre-record $PRE s"
echo "a whole pre-record: $PRE_FRAMES frames before the command, to the frame"
stop_recd
no_partials "$T/rec"
