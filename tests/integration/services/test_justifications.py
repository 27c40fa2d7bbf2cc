"""Justifications (comply or explain) as workflow objects: propose, accept, withdraw, report."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from cloudtoets.domain.model import Justification
from cloudtoets.domain.serialise import jsonable
from cloudtoets.problems import InputError
from cloudtoets.services import justifications as service
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.deviations import list_deviations
from cloudtoets.services.errors import InvalidTransition, NotFound, VersionConflict
from cloudtoets.services.workflow_steps import OwnDraft, RoleRefused
from cloudtoets.store.tables import RegistrationRow

from .conftest import CENTRAL, TODAY
from .workflow_actors import (
    APPROVER,
    AUDITOR,
    CIO,
    CONSENT,
    EDITOR,
    EMAIL,
    UWV_EDITOR,
    VIEWER,
    add,
    audit_count,
    mail_registration,
    rules_of,
)

FULL = service.Proposal(
    rule=EMAIL,
    reason="Er is nog geen niet-publieke e-mailvoorziening; migreren is nu riskanter.",
    continuity_risk_established=True,
    risk_and_exit_tested=True,
    minister_consent_on=CONSENT,
)
ACCEPTANCE = service.Acceptance("J. de Vries", "secretaris-generaal", dt.date(2026, 11, 20))


def test_acceptance_justifies_the_finding_and_reports_the_deviation_to_cio_rijk(
    register: Register,
) -> None:
    add(register, mail_registration())
    assert rules_of(register, "bzk-mail") == {EMAIL: False}
    proposed = service.propose_justification(register, EDITOR, "bzk-mail", FULL)
    assert proposed.state == "proposed" and proposed.reported_on is None
    assert rules_of(register, "bzk-mail") == {EMAIL: False}  # a proposal justifies nothing yet
    assert list_deviations(register, CIO) == []

    accepted = service.accept_justification(
        register, APPROVER, "bzk-mail", proposed.id, ACCEPTANCE, proposed.version
    )
    assert accepted.state == "accepted"
    assert accepted.accepted_by_name == "J. de Vries"
    assert accepted.accepted_by_role == "secretaris-generaal"
    assert accepted.accepted_by_user == APPROVER.user
    assert accepted.reported_on == ACCEPTANCE.accepted_on
    # the finding is justified and reported: no deviation-reported finding, verdict improves
    assert rules_of(register, "bzk-mail") == {EMAIL: True}
    stored = registration_service.get_registration(register, CENTRAL, "bzk-mail")
    assert stored.decision.verdict == "allowed-with-conditions"
    (justification,) = stored.registration.justifications
    assert justification.reported_on == ACCEPTANCE.accepted_on

    for central in (CIO, AUDITOR):
        (deviation,) = list_deviations(register, central)
        assert (deviation.registration, deviation.organisation, deviation.rule) == (
            "bzk-mail",
            "bzk",
            EMAIL,
        )
        assert deviation.reported_on == ACCEPTANCE.accepted_on
        assert deviation.recorded_with == "workflow"
    assert list_deviations(register, UWV_EDITOR) == []
    assert [d.registration for d in list_deviations(register, EDITOR)] == ["bzk-mail"]


def test_only_a_rule_with_an_advised_against_finding_can_be_justified(register: Register) -> None:
    add(register, mail_registration())
    before = audit_count(register)
    for rule in ("cb2026.4.location", "cb2026.4.5.documents", "bestaat-niet"):
        with pytest.raises(InputError) as refused:
            service.propose_justification(
                register, EDITOR, "bzk-mail", service.Proposal(rule=rule, reason="Omdat.")
            )
        (problem,) = [p for p in refused.value.problems if p.field == "rule"]
        assert rule in problem.message and "afgeraden" in problem.message
    assert audit_count(register) == before
    assert service.list_justifications(register, EDITOR, "bzk-mail") == []


def test_email_and_documents_need_the_three_conditions_of_the_policy(register: Register) -> None:
    add(register, mail_registration())
    with pytest.raises(InputError) as refused:
        service.propose_justification(
            register, EDITOR, "bzk-mail", service.Proposal(rule=EMAIL, reason="  ")
        )
    fields = {p.field: p.message for p in refused.value.problems}
    assert set(fields) == {
        "reason",
        "continuity_risk_established",
        "risk_and_exit_tested",
        "minister_consent_on",
    }
    assert "continuïteitsrisico" in fields["continuity_risk_established"]
    future = dataclasses.replace(FULL, minister_consent_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(InputError) as refused:
        service.propose_justification(register, EDITOR, "bzk-mail", future)
    assert [p.field for p in refused.value.problems] == ["minister_consent_on"]


def test_one_active_justification_per_rule_and_withdrawing_frees_the_rule(
    register: Register,
) -> None:
    add(register, mail_registration())
    first = service.propose_justification(register, EDITOR, "bzk-mail", FULL)
    with pytest.raises(InvalidTransition) as refused:
        service.propose_justification(register, EDITOR, "bzk-mail", FULL)
    assert "trek die eerst in" in refused.value.message.lower()
    withdrawn = service.withdraw_justification(
        register, EDITOR, "bzk-mail", first.id, first.version
    )
    assert withdrawn.state == "withdrawn"
    with pytest.raises(InvalidTransition):
        service.withdraw_justification(register, EDITOR, "bzk-mail", first.id, withdrawn.version)
    with pytest.raises(InvalidTransition):
        service.accept_justification(
            register, APPROVER, "bzk-mail", first.id, ACCEPTANCE, withdrawn.version
        )
    second = service.propose_justification(register, EDITOR, "bzk-mail", FULL)
    accepted = service.accept_justification(
        register, APPROVER, "bzk-mail", second.id, ACCEPTANCE, second.version
    )
    assert rules_of(register, "bzk-mail") == {EMAIL: True}
    with pytest.raises(InvalidTransition):  # accepted twice
        service.accept_justification(
            register, APPROVER, "bzk-mail", second.id, ACCEPTANCE, accepted.version
        )
    service.withdraw_justification(register, EDITOR, "bzk-mail", second.id, accepted.version)
    assert rules_of(register, "bzk-mail") == {EMAIL: False}
    assert list_deviations(register, CIO) == []
    states = [j.state for j in service.list_justifications(register, VIEWER, "bzk-mail")]
    assert states == ["withdrawn", "withdrawn"]


def test_each_step_belongs_to_its_role(register: Register) -> None:
    add(register, mail_registration())
    for actor in (APPROVER, VIEWER, CIO, AUDITOR):
        with pytest.raises(RoleRefused) as refused:
            service.propose_justification(register, actor, "bzk-mail", FULL)
        assert "bewerker" in refused.value.detail
    proposed = service.propose_justification(register, EDITOR, "bzk-mail", FULL)
    for actor in (EDITOR, VIEWER, CIO, AUDITOR):
        with pytest.raises(RoleRefused) as refused:
            service.accept_justification(
                register, actor, "bzk-mail", proposed.id, ACCEPTANCE, proposed.version
            )
        assert "accordeerder" in refused.value.detail
    with pytest.raises(RoleRefused):
        service.withdraw_justification(register, APPROVER, "bzk-mail", proposed.id, 1)
    # another organisation does not even see it
    with pytest.raises(NotFound):
        service.list_justifications(register, UWV_EDITOR, "bzk-mail")
    with pytest.raises(NotFound):
        service.propose_justification(register, UWV_EDITOR, "bzk-mail", FULL)
    with pytest.raises(NotFound):
        service.withdraw_justification(register, UWV_EDITOR, "bzk-mail", proposed.id, 1)
    with pytest.raises(NotFound):  # the id of another registration's justification
        add(register, mail_registration(id="bzk-mail-2"))
        service.get_justification(register, EDITOR, "bzk-mail-2", proposed.id)


def test_acceptance_needs_the_version_that_was_read_and_a_name_role_and_date(
    register: Register,
) -> None:
    add(register, mail_registration())
    proposed = service.propose_justification(register, EDITOR, "bzk-mail", FULL)
    with pytest.raises(VersionConflict) as conflict:
        service.accept_justification(
            register, APPROVER, "bzk-mail", proposed.id, ACCEPTANCE, proposed.version + 1
        )
    assert conflict.value.current_version == proposed.version
    with pytest.raises(InputError) as refused:
        service.accept_justification(
            register,
            APPROVER,
            "bzk-mail",
            proposed.id,
            service.Acceptance(" ", "", TODAY + dt.timedelta(days=2)),
            proposed.version,
        )
    assert {p.field for p in refused.value.problems} == {"name", "role", "accepted_on"}


def test_justifications_entered_with_the_registration_are_taken_over(register: Register) -> None:
    entered = [
        Justification(
            rule=EMAIL,
            reason="Oud besluit.",
            accepted_by="SG",
            accepted_on=dt.date(2026, 8, 1),
            reported_on=dt.date(2026, 8, 2),
            continuity_risk_established=True,
            risk_and_exit_tested=True,
            minister_consent_on=dt.date(2026, 7, 30),
        ),
        Justification(
            rule="cb2026.4.6.special-data",
            reason="Wettelijke taak.",
            accepted_by="SG",
            accepted_on=dt.date(2026, 8, 1),
            reported_on=dt.date(2026, 8, 2),
        ),
    ]
    # a registration stored before decision 30 may still carry entered justifications; since
    # then no form, API or import can enter them
    add(
        register,
        mail_registration(
            personal_data="special", pets=["pseudonymisation"], justifications=entered
        ),
    )
    stored = registration_service.get_registration(register, CENTRAL, "bzk-mail")
    assert stored.registration.justifications == []  # not stored
    with register.sessions() as session, session.begin():
        row = session.get(RegistrationRow, "bzk-mail")
        assert row is not None
        row.justifications = [jsonable(j) for j in entered]
    registration_service.refresh(register, dt.date(2999, 1, 1))
    assert rules_of(register, "bzk-mail") == {EMAIL: True, "cb2026.4.6.special-data": True}
    assert {d.rule for d in list_deviations(register, CIO)} == {
        EMAIL,
        "cb2026.4.6.special-data",
    }
    service.propose_justification(register, EDITOR, "bzk-mail", FULL)
    by_rule = {(j.rule, j.state) for j in service.list_justifications(register, EDITOR, "bzk-mail")}
    assert by_rule == {
        (EMAIL, "withdrawn"),  # the new proposal takes its place
        (EMAIL, "proposed"),
        ("cb2026.4.6.special-data", "accepted"),
    }
    # the other justification stays in force; the e-mail one waits for the approver
    assert rules_of(register, "bzk-mail") == {EMAIL: False, "cb2026.4.6.special-data": True}
    assert [(d.rule, d.recorded_with) for d in list_deviations(register, CIO)] == [
        ("cb2026.4.6.special-data", "workflow")
    ]


def test_every_step_is_audited(register: Register) -> None:
    from sqlalchemy import select

    from cloudtoets.store.tables import AuditRow

    add(register, mail_registration())
    proposed = service.propose_justification(register, EDITOR, "bzk-mail", FULL)
    accepted = service.accept_justification(
        register, APPROVER, "bzk-mail", proposed.id, ACCEPTANCE, proposed.version
    )
    service.withdraw_justification(register, EDITOR, "bzk-mail", proposed.id, accepted.version)
    with register.sessions() as session:
        rows = session.scalars(
            select(AuditRow).where(AuditRow.object_type == "justification").order_by(AuditRow.seq)
        ).all()
        derived = session.scalars(
            select(AuditRow.action).where(
                AuditRow.object_type == "registration", AuditRow.action == "derive"
            )
        ).all()
    assert [(r.action, r.actor) for r in rows] == [
        ("propose", EDITOR.user),
        ("accept", APPROVER.user),
        ("withdraw", EDITOR.user),
    ]
    assert rows[1].after is not None and rows[1].after["reported_on"] == "2026-11-20"
    assert len(derived) == 2  # accepting and withdrawing changed the registration's field


def test_the_proposer_cannot_accept_even_with_both_roles(register: Register) -> None:
    both = Actor("bewerker-en-accordeerder", frozenset({"bzk"}), frozenset({"editor", "approver"}))
    add(register, mail_registration())
    proposed = service.propose_justification(register, both, "bzk-mail", FULL)
    with pytest.raises(OwnDraft) as refused:
        service.accept_justification(
            register, both, "bzk-mail", proposed.id, ACCEPTANCE, proposed.version
        )
    assert "zelf opgesteld" in refused.value.detail
    assert rules_of(register, "bzk-mail") == {EMAIL: False}
    accepted = service.accept_justification(
        register, APPROVER, "bzk-mail", proposed.id, ACCEPTANCE, proposed.version
    )
    assert (accepted.created_by, accepted.accepted_by_user) == (both.user, APPROVER.user)
    assert rules_of(register, "bzk-mail") == {EMAIL: True}
