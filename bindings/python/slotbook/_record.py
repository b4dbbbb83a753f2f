"""The machinery behind slotbook's value types: frozen, slotted dataclasses that check and
normalise their fields on construction.

What a value type guarantees, whatever it was built from:

- ``datetime`` fields hold aware UTC datetimes with whole seconds. Any aware datetime is accepted
  (``zoneinfo.ZoneInfo``, fixed offsets, ...) and converted; a naive one, or one with
  microseconds, is an `InvalidArgumentError` naming the field (``Interval.begin: ...``);
- the few fields that are wall-clock times in a provider's zone (``SeriesOccurrence.local_start``,
  and ``SeriesRequest.first_start`` when given naive) hold naive datetimes with whole seconds;
- ``date`` fields hold civil dates (a ``datetime`` is refused: it would lose its time);
- ``time`` fields are local wall-clock times, also given as ``"HH:MM"``; a window's end at
  ``"24:00"`` (the next local midnight) is stored as ``time(0, 0)``;
- enum fields accept the enum's value as text (``"scheduled"``) and hold the member;
- sequence fields hold tuples, so every value is hashable;
- zone fields hold the IANA name, given as text or as a ``zoneinfo.ZoneInfo``.

Everything else (ranges, ids, currencies, the rules of each record) is checked by the C++ core when
the value is used, with messages that name the field.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
from typing import Any, Callable

from . import _enums
from ._errors import InvalidArgumentError

UTC = _dt.timezone.utc
EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)

_Normalizer = Callable[[Any, str], Any]


def instant(value: Any, where: str) -> _dt.datetime:
    """`value` as an aware UTC datetime with whole seconds; `where` names it in errors."""
    if not isinstance(value, _dt.datetime):
        raise TypeError(
            f"{where}: expected an aware datetime.datetime, got {type(value).__name__} {value!r}"
        )
    if value.utcoffset() is None:
        raise InvalidArgumentError(
            f"{where}: {value!r} is a naive datetime; pass an aware one "
            "(tzinfo=datetime.timezone.utc or a zoneinfo.ZoneInfo)"
        )
    if value.microsecond:
        raise InvalidArgumentError(
            f"{where}: {value!r} has {value.microsecond} microseconds; slotbook instants are whole "
            "seconds (use .replace(microsecond=0))"
        )
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value


def wall_clock(value: Any, where: str) -> _dt.datetime:
    """A wall-clock time in some zone (the provider's): a naive datetime with whole seconds."""
    if not isinstance(value, _dt.datetime):
        raise TypeError(
            f"{where}: expected a naive datetime.datetime, got {type(value).__name__} {value!r}"
        )
    if value.tzinfo is not None:
        raise InvalidArgumentError(
            f"{where}: {value!r} has a tzinfo; a wall-clock time is a naive datetime"
        )
    if value.microsecond:
        raise InvalidArgumentError(
            f"{where}: {value!r} has {value.microsecond} microseconds; slotbook times are whole "
            "seconds (use .replace(microsecond=0))"
        )
    return value


def civil_date(value: Any, where: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        raise InvalidArgumentError(
            f"{where}: {value!r} is a datetime; pass its .date() (a civil date)"
        )
    if not isinstance(value, _dt.date):
        raise TypeError(f"{where}: expected datetime.date, got {type(value).__name__} {value!r}")
    return value


def wall_time(value: Any, where: str) -> _dt.time:
    """A local time of day: a ``time``, ``"HH:MM"``, or a ``timedelta`` since midnight. 24:00
    becomes ``time(0, 0)``: only a window's end may be 24:00 (see `wall_time_start`)."""
    if isinstance(value, _dt.time):
        if value.tzinfo is not None:
            raise InvalidArgumentError(
                f"{where}: {value!r} has a tzinfo; a local time is wall-clock time in the "
                "schedule's zone"
            )
        return value
    if isinstance(value, str):
        from ._native import _c

        minutes = _c.parse_time_of_day(value, where) // _dt.timedelta(minutes=1)
        return _dt.time(minutes // 60 % 24, minutes % 60)
    if isinstance(value, _dt.timedelta):
        if value < _dt.timedelta(0) or value > _dt.timedelta(hours=24):
            raise InvalidArgumentError(f"{where}: {value} is not a time of day from 0 to 24 h")
        seconds = int(value.total_seconds()) % 86400
        return _dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    raise TypeError(
        f"{where}: expected datetime.time or 'HH:MM', got {type(value).__name__} {value!r}"
    )


def wall_time_start(value: Any, where: str) -> _dt.time:
    """A window's start: as `wall_time`, but 24:00 is refused (it would read as 00:00)."""
    if (isinstance(value, str) and value.strip() == "24:00") or (
        isinstance(value, _dt.timedelta) and value == _dt.timedelta(hours=24)
    ):
        raise InvalidArgumentError(f"{where}: 24:00 is the end of a day, not a start")
    return wall_time(value, where)


def duration(value: Any, where: str) -> _dt.timedelta:
    if not isinstance(value, _dt.timedelta):
        raise TypeError(
            f"{where}: expected datetime.timedelta, got {type(value).__name__} {value!r}"
        )
    return value


def zone(value: Any, where: str) -> str:
    """An IANA zone name from text or a ``zoneinfo.ZoneInfo``."""
    if isinstance(value, str):
        return value
    key = getattr(value, "key", None)
    if isinstance(key, str):
        return key
    raise TypeError(f"{where}: expected an IANA zone name or a zoneinfo.ZoneInfo, got {value!r}")


def as_tuple(value: Any, where: str) -> tuple:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{where}: expected a sequence, got {type(value).__name__} {value!r}")
    return tuple(value)


def _enum_normalizer(cls: type[enum.Enum]) -> _Normalizer:
    def normalize(value: Any, where: str) -> enum.Enum:
        if isinstance(value, cls):
            return value
        try:
            return cls(value)
        except ValueError:
            choices = ", ".join(repr(m.value) for m in cls)
            raise InvalidArgumentError(
                f"{where}: {value!r} is not a {cls.__name__} (one of {choices})"
            ) from None

    return normalize


def _optional(inner: _Normalizer) -> _Normalizer:
    def normalize(value: Any, where: str) -> Any:
        return None if value is None else inner(value, where)

    return normalize


_BY_ANNOTATION: dict[str, _Normalizer] = {
    "datetime": instant,
    "date": civil_date,
    "time": wall_time,
    "timedelta": duration,
}


def _normalizer_for(annotation: str) -> _Normalizer | None:
    text = annotation.replace(" ", "")
    optional = text.endswith("|None")
    if optional:
        text = text[: -len("|None")]
    inner: _Normalizer | None
    if text in _BY_ANNOTATION:
        inner = _BY_ANNOTATION[text]
    elif text.startswith("tuple["):
        inner = as_tuple
    elif isinstance(getattr(_enums, text, None), type) and issubclass(
        getattr(_enums, text), enum.Enum
    ):
        inner = _enum_normalizer(getattr(_enums, text))
    else:
        inner = None
    if inner is None:
        return None
    return _optional(inner) if optional else inner


def show(value: Any) -> str:
    """A compact, readable rendering of one field for ``repr``."""
    if isinstance(value, _dt.datetime):
        if value.tzinfo is UTC:
            return value.strftime("%Y-%m-%dT%H:%M:%SZ")
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.time):
        return value.strftime("%H:%M" if value.second == 0 else "%H:%M:%S")
    if isinstance(value, _dt.timedelta):
        return f"-{-value}" if value < _dt.timedelta(0) else str(value)
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, tuple):
        inner = ", ".join(show(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def value_type(
    cls: type | None = None,
    *,
    kw_only: bool = False,
    normalize: dict[str, _Normalizer] | None = None,
    show_field: dict[str, Callable[[Any], str]] | None = None,
):
    """Class decorator: a frozen, slotted dataclass whose fields are normalised as the module
    docstring says (`normalize` adds or overrides per-field normalizers) and whose ``repr`` shows
    datetimes as ISO text (`show_field` overrides how a field is shown)."""

    def wrap(klass: type) -> type:
        annotations = dict(getattr(klass, "__annotations__", {}))
        steps: list[tuple[str, _Normalizer]] = []
        for name, annotation in annotations.items():
            if name.startswith("_"):
                continue
            chosen = (normalize or {}).get(name) or _normalizer_for(str(annotation))
            if chosen is not None:
                steps.append((name, chosen))
        own_post_init = klass.__dict__.get("__post_init__")
        title = klass.__name__

        def __post_init__(self) -> None:
            for name, step in steps:
                current = getattr(self, name)
                fixed = step(current, f"{title}.{name}")
                if fixed is not current:
                    object.__setattr__(self, name, fixed)
            if own_post_init is not None:
                own_post_init(self)

        klass.__post_init__ = __post_init__  # type: ignore[attr-defined]
        shows = dict(show_field or {})

        def __repr__(self) -> str:
            parts = []
            for f in dataclasses.fields(self):
                value = getattr(self, f.name)
                shown = shows[f.name](value) if f.name in shows else show(value)
                parts.append(f"{f.name}={shown}")
            return f"{title}({', '.join(parts)})"

        klass.__repr__ = __repr__  # type: ignore[method-assign]
        return dataclasses.dataclass(frozen=True, slots=True, kw_only=kw_only, repr=False)(klass)

    return wrap if cls is None else wrap(cls)


def show_window_end(value: _dt.time) -> str:
    """A window end: ``time(0, 0)`` is 24:00, the next local midnight."""
    return "24:00" if value == _dt.time(0, 0) else show(value)
