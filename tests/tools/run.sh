#!/bin/bash
# make run: records with the default configuration into ./recordings.
# Without a running JACK server it starts a private one (dummy backend, no
# real time) and the test signal generator, and connects recd to it; with
# one, it records that server's capture ports.  Ctrl-C stops recd (every
# file finished), then what this script started, by PID, and lists the
# files.
# usage: run.sh BUILD_DIR
B=${1:-build}
RECD=$B/recd
started=""
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
echo "run: recd records into ./recordings; Ctrl-C stops it"
"$RECD" "${args[@]}" &
RECD_PID=$!
wait "$RECD_PID"
RECD_PID=
stop
