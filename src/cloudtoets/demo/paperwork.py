"""What an organisation has put on paper for a registration: the material-use dossier (risk
assessment, exit plan, notification; S3.1-S3.3) and comply-or-explain justifications.

Each state is a stage a real dossier passes through, so the demo shows every workflow in every
phase. Dates follow from when the use started plus a small per-registration shift: deterministic
without looking copied.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from cloudtoets.demo.platforms import Platform
from cloudtoets.domain.model import (
    ExitPlan,
    ExitScenario,
    Justification,
    Notification,
    RiskAssessment,
)

ADOPTED, DAY = dt.date(2026, 7, 3), dt.timedelta(days=1)


class Dossier(Enum):
    """How far the paperwork for material use has come."""

    COMPLETE = "afweging geaccepteerd, exitplan recent getest, gemeld"
    TEST_OVERDUE = "alles op orde, exitplan langer dan 12 maanden niet getest"
    NEVER_TESTED = "alles op orde, exitplan nooit getest"
    NOT_NOTIFIED = "alles op orde behalve de melding"
    NO_EXIT_PLAN = "afweging geaccepteerd en gemeld, nog geen exitplan"
    PARTIAL_EXIT = "exitplan zonder noodscenario en zonder afspraak over vernietiging"
    NO_JURISDICTION = "risicoafweging zonder jurisdictierisico"
    UNACCEPTED = "risicoafweging en exitplan nog niet geaccepteerd, niet gemeld"
    NOTHING = "nog niets vastgelegd"


class Deviation(Enum):
    """How far a comply-or-explain justification has come."""

    REPORTED = "onderbouwd, geaccepteerd en gemeld"
    UNREPORTED = "onderbouwd en geaccepteerd, nog niet gemeld"
    NO_CONSENT = "toestemming van de minister ontbreekt nog (alleen e-mail en documenten)"
    DRAFT = "alleen een reden, nog niet geaccepteerd"


EMAIL, DOCUMENTS = "cb2026.4.5.email", "cb2026.4.5.documents"
SPECIAL_DATA, JURISDICTION = "cb2026.4.6.special-data", "cb2026.4.3.jurisdiction"
REASONS = {
    EMAIL: "Er is nog geen rijksbrede niet-publieke e-mailvoorziening. Tot die er is, is "
    "tussentijds migreren duurder en riskanter dan het huidige gebruik met eigen sleutels.",
    DOCUMENTS: "Documentbeheer verhuist naar het DMS in het rijksdatacentrum zodra de "
    "e-mailmigratie klaar is; tot dan blijven de documenten met eigen sleutels in de EU.",
    SPECIAL_DATA: "De verwerking is nodig voor de wettelijke taak. De gegevens zijn "
    "gepseudonimiseerd en de sleutels zijn in eigen beheer.",
    JURISDICTION: "Geen Europees alternatief met vergelijkbare functionaliteit binnen de "
    "contractperiode; data in de EU en eigen sleutels. Heroverweging bij de volgende aanbesteding.",
}


def _dates(since: dt.date | None, shift: int) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """Assessed, accepted, exit plan tested, notified: spring 2026 for existing use (the
    notification is new in 2026), shortly before the start for new use."""
    if since is None or since < ADOPTED:
        start = dt.date(2026, 1, 12) + shift * DAY
        return start, start + 24 * DAY, start + 50 * DAY, dt.date(2026, 8, 17) + shift * DAY
    return since - 55 * DAY, since - 30 * DAY, since - 12 * DAY, since - 6 * DAY


_UNTESTED = (Dossier.NEVER_TESTED, Dossier.PARTIAL_EXIT, Dossier.UNACCEPTED)


def dossier(
    state: Dossier,
    platform: Platform,
    owner: str,
    notify_to: str,
    since: dt.date | None,
    shift: int,
) -> dict[str, Any]:
    """Risk assessment, exit plan and notification fields of a registration in ``state``."""
    if state is Dossier.NOTHING:
        return {}
    assessed, accepted, tested, notified = _dates(since, shift)
    unaccepted, partial = state is Dossier.UNACCEPTED, state is Dossier.PARTIAL_EXIT
    facts: dict[str, Any] = {
        "risk_assessment": RiskAssessment(
            date=assessed,
            covers_lock_in=True,
            covers_jurisdiction=state is not Dossier.NO_JURISDICTION,
            accepted_by=None if unaccepted else owner,
            accepted_on=None if unaccepted else accepted,
        )
    }
    if state is not Dossier.NO_EXIT_PLAN:
        if state is Dossier.TEST_OVERDUE:
            tested = dt.date(2025, 3, 3) + shift * DAY
        planned, emergency = platform.planned_exit, platform.emergency
        facts["exit_plan"] = ExitPlan(
            planned=ExitScenario(planned[0], list(planned[1])),
            emergency=None if partial else ExitScenario(emergency[0], list(emergency[1])),
            data_return=True,
            data_destruction=not partial,
            last_tested=None if state in _UNTESTED else tested,
            last_reviewed=accepted,
        )
    if state not in (Dossier.NOT_NOTIFIED, Dossier.UNACCEPTED):
        facts["notification"] = Notification(submitted_on=notified, to=notify_to)
    return facts


def justification(rule: str, state: Deviation, owner: str, shift: int) -> Justification:
    """A justification for one advised-against rule in ``state``."""
    accepted_on = dt.date(2026, 9, 21) + shift * DAY
    draft = state is Deviation.DRAFT
    extra = rule in (EMAIL, DOCUMENTS) and not draft  # S4.5 asks three more conditions
    return Justification(
        rule=rule,
        reason=REASONS[rule],
        accepted_by=None if draft else owner,
        accepted_on=None if draft else accepted_on,
        reported_on=accepted_on + 9 * DAY if state is Deviation.REPORTED else None,
        continuity_risk_established=extra,
        risk_and_exit_tested=extra,
        minister_consent_on=accepted_on - 6 * DAY
        if extra and state is not Deviation.NO_CONSENT
        else None,
    )
