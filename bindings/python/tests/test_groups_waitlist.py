"""Group sessions and the waitlist from Python: opening and filling a group, seats and their money,
analytics over seats, waitlist offers made when time is freed, accepted, declined or let run out,
SQLite round trips, and the errors of bad input.

The world of every service test (see `make_service`):
- now starts at Monday 2026-01-05 08:00Z, a week before the sessions the tests book;
- provider 42 works weekdays 09:00-17:00 in Nairobi (UTC+3 all year: 06:00-14:00Z), 60-minute
  slots on the hour, at least 24 h and at most 30 days ahead; provider 43 the same, for free;
- waitlist offers hold their slot for 60 minutes (the default).
"""

from __future__ import annotations

import dataclasses
import pickle
from datetime import datetime, time, timedelta

import pytest
from conftest import NAIROBI, span, utc

import slotbook
from slotbook import Actor, ChangeKind, SessionStatus as S, WaitlistState as W

PROVIDER, FREE_PROVIDER = 42, 43
MONDAY_9 = utc(2026, 1, 12, 6)  # 09:00 in Nairobi
START = utc(2026, 1, 5, 8)
KES_1500 = slotbook.Money.kes(150000)
# Monday 12 January 2026 as a Nairobi day, in UTC.
MONDAY = slotbook.Interval(utc(2026, 1, 11, 21), utc(2026, 1, 12, 21))
JANUARY = slotbook.Interval(utc(2026, 1, 1), utc(2026, 2, 1))


class RecordingGateway(slotbook.PaymentGateway):
    def __init__(self):
        super().__init__()
        self.requests: list[slotbook.RefundRequest] = []

    def refund(self, request):
        self.requests.append(request)
        return slotbook.RefundResult.ok(f"RF-{len(self.requests)}")


def profile(id: int, price_minor: int) -> slotbook.ProviderProfile:
    days = [slotbook.Weekday(d) for d in range(1, 6)]
    return slotbook.ProviderProfile(
        id=id, name=f"Dr. {id}", price=slotbook.Money.kes(price_minor),
        hours=slotbook.Schedule(NAIROBI, [slotbook.WeeklyWindow(d, "09:00", "17:00") for d in days]),
    )


def make_service(store=None, **options):
    clock = slotbook.SettableClock(START)
    service = slotbook.BookingService(store or slotbook.MemoryStore(), clock, slotbook.ServiceOptions(**options))
    service.put_provider(Actor.system(), profile(PROVIDER, 150000))
    service.put_provider(Actor.system(), profile(FREE_PROVIDER, 0))
    return service, clock


def open_group(service, capacity: int, at=MONDAY_9) -> slotbook.BookingConfirmation:
    return service.open_group(
        Actor.provider(PROVIDER), slotbook.GroupRequest(provider=PROVIDER, scheduled_at=at, capacity=capacity))


def book(service, client: int, at=MONDAY_9, provider=FREE_PROVIDER) -> slotbook.BookingConfirmation:
    return service.book(Actor.client(client), slotbook.BookingRequest(provider=provider, client=client, scheduled_at=at))


def join(service, client: int, provider=FREE_PROVIDER, **changes) -> slotbook.WaitlistEntry:
    return service.join_waitlist(
        Actor.client(client), slotbook.WaitlistRequest(provider=provider, client=client, range=MONDAY, **changes))


def entry(service, e: slotbook.WaitlistEntry) -> slotbook.WaitlistEntry:
    (found,) = [x for x in service.waitlist(Actor.admin(1), e.client) if x.id == e.id]
    return found


def offers(events: list[slotbook.ChangeEvent]) -> list[slotbook.ChangeEvent]:
    return [e for e in events if e.kind is ChangeKind.WAITLIST_OFFERED]


# ---------------------------------------------------------------------------------------------
# Group sessions
# ---------------------------------------------------------------------------------------------


