"""Signed notification packages between two registers: round trip and tampering refused."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.problems import InputError
from cloudtoets.services import notifications as notification_service
from cloudtoets.services.context import Register
from cloudtoets.services.errors import InvalidTransition
from cloudtoets.services.notification_packages import export_package, import_package, package_bytes
from cloudtoets.services.package_signing import (
    content_hash,
    instance_public_key,
    new_private_key_pem,
    public_key_text,
)
from cloudtoets.services.workflow_steps import RoleRefused
from cloudtoets.store.migrate import upgrade
from cloudtoets.store.tables import OrganisationRow
from cloudtoets.store.workflows import NotificationMessageRow, NotificationRow

from .conftest import TODAY
from .workflow_actors import (
    CIO,
    EDITOR,
    NOTIFICATION_RULE,
    UWV_EDITOR,
    add,
    audit_count,
    material_registration,
    rules_of,
)

SENDER = "bzk-register"


def _open(url: str, **settings: Any) -> Register:
    opened = Register.open(Settings(database_url=url, **settings), clock=FixedClock.on(TODAY))
    upgrade(opened.engine)
    return opened


@pytest.fixture
def sender(register: Register) -> Register:
    """The organisation's register (SQLite and PostgreSQL) with a notification in questions."""
    register.settings.instance_name = SENDER
    add(register, material_registration())
    draft = notification_service.create_notification(register, EDITOR, "bzk-kern")
    n = notification_service.submit_notification(register, EDITOR, draft.id, draft.version)
    n = notification_service.receive_notification(register, CIO, n.id, n.version)
    notification_service.ask_question(register, CIO, n.id, "Is de exit getest?", n.version)
    return register


@pytest.fixture
def receiver(tmp_path: Path, sender: Register) -> Iterator[Register]:
    """CIO Rijk's own register (SQLite), which trusts the sender's key."""
    trusted = tmp_path / "vertrouwd.txt"
    trusted.write_text(
        f"# naam, publieke sleutel en organisaties\n{SENDER} {instance_public_key(sender)} bzk\n",
        encoding="utf-8",
    )
    opened = _open(
        f"sqlite:///{tmp_path / 'cio.sqlite'}", instance_name="cio-rijk", trusted_keys_file=trusted
    )
    with opened.sessions() as session, session.begin():
        session.add(OrganisationRow(id="bzk", name="BZK", type="ministry"))
    yield opened
    opened.close()


def _package(sender: Register) -> dict[str, Any]:
    (n,) = notification_service.list_notifications(sender, CIO)
    return export_package(sender, CIO, n.id)


def _stored(register: Register) -> tuple[int, int, int]:
    with register.sessions() as session:
        notifications = session.scalar(select(func.count()).select_from(NotificationRow)) or 0
        messages = session.scalar(select(func.count()).select_from(NotificationMessageRow)) or 0
    return notifications, messages, audit_count(register)


def test_a_package_round_trips_between_two_registers(sender: Register, receiver: Register) -> None:
    package = _package(sender)
    assert package["signature"]["algorithm"] == "Ed25519"
    assert package["content_hash"] == content_hash(package["content"])
    assert package["content"]["instance"] == SENDER
    imported = import_package(receiver, CIO, package_bytes(package))
    original = notification_service.get_notification(
        sender, CIO, package["content"]["notification"]["id"]
    )
    assert imported.source == SENDER
    assert imported.organisation == "bzk" and imported.registration == "bzk-kern"
    assert imported.state == "questions"
    assert imported.snapshot == original.snapshot
    assert imported.snapshot_hash == original.snapshot_hash
    assert [(m.kind, m.text) for m in imported.messages] == [("question", "Is de exit getest?")]
    # the receiving CIO Rijk goes on from there; its inbox shows where it came from
    (line,) = notification_service.list_notifications(receiver, CIO)
    assert (
        line.source == SENDER
        and line.registration_name == original.snapshot["registration"]["name"]
    )  # type: ignore[index]
    # importing it twice is refused
    with pytest.raises(InputError) as refused:
        import_package(receiver, CIO, package_bytes(package))
    assert "al geïmporteerd" in refused.value.problems[0].message


