"""Notifications to CIO Rijk as workflow objects: every step, by state and by role."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import orjson
import pytest

from cloudtoets.domain.model import Notification
from cloudtoets.io.write import inventory_document
from cloudtoets.problems import InputError
from cloudtoets.services import notifications as service
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import InvalidTransition, NotFound, VersionConflict
from cloudtoets.services.imports import commit_import, export_inventory
from cloudtoets.services.notifications import NotificationView
from cloudtoets.services.package_signing import content_hash
from cloudtoets.services.workflow_steps import RoleRefused
from cloudtoets.store.tables import RegistrationRow

from .conftest import CENTRAL, registration
from .workflow_actors import (
    APPROVER,
    AUDITOR,
    CIO,
    EDITOR,
    NOTIFICATION_RULE,
    UWV_EDITOR,
    VIEWER,
    add,
    audit_count,
    material_registration,
    rules_of,
)


def submitted(register: Register, registration_id: str = "bzk-kern") -> NotificationView:
    draft = service.create_notification(register, EDITOR, registration_id)
    return service.submit_notification(register, EDITOR, draft.id, draft.version)


def test_submitting_bundles_a_snapshot_and_resolves_the_notification_finding(
    register: Register,
) -> None:
    add(register, material_registration())
    assert NOTIFICATION_RULE in rules_of(register, "bzk-kern")
    draft = service.create_notification(register, EDITOR, "bzk-kern")
    assert draft.state == "draft" and draft.snapshot is None
    assert NOTIFICATION_RULE in rules_of(register, "bzk-kern")  # a draft is no notification

    sent = service.submit_notification(register, EDITOR, draft.id, draft.version)
    assert sent.state == "submitted" and sent.submitted_by == EDITOR.user
    assert NOTIFICATION_RULE not in rules_of(register, "bzk-kern")
    snapshot = sent.snapshot
    assert snapshot is not None
    assert sent.snapshot_hash == content_hash(snapshot)
    assert snapshot["registration"]["id"] == "bzk-kern"
    assert snapshot["registration"]["notification"]["to"] == "CIO Rijk"
    assert snapshot["decision"]["registration"] == "bzk-kern"
    assert snapshot["decision"]["material"] is True
    assert NOTIFICATION_RULE not in {f["rule"] for f in snapshot["decision"]["findings"]}
    assert snapshot["organisation"]["id"] == "bzk"
    # no risk assessment or exit plan in the register: the snapshot says so
    assert snapshot["risk_assessment"] is None and snapshot["exit_plan"] is None
    assert any("risicoafweging" in r for r in snapshot["remarks"])
    assert any("exitplan" in r for r in snapshot["remarks"])
    stored = registration_service.get_registration(register, CENTRAL, "bzk-kern")
    assert stored.registration.notification == Notification(register.today(), "CIO Rijk")


def test_the_whole_way_with_the_role_for_each_step(register: Register) -> None:
    add(register, material_registration())
    sent = submitted(register)
    received = service.receive_notification(register, CIO, sent.id, sent.version)
    assert received.state == "received" and received.received_at is not None
    commented = service.comment_on_notification(
        register, CIO, sent.id, "Dank, we kijken ernaar.", received.version
    )
    assert commented.state == "received" and commented.version > received.version
    asked = service.ask_question(register, CIO, sent.id, "Is de exit getest?", commented.version)
    assert asked.state == "questions"
    answered = service.answer_question(register, EDITOR, sent.id, "Ja, in oktober.", asked.version)
    assert answered.state == "answered"
    closed = service.close_notification(register, CIO, sent.id, answered.version)
    assert closed.state == "closed" and closed.closed_at is not None
    assert [(m.side, m.kind, m.author) for m in closed.messages] == [
        ("cio-rijk", "comment", CIO.user),
        ("cio-rijk", "question", CIO.user),
        ("organisation", "answer", EDITOR.user),
    ]
    assert closed.messages[2].text == "Ja, in oktober."
    # the registration stays notified after CIO Rijk closes the notification
    assert NOTIFICATION_RULE not in rules_of(register, "bzk-kern")


Step = Callable[[Register, Actor, NotificationView], object]


def _receive(register: Register, actor: Actor, n: NotificationView) -> object:
    return service.receive_notification(register, actor, n.id, n.version)


def _submit(register: Register, actor: Actor, n: NotificationView) -> object:
    return service.submit_notification(register, actor, n.id, n.version)


def _question(register: Register, actor: Actor, n: NotificationView) -> object:
    return service.ask_question(register, actor, n.id, "Vraag?", n.version)


def _comment(register: Register, actor: Actor, n: NotificationView) -> object:
    return service.comment_on_notification(register, actor, n.id, "Opmerking.", n.version)


def _answer(register: Register, actor: Actor, n: NotificationView) -> object:
    return service.answer_question(register, actor, n.id, "Antwoord.", n.version)


def _close(register: Register, actor: Actor, n: NotificationView) -> object:
    return service.close_notification(register, actor, n.id, n.version)


def _to(register: Register, state: str) -> NotificationView:
    """A notification of bzk-kern brought to ``state`` the regular way."""
    draft = service.create_notification(register, EDITOR, "bzk-kern")
    if state == "draft":
        return draft
    n = service.submit_notification(register, EDITOR, draft.id, draft.version)
    path = {
        "submitted": [],
        "received": [_receive],
        "questions": [_receive, _question],
        "answered": [_receive, _question, _answer],
        "closed": [_receive, _close],
    }[state]
    for step in path:
        actor = EDITOR if step is _answer else CIO
        n = step(register, actor, n)  # type: ignore[assignment]
    return n


STATE_REFUSALS = [
    ("draft", _receive, CIO),
    ("draft", _question, CIO),
    ("draft", _answer, EDITOR),
    ("draft", _close, CIO),
    ("submitted", _submit, EDITOR),
    ("submitted", _answer, EDITOR),
    ("submitted", _comment, CIO),
    ("submitted", _close, CIO),
    ("received", _receive, CIO),
    ("received", _answer, EDITOR),
    ("questions", _close, CIO),
    ("questions", _submit, EDITOR),
    ("answered", _answer, EDITOR),
    ("answered", _receive, CIO),
    ("closed", _question, CIO),
    ("closed", _comment, CIO),
    ("closed", _answer, EDITOR),
    ("closed", _close, CIO),
]


@pytest.mark.parametrize(
    ("state", "step", "actor"),
    STATE_REFUSALS,
    ids=[f"{state}-{step.__name__[1:]}" for state, step, _ in STATE_REFUSALS],
)
def test_a_step_the_state_does_not_allow_is_refused_and_changes_nothing(
    register: Register, state: str, step: Step, actor: Actor
) -> None:
    add(register, material_registration())
    n = _to(register, state)
    before = audit_count(register)
    with pytest.raises(InvalidTransition) as refused:
        step(register, actor, n)
    assert "kan nu niet" in refused.value.message
    assert service.get_notification(register, CIO, n.id).state == state
    assert audit_count(register) == before


ROLE_REFUSALS = [
    ("draft", _submit, CIO, "bewerker"),
    ("draft", _submit, APPROVER, "bewerker"),
    ("draft", _submit, VIEWER, "bewerker"),
    ("submitted", _receive, EDITOR, "CIO Rijk"),
    ("submitted", _receive, AUDITOR, "CIO Rijk"),
    ("received", _question, EDITOR, "CIO Rijk"),
    ("received", _comment, APPROVER, "CIO Rijk"),
    ("received", _close, EDITOR, "CIO Rijk"),
    ("questions", _answer, CIO, "bewerker"),
    ("questions", _answer, VIEWER, "bewerker"),
]


@pytest.mark.parametrize(
    ("state", "step", "actor", "who"),
    ROLE_REFUSALS,
    ids=[f"{s}-{step.__name__[1:]}-{a.user}" for s, step, a, _ in ROLE_REFUSALS],
)
def test_a_step_of_another_role_is_refused_with_who_may_take_it(
    register: Register, state: str, step: Step, actor: Actor, who: str
) -> None:
    add(register, material_registration())
    n = _to(register, state)
    before = audit_count(register)
    with pytest.raises(RoleRefused) as refused:
        step(register, actor, n)
    assert refused.value.detail.startswith(f"Alleen {'een ' if who == 'bewerker' else ''}{who}")
    assert service.get_notification(register, CIO, n.id).state == state
    assert audit_count(register) == before


def test_another_organisation_sees_none_of_it(register: Register) -> None:
    add(register, material_registration())
    n = _to(register, "questions")
    with pytest.raises(NotFound):
        service.get_notification(register, UWV_EDITOR, n.id)
    with pytest.raises(NotFound):
        _answer(register, UWV_EDITOR, n)
    with pytest.raises(NotFound):
        service.create_notification(register, UWV_EDITOR, "bzk-kern")
    assert service.list_notifications(register, UWV_EDITOR) == []
    assert service.list_notifications(register, UWV_EDITOR, organisation="bzk") == []
    assert [x.id for x in service.list_notifications(register, EDITOR)] == [n.id]
    assert [x.id for x in service.list_notifications(register, CIO)] == [n.id]
    assert [x.id for x in service.list_notifications(register, AUDITOR, state="questions")] == [
        n.id
    ]
    assert service.list_notifications(register, CIO, state="closed") == []


def test_cio_rijk_sees_every_organisation_by_state_and_age(register: Register) -> None:
    add(register, material_registration())
    add(register, material_registration(id="uwv-kern", organisation="uwv"))
    old = submitted(register)
    draft = service.create_notification(register, UWV_EDITOR, "uwv-kern")
    newer = service.submit_notification(register, UWV_EDITOR, draft.id, draft.version)
    service.receive_notification(register, CIO, old.id, old.version)
    inbox = service.list_notifications(register, CIO)
    assert [(n.organisation, n.state) for n in inbox] == [("uwv", "submitted"), ("bzk", "received")]
    assert [n.id for n in service.list_notifications(register, UWV_EDITOR)] == [newer.id]


def test_only_material_use_of_external_cloud_is_notified(register: Register) -> None:
    add(register, registration(id="bzk-klein", processing_countries=["NL"]))
    with pytest.raises(InvalidTransition) as refused:
        service.create_notification(register, EDITOR, "bzk-klein")
    assert "materieel" in refused.value.message


def test_a_notification_may_be_drafted_while_it_is_unknown_whether_one_is_needed(
    register: Register,
) -> None:
    """Material use of a cloud whose deployment is unknown may be external: not refused."""
    add(register, material_registration(deployment=None))
    draft = service.create_notification(register, EDITOR, "bzk-kern")
    assert (draft.registration, draft.state) == ("bzk-kern", "draft")


def test_one_draft_at_a_time(register: Register) -> None:
    add(register, material_registration())
    draft = service.create_notification(register, EDITOR, "bzk-kern")
    with pytest.raises(InvalidTransition) as refused:
        service.create_notification(register, EDITOR, "bzk-kern")
    assert str(draft.id) in refused.value.message


def test_a_message_needs_text_and_a_step_the_version_that_was_read(register: Register) -> None:
    add(register, material_registration())
    n = _to(register, "received")
    with pytest.raises(InputError) as refused:
        service.ask_question(register, CIO, n.id, "   ", n.version)
    assert refused.value.problems[0].field == "text"
    with pytest.raises(VersionConflict) as conflict:
        service.close_notification(register, CIO, n.id, n.version - 1)
    assert conflict.value.current_version == n.version


def _material_change_by_update(register: Register) -> None:
    stored = registration_service.get_registration(register, CENTRAL, "bzk-kern")
    changed = dataclasses.replace(stored.registration, storage_countries=["NL", "DE"])
    registration_service.update_registration(register, EDITOR, "bzk-kern", changed, stored.version)


def _material_change_by_import(register: Register) -> None:
    inventory = export_inventory(register, CENTRAL, "bzk")
    inventory.registrations = [r for r in inventory.registrations if r.id == "bzk-kern"]
    inventory.registrations[0].provider = "ovhcloud"
    data = orjson.dumps(inventory_document(inventory))
    commit_import(register, Actor.local("import", "bzk"), "bzk.json", data)


@pytest.mark.parametrize(
    ("change", "reason"),
    [(_material_change_by_update, "landen van opslag"), (_material_change_by_import, "aanbieder")],
    ids=["update", "import"],
)
def test_a_material_change_asks_for_a_new_notification(
    register: Register, change: Callable[[Register], None], reason: str
) -> None:
    add(register, material_registration())
    sent = _to(register, "received")
    assert not service.renotification_needed(register, EDITOR, "bzk-kern")
    change(register)
    marked = service.get_notification(register, CIO, sent.id)
    assert marked.renotification_needed and reason in marked.renotification_reason
    assert marked.state == "received"  # CIO Rijk's copy stays as it was received
    assert service.renotification_needed(register, EDITOR, "bzk-kern")
    assert NOTIFICATION_RULE in rules_of(register, "bzk-kern")  # the finding is back

    renewed = submitted(register)
    assert renewed.id != sent.id and not renewed.renotification_needed
    assert not service.renotification_needed(register, EDITOR, "bzk-kern")
    assert NOTIFICATION_RULE not in rules_of(register, "bzk-kern")
    assert renewed.snapshot is not None
    assert renewed.snapshot["registration"] != sent.snapshot["registration"]  # type: ignore[index]


def test_a_notification_entered_with_the_registration_is_kept(register: Register) -> None:
    # a registration stored before decision 30 may still carry an entered notification; since
    # then no form, API or import can enter one
    entered = Notification(dt.date(2026, 8, 1), "CIO Rijk")
    add(register, material_registration(notification=entered))
    stored = registration_service.get_registration(register, CENTRAL, "bzk-kern")
    assert stored.registration.notification is None  # not stored
    with register.sessions() as session, session.begin():
        row = session.get(RegistrationRow, "bzk-kern")
        assert row is not None
        row.notification = {"submitted_on": "2026-08-01", "to": "CIO Rijk"}
    registration_service.refresh(register, dt.date(2999, 1, 1))
    assert NOTIFICATION_RULE not in rules_of(register, "bzk-kern")
    draft = service.create_notification(register, EDITOR, "bzk-kern")
    assert NOTIFICATION_RULE not in rules_of(register, "bzk-kern")  # the draft undoes nothing
    earlier = [n for n in service.list_notifications(register, EDITOR) if n.id != draft.id]
    assert [n.state for n in earlier] == ["closed"]
    taken_over = service.get_notification(register, EDITOR, earlier[0].id)
    assert taken_over.snapshot is None and "buiten cloudtoets" in taken_over.messages[0].text


def test_a_notification_the_policy_does_not_ask_for_is_refused(register: Register) -> None:
    """The notification rule's applies_when decides (services/obligations.py, asking_for)."""
    add(register, material_registration(id="niet-materieel", core_task=False, material=False))
    before = audit_count(register)
    with pytest.raises(InvalidTransition) as refused:
        service.create_notification(register, EDITOR, "niet-materieel")
    assert "vraagt voor deze registratie geen melding" in str(refused.value)
    assert audit_count(register) == before
    # private cloud in the organisation's own hands: external_cloud is false by the facts section
    own = material_registration(id="eigen-beheer", deployment="private-internal", provider=None)
    add(register, own)
    with pytest.raises(InvalidTransition):
        service.create_notification(register, EDITOR, "eigen-beheer")


def test_a_notification_may_be_drafted_while_materiality_is_unknown(register: Register) -> None:
    # not known whether it supports a core task: the use may be material
    unknown = dataclasses.replace(material_registration(id="onbekend"), core_task=None)
    add(register, unknown)
    draft = service.create_notification(register, EDITOR, "onbekend")
    assert draft.state == "draft"
