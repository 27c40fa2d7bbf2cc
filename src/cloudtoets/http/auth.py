"""Who is asking: a personal bearer token, a session cookie, or (auth_mode local) the local user.

The organisation and roles always come from the account, never from the request. A request that
changes something on the strength of a session cookie must also carry the session's CSRF token
(form field ``csrf_token`` or header ``X-CSRF-Token``) and come from our own origin; bearer-token
requests are not sent by browsers on their own, so they need neither.
"""

from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from fastapi import Request

from cloudtoets import security_log
from cloudtoets.services import accounts
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SAME_SITE = frozenset({"same-origin", "none"})


class Unauthenticated(Exception):
    """No valid token or session: the API answers 401, a page sends the user to log in.
    ``detail``: why, in Dutch, when there is more to say (an expired token)."""

    def __init__(self, detail: str | None = None) -> None:
        self.detail = detail
        super().__init__(detail or "niet ingelogd")


class CrossSiteRequest(Exception):
    """A state-changing request without the session's CSRF token or from another origin."""


def _own_origin(request: Request) -> str:
    host = request.headers.get("host") or request.url.netloc
    return f"{request.url.scheme}://{host}".lower()


def from_other_site(request: Request) -> bool:
    """Sec-Fetch-Site when the browser sends it, otherwise Origin."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site.lower() not in _SAME_SITE
    origin = request.headers.get("origin")
    if origin is None:
        return False
    parts = urlsplit(origin)
    return origin == "null" or f"{parts.scheme}://{parts.netloc}".lower() != _own_origin(request)


async def _submitted_csrf_token(request: Request) -> str:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette keeps it for the route
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def authenticate(request: Request) -> Actor:
    """The actor for this request (cached on ``request.state``), or Unauthenticated."""
    cached = getattr(request.state, "actor", None)
    if isinstance(cached, Actor):
        return cached
    actor = await identify(request)
    if request.method in UNSAFE_METHODS:
        await check_csrf(request)
    request.state.actor = actor
    return actor


async def identify(request: Request) -> Actor:
    """Who sends this request, before any CSRF check: a page may refuse a role first, so a
    reader who posts a form hears which role may do it, not that the form looks forged."""
    identified = getattr(request.state, "identified", None)
    if isinstance(identified, Actor):
        return identified
    register: Register = request.app.state.register
    settings = register.settings
    request_id = getattr(request.state, "request_id", None)
    actor: Actor | None = None
    if settings.auth_mode == "local":
        actor = Actor.local(settings.local_user, settings.local_organisation, request_id)
        request.state.via = "local"
    else:
        authorization = request.headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            try:
                actor = accounts.resolve_token(register, authorization[7:].strip(), request_id)
            except accounts.TokenExpired as expired:
                raise Unauthenticated(
                    f"Dit token is verlopen op {expired.expired_on:%d-%m-%Y}. Maak een nieuw "
                    "token op uw accountpagina of met cloudtoets token create."
                ) from None
            request.state.via = "token"
        else:
            token = request.cookies.get(settings.session_cookie)
            found = accounts.resolve_session(register, token, request_id) if token else None
            if found is not None:
                actor, request.state.csrf_token = found
                request.state.via = "session"
    if actor is None:
        if request.url.path.startswith("/api/"):
            security_log.event(
                "unauthenticated",
                path=request.url.path,
                request_id=request_id,
                token=bool(request.headers.get("authorization")),
            )
        raise Unauthenticated()
    request.state.identified = actor
    return actor


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing browser request from another site or without the session token."""
    if getattr(request.state, "via", None) == "token":
        return
    refused = from_other_site(request)
    expected = getattr(request.state, "csrf_token", None)
    if not refused and expected is not None:  # local mode: no session, only the origin check
        submitted = await _submitted_csrf_token(request)
        refused = not hmac.compare_digest(submitted.encode(), expected.encode())
    if refused:
        security_log.event(
            "csrf_refused",
            path=request.url.path,
            request_id=getattr(request.state, "request_id", None),
        )
        raise CrossSiteRequest()


async def optional_actor(request: Request) -> Actor | None:
    try:
        return await authenticate(request)
    except (Unauthenticated, CrossSiteRequest):
        return None
