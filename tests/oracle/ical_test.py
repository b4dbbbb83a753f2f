#!/usr/bin/env python3
"""Oracle test: slotbook's iCalendar export, read by python3-icalendar, and imported back.

Generates random calendars (sessions in every status, recurring series with cancelled
occurrences, summaries with escaping-relevant characters, long lines, 2-, 3- and 4-byte UTF-8,
control characters and invalid UTF-8), exports each with tool_ical_export and checks:

  * the raw bytes: CRLF line ends only, no physical line over 75 octets, every physical line valid
    UTF-8 on its own (a fold never splits a character), continuation lines start with one space;
  * icalendar.Calendar.from_ical reads it, and every field matches what was put in: UID from the
    id and domain, DTSTAMP, SEQUENCE, STATUS, DTSTART/DTEND as instants (TZID form in zone mode,
    UTC when the local time is ambiguous), SUMMARY/DESCRIPTION/LOCATION after escaping
    (text is expected as Python decodes it with errors="replace", line breaks as LF, other control
    characters dropped), VALARM triggers, and for a series DTSTART = its first occurrence per
    dateutil, DURATION, the RRULE text and EXDATE = the local starts of the cancelled ones;
  * each TZID has a VTIMEZONE whose observances agree with zoneinfo at every listed transition
    (TZID wall-clock times are resolved with zoneinfo, not icalendar's pytz zones, which get
    offsets after 2037 wrong);
  * importing the export with slotbook gives the busy times computed here: sessions that are not
    cancelled, and series occurrences (dateutil, fold=0 for DST edges) minus cancelled ones.

Run: python3 ical_test.py --tools-dir DIR [--seed N] [--cases N]
"""

import argparse
import os
import random
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
from dateutil import rrule as du

UTC = timezone.utc
ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago",
         "Africa/Nairobi", "Asia/Kathmandu", "Pacific/Chatham", "UTC"]
STATUSES = ["pending_payment", "scheduled", "confirmed", "in_progress", "completed", "cancelled",
            "no_show"]
ICAL_STATUS = {"pending_payment": "TENTATIVE", "cancelled": "CANCELLED"}
DOMAIN = "clinic.example"

PIECES = [b"Session", b" with ", b"Dr. Achieng", b";", b",", b"\\", b"\n", b"\r\n", b"\r", b"\t",
          b":", b'"', "é".encode(), "Grüße".encode(), "—".encode(), "日本語".encode(),
          "🙂".encode(), "ŉ".encode(), b"\x07", b"\x7f", b"\x00", b"\xe2\x82", b"\xff", b"\xc3",
          b"\xed\xa0\x80", b"\xf0\x9f", b"long text " * 9]


def random_text(rng):
    if rng.random() < 0.15:
        return b""
    return b"".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 14)))


def expected_text(raw):
    s = raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in s if not ((ord(c) < 0x20 and c not in "\t\n") or ord(c) == 0x7f))


