#!/bin/bash
# make run: records with the default configuration into ./recordings.
# Without a running JACK server it starts a private one (dummy backend, no
# real time) and the test signal generator, and connects recd to it; with
# one, it records that server's capture ports.  It shows live meters
# (recctl meter) while recd records, with recd's log in a file it names,
# and serves the web page (recweb) on 127.0.0.1:8687.  Ctrl-C stops recd
# (every file finished), then what this script started, by PID, and lists
# the files.
# usage: run.sh BUILD_DIR
B=${1:-build}
RECD=$B/recd
started=""
run=$(mktemp -d /tmp/recd-run.XXXXXX)
sock=$run/recd.sock
log=$run/recd.log
export JACK_NO_AUDIO_RESERVATION=1

stop() {
	local pid
	[ -n "${RECD_PID:-}" ] && kill -INT "$RECD_PID" 2>/dev/null &&
	    wait "$RECD_PID"
	for pid in $started; do
		kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	echo
	echo "Recordings in $(pwd)/recordings:"
	find recordings -name '*.wav' -newer "$stamp" 2>/dev/null | sort |
	while read -r f; do
		printf '  %s  %s s\n' "$f" "$(soxi -D "$f" 2>/dev/null)"
	done
	echo "recd's log: $log"
	[ -e "$run/recweb.log" ] && echo "recweb's log: $run/recweb.log"
	rm -f "$stamp"
	exit 0
}

stamp=$(mktemp)
args=(--config etc/recd.json)
if JACK_NO_START_SERVER=1 jack_lsp >/dev/null 2>&1; then
	echo "run: using the running JACK server${JACK_DEFAULT_SERVER:+ $JACK_DEFAULT_SERVER}"
else
	export JACK_DEFAULT_SERVER=recd-run-$$
	export JACK_NO_START_SERVER=1
	echo "run: no JACK server running: starting a private one ($JACK_DEFAULT_SERVER)"
	jackd -n "$JACK_DEFAULT_SERVER" --no-realtime -d dummy -r 48000 \
	    -p 1024 >/tmp/recd-run-jackd.log 2>&1 &
	started="$! $started"
	if ! timeout 20 jack_wait -w >/dev/null 2>&1; then
		echo "run: jackd did not start; see /tmp/recd-run-jackd.log"
		stop
	fi
	"$B/tests/siggen" -n testsignal -c 2 -t >/dev/null 2>&1 &
	started="$! $started"
	args+=(--connect 'testsignal:out_.*')
fi
trap stop INT TERM
# The read-only socket for the page is recd's default one, beside $sock.
"$RECD" "${args[@]}" --socket "$sock" >"$log" 2>&1 &
RECD_PID=$!
# Until recd answers (or gives up: its log says why).
for ((i = 0; i < 100; i++)); do
	"$B/recctl" --socket "$sock" status >/dev/null 2>&1 && break
	kill -0 "$RECD_PID" 2>/dev/null || break
	timeout 0.1 tail -f /dev/null
done
if ! kill -0 "$RECD_PID" 2>/dev/null; then
	echo "run: recd stopped; its log ($log):"
	tail -n 20 "$log"
	RECD_PID=
	stop
fi
echo "run: recd records into ./recordings; its log: $log"
if [ -x "$B/recweb" ]; then
	"$B/recweb" --socket "$sock" --www ctl/www >"$run/recweb.log" 2>&1 &
	web=$!
	started="$web $started"
	# The address only once recweb serves it (or why it does not).
	for ((i = 0; i < 50; i++)); do
		grep -q '^recweb: serving ' "$run/recweb.log" && break
		kill -0 "$web" 2>/dev/null || break
		timeout 0.1 tail -f /dev/null
	done
	if grep -q '^recweb: serving ' "$run/recweb.log"; then
		echo "run: the web page: http://127.0.0.1:8687/ (log: $run/recweb.log)"
	else
		echo "run: recweb did not start, so no web page; its log ($run/recweb.log):"
		tail -n 5 "$run/recweb.log"
	fi
fi
echo "run: Ctrl-C stops it"
# Live meters until Ctrl-C (or until recd goes).
"$B/recctl" --socket "$sock" meter
stop
