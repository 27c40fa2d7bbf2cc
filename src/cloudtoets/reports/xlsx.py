"""The monitoring report as an Excel workbook: one sheet per section, a bold frozen header row,
column widths that fit, real numbers, percentages and dates (so a reader can filter and sum).

Text from the register is written as text, never as a formula (OWASP CSV injection).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cloudtoets.domain.knowledge import QUESTIONS
from cloudtoets.presentation.texts import country_name
from cloudtoets.reports.view import (
    AGE_LABELS,
    DEPLOYMENT_LABELS,
    EXPLANATIONS,
    NOTIFICATION_STATES,
    VERDICTS,
    MonitoringView,
    question_label,
)
from cloudtoets.services.monitoring import AGE_BUCKETS, share
from cloudtoets.services.reminders import KINDS

DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0%"
MAX_WIDTH = 80
_FORMULA_START = ("=", "+", "-", "@")


class Percent(float):
    """A share (0..1) that is shown as a percentage."""


def _write_sheet(
    workbook: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Worksheet:
    sheet: Worksheet = workbook.create_sheet(title)
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in headers]
    for values in rows:
        sheet.append(list(values))
        for column, (cell, value) in enumerate(zip(sheet[sheet.max_row], values, strict=False)):
            if isinstance(value, Percent):
                cell.number_format = PERCENT_FORMAT
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, str) and value.startswith(_FORMULA_START):
                cell.data_type = "s"  # openpyxl made it a formula; it is the text it says
            shown = (
                10 if isinstance(value, dt.date) else len(str(value if value is not None else ""))
            )
            widths[column] = max(widths[column], shown)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(MAX_WIDTH, width + 2)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _country(code: str | None) -> str | None:
    """The country's Dutch name; the code alone when it has none."""
    return country_name(code) if code else None


def _percent(count: int, total: int) -> Percent | None:
    value = share(count, total)
    return None if value is None else Percent(value)


