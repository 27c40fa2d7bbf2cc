"""Monitoring: the central figures (JSON), the report as PDF or Excel, and the reminders.

CIO Rijk and auditors get every organisation; an organisation's users get their own. A role
without access to any register content (the administrator) gets 403; an organisation one may
not see, or that does not exist, 404.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from cloudtoets.api.encoding import JsonResponse
from cloudtoets.api.monitoring_schemas import (
    MonitoringOut,
    ReminderList,
    monitoring_json,
    reminder_json,
)
from cloudtoets.api.problems import ApiProblem, ProblemRoute, invalid_query, problem_responses
from cloudtoets.api.schemas import IsoDate
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.reports import build
from cloudtoets.reports.pdf import PdfUnavailable
from cloudtoets.services import monitoring as service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.reminders import reminders

router = APIRouter(
    tags=["monitoring"], route_class=ProblemRoute, default_response_class=JsonResponse
)

Organisation = Annotated[
    str | None,
    Query(description="Alleen deze organisatie (kenmerk); standaard alle die u mag zien"),
]
AsOf = Annotated[
    IsoDate | None,
    Query(description="Peildatum JJJJ-MM-DD, tussen 2000 en 2100 (standaard: vandaag)"),
]
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _as_of(register: Register, as_of: dt.date | None) -> dt.date:
    day = as_of or register.today()
    try:
        service.check_as_of(day)
    except ValueError as error:
        raise invalid_query("as_of", str(error)) from None
    return day


@router.get(
    "/monitoring",
    summary="De cijfers voor de monitoring van cloudgebruik",
    description="Materieel gebruik met risicoafweging, exitplan en melding per organisatie; "
    "oordelen; meldingen per status en leeftijd; afwijkingen; overgangstermijnen per kwartaal; "
    "afhankelijkheid van leveranciers en landen. Definities: docs/monitoring.md.",
    response_model=None,
    responses={200: {"model": MonitoringOut}, **problem_responses(403, 404, 422)},
)
def get_monitoring(
    register: RegisterDep, actor: ActorDep, organisation: Organisation = None, as_of: AsOf = None
) -> Response:
    day = _as_of(register, as_of)
    return JsonResponse(monitoring_json(service.monitoring(register, actor, day, organisation)))


async def _report(
    make: Callable[[Register, Actor, dt.date, str | None], bytes],
    suffix: str,
    media_type: str,
    register: Register,
    actor: Actor,
    day: dt.date,
    organisation: str | None,
) -> Response:
    data = await run_in_threadpool(make, register, actor, day, organisation)
    who = _SAFE.sub("_", organisation) if organisation else "alle-organisaties"
    name = f"cloudtoets-monitoring-{who}-{day.isoformat()}.{suffix}"
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _binary(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
        }
    }


@router.get(
    "/monitoring/report.pdf",
    summary="Het rapport als toegankelijke PDF (PDF/UA-1)",
    description="Dezelfde onderdelen als de pagina Monitoring, met elke grafiek gevolgd door een "
    "tabel met dezelfde cijfers. 503 als deze server geen PDF kan maken (Pango ontbreekt).",
    response_model=None,
    responses={
        **_binary(build.PDF_MEDIA_TYPE, "Het rapport, als bijlage"),
        **problem_responses(403, 404, 422, 503),
    },
)
async def get_pdf_report(
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
    organisation: Organisation = None,
    as_of: AsOf = None,
) -> Response:
    day = _as_of(register, as_of)
    served_at = str(request.base_url)  # the links' address when CLOUDTOETS_PUBLIC_URL is empty
    try:
        return await _report(
            partial(build.pdf_report, served_at=served_at),
            "pdf",
            build.PDF_MEDIA_TYPE,
            register,
            actor,
            day,
            organisation,
        )
    except PdfUnavailable as error:
        raise ApiProblem(
            "http-fout", str(error), status=503, title="PDF niet beschikbaar"
        ) from None


@router.get(
    "/monitoring/report.xlsx",
    summary="De cijfers als Excel-werkmap (één blad per onderdeel)",
    response_model=None,
    responses={
        **_binary(build.XLSX_MEDIA_TYPE, "De werkmap, als bijlage"),
        **problem_responses(403, 404, 422),
    },
)
async def get_xlsx_report(
    register: RegisterDep, actor: ActorDep, organisation: Organisation = None, as_of: AsOf = None
) -> Response:
    day = _as_of(register, as_of)
    return await _report(
        build.xlsx_report, "xlsx", build.XLSX_MEDIA_TYPE, register, actor, day, organisation
    )


@router.get(
    "/reminders",
    summary="Herinneringen: wat moet er binnenkort gebeuren, of is te laat?",
    description="Overgangstermijnen, de termijn voor het exitplan, herbeoordelingen van "
    "risicoafwegingen en exitplannen, tests van exitplannen en afwijkingen die een jaar oud "
    "zijn; het meest dringende eerst. Regels: docs/monitoring.md.",
    response_model=None,
    responses={200: {"model": ReminderList}, **problem_responses(403, 404, 422)},
)
def get_reminders(
    register: RegisterDep,
    actor: ActorDep,
    organisation: Organisation = None,
    as_of: AsOf = None,
    days: Annotated[
        int | None,
        Query(ge=1, le=3650, description="Vooruitkijken in dagen (standaard de instelling)"),
    ] = None,
) -> Response:
    day = _as_of(register, as_of)
    window = days if days is not None else register.settings.reminder_days
    found = reminders(register, actor, day, organisation, days=window)
    return JsonResponse(
        {
            "as_of": day,
            "days": window,
            "items": [reminder_json(r, day) for r in found],
            "total": len(found),
        }
    )
