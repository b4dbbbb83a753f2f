"""slotbook's value types: frozen dataclasses mirroring the C++ structs field by field.

Instants are aware UTC datetimes, durations are timedeltas, civil dates are dates, local times of
day are times, ids are ints, money is `Money` (integer minor units), shares are basis points (ints,
10000 = 100 %). Every type has a readable ``repr``, compares by value, hashes, and pickles. The
defaults are the C++ defaults (the platform's rules): ``SlotRules()`` is 60-minute sessions booked
24 h to 30 days ahead, ``CancellationPolicy()`` needs 24 h notice for a full refund, and so on.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from ._enums import (
    AuditProblem,
    CancellationReason,
    ChangeKind,
    ClientStanding,
    ErrorCode,
    HealthStatus,
    LateCancellation,
    OccurrenceOutcome,
    PaymentOutcome,
    PaymentStatus,
    RefundState,
    ReminderChannel,
    ReminderState,
    RescheduleReason,
    Role,
    SeriesMode,
    SeriesScope,
    SessionStatus,
    SessionType,
    SlotAlignment,
    SlotReason,
    TransitionReason,
    WaitlistState,
    Weekday,
)
from ._errors import InvalidArgumentError
from ._native import _c
from ._record import (
    EPOCH,
    UTC,
    _optional,
    instant,
    show_window_end,
    value_type,
    wall_clock,
    wall_time_start,
    zone,
)

if TYPE_CHECKING:
    from ._slotbook import Keyring, Notifier, PaymentGateway

datetime = _dt.datetime
date = _dt.date
time = _dt.time
timedelta = _dt.timedelta

_H = timedelta(hours=1)
_MIN = timedelta(minutes=1)


# ---------------------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------------------


@value_type
class Interval:
    """A half-open UTC interval ``[begin, end)``: a session ending at 10:00 and one starting at
    10:00 do not overlap. An empty or inverted interval can be built (check `ok`); use
    `make_interval` to build one from untrusted input.

    >>> s = Interval(datetime(2026, 1, 15, 10, tzinfo=UTC), datetime(2026, 1, 15, 11, tzinfo=UTC))
    >>> s.duration
    datetime.timedelta(seconds=3600)
    """

    begin: datetime
    end: datetime

    @property
    def ok(self) -> bool:
        """True when the interval is non-empty (``begin < end``)."""
        return self.begin < self.end

    @property
    def duration(self) -> timedelta:
        """``end - begin``; negative for an inverted interval."""
        return self.end - self.begin

    def overlaps(self, other: Interval) -> bool:
        """True when both are non-empty and share at least one second."""
        return self.ok and other.ok and self.begin < other.end and other.begin < self.end

    def contains(self, item: Union[datetime, Interval]) -> bool:
        """For an instant: ``begin <= t < end``. For an interval: it is non-empty and lies
        entirely inside this one."""
        if isinstance(item, Interval):
            return item.ok and self.begin <= item.begin and item.end <= self.end
        return self.begin <= item < self.end

    def __contains__(self, item: Union[datetime, Interval]) -> bool:
        return self.contains(item)

    def intersection(self, other: Interval) -> Interval:
        """The common part; not `ok` when they do not overlap."""
        return Interval(max(self.begin, other.begin), min(self.end, other.end))

    def __str__(self) -> str:
        return _c._interval_str(self)

    def __lt__(self, other: Interval) -> bool:
        """Orders by begin, then end (as the C++ interval)."""
        return (self.begin, self.end) < (other.begin, other.end)


@value_type
class CivilTime:
    """A UTC instant seen on a wall clock in one zone (see `to_civil`)."""

    date: date  #: local calendar date
    weekday: Weekday  #: local weekday
    time_of_day: time  #: local wall-clock time
    utc_offset: timedelta  #: local minus UTC (+3 h in Nairobi)
    abbreviation: str  #: e.g. "EAT", "EDT"


# ---------------------------------------------------------------------------------------------
# Money, actors, references
# ---------------------------------------------------------------------------------------------


@value_type
class Money:
    """An amount in integer minor units of one ISO-4217 currency: ``Money(150000, "KES")`` is
    KES 1,500.00. Adding or subtracting different currencies, or past 64 bits, is an
    `InvalidArgumentError`; amounts of different currencies are unordered (``<`` is False).

    >>> str(Money.kes(150000) + Money.kes(75000))
    'KES 2250.00'
    """

    minor_units: int = 0
    currency: str = "KES"

    @classmethod
    def kes(cls, minor_units: int) -> Money:
        """Kenyan shillings, in cents."""
        return cls(minor_units, "KES")

    @classmethod
    def zero(cls, currency: str = "KES") -> Money:
        """Zero in `currency`."""
        return cls(0, currency)

    @property
    def is_zero(self) -> bool:
        """True for an amount of zero."""
        return self.minor_units == 0

    @property
    def is_negative(self) -> bool:
        """True for an amount below zero."""
        return self.minor_units < 0

    @property
    def minor_digits(self) -> int:
        """Decimal digits of the currency's minor unit (2 for KES, 0 for UGX)."""
        return _c.minor_digits(self.currency)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return _c._money_add(self, other)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return _c._money_sub(self, other)

    def __neg__(self) -> Money:
        return _c._money_neg(self)

    def _ordered(self, other: Any) -> bool:
        return isinstance(other, Money) and other.currency == self.currency

    def __lt__(self, other: Money) -> bool:
        return self._ordered(other) and self.minor_units < other.minor_units

    def __le__(self, other: Money) -> bool:
        return self._ordered(other) and self.minor_units <= other.minor_units

    def __gt__(self, other: Money) -> bool:
        return self._ordered(other) and self.minor_units > other.minor_units

    def __ge__(self, other: Money) -> bool:
        return self._ordered(other) and self.minor_units >= other.minor_units

    def __str__(self) -> str:
        """``KES 1500.00``, ``JPY 1200``."""
        return _c._money_str(self)


def _money_show(m: Money) -> str:
    return f"Money({m.minor_units}, {m.currency!r})"


