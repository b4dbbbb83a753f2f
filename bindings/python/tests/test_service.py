"""The booking service from Python: every operation, the host interfaces implemented in Python
(clock, payment gateway, notifier, preferences, event callbacks), and threads booking through one
SQLite store."""

from __future__ import annotations

import dataclasses
import itertools
import random
import sys
import threading
from datetime import datetime, timedelta

import pytest
from conftest import NAIROBI, span, utc

import slotbook
from slotbook import Actor, SessionStatus as S, StatusChange

PROVIDER, CLIENT = 42, 7
MONDAY_9 = utc(2026, 1, 12, 6)  # 09:00 in Nairobi
START = utc(2026, 1, 5, 8)  # "now" at the start of each test: a week earlier


class RecordingGateway(slotbook.PaymentGateway):
    def __init__(self, fail: str | None = None):
        super().__init__()
        self.requests: list[slotbook.RefundRequest] = []
        self.fail = fail

    def refund(self, request):
        self.requests.append(request)
        if self.fail == "raise":
            raise RuntimeError("gateway down")
        if self.fail:
            return slotbook.RefundResult.failed(self.fail)
        return slotbook.RefundResult.ok(f"RF-{len(self.requests)}")


class RecordingNotifier(slotbook.Notifier):
    def __init__(self, answer="ok"):
        super().__init__()
        self.messages: list[slotbook.ReminderMessage] = []
        self.answer = answer

    def send(self, message):
        self.messages.append(message)
        if self.answer == "raise":
            raise RuntimeError("smtp down")
        return slotbook.Delivery.ok() if self.answer == "ok" else slotbook.Delivery.failed(self.answer)


def profile(price_minor: int = 150000) -> slotbook.ProviderProfile:
    days = [slotbook.Weekday(d) for d in range(1, 6)]
    return slotbook.ProviderProfile(
        id=PROVIDER, name="Dr. Wanjiru", price=slotbook.Money.kes(price_minor),
        hours=slotbook.Schedule(NAIROBI, [slotbook.WeeklyWindow(d, "09:00", "17:00") for d in days]),
    )


def make_service(store=None, price_minor=150000, **options):
    clock = slotbook.SettableClock(START)
    service = slotbook.BookingService(store or slotbook.MemoryStore(), clock, slotbook.ServiceOptions(**options))
    service.put_provider(Actor.system(), profile(price_minor))
    return service, clock


def request(at=MONDAY_9, client=CLIENT, **changes) -> slotbook.BookingRequest:
    return slotbook.BookingRequest(provider=PROVIDER, client=client, scheduled_at=at, **changes)


def test_booking_a_paid_provider_holds_the_slot_until_the_payment_schedules_it():
    service, _ = make_service()
    b = service.book(Actor.client(CLIENT), request())
    assert b == slotbook.BookingConfirmation(
        session=1, booking_reference="BK-2026-000001", scheduled_at=MONDAY_9, payment_required=True,
        amount=slotbook.Money.kes(150000), status=S.PENDING_PAYMENT,
    )
    paid = service.confirm_payment(Actor.system(), b.session, "mpesa", "QK7H2XYZ")
    assert paid.outcome is slotbook.PaymentOutcome.SCHEDULED and paid.updated.status is S.SCHEDULED
    again = service.confirm_payment(Actor.system(), b.session, "mpesa", "QK7H2XYZ")
    assert again.outcome is slotbook.PaymentOutcome.ALREADY_CONFIRMED


def test_each_refusal_raises_the_error_class_of_its_rule():
    service, _ = make_service()
    service.book(Actor.client(CLIENT), request())
    with pytest.raises(slotbook.ConflictError, match="booked"):
        service.book(Actor.client(8), request(client=8))
    with pytest.raises(slotbook.OutsideAvailabilityError):
        service.book(Actor.client(8), request(utc(2026, 1, 10, 6), client=8))  # a Saturday
    with pytest.raises(slotbook.PolicyError, match="too_soon"):
        service.book(Actor.client(8), request(utc(2026, 1, 5, 10), client=8))
    with pytest.raises(slotbook.ForbiddenError):
        service.book(Actor.client(8), request(utc(2026, 1, 12, 7)))
    with pytest.raises(slotbook.NotFoundError):
        service.provider(99)
    with pytest.raises(slotbook.InvalidArgumentError, match="wrong_duration"):
        service.book(Actor.client(8), request(utc(2026, 1, 12, 7), client=8, duration=timedelta(minutes=30)))
    with pytest.raises(slotbook.InvalidArgumentError, match="^new_start: .*naive"):
        service.reschedule(Actor.client(CLIENT), 1, datetime(2026, 1, 13, 6))


