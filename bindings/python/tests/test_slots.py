"""Availability (weekly hours, exceptions, zones) and slots: lists, reasons, the booking check,
team queries."""

from __future__ import annotations

import pickle
from datetime import date, datetime, time, timedelta

import pytest
from conftest import NAIROBI, span, utc

import slotbook
from slotbook import SlotReason, Weekday

# Monday 12 January 2026. Nairobi is UTC+3: 09:00-17:00 local is 06:00-14:00Z.
MONDAY = date(2026, 1, 12)
NOW = utc(2026, 1, 5, 8)  # a week earlier


def monday_day() -> slotbook.Interval:
    return slotbook.make_interval(datetime(2026, 1, 12, tzinfo=NAIROBI), timedelta(days=1))


def test_availability_gives_each_days_local_hours_after_exceptions(weekday_nairobi):
    schedule = slotbook.Schedule(
        NAIROBI,
        weekday_nairobi.windows,
        [
            slotbook.DateException.closed(date(2026, 1, 13), "training"),
            slotbook.DateException.custom(date(2026, 1, 14), [slotbook.LocalWindow("09:00", "12:00")]),
        ],
    )
    hours = slotbook.Availability(schedule)
    nine_to_five = [slotbook.LocalWindow(time(9), time(17))]
    assert hours.hours_on(MONDAY) == nine_to_five
    assert hours.hours_on(date(2026, 1, 13)) == []
    assert hours.weekly_hours_on(date(2026, 1, 13)) == nine_to_five
    assert hours.hours_on(date(2026, 1, 14)) == [slotbook.LocalWindow("09:00", "12:00")]
    assert hours.exception_on(date(2026, 1, 13)).reason == "training"
    assert hours.exception_on(MONDAY) is None
    assert hours.has_exception_between(date(2026, 1, 12), date(2026, 1, 13))
    assert not hours.has_exception_between(date(2026, 1, 15), date(2026, 1, 31))
    assert not hours.covers_whole_day(MONDAY)
    assert hours.latest_partial_day_before(MONDAY) == date(2026, 1, 11)
    assert hours.zone_name == "Africa/Nairobi" and hours.active
    assert hours.schedule == schedule
    assert pickle.loads(pickle.dumps(hours)).schedule == schedule


def test_an_invalid_schedule_is_refused_naming_the_field():
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^windows\[0\]\.end: 09:00 is not after start 10:00 on monday"):
        slotbook.Availability(slotbook.Schedule("UTC", [slotbook.WeeklyWindow(Weekday.MONDAY, "10:00", "09:00")]))
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^zone: .*Mars/Olympus"):
        slotbook.validate(slotbook.Schedule("Mars/Olympus"))
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^WeeklyWindow\.day: 7 is not a Weekday"):
        slotbook.validate(slotbook.Schedule("UTC", [slotbook.WeeklyWindow(7, "10:00", "11:00")]))


def test_a_schedule_from_the_platforms_seed_records_leaves_out_inactive_windows():
    s = slotbook.schedule_from_seed(
        NAIROBI,
        [slotbook.SeedWindow(1, "09:00", "17:00"), slotbook.SeedWindow(2, "09:00", "17:00", False)],
        [slotbook.SeedException("2026-12-25", False, reason="holiday")],
    )
    assert s.windows == (slotbook.WeeklyWindow(Weekday.MONDAY, "09:00", "17:00"),)
    assert s.exceptions == (slotbook.DateException.closed(date(2026, 12, 25), "holiday"),)
    with pytest.raises(slotbook.InvalidArgumentError, match=r"windows\[0\]\.dayOfWeek: 7"):
        slotbook.schedule_from_seed("UTC", [slotbook.SeedWindow(7, "09:00", "17:00")])


def test_expand_gives_the_open_time_in_utc(weekday_nairobi):
    week = slotbook.make_interval(utc(2026, 1, 12), timedelta(days=7))
    open_times = slotbook.expand(slotbook.Availability(weekday_nairobi), week)
    # Monday to Friday, 06:00-14:00Z each.
    assert open_times == [slotbook.Interval(utc(2026, 1, d, 6), utc(2026, 1, d, 14)) for d in range(12, 17)]
    assert slotbook.expand(weekday_nairobi, week, slotbook.HoursKind.WEEKLY) == open_times


