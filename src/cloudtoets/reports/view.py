"""What the monitoring page and the PDF report show: labels, charts and template values, made
once from the monitoring figures and the reminders, so page and report cannot differ."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from cloudtoets.domain.knowledge import QUESTIONS
from cloudtoets.domain.labels import LABELS
from cloudtoets.domain.vocabulary import VERDICT_LABELS
from cloudtoets.presentation.texts import DEPLOYMENTS_SHORT, count_share
from cloudtoets.reports.charts import Bar, bar_chart
from cloudtoets.reports.portfolio_charts import losses_chart, parents_chart
from cloudtoets.services.monitoring import AGE_BUCKETS, UNKNOWN, Monitoring
from cloudtoets.services.notification_states import STATE_LABELS
from cloudtoets.services.portfolio import Portfolio
from cloudtoets.services.reminders import KINDS, Reminder, count_by_organisation

VERDICTS = {str(k): v for k, v in VERDICT_LABELS.items()} | {"none": "nog niet getoetst"}
NOTIFICATION_STATES = STATE_LABELS
AGE_LABELS = {
    "0-30": "0 tot 30 dagen",
    "31-90": "31 tot 90 dagen",
    "91-180": "91 tot 180 dagen",
    "181+": "meer dan 180 dagen",
}
DEPLOYMENT_LABELS = {**DEPLOYMENTS_SHORT, UNKNOWN: "onbekend"}
# The Algemene Rekenkamer's three groups: public, known and not public, not known.
DEPLOYMENT_GROUPS = {
    "public": "publiek",
    "not_public": "privé, hybride of community",
    "unknown": "inzetmodel onbekend",
}
# The PDF sums the reminders up per organisation and lists the most urgent in an appendix,
# about two pages; the XLSX lists them all.
REMINDER_LIST_LIMIT = 40
# What the words of the report mean, in the report itself (PDF and the workbook's first sheet):
# its readers have the report, not the manual.
EXPLANATIONS: tuple[tuple[str, str], ...] = (
    (
        "Materieel gebruik",
        "Gebruik van een externe cloud dat het beleid materieel noemt: de dienst ondersteunt "
        "een kerntaak, is bedrijfskritisch of verwerkt veel persoonsgegevens, of de organisatie "
        "heeft het zelf zo genoemd. Een externe cloud is elke cloud die de overheid niet zelf "
        "beheert.",
    ),
    (
        "De drie documenten",
        "Bij materieel gebruik vraagt het beleid een geaccepteerde risicoafweging, een volledig "
        "exitplan (een geplande exit en een noodplan) en een melding bij CIO Rijk. Een document "
        "telt als het is geaccepteerd, of als een accordeerder het na een import heeft "
        "bevestigd.",
    ),
    (
        "Oordeel",
        "Het oordeel van de laatste toetsing van elke registratie aan het beleid: niet "
        "toegestaan, overgangstermijn, afgeraden, toegestaan onder voorwaarden of toegestaan.",
    ),
    (
        "Onvolledig oordeel",
        "Een feit is onbekend. Het oordeel ligt dan tussen een beste en een slechtste oordeel. "
        "Wie de open vragen beantwoordt, krijgt een volledig oordeel.",
    ),
    (
        "Eerst vragen",
        "Per vraag het aantal onvolledige registraties dat op het antwoord wacht.",
    ),
    (
        "Overgangstermijn",
        "Gebruik dat al bestond voordat het beleid gold, mag tot een datum blijven. Daarna moet "
        "het zijn aangepast.",
    ),
    (
        "Moederbedrijf",
        "Het uiteindelijke moederbedrijf van een leverancier, van wie de hele keten afhangt.",
    ),
    (
        "Leverancier valt weg",
        "Hoeveel materieel gebruik geraakt wordt als die leverancier wegvalt, op welke plek in "
        "de keten ook. Het meest geraakt staat bovenaan.",
    ),
    (
        "Herinnering",
        "Iets wat binnenkort moet gebeuren of te laat is: een overgangstermijn, een exitplan, "
        "een herbeoordeling, een test van het exitplan of een afwijking die opnieuw bevestigd "
        "moet worden.",
    ),
)


@dataclass(frozen=True, slots=True)
class MonitoringView:
    monitoring: Monitoring
    reminders: list[Reminder]
    scope_name: str  # "alle organisaties" or the organisation's name
    policy_title: str
    # the concentration by ultimate parent and "leverancier valt weg" (services/portfolio.py)
    portfolio: Portfolio | None = None
    rule_titles: dict[str, str] = field(default_factory=dict)  # rule id -> title

    @property
    def as_of(self) -> dt.date:
        return self.monitoring.as_of

    def context(self) -> dict[str, Any]:
        m = self.monitoring
        return {
            "m": m,
            "scope_name": self.scope_name,
            "policy_title": self.policy_title,
            "as_of": m.as_of,
            "charts": charts(m, self.portfolio),
            "portfolio": self.portfolio,
            "verdict_labels": VERDICTS,
            "verdict_keys": list(m.verdict_total.counts),
            "state_labels": NOTIFICATION_STATES,
            "age_labels": AGE_LABELS,
            "age_keys": [label for label, _, _ in AGE_BUCKETS],
            "reminders": self.reminders,
            "reminder_kinds": KINDS,
            "reminder_counts": count_by_organisation(self.reminders),
            "reminder_overdue": Counter(
                r.organisation for r in self.reminders if r.overdue(m.as_of)
            ),
            "reminder_limit": REMINDER_LIST_LIMIT,
            "deployment_labels": DEPLOYMENT_LABELS,
            "deployment_groups": DEPLOYMENT_GROUPS,
            "questions": QUESTIONS,
            "question_label": question_label,
            "rule_titles": self.rule_titles,
            "explanations": EXPLANATIONS,
        }


def question_label(field: str) -> str:
    """The short name of a question's field ("Versleuteld bij opslag"), for tables."""
    labels = LABELS["registrations"]
    if field in labels:
        return str(labels[field][0])
    organisation = LABELS.get("organisations", {})
    key = field.removeprefix("organisation.")
    return str(organisation[key][0]) if key in organisation else field