def write_workbook(view: MonitoringView, reminder_days: int) -> bytes:
    m = view.monitoring
    workbook = Workbook()
    explanation = workbook.active
    assert explanation is not None
    explanation.title = "Toelichting"
    lines: list[list[Any]] = [
        ["Monitoring cloudgebruik"],
        ["Organisaties", view.scope_name],
        ["Peildatum", m.as_of],
        ["Beleid", view.policy_title],
        ["Herinneringen", f"binnen {reminder_days} dagen na de peildatum, of te laat"],
        [],
        ["Elk blad is één onderdeel. Wat de woorden betekenen:"],
        *([term, text] for term, text in EXPLANATIONS),
    ]
    for line in lines:
        explanation.append(line)
    for row in explanation.iter_rows(min_row=7, max_col=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
        row[0].alignment = Alignment(vertical="top")
    explanation["A1"].font = Font(bold=True, size=14)
    explanation["B3"].number_format = DATE_FORMAT
    explanation.column_dimensions["A"].width = 24
    explanation.column_dimensions["B"].width = 90

    material_rows = [*m.material, m.material_total]
    _write_sheet(
        workbook,
        "Materieel gebruik",
        [
            "Organisatie", "Kenmerk", "Materieel gebruik",
            "Met geaccepteerde risicoafweging", "Aandeel",
            "Met volledig exitplan", "Aandeel",
            "Gemeld bij CIO Rijk", "Aandeel",
            "Alle drie op orde", "Aandeel",
        ],
        [
            [
                r.name, r.organisation or None, r.material,
                r.risk_assessment, _percent(r.risk_assessment, r.material),
                r.exit_plan, _percent(r.exit_plan, r.material),
                r.notification, _percent(r.notification, r.material),
                r.complete, _percent(r.complete, r.material),
            ]
            for r in material_rows
        ],
    )  # fmt: skip
    verdict_keys = list(m.verdict_total.counts)
    _write_sheet(
        workbook,
        "Oordelen",
        ["Organisatie", "Kenmerk", *(VERDICTS.get(k, k) for k in verdict_keys), "Totaal"],
        [
            [r.name, r.organisation or None, *(r.counts.get(k, 0) for k in verdict_keys), r.total]
            for r in [*m.verdicts, m.verdict_total]
        ],
    )
    knowledge_rows = [*m.knowledge, m.knowledge_total]
    _write_sheet(
        workbook,
        "Wat is bekend",
        [
            "Organisatie", "Kenmerk", "Registraties",
            *(f"Inzetmodel {label}" for label in DEPLOYMENT_LABELS.values()),
            "Onvolledig oordeel", "Aandeel", "Zeker materieel", "Mogelijk materieel",
        ],
        [
            [
                k.name, k.organisation or None, k.registrations,
                *(k.deployments.get(key, 0) for key in DEPLOYMENT_LABELS),
                k.incomplete, _percent(k.incomplete, k.registrations),
                k.material_certain, k.material_possible,
            ]
            for k in knowledge_rows
        ],
    )  # fmt: skip
    _write_sheet(
        workbook,
        "Eerst vragen",
        ["Organisatie", "Kenmerk", "Gegeven", "Veld", "Vraag", "Onvolledige registraties"],
        [
            [k.name, k.organisation or None, question_label(key), key, QUESTIONS.get(key, key), n]
            for k in [m.knowledge_total, *m.knowledge]
            for key, n in k.ask_first
        ],
    )
    _write_sheet(
        workbook,
        "Termijnen",
        ["Periode", "Van", "Tot en met", "Registraties"],
        [[b.label, b.first_day, b.last_day, b.count] for b in m.calendar],
    )
    ages = [label for label, _, _ in AGE_BUCKETS]
    _write_sheet(
        workbook,
        "Meldingen",
        ["Status", "Aantal", *(AGE_LABELS[a] for a in ages), "Oudste (dagen)"],
        [
            [
                NOTIFICATION_STATES.get(s.state, s.state),
                s.count,
                *(s.ages.get(a) for a in ages),
                s.oldest_days,
            ]
            for s in m.notifications
        ],
    )
    _write_sheet(
        workbook,
        "Afwijkingen",
        ["Organisatie", "Kenmerk", "Geaccepteerd", "Gemeld", "Nog niet gemeld"],
        [
            [d.name, d.organisation or None, d.accepted, d.reported, d.unreported]
            for d in [*m.deviations, m.deviation_total]
        ],
    )
    _write_sheet(
        workbook,
        "Afwijkingen per regel",
        ["Regel", "Kenmerk", "Geaccepteerd"],
        [
            [view.rule_titles.get(rule, rule), rule, count]
            for rule, count in m.deviations_by_rule.items()
        ],
    )
    _write_sheet(
        workbook,
        "Leveranciers",
        ["Leverancier", "Kenmerk", "Registraties", "Materieel gebruik", "Organisaties"],
        [[p.label, p.key, p.registrations, p.material, p.organisations] for p in m.providers],
    )
    _write_sheet(
        workbook,
        "Jurisdicties",
        ["Land", "Landcode", "Buiten de EER", "Registraties", "Materieel gebruik", "Organisaties"],
        [
            [
                country_name(j.key),
                j.key,
                "ja" if j.outside_eea else "nee",
                j.registrations,
                j.material,
                j.organisations,
            ]
            for j in m.jurisdictions
        ],
    )
    if view.portfolio is not None:
        found = view.portfolio
        _write_sheet(
            workbook,
            "Moederbedrijven",
            [
                "Moederbedrijf", "Kenmerk", "Land", "Registraties", "Materieel gebruik",
                "Aandeel materieel", "Kritieke of essentiële entiteiten", "Organisaties",
            ],
            [
                [
                    c.name, c.key, _country(c.country), c.registrations, c.material,
                    _percent(c.material, found.material.get("yes", 0)),
                    c.critical_or_essential, c.organisations,
                ]
                for c in found.by_ultimate_parent
            ],
        )  # fmt: skip
        _write_sheet(
            workbook,
            "Leverancier valt weg",
            ["Leverancier", "Kenmerk", "Land", "Materieel gebruik geraakt", "Registraties geraakt"],
            [[loss.name, loss.provider, _country(loss.country), loss.material, loss.registrations]
             for loss in found.ranking],
        )  # fmt: skip
    _write_sheet(
        workbook,
        "Herinneringen",
        [
            "Uiterlijk", "Te laat", "Soort", "Organisatie", "Kenmerk organisatie",
            "Registratie", "Naam", "Toelichting",
        ],
        [
            [
                r.due, "ja" if r.overdue(m.as_of) else "nee", KINDS[r.kind],
                m.organisations.get(r.organisation, r.organisation), r.organisation,
                r.registration, r.registration_name, r.text,
            ]
            for r in view.reminders
        ],
    )  # fmt: skip
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
