"""Work that waits for someone: drafts sent back to the editors, drafts an approver can accept,
questions of CIO Rijk to the organisation, and notifications that wait for CIO Rijk.

The overview shows each role its own queue, so an editor sees why an approver sent a risk
assessment or a justification back and what CIO Rijk asks, an approver sees what waits for
acceptance: only what somebody else wrote (four eyes, services/workflow_steps.py), since their
own drafts wait for another approver; CIO Rijk sees what was submitted or answered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, select

from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.justifications import ACTIVE_STATES
from cloudtoets.services.permissions import Permission
from cloudtoets.services.risk_assessments import drafters
from cloudtoets.services.uow import read_only
from cloudtoets.store.tables import RegistrationRow
from cloudtoets.store.workflows import (
    JustificationRow,
    NotificationMessageRow,
    NotificationRow,
    RiskAssessmentRow,
)

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


@dataclass(frozen=True, slots=True)
class NotificationItem:
    """A notification that waits: for the organisation's answer, or for CIO Rijk."""

    notification_id: int
    registration_id: str
    registration_name: str
    organisation: str
    state: str
    question: str | None = None  # CIO Rijk's last question, as written (line breaks kept)
    by: str | None = None
    on: dt.datetime | None = None


# the notification states that wait for CIO Rijk (services/notification_states.py)
FOR_CIO_RIJK = ("submitted", "answered")


@dataclass(slots=True)
class PendingWork:
    returned: list[WorkItem] = field(default_factory=list)
    returned_total: int = 0
    awaiting: list[WorkItem] = field(default_factory=list)
    awaiting_total: int = 0
    questions: list[NotificationItem] = field(default_factory=list)
    questions_total: int = 0
    inbox: list[NotificationItem] = field(default_factory=list)
    inbox_total: int = 0
    # drafts and proposals that wait for an approver, whoever may see them: until they are
    # accepted nothing is "in orde" on the overview
    unaccepted: int = 0


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
    if not actor.can(Permission.READ_REGISTER):
        return work
    writes = actor.can(Permission.WRITE_REGISTER)
    approves = actor.can(Permission.APPROVE)
    _notifications(register, actor, organisation, work)
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
                continue
            work.unaccepted += 1
            if actor.user not in drafters(row):
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
                continue
            work.unaccepted += 1
            if actor.user != row.created_by:
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


def _notifications(
    register: Register, actor: Actor, organisation: str | None, work: PendingWork
) -> None:
    """CIO Rijk's questions for those who answer them, and what waits for CIO Rijk."""
    answers = actor.can(Permission.WRITE_REGISTER)
    handles = actor.can(Permission.HANDLE_NOTIFICATIONS)
    if not (answers or handles):
        return
    n, r, m = NotificationRow, RegistrationRow, NotificationMessageRow
    states = (("questions",) if answers else ()) + (FOR_CIO_RIJK if handles else ())
    with read_only(register.sessions, actor) as session:
        rows = session.execute(
            _scoped(
                select(n, r.name)
                .outerjoin(
                    r, (r.id == n.registration_id) & (r.organisation_id == n.organisation_id)
                )
                .where(n.state.in_(states)),
                actor,
                organisation,
                n.organisation_id,
            ).order_by(n.updated_at, n.id)
        ).all()
        asking = [row.id for row, _ in rows if row.state == "questions"]
        last_questions: dict[int, NotificationMessageRow] = {}
        if asking:
            latest = (
                select(func.max(m.id))
                .where(m.notification_id.in_(asking), m.kind == "question")
                .group_by(m.notification_id)
            )
            for question in session.scalars(select(m).where(m.id.in_(latest))):
                last_questions[question.notification_id] = question
    for row, name in rows:
        asked = row.state == "questions"
        message = last_questions.get(row.id) if asked else None
        (work.questions if asked else work.inbox).append(
            NotificationItem(
                row.id,
                row.registration_id,
                name or row.registration_id,
                row.organisation_id,
                row.state,
                message.text if message else None,
                message.author if message else None,
                message.at if message else None,
            )
        )
    work.questions_total, work.questions = len(work.questions), work.questions[:ITEMS]
    work.inbox_total, work.inbox = len(work.inbox), work.inbox[:ITEMS]
