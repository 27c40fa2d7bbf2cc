"""Notifications to CIO Rijk: the inbox, each step with If-Match, and signed packages."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from cloudtoets.api.encoding import JsonResponse
from cloudtoets.api.problems import ApiProblem, BodyTooLarge, ProblemRoute, problem_responses
from cloudtoets.api.versions import ETAG, IfMatch, etag, expected_version
from cloudtoets.api.workflow_schemas import (
    MessageIn,
    NotificationList,
    NotificationOut,
    NotificationState,
    ObjectId,
    PackageOut,
)
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.services import notification_packages as packages
from cloudtoets.services import notifications as service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.notification_states import allowed_steps
from cloudtoets.services.package_signing import KeyProblem

router = APIRouter(
    tags=["meldingen"], route_class=ProblemRoute, default_response_class=JsonResponse
)
ONE = "/notifications/{notification_id}"
STEP_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": NotificationOut, "headers": ETAG},
    **problem_responses(404, 409, 412, 422, 428),
}
MESSAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": NotificationOut, "headers": ETAG},
    **problem_responses(404, 409, 412, 413, 422, 428),
}


def _instance(source: str) -> str | None:
    return None if source == "local" else source


def notification_body(actor: Actor, notification: service.NotificationView) -> dict[str, Any]:
    body = {f.name: getattr(notification, f.name) for f in dataclasses.fields(notification)}
    body["source_instance"] = _instance(body.pop("source"))
    body["allowed_steps"] = allowed_steps(actor, notification.state)
    return body


def _one(actor: Actor, notification: service.NotificationView, status: int = 200) -> JsonResponse:
    return JsonResponse(
        notification_body(actor, notification), status, headers={"ETag": etag(notification.version)}
    )


@router.get(
    "/notifications",
    summary="Meldingen aan CIO Rijk: CIO Rijk ziet alle organisaties, een organisatie de eigen",
    description="Eerst wat op CIO Rijk wacht (ingediend, beantwoord), dan de rest; binnen een "
    "toestand de oudste eerst.",
    response_model=None,
    responses={200: {"model": NotificationList}, **problem_responses(422)},
)
def list_notifications(
    register: RegisterDep,
    actor: ActorDep,
    state: Annotated[NotificationState | None, Query(description="Alleen deze toestand")] = None,
    organisation: Annotated[str | None, Query(description="Alleen deze organisatie")] = None,
    registration: Annotated[str | None, Query(description="Alleen deze registratie")] = None,
) -> Response:
    found = service.list_notifications(
        register, actor, state=state, organisation=organisation, registration=registration
    )
    items = []
    for summary in found:
        item = {f.name: getattr(summary, f.name) for f in dataclasses.fields(summary)}
        item["source_instance"] = _instance(item.pop("source"))
        items.append(item)
    return JsonResponse({"items": items, "total": len(items)})


@router.post(
    "/registrations/{registration_id}/notifications",
    status_code=201,
    summary="Een melding maken voor materieel gebruik van externe cloud (bewerker)",
    description="Maakt een concept. Indienen (submit) voegt de momentopname toe. 409 als er al "
    "een concept is, of als de registratie niet materieel is.",
    response_model=None,
    responses={
        201: {"model": NotificationOut, "headers": ETAG},
        **problem_responses(404, 409, 422),
    },
)
def create_notification(registration_id: str, register: RegisterDep, actor: ActorDep) -> Response:
    return _one(actor, service.create_notification(register, actor, registration_id), 201)


@router.get(
    ONE,
    summary="Eén melding met momentopname, berichten en de stappen die u kunt zetten",
    response_model=None,
    responses={200: {"model": NotificationOut, "headers": ETAG}, **problem_responses(404, 422)},
)
def get_notification(notification_id: ObjectId, register: RegisterDep, actor: ActorDep) -> Response:
    return _one(actor, service.get_notification(register, actor, notification_id))


Step = Literal["submit", "receive", "close"]
_STEP_SUMMARIES = {
    "submit": "Indienen bij CIO Rijk, met momentopname (bewerker, met If-Match)",
    "receive": "In ontvangst nemen (CIO Rijk, met If-Match)",
    "close": "Afsluiten (CIO Rijk, met If-Match)",
}


def _version_of(register: Register, actor: Actor, notification_id: int) -> int:
    return service.get_notification(register, actor, notification_id).version


def _add_step(name: Step) -> None:
    def take(
        notification_id: ObjectId, register: RegisterDep, actor: ActorDep, if_match: IfMatch = None
    ) -> Response:
        version = expected_version(if_match, lambda: _version_of(register, actor, notification_id))
        done = service.take_step(register, actor, notification_id, name, version)
        return _one(actor, done)

    router.add_api_route(
        f"{ONE}/{name}",
        take,
        methods=["POST"],
        name=f"notification_{name}",
        summary=_STEP_SUMMARIES[name],
        response_model=None,
        responses=STEP_RESPONSES,
    )


MessageStep = Literal["comment", "question", "answer"]
_MESSAGE_SUMMARIES = {
    "comment": "Een opmerking plaatsen (CIO Rijk, met If-Match)",
    "question": "Een vraag stellen (CIO Rijk, met If-Match)",
    "answer": "Een vraag beantwoorden (bewerker, met If-Match)",
}


def _add_message_step(name: MessageStep) -> None:
    def take(
        notification_id: ObjectId,
        body: MessageIn,
        register: RegisterDep,
        actor: ActorDep,
        if_match: IfMatch = None,
    ) -> Response:
        version = expected_version(if_match, lambda: _version_of(register, actor, notification_id))
        done = service.take_step(register, actor, notification_id, name, version, body.text)
        return _one(actor, done)

    router.add_api_route(
        f"{ONE}/{name}",
        take,
        methods=["POST"],
        name=f"notification_{name}",
        summary=_MESSAGE_SUMMARIES[name],
        response_model=None,
        responses=MESSAGE_RESPONSES,
    )


for _step in ("submit", "receive", "close"):
    _add_step(_step)
for _message_step in ("comment", "question", "answer"):
    _add_message_step(_message_step)


@router.get(
    ONE + "/package",
    summary="De melding als ondertekend pakket (JSON met hash en Ed25519-handtekening)",
    description="Alleen een ingediende melding (anders 409). Lees het terug met POST "
    "/notifications/import op een andere installatie, of met cloudtoets notification import.",
    response_model=None,
    responses={200: {"model": PackageOut}, **problem_responses(404, 409, 422)},
)
def export_package(notification_id: ObjectId, register: RegisterDep, actor: ActorDep) -> Response:
    try:
        package = packages.export_package(register, actor, notification_id)
    except KeyProblem as error:
        raise ApiProblem("interne-fout", str(error)) from None
    return Response(
        packages.package_bytes(package),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="melding-{notification_id}.json"'},
    )


UploadField = Annotated[UploadFile, File(description="Het ondertekende pakket (JSON)")]


@router.post(
    "/notifications/import",
    status_code=201,
    summary="Een ondertekend meldingspakket van een andere installatie importeren (CIO Rijk)",
    description="Controleert hash, momentopname en handtekening tegen de vertrouwde sleutels. "
    "Bij elke afwijking: 422 en er is niets opgeslagen.",
    response_model=None,
    responses={
        201: {"model": NotificationOut, "headers": ETAG},
        **problem_responses(413, 422),
    },
)
async def import_package(
    request: Request, file: UploadField, register: RegisterDep, actor: ActorDep
) -> Response:
    limit = register.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise BodyTooLarge(limit)
    try:
        imported = await run_in_threadpool(packages.import_package, register, actor, data)
    except KeyProblem as error:
        raise ApiProblem("interne-fout", str(error)) from None
    response = _one(actor, imported, 201)
    response.headers["Location"] = f"{request.url.path.rsplit('/', 1)[0]}/{imported.id}"
    return response
