#!/bin/sh
# Rewrites README.md's option table and etc/recd.json from the option table
# (what tests/unit/test_docs.sh checks).
# usage: gen-docs.sh RECD
set -e
recd=$1
tmp=$(mktemp)
"$recd" --print-options-markdown >"$tmp"
awk -v table="$tmp" '
	/^<!-- options:end -->$/ { skip = 0 }
	!skip { print }
	/^<!-- options:begin -->$/ {
		while ((getline line < table) > 0) print line
		skip = 1
	}' README.md >"$tmp.readme"
mv "$tmp.readme" README.md
"$recd" --print-config >etc/recd.json
rm -f "$tmp"
echo "gen-docs: README.md and etc/recd.json follow the option table"