@value_type
class Actor:
    """Who acts: a role and the id of whoever acts in it (0 for the system). Build one with the
    class methods; a zero id for a client, provider or admin is an `InvalidArgumentError`.

    >>> Actor.client(7)
    Actor(role=Role.CLIENT, id=7)
    """

    role: Role
    id: int = 0

    def __post_init__(self) -> None:
        _c._actor_check(self)

    @classmethod
    def client(cls, id: int) -> Actor:
        """A client acting on their own bookings."""
        return cls(Role.CLIENT, id)

    @classmethod
    def provider(cls, id: int) -> Actor:
        """A provider acting on sessions assigned to them."""
        return cls(Role.PROVIDER, id)

    @classmethod
    def admin(cls, id: int) -> Actor:
        """An administrator, who may act on any session."""
        return cls(Role.ADMIN, id)

    @classmethod
    def system(cls) -> Actor:
        """The host acting on its own (payment webhooks, hold expiry)."""
        return cls(Role.SYSTEM, 0)

    @property
    def as_client(self) -> Optional[int]:
        """The client id when acting as a client."""
        return self.id if self.role is Role.CLIENT else None

    @property
    def as_provider(self) -> Optional[int]:
        """The provider id when acting as a provider."""
        return self.id if self.role is Role.PROVIDER else None

    @property
    def as_admin(self) -> Optional[int]:
        """The admin id when acting as an admin."""
        return self.id if self.role is Role.ADMIN else None

    def __str__(self) -> str:
        """``client 7``, ``system``."""
        return _c._actor_str(self)


@value_type
class BookingReference:
    """A booking reference's parts: ``str(BookingReference(2026, 1234)) == 'BK-2026-001234'``."""

    year: int
    sequence: int

    @property
    def ok(self) -> bool:
        """True for a year of 1 to 9999 and a sequence of at least 1."""
        return 1 <= self.year <= 9999 and self.sequence >= 1

    @classmethod
    def parse(cls, text: str, field: str = "booking_reference") -> BookingReference:
        """Reads ``BK-2026-001234``; anything else is an `InvalidArgumentError` naming `field`."""
        return _c.parse_reference(text, field)

    def __str__(self) -> str:
        return _c.format_reference(self.year, self.sequence)

    def __lt__(self, other: BookingReference) -> bool:
        return (self.year, self.sequence) < (other.year, other.sequence)


# ---------------------------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------------------------


@value_type(kw_only=True, show_field={"amount": _money_show})
class Session:
    """One booked session, every field of the platform's Session model plus slotbook's own. Times
    are UTC; optional fields are None until the event they record happens; a zero id means none.
    """

    id: int = 0  #: assigned by the store
    client: int = 0  #: who booked
    provider: int = 0  #: who gives it (the seed's psychologistId)
    scheduled_at: datetime = EPOCH  #: booked start
    duration: timedelta = timedelta(0)  #: booked length, 1 min to 24 h
    status: SessionStatus = SessionStatus.PENDING_PAYMENT
    type: SessionType = SessionType.INITIAL
    booking_reference: str = ""  #: ``BK-2026-001234``; empty until assigned
    notes: str = ""
    special_requests: str = ""
    amount: Money = Money()  #: price, >= 0
    payment: PaymentStatus = PaymentStatus.PENDING
    payment_method: str = ""  #: e.g. "mpesa", "card"
    transaction_id: str = ""  #: the payment provider's id
    refunded_minor: int = 0  #: refunded so far, in minor units of `amount`'s currency
    joined_at: datetime | None = None  #: when it went in_progress
    ended_at: datetime | None = None  #: when it completed
    actual_duration: timedelta | None = None  #: ended_at - joined_at
    created_at: datetime = EPOCH  #: when booked; a pending hold runs from here
    updated_at: datetime = EPOCH  #: last change
    cancelled_at: datetime | None = None
    cancellation_reason: str = ""  #: free text, or "rescheduled", "hold_expired"
    cancelled_by: Role | None = None
    cancelled_from: SessionStatus | None = None  #: the status it was cancelled from
    rescheduled_from: int = 0  #: the session this one replaced
    rescheduled_to: int = 0  #: the session that replaced this one
    reschedule_count: int = 0  #: reschedules in this booking's chain so far
    series: int = 0  #: the recurring series it is an occurrence of; 0 for a single booking
    #: for a GROUP session, how many seats it has (1 to MAX_GROUP_CAPACITY); 0 for any other
    capacity: int = 0

    @property
    def is_group(self) -> bool:
        """True for a group session (`SessionType.GROUP`), whose clients hold seats."""
        return self.type is SessionType.GROUP

    @property
    def interval(self) -> Interval:
        """The booked time ``[scheduled_at, scheduled_at + duration)``."""
        return Interval(self.scheduled_at, self.scheduled_at + self.duration)

    @property
    def refunded_amount(self) -> Money:
        """What has been refunded, in the session's currency."""
        return Money(self.refunded_minor, self.amount.currency)


# ---------------------------------------------------------------------------------------------
# Interval index
# ---------------------------------------------------------------------------------------------


@value_type
class IndexEntry:
    """One booking as an interval index sees it: which session, and when."""

    span: Interval
    id: int


# ---------------------------------------------------------------------------------------------
# Availability
# ---------------------------------------------------------------------------------------------


@value_type(normalize={"start": wall_time_start}, show_field={"end": show_window_end})
class LocalWindow:
    """Hours on one local day, ``[start, end)`` on the wall clock. ``end`` may be ``"24:00"`` (the
    next local midnight), stored as ``time(0, 0)``. Times may be given as ``"HH:MM"``.

    >>> LocalWindow("09:00", "12:00")
    LocalWindow(start=09:00, end=12:00)
    """

    start: time
    end: time


@value_type(normalize={"start": wall_time_start}, show_field={"end": show_window_end})
class WeeklyWindow:
    """Recurring hours: every `day` (a local weekday in the schedule's zone) from `start` to `end`.

    >>> WeeklyWindow(Weekday.MONDAY, "09:00", "17:00")
    WeeklyWindow(day=Weekday.MONDAY, start=09:00, end=17:00)
    """

    day: Weekday
    start: time
    end: time


@value_type
class DateException:
    """A change to one civil date in the schedule's zone: closed all day, or open only during
    custom `hours` that replace that day's weekly windows. Use `closed` and `custom`."""

    date: date
    available: bool = False
    hours: tuple[LocalWindow, ...] = ()
    reason: str = ""  #: free text for display; not interpreted

    @classmethod
    def closed(cls, day: date, reason: str = "") -> DateException:
        """The date is closed all day."""
        return cls(day, False, (), reason)

    @classmethod
    def custom(cls, day: date, hours: tuple[LocalWindow, ...] | list[LocalWindow], reason: str = "") -> DateException:
        """The date is open only during `hours`."""
        return cls(day, True, tuple(hours), reason)


