"""The PDF report's speed-ups change nothing a reader sees: the HTML without the white space
between table tags reads the same, a second report of an unchanged register is the same PDF,
and a change in the register gives a new report at once."""

from __future__ import annotations

import io
import re

import pypdf
from sqlalchemy import update

from cloudtoets.reports import build, pdf
from cloudtoets.reports.view import REMINDER_LIST_LIMIT
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.store.tables import OrganisationRow

from .conftest import TODAY

CENTRAL = Actor.local("rapport-test")


def _words(html: str) -> list[str]:
    return re.sub(r"<[^>]+>", " ", html).split()


def test_compact_html_drops_only_white_space_between_table_tags(register: Register) -> None:
    view = build.monitoring_view(register, CENTRAL, TODAY)
    context = {**view.context(), "reminder_limit": REMINDER_LIST_LIMIT, "reminder_days": 30}
    full = pdf.ENV.get_template("reports/monitoring.html").render(context)
    compacted = pdf.report_html(view, 30)
    assert compacted == pdf.compact(full)
    assert len(compacted) < len(full)
    assert re.search(r"</td>\s+<td", full) and not re.search(r"</td>\s+<td", compacted)
    assert _words(compacted) == _words(full)  # the same text in the same order
    assert "<p class" in compacted and "</a> " in pdf.compact("<p><a>x</a> y</p>")


def _text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(page.extract_text() for page in reader.pages)


def test_an_unchanged_register_gives_the_same_pdf_and_a_change_a_new_one(
    register: Register,
) -> None:
    pdf.forget_reports()
    first = build.pdf_report(register, CENTRAL, TODAY, "rdw")
    assert build.pdf_report(register, CENTRAL, TODAY, "rdw") is first  # from the cache
    with register.sessions() as session, session.begin():
        session.execute(
            update(OrganisationRow).where(OrganisationRow.id == "rdw").values(name="RDW nieuw")
        )
    try:
        changed = build.pdf_report(register, CENTRAL, TODAY, "rdw")
        assert changed != first
        assert "RDW nieuw" in _text(changed) and "RDW nieuw" not in _text(first)
    finally:
        with register.sessions() as session, session.begin():
            session.execute(
                update(OrganisationRow).where(OrganisationRow.id == "rdw").values(name="RDW")
            )
        pdf.forget_reports()
