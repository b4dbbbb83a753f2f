"""The exceptions slotbook raises: one class per C++ error class (``errc``), all under `Error`.

Every failure of the C++ core arrives as the subclass for its code, carrying ``.code`` (an
`ErrorCode`) and the core's message, which names the offending field and value::

    try:
        service.book(slotbook.Actor.client(7), request)
    except slotbook.ConflictError as e:       # the time is taken
        return 409, str(e)
    except slotbook.Error as e:               # anything else slotbook refused
        return e.code.http_status, str(e)

`InvalidArgumentError` is also a `ValueError` (a naive datetime is one), and `NotFoundError` a
`LookupError`, so code that already catches those keeps working.
"""

from __future__ import annotations

from ._enums import ErrorCode

__all__ = [
    "ConflictError",
    "CryptoError",
    "Error",
    "ForbiddenError",
    "InvalidArgumentError",
    "NotFoundError",
    "OutsideAvailabilityError",
    "PolicyError",
    "StorageError",
]


class Error(Exception):
    """Base class of every failure slotbook reports. ``code`` says which class it is."""

    #: The code of this class; an instance's ``code`` equals it.
    default_code: ErrorCode

    def __init__(
        self, message: str, code: ErrorCode | str | None = None, transient: bool = False
    ) -> None:
        super().__init__(message)
        self.code: ErrorCode = ErrorCode(code) if code is not None else self.default_code
        #: True when nothing changed and running the whole operation again may succeed (a
        #: transaction the database rolled back to settle a race); `BookingService` has already
        #: retried ``ServiceOptions.transient_attempts`` times by then.
        self.transient: bool = transient

    @property
    def message(self) -> str:
        """The core's message (also ``str(error)``)."""
        return str(self.args[0]) if self.args else ""

    def __reduce__(self):  # noqa: D105 - pickles as (message, code, transient)
        return (type(self), (self.message, self.code, self.transient))


class InvalidArgumentError(Error, ValueError):
    """Malformed or out-of-range input; the message names the field and the value (HTTP 400)."""

    default_code = ErrorCode.INVALID_ARGUMENT


class NotFoundError(Error, LookupError):
    """No such session, provider or form (HTTP 404)."""

    default_code = ErrorCode.NOT_FOUND


class ConflictError(Error):
    """The time is taken, or the record changed underneath the caller (HTTP 409)."""

    default_code = ErrorCode.CONFLICT


class OutsideAvailabilityError(Error):
    """The provider does not work then, or is inactive (HTTP 422)."""

    default_code = ErrorCode.OUTSIDE_AVAILABILITY


class PolicyError(Error):
    """A policy refuses it: notice, horizon, day full, reschedule limit, no-shows (HTTP 422)."""

    default_code = ErrorCode.POLICY_DENIED


class ForbiddenError(Error):
    """The actor may not see or do this (HTTP 403)."""

    default_code = ErrorCode.FORBIDDEN


class StorageError(Error):
    """The store failed: I/O, corruption, a newer schema, busy past its timeout (HTTP 503)."""

    default_code = ErrorCode.STORAGE


class CryptoError(Error):
    """A key is missing or a ciphertext does not authenticate (HTTP 500)."""

    default_code = ErrorCode.CRYPTO


#: The class raised for each code.
BY_CODE: dict[ErrorCode, type[Error]] = {
    cls.default_code: cls
    for cls in (
        InvalidArgumentError,
        NotFoundError,
        ConflictError,
        OutsideAvailabilityError,
        PolicyError,
        ForbiddenError,
        StorageError,
        CryptoError,
    )
}
