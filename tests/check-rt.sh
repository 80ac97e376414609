#!/bin/sh
# The real-time rule on the objects themselves (STYLE.md section 5): a
# *_rt.o defines only *_rt functions and calls only *_rt functions and a
# short allowlist.  First it proves it can fail, on an object that calls
# malloc.
# usage: check-rt.sh OBJ...
allow='^(jack_port_get_buffer|jack_last_frame_time|memcpy|memset|fabsf|__stack_chk_fail)$'

check() {
	bad=0
	for sym in $(nm -u "$1" | awk '{print $NF}'); do
		case $sym in *_rt) continue ;; esac
		echo "$sym" | grep -Eq "$allow" && continue
		echo "$1: calls $sym, which the real-time rule forbids"
		bad=1
	done
	for sym in $(nm -g --defined-only "$1" | awk '$2 == "T" {print $3}'); do
		case $sym in *_rt) continue ;; esac
		echo "$1: defines $sym, which is not an _rt function"
		bad=1
	done
	return $bad
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
printf '#include <stdlib.h>\nvoid *grab_rt(void);\nvoid *grab_rt(void) { return malloc(8); }\n' >"$tmp/bad_rt.c"
${CC:-cc} -c -O2 "$tmp/bad_rt.c" -o "$tmp/bad_rt.o" || exit 1
if check "$tmp/bad_rt.o" >/dev/null; then
	echo "check-rt: self-test: an object calling malloc passed"
	exit 1
fi
[ $# -gt 0 ] || { echo "check-rt: no objects given"; exit 1; }
status=0
for o in "$@"; do
	check "$o" || status=1
done
[ $status = 0 ] && echo "check-rt: $# objects keep the real-time rule"
exit $status