def test_opening_a_group_and_filling_it_to_capacity_makes_a_further_seat_a_conflict():
    service, _ = make_service()
    g = open_group(service, capacity=2)
    # The group holds the provider's time like a booking, but has no client to pay: it is
    # scheduled at once, and its price is what each seat costs.
    assert g == slotbook.BookingConfirmation(
        session=1, booking_reference="BK-2026-000001", scheduled_at=MONDAY_9, payment_required=False,
        amount=KES_1500, status=S.SCHEDULED)
    stored = service.get_session(Actor.provider(PROVIDER), g.session)
    assert stored.type is slotbook.SessionType.GROUP and stored.is_group
    assert (stored.capacity, stored.client, stored.interval) == (2, 0, span(MONDAY_9))

    first = service.book_seat(Actor.client(7), g.session, 7)
    second = service.book_seat(Actor.client(8), g.session, 8)
    assert (first.seats_taken, first.seats_left, second.seats_taken, second.seats_left) == (1, 1, 2, 0)
    assert second.capacity == 2 and second.time == span(MONDAY_9) and second.booking_reference == "BK-2026-000001"
    seat = second.booked
    assert (seat.id, seat.session, seat.client, seat.status, seat.payment) == (2, g.session, 8, S.SCHEDULED, slotbook.PaymentStatus.PENDING)
    assert seat.amount == KES_1500 and seat.is_active and seat.created_at == START
    with pytest.raises(slotbook.ConflictError, match="group_full"):
        service.book_seat(Actor.client(9), g.session, 9)
    with pytest.raises(slotbook.ConflictError, match="already holds seat"):
        service.book_seat(Actor.client(7), g.session, 7)
    assert [s.client for s in service.group_seats(Actor.provider(PROVIDER), g.session)] == [7, 8]
    # The provider's time is held once: the slot is taken for a single booking.
    with pytest.raises(slotbook.ConflictError, match="booked"):
        book(service, 9, provider=PROVIDER)


def test_a_seat_makes_its_client_busy_for_a_single_booking_at_the_same_time_and_the_reverse():
    service, _ = make_service()
    g = open_group(service, capacity=4)
    service.book_seat(Actor.client(7), g.session, 7)
    with pytest.raises(slotbook.ConflictError, match="client_busy"):
        book(service, 7)  # another provider, same hour
    # Back to back is not a conflict (half-open intervals).
    assert book(service, 7, MONDAY_9 + timedelta(hours=1)).status is S.SCHEDULED
    book(service, 8)
    with pytest.raises(slotbook.ConflictError, match="client_busy"):
        service.book_seat(Actor.client(8), g.session, 8)
    with pytest.raises(slotbook.ForbiddenError):
        service.book_seat(Actor.client(9), g.session, 10)


def test_cancelling_a_seat_frees_it_for_another_client():
    service, _ = make_service()
    g = open_group(service, capacity=1)
    service.book_seat(Actor.client(7), g.session, 7)
    with pytest.raises(slotbook.ConflictError, match="group_full"):
        service.book_seat(Actor.client(8), g.session, 8)
    c = service.cancel_seat(Actor.client(7), g.session, 7, "travelling")
    assert (c.cancelled.status, c.cancelled.cancelled_by, c.cancelled.cancellation_reason) == (
        S.CANCELLED, slotbook.Role.CLIENT, "travelling")
    assert c.cancelled.cancelled_at == START and not c.cancelled.is_active
    # A week's notice: the client's full-refund tier, but nothing was paid.
    assert c.decision.allowed and c.decision.reason is slotbook.CancellationReason.NOTICE_TIER
    assert c.refund.state is slotbook.RefundState.NONE
    taken = service.book_seat(Actor.client(8), g.session, 8)
    assert (taken.seats_taken, taken.booked.id) == (1, 2)
    everyone = service.group_seats(Actor.provider(PROVIDER), g.session)
    assert [(s.client, s.status) for s in everyone] == [(7, S.CANCELLED), (8, S.SCHEDULED)]
    # A seated client sees only their own seats.
    assert [s.client for s in service.group_seats(Actor.client(8), g.session)] == [8]
    with pytest.raises(slotbook.NotFoundError, match="holds no seat"):
        service.cancel_seat(Actor.client(7), g.session, 7)


