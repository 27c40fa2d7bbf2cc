"""Use cases on the exit plan of a registration (S3.2): create, change, record a test, record the
yearly review.

One plan per registration; its history is the audit trail. ``review_due`` is computed: the last
review (or, before the first, the day the plan was made) plus the policy's
``exit_review_months``. Each use case
is one transaction with its audit record and ends with ``sync_registration``, so the
registration's ``exit_plan`` field and verdict follow the plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloudtoets.domain.clock import amsterdam_date
from cloudtoets.domain.exit_feasibility import Estimate, estimate, lead_time_warning
from cloudtoets.domain.exit_plan import ExitPlanIn, ExitReviewIn, ExitTestIn
from cloudtoets.domain.serialise import jsonable
from cloudtoets.engine.transition import add_months
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import (
    AlreadyExists,
    InvalidTransition,
    NotFound,
    ObjectKind,
    VersionConflict,
)
from cloudtoets.services.permissions import Permission
from cloudtoets.services.registrations import registration_or_404
from cloudtoets.services.risk_exit_support import future_date, raise_problems, utc
from cloudtoets.services.uow import UnitOfWork, read_only, unit_of_work
from cloudtoets.services.workflow_projection import sync_registration
from cloudtoets.store.tables import RegistrationRow
from cloudtoets.store.workflows import ExitPlanRow

KIND = ObjectKind.EXIT_PLAN
SCENARIO_NAMES = ("planned", "emergency")


@dataclass(frozen=True, slots=True)
class StoredExitPlan:
    """The exit plan as stored, with the feasibility estimate and the review date."""

    registration_id: str
    organisation: str
    planned: dict[str, Any] | None
    emergency: dict[str, Any] | None
    data_return_format: str
    data_volume_gb: float | None
    bandwidth_mbps: float | None
    integrations: int | None
    data_destruction_method: str
    data_destruction_evidence: str
    last_tested: dt.date | None
    test_result: str | None
    test_notes: str
    last_reviewed: dt.date | None
    review_due: dt.date
    created_by: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    # where an imported plan came from, and to_confirm|confirmed (services/declared_evidence.py)
    provenance: str = ""
    declaration: str | None = None

    @property
    def waiting_for_confirmation(self) -> bool:
        return self.declaration == "to_confirm"

    @property
    def estimate(self) -> Estimate | None:
        return estimate(self.data_volume_gb, self.bandwidth_mbps, self.integrations)

    def warning(self, scenario: str) -> str | None:
        """Dutch warning when this scenario's lead time is shorter than the estimate."""
        found = self.planned if scenario == "planned" else self.emergency
        return lead_time_warning((found or {}).get("lead_time_days"), self.estimate)

    def review_overdue(self, today: dt.date) -> bool:
        return self.review_due < today


def _stored(row: ExitPlanRow, review_months: int) -> StoredExitPlan:
    return StoredExitPlan(
        registration_id=row.registration_id,
        organisation=row.organisation_id,
        planned=dict(row.planned) if row.planned else None,
        emergency=dict(row.emergency) if row.emergency else None,
        data_return_format=row.data_return_format,
        data_volume_gb=row.data_volume_gb,
        bandwidth_mbps=row.bandwidth_mbps,
        integrations=row.integrations,
        data_destruction_method=row.data_destruction_method,
        data_destruction_evidence=row.data_destruction_evidence,
        last_tested=row.last_tested,
        test_result=row.test_result,
        test_notes=row.test_notes,
        last_reviewed=row.last_reviewed,
        review_due=add_months(row.last_reviewed or amsterdam_date(row.created_at), review_months),
        created_by=row.created_by,
        version=row.version,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
        provenance=row.provenance or "",
        declaration=row.declaration,
    )


def _audit_view(stored: StoredExitPlan) -> dict[str, Any]:
    view: dict[str, Any] = jsonable(stored)
    for name in ("version", "created_at", "updated_at", "review_due", "provenance", "declaration"):
        view.pop(name)
    return view


def _plan(session: Session, row: RegistrationRow) -> ExitPlanRow | None:
    return session.scalars(
        select(ExitPlanRow).where(
            ExitPlanRow.registration_id == row.id,
            ExitPlanRow.organisation_id == row.organisation_id,
        )
    ).first()


def _plan_or_404(session: Session, row: RegistrationRow) -> ExitPlanRow:
    plan = _plan(session, row)
    if plan is None:
        raise NotFound(KIND, row.id)
    return plan


def find_exit_plan(register: Register, actor: Actor, registration_id: str) -> StoredExitPlan | None:
    """The plan, or None when the registration has none yet (404 for the registration)."""
    with read_only(register.sessions, actor) as session:
        row = registration_or_404(session, actor, registration_id)
        plan = _plan(session, row)
        months = register.policy.parameters.exit_review_months
        return _stored(plan, months) if plan is not None else None