@value_type(normalize={"zone": zone})
class Schedule:
    """A provider's working hours as the host stores them: an IANA zone (text or ZoneInfo),
    weekly windows in that zone's wall-clock time, date exceptions, optional effective dates
    (inclusive) and an active flag. Check it with `validate` or by building an `Availability`.
    """

    zone: str
    windows: tuple[WeeklyWindow, ...] = ()
    exceptions: tuple[DateException, ...] = ()
    effective_from: date | None = None
    effective_until: date | None = None
    active: bool = True


@value_type
class SeedWindow:
    """One record of the platform's original availability model (``dayOfWeek`` 0-6 from Sunday,
    ``"HH:MM"`` times, ``isActive``); see `schedule_from_seed`."""

    day_of_week: int
    start_time: str
    end_time: str
    is_active: bool = True


@value_type
class SeedException:
    """One entry of the original model's ``exceptions``: a civil date ``YYYY-MM-DD`` in the
    provider's zone, closed or with custom times."""

    date: str
    is_available: bool = False
    custom_start_time: str = ""
    custom_end_time: str = ""
    reason: str = ""


# ---------------------------------------------------------------------------------------------
# Slots
# ---------------------------------------------------------------------------------------------


@value_type(kw_only=True)
class SlotRules:
    """How slots are cut and which may be booked. Defaults are the platform's: 60-minute sessions
    one after another, booked at least 24 h and at most 30 days ahead.

    >>> SlotRules(step=timedelta(minutes=15), buffer_after=timedelta(minutes=10))  # doctest: +SKIP
    """

    duration: timedelta = 60 * _MIN  #: session length, 1 min to 7 days
    step: timedelta | None = None  #: between slot starts; None = `duration`
    buffer_before: timedelta = timedelta(0)  #: free time needed before a session, up to 24 h
    buffer_after: timedelta = timedelta(0)  #: free time needed after a session, up to 24 h
    minimum_notice: timedelta = 24 * _H  #: the earliest start is now + this
    maximum_advance: timedelta = timedelta(days=30)  #: the latest start is now + this
    max_per_day: int | None = None  #: most bookings on one of the provider's local days
    alignment: SlotAlignment = SlotAlignment.RUN_START

    @property
    def effective_step(self) -> timedelta:
        """`step`, or `duration` when unset."""
        return self.step if self.step is not None else self.duration


@value_type
class Slot:
    """One candidate slot: its UTC time, whether it can be booked, and why not."""

    time: Interval
    available: bool = False
    reason: SlotReason = SlotReason.NONE  #: NONE exactly when available


@value_type
class SlotDecision:
    """The answer of `check_bookable`; true exactly when allowed."""

    allowed: bool = False
    reason: SlotReason = SlotReason.NONE

    def __bool__(self) -> bool:
        return self.allowed


@value_type
class TeamSlot:
    """A slot offered by one provider of a team."""

    provider: int
    time: Interval


@value_type
class TeamMember:
    """One provider in a team query (`providers_free_at`, `earliest_team_slot`): their hours (an
    `Availability`, or a `Schedule` to validate on the fly), their busy intervals and their rules.
    """

    provider: int
    hours: Any  # Availability | Schedule
    busy: tuple[Interval, ...] = ()
    rules: SlotRules = SlotRules()


# ---------------------------------------------------------------------------------------------
# Lifecycle and policy
# ---------------------------------------------------------------------------------------------


@value_type
class HoldRules:
    """How long an unpaid booking keeps its slot: `hold` from ``created_at`` (1 min to 7 days)."""

    hold: timedelta = 15 * _MIN


@value_type
class RefundTier:
    """A client cancelling at least `min_notice` before the start gets `refund` basis points."""

    min_notice: timedelta
    refund: int  #: basis points, 10000 = 100 %


@value_type
class NoticeSchedule:
    """Refund tiers from the most notice to the least, and what happens below the last one."""

    tiers: tuple[RefundTier, ...] = ()
    below_last_tier: LateCancellation = LateCancellation.REFUSE


@value_type
class CancellationPolicy:
    """Who gets what back when a session is cancelled. The default is the platform's rule: a
    client needs 24 h notice and then gets a full refund; with less, the cancellation is refused.
    `emergency` (when set) applies to emergency sessions."""

    standard: NoticeSchedule = NoticeSchedule((RefundTier(24 * _H, 10000),), LateCancellation.REFUSE)
    emergency: NoticeSchedule | None = None

    @classmethod
    def seed(cls) -> CancellationPolicy:
        """The platform's rule (the default)."""
        return _c._cancellation_policy_seed()

    @classmethod
    def tiered(cls) -> CancellationPolicy:
        """>= 24 h: 100 %, >= 2 h: 50 %, later: allowed without refund; emergency sessions are
        refunded in full whenever they are cancelled before the start."""
        return _c._cancellation_policy_tiered()


@value_type
class NoShowPolicy:
    """What a no-show costs (`fee` basis points of a paid amount are kept), when one may be
    recorded (`grace` after the start), and when repeated no-shows require prepayment or block
    booking (counted over `window`)."""

    grace: timedelta = timedelta(0)
    fee: int = 10000  #: basis points kept of a paid amount
    window: timedelta = timedelta(days=90)  #: whole days
    prepay_after: int | None = 2
    block_after: int | None = None


@value_type
class LifecycleRules:
    """Everything the lifecycle decisions depend on besides the session, the actor and now."""

    early_start: timedelta = 15 * _MIN  #: how long before its start a session may be started
    hold: HoldRules = HoldRules()
    cancellation: CancellationPolicy = CancellationPolicy()
    no_show: NoShowPolicy = NoShowPolicy()


@value_type(show_field={"refund": _money_show})
class CancellationDecision:
    """The answer to "may this actor cancel now, and what is refunded?"."""

    allowed: bool = False
    reason: CancellationReason = CancellationReason.REFUSED_STATUS
    refund: Money = Money()  #: what to pay back
    share: int = 0  #: basis points the applied rule grants
    tier: int | None = None  #: index of the applied tier, for NOTICE_TIER
    emergency_schedule: bool = False
    notice: timedelta = timedelta(0)  #: scheduled_at - now; negative after the start


@value_type(show_field={"refund": _money_show})
class TransitionResult:
    """The outcome of a lifecycle transition: the new session, or why not."""

    reason: TransitionReason = TransitionReason.NOT_AN_EDGE
    next: Session | None = None  #: the updated session when allowed
    refund: Money = Money()  #: what to pay back once `next` is committed
    cancellation: CancellationDecision | None = None

    @property
    def allowed(self) -> bool:
        """True when the transition was made."""
        return self.next is not None


