"""Use cases on the integral risk assessment of a registration (S3.1, acceptance S3.3).

States: ``draft`` -> ``accepted`` -> ``superseded``. An editor writes drafts; an approver accepts
one on behalf of the responsible official, unless they wrote any of it (four eyes:
``drafted_by``), or sends it back with a reason, which the editor sees on the overview; the
draft stays a draft and the reason goes when it is changed. Changing an accepted assessment
makes a new draft version (number + 1); the accepted one stays valid until the new one is
accepted, and is then ``superseded``. Each use case is one transaction with its audit records,
and ends with ``sync_registration`` so the registration's ``risk_assessment`` field and verdict
follow.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloudtoets.domain.foreign_laws import Exposure, exposures, jurisdiction_suggestion
from cloudtoets.domain.risk_assessment import (
    AcceptanceIn,
    RiskAssessmentIn,
    acceptance_problems,
)
from cloudtoets.domain.serialise import jsonable
from cloudtoets.engine.messages import dutch_date
from cloudtoets.engine.transition import add_months
from cloudtoets.problems import Problem
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import InvalidTransition, NotFound, ObjectKind, VersionConflict
from cloudtoets.services.evaluation import RegisterEvaluator
from cloudtoets.services.permissions import Permission
from cloudtoets.services.registrations import registration_or_404
from cloudtoets.services.risk_exit_support import future_date, raise_problems, utc
from cloudtoets.services.uow import UnitOfWork, read_only, unit_of_work
from cloudtoets.services.workflow_projection import sync_registration
from cloudtoets.services.workflow_steps import (
    Returned,
    require_other_than_drafter,
    require_role,
    return_reason_problem,
    returned_of,
)
from cloudtoets.store.mapping import registration_from_row
from cloudtoets.store.tables import RegistrationRow
from cloudtoets.store.workflows import RiskAssessmentRow

KIND = ObjectKind.RISK_ASSESSMENT
RETURN_APPROVER_ONLY = "Alleen een accordeerder van de organisatie kan een concept terugsturen."


def drafters(row: RiskAssessmentRow) -> tuple[str, ...]:
    """The users who wrote this version; before migration 0013 only its creator is known."""
    return tuple(row.drafted_by or (row.created_by,))


@dataclass(frozen=True, slots=True)
class StoredAssessment:
    """One version of a risk assessment as stored; ``version`` guards against lost updates."""

    registration_id: str
    organisation: str
    number: int
    state: str
    assessed_on: dt.date
    summary: str
    dpia_reference: str
    dtia_reference: str
    risks: list[dict[str, Any]]
    foreign_laws: list[dict[str, Any]]
    accepted_by_name: str | None
    accepted_by_role: str | None
    accepted_on: dt.date | None
    accepted_by_user: str | None
    review_due: dt.date | None
    created_by: str
    drafted_by: tuple[str, ...]  # everyone who wrote this version while it was a draft
    returned: Returned | None  # sent back by an approver, not changed since
    provenance: str | None  # from an import: who, when, which file (declared evidence)
    declaration: str | None  # to_confirm|confirmed for declared evidence, else None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    def review_overdue(self, today: dt.date) -> bool:
        return self.state == "accepted" and self.review_due is not None and self.review_due < today


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """What the provider's chain means for the assessment: countries, laws, a first text."""

    countries: list[str]
    leaves_eea: bool  # storage, processing or the jurisdiction chain outside the EEA
    exposures: list[Exposure]
    suggestion: str


def _stored(row: RiskAssessmentRow) -> StoredAssessment:
    return StoredAssessment(
        registration_id=row.registration_id,
        organisation=row.organisation_id,
        number=row.number,
        state=row.state,
        assessed_on=row.assessed_on,
        summary=row.summary,
        dpia_reference=row.dpia_reference,
        dtia_reference=row.dtia_reference,
        risks=list(row.risks or []),
        foreign_laws=list(row.foreign_laws or []),
        accepted_by_name=row.accepted_by_name,
        accepted_by_role=row.accepted_by_role,
        accepted_on=row.accepted_on,
        accepted_by_user=row.accepted_by_user,
        review_due=row.review_due,
        created_by=row.created_by,
        drafted_by=drafters(row),
        returned=returned_of(row.returned_reason, row.returned_by, row.returned_on),
        provenance=row.provenance,
        declaration=row.declaration,
        version=row.version,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
    )


