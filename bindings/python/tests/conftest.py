"""Shared helpers for the binding tests. Run with the extension and the package on PYTHONPATH
(ctest sets it); the module under test is the one on the path, never an installed copy."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

# Let the tests import helpers from this directory.
sys.path.insert(0, str(Path(__file__).parent))

import slotbook  # noqa: E402

UTC = timezone.utc
NAIROBI = ZoneInfo("Africa/Nairobi")
NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    """An aware UTC datetime: utc(2026, 1, 15, 10) is 2026-01-15T10:00:00Z."""
    return datetime(*args, tzinfo=UTC)


def span(begin: datetime, minutes: int = 60) -> slotbook.Interval:
    return slotbook.Interval(begin, begin + timedelta(minutes=minutes))


@pytest.fixture
def weekday_nairobi() -> slotbook.Schedule:
    """Weekdays 09:00-17:00 in Nairobi (UTC+3 all year: 06:00-14:00 UTC)."""
    days = [slotbook.Weekday(d) for d in range(1, 6)]
    return slotbook.Schedule(NAIROBI, [slotbook.WeeklyWindow(d, "09:00", "17:00") for d in days])
