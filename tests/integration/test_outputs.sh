#!/bin/bash
# Outputs (the option outputs): one take, several sets of files.
# - A mirror on a second tmpfs, filled to the brim mid-take: the mirror
#   pauses (logged and evented with its name), resumes when space is
#   freed and marks its gap; the main output records on, bit-exact and
#   without a gap of its own.  Files of the same name hold the same
#   samples in both directories (the mirror's cut one a prefix).
# - Outputs of other formats and channel subsets from one take (pcm24 of
#   all 4 channels, split float of channels 4 and 2, FLAC of 3-4): each
#   bit-exact for its channels, in the order asked.
# - kill -9 during a two-output take: the next start repairs both
#   directories.
# - status and recctl status show each output; bad configurations are
#   refused, naming the output and the key.
. "$(dirname "$0")/lib.sh"
# One writer thread and a flusher per output: ASan sees them in the
# mirror and the subsets, the plain pass all of it; TSan sees a mirror's
# hand-offs (a pause, a resume, a digest made once) in test_slowdisk
# (time budget).
not_under_tsan
RECCTL=${RECCTL:-$B/recctl}
sock="$T/s.sock" a="$T/a" b="$T/b"

mkdir -p "$a" "$b"
if ! mount -t tmpfs -o size=96m recd-test-a "$a" 2>"$T/mount.err" ||
    ! mount -t tmpfs -o size=24m recd-test-b "$b" 2>>"$T/mount.err"; then
	umount "$a" 2>/dev/null
	echo "cannot mount a tmpfs here: $(cat "$T/mount.err")" >&2
	exit 77
fi
AT_CLEANUP='umount "$a"; umount "$b"'

status() {
	"$RECCTL" --socket "$sock" --json status || fail "status failed"
}

# data FILE: a WAV file's bext TimeReference, and the hex of its data.
data() {
	python3 -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
p, tr, d = 12, None, None
while p + 8 <= len(b):
	cid, size = b[p:p + 4], struct.unpack_from("<I", b, p + 4)[0]
	if cid == b"bext":
		tr = struct.unpack_from("<Q", b, p + 8 + 338)[0]
	elif cid == b"data":
		d = b[p + 8:p + 8 + size].hex()
	p += 8 + size + (size & 1)
print(tr, d)' "$1"
}

start_jackd 48000 1024
start_siggen sg 2 -b 24

# --- A mirror, its disk filled to the brim mid-take.
start_recd recd --directory "$a/rec" --channels 2 --connect 'sg:out_.*' \
    --rotate-seconds 1 --rotate-align false --socket "$sock" \
    --disk-warn-mb 0 --disk-min-mb 0 \
    --outputs "{\"name\":\"mirror\",\"directory\":\"$b/rec\"}"
"$RECCTL" --socket "$sock" --json events >"$T/events" 2>&1 &
PIDS="$PIDS $!"
wait_log "$T/recd.log" "file $b/rec/.*: closed, " 1 20
st=$(status)
[ "$(out_field "$st" mirror state)" = '"recording"' ] ||
    fail "the mirror does not record: $st"
[ "$(out_field "$st" main directory)" = "\"$a/rec\"" ] ||
    fail "status: the main output's directory: $st"
txt=$("$RECCTL" --socket "$sock" status) || fail "recctl status"
grep -q "^output mirror: *recording, $b/rec, channels 1 2, single pcm24" \
    <<<"$txt" || fail "recctl status does not show the mirror: $txt"
dd if=/dev/zero of="$b/filler" bs=1M status=none 2>/dev/null
wait_log "$T/recd.log" 'output mirror: recording paused: directory .*: No space left' 1 20
wait_log "$T/events" '"event":"paused",.*"output":"mirror"' 1 10
st=$(status)
[ "$(out_field "$st" mirror state)" = '"paused"' ] &&
    [ "$(out_field "$st" mirror paused)" = '"disk_full"' ] &&
    [ "$(out_field "$st" main state)" = '"recording"' ] ||
    fail "status with the mirror's disk full: $st"
[[ $st == '{"state":"recording"'* ]] ||
    fail "the take records on in the main output: $st"
# Prometheus: the mirror's pause, a gauge of its own.
"$RECCTL" --socket "$sock" metrics >"$T/metrics" || fail "recctl metrics"
grep -qx 'recd_output_paused{output="mirror"} 1' "$T/metrics" &&
    grep -qx 'recd_output_paused{output="main"} 0' "$T/metrics" ||
    fail "metrics of the mirror's pause: $(grep recd_output "$T/metrics")"
