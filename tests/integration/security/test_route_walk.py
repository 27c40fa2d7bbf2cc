"""Every route of the app, called as every demo account and as nobody, against a declared policy.

The routes come from the app itself (``app.routes``), so a new route is walked without anyone
remembering it; a route that ``POLICY`` does not classify fails ``test_every_route_is_classified``
and its own walk with a message naming it. For each route and each caller the path is filled with
an object of ``fin`` and of ``uwv`` (and, for lists, no filter at all). Web routes are called with
the account's session cookie (and the session's CSRF token on unsafe methods), API routes with a
personal bearer token.

Besides the status, every response is searched for registration ids (and own providers) of the
organisations the caller may not see, and every call that is not an allowed write must leave the
register as it was (registrations, their versions and the audit trail).

ASVS: v5.0.0-8.2.1 (function-level access: every route needs its role), v5.0.0-8.2.2
(data-specific access: no IDOR/BOLA), v5.0.0-8.3.1 (enforced at the trusted service layer),
v5.0.0-8.4.1 (cross-tenant controls).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from starlette.routing import BaseRoute, Mount

from cloudtoets.api.routes import unknown_address
from cloudtoets.catalogue import catalogue_entries
from cloudtoets.config import Settings
from cloudtoets.domain.serialise import jsonable
from cloudtoets.server.app import create_app
from cloudtoets.services import accounts
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.context import Register
from cloudtoets.services.uow import system_session
from cloudtoets.services.workflow_projection import EMPTY_EVIDENCE
from cloudtoets.store.tables import ProviderRow
from cloudtoets.web.forms import values_from_registration
from cloudtoets.web.pages import not_found
from cloudtoets.web.transfer import pack

from . import account_walk, declared_walk, risk_exit_walk, workflow_walk
from .conftest import (
    API,
    OPERATOR,
    ORIGIN,
    PRINCIPALS,
    SESSION_COOKIE,
    LoggedIn,
    Principal,
    bearer,
    browser,
    inventory_file,
    log_in,
    registration_ids,
    snapshot,
    stored,
    token_for,
    version_of,
)

# ------------------------------------------------------------------------------ the policy


class Kind(StrEnum):
    PUBLIC = "public"  # no login needed, no register content (health, docs, login page)
    LOGIN = "login"  # the login form's POST
    LOGOUT = "logout"
    SELF = "self"  # the caller's own account (page, new personal token)
    PAGE = "page"  # needs a login, shows no register content by itself (empty forms)
    LIST = "list"  # register content, scoped to what the caller may see (lists, counts, exports)
    COMPUTE = "compute"  # evaluates what the caller sends, reads and stores nothing of the register
    READ = "read"  # one object of one organisation
    WRITE = "write"  # changes one object of one organisation
    # the form that changes or deletes one object: only its editor gets it; who may read the
    # object but not change it gets the 403 page (not a form whose POST would be refused)
    FORM = "form"
    CREATE = "create"  # adds an object to the organisation named in the body
    PREVIEW = "preview"  # dry run of an import: stores nothing
    IMPORT = "import"  # stores an inventory of one organisation
    OIDC = "oidc"  # the OpenID Connect handshake: 404 while OpenID Connect is off (as here)
    # figures across organisations: one's own, or every one for central roles; 403 for a role
    # without register content, 404 for an organisation one may not see
    MONITOR = "monitor"
    # accepts on behalf of the responsible official: only the organisation's approver
    APPROVE = "approve"
    # a step of CIO Rijk on an organisation's notification (receive, comment, question, close)
    HANDLE = "handle"
    # stores a notification package another installation signed: CIO Rijk only
    RECEIVE = "receive"
    # the audit log: the auditor only; every other role 403
    AUDIT = "audit"
    # account management: the administrator only (its POSTs change accounts); others 403
    ACCOUNTS = "accounts"
    # a change to the caller's own account (password, second factor, own tokens and sessions)
    OWN = "own"
    # the second step of a login: without a login waiting for its code, back to the login page
    CODE = "code"


ORGANISATIONS = ("fin", "uwv")
READ_TARGET = {"fin": "fin-m365-mail", "uwv": "uwv-m365-mail"}
CATALOGUE_PROVIDER = "microsoft-ireland"
# fixed help texts of the form that happen to name a demo id (web/fields.py, web/forms.py)
HELP_TEXT_EXAMPLES = ("bijvoorbeeld fin-m365-mail",)

# Expected statuses per kind and relation (conftest.Principal.relation):
#   editor   = editor of the object's organisation      member  = its viewer or approver
#   stranger = any account of another organisation      central = cio-rijk, auditor
#   admin    = beheerder (accounts, no register content)
# "ok" is the route's own success status, only for the editor of the same organisation.
# Anonymous gets 401 on the API and 303 to /inloggen on pages for every kind but PUBLIC/OIDC.
RELATIONS = ("anonymous", "editor", "member", "central", "stranger", "admin")
LOGGED_IN_200 = {relation: {200} for relation in RELATIONS if relation != "anonymous"}
READERS_200 = {"editor": {200}, "member": {200}, "central": {200}}
DENIED_WRITE = {"member": {403}, "central": {403}, "stranger": {404}, "admin": {403, 404}}
EXPECTED: dict[Kind, dict[str, set[int] | str]] = {
    Kind.PUBLIC: {relation: {200} for relation in RELATIONS},
    Kind.OIDC: {relation: {404} for relation in RELATIONS},
    Kind.SELF: LOGGED_IN_200,
    Kind.PAGE: LOGGED_IN_200,
    Kind.LIST: LOGGED_IN_200,  # 200 for all, but never another organisation's content
    Kind.COMPUTE: LOGGED_IN_200,
    Kind.READ: {**READERS_200, "stranger": {404}, "admin": {404}},
    Kind.WRITE: {**DENIED_WRITE, "editor": "ok"},
    Kind.FORM: {**DENIED_WRITE, "editor": {200}, "admin": {404}},
    # creating for an organisation one may not see reads like an unknown organisation (422)
    Kind.CREATE: {**DENIED_WRITE, "editor": "ok", "stranger": {404, 422}, "admin": {403, 404, 422}},
    # a dry run: whoever may read the organisation sees what an import would do; others get
    # the refusal as a problem of the file (API: 200 with ok false; web: 422)
    Kind.PREVIEW: {**READERS_200, "stranger": "refused", "admin": "refused"},
    # another organisation's editor: 422 (a problem of the file); its other roles: 403 first
    Kind.IMPORT: {**DENIED_WRITE, "editor": "ok", "stranger": {403, 422}, "admin": {403}},
    Kind.MONITOR: {**READERS_200, "stranger": {404}, "admin": {403}},
    # "approver": the approver of the object's organisation (for this kind not a "member")
    Kind.APPROVE: {**DENIED_WRITE, "editor": {403}, "approver": "ok"},
    # "handler": CIO Rijk (for these kinds not "central", which the auditor stays)
    Kind.HANDLE: {**DENIED_WRITE, "editor": {403}, "handler": "ok"},
    Kind.RECEIVE: {
        **{relation: {403} for relation in RELATIONS if relation != "anonymous"},
        "handler": "ok",
    },
    # "auditor": the auditor (for this kind not "central", which CIO Rijk stays)
    Kind.AUDIT: {
        **{relation: {403} for relation in RELATIONS if relation != "anonymous"},
        "auditor": {200},
    },
    Kind.ACCOUNTS: {
        **{relation: {403} for relation in RELATIONS if relation != "anonymous"},
        "admin": "ok",
    },
    Kind.OWN: {relation: "ok" for relation in RELATIONS if relation != "anonymous"},
    Kind.CODE: {relation: {303} for relation in RELATIONS},
}
CHANGES = {Kind.WRITE, Kind.CREATE, Kind.IMPORT}


@dataclass(frozen=True, slots=True)
class Target:
    """The object a call is about: a registration of one organisation, or nothing (None)."""

    organisation: str | None
    registration: str | None = None


@dataclass
class Call:
    method: str
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] | None = None
    json: Any = None
    files: dict[str, Any] | None = None
    mentions: set[str] = field(default_factory=set)  # foreign ids the caller itself sent
    new_id: str | None = None


Build = Callable[["Walk", Call, Target, Principal], None]


def _nothing(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    return None


@dataclass(frozen=True)
class Rule:
    kind: Kind
    ok: set[int] = field(default_factory=lambda: {200})
    build: Build = _nothing
    # LIST routes with an organisation filter are walked with fin, uwv and without filter
    filtered: bool = False
    query: Callable[[Target], dict[str, Any]] = lambda target: {}
    overrides: dict[str, set[int]] = field(default_factory=dict)
    # a web page that refuses every account without this role first (403 whatever the object,
    # so it tells nothing about another organisation; web/security.requires)
    role_first: str | None = None


_numbers = itertools.count(1)


def _if_match(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    assert target.registration is not None
    call.headers["If-Match"] = f'"v{version_of(walk.register, target.registration)}"'


def _api_replace(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    _if_match(walk, call, target, principal)
    assert target.registration is not None
    body = jsonable(stored(walk.register, target.registration).registration)
    call.json = {**body, "name": f"Gewijzigd via de API door {principal.name}"}


def _new_id(target: Target) -> str:
    return f"{target.registration}-walk-{next(_numbers)}"


def _api_create(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    assert target.registration is not None
    body = jsonable(stored(walk.register, target.registration).registration)
    call.new_id = _new_id(target)
    # without the evidence: that comes only from the workflows (decision 30)
    call.json = {**body, **EMPTY_EVIDENCE, "id": call.new_id, "name": f"Nieuw van {principal.name}"}


def _inventory(walk: Walk, target: Target, principal: Principal, where: str) -> bytes:
    """The target's registration renamed; ``where`` keeps API and page imports apart, so an
    import is a change whichever of the two runs first."""
    assert target.organisation is not None and target.registration is not None
    name = f"Geïmporteerd {where} door {principal.name}"
    return inventory_file(walk.register, target.organisation, target.registration, name)


def _api_upload(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    call.files = {
        "file": (
            "inventaris.json",
            _inventory(walk, target, principal, "via de API"),
            "application/json",
        )
    }


def _api_evaluate_inventory(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    # the caller sends the document itself: fin's registration, so it is not a leak to echo it
    call.json = orjson.loads(inventory_file(walk.register, "fin", READ_TARGET["fin"], "Toets"))
    call.mentions.add(READ_TARGET["fin"])


def _web_edit(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    assert target.registration is not None
    current = stored(walk.register, target.registration)
    values = values_from_registration(current.registration)
    values["name"] = f"Gewijzigd op de pagina door {principal.name}"
    call.data = {**values, "versie": str(current.version)}


def _web_create(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    assert target.registration is not None
    values = values_from_registration(stored(walk.register, target.registration).registration)
    call.new_id = _new_id(target)
    call.data = {**values, "id": call.new_id, "name": f"Nieuw van {principal.name}"}


def _web_delete(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    assert target.registration is not None
    call.data = {"versie": str(version_of(walk.register, target.registration))}


def _web_upload(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    call.files = {
        "bestand": (
            "inventaris.json",
            _inventory(walk, target, principal, "op de pagina"),
            "application/json",
        )
    }


def _web_commit(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    data = _inventory(walk, target, principal, "op de pagina")
    call.data = {"bestand": pack(data), "bestandsnaam": "inventaris.json"}


def _new_token(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    call.data = {"naam": "routewandeling"}


def _allowed(principal: Principal, target: Target, role: str) -> bool:
    """Whether this caller may take the step (so its build may prepare the object)."""
    return principal.organisation == target.organisation and role in principal.roles


def _risk_url(target: Target, number: int, web: bool = False) -> str:
    if web:
        return f"/registraties/{target.registration}/risicoanalyse/{number}/accorderen"
    return f"{R}/{target.registration}/risk-assessments/{number}"


def _api_risk_create(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    assert target.registration is not None
    if _allowed(principal, target, "editor"):
        risk_exit_walk.without_draft(walk.register, target.registration)
    call.json = risk_exit_walk.ASSESSMENT


def _api_risk_replace(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    assert target.registration is not None
    found = risk_exit_walk.newest(walk.register, target.registration)
    call.url = _risk_url(target, found.number)
    call.headers["If-Match"] = f'"v{found.version}"'
    call.json = risk_exit_walk.ASSESSMENT


def _draft_to_accept(walk: Walk, target: Target, principal: Principal) -> Any:
    assert target.registration is not None
    if _allowed(principal, target, "approver"):
        return risk_exit_walk.with_draft(walk.register, target.registration)
    return risk_exit_walk.newest(walk.register, target.registration)


def _api_risk_accept(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    found = _draft_to_accept(walk, target, principal)
    call.url = _risk_url(target, found.number) + "/accept"
    call.headers["If-Match"] = f'"v{found.version}"'
    call.json = risk_exit_walk.ACCEPTANCE


RETURN_REASON = "De DTIA ontbreekt nog."


def _api_risk_return(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    found = _draft_to_accept(walk, target, principal)
    call.url = _risk_url(target, found.number) + "/return"
    call.headers["If-Match"] = f'"v{found.version}"'
    call.json = {"reason": RETURN_REASON}


def _web_risk_return(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    found = _draft_to_accept(walk, target, principal)
    call.url = f"/registraties/{target.registration}/risicoanalyse/{found.number}/terugsturen"
    call.data = {"versie": str(found.version), "reason": RETURN_REASON}


# a variant of the adopted policy, as a user would upload it to compare
POLICY_VARIANT = b"""\
id: routewandeling-variant
extends: rijksbreed-cloudbeleid-2026
title: Variant voor de routewandeling
version: "1"
status: variant
source: test
"""


def _api_policy_upload(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    call.files = {"file": ("variant.yaml", POLICY_VARIANT, "application/yaml")}


def _web_policy_upload(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    call.files = {"bestand": ("variant.yaml", POLICY_VARIANT, "application/yaml")}
    call.data = {"organisatie": target.organisation or ""}


def _plan_if_match(walk: Walk, call: Call, target: Target) -> None:
    assert target.registration is not None
    version = risk_exit_walk.plan_version(walk.register, target.registration)
    call.headers["If-Match"] = f'"v{version}"'


def _api_plan(body: dict[str, Any]) -> Build:
    def build(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
        _plan_if_match(walk, call, target)
        call.json = body

    return build


def _web_risk_edit(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    assert target.registration is not None
    call.data = risk_exit_walk.web_assessment_form(walk.register, target.registration)


def _web_risk_accept(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
    found = _draft_to_accept(walk, target, principal)
    call.url = _risk_url(target, found.number, web=True)
    call.data = {"versie": str(found.version), **risk_exit_walk.ACCEPTANCE}


def _web_plan(form: dict[str, str]) -> Build:
    def build(walk: Walk, call: Call, target: Target, principal: Principal) -> None:
        assert target.registration is not None
        version = risk_exit_walk.plan_version(walk.register, target.registration)
        call.data = {"versie": str(version), **form}

    return build


R = f"{API}/registrations"
POLICY: dict[tuple[str, str], Rule] = {
    # --- API: open
    ("GET", f"{API}/openapi.json"): Rule(Kind.PUBLIC),
    ("GET", f"{API}/docs"): Rule(Kind.PUBLIC),
    ("GET", f"{API}/health"): Rule(Kind.PUBLIC),
    ("GET", f"{API}/health/live"): Rule(Kind.PUBLIC),
    ("GET", f"{API}/health/ready"): Rule(Kind.PUBLIC),
    ("GET", f"{API}/problemen/{{slug}}"): Rule(Kind.PUBLIC),
    # --- API: organisations and providers
    ("GET", f"{API}/organisations"): Rule(Kind.LIST),
    ("GET", f"{API}/organisations/{{organisation_id}}"): Rule(Kind.READ),
    ("GET", f"{API}/providers"): Rule(Kind.LIST),
    ("GET", f"{API}/providers/{{provider_id}}"): Rule(
        Kind.READ, query=lambda t: {"organisation": t.organisation}
    ),
    # --- API: registrations
    ("GET", R): Rule(
        Kind.LIST,
        filtered=True,
        query=lambda t: (
            {"organisation": t.organisation, "page_size": 500}
            if t.organisation
            else {"q": "m365", "page_size": 500}
        ),
    ),
    ("POST", R): Rule(Kind.CREATE, ok={201}, build=_api_create),
    ("GET", f"{R}/{{registration_id}}"): Rule(Kind.READ),
    ("PUT", f"{R}/{{registration_id}}"): Rule(Kind.WRITE, ok={200}, build=_api_replace),
    ("DELETE", f"{R}/{{registration_id}}"): Rule(Kind.WRITE, ok={204}, build=_if_match),
    ("GET", f"{R}/{{registration_id}}/decisions"): Rule(Kind.READ),
    ("GET", f"{R}/{{registration_id}}/history"): Rule(Kind.READ),
    ("GET", f"{R}/{{registration_id}}/dossier.pdf"): Rule(Kind.READ),
    ("POST", f"{R}/{{registration_id}}/evaluate"): Rule(Kind.READ),
    # --- API: inventories
    ("POST", f"{API}/inventory/evaluate"): Rule(Kind.COMPUTE, build=_api_evaluate_inventory),
    ("POST", f"{API}/inventory/import/preview"): Rule(Kind.PREVIEW, build=_api_upload),
    ("POST", f"{API}/inventory/import"): Rule(Kind.IMPORT, ok={200}, build=_api_upload),
    ("GET", f"{API}/inventory/export"): Rule(
        Kind.LIST,
        filtered=True,
        query=lambda t: {
            "format": "json",
            **({"organisation": t.organisation} if t.organisation else {}),
        },
    ),
    # --- web: accounts
    ("GET", "/inloggen"): Rule(Kind.PUBLIC),
    ("POST", "/inloggen"): Rule(Kind.LOGIN),
    # with OpenID Connect on, tests/integration/oidc drives these against a fake provider
    ("GET", "/inloggen/oidc"): Rule(Kind.OIDC),
    ("GET", "/inloggen/oidc/terug"): Rule(Kind.OIDC),
    ("POST", "/uitloggen"): Rule(Kind.LOGOUT),
    ("GET", "/account"): Rule(Kind.SELF),
    ("POST", "/account/tokens"): Rule(Kind.SELF, build=_new_token),
    ("GET", "/toegankelijkheid"): Rule(Kind.PUBLIC),
    ("GET", "/inloggen/code"): Rule(Kind.CODE),
    ("POST", "/inloggen/code"): Rule(Kind.CODE, build=account_walk.wrong_code),
    ("POST", "/account/tokens/{token_id}/intrekken"): Rule(
        Kind.OWN, ok={303}, build=account_walk.own_token
    ),
    ("POST", "/account/sessies/{session_id}/beeindigen"): Rule(
        Kind.OWN, ok={303}, build=account_walk.own_session
    ),
    ("POST", "/account/wachtwoord"): Rule(Kind.OWN, ok={303}, build=account_walk.same_password),
    # a secret to set up (shown, not yet in use); a wrong code confirms or ends nothing
    ("POST", "/account/tweestapsverificatie"): Rule(Kind.OWN, ok={200}),
    ("POST", "/account/tweestapsverificatie/bevestigen"): Rule(
        Kind.OWN, ok={422}, build=account_walk.wrong_code
    ),
    ("POST", "/account/tweestapsverificatie/uitzetten"): Rule(
        Kind.OWN, ok={422}, build=account_walk.wrong_code
    ),
    # --- the audit log (auditor) and account management (administrator)
    ("GET", f"{API}/audit"): Rule(Kind.AUDIT, query=lambda t: {"organisation": "fin"}),
    ("GET", f"{API}/audit/verification"): Rule(Kind.AUDIT),
    ("GET", "/auditlog"): Rule(Kind.AUDIT, query=lambda t: {"organisatie": "fin"}),
    ("GET", "/auditlog/controle"): Rule(Kind.AUDIT),
    ("GET", "/auditlog/export"): Rule(Kind.AUDIT, query=lambda t: {"organisatie": "fin"}),
    ("GET", "/beheer/accounts"): Rule(Kind.ACCOUNTS),
    ("GET", "/beheer/accounts/nieuw"): Rule(Kind.ACCOUNTS),
    ("POST", "/beheer/accounts/nieuw"): Rule(
        Kind.ACCOUNTS, ok={303}, build=account_walk.new_account
    ),
    ("GET", "/beheer/accounts/{username}"): Rule(Kind.ACCOUNTS),
    ("POST", "/beheer/accounts/{username}/rollen"): Rule(
        Kind.ACCOUNTS, ok={303}, build=account_walk.other_name
    ),
    ("POST", "/beheer/accounts/{username}/uitschakelen"): Rule(Kind.ACCOUNTS, ok={303}),
    ("POST", "/beheer/accounts/{username}/inschakelen"): Rule(Kind.ACCOUNTS, ok={303}),
    ("POST", "/beheer/accounts/{username}/wachtwoord"): Rule(
        Kind.ACCOUNTS, ok={303}, build=account_walk.new_password
    ),
    ("POST", "/beheer/accounts/{username}/tweestapsverificatie/uitzetten"): Rule(
        Kind.ACCOUNTS, ok={303}, build=account_walk.with_second_factor
    ),
    ("POST", "/beheer/accounts/{username}/tokens/{token_id}/intrekken"): Rule(
        Kind.ACCOUNTS, ok={303}, build=account_walk.token_to_revoke
    ),
    # --- web: register
    ("GET", "/"): Rule(
        Kind.LIST,
        filtered=True,
        query=lambda t: {"organisatie": t.organisation} if t.organisation else {},
    ),
    ("GET", "/registraties"): Rule(
        Kind.LIST,
        filtered=True,
        query=lambda t: {"organisatie": t.organisation} if t.organisation else {"q": "m365"},
    ),
    ("GET", "/registraties/nieuw"): Rule(Kind.PAGE, role_first="editor"),
    ("POST", "/registraties/nieuw"): Rule(
        Kind.CREATE, ok={303}, build=_web_create, role_first="editor"
    ),
    ("GET", "/registraties/{registration_id}"): Rule(Kind.READ),
    ("GET", "/registraties/{registration_id}/dossier.pdf"): Rule(Kind.READ),
    ("GET", "/registraties/{registration_id}/bewerken"): Rule(Kind.FORM),
    ("POST", "/registraties/{registration_id}/bewerken"): Rule(
        Kind.WRITE, ok={303}, build=_web_edit, role_first="editor"
    ),
    ("GET", "/registraties/{registration_id}/verwijderen"): Rule(Kind.FORM),
    ("POST", "/registraties/{registration_id}/verwijderen"): Rule(
        Kind.WRITE, ok={303}, build=_web_delete, role_first="editor"
    ),
    ("GET", "/importeren"): Rule(Kind.PAGE, role_first="editor"),
    ("GET", "/importeren/sjabloon"): Rule(Kind.PAGE),  # the empty workbook: no register content
    ("POST", "/importeren"): Rule(Kind.PREVIEW, build=_web_upload, role_first="editor"),
    # 200: the page after an import with notes (evidence stored as te bevestigen); else 303
    ("POST", "/importeren/bevestigen"): Rule(
        Kind.IMPORT, ok={200, 303}, build=_web_commit, role_first="editor"
    ),
    ("GET", "/exporteren"): Rule(
        Kind.LIST,
        filtered=True,
        query=lambda t: {"organisatie": t.organisation} if t.organisation else {},
    ),
    # the export of an organisation one may not see is refused as a form error (422)
    ("GET", "/exporteren/bestand"): Rule(
        Kind.LIST,
        filtered=True,
        query=lambda t: {
            "formaat": "json",
            **({"organisatie": t.organisation} if t.organisation else {}),
        },
        overrides={"stranger": {422}, "admin": {422}},
    ),
    ("GET", "/leveranciers"): Rule(Kind.LIST),
    # --- monitoring, reports and reminders
    **{
        ("GET", path): Rule(
            Kind.MONITOR,
            filtered=True,
            query=lambda t: {"organisation": t.organisation} if t.organisation else {},
        )
        for path in (
            f"{API}/monitoring",
            f"{API}/monitoring/report.pdf",
            f"{API}/monitoring/report.xlsx",
            f"{API}/reminders",
            f"{API}/portfolio",
        )
    },
    ("GET", f"{API}/policy-impact"): Rule(
        Kind.MONITOR,
        filtered=True,
        query=lambda t: {
            "base": "rijksbreed-cloudbeleid-2026",
            "other": "rijksbreed-cloudbeleid-2026-eer-ch",
            **({"organisation": t.organisation} if t.organisation else {}),
        },
    ),
    **{
        ("GET", path): Rule(
            Kind.MONITOR,
            filtered=True,
            query=lambda t: {"organisatie": t.organisation} if t.organisation else {},
        )
        for path in (
            "/monitoring",
            "/monitoring/rapport.pdf",
            "/monitoring/rapport.xlsx",
            "/portfolio",
            "/portfolio/beleid",
        )
    },
    ("POST", f"{API}/policy-impact"): Rule(
        Kind.MONITOR,
        filtered=True,
        build=_api_policy_upload,
        query=lambda t: {"organisation": t.organisation} if t.organisation else {},
    ),
    # the organisation comes with the form; a file is compared whatever the web page shows
    ("POST", "/portfolio/beleid"): Rule(Kind.MONITOR, filtered=True, build=_web_policy_upload),
    # --- risk assessments and exit plans
    ("GET", f"{R}/{{registration_id}}/risk-assessments"): Rule(Kind.READ),
    ("POST", f"{R}/{{registration_id}}/risk-assessments"): Rule(
        Kind.WRITE, ok={201}, build=_api_risk_create
    ),
    ("GET", f"{R}/{{registration_id}}/risk-assessments/{{number}}"): Rule(Kind.READ),
    ("PUT", f"{R}/{{registration_id}}/risk-assessments/{{number}}"): Rule(
        Kind.WRITE, ok={200, 201}, build=_api_risk_replace
    ),
    ("POST", f"{R}/{{registration_id}}/risk-assessments/{{number}}/accept"): Rule(
        Kind.APPROVE, build=_api_risk_accept
    ),
    ("POST", f"{R}/{{registration_id}}/risk-assessments/{{number}}/return"): Rule(
        Kind.APPROVE, build=_api_risk_return
    ),
    ("POST", "/registraties/{registration_id}/risicoanalyse/{number}/terugsturen"): Rule(
        Kind.APPROVE, ok={303}, build=_web_risk_return, role_first="approver"
    ),
    ("GET", f"{R}/{{registration_id}}/exit-plan"): Rule(Kind.READ),
    ("PUT", f"{R}/{{registration_id}}/exit-plan"): Rule(
        Kind.WRITE, build=_api_plan(risk_exit_walk.PLAN)
    ),
    ("POST", f"{R}/{{registration_id}}/exit-plan/test"): Rule(
        Kind.WRITE, build=_api_plan(risk_exit_walk.TEST)
    ),
    ("POST", f"{R}/{{registration_id}}/exit-plan/review"): Rule(
        Kind.WRITE, build=_api_plan(risk_exit_walk.REVIEW)
    ),
    ("GET", "/registraties/{registration_id}/risicoanalyse"): Rule(Kind.READ),
    ("GET", "/registraties/{registration_id}/risicoanalyse/bewerken"): Rule(Kind.READ),
    ("POST", "/registraties/{registration_id}/risicoanalyse/bewerken"): Rule(
        Kind.WRITE, ok={303}, build=_web_risk_edit, role_first="editor"
    ),
    ("GET", "/registraties/{registration_id}/risicoanalyse/{number}"): Rule(Kind.READ),
    ("POST", "/registraties/{registration_id}/risicoanalyse/{number}/accorderen"): Rule(
        Kind.APPROVE, ok={303}, build=_web_risk_accept, role_first="approver"
    ),
    ("GET", "/registraties/{registration_id}/exitplan"): Rule(Kind.READ),
    ("GET", "/registraties/{registration_id}/exitplan/bewerken"): Rule(Kind.READ),
    ("POST", "/registraties/{registration_id}/exitplan/bewerken"): Rule(
        Kind.WRITE,
        ok={303},
        build=_web_plan(risk_exit_walk.web_plan_form()),
        role_first="editor",
    ),
    ("POST", "/registraties/{registration_id}/exitplan/test"): Rule(
        Kind.WRITE, ok={303}, build=_web_plan(risk_exit_walk.TEST), role_first="editor"
    ),
    ("POST", "/registraties/{registration_id}/exitplan/beoordeling"): Rule(
        Kind.WRITE, ok={303}, build=_web_plan(risk_exit_walk.REVIEW), role_first="editor"
    ),
    # --- justifications (comply or explain) and notifications to CIO Rijk
    ("GET", f"{R}/{{registration_id}}/justifications"): Rule(Kind.READ),
    ("POST", f"{R}/{{registration_id}}/justifications"): Rule(
        Kind.WRITE, ok={201}, build=workflow_walk.propose
    ),
    # declared evidence from an import: the list is the caller's own organisations'; only the
    # organisation's approver confirms (and not who imported it: declared_walk)
    ("GET", f"{API}/declared-evidence"): Rule(Kind.LIST),
    ("POST", f"{API}/declared-evidence/{{kind}}/{{item_id}}/confirm"): Rule(
        Kind.APPROVE, build=declared_walk.confirm_one
    ),
    ("POST", f"{API}/declared-evidence/confirm"): Rule(
        Kind.APPROVE, build=declared_walk.confirm_bulk
    ),
    ("GET", "/te-bevestigen"): Rule(Kind.LIST),
    ("POST", "/te-bevestigen/{kind}/{item_id}/bevestigen"): Rule(
        Kind.APPROVE, ok={303}, build=declared_walk.confirm_one, role_first="approver"
    ),
    ("POST", "/te-bevestigen/bevestigen"): Rule(
        Kind.APPROVE, ok={303}, build=declared_walk.confirm_bulk, role_first="approver"
    ),
    ("POST", f"{R}/{{registration_id}}/justifications/{{justification_id}}/accept"): Rule(
        Kind.APPROVE, build=workflow_walk.accept
    ),
    ("POST", f"{R}/{{registration_id}}/justifications/{{justification_id}}/return"): Rule(
        Kind.APPROVE, build=workflow_walk.send_back
    ),
    ("POST", "/registraties/{registration_id}/afwijkingen/{justification_id}/terugsturen"): Rule(
        Kind.APPROVE, ok={303}, build=workflow_walk.send_back, role_first="approver"
    ),
    ("POST", f"{R}/{{registration_id}}/justifications/{{justification_id}}/withdraw"): Rule(
        Kind.WRITE, build=workflow_walk.withdraw
    ),
    ("GET", f"{API}/deviations"): Rule(Kind.LIST),
    ("GET", f"{API}/notifications"): Rule(
        Kind.LIST,
        filtered=True,
        query=lambda t: {"organisation": t.organisation} if t.organisation else {},
    ),
    ("POST", f"{R}/{{registration_id}}/notifications"): Rule(
        Kind.WRITE, ok={201}, build=workflow_walk.create
    ),
    ("GET", f"{API}/notifications/{{notification_id}}"): Rule(
        Kind.READ, build=workflow_walk.read_notification()
    ),
    ("GET", f"{API}/notifications/{{notification_id}}/package"): Rule(
        Kind.READ, build=workflow_walk.read_notification("/package")
    ),
    ("POST", f"{API}/notifications/import"): Rule(
        Kind.RECEIVE, ok={201}, build=workflow_walk.package
    ),
    ("POST", "/registraties/{registration_id}/meldingen/nieuw"): Rule(
        Kind.WRITE, ok={303}, build=workflow_walk.create, role_first="editor"
    ),
    ("GET", "/registraties/{registration_id}/afwijkingen/nieuw"): Rule(Kind.READ),
    ("POST", "/registraties/{registration_id}/afwijkingen/nieuw"): Rule(
        Kind.WRITE, ok={303}, build=workflow_walk.propose, role_first="editor"
    ),
    ("GET", "/registraties/{registration_id}/afwijkingen/{justification_id}"): Rule(
        Kind.READ, build=workflow_walk.read_justification
    ),
    ("POST", "/registraties/{registration_id}/afwijkingen/{justification_id}/accepteren"): Rule(
        Kind.APPROVE, ok={303}, build=workflow_walk.accept, role_first="approver"
    ),
    ("POST", "/registraties/{registration_id}/afwijkingen/{justification_id}/intrekken"): Rule(
        Kind.WRITE, ok={303}, build=workflow_walk.withdraw, role_first="editor"
    ),
    ("GET", "/afwijkingen"): Rule(Kind.LIST),
    ("GET", "/meldingen"): Rule(
        Kind.LIST,
        filtered=True,
        query=lambda t: {"organisatie": t.organisation} if t.organisation else {},
    ),
    ("GET", "/meldingen/importeren"): Rule(Kind.PAGE),
    ("POST", "/meldingen/importeren"): Rule(
        Kind.RECEIVE, ok={303}, build=workflow_walk.package, role_first="cio-rijk"
    ),
    ("GET", "/meldingen/{notification_id}"): Rule(
        Kind.READ, build=workflow_walk.read_notification()
    ),
    ("GET", "/meldingen/{notification_id}/pakket"): Rule(
        Kind.READ, build=workflow_walk.read_notification("/pakket")
    ),
    **{
        (method, path): Rule(
            kind,
            ok=ok,
            build=workflow_walk.step(role, state, api_name, web_name, text),
            role_first=role if web else None,
        )
        for kind, role, state, api_name, web_name, text in (
            (Kind.WRITE, "editor", "draft", "submit", "indienen", None),
            (Kind.HANDLE, "cio-rijk", "submitted", "receive", "ontvangen", None),
            (Kind.HANDLE, "cio-rijk", "received", "comment", "opmerking", "Dank u."),
            (Kind.HANDLE, "cio-rijk", "received", "question", "vraag", "Is de exit getest?"),
            (Kind.WRITE, "editor", "questions", "answer", "antwoord", "Ja, in oktober."),
            (Kind.HANDLE, "cio-rijk", "received", "close", "afsluiten", None),
        )
        for method, path, ok, web in (
            ("POST", f"{API}/notifications/{{notification_id}}/{api_name}", {200}, False),
            ("POST", f"/meldingen/{{notification_id}}/{web_name}", {303}, True),
        )
    },
}

# (method, path, caller) -> why the current behaviour is a bug to fix in src/
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}

# ------------------------------------------------------------------------------ the routes

# catch-alls that only answer 404/405 for addresses no route serves
CATCH_ALLS = {unknown_address, not_found}


def _flatten(routes: list[BaseRoute]) -> Iterator[Any]:
    """Every route, also inside included routers (FastAPI >= 0.13x keeps those lazily)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: app.routes is already flat
        yield from routes
        return
    yield from iter_route_contexts(routes)


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route of the app, without /static and the catch-all 404s."""
    found: list[tuple[str, str]] = []
    for route in _flatten(app.routes):
        original = getattr(route, "original_route", route)
        if isinstance(original, Mount) or route.endpoint in CATCH_ALLS:
            continue
        for method in sorted(set(route.methods or ()) - {"HEAD"}):
            found.append((method, route.path))
    return found


def _routes_of_a_fresh_app() -> list[tuple[str, str]]:
    register = Register.open(Settings(database_url="sqlite://"))
    try:
        return app_routes(create_app(register=register))
    finally:
        register.close()


ROUTES = _routes_of_a_fresh_app()


def test_every_route_is_classified() -> None:
    unclassified = [f"{method} {path}" for method, path in ROUTES if (method, path) not in POLICY]
    assert not unclassified, (
        "routes without a declared expectation in tests/integration/security/test_route_walk.py "
        f"POLICY (classify each): {unclassified}"
    )
    stale = [f"{m} {p}" for m, p in POLICY if (m, p) not in ROUTES]
    assert not stale, f"POLICY names routes the app no longer has: {stale}"
    # the walk reaches both halves of the app
    assert any(p.startswith(API) for _, p in ROUTES) and any(
        not p.startswith(API) for _, p in ROUTES
    )
    assert len(ROUTES) >= 40


# ------------------------------------------------------------------------------ the walk


@dataclass
class Walk:
    register: Register
    app: FastAPI
    anonymous: TestClient
    sessions: dict[str, LoggedIn]
    tokens: dict[str, str]
    catalogue: set[str]


@pytest.fixture(scope="module")
def walk(shared_register: Register, shared_app: FastAPI) -> Walk:
    sessions = {p.name: log_in(browser(shared_app), p.username) for p in PRINCIPALS if p.username}
    tokens = {
        p.name: token_for(shared_register, p.username, "routewandeling")
        for p in PRINCIPALS
        if p.username
    }
    risk_exit_walk.prepare(shared_register, list(READ_TARGET.values()))
    account_walk.prepare(shared_register)
    return Walk(
        shared_register,
        shared_app,
        browser(shared_app),
        sessions,
        tokens,
        {entry.id for entry in catalogue_entries()},
    )


def _targets(rule: Rule) -> list[Target]:
    if rule.kind in (
        Kind.READ,
        Kind.FORM,
        Kind.WRITE,
        Kind.CREATE,
        Kind.PREVIEW,
        Kind.IMPORT,
        Kind.APPROVE,
    ):
        return [Target(o, READ_TARGET[o]) for o in ORGANISATIONS]
    if rule.kind in (Kind.HANDLE, Kind.RECEIVE):
        return [Target(o, READ_TARGET[o]) for o in ORGANISATIONS]
    if rule.filtered:
        return [*(Target(o) for o in ORGANISATIONS), Target(None)]
    return [Target(None)]


def _fill(path: str, target: Target) -> str:
    values = {
        "registration_id": target.registration,
        "organisation_id": target.organisation,
        "provider_id": CATALOGUE_PROVIDER,
        "slug": "niet-gevonden",
        "number": "1",  # a risk assessment's version (risk_exit_walk.prepare makes it)
        # the builds of workflow_walk put the object they prepared in the address
        "justification_id": "1",
        "notification_id": "1",
        "kind": "notification",  # declared_walk's builds put the declared object there
        "item_id": "1",
        # account_walk's builds put their account, token and session in the address
        "username": account_walk.ACCOUNT,
        "token_id": "1",
        "session_id": "0" * 64,
    }
    names = re.findall(r"{(\w+)}", path)
    unknown = [n for n in names if values.get(n) is None]
    assert not unknown, f"the walk cannot fill {unknown} in {path}: teach _fill"
    return path.format(**{n: values[n] for n in names})


def _expected(rule: Rule, relation: str, api: bool, target: Target) -> set[int] | str:
    if relation in rule.overrides and target.organisation is not None:
        return rule.overrides[relation]
    if relation == "anonymous" and rule.kind not in (Kind.PUBLIC, Kind.OIDC):
        return {401} if api else {303}
    expected = EXPECTED[rule.kind][relation]
    if expected == "ok":
        return rule.ok
    if expected == "refused":
        return {200} if api else {422}
    return expected


def _boundary(ids: set[str]) -> re.Pattern[str] | None:
    if not ids:
        return None
    alternatives = "|".join(re.escape(i) for i in sorted(ids, key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9_.-])(?:{alternatives})(?![A-Za-z0-9_-])")


def _foreign_ids(walk: Walk, principal: Principal, call: Call) -> set[str]:
    visible = principal.visible
    if visible is None:
        return set()
    registrations = {i for i, org in registration_ids(walk.register).items() if org not in visible}
    with system_session(walk.register.sessions) as session:
        own = session.execute(select(ProviderRow.id, ProviderRow.organisation_id)).all()
    mine = {pid for pid, org in own if org in visible}
    providers = {pid for pid, org in own if org not in visible} - mine - walk.catalogue
    return (registrations | providers) - call.mentions


def _json_organisations(value: Any, keys: frozenset[str]) -> Iterator[str]:
    """Values of organisation fields anywhere in a JSON body."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                yield item
            else:
                yield from _json_organisations(item, keys)
    elif isinstance(value, list):
        for item in value:
            yield from _json_organisations(item, keys)


