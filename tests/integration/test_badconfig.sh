#!/bin/bash
# A bad configuration stops recd before anything is recorded, with a
# message that names the file (and line), the key and the reason, and a
# non-zero exit: a syntax error, an unknown key, a wrong type, a value out
# of range, options that disagree, an unwritable directory, a socket path
# in use.  recd -n says the same for what it checks.  Over the socket, a
# bad set is refused with the key and the reason, changes nothing, and
# the take goes on untouched.
. "$(dirname "$0")/lib.sh"
not_under_tsan
SOCKC=build/tests/sockc

# refused NAME REGEX JSON [ARGS...]: recd --config FILE (with JSON) must
# exit non-zero, record nothing and print one error matching REGEX.
refused() {
	local name=$1 re=$2 json=$3 f out rc
	shift 3
	f=$T/$name.json
	printf '%b' "$json" >"$f"
	# Never the default directory (./recordings) or socket, should a
	# case get through; and a recd that runs is stopped by the timeout.
	grep -q '"directory"' "$f" || set -- --directory "$T/rec-$name" "$@"
	grep -q '"socket"' "$f" || set -- --socket "$T/$name.sock" "$@"
	out=$(timeout 20 "$RECD" --config "$f" "$@" 2>&1)
	rc=$?
	[ $rc != 0 ] || fail "$name: recd exited 0: $out"
	grep -Eq -- "recd: error: $re" <<<"$out" ||
	    fail "$name: no /$re/ in: $out"
	[ ! -e "$T/rec-$name" ] || [ -z "$(find "$T/rec-$name" -name '*.wav*')" ] ||
	    fail "$name: something was recorded"
	echo "$name: exit $rc: $(grep 'recd: error: ' <<<"$out" | head -n 1 |
	    sed 's/.*recd: error: //')"
}

# refused_n NAME REGEX: recd -n on the same file says the same.
refused_n() {
	local out
	out=$("$RECD" --config "$T/$1.json" -n 2>&1) && fail "$1: recd -n exited 0"
	grep -Eq -- "recd: error: $2" <<<"$out" || fail "$1: -n: $out"
}

q='"'
refused syntax "config $T/syntax.json:4: not valid JSON near $q\\}$q" \
    '{\n  "channels": 2,\n  "rotate_seconds": 10,\n}\n'
refused_n syntax "config $T/syntax.json:4: not valid JSON"
refused unterminated "config $T/unterminated.json:3: not valid JSON near $q${q}rotate_seconds$q: 10$q \\(where the file ends\\)" \
    '{\n  "channels": 2,\n  "rotate_seconds": 10\n'
refused comment "config $T/comment.json:2: comment not closed" \
    '{\n  /* channels\n  "channels": 2\n}\n'
refused unknown "config $T/unknown.json:3: gain_db: unknown option" \
    '{\n  "channels": 2,\n  "gain_db": 3\n}\n'
refused_n unknown "config $T/unknown.json:3: gain_db: unknown option"
refused twice "config $T/twice.json:3: channels: given twice" \
    '{\n  "channels": 2,\n  "channels": 4\n}\n'
refused type "config $T/type.json:2: channels: a string given, but the option takes an integer" \
    '{\n  "channels": "two"\n}\n'
refused type_bool "config $T/type_bool.json:2: autostart: a number given, but the option takes true or false" \
    '{\n  "autostart": 1\n}\n'
refused range "config $T/range.json:2: rotate_seconds: 100000: out of range \\(0\\.\\.86400\\)" \
    '{\n  "rotate_seconds": 100000\n}\n'
refused_n range "config $T/range.json:2: rotate_seconds: 100000: out of range"
refused range_real "config $T/range_real.json:2: header_seconds: 0\\.01: out of range \\(0\\.1\\.\\.60\\)" \
    '{\n  "header_seconds": 0.01\n}\n'
refused choice "config $T/choice.json:2: format: ${q}pcm8$q: unknown value \\(one of pcm16, pcm24, pcm32, float32, flac16, flac24, opus, mp3\\)" \
    '{\n  "format": "pcm8"\n}\n'
refused disagree "config $T/disagree.json: port_names: 3 names for 2 channels" \
    '{\n  "channels": 2,\n  "port_names": ["a", "b", "c"]\n}\n'
refused regex "config $T/regex.json: connect: " \
    '{\n  "connect": ["sg:out_(("]\n}\n'
refused missing "config $T/nothing.json: open: No such file or directory" \
    '{}' --config "$T/nothing.json"
refused cmdline "command line: rotate_seconds: ${q}9x$q: not an integer" \
    '{}' --rotate-seconds 9x

# Unwritable directories: below a regular file (for anyone), and one that
# cannot be written (read-only for a user; immutable for root, when the
# file system and our capabilities allow it).
: >"$T/afile"
refused dir_notdir "config $T/dir_notdir.json: directory: $q$T/afile/rec$q: mkdir $T/afile: Not a directory|config $T/dir_notdir.json: directory: $q$T/afile/rec$q: mkdir $T/afile/rec: Not a directory" \
    "{\n  \"directory\": \"$T/afile/rec\"\n}\n"
mkdir "$T/ro"
locked=
if [ "$(id -u)" != 0 ]; then
	chmod 0555 "$T/ro" && locked=chmod
elif chattr +i "$T/ro" 2>/dev/null; then
	locked=chattr
	# An immutable directory would outlive the test's cleanup.
	trap 'chattr -i "$T/ro" 2>/dev/null; cleanup' EXIT