def test_a_seat_payment_is_recorded_once_and_refunded_in_full_when_the_seat_is_cancelled_in_time():
    gateway = RecordingGateway()
    service, _ = make_service(payments=gateway)
    g = open_group(service, capacity=3)
    service.book_seat(Actor.client(7), g.session, 7)
    with pytest.raises(slotbook.ForbiddenError):
        service.confirm_seat_payment(Actor.client(7), g.session, 7, "mpesa", "QK7")
    paid = service.confirm_seat_payment(Actor.system(), g.session, 7, "mpesa", "QK7")
    assert (paid.payment, paid.payment_method, paid.transaction_id) == (slotbook.PaymentStatus.PAID, "mpesa", "QK7")
    assert service.confirm_seat_payment(Actor.system(), g.session, 7, "mpesa", "QK7") == paid
    c = service.cancel_seat(Actor.client(7), g.session, 7)
    # The default policy refunds everything with 24 h notice; the seat paid KES 1,500.00.
    assert c.refund == slotbook.RefundOutcome(slotbook.RefundState.REFUNDED, KES_1500, "RF-1", "")
    assert (c.cancelled.payment, c.cancelled.refunded_minor) == (slotbook.PaymentStatus.REFUNDED, 150000)
    assert c.cancelled.refunded_amount == KES_1500
    (r,) = gateway.requests
    assert (r.transaction_id, r.amount, r.session, r.booking_reference) == ("QK7", KES_1500, g.session, "BK-2026-000001")
    # A seat's refund has an idempotency key of its own: <reference>/seat/<seat id>/refund/<minor>.
    assert r.idempotency_key == "BK-2026-000001/seat/1/refund/150000"
    with pytest.raises(slotbook.ConflictError):
        service.confirm_seat_payment(Actor.system(), g.session, 7, "mpesa", "QK7-again")


def test_analytics_count_a_group_once_and_its_held_and_cancelled_seats_apart():
    service, _ = make_service()
    g = open_group(service, capacity=3)
    for client in (7, 8, 9):
        service.book_seat(Actor.client(client), g.session, client)
    service.confirm_seat_payment(Actor.system(), g.session, 7, "mpesa", "QK7")
    service.confirm_seat_payment(Actor.system(), g.session, 8, "mpesa", "QK8")
    service.cancel_seat(Actor.client(8), g.session, 8)  # in time: refunded in full (recorded)
    a = service.analytics(Actor.provider(PROVIDER), PROVIDER, JANUARY)
    assert (a.total, a.open, a.group_sessions, a.seats, a.cancelled_seats) == (1, 1, 1, 2, 1)
    # Seat 7 paid 1,500; seat 8 paid 1,500 and got it back; seat 9 has not paid; the group
    # record itself is never paid.
    assert a.revenue == KES_1500


