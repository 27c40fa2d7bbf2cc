"""Pages without data (the accessibility statement) and the 404 page for every unknown address.

The catch-all route matches any GET path except the ones served elsewhere (``/static`` and
``/api``), so an unknown address gets the Dutch 404 page instead of a JSON error.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import RedirectResponse, Response

from cloudtoets.web.errors import WebRoute, error_page
from cloudtoets.web.templating import render

router = APIRouter(route_class=WebRoute)


class _PagePath(Convertor[str]):
    """Any path that is not the static files or the API (they answer for themselves)."""

    regex = r"(?!(?:static|api)(?:/|$)).*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: Any) -> str:
        return str(value)


register_url_convertor("ct_page", _PagePath())


@router.get("/toegankelijkheid", name="web_accessibility")
def accessibility(request: Request) -> Response:
    return render(request, "pages/page_accessibility.html")


def not_found(request: Request, path: str) -> Response:
    if len(path) > 1 and path.endswith("/") and not path.startswith("/"):
        # /registraties/ is /registraties (the route table knows the address without the slash)
        target = "/" + path.rstrip("/")
        query = request.url.query
        return RedirectResponse(target + (f"?{query}" if query else ""), status_code=308)
    return error_page(request, 404)


def add_catch_all(target: APIRouter) -> None:
    """Last route of the web pages: every other GET address is a 404 page."""
    target.add_api_route(
        "/{path:ct_page}",
        not_found,
        methods=["GET"],
        include_in_schema=False,
        route_class_override=WebRoute,
    )
