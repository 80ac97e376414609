#!/bin/bash
# Socket activation, for real: systemd-socket-activate (what recd.socket
# does, without a systemd to run) listens on the control socket and starts
# recd on the first connection, handing it the listening socket
# (LISTEN_FDS).  recctl's first command starts recd and gets its answer
# through the inherited socket; recd neither replaces, chmods nor removes
# that socket, so after recd stops it is still there, the same file, for
# the next start.
. "$(dirname "$0")/lib.sh"

command -v systemd-socket-activate >/dev/null ||
    { echo "no systemd-socket-activate (package systemd)"; exit 77; }
"$RECD" --version | grep -q 'service manager: systemd' ||
    { echo "recd built without libsystemd: no socket activation"; exit 77; }

start_jackd 48000 1024
start_siggen sg 2 -b 24

sock=$T/run/recd.sock
mkdir -p "$T/run"
# systemd-socket-activate passes only the environment named with -E.
systemd-socket-activate -l "$sock" -E JACK_DEFAULT_SERVER \
    -E JACK_NO_AUDIO_RESERVATION -E JACK_NO_START_SERVER \
    "$RECD" --directory "$T/rec" --connect 'sg:out_.*' --socket "$sock" \
    >"$T/recd.log" 2>&1 &
RECD_PID=$!
PIDS="$PIDS $RECD_PID"
wait_log "$T/recd.log" 'Listening on .* as 3' 1 10
chmod 0604 "$sock"	# a mode recd would never give it
before=$(stat -c '%i %a' "$sock")
grep -q 'recd: ' "$T/recd.log" && fail "recd started before a connection"

# The first connection starts recd (the same pid: the tool execs it).
out=$("$B/recctl" --socket "$sock" --json status 2>&1) ||
    fail "recctl status through the inherited socket: $out"
[[ $out =~ \"state\":\"(recording|idle)\" ]] || fail "status: $out"
grep -q "recd: socket $sock: listening (from systemd)" "$T/recd.log" ||
    fail "recd did not take the inherited socket"
grep -q 'replaced a stale socket' "$T/recd.log" &&
    fail "recd replaced the socket it was handed"
wait_log "$T/recd.log" ': opened' 1 20
out=$("$B/recctl" --socket "$sock" mark activated 2>&1) || fail "mark: $out"

stop_recd
after=$(stat -c '%i %a' "$sock" 2>/dev/null) ||
    fail "recd removed the socket systemd handed it"
[ "$before" = "$after" ] ||
    fail "the socket changed: inode and mode $before, now $after"
no_partials "$T/rec"
[ -n "$(takes "$T/rec")" ] || fail "nothing recorded"
verify_take "$T/rec" "$T/recd.log" -c 2 >/dev/null
echo "recctl started recd through the socket, which outlived it ($after)"
