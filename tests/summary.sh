#!/bin/sh
# Prints the failed tests, then the one closing line that CI reads.
results=$1
[ -f "$results" ] || { echo "0 passed, 1 failed"; exit 1; }
p=$(grep -c '^PASS ' "$results")
f=$(grep -c '^FAIL ' "$results")
s=$(grep -c '^SKIP ' "$results")
grep '^FAIL ' "$results"
if [ "$s" -gt 0 ]; then
	echo "$p passed, $f failed, $s skipped"
else
	echo "$p passed, $f failed"
fi
[ "$f" = 0 ] && [ "$p" -gt 0 ]
