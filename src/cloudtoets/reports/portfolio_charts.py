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


def _material_chart(
    chart_id: str, title: str, rows: list[tuple[str, int]], found: Portfolio
) -> Markup:
    """Bars of material use (name, count), the ten largest, each with its share of all."""
    total = found.material["yes"]
    bars = [Bar(name, material, count_share(material, total)) for name, material in rows[:TOP]]
    return bar_chart(chart_id, title, bars, maximum=total or None)


def parents_chart(found: Portfolio, chart_id: str = "grafiek-moederbedrijven") -> Markup:
    """Material use per ultimate parent, the ten largest, with their share."""
    return _material_chart(
        chart_id,
        "Materieel gebruik per moederbedrijf (de 10 grootste)",
        [(row.name, row.material) for row in found.by_ultimate_parent[:TOP]],
        found,
    )


def losses_chart(found: Portfolio, chart_id: str = "grafiek-wegvallen") -> Markup:
    """Per provider: the material use that falls away with it, the ten that touch the most."""
    return _material_chart(
        chart_id,
        "Scenario leverancier valt weg: hoeveel materieel gebruik raakt elke leverancier?",
        [(loss.name, loss.material) for loss in found.ranking[:TOP]],
        found,
    )


def scenario_chart(
    scenario: Scenario, found: Portfolio, title: str, chart_id: str = "grafiek-scenario"
) -> Markup:
    """How much of the portfolio one scenario touches; ``title`` names the scenario."""
    hit = len(scenario.registrations)
    parts = [
        ("Registraties", hit, found.registrations),
        ("Materieel gebruik", len(scenario.material), found.material["yes"]),
        ("Vitale of essentiële organisaties", scenario.critical_or_essential, hit),
        ("Met geteste noodexit", scenario.with_tested_emergency_plan, hit),
    ]
    bars = [Bar(label, count, count_share(count, of)) for label, count, of in parts]
    return bar_chart(
        chart_id,
        f"Wat het scenario raakt: {title}",
        bars,
        maximum=found.registrations or None,
    )
