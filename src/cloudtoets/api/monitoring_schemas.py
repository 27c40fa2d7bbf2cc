"""The response shapes of /monitoring and /reminders (documented in OpenAPI, checked by the
tests against real responses), and the mapping from the services' dataclasses."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from cloudtoets.domain.knowledge import QUESTIONS
from cloudtoets.services.monitoring import (
    CalendarBucket,
    Concentration,
    Deviations,
    Knowledge,
    MaterialUse,
    Monitoring,
    VerdictCounts,
    share,
)
from cloudtoets.services.reminders import Reminder


class CountShare(BaseModel):
    count: int
    share: float | None = Field(description="Aandeel van het materiële gebruik (0 tot 1)")


class MaterialOut(BaseModel):
    organisation: str | None = Field(description="Kenmerk; null voor het totaal")
    name: str
    material: int = Field(description="Materieel gebruik van een externe cloud")
    risk_assessment: CountShare = Field(description="Met een geaccepteerde risicoafweging")
    exit_plan: CountShare = Field(description="Met een volledig exitplan")
    notification: CountShare = Field(description="Gemeld bij CIO Rijk")
    complete: CountShare = Field(description="Alle drie op orde")
    without_risk_assessment: CountShare = Field(
        description="Zonder geaccepteerde risicoafweging (het cijfer van de Algemene Rekenkamer)"
    )


class MaterialSection(BaseModel):
    total: MaterialOut
    by_organisation: list[MaterialOut]


class VerdictsOut(BaseModel):
    organisation: str | None
    name: str
    counts: dict[str, int] = Field(description="Registraties per oordeel")
    total: int


class VerdictSection(BaseModel):
    total: VerdictsOut
    by_organisation: list[VerdictsOut]


class NotificationStateOut(BaseModel):
    state: str
    count: int
    ages: dict[str, int] = Field(
        description="Open meldingen per leeftijd in dagen sinds het indienen (0-30, 31-90, "
        "91-180, 181+); leeg voor concept en afgesloten"
    )
    oldest_days: int | None


class DeviationsOut(BaseModel):
    organisation: str | None
    name: str
    accepted: int
    reported: int = Field(description="Waarvan gemeld bij CIO Rijk")
    unreported: int


class DeviationSection(BaseModel):
    total: DeviationsOut
    by_organisation: list[DeviationsOut]
    by_rule: dict[str, int]


class CalendarBucketOut(BaseModel):
    key: str = Field(description='"verlopen", een kwartaal als "2027-K3", of "later"')
    label: str
    count: int
    first_day: dt.date | None
    last_day: dt.date | None


class ConcentrationOut(BaseModel):
    key: str = Field(description="Kenmerk van de leverancier, of ISO-landcode")
    label: str
    registrations: int
    material: int
    organisations: int
    outside_eea: bool


class ProviderSection(BaseModel):
    count: int = Field(description="Aantal verschillende leveranciers")
    top: list[ConcentrationOut]


class AskFirstOut(BaseModel):
    field: str = Field(
        description="Het feit dat de vraag beantwoordt (organisatiefeiten als "
        "organisation.critical_entity)"
    )
    question: str = Field(description="De vraag in gewoon Nederlands")
    registrations: int = Field(description="Onvolledige registraties die deze vraag stellen")


class KnowledgeOut(BaseModel):
    organisation: str | None = Field(description="Kenmerk; null voor het totaal")
    name: str
    registrations: int
    deployments: dict[str, int] = Field(
        description="Registraties per inzetmodel, met unknown: het inzetmodel is onbekend"
    )
    incomplete: int = Field(description="Registraties met een onvolledig oordeel")
    material_certain: int = Field(description="Zeker materieel gebruik")
    material_possible: int = Field(
        description="Mogelijk materieel gebruik: hangt af van feiten die onbekend zijn"
    )
    ask_first: list[AskFirstOut] = Field(
        description="De vragen waarvan het antwoord de meeste onvolledige registraties afmaakt, "
        "meeste eerst (ten hoogste 10)"
    )


class KnowledgeSection(BaseModel):
    """Wat wel en niet bekend is (unknowns.md)."""

    total: KnowledgeOut
    by_organisation: list[KnowledgeOut]


class EvidenceOriginOut(BaseModel):
    """Waar het bewijs van een soort vandaan komt (docs/workflows.md)."""

    kind: Literal["risk-assessment", "exit-plan", "notification", "justification"]
    made_here: int = Field(description="Gemaakt en geaccordeerd in cloudtoets")
    confirmed: int = Field(description="Uit een import, bevestigd door een accordeerder")
    waiting: int = Field(description="Uit een import, wacht op bevestiging: telt nog niet mee")


class OrganisationName(BaseModel):
    id: str
    name: str


class MonitoringOut(BaseModel):
    """De cijfers voor de monitoring (docs/monitoring.md)."""

    as_of: dt.date
    organisation: str | None = Field(description="De gevraagde organisatie, of null: alle")
    organisations: list[OrganisationName]
    registrations: int
    material: MaterialSection
    verdicts: VerdictSection
    notifications: list[NotificationStateOut]
    deviations: DeviationSection
    calendar: list[CalendarBucketOut]
    providers: ProviderSection
    jurisdictions: list[ConcentrationOut]
    knowledge: KnowledgeSection
    evidence_origin: list[EvidenceOriginOut] = Field(
        description="Herkomst van het bewijs dat meetelt of wacht, per soort"
    )


class ReminderOut(BaseModel):
    key: str = Field(description="Blijft gelijk zolang de herinnering dezelfde is")
    kind: str
    title: str
    organisation: str
    registration: str
    registration_name: str
    due: dt.date
    overdue: bool
    text: str


class ReminderList(BaseModel):
    as_of: dt.date
    days: int
    items: list[ReminderOut]
    total: int


def _count(count: int, total: int) -> dict[str, Any]:
    return {"count": count, "share": share(count, total)}


def _material(row: MaterialUse) -> dict[str, Any]:
    return {
        "organisation": row.organisation or None,
        "name": row.name,
        "material": row.material,
        "risk_assessment": _count(row.risk_assessment, row.material),
        "exit_plan": _count(row.exit_plan, row.material),
        "notification": _count(row.notification, row.material),
        "complete": _count(row.complete, row.material),
        "without_risk_assessment": _count(row.without_risk_assessment, row.material),
    }


def _verdicts(row: VerdictCounts) -> dict[str, Any]:
    return {
        "organisation": row.organisation or None,
        "name": row.name,
        "counts": row.counts,
        "total": row.total,
    }


def _knowledge(row: Knowledge) -> dict[str, Any]:
    return {
        "organisation": row.organisation or None,
        "name": row.name,
        "registrations": row.registrations,
        "deployments": row.deployments,
        "incomplete": row.incomplete,
        "material_certain": row.material_certain,
        "material_possible": row.material_possible,
        "ask_first": [
            {"field": key, "question": QUESTIONS.get(key, key), "registrations": n}
            for key, n in row.ask_first
        ],
    }


def _deviations(row: Deviations) -> dict[str, Any]:
    return {
        "organisation": row.organisation or None,
        "name": row.name,
        "accepted": row.accepted,
        "reported": row.reported,
        "unreported": row.unreported,
    }


def _bucket(bucket: CalendarBucket) -> dict[str, Any]:
    return {
        "key": bucket.key,
        "label": bucket.label,
        "count": bucket.count,
        "first_day": bucket.first_day,
        "last_day": bucket.last_day,
    }


def _concentration(row: Concentration) -> dict[str, Any]:
    return {
        "key": row.key,
        "label": row.label,
        "registrations": row.registrations,
        "material": row.material,
        "organisations": row.organisations,
        "outside_eea": row.outside_eea,
    }


def monitoring_json(m: Monitoring) -> dict[str, Any]:
    return {
        "as_of": m.as_of,
        "organisation": m.organisation,
        "organisations": [{"id": k, "name": v} for k, v in m.organisations.items()],
        "registrations": m.registrations,
        "material": {
            "total": _material(m.material_total),
            "by_organisation": [_material(r) for r in m.material],
        },
        "verdicts": {
            "total": _verdicts(m.verdict_total),
            "by_organisation": [_verdicts(r) for r in m.verdicts],
        },
        "notifications": [
            {"state": s.state, "count": s.count, "ages": s.ages, "oldest_days": s.oldest_days}
            for s in m.notifications
        ],
        "deviations": {
            "total": _deviations(m.deviation_total),
            "by_organisation": [_deviations(r) for r in m.deviations],
            "by_rule": m.deviations_by_rule,
        },
        "calendar": [_bucket(b) for b in m.calendar],
        "providers": {
            "count": m.provider_count,
            "top": [_concentration(p) for p in m.providers],
        },
        "jurisdictions": [_concentration(j) for j in m.jurisdictions],
        "knowledge": {
            "total": _knowledge(m.knowledge_total),
            "by_organisation": [_knowledge(k) for k in m.knowledge],
        },
        "evidence_origin": [
            {
                "kind": e.kind,
                "made_here": e.made_here,
                "confirmed": e.confirmed,
                "waiting": e.waiting,
            }
            for e in m.evidence_origin
        ],
    }


def reminder_json(reminder: Reminder, as_of: dt.date) -> dict[str, Any]:
    return {
        "key": reminder.key,
        "kind": reminder.kind,
        "title": reminder.title,
        "organisation": reminder.organisation,
        "registration": reminder.registration,
        "registration_name": reminder.registration_name,
        "due": reminder.due,
        "overdue": reminder.overdue(as_of),
        "text": reminder.text,
    }
