"""The providers: the built-in catalogue with ownership chains, and the organisations' own."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from cloudtoets.catalogue import CatalogueEntry, catalogue_directory, catalogue_entries
from cloudtoets.domain.model import Provider
from cloudtoets.domain.providers import ProviderDirectory
from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.presentation import texts
from cloudtoets.web import queries
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.templating import render

router = APIRouter(route_class=WebRoute)


@dataclass(frozen=True, slots=True)
class ProviderView:
    provider: Provider
    chain: list[Provider]  # the provider itself first, the ultimate parent last
    outside_eea: list[str]  # countries in the chain outside the EEA
    entry: CatalogueEntry | None = None
    organisation: str | None = None


def _view(
    directory: ProviderDirectory,
    provider: Provider,
    entry: CatalogueEntry | None = None,
    organisation: str | None = None,
) -> ProviderView:
    try:
        chain = list(directory.chain(provider.id))
    except (KeyError, ValueError):
        chain = [provider]
    countries = sorted({p.country for p in chain if texts.outside_eea(p.country)})
    return ProviderView(provider, chain, countries, entry, organisation)


@router.get("/leveranciers", name="web_providers")
def providers(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    directory = catalogue_directory()
    catalogue = [
        _view(directory, entry.as_provider(), entry=entry)
        for entry in sorted(catalogue_entries(), key=lambda e: e.name.casefold())
    ]
    organisations = {o.id: o.name for o in queries.organisations(register, actor)}
    own: list[ProviderView] = []
    for organisation_id, items in sorted(queries.own_providers(register, actor).items()):
        own_directory = catalogue_directory(items)
        own += [
            _view(own_directory, p, organisation=organisation_id)
            for p in sorted(items, key=lambda p: p.display_name.casefold())
        ]
    context = {
        "catalogue": catalogue,
        "own": own,
        "organisation_names": organisations,
        "outside_count": sum(1 for v in catalogue if v.outside_eea),
    }
    return render(request, "pages/leveranciers.html", context, section="leveranciers")
