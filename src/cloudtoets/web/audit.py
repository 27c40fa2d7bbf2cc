"""The audit log for the auditor: filtered records page by page, the chain check, the export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.http.downloads import file_download
from cloudtoets.services import audit as service
from cloudtoets.web.dates import BadDate, typed_date
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.templating import render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

# form field -> (AuditFilter field, longest text); the page's addresses are Dutch
_TEXT_FIELDS = {
    "organisatie": ("organisation", 100),
    "gebruiker": ("user", 200),
    "soort": ("object_type", 40),
    "object": ("object_id", 200),
}
_DATE_FIELDS = {"van": "from_day", "tot": "to_day"}
LAST_PAGE = 100_000


def _filter(request: Request) -> tuple[service.AuditFilter, dict[str, str], dict[str, str]]:
    """The filter from the query, the values as typed, and a Dutch problem per field."""
    query = request.query_params
    typed = {name: query.get(name, "").strip() for name in (*_TEXT_FIELDS, *_DATE_FIELDS)}
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name, (field, longest) in _TEXT_FIELDS.items():
        if len(typed[name]) > longest:
            problems[name] = f"Dit veld heeft hoogstens {longest} tekens."
        else:
            values[field] = typed[name] or None
    for name, field in _DATE_FIELDS.items():
        try:
            values[field] = typed_date(typed[name])
        except BadDate as error:
            problems[name] = error.message
    found = service.AuditFilter(**values)
    if not problems and found.problem():
        problems["tot"] = "De datum 'tot en met' ligt voor de datum 'vanaf'. Draai ze om."
    return found, typed, problems


def _page_number(request: Request) -> int:
    text = request.query_params.get("pagina", "1")
    return min(max(int(text), 1), LAST_PAGE) if text.isdigit() else 1


def _records(result: service.AuditPage | None) -> list[dict[str, Any]]:
    """The page's records with their moment as a datetime (exported, it is ISO text)."""
    if result is None:
        return []
    return [{**item, "moment": dt.datetime.fromisoformat(item["at"])} for item in result.items]


@router.get("/auditlog")
def audit_page(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    found, typed, problems = _filter(request)
    if problems:
        service.require_auditor(actor)
        result = None
    else:
        result = service.search(register, actor, found, _page_number(request))
    query = {name: value for name, value in typed.items() if value}
    return render(
        request,
        "pages/audit.html",
        {
            "typed": typed,
            "problems": problems,
            "result": result,
            "records": _records(result),
            "query": query,
            "form_errors": bool(problems),
        },
        status=422 if problems else 200,
        section="audit",
    )


@router.get("/auditlog/controle")
def audit_verification(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    result = service.verify_for(register, actor)
    return render(
        request,
        "pages/audit_verification.html",
        {
            "result": result,
            "problem": service.describe(result.broken) if result.broken else None,
        },
        section="audit",
    )


@router.get("/auditlog/export")
def audit_export(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    found, typed, problems = _filter(request)
    if problems:
        service.require_auditor(actor)
        return render(
            request,
            "pages/audit.html",
            {
                "typed": typed,
                "problems": problems,
                "result": None,
                "query": {},
                "form_errors": True,
            },
            status=422,
            section="audit",
        )
    return file_download(service.export_filtered(register, actor, found))
