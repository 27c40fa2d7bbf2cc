"""The demo register (SQLite and PostgreSQL, 'today' = 29 November 2026) with a few workflow
objects written straight into their tables: risk assessments, exit plans, notifications and
justifications in the states that decide the figures (a draft that overrides an accepted
assessment as entered, a plan whose precondition is only white space, a notification out of
date after a material change, ...)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.services.context import Register
from cloudtoets.services.demo import load_demo
from cloudtoets.store.migrate import upgrade
from cloudtoets.store.tables import RegistrationRow
from cloudtoets.store.workflows import (
    ExitPlanRow,
    JustificationRow,
    NotificationRow,
    RiskAssessmentRow,
)
from tests.conftest import BOTH_DATABASES, _fresh_postgres_database

TODAY = dt.date(2026, 11, 29)
UTC = dt.UTC


def open_register(database_url: str, **settings: Any) -> Register:
    return Register.open(
        Settings(database_url=database_url, auth_mode="local", **settings),
        clock=FixedClock.on(TODAY),
    )


def _scenario(lead_time: int | None, *preconditions: str) -> dict[str, Any]:
    return {
        "trigger": "contract loopt af",
        "steps": "migreren",
        "lead_time_days": lead_time,
        "preconditions": list(preconditions),
        "alternatives": "",
        "responsible_role": "CIO",
    }


def _material(register: Register) -> list[RegistrationRow]:
    """Material use of an external cloud, by id."""
    internal = sorted(register.policy.parameters.internal_deployments)
    with register.sessions() as session:
        return list(
            session.scalars(
                select(RegistrationRow)
                .where(
                    RegistrationRow.is_material.is_(True),
                    RegistrationRow.deployment.not_in(internal),
                )
                .order_by(RegistrationRow.id)
            )
        )


def add_workflow_objects(register: Register) -> dict[str, str]:
    """Workflow objects on material registrations; returns which registration got what."""
    material = _material(register)
    used: set[str] = set()

    def pick(test: Any) -> str:
        """The first material registration not used yet that passes ``test``."""
        found = next(r for r in material if r.id not in used and test(r))
        used.add(found.id)
        return found.id

    def accepted_as_entered(r: RegistrationRow) -> bool:
        return bool(r.risk_assessment and r.risk_assessment.get("accepted_on"))

    def notified_as_entered(r: RegistrationRow) -> bool:
        return bool(r.notification and r.notification.get("submitted_on"))

    chosen = {
        # accepted as entered, but only a draft in the register: not accepted
        "draft_only": pick(accepted_as_entered),
        # not accepted as entered; two accepted versions in the register: the newest decides
        "accepted_twice": pick(lambda r: not accepted_as_entered(r)),
        # a plan as entered; in the register its emergency scenario has only white space
        "blank_precondition": pick(lambda r: bool(r.exit_plan)),
        # no plan as entered; a complete one in the register
        "complete_plan": pick(lambda r: not r.exit_plan),
        # notified as entered; in the register submitted, then out of date after a change
        "renotify": pick(notified_as_entered),
        # not notified as entered; submitted and received in the register
        "received": pick(lambda r: not notified_as_entered(r)),
        "closed": pick(lambda r: True),  # long since closed
        # notified as entered, but the register has only a draft: not notified
        "draft_notification": pick(notified_as_entered),
        # justifications as entered, replaced by one accepted and one proposed in the register
        "justified": pick(lambda r: bool(r.justifications)),
        "unreported": pick(lambda r: True),  # accepted more than a year ago, not reported
    }
    rows: list[Any] = []

    def org(registration_id: str) -> str:
        return next(r.organisation_id for r in material if r.id == registration_id)

    def assessment(registration_id: str, number: int, state: str, **values: Any) -> None:
        rows.append(
            RiskAssessmentRow(
                registration_id=registration_id,
                organisation_id=org(registration_id),
                number=number,
                state=state,
                assessed_on=dt.date(2026, 3, 1),
                risks=[{"theme": "lock-in", "description": "afhankelijk van één leverancier"}],
                created_by="test",
                **values,
            )
        )

    assessment(chosen["draft_only"], 1, "draft")
    accepted = {
        "accepted_by_name": "SG",
        "accepted_by_role": "SG",
        "accepted_on": dt.date(2026, 4, 1),
    }
    assessment(chosen["accepted_twice"], 1, "superseded", **accepted)
    assessment(chosen["accepted_twice"], 2, "accepted", review_due=dt.date(2027, 1, 15), **accepted)

    complete = {
        "planned": _scenario(90, "nieuwe leverancier gekozen"),
        "emergency": _scenario(10, "noodvoorziening klaar"),
        "data_return_format": "CSV en PDF/A",
        "data_destruction_method": "certificaat van vernietiging",
        "data_destruction_evidence": "verklaring leverancier",
        "created_by": "test",
    }
    rows.append(
        ExitPlanRow(
            registration_id=chosen["blank_precondition"],
            organisation_id=org(chosen["blank_precondition"]),
            **{**complete, "emergency": _scenario(10, "   ", "\t")},
            last_tested=dt.date(2025, 10, 1),
            test_result="passed",
            last_reviewed=dt.date(2025, 12, 20),
        )
    )
    rows.append(
        ExitPlanRow(
            registration_id=chosen["complete_plan"],
            organisation_id=org(chosen["complete_plan"]),
            **complete,
            last_tested=dt.date(2026, 1, 10),
            test_result="failed",
            created_at=dt.datetime(2026, 1, 5, 9, tzinfo=UTC),
        )
    )

    def notification(
        registration_id: str, state: str, submitted: dt.datetime | None, **values: Any
    ) -> None:
        rows.append(
            NotificationRow(
                registration_id=registration_id,
                organisation_id=org(registration_id),
                state=state,
                created_by="test",
                submitted_by="test" if submitted else None,
                submitted_at=submitted,
                **values,
            )
        )

    notification(
        chosen["renotify"],
        "received",
        dt.datetime(2026, 9, 1, 10, tzinfo=UTC),
        renotification_needed=True,
        renotification_reason="gewijzigd: aanbieder",
    )
    notification(chosen["received"], "received", dt.datetime(2026, 11, 10, 10, tzinfo=UTC))
    notification(chosen["received"], "questions", dt.datetime(2026, 6, 1, 8, tzinfo=UTC))
    notification(chosen["closed"], "closed", dt.datetime(2026, 2, 1, 8, tzinfo=UTC))
    notification(chosen["draft_notification"], "draft", None)

    def justification(registration_id: str, rule: str, state: str, **values: Any) -> None:
        rows.append(
            JustificationRow(
                registration_id=registration_id,
                organisation_id=org(registration_id),
                rule=rule,
                state=state,
                reason="geen alternatief binnen de contractperiode",
                created_by="test",
                **values,
            )
        )

    justification(
        chosen["justified"],
        "cb2026.4.5.email",
        "accepted",
        accepted_by_name="SG",
        accepted_on=dt.date(2026, 5, 1),
        reported_on=dt.date(2026, 5, 2),
    )
    justification(chosen["justified"], "cb2026.4.5.documents", "proposed")
    justification(
        chosen["unreported"],
        "cb2026.4.3.jurisdiction",
        "accepted",
        accepted_by_name="RvB",
        accepted_on=dt.date(2025, 12, 1),
    )
    with register.sessions() as session, session.begin():
        session.add_all(rows)
    return chosen


@pytest.fixture(scope="module", params=BOTH_DATABASES)
def monitored_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        folder: Path = tmp_path_factory.mktemp("monitoring")
        yield f"sqlite:///{folder / 'cloudtoets.sqlite'}"
        return
    yield from _fresh_postgres_database(request.getfixturevalue("postgres_server"))


@pytest.fixture(scope="module")
def chosen_and_register(monitored_url: str) -> Iterator[tuple[dict[str, str], Register]]:
    register = open_register(monitored_url)
    upgrade(register.engine)
    load_demo(register)
    chosen = add_workflow_objects(register)
    yield chosen, register
    register.close()


@pytest.fixture(scope="module")
def register(chosen_and_register: tuple[dict[str, str], Register]) -> Register:
    return chosen_and_register[1]


@pytest.fixture(scope="module")
def chosen(chosen_and_register: tuple[dict[str, str], Register]) -> dict[str, str]:
    return chosen_and_register[0]
