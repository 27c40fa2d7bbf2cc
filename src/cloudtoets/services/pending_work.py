"""Work that waits for someone: drafts sent back to the editors, and drafts an approver can accept.

The overview shows both, so an editor sees why an approver sent a risk assessment or a
justification back, and an approver sees what waits for acceptance: only what somebody else
wrote (four eyes, services/workflow_steps.py), since their own drafts wait for another approver.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import select

from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.justifications import ACTIVE_STATES
from cloudtoets.services.permissions import Permission
from cloudtoets.services.risk_assessments import drafters
from cloudtoets.services.uow import read_only
from cloudtoets.store.tables import RegistrationRow
from cloudtoets.store.workflows import JustificationRow, RiskAssessmentRow

ITEMS = 25  # per list; the overview says how many more there are

Kind = Literal["risk-assessment", "justification"]


@dataclass(frozen=True, slots=True)
class WorkItem:
    kind: Kind
    registration_id: str
    registration_name: str
    organisation: str
    number: int  # the risk assessment's version, or the justification's id
    rule: str | None  # the justification's rule
    by: str  # who wrote it, or who sent it back
    on: dt.date | dt.datetime
    reason: str | None = None  # why it was sent back


@dataclass(slots=True)
class PendingWork:
    returned: list[WorkItem] = field(default_factory=list)
    returned_total: int = 0
    awaiting: list[WorkItem] = field(default_factory=list)
    awaiting_total: int = 0


def _scoped(statement: Any, actor: Actor, organisation: str | None, column: Any) -> Any:
    if actor.visible is not None:
        statement = statement.where(column.in_(list(actor.visible)))
    if organisation is not None:
        statement = statement.where(column == organisation)
    return statement


def pending_work(register: Register, actor: Actor, organisation: str | None) -> PendingWork:
    """Sent back (for those who write) and awaiting acceptance (for approvers), oldest first."""
    work = PendingWork()
    if organisation is not None and not actor.may_see(organisation):
        return work
    writes = actor.can(Permission.WRITE_REGISTER)
    approves = actor.can(Permission.APPROVE)
    if not (writes or approves):
        return work
    ra, j, r = RiskAssessmentRow, JustificationRow, RegistrationRow
    returned: list[WorkItem] = []
    awaiting: list[WorkItem] = []
    with read_only(register.sessions, actor) as session:
        drafts = session.execute(
            _scoped(
                select(ra, r.name).join(r, r.id == ra.registration_id).where(ra.state == "draft"),
                actor,
                organisation,
                ra.organisation_id,
            ).order_by(ra.updated_at, ra.id)
        ).all()
        for row, name in drafts:
            if row.returned_reason is not None and row.returned_by and row.returned_on:
                returned.append(
                    WorkItem(
                        "risk-assessment",
                        row.registration_id,
                        name or row.registration_id,
                        row.organisation_id,
                        row.number,
                        None,
                        row.returned_by,
                        row.returned_on,
                        row.returned_reason,
                    )
                )
            elif actor.user not in drafters(row):
                awaiting.append(
                    WorkItem(
                        "risk-assessment",
                        row.registration_id,
                        name or row.registration_id,
                        row.organisation_id,
                        row.number,
                        None,
                        row.created_by,
                        row.updated_at,
                    )
                )
        justifications = session.execute(
            _scoped(
                select(j, r.name)
                .join(r, r.id == j.registration_id)
                .where(j.state.in_(("proposed", "returned"))),
                actor,
                organisation,
                j.organisation_id,
            ).order_by(j.updated_at, j.id)
        ).all()
        # a returned proposal is answered once one for the same rule is active again
        active_rows = session.execute(
            _scoped(
                select(j.registration_id, j.rule).where(j.state.in_(ACTIVE_STATES)),
                actor,
                organisation,
                j.organisation_id,
            )
        )
        active = {(registration_id, rule) for registration_id, rule in active_rows}
        for row, name in justifications:
            if row.state == "returned":
                if (row.registration_id, row.rule) in active or row.returned_on is None:
                    continue
                returned.append(
                    WorkItem(
                        "justification",
                        row.registration_id,
                        name or row.registration_id,
                        row.organisation_id,
                        row.id,
                        row.rule,
                        row.returned_by or "",
                        row.returned_on,
                        row.returned_reason,
                    )
                )
            elif actor.user != row.created_by:
                awaiting.append(
                    WorkItem(
                        "justification",
                        row.registration_id,
                        name or row.registration_id,
                        row.organisation_id,
                        row.id,
                        row.rule,
                        row.created_by,
                        row.updated_at,
                    )
                )
    if writes:
        work.returned, work.returned_total = returned[:ITEMS], len(returned)
    if approves:
        work.awaiting, work.awaiting_total = awaiting[:ITEMS], len(awaiting)
    return work
