"""Logging in through an OpenID Connect provider: authorization code flow with PKCE (S256).

``GET /inloggen/oidc?volgende=/pad`` sends the browser to the provider; the provider sends it back
to ``GET /inloggen/oidc/terug``. Authlib's Starlette client does the protocol: the provider's
discovery document, state, nonce and PKCE verifier (kept in a short signed handshake cookie by
Starlette's SessionMiddleware, see server/app.py), the code exchange and the ID token's checks
(signature against the provider's JWKS, issuer, audience, nonce, expiry). What follows is ours:
the account is found by subject or made from the claims (services/oidc_accounts.py), and a
session starts exactly as with a local login — a new server-side token in the session cookie.
Anything that goes wrong shows a Dutch page and starts no session.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import re
from typing import Any, cast

import httpx
from authlib.common.errors import AuthlibBaseError  # type: ignore[import-untyped]
from authlib.integrations.starlette_client import OAuth  # type: ignore[import-untyped]
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from joserfc.errors import JoseError
from starlette.concurrency import run_in_threadpool

from cloudtoets.config import Settings
from cloudtoets.services import accounts, oidc_accounts
from cloudtoets.services.errors import NotFound, ObjectKind
from cloudtoets.web.errors import WebRoute, error_page
from cloudtoets.web.security import local_target

log = logging.getLogger("cloudtoets.web.oidc")

router = APIRouter(route_class=WebRoute, include_in_schema=False)

CLIENT_NAME = "oidc"
SCOPE = "openid profile email"
HANDSHAKE_COOKIE = "cloudtoets-oidc"
HANDSHAKE_PATH = "/inloggen/oidc"  # the handshake cookie goes to these two routes only
HANDSHAKE_SECONDS = 10 * 60
_TARGET_KEY = "volgende"
_ERROR_CODE = re.compile(r"[a-z_]{1,64}")


def _http_errors() -> tuple[type[Exception], ...]:
    """Authlib talks through httpx2 when it is installed (its successor), else through httpx."""
    errors: list[type[Exception]] = [httpx.HTTPError]
    with contextlib.suppress(ImportError):
        errors.append(importlib.import_module("httpx2").HTTPError)
    return tuple(errors)


# Authlib's and the HTTP library's ways of saying the handshake failed
_HANDSHAKE_ERRORS = (AuthlibBaseError, JoseError, ValueError, KeyError, *_http_errors())


def _failure(request: Request, heading: str, text: str, status: int = 403) -> Response:
    """A Dutch page; the handshake is over, so its cookie goes too."""
    if "session" in request.scope:
        request.session.clear()
    return error_page(request, status, text, heading=heading)


def _not_completed(request: Request, text: str, status: int = 403) -> Response:
    return _failure(request, "Inloggen is niet gelukt", text, status)


def _client(request: Request, settings: Settings) -> Any:
    """The app's Authlib client, registered on first use from the discovery document."""
    oauth = getattr(request.app.state, "oidc_oauth", None)
    if oauth is None:
        oauth = OAuth()
        oauth.register(
            CLIENT_NAME,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=settings.oidc_issuer.rstrip("/")
            + "/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": 10},
        )
        request.app.state.oidc_oauth = oauth
    return oauth.create_client(CLIENT_NAME)


async def _metadata(client: Any, settings: Settings) -> dict[str, Any]:
    """The discovery document, whose issuer must be the configured one (OIDC Discovery §4.3)."""
    metadata = cast(dict[str, Any], await client.load_server_metadata())
    if str(metadata.get("issuer", "")).rstrip("/") != settings.oidc_issuer.rstrip("/"):
        raise ValueError("issuer in discovery document differs from the configured issuer")
    return metadata


