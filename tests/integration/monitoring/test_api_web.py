"""The monitoring API (JSON with its documented schema, reports, reminders, problems) and the
pages: /monitoring (charts each followed by their table, downloads, the menu entry) and the
reminders on the overview page. Access per role is walked in tests/integration/security."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import sys
from collections.abc import Iterator

import pypdf
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from cloudtoets.api.monitoring_schemas import MonitoringOut, ReminderList, monitoring_json
from cloudtoets.server.app import create_app
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.monitoring import monitoring
from cloudtoets.services.reminders import reminders
from cloudtoets.web.monitoring import may_monitor
from tests.integration.web.conftest import h1s, text, title

from .conftest import TODAY

API = "/api/v1"
CENTRAL = Actor.local("api-test")


@pytest.fixture(scope="module")
def client(register: Register) -> Iterator[TestClient]:
    with TestClient(create_app(register=register), raise_server_exceptions=False) as opened:
        yield opened


@pytest.fixture(scope="module")
def fin_client(register: Register) -> Iterator[TestClient]:
    """The local user limited to fin."""
    settings = register.settings.model_copy(update={"local_organisation": "fin"})
    app = create_app(register=dataclasses.replace(register, settings=settings))
    with TestClient(app, raise_server_exceptions=False) as opened:
        yield opened


def _json(value: object) -> object:
    return MonitoringOut.model_validate(value).model_dump(mode="json")


def test_the_api_gives_the_figures_in_their_documented_shape(
    client: TestClient, register: Register
) -> None:
    response = client.get(f"{API}/monitoring", params={"as_of": "2026-11-29"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert _json(body) == body  # nothing outside the schema, nothing missing
    assert body == _json(monitoring_json(monitoring(register, CENTRAL, TODAY)))
    total = body["material"]["total"]
    assert total["organisation"] is None
    assert (
        total["without_risk_assessment"]["count"]
        == total["material"] - total["risk_assessment"]["count"]
    )
    assert [b["key"] for b in body["calendar"]][:2] == ["verlopen", "2026-K4"]
    document = client.get(f"{API}/openapi.json").json()
    assert document["paths"][f"{API}/monitoring"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"]["$ref"].endswith("/MonitoringOut")
    for path in ("/monitoring", "/monitoring/report.pdf", "/monitoring/report.xlsx", "/reminders"):
        assert {"403", "404", "422"} <= set(document["paths"][f"{API}{path}"]["get"]["responses"])


def test_an_organisation_gets_its_own_figures_and_404_for_another(
    fin_client: TestClient, register: Register
) -> None:
    body = fin_client.get(f"{API}/monitoring", params={"as_of": "2026-11-29"}).json()
    assert [o["id"] for o in body["organisations"]] == ["fin"]
    assert body == _json(monitoring_json(monitoring(register, Actor.local("x", "fin"), TODAY)))
    refused = fin_client.get(f"{API}/monitoring", params={"organisation": "uwv"})
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == f"{API}/problemen/niet-gevonden"
    for path in ("/monitoring/report.pdf", "/monitoring/report.xlsx", "/reminders"):
        assert fin_client.get(f"{API}{path}", params={"organisation": "uwv"}).status_code == 404


@pytest.mark.parametrize("as_of", ["1999-12-31", "2101-01-01", "29-11-2026", "0"])
def test_an_as_of_date_outside_the_register_is_refused(client: TestClient, as_of: str) -> None:
    response = client.get(f"{API}/monitoring", params={"as_of": as_of})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "as_of"


def test_the_api_lists_the_reminders(client: TestClient, register: Register) -> None:
    response = client.get(
        f"{API}/reminders", params={"as_of": "2027-05-01", "organisation": "uwv", "days": 60}
    )
    assert response.status_code == 200
    body = ReminderList.model_validate(response.json())
    want = reminders(register, CENTRAL, dt.date(2027, 5, 1), "uwv", days=60)
    assert body.days == 60 and body.total == len(want) > 0
    assert [r.key for r in body.items] == [r.key for r in want]
    assert all(r.organisation == "uwv" for r in body.items)


def test_the_api_reports_are_files(client: TestClient) -> None:
    pdf = client.get(f"{API}/monitoring/report.pdf", params={"organisation": "fin"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert 'filename="cloudtoets-monitoring-fin-' in pdf.headers["content-disposition"]
    assert pypdf.PdfReader(io.BytesIO(pdf.content)).metadata.title.startswith(
        "Monitoring cloudgebruik Ministerie van Financiën"
    )
    xlsx = client.get(f"{API}/monitoring/report.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "Materieel gebruik" in load_workbook(io.BytesIO(xlsx.content)).sheetnames


def test_without_pango_the_api_and_the_page_say_so_in_dutch(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    response = client.get(f"{API}/monitoring/report.pdf")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "Pango" in response.json()["detail"]
    page = client.get("/monitoring/rapport.pdf")
    assert page.status_code == 503
    assert "text/html" in page.headers["content-type"]
    assert "Een PDF maken lukt op deze server niet" in text(page.text)
    assert "Traceback" not in page.text


def test_the_monitoring_page_follows_the_house_rules(
    client: TestClient, register: Register
) -> None:
    response = client.get("/monitoring")
    assert response.status_code == 200
    html = response.text
    assert title(html) == "Monitoring — cloudtoets"
    assert h1s(html) == ["Monitoring"]
    assert 'aria-label="Kruimelpad"' in html
    nav = html.split('aria-label="Hoofdmenu"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'href="/monitoring" aria-current="page"', nav)
    assert nav.count('aria-current="page"') == 1
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html and not re.search(r"\s(style|on[a-z]+)=", html)
    assert 'href="/monitoring/rapport.pdf"' in html and 'href="/monitoring/rapport.xlsx"' in html
    # every chart is an image with a name, followed by a table with the same figures
    charts = re.findall(r"<svg\b[^>]*>", html)
    assert len(charts) == 8  # with the concentration by parent and "leverancier valt weg"
    for chart in charts:
        assert 'role="img"' in chart and "aria-labelledby=" in chart
    for part in html.split("<svg")[1:]:
        after = part.split("</svg>", 1)[1]
        assert after.find("<table") != -1
        assert after.find("<table") < (after.find("<svg") if "<svg" in after else len(after))
    page = text(html)
    m = monitoring(register, CENTRAL, TODAY)
    t = m.material_total
    assert f"Van {t.material} keer materieel gebruik heeft {t.without_risk_assessment} (" in page
    assert "Herinneringen" in page


def test_the_page_of_one_organisation_links_to_its_own_reports(client: TestClient) -> None:
    html = client.get("/monitoring", params={"organisatie": "uwv"}).text
    assert 'href="/monitoring/rapport.pdf?organisatie=uwv"' in html
    assert "Cijfers over het cloudgebruik van Uitvoeringsinstituut Werknemersverzekeringen" in text(
        html
    )
    assert client.get("/monitoring", params={"organisatie": "bestaat-niet"}).status_code == 404


def test_the_downloads_of_the_page(client: TestClient) -> None:
    pdf = client.get("/monitoring/rapport.pdf", params={"organisatie": "vws"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        'filename="cloudtoets-monitoring-vws-2026-11-29.pdf"' in pdf.headers["content-disposition"]
    )
    xlsx = client.get("/monitoring/rapport.xlsx")
    assert (
        xlsx.status_code == 200
        and load_workbook(io.BytesIO(xlsx.content))["Toelichting"]["B2"].value
        == "alle organisaties"
    )


def test_the_overview_shows_the_reminders_of_the_chosen_organisation(
    client: TestClient, register: Register
) -> None:
    found = reminders(register, CENTRAL, TODAY, "uwv")
    page = text(client.get("/", params={"organisatie": "uwv"}).text)
    assert "Herinneringen" in page
    assert f"{len(found)} herinnering" in page
    for reminder in found[:10]:
        assert reminder.text in page
    html = client.get("/", params={"organisatie": "uwv"}).text
    assert 'href="/monitoring?organisatie=uwv#herinneringen"' in html


def test_only_central_roles_get_monitoring_in_the_menu() -> None:
    assert may_monitor(Actor("cio", roles=frozenset({"cio-rijk"})))
    assert may_monitor(Actor("auditor", roles=frozenset({"auditor"})))
    for role in ("viewer", "editor", "approver", "admin"):
        assert not may_monitor(
            Actor("x", frozenset({"fin"}) if role != "admin" else None, frozenset({role}))
        )
