"""slotbook's enums as Python enums.

Each string enum's values are the lowercase names the C++ core and the platform's original API use
(``SessionStatus.PENDING_PAYMENT.value == "pending_payment"``), so a member can go into JSON as it
is and any of these values is accepted wherever slotbook takes the enum. ``Weekday`` numbers days as
the platform's ``dayOfWeek`` does: Sunday is 0 (unlike ``datetime.date.weekday()``, where Monday is
0; use ``Weekday.of(day)``).
"""

from __future__ import annotations

import datetime as _dt
import enum

__all__ = [
    "Access",
    "AuditProblem",
    "CancellationReason",
    "ChangeKind",
    "ClientStanding",
    "ErrorCode",
    "HealthStatus",
    "HoursKind",
    "IntakeStep",
    "LateCancellation",
    "PaymentOutcome",
    "PaymentStatus",
    "RefundState",
    "ReminderChannel",
    "ReminderState",
    "RescheduleReason",
    "Role",
    "SessionStatus",
    "SessionType",
    "SeriesMode",
    "SeriesScope",
    "OccurrenceOutcome",
    "SlotAlignment",
    "SlotReason",
    "TransitionReason",
    "WaitlistState",
    "Weekday",
]


class ErrorCode(enum.StrEnum):
    """The class of a failure (`slotbook.Error.code`); maps 1:1 onto HTTP statuses."""

    INVALID_ARGUMENT = "invalid_argument"  #: malformed or out-of-range input (400)
    NOT_FOUND = "not_found"  #: no such session, provider, form (404)
    CONFLICT = "conflict"  #: the time is taken, or the record changed underneath (409)
    OUTSIDE_AVAILABILITY = "outside_availability"  #: the provider does not work then (422)
    POLICY_DENIED = "policy_denied"  #: a policy refuses it: notice, horizon, limit (422)
    FORBIDDEN = "forbidden"  #: the actor may not do this (403)
    STORAGE = "storage"  #: the store failed: I/O, corruption, busy (503)
    CRYPTO = "crypto"  #: a key is missing or a ciphertext does not authenticate (500)

    @property
    def http_status(self) -> int:
        """The HTTP status this class of failure maps to."""
        return _HTTP_STATUS[self]


_HTTP_STATUS = {
    ErrorCode.INVALID_ARGUMENT: 400,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.OUTSIDE_AVAILABILITY: 422,
    ErrorCode.POLICY_DENIED: 422,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.STORAGE: 503,
    ErrorCode.CRYPTO: 500,
}


class Role(enum.StrEnum):
    """The capacity someone acts in."""

    CLIENT = "client"  #: the person who booked the session
    PROVIDER = "provider"  #: the psychologist or other provider who gives it
    ADMIN = "admin"  #: platform staff, acting on any session
    SYSTEM = "system"  #: the host itself: payment webhooks, scheduled jobs


class SessionStatus(enum.StrEnum):
    """Where a session is in its life (docs/lifecycle.md draws the state machine)."""

    PENDING_PAYMENT = "pending_payment"  #: booked, slot held until paid or the hold expires
    SCHEDULED = "scheduled"  #: paid (or free) and on the calendar
    CONFIRMED = "confirmed"  #: attendance confirmed
    IN_PROGRESS = "in_progress"  #: started (the provider joined)
    COMPLETED = "completed"  #: ended normally (terminal)
    CANCELLED = "cancelled"  #: called off, including an expired hold or a reschedule (terminal)
    NO_SHOW = "no_show"  #: the client did not attend (terminal)

    @property
    def is_terminal(self) -> bool:
        """True for the statuses nothing leaves: completed, cancelled, no_show."""
        return self in (SessionStatus.COMPLETED, SessionStatus.CANCELLED, SessionStatus.NO_SHOW)


class SessionType(enum.StrEnum):
    """What kind of session was booked."""

    INITIAL = "initial"  #: a first consultation
    FOLLOW_UP = "follow_up"  #: a later session with the same provider
    EMERGENCY = "emergency"  #: an urgent session, possibly with its own cancellation rules
    #: a group session: the provider's time, held once, with up to `Session.capacity` clients in
    #: seats (`Seat`); it has no client of its own
    GROUP = "group"


