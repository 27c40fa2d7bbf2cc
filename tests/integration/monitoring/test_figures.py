"""Every monitoring figure against an independent count: the test reads the rows itself, derives
each registration's risk assessment, exit plan, notification and justifications with the
projection rules (services/workflow_projection.py) in Python, one registration at a time, and
counts. The service does the same in SQL with GROUP BY; both must agree, on both databases, for
all organisations and for one."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from cloudtoets.engine.transition import add_months
from cloudtoets.services import obligations as ob
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import NotFound
from cloudtoets.services.monitoring import Monitoring, monitoring
from cloudtoets.services.workflow_projection import (
    exit_plan_field,
    justifications_field,
    notification_field,
    risk_assessment_field,
)
from cloudtoets.store.tables import (
    OrganisationRow,
    RegistrationJurisdictionRow,
    RegistrationRow,
)
from cloudtoets.store.workflows import (
    ExitPlanRow,
    JustificationRow,
    NotificationRow,
    RiskAssessmentRow,
)

from .conftest import TODAY

CENTRAL = Actor.local("monitoring-test")
OPEN = ("submitted", "received", "questions", "answered")


def _filled(text: Any) -> bool:
    return isinstance(text, str) and bool(text.strip())


def _scenario_complete(scenario: dict[str, Any] | None) -> bool:
    return bool(
        scenario
        and scenario.get("lead_time_days") is not None
        and any(str(p).strip() for p in scenario.get("preconditions") or [])
    )


@dataclass
class Derived:
    """One registration as the projection sees it."""

    row: RegistrationRow
    accepted: bool
    exit_complete: bool
    notified: bool
    justifications: list[dict[str, Any]] = field(default_factory=list)


def derive(register: Register) -> tuple[list[Derived], dict[str, Any]]:
    with register.sessions() as session:
        registrations = list(session.scalars(select(RegistrationRow)))
        assessments = defaultdict(list)
        for a in session.scalars(select(RiskAssessmentRow)):
            assessments[a.registration_id].append(a)
        plans = {p.registration_id: p for p in session.scalars(select(ExitPlanRow))}
        notes = defaultdict(list)
        notifications = list(session.scalars(select(NotificationRow)))
        for n in notifications:
            notes[(n.registration_id, n.organisation_id)].append(n)
        justified = defaultdict(list)
        for j in session.scalars(select(JustificationRow)):
            justified[j.registration_id].append(j)
        jurisdictions = list(
            session.execute(
                select(
                    RegistrationJurisdictionRow.registration_id, RegistrationJurisdictionRow.country
                )
            )
        )
        names = {o.id: o.name or o.id for o in session.scalars(select(OrganisationRow))}
    derived = []
    for r in registrations:
        ra = risk_assessment_field(assessments[r.id]) if assessments[r.id] else r.risk_assessment
        plan = exit_plan_field(plans[r.id]) if r.id in plans else r.exit_plan
        key = (r.id, r.organisation_id)
        note = notification_field(notes[key]) if notes[key] else r.notification
        if justified[r.id]:
            accepted_justifications = justifications_field(justified[r.id])
        else:
            accepted_justifications = [
                j
                for j in r.justifications
                if _filled(j.get("reason"))
                and _filled(j.get("accepted_by"))
                and j.get("accepted_on")
            ]
        derived.append(
            Derived(
                r,
                accepted=bool(
                    ra
                    and ra.get("date")
                    and _filled(ra.get("accepted_by"))
                    and ra.get("accepted_on")
                ),
                exit_complete=bool(
                    plan
                    and _scenario_complete(plan.get("planned"))
                    and _scenario_complete(plan.get("emergency"))
                    and plan.get("data_return")
                    and plan.get("data_destruction")
                ),
                notified=bool(note and note.get("submitted_on")),
                justifications=accepted_justifications,
            )
        )
    return derived, {"notifications": notifications, "jurisdictions": jurisdictions, "names": names}


def _day(value: dt.datetime) -> dt.date:
    return (value.astimezone(dt.UTC) if value.tzinfo else value).date()


def expected(register: Register, as_of: dt.date, organisations: set[str] | None) -> dict[str, Any]:
    """Every figure, counted in Python from the rows."""
    derived, extra = derive(register)
    internal = set(register.policy.parameters.internal_deployments)
    eea = set(register.policy.parameters.eea)
    mine = [d for d in derived if organisations is None or d.row.organisation_id in organisations]
    material = [d for d in mine if d.row.is_material and d.row.deployment not in internal]

    figures: dict[str, Any] = {}
    per_org: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for d in material:
        counts = per_org[d.row.organisation_id]
        for i, flag in enumerate(
            (
                True,
                d.accepted,
                d.exit_complete,
                d.notified,
                d.accepted and d.exit_complete and d.notified,
            )
        ):
            counts[i] += int(flag)
    figures["material"] = dict(per_org)
    figures["material_total"] = [sum(c[i] for c in per_org.values()) for i in range(5)]

    figures["verdicts"] = Counter((d.row.organisation_id, d.row.verdict) for d in mine)

    last_year = add_months(
        register.policy.parameters.adopted, register.policy.parameters.period_months("existing_use")
    ).year
    calendar: Counter[str] = Counter()
    for d in mine:
        deadline = d.row.deadline
        if deadline is None:
            continue
        if deadline < as_of:
            calendar["verlopen"] += 1
        elif deadline.year > last_year:
            calendar["later"] += 1
        else:
            calendar[f"{deadline.year}-K{(deadline.month - 1) // 3 + 1}"] += 1
    figures["calendar"] = calendar

    notes = [
        n
        for n in extra["notifications"]
        if organisations is None or n.organisation_id in organisations
    ]
    figures["states"] = Counter(n.state for n in notes)
    ages: dict[str, Counter[str]] = defaultdict(Counter)
    oldest: dict[str, int] = {}
    for n in notes:
        if n.state in OPEN and n.submitted_at is not None:
            days = max(0, (as_of - _day(n.submitted_at)).days)
            bucket = (
                "0-30"
                if days <= 30
                else "31-90"
                if days <= 90
                else "91-180"
                if days <= 180
                else "181+"
            )
            ages[n.state][bucket] += 1
            oldest[n.state] = max(oldest.get(n.state, 0), days)
    figures["ages"], figures["oldest"] = ages, oldest

    deviations: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rules: Counter[str] = Counter()
    for d in mine:
        for j in d.justifications:
            deviations[d.row.organisation_id][0] += 1
            deviations[d.row.organisation_id][1] += int(bool(j.get("reported_on")))
            rules[j["rule"]] += 1
    figures["deviations"], figures["rules"] = dict(deviations), rules

    providers: dict[str, list[Any]] = defaultdict(lambda: [0, 0, set()])
    for d in mine:
        if d.row.provider is None:
            continue
        p = providers[d.row.provider]
        p[0] += 1
        p[1] += int(d.row.is_material is True and d.row.deployment not in internal)
        p[2].add(d.row.organisation_id)
    figures["providers"] = {k: (v[0], v[1], len(v[2])) for k, v in providers.items()}

    rows = {d.row.id: d for d in mine}
    countries: dict[str, list[Any]] = defaultdict(lambda: [0, 0, set()])
    for registration_id, country in extra["jurisdictions"]:
        if registration_id not in rows:
            continue
        d = rows[registration_id]
        c = countries[country]
        c[0] += 1
        c[1] += int(d.row.is_material is True and d.row.deployment not in internal)
        c[2].add(d.row.organisation_id)
    figures["jurisdictions"] = {
        k: (v[0], v[1], len(v[2]), k not in eea) for k, v in countries.items()
    }
    figures["organisations"] = {
        o for o in extra["names"] if organisations is None or o in organisations
    }
    figures["derived"] = {d.row.id: d for d in mine}
    return figures


def assert_figures_match(m: Monitoring, want: dict[str, Any]) -> None:
    assert set(m.organisations) == want["organisations"]
    # material use and the three documents, per organisation and in total
    for row in m.material:
        assert [
            row.material,
            row.risk_assessment,
            row.exit_plan,
            row.notification,
            row.complete,
        ] == want["material"].get(row.organisation, [0] * 5), row.organisation
    t = m.material_total
    assert [t.material, t.risk_assessment, t.exit_plan, t.notification, t.complete] == want[
        "material_total"
    ]
    assert t.without_risk_assessment == want["material_total"][0] - want["material_total"][1]
    # verdicts
    for row in m.verdicts:
        for verdict, count in row.counts.items():
            assert (
                count
                == want["verdicts"][(row.organisation, None if verdict == "none" else verdict)]
            )
        assert row.total == sum(
            n for (org, _), n in want["verdicts"].items() if org == row.organisation
        )
    assert m.verdict_total.total == m.registrations == sum(want["verdicts"].values())
    # calendar
    got = {b.key: b.count for b in m.calendar if b.count}
    assert got == dict(want["calendar"])
    assert sum(b.count for b in m.calendar) == sum(want["calendar"].values())
    # notifications by state and age
    for state in m.notifications:
        assert state.count == want["states"][state.state], state.state
        if state.state in OPEN:
            assert {k: v for k, v in state.ages.items() if v} == dict(want["ages"][state.state])
            assert state.oldest_days == want["oldest"].get(state.state)
    # deviations
    for row in m.deviations:
        assert [row.accepted, row.reported] == want["deviations"].get(row.organisation, [0, 0])
    assert m.deviation_total.accepted == sum(v[0] for v in want["deviations"].values())
    assert m.deviation_total.reported == sum(v[1] for v in want["deviations"].values())
    assert m.deviations_by_rule == dict(want["rules"])
    # concentration
    assert m.provider_count == len(want["providers"])
    top = sorted(want["providers"].items(), key=lambda kv: (-kv[1][0], kv[0]))[: len(m.providers)]
    assert [(p.key, p.registrations, p.material, p.organisations) for p in m.providers] == [
        (k, *v) for k, v in top
    ]
    assert {
        j.key: (j.registrations, j.material, j.organisations, j.outside_eea)
        for j in m.jurisdictions
    } == want["jurisdictions"]


def test_every_central_figure_matches_a_count_of_the_rows(register: Register) -> None:
    m = monitoring(register, CENTRAL, TODAY)
    want = expected(register, TODAY, None)
    assert_figures_match(m, want)
    # the demo and the workflow objects reach every kind of figure
    assert m.material_total.material > 50
    assert 0 < m.material_total.risk_assessment < m.material_total.material
    assert m.deviation_total.accepted > m.deviation_total.reported > 0
    assert sum(s.count for s in m.notifications) == 5
    assert any(b.count for b in m.calendar if b.key.startswith("2030"))


@pytest.mark.parametrize("organisation", ["fin", "uwv", "vws", "gemeente-utrecht"])
def test_an_organisation_sees_the_same_figures_for_itself(
    register: Register, organisation: str
) -> None:
    own = Actor.local("organisatie", organisation)
    m = monitoring(register, own, TODAY)
    assert_figures_match(m, expected(register, TODAY, {organisation}))
    assert set(m.organisations) == {organisation}
    # asked by CIO Rijk for that organisation: identical
    assert monitoring(register, CENTRAL, TODAY, organisation) == monitoring(
        register, own, TODAY, organisation
    )


@pytest.mark.parametrize("as_of", [dt.date(2027, 8, 1), dt.date(2031, 1, 1)])
def test_later_as_of_dates_move_deadlines_to_expired_and_age_notifications(
    register: Register, as_of: dt.date
) -> None:
    m = monitoring(register, CENTRAL, as_of)
    assert_figures_match(m, expected(register, as_of, None))
    expired = next(b for b in m.calendar if b.key == "verlopen")
    assert expired.count > 0


def test_each_registration_is_judged_as_the_projection_judges_it(
    register: Register, chosen: dict[str, str]
) -> None:
    """Per registration, not only in sum: the SQL predicates pick exactly the registrations the
    projection rules pick."""
    want = expected(register, TODAY, None)["derived"]
    with register.sessions() as session:
        dialect = session.get_bind().dialect.name
        for name, predicate in (
            ("accepted", ob.accepted_risk_assessment()),
            ("exit_complete", ob.complete_exit_plan(dialect)),
            ("notified", ob.submitted_notification()),
        ):
            picked = set(session.scalars(select(RegistrationRow.id).where(predicate)))
            assert picked == {i for i, d in want.items() if getattr(d, name)}, name
        accepted = session.execute(
            select(ob.accepted_justifications(dialect, None).subquery())
        ).all()
    assert Counter((r.registration_id, r.rule) for r in accepted) == Counter(
        (i, j["rule"]) for i, d in want.items() for j in d.justifications
    )
    # the workflow objects decide where they exist
    assert want[chosen["draft_only"]].row.risk_assessment["accepted_by"]  # accepted as entered
    assert not want[chosen["draft_only"]].accepted
    assert want[chosen["accepted_twice"]].accepted
    assert not want[chosen["blank_precondition"]].exit_complete
    assert want[chosen["complete_plan"]].exit_complete
    assert not want[chosen["renotify"]].notified
    assert want[chosen["received"]].notified
    assert not want[chosen["draft_notification"]].notified
    assert [j["rule"] for j in want[chosen["justified"]].justifications] == ["cb2026.4.5.email"]


def test_another_organisation_or_an_unknown_one_is_not_found(register: Register) -> None:
    with pytest.raises(NotFound):
        monitoring(register, Actor.local("fin", "fin"), TODAY, "uwv")
    with pytest.raises(NotFound):
        monitoring(register, CENTRAL, TODAY, "bestaat-niet")


def test_an_administrator_gets_no_figures(register: Register) -> None:
    from cloudtoets.services.actor import Forbidden

    with pytest.raises(Forbidden):
        monitoring(register, Actor("beheerder", roles=frozenset({"admin"})), TODAY)


def test_the_calendar_runs_quarter_by_quarter_to_the_end_of_the_transition(
    register: Register,
) -> None:
    keys = [b.key for b in monitoring(register, CENTRAL, TODAY).calendar]
    assert keys[0] == "verlopen" and keys[-1] == "later"
    assert keys[1] == "2026-K4" and keys[-2] == "2030-K4"
    assert len(keys) == 2 + 17
