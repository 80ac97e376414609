#!/usr/bin/env python3
"""loudness_check.py: test_loudness.sh's judge of one take.

usage: loudness_check.py EVENTS MODE GROUPS RATE [LUFS]

EVENTS holds recd's events as JSON lines (recctl --json events); MODE is
single or split; GROUPS the option loudness joined with commas ("1-2,1").
For every file_closed event of a file of at least a second:
  - the file's bext is version 2 and its five loudness fields (1/100
    units) are set, none 0x7FFF;
  - the event's loudness has one entry per group (single mode: the groups
    in order; split: the file's own channel), each value of the first as
    bext holds it;
  - ffmpeg's ebur128 filter on the group's channels of the file gives an
    integrated loudness within 0.1 LU of the event's, and a true peak
    within 0.2 dB (its summary has 0.1 dB);
  - LUFS given: the first group of every whole file (RATE x 3 frames)
    reads it within 0.05 LU.
Prints each file's figures and the largest differences; exits 1 on any
failure.
"""
import json
import math
import re
import struct
import subprocess
import sys

UNSET = 0x7FFF
I_TOL = 0.1
TP_TOL = 0.2
LUFS_TOL = 0.05
FIELDS = ("integrated_lufs", "range_lu", "true_peak_dbtp",
          "momentary_max_lufs", "short_term_max_lufs")


def bext_loudness(path):
    """The five loudness fields of path's bext, and its version."""
    with open(path, "rb") as f:
        data = f.read(65536)
    off = 12
    while off + 8 <= len(data):
        cid, size = data[off:off + 4], struct.unpack("<I", data[off + 4:off + 8])[0]
        if cid == b"bext":
            body = data[off + 8:off + 8 + size]
            version = struct.unpack("<H", body[346:348])[0]
            return version, struct.unpack("<5h", body[412:422])
        off += 8 + size + (size & 1)
    raise ValueError(f"{path}: no bext chunk")


def ffmpeg_loudness(path, channels, nch):
    """ffmpeg's integrated loudness (3 decimals) and true peak (summary,
    0.1 dB) of path's channels (from 1)."""
    pan = ""
    if list(channels) != list(range(1, nch + 1)):
        if len(channels) == 1:
            pan = f"pan=mono|c0=c{channels[0] - 1},"
        elif len(channels) == 2:
            pan = (f"pan=stereo|c0=c{channels[0] - 1}|"
                   f"c1=c{channels[1] - 1},")
        else:
            raise ValueError(f"groups of {len(channels)}: not checked here")
    out = subprocess.run(
        ["ffmpeg", "-nostats", "-hide_banner", "-i", path, "-filter_complex",
         pan + "ebur128=peak=true:metadata=1,ametadata=mode=print:file=-",
         "-f", "null", "-"], capture_output=True, text=True, check=True)
    i = [float(v) for v in re.findall(r"lavfi\.r128\.I=(\S+)", out.stdout)]
    tp = re.findall(r"Peak:\s+(\S+) dBFS", out.stderr)
    if not i or not tp:
        raise ValueError(f"{path}: ffmpeg said nothing: {out.stderr[-400:]}")
    return i[-1], float(tp[-1])


def main():
    events, mode, groups, rate = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    lufs = float(sys.argv[5]) if len(sys.argv) > 5 and sys.argv[5] else None
    want = []
    for g in groups.split(","):
        a, _, b = g.partition("-")
        want.append(list(range(int(a), int(b or a) + 1)))
    bad = 0
    checked = 0
    worst_i = worst_tp = 0.0
    for line in open(events):
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if ev.get("event") != "file_closed" or ev["frames"] < rate:
            continue
        path = ev["path"]
        name = path.rsplit("/", 1)[-1]
        loud = ev.get("loudness")
        if mode == "split":
            ch = int(re.search(r"_ch(\d+)_", name).group(1))
            groups_want = [[ch]] if any(ch in g for g in want) else []
            nch = 1
        else:
            groups_want = want
            nch = max(max(g) for g in want)
        got = [e["channels"] for e in loud] if loud else []
        if got != groups_want:
            print(f"FAIL {name}: event's groups {got}, want {groups_want}")
            bad += 1
            continue
        version, fields = bext_loudness(path)
        if version != 2 or UNSET in fields:
            print(f"FAIL {name}: bext version {version}, loudness {fields}")
            bad += 1
            continue
        first = loud[0]
        for k, field in zip(FIELDS, fields):
            if first[k] is None or abs(first[k] * 100 - field) > 0.5:
                print(f"FAIL {name}: event {k} {first[k]}, bext {field}")
                bad += 1
        for e in loud:
            chans = e["channels"] if mode != "split" else [1]
            ff_i, ff_tp = ffmpeg_loudness(path, chans, nch if mode != "split" else 1)
            di = abs(e["integrated_lufs"] - ff_i)
            dtp = abs(e["true_peak_dbtp"] - ff_tp)
            worst_i, worst_tp = max(worst_i, di), max(worst_tp, dtp)
            checked += 1
            print(f"{name} ch {e['channels']}: I {e['integrated_lufs']:.2f} "
                  f"(ffmpeg {ff_i:.3f}, off {di:.3f} LU), LRA "
                  f"{e['range_lu']:.2f}, TP {e['true_peak_dbtp']:.2f} "
                  f"(ffmpeg {ff_tp:.1f}), M max "
                  f"{e['momentary_max_lufs']:.2f}, S max "
                  f"{e['short_term_max_lufs']:.2f}")
            if di > I_TOL or dtp > TP_TOL:
                print(f"FAIL {name}: against ffmpeg: I off {di:.3f} LU "
                      f"(at most {I_TOL}), true peak off {dtp:.2f} dB "
                      f"(at most {TP_TOL})")
                bad += 1
        if lufs is not None and ev["frames"] == 3 * rate and \
                abs(first["integrated_lufs"] - lufs) > LUFS_TOL:
            print(f"FAIL {name}: {first['integrated_lufs']} LUFS, want "
                  f"{lufs} within {LUFS_TOL}")
            bad += 1
    if checked == 0:
        print(f"FAIL {events}: no file of a second or more was checked")
        bad += 1
    print(f"{checked} measurements; against ffmpeg at most {worst_i:.3f} LU "
          f"(integrated), {worst_tp:.2f} dB (true peak)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
