#!/usr/bin/env python3
"""Differential test: slotbook's RRULE parse/format/expand against python-dateutil's rrule.

Generates random rules in slotbook's subset (FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, COUNT, UNTIL in
its three forms, BYDAY with and without ordinals, BYMONTHDAY, WKST), spells each one in a random
but valid way (part order, letter case, "RRULE:" prefix, redundant INTERVAL=1/WKST=MO, "+1MO"),
expands it with tool_rrule_expand from a random local DTSTART in zones with awkward DST rules,
and compares with dateutil's rrule built from the same fields:

  * dateutil gets an aware DTSTART (zoneinfo). Each instance is the wall-clock time on its date
    with fold=0, which is PEP 495's version of slotbook's rule (a gap time moves forward by the
    gap, an ambiguous time takes the earlier instant), checked below on the DESIGN.md examples;
  * a UTC UNTIL is an aware UTC datetime (compared as instants); a date UNTIL is 23:59:59 local on
    that date and a local UNTIL a local datetime, both with DTSTART's tzinfo object, so Python
    compares them as wall-clock times (slotbook: "through the end of that local day");
  * occurrences whose UTC start is not after the previous one's are dropped (only when a zone
    skips a calendar day: Pacific/Apia 2011-12-30), then those overlapping the window are kept,
    at most MAX of them (TRUNCATED says more were due);
  * in "always" mode (RFC 5545's DTSTART rule) DTSTART comes first and counts towards COUNT.

The canonical text slotbook prints must equal the spelling computed here from the fields.
About 5% of the cases are invalid rules that must be refused with invalid_argument.

Not generated, because dateutil departs from RFC 5545 there: MONTHLY rules mixing plain and
ordinal BYDAY entries (dateutil intersects them: BYDAY=MO,1FR yields nothing; RFC 5545 and
slotbook take the union), and date-form UNTIL is given to dateutil as 23:59:59 local (dateutil's
rrulestr reads it as local midnight). Both are unit-tested in tests/unit/recurrence_test.cpp.

DTSTART years run from 2000 to 2099: past 2037 both sides continue each zone with its TZif footer
rule (slotbook through detail/posix_tz.hpp, see docs/design.md; zoneinfo natively).

Run: python3 rrule_test.py --tools-dir DIR [--seed N] [--cases N]
"""

import argparse
import os
import random
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import dateutil
from dateutil import rrule as du

UTC = timezone.utc

ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "America/Santiago",  # transitions at 24:00: local midnight can be in the gap
    "Asia/Tehran",  # DST at 00:00 until 2022
    "America/Havana",  # DST at 00:00 / 01:00
    "Europe/Dublin",  # "negative DST" in the tz source
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/St_Johns",  # -03:30 with DST
    "Antarctica/Troll",  # 2-hour DST jump
    "Africa/Casablanca",  # DST suspended during Ramadan
    "Pacific/Apia",  # skipped 2011-12-30
    "Asia/Kathmandu",
    "Africa/Nairobi",
    "America/Mexico_City",  # no DST since 2022
    "UTC",
]

DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]  # Python's weekday() order
DU_DAYS = [du.MO, du.TU, du.WE, du.TH, du.FR, du.SA, du.SU]
FREQS = {"DAILY": du.DAILY, "WEEKLY": du.WEEKLY, "MONTHLY": du.MONTHLY}
SLACK = timedelta(hours=26)


def check_fold_semantics():
    """PEP 495 fold=0 must give the DESIGN.md examples, or the oracle below means nothing."""
    ny = ZoneInfo("America/New_York")
    gap = datetime(2026, 3, 8, 2, 30, tzinfo=ny).astimezone(UTC)
    assert gap == datetime(2026, 3, 8, 7, 30, tzinfo=UTC), gap  # 03:30 EDT
    overlap = datetime(2026, 11, 1, 1, 30, tzinfo=ny).astimezone(UTC)
    assert overlap == datetime(2026, 11, 1, 5, 30, tzinfo=UTC), overlap  # 01:30 EDT


def random_time(rng):
    kind = rng.random()
    if kind < 0.45:  # the small hours, where DST changes happen (and Lord Howe's 02:00-02:30)
        return rng.randrange(0, 4 * 60) * 60
    if kind < 0.55:
        return rng.randrange(23 * 60, 24 * 60) * 60
    if kind < 0.9:
        return rng.randrange(7 * 4, 20 * 4) * 15 * 60  # office quarter hours
    return rng.randrange(0, 86400)  # with seconds


