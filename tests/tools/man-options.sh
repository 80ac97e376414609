#!/bin/sh
# Prints the option list of recd.json(5) in man(7) markup, from the option
# table that recd prints (the one in common/cfg.c): what gen-docs.sh puts
# between the "options:begin" and "options:end" comments of
# etc/recd.json.5 and test_docs.sh compares.
# usage: man-options.sh RECD
"$1" --print-options-markdown | awk '
	# roff: a backslash is \e; a line must not start with . or '\''.
	function roff(s) {
		gsub(/\\/, "\\e", s)
		sub(/^[.'\'']/, "\\\\\\&&", s)
		return s
	}
	function strip(s) {
		gsub(/`/, "", s)
		return s
	}
	NR <= 2 { next }
	{
		line = substr($0, 3, length($0) - 4)
		n = 0
		while (n < 5 && (i = index(line, " | ")) > 0) {
			f[++n] = substr(line, 1, i - 1)
			line = substr(line, i + 3)
		}
		f[6] = line
		print ".TP"
		print ".B " strip(f[1])
		print roff(f[2] ", " f[4] "; default " strip(f[3]) "; " \
		    (f[5] == "yes" ? "can be changed while recd runs." : \
		    f[5] == "SIGHUP" ? "read from the file again at SIGHUP, " \
		    "never set over the socket." : "read at start."))
		print ".br"
		print roff(f[6])
	}'
