"""The portfolio's charts: concentration by ultimate parent, which provider's loss touches the
most material use, and a scenario's reach. The same SVG bars as the monitoring charts
(``reports/charts.py``), each followed on the page and in the report by a table with the same
figures (its text alternative)."""

from __future__ import annotations

from markupsafe import Markup

from cloudtoets.presentation.texts import count_share
from cloudtoets.reports.charts import Bar, bar_chart
from cloudtoets.services.portfolio import Portfolio, Scenario

TOP = 10


def parents_chart(found: Portfolio, chart_id: str = "grafiek-moederbedrijven") -> Markup:
    """Material use per ultimate parent, the ten largest, with their share."""
    total = found.material["yes"]
    bars = [
        Bar(row.name, row.material, count_share(row.material, total))
        for row in found.by_ultimate_parent[:TOP]
    ]
    return bar_chart(
        chart_id,
        "Materieel gebruik per moederbedrijf (de 10 grootste)",
        bars,
        maximum=total or None,
    )


def losses_chart(found: Portfolio, chart_id: str = "grafiek-wegvallen") -> Markup:
    """Per provider: the material use that falls away with it, the ten that touch the most."""
    total = found.material["yes"]
    bars = [
        Bar(loss.name, loss.material, count_share(loss.material, total))
        for loss in found.ranking[:TOP]
    ]
    return bar_chart(
        chart_id,
        "Scenario leverancier valt weg: hoeveel materieel gebruik raakt elke leverancier?",
        bars,
        maximum=total or None,
    )


def scenario_chart(
    scenario: Scenario, found: Portfolio, title: str, chart_id: str = "grafiek-scenario"
) -> Markup:
    """How much of the portfolio one scenario touches; ``title`` names the scenario."""
    material_total = found.material["yes"]
    bars = [
        Bar(
            "Registraties",
            len(scenario.registrations),
            count_share(len(scenario.registrations), found.registrations),
        ),
        Bar(
            "Materieel gebruik",
            len(scenario.material),
            count_share(len(scenario.material), material_total),
        ),
        Bar(
            "Vitale of essentiële organisaties",
            scenario.critical_or_essential,
            count_share(scenario.critical_or_essential, len(scenario.registrations)),
        ),
        Bar(
            "Met geteste noodexit",
            scenario.with_tested_emergency_plan,
            count_share(scenario.with_tested_emergency_plan, len(scenario.registrations)),
        ),
    ]
    return bar_chart(
        chart_id,
        f"Wat het scenario raakt: {title}",
        bars,
        maximum=found.registrations or None,
    )
