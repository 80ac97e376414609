#!/bin/bash
# Alarms that never change what is recorded.  Four channels: 1 and 2 carry
# siggen's codes, 3 a siggen that falls silent for 5 s after every 4 s, 4 a
# sine whose crests are exactly full scale.  Channel 3's silence raises a
# silence alarm after silence_seconds and clears it after
# silence_clear_seconds of signal (its rise timed by recd's own clocks
# against the silence in the files); channel 4 raises clip once, not a flood;
# channel 3 unplugged (jack_disconnect) raises no_source, plugged again
# clears it.  Each is a log line, an alarm event, a status field and an
# on_alarm run (RECD_* variables, the event as JSON on stdin); on_event
# runs for the events on_event_names names.  Channels 1 to 3 stay
# bit-exact and gapless throughout (3's silences are siggen's, exact, of
# the length its codes say), and the take is as long as it lasted.
. "$(dirname "$0")/lib.sh"
# The alarms' states are unit-tested under both sanitizers (test_alarm):
# the plain pass runs this (time budget).
plain_only

RECCTL=${RECCTL:-$B/recctl}
sock="$T/s.sock"

start_jackd 48000 1024
start_siggen sg 2 -b 24
start_siggen q 3 -b 24 -g 4:5
start_siggen cl 1 -b 24 -s 0
cat >"$T/recd.json" <<JSON
{ "directory": "$T/rec", "channels": 4, "mode": "split",
  "connect": ["sg:out_01", "sg:out_02", "q:out_03", "cl:out_01"],
  "rotate_seconds": 4, "rotate_align": false, "socket": "$sock",
  "silence_seconds": 2, "silence_clear_seconds": 1,
  "on_alarm": "cat >>$T/alarm.json; echo >>$T/alarm.json; env | grep '^RECD_' | sort | tr '\\\\n' ' ' >>$T/alarm.env; echo >>$T/alarm.env",
  "on_event": "echo \\"\$RECD_EVENT \$RECD_PATH\\" >>$T/event.log",
  "on_event_names": ["file_closed"] }
JSON
t0=$(date +%s.%N)
start_recd recd --config "$T/recd.json"
"$RECCTL" --socket "$sock" --json events >"$T/events" 2>&1 &
PIDS="$PIDS $!"

wait_log "$T/recd.log" 'alarm: silence on channel 3 \(recd:in_3\), since' 1 30
st=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st"
[[ $st == *'"alarms":['*'"kind":"silence","channels":[3],"since":'* ]] ||
    fail "status during the silence: $st"
wait_log "$T/recd.log" 'alarm: silence on channel 3 \(recd:in_3\): cleared after' 1 30
wait_log "$T/events" '"event":"alarm","kind":"silence","channels":\[3\],"since":"[-0-9T:]+","cleared":true' 1 10
grep -q '"event":"alarm","kind":"silence","channels":\[3\],"since":"[-0-9T:]*","cleared":false' "$T/events" ||
    fail "no alarm event when the silence rose"
grep -Eq 'alarm: silence on channel [124]' "$T/recd.log" &&
    fail "a channel with signal was called silent: $(grep 'alarm: silence' "$T/recd.log")"

# The clip alarm: once, with a count.
wait_log "$T/events" '"event":"alarm","kind":"clip","channels":\[4\]' 1 10

# recctl metrics: Prometheus' text format, as promtool checks it, and the
# numbers status gives.
field() {
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" <<<"$2"
}
st1=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st1"
"$RECCTL" --socket "$sock" metrics >"$T/metrics" || fail "recctl metrics"
st2=$("$RECCTL" --socket "$sock" --json status) || fail "status: $st2"
if command -v promtool >/dev/null; then
	out=$(promtool check metrics <"$T/metrics" 2>&1) ||
	    fail "promtool check metrics: $out"
	# README's example alert rules, as they stand there.
	awk '/^<!-- rules:end -->$/ { on = 0 } on && !/^```/ { print }
	    /^<!-- rules:begin -->$/ { on = 1 }' README.md >"$T/rules.yml"
	[ -s "$T/rules.yml" ] || fail "no alert rules in README.md"
	out=$(promtool check rules "$T/rules.yml" 2>&1) ||
	    fail "promtool check rules on README's rules: $out"
else
	echo "no promtool (make deps installs prometheus): format not checked"
fi
m=$(awk '$1 == "recd_frames_recorded_total" { print $2 }' "$T/metrics")
[ "$(field frames_written "$st1")" -le "$m" ] &&
    [ "$m" -le "$(field frames_written "$st2")" ] ||
    fail "metrics say $m frames; status $(field frames_written "$st1") then $(field frames_written "$st2")"
