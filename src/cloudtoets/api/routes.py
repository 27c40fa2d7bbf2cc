"""All /api/v1 routes: one module per resource, and a problem response for every error."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.convertors import PathConvertor, register_url_convertor

from cloudtoets.api import (
    audit,
    catalogue,
    declared_evidence,
    dossier,
    inventory,
    justifications,
    monitoring,
    notifications,
    portfolio,
    registrations,
    risk_exit,
)
from cloudtoets.api.encoding import JsonResponse
from cloudtoets.api.problems import KINDS, ApiProblem, ProblemRoute, problem_responses
from cloudtoets.api.schemas import ProblemType, ReadinessOut
from cloudtoets.http.deps import RegisterDep, refuse_control_characters
from cloudtoets.services.database import readiness
from cloudtoets.services.outage import RETRY_AFTER_SECONDS

_KNOWN_QUERY: dict[int, frozenset[str]] = {}


def known_query_parameters(route: APIRoute) -> frozenset[str]:
    """The query parameters a route (with its dependencies) declares."""
    known = _KNOWN_QUERY.get(id(route))
    if known is None:
        names: set[str] = set()
        pending: list[Dependant] = [route.dependant]
        while pending:
            dependant = pending.pop()
            names.update(f.alias for f in dependant.query_params)
            pending.extend(dependant.dependencies)
        known = _KNOWN_QUERY[id(route)] = frozenset(names)
    return known


async def refuse_unknown_query_parameters(request: Request) -> None:
    """A query parameter the route does not know is a 400 naming the ones it does: a misspelt
    filter would otherwise be silently ignored and the answer would look filtered
    (docs/decisions.md, 47)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = known_query_parameters(route)
    strange = sorted({name for name in request.query_params if name not in known})
    if not strange:
        return
    names = ", ".join(f"'{name[:40]}'" for name in strange[:5])
    listed = ", ".join(sorted(known)) if known else "geen"
    word = "queryparameter" if len(strange) == 1 else "queryparameters"
    raise ApiProblem(
        "ongeldig-verzoek",
        f"Onbekende {word} {names}. Dit adres kent: {listed}.",
        status=400,
        unknown=[name[:40] for name in strange[:5]],
        known=sorted(known),
    )


router = APIRouter(
    route_class=ProblemRoute,
    default_response_class=JsonResponse,
    dependencies=[Depends(refuse_control_characters), Depends(refuse_unknown_query_parameters)],
)


@router.get("/health", tags=["systeem"], summary="Werkt de dienst?")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/health/live",
    tags=["systeem"],
    summary="Leeft het proces? (zonder database)",
    description="Voor een orchestrator die een vastgelopen proces herstart: 200 zolang het "
    "proces verzoeken beantwoordt. Kijkt niet naar de database; een database die even weg is, "
    "is geen reden om te herstarten.",
)
async def health_live() -> dict[str, str]:
    return {"status": "live"}


@router.get(
    "/health/ready",
    tags=["systeem"],
    summary="Kan het proces het register bedienen? (database en schema)",
    description="Voor een load balancer: 200 als de database antwoordt en haar schema de "
    "versie heeft die deze cloudtoets nodig heeft (de laatste migratie). Anders 503 met "
    "Retry-After en in detail de reden, in het Nederlands.",
    response_model=None,
    responses={
        200: {"model": ReadinessOut},
        **problem_responses(),
    },
)
def health_ready(request: Request, register: RegisterDep) -> Response:
    state = readiness(register)
    checks = {
        "database": "ok" if state.database else "fout",
        "schema": "ok" if state.ready else ("fout" if state.database else "onbekend"),
    }
    schema = {"current": state.schema_current, "head": state.schema_head}
    if state.reason is not None:
        raise ApiProblem(
            "niet-gereed",
            state.reason,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            checks=checks,
            schema=schema,
        )
    return JsonResponse({"status": "ready", "checks": checks, "schema": schema})


@router.get(
    "/problemen/{slug}",
    name="problem_type",
    tags=["systeem"],
    summary="Uitleg bij een probleemtype (de type-URI van elke fout)",
    response_model=None,
    responses={200: {"model": ProblemType}, **problem_responses(404, 422)},
)
def problem_type(slug: str) -> Response:
    kind = KINDS.get(slug)
    if kind is None:
        raise ApiProblem("niet-gevonden", f"Probleemtype '{slug}' bestaat niet.")
    return JsonResponse(
        {
            "type": slug,
            "title": kind.title,
            "status": kind.status or None,
            "explanation": kind.explanation,
        }
    )


RESOURCES = (
    router,
    catalogue.router,
    registrations.router,
    inventory.router,
    risk_exit.router,
    justifications.router,
    notifications.router,
    declared_evidence.router,
    dossier.router,
    monitoring.router,
    portfolio.router,
    audit.router,
)
for resource in RESOURCES[1:]:
    router.include_router(resource)


async def unknown_address(request: Request, path: str) -> Response:
    """Every other /api/v1 address: 405 (with Allow) when another method would do, else 404."""
    allowed: set[str] = set()
    for resource in RESOURCES:
        for route in resource.routes:
            if (
                isinstance(route, APIRoute)
                and route.endpoint is not unknown_address
                and route.path_regex.match("/" + path)
            ):
                allowed |= route.methods or set()
    if allowed:
        methods = ", ".join(sorted(allowed))
        raise ApiProblem(
            "methode-niet-toegestaan",
            f"{request.method} kan niet op {request.url.path}; wel: {methods}.",
            headers={"Allow": methods},
        )
    raise ApiProblem(
        "niet-gevonden",
        f"Het adres {request.url.path} bestaat niet in de API. Alle adressen staan in "
        f"{request.app.openapi_url}.",
    )


class UnservedPath(PathConvertor):
    """Any path except ``docs``: the Swagger UI page (server/api_docs.py) is included after the
    API router, so the catch-all below must leave /api/v1/docs to it."""

    regex = "(?!docs$).*"


register_url_convertor("unserved", UnservedPath())
router.add_api_route(  # last, so it only gets what no other route serves
    "/{path:unserved}",
    unknown_address,
    methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    include_in_schema=False,
)