def test_reading_sessions_depends_on_who_asks():
    service, _ = make_service()
    b = service.book(Actor.client(CLIENT), request())
    week = slotbook.make_interval(utc(2026, 1, 12), timedelta(days=7))
    assert service.get_session(Actor.client(CLIENT), b.session).provider == PROVIDER
    with pytest.raises(slotbook.ForbiddenError):
        service.get_session(Actor.client(8), b.session)
    assert service.find_by_reference(Actor.provider(PROVIDER), b.booking_reference).id == b.session
    assert [s.id for s in service.my_sessions(Actor.client(CLIENT), week)] == [b.session]
    assert [s.id for s in service.assigned_sessions(Actor.provider(PROVIDER), week)] == [b.session]
    assert len(service.client_sessions(Actor.admin(1), CLIENT, week)) == 1
    assert len(service.provider_sessions(Actor.system(), PROVIDER, week)) == 1
    with pytest.raises(slotbook.ForbiddenError):
        service.provider_sessions(Actor.provider(43), PROVIDER, week)
    assert service.provider(PROVIDER) == profile()


def test_slots_show_a_held_time_as_booked():
    service, _ = make_service()
    service.book(Actor.client(CLIENT), request())
    day = slotbook.make_interval(datetime(2026, 1, 12, tzinfo=NAIROBI), timedelta(days=1))
    slots = service.slots(PROVIDER, day)
    assert len(slots) == 8
    assert slots[0].reason is slotbook.SlotReason.BOOKED and all(s.available for s in slots[1:])


def test_a_cancellation_is_refunded_through_a_gateway_written_in_python():
    gateway = RecordingGateway()
    service, clock = make_service(
        payments=gateway, lifecycle=slotbook.LifecycleRules(cancellation=slotbook.CancellationPolicy.tiered())
    )
    b = service.book(Actor.client(CLIENT), request())
    service.confirm_payment(Actor.system(), b.session, "mpesa", "QK1")
    clock.set(MONDAY_9 - timedelta(hours=3))
    c = service.cancel(Actor.client(CLIENT), b.session, "travelling")
    assert c.decision.reason is slotbook.CancellationReason.NOTICE_TIER and c.decision.share == 5000
    assert c.refund == slotbook.RefundOutcome(slotbook.RefundState.REFUNDED, slotbook.Money.kes(75000), "RF-1", "")
    assert c.cancelled.status is S.CANCELLED and c.cancelled.refunded_minor == 75000
    (r,) = gateway.requests
    assert (r.transaction_id, r.amount, r.idempotency_key) == ("QK1", slotbook.Money.kes(75000), "BK-2026-000001/refund/75000")


@pytest.mark.parametrize("fail, error", [("declined", "declined"), ("raise", "gateway down")])
def test_a_failing_or_raising_gateway_leaves_the_cancellation_and_reports_the_refund_failed(fail, error):
    service, _ = make_service(payments=RecordingGateway(fail))
    b = service.book(Actor.client(CLIENT), request())
    service.confirm_payment(Actor.system(), b.session, "mpesa", "QK1")
    c = service.cancel(Actor.provider(PROVIDER), b.session)
    assert c.cancelled.status is S.CANCELLED
    assert c.refund.state is slotbook.RefundState.FAILED and error in c.refund.error


def test_a_session_is_started_completed_and_counted_in_analytics():
    service, clock = make_service(price_minor=0)
    b = service.book(Actor.client(CLIENT), request())
    assert b.status is S.SCHEDULED and not b.payment_required
    clock.set(MONDAY_9)
    started = service.update_status(Actor.provider(PROVIDER), b.session, StatusChange(S.IN_PROGRESS, expected=S.SCHEDULED))
    assert started.updated.joined_at == MONDAY_9
    with pytest.raises(slotbook.ConflictError):
        service.update_status(Actor.provider(PROVIDER), b.session, StatusChange(S.COMPLETED, expected=S.SCHEDULED))
    clock.advance(timedelta(minutes=50))
    done = service.update_status(Actor.provider(PROVIDER), b.session, StatusChange(S.COMPLETED, notes="went well"))
    assert done.updated.actual_duration == timedelta(minutes=50) and done.updated.notes == "went well"
    a = service.analytics(Actor.provider(PROVIDER), PROVIDER, slotbook.make_interval(utc(2026, 1, 1), utc(2026, 2, 1)))
    assert (a.total, a.completed, a.average_actual_duration) == (1, 1, timedelta(minutes=50))
    with pytest.raises(slotbook.ForbiddenError):
        service.analytics(Actor.client(CLIENT), PROVIDER, slotbook.make_interval(utc(2026, 1, 1), utc(2026, 2, 1)))


