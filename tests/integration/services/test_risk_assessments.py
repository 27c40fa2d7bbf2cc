"""Risk assessments (S3.1) against a real database: states, versions, acceptance, the engine."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from cloudtoets.domain.risk_assessment import THEMES, AcceptanceIn, RiskAssessmentIn
from cloudtoets.problems import InputError
from cloudtoets.services import registrations as registration_service
from cloudtoets.services import risk_assessments as service
from cloudtoets.services.actor import Actor, Forbidden
from cloudtoets.services.context import Register
from cloudtoets.services.errors import InvalidTransition, NotFound, VersionConflict
from cloudtoets.services.workflow_steps import OwnDraft
from cloudtoets.store.tables import AuditRow, DecisionRow, RegistrationRow

from .conftest import CENTRAL, TODAY, registration

EDITOR = Actor("bewerker", frozenset({"bzk"}), frozenset({"editor"}))
APPROVER = Actor("accordeerder", frozenset({"bzk"}), frozenset({"approver"}))
VIEWER = Actor("lezer", frozenset({"bzk"}), frozenset({"viewer"}))
STRANGER = Actor("uwv-bewerker", frozenset({"uwv"}), frozenset({"editor", "approver"}))
RID = "bzk-m365"


def assessment(**overrides: Any) -> RiskAssessmentIn:
    risks = [
        {
            "theme": theme.key,
            "description": f"Risico van {theme.label.lower()}.",
            "likelihood": 3,
            "impact": 4,
            "measures": "Maatregelen.",
            "residual_risk": "medium",
        }
        for theme in THEMES
    ]
    values: dict[str, Any] = {
        "assessed_on": "2026-11-01",
        "dpia_reference": "DPIA-2026-01",
        "dtia_reference": "DTIA-2026-01",
        "risks": risks,
    }
    values.update(overrides)
    return RiskAssessmentIn.model_validate(values)


def acceptance(day: str = "2026-11-20") -> AcceptanceIn:
    return AcceptanceIn(
        accepted_by_name="J. de Vries", accepted_by_role="secretaris-generaal", accepted_on=day
    )


@pytest.fixture
def material(register: Register) -> Register:
    registration_service.create_registration(register, CENTRAL, registration(material=True))
    return register


def stored_rules(register: Register) -> set[str]:
    """The rule ids of the registration's latest stored decision record."""
    with register.sessions() as session:
        record = session.scalars(
            select(DecisionRow)
            .where(DecisionRow.registration_id == RID)
            .order_by(DecisionRow.id.desc())
            .limit(1)
        ).one()
        return {f["rule"] for f in record.result["findings"]}


def s31(rules: set[str]) -> set[str]:
    return {r for r in rules if r.startswith("cb2026.3.1.")}


def test_a_draft_and_its_acceptance_resolve_the_s31_findings(material: Register) -> None:
    assert s31(stored_rules(material)) == {"cb2026.3.1.risk-assessment"}
    draft = service.create_assessment(material, EDITOR, RID, assessment())
    assert (draft.number, draft.state, draft.version) == (1, "draft", 1)
    # present and covering both themes, but not yet accepted
    assert s31(stored_rules(material)) == {"cb2026.3.1.risk-acceptance"}
    with material.sessions() as session:
        row = session.get(RegistrationRow, RID)
        assert row is not None and row.risk_assessment is not None
        assert row.risk_assessment["covers_lock_in"] and row.risk_assessment["covers_jurisdiction"]
        assert row.risk_assessment["accepted_by"] is None

    accepted = service.accept_assessment(material, APPROVER, RID, 1, acceptance(), 1)
    assert accepted.state == "accepted"
    assert accepted.accepted_by_user == "accordeerder"
    assert accepted.review_due == dt.date(2027, 11, 20)
    assert s31(stored_rules(material)) == set()
    decision = registration_service.get_registration(material, CENTRAL, RID).decision
    assert not s31({f.rule for f in decision.findings})
    with material.sessions() as session:
        row = session.get(RegistrationRow, RID)
        assert row is not None and row.risk_assessment == {
            "date": "2026-11-01",
            "covers_lock_in": True,
            "covers_jurisdiction": True,
            "accepted_by": "J. de Vries",
            "accepted_on": "2026-11-20",
        }
        actions = session.scalars(
            select(AuditRow.action).where(AuditRow.object_type == "risk_assessment")
        ).all()
        assert actions == ["create", "accept"]


