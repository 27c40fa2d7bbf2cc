"""Four eyes on every writer of a draft, and drafts sent back with a reason, against a real database.

An approver who changed a colleague's draft wrote part of it, so another approver accepts it.
An approver can send a draft risk assessment or a proposed justification back; the editors see
why on the overview, and the audit trail keeps who proposed, who sent back and who accepted.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cloudtoets.problems import InputError
from cloudtoets.services import justifications as justification_service
from cloudtoets.services import risk_assessments as service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import InvalidTransition
from cloudtoets.services.pending_work import pending_work
from cloudtoets.services.workflow_steps import OwnDraft, RoleRefused
from cloudtoets.store.tables import AuditRow

from .conftest import TODAY
from .test_justifications import ACCEPTANCE, FULL
from .test_risk_assessments import RID, acceptance, assessment, material, s31, stored_rules
from .workflow_actors import EMAIL, add, mail_registration, rules_of

__all__ = ["material"]  # the fixture, used by name

EDITOR = Actor("bewerker", frozenset({"bzk"}), frozenset({"editor"}))
APPROVER = Actor("accordeerder", frozenset({"bzk"}), frozenset({"approver"}))
# an approver who also edits: may change a colleague's draft, and then does not accept it
BOTH = Actor("bewerker-en-accordeerder", frozenset({"bzk"}), frozenset({"editor", "approver"}))
OTHER_APPROVER = Actor("tweede-accordeerder", frozenset({"bzk"}), frozenset({"approver"}))
EDITOR_BZK = Actor("bewerker-bzk", frozenset({"bzk"}), frozenset({"editor"}))
APPROVER_BZK = Actor("accordeerder-bzk", frozenset({"bzk"}), frozenset({"approver"}))
REASON = "Het risico van buitenlandse wetten is te kort beschreven. Vul de DTIA aan."


def trail(register: Register, object_type: str) -> list[tuple[str, str]]:
    with register.sessions() as session:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.object_type == object_type).order_by(AuditRow.id)
        ).all()
        return [(row.action, row.actor) for row in rows]


def test_who_changed_a_draft_cannot_accept_it(material: Register) -> None:
    draft = service.create_assessment(material, EDITOR, RID, assessment())
    changed = service.update_assessment(
        material, BOTH, RID, 1, assessment(summary="Aangevuld."), draft.version
    ).assessment
    assert changed.drafted_by == (EDITOR.user, BOTH.user)
    with pytest.raises(OwnDraft) as refused:
        service.accept_assessment(material, BOTH, RID, 1, acceptance(), changed.version)
    assert "zelf opgesteld of gewijzigd" in refused.value.detail
    assert service.get_assessment(material, EDITOR, RID, 1).state == "draft"
    assert s31(stored_rules(material)) == {"cb2026.3.1.risk-acceptance"}
    accepted = service.accept_assessment(
        material, OTHER_APPROVER, RID, 1, acceptance(), changed.version
    )
    assert accepted.state == "accepted" and accepted.accepted_by_user == OTHER_APPROVER.user
    assert s31(stored_rules(material)) == set()


def test_an_approver_sends_a_draft_back_and_the_editor_sees_why(material: Register) -> None:
    draft = service.create_assessment(material, EDITOR, RID, assessment())
    assert [w.number for w in pending_work(material, APPROVER, None).awaiting] == [1]
    assert pending_work(material, EDITOR, None).awaiting == []  # editors accept nothing

    returned = service.return_assessment(material, APPROVER, RID, 1, f"  {REASON} ", draft.version)
    assert returned.state == "draft"  # still a draft; it does not count
    assert returned.returned is not None
    assert (returned.returned.reason, returned.returned.by, returned.returned.on) == (
        REASON,
        APPROVER.user,
        TODAY,
    )
    assert s31(stored_rules(material)) == {"cb2026.3.1.risk-acceptance"}
    (item,) = pending_work(material, EDITOR, None).returned
    assert (item.kind, item.registration_id, item.number, item.reason, item.by) == (
        "risk-assessment",
        RID,
        1,
        REASON,
        APPROVER.user,
    )
    assert pending_work(material, APPROVER, None).awaiting == []  # back with the editors

    # the editor changes the draft: the reason leaves the overview, the audit trail keeps it
    saved = service.update_assessment(
        material, EDITOR, RID, 1, assessment(summary="DTIA aangevuld."), returned.version
    ).assessment
    assert saved.returned is None
    assert pending_work(material, EDITOR, None).returned == []
    assert [w.number for w in pending_work(material, APPROVER, None).awaiting] == [1]
    service.accept_assessment(material, APPROVER, RID, 1, acceptance(), saved.version)
    assert trail(material, "risk_assessment") == [
        ("create", EDITOR.user),
        ("return", APPROVER.user),
        ("update", EDITOR.user),
        ("accept", APPROVER.user),
    ]
    with material.sessions() as session:
        sent_back = session.scalars(select(AuditRow).where(AuditRow.action == "return")).one()
        assert sent_back.after is not None and sent_back.after["returned"]["reason"] == REASON


def test_sending_back_needs_an_approver_a_reason_and_a_draft(material: Register) -> None:
    draft = service.create_assessment(material, EDITOR, RID, assessment())
    with pytest.raises(RoleRefused) as refused:
        service.return_assessment(material, EDITOR, RID, 1, REASON, draft.version)
    assert "accordeerder" in refused.value.detail
    for empty in ("", "   \n"):
        with pytest.raises(InputError) as missing:
            service.return_assessment(material, APPROVER, RID, 1, empty, draft.version)
        assert missing.value.problems[0].field == "reason"
        assert "Vul in waarom" in missing.value.problems[0].message
    with pytest.raises(InputError):
        service.return_assessment(material, APPROVER, RID, 1, "x" * 2_001, draft.version)
    accepted = service.accept_assessment(material, APPROVER, RID, 1, acceptance(), draft.version)
    with pytest.raises(InvalidTransition) as not_draft:
        service.return_assessment(material, APPROVER, RID, 1, REASON, accepted.version)
    assert "geen concept" in not_draft.value.message
    # nothing was sent back along the way
    assert ("return", APPROVER.user) not in trail(material, "risk_assessment")


def test_a_returned_proposal_waits_for_a_new_one(register: Register) -> None:
    add(register, mail_registration())
    proposed = justification_service.propose_justification(register, EDITOR_BZK, "bzk-mail", FULL)
    assert [w.rule for w in pending_work(register, APPROVER_BZK, None).awaiting] == [EMAIL]
    with pytest.raises(RoleRefused):
        justification_service.return_justification(
            register, EDITOR_BZK, "bzk-mail", proposed.id, REASON, proposed.version
        )
    returned = justification_service.return_justification(
        register, APPROVER_BZK, "bzk-mail", proposed.id, REASON, proposed.version
    )
    assert returned.state == "returned" and returned.returned is not None
    assert returned.returned.reason == REASON
    assert rules_of(register, "bzk-mail") == {EMAIL: False}
    with pytest.raises(InvalidTransition):  # no longer waits for acceptance
        justification_service.accept_justification(
            register, APPROVER_BZK, "bzk-mail", proposed.id, ACCEPTANCE, returned.version
        )
    (item,) = pending_work(register, EDITOR_BZK, None).returned
    assert (item.kind, item.rule, item.reason) == ("justification", EMAIL, REASON)
    assert pending_work(register, APPROVER_BZK, None).awaiting == []

    # a new proposal for the rule answers it: off the overview, and accepted it counts
    again = justification_service.propose_justification(register, EDITOR_BZK, "bzk-mail", FULL)
    assert pending_work(register, EDITOR_BZK, None).returned == []
    justification_service.accept_justification(
        register, APPROVER_BZK, "bzk-mail", again.id, ACCEPTANCE, again.version
    )
    assert rules_of(register, "bzk-mail") == {EMAIL: True}
    assert pending_work(register, EDITOR_BZK, None).returned == []
    assert trail(register, "justification") == [
        ("propose", EDITOR_BZK.user),
        ("return", APPROVER_BZK.user),
        ("propose", EDITOR_BZK.user),
        ("accept", APPROVER_BZK.user),
    ]


def test_a_returned_proposal_the_editor_drops_is_withdrawn(register: Register) -> None:
    add(register, mail_registration())
    proposed = justification_service.propose_justification(register, EDITOR_BZK, "bzk-mail", FULL)
    returned = justification_service.return_justification(
        register, APPROVER_BZK, "bzk-mail", proposed.id, REASON, proposed.version
    )
    withdrawn = justification_service.withdraw_justification(
        register, EDITOR_BZK, "bzk-mail", proposed.id, returned.version
    )
    assert withdrawn.state == "withdrawn"
    assert pending_work(register, EDITOR_BZK, None).returned == []


def test_pending_work_stays_within_the_organisation(material: Register) -> None:
    service.create_assessment(material, EDITOR, RID, assessment())
    stranger = Actor("accordeerder-uwv", frozenset({"uwv"}), frozenset({"approver"}))
    assert pending_work(material, stranger, None).awaiting == []
    assert pending_work(material, stranger, "bzk").awaiting == []
    assert [w.number for w in pending_work(material, APPROVER, "bzk").awaiting] == [1]
