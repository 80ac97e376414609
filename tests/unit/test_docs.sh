#!/bin/sh
# The docs cannot drift from the option table: README.md's option table and
# etc/recd.json must be what recd prints from the table itself.
# "make docs" rewrites both.
# usage: test_docs.sh RECD
recd=$1; status=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
"$recd" --print-options-markdown >"$tmp/want.md" || exit 1
sed -n '/^<!-- options:begin -->$/,/^<!-- options:end -->$/p' README.md |
    sed '1d;$d' >"$tmp/have.md"
if ! [ -s "$tmp/have.md" ]; then
	echo "README.md: no <!-- options:begin --> ... <!-- options:end --> block"
	status=1
elif ! diff -u "$tmp/have.md" "$tmp/want.md"; then
	echo "README.md: the option table differs from recd's (make docs)"
	status=1
fi
"$recd" --print-config >"$tmp/want.json" || exit 1
if ! diff -u etc/recd.json "$tmp/want.json"; then
	echo "etc/recd.json differs from recd --print-config (make docs)"
	status=1
fi
"$recd" --config etc/recd.json -n >/dev/null || status=1
exit $status
