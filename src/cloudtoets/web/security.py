"""Cross-site request protection for forms that exist before a session does (login).

Every other state-changing request is checked in http/auth.py: own origin plus the session's
CSRF token. This dependency adds the origin check to routes that run without an actor.
"""

from __future__ import annotations

from fastapi import HTTPException, Request

from cloudtoets.http.auth import from_other_site


def check_same_origin(request: Request) -> None:
    """FastAPI dependency for web POSTs: refuse requests sent from another site."""
    if from_other_site(request):
        raise HTTPException(403)


def local_target(target: str | None) -> str:
    """Only a path on this site: never an open redirect (no ``//host``, no ``/\\host``)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
    ):
        return target
    return "/"
