"""The registration list (filters, sorting, pages, htmx fragment), the detail page and deleting."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from cloudtoets.domain.decision import Question
from cloudtoets.domain.knowledge import QUESTIONS
from cloudtoets.domain.labels import LABELS
from cloudtoets.domain.registration_query import LAST_PAGE, ListFilters, parse_filters
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.presentation import texts
from cloudtoets.presentation.environment import registration_url
from cloudtoets.presentation.rules import citations, rule_or_none
from cloudtoets.services import registrations as service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import VersionConflict
from cloudtoets.services.organisations import visible_organisations
from cloudtoets.services.permissions import Permission
from cloudtoets.services.providers import (
    provider_names,
    registration_chains,
    uncertain_notes,
)
from cloudtoets.web import fields
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.forms import read_version
from cloudtoets.web.security import check_same_origin, requires
from cloudtoets.web.templating import fragment, redirect, render

router = APIRouter(route_class=WebRoute)

# "verdict" sorts as the worst verdict: an incomplete result counts as its worst (unknowns.md)
SORTS = ("name", "organisation", "provider", "deployment", "verdict", "deadline", "findings", "id")
DEFAULT_SORT = "name"
COLUMNS = [
    {"key": "name", "label": "Registratie", "sortable": True},
    {"key": "organisation", "label": "Organisatie", "sortable": True},
    {"key": "provider", "label": "Leverancier", "sortable": True},
    {"key": "deployment", "label": "Inzetmodel", "sortable": True},
    {"key": "verdict", "label": "Oordeel", "sortable": True},
    {"key": "deadline", "label": "Termijn", "sortable": True},
    {"key": "findings", "label": "Bevindingen", "numeric": True, "sortable": True},
]
MATERIAL_FILTER = {"ja": True, "nee": False}
MATERIAL_CHOICE: dict[bool | None, str] = {chosen: text for text, chosen in MATERIAL_FILTER.items()}
SEARCH_LIMIT = 200  # the search field's own length
HISTORY_PAGE = "wijzigingen"  # the page of the changes on a registration's page


def _param(params: Mapping[str, str], name: str) -> str | None:
    value = (params.get(name) or "").strip()
    return value or None


def _page_number(params: Mapping[str, str], name: str) -> int:
    """A page number from the address: 1 when it is missing or not a number."""
    try:
        return min(max(int(_param(params, name) or "1"), 1), LAST_PAGE)
    except ValueError:
        return 1


def parse_list_filters(params: Mapping[str, str], visible: set[str]) -> ListFilters:
    """The list's query parameters (Dutch names) as checked filters: an unknown value, or an
    organisation the user may not see, counts as not chosen."""
    page = _page_number(params, "pagina")
    organisation = _param(params, "organisatie")
    return parse_filters(
        organisation=organisation if organisation in visible else None,
        verdict=_param(params, "oordeel"),
        deployment=_param(params, "inzet"),
        provider=_param(params, "leverancier"),
        jurisdiction=_param(params, "jurisdictie"),
        material=MATERIAL_FILTER.get(_param(params, "materieel") or ""),
        search=(_param(params, "q") or "")[:SEARCH_LIMIT],
        worst=_param(params, "slechtste"),
        unknown=[value for value in [_param(params, "onbekend")] if value],
        sort=_param(params, "sort"),
        page=page,
        sorts=SORTS,
        default_sort=DEFAULT_SORT,
    )


def _list_context(request: Request, register: Register, actor: Actor) -> dict[str, Any]:
    organisations = visible_organisations(register, actor)
    filters = parse_list_filters(request.query_params, {o.id for o in organisations})
    size = register.settings.page_size
    result = service.list_registrations(register, actor, filters.query(size))
    pages = max(1, math.ceil(result.total / size))
    if filters.page > pages and result.total:
        filters = replace(filters, page=pages)
        result = service.list_registrations(register, actor, filters.query(size))
    names = provider_names(register, actor)
    countries = sorted(texts.COUNTRIES.items(), key=lambda item: item[1])
    return {
        "filters": filters,
        "material_choice": MATERIAL_CHOICE.get(filters.material),
        "page": result,
        "pages": pages,
        "columns": COLUMNS,
        "organisations": organisations,
        "organisation_names": {o.id: o.name for o in organisations},
        "organisation_options": [(o.id, o.name) for o in organisations],
        "provider_names": names,
        "provider_options": sorted(names.items(), key=lambda item: item[1].casefold()),
        "country_options": [(code, f"{name} ({code})") for code, name in countries],
        "worst_options": [(k, v) for k, v in texts.VERDICTS.items() if k != "incomplete"],
        "unknown_options": unknown_options(),
        "unknown_choice": filters.unknown[0] if len(filters.unknown) == 1 else None,
        "query": request.query_params,
    }


@router.get("/registraties", name="web_registrations")
def registration_list(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    context = _list_context(request, register, actor)
    headers = {"Vary": "HX-Request"}
    if request.headers.get("hx-request") and not request.headers.get("hx-history-restore-request"):
        response = fragment(request, "partials/registrations.html", {**context, "htmx": True})
        response.headers.update(headers)
        # the address bar gets the filters that were chosen, not every empty field of the form
        chosen = [(k, v) for k, v in request.query_params.multi_items() if v.strip()]
        response.headers["HX-Push-Url"] = "/registraties" + (
            f"?{urlencode(chosen)}" if chosen else ""
        )
        return response
    return render(
        request, "pages/registrations.html", context, section="registrations", headers=headers
    )


def unknown_options() -> list[tuple[str, str]]:
    """The facts the list can ask to be unknown, named as on the form (organisation facts too)."""
    options = []
    for key in QUESTIONS:
        spec = fields.FIELDS.get(key)
        if spec is not None:
            options.append((key, spec.label))
        else:
            name = key.removeprefix("organisation.")
            options.append((key, "Organisatie: " + LABELS["organisations"][name][0].lower()))
    return options


@dataclass(frozen=True, slots=True)
class OpenQuestion:
    """A question of a result as the page shows it: the link goes to the form field that
    answers it (None for a fact of the organisation, which the form does not ask)."""

    field: str
    question: str
    label: str
    href: str | None
    rules: tuple[str, ...]


def open_questions(registration_id: str, questions: Iterable[Question]) -> list[OpenQuestion]:
    result = []
    for q in questions:
        spec = fields.FIELDS.get(q.field)
        href = None
        if spec is not None:  # a list fact: its first choice, Onbekend / Geen / Deze
            anchor = spec.name + (fields.LIST_MODE_SUFFIX if spec.listed else "")
            href = registration_url(registration_id, "bewerken") + "#" + anchor
        label = spec.label if spec is not None else q.field.removeprefix("organisation.")
        result.append(OpenQuestion(q.field, q.question, label, href, q.rules))
    return result


@router.get("/registraties/{registration_id}", name="web_registration")
def registration_detail(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    stored = service.get_registration(register, actor, registration_id)
    registration = stored.registration
    decision = stored.decision
    organisations = {o.id: o for o in visible_organisations(register, actor)}
    names = fields.Names(
        provider_names(register, actor), {k: v.name for k, v in organisations.items()}
    )
    changes = service.history_page(
        register, actor, registration_id, _page_number(request.query_params, HISTORY_PAGE)
    )
    if changes.page > changes.pages:  # past the last page: the last page
        changes = service.history_page(register, actor, registration_id, changes.pages)
    history = [
        {
            "row": row,
            "changes": fields.changed_fields(row.before, row.after, names)
            if row.before is not None and row.after is not None
            else [],
        }
        for row in changes.items
    ]
    chains = registration_chains(register, actor, registration)
    context = {
        "registration": registration,
        "stored": stored,
        "decision": decision,
        "questions": open_questions(registration.id, decision.questions),
        "possible": sum(1 for f in decision.findings if not f.certain),
        "organisation": organisations.get(registration.organisation),
        "facts": fields.facts(registration, names),
        "names": names,
        "chains": chains,
        "uncertain": uncertain_notes(chains),
        "decisions": service.decisions(register, actor, registration_id),
        "history": history,
        "history_page": changes,
        "history_param": HISTORY_PAGE,
        "policy": register.policy,
        "policy_rule": partial(rule_or_none, register.policy),
        "policy_citations": citations(register.policy),
    }
    return render(request, "pages/registration.html", context, section="registrations")


@router.get("/registraties/{registration_id}/verwijderen", name="web_delete")
def delete_page(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    stored = service.get_registration_to_change(register, actor, registration_id)
    return render(
        request,
        "pages/registration_delete.html",
        {"registration": stored.registration, "version": stored.version, "conflict": False},
        section="registrations",
    )


@router.post(
    "/registraties/{registration_id}/verwijderen",
    dependencies=[requires(Permission.WRITE_REGISTER), Depends(check_same_origin)],
)
async def delete_submit(
    registration_id: str, request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    form = await request.form()
    version = read_version(form)
    try:
        await run_in_threadpool(
            service.delete_registration, register, actor, registration_id, version
        )
    except VersionConflict as conflict:
        return render(
            request,
            "pages/registration_delete.html",
            {
                "registration": conflict.current,
                "version": conflict.current_version,
                "conflict": True,
            },
            section="registrations",
            status=409,
        )
    return redirect(request, "/registraties", flash="deleted")
