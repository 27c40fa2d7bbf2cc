"""Notifications of material cloud use to CIO Rijk (S3.3) as workflow objects.

The states and who takes each step are in services/notification_states.py. Submitting bundles a
snapshot of the registration (services/notification_snapshot.py) with its hash. A material
change to a notified registration marks the notification out of date
(workflow_projection.mark_renotification); the organisation then submits a new notification, a
new row, which takes its place. CIO Rijk sees the notifications of every organisation; an
organisation only its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from cloudtoets.problems import InputError, Problem
from cloudtoets.services import obligations as ob
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import InvalidTransition, NotFound, ObjectKind, VersionConflict
from cloudtoets.services.evaluation import RegisterEvaluator
from cloudtoets.services.notification_snapshot import build_snapshot, snapshot_hash
from cloudtoets.services.notification_states import INBOX_ORDER, STEPS, state_refusal
from cloudtoets.services.permissions import Permission
from cloudtoets.services.registrations import registration_or_404
from cloudtoets.services.uow import UnitOfWork, read_only, unit_of_work
from cloudtoets.services.workflow_projection import SUBMITTED_STATES, sync_registration
from cloudtoets.services.workflow_steps import require_role
from cloudtoets.store import repositories as repo
from cloudtoets.store.mapping import registration_from_row
from cloudtoets.store.tables import RegistrationRow
from cloudtoets.store.workflows import NotificationMessageRow, NotificationRow

KIND = ObjectKind.NOTIFICATION
TEXT_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class MessageView:
    id: int
    at: dt.datetime
    author: str
    side: str
    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class NotificationView:
    id: int
    registration: str
    organisation: str
    state: str
    snapshot: dict[str, Any] | None
    snapshot_hash: str | None
    renotification_needed: bool
    renotification_reason: str
    source: str
    created_by: str
    submitted_by: str | None
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None
    closed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    messages: list[MessageView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NotificationSummary:
    """One line of the inbox."""

    id: int
    registration: str
    registration_name: str | None
    organisation: str
    state: str
    renotification_needed: bool
    source: str
    submitted_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


def _message_view(row: NotificationMessageRow) -> MessageView:
    return MessageView(row.id, row.at, row.author, row.side, row.kind, row.text)


def view(session: Session, row: NotificationRow) -> NotificationView:
    messages = session.scalars(
        select(NotificationMessageRow)
        .where(NotificationMessageRow.notification_id == row.id)
        .order_by(NotificationMessageRow.id)
    )
    return NotificationView(
        id=row.id,
        registration=row.registration_id,
        organisation=row.organisation_id,
        state=row.state,
        snapshot=row.snapshot,
        snapshot_hash=row.snapshot_hash,
        renotification_needed=row.renotification_needed,
        renotification_reason=row.renotification_reason,
        source=row.source,
        created_by=row.created_by,
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
        received_at=row.received_at,
        closed_at=row.closed_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        messages=[_message_view(m) for m in messages],
    )


def audit_view(row: NotificationRow) -> dict[str, Any]:
    return {
        "registration": row.registration_id,
        "state": row.state,
        "snapshot_hash": row.snapshot_hash,
        "source": row.source,
    }


# ------------------------------------------------------------------------------ reading


def _row_or_404(session: Session, actor: Actor, notification_id: int) -> NotificationRow:
    row = session.get(NotificationRow, notification_id)
    if row is None or not actor.may_see(row.organisation_id):
        raise NotFound(KIND, str(notification_id))
    return row


def get_notification(register: Register, actor: Actor, notification_id: int) -> NotificationView:
    with read_only(register.sessions, actor) as session:
        return view(session, _row_or_404(session, actor, notification_id))


def list_notifications(
    register: Register,
    actor: Actor,
    *,
    state: str | None = None,
    organisation: str | None = None,
    registration: str | None = None,
) -> list[NotificationSummary]:
    """The notifications the actor may see, by state (what needs CIO Rijk first), oldest first."""
    visible = actor.visible
    if organisation is not None and not actor.may_see(organisation):
        return []
    query = select(NotificationRow, RegistrationRow.name).outerjoin(
        RegistrationRow,
        (RegistrationRow.id == NotificationRow.registration_id)
        & (RegistrationRow.organisation_id == NotificationRow.organisation_id),
    )
    if visible is not None:
        query = query.where(NotificationRow.organisation_id.in_(visible))
    if state is not None:
        query = query.where(NotificationRow.state == state)
    if organisation is not None:
        query = query.where(NotificationRow.organisation_id == organisation)
    if registration is not None:
        query = query.where(NotificationRow.registration_id == registration)
    with read_only(register.sessions, actor) as session:
        rows = session.execute(query).all()
    found = [
        NotificationSummary(
            id=row.id,
            registration=row.registration_id,
            registration_name=name or _snapshot_name(row.snapshot),
            organisation=row.organisation_id,
            state=row.state,
            renotification_needed=row.renotification_needed,
            source=row.source,
            submitted_at=row.submitted_at,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
        )
        for row, name in rows
    ]
    order = {state: index for index, state in enumerate(INBOX_ORDER)}
    return sorted(
        found,
        key=lambda n: (order.get(n.state, 99), _naive(n.submitted_at or n.created_at), n.id),
    )


def _naive(value: dt.datetime) -> dt.datetime:
    """Comparable whether the database kept the offset (PostgreSQL) or not (SQLite)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _snapshot_name(snapshot: dict[str, Any] | None) -> str | None:
    if not snapshot:
        return None
    name = (snapshot.get("registration") or {}).get("name")
    return str(name) if name else None


