#!/bin/bash
# Files that explain themselves: the iXML chunk (track names in order, ids,
# time stamp) read back by mediainfo and checked by xmllint against
# tests/tools/ixml.xsd; bext CodingHistory after EBU R 98, naming the JACK
# server and client; bext's loudness fields, which mediainfo shows; the
# MD5 chunk equal to md5sum of the data chunk's
# bytes; SHA256SUMS manifests that sha256sum -c accepts, and that catch a
# changed file.  An 8-channel single take, a split take, and kill -9 with
# repair.
. "$(dirname "$0")/lib.sh"
not_under_tsan

XSD=tests/tools/ixml.xsd
NAMES=("Kick In" "Snare & Top" "Hi-Hat <L>" "Tom 1" "Tom 2" "OH \"L\"" \
    "OH R" "Bass DI")

start_jackd 48000 1024
start_siggen sg 8 -b 24
cat >"$T/recd.json" <<EOF
{
  "channels": 8,
  "port_names": ["Kick In", "Snare & Top", "Hi-Hat <L>", "Tom 1", "Tom 2",
      "OH \"L\"", "OH R", "Bass DI"],
  "connect": ["sg:out_.*"],
  "description": "Session 12",
  "rotate_seconds": 1,
  "rotate_align": false,
  "checksum_manifest": true,
  "loudness": ["1-2"]
}
EOF

