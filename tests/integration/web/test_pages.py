"""Every page that only reads: content, filters, sorting, pages, the htmx fragment, 404s."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from cloudtoets.server.app import create_app
from cloudtoets.services.context import Register

from .conftest import h1s, open_register, result_ids, text, title

PAGES = [
    "/",
    "/?organisatie=bzk",
    "/registraties",
    "/registraties?oordeel=not-allowed&sort=-deadline",
    "/registraties/bzk-teams-crisisdossier",
    "/registraties/nieuw",
    "/registraties/bzk-teams-crisisdossier/bewerken",
    "/registraties/bzk-teams-crisisdossier/verwijderen",
    "/importeren",
    "/exporteren",
    "/leveranciers",
    "/toegankelijkheid",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_follows_the_house_rules(shared_client: TestClient, path: str) -> None:
    response = shared_client.get(path)
    assert response.status_code == 200
    html = response.text
    assert title(html).endswith(" — cloudtoets")
    assert len(h1s(html)) == 1
    assert 'aria-label="Kruimelpad"' in html
    assert html.count('aria-current="page"') >= 1
    # strict CSP: no inline script or style, no event handler attributes
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html
    assert not re.search(r"\s(style|hx-on[:\w-]*|on[a-z]+)=", html)
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_menu_marks_the_current_section(shared_client: TestClient) -> None:
    html = shared_client.get("/leveranciers").text
    nav = html.split('aria-label="Hoofdmenu"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'href="/leveranciers" aria-current="page"', nav)
    assert nav.count('aria-current="page"') == 1


def test_overview_counts_each_verdict_and_links_to_the_list(shared_client: TestClient) -> None:
    html = shared_client.get("/").text
    page = text(html)
    assert "Cloudgebruik van alle organisaties" in page
    assert "29 november 2026" in page
    # 194 registrations: 162 demo + 32 of the BZK example
    assert re.search(r"194\s*</span>\s*<span class=\"ct-card__label\">registraties in totaal", html)
    # each verdict's card counts what its list finds (onvolledig too); 17 of the demo are not
    # allowed, and the example adds its own (how many depends on what it leaves unknown)
    for verdict in ("not-allowed", "incomplete"):
        card = re.search(
            rf'href="/registraties\?oordeel={verdict}">\s*<span class="ct-card__number">(\d+)<',
            html,
        )
        assert card is not None, verdict
        listed = text(shared_client.get(f"/registraties?oordeel={verdict}").text)
        assert f"{card.group(1)} registraties gevonden" in listed, verdict
        assert int(card.group(1)) >= (17 if verdict == "not-allowed" else 4)
    # the next ten transition deadlines, with their registrations
    deadlines = html.split('id="termijnen-tabel"', 1)[1].split("</table>", 1)[0]
    assert deadlines.count('scope="row"') == 10
    assert "3 juli 2027" in text(deadlines)
    # material use with gaps: three lists with counts
    for heading in (
        "Zonder geaccepteerde risicoafweging",
        "Zonder volledig exitplan",
        "Niet gemeld bij CIO Rijk",
    ):
        assert heading in page
    assert 'class="ct-count"' in html


def test_overview_of_one_organisation(shared_client: TestClient) -> None:
    html = shared_client.get("/?organisatie=bzk").text
    assert "Cloudgebruik van Ministerie van Binnenlandse Zaken" in text(html)
    assert re.search(r'<option value="bzk" selected>', html)
    assert 'href="/registraties?oordeel=transition&amp;organisatie=bzk"' in html
    assert re.search(r"20\s*</span>\s*<span class=\"ct-card__label\">registraties in totaal", html)


def test_list_filters_change_the_rows(shared_client: TestClient) -> None:
    everything = shared_client.get("/registraties").text
    assert "194 registraties." in text(everything)
    assert len(result_ids(everything)) == 50  # the page size
    cases = {
        "oordeel=not-allowed": "niet toegestaan",
        "organisatie=bzk": "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
        "inzet=private-internal": "privé, eigen beheer",
        "jurisdictie=us": None,
        "materieel=nee": None,
        "leverancier=visma-raet": "Visma Raet B.V.",
        "q=teams": None,
    }
    for query, cell in cases.items():
        html = shared_client.get(f"/registraties?{query}").text
        ids = result_ids(html)
        assert 0 < len(ids) < 194, query
        assert f"{len(ids)} registratie" in text(html) or "U ziet" in text(html), query
        if cell is not None:
            table = html.split('id="registraties-tabel"', 1)[1]
            assert table.count(cell) >= len(ids), query
    assert "bzk-teams-crisisdossier" in result_ids(
        shared_client.get("/registraties?organisatie=bzk").text
    )
    us = result_ids(shared_client.get("/registraties?jurisdictie=us").text)
    assert "bzk-teams-crisisdossier" in us  # Microsoft Ireland, owned by Microsoft Corporation
    assert "rws-beeldherkenning" not in us  # Scaleway: French all the way up
    teams = shared_client.get("/registraties?q=teams").text
    rows = teams.split("<tbody", 1)[1].split("</tbody>", 1)[0].split("</tr>")[:-1]
    assert rows and all("teams" in text(row).lower() for row in rows)


def test_list_combines_filters_and_keeps_them_in_the_form(shared_client: TestClient) -> None:
    html = shared_client.get("/registraties?organisatie=bzk&oordeel=not-allowed&q=teams").text
    assert result_ids(html) == ["bzk-teams-crisisdossier"]
    assert "1 registratie gevonden." in text(html)
    assert '<option value="not-allowed" selected>' in html
    assert 'name="q" value="teams"' in html


def test_unknown_filter_values_are_ignored(shared_client: TestClient) -> None:
    html = shared_client.get("/registraties?oordeel=slecht&jurisdictie=XX&pagina=abc").text
    assert "194 registraties." in text(html)


def test_sorting_by_deadline(shared_client: TestClient) -> None:
    base = "/registraties?oordeel=transition&organisatie=bzk"
    ascending = shared_client.get(f"{base}&sort=deadline").text
    descending = shared_client.get(f"{base}&sort=-deadline").text
    assert result_ids(ascending) == list(reversed(result_ids(descending)))
    assert re.search(
        r'aria-sort="ascending">\s*<a class="ct-sort-link" href="[^"]*sort=-deadline', ascending
    )
    assert re.search(
        r'aria-sort="descending">\s*<a class="ct-sort-link" href="[^"]*sort=deadline', descending
    )
    # the sort links keep the filters
    assert (
        "oordeel=transition" in ascending.split('aria-sort="ascending"', 1)[1].split("</a>", 1)[0]
    )


def test_pages_of_the_list(shared_client: TestClient) -> None:
    first = shared_client.get("/registraties").text
    second = shared_client.get("/registraties?pagina=2").text
    assert set(result_ids(first)).isdisjoint(result_ids(second))
    assert "U ziet 51 tot en met 100." in text(second)
    nav = first.split('aria-label="Paginering"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/registraties?pagina=4"' in nav and 'rel="next"' in nav
    beyond = shared_client.get("/registraties?pagina=99").text
    assert "U ziet 151 tot en met 194." in text(beyond)


def test_htmx_request_gets_only_the_results(shared_client: TestClient) -> None:
    response = shared_client.get(
        "/registraties?oordeel=not-allowed", headers={"HX-Request": "true"}
    )
    html = response.text
    assert response.status_code == 200
    assert "<html" not in html and '<nav class="ct-nav"' not in html
    assert 'id="registraties-tabel"' in html
    found = re.search(
        r"(\d+) registraties gevonden",
        text(shared_client.get("/registraties?oordeel=not-allowed").text),
    )
    assert found is not None
    assert (
        f'id="filter-status" hx-swap-oob="innerHTML">{found.group(1)} registraties gevonden.'
        in html
    )
    assert response.headers["vary"] == "HX-Request"
    empty_fields = shared_client.get(
        "/registraties?q=&organisatie=&oordeel=not-allowed&inzet=", headers={"HX-Request": "true"}
    )
    assert empty_fields.headers["hx-push-url"] == "/registraties?oordeel=not-allowed"
    full = shared_client.get("/registraties?oordeel=not-allowed")
    assert full.headers["vary"] == "HX-Request"
    assert 'hx-get="/registraties" hx-target="#resultaten" hx-push-url="true"' in full.text
    # a history restore needs the whole page
    restore = shared_client.get(
        "/registraties", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text


def test_detail_shows_findings_chain_facts_and_history(shared_client: TestClient) -> None:
    html = shared_client.get("/registraties/bzk-teams-crisisdossier").text
    page = text(html)
    assert len(h1s(html)) == 1
    assert "Oordeel: niet toegestaan" in page
    findings = html.split('class="ct-findings"', 1)[1].split("</ol>", 1)[0]
    assert findings.count('class="ct-finding ') == 2
    assert "sectie 5.2" in text(findings) and "cb2026.5.2.classified" in findings
    assert "Ernst: verboden" in text(findings) and "Ernst: verplicht" in text(findings)
    assert "3 juli 2030" in text(findings)  # the ABRO finding's transition deadline
    assert "Geen overgangstermijn" in text(findings)
    # the provider's ownership chain with countries
    chain = html.split('id="keten"', 1)[1].split('id="gegevens"', 1)[0]
    assert "Microsoft Ireland Operations Limited, Ierland (IE)" in text(chain)
    assert "eigendom van Microsoft Corporation, Verenigde Staten (US) buiten de EER" in text(chain)
    # the facts per theme, readable
    for theme in ("Basis", "Leverancier en locatie", "Gegevens en beveiliging", "Exitplan"):
        assert f">{theme}</h3>" in html
    assert "Publieke cloud" in page and "Stg. Confidentieel" in page
    # decisions and changes
    assert "rijksbreed-cloudbeleid-2026" in html.split('id="oordelen-tabel"', 1)[1]
    assert "Geïmporteerd op 29 november 2026 om" in page and "Door test." in page
    assert 'href="/registraties/bzk-teams-crisisdossier/bewerken"' in html
    assert 'href="/registraties/bzk-teams-crisisdossier/verwijderen"' in html


def test_detail_of_private_internal_use_without_provider(shared_client: TestClient) -> None:
    html = shared_client.get("/registraties/belastingdienst-aangifte-ib").text
    assert "private cloud in eigen beheer" in text(html)


def test_unknown_registration_and_address_get_the_dutch_404_page(shared_client: TestClient) -> None:
    for path in ("/registraties/bestaat-niet", "/registraties/bestaat-niet/bewerken", "/nergens"):
        response = shared_client.get(path)
        assert response.status_code == 404, path
        assert title(response.text) == "Deze pagina bestaat niet — cloudtoets"
        assert 'href="/registraties"' in response.text
    # the static files and the API answer for themselves
    assert shared_client.get("/static/css/app.css").status_code == 200
    assert shared_client.get("/static/bestaat-niet.css").status_code == 404
    assert "<html" not in shared_client.get("/static/bestaat-niet.css").text


def test_an_address_with_a_trailing_slash_is_the_same_page(shared_client: TestClient) -> None:
    response = shared_client.get("/registraties/?oordeel=allowed")
    assert response.status_code == 308
    assert response.headers["location"] == "/registraties?oordeel=allowed"


def test_another_organisation_gets_404_on_bzks_registration(
    shared_register: Register, shared_database_url: str
) -> None:
    other = open_register(shared_database_url, local_organisation="uwv")
    try:
        client = TestClient(create_app(register=other), follow_redirects=False)
        for path in (
            "/registraties/bzk-teams-crisisdossier",
            "/registraties/bzk-teams-crisisdossier/bewerken",
            "/registraties/bzk-teams-crisisdossier/verwijderen",
        ):
            assert client.get(path).status_code == 404, path
        assert (
            client.post(
                "/registraties/bzk-teams-crisisdossier/verwijderen", data={"versie": "1"}
            ).status_code
            == 404
        )
        # their own pages show only their own registrations, and no organisation chooser
        own = client.get("/registraties").text
        assert all(i.startswith("uwv-") for i in result_ids(own))
        assert 'name="organisatie"' not in own
        overview = client.get("/").text
        assert "Cloudgebruik van Uitvoeringsinstituut Werknemersverzekeringen" in text(overview)
        assert client.get("/registraties/uwv-werkmap").status_code == 200
    finally:
        other.close()


def test_providers_page_shows_catalogue_chains_and_own_providers(shared_client: TestClient) -> None:
    html = shared_client.get("/leveranciers").text
    catalogue = html.split('id="catalogus-tabel"', 1)[1].split("</table>", 1)[0]
    assert catalogue.count('scope="row"') == 79
    github = catalogue.split('id="leverancier-github"', 1)[1].split("</tr>", 1)[0]
    assert "eigendom van Microsoft Corporation, Verenigde Staten (US) buiten de EER" in text(github)
    assert "Niet zeker:" in text(github)
    assert 'href="https://' in github
    own = html.split('id="eigen-tabel"', 1)[1].split("</table>", 1)[0]
    assert "Visma Raet B.V." in own and "Centric Netherlands B.V." in own
    assert "Gemeente Utrecht" in text(own)
    # registered in one country, run from another: both shown
    alibaba = catalogue.split('id="leverancier-alibaba-cloud-nl"', 1)[1].split("</tr>", 1)[0]
    assert (
        "eigendom van Alibaba Group Holding Limited, Kaaimaneilanden (KY) buiten de EER, "
        "geleid vanuit China (CN) buiten de EER"
    ) in text(alibaba)


RUN_FROM_CHINA = b"""
registrations:
  - {id: bzk-alibaba, organisation: bzk, deployment: public, provider: alibaba-cloud-nl,
     storage_countries: [NL], processing_countries: [NL], encrypted_at_rest: true,
     encrypted_in_transit: true, key_custody: customer-held}
