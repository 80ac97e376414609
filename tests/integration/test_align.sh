#!/bin/bash
# rotate_align: with 2 s rotation, files close on the wall clock's even
# seconds (counted from local midnight): every file after the first
# starts on a boundary, and the first ends on one.  TimeReferences carry
# on from file to file sample-exactly (verify checks that too).
. "$(dirname "$0")/lib.sh"

rate=48000 period_s=2 slack=2400	# 50 ms: reading two clocks
start_jackd $rate 1024
start_siggen sg 2 -b 24
start_recd recd --directory "$T/rec" --channels 2 --connect 'sg:out_.*' \
    --rotate-seconds $period_s --rotate-align
wait_log "$T/recd.log" 'closed, ' 3 30
stop_recd
out=$(verify_take "$T/rec" "$T/recd.log" -v -c 2) || exit 1
# An xrun (recd logged it) splits a file; lengths are then checked only
# up to it.
gaps=$(grep -c 'recd: warning: gap: ' "$T/recd.log")
boundary=$((rate * period_s))
n=0
while read -r f tr frames r; do
	[ "$f" = verify: ] && continue
	n=$((n + 1))
	if [ $n = 1 ]; then
		off=$(( (tr + frames) % boundary ))
		what="first file ends"
	else
		off=$(( tr % boundary ))
		what="file $n starts"
	fi
	[ $off -le $slack ] || [ $off -ge $((boundary - slack)) ] ||
	    fail "$what $off frames off a $period_s s boundary ($f)"
	[ $n = 1 ] || [ $n = 4 ] || [ "$gaps" != 0 ] ||
	    [ "$frames" = "$boundary" ] ||
	    fail "file $n: $frames frames, want $boundary ($f)"
done <<<"$out"
[ $n -ge 4 ] || fail "$n files, want 4"
echo "$(tail -n 1 <<<"$out"); aligned to ${period_s} s boundaries"