def renotification_needed(register: Register, actor: Actor, registration_id: str) -> bool:
    """Whether CIO Rijk's newest notification of this registration is out of date."""
    with read_only(register.sessions, actor) as session:
        row = registration_or_404(session, actor, registration_id)
        latest = _latest_submitted(session, row)
        return latest is not None and latest.renotification_needed


def _latest_submitted(session: Session, registration: RegistrationRow) -> NotificationRow | None:
    return session.scalars(
        select(NotificationRow)
        .where(
            NotificationRow.registration_id == registration.id,
            NotificationRow.organisation_id == registration.organisation_id,
            NotificationRow.state.in_(SUBMITTED_STATES),
        )
        .order_by(NotificationRow.id.desc())
        .limit(1)
    ).first()


# ------------------------------------------------------------------------------ changing


def _refuse_unless_material(register: Register, session: Session, row: RegistrationRow) -> None:
    """Refuse a notification the policy does not ask for: when the rules that ask for one
    (services/obligations.py, asking_for) are known not to apply. While a fact they read is
    unknown, a notification may be needed."""
    evaluator = RegisterEvaluator(session, register.policy, register.today())
    asking = ob.asking_for(register.policy, ob.Document.NOTIFICATION)
    if evaluator.holds(registration_from_row(row), asking) is False:
        raise InvalidTransition(
            ObjectKind.REGISTRATION,
            row.id,
            "Het beleid vraagt voor deze registratie geen melding aan CIO Rijk. Een melding is "
            "alleen nodig voor gebruik waarvoor een regel van het beleid om een melding vraagt, "
            "zoals materieel gebruik van externe cloud.",
        )


