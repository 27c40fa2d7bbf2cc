"""A date as people type it in a form: one reading for every form of the web app.

The Dutch way (3-7-2026, 03-07-2026, also with / or .) and the ISO way (2026-07-03) both work.
A text that is no date gets one Dutch message that repeats it as typed, so the form can show
the text again instead of an empty field.
"""

from __future__ import annotations

import datetime as dt
import re

EXAMPLE = "3-7-2026"
HINT = f"Schrijf de datum als dag-maand-jaar, bijvoorbeeld {EXAMPLE}."

_DUTCH = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class BadDate(ValueError):
    """A typed text that is not a date; ``message`` says so in Dutch, with the text as typed."""

    def __init__(self, typed: str, message: str) -> None:
        super().__init__(message)
        self.typed = typed
        self.message = message


def typed_date(text: str) -> dt.date | None:
    """The date in ``text``; None when it is empty; BadDate when it is not a date."""
    typed = text.strip()
    if not typed:
        return None
    parts = _parts(typed)
    if parts is None:
        raise BadDate(typed, f'"{typed}" is geen datum. Schrijf de datum als {EXAMPLE}.')
    year, month, day = parts
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadDate(typed, f"{typed} bestaat niet. Schrijf de datum als {EXAMPLE}.") from None


def _parts(typed: str) -> tuple[int, int, int] | None:
    dutch = _DUTCH.match(typed)
    if dutch:
        day, month, year = (int(p) for p in dutch.groups())
        return year, month, day
    iso = _ISO.match(typed)
    if iso:
        year, month, day = (int(p) for p in iso.groups())
        return year, month, day
    return None


def shown_date(value: object) -> str:
    """How a form shows a stored date again: the Dutch way of the hint (3-7-2026)."""
    if isinstance(value, dt.date):
        return f"{value.day}-{value.month}-{value.year}"
    return "" if value is None else str(value)