"""


def test_detail_cites_the_2022_policy_for_a_provider_run_from_china(
    register: Register, client: TestClient
) -> None:
    from cloudtoets.services.imports import commit_import

    from .conftest import CENTRAL

    commit_import(register, CENTRAL, "alibaba.yaml", RUN_FROM_CHINA)
    html = client.get("/registraties/bzk-alibaba").text
    assert "Oordeel: niet toegestaan" in text(html)
    findings = text(html.split('class="ct-findings"', 1)[1].split("</ol>", 1)[0])
    assert "Beleid: Cloudbeleid 2022, C2000-criteria (cb2026.c2000.offensive-cyber)" in findings
    assert "sectie C2000" not in findings
    chain = text(html.split('id="keten"', 1)[1].split('id="gegevens"', 1)[0])
    assert "Kaaimaneilanden (KY) buiten de EER, geleid vanuit China (CN) buiten de EER" in chain


def test_accessibility_statement(shared_client: TestClient) -> None:
    html = shared_client.get("/toegankelijkheid").text
    assert "Toegankelijkheidsverklaring" in text(html)
    assert '<a href="/toegankelijkheid">Toegankelijkheid</a>' in html


def test_unexpected_error_gets_the_dutch_500_page(
    shared_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cloudtoets.services import overview

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("stuk")

    monkeypatch.setattr(overview, "overview", broken)
    response = shared_client.get("/", headers={"X-Request-ID": "abc123"})
    assert response.status_code == 500
    assert "Er ging iets mis" in text(response.text)
    assert "abc123" in response.text
    assert "stuk" not in response.text


def test_cross_site_form_posts_are_refused(shared_client: TestClient) -> None:
    for headers in (
        {"Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://elders.example"},
        {"Origin": "null"},
    ):
        response = shared_client.post(
            "/registraties/bzk-teams-crisisdossier/verwijderen",
            data={"versie": "1"},
            headers=headers,
        )
        assert response.status_code == 403, headers
        assert "Dit verzoek is geweigerd" in response.text
    assert shared_client.get("/registraties/bzk-teams-crisisdossier").status_code == 200


def test_a_fresh_register_without_registrations(database_url: str) -> None:
    register = open_register(database_url)
    try:
        from cloudtoets.store.migrate import upgrade

        upgrade(register.engine)
        client = TestClient(create_app(register=register))
        assert "Er lopen geen overgangstermijnen." in text(client.get("/").text)
        assert "Er zijn geen registraties gevonden." in text(client.get("/registraties").text)
    finally:
        register.close()
