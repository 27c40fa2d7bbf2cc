"""Reminders for fixed as-of dates: each rule against a count of the rows in Python, the exact
reminders the workflow objects cause, scoping per organisation, and the CLI."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cloudtoets.cli import app
from cloudtoets.engine.transition import add_months
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.reminders import reminders
from cloudtoets.store.workflows import ExitPlanRow, RiskAssessmentRow

from .conftest import TODAY
from .test_figures import expected

CENTRAL = Actor.local("herinneringen-test")
DAYS = 90


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.UTC) if value.tzinfo else value).date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def expected_keys(
    register: Register, as_of: dt.date, organisations: set[str] | None = None
) -> set[str]:
    """Every reminder key, by the rules of docs/monitoring.md, counted in Python."""
    p = register.policy.parameters
    limit = as_of + dt.timedelta(days=DAYS)
    derived = expected(register, as_of, organisations)["derived"]
    internal = set(p.internal_deployments)
    keys: set[str] = set()
    exit_due = add_months(p.adopted, p.period_months("exit_plan"))
    covered = set()
    for d in derived.values():
        r = d.row
        material = r.is_material is True and r.deployment not in internal
        if (
            as_of <= exit_due <= limit
            and material
            and r.in_use_since
            and r.in_use_since < p.adopted
            and not d.exit_complete
        ):
            keys.add(f"exit-plan:{r.id}:{exit_due}")
            covered.add((r.id, exit_due))
    for d in derived.values():
        r = d.row
        if r.deadline and as_of <= r.deadline <= limit and (r.id, r.deadline) not in covered:
            keys.add(f"transition:{r.id}:{r.deadline}")
        for j in d.justifications:
            due = add_months(_day(j["accepted_on"]), 12)
            if due <= limit:
                keys.add(f"justification:{r.id}:{due}:{j['rule']}")
    with register.sessions() as session:
        assessments = list(session.scalars(select(RiskAssessmentRow)))
        plans = {plan.registration_id: plan for plan in session.scalars(select(ExitPlanRow))}
    for a in assessments:
        if (
            a.registration_id in derived
            and a.state == "accepted"
            and a.review_due
            and a.review_due <= limit
        ):
            keys.add(f"risk-review:{a.registration_id}:{a.review_due}")
    for registration_id, d in derived.items():
        plan = plans.get(registration_id)
        r = d.row
        if plan is not None:
            reviewed = plan.last_reviewed or _day(plan.created_at)
            tested = plan.last_tested if plan.test_result == "passed" else None
            tested = tested or _day(plan.created_at)
        elif r.exit_plan and r.is_material and r.deployment not in internal:
            reviewed = r.exit_plan.get("last_reviewed") and _day(r.exit_plan["last_reviewed"])
            tested = r.exit_plan.get("last_tested") and _day(r.exit_plan["last_tested"])
        else:
            continue
        if reviewed and add_months(reviewed, 12) <= limit:
            keys.add(f"exit-review:{registration_id}:{add_months(reviewed, 12)}")
        if tested and add_months(tested, p.exit_test_months) <= limit:
            keys.add(f"exit-test:{registration_id}:{add_months(tested, p.exit_test_months)}")
    return keys


@pytest.mark.parametrize(
    "as_of",
    [TODAY, dt.date(2027, 5, 1), dt.date(2030, 5, 1)],
    ids=["today", "before-the-exit-plan-deadline", "before-the-end-of-the-transition"],
)
def test_every_rule_matches_a_count_of_the_rows(register: Register, as_of: dt.date) -> None:
    found = reminders(register, CENTRAL, as_of, days=DAYS)
    keys = [r.key for r in found]
    assert len(keys) == len(set(keys))  # each reminder once
    assert set(keys) == expected_keys(register, as_of)
    assert [r.due for r in found] == sorted(r.due for r in found)  # most urgent first


def test_the_window_brings_each_kind_into_view(register: Register) -> None:
    kinds = {r.kind for r in reminders(register, CENTRAL, dt.date(2027, 5, 1), days=DAYS)}
    assert {"exit-plan", "exit-review", "exit-test", "justification"} <= kinds
    kinds = {r.kind for r in reminders(register, CENTRAL, dt.date(2030, 5, 1), days=DAYS)}
    assert "transition" in kinds


def test_the_workflow_objects_give_these_reminders_today(
    register: Register, chosen: dict[str, str]
) -> None:
    found = {r.key: r for r in reminders(register, CENTRAL, TODAY, days=DAYS)}
    assert f"risk-review:{chosen['accepted_twice']}:2027-01-15" in found
    # reviewed 20 December 2025: due a year later
    assert f"exit-review:{chosen['blank_precondition']}:2026-12-20" in found
    # last passed test 1 October 2025: overdue since 1 October 2026
    overdue = found[f"exit-test:{chosen['blank_precondition']}:2026-10-01"]
    assert overdue.overdue(TODAY) and "1 oktober 2025" in overdue.text
    # a failed test does not count: the plan (made 5 January 2026) was never tested
    never = found[f"exit-test:{chosen['complete_plan']}:2027-01-05"]
    assert "nog niet met succes getest" in never.text
    assert f"exit-review:{chosen['complete_plan']}:2027-01-05" in found
    unreported = found[f"justification:{chosen['unreported']}:2026-12-01:cb2026.4.3.jurisdiction"]
    assert "1 december 2025" in unreported.text
    # accepted 1 May 2026: not yet due within 90 days
    assert not any(k.startswith(f"justification:{chosen['justified']}:") for k in found)


def test_an_organisation_gets_only_its_own(register: Register) -> None:
    everything = reminders(register, CENTRAL, dt.date(2027, 5, 1), days=DAYS)
    fin = reminders(register, Actor.local("fin", "fin"), dt.date(2027, 5, 1), days=DAYS)
    assert fin and {r.organisation for r in fin} == {"fin"}
    assert [r.key for r in fin] == [r.key for r in everything if r.organisation == "fin"]
    assert {r.key for r in fin} == expected_keys(register, dt.date(2027, 5, 1), {"fin"})


def test_the_window_follows_the_setting(register: Register) -> None:
    short = reminders(register, CENTRAL, TODAY, days=10)
    long = reminders(register, CENTRAL, TODAY, days=400)
    assert {r.key for r in short} < {r.key for r in long}
    assert all(r.due <= TODAY + dt.timedelta(days=10) for r in short)


def test_the_cli_lists_the_reminders_of_an_as_of_date(
    register: Register, monitored_url: str
) -> None:
    result = CliRunner().invoke(
        app,
        [
            "reminders",
            "--database",
            monitored_url,
            "--as-of",
            "2027-05-01",
            "--organisation",
            "fin",
        ],
    )
    assert result.exit_code == 0, result.output
    fin = reminders(register, Actor.local("fin", "fin"), dt.date(2027, 5, 1))
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith(f"{len(fin)} herinneringen op 1 mei 2027")
    for reminder, line in zip(fin, lines, strict=False):
        assert line.startswith(reminder.due.isoformat()) and reminder.registration in line


def test_the_cli_refuses_to_send_without_mail_settings(monitored_url: str) -> None:
    result = CliRunner().invoke(app, ["reminders", "--database", monitored_url, "--send"])
    assert result.exit_code == 2
    assert "CLOUDTOETS_SMTP_HOST" in result.output
    assert "Traceback" not in result.output


def test_a_date_outside_the_register_is_refused(monitored_url: str) -> None:
    result = CliRunner().invoke(
        app, ["reminders", "--database", monitored_url, "--as-of", "1900-01-01"]
    )
    assert result.exit_code == 2 and "peildatum" in result.output