def test_a_package_from_a_key_file_verifies_with_that_key(sender: Register, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    pem = new_private_key_pem()
    key_file = tmp_path / "sleutel.pem"
    key_file.write_bytes(pem)
    sender.settings.signing_key_file = key_file
    key = serialization.load_pem_private_key(pem, password=None)
    assert _package(sender)["signature"]["public_key"] == public_key_text(key.public_key())  # type: ignore[union-attr]


def _changed_byte(package: dict[str, Any]) -> bytes:
    data = package_bytes(package)
    at = data.index(b"Is de exit getest?")
    return data[:at] + b"Js" + data[at + 2 :]


def _changed_snapshot(package: dict[str, Any]) -> bytes:
    changed = copy.deepcopy(package)
    changed["content"]["snapshot"]["registration"]["storage_countries"] = ["NL"]
    return package_bytes(changed)


def _changed_snapshot_with_new_hashes(package: dict[str, Any]) -> bytes:
    """Also the hashes recomputed: only the signature can tell."""
    changed = copy.deepcopy(package)
    content = changed["content"]
    content["snapshot"]["decision"]["verdict"] = "allowed"
    content["notification"]["snapshot_hash"] = content_hash(content["snapshot"])
    changed["content_hash"] = content_hash(content)
    return package_bytes(changed)


def _other_organisation(package: dict[str, Any]) -> bytes:
    changed = copy.deepcopy(package)
    changed["content"]["notification"]["organisation"] = "uwv"
    changed["content_hash"] = content_hash(changed["content"])
    return package_bytes(changed)


def _not_json(package: dict[str, Any]) -> bytes:
    return package_bytes(package)[:-40]


TAMPERING = [
    (_changed_byte, "hash"),
    (_changed_snapshot, "hash"),
    (_changed_snapshot_with_new_hashes, "handtekening"),
    (_other_organisation, "handtekening"),
    (_not_json, "geen leesbaar JSON"),
]


@pytest.mark.parametrize(
    ("tamper", "says"), TAMPERING, ids=[t.__name__.strip("_") for t, _ in TAMPERING]
)
def test_a_tampered_package_is_refused_and_nothing_is_stored(
    sender: Register, receiver: Register, tamper: Any, says: str
) -> None:
    package = _package(sender)
    before = _stored(receiver)
    with pytest.raises(InputError) as refused:
        import_package(receiver, CIO, tamper(package))
    assert says in refused.value.problems[0].message
    assert "niets opgeslagen" in refused.value.problems[0].message or says == "geen leesbaar JSON"
    assert _stored(receiver) == before


def test_a_package_signed_with_an_unknown_key_is_refused(
    sender: Register, receiver: Register, tmp_path: Path
) -> None:
    package = _package(sender)
    receiver.settings.trusted_keys_file = None
    with pytest.raises(InputError) as refused:
        import_package(receiver, CIO, package_bytes(package))
    assert "onbekende sleutel" in refused.value.problems[0].message
    # trusted under another name: the package's claim of its sender does not hold
    other = tmp_path / "anders.txt"
    other.write_text(f"iemand-anders {instance_public_key(sender)} bzk\n", encoding="utf-8")
    receiver.settings.trusted_keys_file = other
    with pytest.raises(InputError) as refused:
        import_package(receiver, CIO, package_bytes(package))
    assert "iemand-anders" in refused.value.problems[0].message
    assert _stored(receiver)[0] == 0


def test_a_package_of_an_organisation_the_receiver_does_not_know_is_refused(
    sender: Register, receiver: Register
) -> None:
    with receiver.sessions() as session, session.begin():
        session.delete(session.get(OrganisationRow, "bzk"))
    with pytest.raises(InputError) as refused:
        import_package(receiver, CIO, package_bytes(_package(sender)))
    assert "'bzk'" in refused.value.problems[0].message
    assert _stored(receiver)[0] == 0


def test_only_cio_rijk_imports_and_only_submitted_notifications_are_exported(
    sender: Register, receiver: Register
) -> None:
    with pytest.raises(RoleRefused):
        import_package(receiver, EDITOR, package_bytes(_package(sender)))
    draft = notification_service.create_notification(sender, EDITOR, "bzk-kern")
    with pytest.raises(InvalidTransition):
        export_package(sender, EDITOR, draft.id)
    from cloudtoets.services.errors import NotFound

    with pytest.raises(NotFound):
        export_package(sender, UWV_EDITOR, draft.id)


def test_an_imported_notification_counts_for_the_receivers_copy_of_the_registration(
    sender: Register, receiver: Register
) -> None:
    add(receiver, material_registration())
    assert NOTIFICATION_RULE in rules_of(receiver, "bzk-kern")
    import_package(receiver, CIO, orjson.dumps(_package(sender)))
    assert NOTIFICATION_RULE not in rules_of(receiver, "bzk-kern")


def test_a_package_for_an_organisation_the_key_is_not_trusted_for_is_refused(
    sender: Register, receiver: Register, tmp_path: Path
) -> None:
    package = _package(sender)
    only_uwv = tmp_path / "alleen-uwv.txt"
    only_uwv.write_text(f"{SENDER} {instance_public_key(sender)} uwv,fin\n", encoding="utf-8")
    receiver.settings.trusted_keys_file = only_uwv
    with pytest.raises(InputError) as refused:
        import_package(receiver, CIO, package_bytes(package))
    message = refused.value.problems[0].message
    assert "organisatie 'bzk'" in message and "alleen vertrouwd voor fin, uwv" in message
    # the older format without organisations is still read, and says what to add
    old = tmp_path / "oud.txt"
    old.write_text(f"{SENDER} {instance_public_key(sender)}\n", encoding="utf-8")
    receiver.settings.trusted_keys_file = old
    with pytest.raises(InputError) as refused:
        import_package(receiver, CIO, package_bytes(package))
    assert "nog niet voor welke organisaties" in refused.value.problems[0].message
    assert _stored(receiver)[0] == 0
    # trusted for bzk: accepted
    only_uwv.write_text(f"{SENDER} {instance_public_key(sender)} uwv,bzk\n", encoding="utf-8")
    receiver.settings.trusted_keys_file = only_uwv
    assert import_package(receiver, CIO, package_bytes(package)).organisation == "bzk"