def random_rule(rng):
    """A valid rule in slotbook's subset, as fields."""
    freq = rng.choice(["DAILY", "WEEKLY", "WEEKLY", "MONTHLY", "MONTHLY"])
    r = {"freq": freq, "interval": 1, "count": None, "until": None, "byday": [], "bymonthday": [],
         "wkst": 0}
    if rng.random() < 0.5:
        r["interval"] = {"DAILY": rng.randrange(1, 11), "WEEKLY": rng.randrange(1, 5),
                         "MONTHLY": rng.randrange(1, 5)}[freq]
    if freq == "WEEKLY":
        if rng.random() < 0.6:
            r["byday"] = [(d, 0) for d in rng.sample(range(7), rng.randrange(1, 5))]
        if rng.random() < 0.6:
            r["wkst"] = rng.randrange(7)
    elif freq == "DAILY":
        if rng.random() < 0.25:
            r["byday"] = [(d, 0) for d in rng.sample(range(7), rng.randrange(1, 6))]
        if rng.random() < 0.15 and r["interval"] == 1:
            r["bymonthday"] = rng.sample([d for d in range(-31, 32) if d], rng.randrange(1, 4))
    else:
        kind = rng.random()
        if kind < 0.35:  # ordinals: first Monday, last Friday, ...
            n = rng.randrange(1, 3)
            picks = set()
            while len(picks) < n:
                picks.add((rng.randrange(7), rng.choice([1, 2, 3, 4, -1, -1, -2, 5, -5])))
            r["byday"] = list(picks)
        elif kind < 0.5:  # plain days, possibly with month days (Friday the 13th)
            r["byday"] = [(d, 0) for d in rng.sample(range(7), rng.randrange(1, 3))]
            if rng.random() < 0.4:
                r["bymonthday"] = rng.sample(range(1, 29), rng.randrange(1, 3))
        elif kind < 0.85:
            days = [d for d in range(-31, 32) if d]
            r["bymonthday"] = rng.sample(days, rng.randrange(1, 4))
        if rng.random() < 0.2:
            r["wkst"] = rng.randrange(7)
    return r


def random_bound(rng, r, dtstart, zone):
    kind = rng.random()
    if kind < 0.4:
        r["count"] = rng.randrange(1, 40)
    elif kind < 0.75:
        when = dtstart + timedelta(days=rng.randrange(-3, 500), minutes=rng.randrange(-60, 60))
        form = rng.choice(["utc", "utc", "date", "local"])
        if form == "utc":
            # Sometimes exactly on an occurrence's instant, to test that UNTIL is inclusive.
            local = when.replace(hour=dtstart.hour, minute=dtstart.minute, second=dtstart.second) \
                if rng.random() < 0.5 else when
            r["until"] = ("utc", local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None))
        elif form == "date":
            r["until"] = ("date", when.date())
        else:
            r["until"] = ("local", when.replace(microsecond=0))


def ical_dt(value, kind):
    if kind == "date":
        return value.strftime("%Y%m%d")
    return value.strftime("%Y%m%dT%H%M%S") + ("Z" if kind == "utc" else "")


def canonical(r):
    parts = ["FREQ=" + r["freq"]]
    if r["interval"] != 1:
        parts.append("INTERVAL=%d" % r["interval"])
    if r["count"] is not None:
        parts.append("COUNT=%d" % r["count"])
    if r["until"] is not None:
        parts.append("UNTIL=" + ical_dt(r["until"][1], r["until"][0]))
    if r["byday"]:
        parts.append("BYDAY=" + ",".join(("%d" % n if n else "") + DAY_CODES[d]
                                         for d, n in r["byday"]))
    if r["bymonthday"]:
        parts.append("BYMONTHDAY=" + ",".join(str(d) for d in r["bymonthday"]))
    if r["wkst"] != 0:
        parts.append("WKST=" + DAY_CODES[r["wkst"]])
    return ";".join(parts)


