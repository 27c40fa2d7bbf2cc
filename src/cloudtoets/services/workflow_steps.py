"""Refusing a workflow step that belongs to another role, in Dutch; four eyes; sending back.

A step the object's state does not allow is an ``InvalidTransition`` (services/errors.py, the
API's 409); a step beyond the actor's role is a ``RoleRefused``: a ``Forbidden`` (403) that says
in plain words who may take it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from cloudtoets.problems import Problem
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


def require_other_than_drafter(actor: Actor, drafted_by: Collection[str], what: str) -> None:
    """OwnDraft (a 403 in the API) when ``actor`` wrote any part of ``what`` (Dutch, e.g. 'deze
    risicoanalyse'): made it or changed it as a draft."""
    if actor.user in drafted_by:
        raise OwnDraft(
            Permission.APPROVE,
            f"U heeft {what} zelf opgesteld of gewijzigd. Een andere accordeerder van uw "
            "organisatie moet accorderen: vier ogen.",
        )


RETURN_REASON_LIMIT = 2_000


@dataclass(frozen=True, slots=True)
class Returned:
    """An approver sent a draft or proposal back to the editors: why, who and when."""

    reason: str
    by: str
    on: dt.date


def returned_of(reason: str | None, by: str | None, on: dt.date | None) -> Returned | None:
    if reason is None or by is None or on is None:
        return None
    return Returned(reason, by, on)


def return_reason_problem(reason: str) -> Problem | None:
    """The reason for sending something back: required, so the editor knows what to do."""
    text = reason.strip()
    if not text:
        message = "Vul in waarom u het terugstuurt en wat er moet gebeuren."
    elif len(text) > RETURN_REASON_LIMIT:
        message = f"De reden is te lang; gebruik hoogstens {RETURN_REASON_LIMIT} tekens."
    else:
        return None
    return Problem("veld reason", message, None, "reason")
