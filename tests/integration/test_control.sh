#!/bin/bash
# The control socket, for real: every command over the raw protocol and
# through recctl, subscriptions at two rates and to events, a client that
# never reads, hostile input (a 10 MB line, invalid JSON, binary, half
# lines, 1000 connects, hanging up mid-reply), a stale and a live socket.
# After all of it recd still answers, and the take is bit-exact and
# gapless.
. "$(dirname "$0")/lib.sh"
not_under_tsan
SOCKC=build/tests/sockc
RECCTL=${RECCTL:-$B/recctl}
S=$T/recd.sock

# expect OUTPUT REGEX WHAT
expect() {
	grep -Eq -- "$2" <<<"$1" || fail "$3: no /$2/ in: $(head -c 600 <<<"$1")"
}

start_jackd 48000 1024
start_siggen sg 16 -b 24
start_recd recd --directory "$T/rec" --channels 16 --connect 'sg:out_.*' \
    --socket "$S" --rotate-seconds 2 --no-rotate-align
[ "$(stat -c %a "$S")" = 660 ] || fail "socket mode $(stat -c %a "$S")"

# Every command, raw.
out=$("$SOCKC" "$S" lines <<'EOF'
{"id":1,"cmd":"status"}
{"id":2,"cmd":"get","key":"rotate_seconds"}
{"id":3,"cmd":"set","key":"header_seconds","value":0.5}
{"id":4,"cmd":"set","key":"rotate_seconds","value":"9x"}
{"id":5,"cmd":"set","key":"channels","value":4}
{"id":6,"cmd":"options"}
{"id":7,"cmd":"ports"}
{"id":8,"cmd":"mark","label":"chorus 2"}
{"id":9,"cmd":"rotate"}
{"id":"ten","cmd":"statu"}
{"id":11,"cmd":"get","key":"gain_db"}
{"id":12,"cmd":"get"}
{"id":13,"cmd":"subscribe","stream":"levels","rate_hz":500}
EOF
)
expect "$out" '^\{"event":"hello","protocol":1,"recd":"[^"]+","channels":16,"rate":48000\}$' hello
expect "$out" '"id":1,"result":\{"state":"recording","take":\{"started":' status
expect "$out" '"ring":\{"bytes":[0-9]+,"fill":[0-9]+,"high_water":[0-9]+\}' "status ring"
expect "$out" '"jack":\{"connected":true,"client":"recd","rate":48000,"period":1024,"last_period_age_seconds":(0(\.[0-9]+)?|[0-9](\.[0-9]+)?e-[0-9]+)\}' "status jack"
expect "$out" '"id":2,"result":\{"key":"rotate_seconds","value":2\}' get
expect "$out" '"id":3,"result":\{"key":"header_seconds","value":0.5\}' set
expect "$out" '"id":4,"error":\{"code":"bad_option","message":"rotate_seconds: a string given' "bad set"
expect "$out" '"id":5,"error":\{"code":"not_runtime"' "set not runtime"
expect "$out" '"id":6,"result":\{"options":\[\{"name":"directory","type":"string"' options
expect "$out" '"id":7,"result":\{"ports":\[\{"channel":1,"name":"recd:in_1","sources":\["sg:out_01"\]\}' ports
expect "$out" '"id":8,"result":\{\}' mark
expect "$out" '"id":9,"result":\{\}' rotate
expect "$out" '"id":"ten","error":\{"code":"unknown_command"' "unknown command"
expect "$out" '"id":11,"error":\{"code":"bad_option","message":"gain_db: unknown option"' "get unknown"
expect "$out" '"id":12,"result":\{"values":\{"directory":' "get all"
expect "$out" '"id":13,"error":\{"code":"bad_request","message":"rate_hz' "rate out of range"

# recctl, when built: human output, --json, exit codes, no daemon.
if [ -x "$RECCTL" ]; then
	out=$("$RECCTL" --socket "$S" status) || fail "recctl status: $?"
	expect "$out" 'recording' "recctl status"
	out=$("$RECCTL" --socket "$S" --json get rotate_seconds) ||
	    fail "recctl get"
	expect "$out" '"value":2' "recctl --json get"
	"$RECCTL" --socket "$S" set rotate_seconds 3 >/dev/null ||
	    fail "recctl set"
	out=$("$RECCTL" --socket "$S" set channels 4 2>&1)
	[ $? = 1 ] || fail "recctl set channels: exit status $?"
	expect "$out" 'not_runtime' "recctl refusal"
	out=$("$RECCTL" --socket "$T/nothing.sock" status 2>&1)
	[ $? = 3 ] || fail "recctl without recd: exit status"
	expect "$out" "^recctl: cannot connect to recd at $T/nothing.sock: No such file or directory$" "recctl without recd"
	"$RECCTL" --socket "$S" mark "verse 1" >/dev/null || fail "recctl mark"
