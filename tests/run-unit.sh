#!/bin/sh
# Runs cmocka test binaries and appends one "PASS|FAIL variant:binary:test"
# line per test to the results file.  A binary that dies before cmocka
# reports (a sanitizer abort, a crash) counts as one more failure.
# usage: run-unit.sh VARIANT RESULTS BIN...
variant=${1:-plain}; results=$2; shift 2
export CMOCKA_MESSAGE_OUTPUT=STDOUT
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(cd "$(dirname "$0")" && pwd)/tsan.supp
for bin in "$@"; do
	name=$(basename "$bin")
	out=$(mktemp)
	"$bin" >"$out" 2>&1
	rc=$?
	sed -n 's/^\[ *OK *\] \(.*\)/PASS '"$variant:$name"':\1/p' "$out" >>"$results"
	sed -n 's/^\[ *FAILED *\] \([a-z_0-9]*\)$/FAIL '"$variant:$name"':\1/p' \
	    "$out" >>"$results"
	passed=$(grep -c '^\[ *OK *\]' "$out")
	failed=$(grep -c '^\[ *FAILED *\] [a-z_0-9]*$' "$out")
	if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
		echo "FAIL $variant:$name:exit-status-$rc" >>"$results"
		failed=1
	fi
	if [ "$failed" != 0 ]; then
		echo "--- $variant $name: $failed failed (exit $rc) ---"
		cat "$out"
	else
		echo "$variant $name: $passed passed"
	fi
	rm -f "$out"
done
exit 0
