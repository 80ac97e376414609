#!/bin/bash
# Commands that recd runs come from its config file only: a socket client
# may steer recd but must not run code as recd.  set on_file_closed is
# refused (not_runtime) and nothing of it runs; the file's hook runs for
# every finished file, and SIGHUP takes a changed one from the file.
. "$(dirname "$0")/lib.sh"

SOCKC=${SOCKC:-build/tests/sockc}
sock="$T/s.sock"
conf=$T/recd.json

write_conf() {
	cat >"$conf" <<JSON
{ "directory": "$T/rec", "channels": 2, "connect": ["sg:out_.*"],
  "rotate_seconds": 1, "rotate_align": false, "socket": "$sock",
  "on_file_closed": "echo \\"\$1\\" >>$T/$1" }
JSON
}

start_jackd 48000 1024
start_siggen sg 2 -b 24
write_conf from-file
start_recd recd --config "$conf"
out=$("$SOCKC" "$sock" lines <<<"{\"id\":1,\"cmd\":\"set\",\"key\":\"on_file_closed\",\"value\":\"touch $T/pwned\"}")
[[ $out == *'"id":1,"error":{"code":"not_runtime","message":"on_file_closed: a command recd runs comes from the configuration file only'* ]] ||
    fail "set on_file_closed: $out"
grep -q 'set on_file_closed: refused' "$T/recd.log" || fail "the refusal is not logged"
out=$("$SOCKC" "$sock" lines <<<'{"id":2,"cmd":"get","key":"on_file_closed"}')
[[ $out == *"\"value\":\"echo \\\"\$1\\\" >>$T/from-file\""* ]] ||
    fail "the hook changed: $out"
out=$("$SOCKC" "$sock" lines <<<'{"id":3,"cmd":"options"}')
[[ $out =~ \"name\":\"on_file_closed\",\"type\":\"string\",\"default\":\"\",\"min\":0,\"max\":4095,\"runtime\":false,\"sighup\":true,\"help\" ]] ||
    fail "options: on_file_closed is not marked as the file's: $out"
wait_log "$T/recd.log" 'hook on_file_closed: .*: exit 0' 2 20

write_conf after-hup
kill -HUP "$RECD_PID"
wait_log "$T/recd.log" 'SIGHUP: on_file_closed: ' 1 10
n=$(grep -c 'hook on_file_closed: .*: exit 0' "$T/recd.log")
wait_log "$T/recd.log" 'hook on_file_closed: .*: exit 0' $((n + 2)) 20
stop_recd
[ ! -e "$T/pwned" ] || fail "recd ran a command set over the socket"
[ -s "$T/from-file" ] || fail "the file's hook did not run"
[ -s "$T/after-hup" ] || fail "SIGHUP did not take the file's new hook"
echo "set refused; $(wc -l <"$T/from-file") runs before SIGHUP," \
    "$(wc -l <"$T/after-hup") after"