def test_the_review_period_is_a_setting(material: Register) -> None:
    settings = material.settings.model_copy(update={"risk_review_months": 6})
    shorter = dataclasses.replace(material, settings=settings)
    service.create_assessment(shorter, EDITOR, RID, assessment(assessed_on="2026-08-01"))
    accepted = service.accept_assessment(shorter, APPROVER, RID, 1, acceptance("2026-08-31"), 1)
    assert accepted.review_due == dt.date(2027, 2, 28)
    assert accepted.review_overdue(dt.date(2027, 3, 1))
    assert not accepted.review_overdue(TODAY)


def test_foreign_laws_follow_the_providers_chain(material: Register) -> None:
    draft = service.create_assessment(material, EDITOR, RID, assessment())
    laws = [(law["country"], law["law"]) for law in draft.foreign_laws]
    assert laws == [("US", "us-cloud-act"), ("US", "us-fisa-702"), ("US", "us-eo-12333")]
    assert draft.foreign_laws[0]["via"] == ["Microsoft Corporation"]
    assert draft.foreign_laws[0]["source_url"].startswith("https://")
    seen = service.jurisdiction(material, EDITOR, RID, {"US": "Verenigde Staten"})
    assert seen.leaves_eea and seen.countries == ["IE", "US"]
    assert "Verenigde Staten (via Microsoft Corporation)" in seen.suggestion
    assert "CLOUD Act (18 U.S.C. 2713)" in seen.suggestion


def test_a_chain_inside_the_eea_has_no_foreign_laws(register: Register) -> None:
    local = registration(
        material=True, provider="scaleway", processing_countries=["FR"], storage_countries=["FR"]
    )
    registration_service.create_registration(register, CENTRAL, local)
    draft = service.create_assessment(register, EDITOR, RID, assessment(dtia_reference=""))
    assert draft.foreign_laws == []
    seen = service.jurisdiction(register, EDITOR, RID)
    assert not seen.leaves_eea
    assert "geen wet van buiten de EER" in seen.suggestion
    # no DTIA needed when nothing leaves the EEA
    assert (
        service.accept_assessment(register, APPROVER, RID, 1, acceptance(), 1).state == "accepted"
    )
    assert s31(stored_rules(register)) == set()


def test_acceptance_needs_lock_in_jurisdiction_and_a_dtia(material: Register) -> None:
    thin = assessment(
        dtia_reference=" ",
        risks=[
            {"theme": "lock-in", "description": "   "},
            {"theme": "continuity", "description": "Uitval."},
        ],
    )
    service.create_assessment(material, EDITOR, RID, thin)
    assert "cb2026.3.1.lock-in" in stored_rules(material)
    assert "cb2026.3.1.jurisdiction-risk" in stored_rules(material)
    with pytest.raises(InputError) as caught:
        service.accept_assessment(material, APPROVER, RID, 1, acceptance(), 1)
    fields = [p.field for p in caught.value.problems]
    assert fields == [
        "risks.lock-in.description",
        "risks.jurisdiction.description",
        "dtia_reference",
    ]
    messages = " ".join(p.message for p in caught.value.problems)
    assert "beschrijf het risico van leveranciersafhankelijkheid" in messages
    assert "vul het kenmerk van de DTIA in" in messages
    assert service.get_assessment(material, CENTRAL, RID, 1).state == "draft"


def test_acceptance_is_for_approvers_once_and_not_in_the_future(material: Register) -> None:
    service.create_assessment(material, EDITOR, RID, assessment())
    for actor in (EDITOR, VIEWER):
        with pytest.raises(Forbidden):
            service.accept_assessment(material, actor, RID, 1, acceptance(), 1)
    with pytest.raises(Forbidden):
        service.create_assessment(material, APPROVER, RID, assessment())
    with pytest.raises(InputError) as caught:
        service.accept_assessment(material, APPROVER, RID, 1, acceptance("2026-12-01"), 1)
    assert caught.value.problems[0].field == "accepted_on"
    assert "in de toekomst" in caught.value.problems[0].message
    with pytest.raises(InputError):
        service.accept_assessment(material, APPROVER, RID, 1, acceptance("2026-10-01"), 1)
    accepted = service.accept_assessment(material, APPROVER, RID, 1, acceptance(), 1)
    with pytest.raises(InvalidTransition) as twice:
        service.accept_assessment(material, APPROVER, RID, 1, acceptance(), accepted.version)
    assert twice.value.message.startswith("Versie 1 is al geaccordeerd op 20 november 2026.")


