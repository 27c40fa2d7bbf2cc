"""The overview, the monitoring, the reminders and the reports count the same gaps in material
use of an external cloud: each document has one definition (services/obligations.py). On the
demo register with workflow objects that make the register differ from what was entered."""

from __future__ import annotations

from cloudtoets.engine.transition import add_months
from cloudtoets.reports.build import monitoring_view
from cloudtoets.services import overview as overview_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.monitoring import MaterialUse, monitoring
from cloudtoets.services.obligations import Document
from cloudtoets.services.registrations import get_registration
from cloudtoets.services.reminders import reminders

from .conftest import TODAY

CENTRAL = Actor.local("overzicht-test")
EVERY_ITEM = 1_000_000


def _lacking(use: MaterialUse) -> dict[Document, int]:
    return {
        Document.RISK_ASSESSMENT: use.material - use.risk_assessment,
        Document.EXIT_PLAN: use.material - use.exit_plan,
        Document.NOTIFICATION: use.material - use.notification,
    }


def _gaps(register: Register, organisation: str | None) -> dict[Document, set[str]]:
    found = overview_service.overview(register, CENTRAL, organisation, gap_items=EVERY_ITEM)
    for gap in found.gaps:
        assert len(gap.items) == gap.total
    return {gap.document: {item[0] for item in gap.items} for gap in found.gaps}


def test_overview_and_monitoring_count_the_same_gaps(register: Register) -> None:
    figures = monitoring(register, CENTRAL, TODAY)
    gaps = _gaps(register, None)
    assert {d: len(ids) for d, ids in gaps.items()} == _lacking(figures.material_total)
    assert all(gaps.values())  # the demo register has every kind of gap
    for use in figures.material:
        per_organisation = _gaps(register, use.organisation)
        assert {d: len(ids) for d, ids in per_organisation.items()} == _lacking(use)


def test_the_reports_show_the_monitoring_figures(register: Register) -> None:
    view = monitoring_view(register, CENTRAL, TODAY)
    assert view.monitoring == monitoring(register, CENTRAL, TODAY)


def test_the_exit_plan_reminder_is_about_the_exit_plan_gap(register: Register) -> None:
    parameters = register.policy.parameters
    due = add_months(parameters.adopted, parameters.period_months("exit_plan"))
    found = reminders(register, CENTRAL, due, days=1)
    reminded = {r.registration for r in found if r.kind == "exit-plan"}
    lacking = _gaps(register, None)[Document.EXIT_PLAN]
    assert reminded
    assert reminded <= lacking
    for registration_id in lacking - reminded:  # used only since the policy was adopted
        since = get_registration(register, CENTRAL, registration_id).registration.in_use_since
        assert since is None or since >= parameters.adopted