def _claims_options(metadata: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The ID token's issuer and audience must be these (OIDC Core §3.1.3.7 items 2 and 3).

    Authlib checks the issuer by default but the audience only through ``azp``: a token for
    another client that names us as its authorised party would pass without this.
    """
    return {
        "iss": {"essential": True, "values": [metadata["issuer"]]},
        "aud": {"essential": True, "values": [settings.oidc_client_id]},
    }


def _settings(request: Request) -> Settings:
    settings = cast(Settings, request.app.state.register.settings)
    if not settings.oidc_enabled or "session" not in request.scope:
        raise NotFound(ObjectKind.PAGE, request.url.path)
    return settings


@router.get("/inloggen/oidc")
async def oidc_start(request: Request, volgende: str | None = None) -> Response:
    settings = _settings(request)
    client = _client(request, settings)
    request.session.clear()
    try:
        await _metadata(client, settings)
        response = cast(
            Response,
            await client.authorize_redirect(request, str(request.url_for("oidc_callback"))),
        )
    except _HANDSHAKE_ERRORS as error:
        log.warning("OpenID Connect: provider unreachable or unusable (%s)", type(error).__name__)
        return _failure(
            request,
            "De inlogdienst is niet bereikbaar",
            "cloudtoets kon de inlogdienst van uw organisatie niet bereiken. Probeer het later "
            "opnieuw, of log in met een lokaal account.",
            status=502,
        )
    request.session[_TARGET_KEY] = local_target(volgende)
    return response


@router.get("/inloggen/oidc/terug", name="oidc_callback")
async def oidc_callback(request: Request) -> Response:
    settings = _settings(request)
    register = request.app.state.register
    request_id = getattr(request.state, "request_id", None)
    error = request.query_params.get("error")
    if error:
        code = error if _ERROR_CODE.fullmatch(error) else "onbekend"
        log.info("OpenID Connect: provider answered %s", code)
        return _not_completed(
            request,
            "De inlogdienst van uw organisatie heeft het inloggen geweigerd of afgebroken "
            f"(foutcode {code}). Probeer het opnieuw of neem contact op met de beheerder.",
        )
    if not request.session:
        return _not_completed(
            request,
            "Deze inlogpoging is verlopen of niet in deze browser begonnen. Begin opnieuw bij "
            "Inloggen.",
            status=400,
        )
    target = local_target(request.session.get(_TARGET_KEY))
    client = _client(request, settings)
    try:
        metadata = await _metadata(client, settings)
        token = await client.authorize_access_token(
            request, claims_options=_claims_options(metadata, settings)
        )
    except _HANDSHAKE_ERRORS as failure:
        log.warning("OpenID Connect: login not confirmed (%s)", type(failure).__name__)
        return _not_completed(
            request,
            "De inlogdienst kon niet bevestigen wie u bent, of de inlogpoging is verlopen. "
            "Begin opnieuw bij Inloggen.",
        )
    claims = token.get("userinfo") if isinstance(token, dict) else None
    if not claims:  # no ID token: nothing was validated
        log.warning("OpenID Connect: token response without an ID token")
        return _not_completed(request, "De inlogdienst gaf geen identiteitsbewijs (ID-token).")
    try:
        identity = oidc_accounts.identity_from_claims(
            claims,
            organisation_claim=settings.oidc_organisation_claim,
            roles_claim=settings.oidc_roles_claim,
        )
        user_id = await run_in_threadpool(
            oidc_accounts.sign_in, register, identity, request_id=request_id
        )
        started = await run_in_threadpool(
            accounts.login_external,
            register,
            user_id,
            previous_token=request.cookies.get(settings.session_cookie),
            request_id=request_id,
        )
    except oidc_accounts.OidcRefused as refused:
        log.warning("OpenID Connect: login refused by the register")
        return _failure(request, "U kunt niet inloggen", str(refused))
    except accounts.LoginRefused:
        return _failure(
            request,
            "U kunt niet inloggen",
            "Uw account in cloudtoets is uitgeschakeld. Neem contact op met de beheerder.",
        )
    request.session.clear()
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        settings.session_cookie,
        started.token,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    return response
