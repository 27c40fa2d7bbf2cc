"""What the route walk needs for the risk assessment and exit plan routes: the objects they act
on, and request bodies each route accepts.

``prepare`` gives both walked registrations an accepted risk assessment (version 1) and an exit
plan before the walk starts, so every reader finds them. A build for the one caller allowed to
change (the editor, or for acceptance the approver) may first bring the object into the state the
step needs; that change is the caller's allowed change, so the walk's snapshot check still holds
for everyone else, whose builds change nothing.
"""

from __future__ import annotations

from typing import Any

from cloudtoets.domain.exit_plan import ExitPlanIn
from cloudtoets.domain.risk_assessment import THEMES, AcceptanceIn, RiskAssessmentIn
from cloudtoets.services import exit_plans, risk_assessments
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register

OPERATOR = Actor.local("security-test")
# four eyes: someone other than the one who drafted accepts
ACCEPTOR = Actor.local("security-test-accordeerder")

ASSESSMENT: dict[str, Any] = {
    "assessed_on": "2026-11-01",
    "dpia_reference": "DPIA-1",
    "dtia_reference": "DTIA-1",
    "risks": [{"theme": t.key, "description": f"Risico: {t.label}."} for t in THEMES],
}
ACCEPTANCE: dict[str, Any] = {
    "accepted_by_name": "De verantwoordelijke",
    "accepted_by_role": "secretaris-generaal",
    "accepted_on": "2026-11-28",
}
SCENARIO = {"lead_time_days": 90, "preconditions": ["Export in een open formaat"]}
PLAN: dict[str, Any] = {
    "planned": SCENARIO,
    "emergency": SCENARIO,
    "data_return_format": "CSV",
    "data_destruction_method": "Crypto-shredding",
    "data_destruction_evidence": "Verklaring",
}
TEST = {"tested_on": "2026-11-28", "result": "passed", "notes": ""}
REVIEW = {"reviewed_on": "2026-11-28"}


def prepare(register: Register, registration_ids: list[str]) -> None:
    for registration_id in registration_ids:
        draft = risk_assessments.create_assessment(
            register, OPERATOR, registration_id, RiskAssessmentIn.model_validate(ASSESSMENT)
        )
        risk_assessments.accept_assessment(
            register,
            ACCEPTOR,
            registration_id,
            draft.number,
            AcceptanceIn.model_validate(ACCEPTANCE),
            draft.version,
        )
        exit_plans.create_exit_plan(
            register, OPERATOR, registration_id, ExitPlanIn.model_validate(PLAN)
        )


def newest(register: Register, registration_id: str) -> risk_assessments.StoredAssessment:
    return risk_assessments.list_assessments(register, OPERATOR, registration_id)[0]


def without_draft(register: Register, registration_id: str) -> None:
    """Accept the open draft, so that a new one can be made."""
    found = newest(register, registration_id)
    if found.state == "draft":
        risk_assessments.accept_assessment(
            register,
            ACCEPTOR,
            registration_id,
            found.number,
            AcceptanceIn.model_validate(ACCEPTANCE),
            found.version,
        )


def with_draft(register: Register, registration_id: str) -> risk_assessments.StoredAssessment:
    """The open draft, made when there is none."""
    found = newest(register, registration_id)
    if found.state == "draft":
        return found
    return risk_assessments.create_assessment(
        register, OPERATOR, registration_id, RiskAssessmentIn.model_validate(ASSESSMENT)
    )


def plan_version(register: Register, registration_id: str) -> int:
    return exit_plans.get_exit_plan(register, OPERATOR, registration_id).version


def web_assessment_form(register: Register, registration_id: str) -> dict[str, str]:
    """The form of /risicoanalyse/bewerken as the page fills it in for the current state."""
    found = newest(register, registration_id)
    target = found if found.state in ("draft", "accepted") else None
    data = {
        "nummer": str(target.number) if target else "",
        "versie": str(target.version) if target else "",
        "assessed_on": "2026-11-01",
        "dtia_reference": "DTIA-1",
        "risico-aantal": str(len(THEMES)),
    }
    for index, theme in enumerate(THEMES):
        data[f"risico-{index}-theme"] = theme.key
        data[f"risico-{index}-description"] = f"Risico: {theme.label}."
    return data


def web_plan_form() -> dict[str, str]:
    return {
        "planned-lead_time_days": "90",
        "planned-preconditions": "Export in een open formaat",
        "emergency-lead_time_days": "10",
        "emergency-preconditions": "Noodprocedure",
        "data_return_format": "CSV",
    }
