#!/bin/bash
# recweb, the page's bridge, with a real client (node and the ws package,
# tests/web/bridge.mjs): viewers reach recd's read-only socket (recd and
# recweb both find it beside the control socket), as recd's status shows,
# and are refused what changes; without a read-only socket recweb serves
# operators only; an operator signed in by HTTP basic or a bearer token
# steers; bad credentials, another site's page, oversized and binary
# messages, a flood of connections, a flood of scrapes and a browser that
# never reads are all refused or cut off without harm to recd; a slow
# browser loses meter frames, nothing else; a lost recd is told.
# /metrics passes promtool.  Without credentials recweb serves this
# machine only.
. "$(dirname "$0")/lib.sh"
# recweb has one thread: TSan has nothing to see in it (time budget).
not_under_tsan

RECWEB=${RECWEB:-$B/recweb}
NODE_DIR=tests/web
need_npm ws
bridge() {
	node "$NODE_DIR/bridge.mjs" "$@"
}
sock="$T/ctl/s.sock"
ro="$T/ctl/s-readonly.sock"		# the default, beside $sock
port=$(free_port)
url="http://127.0.0.1:$port"

# start_recweb ARGS...: returns once it serves.
start_recweb() {
	"$RECWEB" --listen "127.0.0.1:$port" --socket "$sock" \
	    --www "${WWW:-ctl/www}" "$@" >"$T/recweb.log" 2>&1 &
	WEB_PID=$!
	PIDS="$PIDS $WEB_PID"
	wait_log "$T/recweb.log" 'recweb: serving ' 1 10
}

# Bad use: each says what is wrong, and serves nothing.
out=$("$RECWEB" --listen 0.0.0.0:$port --www ctl/www 2>&1)
[ $? = 2 ] && [[ $out == *'beyond this machine needs --password-file'* ]] ||
    fail "0.0.0.0 without credentials: $out"
out=$("$RECWEB" --listen 127.0.0.1:99999 2>&1)
[ $? = 2 ] && [[ $out == *'[ADDR:]PORT'* ]] || fail "port 99999: $out"
printf 'nopassword\n' >"$T/bad.pw"
out=$("$RECWEB" --password-file "$T/bad.pw" --www ctl/www 2>&1)
[ $? = 2 ] && [[ $out == *"$T/bad.pw:1: not USER:PASSWORD"* ]] ||
    fail "a bad password file: $out"
out=$("$RECWEB" --www "$T/nowhere" 2>&1)
[ $? = 2 ] && [[ $out == *"$T/nowhere/index.html"* ]] || fail "no page: $out"
out=$("$RECWEB" --socket-readonly none --www ctl/www 2>&1)
[ $? = 2 ] && [[ $out == *'everyone is a viewer, and viewers are served only over recd'* ]] ||
    fail "no read-only socket and no credentials: $out"

start_jackd 48000 1024
start_siggen sg 2 -b 24
# 256 channels: levels big enough (1.6 KB at 50 Hz) that a slow browser's
# pass their share of its queue within a second.
start_recd recd --directory "$T/rec" --channels 256 --connect 'sg:out_.*' \
    --socket "$sock"
grep -q "socket $ro: listening, read-only" "$T/recd.log" ||
    fail "recd has no read-only socket beside $sock: $(grep socket "$T/recd.log")"

# Without credentials: everyone a viewer, on the read-only socket.
start_recweb
grep -q "viewers and /metrics: recd's read-only socket $ro\$" "$T/recweb.log" ||
    fail "recweb does not say where viewers go: $(cat "$T/recweb.log")"
out=$(bridge viewer "$url") || fail "$out"
echo "$out"
# recd itself has the viewer on its read-only socket, not the control one.
coproc HOLD { exec node "$NODE_DIR/bridge.mjs" hold "$url"; }
PIDS="$PIDS $HOLD_PID"
read -r -t 10 line <&"${HOLD[0]}" && [ "$line" = 'holding: viewer' ] ||
    fail "hold: $line"
wait_clients "$sock" 1 1
exec {HOLD[1]}>&-
wait "$HOLD_PID" || fail "hold failed"
wait_clients "$sock" 1 0
echo "a viewer: on recd's read-only socket (status: clients control 1, readonly 1)"
body=$(curl -sf "$url/") || fail "GET / failed"
[[ $body == *'<canvas'* ]] || fail "GET / is not the page: ${body:0:200}"
for f in app.js style.css; do
	curl -sf -o /dev/null "$url/$f" || fail "GET /$f failed"
