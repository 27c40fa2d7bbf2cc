"""Risk assessments (S3.1) and exit plans (S3.2) of a registration.

Like registrations: reads send ``ETag: "v{version}"`` of the object, writes need it back in
``If-Match`` (428 without, 412 with the current values when it changed). A step the object's
state does not allow (accepting twice, changing a replaced version) is a 409
``ongeldige-toestand``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, Field

from cloudtoets.api.encoding import JsonResponse
from cloudtoets.api.problems import ProblemRoute, problem_responses
from cloudtoets.api.versions import ETAG, IfMatch, etag, expected_version
from cloudtoets.api.workflow_schemas import ReturnedOut, ReturnIn
from cloudtoets.domain.exit_feasibility import ASSUMPTIONS
from cloudtoets.domain.exit_plan import ExitPlanIn, ExitReviewIn, ExitTestIn
from cloudtoets.domain.risk_assessment import (
    AcceptanceIn,
    ResidualRisk,
    RiskAssessmentIn,
    ThemeKey,
    score,
)
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.presentation.texts import COUNTRIES
from cloudtoets.services import exit_plans, risk_assessments
from cloudtoets.services.exit_plans import StoredExitPlan
from cloudtoets.services.risk_assessments import StoredAssessment

router = APIRouter(
    prefix="/registrations/{registration_id}",
    tags=["registraties"],
    route_class=ProblemRoute,
    default_response_class=JsonResponse,
)

Number = Annotated[int, Path(ge=1, le=1_000_000, description="Het versienummer (vanaf 1)")]

# --- response shapes (documentation; the routes answer with plain data) ------------------------


class RiskOut(BaseModel):
    theme: ThemeKey
    description: str
    likelihood: int | None
    impact: int | None
    measures: str
    residual_risk: ResidualRisk | None
    score: int | None = Field(description="Kans maal impact (1 tot 25)")


class ForeignLawOut(BaseModel):
    country: str
    via: list[str] = Field(description="De bedrijven in de keten uit dat land")
    law: str | None = Field(
        description="Sleutel van de wet; null: land buiten de EER zonder wet in de lijst"
    )
    title: str
    citation: str
    summary: str
    source_url: str = Field(description="Waar de wet te lezen is")


class RiskAssessmentOut(BaseModel):
    registration: str
    organisation: str
    number: int
    state: Literal["draft", "declared", "accepted", "superseded"]
    assessed_on: dt.date
    summary: str
    dpia_reference: str
    dtia_reference: str
    risks: list[RiskOut]
    foreign_laws: list[ForeignLawOut] = Field(description="Zoals bepaald bij het opslaan")
    accepted_by_name: str | None
    accepted_by_role: str | None
    accepted_on: dt.date | None
    accepted_by_user: str | None
    review_due: dt.date | None = Field(description="Accordering plus de herzieningstermijn")
    review_overdue: bool
    created_by: str
    drafted_by: list[str] = Field(
        description="Iedereen die deze versie als concept schreef; geen van hen accordeert haar"
    )
    returned: ReturnedOut | None = Field(description="Teruggestuurd: waarom, door wie, wanneer")
    provenance: str | None = Field(
        description="Bewijs uit een import: wie het invoerde, wanneer, uit welk bestand"
    )
    declaration: Literal["to_confirm", "confirmed"] | None = Field(
        description="Bewijs uit een import: wacht op bevestiging, of bevestigd"
    )
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class RiskAssessmentList(BaseModel):
    items: list[RiskAssessmentOut] = Field(description="Alle versies, nieuwste eerst")
    jurisdictions: list[str] = Field(description="De jurisdictieketen van nu")
    leaves_eea: bool = Field(
        description="Opslag, verwerking of keten buiten de EER: accorderen vraagt een DTIA"
    )
    foreign_laws: list[ForeignLawOut] = Field(description="Wetten die nu bij de gegevens kunnen")
    suggested_jurisdiction_description: str


class ScenarioOut(BaseModel):
    trigger: str
    steps: str
    lead_time_days: int | None
    preconditions: list[str]
    alternatives: list[str]
    responsible_role: str
    warning: str | None = Field(description="Als de doorlooptijd korter is dan de schatting")


class EstimateOut(BaseModel):
    egress_days: int
    integration_days: int
    total_days: int
    assumptions: str


class ExitPlanOut(BaseModel):
    registration: str
    organisation: str
    planned: ScenarioOut | None
    emergency: ScenarioOut | None
    data_return_format: str
    data_volume_gb: float | None
    bandwidth_mbps: float | None
    integrations: int | None
    data_destruction_method: str
    data_destruction_evidence: str
    last_tested: dt.date | None
    test_result: Literal["passed", "partial", "failed"] | None
    test_notes: str
    last_reviewed: dt.date | None
    review_due: dt.date = Field(
        description="Laatste beoordeling (of het maken) plus exit_review_months van het beleid"
    )
    review_overdue: bool
    estimate: EstimateOut | None = Field(description="Kortst mogelijke duur van een exit")
    created_by: str
    provenance: str | None = Field(
        description="Bewijs uit een import: wie het invoerde, wanneer, uit welk bestand"
    )
    declaration: Literal["to_confirm", "confirmed"] | None = Field(
        description="Bewijs uit een import: wacht op bevestiging (wijzigen kan dan nog niet), "
        "of bevestigd"
    )
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


# --- views -----------------------------------------------------------------------------------


def _assessment_view(found: StoredAssessment, today: dt.date) -> dict[str, Any]:
    return {
        "registration": found.registration_id,
        "organisation": found.organisation,
        "number": found.number,
        "state": found.state,
        "assessed_on": found.assessed_on,
        "summary": found.summary,
        "dpia_reference": found.dpia_reference,
        "dtia_reference": found.dtia_reference,
        "risks": [{**risk, "score": score(risk)} for risk in found.risks],
        "foreign_laws": found.foreign_laws,
        "accepted_by_name": found.accepted_by_name,
        "accepted_by_role": found.accepted_by_role,
        "accepted_on": found.accepted_on,
        "accepted_by_user": found.accepted_by_user,
        "review_due": found.review_due,
        "review_overdue": found.review_overdue(today),
        "created_by": found.created_by,
        "drafted_by": list(found.drafted_by),
        "returned": found.returned,
        "provenance": found.provenance,
        "declaration": found.declaration,
        "version": found.version,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
    }


def _assessment_response(
    found: StoredAssessment, today: dt.date, status: int = 200
) -> JsonResponse:
    return JsonResponse(
        _assessment_view(found, today), status, headers={"ETag": etag(found.version)}
    )


def _plan_view(plan: StoredExitPlan, today: dt.date) -> dict[str, Any]:
    estimate = plan.estimate
    scenarios = {
        name: {**scenario, "warning": plan.warning(name)} if scenario else None
        for name, scenario in (("planned", plan.planned), ("emergency", plan.emergency))
    }
    return {
        "registration": plan.registration_id,
        "organisation": plan.organisation,
        **scenarios,
        "data_return_format": plan.data_return_format,
        "data_volume_gb": plan.data_volume_gb,
        "bandwidth_mbps": plan.bandwidth_mbps,
        "integrations": plan.integrations,
        "data_destruction_method": plan.data_destruction_method,
        "data_destruction_evidence": plan.data_destruction_evidence,
        "last_tested": plan.last_tested,
        "test_result": plan.test_result,
        "test_notes": plan.test_notes,
        "last_reviewed": plan.last_reviewed,
        "review_due": plan.review_due,
        "review_overdue": plan.review_overdue(today),
        "estimate": {
            "egress_days": estimate.egress_days,
            "integration_days": estimate.integration_days,
            "total_days": estimate.total_days,
            "assumptions": ASSUMPTIONS,
        }
        if estimate
        else None,
        "created_by": plan.created_by,
        "provenance": plan.provenance or None,
        "declaration": plan.declaration,
        "version": plan.version,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
    }


def _plan_response(plan: StoredExitPlan, today: dt.date, status: int = 200) -> JsonResponse:
    return JsonResponse(_plan_view(plan, today), status, headers={"ETag": etag(plan.version)})


# --- risk assessments ------------------------------------------------------------------------

ASSESSMENT: dict[int | str, dict[str, Any]] = {200: {"model": RiskAssessmentOut, "headers": ETAG}}


@router.get(
    "/risk-assessments",
    name="list_risk_assessments",
    summary="Alle versies van de risicoanalyse, met de wetten die via de keten gelden",
    response_model=None,
    responses={200: {"model": RiskAssessmentList}, **problem_responses(404, 422)},
)
def list_risk_assessments(registration_id: str, register: RegisterDep, actor: ActorDep) -> Response:
    versions = risk_assessments.list_assessments(register, actor, registration_id)
    seen = risk_assessments.jurisdiction(register, actor, registration_id, COUNTRIES)
    today = register.today()
    return JsonResponse(
        {
            "items": [_assessment_view(v, today) for v in versions],
            "jurisdictions": seen.countries,
            "leaves_eea": seen.leaves_eea,
            "foreign_laws": [e.as_record() for e in seen.exposures],
            "suggested_jurisdiction_description": seen.suggestion,
        }
    )


@router.post(
    "/risk-assessments",
    status_code=201,
    summary="Een nieuw concept van de risicoanalyse (de eerste versie, of de volgende)",
    description="Kan niet zolang er al een concept is: wijzig dat met PUT.",
    response_model=None,
    responses={
        201: {"model": RiskAssessmentOut, "headers": ETAG},
        **problem_responses(404, 409, 413, 422),
    },
)
def create_risk_assessment(
    registration_id: str,
    body: RiskAssessmentIn,
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
) -> Response:
    created = risk_assessments.create_assessment(register, actor, registration_id, body)
    response = _assessment_response(created, register.today(), 201)
    response.headers["Location"] = _assessment_url(request, registration_id, created.number)
    return response


def _assessment_url(request: Request, registration_id: str, number: int) -> str:
    return request.app.url_path_for(  # type: ignore[no-any-return]
        "get_risk_assessment",
        registration_id=quote(registration_id, safe=""),
        number=str(number),
    )


@router.get(
    "/risk-assessments/{number}",
    name="get_risk_assessment",
    summary="Eén versie van de risicoanalyse",
    response_model=None,
    responses={**ASSESSMENT, **problem_responses(404, 422)},
)
def get_risk_assessment(
    registration_id: str, number: Number, register: RegisterDep, actor: ActorDep
) -> Response:
    found = risk_assessments.get_assessment(register, actor, registration_id, number)
    return _assessment_response(found, register.today())


@router.put(
    "/risk-assessments/{number}",
    summary="Een versie wijzigen (met If-Match)",
    description="Een concept verandert zelf (200). Een geaccordeerde versie blijft gelden: de "
    "wijziging wordt de volgende versie, een nieuw concept (201 met Location). Een vervangen "
    "versie kan niet meer veranderen (409).",
    response_model=None,
    responses={
        **ASSESSMENT,
        201: {"model": RiskAssessmentOut, "headers": ETAG},
        **problem_responses(404, 409, 412, 413, 422, 428),
    },
)
def replace_risk_assessment(
    registration_id: str,
    number: Number,
    body: RiskAssessmentIn,
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(
        if_match,
        lambda: risk_assessments.get_assessment(register, actor, registration_id, number).version,
    )
    saved = risk_assessments.update_assessment(
        register, actor, registration_id, number, body, version
    )
    if not saved.new_version:
        return _assessment_response(saved.assessment, register.today())
    response = _assessment_response(saved.assessment, register.today(), 201)
    response.headers["Location"] = _assessment_url(
        request, registration_id, saved.assessment.number
    )
    return response


@router.post(
    "/risk-assessments/{number}/accept",
    summary="Een concept accorderen namens de verantwoordelijke (met If-Match; rol accordeerder)",
    description="Vraagt een beschreven risico voor leveranciersafhankelijkheid en buitenlandse "
    "jurisdictie, en een DTIA als gegevens de EER verlaten (422). De vorige geaccordeerde versie "
    "wordt vervangen.",
    response_model=None,
    responses={**ASSESSMENT, **problem_responses(404, 409, 412, 413, 422, 428)},
)
def accept_risk_assessment(
    registration_id: str,
    number: Number,
    body: AcceptanceIn,
    register: RegisterDep,
    actor: ActorDep,
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(
        if_match,
        lambda: risk_assessments.get_assessment(register, actor, registration_id, number).version,
    )
    accepted = risk_assessments.accept_assessment(
        register, actor, registration_id, number, body, version
    )
    return _assessment_response(accepted, register.today())


@router.post(
    "/risk-assessments/{number}/return",
    summary="Een concept terugsturen naar de bewerkers, met de reden (met If-Match; accordeerder)",
    description="Het concept blijft een concept en telt niet. De bewerker ziet de reden op het "
    "overzicht; wijzigt iemand het concept, dan vervalt de reden (het auditlog houdt haar).",
    response_model=None,
    responses={**ASSESSMENT, **problem_responses(404, 409, 412, 413, 422, 428)},
)
def return_risk_assessment(
    registration_id: str,
    number: Number,
    body: ReturnIn,
    register: RegisterDep,
    actor: ActorDep,
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(
        if_match,
        lambda: risk_assessments.get_assessment(register, actor, registration_id, number).version,
    )
    returned = risk_assessments.return_assessment(
        register, actor, registration_id, number, body.reason, version
    )
    return _assessment_response(returned, register.today())


# --- exit plan ---------------------------------------------------------------------------------

PLAN: dict[int | str, dict[str, Any]] = {200: {"model": ExitPlanOut, "headers": ETAG}}


@router.get(
    "/exit-plan",
    summary="Het exitplan, met de schatting van de doorlooptijd",
    response_model=None,
    responses={**PLAN, **problem_responses(404, 422)},
)
def get_exit_plan(registration_id: str, register: RegisterDep, actor: ActorDep) -> Response:
    plan = exit_plans.get_exit_plan(register, actor, registration_id)
    return _plan_response(plan, register.today())


@router.put(
    "/exit-plan",
    summary="Het exitplan maken (201) of vervangen (200, met If-Match)",
    description="Zonder exitplan maakt PUT het aan; daarna vraagt vervangen If-Match. De "
    "vastgelegde test en beoordeling blijven staan.",
    response_model=None,
    responses={
        **PLAN,
        201: {"model": ExitPlanOut, "headers": ETAG},
        **problem_responses(404, 409, 412, 413, 422, 428),
    },
)
def put_exit_plan(
    registration_id: str,
    body: ExitPlanIn,
    register: RegisterDep,
    actor: ActorDep,
    if_match: IfMatch = None,
) -> Response:
    today = register.today()
    if exit_plans.find_exit_plan(register, actor, registration_id) is None and not if_match:
        created = exit_plans.create_exit_plan(register, actor, registration_id, body)
        return _plan_response(created, today, 201)
    version = expected_version(
        if_match, lambda: exit_plans.get_exit_plan(register, actor, registration_id).version
    )
    plan = exit_plans.update_exit_plan(register, actor, registration_id, body, version)
    return _plan_response(plan, today)


@router.post(
    "/exit-plan/test",
    summary="Een test van het exitplan vastleggen (met If-Match)",
    description="Alleen een geslaagde test (passed) telt voor het beleid.",
    response_model=None,
    responses={**PLAN, **problem_responses(404, 412, 413, 422, 428)},
)
def record_exit_test(
    registration_id: str,
    body: ExitTestIn,
    register: RegisterDep,
    actor: ActorDep,
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(
        if_match, lambda: exit_plans.get_exit_plan(register, actor, registration_id).version
    )
    plan = exit_plans.record_test(register, actor, registration_id, body, version)
    return _plan_response(plan, register.today())


@router.post(
    "/exit-plan/review",
    summary="De jaarlijkse beoordeling van het exitplan vastleggen (met If-Match)",
    response_model=None,
    responses={**PLAN, **problem_responses(404, 412, 413, 422, 428)},
)
def record_exit_review(
    registration_id: str,
    body: ExitReviewIn,
    register: RegisterDep,
    actor: ActorDep,
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(
        if_match, lambda: exit_plans.get_exit_plan(register, actor, registration_id).version
    )
    plan = exit_plans.record_review(register, actor, registration_id, body, version)
    return _plan_response(plan, register.today())
