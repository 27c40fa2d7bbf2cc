"""The providers: the built-in catalogue with ownership chains, and the organisations' own."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.services.organisations import visible_organisations
from cloudtoets.services.providers import catalogue_views, own_provider_views, uncertain_notes
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.templating import render

router = APIRouter(route_class=WebRoute)


@router.get("/leveranciers", name="web_providers")
def providers(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    catalogue = sorted(
        catalogue_views(register.policy.parameters.eea),
        key=lambda v: v.provider.display_name.casefold(),
    )
    own = sorted(
        own_provider_views(register, actor),
        key=lambda v: (v.organisation or "", v.provider.display_name.casefold()),
    )
    context = {
        "catalogue": catalogue,
        "own": own,
        "organisation_names": {o.id: o.name for o in visible_organisations(register, actor)},
        "outside_count": sum(1 for v in catalogue if v.outside_eea),
        # what the catalogue could not confirm about the entities an own provider's chain uses
        "own_notes": {(v.organisation, v.provider.id): uncertain_notes([v]) for v in own},
    }
    return render(request, "pages/providers.html", context, section="providers")
