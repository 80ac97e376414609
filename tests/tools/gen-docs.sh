#!/bin/sh
# Rewrites README.md's option table, etc/recd.json and the option list of
# etc/recd.json.5 from the option table (what tests/unit/test_docs.sh
# checks).
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
# recd.json(5): its option list, between two roff comments.
"$(dirname "$0")/man-options.sh" "$recd" >"$tmp"
awk -v list="$tmp" '
	/^\.\\" options:end$/ { skip = 0 }
	!skip { print }
	/^\.\\" options:begin$/ {
		while ((getline line < list) > 0) print line
		skip = 1
	}' etc/recd.json.5 >"$tmp.man"
mv "$tmp.man" etc/recd.json.5
rm -f "$tmp"
echo "gen-docs: README.md, etc/recd.json and etc/recd.json.5 follow the" \
    "option table"