def spelling(rng, r):
    """The same rule as some valid text an author might write."""
    def case(text):
        return text.lower() if rng.random() < 0.1 else text

    parts = [case("FREQ=" + r["freq"])]
    if r["interval"] != 1 or rng.random() < 0.2:
        parts.append("INTERVAL=%s%d" % ("0" if rng.random() < 0.05 else "", r["interval"]))
    if r["count"] is not None:
        parts.append("COUNT=%d" % r["count"])
    if r["until"] is not None:
        parts.append(case("UNTIL=" + ical_dt(r["until"][1], r["until"][0])))
    if r["byday"]:
        parts.append(case("BYDAY=" + ",".join(
            (("+" if n > 0 and rng.random() < 0.3 else "") + "%d" % n if n else "")
            + DAY_CODES[d] for d, n in r["byday"])))
    if r["bymonthday"]:
        parts.append("BYMONTHDAY=" + ",".join(
            ("+" if d > 0 and rng.random() < 0.1 else "") + str(d) for d in r["bymonthday"]))
    if r["wkst"] != 0 or rng.random() < 0.2:
        parts.append(case("WKST=" + DAY_CODES[r["wkst"]]))
    rng.shuffle(parts)
    return ("RRULE:" if rng.random() < 0.5 else "") + ";".join(parts)


INVALID = [
    "FREQ=YEARLY",
    "FREQ=WEEKLY;BYSETPOS=-1;BYDAY=MO",
    "FREQ=DAILY;BYHOUR=9",
    "FREQ=MONTHLY;BYMONTH=1",
    "FREQ=WEEKLY;INTERVAL=0",
    "FREQ=WEEKLY;COUNT=3;UNTIL=20261231T000000Z",
    "FREQ=WEEKLY;FREQ=DAILY",
    "FREQ=WEEKLY;BYDAY=1MO",
    "FREQ=DAILY;BYDAY=-1FR",
    "FREQ=MONTHLY;BYMONTHDAY=0",
    "FREQ=MONTHLY;BYMONTHDAY=32",
    "FREQ=WEEKLY;BYMONTHDAY=1",
    "FREQ=MONTHLY;BYDAY=MO,MO",
    "FREQ=MONTHLY;BYDAY=6MO",
    "FREQ=WEEKLY;COUNT=0",
    "FREQ=WEEKLY;UNTIL=2026-12-31",
    "FREQ=WEEKLY;WKST=XX",
    "BYDAY=MO",
    "FREQ=WEEKLY;",
    "FREQ=WEEKLY;X-NAME=1",
    "",
]


def random_case(rng, index):
    zone_name = rng.choice(ZONES)
    zone = ZoneInfo(zone_name)
    if zone_name == "Pacific/Apia" and rng.random() < 0.5:
        day0 = date(2011, 12, 30) - timedelta(days=rng.randrange(0, 40))
    else:
        day0 = date(rng.randrange(2000, 2100), 1, 1) + timedelta(days=rng.randrange(0, 365))
    tod = random_time(rng)
    dtstart = datetime.combine(day0, time()) + timedelta(seconds=tod)
    r = random_rule(rng)
    random_bound(rng, r, dtstart, zone)
    offset = timedelta(days=rng.choice([-10, 0, 0, rng.randrange(-30, 400)]),
                       minutes=rng.randrange(-600, 600))
    begin = (dtstart.replace(tzinfo=zone).astimezone(UTC) + offset).replace(microsecond=0)
    end = begin + timedelta(days=rng.choice([1, 7, 40, 200, 500]), minutes=rng.randrange(0, 600))
    duration = rng.choice([900, 3000, 3600, 5400, 86400, 2 * 86400 + 3600])
    case = {
        "index": index,
        "zone": zone_name,
        "dtstart": dtstart,
        "duration": duration,
        "begin": begin,
        "end": end,
        "max": rng.choice([1000, 1000, 1000, rng.randrange(0, 6)]),
        "always": rng.random() < 0.1,
        "rule": r,
        "text": spelling(rng, r),
        "invalid": False,
    }
    if rng.random() < 0.05:
        case["invalid"] = True
        case["text"] = rng.choice(INVALID)
    return case


def du_rule(case, with_count=True):
    r = case["rule"]
    zone = ZoneInfo(case["zone"])
    kwargs = {"dtstart": case["dtstart"].replace(tzinfo=zone), "interval": r["interval"],
              "wkst": r["wkst"], "cache": False}
    if r["count"] is not None and with_count:
        kwargs["count"] = r["count"]
    if r["until"] is not None:
        kind, value = r["until"]
        if kind == "utc":
            kwargs["until"] = value.replace(tzinfo=UTC)
        elif kind == "date":
            kwargs["until"] = datetime.combine(value, time(23, 59, 59), tzinfo=zone)
        else:
            kwargs["until"] = value.replace(tzinfo=zone)
    if r["byday"]:
        kwargs["byweekday"] = [DU_DAYS[d](n) if n else DU_DAYS[d] for d, n in r["byday"]]
    if r["bymonthday"]:
        kwargs["bymonthday"] = r["bymonthday"]
    return du.rrule(FREQS[r["freq"]], **kwargs)


