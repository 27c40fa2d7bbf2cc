"""The portfolio pages for CIO Rijk: figures on an as-of date, concentration by ultimate parent,
a scenario and the impact of another policy; the same concentration and "leverancier valt weg"
on the monitoring page and in the PDF report. Access per role is walked in
tests/integration/security (Kind.MONITOR)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cloudtoets.policy.loader import load_policy
from cloudtoets.reports import build
from cloudtoets.reports.pdf import report_html
from cloudtoets.server.app import create_app
from cloudtoets.services import portfolio as figures
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from tests.integration.web.conftest import h1s, text, title

from .conftest import TODAY

CENTRAL = Actor.local("portfolio-test")


@pytest.fixture(scope="module")
def client(register: Register) -> Iterator[TestClient]:
    with TestClient(create_app(register=register), raise_server_exceptions=False) as opened:
        yield opened


@pytest.fixture(scope="module")
def fin_client(register: Register) -> Iterator[TestClient]:
    settings = register.settings.model_copy(update={"local_organisation": "fin"})
    app = create_app(register=dataclasses.replace(register, settings=settings))
    with TestClient(app, raise_server_exceptions=False) as opened:
        yield opened


def _expected(register: Register, **kwargs: object) -> figures.Portfolio:
    source = figures.source_from_register(register, CENTRAL, None)
    return figures.portfolio(source, register.policy, TODAY, **kwargs)  # type: ignore[arg-type]


def _charts_have_tables(html: str) -> None:
    for chart in re.findall(r"<svg\b[^>]*>", html):
        assert 'role="img"' in chart and "aria-labelledby=" in chart
    for part in html.split("<svg")[1:]:
        after = part.split("</svg>", 1)[1]
        assert -1 < after.find("<table") < (after.find("<svg") if "<svg" in after else len(after))


def test_the_portfolio_page_shows_deployment_verdict_material_and_concentration(
    client: TestClient, register: Register
) -> None:
    response = client.get("/portfolio")
    assert response.status_code == 200
    html = response.text
    assert title(html) == "Portfolio — cloudtoets"
    assert h1s(html) == ["Portfolio"]
    nav = html.split('aria-label="Hoofdmenu"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'href="/monitoring" aria-current="page"', nav)
    assert "<style" not in html and not re.search(r"\s(style|on[a-z]+)=", html)
    expected = _expected(register)
    page = text(html)
    assert f"{expected.registrations} registraties in totaal" in page
    deployments = text(html.split('id="inzetmodel-tabel"', 1)[1].split("</table>", 1)[0])
    assert f"Onbekend {expected.by_deployment['unknown']} (" in deployments
    material = text(html.split('id="materieel-tabel"', 1)[1].split("</table>", 1)[0])
    for label, key in (("Ja", "yes"), ("Nee", "no"), ("Onbekend", "unknown")):
        assert f"{label} {expected.material[key]} (" in material
    assert f"De concentratie-index (HHI) is {expected.hhi_material} op een schaal" in page
    parents = text(html.split('id="moederbedrijven-tabel"', 1)[1].split("</table>", 1)[0])
    top = expected.by_ultimate_parent[0]
    assert f"{top.name} " in parents and f" {top.registrations} {top.material} (" in parents
    assert "Uitkomst:" not in page  # no scenario asked
    _charts_have_tables(html)


def test_a_scenario_shows_what_it_touches(client: TestClient, register: Register) -> None:
    html = client.get("/portfolio", params={"leverancier": "aws-emea", "land": "cn"}).text
    expected = _expected(register, without=["aws-emea"], without_country=["CN"])
    assert expected.scenario is not None
    hit, material = len(expected.scenario.registrations), len(expected.scenario.material)
    page = text(html.split('id="scenario"', 1)[1])
    assert "Uitkomst: Amazon Web Services EMEA SARL en het recht van China (CN)" in page
    assert f"{hit} registraties van {len(expected.scenario.organisations)} organisaties" in page
    rows = text(html.split('id="scenario-tabel"', 1)[1].split("</table>", 1)[0])
    assert f"Registraties {hit} (" in rows and f"Materieel gebruik {material} (" in rows
    per_org = html.split('id="scenario-organisaties-tabel"', 1)[1].split("</table>", 1)[0]
    assert sum(int(n) for n in re.findall(r"numeric-column\">(\d+)</td>\s*<td", per_org)) == hit
    assert '<option value="aws-emea" selected>' in html
    assert '<option value="CN" selected>' in html
    _charts_have_tables(html)


def test_wrong_choices_are_said_and_the_page_still_shows(client: TestClient) -> None:
    response = client.get(
        "/portfolio",
        params={"leverancier": "bestaat-niet", "land": "XX", "peildatum": "1999-01-01"},
    )
    assert response.status_code == 200
    html = response.text
    summary = text(html.split('class="ct-error-summary"', 1)[1].split("</div>", 1)[0])
    assert "Er zijn 3 fouten" in summary
    for anchor in ("#peildatum", "#leverancier", "#land"):
        assert f'href="{anchor}"' in html
    assert 'aria-invalid="true"' in html
    assert "Uitkomst:" not in text(html)


def test_an_as_of_date_and_one_organisation(client: TestClient, register: Register) -> None:
    later = dt.date(2031, 1, 1)
    html = client.get(
        "/portfolio", params={"peildatum": later.isoformat(), "organisatie": "uwv"}
    ).text
    page = text(html)
    assert (
        "Het cloudgebruik van Uitvoeringsinstituut Werknemersverzekeringen op 1 januari 2031"
        in page
    )
    source = figures.source_from_register(register, CENTRAL, "uwv")
    expected = figures.portfolio(source, register.policy, later, organisation="uwv")
    verdicts = text(html.split('id="oordeel-tabel"', 1)[1].split("</table>", 1)[0])
    assert f"Overgangstermijn {expected.by_verdict['transition']} (" in verdicts
    assert client.get("/portfolio", params={"organisatie": "bestaat-niet"}).status_code == 404


def test_an_organisation_sees_only_its_own(fin_client: TestClient) -> None:
    html = fin_client.get("/portfolio").text
    assert "Het cloudgebruik van Ministerie van Financiën" in text(html)
    assert 'name="organisatie"' not in html.split('id="scenario"', 1)[0]
    assert fin_client.get("/portfolio", params={"organisatie": "uwv"}).status_code == 404
    assert fin_client.get("/portfolio/beleid", params={"organisatie": "uwv"}).status_code == 404


def test_the_policy_impact_page_lists_changed_verdicts_per_organisation(
    client: TestClient, register: Register
) -> None:
    html = client.get("/portfolio/beleid").text
    assert h1s(html) == ["Gevolgen van een ander beleid"]
    assert "Uitkomst:" not in text(html)
    variant = "rijksbreed-cloudbeleid-2026-eer-ch"
    assert f'<option value="{variant}">' in html
    assert f'<option value="{register.policy.id}"' not in html  # not the policy in force
    html = client.get("/portfolio/beleid", params={"variant": variant}).text
    source = figures.source_from_register(register, CENTRAL, None)
    impact = figures.policy_impact(source, register.policy, load_policy(variant), TODAY)
    page = text(html)
    assert f"krijg{'t' if impact.changed == 1 else 'en'} {impact.changed} van de" in page
    table = html.split('id="veranderingen-tabel"', 1)[1].split("</table>", 1)[0]
    for change in impact.changes:
        assert f'href="/registraties/{change.registration}"' in table
    per_org = text(html.split('id="organisaties-tabel"', 1)[1].split("</table>", 1)[0])
    assert sum(impact.per_organisation.values()) == impact.changed
    assert str(next(iter(impact.per_organisation.values()))) in per_org
    bad = client.get("/portfolio/beleid", params={"variant": "bestaat-niet"}).text
    assert "Kies een beleid uit de lijst." in text(bad)


def test_monitoring_and_the_report_show_concentration_and_the_loss_scenario(
    client: TestClient, register: Register
) -> None:
    expected = _expected(register)
    html = client.get("/monitoring").text
    section = html.split('id="concentratie"', 1)[1].split("</section>", 1)[0]
    assert f"De concentratie-index (HHI) is {expected.hhi_material}" in text(section)
    assert 'id="grafiek-moederbedrijven-titel"' in section
    assert 'id="grafiek-wegvallen-titel"' in section
    losses = text(section.split('id="wegvallen-tabel"', 1)[1].split("</table>", 1)[0])
    first = expected.ranking[0]
    assert f"{first.name} " in losses and f"{first.material} (" in losses
    assert 'href="/portfolio"' in html and 'href="/portfolio/beleid"' in html
    view = build.monitoring_view(register, CENTRAL, TODAY)
    report = report_html(view, register.settings.reminder_days)
    assert 'id="grafiek-moederbedrijven-titel"' in report
    assert f"De concentratie-index (HHI) is <strong>{expected.hhi_material}</strong>" in report