@value_type
class ReschedulePolicy:
    """When a session may be moved: a client needs `client_notice`; at most `max_reschedules`
    along a booking's chain (binding clients and providers)."""

    client_notice: timedelta = 24 * _H
    max_reschedules: int = 2


@value_type
class RescheduleDecision:
    """The answer to "may this actor move this session now?"."""

    allowed: bool = False
    reason: RescheduleReason = RescheduleReason.REFUSED_STATUS
    notice: timedelta = timedelta(0)
    remaining: int = 0  #: reschedules left after this one (clients and providers)


@value_type
class RescheduleResult:
    """What `reschedule` produces: the decision and, when allowed, both sessions to write."""

    decision: RescheduleDecision
    replaced: Session | None = None
    replacement: Session | None = None


@value_type(show_field={"kept": _money_show, "refund": _money_show})
class NoShowCharge:
    """What happens to the money of a session marked no_show."""

    kept: Money = Money()
    refund: Money = Money()


@value_type
class NoShowRecord:
    """A client's no-show count in the policy's window and their standing."""

    no_shows: int = 0
    standing: ClientStanding = ClientStanding.GOOD


# ---------------------------------------------------------------------------------------------
# Reminders
# ---------------------------------------------------------------------------------------------


@value_type
class ReminderPlan:
    """How long before the start reminders are due (1 min to 365 days, distinct)."""

    offsets: tuple[timedelta, ...] = (24 * _H, 2 * _H, 15 * _MIN)


@value_type
class ReminderPreferences:
    """A client's reminder channels, and which of the plan's offsets (all when None)."""

    email: bool = True
    sms: bool = False
    offsets: tuple[timedelta, ...] | None = None


@value_type
class Reminder:
    """One reminder to send: for `session`, at `due`, through `channel`, `before` the start."""

    session: int
    due: datetime
    channel: ReminderChannel
    before: timedelta


@value_type
class ReminderChanges:
    """What to do to a reminder queue: drop the reminders of `remove`, then queue `add`."""

    remove: tuple[int, ...] = ()
    add: tuple[Reminder, ...] = ()


# ---------------------------------------------------------------------------------------------
# Analytics and events
# ---------------------------------------------------------------------------------------------


@value_type
class Rate:
    """An exact fraction ``count / of``; 0/0 means no data and reads as zero."""

    count: int = 0
    of: int = 0

    @property
    def basis_points(self) -> int:
        """``count / of`` in basis points rounded down; 0 when `of` is not positive."""
        return _c._rate_basis_points(self)

    def __float__(self) -> float:
        """The fraction as a float (0.0 for no data)."""
        return self.count / self.of if self.of > 0 else 0.0


@value_type(kw_only=True, show_field={"revenue": _money_show})
class SessionAnalytics:
    """The dashboard metrics of `analyze_sessions` (see analytics.hpp for what counts as what)."""

    total: int = 0  #: bookings: open + completed + cancelled + no_show
    open: int = 0  #: scheduled, confirmed or in progress
    completed: int = 0
    cancelled: int = 0  #: cancelled after being booked (not holds, not reschedules)
    no_show: int = 0
    pending_holds: int = 0  #: not in total
    abandoned_holds: int = 0  #: not in total
    rescheduled: int = 0  #: not in total
    completion_rate: Rate = Rate()
    cancellation_rate: Rate = Rate()
    no_show_rate: Rate = Rate()
    revenue: Money = Money()  #: paid minus refunded
    timed_sessions: int = 0
    total_actual_duration: timedelta = timedelta(0)
    average_actual_duration: timedelta = timedelta(0)
    group_sessions: int = 0  #: counted sessions of type GROUP (also in the counts above)
    seats: int = 0  #: held seats of those group sessions
    cancelled_seats: int = 0  #: cancelled seats of those group sessions


@value_type(kw_only=True)
class ChangeEvent:
    """One change a booking service committed (`BookingService.subscribe`). It carries no free
    text, so it can be pushed to a browser as it is."""

    sequence: int = 0  #: 1, 2, 3, ... in commit order, per service object
    kind: ChangeKind = ChangeKind.BOOKED
    at: datetime = EPOCH  #: the operation's now
    session: int = 0
    booking_reference: str = ""
    provider: int = 0
    client: int = 0
    time: Interval = Interval(EPOCH, EPOCH)  #: the booked time (SLOT_FREED: the time freed)
    from_status: SessionStatus | None = None  #: status before, when it changed
    to_status: SessionStatus | None = None  #: status after
    related: int = 0  #: RESCHEDULED: the replacement session
    by: Role = Role.SYSTEM  #: who made the change
    waitlist_entry: int = 0  #: WAITLIST_OFFERED: the entry offered the slot


# ---------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------


@value_type(kw_only=True, show_field={"price": _money_show})
class ProviderProfile:
    """A provider as the service needs them: hours, slot rules, the price of a session (zero:
    no payment required) and whether they take bookings."""

    id: int
    hours: Schedule
    name: str = ""  #: display name; not interpreted
    rules: SlotRules = SlotRules()
    price: Money = Money()
    active: bool = True
    #: the client's complete intake form is needed before a session is confirmed or started
    requires_intake: bool = False


@value_type(kw_only=True)
class QueuedReminder:
    """A reminder in a store's queue."""

    id: int = 0  #: assigned by the store
    what: Reminder
    client: int = 0  #: who receives it
    state: ReminderState = ReminderState.PENDING
    attempts: int = 0  #: claims so far
    lease_until: datetime | None = None  #: while claimed
    next_attempt: datetime | None = None  #: for a retry: not claimed before this
    sent_at: datetime | None = None
    last_error: str = ""


@value_type
class ReminderBacklog:
    """The reminder queue's health."""

    due: int = 0  #: due now
    waiting: int = 0  #: due later
    oldest_due: datetime | None = None


@value_type(kw_only=True)
class AuditEntry:
    """One line of the append-only, hash-chained audit log."""

    sequence: int = 0
    at: datetime = EPOCH
    who_role: Role = Role.SYSTEM
    who_id: int = 0
    action: str = ""  #: "book", "cancel", "status", "denied", ...
    session: int = 0
    before: SessionStatus | None = None
    after: SessionStatus | None = None
    detail: str = ""
    previous_hash: str = ""
    hash: str = ""