fi
if [ -n "$locked" ]; then
	f=$T/dir_ro.json
	printf '{\n  "directory": "%s"\n}\n' "$T/ro" >"$f"
	out=$("$RECD" --config "$f" --socket "$T/ro.sock" 2>&1)
	rc=$?
	[ "$locked" = chattr ] && chattr -i "$T/ro"
	[ $rc != 0 ] || fail "dir_ro: recd exited 0"
	grep -Eq "recd: error: config $f: directory: $q$T/ro$q: not writable: " \
	    <<<"$out" || fail "dir_ro: $out"
	echo "dir_ro: exit $rc: $(sed -n 's/.*recd: error: //p' <<<"$out")"
else
	echo "dir_ro: skipped (no way to make a directory unwritable here)"
fi

# The socket: in use by a live recd, or a path that is not a socket.
start_jackd 48000 1024
start_siggen sg 2 -b 24
S=$T/live.sock
start_recd recd --directory "$T/rec" --channels 2 --connect 'sg:out_.*' \
    --socket "$S" --rotate-seconds 2 --no-rotate-align
refused socket_live "config $T/socket_live.json: socket: recd already running on $S" \
    "{\n  \"socket\": \"$S\",\n  \"channels\": 2\n}\n" --client-name other \
    --connect 'sg:out_01'
: >"$T/plain.sock"
refused socket_file "config $T/socket_file.json: socket: socket $T/plain.sock: exists and is not a socket" \
    "{\n  \"socket\": \"$T/plain.sock\"\n}\n" --client-name other \
    --connect 'sg:out_01'

# Bad sets over the socket, against the running take.
status_field() {
	sed -n "s/.*\"$1\":\\([0-9]*\\).*/\\1/p" <<<"$2"
}
before=$("$SOCKC" "$S" lines <<<'{"id":0,"cmd":"status"}')
frames0=$(status_field frames_written "$before")
opened0=$(grep -c 'opened' "$T/recd.log")
out=$("$SOCKC" "$S" lines <<EOF
{"id":1,"cmd":"set","key":"gain_db","value":3}
{"id":2,"cmd":"set","key":"rotate_seconds","value":"two"}
{"id":3,"cmd":"set","key":"rotate_seconds","value":100000}
{"id":4,"cmd":"set","key":"header_seconds","value":0.01}
{"id":5,"cmd":"set","key":"format","value":"pcm8"}
{"id":6,"cmd":"set","key":"directory","value":"$T/afile/rec"}
{"id":7,"cmd":"set","key":"channels","value":4}
{"id":8,"cmd":"set","key":"connect","value":["sg:out_(("]}
{"id":9,"cmd":"set","key":"gap_policy","value":true}
{"id":10,"cmd":"set","key":"rotate_seconds"}
{"id":11,"cmd":"get"}
EOF
)
expect() {
	grep -Eq -- "$1" <<<"$out" || fail "$2: no /$1/ in: $(head -c 2000 <<<"$out")"
}
expect '"id":1,"error":\{"code":"bad_option","message":"gain_db: unknown option"' "set unknown"
expect '"id":2,"error":\{"code":"bad_option","message":"rotate_seconds: a string given, but the option takes an integer"' "set type"
expect '"id":3,"error":\{"code":"bad_option","message":"rotate_seconds: 100000: out of range \(0\.\.86400\)"' "set range"
expect '"id":4,"error":\{"code":"bad_option","message":"header_seconds: 0\.01: out of range' "set range real"
expect '"id":5,"error":\{"code":"bad_option","message":"format: \\"pcm8\\": unknown value \(one of' "set choice"
expect "\"id\":6,\"error\":\\{\"code\":\"bad_option\",\"message\":\"directory: \\\\\"$T/afile/rec\\\\\": mkdir $T/afile(/rec)?: Not a directory\"" "set directory"
expect '"id":7,"error":\{"code":"not_runtime","message":"channels: ' "set not runtime"
expect '"id":8,"error":\{"code":"bad_option","message":"connect: ' "set regex"
expect '"id":9,"error":\{"code":"bad_option","message":"gap_policy: true or false given, but the option takes a string' "set choice type"
expect '"id":10,"error":\{"code":"bad_request","message":"' "set without value"
expect "\"id\":11,\"result\":\\{\"values\":\\{\"directory\":\"$T/rec\",.*\"format\":\"pcm24\",\"flac_level\":5,\"opus_bitrate\":96,\"mp3_bitrate\":128,\"rotate_seconds\":2,.*\"header_seconds\":1," "nothing changed"
grep -q 'option_changed' <<<"$out" && fail "a refused set announced a change"
grep -q 'recd: info: set ' "$T/recd.log" && fail "a refused set was applied"

# The take goes on: frames grow, a boundary passes as planned, no gap
# and no file beyond the rotation.
closed=$(grep -c 'closed, ' "$T/recd.log")
wait_log "$T/recd.log" 'closed, ' $((closed + 1)) 30
after=$("$SOCKC" "$S" lines <<<'{"id":0,"cmd":"status"}')
frames1=$(status_field frames_written "$after")
[ "$frames1" -gt "$frames0" ] || fail "frames: $frames0, then $frames1"
[ "$(status_field gaps "$after")" = "$(grep -c 'recd: warning: gap: ' "$T/recd.log")" ] ||
    fail "status gaps: $after"
stop_recd
no_partials "$T/rec"
out=$(verify_take "$T/rec" "$T/recd.log" -c 2) || exit 1
echo "set: 10 bad sets refused, nothing changed; take: $out; $opened0 opened before"
