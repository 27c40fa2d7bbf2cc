"""Whole inventories: evaluate one without storing it, import one (preview, then all or nothing),
and export the register in any inventory format."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from cloudtoets.api.encoding import JsonResponse
from cloudtoets.api.errors import counted, problem_items
from cloudtoets.api.problems import (
    BodyTooLarge,
    ProblemRoute,
    invalid,
    invalid_query,
    problem_responses,
)
from cloudtoets.api.schemas import INVENTORY_SCHEMA, CheckDocument, ImportPlanOut, IsoDate
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.http.downloads import file_download
from cloudtoets.problems import InputError
from cloudtoets.services import imports, inventory_check
from cloudtoets.services.context import Register

router = APIRouter(
    prefix="/inventory",
    tags=["inventaris"],
    route_class=ProblemRoute,
    default_response_class=JsonResponse,
)

ExportFormat = Literal["json", "yaml", "xlsx", "csv"]
UploadField = Annotated[
    UploadFile,
    File(description="De inventaris: .yaml, .yml, .json, .xlsx of .csv (alleen registraties)"),
]


def _check(register: Register, body: bytes, as_of: dt.date, policy_id: str | None) -> Response:
    try:
        policy = inventory_check.chosen_policy(register, policy_id)
    except inventory_check.UnknownPolicy as unknown:
        raise invalid_query("policy", str(unknown)) from None
    try:
        document = inventory_check.check_document(policy, body, as_of)
    except InputError as error:
        raise invalid(
            problem_items(error.problems),
            f"{counted(len(error.problems))} gevonden in de inventaris. Er is niets getoetst.",
        ) from None
    return Response(document, media_type="application/json")


@router.post(
    "/evaluate",
    summary="Een inventaris toetsen zonder iets op te slaan (als cloudtoets check)",
    description="De body is een inventarisdocument (JSON, zie interface.md). Het antwoord is "
    "precies het document van `cloudtoets check --format json`. Bij ongeldige invoer: 422 met "
    "elk probleem, en er is niets getoetst.",
    response_model=None,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": INVENTORY_SCHEMA}},
        }
    },
    responses={200: {"model": CheckDocument}, **problem_responses(413, 422)},
)
async def evaluate_inventory(
    request: Request,
    register: RegisterDep,
    actor: ActorDep,  # logged-in users only: evaluation costs server time
    as_of: Annotated[
        IsoDate | None, Query(description="Peildatum JJJJ-MM-DD (standaard: vandaag)")
    ] = None,
    policy: Annotated[
        str | None,
        Query(description="Ingebouwd beleid (id); standaard het beleid van het register"),
    ] = None,
) -> Response:
    body = await request.body()
    return await run_in_threadpool(_check, register, body, as_of or register.today(), policy)


async def _upload(file: UploadFile, register: Register) -> tuple[str, bytes]:
    limit = register.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise BodyTooLarge(limit)
    return Path(file.filename or "").name, data


def _plan(plan: imports.ImportPlan) -> dict[str, Any]:
    return {
        "source": plan.source,
        "ok": plan.ok,
        "organisations": plan.organisations,
        "providers": plan.providers,
        "registrations": plan.registrations,
        "verdicts": plan.verdicts,
        "problems": problem_items(plan.problems),
        "notes": problem_items(plan.notes),
    }


@router.post(
    "/import/preview",
    summary="Laten zien wat een import zou veranderen (slaat niets op)",
    description="Per lijst: nieuw, gewijzigd en ongewijzigd; de oordelen na de import; en elk "
    "probleem. Met problemen is `ok` false en zou de import niets opslaan.",
    response_model=None,
    responses={200: {"model": ImportPlanOut}, **problem_responses(413, 422)},
)
async def preview_import(file: UploadField, register: RegisterDep, actor: ActorDep) -> Response:
    name, data = await _upload(file, register)
    plan = await run_in_threadpool(imports.preview_import, register, actor, name, data)
    return JsonResponse(_plan(plan))


@router.post(
    "/import",
    summary="Een inventaris importeren: alles of niets",
    description="Slaat alles op en toetst het, of slaat niets op: dan 422 met elk probleem.",
    response_model=None,
    responses={200: {"model": ImportPlanOut}, **problem_responses(413, 422)},
)
async def commit_import(file: UploadField, register: RegisterDep, actor: ActorDep) -> Response:
    name, data = await _upload(file, register)
    plan = await run_in_threadpool(imports.commit_import, register, actor, name, data)
    return JsonResponse(_plan(plan))


@router.get(
    "/export",
    summary="Het register downloaden als inventaris (JSON, YAML, Excel of CSV)",
    description="Alles wat u mag zien, of één organisatie. CSV bevat alleen de registraties. "
    "Het bestand leest terug met `cloudtoets check` en de import.",
    response_model=None,
    responses={
        200: {
            "description": "Het bestand, als bijlage",
            "content": {
                "application/json": {"schema": INVENTORY_SCHEMA},
                **{
                    imports.EXPORT_MEDIA_TYPES[kind]: {
                        "schema": {"type": "string", "format": "binary"}
                    }
                    for kind in ("yaml", "xlsx", "csv")
                },
            },
        },
        **problem_responses(422),
    },
)
def export_inventory(
    register: RegisterDep,
    actor: ActorDep,
    format: Annotated[ExportFormat, Query(description="Bestandsformaat")] = "json",
    organisation: Annotated[str | None, Query(description="Alleen deze organisatie")] = None,
) -> Response:
    return file_download(imports.export_file(register, actor, organisation, format))
