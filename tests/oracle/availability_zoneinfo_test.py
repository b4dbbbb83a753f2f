#!/usr/bin/env python3
"""Differential test: slotbook's expand() against an independent expansion with Python's zoneinfo.

Generates a few hundred random schedules in zones with awkward rules (DST at midnight, 30-minute
shifts, negative DST, Ramadan suspensions, a skipped calendar day), expands each over random ranges
with tool_expand_schedule, computes the expected UTC intervals here, and compares.

The expected side applies slotbook's documented rule independently:
  * each civil date's windows are wall-clock times on that date in the provider's zone;
  * a time inside a spring-forward gap is converted with the UTC offset in force before the gap
    (it moves forward by the gap's length); an ambiguous fall-back time takes the earlier instant.
    Both are PEP 495's fold=0 semantics, checked below on the DESIGN.md examples before use;
  * 24:00 is the next local midnight; a window whose converted end is not after its start is
    dropped; intervals are merged when they overlap or touch and clipped to the range;
  * a date exception replaces that day's weekly windows (closed = none) even outside the effective
    dates; an inactive schedule has no hours.

Years run from 2000 to 2120, and one case in five lands in 2500-2999: the TZif files list explicit
transitions only up to 2037, after which slotbook follows each file's POSIX footer rule
(detail/posix_tz.hpp), as zoneinfo does.

Run: python3 availability_zoneinfo_test.py --tools-dir DIR [--seed N] [--cases N]
"""

import argparse
import os
import random
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "America/Santiago",  # transitions at 24:00, so local midnight can be in the gap
    "Asia/Tehran",  # DST at 00:00 until 2022
    "Pacific/Apia",  # 2011-12-30 does not exist; DST until 2021
    "Africa/Casablanca",  # DST suspended during Ramadan (two extra transitions a year)
    "America/Havana",  # DST at 00:00 / 01:00
    "Asia/Kathmandu",  # +05:45
    "America/St_Johns",  # -03:30 with DST
    "Europe/Dublin",  # "negative DST" in the tz source
    "Antarctica/Troll",  # 2-hour DST jump
    "Asia/Gaza",
    "America/Mexico_City",  # no DST since 2022
    "Africa/Nairobi",
    "Australia/Adelaide",  # +09:30 / +10:30
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/Sao_Paulo",  # DST at 00:00 until 2019
    "Asia/Jerusalem",
    "UTC",
]

UTC = timezone.utc


def check_fold_semantics():
    """PEP 495 fold=0 must give the DESIGN.md examples, or the oracle below means nothing."""
    ny = ZoneInfo("America/New_York")
    gap = datetime(2026, 3, 8, 2, 30, tzinfo=ny).astimezone(UTC)
    assert gap == datetime(2026, 3, 8, 7, 30, tzinfo=UTC), gap  # 03:30 EDT
    overlap = datetime(2026, 11, 1, 1, 30, tzinfo=ny).astimezone(UTC)
    assert overlap == datetime(2026, 11, 1, 5, 30, tzinfo=UTC), overlap  # 01:30 EDT


def to_utc(zone, day, minutes):
    wall = datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def hours_on(sched, day):
    if not sched["active"]:
        return []
    if day in sched["exceptions"]:
        return sched["exceptions"][day]  # [] when closed
    if sched["from"] and day < sched["from"]:
        return []
    if sched["until"] and day > sched["until"]:
        return []
    weekday = (day.weekday() + 1) % 7  # Python: Monday = 0; slotbook: Sunday = 0
    return sched["weekly"][weekday]


def expected_expansion(sched, begin, end):
    zone = ZoneInfo(sched["zone"])
    pieces = []
    day = (begin - timedelta(days=3)).date()
    last = (end + timedelta(days=3)).date()
    while day <= last:
        for start, stop in hours_on(sched, day):
            b, e = to_utc(zone, day, start), to_utc(zone, day, stop)
            if b < e:
                pieces.append((b, e))
        day += timedelta(days=1)
    pieces.sort()
    merged = []
    for b, e in pieces:
        if merged and b <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((b, e))
    out = []
    for b, e in merged:
        b, e = max(b, begin), min(e, end)
        if b < e:
            out.append((b, e))
    return out