if command -v promtool >/dev/null; then
	out=$(promtool check metrics <"$T/metrics" 2>&1) ||
	    fail "promtool check metrics: $out"
fi
# The main output records on meanwhile: files close in its directory.
files_close "$T/recd.log" "$a/rec" 2 10
rm -f "$b/filler"
wait_log "$T/recd.log" 'output mirror: recording resumes' 1 20
wait_log "$T/recd.log" 'output mirror: gap: .* not recorded: ' 1 10
wait_log "$T/events" '"event":"resumed",.*"output":"mirror"' 1 10
files_close "$T/recd.log" "$b/rec" 2 10
stop_recd
no_partials "$a/rec"
no_partials "$b/rec"

# The main output: bit-exact, no gap but xruns, none from the mirror's
# pause; the mirror bit-exact on both sides of its gap, which is marked.
mirror_verified "$T/recd.log" "$a/rec" "$b/rec" "disk full"
# Same names, same start, same samples: the mirror's file cut by the
# full disk holds the first part of the main output's.  After its pause
# the mirror's first file starts where it resumed, then it rotates with
# the main output again: files after that are the same again.
same=0 after=0
resumed=$(grep -o "file $b/rec/[^ ]*: opened; marker: gap: about" \
    "$T/recd.log" | sed 's/^file \(.*\): opened.*/\1/')
for f in $(cd "$b/rec" && find . -name '*.wav' | sort); do
	[ -e "$a/rec/$f" ] || continue
	read -r trb x < <(data "$b/rec/$f")
	read -r tra y < <(data "$a/rec/$f")
	[ "$trb" = "$tra" ] || {
		# Only the file it resumed in starts elsewhere.
		[ "$b/rec/${f#./}" = "$resumed" ] ||
		    fail "$f: TimeReference $trb in the mirror, $tra in main"
		continue
	}
	[ -n "$x" ] && [ "${y:0:${#x}}" = "$x" ] ||
	    fail "$f: the mirror's samples are not the main output's"
	same=$((same + 1))
	[[ "$b/rec/${f#./}" > "$resumed" ]] && after=$((after + 1))
done
[ $same -ge 2 ] && [ $after -ge 1 ] ||
    fail "$same files the same in both outputs, $after after the pause"
md5_checked "$a/rec" "$T/recd.log"
md5_checked "$b/rec" "$T/recd.log"
echo "mirror: $same files the same in both directories ($after after its pause), the gap marked, MD5 right"


# --- Other formats and channel subsets, from one take of 4 channels.
start_siggen sg4 4 -b 24
rm -rf "$a/rec" "$b/rec"
start_recd recd2 --directory "$a/rec" --channels 4 --connect 'sg4:out_.*' \
    --rotate-seconds 1 --rotate-align false --socket "$sock" \
    --outputs "{\"name\":\"pair\",\"directory\":\"$b/pair\",\"channels_used\":[4,2],\"mode\":\"split\",\"format\":\"float32\"}" \
    --outputs "{\"name\":\"prog\",\"directory\":\"$b/prog\",\"channels_used\":\"3-4\",\"format\":\"flac24\"}"
wait_log "$T/recd2.log" "file $b/prog/.*: closed, " 2 20
stop_recd
for d in "$a/rec" "$b/pair" "$b/prog"; do no_partials "$d"; done
xr=$(xruns_counted "$T/recd2.log")
out=$("$VERIFY" -g -j "1024:$xr" -c 4 $(takes "$a/rec") 2>&1) ||
    fail "4 channels: $out"
# Split files carry the take's channel numbers: _ch04_ and _ch02_.
ls "$b/pair"/*/*_ch04_*.wav "$b/pair"/*/*_ch02_*.wav >/dev/null ||
    fail "split files of channels 4 and 2: $(find "$b/pair")"
find "$b/pair" -name '*_ch0[13]_*' | grep -q . &&
    fail "channels 1 and 3 in the output of 4 and 2"
out=$("$VERIFY" -g -j "1024:$xr" -c 2 $(takes "$b/pair") 2>&1) ||
    fail "channels 4 and 2, split, float: $out"
# FLAC: decoded by flac(1), then as WAV, its columns channels 3 and 4.
args=()
for f in $(find "$b/prog" -name '*.flac' | sort); do
	flac -s -d -f -o "$f.wav" "$f" || fail "flac cannot decode $f"
	tr=$(metaflac --show-tag=TIME_REFERENCE "$f" | cut -d= -f2)
	[ -n "$tr" ] || fail "$f: no TIME_REFERENCE comment"
	args+=("$f.wav@$tr")
