"""The value types and enums: registration, defaults, immutability, equality, repr, pickling."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from datetime import date, time, timedelta

import pytest
from conftest import NAIROBI, UTC, span, utc

import slotbook
from slotbook._native import _c


def test_every_value_type_enum_and_error_class_is_registered_with_the_extension():
    assert _c._missing() == []


def test_the_python_defaults_equal_the_cpp_defaults():
    defaults = _c._defaults()
    assert len(defaults) > 40
    for name, cpp in defaults.items():
        cls = getattr(slotbook, name)
        assert cls() == cpp, name


def test_value_types_are_frozen():
    rules = slotbook.SlotRules()
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.duration = timedelta(minutes=30)  # type: ignore[misc]
    changed = dataclasses.replace(rules, duration=timedelta(minutes=30))
    assert changed.duration == timedelta(minutes=30) and rules.duration == timedelta(minutes=60)


def test_value_types_compare_by_value_and_hash_alike():
    a = slotbook.Interval(utc(2026, 1, 15, 10), utc(2026, 1, 15, 11))
    # The same instants written in Nairobi time are normalised to UTC.
    from datetime import datetime

    b = slotbook.Interval(datetime(2026, 1, 15, 13, tzinfo=NAIROBI), datetime(2026, 1, 15, 14, tzinfo=NAIROBI))
    assert a == b and hash(a) == hash(b)
    assert b.begin.tzinfo is UTC
    assert len({a, b, span(utc(2026, 1, 15, 12))}) == 2


def test_sequences_are_stored_as_tuples():
    s = slotbook.Schedule("UTC", [slotbook.WeeklyWindow(1, "09:00", "10:00")])
    assert isinstance(s.windows, tuple)
    hash(s)
    with pytest.raises(TypeError, match="Schedule.windows: expected a sequence"):
        slotbook.Schedule("UTC", "09:00-10:00")


def test_zones_are_stored_as_their_iana_name():
    assert slotbook.Schedule(NAIROBI).zone == "Africa/Nairobi"


def test_window_times_are_read_from_text_and_24_00_is_the_end_of_the_day():
    w = slotbook.WeeklyWindow(slotbook.Weekday.SATURDAY, "22:00", "24:00")
    assert (w.start, w.end) == (time(22), time(0))
    assert repr(w) == "WeeklyWindow(day=Weekday.SATURDAY, start=22:00, end=24:00)"
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^LocalWindow\.start: 24:00"):
        slotbook.LocalWindow("24:00", "24:00")
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^LocalWindow\.end: .*25:00"):
        slotbook.LocalWindow("09:00", "25:00")


def test_enum_values_are_the_platforms_lowercase_strings():
    assert slotbook.PaymentStatus.PENDING.value == "pending"
    assert slotbook.SessionStatus.PENDING_PAYMENT.value == "pending_payment"
    assert slotbook.SessionType.FOLLOW_UP.value == "follow_up"
    assert slotbook.SlotReason.TOO_SOON.value == "too_soon"
    assert slotbook.SlotReason.NONE.value == ""
    assert slotbook.ChangeKind.SLOT_FREED == "slot_freed"
    assert slotbook.Weekday.SUNDAY == 0 and slotbook.Weekday.of(date(2026, 1, 12)) is slotbook.Weekday.MONDAY
    assert slotbook.SessionStatus.NO_SHOW.is_terminal and not slotbook.SessionStatus.SCHEDULED.is_terminal


def test_enum_fields_accept_their_value_as_text_and_refuse_others_naming_the_field():
    assert slotbook.Session(status="scheduled").status is slotbook.SessionStatus.SCHEDULED
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^Session\.status: 'Scheduled' is not a SessionStatus"):
        slotbook.Session(status="Scheduled")


def test_enum_arguments_accept_their_value_as_text_too():
    assert slotbook.is_terminal("cancelled") is True
    assert slotbook.is_edge("scheduled", slotbook.SessionStatus.CONFIRMED) is True
    with pytest.raises(slotbook.InvalidArgumentError, match="'done' is not a SessionStatus"):
        slotbook.is_terminal("done")


def test_the_cpp_parse_functions_agree_with_the_enums():
    for status in slotbook.SessionStatus:
        assert slotbook.parse_session_status(status.value) is status
    for kind in slotbook.SessionType:
        assert slotbook.parse_session_type(kind.value) is kind
    for p in slotbook.PaymentStatus:
        assert slotbook.parse_payment_status(p.value) is p
    for r in slotbook.Role:
        assert slotbook.parse_role(r.value) is r
    for c in slotbook.ReminderChannel:
        assert slotbook.parse_reminder_channel(c.value) is c
    with pytest.raises(slotbook.InvalidArgumentError, match=r'^status: "Scheduled" is not a session status'):
        slotbook.parse_session_status("Scheduled")


def test_a_bad_field_value_is_reported_by_the_core_with_the_field_name():
    rules = slotbook.SlotRules(step=timedelta(seconds=90))
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^SlotRules\.step: .*whole number of minutes"):
        slotbook.validate(rules)
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^rules\.duration: 0 min is outside 1 to 10080 min"):
        slotbook.validate(slotbook.SlotRules(duration=timedelta(0)))
    with pytest.raises(TypeError, match=r"^Session\.duration: expected datetime.timedelta"):
        slotbook.Session(duration=60)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"Money\.minor_units: expected int"):
        slotbook.validate(slotbook.Session(client=1, provider=2, duration=timedelta(hours=1), amount=slotbook.Money("100")))  # type: ignore[arg-type]


def test_a_timedelta_beyond_what_the_core_can_hold_is_refused_not_wrapped():
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^SlotRules\.duration: .*out of range"):
        slotbook.validate(slotbook.SlotRules(duration=timedelta.max))
    with pytest.raises(slotbook.InvalidArgumentError, match=r"^SlotRules\.buffer_after: .*out of range"):
        slotbook.validate(slotbook.SlotRules(buffer_after=timedelta.min))


def _samples():
    t = utc(2026, 1, 15, 10)
    session = slotbook.Session(
        id=3, client=7, provider=42, scheduled_at=t, duration=timedelta(hours=1),
        status=slotbook.SessionStatus.CANCELLED, booking_reference="BK-2026-000003",
        amount=slotbook.Money.kes(150000), payment=slotbook.PaymentStatus.REFUNDED,
        refunded_minor=75000, created_at=t - timedelta(days=3), updated_at=t - timedelta(days=1),
        cancelled_at=t - timedelta(days=1), cancelled_by=slotbook.Role.CLIENT,
        cancelled_from=slotbook.SessionStatus.SCHEDULED,
    )
    return [
        span(t),
        slotbook.Money(150000, "KES"),
        slotbook.Actor.client(7),
        slotbook.BookingReference(2026, 1234),
        session,
        slotbook.Schedule(NAIROBI, [slotbook.WeeklyWindow(1, "09:00", "17:00")],
                          [slotbook.DateException.closed(date(2026, 12, 25), "holiday")],
                          effective_from=date(2026, 1, 1)),
        slotbook.SlotRules(step=timedelta(minutes=15), max_per_day=6),
        slotbook.CancellationPolicy.tiered(),
        slotbook.LifecycleRules(),
        slotbook.IntakeForm(id=1, client=7, goals=slotbook.GoalsStep(["sleep better"])),
        slotbook.SessionStatus.IN_PROGRESS,
        slotbook.Weekday.FRIDAY,
    ]


@pytest.mark.parametrize("value", _samples(), ids=lambda v: type(v).__name__)
def test_values_pickle_and_copy_to_equal_values(value):
    assert pickle.loads(pickle.dumps(value)) == value
    assert copy.deepcopy(value) == value


def test_errors_pickle_with_their_code_and_message():
    e = slotbook.ConflictError("time taken")
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is slotbook.ConflictError and back.code is slotbook.ErrorCode.CONFLICT
    assert str(back) == "time taken"


def test_repr_shows_instants_as_iso_text_and_money_as_units_and_code():
    assert repr(span(utc(2026, 1, 15, 10))) == (
        "Interval(begin=2026-01-15T10:00:00Z, end=2026-01-15T11:00:00Z)"
    )
    r = repr(slotbook.Session(amount=slotbook.Money.kes(150000)))
    assert "amount=Money(150000, 'KES')" in r and "status=SessionStatus.PENDING_PAYMENT" in r
    assert repr(slotbook.Actor.admin(3)) == "Actor(role=Role.ADMIN, id=3)"
    assert repr(slotbook.CivilTime(date(2026, 1, 1), slotbook.Weekday.THURSDAY, time(8), -timedelta(hours=5), "EST")).endswith(
        "utc_offset=-5:00:00, abbreviation='EST')"
    )


def test_cpp_values_come_back_unchanged_through_the_extension():
    for value in _samples():
        if isinstance(value, slotbook.Session):
            slotbook.validate(value)  # converts to C++ and checks
    # A session round-trips through a store field by field.
    store = slotbook.MemoryStore()
    session = [v for v in _samples() if isinstance(v, slotbook.Session)][0]
    with store.transaction(slotbook.Access.WRITE):
        store.insert_session(session)
    with store.transaction(slotbook.Access.READ):
        assert store.find_session(3) == session