def get_exit_plan(register: Register, actor: Actor, registration_id: str) -> StoredExitPlan:
    found = find_exit_plan(register, actor, registration_id)
    if found is None:
        raise NotFound(KIND, registration_id)
    return found


def _write(plan: ExitPlanRow, data: ExitPlanIn) -> None:
    for name in SCENARIO_NAMES:
        scenario = getattr(data, name)
        if scenario is not None:
            values = scenario.model_dump()
            for key in ("preconditions", "alternatives"):
                values[key] = [item for item in values[key] if item]
            scenario = values
        setattr(plan, name, scenario)
    plan.data_return_format = data.data_return_format
    plan.data_volume_gb = data.data_volume_gb
    plan.bandwidth_mbps = data.bandwidth_mbps
    plan.integrations = data.integrations
    plan.data_destruction_method = data.data_destruction_method
    plan.data_destruction_evidence = data.data_destruction_evidence


def _changed(
    uow: UnitOfWork,
    register: Register,
    row: RegistrationRow,
    plan: ExitPlanRow,
    action: str,
    before: StoredExitPlan | None,
) -> StoredExitPlan:
    uow.session.flush()  # raises StaleDataError if a concurrent writer won
    after = _stored(plan, register.policy.parameters.exit_review_months)
    uow.audit(
        action,
        "exit_plan",
        row.id,
        organisation_id=row.organisation_id,
        before=_audit_view(before) if before is not None else None,
        after=_audit_view(after),
    )
    sync_registration(uow, register, row.id)
    return after


def create_exit_plan(
    register: Register, actor: Actor, registration_id: str, data: ExitPlanIn
) -> StoredExitPlan:
    with unit_of_work(register.sessions, actor) as uow:
        session = uow.session
        row = registration_or_404(session, actor, registration_id)
        actor.require(Permission.WRITE_REGISTER)
        if _plan(session, row) is not None:
            raise AlreadyExists(KIND, registration_id)
        plan = ExitPlanRow(
            registration_id=row.id, organisation_id=row.organisation_id, created_by=actor.user
        )
        _write(plan, data)
        session.add(plan)
        return _changed(uow, register, row, plan, "create", None)


def _for_change(
    uow: UnitOfWork, register: Register, actor: Actor, registration_id: str, expected_version: int
) -> tuple[RegistrationRow, ExitPlanRow, StoredExitPlan]:
    row = registration_or_404(uow.session, actor, registration_id)
    plan = _plan_or_404(uow.session, row)
    actor.require(Permission.WRITE_REGISTER)
    before = _stored(plan, register.policy.parameters.exit_review_months)
    if plan.version != expected_version:
        raise VersionConflict(KIND, registration_id, plan.version, before)
    if before.waiting_for_confirmation:
        # the four eyes of confirming cannot be bypassed by changing the plan first
        raise InvalidTransition(
            KIND,
            registration_id,
            "Dit exitplan is ingevoerd bij een import en wacht op bevestiging door een "
            "accordeerder (pagina Te bevestigen). Wijzigen, een test of een beoordeling "
            "vastleggen kan pas daarna.",
        )
    return row, plan, before


def update_exit_plan(
    register: Register,
    actor: Actor,
    registration_id: str,
    data: ExitPlanIn,
    expected_version: int,
) -> StoredExitPlan:
    """Replace the plan's content; tests and reviews stay as recorded."""
    with unit_of_work(register.sessions, actor) as uow:
        row, plan, before = _for_change(uow, register, actor, registration_id, expected_version)
        _write(plan, data)
        return _changed(uow, register, row, plan, "update", before)


def record_test(
    register: Register,
    actor: Actor,
    registration_id: str,
    test: ExitTestIn,
    expected_version: int,
) -> StoredExitPlan:
    """Record the latest exit test; only a passed test counts for the policy (S3.2)."""
    with unit_of_work(register.sessions, actor) as uow:
        row, plan, before = _for_change(uow, register, actor, registration_id, expected_version)
        raise_problems(
            KIND,
            [future_date("tested_on", "de datum van de test", test.tested_on, register.today())],
        )
        plan.last_tested = test.tested_on
        plan.test_result = test.result
        plan.test_notes = test.notes
        return _changed(uow, register, row, plan, "test", before)


def record_review(
    register: Register,
    actor: Actor,
    registration_id: str,
    review: ExitReviewIn,
    expected_version: int,
) -> StoredExitPlan:
    """Record the review; the next one is due the policy's ``exit_review_months`` later."""
    with unit_of_work(register.sessions, actor) as uow:
        row, plan, before = _for_change(uow, register, actor, registration_id, expected_version)
        raise_problems(
            KIND,
            [
                future_date(
                    "reviewed_on",
                    "de datum van de beoordeling",
                    review.reviewed_on,
                    register.today(),
                )
            ],
        )
        plan.last_reviewed = review.reviewed_on
        return _changed(uow, register, row, plan, "review", before)
