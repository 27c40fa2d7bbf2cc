"""Cases the spec leaves open, decided in docs/decisions.md (17-19)."""

from __future__ import annotations

import datetime as dt

from cloudtoets.engine.transition import add_months

from .builders import (
    decide,
    exit_plan,
    justification,
    material_registration,
    registration,
    scenario,
)


def test_white_space_preconditions_do_not_make_an_exit_scenario() -> None:
    plan = exit_plan(planned=scenario(preconditions=["  "]))
    rules = {f.rule for f in decide(material_registration(exit_plan=plan)).findings}
    assert "cb2026.3.2.exit-plan" in rules


def test_a_reported_justification_wins_over_an_unreported_one() -> None:
    unreported = justification("cb2026.4.6.special-data", reported_on=None)
    reported = justification("cb2026.4.6.special-data", reported_on=dt.date(2026, 10, 1))
    r = registration(
        personal_data="special", pets=["pseudonymisation"], justifications=[unreported, reported]
    )
    rules = {f.rule: f for f in decide(r).findings}
    assert rules["cb2026.4.6.special-data"].justified
    assert "cb2026.3.3.deviation-reported" not in rules


def test_twelve_months_before_a_leap_day() -> None:
    assert add_months(dt.date(2028, 2, 29), -12) == dt.date(2027, 2, 28)