def test_a_reschedule_moves_the_booking_to_a_new_reference():
    service, _ = make_service(price_minor=0)
    b = service.book(Actor.client(CLIENT), request())
    r = service.reschedule(Actor.client(CLIENT), b.session, MONDAY_9 + timedelta(days=1))
    assert r.replaced.status is S.CANCELLED and r.replaced.rescheduled_to == r.replacement.id
    assert r.replacement.booking_reference == "BK-2026-000002" and r.decision.remaining == 1


def test_an_unpaid_hold_expires_after_fifteen_minutes():
    service, clock = make_service()
    b = service.book(Actor.client(CLIENT), request())
    clock.advance(timedelta(minutes=14))
    assert service.expire_holds() == 0
    clock.advance(timedelta(minutes=1))
    assert service.expire_holds() == 1
    assert service.get_session(Actor.system(), b.session).cancellation_reason == "hold_expired"


def test_reminders_are_sent_through_a_notifier_written_in_python():
    notifier = RecordingNotifier()
    service, clock = make_service(price_minor=0, notifications=notifier)
    b = service.book(Actor.client(CLIENT), request())
    clock.set(MONDAY_9 - timedelta(hours=24))
    assert service.run_reminders() == slotbook.ReminderRun(claimed=1, sent=1)
    (m,) = notifier.messages
    assert (m.before, m.booking_reference, m.provider_name, m.attempt) == (
        timedelta(hours=24), b.booking_reference, "Dr. Wanjiru", 1)
    clock.set(MONDAY_9 - timedelta(hours=2))
    failing = RecordingNotifier("raise")
    assert service.run_reminders(failing) == slotbook.ReminderRun(claimed=1, retrying=1)
    clock.set(MONDAY_9 - timedelta(minutes=15))
    claimed = service.due_reminders(10)
    # The 2 h reminder is back after its one-minute backoff, with the 15 min one.
    assert sorted(c.message.before for c in claimed) == [timedelta(minutes=15), timedelta(hours=2)]
    assert claimed[0].queued.state is slotbook.ReminderState.CLAIMED
    service.mark_sent(claimed[0].queued)
    assert service.mark_failed(claimed[1].queued, "bounced") is True
    with pytest.raises(slotbook.ConflictError):
        service.mark_sent(claimed[0].queued)
    with pytest.raises(slotbook.InvalidArgumentError):
        slotbook.BookingService(slotbook.MemoryStore(), clock).run_reminders()


def test_reminder_preferences_come_from_a_python_callable():
    asked: list[int] = []

    def preferences(client: int) -> slotbook.ReminderPreferences:
        asked.append(client)
        return slotbook.ReminderPreferences(email=False, sms=True, offsets=(timedelta(hours=2),))

    store = slotbook.MemoryStore()
    service, _ = make_service(store, price_minor=0, preferences=preferences)
    b = service.book(Actor.client(CLIENT), request())
    assert asked == [CLIENT]
    with store.transaction(slotbook.Access.READ):
        queued = store.session_reminders(b.session)
    assert [(q.what.channel, q.what.before) for q in queued] == [(slotbook.ReminderChannel.SMS, timedelta(hours=2))]


def test_change_events_reach_a_python_callback_in_commit_order_until_reset():
    service, clock = make_service(price_minor=0)
    events: list[slotbook.ChangeEvent] = []
    with service.subscribe(events.append) as sub:
        b = service.book(Actor.client(CLIENT), request())
        service.cancel(Actor.client(CLIENT), b.session)
        assert sub.active
    assert not sub.active
    service.book(Actor.client(CLIENT), request(MONDAY_9 + timedelta(hours=1)))
    assert [e.kind for e in events] == [slotbook.ChangeKind.BOOKED, slotbook.ChangeKind.CANCELLED, slotbook.ChangeKind.SLOT_FREED]
    assert [e.sequence for e in events] == [1, 2, 3]
    assert events[0].time == span(MONDAY_9) and events[0].by is slotbook.Role.CLIENT
    assert events[1].from_status is S.SCHEDULED and events[1].to_status is S.CANCELLED


def test_an_exception_in_an_event_callback_is_reported_and_does_not_undo_the_booking(monkeypatch):
    reported: list[type] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_type))
    service, _ = make_service(price_minor=0)
    sub = service.subscribe(lambda e: 1 / 0)
    b = service.book(Actor.client(CLIENT), request())
    assert service.get_session(Actor.system(), b.session).status is S.SCHEDULED
    sub.reset()
    assert reported == [ZeroDivisionError]