def test_analyze_sessions_takes_the_seats_of_the_group_sessions_and_skips_seats_of_others():
    def group(id: int, at: datetime) -> slotbook.Session:
        return slotbook.Session(
            id=id, provider=PROVIDER, scheduled_at=at, duration=timedelta(hours=1), status=S.SCHEDULED,
            type=slotbook.SessionType.GROUP, capacity=5, amount=slotbook.Money.kes(100000),
            created_at=START, updated_at=START)

    def seat(id: int, session: int, client: int, **changes) -> slotbook.Seat:
        base = slotbook.Seat(
            id=id, session=session, client=client, amount=slotbook.Money.kes(100000),
            payment=slotbook.PaymentStatus.PAID, created_at=START, updated_at=START)
        return dataclasses.replace(base, **changes)

    sessions = [group(1, MONDAY_9), group(2, utc(2026, 2, 2, 6))]  # the second is outside January
    seats = [
        seat(1, 1, 7),
        seat(2, 1, 8, status=S.CANCELLED, cancelled_at=START, payment=slotbook.PaymentStatus.REFUNDED,
             refunded_minor=40000),
        seat(3, 2, 9),
    ]
    a = slotbook.analyze_sessions(sessions, PROVIDER, JANUARY, seats=seats)
    assert (a.total, a.group_sessions, a.seats, a.cancelled_seats) == (1, 1, 1, 1)
    # 1,000 from seat 1, 1,000 - 400 from seat 2; seat 3's group is not counted.
    assert a.revenue == slotbook.Money.kes(160000)
    without = slotbook.analyze_sessions(sessions, PROVIDER, JANUARY)
    assert (without.group_sessions, without.seats, without.revenue) == (1, 0, slotbook.Money.kes(0))
    with pytest.raises(slotbook.InvalidArgumentError, match="^client: seat 4"):
        slotbook.analyze_sessions(sessions, PROVIDER, JANUARY, seats=[seat(4, 1, 0)])


# ---------------------------------------------------------------------------------------------
# Waitlist
# ---------------------------------------------------------------------------------------------


def test_joining_the_waitlist_puts_a_client_in_line_and_offers_nothing_yet():
    service, _ = make_service()
    events: list[slotbook.ChangeEvent] = []
    with service.subscribe(events.append):
        e = join(service, 8, earliest_local="10:00")
    assert e == slotbook.WaitlistEntry(
        id=1, provider=FREE_PROVIDER, client=8, range=MONDAY, earliest_local=time(10, 0), state=W.WAITING,
        joined_at=START, updated_at=START)
    assert e.is_open and not e.offer_live(START)
    assert events == []
    assert service.waitlist(Actor.client(8), 8) == [e]
    with pytest.raises(slotbook.ForbiddenError):
        service.waitlist(Actor.client(9), 8)


def test_a_cancellation_in_a_waitlisted_range_offers_the_slot_to_the_first_in_line_and_accept_offer_books_it():
    service, clock = make_service()
    booked = book(service, 7)
    first = join(service, 8)
    clock.advance(timedelta(minutes=1))
    second = join(service, 9)
    events: list[slotbook.ChangeEvent] = []
    sub = service.subscribe(events.append)
    clock.advance(timedelta(minutes=1))
    now = START + timedelta(minutes=2)
    service.cancel(Actor.client(7), booked.session)
    (offer,) = offers(events)
    assert (offer.waitlist_entry, offer.client, offer.provider, offer.time, offer.at) == (
        first.id, 8, FREE_PROVIDER, span(MONDAY_9), now)
    offered = entry(service, first)
    assert (offered.state, offered.offer, offered.offer_expires) == (W.OFFERED, span(MONDAY_9), now + timedelta(minutes=60))
    assert offered.offer_live(now) and not offered.offer_live(now + timedelta(minutes=60))
    assert entry(service, second).state is W.WAITING
    # The offered slot is held for the entry: nobody else may book it meanwhile.
    with pytest.raises(slotbook.ConflictError):
        book(service, 9)

    b = service.accept_offer(Actor.client(8), first.id)
    assert b == slotbook.BookingConfirmation(
        session=2, booking_reference="BK-2026-000002", scheduled_at=MONDAY_9, payment_required=False,
        amount=slotbook.Money.kes(0), status=S.SCHEDULED)
    done = entry(service, first)
    assert (done.state, done.booked, done.is_open) == (W.BOOKED, b.session, False)
    assert service.get_session(Actor.client(8), b.session).client == 8
    with pytest.raises(slotbook.ConflictError):
        service.accept_offer(Actor.client(8), first.id)
    sub.reset()