def _day(day: dt.date | None) -> str:
    return dutch_date(day) if day is not None else "een eerdere datum"


def _object_id(registration_id: str, number: int) -> str:
    return f"{registration_id}/{number}"


def _versions(session: Session, registration_id: str) -> list[RiskAssessmentRow]:
    """Every version, newest first."""
    statement = (
        select(RiskAssessmentRow)
        .where(RiskAssessmentRow.registration_id == registration_id)
        .order_by(RiskAssessmentRow.number.desc())
    )
    return list(session.scalars(statement))


def _version(session: Session, row: RegistrationRow, number: int) -> RiskAssessmentRow:
    found = session.scalars(
        select(RiskAssessmentRow).where(
            RiskAssessmentRow.registration_id == row.id,
            RiskAssessmentRow.organisation_id == row.organisation_id,
            RiskAssessmentRow.number == number,
        )
    ).first()
    if found is None:
        raise NotFound(KIND, _object_id(row.id, number))
    return found


def _jurisdiction(
    session: Session, register: Register, row: RegistrationRow, country_names: Mapping[str, str]
) -> Jurisdiction:
    registration = registration_from_row(row)
    evaluator = RegisterEvaluator(session, register.policy, register.today())
    with session.no_autoflush:
        decision = evaluator.evaluate(registration)
        directory = evaluator.context_for(registration.organisation).providers
    chain: list[tuple[str, str]] = []
    for provider_id in (registration.provider, *(registration.subprocessors or ())):
        if provider_id is None:
            continue
        try:
            chain += [
                (p.display_name, country)
                for p in directory.chain(provider_id)
                for country in p.countries
            ]
        except (KeyError, ValueError):  # unknown provider or a cycle: the engine reports it
            continue
    eea = register.policy.parameters.eea
    found = exposures(chain, eea)
    # the known countries: unknown storage or processing adds none (unknowns.md)
    countries = {
        *(registration.storage_countries or ()),
        *(registration.processing_countries or ()),
    }
    leaves = any(c not in eea for c in (*countries, *decision.jurisdictions))
    suggestion = jurisdiction_suggestion(found, dict(country_names))
    return Jurisdiction(list(decision.jurisdictions), leaves, found, suggestion)


def jurisdiction(
    register: Register,
    actor: Actor,
    registration_id: str,
    country_names: Mapping[str, str] | None = None,
) -> Jurisdiction:
    """The laws that can reach this registration's data, as the form and the API show them."""
    with read_only(register.sessions, actor) as session:
        row = registration_or_404(session, actor, registration_id)
        return _jurisdiction(session, register, row, country_names or {})


def list_assessments(
    register: Register, actor: Actor, registration_id: str
) -> list[StoredAssessment]:
    """Every version of the registration's risk assessment, newest first."""
    with read_only(register.sessions, actor) as session:
        row = registration_or_404(session, actor, registration_id)
        return [_stored(a) for a in _versions(session, row.id)]


def get_assessment(
    register: Register, actor: Actor, registration_id: str, number: int
) -> StoredAssessment:
    with read_only(register.sessions, actor) as session:
        row = registration_or_404(session, actor, registration_id)
        return _stored(_version(session, row, number))


def _checked(data: RiskAssessmentIn, today: dt.date) -> None:
    raise_problems(
        KIND,
        [future_date("assessed_on", "de datum van de analyse", data.assessed_on, today)],
    )


def _write(target: RiskAssessmentRow, data: RiskAssessmentIn, jurisdiction: Jurisdiction) -> None:
    target.assessed_on = data.assessed_on
    target.summary = data.summary
    target.dpia_reference = data.dpia_reference
    target.dtia_reference = data.dtia_reference
    target.risks = [risk.model_dump() for risk in data.risks]
    target.foreign_laws = [e.as_record() for e in jurisdiction.exposures]


def _audit_view(stored: StoredAssessment) -> dict[str, Any]:
    view: dict[str, Any] = jsonable(stored)
    for name in ("version", "created_at", "updated_at"):
        view.pop(name)
    return view