def test_the_audit_chain_verifies_and_health_reports_the_backlog():
    service, _ = make_service(price_minor=0)
    service.book(Actor.client(CLIENT), request())
    with pytest.raises(slotbook.ForbiddenError):
        service.get_session(Actor.client(8), 1)
    v = service.verify_audit()
    assert v.ok and v.checked >= 2
    head = service.current_audit_head()
    assert head.sequence == v.checked and len(head.hash) == 64
    assert service.verify_audit(head).ok
    h = service.health()
    assert h.status is slotbook.HealthStatus.HEALTHY and h.storage_reachable and h.at == START
    verifier = slotbook.AuditVerifier()
    with service.store.transaction(slotbook.Access.READ):
        entries = service.store.audit_entries(0, 100)
    edited = [dataclasses.replace(e, detail="tampered") if e.sequence == 2 else e for e in entries]
    for e in edited:
        if not verifier.next(e):
            break
    assert verifier.result.problem is slotbook.AuditProblem.EDITED and verifier.result.sequence == 2


def test_a_clock_written_in_python_is_used_and_its_microseconds_dropped():
    class Frozen(slotbook.Clock):
        def now(self):
            return datetime(2026, 1, 5, 11, 0, 0, 999999, tzinfo=NAIROBI)

    service = slotbook.BookingService(slotbook.MemoryStore(), Frozen())
    assert service.health().at == utc(2026, 1, 5, 8)
    assert slotbook.SystemClock().now().microsecond == 0
    settable = slotbook.SettableClock(utc(2026, 1, 1))
    settable.advance(timedelta(hours=-1))
    assert settable.now() == utc(2025, 12, 31, 23)


def test_invalid_options_are_refused_naming_the_option():
    bad = slotbook.ServiceOptions(retry=slotbook.ReminderRetry(max_attempts=0))
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^service_options\.retry\.max_attempts"):
        slotbook.validate(bad)
    with pytest.raises(slotbook.InvalidArgumentError, match="max_attempts"):
        slotbook.BookingService(slotbook.MemoryStore(), slotbook.SystemClock(), bad)
    service, _ = make_service()
    assert service.options == slotbook.ServiceOptions()


def test_threads_booking_concurrently_through_one_sqlite_store_never_double_book_and_lose_nothing(tmp_path):
    path = tmp_path / "concurrent.db"
    service, _ = make_service(slotbook.SqliteStore(path, busy_timeout=timedelta(seconds=30)), price_minor=0)
    # Monday to Friday, 8 hourly slots a day: 40 slots for 8 clients trying 15 each.
    slots = [utc(2026, 1, d, h) for d in range(12, 17) for h in range(6, 14)]
    acknowledged: list[tuple[int, datetime, int]] = []
    refused: list[str] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(1000 + n)
        for t in rng.sample(slots, 15):
            try:
                b = service.book(Actor.client(n), request(t, client=n))
                with lock:
                    acknowledged.append((b.session, b.scheduled_at, n))
            except slotbook.ConflictError as e:
                with lock:
                    refused.append(str(e))
            except BaseException as e:  # pragma: no cover - reported below
                with lock:
                    unexpected.append(e)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert unexpected == []
    assert len(acknowledged) + len(refused) == 8 * 15
    assert 0 < len(acknowledged) <= len(slots)
    # Read back through a separate store object on the same file: what was acknowledged is there.
    reader = slotbook.SqliteStore(path)
    week = slotbook.make_interval(utc(2026, 1, 12), timedelta(days=7))
    with reader.transaction(slotbook.Access.READ):
        stored = reader.provider_sessions(PROVIDER, week)
    assert sorted((s.id, s.scheduled_at, s.client) for s in stored) == sorted(acknowledged)
    # No two bookings overlap.
    for a, b in itertools.combinations(stored, 2):
        assert not a.interval.overlaps(b.interval), (a, b)


def test_add_provider_creates_once_and_refuses_an_existing_id_keeping_the_first_profile():
    service, _ = make_service()
    other = slotbook.ProviderProfile(id=77, name="Dr. Achieng", hours=slotbook.Schedule(NAIROBI, []))
    service.add_provider(Actor.system(), other)
    assert service.provider(77).name == "Dr. Achieng"
    with pytest.raises(slotbook.ConflictError, match="provider 77 already exists") as caught:
        service.add_provider(Actor.system(), slotbook.ProviderProfile(
            id=77, name="Someone else", hours=slotbook.Schedule(NAIROBI, [])))
    assert caught.value.transient is False
    assert service.provider(77).name == "Dr. Achieng"


def test_transient_attempts_is_an_option_checked_like_the_others():
    assert slotbook.ServiceOptions().transient_attempts == 3
    with pytest.raises(slotbook.InvalidArgumentError, match="transient_attempts: 0"):
        make_service(transient_attempts=0)