for k in gaps:recd_gaps_total xruns:recd_xruns_total \
    dropped_frames:recd_dropped_frames_total; do
	a=$(field "${k%%:*}" "$st1")
	[ "$a" != "$(field "${k%%:*}" "$st2")" ] && continue
	grep -qx "${k#*:} $a" "$T/metrics" ||
	    fail "status ${k%%:*} $a; metrics: $(grep "^${k#*:} " "$T/metrics")"
done
grep -qx 'recd_alarms{kind="clip"} 1' "$T/metrics" ||
    fail "metrics: $(grep '^recd_alarms' "$T/metrics")"
grep -qx 'recd_alarm{kind="clip",channel="4"} 1' "$T/metrics" ||
    fail "metrics: no clip alarm on channel 4"
grep -q '^recd_channel_peak_dbfs{channel="4",port="recd:in_4"} -\?0\(\.0*\)\?$' "$T/metrics" ||
    fail "metrics: channel 4's peak is not 0 dBFS: $(grep peak "$T/metrics")"
grep -qx 'recd_state{state="recording"} 1' "$T/metrics" ||
    fail "metrics: not recording"

# Channel 3's files finished before it is unplugged hold only siggen's.
ch3=$(takes "$T/rec" | grep '_ch03_')
jack_disconnect q:out_03 recd:in_3 || fail "jack_disconnect"
wait_log "$T/recd.log" 'alarm: no_source on channel 3' 1 15
jack_connect q:out_03 recd:in_3 || fail "jack_connect"
wait_log "$T/recd.log" 'alarm: no_source on channel 3 \(recd:in_3\): cleared' 1 10
n=$(grep -c ': closed, ' "$T/recd.log")
wait_log "$T/recd.log" ': closed, ' $((n + 1)) 20
stop_recd
t1=$(date +%s.%N)

clips=$(grep -c '"event":"alarm","kind":"clip"' "$T/events")
[ "$clips" = 1 ] || fail "$clips clip alarm events, not one: $(grep '"kind":"clip"' "$T/events")"
grep -q '"kind":"clip","channels":\[4\],"since":"[-0-9T:]*","count":[1-9]' "$T/events" ||
    fail "the clip alarm has no count"
# on_alarm: every change ran it, with the event on stdin and RECD_*.
changes=$(grep -c '"event":"alarm"' "$T/events")
[ "$(grep -c '"event":"alarm"' "$T/alarm.json")" = "$changes" ] ||
    fail "$changes alarm changes, on_alarm got $(grep -c . "$T/alarm.json") on stdin"
grep -q '^RECD_CHANNELS=3 RECD_CLEARED=0 RECD_EVENT=alarm RECD_HOOK=on_alarm RECD_KIND=silence RECD_SINCE=[-0-9T:]* $' "$T/alarm.env" ||
    fail "on_alarm's environment: $(cat "$T/alarm.env")"
# on_event ran for every finished file (the last ones' events go out
# after the socket closed), and for nothing else.
closed=$((4 * $(grep -c ': closed, ' "$T/recd.log")))	# a line a set of 4
[ "$(grep -c '^file_closed /' "$T/event.log")" = "$closed" ] &&
    [ "$(grep -vc '^file_closed /' "$T/event.log")" = 0 ] ||
    fail "on_event: $closed files closed; it ran: $(cat "$T/event.log")"

# Channels 1 to 3: bit-exact and gapless; the take as long as it lasted.
# (Under load the dummy driver has xruns: every discontinuity must be a
# gap recd logged, as verify_take has it.)
# Where the driver skipped a cycle of the whole graph, siggen's codes do
# not jump where JACK's time (recd's gap) does: verify allows that for
# each gap recd logged, in each channel's files (verify counts the jumps
# of all its files together: two channels here).  Where JACK reported an
# xrun, a late dummy driver may hand recd siggen's next buffer (a period
# of codes skipped, which recd cannot see): as verify_take, allow a
# period's jump for each xrun recd counted too.
logged=$(grep -c 'recd: warning: gap: ' "$T/recd.log")
jumps=$((logged + $(xruns_counted "$T/recd.log")))
out=$("$VERIFY" -g -j "1024:$((2 * jumps))" -c 2 $(takes "$T/rec" |
    grep -E '_ch0[12]_') 2>&1) || fail "channels 1 and 2: $out"
out=$(tail -n 1 <<<"$out")
echo "channels 1 and 2: $out"
# verify counts a take's gap once, however many channel files it has.
[ "$(discontinuities "$out")" -le "$logged" ] ||
    fail "channels 1 and 2: $out; recd logged $logged gaps"
# Channel 3: its files from before it was unplugged.
[ -n "$ch3" ] || fail "no file of channel 3 before it was unplugged"
out3=$("$VERIFY" -g -j "1024:$jumps" -c 1 $ch3 2>&1) ||
    fail "channel 3: $out3"
[[ $out3 =~ ,\ ([0-9]+)\ gaps,\ [1-9][0-9]*\ silence\ runs ]] &&
    [ "${BASH_REMATCH[1]}" -le "$logged" ] ||
    fail "channel 3: siggen's silences are not there, or gaps recd did not log: $out3"
echo "channel 3: $out3"

# The silence alarm rose silence_seconds after the silence began, and not
# before, by recd's own clocks rather than the test's.  Each rise's log
# line gives the time from the writer's last signal to the tick that
# raised it: at least silence_seconds, at most 2 s more (the alarms look
# every 250 ms; a loaded loop is late).  Each rise's since (local time,
# whole seconds, so within a second of the true one) must be where
# channel 3's files, placed by their TimeReference, hold the start of a
# silence at least silence_seconds long: siggen's, or the unplugged
# port's (pieces that files or a logged gap split are one silence).
ss=2
rises=$(sed -n 's/.*"event":"alarm","kind":"silence","channels":\[3\],"since":"[-0-9]*T\([0-9:]*\)","cleared":false.*/\1/p' "$T/events")
ago=$(sed -n 's/.*alarm: silence on channel 3 (recd:in_3), since \([0-9.]*\) s ago$/\1/p' "$T/recd.log")
[ -n "$rises" ] && [ "$(wc -l <<<"$rises")" = "$(wc -l <<<"$ago")" ] ||
    fail "silence rises: events say ${rises//$'\n'/ }; the log ${ago//$'\n'/ }"
runs=$("$VERIFY" -v -g -j "1024:$jumps" -c 1 $(takes "$T/rec" |
    grep '_ch03_') 2>&1) || fail "channel 3, the whole take: $runs"
timing=$(paste -d' ' <(echo "$rises") <(echo "$ago") | awk -v ss=$ss \
    -v rate=48000 -v runs="$runs" '
BEGIN {
	n = split(runs, l, "\n")
	for (i = 1; i <= n; i++) {
		k = split(l[i], f, " ")
		if (f[1] == "verify:" && f[3] == "silence") {
			path[++nr] = substr(f[2], 1, length(f[2]) - 1)
			at[nr] = f[10]; len[nr] = f[6]
		} else if (k == 4 && f[1] != "verify:")
			tr[f[1]] = f[2]
	}
	for (i = 1; i <= nr; i++) {
		st = tr[path[i]] + at[i]
		if (ns > 0 && st >= se[ns] && st - se[ns] <= rate / 2)
			se[ns] = st + len[i]
		else {
			ss0[++ns] = st; se[ns] = st + len[i]
		}
	}
}
{
	split($1, h, ":"); since = h[1] * 3600 + h[2] * 60 + h[3]
	if ($2 < ss || $2 > ss + 2) {
		printf "a rise %s s after the last signal (since %s)\n", $2, $1
		bad = 1
	}
	best = -1
	for (i = 1; i <= ns; i++) {
		d = since - ss0[i] / rate
		d = (d + 86400 + 43200) % 86400 - 43200
		if (d < 0) d = -d
		if (best < 0 || d < best) { best = d; b = i }
	}
	if (best < 0 || best >= 1.5 || (se[b] - ss0[b]) / rate < ss) {
		printf "since %s: no silence of %s s begins there in the files", $1, ss
		if (best >= 0)
			printf " (nearest %.3f s of silence %.3f s off)", (se[b] - ss0[b]) / rate, best
		printf "\n"
		bad = 1
	} else
		printf "since %s: rose %s s later; the files: %.3f s of silence from %.3f s off it\n", $1, $2, (se[b] - ss0[b]) / rate, best
}
END { exit bad }') || fail "the silence alarm's timing: $timing; silence runs: $runs"
echo "$timing"

frames=$(sed -n 's/.*, \([0-9]*\) frames each.*/\1/p' <<<"$out")
awk -v f="$frames" -v a="$t0" -v b="$t1" 'BEGIN {
	d = f / 48000 - (b - a); exit !(d < 0.5 && d > -3) }' ||
    fail "$frames frames recorded in $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }') s"