def _new_version(
    uow: UnitOfWork,
    register: Register,
    row: RegistrationRow,
    data: RiskAssessmentIn,
    number: int,
    action: str,
) -> StoredAssessment:
    session = uow.session
    created = RiskAssessmentRow(
        registration_id=row.id,
        organisation_id=row.organisation_id,
        number=number,
        state="draft",
        created_by=uow.actor.user,
        drafted_by=[uow.actor.user],
    )
    _write(created, data, _jurisdiction(session, register, row, {}))
    session.add(created)
    session.flush()
    stored = _stored(created)
    uow.audit(
        action,
        "risk_assessment",
        _object_id(row.id, number),
        organisation_id=row.organisation_id,
        after=_audit_view(stored),
    )
    sync_registration(uow, register, row.id)
    return stored


def create_assessment(
    register: Register, actor: Actor, registration_id: str, data: RiskAssessmentIn
) -> StoredAssessment:
    """A new draft: the first version, or the next after an accepted one."""
    with unit_of_work(register.sessions, actor) as uow:
        session = uow.session
        row = registration_or_404(session, actor, registration_id)
        actor.require(Permission.WRITE_REGISTER)
        _checked(data, register.today())
        versions = _versions(session, row.id)
        draft = next((a for a in versions if a.state == "draft"), None)
        if draft is not None:
            raise InvalidTransition(
                KIND,
                _object_id(row.id, draft.number),
                f"Er is al een concept van deze integrale risicoafweging (versie {draft.number}). "
                "Wijzig dat concept in plaats van een nieuw te maken.",
            )
        number = versions[0].number + 1 if versions else 1
        return _new_version(uow, register, row, data, number, "create")


@dataclass(frozen=True, slots=True)
class Saved:
    assessment: StoredAssessment
    new_version: bool  # an accepted version was changed: this is the next draft


def update_assessment(
    register: Register,
    actor: Actor,
    registration_id: str,
    number: int,
    data: RiskAssessmentIn,
    expected_version: int,
) -> Saved:
    """Change a draft in place; changing an accepted version makes the next draft version."""
    with unit_of_work(register.sessions, actor) as uow:
        session = uow.session
        row = registration_or_404(session, actor, registration_id)
        target = _version(session, row, number)
        actor.require(Permission.WRITE_REGISTER)
        before = _stored(target)
        if target.version != expected_version:
            raise VersionConflict(KIND, _object_id(row.id, number), target.version, before)
        _checked(data, register.today())
        object_id = _object_id(row.id, number)
        _refuse_declared(target, object_id)
        if target.state == "superseded":
            raise InvalidTransition(
                KIND,
                object_id,
                f"Versie {number} is vervangen door een nieuwere versie en kan niet meer "
                "veranderen. Wijzig de nieuwste versie.",
            )
        if target.state == "accepted":
            newest = _versions(session, row.id)[0]
            if newest.number != number:
                raise InvalidTransition(
                    KIND,
                    object_id,
                    f"Er is al een nieuwer concept (versie {newest.number}). Wijzig dat concept.",
                )
            created = _new_version(uow, register, row, data, number + 1, "new-version")
            return Saved(created, new_version=True)
        _write(target, data, _jurisdiction(session, register, row, {}))
        if uow.actor.user not in drafters(target):
            target.drafted_by = [*drafters(target), uow.actor.user]
        # the editor answered: the reason stays in the audit trail, not on the overview
        target.returned_reason = target.returned_by = target.returned_on = None
        session.flush()  # raises StaleDataError if a concurrent writer won
        after = _stored(target)
        uow.audit(
            "update",
            "risk_assessment",
            object_id,
            organisation_id=row.organisation_id,
            before=_audit_view(before),
            after=_audit_view(after),
        )
        sync_registration(uow, register, row.id)
        return Saved(after, new_version=False)


def _refuse_declared(target: RiskAssessmentRow, object_id: str) -> None:
    """A version taken over from an import waits for confirmation (services/declared_evidence.py):
    it is not changed or accepted here, so the four eyes of confirming cannot be bypassed."""
    if target.state == "declared":
        raise InvalidTransition(
            KIND,
            object_id,
            f"Versie {target.number} is ingevoerd bij een import en wacht op bevestiging door een "
            "accordeerder (pagina Te bevestigen). Wijzigen of accorderen kan pas daarna.",
        )