def _take_over_entered(uow: UnitOfWork, registration: RegistrationRow) -> None:
    """A notification entered with the registration (form or import) becomes a closed workflow
    object at the first notification in the register, so a new draft does not undo it."""
    entered = registration.notification or {}
    submitted_on = entered.get("submitted_on")
    if not submitted_on:
        return
    day = dt.date.fromisoformat(str(submitted_on))
    at = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    row = NotificationRow(
        registration_id=registration.id,
        organisation_id=registration.organisation_id,
        state="closed",
        created_by=uow.actor.user,
        submitted_at=at,
        closed_at=at,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.session.add(
        NotificationMessageRow(
            notification_id=row.id,
            organisation_id=row.organisation_id,
            author=uow.actor.user,
            side="organisation",
            kind="comment",
            text=(
                f"Gemeld op {day.isoformat()} aan {entered.get('to') or 'CIO Rijk'}, buiten "
                "cloudtoets. Overgenomen uit de registratie; er is geen momentopname."
            ),
        )
    )
    uow.audit(
        "take-over",
        "notification",
        str(row.id),
        organisation_id=row.organisation_id,
        after=audit_view(row),
    )


def create_notification(register: Register, actor: Actor, registration_id: str) -> NotificationView:
    """A draft notification of a registration with material use of external cloud."""
    with unit_of_work(register.sessions, actor) as uow:
        session = uow.session
        registration = registration_or_404(session, actor, registration_id)
        require_role(
            actor,
            Permission.WRITE_REGISTER,
            "Alleen een bewerker van de organisatie kan een melding maken.",
        )
        _refuse_unless_material(register, session, registration)
        rows = list(
            session.scalars(
                select(NotificationRow).where(
                    NotificationRow.registration_id == registration_id,
                    NotificationRow.organisation_id == registration.organisation_id,
                )
            )
        )
        drafts = [r for r in rows if r.state == "draft"]
        if drafts:
            raise InvalidTransition(
                KIND,
                str(drafts[0].id),
                f"Er is al een concept-melding (nummer {drafts[0].id}) voor deze registratie. "
                "Dien die in, dan kan er een nieuwe komen.",
            )
        if not rows:
            _take_over_entered(uow, registration)
        row = NotificationRow(
            registration_id=registration_id,
            organisation_id=registration.organisation_id,
            state="draft",
            created_by=actor.user,
        )
        session.add(row)
        session.flush()
        uow.audit(
            "create",
            "notification",
            str(row.id),
            organisation_id=row.organisation_id,
            after=audit_view(row),
        )
        sync_registration(uow, register, registration_id)
        return view(session, row)


def _version_check(session: Session, row: NotificationRow, expected_version: int) -> None:
    if row.version != expected_version:
        raise VersionConflict(KIND, str(row.id), row.version, view(session, row))


def _message_text(text: str | None) -> str:
    cleaned = (text or "").strip()
    problem = None
    if not cleaned:
        problem = "Schrijf de tekst van uw bericht."
    elif len(cleaned) > TEXT_LIMIT:
        problem = f"Het bericht is te lang; gebruik hoogstens {TEXT_LIMIT} tekens."
    if problem:
        raise InputError("bericht", [Problem("veld text", problem, None, "text")])
    return cleaned


def submit_notification(
    register: Register, actor: Actor, notification_id: int, expected_version: int
) -> NotificationView:
    """Send a draft to CIO Rijk with a snapshot of the registration as it is now."""
    step = STEPS["submit"]
    with unit_of_work(register.sessions, actor) as uow:
        session = uow.session
        row = _row_or_404(session, actor, notification_id)
        require_role(actor, step.permission, step.role_message)
        _version_check(session, row, expected_version)
        if row.state not in step.sources:
            raise InvalidTransition(KIND, str(row.id), state_refusal(step, row.state))
        registration = repo.get_registration(session, row.registration_id, actor.visible)
        if registration is None or registration.organisation_id != row.organisation_id:
            raise InvalidTransition(
                KIND,
                str(row.id),
                "De registratie van deze melding bestaat niet meer. Een melding zonder "
                "registratie kan niet worden ingediend.",
            )
        _refuse_unless_material(register, session, registration)
        before = audit_view(row)
        row.state = step.target or row.state
        row.submitted_by = actor.user
        row.submitted_at = register.now()
        session.flush()
        # the registration counts as notified from now: the snapshot shows that decision
        sync_registration(uow, register, row.registration_id)
        row.snapshot = build_snapshot(register, session, registration)
        row.snapshot_hash = snapshot_hash(row.snapshot)
        session.flush()
        uow.audit(
            "submit",
            "notification",
            str(row.id),
            organisation_id=row.organisation_id,
            before=before,
            after=audit_view(row),
        )
        return view(session, row)


def take_step(
    register: Register,
    actor: Actor,
    notification_id: int,
    step_name: str,
    expected_version: int,
    text: str | None = None,
) -> NotificationView:
    """Receive, comment, question, answer or close (submitting has its own use case)."""
    step = STEPS[step_name]
    if step.name == "submit":
        return submit_notification(register, actor, notification_id, expected_version)
    with unit_of_work(register.sessions, actor) as uow:
        session = uow.session
        row = _row_or_404(session, actor, notification_id)
        require_role(actor, step.permission, step.role_message)
        _version_check(session, row, expected_version)
        if row.state not in step.sources:
            raise InvalidTransition(KIND, str(row.id), state_refusal(step, row.state))
        message = _message_text(text) if step.message_kind else None
        before = audit_view(row)
        now = register.now()
        row.state = step.target or row.state
        row.updated_at = now
        # a comment changes no state, but is a new version all the same, also when the clock
        # shows the moment of the previous step (the UPDATE that counts the version must run)
        flag_modified(row, "updated_at")
        if step.name == "receive":
            row.received_at = now
        if step.name == "close":
            row.closed_at = now
        if message is not None and step.message_kind is not None:
            session.add(
                NotificationMessageRow(
                    notification_id=row.id,
                    organisation_id=row.organisation_id,
                    at=now,
                    author=actor.user,
                    side=step.side,
                    kind=step.message_kind,
                    text=message,
                )
            )
        session.flush()
        after = audit_view(row)
        if message is not None:
            after["message"] = message
        uow.audit(
            step.name,
            "notification",
            str(row.id),
            organisation_id=row.organisation_id,
            before=before,
            after=after,
        )
        sync_registration(uow, register, row.registration_id)
        return view(session, row)


def receive_notification(
    register: Register, actor: Actor, notification_id: int, expected_version: int
) -> NotificationView:
    return take_step(register, actor, notification_id, "receive", expected_version)


def comment_on_notification(
    register: Register, actor: Actor, notification_id: int, text: str, expected_version: int
) -> NotificationView:
    return take_step(register, actor, notification_id, "comment", expected_version, text)


def ask_question(
    register: Register, actor: Actor, notification_id: int, text: str, expected_version: int
) -> NotificationView:
    return take_step(register, actor, notification_id, "question", expected_version, text)


def answer_question(
    register: Register, actor: Actor, notification_id: int, text: str, expected_version: int
) -> NotificationView:
    return take_step(register, actor, notification_id, "answer", expected_version, text)


def close_notification(
    register: Register, actor: Actor, notification_id: int, expected_version: int
) -> NotificationView:
    return take_step(register, actor, notification_id, "close", expected_version)
