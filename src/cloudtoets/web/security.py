"""Cross-site request protection for forms that exist before a session does (login).

Every other state-changing request is checked in http/auth.py: own origin plus the session's
CSRF token. This dependency adds the origin check to routes that run without an actor.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, HTTPException, Request

from cloudtoets.http.auth import from_other_site, identify
from cloudtoets.services.permissions import Permission, can


def check_same_origin(request: Request) -> None:
    """FastAPI dependency for web POSTs: refuse requests sent from another site."""
    if from_other_site(request):
        raise HTTPException(403)


def requires(permission: Permission) -> Any:
    """A route dependency: refuse a role without ``permission`` with the 403 page that names the
    role that may (web/errors.py), before the CSRF check and before the form is read."""

    async def check(request: Request) -> None:
        actor = await identify(request)
        if not can(actor, permission):
            # the refusal page shows this user's menu; the request ends here, nothing is changed
            request.state.actor = actor
            actor.require(permission)

    return Depends(check)


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
