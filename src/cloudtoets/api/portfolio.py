"""The portfolio (figures, concentration, scenarios) and the impact of a policy before adoption.

CIO Rijk and auditors get every organisation; an organisation's users get their own. A role
without access to register content (the administrator) gets 403; an organisation one may not
see, or that does not exist, 404. Verdicts are re-evaluated for the as-of date asked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile
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
from cloudtoets.api.schemas import IsoDate
from cloudtoets.domain.countries import ISO_COUNTRY_CODES
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.problems import InputError
from cloudtoets.services import inventory_check, uploads
from cloudtoets.services import portfolio as service
from cloudtoets.services.context import Register
from cloudtoets.services.monitoring import check_as_of

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
MAX_SCENARIO = 20  # providers or countries in one scenario


def _day(name: str, day: dt.date) -> dt.date:
    try:
        check_as_of(day)
    except ValueError as error:
        raise invalid_query(name, str(error)) from None
    return day


def _policy(register: Register, name: str, policy_id: str | None) -> Any:
    """The policy (services/inventory_check.py), or a Dutch 422 naming the parameter."""
    try:
        return inventory_check.chosen_policy(register, policy_id)
    except inventory_check.UnknownPolicy as unknown:
        raise invalid_query(name, str(unknown)) from None


PORTFOLIO_DESCRIPTION = (
    "De cijfers van het portfolio, met de oordelen opnieuw bepaald voor de peildatum: "
    "registraties per inzetmodel (ook `unknown`: onbekend), per oordeel, materieel gebruik "
    "(`yes`, `no`, `unknown`), en de concentratie per moederbedrijf (het laatste bedrijf in de "
    "eigendomsketen van de leverancier), per leverancier met wie het contract is en per land in "
    "de keten, elk met registraties, materieel gebruik en gebruik door vitale of essentiële "
    "organisaties; de Herfindahl-Hirschman-index (0-10.000) van materieel gebruik per "
    "moederbedrijf (met `compare_as_of` ook de verandering); de overgangstermijnen per kwartaal; "
    "welke leverancier bij wegvallen het meeste materiële gebruik raakt (`ranking`). Met "
    "`without` (een leverancier, op elk niveau van de keten) of `without_country` (een land in "
    "de keten) komt er een `scenario` bij: welke registraties, hoeveel materieel, welke "
    "organisaties, hoeveel bij vitale of essentiële organisaties en hoeveel met een geteste "
    "noodexit. Beide mogen vaker: het scenario telt dan alles wat een van hen raakt."
)


@router.get(
    "/portfolio",
    summary="Het portfolio: inzetmodel, oordelen, concentratie en scenario's",
    description=PORTFOLIO_DESCRIPTION,
    response_model=None,
    responses=problem_responses(403, 404, 422),
)
async def get_portfolio(
    register: RegisterDep,
    actor: ActorDep,
    organisation: Organisation = None,
    as_of: AsOf = None,
    compare_as_of: Annotated[
        IsoDate | None,
        Query(description="Tweede peildatum: de Herfindahl-Hirschman-index op die dag"),
    ] = None,
    policy: Annotated[
        str | None,
        Query(description="Een ingebouwd beleid (id); standaard het beleid van het register"),
    ] = None,
    without: Annotated[
        list[str] | None,
        Query(
            max_length=MAX_SCENARIO,
            description="Scenario: deze leverancier (id) valt weg, op elk niveau van de keten",
        ),
    ] = None,
    without_country: Annotated[
        list[str] | None,
        Query(
            max_length=MAX_SCENARIO,
            description="Scenario: het recht van dit land (ISO-code) reikt tot de data",
        ),
    ] = None,
) -> Response:
    day = _day("as_of", as_of or register.today())
    second = _day("compare_as_of", compare_as_of) if compare_as_of is not None else None
    chosen = _policy(register, "policy", policy)
    countries = [c.upper() for c in without_country or []]
    for country in countries:
        if country not in ISO_COUNTRY_CODES:
            raise invalid_query(
                "without_country",
                f"onbekende landcode '{country}'; gebruik een ISO-code zoals US of CN",
            )

    def compute() -> dict[str, object]:
        source = service.source_from_register(register, actor, organisation)
        known = source.known_providers()
        for provider in without or []:
            if provider not in known:
                raise invalid_query(
                    "without", f"leverancier '{provider}' staat niet in de catalogus"
                )
        found = service.portfolio(
            source,
            chosen,
            day,
            organisation=organisation,
            without=without or [],
            without_country=countries,
            compare_as_of=second,
        )
        return service.portfolio_json(found)

    return JsonResponse(await run_in_threadpool(compute))


@router.get(
    "/policy-impact",
    summary="Wat verandert er met een ander beleid, voordat het geldt?",
    description="Toetst de registraties die u mag zien (of van één organisatie) aan twee "
    "ingebouwde beleidsversies op de peildatum: hoeveel registraties een ander oordeel krijgen "
    "(`changed`), van welk oordeel naar welk (`transitions`), per organisatie "
    "(`per_organisation`) en welke (`changes`: registratie, `from`, `to`).",
    response_model=None,
    responses=problem_responses(403, 404, 422),
)
async def get_policy_impact(
    register: RegisterDep,
    actor: ActorDep,
    base: Annotated[str, Query(description="Het huidige beleid: een ingebouwd beleid (id)")],
    other: Annotated[str, Query(description="Het nieuwe beleid: een ingebouwd beleid (id)")],
    organisation: Organisation = None,
    as_of: AsOf = None,
) -> Response:
    day = _day("as_of", as_of or register.today())
    base_policy = _policy(register, "base", base)
    other_policy = _policy(register, "other", other)

    def compute() -> dict[str, object]:
        source = service.source_from_register(register, actor, organisation)
        return _impact(source, base_policy, other_policy, day, organisation)

    return JsonResponse(await run_in_threadpool(compute))


def _impact(
    source: Any, base: Any, other: Any, day: dt.date, organisation: str | None
) -> dict[str, object]:
    found = service.policy_impact(source, base, other, day, organisation=organisation)
    return service.policy_impact_json(found)


def _uploaded_policy(filename: str, data: bytes) -> Any:
    """The uploaded policy, or a Dutch 422 with every problem and where it is."""
    try:
        return uploads.read_policy_bounded(filename, data)
    except InputError as error:
        raise invalid(
            problem_items(error.problems),
            f"{counted(len(error.problems))} gevonden in het beleidsbestand {filename}. "
            "Er is niets vergeleken. Herstel het bestand en stuur het opnieuw; "
            "`cloudtoets policy validate` controleert het ook.",
        ) from None


@router.post(
    "/policy-impact",
    summary="Wat verandert er met een eigen beleidsbestand, voordat het geldt?",
    description="Als `GET /policy-impact`, maar het nieuwe beleid is een bestand dat u meestuurt "
    "(multipart, veld `file`: YAML of JSON, zoals `cloudtoets policy validate` het leest). Een "
    "variant mag met `extends` voortbouwen op een ingebouwd beleid (niet op een ander bestand) "
    "en heeft na het samenvoegen hoogstens 200 regels. Het huidige beleid is `base` (een "
    "ingebouwd beleid), standaard het beleid van het register. Een ongeldig bestand: 422 met "
    "elk probleem en waar het staat; een te groot bestand: 413. `warnings` noemt wat mag maar "
    "waarschijnlijk niet zo bedoeld is, zoals `policy validate` (een kale lijst die meer dan de "
    "helft van de geërfde lijst weglaat).",
    response_model=None,
    responses=problem_responses(403, 404, 413, 422),
)
async def post_policy_impact(
    register: RegisterDep,
    actor: ActorDep,
    file: Annotated[
        UploadFile, File(description="Het nieuwe beleid: een beleidsbestand (.yaml, .yml, .json)")
    ],
    base: Annotated[
        str | None,
        Query(
            description="Het huidige beleid: een ingebouwd beleid (id); standaard dat van het "
            "register"
        ),
    ] = None,
    organisation: Organisation = None,
    as_of: AsOf = None,
) -> Response:
    day = _day("as_of", as_of or register.today())
    base_policy = _policy(register, "base", base)
    limit = register.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise BodyTooLarge(limit)
    filename = Path(file.filename or "beleid.yaml").name
    # who may see what first: a role without register content gets 403 whatever it sends
    source = await run_in_threadpool(service.source_from_register, register, actor, organisation)
    other_policy = await run_in_threadpool(_uploaded_policy, filename, data)
    found = await run_in_threadpool(_impact, source, base_policy, other_policy, day, organisation)
    # what `cloudtoets policy validate` warns about: allowed, but probably not meant
    return JsonResponse({**found, "warnings": problem_items(other_policy.warnings)})