def fmt_instant(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def random_instant(rng, base):
    t = base + timedelta(minutes=5 * rng.randrange(0, 12 * 24 * 200))
    if rng.random() < 0.2:  # the hours around New York's and London's 2026 changes
        t = rng.choice([datetime(2026, 11, 1, 5, 30, tzinfo=UTC), datetime(2026, 11, 1, 6, 30,
                        tzinfo=UTC), datetime(2026, 3, 8, 6, 45, tzinfo=UTC),
                        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
                        datetime(2026, 10, 25, 1, 30, tzinfo=UTC)])
    return t


SERIES_RULES = [
    "FREQ=WEEKLY;COUNT={n}",
    "FREQ=WEEKLY;COUNT={n};BYDAY=MO,TH",
    "FREQ=WEEKLY;INTERVAL=2;COUNT={n};BYDAY=TU,SU;WKST=SU",
    "FREQ=WEEKLY;UNTIL={until}",
    "FREQ=WEEKLY;BYDAY=WE",
    "FREQ=MONTHLY;COUNT={n};BYDAY=-1FR",
    "FREQ=MONTHLY;COUNT={n};BYDAY=1MO",
    "FREQ=MONTHLY;COUNT={n};BYMONTHDAY=15,-1",
    "FREQ=MONTHLY;UNTIL={until};BYMONTHDAY=31",
    "FREQ=DAILY;INTERVAL=3;COUNT={n}",
]


def series_occurrences(s, limit=400):
    zone = ZoneInfo(s["zone"])
    start = datetime.combine(s["date"], datetime.min.time()) + timedelta(seconds=s["time"])
    rule = du.rrulestr(s["rule"], dtstart=start.replace(tzinfo=zone))
    out = []
    for dt in rule:
        out.append(dt)
        if len(out) >= limit:
            break
    return out


def random_case(rng, index):
    # Mostly 2026; sometimes far ahead, where zones run on their TZif footer rules (after 2037).
    year = 2026 if rng.random() < 0.7 else rng.randrange(2027, 2090)
    now = datetime(year, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 300 * 1440))
    case = {"index": index, "now": now, "times": rng.choice(["utc", "zone"]),
            "zone": rng.choice(ZONES), "alarms": rng.choice([[1440, 120, 15], [], [60], [90, 10]]),
            "sessions": [], "series": [], "error": None}
    for i in range(rng.randrange(0, 4)):
        start = random_instant(rng, now - timedelta(days=5))
        case["sessions"].append({
            "id": rng.randrange(1, 10**12), "start": start,
            "minutes": rng.choice([15, 30, 50, 60, 90]), "status": rng.choice(STATUSES),
            "reschedules": rng.randrange(0, 4), "created": now - timedelta(days=3),
            "updated": now - timedelta(hours=rng.randrange(0, 48)),
            "sequence": rng.randrange(0, 9) if rng.random() < 0.2 else None,
            "summary": random_text(rng), "description": random_text(rng),
            "location": random_text(rng) if rng.random() < 0.3 else b""})
    for i in range(rng.randrange(0, 3)):
        day = (now + timedelta(days=rng.randrange(-20, 60))).date()
        until = (now + timedelta(days=rng.randrange(20, 300))).strftime("%Y%m%dT%H%M%SZ")
        s = {"id": rng.randrange(1, 10**12),
             "rule": rng.choice(SERIES_RULES).format(n=rng.randrange(1, 15), until=until),
             "date": day, "time": rng.choice([9 * 3600, 17 * 3600 + 1800, 2 * 3600 + 1800,
                                              3600 + 1800, 0]),
             "zone": rng.choice([z for z in ZONES]), "minutes": rng.choice([30, 50, 60]),
             "status": rng.choice(["scheduled", "scheduled", "confirmed", "pending_payment",
                                   "cancelled"]),
             "sequence": rng.randrange(0, 5), "summary": random_text(rng),
             "description": random_text(rng), "location": b""}
        occ = series_occurrences(s)
        s["occurrences"] = occ
        if not occ:
            case["error"] = "invalid_argument"  # a series without occurrences cannot be exported
        picks = rng.sample(range(min(len(occ), 20)), min(len(occ), rng.randrange(0, 3))) if occ \
            else []
        s["cancelled"] = [occ[i].astimezone(UTC) for i in sorted(picks)]
        if rng.random() < 0.03 and occ:
            s["cancelled"].append(occ[0].astimezone(UTC) + timedelta(minutes=7))
            case["error"] = "invalid_argument"
        case["series"].append(s)
    case["domain"] = DOMAIN
    if rng.random() < 0.02:
        case["domain"] = "bad_domain!"
        case["error"] = "invalid_argument"
    return case


def describe(case):
    lines = ["options domain=%s times=%s zone=%s alarms=%s now=%s" % (
        case["domain"], case["times"], case["zone"], ",".join(str(a) for a in case["alarms"]),
        fmt_instant(case["now"]))]
    for s in case["sessions"]:
        line = ("session id=%d start=%s minutes=%d status=%s reschedules=%d created=%s updated=%s "
                "summary=%s description=%s location=%s") % (
            s["id"], fmt_instant(s["start"]), s["minutes"], s["status"], s["reschedules"],
            fmt_instant(s["created"]), fmt_instant(s["updated"]), s["summary"].hex(),
            s["description"].hex(), s["location"].hex())
        if s["sequence"] is not None:
            line += " sequence=%d" % s["sequence"]
        lines.append(line)
    for s in case["series"]:
        lines.append(("series id=%d rule=%s date=%s time=%02d:%02d:%02d zone=%s minutes=%d "
                      "status=%s sequence=%d cancelled=%s summary=%s description=%s location=")
                     % (s["id"], s["rule"], s["date"].isoformat(), s["time"] // 3600,
                        s["time"] % 3600 // 60, s["time"] % 60, s["zone"], s["minutes"],
                        s["status"], s["sequence"], ",".join(fmt_instant(c) for c in s["cancelled"]),
                        s["summary"].hex(), s["description"].hex()))
    lines.append("export")
    window = (case["now"] - timedelta(days=40), case["now"] + timedelta(days=400))
    case["window"] = window
    lines.append("import zone=%s begin=%s end=%s" % (case["zone"], fmt_instant(window[0]),
                                                      fmt_instant(window[1])))
    return lines


