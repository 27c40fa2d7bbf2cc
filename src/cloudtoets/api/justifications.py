"""Justifications (comply or explain) per registration, and the deviations list for CIO Rijk."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.concurrency import run_in_threadpool

from cloudtoets.api.encoding import JsonResponse
from cloudtoets.api.problems import ProblemRoute, problem_responses
from cloudtoets.api.versions import ETAG, IfMatch, etag, expected_version
from cloudtoets.api.workflow_schemas import (
    AcceptanceIn,
    DeviationList,
    JustificationIn,
    JustificationList,
    JustificationOut,
    ObjectId,
    ReturnIn,
)
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.services import justifications as service
from cloudtoets.services.deviations import list_deviations

router = APIRouter(
    tags=["afwijkingen"], route_class=ProblemRoute, default_response_class=JsonResponse
)
BASE = "/registrations/{registration_id}/justifications"


def _one(justification: service.JustificationView, status: int = 200) -> JsonResponse:
    return JsonResponse(justification, status, headers={"ETag": etag(justification.version)})


@router.get(
    BASE,
    summary="De afwijkingen van een registratie (ook ingetrokken), oudste eerst",
    response_model=None,
    responses={200: {"model": JustificationList}, **problem_responses(404, 422)},
)
def list_justifications(registration_id: str, register: RegisterDep, actor: ActorDep) -> Response:
    items = service.list_justifications(register, actor, registration_id)
    return JsonResponse({"items": items})


@router.post(
    BASE,
    status_code=201,
    summary="Een afwijking voorstellen bij een afgeraden bevinding (bewerker)",
    description="Alleen voor een regel die vandaag een bevinding 'afgeraden' heeft. Voor e-mail "
    "en documenten (cb2026.4.5.email, cb2026.4.5.documents) ook de drie voorwaarden van het "
    "beleid. Eén actieve afwijking per regel: 409 als er al een is.",
    response_model=None,
    responses={
        201: {"model": JustificationOut, "headers": ETAG},
        **problem_responses(404, 409, 413, 422),
    },
)
def propose_justification(
    registration_id: str, body: JustificationIn, register: RegisterDep, actor: ActorDep
) -> Response:
    proposal = service.Proposal(
        rule=body.rule,
        reason=body.reason,
        continuity_risk_established=body.continuity_risk_established,
        risk_and_exit_tested=body.risk_and_exit_tested,
        minister_consent_on=body.minister_consent_on,
    )
    return _one(service.propose_justification(register, actor, registration_id, proposal), 201)


@router.post(
    BASE + "/{justification_id}/accept",
    summary="Een afwijking accepteren namens de verantwoordelijke (accordeerder, met If-Match)",
    description="Meldt de afwijking bij CIO Rijk: reported_on wordt de datum van acceptatie.",
    response_model=None,
    responses={
        200: {"model": JustificationOut, "headers": ETAG},
        **problem_responses(404, 409, 412, 413, 422, 428),
    },
)
def accept_justification(
    registration_id: str,
    justification_id: ObjectId,
    body: AcceptanceIn,
    register: RegisterDep,
    actor: ActorDep,
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(
        if_match,
        lambda: (
            service.get_justification(register, actor, registration_id, justification_id).version
        ),
    )
    acceptance = service.Acceptance(
        name=body.name, role=body.role, accepted_on=body.accepted_on or register.today()
    )
    accepted = service.accept_justification(
        register, actor, registration_id, justification_id, acceptance, version
    )
    return _one(accepted)


@router.post(
    BASE + "/{justification_id}/return",
    summary="Een voorstel terugsturen naar de bewerkers, met de reden (accordeerder, met If-Match)",
    description="Het voorstel wacht dan niet meer op acceptatie; de bewerker ziet de reden op "
    "het overzicht en kan een nieuw voorstel doen.",
    response_model=None,
    responses={
        200: {"model": JustificationOut, "headers": ETAG},
        **problem_responses(404, 409, 412, 413, 422, 428),
    },
)
def return_justification(
    registration_id: str,
    justification_id: ObjectId,
    body: ReturnIn,
    register: RegisterDep,
    actor: ActorDep,
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(
        if_match,
        lambda: (
            service.get_justification(register, actor, registration_id, justification_id).version
        ),
    )
    returned = service.return_justification(
        register, actor, registration_id, justification_id, body.reason, version
    )
    return _one(returned)


@router.post(
    BASE + "/{justification_id}/withdraw",
    summary="Een afwijking intrekken (bewerker, met If-Match)",
    response_model=None,
    responses={
        200: {"model": JustificationOut, "headers": ETAG},
        **problem_responses(404, 409, 412, 422, 428),
    },
)
def withdraw_justification(
    registration_id: str,
    justification_id: ObjectId,
    register: RegisterDep,
    actor: ActorDep,
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(
        if_match,
        lambda: (
            service.get_justification(register, actor, registration_id, justification_id).version
        ),
    )
    withdrawn = service.withdraw_justification(
        register, actor, registration_id, justification_id, version
    )
    return _one(withdrawn)


@router.get(
    "/deviations",
    summary="Geaccepteerde afwijkingen van alle organisaties die u mag zien (CIO Rijk)",
    description="Nieuwste melding eerst. Ook afwijkingen die met de registratie zelf zijn "
    "vastgelegd (recorded_with: registration).",
    response_model=None,
    responses={200: {"model": DeviationList}},
)
async def deviations(register: RegisterDep, actor: ActorDep) -> Response:
    items: list[Any] = await run_in_threadpool(list_deviations, register, actor)
    return JsonResponse({"items": items, "total": len(items)})