def test_an_offer_that_runs_out_is_handed_to_the_next_in_line_by_expire_offers():
    service, clock = make_service()
    booked = book(service, 7)
    first = join(service, 8)
    clock.advance(timedelta(minutes=1))
    second = join(service, 9)
    events: list[slotbook.ChangeEvent] = []
    with service.subscribe(events.append):
        service.cancel(Actor.client(7), booked.session)
        offered_at = START + timedelta(minutes=1)
        clock.advance(timedelta(minutes=59))
        assert service.expire_offers() == 0  # one minute left
        clock.advance(timedelta(minutes=1))  # the deadline itself: the offer has run out
        assert service.expire_offers() == 1
    assert [(e.waitlist_entry, e.client) for e in offers(events)] == [(first.id, 8), (second.id, 9)]
    lapsed = entry(service, first)
    assert (lapsed.state, lapsed.offer) == (W.LAPSED, span(MONDAY_9))
    handed_on = entry(service, second)
    assert (handed_on.state, handed_on.offer) == (W.OFFERED, span(MONDAY_9))
    assert handed_on.offer_expires == offered_at + timedelta(minutes=60) + timedelta(minutes=60)
    with pytest.raises(slotbook.ConflictError):
        service.accept_offer(Actor.client(8), first.id)
    assert service.accept_offer(Actor.client(9), second.id).scheduled_at == MONDAY_9


def test_leave_waitlist_withdraws_a_waiting_entry_once_and_only_for_its_client():
    service, _ = make_service()
    e = join(service, 8)
    with pytest.raises(slotbook.ForbiddenError):
        service.leave_waitlist(Actor.client(9), e.id)
    left = service.leave_waitlist(Actor.client(8), e.id)
    assert (left.id, left.state, left.is_open) == (e.id, W.WITHDRAWN, False)
    assert service.waitlist(Actor.client(8), 8) == [left]
    with pytest.raises(slotbook.ConflictError, match="withdrawn"):
        service.leave_waitlist(Actor.client(8), e.id)


def test_declining_an_offer_with_leave_waitlist_hands_the_slot_to_the_next_in_line_at_once():
    service, clock = make_service()
    booked = book(service, 7)
    first = join(service, 8)
    second = join(service, 9)
    events: list[slotbook.ChangeEvent] = []
    with service.subscribe(events.append):
        service.cancel(Actor.client(7), booked.session)
        clock.advance(timedelta(minutes=5))
        declined = service.leave_waitlist(Actor.client(8), first.id)
    assert declined.state is W.WITHDRAWN
    assert [e.waitlist_entry for e in offers(events)] == [first.id, second.id]
    nxt = entry(service, second)
    assert (nxt.state, nxt.offer, nxt.offer_expires) == (
        W.OFFERED, span(MONDAY_9), START + timedelta(minutes=5) + timedelta(minutes=60))


def test_a_waitlist_entry_is_offered_only_slots_starting_within_its_local_times():
    service, _ = make_service()
    booked = book(service, 7)  # 09:00 in Nairobi
    # First in line, but only from 10:00 local: passed over, and keeps its place.
    picky = join(service, 8, earliest_local=time(10, 0))
    any_time = join(service, 9, latest_local="09:00")
    events: list[slotbook.ChangeEvent] = []
    with service.subscribe(events.append):
        service.cancel(Actor.client(7), booked.session)
    assert [e.waitlist_entry for e in offers(events)] == [any_time.id]
    assert entry(service, picky).state is W.WAITING


def test_a_shorter_offer_hold_is_an_option():
    service, _ = make_service(waitlist_offer_hold=timedelta(minutes=10))
    booked = book(service, 7)
    e = join(service, 8)
    service.cancel(Actor.client(7), booked.session)
    assert entry(service, e).offer_expires == START + timedelta(minutes=10)
    assert service.options.waitlist_offer_hold == timedelta(minutes=10)


