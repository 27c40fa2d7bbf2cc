"""What the route walk needs for the justification and notification routes: objects to act on and
request bodies each route accepts.

A build for the one caller allowed to take a step (the organisation's editor, its approver, or
CIO Rijk) first brings an object into the state the step needs, through the services; that change
is the caller's allowed change. Every other caller acts on a standing object, which a build makes
when there is none by writing its row directly: that changes no registration and no audit record,
so the walk's snapshot check still holds for them.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from cloudtoets.services import justifications, notifications
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.notification_packages import export_package, package_bytes
from cloudtoets.services.notification_snapshot import build_snapshot, snapshot_hash
from cloudtoets.services.package_signing import instance_public_key
from cloudtoets.services.uow import system_session
from cloudtoets.store.tables import OrganisationRow, RegistrationRow
from cloudtoets.store.workflows import JustificationRow, NotificationRow

OPERATOR = Actor.local("security-test")
EMAIL = "cb2026.4.5.email"
API = "/api/v1"
PROPOSAL: dict[str, Any] = {
    "rule": EMAIL,
    "reason": "Er is nog geen niet-publieke e-mailvoorziening.",
    "continuity_risk_established": True,
    "risk_and_exit_tested": True,
    "minister_consent_on": "2026-10-01",
}
WEB_PROPOSAL = {
    "rule": EMAIL,
    "reason": PROPOSAL["reason"],
    "continuity_risk_established": "true",
    "risk_and_exit_tested": "true",
    "minister_consent_on": "1-10-2026",
}
ACCEPTANCE = {"name": "De verantwoordelijke", "role": "secretaris-generaal"}
QUESTION = "Is de exit getest?"
STEPS_TO = {
    "draft": (),
    "submitted": ("submit",),
    "received": ("submit", "receive"),
    "questions": ("submit", "receive", "question"),
}


def allowed(principal: Any, target: Any, role: str) -> bool:
    """Whether this caller may take the step (so its build may prepare the object)."""
    if role == "cio-rijk":
        return "cio-rijk" in principal.roles
    return principal.organisation == target.organisation and role in principal.roles


# ------------------------------------------------------------------------------ justifications


def _without_active(register: Register, registration_id: str) -> None:
    for found in justifications.list_justifications(register, OPERATOR, registration_id):
        if found.rule == EMAIL and found.state in justifications.ACTIVE_STATES:
            justifications.withdraw_justification(
                register, OPERATOR, registration_id, found.id, found.version
            )


def _fresh_proposal(register: Register, registration_id: str) -> tuple[int, int]:
    _without_active(register, registration_id)
    proposal = justifications.Proposal(
        EMAIL,
        PROPOSAL["reason"],
        True,
        True,
        dt.date.fromisoformat(PROPOSAL["minister_consent_on"]),
    )
    made = justifications.propose_justification(register, OPERATOR, registration_id, proposal)
    return made.id, made.version


def _standing_justification(register: Register, registration: RegistrationRow) -> tuple[int, int]:
    with system_session(register.sessions) as session, session.begin():
        found = session.scalars(
            select(JustificationRow)
            .where(JustificationRow.registration_id == registration.id)
            .order_by(JustificationRow.id.desc())
        ).first()
        if found is None:
            found = JustificationRow(
                registration_id=registration.id,
                organisation_id=registration.organisation_id,
                rule=EMAIL,
                state="withdrawn",
                reason="Staat klaar voor de routewandeling.",
                created_by=OPERATOR.user,
            )
            session.add(found)
            session.flush()
        return found.id, found.version


def _registration(register: Register, registration_id: str) -> RegistrationRow:
    with system_session(register.sessions) as session:
        row = session.get(RegistrationRow, registration_id)
        assert row is not None, registration_id
        return row


def justification(walk: Any, target: Any, principal: Any, role: str) -> tuple[int, int]:
    """(id, version) of a proposed justification for the one who may take the step; a standing
    one (any state) for everyone else."""
    if allowed(principal, target, role):
        return _fresh_proposal(walk.register, target.registration)
    return _standing_justification(walk.register, _registration(walk.register, target.registration))


def propose(walk: Any, call: Any, target: Any, principal: Any) -> None:
    if allowed(principal, target, "editor"):
        _without_active(walk.register, target.registration)
    if call.url.startswith(API):
        call.json = PROPOSAL
    else:
        call.data = dict(WEB_PROPOSAL)


def _justification_url(call: Any, target: Any, number: int, action: str) -> str:
    if call.url.startswith(API):
        return f"{API}/registrations/{target.registration}/justifications/{number}/{action}"
    return f"/registraties/{target.registration}/afwijkingen/{number}/{action}"


def accept(walk: Any, call: Any, target: Any, principal: Any) -> None:
    number, version = justification(walk, target, principal, "approver")
    if call.url.startswith(API):
        call.url = _justification_url(call, target, number, "accept")
        call.headers["If-Match"] = f'"v{version}"'
        call.json = {**ACCEPTANCE, "accepted_on": "2026-11-28"}
    else:
        call.url = _justification_url(call, target, number, "accepteren")
        call.data = {"versie": str(version), **ACCEPTANCE, "accepted_on": "28-11-2026"}


def send_back(walk: Any, call: Any, target: Any, principal: Any) -> None:
    number, version = justification(walk, target, principal, "approver")
    reason = "Noem de datum waarop de overstap klaar is."
    if call.url.startswith(API):
        call.url = _justification_url(call, target, number, "return")
        call.headers["If-Match"] = f'"v{version}"'
        call.json = {"reason": reason}
    else:
        call.url = _justification_url(call, target, number, "terugsturen")
        call.data = {"versie": str(version), "reason": reason}


def withdraw(walk: Any, call: Any, target: Any, principal: Any) -> None:
    number, version = justification(walk, target, principal, "editor")
    if call.url.startswith(API):
        call.url = _justification_url(call, target, number, "withdraw")
        call.headers["If-Match"] = f'"v{version}"'
    else:
        call.url = _justification_url(call, target, number, "intrekken")
        call.data = {"versie": str(version)}


def read_justification(walk: Any, call: Any, target: Any, principal: Any) -> None:
    number, _ = _standing_justification(
        walk.register, _registration(walk.register, target.registration)
    )
    call.url = f"/registraties/{target.registration}/afwijkingen/{number}"


# ------------------------------------------------------------------------------ notifications


def _without_draft(register: Register, registration_id: str) -> None:
    for found in notifications.list_notifications(register, OPERATOR, registration=registration_id):
        if found.state == "draft":
            notifications.submit_notification(register, OPERATOR, found.id, found.version)


def _fresh_notification(register: Register, registration_id: str, state: str) -> tuple[int, int]:
    _without_draft(register, registration_id)
    made = notifications.create_notification(register, OPERATOR, registration_id)
    for step in STEPS_TO[state]:
        text = QUESTION if step == "question" else None
        made = notifications.take_step(register, OPERATOR, made.id, step, made.version, text)
    return made.id, made.version


def _standing_notification(register: Register, registration_id: str) -> tuple[int, int]:
    """A submitted notification with a snapshot, written directly when there is none."""
    with system_session(register.sessions) as session, session.begin():
        found = session.scalars(
            select(NotificationRow)
            .where(
                NotificationRow.registration_id == registration_id,
                NotificationRow.snapshot_hash.is_not(None),
                NotificationRow.source == "local",
            )
            .order_by(NotificationRow.id.desc())
        ).first()
        if found is None:
            registration = session.get(RegistrationRow, registration_id)
            assert registration is not None
            snapshot = build_snapshot(register, session, registration)
            found = NotificationRow(
                registration_id=registration_id,
                organisation_id=registration.organisation_id,
                state="submitted",
                snapshot=snapshot,
                snapshot_hash=snapshot_hash(snapshot),
                created_by=OPERATOR.user,
                submitted_by=OPERATOR.user,
                submitted_at=register.now(),
            )
            session.add(found)
            session.flush()
        return found.id, found.version


def notification(walk: Any, target: Any, principal: Any, role: str, state: str) -> tuple[int, int]:
    if allowed(principal, target, role):
        return _fresh_notification(walk.register, target.registration, state)
    return _standing_notification(walk.register, target.registration)


def create(walk: Any, call: Any, target: Any, principal: Any) -> None:
    if allowed(principal, target, "editor"):
        _without_draft(walk.register, target.registration)


def read_notification(suffix: str = "") -> Any:
    def build(walk: Any, call: Any, target: Any, principal: Any) -> None:
        number, _ = _standing_notification(walk.register, target.registration)
        base = f"{API}/notifications" if call.url.startswith(API) else "/meldingen"
        call.url = f"{base}/{number}{suffix}"

    return build


def step(role: str, state: str, api_name: str, web_name: str, text: str | None = None) -> Any:
    """The build of one step: the notification in ``state``, its version, and a text if asked."""

    def build(walk: Any, call: Any, target: Any, principal: Any) -> None:
        number, version = notification(walk, target, principal, role, state)
        if call.url.startswith(API):
            call.url = f"{API}/notifications/{number}/{api_name}"
            call.headers["If-Match"] = f'"v{version}"'
            if text is not None:
                call.json = {"text": text}
        else:
            call.url = f"/meldingen/{number}/{web_name}"
            call.data = {"versie": str(version), **({"text": text} if text else {})}

    return build


# ------------------------------------------------------------------------------ packages


def _trust_itself(register: Register) -> None:
    """This instance trusts its own key, so it can import what it exported (the walk has one
    instance only)."""
    if register.settings.trusted_keys_file is not None:
        return
    folder = Path(tempfile.mkdtemp(prefix="cloudtoets-walk-"))
    path = folder / "vertrouwd.txt"
    name = register.settings.instance_name
    # trusted for every organisation of the register: the walk sends packages of each
    with system_session(register.sessions) as session:  # every organisation, past row security
        organisations = ",".join(session.scalars(select(OrganisationRow.id)))
    path.write_text(f"{name} {instance_public_key(register)} {organisations}\n", encoding="utf-8")
    register.settings.trusted_keys_file = path


def package(walk: Any, call: Any, target: Any, principal: Any) -> None:
    """CIO Rijk gets a signed package of a standing notification (an earlier import of the same
    one removed, which would otherwise be refused as a duplicate); others a package they may
    not import anyway."""
    data = b"{}"
    if allowed(principal, target, "cio-rijk"):
        register = walk.register
        _trust_itself(register)
        number, _ = _standing_notification(register, target.registration)
        with system_session(register.sessions) as session, session.begin():
            session.execute(
                delete(NotificationRow).where(
                    NotificationRow.registration_id == target.registration,
                    NotificationRow.source != "local",
                )
            )
        data = package_bytes(export_package(register, OPERATOR, number))
    field = "file" if call.url.startswith(API) else "bestand"
    call.files = {field: ("melding.json", data, "application/json")}
