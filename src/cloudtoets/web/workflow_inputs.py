"""Reading the justification and notification forms: text, ticks and dates as typed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from cloudtoets.problems import Problem

_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
BAD_DATE = "Vul een geldige datum in, zoals 1-10-2026."


def text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def ticked(form: Mapping[str, Any], name: str) -> bool:
    return text(form, name) == "true"


def day(value: str) -> dt.date | None:
    """A date typed as 2026-10-01 or 1-10-2026; None when empty; ValueError when not a date."""
    value = value.strip()
    if not value:
        return None
    match = _DUTCH_DATE.match(value)
    if match:
        d, m, y = (int(part) for part in match.groups())
        return dt.date(y, m, d)
    return dt.date.fromisoformat(value)


def errors_by_field(problems: list[Problem]) -> dict[str, str]:
    """The services' problems per form field, in the order they came."""
    errors: dict[str, str] = {}
    for problem in problems:
        errors.setdefault(problem.field or "", problem.message)
    return errors
