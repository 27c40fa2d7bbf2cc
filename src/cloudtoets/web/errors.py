"""Error pages in Dutch (404, 403, 500, 503) and the route class that turns errors into them.

The app's exception handlers belong to server/app.py; the web pages handle their own errors
instead: every web route uses ``WebRoute``, which shows the 404 page for a ``NotFound`` from the
services (unknown, or another organisation's: the two are not told apart) and the 500 page for
anything unexpected, with the request id so support can find the log line; a lost or busy
database is no bug but a 503 page "tijdelijk niet bereikbaar" with Retry-After, logged once per
outage (services/outage.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import Response

from cloudtoets.http.auth import CrossSiteRequest, Unauthenticated
from cloudtoets.http.deps import ControlCharacterInAddress
from cloudtoets.services.actor import Forbidden
from cloudtoets.services.context import Register
from cloudtoets.services.errors import NotFound
from cloudtoets.services.outage import RETRY_AFTER_SECONDS, Cause
from cloudtoets.services.permissions import Permission, permissions_of, refusal
from cloudtoets.web.templating import render

log = logging.getLogger("cloudtoets.web")

_PAGES: dict[int, tuple[str, str]] = {
    400: ("Dit verzoek kan niet worden verwerkt", "Het formulier of de link is niet compleet."),
    403: (
        "Dit verzoek is geweigerd",
        "Het formulier kwam niet van cloudtoets zelf. Open de pagina opnieuw en probeer het nog "
        "een keer.",
    ),
    404: (
        "Deze pagina bestaat niet",
        "De pagina of registratie is niet gevonden. Misschien is de registratie verwijderd, "
        "of hoort zij bij een organisatie die u niet mag zien. Controleer het adres.",
    ),
    413: ("Het bestand is te groot", "Splits het bestand op en probeer het opnieuw."),
    500: (
        "Er ging iets mis",
        "Door een fout in cloudtoets kon deze pagina niet worden getoond. Er is niets "
        "opgeslagen. Probeer het later opnieuw.",
    ),
    503: (
        "Cloudtoets is tijdelijk niet bereikbaar",
        "Cloudtoets kan zijn database even niet bereiken. Wacht een paar seconden en laad de "
        "pagina dan opnieuw. Had u iets gewijzigd? Kijk dan daarna of de wijziging is "
        "opgeslagen, en doe haar anders opnieuw.",
    ),
}
# the database is busy (SQLite's write lock, held by a long import): the 503 page says so
BUSY_TEXT = (
    "De database van cloudtoets is bezet met ander werk, zoals een grote import. Er is niets "
    "opgeslagen. Wacht een paar seconden en probeer het dan opnieuw."
)


ROLE_HEADING = "U mag dit niet wijzigen"
PERMISSION_HEADING = "Dit mag u niet met uw rol"


def _refusal_page(request: Request, error: Forbidden) -> Response:
    """403 saying which role may do this and which role the user has (services/permissions.py)."""
    # a workflow step says who may take it (services/workflow_steps.RoleRefused)
    reason = getattr(error, "detail", None)
    if reason:
        return error_page(request, 403, reason, heading=ROLE_HEADING)
    actor = getattr(request.state, "actor", None) or getattr(request.state, "identified", None)
    roles = actor.roles if actor is not None else frozenset()
    text = refusal(error.permission, roles)
    if error.permission is Permission.WRITE_REGISTER and Permission.READ_REGISTER in (
        permissions_of(roles)
    ):
        text = text.removesuffix(".") + ": u mag de gegevens lezen, maar niet wijzigen."
        return error_page(request, 403, text, heading=ROLE_HEADING)
    return error_page(request, 403, text, heading=PERMISSION_HEADING)


def error_page(
    request: Request,
    status: int,
    detail: str | None = None,
    *,
    heading: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The Dutch page for ``status``; ``detail`` and ``heading`` replace its usual texts."""
    usual_heading, text = _PAGES.get(status, _PAGES[500])
    return render(
        request,
        "pages/error.html",
        {
            "status": status,
            "heading": heading or usual_heading,
            "text": detail or text,
            "request_id": getattr(request.state, "request_id", None),
        },
        status=status,
        headers=headers,
    )


def unavailable_page(request: Request, cause: Cause) -> Response:
    """503 with Retry-After: the database is lost or busy for a moment (services/outage.py)."""
    return error_page(
        request,
        503,
        BUSY_TEXT if cause is Cause.BUSY else None,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


class WebRoute(APIRoute):
    """An HTML route: service errors become Dutch error pages, never JSON or a stack trace."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except NotFound:
                return error_page(request, 404)
            except ControlCharacterInAddress as error:
                return error_page(request, 400, error.message)
            except RequestValidationError as error:
                # a number in the address that is no number, or beyond any stored one
                in_path = any(e.get("loc", ("",))[0] == "path" for e in error.errors())
                return error_page(request, 404 if in_path else 400)
            except Unauthenticated:
                target = request.url.path
                if request.url.query:
                    target += "?" + request.url.query
                return RedirectResponse(f"/inloggen?volgende={quote(target, safe='')}", 303)
            except CrossSiteRequest:
                return error_page(request, 403)
            except Forbidden as error:
                return _refusal_page(request, error)
            except HTTPException as error:
                if error.status_code in _PAGES:
                    return error_page(request, error.status_code)
                raise
            except Exception as error:
                register: Register = request.app.state.register
                cause = register.outage.refuse(error, f"{request.method} {request.url.path}")
                if cause is not None:  # one log line per outage, not a traceback per page
                    return unavailable_page(request, cause)
                log.exception("fout bij %s %s", request.method, request.url.path)
                return error_page(request, 500)

        return route_handler
