"""External busy time from Python: reading an iCalendar file with import_busy_times (the file is
written by python3-icalendar, an independent implementation), storing it with
BookingService.import_busy, and the slots, bookings and errors that follow.

The world (see `make_service`): now is Monday 2026-01-05 08:00Z; provider 42 works weekdays
09:00-17:00 in Nairobi (UTC+3 all year: 06:00-14:00Z), free 60-minute slots on the hour, at
least 24 h and at most 30 days ahead. So on Monday 2026-01-12 its slots start at 06:00, 07:00,
..., 13:00Z.
"""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta

import icalendar
import pytest
from conftest import NAIROBI, span, utc

import slotbook
from slotbook import Actor

PROVIDER = 42
START = utc(2026, 1, 5, 8)
MONDAY = slotbook.Interval(utc(2026, 1, 11, 21), utc(2026, 1, 12, 21))  # the Nairobi day
WEEK = slotbook.Interval(utc(2026, 1, 11, 21), utc(2026, 1, 18, 21))
ME = Actor.provider(PROVIDER)


def make_service(store=None):
    clock = slotbook.SettableClock(START)
    service = slotbook.BookingService(store or slotbook.MemoryStore(), clock)
    days = [slotbook.Weekday(d) for d in range(1, 6)]
    service.put_provider(Actor.system(), slotbook.ProviderProfile(
        id=PROVIDER, name="Dr. Wanjiru",
        hours=slotbook.Schedule(NAIROBI, [slotbook.WeeklyWindow(d, "09:00", "17:00") for d in days])))
    return service, clock


