#!/bin/sh
# A short fuzz run for make check: the target first replays its seeds and
# every input that once crashed it (tests/fuzz/regress_NAME), then fuzzes
# for SECONDS in a scratch corpus.  Any crash fails the test; libFuzzer
# leaves the input as crash-* in the scratch directory, shown below, to be
# added to regress_NAME with the fix.
# usage: run.sh FUZZER SECONDS
fuzzer=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
secs=$2 name=$(basename "$1")
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/corpus"
for d in "$dir/seed_$name" "$dir/regress_$name"; do
	[ -d "$d" ] && cp "$d"/* "$tmp/corpus/" 2>/dev/null
done
cd "$tmp" || exit 1
if "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
    corpus >log 2>&1; then
	tail -n 2 log
	exit 0
fi
tail -n 40 log
ls crash-* leak-* timeout-* 2>/dev/null
exit 1
