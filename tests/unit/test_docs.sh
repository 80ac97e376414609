#!/bin/sh
# The docs cannot drift from the option table: README.md's option table,
# etc/recd.json and the option list of recd.json(5) must be what recd
# prints from the table itself ("make docs" rewrites them); recd(8) and
# recctl(1) must document exactly the flags and commands of --help.
# usage: test_docs.sh RECD
recd=$1; recctl=$(dirname "$1")/recctl; status=0
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

tests/tools/man-options.sh "$recd" >"$tmp/want.man" || exit 1
sed -n '/^\.\\" options:begin$/,/^\.\\" options:end$/p' etc/recd.json.5 |
    sed '1d;$d' >"$tmp/have.man"
if ! [ -s "$tmp/have.man" ]; then
	echo "etc/recd.json.5: no options:begin ... options:end comments"
	status=1
elif ! diff -u "$tmp/have.man" "$tmp/want.man"; then
	echo "etc/recd.json.5: the option list differs from recd's (make docs)"
	status=1
fi

# flags TEXT: each -x or --word (not --OPTION) in TEXT, one a line.
flags() {
	grep -oE '(^|[ ,[|])--?[a-z][a-z-]*' | sed 's/^[ ,[|]*//' | sort -u
}
# section PAGE NAME: the tags (first lines) of a man page's section.
section() {
	groff -man -Tascii -P-cbou "$1" 2>/dev/null |
	    awk -v s="$2" '/^[A-Z]/ { on = $0 == s; next }
		on && /^       [^ ]/ { print }'
}
# same WHAT HELP MAN: both lists, one item a line, must be equal.
same() {
	if ! diff -u "$2" "$3" >"$tmp/diff"; then
		echo "$1 differ (- --help, + man page):"
		cat "$tmp/diff"
		status=1
	fi
}
# recd: the flags before the option list, with -c and -h (their aliases).
"$recd" --help | sed '/^Options, in the config file/q' | flags |
    grep -vx -e '--name' -e '--no-name' >"$tmp/help.flags"
printf '%s\n' -c -h >>"$tmp/help.flags"
sort -u -o "$tmp/help.flags" "$tmp/help.flags"
section daemon/recd.8 OPTIONS | flags |
    grep -vx -e '--option' -e '--no-option' >"$tmp/man.flags"
same "recd's flags" "$tmp/help.flags" "$tmp/man.flags"
# recctl: its commands and its flags.
"$recctl" --help | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' |
    sort >"$tmp/help.cmds"
section ctl/recctl.1 COMMANDS | awk '{ print $1 }' | sort >"$tmp/man.cmds"
same "recctl's commands" "$tmp/help.cmds" "$tmp/man.cmds"
"$recctl" --help | sed -n '/^options:/,/^$/p' | flags >"$tmp/help.flags"
section ctl/recctl.1 OPTIONS | flags >"$tmp/man.flags"
same "recctl's flags" "$tmp/help.flags" "$tmp/man.flags"
# Each page's header carries recd's version.
v=$("$recd" --version | awk '{ print $2 }')
for p in daemon/recd.8 ctl/recctl.1 etc/recd.json.5; do
	grep -q "^\.TH .* \"recd $v\" " "$p" || {
		echo "$p: .TH does not say recd $v"; status=1; }
done
exit $status