fi

# Events and levels, two clients at two rates.
"$SOCKC" "$S" listen 3 '{"id":1,"cmd":"subscribe","stream":"levels","rate_hz":5}' \
    >"$T/slow.out" &
slow=$!
"$SOCKC" "$S" listen 3 '{"id":1,"cmd":"subscribe","stream":"levels","rate_hz":30}' \
    >"$T/fast.out" &
fast=$!
"$SOCKC" "$S" listen 4 '{"id":1,"cmd":"subscribe","stream":"events"}' \
    >"$T/events.out" &
events=$!
wait "$slow" "$fast"
printf '%s\n' '{"id":1,"cmd":"mark","label":"bridge"}' '{"id":2,"cmd":"rotate"}' |
    "$SOCKC" "$S" lines >/dev/null
wait "$events"
n5=$(grep -c '"event":"levels"' "$T/slow.out")
n30=$(grep -c '"event":"levels"' "$T/fast.out")
[ "$n5" -ge 3 ] && [ "$n30" -ge $((3 * n5)) ] ||
    fail "levels: $n5 at 5 Hz and $n30 at 30 Hz in 3 s"
expect "$(cat "$T/fast.out")" '"peak_dbfs":\[-?[0-9.]+,' "levels values"
expect "$(cat "$T/events.out")" '"event":"mark","label":"bridge"' "mark event"
expect "$(cat "$T/events.out")" '"event":"file_closed","path":"[^"]+\.wav","frames":[0-9]+' "file_closed event"
expect "$(cat "$T/events.out")" '"event":"file_opened","path":"[^"]+\.wav\.partial"' "file_opened event"

# A client that never reads: it loses levels (counted), nobody waits.
"$SOCKC" "$S" nap 8 >"$T/nap.out" &
nap=$!
out=$(echo '{"id":1,"cmd":"status"}' | "$SOCKC" "$S" lines)
expect "$out" '"state":"recording"' "status while a client naps"
wait "$nap"
expect "$(cat "$T/nap.out")" '"dropped":[1-9]|closed by recd' "the napping client"

# Hostile input; recd answers after each.
out=$("$SOCKC" "$S" big 10)
expect "$out" '"code":"line_too_long"' "10 MB line"
expect "$out" 'closed by recd' "10 MB line closes"
printf '{"id":1,"cmd":\nnot json at all\n\001\002\377\376\n{"id":2,"cmd":"status"}\n{"id":3,"cm' \
    >"$T/junk"
out=$("$SOCKC" "$S" raw "$T/junk")
[ "$(grep -c '"code":"bad_json"' <<<"$out")" = 3 ] ||
    fail "junk lines: $out"
expect "$out" '"id":2,"result":\{"state"' "status after junk"
head -c 100000 /dev/urandom | tr -d '\n' >"$T/binary"
"$SOCKC" "$S" raw "$T/binary" >/dev/null
out=$("$SOCKC" "$S" connects 1000)
[[ $out =~ ([0-9]+)\ greeted,\ ([0-9]+)\ refused,\ ([0-9]+)\ failed ]] ||
    fail "connects: $out"
[ "${BASH_REMATCH[1]}" -le 64 ] && [ "${BASH_REMATCH[1]}" -ge 1 ] &&
    [ "${BASH_REMATCH[2]}" -ge 900 ] || fail "1000 connects: $out"
for i in $(seq 20); do
	"$SOCKC" "$S" hangup >/dev/null
done
# recd sees those hang-ups in its own time (a sanitizer build is slow):
# until then a new client may be one too many.  It must recover.
end=$((SECONDS + 30))
while :; do
	out=$(echo '{"id":1,"cmd":"status"}' | "$SOCKC" "$S" lines)
	grep -q '"id":1,"result":{"state":"recording"' <<<"$out" && break
	[ "$SECONDS" -lt "$end" ] || fail "no status after the abuse: $out"