def test_changing_an_accepted_assessment_makes_a_new_version(material: Register) -> None:
    service.create_assessment(material, EDITOR, RID, assessment())
    with pytest.raises(InvalidTransition, match="Er is al een concept"):
        service.create_assessment(material, EDITOR, RID, assessment())
    first = service.accept_assessment(material, APPROVER, RID, 1, acceptance(), 1)

    saved = service.update_assessment(
        material, EDITOR, RID, 1, assessment(summary="Herzien."), first.version
    )
    assert saved.new_version
    assert (saved.assessment.number, saved.assessment.state) == (2, "draft")
    # the accepted version still counts while the new one is a draft
    assert service.get_assessment(material, CENTRAL, RID, 1).state == "accepted"
    assert s31(stored_rules(material)) == set()
    with pytest.raises(InvalidTransition, match="nieuwer concept"):
        service.update_assessment(material, EDITOR, RID, 1, assessment(), first.version)

    # a draft changes in place
    again = service.update_assessment(
        material, EDITOR, RID, 2, assessment(summary="Nog eens."), saved.assessment.version
    )
    assert not again.new_version
    assert (again.assessment.number, again.assessment.version) == (2, 2)
    with pytest.raises(VersionConflict) as conflict:
        service.update_assessment(material, EDITOR, RID, 2, assessment(), 1)
    assert conflict.value.current_version == 2

    second = service.accept_assessment(material, APPROVER, RID, 2, acceptance("2026-11-29"), 2)
    assert second.review_due == dt.date(2027, 11, 29)
    versions = service.list_assessments(material, VIEWER, RID)
    assert [(v.number, v.state) for v in versions] == [(2, "accepted"), (1, "superseded")]
    with pytest.raises(InvalidTransition, match="vervangen"):
        service.update_assessment(material, EDITOR, RID, 1, assessment(), versions[1].version)
    with pytest.raises(InvalidTransition, match="vervangen"):
        service.accept_assessment(material, APPROVER, RID, 1, acceptance(), versions[1].version)
    with material.sessions() as session:
        row = session.get(RegistrationRow, RID)
        assert row is not None and row.risk_assessment is not None
        assert row.risk_assessment["accepted_on"] == "2026-11-29"


def test_a_new_draft_after_acceptance_keeps_the_findings_resolved(material: Register) -> None:
    service.create_assessment(material, EDITOR, RID, assessment())
    service.accept_assessment(material, APPROVER, RID, 1, acceptance(), 1)
    created = service.create_assessment(material, EDITOR, RID, assessment(risks=[]))
    assert (created.number, created.state) == (2, "draft")
    assert s31(stored_rules(material)) == set()


def test_dates_in_the_future_are_refused(material: Register) -> None:
    with pytest.raises(InputError) as caught:
        service.create_assessment(material, EDITOR, RID, assessment(assessed_on="2027-01-01"))
    assert caught.value.problems[0].field == "assessed_on"
    assert service.list_assessments(material, EDITOR, RID) == []


def test_another_organisation_gets_not_found(material: Register) -> None:
    service.create_assessment(material, EDITOR, RID, assessment())
    with pytest.raises(NotFound):
        service.list_assessments(material, STRANGER, RID)
    with pytest.raises(NotFound):
        service.get_assessment(material, STRANGER, RID, 1)
    with pytest.raises(NotFound):
        service.jurisdiction(material, STRANGER, RID)
    with pytest.raises(NotFound):
        service.create_assessment(material, STRANGER, RID, assessment())
    with pytest.raises(NotFound):
        service.update_assessment(material, STRANGER, RID, 1, assessment(), 1)
    with pytest.raises(NotFound):
        service.accept_assessment(material, STRANGER, RID, 1, acceptance(), 1)
    with pytest.raises(NotFound):
        service.get_assessment(material, EDITOR, RID, 7)
    assert service.get_assessment(material, EDITOR, RID, 1).state == "draft"


def test_the_drafter_cannot_accept_even_with_both_roles(material: Register) -> None:
    both = Actor("bewerker-en-accordeerder", frozenset({"bzk"}), frozenset({"editor", "approver"}))
    draft = service.create_assessment(material, both, RID, assessment())
    with pytest.raises(OwnDraft) as refused:
        service.accept_assessment(material, both, RID, 1, acceptance(), draft.version)
    assert "zelf opgesteld" in refused.value.detail and "vier ogen" in refused.value.detail
    assert service.get_assessment(material, both, RID, 1).state == "draft"
    assert s31(stored_rules(material)) == {"cb2026.3.1.risk-acceptance"}
    # another approver may; the audit trail says who drafted and who accepted
    accepted = service.accept_assessment(material, APPROVER, RID, 1, acceptance(), draft.version)
    assert (accepted.created_by, accepted.accepted_by_user) == (both.user, APPROVER.user)
    with material.sessions() as session:
        trail = session.scalars(
            select(AuditRow).where(AuditRow.object_type == "risk_assessment")
        ).all()
        assert [(a.action, a.actor) for a in trail] == [
            ("create", both.user),
            ("accept", APPROVER.user),
        ]
        assert trail[1].after is not None
        assert trail[1].after["created_by"] == both.user
