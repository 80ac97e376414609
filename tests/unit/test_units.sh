#!/bin/sh
# The systemd units as make install writes them pass systemd-analyze
# verify without a word (system and user; Documentation= man pages found
# among the installed ones), and sysusers.d/recd.conf makes the recd user.
# README's recd-metrics.service and .timer pass it too, and the timer fires
# a first time (OnUnitActiveSec= alone never does).
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

# README's metrics units, as they stand there: each begins with a
# comment naming its file.
mkdir "$tmp/metrics"
awk -v d="$tmp/metrics" '/^<!-- metrics-units:end -->$/ { on = 0 }
    on && /^# \/etc\/systemd\/system\/[-a-z.]+$/ {
	f = d "/" substr($0, 23); next }
    on && f != "" && !/^```/ { print >f }
    /^<!-- metrics-units:begin -->$/ { on = 1 }' README.md
m=$tmp/metrics
[ -s "$m/recd-metrics.service" ] && [ -s "$m/recd-metrics.timer" ] ||
    fail "README.md: no recd-metrics.service and .timer between <!-- metrics-units:begin --> and <!-- metrics-units:end -->"
out=$(verify_system "$m/recd-metrics.service" "$m/recd-metrics.timer")
[ -z "$out" ] || fail "README's metrics units: $out"
grep -Eq '^On(Boot|Active|Startup)Sec=|^OnCalendar=' "$m/recd-metrics.timer" ||
    fail "README's recd-metrics.timer never fires a first time (OnUnitActiveSec= alone)"

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
