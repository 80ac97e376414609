#!/bin/bash
# recweb's page in a real browser (Debian's chromium, headless, driven by
# playwright-core: tests/web/page.mjs).  A viewer sees meters that follow
# siggen's swell, port names and the state, and no controls; a clip lights
# its channel's lamp and no other; the status shows JACK's rate and period,
# the file, gaps, drops, ring and disk as recd has them; an operator marks,
# stops (after the page asks), starts and rotates; a restart of recd and
# one of recweb are each said plainly and survived; nothing is fetched
# from anywhere but recweb; at 64 and 256 channels the meters fit a
# 1280x800 tablet.  With SHOTS=DIR the screenshots of README are written
# there.
# (The plain pass runs it: ASan sees recweb in test_web.)
. "$(dirname "$0")/lib.sh"
plain_only

RECWEB=${RECWEB:-$B/recweb}
NODE_DIR=tests/web
need_npm playwright-core
command -v "${CHROMIUM:-chromium}" >/dev/null || {
	echo "skipped: no chromium (make deps installs it)"; exit 77; }
page() {
	node "$NODE_DIR/page.mjs" "$@"
}
sock="$T/ctl/s.sock"
ro="$T/view/ro.sock"
port=$(free_port)
url="http://127.0.0.1:$port"
printf 'op:pw-0f-the-op\nwatch:look:viewer\n' >"$T/pw"
chmod 600 "$T/pw"

start_jackd 48000 1024
start_siggen tone 8 -t
rec() {
	start_recd recd --directory "$T/rec" --channels "$1" \
	    --connect "$2:out_.*" --socket "$sock" --socket-readonly "$ro" \
	    --rotate-seconds 3600
}
rec 8 tone
# start_web LOG: recweb, returning once it serves.
start_web() {
	"$RECWEB" --listen "127.0.0.1:$port" --socket "$sock" \
	    --socket-readonly "$ro" --www ctl/www --password-file "$T/pw" \
	    >"$T/$1.log" 2>&1 &
	WEB_PID=$!
	PIDS="$PIDS $WEB_PID"
	wait_log "$T/$1.log" 'recweb: serving ' 1 10
}
start_web recweb

out=$(page viewer "$url" watch:look 8 48000 1024) || fail "$out"
echo "$out"

# A clip: siggen's +1 dBFS sine joins channel 8.  (It is started only
# now: seen once, with JACK2's dummy driver in xruns, a client of its was
# heard on recd's channel 1 though it was connected nowhere.)
start_siggen hot 1 -s 1
hot_pid=${PIDS##* }
coproc CLIP { page clip "$url" watch:look 8 2>&1; }
clip_pid=$CLIP_PID
PIDS="$PIDS $clip_pid"
read -r -t 30 line <&"${CLIP[0]}" && [ "$line" = ready ] || fail "clip: $line"
jack_connect hot:out_01 recd:in_8 || fail "jack_connect"
echo go >&"${CLIP[1]}"
out=$(cat <&"${CLIP[0]}")
wait "$clip_pid" || fail "$out"
echo "$out"
jack_disconnect hot:out_01 recd:in_8
stop_pid "$hot_pid"

out=$(page operator "$url" op:pw-0f-the-op) || fail "$out"
echo "$out"
grep -q 'mark: .*asked by uid' "$T/recd.log" || fail "no mark logged with its uid"
grep -q 'stop: asked by uid' "$T/recd.log" || fail "no stop logged with its uid"

# recd restarts under the page, then recweb does.
page restart "$url" watch:look 8 >"$T/restart.log" 2>&1 &
restart_pid=$!
PIDS="$PIDS $restart_pid"
wait_log "$T/restart.log" '^ready: recd$' 1 30
stop_recd
wait_log "$T/restart.log" '^down: recd: ' 1 30
rec 8 tone
wait_log "$T/restart.log" '^ready: recweb$' 1 30
stop_pid "$WEB_PID"
wait_log "$T/restart.log" '^down: recweb: ' 1 30
start_web recweb-again
wait "$restart_pid" || fail "$(cat "$T/restart.log")"
grep '^restart: ' "$T/restart.log"

out=$(page shot "$url" watch:look 8 ${SHOTS:+"$SHOTS/recweb-8.png"}) || fail "$out"
echo "$out"
# 64 channels: recd again, the page (a new one) fits them.
stop_recd
start_siggen big 64 -t
rec 64 big
out=$(page shot "$url" op:pw-0f-the-op 64 ${SHOTS:+"$SHOTS/recweb-64.png"}) || fail "$out"
echo "$out"
# 256, the top of channels' range, from four siggens: still on one screen,
# every meter fed.
stop_recd
for g in b1 b2 b3; do
	start_siggen "$g" 64 -t
done
rec 256 '(big|b1|b2|b3)'
out=$(page shot "$url" watch:look 256) || fail "$out"
echo "$out"
stop_recd