def _describe(
    method: str, path: str, principal: Principal, relation: str, target: Target, response: Response
) -> str:
    body = (
        response.text[:400]
        if "text" in response.headers.get("content-type", "")
        or "json" in response.headers.get("content-type", "")
        else "<binary>"
    )
    return (
        f"{method} {path} as {principal.name} ({relation}) "
        f"on {target.organisation or 'no target'}/{target.registration or '-'}: "
        f"{response.status_code} {response.headers.get('location', '')} {body}"
    )


def _send(
    walk: Walk, rule: Rule, method: str, path: str, principal: Principal, target: Target
) -> tuple[Call, Response]:
    api = path.startswith(API)
    call = Call(
        method,
        _fill(path, target),
        params={k: v for k, v in rule.query(target).items() if v is not None},
    )
    rule.build(walk, call, target, principal)
    if (
        target.organisation
        and principal.visible is not None
        and target.organisation not in principal.visible
    ):
        call.mentions |= {target.registration or "", call.new_id or ""}
    if api:
        client = walk.anonymous
        if principal.username:
            call.headers.update(bearer(walk.tokens[principal.name]))
    else:
        client = walk.sessions[principal.name].client if principal.username else walk.anonymous
        if method != "GET":
            call.headers["Origin"] = ORIGIN
            if principal.username:
                call.data = {**(call.data or {}), "csrf_token": walk.sessions[principal.name].csrf}
    response = client.request(
        method,
        call.url,
        params=call.params,
        headers=call.headers,
        data=call.data,
        json=call.json,
        files=call.files,
    )
    return call, response