class Mismatch(Exception):
    pass


def expect(condition, what):
    if not condition:
        raise Mismatch(what)


def check_bytes(data):
    expect(data.endswith(b"\r\n"), "the calendar does not end with CRLF")
    physical = data[:-2].split(b"\r\n")
    for i, line in enumerate(physical):
        expect(b"\n" not in line and b"\r" not in line, "bare CR or LF in line %d" % (i + 1))
        expect(len(line) <= 75, "line %d has %d octets: %r" % (i + 1, len(line), line))
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            raise Mismatch("line %d is not valid UTF-8 on its own (split sequence?)" % (i + 1))
        if line.startswith(b" "):
            expect(i > 0, "the first line is a continuation")
    # Unfolded content lines, for checks on the exact text.
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def to_utc(value, tzid=None):
    """The instant of a date-time icalendar read. With a TZID the wall-clock time is resolved here
    with zoneinfo (fold=0: RFC 5545's rule), not with the pytz zone icalendar attached: pytz reads
    the TZif transitions without the footer rule, so it gets offsets after 2037 wrong."""
    expect(value.tzinfo is not None, "floating date-time %r" % value)
    if tzid is not None:
        return value.replace(tzinfo=None).replace(tzinfo=ZoneInfo(str(tzid))).astimezone(UTC)
    return value.astimezone(UTC)


def local_naive(t, zone_name):
    return t.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


def unambiguous(t, zone_name):
    """The wall-clock time of `t` happens once (so slotbook writes it with TZID, not in UTC)."""
    zone = ZoneInfo(zone_name)
    naive = local_naive(t, zone_name)
    return naive.replace(tzinfo=zone, fold=0).utcoffset() == \
        naive.replace(tzinfo=zone, fold=1).utcoffset()


def check_vtimezones(cal, tzids):
    found = {}
    for vtz in cal.walk("VTIMEZONE"):
        name = str(vtz["TZID"])
        found[name] = vtz
        zone = ZoneInfo(name)
        for i, obs in enumerate(vtz.subcomponents):
            start = obs["DTSTART"].dt
            before = obs["TZOFFSETFROM"].td
            after = obs["TZOFFSETTO"].td
            instant = (start - before).replace(tzinfo=UTC)
            expect(instant.astimezone(zone).utcoffset() == after,
                   "VTIMEZONE %s: offset at %s is not %s" % (name, start, after))
            if i > 0:
                expect((instant - timedelta(seconds=1)).astimezone(zone).utcoffset() == before,
                       "VTIMEZONE %s: offset before %s is not %s" % (name, start, before))
            expect(obs.name == ("DAYLIGHT" if (instant.astimezone(zone).dst() or timedelta(0))
                                != timedelta(0) else "STANDARD"),
                   "VTIMEZONE %s: %s at %s" % (name, obs.name, start))
    for name in tzids:
        expect(name in found, "TZID %s has no VTIMEZONE" % name)


def rfc_unescape(value):
    """RFC 5545 TEXT unescaping in one pass. python3-icalendar 4.0.3 unescapes with a chain of
    str.replace calls, so it misreads text holding a backslash ("a\\\\nb", an escaped backslash
    and "nb", comes back with a newline; "\\\\\\\\" with one backslash): values holding a
    backslash are checked with this function only."""
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\":
            expect(i + 1 < len(value) and value[i + 1] in "nN\\;,",
                   "TEXT %r has a backslash that escapes nothing" % value)
            out.append("\n" if value[i + 1] in "nN" else value[i + 1])
            i += 2
        else:
            expect(value[i] not in ";,", "TEXT %r has an unescaped %r" % (value, value[i]))
            out.append(value[i])
            i += 1
    return "".join(out)


def icalendar_reads_it(text):
    return "\\" not in text


def raw_blocks(lines):
    """Each VEVENT's own (not its VALARMs') unfolded property values, by name."""
    blocks, current, depth = [], None, 0
    for line in lines:
        if line == "BEGIN:VEVENT":
            current, depth = {}, 0
            blocks.append(current)
        elif line == "END:VEVENT":
            current = None
        elif current is not None and line.startswith("BEGIN:"):
            depth += 1
        elif current is not None and line.startswith("END:"):
            depth -= 1
        elif current is not None and depth == 0:
            name, _, value = line.partition(":")
            current.setdefault(name.split(";")[0], value)
    return blocks


