"""Recurring series from Python: booking (all or nothing, or the free occurrences), previews,
the series id on sessions, DST, and the three cancel scopes.

Expected times are worked out by hand: Berlin is UTC+1 until Sunday 29 March 2026 and UTC+2 from
then on, so 09:00 there is 08:00Z on 16 and 23 March and 07:00Z on 30 March and 6 April.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from conftest import BERLIN, NAIROBI, utc

import slotbook
from slotbook import Actor, OccurrenceOutcome, SeriesMode, SeriesRequest, SeriesScope

PROVIDER, CLIENT = 42, 7
WEEKLY4 = "FREQ=WEEKLY;COUNT=4"


def make_service(zone, start, price_minor=0):
    clock = slotbook.SettableClock(start)
    service = slotbook.BookingService(slotbook.MemoryStore(), clock)
    days = [slotbook.Weekday(d) for d in range(1, 6)]
    service.put_provider(Actor.system(), slotbook.ProviderProfile(
        id=PROVIDER, name="Dr. Weber", price=slotbook.Money.kes(price_minor),
        hours=slotbook.Schedule(zone, [slotbook.WeeklyWindow(d, "08:00", "17:00") for d in days]),
    ))
    return service


def berlin_service():
    # Tuesday 10 March: the four Mondays from the 16th are 6 to 27 days ahead.
    return make_service(BERLIN, utc(2026, 3, 10, 8))


def nairobi_service():
    # Saturday 10 January; Mondays 12, 19, 26 January and 2 February at 09:00 EAT = 06:00Z.
    return make_service(NAIROBI, utc(2026, 1, 10, 8))


NAIROBI_MONDAYS = [utc(2026, 1, 12, 6), utc(2026, 1, 19, 6), utc(2026, 1, 26, 6), utc(2026, 2, 2, 6)]


def series(first_start, rule=WEEKLY4, **changes):
    return SeriesRequest(provider=PROVIDER, client=CLIENT, first_start=first_start, rule=rule,
                         **changes)


def test_a_weekly_berlin_series_stays_at_nine_local_across_the_march_change():
    service = berlin_service()
    b = service.book_series(Actor.client(CLIENT), series(datetime(2026, 3, 16, 9, 0)))
    assert b.series == 1 and b.booked_count == 4 and b.skipped == ()
    assert b.rule == WEEKLY4 and b.mode is SeriesMode.ALL_OR_NOTHING
    assert [o.index for o in b.occurrences] == [0, 1, 2, 3]
    assert [o.local_start for o in b.occurrences] == [
        datetime(2026, 3, d, 9, 0) for d in (16, 23, 30)] + [datetime(2026, 4, 6, 9, 0)]
    assert [o.time.begin for o in b.occurrences] == [
        utc(2026, 3, 16, 8), utc(2026, 3, 23, 8), utc(2026, 3, 30, 7), utc(2026, 4, 6, 7)]
    assert all(o.time.duration == timedelta(hours=1) for o in b.occurrences)

    sessions = service.series_sessions(Actor.client(CLIENT), b.series)
    assert [s.id for s in sessions] == [o.booked.session for o in b.occurrences]
    assert all(s.series == b.series for s in sessions)
    local = [s.scheduled_at.astimezone(BERLIN) for s in sessions]
    assert [t.time() for t in local] == [time(9, 0)] * 4
    assert [t.utcoffset() for t in local] == [timedelta(hours=1)] * 2 + [timedelta(hours=2)] * 2


def test_an_aware_first_start_keeps_its_wall_clock_time_in_the_providers_zone():
    service = berlin_service()
    naive = service.preview_series(Actor.client(CLIENT), series(datetime(2026, 3, 16, 9, 0)))
    aware = service.preview_series(
        Actor.client(CLIENT), series(datetime(2026, 3, 16, 9, 0, tzinfo=BERLIN)))
    assert aware == naive
    # The same instant given in UTC.
    in_utc = service.preview_series(Actor.client(CLIENT), series(utc(2026, 3, 16, 8)))
    assert in_utc == naive


def test_a_single_booking_is_in_no_series():
    service = nairobi_service()
    b = service.book(Actor.client(CLIENT), slotbook.BookingRequest(
        provider=PROVIDER, client=CLIENT, scheduled_at=NAIROBI_MONDAYS[0]))
    assert service.get_session(Actor.system(), b.session).series == 0


def test_an_all_or_nothing_refusal_lists_the_taken_occurrence_and_books_nothing():
    service = nairobi_service()
    taken = service.book(Actor.client(8), slotbook.BookingRequest(
        provider=PROVIDER, client=8, scheduled_at=NAIROBI_MONDAYS[2]))
    with pytest.raises(slotbook.ConflictError) as raised:
        service.book_series(Actor.client(CLIENT), series(datetime(2026, 1, 12, 9, 0)))
    message = str(raised.value)
    assert "1 of 4 occurrences" in message
    assert "occurrence 3 (2026-01-26 09:00 Africa/Nairobi)" in message
    assert message.endswith("booked")
    assert all(f"occurrence {n} (" not in message for n in (1, 2, 4))
    week = slotbook.Interval(utc(2026, 1, 1), utc(2026, 3, 1))
    assert [s.id for s in service.provider_sessions(Actor.system(), PROVIDER, week)] == [
        taken.session]


def test_free_mode_books_the_free_occurrences_and_reports_the_taken_one():
    service = nairobi_service()
    service.book(Actor.client(8), slotbook.BookingRequest(
        provider=PROVIDER, client=8, scheduled_at=NAIROBI_MONDAYS[2]))
    b = service.book_series(Actor.client(CLIENT),
                            series(datetime(2026, 1, 12, 9, 0), mode="free_ones"))
    assert b.mode is SeriesMode.FREE_ONES and b.booked_count == 3
    (skipped,) = b.skipped
    assert skipped.index == 2 and skipped.time.begin == NAIROBI_MONDAYS[2]
    assert skipped.booked is None
    assert skipped.refused is slotbook.ErrorCode.CONFLICT and skipped.reason == "booked"
    assert "2026-01-26 09:00 Africa/Nairobi" in skipped.message
    sessions = service.series_sessions(Actor.system(), b.series)
    assert [s.scheduled_at for s in sessions] == [NAIROBI_MONDAYS[i] for i in (0, 1, 3)]


def test_a_preview_books_nothing_and_leaves_references_empty():
    service = nairobi_service()
    p = service.preview_series(Actor.client(CLIENT), series(datetime(2026, 1, 12, 9, 0)))
    assert p.series == 0 and p.booked_count == 4
    assert all(o.booked.session == 0 and o.booked.booking_reference == "" for o in p.occurrences)
    week = slotbook.Interval(utc(2026, 1, 1), utc(2026, 3, 1))
    assert service.provider_sessions(Actor.system(), PROVIDER, week) == []


def test_a_series_without_an_end_or_off_its_rule_is_invalid_argument_naming_the_field():
    service = nairobi_service()
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^rule: "):
        service.book_series(Actor.client(CLIENT), series(datetime(2026, 1, 12, 9, 0),
                                                         rule="FREQ=WEEKLY"))
    with pytest.raises(slotbook.InvalidArgumentError, match="first_start"):
        service.book_series(Actor.client(CLIENT), series(datetime(2026, 1, 12, 9, 0),
                                                         rule="FREQ=WEEKLY;BYDAY=TU;COUNT=2"))
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^SeriesRequest\.first_start: "):
        series(datetime(2026, 1, 12, 9, 0, 0, 5))
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^SeriesRequest\.mode: "):
        series(datetime(2026, 1, 12, 9, 0), mode="some")


def booked_series(service):
    b = service.book_series(Actor.client(CLIENT), series(datetime(2026, 1, 12, 9, 0)))
    return [o.booked.session for o in b.occurrences]


def statuses(service, ids):
    return [service.get_session(Actor.system(), i).status.value for i in ids]


def test_cancel_this_one_cancels_only_the_occurrence_named():
    service = nairobi_service()
    ids = booked_series(service)
    c = service.cancel_series(Actor.system(), ids[1], SeriesScope.THIS_ONE, "ill")
    assert c.series == 1 and c.scope is SeriesScope.THIS_ONE and c.cancelled_count == 1
    assert [o.occurrence.id for o in c.occurrences] == [ids[1]]
    assert c.occurrences[0].outcome is OccurrenceOutcome.CANCELLED
    assert c.occurrences[0].occurrence.cancellation_reason == "ill"
    assert statuses(service, ids) == ["scheduled", "cancelled", "scheduled", "scheduled"]


def test_cancel_this_and_following_cancels_it_and_every_later_occurrence():
    service = nairobi_service()
    ids = booked_series(service)
    c = service.cancel_series(Actor.system(), ids[2], "this_and_following")
    assert c.scope is SeriesScope.THIS_AND_FOLLOWING and c.cancelled_count == 2
    assert [(o.occurrence.id, o.outcome) for o in c.occurrences] == [
        (ids[2], OccurrenceOutcome.CANCELLED), (ids[3], OccurrenceOutcome.CANCELLED)]
    assert statuses(service, ids) == ["scheduled", "scheduled", "cancelled", "cancelled"]


def test_cancel_whole_series_skips_what_is_over_and_refuses_what_the_policy_refuses():
    service = nairobi_service()
    ids = booked_series(service)
    service.cancel(Actor.system(), ids[3])
    # Sunday 11 January 08:00Z: 22 h before the first Monday (inside the client's 24 h window).
    service.clock.set(utc(2026, 1, 11, 8))
    c = service.cancel_series(Actor.client(CLIENT), ids[1], SeriesScope.WHOLE_SERIES)
    assert c.cancelled_count == 2
    assert [o.outcome for o in c.occurrences] == [
        OccurrenceOutcome.REFUSED, OccurrenceOutcome.CANCELLED, OccurrenceOutcome.CANCELLED,
        OccurrenceOutcome.SKIPPED]
    refused, _, _, skipped = c.occurrences
    assert refused.reason == "refused_late"
    assert refused.decision.notice == timedelta(hours=22)
    assert skipped.reason == "cancelled" and skipped.decision is None
    assert c.occurrences[1].decision.notice == timedelta(days=7, hours=22)
    assert statuses(service, ids) == ["scheduled", "cancelled", "cancelled", "cancelled"]


def test_cancel_series_on_a_session_in_no_series_is_invalid_argument():
    service = nairobi_service()
    b = service.book(Actor.client(CLIENT), slotbook.BookingRequest(
        provider=PROVIDER, client=CLIENT, scheduled_at=NAIROBI_MONDAYS[0]))
    with pytest.raises(slotbook.InvalidArgumentError, match="no series"):
        service.cancel_series(Actor.system(), b.session, SeriesScope.WHOLE_SERIES)
    with pytest.raises(slotbook.NotFoundError):
        service.series_sessions(Actor.system(), 5)


def test_series_values_pickle_and_compare_by_value():
    import pickle

    r = series(datetime(2026, 1, 12, 9, 0), mode=SeriesMode.FREE_ONES)
    assert pickle.loads(pickle.dumps(r)) == r
    assert r.first_start.tzinfo is None
    aware = series(datetime(2026, 1, 12, 9, 0, tzinfo=NAIROBI))
    assert aware.first_start == utc(2026, 1, 12, 6)
    assert slotbook.SeriesBooking() == slotbook.SeriesBooking(series=0, rule="", occurrences=())
    assert slotbook.MAX_SERIES_OCCURRENCES == 366
    assert slotbook.MAX_SERIES_SPAN == timedelta(days=731)