def expected(case):
    end = case["end"]
    starts = []
    if case["always"]:
        # RFC 5545: DTSTART first and counted; then the rule's other instances.
        first = case["dtstart"].replace(tzinfo=ZoneInfo(case["zone"]))
        starts.append(first)
        left = None if case["rule"]["count"] is None else case["rule"]["count"] - 1
        for dt in du_rule(case, with_count=False):
            if left is not None and left <= 0:
                break
            if dt.astimezone(UTC) - SLACK >= end:
                break
            if dt == first:
                continue
            starts.append(dt)
            if left is not None:
                left -= 1
    else:
        for dt in du_rule(case):
            if dt.astimezone(UTC) - SLACK >= end:
                break
            starts.append(dt)
    out = []
    previous = None
    length = timedelta(seconds=case["duration"])
    for dt in starts:
        b = dt.astimezone(UTC)
        if previous is not None and b <= previous:
            continue
        previous = b
        if b < end and b + length > case["begin"]:
            out.append((dt.replace(tzinfo=None), b, b + length))
    truncated = len(out) > case["max"]
    return out[:case["max"]], truncated


def fmt_instant(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe(case):
    return "%s %s %d %s %s %d %s %s" % (
        case["zone"], case["dtstart"].strftime("%Y-%m-%dT%H:%M:%S"), case["duration"],
        fmt_instant(case["begin"]), fmt_instant(case["end"]), case["max"],
        "a" if case["always"] else "m", case["text"] or "RRULE:")


def parse_instant(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools-dir", required=True)
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--cases", type=int, default=800)
    args = parser.parse_args()
    print("seed %d (rerun with --seed %d to reproduce)" % (args.seed, args.seed))

    check_fold_semantics()
    tool = os.path.join(args.tools_dir, "tool_rrule_expand")
    rng = random.Random(args.seed)
    cases = [random_case(rng, i) for i in range(args.cases)]
    script = "\n".join(describe(c) for c in cases) + "\n"
    result = subprocess.run([tool], input=script, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        print("tool_rrule_expand failed (exit %d):\n%s" % (result.returncode, result.stderr))
        return 1

    output = result.stdout.splitlines()
    pos = 0
    failures = 0
    occurrences = 0
    for case in cases:
        header = output[pos].split(" ", 4)
        pos += 1
        if header[0] == "error":
            got = ("error", header[1])
        else:
            count = int(header[1])
            rows = [line.split() for line in output[pos:pos + count]]
            pos += count
            got = ([(datetime.strptime(a, "%Y-%m-%dT%H:%M:%S"), parse_instant(b), parse_instant(c))
                    for a, b, c in rows], header[2] == "1", header[3])
        if case["invalid"]:
            want = ("error", "invalid_argument")
        else:
            occ, truncated = expected(case)
            want = (occ, truncated, canonical(case["rule"]))
            occurrences += len(occ)
        if got != want:
            failures += 1
            if failures <= 5:
                print("MISMATCH in case %d:\n  %s" % (case["index"], describe(case)))
                if isinstance(want[0], str) or isinstance(got[0], str):
                    print("  expected:", want, "\n  got:     ", got)
                else:
                    if want[1:] != got[1:]:
                        print("  expected truncated/canonical:", want[1:], "got:", got[1:])
                    for row in sorted(set(want[0]) - set(got[0])):
                        print("  - expected %s %s" % (row[0], fmt_instant(row[1])))
                    for row in sorted(set(got[0]) - set(want[0])):
                        print("  + got      %s %s" % (row[0], fmt_instant(row[1])))
    if failures:
        print("%d of %d cases differ (seed %d)" % (failures, len(cases), args.seed))
        return 1
    print("%d rules in %d zones agree with dateutil %s (%d occurrences, %d invalid, seed %d)"
          % (len(cases), len(set(c["zone"] for c in cases)), dateutil.__version__, occurrences,
             sum(c["invalid"] for c in cases), args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
