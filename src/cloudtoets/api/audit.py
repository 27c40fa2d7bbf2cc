"""The audit log for the auditor: filtered records, one page at a time, and the chain check.

Only a role with ``audit:read`` (the auditor) reads it; every other role gets 403. Records come
as ``cloudtoets audit export`` writes them, with ``seq``, ``prev_hash`` and ``hash``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from cloudtoets.api.encoding import JsonResponse
from cloudtoets.api.problems import ProblemRoute, invalid_query, problem_responses
from cloudtoets.api.schemas import IsoDate
from cloudtoets.domain.registration_query import LAST_PAGE
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.services import audit as service

router = APIRouter(
    prefix="/audit",
    tags=["auditlogboek"],
    route_class=ProblemRoute,
    default_response_class=JsonResponse,
)


class AuditRecordOut(BaseModel):
    """Eén record van het auditlogboek, zoals `cloudtoets audit export` het schrijft."""

    id: int
    seq: int = Field(description="Volgnummer in de hashketen: 1, 2, 3 … zonder gaten")
    at: dt.datetime = Field(description="Moment van de wijziging (UTC)")
    actor: str = Field(description="Wie de wijziging deed (gebruikersnaam, of cli:… )")
    organisation_id: str | None = Field(description="De organisatie; null: de installatie")
    request_id: str | None
    action: str = Field(description="Wat er gebeurde, zoals create, update, delete, revoke")
    object_type: str = Field(description="Soort object, zoals registration of user")
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    db_user: str | None = Field(description="De databasegebruiker die het record schreef")
    prev_hash: str = Field(description="Hash van het vorige record")
    hash: str = Field(description="sha256 over prev_hash en de andere velden")


class AuditPageOut(BaseModel):
    items: list[AuditRecordOut] = Field(description="Nieuwste eerst")
    total: int = Field(description="Aantal records dat aan de filters voldoet, in alles")
    page: int
    page_size: int


class AuditVerificationOut(BaseModel):
    intact: bool = Field(description="true: de hele hashketen klopt")
    count: int = Field(description="Aantal records dat klopt (bij een fout: tot die fout)")
    head_hash: str = Field(description="Hash van het laatste record dat klopt")
    problem: str | None = Field(description="Wat er mis is, in het Nederlands; null als intact")


@router.get(
    "",
    name="list_audit",
    summary="Het auditlogboek doorzoeken (alleen auditor)",
    description="Records van het auditlogboek, nieuwste eerst, met filters op organisatie, "
    "gebruiker, object en datum. Elke filter moet precies kloppen. Alleen de rol auditor mag "
    "dit lezen; andere rollen krijgen 403.",
    response_model=None,
    responses={200: {"model": AuditPageOut}, **problem_responses(401, 403, 422)},
)
def list_audit(
    register: RegisterDep,
    actor: ActorDep,
    organisation: Annotated[
        str | None, Query(max_length=100, description="Alleen records van deze organisatie")
    ] = None,
    user: Annotated[
        str | None,
        Query(max_length=200, description="Alleen records van deze gebruiker, zoals bewerker"),
    ] = None,
    object_type: Annotated[
        str | None,
        Query(max_length=40, description="Alleen deze soort object, zoals registration of user"),
    ] = None,
    object_id: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Alleen dit object: zijn kenmerk, zoals het kenmerk van een registratie",
        ),
    ] = None,
    from_day: Annotated[
        IsoDate | None,
        Query(alias="from", description="Vanaf deze dag JJJJ-MM-DD (in Nederland), inclusief"),
    ] = None,
    to_day: Annotated[
        IsoDate | None,
        Query(alias="to", description="Tot en met deze dag JJJJ-MM-DD (in Nederland)"),
    ] = None,
    page: Annotated[
        int, Query(ge=1, le=LAST_PAGE, description=f"Paginanummer, van 1 tot {LAST_PAGE}")
    ] = 1,
    page_size: Annotated[
        int,
        Query(
            ge=1,
            le=service.MAX_PAGE_SIZE,
            description=f"Records per pagina (standaard {service.PAGE_SIZE})",
        ),
    ] = service.PAGE_SIZE,
) -> Response:
    found = service.AuditFilter(organisation, user, object_type, object_id, from_day, to_day)
    problem = found.problem()
    if problem is not None:
        raise invalid_query("to", problem)
    result = service.search(register, actor, found, page, page_size)
    return JsonResponse(
        {
            "items": result.items,
            "total": result.total,
            "page": result.page,
            "page_size": result.page_size,
        }
    )


@router.get(
    "/verification",
    name="verify_audit",
    summary="Is de hashketen van het auditlogboek intact? (alleen auditor)",
    description="Loopt de hele keten na, zoals `cloudtoets audit verify`. Bij een fout staat "
    "in problem welk record niet klopt.",
    response_model=None,
    responses={200: {"model": AuditVerificationOut}, **problem_responses(401, 403)},
)
def verify_audit(register: RegisterDep, actor: ActorDep) -> Response:
    result = service.verify_for(register, actor)
    return JsonResponse(
        {
            "intact": result.ok,
            "count": result.count,
            "head_hash": result.head_hash,
            "problem": service.describe(result.broken) if result.broken else None,
        }
    )
