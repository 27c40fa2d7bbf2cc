"""Organisations and providers: what the acting user may see, with counts and ownership chains."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from cloudtoets.api.encoding import JsonResponse
from cloudtoets.api.problems import ProblemRoute, problem_responses
from cloudtoets.api.schemas import OrganisationList, OrganisationOut, ProviderList, ProviderOut
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.services import organisations
from cloudtoets.services.providers import (
    ProviderView,
    catalogue_views,
    find_provider,
    own_provider_views,
)

router = APIRouter(route_class=ProblemRoute, default_response_class=JsonResponse)


def provider_body(view: ProviderView) -> dict[str, Any]:
    """A provider as ProviderOut: ``source`` is "catalogue" or the organisation that defined it."""
    provider, entry = view.provider, view.entry
    return {
        "id": provider.id,
        "name": provider.name,
        "country": provider.country,
        "headquarters": provider.headquarters,
        "parent": provider.parent,
        "subprocessors": list(provider.subprocessors),
        "chain": [p.id for p in view.chain],
        "subprocessor_chains": [[p.id for p in chain] for chain in view.subprocessor_chains],
        "jurisdictions": view.jurisdictions,
        "outside_eea": view.outside_eea,
        "source": view.organisation or "catalogue",
        "kind": entry.kind if entry else None,
        "services": entry.services if entry else (),
        "reference": entry.source if entry else None,
        "checked": entry.checked if entry else None,
        "note": entry.note if entry else None,
        "uncertain": entry.uncertain if entry else None,
    }


@router.get(
    "/organisations",
    tags=["organisaties"],
    summary="Organisaties die u mag zien, met het aantal registraties per oordeel",
    response_model=None,
    responses={200: {"model": OrganisationList}, **problem_responses()},
)
def list_organisations(register: RegisterDep, actor: ActorDep) -> Response:
    items = organisations.organisation_summaries(register, actor)
    return JsonResponse({"items": items, "total": len(items)})


@router.get(
    "/organisations/{organisation_id}",
    tags=["organisaties"],
    summary="Eén organisatie, met het aantal registraties per oordeel",
    response_model=None,
    responses={200: {"model": OrganisationOut}, **problem_responses(404, 422)},
)
def get_organisation(organisation_id: str, register: RegisterDep, actor: ActorDep) -> Response:
    return JsonResponse(organisations.organisation_summary(register, actor, organisation_id))


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
    views = [*catalogue_views(register.policy.parameters.eea), *own_provider_views(register, actor)]
    return JsonResponse({"items": [provider_body(v) for v in views], "total": len(views)})


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
    return JsonResponse(provider_body(find_provider(register, actor, provider_id, organisation)))
