"""Cross-site request protection for the forms, without a session (ecosystem.md § 4, step 1).

A POST is refused when the browser says it came from another site (``Sec-Fetch-Site``), or,
for browsers that do not send that header, when ``Origin`` names another origin. Requests
without either header (command-line tools, tests) are not a browser acting for a user who
is logged in elsewhere, so they pass. A session-bound token (step 2) comes with accounts.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import HTTPException, Request

_ALLOWED_SITES = frozenset({"same-origin", "none"})


def _own_origin(request: Request) -> str:
    host = request.headers.get("host") or request.url.netloc
    return f"{request.url.scheme}://{host}".lower()


def check_same_origin(request: Request) -> None:
    """FastAPI dependency for every web POST."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        if site.lower() not in _ALLOWED_SITES:
            raise HTTPException(403)
        return
    origin = request.headers.get("origin")
    if origin is None:
        return
    parts = urlsplit(origin)
    if origin == "null" or f"{parts.scheme}://{parts.netloc}".lower() != _own_origin(request):
        raise HTTPException(403)
