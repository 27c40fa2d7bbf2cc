"""How the reports read: no page ends with a heading, a caption or a term, each chart sits on
the page of its heading; links lead to CLOUDTOETS_PUBLIC_URL or else to the address the report
was asked on, never to a fixed port; the wordmark heads every report and page; the report
explains its words itself instead of pointing to a manual."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator
from typing import Any

import pypdf
import pytest
import weasyprint  # type: ignore[import-untyped]
from fastapi.testclient import TestClient
from weasyprint.formatting_structure import boxes  # type: ignore[import-untyped]

from cloudtoets.reports import build, dossier, pdf
from cloudtoets.server.app import create_app
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register

from .conftest import TODAY

CENTRAL = Actor.local("opmaak-test")
HEADINGS = {"h1", "h2", "h3", "caption", "dt"}


def _flow(page: Any) -> list[tuple[str, Any]]:
    """What a page shows in reading order: headings, charts and text (not its footer)."""
    found: list[tuple[str, Any]] = []

    def walk(box: Any) -> None:
        if isinstance(box, boxes.MarginBox):
            return
        tag = getattr(box, "element_tag", "") or ""
        if tag in HEADINGS or tag.endswith("svg"):
            found.append(("chart" if tag.endswith("svg") else tag, box))
            return
        if isinstance(box, boxes.TextBox):
            found.append(("text", box))
        for child in getattr(box, "children", ()):
            walk(child)

    walk(page._page_box)
    return found


def _problems(html: str) -> list[str]:
    renderer = pdf._renderer(weasyprint)
    document = weasyprint.HTML(string=html, url_fetcher=renderer.fetcher).render(
        stylesheets=[renderer.stylesheet], font_config=renderer.fonts
    )
    problems, heading_page = [], -1
    for number, page in enumerate(document.pages, start=1):
        flow = _flow(page)
        if flow and flow[-1][0] in HEADINGS:
            text = "".join(t.text for t in flow[-1][1].descendants() if hasattr(t, "text"))
            problems.append(f"page {number} ends with {flow[-1][0]} '{text}'")
        for kind, _ in flow:
            if kind in ("h2", "h3"):
                heading_page = number
            elif kind == "chart" and heading_page != number:
                problems.append(f"page {number}: a chart away from its heading")
    assert len(document.pages) > 1  # a layout that could go wrong
    return problems


@pytest.mark.parametrize("organisation", [None, "uwv"])
def test_no_page_of_the_report_ends_with_a_heading(
    register: Register, organisation: str | None
) -> None:
    view = build.monitoring_view(register, CENTRAL, TODAY, organisation)
    assert _problems(pdf.report_html(view, register.settings.reminder_days)) == []


def test_no_page_of_a_dossier_ends_with_a_heading(
    register: Register, chosen: dict[str, str]
) -> None:
    for registration in (chosen["accepted_twice"], chosen["justified"]):
        found = dossier.dossier(register, CENTRAL, registration)
        assert _problems(dossier.dossier_html(found)) == [], registration


def _links(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [
        str(action["/URI"])
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if (action := annotation.get_object().get("/A")) is not None and "/URI" in action
    ]


@pytest.fixture(scope="module")
def served(register: Register) -> Iterator[TestClient]:
    settings = register.settings.model_copy(update={"public_url": ""})
    app = create_app(register=dataclasses.replace(register, settings=settings))
    with TestClient(app, base_url="http://10.1.2.3:8123", raise_server_exceptions=False) as c:
        yield c


def test_links_lead_to_the_address_the_report_was_asked_on(served: TestClient) -> None:
    pdf.forget_reports()
    for path in ("/monitoring/rapport.pdf?organisatie=uwv", "/api/v1/monitoring/report.pdf"):
        response = served.get(path)
        assert response.status_code == 200, path
        links = _links(response.content)
        assert links and all(link.startswith("http://10.1.2.3:8123/") for link in links), path
        assert "/registraties/uwv-" in " ".join(links)


def test_links_lead_to_the_public_url_when_it_is_set(register: Register) -> None:
    public = dataclasses.replace(
        register,
        settings=register.settings.model_copy(
            update={"public_url": "https://cloudtoets.example.nl/"}
        ),
    )
    links = _links(build.pdf_report(public, CENTRAL, TODAY, "uwv", "http://10.1.2.3:8123/"))
    assert links and all(link.startswith("https://cloudtoets.example.nl/") for link in links)


def test_without_an_address_the_links_go_and_their_text_stays(register: Register) -> None:
    alone = dataclasses.replace(
        register, settings=register.settings.model_copy(update={"public_url": ""})
    )
    data = build.pdf_report(alone, CENTRAL, TODAY, "uwv")
    assert _links(data) == []  # a relative address in a file leads nowhere
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert "E-mail Exchange Online" in text  # the registration's name, once a link


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_the_wordmark_heads_report_dossier_and_pages_and_no_manual_is_cited(
    register: Register, chosen: dict[str, str], served: TestClient
) -> None:
    report = _pages(build.pdf_report(register, CENTRAL, TODAY))
    folder = _pages(dossier.dossier_pdf(register, CENTRAL, chosen["closed"]))
    for pages in (report, folder):
        assert pages[0].startswith("cloudtoets\nRijksoverheid-stijl")
    text = re.sub(r"\s+", " ", " ".join(report))
    assert "docs/" not in text and "Wat de woorden betekenen" in text
    assert "cloudtoets · Monitoring cloudgebruik" in text  # the footer names the report
    assert "cloudtoets · Dossier: " in " ".join(folder)
    page = served.get("/monitoring")
    assert 'class="ct-wordmark__band"' in page.text and "Rijksoverheid-stijl" in page.text
