"""Registrations: list, read, create, replace, delete, decisions, history and evaluation.

Reads send ``ETag: "v{version}"``; writes need that version back in ``If-Match`` (428 without it,
412 with the current values when someone else changed the registration in between).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from cloudtoets.api.encoding import JsonResponse
from cloudtoets.api.problems import ProblemRoute, invalid_query, problem_responses
from cloudtoets.api.schemas import (
    AuditList,
    DecisionList,
    DecisionOut,
    IsoDate,
    RegistrationDetail,
    RegistrationIn,
    RegistrationPage,
)
from cloudtoets.api.versions import ETAG, IfMatch, etag, expected_version
from cloudtoets.domain.decision import Decision
from cloudtoets.domain.knowledge import QUESTIONS
from cloudtoets.domain.model import Registration
from cloudtoets.domain.registration_query import LAST_PAGE, UnknownFilterValue, parse_filters
from cloudtoets.domain.serialise import decision_result, jsonable
from cloudtoets.domain.vocabulary import Deployment, Verdict
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.problems import InputError, Problem
from cloudtoets.services import registrations as service
from cloudtoets.services.errors import NotFound, ObjectKind

router = APIRouter(
    prefix="/registrations",
    tags=["registraties"],
    route_class=ProblemRoute,
    default_response_class=JsonResponse,
)

Sort = Literal[
    "id",
    "-id",
    "name",
    "-name",
    "organisation",
    "-organisation",
    "verdict",
    "-verdict",
    "deadline",
    "-deadline",
    "provider",
    "-provider",
    "deployment",
    "-deployment",
    "findings",
    "-findings",
]


def decision_view(decision: Decision) -> dict[str, Any]:
    """A decision as in ``check --format json``, with its date and exact policy."""
    return {
        **decision_result(decision),
        "as_of": decision.as_of,
        "policy": {"id": decision.policy_id, "revision": decision.policy_revision},
    }


def detail_response(stored: service.StoredRegistration, status: int = 200) -> JsonResponse:
    body = {
        **jsonable(stored.registration),
        "version": stored.version,
        "decision": decision_view(stored.decision),
    }
    return JsonResponse(body, status, headers={"ETag": etag(stored.version)})


def _registration(body: RegistrationIn) -> Registration:
    registration = body.registration()
    if "/" in registration.id:
        raise InputError(
            "registratie",
            [Problem("veld id", "een kenmerk mag geen / bevatten", ("registrations", 0), "id")],
        )
    return registration


def _organisation_as_input_error(error: NotFound) -> InputError:
    """Writing for an organisation one may not see reads like writing for an unknown one."""
    return InputError(
        "registratie",
        [
            Problem(
                "veld organisation",
                f"onbekende organisatie '{error.object_id}'",
                ("registrations", 0),
                "organisation",
            )
        ],
    )


@router.get(
    "",
    name="list_registrations",
    summary="Registraties zoeken, filteren, sorteren en bladeren",
    response_model=None,
    responses={200: {"model": RegistrationPage}, **problem_responses(422)},
)
def list_registrations(
    register: RegisterDep,
    actor: ActorDep,
    verdict: Annotated[
        list[Verdict],
        Query(
            description="Alleen dit oordeel zoals getoond; incomplete: onvolledig (beste en "
            "slechtste oordeel verschillen). Herhaald: een van deze"
        ),
    ] = [],  # noqa: B006 - FastAPI copies the default; a list query parameter needs one
    worst: Annotated[
        list[Verdict],
        Query(
            description="Alleen dit slechtste oordeel, ook als het oordeel onvolledig is "
            "(incomplete is geen slechtste oordeel). Herhaald: een van deze"
        ),
    ] = [],  # noqa: B006
    unknown: Annotated[
        list[str],
        Query(
            description="Alleen registraties waarvan deze feiten allemaal onbekend zijn. "
            "Herhaal de parameter of scheid met komma's, zoals "
            "unknown=encrypted_at_rest,classification. Feiten: " + ", ".join(QUESTIONS)
        ),
    ] = [],  # noqa: B006
    deployment: Annotated[
        list[Deployment], Query(description="Alleen deze inzet. Herhaald: een van deze")
    ] = [],  # noqa: B006
    provider: Annotated[
        list[str],
        Query(
            description="Alleen deze leverancier met wie het contract is (kenmerk). "
            "Herhaald: een van deze"
        ),
    ] = [],  # noqa: B006
    parent: Annotated[
        list[str],
        Query(
            description="Alleen registraties die van deze leverancier afhangen, op elk niveau "
            "van de keten: de leverancier zelf, haar moederbedrijven, de subverwerkers en hun "
            "moederbedrijven (parent=microsoft: ook GitHub en elke dienst met Microsoft als "
            "subverwerker). Herhaald: een van deze"
        ),
    ] = [],  # noqa: B006
    ultimate_parent: Annotated[
        list[str],
        Query(
            description="Alleen registraties waarvan de leverancier dit moederbedrijf heeft "
            "(het laatste bedrijf in de eigendomsketen). Herhaald: een van deze"
        ),
    ] = [],  # noqa: B006
    public_cloud: Annotated[
        bool | None, Query(description="Alleen (niet) publieke cloud; onbekend telt niet mee")
    ] = None,
    external_cloud: Annotated[
        bool | None,
        Query(
            description="Alleen (niet) externe cloud: niet in eigen beheer van de overheid; "
            "onbekend inzetmodel telt niet mee"
        ),
    ] = None,
    jurisdiction: Annotated[
        list[str],
        Query(
            description="Alleen met dit land in de jurisdictieketen (ISO-code). "
            "Herhaald: een van deze"
        ),
    ] = [],  # noqa: B006
    material: Annotated[bool | None, Query(description="Alleen (niet) materieel")] = None,
    organisation: Annotated[
        list[str], Query(description="Alleen deze organisatie. Herhaald: een van deze")
    ] = [],  # noqa: B006
    q: Annotated[str | None, Query(description="Zoek in kenmerk en naam")] = None,
    sort: Annotated[Sort, Query(description="Sorteer op dit veld; met - ervoor: aflopend")] = "id",
    page: Annotated[
        int, Query(ge=1, le=LAST_PAGE, description=f"Paginanummer, van 1 tot {LAST_PAGE}")
    ] = 1,
    page_size: Annotated[
        int | None,
        Query(
            ge=1,
            le=500,
            description="Registraties per pagina (standaard de instelling page_size: 50)",
        ),
    ] = None,
) -> Response:
    try:
        filters = parse_filters(
            organisation=organisation,
            verdict=verdict,
            deployment=deployment,
            provider=provider,
            jurisdiction=jurisdiction,
            material=material,
            search=q,
            worst=worst,
            unknown=unknown,
            sort=sort,
            page=page,
            strict=True,
            parent=parent,
            ultimate_parent=ultimate_parent,
            public_cloud=public_cloud,
            external_cloud=external_cloud,
        )
    except UnknownFilterValue as error:
        raise invalid_query(error.name, error.message) from None
    size = page_size or register.settings.page_size
    result = service.list_registrations(register, actor, filters.query(size))
    # the services' summaries are dataclasses: orjson writes them as they are
    return JsonResponse(
        {"items": result.items, "total": result.total, "page": page, "page_size": size}
    )


@router.post(
    "",
    status_code=201,
    summary="Een registratie toevoegen (wordt meteen getoetst)",
    response_model=None,
    responses={
        201: {"model": RegistrationDetail, "headers": ETAG},
        **problem_responses(409, 413, 422),
    },
)
def create_registration(
    body: RegistrationIn, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    registration = _registration(body)
    try:
        stored = service.create_registration(register, actor, registration, refuse_evidence=True)
    except NotFound as error:
        raise _organisation_as_input_error(error) from None
    response = detail_response(stored, 201)
    collection = request.app.url_path_for("list_registrations")
    response.headers["Location"] = f"{collection}/{quote(stored.registration.id, safe='')}"
    return response


@router.get(
    "/{registration_id}",
    name="get_registration",
    summary="Eén registratie met alle velden, de versie en het oordeel van vandaag",
    response_model=None,
    responses={
        200: {"model": RegistrationDetail, "headers": ETAG},
        **problem_responses(404, 422),
    },
)
def get_registration(registration_id: str, register: RegisterDep, actor: ActorDep) -> Response:
    # the stored decision when it is today's (services/registrations.py), so a read does not
    # evaluate again; the same body as detail_response
    detail = service.registration_detail(register, actor, registration_id)
    body = {
        **jsonable(detail.registration),
        "version": detail.version,
        "decision": {
            **detail.result,
            "as_of": detail.as_of,
            "policy": {"id": detail.policy_id, "revision": detail.policy_revision},
        },
    }
    return JsonResponse(body, headers={"ETag": etag(detail.version)})


@router.put(
    "/{registration_id}",
    summary="Een registratie vervangen (met If-Match)",
    description="Stuur de hele registratie. De header If-Match moet de gelezen versie noemen "
    '(de ETag van GET, zoals `"v3"`): zonder If-Match 428, met een verouderde versie 412 met '
    "de huidige versie en waarden.",
    response_model=None,
    responses={
        200: {"model": RegistrationDetail, "headers": ETAG},
        **problem_responses(404, 412, 413, 422, 428),
    },
)
def replace_registration(
    registration_id: str,
    body: RegistrationIn,
    register: RegisterDep,
    actor: ActorDep,
    if_match: IfMatch = None,
) -> Response:
    version = expected_version(
        if_match, lambda: service.get_registration(register, actor, registration_id).version
    )
    registration = _registration(body)
    try:
        stored = service.update_registration(
            register, actor, registration_id, registration, version, refuse_evidence=True
        )
    except NotFound as error:
        if error.kind is ObjectKind.REGISTRATION:
            raise
        raise _organisation_as_input_error(error) from None
    return detail_response(stored)


@router.delete(
    "/{registration_id}",
    status_code=204,
    summary="Een registratie verwijderen (met If-Match)",
    response_model=None,
    responses=problem_responses(404, 412, 422, 428),
)
def delete_registration(
    registration_id: str, register: RegisterDep, actor: ActorDep, if_match: IfMatch = None
) -> Response:
    version = expected_version(
        if_match, lambda: service.get_registration(register, actor, registration_id).version
    )
    service.delete_registration(register, actor, registration_id, version)
    return Response(status_code=204)


@router.get(
    "/{registration_id}/decisions",
    summary="De oordelen van een registratie door de tijd, met invoer en beleidsversie",
    description="Nieuwste eerst (hoogstens 50). Met `input` reproduceert `cloudtoets check` "
    "elk oordeel.",
    response_model=None,
    responses={200: {"model": DecisionList}, **problem_responses(404, 422)},
)
def list_decisions(registration_id: str, register: RegisterDep, actor: ActorDep) -> Response:
    rows = service.decisions(register, actor, registration_id)
    items = [
        {
            "id": row.id,
            "as_of": row.as_of,
            "evaluated_at": row.evaluated_at,
            "policy": {"id": row.policy_id, "revision": row.policy_revision},
            "verdict": row.verdict,
            "deadline": row.deadline,
            "result": row.result,
            "input": row.input,
        }
        for row in rows
    ]
    return JsonResponse({"items": items})


@router.get(
    "/{registration_id}/history",
    summary="Wie wijzigde wat en wanneer (ook na verwijderen)",
    description="Nieuwste eerst, met de waarden voor en na elke wijziging; per pagina "
    f"(standaard {service.HISTORY_PAGE_SIZE}), `total` telt alle wijzigingen.",
    response_model=None,
    responses={200: {"model": AuditList}, **problem_responses(404, 422)},
)
def list_history(
    registration_id: str,
    register: RegisterDep,
    actor: ActorDep,
    page: Annotated[
        int, Query(ge=1, le=LAST_PAGE, description=f"Paginanummer, van 1 tot {LAST_PAGE}")
    ] = 1,
    page_size: Annotated[
        int,
        Query(
            ge=1,
            le=500,
            description=f"Wijzigingen per pagina (standaard {service.HISTORY_PAGE_SIZE})",
        ),
    ] = service.HISTORY_PAGE_SIZE,
) -> Response:
    found = service.history_page(register, actor, registration_id, page, page_size)
    rows = found.items
    items = [
        {
            "id": row.id,
            "at": row.at,
            "actor": row.actor,
            "action": row.action,
            "request_id": row.request_id,
            "before": row.before,
            "after": row.after,
        }
        for row in rows
    ]
    return JsonResponse(
        {"items": items, "total": found.total, "page": page, "page_size": page_size}
    )


@router.post(
    "/{registration_id}/evaluate",
    summary="Het oordeel op een andere peildatum (wordt niet opgeslagen)",
    response_model=None,
    responses={200: {"model": DecisionOut}, **problem_responses(404, 422)},
)
def evaluate_registration(
    registration_id: str,
    register: RegisterDep,
    actor: ActorDep,
    as_of: Annotated[
        IsoDate | None, Query(description="Peildatum JJJJ-MM-DD (standaard: vandaag)")
    ] = None,
) -> Response:
    decision = service.evaluate_as_of(register, actor, registration_id, as_of or register.today())
    return JsonResponse(decision_view(decision))