# check_file FILE MODE INDEX: the iXML, bext and MD5 chunks of a finished
# file; INDEX is the channel of a split file (1-based), 0 for single.
check_file() {
	local f=$1 mode=$2 idx=$3 x names i want got tr lo hi md5 n lf frames
	x=$T/ixml.xml
	"$CHUNK" "$f" iXML >"$x" || fail "$f: no iXML chunk"
	got=$(xmllint --noout --schema "$XSD" "$x" 2>&1) ||
	    fail "$f: iXML refused by xmllint: $got"
	names=$(xmllint --xpath '//TRACK/NAME/text()' "$x" 2>/dev/null |
	    sed 's/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g')
	if [ "$mode" = single ]; then
		want=$(printf '%s\n' "${NAMES[@]}")
		[ "$(xmllint --xpath 'string(//TRACK_COUNT)' "$x")" = 8 ] ||
		    fail "$f: TRACK_COUNT is not 8"
		for i in 1 2 3 4 5 6 7 8; do
			got=$(xmllint --xpath "string(//TRACK[$i]/CHANNEL_INDEX)" "$x")
			[ "$got" = "$i" ] || fail "$f: track $i has CHANNEL_INDEX $got"
		done
	else
		want=${NAMES[$((idx - 1))]}
		got=$(xmllint --xpath 'string(//TRACK/CHANNEL_INDEX)' "$x")
		[ "$got" = "$idx" ] || fail "$f: CHANNEL_INDEX $got, not $idx"
		got=$(xmllint --xpath 'string(//FILE_SET/TOTAL_FILES)' "$x")
		[ "$got" = 8 ] || fail "$f: TOTAL_FILES $got, not 8"
	fi
	[ "$(xmllint --xpath 'count(//TRACK)' "$x")" = \
	    "$(xmllint --xpath 'string(//TRACK_COUNT)' "$x")" ] ||
	    fail "$f: TRACK_COUNT is not the number of TRACKs"
	[ "$names" = "$want" ] ||
	    fail "$f: track names $(echo $names), not $(echo $want)"
	[ "$(xmllint --xpath 'string(//PROJECT)' "$x")" = "Session 12" ] ||
	    fail "$f: PROJECT is not the description"
	[ "$(xmllint --xpath 'string(//HISTORY/ORIGINAL_FILENAME)' "$x")" = \
	    "$(basename "$f")" ] || fail "$f: ORIGINAL_FILENAME is not its name"
	# The time stamp of iXML is bext's TimeReference.
	tr=$("$CHUNK" "$f" bext | od -An -t u8 -j 338 -N 8 | tr -d ' ')
	lo=$(xmllint --xpath 'string(//TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO)' "$x")
	hi=$(xmllint --xpath 'string(//TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI)' "$x")
	[ $((hi * 4294967296 + lo)) = "$tr" ] ||
	    fail "$f: iXML time stamp $hi:$lo, bext TimeReference $tr"
	[ "$(xmllint --xpath 'string(//BWF_TIME_REFERENCE_LOW)' "$x")" = "$lo" ] ||
	    fail "$f: iXML's BEXT block disagrees with its time stamp"
	# CodingHistory (EBU R 98), naming recd, the server and the client.
	got=$("$CHUNK" "$f" bext | tail -c +603 | tr -d '\0')
	want="A=PCM,F=48000,W=24"
	[ "$mode" = split ] && want="$want,M=mono"
	want="$want,T=recd [0-9.]+; JACK server $JACK_DEFAULT_SERVER; client recd"
	[[ $got =~ ^$want ]] || fail "$f: CodingHistory \"$got\""
	# bext v2's loudness fields: set for a file that measured channels
	# 1-2 (a split file measures its own channel if it is in a group),
	# 0x7FFF ("not given") in the others, and where a file is too short
	# for a value (short-term loudness takes 3 s; the files here are 1 s,
	# but for the last).  mediainfo shows them.
	read -r -a lf <<<"$("$CHUNK" "$f" bext | od -An -t d2 -j 412 -N 10)"
	frames=$("$SFCHECK" "$f" | cut -d' ' -f1)
	if [ "$mode" = single ] || [ "$idx" -le 2 ]; then
		# siggen's codes can sit below R 128's -70 LUFS gate for a
		# while (a counter's high bits), leaving no integrated value;
		# the true peak is always there (over 0 dBTP, at times: the
		# codes reach full scale).
		if [ "$frames" -ge 24000 ]; then
			[ "${lf[2]}" != 32767 ] ||
			    fail "$f: bext loudness fields ${lf[*]}"
			grep -q '^MaxTruePeakLevel *: -\{0,1\}[0-9]*\.[0-9][0-9]$' \
			    <<<"$(mediainfo --Full "$f")" ||
			    fail "$f: mediainfo shows no MaxTruePeakLevel"
		fi
	else
		[ "${lf[*]}" = "32767 32767 32767 32767 32767" ] ||
		    fail "$f: bext loudness fields ${lf[*]} for no group"
	fi
	# The MD5 chunk holds what md5sum says of the data chunk's bytes.
	md5=$("$CHUNK" "$f" 'MD5 ' | od -An -t x1 | tr -d ' \n')
	[ ${#md5} = 32 ] || fail "$f: no MD5 chunk"
	got=$("$CHUNK" "$f" data | md5sum | cut -d' ' -f1)
	[ "$md5" = "$got" ] || fail "$f: MD5 chunk $md5, md5sum $got"
}

start_recd single --config "$T/recd.json" --directory "$T/single"
wait_log "$T/single.log" 'closed, 48000 frames' 2 30
stop_recd
no_partials "$T/single"
n=0
for f in $(takes "$T/single"); do
	check_file "$f" single 0
	n=$((n + 1))
done
# mediainfo, an independent reader, finds the chunk and its XML (it
# shows iXML in its detailed view).
f=$(takes "$T/single" | head -n 1)
got=$(mediainfo --Details=1 "$f") || fail "mediainfo cannot read $f"
grep -q '^[0-9A-F]* *iXML (' <<<"$got" || fail "mediainfo finds no iXML in $f"
grep -q 'XML data: .*<TRACK_COUNT>8</TRACK_COUNT>.*<NAME>Kick In</NAME>' \
    <<<"$got" || fail "mediainfo shows no track names in $f"
grep -q 'Encoding settings *: A=PCM,F=48000,W=24,T=recd ' \
    <<<"$(mediainfo --Full "$f")" || fail "mediainfo shows no CodingHistory"
echo "single: $n files: iXML, CodingHistory and MD5 right"

start_recd split --config "$T/recd.json" --directory "$T/split" \
    --mode split
wait_log "$T/split.log" 'closed, 48000 frames' 1 30
stop_recd
no_partials "$T/split"
n=0
for f in $(takes "$T/split"); do
	[[ $f =~ _ch0([1-8])_ ]] || fail "$f: no channel in its name"
	check_file "$f" split "${BASH_REMATCH[1]}"
	n=$((n + 1))
done
echo "split: $n files: iXML, CodingHistory and MD5 right"

# manifests DIR: every finished file under DIR is in its directory's
# SHA256SUMS, which sha256sum -c accepts; recd waited for them at exit.
manifests() {
	local d n want got
	for d in $(find "$1" -name '*.wav' -printf '%h\n' | sort -u); do
		[ -f "$d/SHA256SUMS" ] || fail "$d: no SHA256SUMS"
		got=$(cd "$d" && sha256sum -c --strict SHA256SUMS 2>&1) ||
		    fail "$d: sha256sum -c: $got"
		n=$(grep -c ': OK$' <<<"$got")
		want=$(find "$d" -maxdepth 1 -name '*.wav' | wc -l)
		[ "$n" = "$want" ] || fail "$d: $n files checked, $want there"
	done
}

manifests "$T/single"
manifests "$T/split"
# A file changed afterwards is caught, by name.
f=$(takes "$T/single" | head -n 1)
printf 'X' | dd of="$f" bs=1 seek=$(($(stat -c %s "$f") - 100)) conv=notrunc \
    2>/dev/null
got=$(cd "$(dirname "$f")" && sha256sum -c SHA256SUMS 2>&1) &&
    fail "a changed file passed sha256sum -c"
grep -q "^$(basename "$f"): FAILED" <<<"$got" ||
    fail "sha256sum -c does not name the changed file: $got"
echo "manifests: sha256sum -c passes for every file; a changed one fails"

# kill -9, then repair on start: the repaired file keeps its iXML and has
# no MD5 chunk (wav_close never ran), or a right one.
start_recd killed --config "$T/recd.json" --directory "$T/killed" \
    --rotate-seconds 2
kill_with_audio "$T/killed"
start_recd repair --config "$T/recd.json" --directory "$T/killed" \
    --autostart false
stop_recd
no_partials "$T/killed"
rep=$(repaired_files "$T/repair.log")
[ -n "$rep" ] || fail "nothing repaired: $(cat "$T/repair.log")"
while read -r f frames; do
	"$CHUNK" "$f" iXML >"$T/ixml.xml" || fail "$f: repair lost the iXML"
	got=$(xmllint --noout --schema "$XSD" "$T/ixml.xml" 2>&1) ||
	    fail "$f: repaired iXML refused: $got"
	if md5=$("$CHUNK" "$f" 'MD5 ' | od -An -t x1 | tr -d ' \n') &&
	    [ -n "$md5" ]; then
		got=$("$CHUNK" "$f" data | md5sum | cut -d' ' -f1)
		[ "$md5" = "$got" ] || fail "$f: repaired, with a wrong MD5"
	fi
	third_party "$f" "$frames" 8 48000
done <<<"$rep"
manifests "$T/killed"
echo "kill -9: $(wc -l <<<"$rep") files repaired, iXML kept, listed"