def test_generate_slots_lists_each_slot_with_its_reason(weekday_nairobi):
    hours = slotbook.Availability(weekday_nairobi)
    busy = [span(utc(2026, 1, 12, 8))]  # 11:00-12:00 local is booked
    rules = slotbook.SlotRules(buffer_after=timedelta(minutes=10))
    slots = slotbook.generate_slots(hours, busy, rules, monday_day(), NOW)
    assert [s.time.begin.astimezone(NAIROBI).hour for s in slots] == list(range(9, 17))
    reasons = [s.reason for s in slots]
    # 10:00-11:00 plus its 10-minute buffer reaches the 11:00 booking.
    assert reasons == [SlotReason.NONE, SlotReason.BUFFER, SlotReason.BOOKED] + [SlotReason.NONE] * 5
    assert [s.available for s in slots] == [r is SlotReason.NONE for r in reasons]
    assert slotbook.free_slots(hours, busy, rules, monday_day(), NOW) == [s.time for s in slots if s.available]
    # A schedule that has not been indexed gives the same answer.
    assert slotbook.generate_slots(weekday_nairobi, busy, rules, monday_day(), NOW) == slots


def test_the_booking_check_agrees_with_the_slot_list(weekday_nairobi):
    hours = slotbook.Availability(weekday_nairobi)
    busy = [span(utc(2026, 1, 12, 8))]
    rules = slotbook.SlotRules()
    for s in slotbook.generate_slots(hours, busy, rules, monday_day(), NOW):
        d = slotbook.check_bookable(hours, busy, rules, s.time, NOW)
        assert (d.allowed, d.reason) == (s.available, s.reason)
        assert bool(d) == s.available


def test_the_booking_check_refuses_times_the_list_never_offers(weekday_nairobi):
    hours = slotbook.Availability(weekday_nairobi)
    rules = slotbook.SlotRules()
    check = lambda i: slotbook.check_bookable(hours, [], rules, i, NOW).reason  # noqa: E731
    assert check(span(utc(2026, 1, 12, 6, 30))) is SlotReason.NOT_ON_GRID
    assert check(span(utc(2026, 1, 12, 6), 30)) is SlotReason.WRONG_DURATION
    assert check(span(utc(2026, 1, 12, 20))) is SlotReason.OUTSIDE_HOURS
    assert check(span(utc(2026, 1, 5, 10))) is SlotReason.TOO_SOON
    assert check(span(utc(2026, 3, 2, 6))) is SlotReason.TOO_FAR
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^proposed: end .* is not after begin"):
        slotbook.check_bookable(hours, [], rules, slotbook.Interval(utc(2026, 1, 12, 7), utc(2026, 1, 12, 6)), NOW)


def test_a_closed_date_is_reported_as_an_exception_and_a_full_day_as_day_full(weekday_nairobi):
    closed = slotbook.Schedule(NAIROBI, weekday_nairobi.windows, [slotbook.DateException.closed(MONDAY)])
    slots = slotbook.generate_slots(closed, [], slotbook.SlotRules(), monday_day(), NOW)
    assert len(slots) == 8 and {s.reason for s in slots} == {SlotReason.EXCEPTION}
    rules = slotbook.SlotRules(max_per_day=1)
    slots = slotbook.generate_slots(weekday_nairobi, [span(utc(2026, 1, 12, 6))], rules, monday_day(), NOW)
    assert slots[0].reason is SlotReason.BOOKED
    assert {s.reason for s in slots[1:]} == {SlotReason.DAY_FULL}


def test_each_slot_reason_maps_to_an_error_class():
    assert SlotReason.BOOKED.error_code is slotbook.ErrorCode.CONFLICT
    assert slotbook.slot_reason_error_code(SlotReason.TOO_SOON) is slotbook.ErrorCode.POLICY_DENIED
    assert SlotReason.OUTSIDE_HOURS.error_code is slotbook.ErrorCode.OUTSIDE_AVAILABILITY
    assert SlotReason.WRONG_DURATION.error_code is slotbook.ErrorCode.INVALID_ARGUMENT


def test_team_queries_find_who_is_free_and_the_earliest_slot(weekday_nairobi):
    london = slotbook.Schedule("Europe/London", [slotbook.WeeklyWindow(Weekday.MONDAY, "09:00", "17:00")])
    team = [
        # Provider 1 (Nairobi) is booked at 06:00Z on Monday; provider 2 works in London.
        slotbook.TeamMember(1, slotbook.Availability(weekday_nairobi), (span(utc(2026, 1, 12, 6)),)),
        slotbook.TeamMember(2, london),
    ]
    assert slotbook.providers_free_at(team, utc(2026, 1, 12, 6), NOW) == []  # London opens 09:00Z
    assert slotbook.providers_free_at(team, utc(2026, 1, 12, 9), NOW) == [1, 2]
    # The earliest after Monday 00:00Z: Nairobi's 06:00Z is taken, so 07:00Z (10:00 EAT).
    assert slotbook.earliest_team_slot(team, utc(2026, 1, 12), NOW) == slotbook.TeamSlot(
        1, span(utc(2026, 1, 12, 7))
    )
    with pytest.raises(TypeError, match=r"team\[0\]\.rules"):
        slotbook.providers_free_at([slotbook.TeamMember(1, london, (), None)], utc(2026, 1, 12, 9), NOW)
