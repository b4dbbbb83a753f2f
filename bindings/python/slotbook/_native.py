"""The C++ extension, wherever it was put: inside this package (an installed copy) or next to it
as the top-level module ``_slotbook`` (the build tree)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import _slotbook as _c
else:
    try:
        from . import _slotbook as _c
    except ImportError:
        import _slotbook as _c

__all__ = ["_c"]
