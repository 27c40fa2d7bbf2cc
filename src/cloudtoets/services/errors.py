"""What a use case can refuse, independent of HTTP or HTML."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ObjectKind(StrEnum):
    """What a refusal is about; ``label`` is the Dutch noun messages use."""

    REGISTRATION = "registration"
    ORGANISATION = "organisation"
    PROVIDER = "provider"
    RISK_ASSESSMENT = "risk-assessment"
    EXIT_PLAN = "exit-plan"
    NOTIFICATION = "notification"
    JUSTIFICATION = "justification"
    PAGE = "page"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ObjectKind.REGISTRATION: "registratie",
    ObjectKind.ORGANISATION: "organisatie",
    ObjectKind.PROVIDER: "leverancier",
    ObjectKind.RISK_ASSESSMENT: "integrale risicoafweging",
    ObjectKind.EXIT_PLAN: "exitplan",
    ObjectKind.NOTIFICATION: "melding",
    ObjectKind.JUSTIFICATION: "afwijking",
    ObjectKind.PAGE: "pagina",
}


class NotFound(Exception):
    """The object does not exist, or the actor may not see it (the two are not told apart)."""

    def __init__(self, kind: ObjectKind, object_id: str) -> None:
        self.kind = kind
        self.object_id = object_id
        super().__init__(f"{kind.label} {object_id} niet gevonden")


class VersionConflict(Exception):
    """Someone else changed the object since it was read (lost-update protection)."""

    def __init__(
        self, kind: ObjectKind, object_id: str, current_version: int, current: Any
    ) -> None:
        self.kind = kind
        self.object_id = object_id
        self.current_version = current_version
        self.current = current
        super().__init__(f"{kind.label} {object_id} is gewijzigd (nu versie {current_version})")


class AlreadyExists(Exception):
    def __init__(self, kind: ObjectKind, object_id: str) -> None:
        self.kind = kind
        self.object_id = object_id
        super().__init__(f"{kind.label} {object_id} bestaat al")


class InvalidTransition(Exception):
    """The object is not in a state that allows this step (accepting twice, changing a version
    that was replaced, ...). ``message`` says why and what to do, in Dutch."""

    def __init__(self, kind: ObjectKind, object_id: str, message: str) -> None:
        self.kind = kind
        self.object_id = object_id
        self.message = message
        super().__init__(message)