def accept_assessment(
    register: Register,
    actor: Actor,
    registration_id: str,
    number: int,
    acceptance: AcceptanceIn,
    expected_version: int,
) -> StoredAssessment:
    """Accept a draft on behalf of the responsible official; the version it replaces (if any)
    becomes ``superseded``, and the review is due after ``risk_review_months``."""
    with unit_of_work(register.sessions, actor) as uow:
        session = uow.session
        row = registration_or_404(session, actor, registration_id)
        target = _version(session, row, number)
        actor.require(Permission.APPROVE)
        before = _stored(target)
        object_id = _object_id(row.id, number)
        _refuse_declared(target, object_id)
        if target.state == "draft":
            require_other_than_drafter(actor, drafters(target), "deze integrale risicoafweging")
        if target.version != expected_version:
            raise VersionConflict(KIND, object_id, target.version, before)
        if target.state == "accepted":
            raise InvalidTransition(
                KIND,
                object_id,
                f"Versie {number} is al geaccordeerd op {_day(target.accepted_on)}. Een tweede "
                "accordering is niet nodig.",
            )
        if target.state == "superseded":
            raise InvalidTransition(
                KIND,
                object_id,
                f"Versie {number} is vervangen door een nieuwere versie en kan niet meer "
                "geaccordeerd worden.",
            )
        today = register.today()
        jurisdiction = _jurisdiction(session, register, row, {})
        problems: list[Problem | None] = [
            future_date("accepted_on", "de datum van de accordering", acceptance.accepted_on, today)
        ]
        if acceptance.accepted_on < target.assessed_on:
            problems.append(
                Problem(
                    "de datum van de accordering",
                    "de accordering kan niet eerder zijn dan de analyse "
                    f"({dutch_date(target.assessed_on)})",
                    None,
                    "accepted_on",
                )
            )
        problems += acceptance_problems(
            list(target.risks or []), target.dtia_reference, jurisdiction.leaves_eea
        )
        raise_problems(KIND, problems)
        for previous in _versions(session, row.id):
            if previous.state == "accepted":
                previous.state = "superseded"
                uow.audit(
                    "supersede",
                    "risk_assessment",
                    _object_id(row.id, previous.number),
                    organisation_id=row.organisation_id,
                    before={"state": "accepted"},
                    after={"state": "superseded", "by": number},
                )
        target.state = "accepted"
        target.accepted_by_name = acceptance.accepted_by_name
        target.accepted_by_role = acceptance.accepted_by_role
        target.accepted_on = acceptance.accepted_on
        target.accepted_by_user = actor.user
        target.review_due = add_months(acceptance.accepted_on, register.settings.risk_review_months)
        target.returned_reason = target.returned_by = target.returned_on = None
        session.flush()
        after = _stored(target)
        uow.audit(
            "accept",
            "risk_assessment",
            object_id,
            organisation_id=row.organisation_id,
            before=_audit_view(before),
            after=_audit_view(after),
        )
        sync_registration(uow, register, row.id)
        return after


def return_assessment(
    register: Register,
    actor: Actor,
    registration_id: str,
    number: int,
    reason: str,
    expected_version: int,
) -> StoredAssessment:
    """Send a draft back to the editors with a reason; it stays a draft (and does not count)."""
    with unit_of_work(register.sessions, actor) as uow:
        session = uow.session
        row = registration_or_404(session, actor, registration_id)
        target = _version(session, row, number)
        require_role(actor, Permission.APPROVE, RETURN_APPROVER_ONLY)
        before = _stored(target)
        object_id = _object_id(row.id, number)
        _refuse_declared(target, object_id)
        if target.version != expected_version:
            raise VersionConflict(KIND, object_id, target.version, before)
        if target.state != "draft":
            raise InvalidTransition(
                KIND,
                object_id,
                f"Versie {number} is geen concept; alleen een concept kan worden teruggestuurd.",
            )
        raise_problems(KIND, [return_reason_problem(reason)])
        target.returned_reason = reason.strip()
        target.returned_by = actor.user
        target.returned_on = register.today()
        session.flush()
        after = _stored(target)
        uow.audit(
            "return",
            "risk_assessment",
            object_id,
            organisation_id=row.organisation_id,
            before=_audit_view(before),
            after=_audit_view(after),
        )
        return after
