"""Account management for the administrator: list, create, roles and organisation, disable and
enable, set a password, switch off a lost second factor, and revoke tokens.

Every change goes through services/accounts.py, which checks the permission and audits it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from cloudtoets.http.deps import ActorDep, ObjectNumber, RegisterDep
from cloudtoets.services import accounts
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.permissions import ROLE_LABELS, Permission, Role
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.templating import redirect, render

router = APIRouter(prefix="/beheer/accounts", route_class=WebRoute, include_in_schema=False)

# the roles in the order a form offers them: the organisation's first, then the central ones
ROLE_ORDER = (Role.VIEWER, Role.EDITOR, Role.APPROVER, Role.CIO_RIJK, Role.AUDITOR, Role.ADMIN)
ROLE_OPTIONS = [(role.value, ROLE_LABELS[role]) for role in ROLE_ORDER]


def role_labels(roles: Iterable[str]) -> str:
    """The roles in Dutch ("bewerker, accordeerder"); an unknown code as it is."""
    known = {role.value: label for role, label in ROLE_LABELS.items()}
    order = {role.value: i for i, role in enumerate(ROLE_ORDER)}
    return ", ".join(known.get(r, r) for r in sorted(roles, key=lambda r: order.get(r, 99)))


def _address(username: str) -> str:
    return f"/beheer/accounts/{quote(username, safe='')}"


def _account_or_404(register: Register, actor: Actor, username: str) -> accounts.AccountView:
    try:
        return accounts.account(register, actor, username)
    except accounts.NoSuchAccount:
        raise HTTPException(404) from None


def _detail(
    request: Request,
    register: Register,
    actor: Actor,
    username: str,
    *,
    error: str | None = None,
    form: str | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    found = _account_or_404(register, actor, username)
    return render(
        request,
        "pages/account_admin_detail.html",
        {
            "account": found,
            "tokens": accounts.tokens_of(register, actor, username),
            "role_options": ROLE_OPTIONS,
            "role_labels": role_labels,
            "error": error,
            "error_form": form,
            "values": values or {},
            "form_errors": error is not None,
            "is_self": found.id == actor.user_id,
        },
        status=422 if error else 200,
        section="accounts",
    )


@router.get("")
def account_list(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    return render(
        request,
        "pages/account_admin.html",
        {"accounts": accounts.accounts_overview(register, actor), "role_labels": role_labels},
        section="accounts",
    )


def _new_form(
    request: Request, values: dict[str, Any], error: str | None = None, status: int = 200
) -> Response:
    return render(
        request,
        "pages/account_admin_new.html",
        {
            "values": values,
            "role_options": ROLE_OPTIONS,
            "error": error,
            "form_errors": error is not None,
        },
        status=status,
        section="accounts",
    )


@router.get("/nieuw")
def new_account_form(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    actor.require(Permission.MANAGE_ACCOUNTS)
    return _new_form(request, {"rollen": []})


Roles = Annotated[list[str], Form()]


@router.post("/nieuw")
def create_account(
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
    gebruikersnaam: Annotated[str, Form()] = "",
    naam: Annotated[str, Form()] = "",
    organisatie: Annotated[str, Form()] = "",
    rollen: Roles = [],  # noqa: B006 - FastAPI copies the default
    wachtwoord: Annotated[str, Form()] = "",
    oidc_subject: Annotated[str, Form()] = "",
) -> Response:
    actor.require(Permission.MANAGE_ACCOUNTS)
    username, subject = gebruikersnaam.strip(), oidc_subject.strip()
    values = {
        "gebruikersnaam": username,
        "naam": naam.strip(),
        "organisatie": organisatie.strip(),
        "rollen": rollen,
        "oidc_subject": subject,
    }
    if not wachtwoord and not subject:
        error = "Geef een wachtwoord (lokaal account) of een OpenID Connect-subject."
        return _new_form(request, values, error, 422)
    try:
        accounts.create_user(
            register,
            actor,
            username,
            display_name=naam.strip() or None,
            organisation=organisatie.strip() or None,
            roles=rollen,
            password=wachtwoord or None,
            oidc_subject=subject or None,
        )
    except accounts.AccountError as error:
        return _new_form(request, values, f"Het account is niet gemaakt: {error}.", 422)
    return redirect(request, _address(username), "account_created")


@router.get("/{username}")
def account_detail(
    request: Request, register: RegisterDep, actor: ActorDep, username: str
) -> Response:
    return _detail(request, register, actor, username)


@router.post("/{username}/rollen")
def change_roles(
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
    username: str,
    naam: Annotated[str, Form()] = "",
    organisatie: Annotated[str, Form()] = "",
    rollen: Roles = [],  # noqa: B006
) -> Response:
    _account_or_404(register, actor, username)
    try:
        accounts.update_user(
            register,
            actor,
            username,
            roles=rollen,
            organisation=organisatie.strip() or None,
            display_name=naam,
        )
    except accounts.AccountError as error:
        values = {"naam": naam, "organisatie": organisatie, "rollen": rollen}
        message = f"De rollen zijn niet gewijzigd: {error}."
        return _detail(
            request, register, actor, username, error=message, form="rollen", values=values
        )
    return redirect(request, _address(username), "account_saved")


def _switch(
    request: Request, register: Register, actor: Actor, username: str, disabled: bool
) -> Response:
    _account_or_404(register, actor, username)
    try:
        accounts.set_disabled(register, actor, username, disabled)
    except accounts.AccountError as error:
        message = f"Niet gelukt: {error}."
        return _detail(request, register, actor, username, error=message, form="status")
    flash = "account_disabled" if disabled else "account_enabled"
    return redirect(request, _address(username), flash)


@router.post("/{username}/uitschakelen")
def disable_account(
    request: Request, register: RegisterDep, actor: ActorDep, username: str
) -> Response:
    return _switch(request, register, actor, username, True)


@router.post("/{username}/inschakelen")
def enable_account(
    request: Request, register: RegisterDep, actor: ActorDep, username: str
) -> Response:
    return _switch(request, register, actor, username, False)


@router.post("/{username}/wachtwoord")
def set_password(
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
    username: str,
    wachtwoord: Annotated[str, Form()] = "",
) -> Response:
    _account_or_404(register, actor, username)
    try:
        accounts.set_password(register, actor, username, wachtwoord)
    except accounts.AccountError as error:
        message = f"Het wachtwoord is niet gewijzigd: {error}."
        return _detail(request, register, actor, username, error=message, form="wachtwoord")
    return redirect(request, _address(username), "password_set")


@router.post("/{username}/tweestapsverificatie/uitzetten")
def reset_second_factor(
    request: Request, register: RegisterDep, actor: ActorDep, username: str
) -> Response:
    _account_or_404(register, actor, username)
    accounts.reset_second_factor(register, actor, username)
    return redirect(request, _address(username), "second_factor_reset")


@router.post("/{username}/tokens/{token_id}/intrekken")
def revoke_token(
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
    username: str,
    token_id: ObjectNumber,
) -> Response:
    _account_or_404(register, actor, username)
    try:
        accounts.revoke_token_id(register, actor, username, token_id)
    except accounts.AccountError:
        raise HTTPException(404) from None
    return redirect(request, _address(username), "token_revoked")