def calendar(*events) -> str:
    """An .ics text written by python3-icalendar from (uid, start, end, extra properties)."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//slotbook tests//EN")
    cal.add("version", "2.0")
    for uid, start, end, extra in events:
        e = icalendar.Event()
        e.add("uid", uid)
        e.add("dtstamp", utc(2026, 1, 1))
        e.add("dtstart", start)
        e.add("dtend", end)
        for name, value in extra.items():
            e.add(name, value)
        cal.add_component(e)
    return cal.to_ical().decode("utf-8")


def busy_starts(service) -> list[datetime]:
    return [s.time.begin for s in service.slots(PROVIDER, MONDAY) if not s.available]


def test_events_written_by_icalendar_are_read_as_busy_intervals_in_utc():
    text = calendar(
        ("dentist", datetime(2026, 1, 12, 10, tzinfo=NAIROBI), datetime(2026, 1, 12, 11, tzinfo=NAIROBI),
         {"summary": "Dentist"}),
        ("free", utc(2026, 1, 12, 9), utc(2026, 1, 12, 10), {"transp": "TRANSPARENT"}),
        ("gym", utc(2026, 1, 13, 12), utc(2026, 1, 13, 13), {}),
    )
    # python3-icalendar names a ZoneInfo zone by its abbreviation ("EAT"), which is no IANA name:
    # without an alias the import refuses rather than guess, and says how to fix it.
    with pytest.raises(slotbook.InvalidArgumentError, match="zone_aliases"):
        slotbook.import_busy_times(text, NAIROBI, WEEK)
    found = slotbook.import_busy_times(text, NAIROBI, WEEK, zone_aliases={"EAT": "Africa/Nairobi"})
    assert found.skipped == ()
    assert [(b.uid, b.utc) for b in found.busy] == [
        ("dentist", span(utc(2026, 1, 12, 7))),
        ("gym", span(utc(2026, 1, 13, 12))),
    ]
    assert found.busy[0].summary == "Dentist"
    assert found.busy[0].all_day is False


def test_imported_busy_time_makes_its_slots_unavailable_and_bookings_conflict():
    service, _ = make_service()
    text = calendar(("dentist", utc(2026, 1, 12, 7), utc(2026, 1, 12, 8, 30), {}))
    found = slotbook.import_busy_times(text, "Africa/Nairobi", WEEK)
    done = service.import_busy(ME, PROVIDER, "google:work", WEEK, found.busy)
    assert (done.stored, done.removed, done.clashes) == (1, 0, ())
    # 07:00-08:30Z covers the 07:00 and 08:00 slots.
    assert busy_starts(service) == [utc(2026, 1, 12, 7), utc(2026, 1, 12, 8)]
    with pytest.raises(slotbook.ConflictError, match='external calendar "google:work"'):
        service.book(Actor.client(7), slotbook.BookingRequest(
            provider=PROVIDER, client=7, scheduled_at=utc(2026, 1, 12, 8)))
    (block,) = service.busy_blocks(ME, PROVIDER, WEEK)
    assert block == slotbook.BusyBlock(
        provider=PROVIDER, source="google:work", uid="dentist",
        time=slotbook.Interval(utc(2026, 1, 12, 7), utc(2026, 1, 12, 8, 30)), imported_at=START)
    assert pickle.loads(pickle.dumps(block)) == block


def test_a_second_import_of_the_same_source_replaces_the_first():
    service, _ = make_service()
    first = slotbook.import_busy_times(
        calendar(("a", utc(2026, 1, 12, 7), utc(2026, 1, 12, 8), {})), NAIROBI, WEEK)
    service.import_busy(ME, PROVIDER, "work", WEEK, first.busy)
    second = slotbook.import_busy_times(
        calendar(("b", utc(2026, 1, 12, 10), utc(2026, 1, 12, 11), {})), NAIROBI, WEEK)
    done = service.import_busy(ME, PROVIDER, "work", WEEK, second.busy)
    assert (done.stored, done.removed) == (1, 1)
    assert busy_starts(service) == [utc(2026, 1, 12, 10)]


def test_a_session_already_booked_is_reported_as_a_clash_and_stays_booked():
    service, _ = make_service()
    booked = service.book(Actor.client(7), slotbook.BookingRequest(
        provider=PROVIDER, client=7, scheduled_at=utc(2026, 1, 12, 7)))
    busy = [slotbook.BusyTime(utc=span(utc(2026, 1, 12, 7, 30)), uid="late")]
    done = service.import_busy(ME, PROVIDER, "work", WEEK, busy)
    assert [s.id for s in done.clashes] == [booked.session]
    assert service.get_session(ME, booked.session).status is slotbook.SessionStatus.SCHEDULED


def test_blocks_round_trip_through_an_sqlite_file(tmp_path):
    path = tmp_path / "clinic.db"
    service, _ = make_service(slotbook.SqliteStore(path))
    busy = [slotbook.BusyTime(utc=span(utc(2026, 1, 12, 7)), uid="u1", all_day=False),
            slotbook.BusyTime(utc=slotbook.Interval(utc(2026, 1, 13, 21), utc(2026, 1, 14, 21)),
                              uid="holiday", all_day=True)]
    service.import_busy(ME, PROVIDER, "work", WEEK, busy)
    del service
    again, _ = make_service(slotbook.SqliteStore(path))
    blocks = again.busy_blocks(ME, PROVIDER, WEEK)
    assert [(b.uid, b.time, b.all_day) for b in blocks] == [
        ("u1", span(utc(2026, 1, 12, 7)), False),
        ("holiday", slotbook.Interval(utc(2026, 1, 13, 21), utc(2026, 1, 14, 21)), True),
    ]


def test_bad_input_raises_the_right_error_naming_the_field_or_line():
    service, _ = make_service()
    with pytest.raises(slotbook.InvalidArgumentError, match="ics line"):
        slotbook.import_busy_times("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:nonsense\r\n",
                                   NAIROBI, WEEK)
    with pytest.raises(slotbook.InvalidArgumentError, match="zone"):
        slotbook.import_busy_times("", "Mars/Olympus", WEEK)
    with pytest.raises(slotbook.InvalidArgumentError, match="source"):
        service.import_busy(ME, PROVIDER, "", WEEK, [])
    outside = [slotbook.BusyTime(utc=span(utc(2026, 2, 2, 7)), uid="later")]
    with pytest.raises(slotbook.InvalidArgumentError, match=r"busy\[0\]"):
        service.import_busy(ME, PROVIDER, "work", WEEK, outside)
    with pytest.raises(slotbook.ForbiddenError):
        service.import_busy(Actor.client(7), PROVIDER, "work", WEEK, [])
    with pytest.raises(slotbook.NotFoundError):
        service.import_busy(Actor.system(), 99, "work", WEEK, [])
    with pytest.raises(slotbook.InvalidArgumentError, match="naive"):
        slotbook.BusyTime(utc=slotbook.Interval(datetime(2026, 1, 12, 7), datetime(2026, 1, 12, 8)))
    assert service.busy_blocks(ME, PROVIDER, WEEK) == []


def test_an_unsupported_event_is_skipped_on_request_and_listed_with_its_line():
    text = calendar(("birthday", datetime(2026, 1, 13).date(), datetime(2026, 1, 14).date(),
                     {"rrule": {"freq": "yearly"}}),
                    ("gym", utc(2026, 1, 13, 12), utc(2026, 1, 13, 13), {}))
    with pytest.raises(slotbook.InvalidArgumentError, match="YEARLY"):
        slotbook.import_busy_times(text, NAIROBI, WEEK)
    found = slotbook.import_busy_times(text, NAIROBI, WEEK, skip_unsupported=True)
    assert [b.uid for b in found.busy] == ["gym"]
    assert [s.uid for s in found.skipped] == ["birthday"]
    assert found.skipped[0].line > 0