class PaymentStatus(enum.StrEnum):
    """Where a session's payment stands."""

    PENDING = "pending"  #: nothing received yet
    PAID = "paid"  #: received in full, nothing refunded
    REFUNDED = "refunded"  #: some or all of it refunded (`Session.refunded_minor` says how much)


class HoursKind(enum.StrEnum):
    """Which hours of a day to read: with date exceptions (`ACTUAL`) or the weekly pattern alone."""

    ACTUAL = "actual"
    WEEKLY = "weekly"


class SlotReason(enum.StrEnum):
    """Why a slot cannot be booked; `NONE` (the empty string) when it can."""

    NONE = ""  #: bookable
    BOOKED = "booked"  #: overlaps a busy interval
    BUFFER = "buffer"  #: only the buffers around it overlap a busy interval
    TOO_SOON = "too_soon"  #: starts before now + minimum_notice
    TOO_FAR = "too_far"  #: starts after now + maximum_advance
    DAY_FULL = "day_full"  #: the provider's local day already has max_per_day bookings
    EXCEPTION = "exception"  #: in the weekly hours, but a date exception closed it
    OUTSIDE_HOURS = "outside_hours"  #: not inside the provider's hours
    NOT_ON_GRID = "not_on_grid"  #: check_bookable: inside the hours, not a grid start
    WRONG_DURATION = "wrong_duration"  #: check_bookable: not rules.duration long

    @property
    def error_code(self) -> ErrorCode:
        """The error class a booking refused for this reason maps to."""
        from ._native import _c

        return _c.slot_reason_error_code(self)


class SlotAlignment(enum.StrEnum):
    """Where slot starts come from."""

    RUN_START = "run_start"  #: every `step` from the start of each run of availability
    FIXED_GRID = "fixed_grid"  #: every `step` from each local midnight


class TransitionReason(enum.StrEnum):
    """Why a lifecycle transition was made or refused (the first failing check)."""

    ALLOWED = "allowed"
    ALREADY_TERMINAL = "already_terminal"
    SAME_STATUS = "same_status"
    NOT_AN_EDGE = "not_an_edge"
    ROLE_NOT_PERMITTED = "role_not_permitted"
    NOT_A_PARTY = "not_a_party"
    PAYMENT_NOT_RECEIVED = "payment_not_received"
    HOLD_EXPIRED = "hold_expired"
    HOLD_NOT_EXPIRED = "hold_not_expired"
    SESSION_STARTED = "session_started"
    TOO_EARLY_TO_START = "too_early_to_start"
    TOO_LATE_TO_START = "too_late_to_start"
    TOO_EARLY_FOR_NO_SHOW = "too_early_for_no_show"
    ENDED_BEFORE_JOINED = "ended_before_joined"
    CANCELLATION_REFUSED = "cancellation_refused"


class LateCancellation(enum.StrEnum):
    """What happens to a client who cancels with less notice than every tier asks for."""

    REFUSE = "refuse"
    ALLOW_WITHOUT_REFUND = "allow_without_refund"


class CancellationReason(enum.StrEnum):
    """Why a cancellation was allowed or refused."""

    BY_PROVIDER = "by_provider"
    BY_ADMIN = "by_admin"
    BY_SYSTEM = "by_system"
    RELEASES_HOLD = "releases_hold"
    NOTICE_TIER = "notice_tier"
    LATE_WITHOUT_REFUND = "late_without_refund"
    REFUSED_LATE = "refused_late"
    REFUSED_STARTED = "refused_started"
    REFUSED_STATUS = "refused_status"
    REFUSED_NOT_A_PARTY = "refused_not_a_party"


class RescheduleReason(enum.StrEnum):
    """Why a reschedule was allowed or refused."""

    ALLOWED = "allowed"
    REFUSED_NOT_A_PARTY = "refused_not_a_party"
    REFUSED_STATUS = "refused_status"
    REFUSED_STARTED = "refused_started"
    REFUSED_LIMIT = "refused_limit"
    REFUSED_NOTICE = "refused_notice"


class ClientStanding(enum.StrEnum):
    """Where a client stands after their no-shows."""

    GOOD = "good"
    PREPAYMENT_REQUIRED = "prepayment_required"
    BLOCKED = "blocked"


