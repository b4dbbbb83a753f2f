"""The quickstart example runs, and the public API is documented and typed."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from enum import Enum
from pathlib import Path

import slotbook
from slotbook._native import _c

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent / "slotbook"
QUICKSTART = HERE.parents[2] / "examples" / "python" / "quickstart.py"


def test_the_quickstart_example_runs_and_tells_the_story_it_promises():
    out = subprocess.run([sys.executable, str(QUICKSTART)], capture_output=True, text=True,
                         env=dict(os.environ), timeout=120, check=True).stdout
    # Tuesday 13 January is closed: the 7 hourly slots of 09:00-12:00 and 13:00-17:00 say so.
    assert "Tue 13 Jan: 0 free, 7 closed (training day)" in out
    # 09:00 in Nairobi (UTC+3) is 07:00 in Berlin (UTC+1).
    assert "Wed 14 Jan 07:00 CET  (= 09:00 in Nairobi)" in out
    assert "BK-2026-000001: Wed 14 Jan 08:00 CET, KES 1500.00, pending_payment -> scheduled" in out
    assert "refused (conflict, HTTP 409)" in out
    # 18 hours' notice under the tiered policy: tier 1, 50 %, KES 750.00 back.
    assert "decision: notice_tier, tier 1, share 50 %, notice 18:00:00, refund KES 750.00" in out
    assert "refund refunded: KES 750.00" in out
    # One completed (KES 1500.00) and one cancelled with half kept (KES 750.00).
    assert "bookings 2: 1 completed, 1 cancelled" in out
    assert "completion 50.00 %, cancellation 50.00 %" in out
    assert "revenue KES 2250.00, average session 0:50:00" in out
    assert "audit log intact: True" in out


def _public_objects():
    for name in slotbook.__all__:
        obj = getattr(slotbook, name)
        if inspect.isclass(obj) and not issubclass(obj, Enum):
            yield name, obj
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(member, (classmethod, staticmethod)):
                    member = member.__func__
                if callable(member) or isinstance(member, property):
                    yield f"{name}.{attr}", member
        elif callable(obj) and not inspect.isclass(obj):
            yield name, obj


def test_every_public_class_function_method_and_property_has_a_docstring():
    missing = [name for name, obj in _public_objects() if not (getattr(obj, "__doc__", None) or "").strip()]
    assert missing == []


def test_help_on_booking_service_book_explains_the_checks():
    doc = slotbook.BookingService.book.__doc__
    assert "book(self: _slotbook.BookingService, who: Actor, request: BookingRequest) -> BookingConfirmation" in doc
    assert "ConflictError" in doc and "PolicyError" in doc


def test_the_package_ships_type_stubs_for_the_extension_covering_every_public_name():
    assert (PACKAGE / "py.typed").exists()
    stub = (PACKAGE / "_slotbook.pyi").read_text()
    defined = set(re.findall(r"^(?:def|class) (\w+)|^(\w+):", stub, re.M))
    names = {a or b for a, b in defined}
    public = {n for n in dir(_c) if not n.startswith("_")}
    assert public - names == set()