done
[ ${#args[@]} -ge 2 ] || fail "FLAC files of channels 3-4: ${args[*]}"
out=$("$VERIFY" -g -j "1024:$xr" -C 3,4 -c 2 "${args[@]}" 2>&1) ||
    fail "channels 3-4, FLAC: $out"
echo "subsets: 4 ch pcm24, channels 4 and 2 split float32, 3-4 FLAC: bit-exact"

if [ "$SAN" = asan ]; then
	echo "pre-record, kill -9, bad configurations: the plain pass (time budget)"
	exit 0
fi

# --- Pre-record into a mirror: both takes begin at the same frame, the
# same bits.  In split mode: each channel's files share their digest
# with the mirror's.
rm -rf "$a/rec" "$b/rec"
start_recd recd5 --directory "$a/rec" --channels 4 --connect 'sg4:out_.*' \
    --mode split \
    --rotate-seconds 1 --rotate-align false --socket "$sock" \
    --autostart false --prerecord-seconds 0.5 \
    --outputs "{\"name\":\"m\",\"directory\":\"$b/rec\"}"
end=$((SECONDS + 20))
until [[ $(status) == *'"prerecord_seconds_kept":0.5,'* ]]; do
	[ $SECONDS -lt $end ] || fail "no pre-record kept: $(status)"
	timeout 0.1 tail -f /dev/null
done
"$RECCTL" --socket "$sock" start >/dev/null || fail "start"
wait_log "$T/recd5.log" "file $b/rec/.*: closed, " 2 20
stop_recd
f=$(cd "$a/rec" && find . -name '*.wav' | sort | head -n 1)
read -r tra x < <(data "$a/rec/$f")
read -r trb y < <(data "$b/rec/$f")
[ -n "$x" ] && [ "$tra" = "$trb" ] && [ "$x" = "$y" ] ||
    fail "$f: the pre-recorded take differs between the outputs ($tra, $trb)"
grep -c "pre-record: the take begins" "$T/recd5.log" | grep -qx 1 ||
    fail "pre-record told $(grep -c "pre-record: the take begins" "$T/recd5.log") times"
md5_checked "$a/rec" "$T/recd5.log"
md5_checked "$b/rec" "$T/recd5.log"
echo "pre-record: both outputs begin at TimeReference $tra, the same bits, MD5 right"

# --- kill -9 during a two-output take; the next start repairs both.
rm -rf "$a/rec" "$b/rec"
start_recd recd3 --directory "$a/rec" --channels 4 --connect 'sg4:out_.*' \
    --rotate-seconds 2 --rotate-align false --socket "$sock" \
    --outputs "{\"name\":\"m\",\"directory\":\"$b/rec\"}"
kill_with_audio "$b/rec"
find "$a/rec" -name '*.partial' | grep -q . || fail "no unfinished file in $a/rec"
start_recd recd4 --directory "$a/rec" --channels 4 --connect 'sg4:out_.*' \
    --rotate-seconds 2 --rotate-align false --socket "$sock" \
    --autostart false --outputs "{\"name\":\"m\",\"directory\":\"$b/rec\"}"
stop_recd
rep=$(repaired_files "$T/recd4.log")
grep -q "^$a/rec/" <<<"$rep" && grep -q "^$b/rec/" <<<"$rep" ||
    fail "repaired after kill -9: $rep"
no_partials "$a/rec"
no_partials "$b/rec"
for d in "$a/rec" "$b/rec"; do
	out=$("$VERIFY" -g -k -j "1024:1000" -c 4 $(takes "$d") 2>&1) ||
	    fail "$d after kill -9 and repair: $out"
done
echo "kill -9: both directories repaired"

# --- Bad configurations: refused, naming the output and the key.
refused() {
	local want=$1 out
	shift
	out=$("$RECD" -n --channels 2 --directory "$a/bad" "$@" 2>&1) &&
	    fail "recd took $*: $out"
	grep -Eq "$want" <<<"$out" || fail "refusing $*, recd said: $out"
}
refused 'output "x".*channels_used.*5' \
    --outputs '{"name":"x","directory":"'"$b"'/x","channels_used":[1,5]}'
refused '"y".*name|name.*"y"' \
    --outputs '{"name":"y","directory":"'"$b"'/y1"}' \
    --outputs '{"name":"y","directory":"'"$b"'/y2"}'
refused '"z".*directory|directory.*"z"' \
    --outputs '{"name":"z","directory":"'"$a"'/bad"}'
refused '"w".*gate' \
    --outputs '{"name":"w","directory":"'"$b"'/w","gate":true}'
echo "bad configurations refused"