done

# stop finishes the take, start begins a new one.
out=$(echo '{"id":1,"cmd":"stop"}' | "$SOCKC" "$S" lines)
expect "$out" '"id":1,"result":\{"state":"idle"\}' stop
wait_log "$T/recd.log" 'take stopped' 1 10
out=$(printf '%s\n' '{"id":1,"cmd":"status"}' '{"id":2,"cmd":"rotate"}' |
    "$SOCKC" "$S" lines)
expect "$out" '"id":1,"result":\{"state":"idle","take":null,"files":\[\]' "status when idle"
expect "$out" '"id":2,"error":\{"code":"bad_state"' "rotate when idle"
no_partials "$T/rec"
take1=$(takes "$T/rec")
opened=$(grep -c ': opened' "$T/recd.log")
out=$(echo '{"id":1,"cmd":"start"}' | "$SOCKC" "$S" lines)
expect "$out" '"id":1,"result":\{"state":"recording"\}' start
wait_log "$T/recd.log" ': opened' $((opened + 1)) 10

# A second recd on a live socket is refused; after kill -9 the stale
# socket is replaced.
"$RECD" --directory "$T/rec2" --channels 1 --client-name recd2 \
    --socket "$S" >"$T/recd2.log" 2>&1
[ $? != 0 ] || fail "a second recd started on a live socket"
expect "$(cat "$T/recd2.log")" "recd already running on $S" "live socket"
# A subscriber gets the events of the files recd finishes as it stops
# before its connection closes.
"$SOCKC" "$S" listen 30 '{"id":9,"cmd":"subscribe","stream":"events"}' \
    >"$T/last.out" &
last=$!
PIDS="$PIDS $last"
wait_log "$T/last.out" '"id":9' 1 10
stop_recd
wait "$last"
lastfile=$(sed -n 's/.*recd: file \(.*\): closed, .*/\1/p' "$T/recd.log" |
    tail -n 1)
grep -qF "\"event\":\"file_closed\",\"path\":\"$lastfile\"" "$T/last.out" ||
    fail "the last file_closed ($lastfile) did not reach a subscriber: $(cat "$T/last.out")"
no_partials "$T/rec"
# Two takes, each verified on its own: a new take starts at the wall
# clock's time, not where the last one ended.  Between them they hold
# exactly the gaps recd logged.
# Where the dummy driver, late, skipped a cycle of the whole graph,
# siggen's codes do not jump where JACK's time (recd's gap) does, or
# recd got siggen's next buffer at an xrun: a period's jump allowed for
# each gap and xrun recd logged (as verify_take has it).
take2=$(comm -13 <(echo "$take1") <(takes "$T/rec"))
logged=$(grep -c 'recd: warning: gap: ' "$T/recd.log")
jump=(-j "1024:$((logged + $(xruns_counted "$T/recd.log")))")
out1=$("$VERIFY" -g "${jump[@]}" -c 16 $take1 2>&1) || fail "take 1: $out1"
out1=$(tail -n 1 <<<"$out1")
out=$("$VERIFY" -g "${jump[@]}" -c 16 $take2 2>&1) || fail "take 2: $out"
out=$(tail -n 1 <<<"$out")
found=$(( $(discontinuities "$out1") + $(discontinuities "$out") ))
[ "$found" = "$logged" ] ||
    fail "$found discontinuities in the takes, recd logged $logged"
out="$out1; $out"
grep -qa 'bridge' $(takes "$T/rec") || fail "no cue labelled bridge"
"$RECD" --directory "$T/rec3" --channels 1 --connect 'sg:out_01' \
    --socket "$S" >"$T/recd3.log" 2>&1 &
pid=$!
PIDS="$PIDS $pid"
wait_log "$T/recd3.log" 'recd: recording ' 1 30
kill -KILL "$pid"
wait "$pid" 2>/dev/null
[ -S "$S" ] || fail "kill -9 left no socket to test with"
start_recd recd4 --directory "$T/rec4" --channels 1 --connect 'sg:out_01' \
    --socket "$S"
expect "$(cat "$T/recd4.log")" "socket $S: replaced a stale socket" "stale socket"
stop_recd
echo "control: every command, 2 rates, events, a napping client, hostile input; $out"