def transitions(zone_name, year):
    """The instants (to the minute) in `year` at which the zone's UTC offset changes."""
    zone = ZoneInfo(zone_name)
    found = []
    t = datetime(year, 1, 1, tzinfo=UTC)
    previous = t.astimezone(zone).utcoffset()
    while t.year == year:
        t += timedelta(hours=6)
        offset = t.astimezone(zone).utcoffset()
        if offset != previous:
            lo, hi = t - timedelta(hours=6), t  # offset(lo) == previous != offset(hi)
            while hi - lo > timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                if mid.astimezone(zone).utcoffset() == previous:
                    lo = mid
                else:
                    hi = mid
            found.append(hi)
            previous = offset
    return found


def wall_minutes(zone, t):
    """Minutes since local midnight of the wall clock just before and at instant `t`."""
    out = []
    for u in (t - timedelta(seconds=1), t):
        local = u.astimezone(zone)
        out.append(local.hour * 60 + local.minute + (1 if u < t else 0))
    return out


def hhmm(minutes):
    return "%02d:%02d" % (minutes // 60, minutes % 60)


def random_time(rng, focus=()):
    kind = rng.random()
    if focus and kind < 0.5:
        # Around a DST change's wall-clock times, where the gap and overlap rules matter.
        return min(1440, max(0, rng.choice(focus) + rng.choice([0, 0, -30, 30, -60, 60, 15, -15])
                             + rng.randrange(-1, 2) * rng.randrange(0, 20)))
    kind = rng.random()
    if kind < 0.6:
        return rng.randrange(0, 97) * 15  # quarter hours, 00:00 to 24:00
    if kind < 0.8:
        return rng.randrange(0, 6 * 60 + 1)  # the small hours, where DST changes happen
    return rng.randrange(0, 1441)


def random_windows(rng, count, allow_overlap=False, focus=()):
    """Up to `count` non-overlapping (start, end) windows in one day, sorted."""
    cuts = sorted(set(random_time(rng, focus) for _ in range(2 * count)))
    windows = []
    i = 0
    while i + 1 < len(cuts):
        if rng.random() < 0.8:
            windows.append((cuts[i], cuts[i + 1]))
        i += 2 if rng.random() < 0.7 else 1  # sometimes make windows touch
    if rng.random() < 0.1:
        windows = [(0, 1440)]
    if allow_overlap and windows:
        s, e = windows[0]
        windows.append((s, min(1440, e + 30)))
    return windows


def random_case(rng, index):
    zone = rng.choice(ZONES)
    year = rng.randrange(2000, 2120) if rng.random() < 0.8 else rng.randrange(2500, 2999)
    near = transitions(zone, year)
    focus = ()
    change = None
    if near and rng.random() < 0.7:
        change = rng.choice(near)
        focus = tuple(wall_minutes(ZoneInfo(zone), change))
        center = change + timedelta(minutes=rng.choice([0, 0, rng.randrange(-1440, 1440)]))
    else:
        center = datetime(year, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 364 * 1440))
    if zone == "Pacific/Apia" and rng.random() < 0.3:
        center = datetime(2011, 12, 30, 12, tzinfo=UTC)  # the day Samoa skipped
    length = timedelta(minutes=rng.choice([30, 90, 600, 1440, 3 * 1440, 9 * 1440, 40 * 1440]))
    length += timedelta(seconds=rng.randrange(0, 3600))
    begin = center - length * rng.random()
    begin = begin.replace(microsecond=0)
    end = begin + length

    invalid = rng.random() < 0.04
    weekly = {d: [] for d in range(7)}
    for d in range(7):
        weekly[d] = random_windows(rng, rng.randrange(0, 4), allow_overlap=invalid and d == 3,
                                   focus=focus)
    if invalid and not weekly[3]:
        weekly[3] = [(600, 700), (650, 800)]
    exceptions = {}
    for _ in range(rng.randrange(0, 4)):
        day = (begin + timedelta(minutes=rng.randrange(-3 * 1440, int(length.total_seconds() // 60)
                                                        + 3 * 1440))).date()
        if change is not None and rng.random() < 0.3:
            day = change.astimezone(ZoneInfo(zone)).date()  # custom hours on the DST day itself
        exceptions[day] = [] if rng.random() < 0.5 else random_windows(rng, rng.randrange(1, 3),
                                                                        focus=focus)
        if not exceptions[day] and rng.random() < 0.5:
            exceptions[day] = [(0, 1440)]
    eff_from = eff_until = None
    if rng.random() < 0.3:
        eff_from = (begin + timedelta(days=rng.randrange(-5, 10))).date()
    if rng.random() < 0.3:
        eff_until = (begin + timedelta(days=rng.randrange(-2, 15))).date()
        if eff_from and eff_until < eff_from:
            eff_from, eff_until = eff_until, eff_from
    return {
        "index": index,
        "zone": zone,
        "weekly": weekly,
        "exceptions": exceptions,
        "from": eff_from,
        "until": eff_until,
        "active": rng.random() > 0.05,
        "begin": begin,
        "end": end,
        "invalid": invalid,
    }


def fmt_instant(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(case):
    lines = ["zone " + case["zone"]]
    for d in range(7):
        for s, e in case["weekly"][d]:
            lines.append("window %d %s %s" % (d, hhmm(s), hhmm(e)))
    for day, hours in sorted(case["exceptions"].items()):
        if not hours:
            lines.append("closed " + day.isoformat())
        for s, e in hours:
            lines.append("custom %s %s %s" % (day.isoformat(), hhmm(s), hhmm(e)))
    if case["from"]:
        lines.append("from " + case["from"].isoformat())
    if case["until"]:
        lines.append("until " + case["until"].isoformat())
    if not case["active"]:
        lines.append("inactive")
    lines.append("expand %s %s" % (fmt_instant(case["begin"]), fmt_instant(case["end"])))
    return lines


def parse_instant(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools-dir", required=True)
    parser.add_argument("--seed", type=int, default=20260308)
    parser.add_argument("--cases", type=int, default=600)
    args = parser.parse_args()

    check_fold_semantics()
    tool = os.path.join(args.tools_dir, "tool_expand_schedule")
    rng = random.Random(args.seed)
    cases = [random_case(rng, i) for i in range(args.cases)]

    script = []
    for case in cases:
        script.append("reset")
        script.extend(describe(case))
    result = subprocess.run([tool], input="\n".join(script) + "\n", capture_output=True,
                            text=True, timeout=120)
    if result.returncode != 0:
        print("tool_expand_schedule failed (exit %d):\n%s" % (result.returncode, result.stderr))
        return 1

    output = result.stdout.splitlines()
    pos = 0
    failures = 0
    compared = 0
    for case in cases:
        header = output[pos].split(" ", 2)
        pos += 1
        if header[0] == "error":
            got = ("error", header[1])
        else:
            count = int(header[1])
            got = [tuple(parse_instant(x) for x in line.split()) for line in
                   output[pos:pos + count]]
            pos += count
        if case["invalid"]:
            want = ("error", "invalid_argument")
        else:
            want = expected_expansion(case, case["begin"], case["end"])
        compared += 1
        if got != want:
            failures += 1
            if failures <= 5:
                print("MISMATCH in case %d:" % case["index"])
                print("  " + "\n  ".join(describe(case)))
                if isinstance(want, tuple) or isinstance(got, tuple):
                    print("  expected:", want, "\n  got:     ", got)
                else:
                    want_set, got_set = set(want), set(got)
                    for b, e in sorted(want_set - got_set):
                        print("  - expected %s %s" % (fmt_instant(b), fmt_instant(e)))
                    for b, e in sorted(got_set - want_set):
                        print("  + got      %s %s" % (fmt_instant(b), fmt_instant(e)))
    if failures:
        print("%d of %d cases differ (seed %d)" % (failures, compared, args.seed))
        return 1
    intervals = sum(1 for line in output if not line.startswith(("ok", "error")))
    print("%d schedules in %d zones agree with zoneinfo (%d intervals, seed %d)"
          % (compared, len(set(c["zone"] for c in cases)), intervals, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