class ReminderChannel(enum.StrEnum):
    """How a reminder reaches the client."""

    EMAIL = "email"
    SMS = "sms"


class ChangeKind(enum.StrEnum):
    """What a change event reports."""

    BOOKED = "booked"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    STATUS_CHANGED = "status_changed"
    SLOT_FREED = "slot_freed"
    PAYMENT_CONFIRMED = "payment_confirmed"
    HOLD_EXPIRED = "hold_expired"
    #: a freed slot (`time`) is offered to `client` from the waitlist (`waitlist_entry`), held for
    #: them until the offer's deadline: notify them
    WAITLIST_OFFERED = "waitlist_offered"


class ReminderState(enum.StrEnum):
    """Where a queued reminder stands."""

    PENDING = "pending"
    CLAIMED = "claimed"
    SENT = "sent"
    FAILED = "failed"


class Access(enum.StrEnum):
    """What a store transaction may do."""

    READ = "read"
    WRITE = "write"


class RefundState(enum.StrEnum):
    """Where a refund stands after a service operation."""

    NONE = "none"
    NOT_CONFIGURED = "not_configured"
    REFUNDED = "refunded"
    FAILED = "failed"


class PaymentOutcome(enum.StrEnum):
    """How a payment notification was taken."""

    SCHEDULED = "scheduled"
    ALREADY_CONFIRMED = "already_confirmed"
    REFUNDED_LATE = "refunded_late"


class HealthStatus(enum.StrEnum):
    """Overall state for a health endpoint."""

    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"


class AuditProblem(enum.StrEnum):
    """What is wrong with an audit log, at the first place it goes wrong."""

    NONE = "none"
    MISSING_ENTRY = "missing_entry"
    EDITED = "edited"
    OUT_OF_ORDER = "out_of_order"
    HEAD_MISMATCH = "head_mismatch"


class IntakeStep(enum.StrEnum):
    """The intake wizard's steps, in order."""

    PERSONAL_INFO = "personal_info"
    MENTAL_HEALTH = "mental_health"
    GOALS = "goals"
    CONSENT = "consent"


class SeriesMode(enum.StrEnum):
    """What `BookingService.book_series` does when some occurrences cannot be booked."""

    ALL_OR_NOTHING = "all_or_nothing"  #: book every occurrence or none (the default)
    FREE_ONES = "free_ones"  #: book those that can be booked and report the others


class SeriesScope(enum.StrEnum):
    """Which occurrences of a series `BookingService.cancel_series` cancels."""

    THIS_ONE = "this_one"  #: only the occurrence named
    THIS_AND_FOLLOWING = "this_and_following"  #: it and every later one, by start
    WHOLE_SERIES = "whole_series"  #: every occurrence


class OccurrenceOutcome(enum.StrEnum):
    """What `BookingService.cancel_series` did with one occurrence in its scope."""

    CANCELLED = "cancelled"  #: cancelled under the cancellation policy
    SKIPPED = "skipped"  #: already over (cancelled, completed, no_show); left as it was
    REFUSED = "refused"  #: the policy refused (in progress, a client too late); left as it was


class WaitlistState(enum.StrEnum):
    """Where a waitlist entry stands."""

    WAITING = "waiting"  #: in line
    OFFERED = "offered"  #: holds an offer of `offer` until `offer_expires`
    BOOKED = "booked"  #: accepted an offer; `booked` is the session (terminal)
    WITHDRAWN = "withdrawn"  #: left the waitlist, or declined an offer (terminal)
    LAPSED = "lapsed"  #: let an offer run out (terminal)

    @property
    def is_open(self) -> bool:
        """True while in line or holding an offer: WAITING, OFFERED."""
        return self in (WaitlistState.WAITING, WaitlistState.OFFERED)


class Weekday(enum.IntEnum):
    """A day of the week, numbered as the platform's ``dayOfWeek``: Sunday = 0 ... Saturday = 6."""

    SUNDAY = 0
    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6

    @classmethod
    def of(cls, day: _dt.date) -> Weekday:
        """The weekday of a date: ``Weekday.of(date(2026, 1, 12)) is Weekday.MONDAY``."""
        return cls((day.weekday() + 1) % 7)
