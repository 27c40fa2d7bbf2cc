"""Organisations and providers: what the acting user may see, with counts and ownership chains."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from cloudtoets.api import queries
from cloudtoets.api.encoding import JsonResponse
from cloudtoets.api.problems import ProblemRoute, problem_responses
from cloudtoets.api.schemas import OrganisationList, OrganisationOut, ProviderList, ProviderOut
from cloudtoets.http.deps import ActorDep, RegisterDep

router = APIRouter(route_class=ProblemRoute, default_response_class=JsonResponse)


@router.get(
    "/organisations",
    tags=["organisaties"],
    summary="Organisaties die u mag zien, met het aantal registraties per oordeel",
    response_model=None,
    responses={200: {"model": OrganisationList}, **problem_responses()},
)
def list_organisations(register: RegisterDep, actor: ActorDep) -> Response:
    items = queries.organisations(register, actor)
    return JsonResponse({"items": items, "total": len(items)})


@router.get(
    "/organisations/{organisation_id}",
    tags=["organisaties"],
    summary="Eén organisatie, met het aantal registraties per oordeel",
    response_model=None,
    responses={200: {"model": OrganisationOut}, **problem_responses(404, 422)},
)
def get_organisation(organisation_id: str, register: RegisterDep, actor: ActorDep) -> Response:
    return JsonResponse(queries.organisation(register, actor, organisation_id))


@router.get(
    "/providers",
    tags=["leveranciers"],
    summary="Leveranciers: de ingebouwde catalogus en de eigen leveranciers van uw organisaties",
    description="Elke leverancier met haar eigendomsketen en de landen daarvan. `source` is "
    '`"catalogue"` voor de ingebouwde catalogus, anders de organisatie die de leverancier zelf '
    "heeft opgenomen (die gaat voor die organisatie voor op de catalogus).",
    response_model=None,
    responses={200: {"model": ProviderList}, **problem_responses()},
)
def list_providers(register: RegisterDep, actor: ActorDep) -> Response:
    items = queries.providers(register, actor)
    return JsonResponse({"items": items, "total": len(items)})


@router.get(
    "/providers/{provider_id}",
    tags=["leveranciers"],
    summary="Eén leverancier met haar eigendomsketen",
    description="Met `organisation`: de leverancier zoals de registraties van die organisatie "
    "worden getoetst (eigen definitie, anders de catalogus). Zonder: de catalogus, anders de "
    "eerste organisatie die de leverancier zelf heeft opgenomen.",
    response_model=None,
    responses={200: {"model": ProviderOut}, **problem_responses(404, 422)},
)
def get_provider(
    provider_id: str,
    register: RegisterDep,
    actor: ActorDep,
    organisation: Annotated[
        str | None, Query(description="Bekijk de leverancier zoals deze organisatie haar ziet")
    ] = None,
) -> Response:
    return JsonResponse(queries.provider(register, actor, provider_id, organisation))