def check_alarms(event, alarms, status, summary):
    text = summary if summary else "Reminder"
    readable = icalendar_reads_it(text)
    got = [(a["ACTION"], str(a["DESCRIPTION"]) if readable else "", a["TRIGGER"].dt)
           for a in event.walk("VALARM")]
    want = []
    if status in ("scheduled", "confirmed"):
        want = [("DISPLAY", text if readable else "", -timedelta(minutes=m))
                for m in sorted(alarms, reverse=True)]
    expect(got == want, "alarms %r, expected %r" % (got, want))


def check_text(event, block, name, raw):
    want = expected_text(raw)
    mine = rfc_unescape(block.get(name, ""))
    expect(mine == want, "%s as written %r, expected %r" % (name, block.get(name), want))
    if icalendar_reads_it(want):
        got = str(event.get(name, ""))
        expect(got == want, "%s read by icalendar %r, expected %r" % (name, got, want))


def check_export(case, data):
    lines = check_bytes(data)
    cal = icalendar.Calendar.from_ical(data)
    expect(str(cal["VERSION"]) == "2.0", "VERSION")
    expect(str(cal["PRODID"]) == "-//slotbook//slotbook//EN", "PRODID")
    events = cal.walk("VEVENT")
    expect(len(events) == len(case["sessions"]) + len(case["series"]), "event count")
    tzids = set(m.group(1) for m in (re.match(r"^[A-Z-]+;TZID=([^:;]+)", l) for l in lines) if m)
    check_vtimezones(cal, tzids)
    stamp = case["now"]
    blocks = raw_blocks(lines)
    expect(len(blocks) == len(events), "VEVENT blocks")
    for s, e, block in zip(case["sessions"], events, blocks):
        expect(str(e["UID"]) == "session-%d@%s" % (s["id"], DOMAIN), "UID %s" % e["UID"])
        expect(to_utc(e["DTSTAMP"].dt) == stamp, "DTSTAMP")
        seq = s["sequence"] if s["sequence"] is not None else s["reschedules"]
        expect(int(e["SEQUENCE"]) == seq, "SEQUENCE %s, expected %d" % (e["SEQUENCE"], seq))
        expect(str(e["STATUS"]) == ICAL_STATUS.get(s["status"], "CONFIRMED"), "STATUS")
        end = s["start"] + timedelta(minutes=s["minutes"])
        for name, t in (("DTSTART", s["start"]), ("DTEND", end)):
            value = e[name].dt
            tzid = e[name].params.get("TZID")
            expect(to_utc(value, tzid) == t, "%s %s, expected %s" % (name, value, fmt_instant(t)))
            zoned = case["times"] == "zone" and unambiguous(t, case["zone"])
            expect(tzid == (case["zone"] if zoned else None),
                   "%s TZID %r (zone mode %s)" % (name, tzid, case["times"]))
        for name in ("SUMMARY", "DESCRIPTION", "LOCATION"):
            check_text(e, block, name, s[name.lower()])
        check_alarms(e, case["alarms"], s["status"], expected_text(s["summary"]))
    n = len(case["sessions"])
    for s, e, block in zip(case["series"], events[n:], blocks[n:]):
        expect(str(e["UID"]) == "series-%d@%s" % (s["id"], DOMAIN), "series UID")
        expect(int(e["SEQUENCE"]) == s["sequence"], "series SEQUENCE")
        expect(str(e["STATUS"]) == ICAL_STATUS.get(s["status"], "CONFIRMED"), "series STATUS")
        first = s["occurrences"][0]
        expect(e["DTSTART"].params.get("TZID") == s["zone"], "series DTSTART TZID")
        expect(e["DTSTART"].dt.replace(tzinfo=None) == first.replace(tzinfo=None),
               "series DTSTART %s, expected %s" % (e["DTSTART"].dt, first))
        expect(e["DURATION"].dt == timedelta(minutes=s["minutes"]), "series DURATION")
        rrule_lines = [l for l in lines if l.startswith("RRULE:")]
        expect("RRULE:" + s["rule"] in rrule_lines, "RRULE line for %s" % s["rule"])
        exdates = []
        if "EXDATE" in e:
            for group in (e["EXDATE"] if isinstance(e["EXDATE"], list) else [e["EXDATE"]]):
                expect(group.params.get("TZID") == s["zone"], "EXDATE TZID")
                exdates.extend(d.dt.replace(tzinfo=None) for d in group.dts)
        # Nominal local starts: an occurrence in a DST gap keeps its nominal time.
        nominal = {o.astimezone(UTC): o.replace(tzinfo=None) for o in s["occurrences"]}
        want = sorted(set(nominal[c] for c in s["cancelled"]))
        expect(sorted(exdates) == want, "EXDATE %s, expected %s" % (exdates, want))
        for name in ("SUMMARY", "DESCRIPTION"):
            check_text(e, block, name, s[name.lower()])
        check_alarms(e, case["alarms"], s["status"], expected_text(s["summary"]))


