"""The portfolio for CIO Rijk: figures by deployment model, verdict and material use, the
concentration by ultimate parent, a scenario ("leverancier valt weg", "recht van land X") and
the impact of another policy. CIO Rijk and auditors see every organisation, an organisation's
own roles their own (``services/monitoring.scope``, as the monitoring page)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from cloudtoets.domain.countries import EEA_COUNTRY_CODES, ISO_COUNTRY_CODES
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.presentation.texts import country_name
from cloudtoets.reports.portfolio_charts import losses_chart, parents_chart, scenario_chart
from cloudtoets.reports.view import DEPLOYMENT_LABELS, VERDICTS
from cloudtoets.services import portfolio_pages as service
from cloudtoets.services.actor import Forbidden
from cloudtoets.services.monitoring import FIRST_AS_OF, LAST_AS_OF
from cloudtoets.services.organisations import visible_organisations
from cloudtoets.web.errors import WebRoute, error_page
from cloudtoets.web.templating import render

router = APIRouter(route_class=WebRoute)

NO_ACCESS = (
    "Uw rol geeft geen toegang tot de gegevens van organisaties, dus ook niet tot het "
    "portfolio. Vraag een beheerder om een andere rol als u deze cijfers nodig hebt."
)
MATERIAL_LABELS = {"yes": "ja", "no": "nee", "unknown": "onbekend"}
BAD_DATE = "Vul een datum in als dag-maand-jaar, tussen 2000 en 2100."


def _as_of(request: Request, today: dt.date, problems: dict[str, str]) -> dt.date:
    raw = (request.query_params.get("peildatum") or "").strip()
    if not raw:
        return today
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        problems["peildatum"] = BAD_DATE
        return today
    if not FIRST_AS_OF <= day <= LAST_AS_OF:
        problems["peildatum"] = BAD_DATE
        return today
    return day


def _country_options() -> list[tuple[str, str]]:
    """Countries outside the EEA first (the ones a scenario is usually about), by Dutch name."""
    return sorted(
        ((code, f"{country_name(code)} ({code})") for code in ISO_COUNTRY_CODES),
        key=lambda item: (item[0] in EEA_COUNTRY_CODES, item[1].casefold()),
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
        "country_options": _country_options(),
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
    others = [c for c in choices if not c.current]
    variant = (params.get("variant") or "").strip() or None
    impact = None
    try:
        if variant is not None:
            if variant not in {c.id for c in others}:
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
    organisations = visible_organisations(register, actor)
    context = {
        "impact": impact,
        "problems": problems,
        "as_of": as_of,
        "today": register.today(),
        "chosen": chosen,
        "variant": variant,
        "current": next((c for c in choices if c.current), None),
        "variant_options": [(c.id, f"{c.title} (versie {c.version})") for c in others],
        "variant_titles": {c.id: c.title for c in choices},
        "organisations": organisations,
        "organisation_names": {o.id: o.name for o in organisations},
        "org_options": [(o.id, o.name) for o in organisations],
        "verdict_labels": VERDICTS,
        "monitoring_current": True,
    }
    return render(request, "pages/portfolio_policy.html", context, section="monitoring")