def _restore(
    walk: Walk, registration_id: str, before: registration_service.StoredRegistration
) -> None:
    """Put back a registration an allowed delete removed, so the walk can go on."""
    if version_of(walk.register, registration_id) is None:
        # the evidence comes back with the workflow objects, not with the registration
        bare = dataclasses.replace(before.registration, **EMPTY_EVIDENCE)
        registration_service.create_registration(walk.register, OPERATOR, bare)
        risk_exit_walk.prepare(walk.register, [registration_id])  # deleted with it


def _walk_login(walk: Walk, principal: Principal) -> None:
    if principal.username is None:
        fresh = browser(walk.app)
        response = fresh.post(
            "/inloggen",
            data={"gebruikersnaam": "lezer", "wachtwoord": "demo-lezer-2026"},
            headers={"Origin": ORIGIN},
        )
        assert response.status_code == 303 and response.headers["location"] == "/"
        assert fresh.cookies.get(SESSION_COOKIE)
        return
    own = walk.sessions[principal.name]
    response = own.client.post(
        "/inloggen",
        data={"gebruikersnaam": principal.username, "wachtwoord": "niet-het-wachtwoord"},
        headers={"Origin": ORIGIN},
    )
    assert response.status_code == 401, response.text
    assert (
        "set-cookie" not in response.headers or SESSION_COOKIE not in response.headers["set-cookie"]
    )
    assert own.client.get("/account").status_code == 200  # a failed login ends nothing


