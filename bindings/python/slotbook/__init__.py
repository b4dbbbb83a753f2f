"""slotbook: conflict-free appointment booking, from Python.

A thin layer over slotbook's C++ core (the ``_slotbook`` extension): the value types are frozen
dataclasses, the enums are Python enums with the platform's lowercase values, instants are aware
UTC datetimes (any aware datetime is accepted; a naive one is an `InvalidArgumentError` naming the
argument), durations are timedeltas, and every C++ failure arrives as a subclass of `Error`
carrying its `ErrorCode`. Heavy work (slot generation, index queries, storage) runs without the
GIL, so a threaded server can use one service from many threads.

    import slotbook
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    store = slotbook.SqliteStore("bookings.db")
    clock = slotbook.SystemClock()
    service = slotbook.BookingService(store, clock)
    service.put_provider(slotbook.Actor.system(), slotbook.ProviderProfile(
        id=42, name="Dr. Wanjiru", price=slotbook.Money.kes(150000),
        hours=slotbook.Schedule(ZoneInfo("Africa/Nairobi"),
                                [slotbook.WeeklyWindow(slotbook.Weekday.MONDAY, "09:00", "17:00")])))
    booked = service.book(slotbook.Actor.client(7), slotbook.BookingRequest(
        provider=42, client=7, scheduled_at=datetime(2026, 1, 19, 9, tzinfo=ZoneInfo("Africa/Nairobi"))))

See docs/python.md for the whole API.
"""

from __future__ import annotations

import datetime as _dt

from . import _enums, _errors, _values
from ._enums import *  # noqa: F403
from ._errors import *  # noqa: F403
from ._native import _c
from ._values import *  # noqa: F403


def _register() -> None:
    for cls in _values.REGISTERED:
        _c._register(cls.__name__, cls)
    for name in _enums.__all__:
        _c._register(name, getattr(_enums, name))
    for code, cls in _errors.BY_CODE.items():
        _c._register_error(code, cls)
    missing = _c._missing()
    if missing:
        raise ImportError(f"slotbook: the extension knows classes this package lacks: {missing}")


_register()

# --- the C++ API ----------------------------------------------------------------------------------
version = _c.version

# time
find_zone = _c.find_zone
parse_instant = _c.parse_instant
format_instant = _c.format_instant
to_instant = _c.to_instant
to_civil = _c.to_civil
parse_date = _c.parse_date
format_date = _c.format_date
parse_time_of_day = _c.parse_time_of_day
format_time_of_day = _c.format_time_of_day
make_interval = _c.make_interval

# money, actors, references, sessions
parse_currency = _c.parse_currency
minor_digits = _c.minor_digits
portion = _c.portion
percent = _c.percent
parse_role = _c.parse_role
format_reference = _c.format_reference
parse_reference = _c.parse_reference
parse_session_status = _c.parse_session_status
parse_session_type = _c.parse_session_type
parse_payment_status = _c.parse_payment_status
is_terminal = _c.is_terminal
session_interval = _c.session_interval
refunded_amount = _c.refunded_amount
acts_for = _c.acts_for
validate = _c.validate
MAX_GROUP_CAPACITY: int = _c.MAX_GROUP_CAPACITY
parse_waitlist_state = _c.parse_waitlist_state
seat_view = _c.seat_view

# lifecycle, policy, reminders, analytics
hold_expired = _c.hold_expired
occupies_time = _c.occupies_time
is_edge = _c.is_edge
role_may = _c.role_may
cancel = _c.cancel
transition = _c.transition
confirm_payment = _c.confirm_payment
expire_hold = _c.expire_hold
decide_cancellation = _c.decide_cancellation
decide_reschedule = _c.decide_reschedule
reschedule = _c.reschedule
charge_no_show = _c.charge_no_show
assess_no_shows = _c.assess_no_shows
parse_reminder_channel = _c.parse_reminder_channel
reminder_label = _c.reminder_label
gets_reminders = _c.gets_reminders
plan_reminders = _c.plan_reminders
reminders_on_cancel = _c.reminders_on_cancel
reminders_on_reschedule = _c.reminders_on_reschedule
reminders_on_change = _c.reminders_on_change
analyze_sessions = _c.analyze_sessions

# availability and slots
Availability = _c.Availability
schedule_from_seed = _c.schedule_from_seed
expand = _c.expand
generate_slots = _c.generate_slots
free_slots = _c.free_slots
check_bookable = _c.check_bookable
slot_reason_error_code = _c.slot_reason_error_code
providers_free_at = _c.providers_free_at
earliest_team_slot = _c.earliest_team_slot

# conflict indexes
IntervalIndex = _c.IntervalIndex
ProviderIndex = _c.ProviderIndex

# storage
Store = _c.Store
Transaction = _c.Transaction
MemoryStore = _c.MemoryStore
SqliteStore = _c.SqliteStore
SQLITE_SCHEMA_VERSION: int = _c.SQLITE_SCHEMA_VERSION
SQLITE_APPLICATION_ID: int = _c.SQLITE_APPLICATION_ID
sqlite_schema_steps = _c.sqlite_schema_steps

# the service and the interfaces the host implements
Clock = _c.Clock
SystemClock = _c.SystemClock
SettableClock = _c.SettableClock
Notifier = _c.Notifier
PaymentGateway = _c.PaymentGateway
BookingService = _c.BookingService
Subscription = _c.Subscription
AuditVerifier = _c.AuditVerifier
audit_canonical_text = _c.audit_canonical_text
audit_hash = _c.audit_hash
MAX_TEXT_BYTES: int = _c.MAX_TEXT_BYTES
REDACTED_TEXT: str = _c.REDACTED_TEXT
MAX_SERIES_OCCURRENCES: int = _c.MAX_SERIES_OCCURRENCES
MAX_SERIES_SPAN: _dt.timedelta = _c.MAX_SERIES_SPAN
MAX_WAITLIST_RANGE: _dt.timedelta = _c.MAX_WAITLIST_RANGE
to_json = _c.to_json

# external calendars
import_busy_times = _c.import_busy_times

# crypto and intake forms
SEALED_FORMAT_VERSION: int = _c.SEALED_FORMAT_VERSION
KeyMaterial = _c.KeyMaterial
Keyring = _c.Keyring
RecordKey = _c.RecordKey
wrap = _c.wrap
unwrap = _c.unwrap
rewrap = _c.rewrap
key_version = _c.key_version
seal = _c.seal
open = _c.open  # noqa: A001 - slotbook.open; kept out of __all__ so `import *` cannot shadow open
intake_record = _c.intake_record
problems = _c.problems
missing = _c.missing
is_complete = _c.is_complete
next_step = _c.next_step
save_step = _c.save_step
serialize = _c.serialize
parse_personal_info = _c.parse_personal_info
parse_mental_health = _c.parse_mental_health
parse_goals = _c.parse_goals
seal_intake = _c.seal_intake
open_intake = _c.open_intake
reseal = _c.reseal


def utc_now() -> _dt.datetime:
    """The current instant as slotbook takes it: an aware UTC datetime in whole seconds."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)


__all__ = sorted(
    set(_enums.__all__ + _errors.__all__ + _values.__all__)
    | {
        name
        for name, value in list(globals().items())
        if not name.startswith("_") and (callable(value) or name.isupper())
    }
    - {"annotations", "open"}
)
