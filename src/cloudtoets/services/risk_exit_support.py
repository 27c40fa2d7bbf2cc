"""What the risk-assessment and exit-plan use cases share: date checks with Dutch messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from cloudtoets.problems import InputError, Problem


def future_date(field: str, label: str, day: dt.date | None, today: dt.date) -> Problem | None:
    """A problem when ``day`` lies after today: what has not happened cannot be recorded."""
    if day is None or day <= today:
        return None
    return Problem(
        label, f"de datum ligt in de toekomst; {label} kan niet later zijn dan vandaag", None, field
    )


def utc(moment: dt.datetime) -> dt.datetime:
    """A stored moment in UTC; SQLite keeps no offset, so a naive value is UTC already."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def raise_problems(source: str, problems: Iterable[Problem | None]) -> None:
    found = [p for p in problems if p is not None]
    if found:
        raise InputError(source, found)
