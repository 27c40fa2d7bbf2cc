"""The monitoring page (/monitoring), its reports as downloads, and the reminders on the
overview page (partials/overview_reminders.html asks for them itself, so the overview's own route
stays as it is)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.presentation.environment import ENV
from cloudtoets.reports import build
from cloudtoets.reports.pdf import PdfUnavailable
from cloudtoets.services import reminders as reminder_service
from cloudtoets.services.actor import Actor, Forbidden
from cloudtoets.services.context import Register
from cloudtoets.services.organisations import visible_organisations
from cloudtoets.services.permissions import Permission
from cloudtoets.web.errors import WebRoute, error_page
from cloudtoets.web.templating import render

router = APIRouter(route_class=WebRoute)

PAGE_REMINDERS = 50  # the page lists the most urgent; the downloads have more
OVERVIEW_REMINDERS = 10
NO_ACCESS = (
    "Uw rol geeft geen toegang tot de gegevens van organisaties, dus ook niet tot de "
    "monitoring. Vraag een beheerder om een andere rol als u deze cijfers nodig hebt."
)
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _query(organisation: str | None) -> str:
    return f"?{urlencode({'organisatie': organisation})}" if organisation else ""


@router.get("/monitoring", name="web_monitoring")
def monitoring_page(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    chosen = request.query_params.get("organisatie") or None
    try:
        view = build.monitoring_view(register, actor, register.today(), chosen)
    except Forbidden:
        return error_page(request, 403, NO_ACCESS)
    organisations = visible_organisations(register, actor)
    context = {
        **view.context(),
        "organisations": organisations,
        "org_options": [(o.id, o.name) for o in organisations],
        "pdf_url": "/monitoring/rapport.pdf" + _query(chosen),
        "xlsx_url": "/monitoring/rapport.xlsx" + _query(chosen),
        "portfolio_url": "/portfolio" + _query(chosen),
        "policy_impact_url": "/portfolio/beleid" + _query(chosen),
        "reminder_limit": PAGE_REMINDERS,
        "reminder_days": register.settings.reminder_days,
        "monitoring_current": True,
    }
    return render(request, "pages/monitoring.html", context, section="monitoring")


def _file_name(organisation: str | None, as_of: dt.date, suffix: str) -> str:
    who = _SAFE.sub("_", organisation) if organisation else "alle-organisaties"
    return f"cloudtoets-monitoring-{who}-{as_of.isoformat()}.{suffix}"


def _download(data: bytes, media_type: str, name: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/monitoring/rapport.pdf", name="web_monitoring_pdf")
async def monitoring_pdf(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    chosen = request.query_params.get("organisatie") or None
    as_of = register.today()
    try:
        data = await run_in_threadpool(
            build.pdf_report, register, actor, as_of, chosen, str(request.base_url)
        )
    except Forbidden:
        return error_page(request, 403, NO_ACCESS)
    except PdfUnavailable as error:
        return error_page(request, 503, str(error))
    return _download(data, build.PDF_MEDIA_TYPE, _file_name(chosen, as_of, "pdf"))


@router.get("/monitoring/rapport.xlsx", name="web_monitoring_xlsx")
async def monitoring_xlsx(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    chosen = request.query_params.get("organisatie") or None
    as_of = register.today()
    try:
        data = await run_in_threadpool(build.xlsx_report, register, actor, as_of, chosen)
    except Forbidden:
        return error_page(request, 403, NO_ACCESS)
    return _download(data, build.XLSX_MEDIA_TYPE, _file_name(chosen, as_of, "xlsx"))


# ------------------------------------------------------------------ the overview's reminders


@dataclass(frozen=True, slots=True)
class OverviewReminders:
    items: list[reminder_service.Reminder]
    total: int
    days: int
    as_of: dt.date
    monitoring_url: str


def overview_reminders(request: Request, organisation: str | None) -> OverviewReminders | None:
    """The reminders for the overview page, or None when the user may not see any."""
    actor: Actor | None = getattr(request.state, "actor", None)
    register: Register = request.app.state.register
    if actor is None or not actor.can(Permission.READ_REGISTER):
        return None
    if organisation is not None and not actor.may_see(organisation):
        organisation = None
    as_of = register.today()
    found = reminder_service.reminders(register, actor, as_of, organisation)
    return OverviewReminders(
        found[:OVERVIEW_REMINDERS],
        len(found),
        register.settings.reminder_days,
        as_of,
        "/monitoring" + _query(organisation) + "#herinneringen",
    )


def may_monitor(actor: Any) -> bool:
    """Whether the main menu shows Monitoring (organisation users reach their own figures from
    the overview page)."""
    return isinstance(actor, Actor) and actor.can(Permission.MONITOR)


ENV.globals["overview_reminders"] = overview_reminders
ENV.globals["may_monitor"] = may_monitor
