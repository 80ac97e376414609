#!/bin/bash
# SIGTERM in the middle of a take: recd exits 0, no file is left
# unfinished, every file opens in sox, ffprobe and libsndfile with the
# right length, and the files hold exactly the frames recd reports.
. "$(dirname "$0")/lib.sh"

start_jackd 48000 1024
start_siggen sg 4 -b 24
start_recd recd --directory "$T/rec" --channels 4 --connect 'sg:out_.*' \
    --rotate-seconds 2 --no-rotate-align
wait_log "$T/recd.log" 'closed, ' 1 30
wait_log "$T/recd.log" 'opened' 2 30
stop_recd
no_partials "$T/rec"
out=$(verify_take "$T/rec" "$T/recd.log" -v -c 4) || exit 1
total=0
while read -r f tr frames rate; do
	[ "$f" = verify: ] && continue
	third_party "$f" "$frames" 4 48000
	total=$((total + frames))
done <<<"$out"
reported=$(sed -n 's/.*stopped: \([0-9]*\) frames recorded.*/\1/p' "$T/recd.log")
[ "$total" = "$reported" ] ||
    fail "files hold $total frames, recd reported $reported"
[ "$total" -gt 96000 ] || fail "only $total frames"
echo "$(tail -n 1 <<<"$out"); $total frames, as reported"
