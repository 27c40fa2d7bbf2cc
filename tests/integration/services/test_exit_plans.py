"""Exit plans (S3.2) against a real database: the engine's findings, tests, reviews, access."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from cloudtoets.domain.clock import FixedClock
from cloudtoets.domain.exit_plan import ExitPlanIn, ExitReviewIn, ExitTestIn
from cloudtoets.engine.transition import add_months
from cloudtoets.problems import InputError
from cloudtoets.services import exit_plans as service
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.actor import Actor, Forbidden
from cloudtoets.services.context import Register
from cloudtoets.services.errors import AlreadyExists, NotFound, VersionConflict
from cloudtoets.store.tables import AuditRow, DecisionRow, RegistrationRow

from .conftest import CENTRAL, registration

EDITOR = Actor("bewerker", frozenset({"bzk"}), frozenset({"editor"}))
APPROVER = Actor("accordeerder", frozenset({"bzk"}), frozenset({"approver"}))
STRANGER = Actor("uwv-bewerker", frozenset({"uwv"}), frozenset({"editor"}))
RID = "bzk-m365"


def scenario(
    lead_time_days: int | None = 90, preconditions: list[str] | None = None
) -> dict[str, Any]:
    return {
        "trigger": "Het contract loopt af.",
        "steps": "1. Nieuwe leverancier kiezen. 2. Gegevens overzetten.",
        "lead_time_days": lead_time_days,
        "preconditions": ["Exportfunctie werkt", "  "] if preconditions is None else preconditions,
        "alternatives": ["Eigen datacentrum"],
        "responsible_role": "CIO van het ministerie",
    }


def plan(**overrides: Any) -> ExitPlanIn:
    values: dict[str, Any] = {
        "planned": scenario(),
        "emergency": scenario(14),
        "data_return_format": "CSV en PDF/A",
        "data_volume_gb": 10_000,
        "bandwidth_mbps": 100,
        "integrations": 2,
        "data_destruction_method": "NIST 800-88 purge",
        "data_destruction_evidence": "Vernietigingsverklaring van de leverancier",
    }
    values.update(overrides)
    return ExitPlanIn.model_validate(values)


@pytest.fixture
def material(register: Register) -> Register:
    registration_service.create_registration(register, CENTRAL, registration(material=True))
    return register


def stored_rules(register: Register) -> set[str]:
    with register.sessions() as session:
        record = session.scalars(
            select(DecisionRow)
            .where(DecisionRow.registration_id == RID)
            .order_by(DecisionRow.id.desc())
            .limit(1)
        ).one()
        return {f["rule"] for f in record.result["findings"] if f["rule"].startswith("cb2026.3.2.")}


def test_a_complete_and_tested_plan_resolves_the_s32_findings(material: Register) -> None:
    assert stored_rules(material) == {
        "cb2026.3.2.exit-plan",
        "cb2026.3.2.emergency-plan",
        "cb2026.3.2.data-exit",
    }
    created = service.create_exit_plan(material, EDITOR, RID, plan())
    assert created.version == 1
    assert created.planned is not None and created.planned["preconditions"] == [
        "Exportfunctie werkt"
    ]
    assert stored_rules(material) == {"cb2026.3.2.exit-tested"}  # present, but never tested

    partly = service.record_test(
        material,
        EDITOR,
        RID,
        ExitTestIn(tested_on="2026-11-15", result="partial", notes="Traag."),
        1,
    )
    assert (partly.last_tested, partly.test_result) == (dt.date(2026, 11, 15), "partial")
    assert stored_rules(material) == {"cb2026.3.2.exit-tested"}  # only a passed test counts

    passed = service.record_test(
        material, EDITOR, RID, ExitTestIn(tested_on="2026-11-20", result="passed"), partly.version
    )
    assert stored_rules(material) == set()
    with material.sessions() as session:
        row = session.get(RegistrationRow, RID)
        assert row is not None and row.exit_plan is not None
        assert row.exit_plan["last_tested"] == "2026-11-20"
        assert row.exit_plan["planned"] == {
            "lead_time_days": 90,
            "preconditions": ["Exportfunctie werkt"],
        }
        actions = session.scalars(
            select(AuditRow.action).where(AuditRow.object_type == "exit_plan")
        ).all()
        assert actions == ["create", "test", "test"]
    assert passed.test_notes == ""


def test_a_scenario_without_preconditions_does_not_count(material: Register) -> None:
    service.create_exit_plan(
        material, EDITOR, RID, plan(emergency=scenario(10, ["  "]), data_destruction_evidence="")
    )
    assert stored_rules(material) == {
        "cb2026.3.2.emergency-plan",
        "cb2026.3.2.data-exit",
        "cb2026.3.2.exit-tested",
    }


def test_the_feasibility_estimate_warns_about_a_short_lead_time(material: Register) -> None:
    created = service.create_exit_plan(material, EDITOR, RID, plan())
    estimate = created.estimate
    # 10,000 GB over 100 Mbit/s at 70 %, day and night: 13.2 days -> 14; two integrations: 10
    assert estimate is not None
    assert (estimate.egress_days, estimate.integration_days, estimate.total_days) == (14, 10, 24)
    assert created.warning("planned") is None  # 90 days
    warning = created.warning("emergency")  # 14 days
    assert warning is not None and warning.startswith(
        "De doorlooptijd in het plan (14 dagen) is korter dan de schatting (24 dagen)"
    )
    unknown = service.update_exit_plan(material, EDITOR, RID, plan(bandwidth_mbps=None), 1)
    assert unknown.estimate is None and unknown.warning("emergency") is None


def test_the_yearly_review(material: Register) -> None:
    created = service.create_exit_plan(material, EDITOR, RID, plan())
    assert created.review_due == add_months(created.created_at.date(), 12)
    with pytest.raises(InputError) as caught:
        service.record_review(material, EDITOR, RID, ExitReviewIn(reviewed_on="2026-11-30"), 1)
    assert caught.value.problems[0].field == "reviewed_on"
    reviewed = service.record_review(
        material, EDITOR, RID, ExitReviewIn(reviewed_on="2026-02-28"), 1
    )
    assert reviewed.last_reviewed == dt.date(2026, 2, 28)
    assert reviewed.review_due == dt.date(2027, 2, 28)
    assert not reviewed.review_overdue(dt.date(2027, 2, 28))
    assert reviewed.review_overdue(dt.date(2027, 3, 1))
    with material.sessions() as session:
        row = session.get(RegistrationRow, RID)
        assert row is not None and row.exit_plan is not None
        assert row.exit_plan["last_reviewed"] == "2026-02-28"


def test_changes_need_the_version_that_was_read(material: Register) -> None:
    service.create_exit_plan(material, EDITOR, RID, plan())
    with pytest.raises(AlreadyExists):
        service.create_exit_plan(material, EDITOR, RID, plan())
    updated = service.update_exit_plan(material, EDITOR, RID, plan(integrations=0), 1)
    assert updated.version == 2
    with pytest.raises(VersionConflict) as caught:
        service.update_exit_plan(material, EDITOR, RID, plan(), 1)
    assert caught.value.current_version == 2
    with pytest.raises(VersionConflict):
        service.record_test(
            material, EDITOR, RID, ExitTestIn(tested_on="2026-11-01", result="passed"), 1
        )


def test_only_editors_write_and_others_see_nothing(material: Register) -> None:
    with pytest.raises(NotFound):
        service.get_exit_plan(material, EDITOR, RID)
    assert service.find_exit_plan(material, EDITOR, RID) is None
    with pytest.raises(Forbidden):
        service.create_exit_plan(material, APPROVER, RID, plan())
    service.create_exit_plan(material, EDITOR, RID, plan())
    with pytest.raises(Forbidden):
        service.record_review(material, APPROVER, RID, ExitReviewIn(reviewed_on="2026-11-01"), 1)
    for call in (
        lambda: service.get_exit_plan(material, STRANGER, RID),
        lambda: service.find_exit_plan(material, STRANGER, RID),
        lambda: service.create_exit_plan(material, STRANGER, RID, plan()),
        lambda: service.update_exit_plan(material, STRANGER, RID, plan(), 1),
        lambda: service.record_test(
            material, STRANGER, RID, ExitTestIn(tested_on="2026-11-01", result="passed"), 1
        ),
        lambda: service.record_review(
            material, STRANGER, RID, ExitReviewIn(reviewed_on="2026-11-01"), 1
        ),
    ):
        with pytest.raises(NotFound):
            call()
    assert service.get_exit_plan(material, APPROVER, RID).version == 1


def test_today_is_amsterdams_date_just_after_midnight(
    material: Register, clock: FixedClock
) -> None:
    clock.moment = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)  # 00:30 on 7 December
    created = service.create_exit_plan(material, EDITOR, RID, plan())
    passed = service.record_test(
        material, EDITOR, RID, ExitTestIn(tested_on="2026-12-07", result="passed"), created.version
    )
    assert passed.last_tested == dt.date(2026, 12, 7)  # not "in de toekomst"
    with pytest.raises(InputError, match="in de toekomst"):
        service.record_test(
            material,
            EDITOR,
            RID,
            ExitTestIn(tested_on="2026-12-08", result="passed"),
            passed.version,
        )
