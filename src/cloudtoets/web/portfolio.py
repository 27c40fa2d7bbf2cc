"""The portfolio for CIO Rijk: figures by deployment model, verdict and material use, the
concentration by ultimate parent, a scenario ("leverancier valt weg", "recht van land X") and
the impact of another policy. CIO Rijk and auditors see every organisation, an organisation's
own roles their own (``services/monitoring.scope``, as the monitoring page)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import Response

from cloudtoets.domain.countries import ISO_COUNTRY_CODES
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.presentation import texts
from cloudtoets.presentation.texts import country_name
from cloudtoets.problems import InputError
from cloudtoets.reports.portfolio_charts import losses_chart, parents_chart, scenario_chart
from cloudtoets.reports.view import DEPLOYMENT_LABELS, VERDICTS
from cloudtoets.services import portfolio_pages as service
from cloudtoets.services.actor import Forbidden
from cloudtoets.services.context import Register
from cloudtoets.services.monitoring import FIRST_AS_OF, LAST_AS_OF
from cloudtoets.services.organisations import visible_organisations
from cloudtoets.web.dates import BadDate, typed_date
from cloudtoets.web.errors import WebRoute, error_page
from cloudtoets.web.security import check_same_origin
from cloudtoets.web.templating import render

router = APIRouter(route_class=WebRoute)

NO_ACCESS = (
    "Uw rol geeft geen toegang tot de gegevens van organisaties, dus ook niet tot het "
    "portfolio. Vraag een beheerder om een andere rol als u deze cijfers nodig hebt."
)
MATERIAL_LABELS = {"yes": "ja", "no": "nee", "unknown": "onbekend"}
BAD_DATE = "Vul een datum in tussen 2000 en 2100, bijvoorbeeld 3-7-2026."


def _as_of(request: Request, today: dt.date, problems: dict[str, str]) -> dt.date:
    return _day(request.query_params.get("peildatum"), today, problems)


def _day(
    value: object, today: dt.date, problems: dict[str, str], field: str = "peildatum"
) -> dt.date:
    try:
        day = typed_date(value if isinstance(value, str) else "")
    except BadDate as bad:
        problems[field] = bad.message
        return today
    if day is None:
        return today
    if not FIRST_AS_OF <= day <= LAST_AS_OF:
        problems[field] = BAD_DATE
        return today
    return day


def _country_options(eea: frozenset[str]) -> list[tuple[str, str]]:
    """Countries outside the policy's EEA first (the ones a scenario is usually about), by
    Dutch name."""
    return sorted(
        ((code, f"{country_name(code)} ({code})") for code in ISO_COUNTRY_CODES),
        key=lambda item: (item[0] in eea, item[1].casefold()),
    )


@router.get("/portfolio", name="web_portfolio")
async def portfolio_page(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    params = request.query_params
    chosen = params.get("organisatie") or None
    problems: dict[str, str] = {}
    as_of = _as_of(request, register.today(), problems)
    provider = (params.get("leverancier") or "").strip() or None
    country = (params.get("land") or "").strip() or None
    try:
        page = await run_in_threadpool(
            service.portfolio_page,
            register,
            actor,
            as_of,
            chosen,
            provider=provider,
            country=country,
        )
    except Forbidden:
        return error_page(request, 403, NO_ACCESS)
    problems.update(page.problems)
    found = page.portfolio
    names = dict(page.providers)
    parts = []
    if provider and "leverancier" not in problems:
        parts.append(names.get(provider, provider))
    if country and "land" not in problems:
        code = country.upper()
        parts.append(f"het recht van {country_name(code)} ({code})")
    scenario_title = " en ".join(parts)
    organisations = visible_organisations(register, actor)
    context = {
        "p": found,
        "page": page,
        "problems": problems,
        "as_of": as_of,
        "today": register.today(),
        "chosen": chosen,
        "provider": provider,
        "country": (country or "").upper() or None,
        "organisations": organisations,
        "organisation_names": {o.id: o.name for o in organisations},
        "org_options": [(o.id, o.name) for o in organisations],
        "provider_options": page.providers,
        "country_options": _country_options(register.policy.parameters.eea),
        "deployment_labels": DEPLOYMENT_LABELS,
        "verdict_labels": VERDICTS,
        "material_labels": MATERIAL_LABELS,
        "charts": {
            "parents": parents_chart(found),
            "losses": losses_chart(found),
            "scenario": scenario_chart(found.scenario, found, scenario_title)
            if found.scenario
            else None,
        },
        "scenario_title": scenario_title,
        "policy_title": register.policy.title,
        "monitoring_current": True,
    }
    return render(request, "pages/portfolio.html", context, section="monitoring")


@router.get("/portfolio/beleid", name="web_portfolio_policy")
async def policy_impact_page(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    params = request.query_params
    chosen = params.get("organisatie") or None
    problems: dict[str, str] = {}
    as_of = _as_of(request, register.today(), problems)
    choices = service.policy_choices(register)
    others = {c.id for c in choices if not c.current}
    variant = (params.get("variant") or "").strip() or None
    impact = None
    try:
        if variant is not None:
            if variant not in others:
                problems["variant"] = "Kies een beleid uit de lijst."
            else:
                impact = await run_in_threadpool(
                    service.policy_impact, register, actor, variant, as_of, chosen
                )
        else:
            # the role check of the figures, also before a variant is chosen
            await run_in_threadpool(service.check_access, register, actor, chosen)
    except Forbidden:
        return error_page(request, 403, NO_ACCESS)
    context = _policy_context(register, actor, choices, problems, as_of, chosen)
    context.update(impact=impact, variant=variant)
    return render(request, "pages/portfolio_policy.html", context, section="monitoring")


POLICY_SUFFIXES = (".yaml", ".yml", ".json")


@router.post("/portfolio/beleid", dependencies=[Depends(check_same_origin)])
async def policy_impact_upload(
    request: Request, register: RegisterDep, actor: ActorDep
) -> Response:
    """The same comparison with a policy file of one's own (YAML or JSON, as ``cloudtoets
    policy validate`` reads it): the page again, with the outcome or what is wrong with the
    file and where."""
    limit = register.settings.max_upload_bytes
    form = await request.form(max_files=1, max_fields=10)
    chosen = form.get("organisatie") or None
    chosen = chosen if isinstance(chosen, str) else None
    problems: dict[str, str] = {}
    as_of = _day(form.get("peildatum"), register.today(), problems, "peildatum-bestand")
    choices = service.policy_choices(register)
    try:
        # the role check first: a role without register content learns nothing from its file
        await run_in_threadpool(service.check_access, register, actor, chosen)
    except Forbidden:
        return error_page(request, 403, NO_ACCESS)
    upload = form.get("bestand")
    impact, uploaded, file_problems, status = None, None, [], 200
    if not isinstance(upload, UploadFile) or not upload.filename:
        problems["bestand"] = "Kies het beleidsbestand dat u wilt vergelijken."
    else:
        filename = Path(upload.filename).name
        data = await upload.read(limit + 1)
        if len(data) > limit:
            problems["bestand"] = (
                f"Het bestand is groter dan {texts.byte_size(limit)}. Een beleidsbestand is "
                "veel kleiner: kies het goede bestand, of begin met extends van een ingebouwd "
                "beleid."
            )
            status = 413
        elif Path(filename).suffix.lower() not in POLICY_SUFFIXES:
            problems["bestand"] = "Kies een beleidsbestand in YAML of JSON (.yaml, .yml, .json)."
        elif not problems:
            try:
                impact, uploaded = await run_in_threadpool(
                    service.policy_impact_upload, register, actor, filename, data, as_of, chosen
                )
            except InputError as error:
                count = len(error.problems)
                found = "staat 1 probleem" if count == 1 else f"staan {count} problemen"
                problems["bestand"] = (
                    f"In {filename} {found}; ze staan hieronder. Herstel het bestand en kies "
                    "het opnieuw."
                )
                file_problems = [
                    {"where": p.where, "message": texts.sentence(p.message)} for p in error.problems
                ]
    if problems and status == 200:
        status = 422
    context = _policy_context(register, actor, choices, problems, as_of, chosen)
    context.update(impact=impact, variant=None, uploaded=uploaded, file_problems=file_problems)
    if uploaded is not None:
        context["variant_titles"] = {**context["variant_titles"], uploaded.id: uploaded.title}
    return render(
        request, "pages/portfolio_policy.html", context, section="monitoring", status=status
    )


def _policy_context(
    register: Register,
    actor: Any,
    choices: list[service.PolicyChoice],
    problems: dict[str, str],
    as_of: dt.date,
    chosen: str | None,
) -> dict[str, Any]:
    organisations = visible_organisations(register, actor)
    return {
        "problems": problems,
        "as_of": as_of,
        "today": register.today(),
        "chosen": chosen,
        "current": next((c for c in choices if c.current), None),
        "variant_options": [
            (c.id, f"{c.title} (versie {c.version})") for c in choices if not c.current
        ],
        "variant_titles": {c.id: c.title for c in choices},
        "uploaded": None,
        "file_problems": [],
        "limit": texts.byte_size(register.settings.max_upload_bytes),
        "organisations": organisations,
        "organisation_names": {o.id: o.name for o in organisations},
        "org_options": [(o.id, o.name) for o in organisations],
        "verdict_labels": VERDICTS,
        "monitoring_current": True,
    }
