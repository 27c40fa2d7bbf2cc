"""All HTML routes: one module per page group, the 404 page for every other address last."""

from __future__ import annotations

from fastapi import APIRouter

from cloudtoets.web import (
    accounts,
    editing,
    oidc,
    overview,
    pages,
    providers,
    registrations,
    transfer,
)
from cloudtoets.web.errors import WebRoute

router = APIRouter(include_in_schema=False, route_class=WebRoute)

# editing first: /registraties/nieuw is not a registration id
for module in (accounts, oidc, overview, editing, registrations, transfer, providers, pages):
    router.include_router(module.router, include_in_schema=False)
pages.add_catch_all(router)
