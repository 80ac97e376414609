#!/bin/sh
# make install DESTDIR=... PREFIX=/usr: exactly the expected tree, the
# service files naming the installed paths, man finding the pages, and a
# second install keeping a configuration someone edited.
# usage: test_install.sh B
B=${1:-build}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
d=$tmp/root
fail() { echo "test_install: $*"; exit 1; }

make --no-print-directory install B="$B" DESTDIR="$d" PREFIX=/usr \
    >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "make install failed"; }

(cd "$d" && find . -type f | sort) >"$tmp/have"
sort >"$tmp/want" <<'LIST'
./etc/recd/recd.json
./usr/bin/recctl
./usr/bin/recweb
./usr/lib/systemd/system/recd.service
./usr/lib/systemd/system/recd.socket
./usr/lib/systemd/system/recweb.service
./usr/lib/systemd/user/recd.service
./usr/lib/systemd/user/recd.socket
./usr/lib/sysusers.d/recd.conf
./usr/sbin/recd
./usr/share/man/man1/recctl.1
./usr/share/man/man1/recweb.1
./usr/share/man/man5/recd.json.5
./usr/share/man/man8/recd.8
./usr/share/recd/launchd/org.recd.recd.plist
./usr/share/recd/www/app.js
./usr/share/recd/www/index.html
./usr/share/recd/www/style.css
LIST
diff -u "$tmp/want" "$tmp/have" || fail "the installed tree differs (- expected)"

[ -x "$d/usr/sbin/recd" ] && [ -x "$d/usr/bin/recctl" ] &&
    [ -x "$d/usr/bin/recweb" ] || fail "recd, recctl or recweb not executable"
"$d/usr/sbin/recd" --config "$d/etc/recd/recd.json" -n >/dev/null ||
    fail "the installed recd refuses the installed configuration"
cmp -s etc/recd.json "$d/etc/recd/recd.json" || fail "recd.json differs"
for f in $(cd "$d" && find . -type f ! -path './usr/*bin/*'); do
	[ "$(stat -c %a "$d/$f")" = 644 ] || fail "$f: mode $(stat -c %a "$d/$f")"
done

# The templates are filled in: no @VAR@ left, the installed paths named
# (not DESTDIR).
left=$(grep -l '@[A-Z]*@' -r "$d/usr/lib" "$d/usr/share/recd")
[ -z "$left" ] || fail "unfilled templates: $left"
grep -qx 'ExecStart=/usr/sbin/recd --config /etc/recd/recd.json' \
    "$d/usr/lib/systemd/system/recd.service" || fail "system unit ExecStart"
grep -qx 'ExecStart=/usr/sbin/recd --config %E/recd/recd.json' \
    "$d/usr/lib/systemd/user/recd.service" || fail "user unit ExecStart"
grep -q '/etc/recd/recd.json "\$\$1"' \
    "$d/usr/lib/systemd/user/recd.service" || fail "user unit's default config"
grep -q '<string>/usr/sbin/recd</string>' \
    "$d/usr/share/recd/launchd/org.recd.recd.plist" || fail "plist: recd"
grep -q "$d" -r "$d/usr/lib" "$d/usr/share/recd" && fail "DESTDIR in a file"

grep -qx 'ExecStart=/usr/bin/recweb --socket /run/recd/recd.sock --socket-readonly /run/recd/recd-readonly.sock $RECWEB_OPTS' \
    "$d/usr/lib/systemd/system/recweb.service" || fail "recweb unit ExecStart"
# Out of the box recweb's viewers reach a read-only socket: the one the
# installed configuration makes beside the control socket (both at their
# defaults: /run/recd/recd.sock and /run/recd/recd-readonly.sock, which
# test_cfg's test_socket_ro_path checks).
grep -qx '	"socket": "",' "$d/etc/recd/recd.json" &&
    grep -qx '	"socket_readonly": "",' "$d/etc/recd/recd.json" ||
    fail "the installed configuration moves the sockets"
strings "$d/usr/bin/recweb" | grep -qx '/usr/share/recd/www' ||
    fail "recweb does not look for its page in /usr/share/recd/www"
for p in recd.8 recctl.1 recweb.1 recd.json.5; do
	n=${p%.*}; s=${p##*.}
	got=$(MANPATH="$d/usr/share/man" man -w "$s" "$n" 2>&1)
	[ "$got" = "$d/usr/share/man/man$s/$p" ] || fail "man -w $s $n: $got"
done

# Again, over an edited configuration: kept.
echo '{ "channels": 3 }' >"$d/etc/recd/recd.json"
make --no-print-directory install B="$B" DESTDIR="$d" PREFIX=/usr \
    >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "second make install failed"; }
grep -q '"channels": 3' "$d/etc/recd/recd.json" ||
    fail "a second install overwrote the configuration"
grep -q 'recd.json exists; kept' "$tmp/log" || fail "no word about the kept config"

# Other directories follow their variables.
make --no-print-directory install B="$B" DESTDIR="$tmp/o" PREFIX=/opt/r \
    SYSCONFDIR=/opt/r/etc SYSTEMDUNITDIR=/lib/systemd/system \
    >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "make install PREFIX=/opt/r"; }
[ -x "$tmp/o/opt/r/sbin/recd" ] && [ -f "$tmp/o/opt/r/etc/recd/recd.json" ] &&
    [ -f "$tmp/o/lib/systemd/system/recd.service" ] ||
    fail "PREFIX, SYSCONFDIR or SYSTEMDUNITDIR not followed"
grep -qx 'ExecStart=/opt/r/sbin/recd --config /opt/r/etc/recd/recd.json' \
    "$tmp/o/lib/systemd/system/recd.service" || fail "PREFIX=/opt/r: ExecStart"
echo "test_install: the tree, the paths in the units and man -w are right"