@value_type(kw_only=True)
class SqliteSettings:
    """What a SQLite connection runs with, as SQLite reports it."""

    journal_mode: str = ""
    synchronous: int = 0  #: 2 = FULL
    foreign_keys: bool = False
    busy_timeout: timedelta = timedelta(0)
    schema_version: int = 0
    application_id: int = 0
    secure_delete: bool = False  #: removed content is overwritten


# ---------------------------------------------------------------------------------------------
# Notifier and payment gateway
# ---------------------------------------------------------------------------------------------


@value_type(kw_only=True)
class ReminderMessage:
    """Everything a reminder template needs (no notes, no intake data)."""

    reminder: int = 0  #: the queue id: stable across retries, use it to deduplicate
    attempt: int = 0  #: 1 for the first try
    channel: ReminderChannel = ReminderChannel.EMAIL
    before: timedelta = timedelta(0)
    due: datetime = EPOCH
    session: int = 0
    booking_reference: str = ""
    client: int = 0
    provider: int = 0
    provider_name: str = ""
    scheduled_at: datetime = EPOCH
    duration: timedelta = timedelta(0)


@value_type
class Delivery:
    """A notifier's answer: ``Delivery.ok()`` or ``Delivery.failed("SMTP 451")``."""

    delivered: bool = False
    error: str = ""

    @classmethod
    def ok(cls) -> Delivery:
        """Sent."""
        return cls(True, "")

    @classmethod
    def failed(cls, why: str) -> Delivery:
        """Not sent, because of `why` (short; stored with the reminder, never health data)."""
        return cls(False, why)


@value_type(kw_only=True, show_field={"amount": _money_show})
class RefundRequest:
    """One refund for a payment gateway to make; honour `idempotency_key`."""

    transaction_id: str = ""
    amount: Money = Money()
    session: int = 0
    booking_reference: str = ""
    idempotency_key: str = ""


@value_type
class RefundResult:
    """A gateway's answer: ``RefundResult.ok("RF-8812")`` or ``RefundResult.failed("why")``."""

    refunded: bool = False
    gateway_reference: str = ""
    error: str = ""

    @classmethod
    def ok(cls, reference: str) -> RefundResult:
        """Made, with the gateway's own reference."""
        return cls(True, reference, "")

    @classmethod
    def failed(cls, why: str) -> RefundResult:
        """Not made, because of `why` (short text for the audit log)."""
        return cls(False, "", why)


# ---------------------------------------------------------------------------------------------
# The booking service
# ---------------------------------------------------------------------------------------------


@value_type
class ReminderRetry:
    """How failed reminders are retried and how long a worker may hold one."""

    lease: timedelta = 5 * _MIN
    first_backoff: timedelta = 1 * _MIN
    max_backoff: timedelta = 1 * _H
    max_attempts: int = 5


@value_type(kw_only=True)
class ServiceOptions:
    """Everything a `BookingService` is configured with.

    `preferences` is called as ``preferences(client_id) -> ReminderPreferences`` inside a write
    transaction: keep it quick and do not call the service from it. `payments` and
    `notifications` are `PaymentGateway` / `Notifier` objects (Python subclasses welcome);
    `keys` is the `Keyring` intake forms are sealed with (do not add or remove versions while an
    operation runs). The service keeps all three alive.
    """

    lifecycle: LifecycleRules = LifecycleRules()
    reschedule: ReschedulePolicy = ReschedulePolicy()
    reminders: ReminderPlan = ReminderPlan()
    preferences: Optional[Callable[[int], ReminderPreferences]] = None
    retry: ReminderRetry = ReminderRetry()
    payments: Optional["PaymentGateway"] = None
    notifications: Optional["Notifier"] = None
    degraded_backlog: int = 1000  #: health() is DEGRADED from this many due reminders
    keys: Optional["Keyring"] = None  #: seals and opens intake forms; None: intake is CryptoError
    deleted_retention: timedelta = timedelta(days=30)  #: how long deleted records wait for purge
    transient_attempts: int = 3  #: attempts in all when the store reports a transient failure
    #: how long a waitlist offer holds its slot (whole minutes, 1 min to 7 days)
    waitlist_offer_hold: timedelta = 60 * _MIN


@value_type(kw_only=True)
class BookingRequest:
    """A booking request: the platform's ``POST /api/sessions/book`` body. `duration` must equal
    the provider's session length."""

    provider: int
    client: int
    scheduled_at: datetime
    duration: timedelta = 60 * _MIN
    type: SessionType = SessionType.INITIAL
    special_requests: str = ""
    notes: str = ""


@value_type(kw_only=True, show_field={"amount": _money_show})
class BookingConfirmation:
    """What a booking returns: the platform's response."""

    session: int = 0
    booking_reference: str = ""
    scheduled_at: datetime = EPOCH
    payment_required: bool = False  #: True when the provider charges: status is pending_payment
    amount: Money = Money()
    status: SessionStatus = SessionStatus.SCHEDULED


@value_type(show_field={"amount": _money_show})
class RefundOutcome:
    """The refund part of an operation's result."""

    state: RefundState = RefundState.NONE
    amount: Money = Money()
    gateway_reference: str = ""
    error: str = ""


@value_type
class CancellationResult:
    """What `BookingService.cancel` did."""

    cancelled: Session
    decision: CancellationDecision
    refund: RefundOutcome


# ---------------------------------------------------------------------------------------------
# Recurring series
# ---------------------------------------------------------------------------------------------


def _series_start(value: Any, where: str) -> datetime:
    """A naive datetime is a wall-clock time in the provider's zone; an aware one an instant."""
    if isinstance(value, datetime) and value.utcoffset() is None:
        return wall_clock(value, where)
    return instant(value, where)


@value_type(kw_only=True, normalize={"first_start": _series_start})
class SeriesRequest:
    """A request to book a recurring series: one session per occurrence of `rule` (RRULE text,
    e.g. ``"FREQ=WEEKLY;BYDAY=MO;COUNT=10"``), expanded in the provider's zone from
    `first_start`, every occurrence keeping that wall-clock time across DST changes.

    `first_start` is a naive datetime, read as a wall-clock time in the provider's zone, or an
    aware one, whose wall-clock time in the provider's zone is kept; it must itself be an
    occurrence of `rule`. `duration` must equal the provider's session length; `special_requests`
    and `notes` are copied to every occurrence.

    >>> SeriesRequest(provider=42, client=7, first_start=datetime(2026, 3, 2, 9, 0),
    ...               rule="FREQ=WEEKLY;COUNT=10")  # 09:00 provider time, ten Mondays
    """

    provider: int
    client: int
    first_start: datetime
    rule: str
    duration: timedelta = 60 * _MIN
    type: SessionType = SessionType.INITIAL
    special_requests: str = ""
    notes: str = ""
    mode: SeriesMode = SeriesMode.ALL_OR_NOTHING


