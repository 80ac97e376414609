#!/bin/sh
# The man pages render without a single warning: groff -ww (every warning)
# and man -l (as a reader would see them), each on a page that proves the
# check can fail first.
# usage: test_man.sh
pages="daemon/recd.8 ctl/recctl.1 ctl/recweb.1 etc/recd.json.5"
command -v groff >/dev/null || { echo "no groff (package groff-base)"; exit 77; }
command -v man >/dev/null || { echo "no man (package man-db)"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0

# check PAGE: 0 when it renders both ways with no warning and some text.
check() {
	groff -ww -man -Tutf8 "$1" >"$tmp/out" 2>"$tmp/err" || return 1
	[ -s "$tmp/out" ] && ! [ -s "$tmp/err" ] || return 1
	MANWIDTH=80 man --warnings -l "$1" >"$tmp/out" 2>"$tmp/err" || return 1
	[ -s "$tmp/out" ] && ! [ -s "$tmp/err" ]
}

printf '.TH BAD 1\n.SH NAME\nbad \\- a page with a typo\n.Bx oops\n' \
    >"$tmp/bad.1"
if check "$tmp/bad.1"; then
	echo "test_man: a page with an undefined macro passed the check"
	exit 1
fi
for p in $pages; do
	if ! check "$p"; then
		echo "$p: does not render cleanly:"
		cat "$tmp/err"
		status=1
	fi
done
exit $status
