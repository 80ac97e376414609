#!/bin/sh
# Runs one shell test; its exit status is the verdict, recorded in the
# results file: 0 passed, 77 skipped (it says why), anything else failed.
# Output is shown only when it fails.
# usage: run-sh.sh VARIANT RESULTS SCRIPT [ARGS...]
# The result is named after SCRIPT, or $RUN_NAME when set (one script
# that runs several things, such as the fuzz targets).
variant=${1:-plain}; results=$2; script=$3; shift 3
name=${RUN_NAME:-$(basename "$script" .sh)}
out=$(mktemp)
t0=$(date +%s)
"$script" "$@" >"$out" 2>&1
rc=$?
t=$(($(date +%s) - t0))
if [ $rc = 0 ]; then
	echo "PASS $variant:$name" >>"$results"
	echo "$variant $name: passed ($t s)"
elif [ $rc = 77 ]; then
	echo "SKIP $variant:$name" >>"$results"
	echo "$variant $name: $(tail -n 1 "$out")"
else
	echo "FAIL $variant:$name" >>"$results"
	echo "--- $variant $name: FAILED ---"
	cat "$out"
fi
rm -f "$out"
exit 0
