"""The registration's workflow fields, derived from the workflow objects in the register.

The engine reads ``risk_assessment``, ``exit_plan``, ``notification`` and ``justifications`` of a
registration (interface.md). In the register the workflow objects are their only source
(decision 30): an accepted risk assessment, an exit plan with a passed test, a submitted
notification that needs no re-notification, accepted justifications. A form, the API or an import
cannot write them (``refuse_written_evidence``); a new or changed registration gets the fields the
workflows say (``register_evidence``), empty where there is no workflow object.

``sync_registration`` writes the derived fields and re-evaluates, in the caller's transaction:
every workflow use case calls it, so completing the workflow resolves the finding at once.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import or_, select, union
from sqlalchemy.orm import Session

from cloudtoets.domain.clock import amsterdam_date
from cloudtoets.domain.model import Registration
from cloudtoets.domain.serialise import jsonable
from cloudtoets.problems import InputError, Problem
from cloudtoets.services.context import Register
from cloudtoets.services.evaluation import RegisterEvaluator
from cloudtoets.services.uow import UnitOfWork
from cloudtoets.store.tables import RegistrationRow
from cloudtoets.store.workflows import (
    ExitPlanRow,
    JustificationRow,
    NotificationRow,
    RiskAssessmentRow,
)

WORKFLOW_FIELDS = ("risk_assessment", "exit_plan", "notification", "justifications")

# A change to one of these makes an earlier notification out of date (S3.3).
MATERIAL_CHANGE_FIELDS = {
    "provider": "aanbieder",
    "subprocessors": "subverwerkers",
    "deployment": "soort cloud",
    "storage_countries": "landen van opslag",
    "processing_countries": "landen van verwerking",
    "classification": "rubricering",
    "tbb_level": "BBN-niveau",
    "personal_data": "persoonsgegevens",
    "large_scale_personal_data": "grootschalige verwerking van persoonsgegevens",
}

# Risk themes whose presence in an assessment covers the engine's S3.1 sub-requirements.
LOCK_IN_THEME = "lock-in"
JURISDICTION_THEME = "jurisdiction"

# the notification states in which CIO Rijk has the notification
SUBMITTED_STATES = ("submitted", "received", "questions", "answered", "closed")

# a risk assessment, notification or justification declared at an import, not yet confirmed
# (services/declared_evidence.py): it does not count until an approver confirms it
DECLARED = "declared"


def not_waiting(table: Any) -> Any:
    """The rows of a workflow table that count: not declared evidence waiting for confirmation."""
    return or_(table.declaration.is_(None), table.declaration != "to_confirm")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _covers(assessment: RiskAssessmentRow, theme: str) -> bool:
    """A theme counts as covered when a risk of that theme is described."""
    return any(
        risk.get("theme") == theme and str(risk.get("description", "")).strip()
        for risk in assessment.risks
    )


def risk_assessment_field(assessments: list[RiskAssessmentRow]) -> dict[str, Any] | None:
    """The accepted assessment; while none is accepted, the newest draft (without acceptance)."""
    if not assessments:
        return None
    accepted = [a for a in assessments if a.state == "accepted"]
    current = max(accepted or assessments, key=lambda a: a.number)
    is_accepted = current.state == "accepted"
    return {
        "date": _iso(current.assessed_on),
        "covers_lock_in": _covers(current, LOCK_IN_THEME),
        "covers_jurisdiction": _covers(current, JURISDICTION_THEME),
        "accepted_by": current.accepted_by_name if is_accepted else None,
        "accepted_on": _iso(current.accepted_on) if is_accepted else None,
    }


def _scenario(scenario: dict[str, Any] | None) -> dict[str, Any] | None:
    if not scenario:
        return None
    return {
        "lead_time_days": scenario.get("lead_time_days"),
        "preconditions": [p for p in scenario.get("preconditions", []) if str(p).strip()],
    }


def exit_plan_field(plan: ExitPlanRow | None) -> dict[str, Any] | None:
    """Data return and destruction count when stated with format and evidence; a test counts
    when it passed."""
    if plan is None:
        return None
    return {
        "planned": _scenario(plan.planned),
        "emergency": _scenario(plan.emergency),
        "data_return": bool(plan.data_return_format.strip()),
        "data_destruction": bool(
            plan.data_destruction_method.strip() and plan.data_destruction_evidence.strip()
        ),
        "last_tested": _iso(plan.last_tested) if plan.test_result == "passed" else None,
        "last_reviewed": _iso(plan.last_reviewed),
    }


def notification_field(notifications: list[NotificationRow]) -> dict[str, Any] | None:
    """The newest notification CIO Rijk has, unless a material change made it out of date."""
    submitted = [n for n in notifications if n.state in SUBMITTED_STATES]
    if not submitted:
        return None
    latest = max(submitted, key=lambda n: n.id)
    if latest.renotification_needed or latest.submitted_at is None:
        return None
    return {"submitted_on": amsterdam_date(latest.submitted_at).isoformat(), "to": "CIO Rijk"}


def justifications_field(justifications: list[JustificationRow]) -> list[dict[str, Any]]:
    return [
        {
            "rule": j.rule,
            "reason": j.reason,
            "accepted_by": j.accepted_by_name,
            "accepted_on": _iso(j.accepted_on),
            "reported_on": _iso(j.reported_on),
            "continuity_risk_established": j.continuity_risk_established,
            "risk_and_exit_tested": j.risk_and_exit_tested,
            "minister_consent_on": _iso(j.minister_consent_on),
        }
        for j in sorted(justifications, key=lambda j: (j.rule, j.id))
        if j.state == "accepted"
    ]


def derived_fields(session: Session, row: RegistrationRow) -> dict[str, Any]:
    """The workflow fields of one registration as the workflow objects say them.

    Only fields with at least one workflow object behind them are returned.
    """
    with session.no_autoflush:  # reading must not write a row the caller is still changing
        return _derived_fields(session, row)


def _derived_fields(session: Session, row: RegistrationRow) -> dict[str, Any]:
    registration_id = row.id
    derived: dict[str, Any] = {}
    assessments = list(
        session.scalars(
            select(RiskAssessmentRow).where(
                RiskAssessmentRow.registration_id == registration_id,
                RiskAssessmentRow.state != DECLARED,
            )
        )
    )
    if assessments:
        derived["risk_assessment"] = risk_assessment_field(assessments)
    plan = session.scalars(
        select(ExitPlanRow).where(
            ExitPlanRow.registration_id == registration_id, not_waiting(ExitPlanRow)
        )
    ).first()
    if plan is not None:
        derived["exit_plan"] = exit_plan_field(plan)
    notifications = list(
        session.scalars(
            select(NotificationRow).where(
                NotificationRow.registration_id == registration_id,
                NotificationRow.organisation_id == row.organisation_id,
                NotificationRow.state != DECLARED,
            )
        )
    )
    if notifications:
        derived["notification"] = notification_field(notifications)
    justifications = list(
        session.scalars(
            select(JustificationRow).where(
                JustificationRow.registration_id == registration_id,
                JustificationRow.state != DECLARED,
            )
        )
    )
    if justifications:
        derived["justifications"] = justifications_field(justifications)
    return derived


_REGISTRATION = TypeAdapter(Registration)

# the field's value when no workflow object is behind it
EMPTY_EVIDENCE: dict[str, Any] = {
    "risk_assessment": None,
    "exit_plan": None,
    "notification": None,
    "justifications": [],
}

# where each evidence field is written instead (the API's workflow endpoints)
EVIDENCE_ENDPOINTS = {
    "risk_assessment": (
        "de integrale risicoafweging",
        "POST /api/v1/registrations/{id}/risk-assessments en accorderen met "
        "POST /api/v1/registrations/{id}/risk-assessments/{number}/accept",
    ),
    "exit_plan": (
        "het exitplan",
        "PUT /api/v1/registrations/{id}/exit-plan en een test met "
        "POST /api/v1/registrations/{id}/exit-plan/test",
    ),
    "notification": (
        "de melding aan CIO Rijk",
        "POST /api/v1/registrations/{id}/notifications",
    ),
    "justifications": (
        "een afwijking",
        "POST /api/v1/registrations/{id}/justifications en accorderen met "
        "POST /api/v1/registrations/{id}/justifications/{justification_id}/accept",
    ),
}


def evidence_message(name: str, registration_id: str) -> str:
    """Dutch: this field comes from a workflow, and where to record it instead."""
    what, endpoint = EVIDENCE_ENDPOINTS[name]
    return (
        f"{what} komt alleen uit de werkstroom in het register en is hier niet te wijzigen; "
        f"leg het vast met {endpoint.replace('{id}', registration_id)}"
    )


def written_evidence(registration: Registration, allowed: dict[str, Any]) -> list[str]:
    """The evidence fields of ``registration`` that differ both from empty and from ``allowed``
    (the values the register has now: sending back what was read is no write)."""
    values = jsonable(registration)
    return [
        name
        for name in WORKFLOW_FIELDS
        if values[name] != EMPTY_EVIDENCE[name] and values[name] != allowed.get(name)
    ]


def refuse_written_evidence(registration: Registration, allowed: dict[str, Any]) -> None:
    """InputError (a 422 in the API) naming the workflow endpoint for every evidence field the
    caller tries to write."""
    names = written_evidence(registration, allowed)
    if names:
        raise InputError(
            "registratie",
            [
                Problem(
                    f"veld {name}",
                    evidence_message(name, registration.id),
                    ("registrations", 0),
                    name,
                )
                for name in names
            ],
        )


def register_evidence(session: Session, row: RegistrationRow | None) -> dict[str, Any]:
    """All four evidence fields as the workflow objects say them; empty without an object."""
    if row is None:
        return dict(EMPTY_EVIDENCE)
    return {**EMPTY_EVIDENCE, **derived_fields(session, row)}


def current_evidence(row: RegistrationRow) -> dict[str, Any]:
    """The evidence fields as stored on the row now."""
    return {name: getattr(row, name) for name in WORKFLOW_FIELDS}


def with_register_evidence(
    session: Session, row: RegistrationRow | None, registration: Registration
) -> Registration:
    """``registration`` with the evidence fields the workflows say (empty without an object)."""
    evidence = register_evidence(session, row)
    values = jsonable(registration)
    if all(values[name] == evidence[name] for name in WORKFLOW_FIELDS):
        return registration
    return _REGISTRATION.validate_python({**values, **evidence})


def with_derived_fields(
    session: Session, row: RegistrationRow, registration: Registration
) -> Registration:
    """``registration`` (a new state of ``row``) with the workflow fields the register owns."""
    derived = derived_fields(session, row)
    if not derived:
        return registration
    return _REGISTRATION.validate_python({**jsonable(registration), **derived})


def registrations_with_workflow(session: Session, organisation_ids: Collection[str]) -> set[str]:
    """Ids of the registrations of these organisations whose fields a workflow object decides:
    any object but declared evidence that waits for confirmation (it does not count yet)."""
    queries = [
        select(table.registration_id).where(
            table.organisation_id.in_(organisation_ids), not_waiting(table)
        )
        for table in (RiskAssessmentRow, ExitPlanRow, JustificationRow, NotificationRow)
    ]
    return set(session.scalars(union(*queries)))


def apply_derived_fields(session: Session, row: RegistrationRow) -> dict[str, Any]:
    """Set the derived fields on the row; returns the fields that changed, with old values."""
    changed: dict[str, Any] = {}
    for name, value in derived_fields(session, row).items():
        if getattr(row, name) != value:
            changed[name] = getattr(row, name)
            setattr(row, name, value)
    return changed


def sync_registration(uow: UnitOfWork, register: Register, registration_id: str) -> None:
    """Bring a registration's workflow fields up to date and re-evaluate it when they changed."""
    session = uow.session
    session.flush()
    row = session.get(RegistrationRow, registration_id)
    if row is None:  # a notification can outlive its registration
        return
    before = {name: getattr(row, name) for name in WORKFLOW_FIELDS}
    changed = apply_derived_fields(session, row)
    if not changed:
        return
    RegisterEvaluator(session, register.policy, register.today()).apply(row)
    uow.audit(
        "derive",
        "registration",
        row.id,
        organisation_id=row.organisation_id,
        before={name: before[name] for name in changed},
        after={name: getattr(row, name) for name in changed},
    )


def material_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The Dutch names of the notification-relevant fields that differ."""
    return [label for name, label in MATERIAL_CHANGE_FIELDS.items() if before[name] != after[name]]


def mark_renotification(
    uow: UnitOfWork, registration_id: str, organisation_id: str, changes: list[str]
) -> bool:
    """Mark the notification CIO Rijk has as out of date after a material change (S3.3)."""
    if not changes:
        return False
    session = uow.session
    with session.no_autoflush:
        latest = session.scalars(
            select(NotificationRow)
            .where(
                NotificationRow.registration_id == registration_id,
                NotificationRow.organisation_id == organisation_id,
                NotificationRow.state.in_(SUBMITTED_STATES),
            )
            .order_by(NotificationRow.id.desc())
            .limit(1)
        ).first()
    if latest is None or latest.renotification_needed:
        return False
    latest.renotification_needed = True
    latest.renotification_reason = "gewijzigd: " + ", ".join(changes)
    uow.audit(
        "renotification-needed",
        "notification",
        str(latest.id),
        organisation_id=organisation_id,
        after={"renotification_reason": latest.renotification_reason},
    )
    return True