# ---------------------------------------------------------------------------------------------
# Storage and values
# ---------------------------------------------------------------------------------------------


def test_a_group_session_read_back_from_an_sqlite_store_round_trips_through_python(tmp_path):
    path = tmp_path / "groups.db"
    service, _ = make_service(slotbook.SqliteStore(path))
    g = open_group(service, capacity=5)
    service.book_seat(Actor.client(7), g.session, 7)
    service.confirm_seat_payment(Actor.system(), g.session, 7, "card", "TX-7")
    e = join(service, 8, earliest_local="09:30", latest_local=time(16, 0))

    reader = slotbook.SqliteStore(path)
    with reader.transaction(slotbook.Access.READ):
        stored = reader.find_session(g.session)
        seats = reader.session_seats(g.session)
        stored_entry = reader.find_waitlist_entry(e.id)
        busy = reader.active_client_group_sessions(7, MONDAY)
    assert stored == service.get_session(Actor.system(), g.session)
    assert (stored.type, stored.capacity, stored.client, stored.amount) == (slotbook.SessionType.GROUP, 5, 0, KES_1500)
    assert seats == service.group_seats(Actor.system(), g.session)
    assert [(s.client, s.payment, s.transaction_id) for s in seats] == [(7, slotbook.PaymentStatus.PAID, "TX-7")]
    assert stored_entry == e and (stored_entry.earliest_local, stored_entry.latest_local) == (time(9, 30), time(16, 0))
    assert [s.id for s in busy] == [g.session]

    # What Python builds goes in and comes back equal, through a pickle too.
    copy = pickle.loads(pickle.dumps(dataclasses.replace(
        stored, id=0, scheduled_at=MONDAY_9 + timedelta(hours=2), capacity=12,
        booking_reference="BK-2026-000099", notes="mindfulness circle")))
    with reader.transaction(slotbook.Access.WRITE):
        new_id = reader.insert_session(copy)
        seat_id = reader.insert_seat(slotbook.Seat(
            session=new_id, client=9, amount=KES_1500, created_at=START, updated_at=START))
    with reader.transaction(slotbook.Access.READ):
        assert reader.find_session(new_id) == dataclasses.replace(copy, id=new_id)
        assert reader.session_seats(new_id) == [slotbook.Seat(
            id=seat_id, session=new_id, client=9, amount=KES_1500, created_at=START, updated_at=START)]


def test_the_group_and_waitlist_value_types_are_frozen_readable_and_pickle():
    req = slotbook.WaitlistRequest(provider=42, client=7, range=MONDAY, earliest_local="17:00")
    assert req.earliest_local == time(17, 0) and req.type is slotbook.SessionType.INITIAL
    assert repr(req) == (
        "WaitlistRequest(provider=42, client=7, range=Interval(begin=2026-01-11T21:00:00Z, "
        "end=2026-01-12T21:00:00Z), type=SessionType.INITIAL, earliest_local=17:00, latest_local=None)")
    with pytest.raises(dataclasses.FrozenInstanceError):
        req.client = 8  # type: ignore[misc]
    g = slotbook.GroupRequest(provider=42, scheduled_at=datetime(2026, 1, 12, 9, tzinfo=NAIROBI), capacity=8)
    assert g.scheduled_at == MONDAY_9 and g.duration == timedelta(hours=1) and g.notes == ""
    values = [
        req, g, slotbook.Seat(session=1, client=7, amount=KES_1500), slotbook.SeatConfirmation(capacity=3),
        slotbook.SeatCancellation(), slotbook.WaitlistEntry(id=3, state="offered", offer=span(MONDAY_9)),
    ]
    for v in values:
        assert pickle.loads(pickle.dumps(v)) == v and hash(v) == hash(pickle.loads(pickle.dumps(v)))
    assert "Money(150000, 'KES')" in repr(values[2])
    assert values[5].state is W.OFFERED and W.OFFERED.is_open and not W.LAPSED.is_open
    for state in W:
        assert slotbook.parse_waitlist_state(state.value) is state
    assert slotbook.SessionType.GROUP.value == "group" and ChangeKind.WAITLIST_OFFERED.value == "waitlist_offered"
    assert slotbook.parse_session_type("group") is slotbook.SessionType.GROUP
    assert slotbook.MAX_GROUP_CAPACITY == 1000 and slotbook.MAX_WAITLIST_RANGE == timedelta(days=366)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------


