#!/bin/bash
# SIGHUP reads the config file (and the command line) again: a changed
# runtime option applies and is announced, a changed option that takes a
# restart is named in a warning and left alone, a broken file changes
# nothing; recording goes on throughout.
. "$(dirname "$0")/lib.sh"
SOCKC=build/tests/sockc
S=$T/recd.sock

get() {		# KEY: the value recd has now
	echo "{\"id\":1,\"cmd\":\"get\",\"key\":\"$1\"}" |
	    "$SOCKC" "$S" lines | sed -n 's/.*"value":\([^}]*\)}}$/\1/p'
}

start_jackd 48000 1024
start_siggen sg 2 -b 24
printf '{\n "channels": 2, "rotate_seconds": 2, "rotate_align": false\n}\n' \
    >"$T/recd.json"
start_recd recd --config "$T/recd.json" --directory "$T/rec" \
    --connect 'sg:out_.*' --socket "$S"
[ "$(get rotate_seconds)" = 2 ] || fail "rotate_seconds is not 2"

"$SOCKC" "$S" listen 4 '{"id":1,"cmd":"subscribe","stream":"events"}' \
    >"$T/events.out" &
listener=$!
wait_log "$T/events.out" '"result":\{"stream":"events"\}' 1 10
printf '{ "channels": 3, "rotate_seconds": 5, "rotate_align": false }\n' \
    >"$T/recd.json"
kill -HUP "$RECD_PID"
wait_log "$T/recd.log" 'SIGHUP: rotate_seconds: 5' 1 10
expect_warn='SIGHUP: channels: changed, but takes a restart of recd; still 2'
wait_log "$T/recd.log" "$expect_warn" 1 10
[ "$(get rotate_seconds)" = 5 ] || fail "rotate_seconds did not become 5"
[ "$(get channels)" = 2 ] || fail "channels changed without a restart"
wait "$listener"
grep -q '"event":"option_changed","key":"rotate_seconds","value":5' \
    "$T/events.out" || fail "no option_changed event"

printf '{ "rotate_seconds": 9, ' >"$T/recd.json"
kill -HUP "$RECD_PID"
wait_log "$T/recd.log" 'SIGHUP: config .*recd.json:1: not valid JSON.*; nothing changed' 1 10
[ "$(get rotate_seconds)" = 5 ] || fail "a broken file changed rotate_seconds"
stop_recd
out=$(verify_take "$T/rec" "$T/recd.log" -c 2) || exit 1
echo "reload: runtime option applied, restart-only named, broken file ignored; $out"
