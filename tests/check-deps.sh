#!/bin/sh
# The module boundaries of STYLE.md section 2, as far as #include shows
# them.  First it proves it can fail, on a tree with a forbidden include.
# usage: check-deps.sh [ROOT]

# headers DIR: the project headers that live in DIR, as a grep pattern
headers() {
	ls "$1"/*.h 2>/dev/null | sed 's|.*/||; s|\.|\\.|g' | paste -sd'|' -
}

# forbid ROOT DIR PATTERN WHY
forbid() {
	[ -n "$3" ] || return 0
	hits=$(grep -nE "^#[[:space:]]*include[[:space:]]*[<\"]($3)[>\"]" \
	    "$1/$2"/*.[ch] 2>/dev/null)
	[ -z "$hits" ] && return 0
	echo "$hits" | sed "s|^|$2 may not include this ($4): |"
	return 1
}

check() {
	root=$1; bad=0
	ext='jack/[^>]*|uv\.h|uv/[^>]*|cjson/[^>]*|cJSON\.h|systemd/[^>]*'
	proto=$(headers "$root/protocol"); daemon=$(headers "$root/daemon")
	ctl=$(headers "$root/ctl"); com=$(headers "$root/common")
	forbid "$root" common "$ext" "libraries" || bad=1
	forbid "$root" common "$proto|$daemon|$ctl" "upper layers" || bad=1
	forbid "$root" protocol 'jack/[^>]*|uv\.h|uv/[^>]*|systemd/[^>]*' \
	    "libraries" || bad=1
	forbid "$root" protocol "$daemon|$ctl" "daemon or ctl" || bad=1
	forbid "$root" ctl 'jack/[^>]*|uv\.h|uv/[^>]*|systemd/[^>]*' \
	    "libraries" || bad=1
	forbid "$root" ctl "$daemon" "daemon" || bad=1
	forbid "$root" daemon "$ctl" "ctl" || bad=1
	# libsystemd belongs to daemon/notify.c alone.
	for f in "$root"/daemon/*.c; do
		[ -e "$f" ] || continue
		case $f in */notify.c) continue ;; esac
		if grep -q 'include <systemd/' "$f"; then
			echo "$f: only daemon/notify.c may use libsystemd"
			bad=1
		fi
	done
	return $bad
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/common" "$tmp/protocol" "$tmp/daemon" "$tmp/ctl"
printf '#include <uv.h>\n' >"$tmp/common/bad.c"
if check "$tmp" >/dev/null; then
	echo "check-deps: self-test: common/ including uv.h passed"
	exit 1
fi
check "${1:-.}" && echo "check-deps: module boundaries kept"