def expected_busy(case):
    begin, end = case["window"]
    out = []
    for s in case["sessions"]:
        if s["status"] == "cancelled":
            continue
        b, e = s["start"], s["start"] + timedelta(minutes=s["minutes"])
        if b < end and e > begin:
            out.append((b, e, "session-%d@%s" % (s["id"], DOMAIN)))
    for s in case["series"]:
        if s["status"] == "cancelled":
            continue
        zone = ZoneInfo(s["zone"])
        start = datetime.combine(s["date"], datetime.min.time()) + timedelta(seconds=s["time"])
        for dt in du.rrulestr(s["rule"], dtstart=start.replace(tzinfo=zone)):
            b = dt.astimezone(UTC)
            if b >= end:
                break
            e = b + timedelta(minutes=s["minutes"])
            if b in s["cancelled"] or e <= begin:
                continue
            out.append((b, e, "series-%d@%s" % (s["id"], DOMAIN)))
    return sorted(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools-dir", required=True)
    parser.add_argument("--seed", type=int, default=20260115)
    parser.add_argument("--cases", type=int, default=300)
    args = parser.parse_args()
    print("seed %d (rerun with --seed %d to reproduce)" % (args.seed, args.seed))

    rng = random.Random(args.seed)
    cases = [random_case(rng, i) for i in range(args.cases)]
    script = "\n".join(l for c in cases for l in describe(c)) + "\n"
    tool = os.path.join(args.tools_dir, "tool_ical_export")
    result = subprocess.run([tool], input=script.encode(), capture_output=True, timeout=300)
    if result.returncode != 0:
        print("tool_ical_export failed (exit %d):\n%s" % (result.returncode,
                                                          result.stderr.decode(errors="replace")))
        return 1
    out = result.stdout
    pos = 0

    def next_line():
        nonlocal pos
        nl = out.index(b"\n", pos)
        line = out[pos:nl].decode()
        pos = nl + 1
        return line

    failures = 0
    events = busy_total = 0
    for case in cases:
        try:
            header = next_line()
            if case["error"]:
                expect(header.startswith("error " + case["error"]),
                       "expected an error, got %r" % header[:80])
                header = next_line()  # the import of the previous export: not checked
                for _ in range(int(header.split()[1]) if header.startswith("ok ") else 0):
                    next_line()
                continue
            expect(header.startswith("ok "), "export failed: %s" % header)
            size = int(header.split()[1])
            data = out[pos:pos + size]
            pos += size + 1
            check_export(case, data)
            events += len(case["sessions"]) + len(case["series"])
            header = next_line()
            expect(header.startswith("ok "), "import failed: %s" % header)
            got = []
            for _ in range(int(header.split()[1])):
                b, e, all_day, uid = next_line().split()
                got.append((parse_instant(b), parse_instant(e), bytes.fromhex(uid).decode()))
            want = expected_busy(case)
            busy_total += len(want)
            if got != want:
                lines = ["busy times differ after the round trip:"]
                lines += ["  - expected %s %s %s" % (fmt_instant(b), fmt_instant(e), u)
                          for b, e, u in sorted(set(want) - set(got))]
                lines += ["  + got      %s %s %s" % (fmt_instant(b), fmt_instant(e), u)
                          for b, e, u in sorted(set(got) - set(want))]
                raise Mismatch("\n".join(lines))
        except Mismatch as m:
            # The tool's output cannot be followed reliably past a mismatch: report and stop.
            print("MISMATCH in case %d: %s\n  %s" % (case["index"], m, "\n  ".join(describe(case))))
            failures += 1
            break
    if failures:
        print("%d of %d calendars differ (seed %d)" % (failures, len(cases), args.seed))
        return 1
    print("%d calendars (%d events, %d busy times after the round trip) read back by icalendar %s "
          "(seed %d)" % (len(cases), events, busy_total, icalendar.__version__, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
