"""Instants, intervals, zones and civil time: datetime in, UTC datetime out, one DST rule."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from conftest import BERLIN, NAIROBI, NEW_YORK, UTC, span, utc

import slotbook


def test_a_naive_datetime_is_rejected_naming_the_argument():
    naive = datetime(2026, 1, 15, 10)
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^t: .*naive datetime"):
        slotbook.format_instant(naive)
    with pytest.raises(ValueError, match=r"^begin: .*naive"):
        slotbook.make_interval(naive, timedelta(hours=1))
    with pytest.raises(ValueError, match=r"^end: .*naive"):
        slotbook.make_interval(utc(2026, 1, 15), naive)
    hours = slotbook.Availability(
        slotbook.Schedule("UTC", [slotbook.WeeklyWindow(slotbook.Weekday.MONDAY, "09:00", "17:00")])
    )
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^now: .*naive"):
        slotbook.generate_slots(hours, [], slotbook.SlotRules(), span(utc(2026, 1, 12), 1440), naive)


def test_a_naive_datetime_in_a_value_type_is_rejected_naming_the_field():
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^Interval\.end: .*naive"):
        slotbook.Interval(utc(2026, 1, 15), datetime(2026, 1, 16))
    with pytest.raises(ValueError, match=r"^BookingRequest\.scheduled_at: .*naive"):
        slotbook.BookingRequest(provider=1, client=2, scheduled_at=datetime(2026, 1, 16, 9))
    with pytest.raises(ValueError, match=r"^Session\.joined_at: .*naive"):
        slotbook.Session(joined_at=datetime(2026, 1, 16, 9))


def test_a_datetime_with_microseconds_is_rejected_naming_the_argument():
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^begin: .*500000 microseconds"):
        slotbook.make_interval(datetime(2026, 1, 15, 10, 0, 0, 500000, tzinfo=UTC), timedelta(hours=1))
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^Interval\.begin: "):
        slotbook.Interval(datetime(2026, 1, 15, 10, 0, 0, 1, tzinfo=UTC), utc(2026, 1, 16))


def test_an_aware_datetime_in_any_zone_becomes_the_same_utc_instant():
    # 13:00 in Nairobi (UTC+3), 05:00 in New York in January (EST, UTC-5) and a fixed -05:00
    # offset are all 10:00 UTC.
    for t in (
        datetime(2026, 1, 15, 13, tzinfo=NAIROBI),
        datetime(2026, 1, 15, 5, tzinfo=NEW_YORK),
        datetime(2026, 1, 15, 5, tzinfo=timezone(timedelta(hours=-5))),
    ):
        i = slotbook.make_interval(t, timedelta(hours=1))
        assert i.begin == utc(2026, 1, 15, 10)
        assert i.begin.tzinfo is timezone.utc
        assert i.end == utc(2026, 1, 15, 11)


def test_parse_instant_reads_offsets_and_names_the_field_of_bad_text():
    assert slotbook.parse_instant("2026-01-15T13:00:00+03:00") == utc(2026, 1, 15, 10)
    assert slotbook.parse_instant("2026-01-15T10:00:00Z").tzinfo is timezone.utc
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^scheduledAt: .*month 13"):
        slotbook.parse_instant("2026-13-01T10:00:00Z", "scheduledAt")


def test_format_instant_writes_utc_or_the_wall_clock_of_a_zone_given_by_name_or_zoneinfo():
    t = utc(2026, 1, 15, 10)
    assert slotbook.format_instant(t) == "2026-01-15T10:00:00Z"
    assert slotbook.format_instant(t, "Africa/Nairobi") == "2026-01-15T13:00:00+03:00"
    assert slotbook.format_instant(t, NEW_YORK) == "2026-01-15T05:00:00-05:00"


def test_to_instant_moves_a_spring_forward_gap_time_forward_and_takes_the_earlier_fall_back_time():
    # New York: 2026-03-08 02:30 does not exist; it is read with the offset before the gap (EST,
    # UTC-5), i.e. 07:30Z = 03:30 EDT. 2026-11-01 01:30 happens twice; the earlier is EDT (UTC-4),
    # 05:30Z.
    assert slotbook.to_instant(date(2026, 3, 8), time(2, 30), NEW_YORK) == utc(2026, 3, 8, 7, 30)
    assert slotbook.to_instant(date(2026, 11, 1), time(1, 30), "America/New_York") == utc(
        2026, 11, 1, 5, 30
    )
    # 24:00 is the next local midnight: 2026-01-16 00:00 EAT = 2026-01-15 21:00Z.
    assert slotbook.to_instant(date(2026, 1, 15), timedelta(hours=24), NAIROBI) == utc(2026, 1, 15, 21)


def test_to_civil_gives_the_local_date_weekday_time_offset_and_abbreviation():
    c = slotbook.to_civil(utc(2026, 1, 15, 22, 30), NAIROBI)
    # 22:30Z + 3 h is 01:30 on Friday 16 January in Nairobi.
    assert c == slotbook.CivilTime(
        date(2026, 1, 16), slotbook.Weekday.FRIDAY, time(1, 30), timedelta(hours=3), "EAT"
    )
    ny = slotbook.to_civil(utc(2026, 7, 1, 12), NEW_YORK)
    assert (ny.time_of_day, ny.utc_offset, ny.abbreviation) == (time(8), -timedelta(hours=4), "EDT")


def test_dates_and_times_of_day_parse_and_format():
    assert slotbook.parse_date("2026-02-28") == date(2026, 2, 28)
    assert slotbook.format_date(date(2026, 1, 5)) == "2026-01-05"
    with pytest.raises(slotbook.InvalidArgumentError, match="exceptions\\[0\\].date: .*day 29"):
        slotbook.parse_date("2026-02-29", "exceptions[0].date")
    assert slotbook.parse_time_of_day("09:30") == timedelta(hours=9, minutes=30)
    assert slotbook.parse_time_of_day("24:00") == timedelta(hours=24)
    assert slotbook.format_time_of_day(time(9, 30)) == "09:30"
    assert slotbook.format_time_of_day(timedelta(hours=24)) == "24:00"
    with pytest.raises(slotbook.InvalidArgumentError, match="^day: .*datetime"):
        slotbook.format_date(utc(2026, 1, 5))


def test_zones_are_given_as_names_or_zoneinfo_and_unknown_ones_are_refused_naming_the_field():
    assert slotbook.find_zone(BERLIN) == "Europe/Berlin"
    assert slotbook.find_zone("Africa/Nairobi") == "Africa/Nairobi"
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^hours\.zone: .*Mars/Olympus"):
        slotbook.find_zone("Mars/Olympus", "hours.zone")
    with pytest.raises(TypeError, match="zone"):
        slotbook.find_zone(42)


def test_an_interval_is_half_open():
    nine, ten, eleven = utc(2026, 1, 15, 9), utc(2026, 1, 15, 10), utc(2026, 1, 15, 11)
    a = slotbook.Interval(nine, ten)
    b = slotbook.Interval(ten, eleven)
    assert not a.overlaps(b) and not b.overlaps(a)
    assert a.overlaps(slotbook.Interval(nine + timedelta(minutes=59), eleven))
    assert a.contains(nine) and not a.contains(ten)
    assert nine in a
    assert slotbook.Interval(nine, eleven).contains(b)
    assert not a.intersection(b).ok
    assert slotbook.Interval(nine, eleven).intersection(b) == b
    assert a.duration == timedelta(hours=1)
    assert not slotbook.Interval(ten, nine).ok
    assert str(a) == "[2026-01-15T09:00:00Z, 2026-01-15T10:00:00Z)"
    assert sorted([b, a]) == [a, b]


def test_make_interval_refuses_an_end_not_after_its_begin_naming_both_ends():
    t = utc(2026, 1, 15, 10)
    with pytest.raises(slotbook.InvalidArgumentError, match="interval: end 2026-01-15T10:00:00Z is not after begin 2026-01-15T10:00:00Z"):
        slotbook.make_interval(t, t)
    with pytest.raises(slotbook.InvalidArgumentError, match="not positive"):
        slotbook.make_interval(t, timedelta(0))


def _hourly_rules(alignment=slotbook.SlotAlignment.RUN_START):
    return slotbook.SlotRules(
        alignment=alignment,
        minimum_notice=timedelta(0),
        maximum_advance=timedelta(days=3650),
    )


def test_slots_around_the_new_york_spring_forward_agree_with_zoneinfo():
    # 09:00-17:00 every day. 09:00 is 14:00Z under EST (before 8 March) and 13:00Z under EDT.
    schedule = slotbook.Schedule(
        NEW_YORK, [slotbook.WeeklyWindow(slotbook.Weekday(d), "09:00", "17:00") for d in range(7)]
    )
    rng = slotbook.make_interval(datetime(2026, 3, 7, tzinfo=NEW_YORK), datetime(2026, 3, 10, tzinfo=NEW_YORK))
    slots = slotbook.generate_slots(schedule, [], _hourly_rules(), rng, utc(2026, 1, 1))
    expected = [
        datetime(2026, 3, day, hour, tzinfo=NEW_YORK).astimezone(UTC)
        for day in (7, 8, 9)
        for hour in range(9, 17)
    ]
    assert [s.time.begin for s in slots] == expected
    assert slots[0].time.begin == utc(2026, 3, 7, 14)
    assert slots[8].time.begin == utc(2026, 3, 8, 13)
    # Back on the wall clock every slot starts on the hour between 09:00 and 16:00.
    assert {s.time.begin.astimezone(NEW_YORK).hour for s in slots} == set(range(9, 17))
    assert all(s.available and s.time.duration == timedelta(hours=1) for s in slots)


def test_a_fixed_hourly_grid_on_the_spring_forward_day_has_23_slots_as_zoneinfo_counts_them():
    schedule = slotbook.Schedule(NEW_YORK, [slotbook.WeeklyWindow(slotbook.Weekday.SUNDAY, "00:00", "24:00")])
    day = slotbook.make_interval(datetime(2026, 3, 8, tzinfo=NEW_YORK), datetime(2026, 3, 9, tzinfo=NEW_YORK))
    slots = slotbook.generate_slots(
        schedule, [], _hourly_rules(slotbook.SlotAlignment.FIXED_GRID), day, utc(2026, 1, 1)
    )
    # zoneinfo reads the missing 02:00 with the offset before the gap, so it lands on 03:00 EDT:
    # 24 wall-clock hours give 23 distinct instants, as slotbook's rule does.
    expected = sorted({datetime(2026, 3, 8, h, tzinfo=NEW_YORK).astimezone(UTC) for h in range(24)})
    assert len(expected) == 23
    assert [s.time.begin for s in slots] == expected


def test_a_run_of_hours_on_the_fall_back_day_lasts_25_hours_and_repeats_one_oclock():
    schedule = slotbook.Schedule(NEW_YORK, [slotbook.WeeklyWindow(slotbook.Weekday.SUNDAY, "00:00", "24:00")])
    day = slotbook.make_interval(datetime(2026, 11, 1, tzinfo=NEW_YORK), timedelta(hours=25))
    slots = slotbook.generate_slots(schedule, [], _hourly_rules(), day, utc(2026, 1, 1))
    local = [s.time.begin.astimezone(NEW_YORK) for s in slots]
    assert [(t.hour, t.fold) for t in local] == [(0, 0), (1, 0), (1, 1)] + [(h, 0) for h in range(2, 24)]
    assert slots[0].time.begin == utc(2026, 11, 1, 4)
    assert slots[-1].time.end == utc(2026, 11, 2, 5)
