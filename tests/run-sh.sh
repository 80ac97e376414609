#!/bin/sh
# Runs one shell test; its exit status is the verdict, recorded in the
# results file.  Output is shown only when it fails.
# usage: run-sh.sh VARIANT RESULTS SCRIPT [ARGS...]
variant=${1:-plain}; results=$2; script=$3; shift 3
name=$(basename "$script" .sh)
out=$(mktemp)
if "$script" "$@" >"$out" 2>&1; then
	echo "PASS $variant:$name" >>"$results"
	echo "$variant $name: passed"
else
	echo "FAIL $variant:$name" >>"$results"
	echo "--- $variant $name: FAILED ---"
	cat "$out"
fi
rm -f "$out"
exit 0
