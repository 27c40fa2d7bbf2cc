"""Declared evidence: risk assessments, exit plans and notifications from an imported file.

They wait for an approver of the organisation (``te bevestigen``) and count only once
confirmed, one by one or all listed in one request (services/declared_evidence.py). The person
who imported them cannot confirm them (403, four eyes).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from cloudtoets.api.encoding import JsonResponse
from cloudtoets.api.problems import ProblemRoute, problem_responses
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.services import declared_evidence
from cloudtoets.services.declared_evidence import DeclaredItem

router = APIRouter(
    prefix="/declared-evidence",
    tags=["ingevoerd bewijs"],
    route_class=ProblemRoute,
    default_response_class=JsonResponse,
)

Kind = Literal["risk-assessment", "exit-plan", "notification", "justification"]


class DeclaredOut(BaseModel):
    key: str = Field(description="Hoe u het bewijs noemt bij bevestigen: soort:nummer")
    kind: Kind = Field(description="Risicoanalyse, exitplan, melding aan CIO Rijk of afwijking")
    id: int
    registration_id: str
    registration_name: str
    organisation: str
    provenance: str = Field(
        description="Waar het vandaan komt: wie het invoerde, wanneer, en uit welk bestand"
    )
    declared_by: str
    confirmed: bool = Field(description="Bevestigd door een accordeerder: telt mee")
    what: str = Field(description="Wat het bestand zei, in het kort")


class DeclaredList(BaseModel):
    items: list[DeclaredOut]


class BulkConfirmIn(BaseModel):
    """Alle genoemde stukken bewijs in één keer bevestigen: allemaal, of (bij een fout) geen."""

    model_config = ConfigDict(extra="forbid")

    items: list[Annotated[str, Field(max_length=40)]] = Field(
        min_length=1,
        max_length=1000,
        description="De sleutels (soort:nummer) van wat u bevestigt, zoals de lijst ze noemt",
    )


def _view(item: DeclaredItem) -> dict[str, object]:
    return {
        "key": item.key,
        "kind": item.kind,
        "id": item.id,
        "registration_id": item.registration_id,
        "registration_name": item.registration_name,
        "organisation": item.organisation,
        "provenance": item.provenance,
        "declared_by": item.declared_by,
        "confirmed": item.confirmed,
        "what": item.what,
    }


@router.get(
    "",
    name="list_declared_evidence",
    summary="Ingevoerd bewijs dat wacht op bevestiging (te bevestigen)",
    description="Risicoanalyses, exitplannen, meldingen en afwijkingen uit een import, van de "
    "organisaties die u mag zien. Ze tellen pas mee als een accordeerder ze bevestigt.",
    response_model=None,
    responses={200: {"model": DeclaredList}, **problem_responses(404, 422)},
)
def list_declared_evidence(
    register: RegisterDep,
    actor: ActorDep,
    organisation: Annotated[
        str | None, Query(max_length=100, description="Alleen van deze organisatie")
    ] = None,
) -> Response:
    items = declared_evidence.waiting(register, actor, organisation)
    return JsonResponse({"items": [_view(i) for i in items]})


@router.post(
    "/{kind}/{item_id}/confirm",
    name="confirm_declared_evidence",
    summary="Eén stuk ingevoerd bewijs bevestigen",
    description="Alleen een accordeerder van de organisatie, en niet wie het invoerde (vier "
    "ogen). Daarna telt het mee, met dezelfde herzieningsdatums als bewijs uit cloudtoets.",
    response_model=None,
    responses={200: {"model": DeclaredOut}, **problem_responses(403, 404, 409, 422)},
)
def confirm_declared_evidence(
    kind: Kind,
    item_id: Annotated[int, Path(ge=1, le=2_147_483_647, description="Het nummer")],
    register: RegisterDep,
    actor: ActorDep,
) -> Response:
    item = declared_evidence.confirm_declared(register, actor, f"{kind}:{item_id}")
    return JsonResponse(_view(item))


@router.post(
    "/confirm",
    name="confirm_declared_evidence_in_bulk",
    summary="Ingevoerd bewijs in één keer bevestigen",
    description="Bevestigt alle genoemde stukken in één keer. Kan één ervan niet (al bevestigd, "
    "door u ingevoerd, niet van uw organisatie), dan wordt niets bevestigd.",
    response_model=None,
    responses={200: {"model": DeclaredList}, **problem_responses(403, 404, 409, 413, 422)},
)
def confirm_declared_evidence_in_bulk(
    body: BulkConfirmIn, register: RegisterDep, actor: ActorDep
) -> Response:
    items = declared_evidence.confirm_declared_in_bulk(register, actor, body.items)
    return JsonResponse({"items": [_view(i) for i in items]})
