"""The reports: the PDF is tagged (PDF/UA-1: structure tree, language nl, title, headings,
tables with header cells, charts with alternative text) and says the same figures as the
monitoring service and as a direct count of the rows; the workbook reads back with openpyxl
with the same figures; without Pango a Dutch message instead of a traceback."""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pypdf
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cloudtoets.cli import app
from cloudtoets.engine.messages import dutch_date
from cloudtoets.presentation.texts import percent
from cloudtoets.reports import build
from cloudtoets.reports.pdf import UNAVAILABLE, PdfUnavailable
from cloudtoets.reports.view import AGE_LABELS, EXPLANATIONS, NOTIFICATION_STATES, VERDICTS
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.monitoring import Monitoring, monitoring
from cloudtoets.services.portfolio_pages import monitoring_portfolio
from cloudtoets.services.reminders import KINDS, reminders

from .conftest import TODAY
from .test_figures import expected

CENTRAL = Actor.local("rapport-test")


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _structure(pdf: bytes) -> tuple[dict[str, Any], Counter[str], list[str]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    kinds: Counter[str] = Counter()
    alts: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if "/S" in node:
                kinds[str(node["/S"])] += 1
                if node["/S"] == "/Figure":
                    alts.append(str(node.get("/Alt", "")))
            if "/K" in node:
                walk(node["/K"])

    walk(root["/StructTreeRoot"])
    return {"root": root, "title": reader.metadata.title if reader.metadata else None}, kinds, alts


def _share(count: int, total: int) -> str:
    return f"{count} ({percent(count / total if total else None)})"


def _material_line(name: str, counts: list[int]) -> str:
    material, *rest = counts
    return " ".join([name, str(material), *(_share(n, material) for n in rest)])


@pytest.fixture(scope="module")
def central_pdf(register: Register) -> bytes:
    return build.pdf_report(register, CENTRAL, TODAY)


def test_the_pdf_is_tagged_in_dutch_with_title_headings_tables_and_alternative_text(
    central_pdf: bytes,
) -> None:
    info, kinds, alts = _structure(central_pdf)
    root = info["root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "nl"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert info["title"] == "Monitoring cloudgebruik alle organisaties 29 november 2026"
    assert kinds["/H1"] == 1 and kinds["/H2"] >= 7
    assert kinds["/Table"] >= 8 and kinds["/TH"] > kinds["/Table"] and kinds["/TD"] > 0
    # every chart has its text alternative, also concentration by parent and "valt weg"
    assert kinds["/Figure"] == 8 and all(alts)
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp  # declared PDF/UA in the XMP metadata


def test_the_pdf_says_what_the_service_and_a_direct_count_say(
    central_pdf: bytes, register: Register
) -> None:
    text = _text(central_pdf)
    m = monitoring(register, CENTRAL, TODAY)
    want = expected(register, TODAY, None)
    total = want["material_total"]
    # the Algemene Rekenkamer's figure, live
    headline = f"Van {total[0]} keer materieel gebruik heeft {_share(total[0] - total[1], total[0])} geen geaccepteerde risicoafweging."
    assert headline in text
    assert m.material_total.without_risk_assessment == total[0] - total[1]
    for row in m.material:
        line = _material_line(row.name, want["material"].get(row.organisation, [0] * 5))
        assert line == _material_line(
            row.name,
            [row.material, row.risk_assessment, row.exit_plan, row.notification, row.complete],
        )
        assert line in text, line
    assert _material_line("Totaal", total) in text
    for row in [*m.verdicts, m.verdict_total]:
        counts = [str(row.counts[k]) for k in m.verdict_total.counts]
        assert f"{row.name} {' '.join(counts)} {row.total}" in text
    for bucket in m.calendar:
        assert bucket.count == want["calendar"].get(bucket.key, 0)
        days = " ".join(dutch_date(d) for d in (bucket.first_day, bucket.last_day) if d)
        assert f"{bucket.label} {days} {bucket.count}".replace("  ", " ") in text
    for state in m.notifications:
        assert state.count == want["states"][state.state]
        label = NOTIFICATION_STATES[state.state]
        assert f"{label[0].upper()}{label[1:]} {state.count} " in text
    for row in [*m.deviations, m.deviation_total]:
        assert f"{row.name} {row.accepted} {row.reported} {row.unreported}" in text
    for rule, count in want["rules"].items():  # the rule by its title, not its code
        assert f"{register.policy.rule(rule).title} {count}" in text
    for p in m.providers:
        assert (p.registrations, p.material, p.organisations) == want["providers"][p.key]
        assert f"{p.label} {p.registrations} {p.material} {p.organisations}" in text


def test_the_pdf_of_one_organisation_has_only_its_figures(register: Register) -> None:
    text = _text(build.pdf_report(register, CENTRAL, TODAY, "uwv"))
    m = monitoring(register, CENTRAL, TODAY, "uwv")
    assert "Cijfers over het cloudgebruik van Uitvoeringsinstituut Werknemersverzekeringen" in text
    row = m.material[0]
    assert _material_line(row.name, expected(register, TODAY, {"uwv"})["material"]["uwv"]) in text
    assert "Ministerie van Financiën" not in text and "Totaal" not in text.split("Oordelen")[0]
    found = reminders(register, CENTRAL, TODAY, "uwv")
    assert found and "Bijlage: alle herinneringen" in text
    appendix = text.split("Bijlage: alle herinneringen")[1]
    for reminder in found:  # the appendix names each one: what, for which registration
        assert reminder.title in appendix and reminder.registration_name in appendix


def _sheet(workbook: Any, name: str) -> list[list[Any]]:
    return [list(row) for row in workbook[name].iter_rows(values_only=True)]


def test_the_workbook_reads_back_with_the_same_figures(register: Register) -> None:
    data = build.xlsx_report(register, CENTRAL, TODAY)
    workbook = load_workbook(io.BytesIO(data))
    m = monitoring(register, CENTRAL, TODAY)
    want = expected(register, TODAY, None)
    assert workbook.sheetnames == [
        "Toelichting", "Materieel gebruik", "Oordelen", "Wat is bekend", "Eerst vragen",
        "Termijnen", "Meldingen", "Afwijkingen", "Afwijkingen per regel", "Leveranciers",
        "Jurisdicties", "Moederbedrijven", "Leverancier valt weg", "Herinneringen",
    ]  # fmt: skip
    for name in workbook.sheetnames[1:]:
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2", name
        assert all(cell.font.b for cell in sheet[1]), name
        assert all(sheet.column_dimensions[cell.column_letter].width > 5 for cell in sheet[1]), name

    material = _sheet(workbook, "Materieel gebruik")
    assert material[0][:3] == ["Organisatie", "Kenmerk", "Materieel gebruik"]
    for row in material[1:-1]:
        counts = want["material"].get(row[1], [0] * 5)
        assert [row[2], row[3], row[5], row[7], row[9]] == counts
        if counts[0]:
            assert row[4] == pytest.approx(counts[1] / counts[0], abs=1e-4)
    assert (
        material[-1][0] == "Totaal"
        and [material[-1][i] for i in (2, 3, 5, 7, 9)] == want["material_total"]
    )
    assert workbook["Materieel gebruik"]["E2"].number_format == "0%"

    verdicts = _sheet(workbook, "Oordelen")
    keys = list(m.verdict_total.counts)
    assert verdicts[0] == ["Organisatie", "Kenmerk", *(VERDICTS[k] for k in keys), "Totaal"]
    for row in verdicts[1:-1]:
        assert row[2:-1] == [want["verdicts"][(row[1], k)] for k in keys]

    found = monitoring_portfolio(register, CENTRAL, TODAY)
    assert found.by_ultimate_parent
    parents = _sheet(workbook, "Moederbedrijven")
    assert [(r[1], r[3], r[4]) for r in parents[1:]] == [
        (c.key, c.registrations, c.material) for c in found.by_ultimate_parent
    ]
    losses = _sheet(workbook, "Leverancier valt weg")
    assert [(r[1], r[3]) for r in losses[1:]] == [(x.provider, x.material) for x in found.ranking]
    assert losses[1][3] == max(x.material for x in found.ranking)

    calendar = _sheet(workbook, "Termijnen")
    assert [(r[0], r[3]) for r in calendar[1:]] == [
        (b.label, want["calendar"].get(b.key, 0)) for b in m.calendar
    ]
    assert isinstance(calendar[2][1], dt.datetime)  # a real date

    states = {r[0]: r for r in _sheet(workbook, "Meldingen")[1:]}
    assert _sheet(workbook, "Meldingen")[0][2:6] == list(AGE_LABELS.values())
    assert {label: r[1] for label, r in states.items()} == {
        NOTIFICATION_STATES[s.state]: want["states"][s.state] for s in m.notifications
    }

    deviations = _sheet(workbook, "Afwijkingen")
    for row in deviations[1:-1]:
        assert row[2:4] == want["deviations"].get(row[1], [0, 0])
    by_rule = _sheet(workbook, "Afwijkingen per regel")
    assert by_rule[0] == ["Regel", "Kenmerk", "Geaccepteerd"]
    assert {r[1]: r[2] for r in by_rule[1:]} == dict(want["rules"])
    assert all(r[0] == register.policy.rule(r[1]).title for r in by_rule[1:])

    providers = _sheet(workbook, "Leveranciers")[1:]
    assert [(r[1], r[2], r[3], r[4]) for r in providers] == [
        (p.key, *want["providers"][p.key]) for p in m.providers
    ]
    countries = {
        r[1]: (r[3], r[4], r[5], r[2] == "ja") for r in _sheet(workbook, "Jurisdicties")[1:]
    }
    assert countries == want["jurisdictions"]

    found = reminders(register, CENTRAL, TODAY)
    listed = _sheet(workbook, "Herinneringen")[1:]
    assert [(r[0].date(), r[2], r[5]) for r in listed] == [
        (x.due, KINDS[x.kind], x.registration) for x in found
    ]


def test_the_workbook_names_things_in_dutch_and_explains_itself(register: Register) -> None:
    workbook = load_workbook(io.BytesIO(build.xlsx_report(register, CENTRAL, TODAY)))
    cells = {
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    codes = {"draft", "submitted", "received", "questions", "answered", "closed", "declared"}
    codes |= {"transition", "exit-plan", "risk-review", "exit-review", "exit-test"}
    assert not cells & codes
    assert not [c for c in cells if "private-internal" in c or "docs/" in c]
    explanation = _sheet(workbook, "Toelichting")
    assert ["Materieel gebruik", EXPLANATIONS[0][1]] in explanation
    parents = _sheet(workbook, "Moederbedrijven")
    assert "Verenigde Staten" in {row[2] for row in parents[1:]}  # a country's name, not US


def test_register_text_is_never_a_formula(register: Register) -> None:
    from sqlalchemy import update

    from cloudtoets.store.tables import OrganisationRow

    with register.sessions() as session, session.begin():
        session.execute(
            update(OrganisationRow)
            .where(OrganisationRow.id == "rdw")
            .values(name='=HYPERLINK("x")')
        )
    try:
        workbook = load_workbook(io.BytesIO(build.xlsx_report(register, CENTRAL, TODAY, "rdw")))
        cell = workbook["Materieel gebruik"]["A2"]
        assert cell.value == '=HYPERLINK("x")' and cell.data_type == "s"
    finally:
        with register.sessions() as session, session.begin():
            session.execute(
                update(OrganisationRow).where(OrganisationRow.id == "rdw").values(name="RDW")
            )


def test_without_pango_the_pdf_gives_a_dutch_message(
    register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import fails as without Pango
    with pytest.raises(PdfUnavailable) as raised:
        build.pdf_report(register, CENTRAL, TODAY)
    assert str(raised.value) == UNAVAILABLE
    assert "libpango-1.0-0" in UNAVAILABLE and "Excel" in UNAVAILABLE


def test_the_cli_writes_both_formats(
    register: Register, monitored_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    pdf, xlsx = tmp_path / "rapport.pdf", tmp_path / "rapport.xlsx"
    result = runner.invoke(
        app,
        [
            "report",
            "--database",
            monitored_url,
            "--format",
            "pdf",
            "--output",
            str(pdf),
            "--organisation",
            "fin",
            "--as-of",
            "2026-11-29",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Cijfers over het cloudgebruik van Ministerie van Financiën" in _text(pdf.read_bytes())
    result = runner.invoke(
        app, ["report", "--database", monitored_url, "--format", "xlsx", "-o", str(xlsx)]
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(xlsx).sheetnames[0] == "Toelichting"
    result = runner.invoke(
        app,
        [
            "report",
            "--database",
            monitored_url,
            "--format",
            "pdf",
            "-o",
            str(pdf),
            "--organisation",
            "bestaat-niet",
        ],
    )
    assert result.exit_code == 2 and "bestaat niet" in result.output
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    result = runner.invoke(
        app, ["report", "--database", monitored_url, "--format", "pdf", "-o", str(pdf)]
    )
    assert result.exit_code == 2
    assert UNAVAILABLE in result.output and "Traceback" not in result.output


def test_figures_of_monitoring_are_equal_between_calls(register: Register) -> None:
    first: Monitoring = monitoring(register, CENTRAL, TODAY)
    assert monitoring(register, CENTRAL, TODAY) == first
