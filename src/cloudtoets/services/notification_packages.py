"""A notification as a signed JSON package, to carry it from one instance to another.

Format (docs/workflows.md):

    {"format": "cloudtoets-melding", "format_version": 1,
     "content": {"instance": ..., "exported_at": ..., "notification": {...},
                 "snapshot": {...}, "messages": [...]},
     "content_hash": SHA-256 of the canonical JSON of "content" (hex),
     "signature": {"algorithm": "Ed25519", "public_key": ..., "key_id": ...,
                   "value": signature over the canonical JSON of "content" (base64)}}

Importing verifies the format, the content hash, the snapshot hash, that the key is one of the
trusted keys and that the signature holds; anything else refuses the whole package with a Dutch
message and stores nothing. The imported notification belongs to the organisation the package
names (which must exist here) and gets ``source`` = the trusted name of the sending instance.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlalchemy import select

from cloudtoets.problems import InputError, Problem
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import InvalidTransition, ObjectKind
from cloudtoets.services.notification_states import STATES
from cloudtoets.services.notifications import (
    NotificationView,
    audit_view,
    get_notification,
    view,
)
from cloudtoets.services.package_signing import (
    ALGORITHM,
    canonical_bytes,
    content_hash,
    instance_key,
    key_id,
    public_key_text,
    sign,
    signature_holds,
    trusted_keys,
)
from cloudtoets.services.permissions import Permission
from cloudtoets.services.uow import unit_of_work
from cloudtoets.services.workflow_projection import SUBMITTED_STATES, sync_registration
from cloudtoets.services.workflow_steps import require_role
from cloudtoets.store.audit import canonical_time
from cloudtoets.store.tables import OrganisationRow, RegistrationRow
from cloudtoets.store.workflows import NotificationMessageRow, NotificationRow

FORMAT = "cloudtoets-melding"
FORMAT_VERSION = 1
SOURCE = "pakket"  # the where of every refusal


def _time(value: dt.datetime | None) -> str | None:
    return canonical_time(value) if value is not None else None


def _content(register: Register, notification: NotificationView) -> dict[str, Any]:
    return {
        "instance": register.settings.instance_name,
        "exported_at": canonical_time(register.now()),
        "notification": {
            "id": notification.id,
            "registration": notification.registration,
            "organisation": notification.organisation,
            "state": notification.state,
            # where this instance got it from itself, if it was imported (None: made here)
            "source_instance": None if notification.source == "local" else notification.source,
            "snapshot_hash": notification.snapshot_hash,
            "renotification_needed": notification.renotification_needed,
            "renotification_reason": notification.renotification_reason,
            "created_by": notification.created_by,
            "submitted_by": notification.submitted_by,
            "submitted_at": _time(notification.submitted_at),
            "received_at": _time(notification.received_at),
            "closed_at": _time(notification.closed_at),
        },
        "snapshot": notification.snapshot,
        "messages": [
            {
                "at": canonical_time(m.at),
                "author": m.author,
                "side": m.side,
                "kind": m.kind,
                "text": m.text,
            }
            for m in notification.messages
        ],
    }


def export_package(register: Register, actor: Actor, notification_id: int) -> dict[str, Any]:
    """The signed package of a submitted notification the actor may read (stores nothing)."""
    notification = get_notification(register, actor, notification_id)
    if notification.state not in SUBMITTED_STATES or notification.snapshot is None:
        raise InvalidTransition(
            ObjectKind.NOTIFICATION,
            str(notification_id),
            "Alleen een ingediende melding met een momentopname kan als ondertekend pakket "
            "worden geëxporteerd. Dien de melding eerst in.",
        )
    key = instance_key(register)
    content = _content(register, notification)
    public_key = public_key_text(key.public_key())
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "content": content,
        "content_hash": content_hash(content),
        "signature": {
            "algorithm": ALGORITHM,
            "public_key": public_key,
            "key_id": key_id(public_key),
            "value": sign(key, canonical_bytes(content)),
        },
    }


def package_bytes(package: dict[str, Any]) -> bytes:
    """The package as a file: indented JSON (the hash and signature cover the content's
    canonical form, so the layout of the file does not matter)."""
    return orjson.dumps(package, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def refused(message: str) -> InputError:
    return InputError(SOURCE, [Problem(SOURCE, message, None, "file")])


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise refused(
            f"{what} ontbreekt of is geen object. Is dit een meldingspakket van cloudtoets?"
        )
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise refused(f"{what} ontbreekt in het pakket.")
    return value


def _moment(value: Any, what: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise refused(f"{what} is geen geldig tijdstip.") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def verify_package(register: Register, data: bytes) -> tuple[str, dict[str, Any]]:
    """The sending instance's trusted name and the package's content, once every check holds."""
    try:
        package = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise refused(
            "Dit bestand is geen leesbaar JSON-pakket. Is het onderweg beschadigd of gewijzigd?"
        ) from None
    package = _mapping(package, "Het pakket")
    if package.get("format") != FORMAT or package.get("format_version") != FORMAT_VERSION:
        raise refused(
            f"Dit is geen meldingspakket van cloudtoets (formaat {FORMAT}, "
            f"versie {FORMAT_VERSION})."
        )
    content = _mapping(package.get("content"), "De inhoud (content)")
    signature = _mapping(package.get("signature"), "De handtekening (signature)")
    if content_hash(content) != package.get("content_hash"):
        raise refused(
            "De inhoud van het pakket klopt niet met de hash: het pakket is na het ondertekenen "
            "gewijzigd. Er is niets opgeslagen. Vraag de afzender om een nieuw pakket."
        )
    if signature.get("algorithm") != ALGORITHM:
        raise refused(f"Het pakket is niet ondertekend met {ALGORITHM}.")
    public_key = _text(signature.get("public_key"), "De publieke sleutel")
    trusted = {k.public_key: k for k in trusted_keys(register.settings)}
    key = trusted.get(public_key)
    name = key.name if key is not None else None
    if key is None or name is None:
        raise refused(
            f"Het pakket is ondertekend met een onbekende sleutel ({key_id(public_key)}). "
            "Neem de publieke sleutel van de afzender op in CLOUDTOETS_TRUSTED_KEYS_FILE als u "
            "de afzender vertrouwt. Er is niets opgeslagen."
        )
    if not signature_holds(public_key, canonical_bytes(content), str(signature.get("value", ""))):
        raise refused(
            "De handtekening van het pakket klopt niet: het is gewijzigd of met een andere "
            "sleutel ondertekend. Er is niets opgeslagen."
        )
    if content.get("instance") != name:
        raise refused(
            f"Het pakket noemt als afzender '{content.get('instance')}', maar de sleutel hoort "
            f"bij '{name}'. Er is niets opgeslagen."
        )
    notification = _mapping(content.get("notification"), "De melding")
    snapshot = _mapping(content.get("snapshot"), "De momentopname")
    if content_hash(snapshot) != notification.get("snapshot_hash"):
        raise refused("De momentopname klopt niet met haar hash. Er is niets opgeslagen.")
    snapshot_organisation = (snapshot.get("registration") or {}).get("organisation")
    if snapshot_organisation != notification.get("organisation"):
        raise refused("De momentopname hoort bij een andere organisatie dan de melding.")
    organisation = notification.get("organisation")
    if key.organisations is None:
        raise refused(
            f"In CLOUDTOETS_TRUSTED_KEYS_FILE (regel {key.line}) staat bij '{name}' nog niet voor "
            "welke organisaties die installatie mag melden. Zet ze achter de sleutel, met "
            f"komma's (bijvoorbeeld: {name} SLEUTEL {organisation}). Er is niets opgeslagen."
        )
    if organisation not in key.organisations:
        raise refused(
            f"Het pakket is een melding van organisatie '{organisation}', maar installatie "
            f"'{name}' wordt alleen vertrouwd voor "
            f"{', '.join(sorted(key.organisations)) or 'geen enkele organisatie'}. "
            "Er is niets opgeslagen."
        )
    return name, content


def import_package(register: Register, actor: Actor, data: bytes) -> NotificationView:
    """Store the notification of a verified package (CIO Rijk), with its messages."""
    require_role(
        actor,
        Permission.HANDLE_NOTIFICATIONS,
        "Alleen CIO Rijk kan een meldingspakket van een andere installatie importeren.",
    )
    source, content = verify_package(register, data)
    notification = content["notification"]
    organisation = _text(notification.get("organisation"), "De organisatie")
    registration_id = _text(notification.get("registration"), "De registratie")
    state = notification.get("state")
    if state not in STATES or state not in SUBMITTED_STATES:
        raise refused("Het pakket bevat geen ingediende melding.")
    messages = content.get("messages")
    if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
        raise refused("De berichten (messages) zijn geen lijst.")
    with unit_of_work(register.sessions, actor) as uow:
        session = uow.session
        if not actor.may_see(organisation) or session.get(OrganisationRow, organisation) is None:
            raise refused(
                f"De organisatie '{organisation}' van deze melding bestaat niet in dit register. "
                "Neem de organisatie eerst op (bijvoorbeeld met een import van haar inventaris)."
            )
        existing = session.get(RegistrationRow, registration_id)
        if existing is not None and existing.organisation_id != organisation:
            raise refused(
                f"Registratie '{registration_id}' hoort in dit register bij een andere "
                "organisatie dan de melding. Er is niets opgeslagen."
            )
        duplicate = session.scalars(
            select(NotificationRow.id).where(
                NotificationRow.source == source,
                NotificationRow.registration_id == registration_id,
                NotificationRow.snapshot_hash == notification["snapshot_hash"],
            )
        ).first()
        if duplicate is not None:
            raise refused(f"Dit pakket is al geïmporteerd als melding {duplicate}.")
        row = NotificationRow(
            registration_id=registration_id,
            organisation_id=organisation,
            state=state,
            snapshot=content["snapshot"],
            snapshot_hash=notification["snapshot_hash"],
            renotification_needed=bool(notification.get("renotification_needed")),
            renotification_reason=str(notification.get("renotification_reason") or ""),
            source=source,
            created_by=actor.user,
            submitted_by=notification.get("submitted_by"),
            submitted_at=_moment(notification.get("submitted_at"), "Het tijdstip van indienen"),
            received_at=_moment(notification.get("received_at"), "Het tijdstip van ontvangst"),
            closed_at=_moment(notification.get("closed_at"), "Het tijdstip van afsluiten"),
        )
        session.add(row)
        session.flush()
        for message in messages:
            side, kind = message.get("side"), message.get("kind")
            if side not in ("organisation", "cio-rijk") or kind not in (
                "comment",
                "question",
                "answer",
            ):
                raise refused("Een bericht in het pakket heeft een onbekende soort.")
            session.add(
                NotificationMessageRow(
                    notification_id=row.id,
                    organisation_id=organisation,
                    at=_moment(message.get("at"), "Het tijdstip van een bericht") or register.now(),
                    author=_text(message.get("author"), "De schrijver van een bericht"),
                    side=side,
                    kind=kind,
                    text=_text(message.get("text"), "De tekst van een bericht"),
                )
            )
        session.flush()
        uow.audit(
            "import",
            "notification",
            str(row.id),
            organisation_id=organisation,
            after={**audit_view(row), "instance": source, "remote_id": notification.get("id")},
        )
        sync_registration(uow, register, registration_id)
        return view(session, row)
