"""Refusing a workflow step that belongs to another role, in Dutch.

A step the object's state does not allow is an ``InvalidTransition`` (services/errors.py, the
API's 409); a step beyond the actor's role is a ``RoleRefused``: a ``Forbidden`` (403) that says
in plain words who may take it.
"""

from __future__ import annotations

from cloudtoets.services.actor import Actor, Forbidden
from cloudtoets.services.permissions import Permission


class RoleRefused(Forbidden):
    """The actor may see the object, but this step belongs to another role."""

    def __init__(self, permission: Permission, message: str) -> None:
        super().__init__(permission)
        self.detail = message


def require_role(actor: Actor, permission: Permission, message: str) -> None:
    """Like ``Actor.require`` (which also logs the refusal), with a message naming the role."""
    try:
        actor.require(permission)
    except Forbidden:
        raise RoleRefused(permission, message) from None


class OwnDraft(RoleRefused):
    """Four eyes: the person who drafted an object cannot accept it, even with both roles."""


def require_other_than_drafter(actor: Actor, drafted_by: str, what: str) -> None:
    """OwnDraft (a 403 in the API) when ``actor`` drafted ``what`` (Dutch, e.g. 'deze
    risicoanalyse') itself."""
    if actor.user == drafted_by:
        raise OwnDraft(
            Permission.APPROVE,
            f"U heeft {what} zelf opgesteld. Een andere accordeerder van uw organisatie moet "
            "accorderen: vier ogen.",
        )
