"""Lifecycle, cancellation / reschedule / no-show policy, reminders, analytics, money, actors and
references: the pure functions, called with an explicit now."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from conftest import utc

import slotbook
from slotbook import Actor, SessionStatus as S

START = utc(2026, 1, 15, 10)


def booked(**changes) -> slotbook.Session:
    """A paid, scheduled 60-minute session of client 7 with provider 42, KES 1,500.00."""
    base = slotbook.Session(
        id=1, client=7, provider=42, scheduled_at=START, duration=timedelta(hours=1),
        status=S.SCHEDULED, booking_reference="BK-2026-000001", amount=slotbook.Money.kes(150000),
        payment=slotbook.PaymentStatus.PAID, created_at=utc(2026, 1, 1), updated_at=utc(2026, 1, 1),
    )
    return dataclasses.replace(base, **changes)


def test_money_adds_in_one_currency_rounds_portions_down_and_formats_with_minor_digits():
    assert slotbook.Money.kes(150000) + slotbook.Money.kes(75000) == slotbook.Money.kes(225000)
    assert -slotbook.Money.kes(50) == slotbook.Money.kes(-50)
    assert str(slotbook.Money.kes(-50)) == "KES -0.50"
    assert str(slotbook.Money(1200, "JPY")) == "JPY 1200"
    assert slotbook.portion(slotbook.Money.kes(15), 5000) == slotbook.Money.kes(7)
    assert slotbook.percent(50) == 5000 and slotbook.percent(101) == -1
    assert slotbook.minor_digits("KWD") == 3 and slotbook.Money(1, "UGX").minor_digits == 0
    assert slotbook.Money.kes(1) < slotbook.Money.kes(2)
    assert not (slotbook.Money(1, "USD") < slotbook.Money.kes(2)) and not (slotbook.Money(1, "USD") > slotbook.Money.kes(2))
    with pytest.raises(slotbook.InvalidArgumentError, match="does not fit in 64-bit"):
        slotbook.Money.kes(2**63 - 1) + slotbook.Money.kes(1)
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^Money\.currency: .*usd"):
        slotbook.Money(1, "usd") + slotbook.Money(1, "usd")
    assert slotbook.parse_currency("USD") == "USD"


def test_actors_and_references():
    assert str(Actor.provider(42)) == "provider 42" and str(Actor.system()) == "system"
    assert Actor.client(7).as_client == 7 and Actor.client(7).as_provider is None
    with pytest.raises(slotbook.InvalidArgumentError, match="the system has no id"):
        Actor(slotbook.Role.SYSTEM, 3)
    assert slotbook.format_reference(2026, 1234) == "BK-2026-001234"
    assert slotbook.format_reference(2026, 1000000) == "BK-2026-1000000"
    assert slotbook.parse_reference("BK-2026-001234") == slotbook.BookingReference(2026, 1234)
    assert str(slotbook.BookingReference.parse("BK-2026-000007")) == "BK-2026-000007"
    with pytest.raises(slotbook.InvalidArgumentError, match="ref: .*BK-2026-0999999"):
        slotbook.parse_reference("BK-2026-0999999", "ref")
    assert slotbook.acts_for(Actor.client(7), booked()) and not slotbook.acts_for(Actor.client(8), booked())


def test_a_session_validates_and_gives_its_interval_and_refund():
    s = booked()
    slotbook.validate(s)
    assert slotbook.session_interval(s) == s.interval == slotbook.Interval(START, START + timedelta(hours=1))
    assert slotbook.refunded_amount(booked(refunded_minor=500, payment="refunded")) == slotbook.Money.kes(500)
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^duration: session 1 has duration 0 min"):
        slotbook.validate(booked(duration=timedelta(0)))


def test_holds_expire_after_their_time_and_stop_occupying_it():
    hold = booked(status=S.PENDING_PAYMENT, payment="pending", created_at=utc(2026, 1, 10, 12))
    assert not slotbook.hold_expired(hold, utc(2026, 1, 10, 12, 14))
    assert slotbook.hold_expired(hold, utc(2026, 1, 10, 12, 15))  # 15 minutes, half-open
    assert slotbook.occupies_time(hold, utc(2026, 1, 10, 12, 14))
    assert not slotbook.occupies_time(hold, utc(2026, 1, 10, 12, 14), slotbook.HoldRules(timedelta(minutes=10)))
    r = slotbook.expire_hold(hold, utc(2026, 1, 10, 13))
    assert r.allowed and r.next.status is S.CANCELLED and r.next.cancellation_reason == "hold_expired"
    assert slotbook.expire_hold(hold, utc(2026, 1, 10, 12, 1)).reason is slotbook.TransitionReason.HOLD_NOT_EXPIRED


def test_the_state_machine_says_which_edges_exist_and_who_may_take_them():
    assert slotbook.is_edge(S.SCHEDULED, S.IN_PROGRESS) and not slotbook.is_edge(S.SCHEDULED, S.COMPLETED)
    assert slotbook.role_may(slotbook.Role.PROVIDER, S.SCHEDULED, S.IN_PROGRESS)
    assert not slotbook.role_may(slotbook.Role.CLIENT, S.SCHEDULED, S.IN_PROGRESS)


def test_a_transition_records_its_fields_or_says_why_not():
    started = slotbook.transition(booked(), S.IN_PROGRESS, Actor.provider(42), START - timedelta(minutes=5))
    assert started.allowed and started.next.joined_at == START - timedelta(minutes=5)
    early = slotbook.transition(booked(), S.IN_PROGRESS, Actor.provider(42), START - timedelta(minutes=16))
    assert not early.allowed and early.reason is slotbook.TransitionReason.TOO_EARLY_TO_START
    assert slotbook.transition(booked(), S.IN_PROGRESS, Actor.client(7), START).reason is slotbook.TransitionReason.ROLE_NOT_PERMITTED
    hold = booked(status=S.PENDING_PAYMENT, payment="pending", created_at=utc(2026, 1, 10, 12))
    paid = slotbook.confirm_payment(hold, "mpesa", "QK7H2XYZ", Actor.system(), utc(2026, 1, 10, 12, 5))
    assert paid.next.status is S.SCHEDULED and paid.next.payment is slotbook.PaymentStatus.PAID
    assert paid.next.transaction_id == "QK7H2XYZ"


def test_a_client_cancelling_a_day_ahead_gets_everything_back_and_later_is_refused():
    r = slotbook.cancel(booked(), Actor.client(7), START - timedelta(hours=24), "travelling")
    assert r.allowed and r.refund == slotbook.Money.kes(150000)
    assert r.next.payment is slotbook.PaymentStatus.REFUNDED and r.next.refunded_minor == 150000
    assert r.next.cancelled_by is slotbook.Role.CLIENT and r.next.cancellation_reason == "travelling"
    late = slotbook.cancel(booked(), Actor.client(7), START - timedelta(hours=23))
    assert late.reason is slotbook.TransitionReason.CANCELLATION_REFUSED
    assert late.cancellation.reason is slotbook.CancellationReason.REFUSED_LATE


def test_the_tiered_policy_refunds_half_between_two_and_twenty_four_hours():
    d = slotbook.decide_cancellation(booked(), Actor.client(7), START - timedelta(hours=3),
                                     slotbook.CancellationPolicy.tiered())
    assert (d.allowed, d.reason, d.tier, d.share) == (True, slotbook.CancellationReason.NOTICE_TIER, 1, 5000)
    assert d.refund == slotbook.Money.kes(75000) and d.notice == timedelta(hours=3)
    bad = slotbook.CancellationPolicy(slotbook.NoticeSchedule((slotbook.RefundTier(timedelta(hours=2), 5000),
                                                               slotbook.RefundTier(timedelta(hours=24), 10000))))
    with pytest.raises(slotbook.InvalidArgumentError, match=r"standard\.tiers\[1\]\.min_notice"):
        slotbook.validate(bad)


def test_a_reschedule_builds_the_replacement_and_counts_against_the_limit():
    d = slotbook.decide_reschedule(booked(reschedule_count=2), Actor.client(7), START - timedelta(days=2))
    assert d.reason is slotbook.RescheduleReason.REFUSED_LIMIT
    r = slotbook.reschedule(booked(), 2, "BK-2026-000002", START + timedelta(days=1), Actor.client(7),
                            START - timedelta(days=2))
    assert r.decision.allowed and r.decision.remaining == 1
    assert r.replaced.status is S.CANCELLED and r.replaced.rescheduled_to == 2
    assert r.replacement.id == 2 and r.replacement.scheduled_at == START + timedelta(days=1)
    assert r.replacement.reschedule_count == 1 and r.replacement.rescheduled_from == 1


def test_a_no_show_keeps_the_fee_and_refunds_the_rest_rounded_down():
    assert slotbook.charge_no_show(booked()) == slotbook.NoShowCharge(slotbook.Money.kes(150000), slotbook.Money.kes(0))
    half = slotbook.NoShowPolicy(fee=5000)
    # 50 % of KES 0.15 refunded is 7 cents rounded down; the fee keeps the other 8.
    c = slotbook.charge_no_show(booked(amount=slotbook.Money.kes(15)), half)
    assert (c.kept, c.refund) == (slotbook.Money.kes(8), slotbook.Money.kes(7))
    no_shows = [booked(id=k, status=S.NO_SHOW, scheduled_at=START - timedelta(days=k)) for k in (1, 2, 3)]
    record = slotbook.assess_no_shows(no_shows, 7, START, slotbook.NoShowPolicy(block_after=3))
    assert record == slotbook.NoShowRecord(3, slotbook.ClientStanding.BLOCKED)
    assert slotbook.assess_no_shows(no_shows[:2], 7, START).standing is slotbook.ClientStanding.PREPAYMENT_REQUIRED


def test_reminders_are_planned_only_for_times_still_to_come():
    prefs = slotbook.ReminderPreferences(email=True, sms=True)
    plan = slotbook.plan_reminders(booked(), START - timedelta(hours=3), prefs)
    # Booked 3 h ahead: the 24 h reminder is past; 2 h and 15 min remain, email before SMS.
    assert [(r.before, r.channel) for r in plan] == [
        (timedelta(hours=2), slotbook.ReminderChannel.EMAIL),
        (timedelta(hours=2), slotbook.ReminderChannel.SMS),
        (timedelta(minutes=15), slotbook.ReminderChannel.EMAIL),
        (timedelta(minutes=15), slotbook.ReminderChannel.SMS),
    ]
    assert plan[0].due == START - timedelta(hours=2)
    assert slotbook.reminder_label(timedelta(minutes=90)) == "90m" and slotbook.reminder_label(timedelta(hours=24)) == "24h"
    assert slotbook.gets_reminders(S.CONFIRMED) and not slotbook.gets_reminders(S.PENDING_PAYMENT)
    assert slotbook.reminders_on_cancel(booked()) == slotbook.ReminderChanges((1,), ())
    moved = booked(id=2, scheduled_at=START + timedelta(days=1))
    changes = slotbook.reminders_on_reschedule(booked(), moved, START - timedelta(days=2))
    assert changes.remove == (1,) and len(changes.add) == 3
    started = booked(status=S.IN_PROGRESS, joined_at=START)
    assert slotbook.reminders_on_change(booked(), started, START) == slotbook.ReminderChanges((1,), ())
    with pytest.raises(slotbook.InvalidArgumentError, match=r"offsets\[1\]: 1440 min repeats"):
        slotbook.validate(slotbook.ReminderPlan((timedelta(hours=24), timedelta(hours=24))))


def test_analytics_count_bookings_rates_and_revenue():
    sessions = [
        booked(id=1, status=S.COMPLETED, joined_at=START, ended_at=START + timedelta(minutes=50),
               actual_duration=timedelta(minutes=50)),
        booked(id=2, status=S.CANCELLED, payment="refunded", refunded_minor=75000,
               cancelled_at=START - timedelta(hours=3), cancelled_from=S.SCHEDULED),
        booked(id=3, status=S.NO_SHOW),
        booked(id=4, provider=43),  # another provider: skipped
    ]
    a = slotbook.analyze_sessions(sessions, 42, slotbook.make_interval(utc(2026, 1, 1), utc(2026, 2, 1)))
    assert (a.total, a.completed, a.cancelled, a.no_show) == (3, 1, 1, 1)
    assert a.completion_rate == slotbook.Rate(1, 3) and a.completion_rate.basis_points == 3333
    # Revenue: 1500 + (1500 - 750) + 1500.
    assert a.revenue == slotbook.Money.kes(375000)
    assert a.average_actual_duration == timedelta(minutes=50)
    assert slotbook.Rate(2, 3).basis_points == 6666 and slotbook.Rate().basis_points == 0
