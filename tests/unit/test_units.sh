#!/bin/sh
# The systemd units as make install writes them pass systemd-analyze
# verify without a word (system and user; Documentation= man pages found
# among the installed ones), and sysusers.d/recd.conf makes the recd user.
# systemd-analyze verify wants ExecStart= binaries that exist, so the tree
# is installed with PREFIX in a temporary directory (no DESTDIR): the units
# name real files.  First a broken unit proves the check can fail.
# usage: test_units.sh B
B=${1:-build}
command -v systemd-analyze >/dev/null ||
    { echo "no systemd-analyze (package systemd)"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
p=$tmp/usr
fail() { echo "test_units: $*"; exit 1; }

make --no-print-directory install B="$B" PREFIX="$p" SYSCONFDIR="$tmp/etc" \
    >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "make install failed"; }
mkdir -m 700 "$tmp/xdg"

verify_system() {
	MANPATH=$p/share/man systemd-analyze verify --man=yes "$@" 2>&1
}
verify_user() {
	XDG_RUNTIME_DIR=$tmp/xdg MANPATH=$p/share/man \
	    systemd-analyze --user verify --man=yes "$@" 2>&1
}

mkdir "$tmp/bad"
sed 's/^Type=notify$/Type=notfy/' "$p/lib/systemd/system/recd.service" \
    >"$tmp/bad/recd.service"
out=$(verify_system "$tmp/bad/recd.service")
[ -n "$out" ] || fail "a unit with Type=notfy passed systemd-analyze verify"

s=$p/lib/systemd/system
u=$p/lib/systemd/user
out=$(verify_system "$s/recd.service" "$s/recd.socket" "$s/recweb.service")
[ -z "$out" ] || fail "system units: $out"
out=$(verify_user "$u/recd.service" "$u/recd.socket")
[ -z "$out" ] || fail "user units: $out"

# sysusers.d: the recd user and group, home /var/lib/recd, in a root of
# our own.
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$tmp/sys/etc"
	out=$(systemd-sysusers --root="$tmp/sys" \
	    "$p/lib/sysusers.d/recd.conf" 2>&1) || fail "systemd-sysusers: $out"
	grep -q '^recd:x:[0-9]*:[0-9]*:recd studio recorder:/var/lib/recd:' \
	    "$tmp/sys/etc/passwd" || fail "no recd user: $(cat "$tmp/sys/etc/passwd")"
	grep -q '^recd:x:' "$tmp/sys/etc/group" || fail "no recd group"
fi
echo "test_units: systemd-analyze verify is silent on every unit"
