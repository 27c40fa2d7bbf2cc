"""All HTML routes: one module per page group, the 404 page for every other address last."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from cloudtoets.http.deps import refuse_control_characters
from cloudtoets.web import (
    account_admin,
    accounts,
    audit,
    declared_evidence,
    dossier,
    editing,
    justifications,
    monitoring,
    notifications,
    oidc,
    overview,
    pages,
    portfolio,
    providers,
    registrations,
    risk_exit,
    transfer,
)
from cloudtoets.web.errors import WebRoute

router = APIRouter(
    include_in_schema=False,
    route_class=WebRoute,
    dependencies=[Depends(refuse_control_characters)],
)

# editing first: /registraties/nieuw is not a registration id
for module in (
    accounts,
    oidc,
    overview,
    editing,
    registrations,
    risk_exit,
    transfer,
    providers,
    pages,
):
    router.include_router(module.router, include_in_schema=False)
router.include_router(monitoring.router, include_in_schema=False)
router.include_router(portfolio.router, include_in_schema=False)
router.include_router(justifications.router, include_in_schema=False)
router.include_router(notifications.router, include_in_schema=False)
router.include_router(declared_evidence.router, include_in_schema=False)
router.include_router(dossier.router, include_in_schema=False)
router.include_router(audit.router, include_in_schema=False)
router.include_router(account_admin.router, include_in_schema=False)
pages.add_catch_all(router)
