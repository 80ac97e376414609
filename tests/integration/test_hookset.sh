#!/bin/bash
# Commands that recd runs come from its config file only: a socket client
# may steer recd but must not run code as recd.  set on_file_closed,
# on_alarm and on_event are refused (not_runtime) and nothing of them
# runs; so is on_event_names, which would widen what runs the file's
# on_event.  The file's hook runs for every finished file, and SIGHUP
# takes a changed one from the file.
. "$(dirname "$0")/lib.sh"
# Hooks run from the loop thread alone: TSan has nothing to look at here
# that test_hooks does not show (time budget).
not_under_tsan

SOCKC=${SOCKC:-build/tests/sockc}
sock="$T/s.sock"
conf=$T/recd.json

write_conf() {
	cat >"$conf" <<JSON
{ "directory": "$T/rec", "channels": 2, "connect": ["sg:out_.*"],
  "rotate_seconds": 1, "rotate_align": false, "socket": "$sock",
  "on_file_closed": "echo \\"\$1\\" >>$T/$1",
  "on_event": "echo \\"\$1\\" >>$T/events.$1", "on_event_names": [$2] }
JSON
}

start_jackd 48000 1024
start_siggen sg 2 -b 24
write_conf from-file '"mark"'
start_recd recd --config "$conf"
out=$("$SOCKC" "$sock" lines <<<"{\"id\":1,\"cmd\":\"set\",\"key\":\"on_file_closed\",\"value\":\"touch $T/pwned\"}")
[[ $out == *'"id":1,"error":{"code":"not_runtime","message":"on_file_closed: the commands recd runs, and the events that run them, come from the configuration file only'* ]] ||
    fail "set on_file_closed: $out"
grep -q 'set on_file_closed: refused' "$T/recd.log" || fail "the refusal is not logged"
# The other hooks, and the list of events that runs on_event: a client
# that could set it to every event would run the file's command at will.
id=10
for kv in "on_alarm:\"touch $T/pwned\"" "on_event:\"touch $T/pwned\"" \
    'on_event_names:["file_closed","file_opened"]'; do
	k=${kv%%:*}
	out=$("$SOCKC" "$sock" lines <<<"{\"id\":$id,\"cmd\":\"set\",\"key\":\"$k\",\"value\":${kv#*:}}")
	[[ $out == *"\"id\":$id,\"error\":{\"code\":\"not_runtime\",\"message\":\"$k: the commands recd runs, and the events that run them, come from the configuration file only"* ]] ||
	    fail "set $k: $out"
	grep -q "set $k: refused" "$T/recd.log" || fail "set $k: the refusal is not logged"
	[[ $("$SOCKC" "$sock" lines <<<"{\"id\":1,\"cmd\":\"options\"}") =~ \"name\":\"$k\",[^}]*\"runtime\":false,\"sighup\":true,\"help\" ]] ||
	    fail "options: $k is not marked as the file's"
	id=$((id + 1))
done
out=$("$SOCKC" "$sock" lines <<<'{"id":3,"cmd":"get","key":"on_event_names"}')
[[ $out == *'"value":["mark"]'* ]] || fail "on_event_names changed: $out"
out=$("$SOCKC" "$sock" lines <<<'{"id":2,"cmd":"get","key":"on_file_closed"}')
[[ $out == *"\"value\":\"echo \\\"\$1\\\" >>$T/from-file\""* ]] ||
    fail "the hook changed: $out"
out=$("$SOCKC" "$sock" lines <<<'{"id":3,"cmd":"options"}')
[[ $out =~ \"name\":\"on_file_closed\",\"type\":\"string\",\"default\":\"\",\"min\":0,\"max\":4095,\"runtime\":false,\"sighup\":true,\"help\" ]] ||
    fail "options: on_file_closed is not marked as the file's: $out"
wait_log "$T/recd.log" 'hook on_file_closed: .*: exit 0' 2 20

write_conf after-hup '"file_closed"'
kill -HUP "$RECD_PID"
wait_log "$T/recd.log" 'SIGHUP: on_file_closed: ' 1 10
grep -q 'SIGHUP: on_event_names: ' "$T/recd.log" ||
    fail "SIGHUP did not read on_event_names from the file"
n=$(grep -c 'hook on_file_closed: .*: exit 0' "$T/recd.log")
wait_log "$T/recd.log" 'hook on_file_closed: .*: exit 0' $((n + 2)) 20
stop_recd
[ ! -e "$T/pwned" ] || fail "recd ran a command set over the socket"
[ -s "$T/from-file" ] || fail "the file's hook did not run"
[ -s "$T/after-hup" ] || fail "SIGHUP did not take the file's new hook"
# No mark was set: the file's on_event ran for nothing before SIGHUP, and
# after it for the file_closed events the file's new list names.
[ ! -e "$T/events.from-file" ] ||
    fail "on_event ran for events the file did not name: $(cat "$T/events.from-file")"
[ -s "$T/events.after-hup" ] && [ "$(grep -vc '^file_closed$' "$T/events.after-hup")" = 0 ] ||
    fail "on_event after SIGHUP: $(cat "$T/events.after-hup" 2>&1)"
echo "set refused; $(wc -l <"$T/from-file") runs before SIGHUP," \
    "$(wc -l <"$T/after-hup") after"
