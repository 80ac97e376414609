#!/bin/bash
# timezone: a take across a daylight-saving change, with no root and no
# faked clock: recd runs under a POSIX TZ rule (+0100, summer time +0200)
# whose summer time ends (falls back) a few seconds into the take.  The
# take stays one timeline: its names never repeat and sort in time order
# (the ones after the change end in +0200), verify proves it bit-exact
# and gapless, each file's TimeReference is the one before it plus its
# frames, and each name, bext origination time and TimeReference agree.
# Then timezone utc across another change: names in UTC, nothing added.
. "$(dirname "$0")/lib.sh"
# The time zone is the writer's and clock.c's arithmetic, on one thread,
# unit-tested under both sanitizers (test_clock): the plain pass runs this
# (time budget).
plain_only

rate=48000 period_s=2 day=86400

# fall_tz WHEN: the zone, its summer time ending at Unix time WHEN.  A
# POSIX rule gives the end as day of the year (from 0, leap days
# counted) and time, in summer time; summer time began on 1 January.
fall_tz() {
	local t=$(($1 + 7200))
	echo "AAA-1BBB-2,0/0,$((10#$(date -u -d "@$t" +%j) - 1))/$(date -u -d "@$t" +%H:%M:%S)"
}

# secs HHMMSS: seconds since midnight.
secs() {
	echo $((10#${1:0:2} * 3600 + 10#${1:2:2} * 60 + 10#${1:4:2}))
}

# near A B: A and B (seconds of a day) at most 1 s apart, across midnight.
near() {
	local d=$(( ($1 - $2 + day) % day ))
	[ $d -le 1 ] || [ $d -ge $((day - 1)) ]
}

# check_take DIR LOG ZONE: the take in DIR (recd's log LOG), whose names
# on the take's timeline end in ZONE once local time has left it (ZONE
# empty: never).  Prints "FILES SUFFIXED".
check_take() {
	local dir=$1 log=$2 zone=$3 out f tr frames r name hms n=0 k=0
	local prev_tr prev_frames gaps names sorted orig
	local re="^recd-[0-9]{8}-([0-9]{6})(${zone//+/\\+})?\\.wav\$"
	out=$(verify_take "$dir" "$log" -v -c 2) || exit 1
	gaps=$(grep -c 'recd: warning: gap: ' "$log")
	names=$(awk '$1 != "verify:" { print $1 }' <<<"$out")
	# Sorted as ls sorts in the C locale: byte by byte.
	sorted=$(find "$dir" -name '*.wav' | LC_ALL=C sort)
	[ "$names" = "$sorted" ] ||
	    fail "names do not sort as TimeReference orders the files:" \
	    "by TimeReference:" $names "by name:" $sorted
	[ "$(sort -u <<<"$sorted" | wc -l)" = "$(wc -l <<<"$sorted")" ] ||
	    fail "a name repeats: $sorted"
	while read -r f tr frames r; do
		[ "$f" = verify: ] && continue
		n=$((n + 1))
		name=$(basename "$f")
		[[ $name =~ $re ]] ||
		    fail "$name: not recd-DATE-TIME${zone:+[$zone]}.wav" \
		    "(a name taken twice gets -N)"
		hms=${BASH_REMATCH[1]}
		[ -n "${BASH_REMATCH[2]}" ] && k=$((k + 1))
		near "$(secs "$hms")" $((tr / rate)) ||
		    fail "$name: named $hms, TimeReference $tr is" \
		    "$((tr / rate)) s after midnight"
		orig=$(ffprobe -v error -show_entries format_tags=creation_time \
		    -of default=nw=1:nk=1 "$f")
		[ "$orig" = "${hms:0:2}:${hms:2:2}:${hms:4:2}" ] ||
		    fail "$name: bext origination time $orig"
		if [ $n -gt 1 ] && [ "$gaps" = 0 ] &&
		    [ "$tr" != $(( (prev_tr + prev_frames) % (day * rate) )) ]; then
			fail "$name: TimeReference $tr after $prev_tr and" \
			    "$prev_frames frames"
		fi
		prev_tr=$tr prev_frames=$frames
	done <<<"$out"
	echo "$n $k"
}

start_jackd $rate 1024
start_siggen sg 2 -b 24

# Local time: summer time ends 8 s from now, some 6 s into the take.
change=$(($(date +%s) + 8))
tz=$(fall_tz $change)
[ "$(TZ=$tz date -d "@$((change - 1))" +%z)" = +0200 ] &&
    [ "$(TZ=$tz date -d "@$change" +%z)" = +0100 ] ||
    fail "TZ=$tz: no change from +0200 to +0100 at $change"
TZ=$tz start_recd recd --directory "$T/rec" --channels 2 \
    --connect 'sg:out_.*' --rotate-seconds $period_s --rotate-align
wait_log "$T/recd.log" 'time: local time has left \+0200' 1 30
wait_log "$T/recd.log" 'closed, ' \
    $(($(grep -c 'closed, ' "$T/recd.log") + 3)) 20
stop_recd
no_partials "$T/rec"
out=$(check_take "$T/rec" "$T/recd.log" +0200) || exit 1
read -r n k <<<"$out"
[ "$k" -ge 2 ] && [ "$k" -lt "$n" ] ||
    fail "$k of $n names end in +0200: want some before the change," \
    "some after"
echo "local: $n files across the change at $tz, $k named in +0200:" \
    $(find "$T/rec" -name '*.wav' -printf '%f\n' | LC_ALL=C sort)

# UTC: another change 5 s from now makes no difference.
change=$(($(date +%s) + 5))
tz=$(fall_tz $change)
utc0=$(date -u +%H%M%S)
TZ=$tz start_recd recd-utc --directory "$T/utc" --channels 2 \
    --connect 'sg:out_.*' --rotate-seconds $period_s --rotate-align \
    --timezone utc
wait_log "$T/recd-utc.log" 'closed, ' 5 30
stop_recd
no_partials "$T/utc"
! grep 'time: local time has left' "$T/recd-utc.log" ||
    fail "timezone utc followed local time"
out=$(check_take "$T/utc" "$T/recd-utc.log" "") || exit 1
read -r n k <<<"$out"
first=$(basename "$(takes "$T/utc" | head -n 1)")
first=${first:14:6}
d=$(( ($(secs "$first") - $(secs "$utc0") + day) % day ))
[ $d -le 30 ] || fail "utc: first name $first, UTC was $utc0 at start"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}Z recd: ' \
    "$T/recd-utc.log" || fail "utc: log lines not in UTC"
echo "utc: $n files named in UTC from $first"
