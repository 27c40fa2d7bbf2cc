"""Logging in and out, and the account page with personal API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from cloudtoets.http.deps import ActorDep, RegisterDep
from cloudtoets.services import accounts
from cloudtoets.services.demo import DEMO_ACCOUNTS
from cloudtoets.web.errors import WebRoute
from cloudtoets.web.security import check_same_origin, local_target
from cloudtoets.web.templating import render

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


@router.post("/inloggen", dependencies=[Depends(check_same_origin)])
def login(
    request: Request,
    register: RegisterDep,
    gebruikersnaam: Annotated[str, Form()] = "",
    wachtwoord: Annotated[str, Form()] = "",
    volgende: Annotated[str, Form()] = "/",
) -> Response:
    settings = register.settings
    client = request.client.host if request.client else "onbekend"
    try:
        started = accounts.login(
            register,
            gebruikersnaam.strip(),
            wachtwoord,
            client=client,
            previous_token=request.cookies.get(settings.session_cookie),
            request_id=getattr(request.state, "request_id", None),
        )
    except accounts.LoginRefused as refused:
        message = (
            "Te veel mislukte pogingen. Wacht een kwartier en probeer het opnieuw."
            if refused.throttled
            else "De gebruikersnaam of het wachtwoord klopt niet."
        )
        return _login_page(
            request, register, target=local_target(volgende), error=message, status=401
        )
    response = RedirectResponse(local_target(volgende), status_code=303)
    response.set_cookie(
        settings.session_cookie,
        started.token,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    return response


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


@router.get("/account")
def account_page(request: Request, register: RegisterDep, actor: ActorDep) -> Response:
    return render(request, "pages/account.html", {"actor": actor, "new_token": None})


@router.post("/account/tokens")
def new_token(
    request: Request,
    register: RegisterDep,
    actor: ActorDep,
    naam: Annotated[str, Form()] = "",
) -> Response:
    name = naam.strip() or "api"
    token = accounts.create_token(register, actor, actor.user, name[:100])
    return render(
        request, "pages/account.html", {"actor": actor, "new_token": token, "token_name": name}
    )
