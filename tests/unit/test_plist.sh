#!/bin/sh
# The launchd agent as make install writes it: valid against the property
# list grammar (tests/tools/plist.dtd, found through its public id as
# launchd's plutil would: no network), with the keys launchd needs, and
# its start-up line doing what it says (run here with a stand-in recd).
# A broken plist proves the check can fail first.
# usage: test_plist.sh B
B=${1:-build}
command -v xmllint >/dev/null ||
    { echo "no xmllint (package libxml2-utils)"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_plist: $*"; exit 1; }

make --no-print-directory install B="$B" DESTDIR="$tmp/root" PREFIX=/opt/hb \
    >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "make install failed"; }
plist=$tmp/root/opt/hb/share/recd/launchd/org.recd.recd.plist
cat >"$tmp/catalog.xml" <<CAT
<?xml version="1.0"?>
<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <public publicId="-//Apple//DTD PLIST 1.0//EN"
      uri="file://$PWD/tests/tools/plist.dtd"/>
</catalog>
CAT

# valid FILE: silent and 0 when FILE is a well-formed, valid plist.
valid() {
	out=$(XML_CATALOG_FILES=$tmp/catalog.xml xmllint --noout --nonet \
	    --valid "$1" 2>&1) && [ -z "$out" ]
}
# value KEY: the text of the value after <key>KEY</key> in the top dict,
# or the element's name for true/false.
value() {
	xmllint --nonet --xpath "/plist/dict/key[.='$1']/following-sibling::*[1]" \
	    "$plist" 2>/dev/null | sed -e 's|^<true/>$|true|' -e 's|^<false/>$|false|' \
	    -e 's|^<[a-z]*>||' -e 's|</[a-z]*>$||'
}

sed 's|<key>RunAtLoad</key>||' "$plist" >"$tmp/nokey.plist"
valid "$tmp/nokey.plist" && fail "a dict value without its key passed"
sed 's|</array>||' "$plist" >"$tmp/open.plist"
valid "$tmp/open.plist" && fail "an unclosed array passed"
valid "$plist" || fail "$plist: $out"

[ "$(value Label)" = org.recd.recd ] || fail "Label: $(value Label)"
[ "$(value KeepAlive)" = true ] || fail "KeepAlive: $(value KeepAlive)"
[ "$(value RunAtLoad)" = true ] || fail "RunAtLoad: $(value RunAtLoad)"
[ "$(value ProcessType)" = Interactive ] || fail "ProcessType: $(value ProcessType)"
for k in StandardOutPath StandardErrorPath; do
	[ "$(value $k)" = /opt/hb/var/log/recd.log ] || fail "$k: $(value $k)"
done

# The start-up line, run as launchd would (HOME, TMPDIR set) with a recd
# that says where it runs and with what.
n=$(xmllint --nonet --xpath 'count(/plist/dict/key[.="ProgramArguments"]/following-sibling::array[1]/string)' "$plist")
[ "$n" = 5 ] || fail "ProgramArguments has $n strings, not 5"
arg() {
	xmllint --nonet --xpath "string(/plist/dict/key[.='ProgramArguments']/following-sibling::array[1]/string[$1])" "$plist"
}
[ "$(arg 1)" = /bin/sh ] && [ "$(arg 2)" = -c ] || fail "not /bin/sh -c"
[ "$(arg 4)" = /opt/hb/sbin/recd ] || fail "recd: $(arg 4)"
[ "$(arg 5)" = /etc/recd/recd.json ] || fail "config: $(arg 5)"
cat >"$tmp/recd" <<'FAKE'
#!/bin/sh
echo "$(pwd) $XDG_RUNTIME_DIR $*"
FAKE
chmod +x "$tmp/recd"
mkdir "$tmp/home" "$tmp/t"
got=$(env -i HOME="$tmp/home" TMPDIR="$tmp/t" /bin/sh -c "$(arg 3)" \
    "$tmp/recd" /etc/recd/recd.json 2>&1)
[ "$got" = "$tmp/home/Music/recd $tmp/t --config /etc/recd/recd.json" ] ||
    fail "the start-up line ran: $got"
echo "test_plist: valid, with the keys launchd needs; the start-up line works"