def _walk_logout(walk: Walk, principal: Principal) -> None:
    if principal.username is None:
        response = walk.anonymous.post("/uitloggen", headers={"Origin": ORIGIN})
        assert response.status_code == 303
        assert response.headers["location"].startswith("/inloggen?volgende=")
        return
    started = accounts.login(walk.register, principal.username, principal.password, client="walk")
    response = browser(walk.app).post(
        "/uitloggen",
        data={"csrf_token": started.csrf_token},
        headers={"Origin": ORIGIN, "Cookie": f"{SESSION_COOKIE}={started.token}"},
    )
    assert response.status_code == 303 and response.headers["location"] == "/inloggen"
    assert accounts.resolve_session(walk.register, started.token) is None
    # only that session ended
    assert walk.sessions[principal.name].client.get("/account").status_code == 200


def _cases() -> Iterator[Any]:
    for method, path in ROUTES:
        for principal in PRINCIPALS:
            marks = []
            reason = KNOWN_BUGS.get((method, path, principal.name))
            if reason:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            yield pytest.param(
                method, path, principal, id=f"{method} {path} {principal.name}", marks=marks
            )


@pytest.mark.parametrize(("method", "path", "principal"), list(_cases()))
def test_route(walk: Walk, method: str, path: str, principal: Principal) -> None:
    rule = POLICY.get((method, path))
    if rule is None:
        pytest.fail(f"{method} {path} is not classified in POLICY: declare what it may do")
    if rule.kind is Kind.LOGIN:
        _walk_login(walk, principal)
        return
    if rule.kind is Kind.LOGOUT:
        _walk_logout(walk, principal)
        return
    api = path.startswith(API)
    failures: list[str] = []
    for target in _targets(rule):
        # without a target an account stands to its own organisation
        relation = principal.relation(target.organisation or principal.organisation or "-")
        if rule.kind is Kind.APPROVE and relation == "member" and "approver" in principal.roles:
            relation = "approver"
        if rule.kind in (Kind.HANDLE, Kind.RECEIVE) and "cio-rijk" in principal.roles:
            relation = "handler"
        if rule.kind is Kind.AUDIT and "auditor" in principal.roles:
            relation = "auditor"
        expected = _expected(rule, relation, api, target)
        role_refused = (
            rule.role_first is not None
            and relation != "anonymous"
            and rule.role_first not in principal.roles
        )
        if role_refused:
            expected = {403}
        allowed_change = (
            (rule.kind in CHANGES and relation == "editor")
            or (rule.kind is Kind.APPROVE and relation == "approver")
            or (rule.kind in (Kind.HANDLE, Kind.RECEIVE) and relation == "handler")
            or (rule.kind is Kind.ACCOUNTS and relation == "admin" and method != "GET")
        )
        before_registration = (
            stored(walk.register, target.registration) if target.registration else None
        )
        before = snapshot(walk.register)
        call, response = _send(walk, rule, method, path, principal, target)
        where = _describe(method, path, principal, relation, target, response)
        if response.status_code not in expected:
            failures.append(f"expected {sorted(expected)}: {where}")
        if relation == "anonymous" and rule.kind not in (Kind.PUBLIC, Kind.OIDC):
            if api:
                if response.headers.get("content-type") != "application/problem+json":
                    failures.append(f"anonymous API call without a problem+json 401: {where}")
            elif not response.headers.get("location", "").startswith("/inloggen?volgende="):
                failures.append(f"anonymous page not sent to /inloggen: {where}")
        # never another organisation's content, in any response
        pattern = _boundary(_foreign_ids(walk, principal, call))
        if pattern is not None and response.headers.get("content-type", "").startswith(
            ("text", "application/json", "application/problem")
        ):
            body = response.text
            for example in HELP_TEXT_EXAMPLES:
                body = body.replace(example, "")
            leaked = sorted(set(pattern.findall(body)))
            if leaked:
                failures.append(f"another organisation's ids {leaked[:5]} in: {where}")
        # structured: the organisation of everything an API read returns (a provider's "source"
        # is the organisation that defined it); not for documents the caller sent itself
        if (
            api
            and principal.visible is not None
            and rule.kind in (Kind.LIST, Kind.READ)
            and response.headers.get("content-type", "").endswith("json")
            and response.status_code < 300
        ):
            keys = frozenset({"organisation", "organisation_id", "source"})
            foreign = {
                o
                for o in _json_organisations(response.json(), keys)
                if o != "catalogue" and o not in principal.visible
            }
            if foreign:
                failures.append(
                    f"organisation fields {sorted(foreign)} outside {sorted(principal.visible)}: {where}"
                )
            if path == f"{API}/organisations":
                ids = {item["id"] for item in response.json()["items"]}
                if ids - principal.visible:
                    failures.append(
                        f"organisations {sorted(ids - principal.visible)} listed: {where}"
                    )
        if rule.kind is Kind.PREVIEW and relation in ("stranger", "admin") and not role_refused:
            refusal = "u mag geen gegevens van deze organisatie importeren"
            if refusal not in response.text.lower() or (
                api and response.json().get("ok") is not False
            ):
                failures.append(f"preview not refused for an organisation one may not see: {where}")
        if rule.kind is Kind.SELF and method == "POST" and response.status_code == 200:
            token = re.search(r"ct_[A-Za-z0-9_-]{43}", response.text)
            actor = accounts.resolve_token(walk.register, token.group(0)) if token else None
            if actor is None or actor.user != principal.username:
                failures.append(f"the new token is not the caller's own: {where}")
        # nothing changes unless the editor of the organisation changes it
        after = snapshot(walk.register)
        if allowed_change:
            if after == before and response.status_code in rule.ok:
                failures.append(f"an allowed write changed nothing: {where}")
        elif after != before and rule.kind not in (Kind.SELF, Kind.OWN):  # own account: audited
            failures.append(f"the register changed ({before} -> {after}): {where}")
        if (
            call.new_id
            and not allowed_change
            and version_of(walk.register, call.new_id) is not None
        ):
            failures.append(f"{call.new_id} was created: {where}")
        if before_registration is not None and target.registration is not None:
            _restore(walk, target.registration, before_registration)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("action", ["bewerken", "verwijderen"])
@pytest.mark.parametrize("username", ["cio-rijk", "auditor", "lezer", "accordeerder"])
def test_a_reader_gets_no_form_to_change(walk: Walk, username: str, action: str) -> None:
    """The FORM routes: the 403 page says in Dutch that this role may read, not change."""
    response = walk.sessions[username].client.get(f"/registraties/fin-m365-mail/{action}")
    assert response.status_code == 403
    assert "U mag dit niet wijzigen" in response.text
    assert "lezen, maar niet wijzigen" in response.text
    assert 'name="csrf_token"' not in response.text.split("<main", 1)[-1]