@value_type(kw_only=True, normalize={"local_start": wall_clock})
class SeriesOccurrence:
    """One occurrence of a requested series and what became of it. `local_start` is the nominal
    wall-clock start in the provider's zone (a naive datetime); `time` the UTC time it occupies.
    Exactly one of `booked` and `refused` is set."""

    index: int = 0  #: 0 for the first occurrence, then 1, 2, ...
    local_start: datetime = datetime(1970, 1, 1)
    time: Interval = Interval(EPOCH, EPOCH)
    #: set when it was booked (book_series) or could be (preview_series: session 0, no reference)
    booked: BookingConfirmation | None = None
    #: when not booked: the error class booking it alone would raise
    refused: ErrorCode | None = None
    reason: str = ""  #: when not booked: "client_busy" or a SlotReason value
    message: str = ""  #: when not booked: the message booking it alone would raise


@value_type(kw_only=True)
class SeriesBooking:
    """What `BookingService.book_series` (or `preview_series`) found, occurrence by occurrence."""

    series: int = 0  #: the new series; 0 when nothing was booked, and for a preview
    rule: str = ""  #: the rule as canonical RRULE text
    mode: SeriesMode = SeriesMode.ALL_OR_NOTHING
    occurrences: tuple[SeriesOccurrence, ...] = ()  #: every occurrence, in order

    @property
    def booked_count(self) -> int:
        """How many occurrences were booked (or could be)."""
        return sum(1 for o in self.occurrences if o.booked is not None)

    @property
    def skipped(self) -> tuple[SeriesOccurrence, ...]:
        """The occurrences that were not booked, in order."""
        return tuple(o for o in self.occurrences if o.booked is None)


@value_type
class OccurrenceCancellation:
    """What `BookingService.cancel_series` did with one occurrence in its scope."""

    occurrence: Session  #: as stored afterwards
    outcome: OccurrenceOutcome = OccurrenceOutcome.SKIPPED
    #: the policy's decision, for CANCELLED and for a policy REFUSED
    decision: CancellationDecision | None = None
    refund: RefundOutcome = RefundOutcome()  #: for CANCELLED
    reason: str = ""  #: for SKIPPED and REFUSED: the status or the policy's reason


@value_type(kw_only=True)
class SeriesCancellation:
    """What `BookingService.cancel_series` did, occurrence by occurrence (by start)."""

    series: int = 0
    scope: SeriesScope = SeriesScope.WHOLE_SERIES
    occurrences: tuple[OccurrenceCancellation, ...] = ()

    @property
    def cancelled_count(self) -> int:
        """How many occurrences it cancelled."""
        return sum(1 for o in self.occurrences if o.outcome is OccurrenceOutcome.CANCELLED)


# ---------------------------------------------------------------------------------------------
# Group sessions
# ---------------------------------------------------------------------------------------------


@value_type(kw_only=True, show_field={"amount": _money_show})
class Seat:
    """One client's seat in a group session: its own money (the group's per-seat price, the
    payment, the refund) and its own cancellation. Held (SCHEDULED) until cancelled; a cancelled
    seat stays on record and no longer counts against the capacity.

    >>> Seat(session=12, client=7, amount=Money.kes(150000)).is_active
    True
    """

    id: int = 0  #: assigned by the store
    session: int = 0  #: the group session
    client: int = 0  #: who sits in it
    status: SessionStatus = SessionStatus.SCHEDULED  #: SCHEDULED while held, then CANCELLED
    amount: Money = Money()  #: the seat's price, >= 0
    payment: PaymentStatus = PaymentStatus.PENDING
    payment_method: str = ""  #: the host's vocabulary
    transaction_id: str = ""  #: the payment provider's id
    refunded_minor: int = 0  #: refunded so far, in minor units of `amount`'s currency
    created_at: datetime = EPOCH
    updated_at: datetime = EPOCH
    cancelled_at: datetime | None = None
    cancellation_reason: str = ""
    cancelled_by: Role | None = None

    @property
    def is_active(self) -> bool:
        """True while the seat is held (counts against the capacity, makes its client busy)."""
        return self.status is SessionStatus.SCHEDULED

    @property
    def refunded_amount(self) -> Money:
        """What has been refunded, in the seat's currency."""
        return Money(self.refunded_minor, self.amount.currency)


@value_type(kw_only=True)
class GroupRequest:
    """A request to open a group session: the provider's time, held once, with `capacity` seats
    (1 to MAX_GROUP_CAPACITY). `duration` must equal the provider's session length.

    >>> GroupRequest(provider=42, scheduled_at=datetime(2026, 3, 2, 15, tzinfo=UTC), capacity=8)  # doctest: +SKIP
    """

    provider: int
    scheduled_at: datetime
    duration: timedelta = 60 * _MIN
    capacity: int
    notes: str = ""


@value_type(kw_only=True)
class SeatConfirmation:
    """What `BookingService.book_seat` returns."""

    booked: Seat = Seat()  #: as stored
    booking_reference: str = ""  #: the group session's reference
    time: Interval = Interval(EPOCH, EPOCH)  #: the group session's time
    seats_taken: int = 0  #: held seats, this one included
    capacity: int = 0

    @property
    def seats_left(self) -> int:
        """Seats still free after this one."""
        return self.capacity - self.seats_taken


@value_type
class SeatCancellation:
    """What `BookingService.cancel_seat` did."""

    cancelled: Seat = Seat()  #: as stored afterwards
    decision: CancellationDecision = CancellationDecision()  #: the policy's decision for the seat
    refund: RefundOutcome = RefundOutcome()


# ---------------------------------------------------------------------------------------------
# Waitlist
# ---------------------------------------------------------------------------------------------

# A waitlist's local start times are times of day on the provider's wall clock, as a window's
# start is: a ``time`` (or ``"HH:MM"``) from 00:00 to 23:59, or None for any; 24:00 is refused.
_local_start = _optional(wall_time_start)


