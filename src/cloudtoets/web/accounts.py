"""Logging in (with the second step when the account has one) and out, and the user's own
account page: password, second factor, sessions and personal API tokens."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from cloudtoets.http.deps import ActorDep, ObjectNumber, RegisterDep
from cloudtoets.services import accounts
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.demo import DEMO_ACCOUNTS
from cloudtoets.web.account_admin import role_labels
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.security import check_same_origin, local_target
from cloudtoets.web.templating import redirect, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def _login_page(
    request: Request, register: RegisterDep, *, target: str, error: str | None, status: int = 200
) -> Response:
    return render(
        request,
        "pages/account_login.html",
        {
            "target": target,
            "error": error,
            "demo_accounts": DEMO_ACCOUNTS if register.settings.demo else [],
            "oidc": register.settings.oidc_enabled,
        },
        status=status,
    )


@router.get("/inloggen")
def login_form(request: Request, register: RegisterDep, volgende: str | None = None) -> Response:
    return _login_page(request, register, target=local_target(volgende), error=None)


def _client(request: Request) -> str:
    return request.client.host if request.client else "onbekend"


def _with_cookie(response: Response, register: Register, token: str) -> Response:
    settings = register.settings
    response.set_cookie(
        settings.session_cookie,
        token,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    return response


REFUSED = "De gebruikersnaam of het wachtwoord klopt niet."
THROTTLED = "Te veel mislukte pogingen. Wacht een kwartier en probeer het opnieuw."


@router.post("/inloggen", dependencies=[Depends(check_same_origin)])
def login(
    request: Request,
    register: RegisterDep,
    gebruikersnaam: Annotated[str, Form()] = "",
    wachtwoord: Annotated[str, Form()] = "",
    volgende: Annotated[str, Form()] = "/",
) -> Response:
    try:
        started = accounts.login(
            register,
            gebruikersnaam.strip(),
            wachtwoord,
            client=_client(request),
            previous_token=request.cookies.get(register.settings.session_cookie),
            request_id=getattr(request.state, "request_id", None),
        )
    except accounts.LoginRefused as refused:
        message = THROTTLED if refused.throttled else REFUSED
        return _login_page(
            request, register, target=local_target(volgende), error=message, status=401
        )
    target = local_target(volgende)
    if started.pending is not None:  # the session opens no page before the code is given
        target = f"/inloggen/code?volgende={quote(target, safe='')}"
    return _with_cookie(RedirectResponse(target, status_code=303), register, started.token)


def _code_page(
    request: Request,
    pending: accounts.PendingLogin,
    target: str,
    error: str | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "pages/account_login_code.html",
        {"pending": pending, "target": target, "error": error, "form_errors": error is not None},
        status=status,
    )


def _start_again(target: str) -> Response:
    return RedirectResponse(f"/inloggen?volgende={quote(target, safe='')}", status_code=303)


@router.get("/inloggen/code")
def login_code_form(
    request: Request, register: RegisterDep, volgende: str | None = None
) -> Response:
    token = request.cookies.get(register.settings.session_cookie)
    pending = accounts.pending_login(register, token) if token else None
    target = local_target(volgende)
    if pending is None:  # nothing waits (too late, or never logged in): start again
        return _start_again(target)
    return _code_page(request, pending, target)


@router.post("/inloggen/code", dependencies=[Depends(check_same_origin)])
def login_code(
    request: Request,
    register: RegisterDep,
    code: Annotated[str, Form()] = "",
    volgende: Annotated[str, Form()] = "/",
) -> Response:
    token = request.cookies.get(register.settings.session_cookie) or ""
    pending = accounts.pending_login(register, token) if token else None
    if pending is None:
        return _start_again(local_target(volgende))
    try:
        started = accounts.complete_login(
            register,
            token,
            code,
            client=_client(request),
            request_id=getattr(request.state, "request_id", None),
        )
    except accounts.LoginRefused as refused:
        message = (
            THROTTLED
            if refused.throttled
            else "De code klopt niet. Neem de nieuwste code van zes cijfers uit uw app."
        )
        return _code_page(request, pending, local_target(volgende), message, 401)
    response = RedirectResponse(local_target(volgende), status_code=303)
    return _with_cookie(response, register, started.token)


@router.post("/uitloggen")
def logout(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    cookie = register.settings.session_cookie
    token = request.cookies.get(cookie)
    if token:
        accounts.logout(register, token)
    response = RedirectResponse("/inloggen", status_code=303)
    response.delete_cookie(
        cookie, path="/", secure=register.settings.secure_cookies, httponly=True, samesite="lax"
    )
    return response


def _account_page(
    request: Request,
    register: Register,
    actor: Actor,
    *,
    status: int = 200,
    **extra: Any,
) -> Response:
    own = accounts.own_account(register, actor)
    current = request.cookies.get(register.settings.session_cookie)
    values: dict[str, Any] = {
        "actor": actor,
        "own": own,
        "roles": role_labels(actor.roles),
        "tokens": accounts.tokens_of(register, actor, actor.user) if own else [],
        "sessions": accounts.own_sessions(register, actor, current),
        "token_days": register.settings.token_days,
        "max_token_days": accounts.MAX_TOKEN_DAYS,
        "new_token": None,
        "setup": None,
        "errors": {},
    }
    values.update(extra)
    values["form_errors"] = bool(values["errors"])
    return render(request, "pages/account.html", values, status=status)


@router.get("/account")
def account_page(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    return _account_page(request, register, actor)


@router.post("/account/tokens")
def new_token(
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
    naam: Annotated[str, Form()] = "",
    dagen: Annotated[str, Form()] = "",
) -> Response:
    name = naam.strip() or "api"
    typed = dagen.strip()
    days = int(typed) if typed.isdigit() and len(typed) <= 4 else None
    if typed and days is None:
        error = f"Geef het aantal dagen als getal van 1 tot en met {accounts.MAX_TOKEN_DAYS}."
        return _account_page(request, register, actor, status=422, errors={"dagen": error})
    try:
        token = accounts.create_token(register, actor, actor.user, name[:100], days)
    except accounts.AccountError as error:
        message = f"Het token is niet gemaakt: {error}."
        return _account_page(request, register, actor, status=422, errors={"dagen": message})
    return _account_page(request, register, actor, new_token=token, token_name=name)


@router.post("/account/tokens/{token_id}/intrekken")
def revoke_own_token(
    request: Request, register: RegisterDep, actor: ActorDep, token_id: ObjectNumber
) -> Response:
    try:
        accounts.revoke_token_id(register, actor, actor.user, token_id)
    except accounts.AccountError:
        raise HTTPException(404) from None
    return redirect(request, "/account", "token_revoked")


@router.post("/account/sessies/{session_id}/beeindigen")
def end_session(
    request: Request, register: RegisterDep, actor: ActorDep, session_id: str
) -> Response:
    if not accounts.end_own_session(register, actor, session_id):
        raise HTTPException(404)
    return redirect(request, "/account", "session_ended")


@router.post("/account/wachtwoord")
def change_password(
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
    huidig: Annotated[str, Form()] = "",
    nieuw: Annotated[str, Form()] = "",
    herhaling: Annotated[str, Form()] = "",
) -> Response:
    if nieuw != herhaling:
        error = "De twee nieuwe wachtwoorden zijn niet gelijk. Typ ze opnieuw."
        return _account_page(request, register, actor, status=422, errors={"wachtwoord": error})
    try:
        accounts.change_own_password(
            register,
            actor,
            huidig,
            nieuw,
            keep_session=request.cookies.get(register.settings.session_cookie),
        )
    except accounts.AccountError as error:
        message = f"Uw wachtwoord is niet gewijzigd: {error}."
        return _account_page(request, register, actor, status=422, errors={"wachtwoord": message})
    return redirect(request, "/account", "password_changed")


@router.post("/account/tweestapsverificatie")
def start_second_factor(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    try:
        setup = accounts.start_second_factor(register, actor)
    except accounts.AccountError as error:
        message = f"Niet gelukt: {error}."
        return _account_page(request, register, actor, status=422, errors={"code": message})
    return _account_page(request, register, actor, setup=setup)


@router.post("/account/tweestapsverificatie/bevestigen")
def confirm_second_factor(
    request: Request, register: RegisterDep, actor: ActorDep, code: Annotated[str, Form()] = ""
) -> Response:
    try:
        accounts.confirm_second_factor(register, actor, code)
    except accounts.AccountError as error:
        message = f"De tweede stap staat nog niet aan: {error}."
        setup = accounts.current_setup(register, actor)
        return _account_page(
            request, register, actor, status=422, setup=setup, errors={"code": message}
        )
    return redirect(request, "/account", "second_factor_on")


@router.post("/account/tweestapsverificatie/uitzetten")
def disable_second_factor(
    request: Request, register: RegisterDep, actor: ActorDep, code: Annotated[str, Form()] = ""
) -> Response:
    try:
        accounts.disable_second_factor(register, actor, code)
    except accounts.AccountError as error:
        message = f"De tweede stap staat nog aan: {error}."
        return _account_page(request, register, actor, status=422, errors={"uit": message})
    return redirect(request, "/account", "second_factor_off")