def charts(m: Monitoring, portfolio: Portfolio | None = None) -> dict[str, Markup]:
    total = m.material_total
    documents = (
        ("Geaccepteerde risicoafweging", total.risk_assessment),
        ("Volledig exitplan", total.exit_plan),
        ("Gemeld bij CIO Rijk", total.notification),
        ("Alle drie op orde", total.complete),
    )
    material = [Bar(label, n, count_share(n, total.material)) for label, n in documents]
    verdicts = [
        Bar(VERDICTS.get(key, key), count, str(count))
        for key, count in m.verdict_total.counts.items()
    ]
    calendar = [Bar(bucket.label, bucket.count, str(bucket.count)) for bucket in m.calendar]
    states = [
        Bar(NOTIFICATION_STATES.get(s.state, s.state), s.count, str(s.count))
        for s in m.notifications
    ]
    providers = [Bar(p.label, p.registrations, str(p.registrations)) for p in m.providers[:10]]
    k = m.knowledge_total
    groups = (
        (DEPLOYMENT_GROUPS["public"], k.public),
        (DEPLOYMENT_GROUPS["not_public"], k.not_public),
        (DEPLOYMENT_GROUPS["unknown"], k.unknown_deployment),
    )
    deployments = [Bar(label, n, count_share(n, k.registrations)) for label, n in groups]
    extra = (
        {"parents": parents_chart(portfolio), "losses": losses_chart(portfolio)}
        if portfolio is not None
        else {}
    )
    return {
        **extra,
        "material": bar_chart(
            "grafiek-materieel",
            "Materieel gebruik: hoeveel heeft de drie documenten die het beleid vraagt?",
            material,
            maximum=total.material,
        ),
        "verdicts": bar_chart("grafiek-oordelen", "Registraties per oordeel", verdicts),
        "calendar": bar_chart("grafiek-termijnen", "Overgangstermijnen per kwartaal", calendar),
        "notifications": bar_chart("grafiek-meldingen", "Meldingen per status", states),
        "providers": bar_chart(
            "grafiek-leveranciers", "De 10 leveranciers met de meeste registraties", providers
        ),
        "deployments": bar_chart(
            "grafiek-inzetmodel",
            "Registraties per inzetmodel: publiek, niet publiek of onbekend",
            deployments,
            maximum=k.registrations,
        ),
    }