@value_type(kw_only=True, normalize={"earliest_local": _local_start, "latest_local": _local_start})
class WaitlistEntry:
    """One client's place on one provider's waitlist, and the offer of a freed slot it may hold.
    `earliest_local` and `latest_local` bound the offered session's local start time of day in
    the provider's zone (None: any)."""

    id: int = 0  #: assigned by the store; ids grow with join order
    provider: int = 0
    client: int = 0
    range: Interval = Interval(EPOCH, EPOCH)  #: an offered session lies wholly inside it
    type: SessionType = SessionType.INITIAL  #: the session to book; never GROUP
    earliest_local: time | None = None  #: starts at this local time or later
    latest_local: time | None = None  #: ... and at this local time or earlier
    state: WaitlistState = WaitlistState.WAITING
    joined_at: datetime = EPOCH  #: the order of the line (then `id`)
    updated_at: datetime = EPOCH
    offer: Interval | None = None  #: the slot offered (kept after the offer ends)
    offer_expires: datetime | None = None  #: the offer's deadline
    booked: int = 0  #: for BOOKED: the session

    @property
    def is_open(self) -> bool:
        """True while the entry is in line or holds an offer."""
        return self.state.is_open

    def offer_live(self, now: datetime) -> bool:
        """True when the entry holds an offer that has not run out at `now` (its slot is held)."""
        now = instant(now, "now")
        return (
            self.state is WaitlistState.OFFERED
            and self.offer is not None
            and self.offer_expires is not None
            and now < self.offer_expires
        )


@value_type(kw_only=True, normalize={"earliest_local": _local_start, "latest_local": _local_start})
class WaitlistRequest:
    """A request to join a provider's waitlist: offers lie wholly inside `range` (at most
    MAX_WAITLIST_RANGE long, ending after now) and start between `earliest_local` and
    `latest_local` on the provider's wall clock (``time`` or ``"HH:MM"``; None: any). `type` is
    the session to book, never GROUP.

    >>> WaitlistRequest(provider=42, client=7, range=week, earliest_local="17:00")  # doctest: +SKIP
    """

    provider: int
    client: int
    range: Interval
    type: SessionType = SessionType.INITIAL
    earliest_local: time | None = None
    latest_local: time | None = None


@value_type(kw_only=True)
class BusyTime:
    """One busy interval of an external calendar, as `import_busy_times` reads it: `utc` whole (not
    clipped), the event's `uid` and `summary` (for display only: `BookingService.import_busy`
    never stores the summary)."""

    utc: Interval = Interval(EPOCH, EPOCH)
    uid: str = ""
    summary: str = ""
    all_day: bool = False


@value_type(kw_only=True)
class SkippedEvent:
    """An event `import_busy_times(..., skip_unsupported=True)` left out, and why."""

    line: int = 0  #: of its BEGIN:VEVENT
    uid: str = ""
    reason: str = ""


@value_type(kw_only=True)
class IcalBusy:
    """What `import_busy_times` found: busy intervals by start (then end, uid), and the events it
    skipped."""

    busy: tuple[BusyTime, ...] = ()
    skipped: tuple[SkippedEvent, ...] = ()


@value_type(kw_only=True)
class BusyBlock:
    """A provider's stored busy time from an external calendar (`source`, the host's name for it):
    it blocks slots and bookings like a session. Titles are never stored."""

    provider: int = 0
    source: str = ""
    uid: str = ""
    time: Interval = Interval(EPOCH, EPOCH)  #: [begin, end) in UTC
    all_day: bool = False
    imported_at: datetime = EPOCH


@value_type(kw_only=True)
class BusyImport:
    """What `BookingService.import_busy` did: blocks stored, blocks of the same source in the
    window replaced, and the sessions already booked in the new busy time (they stay booked)."""

    stored: int = 0
    removed: int = 0
    clashes: tuple[Session, ...] = ()


@value_type
class StatusChange:
    """A status change request (``PUT /api/sessions/:id/status``). With `expected`, the session
    must still have that status (else ConflictError); `notes` replaces the session's notes."""

    to: SessionStatus = SessionStatus.CONFIRMED
    expected: SessionStatus | None = None
    notes: str | None = None


@value_type
class StatusResult:
    """What `BookingService.update_status` did."""

    updated: Session
    refund: RefundOutcome


@value_type
class PaymentResult:
    """What `BookingService.confirm_payment` did."""

    updated: Session
    outcome: PaymentOutcome
    refund: RefundOutcome


@value_type
class RescheduleConfirmation:
    """What `BookingService.reschedule` did."""

    replaced: Session
    replacement: Session
    decision: RescheduleDecision


@value_type
class ClaimedReminder:
    """A reminder handed to a worker, with its message ready for the notifier."""

    queued: QueuedReminder
    message: ReminderMessage


@value_type
class ReminderRun:
    """What one `BookingService.run_reminders` pass did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    given_up: int = 0


@value_type(kw_only=True)
class HealthReport:
    """The platform's health check as a value."""

    status: HealthStatus = HealthStatus.UNHEALTHY
    at: datetime = EPOCH
    storage_reachable: bool = False
    reminders_due: int = 0
    reminders_waiting: int = 0
    oldest_due_age: timedelta | None = None
    error: str = ""


@value_type
class AuditVerification:
    """The result of checking an audit log."""

    problem: AuditProblem = AuditProblem.NONE
    sequence: int = 0  #: where the problem is
    checked: int = 0  #: entries checked
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return self.problem is AuditProblem.NONE


AUDIT_GENESIS_HASH = "0" * 64


@value_type
class AuditHead:
    """The last entry of an audit log (sequence and hash), to keep elsewhere."""

    sequence: int = 0
    hash: str = AUDIT_GENESIS_HASH


# ---------------------------------------------------------------------------------------------
# Crypto and intake forms
# ---------------------------------------------------------------------------------------------


@value_type
class RecordRef:
    """Which record a sealed blob belongs to: its kind (``[a-z0-9_]``, 1 to 64) and id."""

    kind: str
    id: int


@value_type
class WrappedKey:
    """A record's data key sealed under one keyring version (66 bytes); store it with the
    record, delete it to crypto-shred the record."""

    data: bytes = b""


@value_type
class SealedField:
    """One field's value sealed under its record's key."""

    data: bytes = b""


@value_type
class PersonalInfoStep:
    """Intake step 1: personal information."""

    emergency_contact: str = ""  #: required, one line
    medical_history: str = ""
    current_medications: str = ""
    allergies: str = ""


@value_type
class MentalHealthStep:
    """Intake step 2: mental-health assessment."""

    previous_therapy: bool | None = None  #: required
    current_symptoms: tuple[str, ...] = ()
    severity_level: int | None = None  #: required, 1 to 10
    trigger_factors: tuple[str, ...] = ()
    coping_mechanisms: tuple[str, ...] = ()


