"""Quickstart: a psychologist in Nairobi, a client in Berlin, one week of the platform.

The provider's hours are written in Nairobi wall-clock time (EAT, UTC+3) with a closed day; the
client sees the slots on their own clock in Berlin (CET, UTC+1); slotbook itself works in UTC. The
client books and pays, later cancels one session with a partial refund, attends another, and the
provider looks at the month's analytics.

Run it with the extension and the package on the path, e.g.
    PYTHONPATH=build/bindings/python:bindings/python python3 examples/python/quickstart.py
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import slotbook
from slotbook import Actor, SessionStatus, StatusChange, Weekday

NAIROBI = ZoneInfo("Africa/Nairobi")
BERLIN = ZoneInfo("Europe/Berlin")
PROVIDER = 42
CLIENT = 7


class PrintingGateway(slotbook.PaymentGateway):
    """Stands in for M-Pesa: every refund succeeds and is printed."""

    def refund(self, request: slotbook.RefundRequest) -> slotbook.RefundResult:
        print(f"  gateway: refund {request.amount} on {request.transaction_id} "
              f"(idempotency key {request.idempotency_key})")
        return slotbook.RefundResult.ok("RF-" + request.booking_reference[-6:])


def berlin(t: datetime) -> str:
    return t.astimezone(BERLIN).strftime("%a %d %b %H:%M %Z")


def main() -> None:
    # The clock is set by hand so the run is the same every time: Monday 5 January 2026, 08:00 UTC.
    clock = slotbook.SettableClock(datetime(2026, 1, 5, 8, tzinfo=timezone.utc))
    store = slotbook.MemoryStore()
    options = slotbook.ServiceOptions(
        lifecycle=slotbook.LifecycleRules(cancellation=slotbook.CancellationPolicy.tiered()),
        payments=PrintingGateway(),
    )
    service = slotbook.BookingService(store, clock, options)

    # Dr. Wanjiru works weekdays 09:00-12:00 and 13:00-17:00 in Nairobi; Tuesday 13 January is a
    # training day. A session costs KES 1,500.00.
    weekdays = [Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY]
    hours = slotbook.Schedule(
        NAIROBI,
        windows=[slotbook.WeeklyWindow(d, start, end)
                 for d in weekdays for start, end in (("09:00", "12:00"), ("13:00", "17:00"))],
        exceptions=[slotbook.DateException.closed(date(2026, 1, 13), "training day")],
    )
    service.put_provider(Actor.system(), slotbook.ProviderProfile(
        id=PROVIDER, name="Dr. Wanjiru Kamau", hours=hours, price=slotbook.Money.kes(150000)))

    # The client in Berlin looks at Tuesday and Wednesday.
    print("Slots for a client in Berlin:")
    for day in (13, 14):
        start = datetime(2026, 1, day, tzinfo=BERLIN)
        slots = service.slots(PROVIDER, slotbook.make_interval(start, timedelta(days=1)))
        free = [s for s in slots if s.available]
        closed = [s for s in slots if s.reason is slotbook.SlotReason.EXCEPTION]
        print(f"  {start:%a %d %b}: {len(free)} free"
              + (f", {len(closed)} closed ({hours.exceptions[0].reason})" if closed else ""))
        for s in free[:3]:
            print(f"    {berlin(s.time.begin)}  (= {s.time.begin.astimezone(NAIROBI):%H:%M} in Nairobi)")

    # She books Wednesday 08:00 Berlin time (10:00 in Nairobi) and Thursday 07:00 (09:00).
    print("\nBooking:")
    booked = []
    for t in (datetime(2026, 1, 14, 8, tzinfo=BERLIN), datetime(2026, 1, 15, 7, tzinfo=BERLIN)):
        b = service.book(Actor.client(CLIENT), slotbook.BookingRequest(
            provider=PROVIDER, client=CLIENT, scheduled_at=t))
        paid = service.confirm_payment(Actor.system(), b.session, "mpesa", f"QK{b.session:06d}")
        print(f"  {b.booking_reference}: {berlin(b.scheduled_at)}, {b.amount}, "
              f"{b.status.value} -> {paid.updated.status.value}")
        booked.append(b)

    # The same time again is refused: the conflict check runs in the booking transaction.
    try:
        service.book(Actor.client(8), slotbook.BookingRequest(
            provider=PROVIDER, client=8, scheduled_at=booked[0].scheduled_at))
    except slotbook.ConflictError as e:
        print(f"  a second client for the same time: refused ({e.code.value}, HTTP "
              f"{e.code.http_status})")

    # Tuesday 13:00 UTC the client cancels Wednesday's session: 18 hours' notice, which the tiered
    # policy refunds at 50 %.
    clock.set(datetime(2026, 1, 13, 13, tzinfo=timezone.utc))
    print("\nCancelling with 18 hours' notice:")
    c = service.cancel(Actor.client(CLIENT), booked[0].session, "travelling")
    d = c.decision
    print(f"  decision: {d.reason.value}, tier {d.tier}, share {d.share / 100:.0f} %, "
          f"notice {d.notice}, refund {d.refund}")
    print(f"  refund {c.refund.state.value}: {c.refund.amount} ({c.refund.gateway_reference})")

    # Thursday's session happens: the provider starts it on time and ends it after 50 minutes.
    second = booked[1].session
    clock.set(booked[1].scheduled_at)
    service.update_status(Actor.provider(PROVIDER), second, StatusChange(SessionStatus.IN_PROGRESS))
    clock.advance(timedelta(minutes=50))
    done = service.update_status(Actor.provider(PROVIDER), second,
                                 StatusChange(SessionStatus.COMPLETED))
    print(f"\nCompleted {done.updated.booking_reference} after {done.updated.actual_duration}")

    # January at a glance.
    month = slotbook.make_interval(datetime(2026, 1, 1, tzinfo=NAIROBI),
                                   datetime(2026, 2, 1, tzinfo=NAIROBI))
    a = service.analytics(Actor.provider(PROVIDER), PROVIDER, month)
    print("\nJanuary analytics:")
    print(f"  bookings {a.total}: {a.completed} completed, {a.cancelled} cancelled")
    print(f"  completion {a.completion_rate.basis_points / 100:.2f} %, "
          f"cancellation {a.cancellation_rate.basis_points / 100:.2f} %")
    print(f"  revenue {a.revenue}, average session {a.average_actual_duration}")
    print(f"  audit log intact: {service.verify_audit().ok}")


if __name__ == "__main__":
    main()