def test_a_capacity_outside_one_to_the_maximum_is_an_invalid_argument_naming_capacity():
    service, _ = make_service()
    with pytest.raises(slotbook.InvalidArgumentError, match="^capacity: 0 is outside 1 to 1000"):
        open_group(service, capacity=0)
    with pytest.raises(slotbook.InvalidArgumentError, match="^capacity: 1001 is outside 1 to 1000"):
        open_group(service, capacity=1001)
    with pytest.raises(slotbook.InvalidArgumentError, match="^capacity: session 0 is a group session with capacity 0"):
        slotbook.validate(slotbook.Session(provider=PROVIDER, type="group", duration=timedelta(hours=1)))
    with pytest.raises(slotbook.ForbiddenError):
        service.open_group(Actor.provider(FREE_PROVIDER), slotbook.GroupRequest(
            provider=PROVIDER, scheduled_at=MONDAY_9, capacity=3))


def test_a_naive_datetime_is_an_invalid_argument_naming_the_field():
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^GroupRequest\.scheduled_at: .* naive datetime"):
        slotbook.GroupRequest(provider=PROVIDER, scheduled_at=datetime(2026, 1, 12, 9), capacity=3)
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^Interval\.begin: .* naive datetime"):
        slotbook.WaitlistRequest(provider=PROVIDER, client=7, range=slotbook.Interval(datetime(2026, 1, 12), MONDAY.end))
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^now: .* naive datetime"):
        slotbook.WaitlistEntry().offer_live(datetime(2026, 1, 12))


def test_a_group_type_in_a_waitlist_request_or_a_single_booking_is_an_invalid_argument_naming_the_type():
    service, _ = make_service()
    with pytest.raises(slotbook.InvalidArgumentError, match='^session_type: "group" sessions are not booked from a waitlist'):
        join(service, 8, type=slotbook.SessionType.GROUP)
    with pytest.raises(slotbook.InvalidArgumentError, match='^session_type: "group" sessions are opened with open_group'):
        service.book(Actor.client(7), slotbook.BookingRequest(
            provider=PROVIDER, client=7, scheduled_at=MONDAY_9, type="group"))
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^type: waitlist entry 0 is for a group session"):
        slotbook.validate(slotbook.WaitlistEntry(provider=PROVIDER, client=7, range=MONDAY, type="group"))
    assert service.waitlist(Actor.client(8), 8) == []


def test_bad_local_times_and_options_are_invalid_arguments_naming_the_field():
    service, _ = make_service()
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^WaitlistRequest\.earliest_local: 24:00"):
        slotbook.WaitlistRequest(provider=PROVIDER, client=7, range=MONDAY, earliest_local="24:00")
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^WaitlistRequest\.latest_local: .*not a whole minute"):
        join(service, 8, latest_local=time(9, 0, 30))
    with pytest.raises(slotbook.InvalidArgumentError, match="^latest_local: waitlist entry 0 540 min is before earliest_local 600 min"):
        join(service, 8, earliest_local="10:00", latest_local="09:00")
    with pytest.raises(slotbook.InvalidArgumentError, match="^service_options.waitlist_offer_hold: 0 min"):
        make_service(waitlist_offer_hold=timedelta(0))
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^ServiceOptions\.waitlist_offer_hold: .*whole number of minutes"):
        make_service(waitlist_offer_hold=timedelta(seconds=90))