@value_type
class GoalsStep:
    """Intake step 3: therapy goals and expectations."""

    therapy_goals: tuple[str, ...] = ()  #: at least one
    expectations: str = ""
    preferred_approach: str = ""


@value_type
class ConsentStep:
    """Intake step 4: the three consents, all needed for a complete form."""

    consent_to_treatment: bool = False
    confidentiality_agreement: bool = False
    data_processing_consent: bool = False


@value_type(kw_only=True)
class IntakeForm:
    """An intake form in the clear; steps 1-3 are None until saved."""

    id: int = 0  #: the store's id; needed before sealing
    session: int = 0
    client: int = 0
    personal_info: PersonalInfoStep | None = None
    mental_health: MentalHealthStep | None = None
    goals: GoalsStep | None = None
    consent: ConsentStep = ConsentStep()
    completed_at: datetime | None = None  #: set when the form became complete


@value_type
class FieldProblem:
    """One validation problem: the field's path and what is wrong (never the client's words)."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


@value_type(kw_only=True)
class SealedIntake:
    """An intake form as stored: steps 1-3 sealed under the form's data key (itself wrapped by
    the keyring); ids, consents and completed_at in plaintext."""

    id: int = 0
    session: int = 0
    client: int = 0
    data_key: WrappedKey = WrappedKey()
    personal_info: SealedField | None = None
    mental_health: SealedField | None = None
    goals: SealedField | None = None
    consent: ConsentStep = ConsentStep()
    completed_at: datetime | None = None


# ---------------------------------------------------------------------------------------------
# Stored intake forms and privacy operations
# ---------------------------------------------------------------------------------------------


@value_type(kw_only=True)
class StoredIntake:
    """An intake form as a store keeps it: sealed, with its dates and any deletion."""

    form: SealedIntake = SealedIntake()
    created_at: datetime = EPOCH
    updated_at: datetime = EPOCH
    deleted_at: datetime | None = None  #: when it was crypto-shredded
    deletion_reason: str = ""  #: a short category from the host; never health data

    @property
    def deleted(self) -> bool:
        """True once crypto-shredded."""
        return self.deleted_at is not None


@value_type
class SessionDeletion:
    """The mark a secure delete leaves on a session until it is purged."""

    session: int = 0
    deleted_at: datetime = EPOCH
    reason: str = ""


@value_type(kw_only=True)
class IntakeSummary:
    """An intake form's state without its content (readable without any key, never audited)."""

    id: int = 0
    client: int = 0
    session: int = 0  #: the session it was filled in for; 0 for none
    personal_info: bool = False  #: step 1 saved
    mental_health: bool = False  #: step 2 saved
    goals: bool = False  #: step 3 saved
    consent: ConsentStep = ConsentStep()
    complete: bool = False
    completed_at: datetime | None = None
    missing: tuple[str, ...] = ()  #: as `missing(sealed)` names them
    key_version: int = 0  #: the keyring version of its data key; 0 once deleted
    created_at: datetime = EPOCH
    updated_at: datetime = EPOCH
    deleted_at: datetime | None = None


@value_type
class ErasureResult:
    """What a deletion did: when, and whether the store's files were scrubbed afterwards."""

    at: datetime = EPOCH
    scrubbed: bool = False


@value_type
class RotationProgress:
    """Where a key rotation stands after a committed batch."""

    to_version: int = 0
    batches: int = 0
    rewrapped: int = 0
    last: int = 0  #: the last form of the batch


@value_type
class RotationReport:
    """What one `BookingService.rotate_intake_keys` run did."""

    to_version: int = 0
    batches: int = 0
    rewrapped: int = 0


@value_type
class PurgeReport:
    """What one `BookingService.purge_expired` pass removed for good."""

    cutoff: datetime = EPOCH  #: records deleted before this were removed
    sessions: tuple[int, ...] = ()
    intakes: tuple[int, ...] = ()
    scrubbed: bool = False


@value_type(kw_only=True)
class ClientDataExport:
    """Everything slotbook holds about one client (a subject-access request); `to_json` turns it
    into text. It holds health data in the clear."""

    client: int = 0
    exported_at: datetime = EPOCH
    sessions: tuple[Session, ...] = ()
    deleted_sessions: tuple[SessionDeletion, ...] = ()
    intake_forms: tuple[IntakeForm, ...] = ()
    deleted_intakes: tuple[IntakeSummary, ...] = ()


#: Every value type registered with the C++ module, by name.
REGISTERED = [
    Interval, CivilTime, IndexEntry, LocalWindow, WeeklyWindow, DateException, Schedule,
    SeedWindow, SeedException, SlotRules, Slot, SlotDecision, TeamSlot, Money, BookingReference,
    Session, HoldRules, RefundTier, NoticeSchedule, CancellationPolicy, NoShowPolicy,
    LifecycleRules, CancellationDecision, TransitionResult, ReschedulePolicy, RescheduleDecision,
    RescheduleResult, NoShowCharge, NoShowRecord, ReminderPlan, ReminderPreferences, Reminder,
    ReminderChanges, Rate, SessionAnalytics, ChangeEvent, ProviderProfile, QueuedReminder,
    ReminderBacklog, AuditEntry, SqliteSettings, ReminderMessage, Delivery, RefundRequest,
    RefundResult, ReminderRetry, BookingRequest, BookingConfirmation, RefundOutcome,
    CancellationResult, StatusChange, StatusResult, PaymentResult, RescheduleConfirmation,
    ClaimedReminder, ReminderRun, HealthReport, AuditVerification, AuditHead, WrappedKey,
    SealedField, PersonalInfoStep, MentalHealthStep, GoalsStep, ConsentStep, IntakeForm,
    FieldProblem, SealedIntake, ServiceOptions, Actor, RecordRef, StoredIntake, SessionDeletion,
    IntakeSummary, ErasureResult, RotationProgress, RotationReport, PurgeReport, ClientDataExport,
    SeriesRequest, SeriesOccurrence, SeriesBooking, OccurrenceCancellation, SeriesCancellation,
    Seat, GroupRequest, SeatConfirmation, SeatCancellation, WaitlistEntry, WaitlistRequest,
    BusyTime, SkippedEvent, IcalBusy, BusyBlock, BusyImport,
]  # fmt: skip

__all__ = [cls.__name__ for cls in REGISTERED] + ["TeamMember", "AUDIT_GENESIS_HASH"]
