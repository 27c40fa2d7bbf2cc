"""What a notification to CIO Rijk carries (S3.3): the registration, its decision, the accepted
risk assessment and the exit plan, as they are at the moment of submission.

The snapshot is plain JSON (dates as ISO text), so its hash (SHA-256 over the canonical JSON,
services/package_signing.py) can be checked by anyone who has it. What is missing is said in
``remarks`` rather than left out silently: CIO Rijk must see that a notification came without a
risk assessment.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cloudtoets.domain.serialise import decision_result, jsonable
from cloudtoets.services.context import Register
from cloudtoets.services.evaluation import RegisterEvaluator
from cloudtoets.services.package_signing import content_hash
from cloudtoets.services.workflow_projection import not_waiting
from cloudtoets.store.mapping import registration_from_row
from cloudtoets.store.tables import OrganisationRow, RegistrationRow
from cloudtoets.store.workflows import ExitPlanRow, RiskAssessmentRow

SNAPSHOT_FORMAT = 1


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _risk_assessment(row: RiskAssessmentRow) -> dict[str, Any]:
    return {
        "number": row.number,
        "assessed_on": _iso(row.assessed_on),
        "risks": jsonable(row.risks),
        "foreign_laws": jsonable(row.foreign_laws),
        "dpia_reference": row.dpia_reference,
        "dtia_reference": row.dtia_reference,
        "summary": row.summary,
        "accepted_by_name": row.accepted_by_name,
        "accepted_by_role": row.accepted_by_role,
        "accepted_on": _iso(row.accepted_on),
        "review_due": _iso(row.review_due),
    }


def _exit_plan(row: ExitPlanRow) -> dict[str, Any]:
    return {
        "planned": jsonable(row.planned),
        "emergency": jsonable(row.emergency),
        "data_return_format": row.data_return_format,
        "data_volume_gb": row.data_volume_gb,
        "bandwidth_mbps": row.bandwidth_mbps,
        "integrations": row.integrations,
        "data_destruction_method": row.data_destruction_method,
        "data_destruction_evidence": row.data_destruction_evidence,
        "last_tested": _iso(row.last_tested),
        "test_result": row.test_result,
        "test_notes": row.test_notes,
        "last_reviewed": _iso(row.last_reviewed),
    }


def build_snapshot(register: Register, session: Session, row: RegistrationRow) -> dict[str, Any]:
    """The snapshot of one registration as it is now (call after its fields are up to date)."""
    registration = registration_from_row(row)
    evaluator = RegisterEvaluator(session, register.policy, register.today())
    decision = evaluator.evaluate(registration)
    organisation = session.get(OrganisationRow, row.organisation_id)
    assessments = list(
        session.scalars(
            select(RiskAssessmentRow)
            .where(RiskAssessmentRow.registration_id == row.id)
            .order_by(RiskAssessmentRow.number)
        )
    )
    accepted = [a for a in assessments if a.state == "accepted"]
    plan = session.scalars(
        select(ExitPlanRow).where(ExitPlanRow.registration_id == row.id, not_waiting(ExitPlanRow))
    ).first()
    remarks: list[str] = []
    if not accepted:
        drafts = [a for a in assessments if a.state == "draft"]
        if drafts:
            remarks.append(
                f"Er is geen geaccepteerde risicoafweging. Versie {drafts[-1].number} is nog "
                "een concept."
            )
        elif registration.risk_assessment is not None and registration.risk_assessment.date:
            remarks.append(
                "Er is geen risicoafweging in het register. De registratie noemt een "
                f"risicoafweging van {registration.risk_assessment.date.isoformat()}, die "
                "buiten het register is vastgelegd."
            )
        else:
            remarks.append("Er is geen geaccepteerde risicoafweging.")
    if plan is None:
        if registration.exit_plan is not None:
            remarks.append(
                "Er is geen exitplan in het register. De registratie noemt een exitplan dat "
                "buiten het register is vastgelegd."
            )
        else:
            remarks.append("Er is geen exitplan.")
    return {
        "format": SNAPSHOT_FORMAT,
        "as_of": register.today().isoformat(),
        "policy": {"id": register.policy.id, "revision": register.policy.revision},
        "organisation": {
            "id": row.organisation_id,
            "name": organisation.name if organisation is not None else None,
            "type": organisation.type if organisation is not None else None,
        },
        "registration": jsonable(registration),
        "decision": jsonable(decision_result(decision)),
        "risk_assessment": _risk_assessment(accepted[-1]) if accepted else None,
        "exit_plan": _exit_plan(plan) if plan is not None else None,
        "remarks": remarks,
    }


def snapshot_hash(snapshot: dict[str, Any]) -> str:
    return content_hash(snapshot)
