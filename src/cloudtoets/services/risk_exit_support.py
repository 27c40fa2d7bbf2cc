"""What the risk-assessment and exit-plan use cases share: finding the registration they belong
to (404 for another organisation's), and date checks with Dutch messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.orm import Session

from cloudtoets.problems import InputError, Problem
from cloudtoets.services.actor import Actor
from cloudtoets.services.errors import NotFound
from cloudtoets.store import repositories as repo
from cloudtoets.store.tables import RegistrationRow


def registration_row(session: Session, actor: Actor, registration_id: str) -> RegistrationRow:
    row = repo.get_registration(session, registration_id, actor.visible)
    if row is None:
        raise NotFound("registratie", registration_id)
    return row


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
