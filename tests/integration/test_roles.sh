#!/bin/bash
# Roles, after OpenBSD bgpd's restricted control socket: socket_readonly
# is a second socket, mode 0666, that answers status, get, options, ports
# and subscribe and refuses stop, set and the rest with read_only; status
# counts the clients of each socket.  Every command that changes something
# on the control socket (set, rotate, mark, stop, start) is logged with
# the peer's uid and pid (SO_PEERCRED).
. "$(dirname "$0")/lib.sh"
# The sockets' roles are the loop thread's alone: TSan has nothing to
# look at here (time budget).
not_under_tsan

SOCKC=${SOCKC:-build/tests/sockc}
sock="$T/ctl/s.sock"
ro="$T/view/ro.sock"

start_jackd 48000 1024
start_siggen sg 2 -b 24
start_recd recd --directory "$T/rec" --channels 2 --connect 'sg:out_.*' \
    --socket "$sock" --socket-readonly "$ro" \
    --on-file-closed 'curl -s -u user:s3cret https://example.org/up'

grep -q "socket $ro: listening, read-only" "$T/recd.log" ||
    fail "no read-only socket: $(grep socket "$T/recd.log")"
[ "$(stat -c %a "$ro")" = 666 ] || fail "$ro is mode $(stat -c %a "$ro")"
[ "$(stat -c %a "$T/view")" = 755 ] ||
    fail "$T/view is mode $(stat -c %a "$T/view")"
[ "$(stat -c %a "$sock")" = 660 ] || fail "$sock is mode $(stat -c %a "$sock")"

# Watching works there.
for req in '{"id":1,"cmd":"status"}' '{"id":2,"cmd":"get","key":"channels"}' \
    '{"id":3,"cmd":"options"}' '{"id":4,"cmd":"ports"}'; do
	out=$("$SOCKC" "$ro" lines <<<"$req")
	[[ $out == *'"result":'* ]] || fail "read-only: $req: $out"
done
"$SOCKC" "$ro" listen 30 '{"id":5,"cmd":"subscribe","stream":"events"}' \
    >"$T/ro-events" 2>&1 &
PIDS="$PIDS $!"
wait_log "$T/ro-events" '"id":5,"result"' 1 10
# status counts it there (and the recctl asking on the control socket).
wait_clients "$sock" 1 1
# A command recd runs may hold a secret: not shown to viewers.
out=$("$SOCKC" "$ro" lines <<<'{"id":11,"cmd":"get","key":"on_file_closed"}')
[[ $out == *'"value":null'* ]] || fail "read-only get on_file_closed: $out"
out=$("$SOCKC" "$ro" lines <<<'{"id":12,"cmd":"get"}')
[[ $out == *'"on_file_closed":null'* && $out != *s3cret* ]] ||
    fail "read-only get: $out"
out=$("$SOCKC" "$sock" lines <<<'{"id":13,"cmd":"get","key":"on_file_closed"}')
[[ $out == *s3cret* ]] || fail "control get on_file_closed: $out"
# Changing does not.
for req in '{"id":6,"cmd":"stop"}' '{"id":7,"cmd":"set","key":"rotate_seconds","value":60}' \
    '{"id":8,"cmd":"start"}' '{"id":9,"cmd":"rotate"}' '{"id":10,"cmd":"mark","label":"x"}'; do
	out=$("$SOCKC" "$ro" lines <<<"$req")
	[[ $out == *'"error":{"code":"read_only","message":'* ]] ||
	    fail "read-only: $req: $out"
done
grep -q 'asked by uid' "$T/recd.log" &&
    fail "a refused read-only request reached recd: $(grep 'asked by' "$T/recd.log")"
st=$("$SOCKC" "$sock" lines <<<'{"id":1,"cmd":"status"}')
[[ $st == *'"state":"recording"'* ]] || fail "the take stopped: $st"
out=$("$SOCKC" "$sock" lines <<<'{"id":1,"cmd":"get","key":"rotate_seconds"}')
[[ $out == *'"value":300'* ]] || fail "rotate_seconds changed: $out"

# The control socket steers, and the log names who asked: the uid and
# the pid of the very client that asked.
steer() {
	local what=$1 req=$2 want=$3 pid
	"$SOCKC" "$sock" lines <<<"$req" >"$T/steer.out" &
	pid=$!
	wait "$pid"
	grep -q "$want" "$T/steer.out" || fail "$what: $(cat "$T/steer.out")"
	wait_log "$T/recd.log" "$what: asked by uid $(id -u), pid $pid\$" 1 10
}
steer 'set rotate_seconds' '{"id":20,"cmd":"set","key":"rotate_seconds","value":600}' \
    '"id":20,"result"'
steer rotate '{"id":21,"cmd":"rotate"}' '"id":21,"result"'
steer mark '{"id":22,"cmd":"mark","label":"who"}' '"id":22,"result"'
steer stop '{"id":23,"cmd":"stop"}' '"result":{"state":"idle"}'
# The read-only socket's subscribers see the events.
wait_log "$T/ro-events" '"event":"take_stopped"' 1 10
steer start '{"id":24,"cmd":"start"}' '"result":{"state":"recording"}'
n=$(grep -c 'asked by uid' "$T/recd.log")
[ "$n" = 5 ] || fail "$n changes logged, not 5: $(grep 'asked by' "$T/recd.log")"
stop_recd
[ ! -e "$ro" ] || fail "the read-only socket is left behind"