done
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/../etc/passwd")
[ "$code" = 404 ] || [ "$code" = 400 ] || fail "GET /../etc/passwd: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/nothing")
[ "$code" = 404 ] || fail "GET /nothing: $code"
out=$(bridge origin "$url") || fail "$out"
echo "$out"
curl -sf "$url/metrics" >"$T/metrics" || fail "GET /metrics failed"
promtool check metrics <"$T/metrics" >"$T/promtool.log" 2>&1 ||
    fail "promtool: $(cat "$T/promtool.log")"
grep -q '^recd_up 1$' "$T/metrics" || fail "metrics: $(head -n 20 "$T/metrics")"
grep -q "^recd_channel_peak_dbfs{channel=\"1\"" "$T/metrics" ||
    grep -q 'channel="1"' "$T/metrics" || fail "no channel in the metrics"
echo "metrics: $(grep -c '^recd_' "$T/metrics") samples, promtool content"
fds0=$(ls /proc/$WEB_PID/fd | wc -l)
out=$(bridge oversized "$url") || fail "$out"
echo "$out"
out=$(bridge flood "$url") || fail "$out"
echo "$out"
out=$(bridge noread "$url") || fail "$out"
echo "$out"
grep -q 'left [0-9]* bytes unread: closed (too_slow)' "$T/recweb.log" ||
    fail "recweb did not say it closed the slow browser"
! grep -q too_slow "$T/recd.log" || fail "recd had to cut recweb off: $(grep too_slow "$T/recd.log")"
# What 400 connections opened is closed again (recd's sockets too).
fds1=$(ls /proc/$WEB_PID/fd | wc -l)
[ "$fds1" -le $((fds0 + 2)) ] || fail "recweb had $fds0 descriptors open, now $fds1"
echo "descriptors: $fds0 before the hostile clients, $fds1 after"
stop_pid "$WEB_PID"

# Scrapes count against a limit: a silent stand-in for recd holds them.
start_recweb --socket-readonly "$T/silent.sock"
out=$(bridge scrapes "$url" "$T/silent.sock") || fail "$out"
echo "$out"
grep -q 'a scrape of /metrics refused: 8 at once' "$T/recweb.log" ||
    fail "recweb did not say it refused a scrape"
stop_pid "$WEB_PID"

# With credentials: an operator by password and by token, a viewer.
printf '# who may use recweb\nop:s3cret:pw\nwatch:look:viewer\n' >"$T/pw"
printf 'tok-0123456789abcdef\n' >"$T/tokens"
chmod 600 "$T/pw" "$T/tokens"
# Without a read-only socket: operators only, and recweb says so.
start_recweb --password-file "$T/pw" --socket-readonly none
grep -q 'no read-only socket (--socket-readonly none): only operators are served' \
    "$T/recweb.log" || fail "recweb did not say it serves operators only"
out=$(bridge noviewers "$url" watch:look op:s3cret:pw) || fail "$out"
echo "$out"
stop_pid "$WEB_PID"

start_recweb --password-file "$T/pw" --token-file "$T/tokens"
out=$(bridge badauth "$url" op:wrong) || fail "$out"
echo "$out"
out=$(bridge viewer "$url" watch:look) || fail "$out"
echo "$out"
out=$(bridge operator "$url" op:s3cret:pw) || fail "$out"
echo "$out"
wait_log "$T/recd.log" 'mark: .*asked by uid [0-9]+, pid [0-9]+' 1 10
out=$(bridge slow "$url" op:s3cret:pw) || fail "$out"
echo "$out"
! grep -q too_slow "$T/recweb.log" "$T/recd.log" ||
    fail "the slow browser was cut off: $(grep too_slow "$T/recweb.log" "$T/recd.log")"
out=$(bridge operator "$url" - tok-0123456789abcdef) || fail "$out"
echo "$out"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer tok-0123456789abcdef' "$url/metrics")
[ "$code" = 200 ] || fail "/metrics with the token: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/metrics")
[ "$code" = 401 ] || fail "/metrics without credentials: $code"

# recd goes away: the browser is told; without recd, told at once, and
# /metrics says recd is down.
bridge lost "$url" watch:look >"$T/lost.log" 2>&1 &
lost_pid=$!
wait_log "$T/lost.log" '^ready$' 1 10
stop_recd
wait "$lost_pid" || fail "$(cat "$T/lost.log")"
grep '^lost: ' "$T/lost.log"
out=$(bridge norecd "$url" watch:look) || fail "$out"
echo "$out"
curl -sf -u watch:look "$url/metrics" >"$T/metrics" || fail "/metrics without recd"
grep -q '^recd_up 0$' "$T/metrics" || fail "metrics without recd: $(cat "$T/metrics")"
promtool check metrics <"$T/metrics" >/dev/null 2>&1 || fail "promtool, recd down"
kill -0 "$WEB_PID" || fail "recweb died"
