"""Every demo role in Chromium, at 1280 and 320 pixels: its menu, its work queue on the overview,
what it may open, and the Dutch refusal where it may not; axe (WCAG 2.2 AA) on its overview and
on its refusal page. One register and one login per role for the whole module. With
CLOUDTOETS_SCREENSHOTS=1 it writes the README's overview of each role to docs/screenshots/.

The register has a draft risk assessment waiting for the approver and a question of CIO Rijk on
a notification of Financiën, made beside the running app with the services.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.domain.risk_assessment import RiskAssessmentIn
from cloudtoets.services import notifications, risk_assessments
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from tests.e2e import tour_steps as tour
from tests.e2e.conftest import ROOT, TODAY, axe_violations, demo_server
from tests.integration.security.risk_exit_walk import ASSESSMENT

pytestmark = pytest.mark.browser

DRAFTED = "fin-chatbot-belastingvragen"
EDITOR = Actor("bewerker", frozenset({"fin"}), frozenset({"editor"}))
CIO_RIJK = Actor("cio-rijk", None, frozenset({"cio-rijk"}))
QUESTION = "Welke gegevens gaan naar de VS?\nEn wie beheert de sleutels?"
WIDTHS = (1280, 320)
# the README's overview per role, written only when asked (a test run changes no tracked file)
SCREENSHOTS = ROOT / "docs" / "screenshots" if os.environ.get("CLOUDTOETS_SCREENSHOTS") else None


@dataclass(frozen=True, slots=True)
class Journey:
    menu: list[str]
    sees: list[str]  # texts on the overview
    opens: str  # an address this role may open
    refused: str  # an address it may not: the 403 page names the role that may (POST: a form
    # sent anyway, without the CSRF token: still the refusal, not the CSRF message)
    may: str  # the start of that page's sentence
    method: str = "GET"


JOURNEYS = {
    "lezer": Journey(
        ["Overzicht", "Registraties", "Exporteren", "Leveranciers", "Meldingen"],
        ["1 concept of voorstel wacht nog op een accordeerder"],
        "/registraties",
        "/registraties/nieuw",
        "Alleen een bewerker mag registraties",
    ),
    "bewerker": Journey(
        ["Overzicht", "Registraties", "Importeren", "Exporteren", "Leveranciers", "Meldingen"],
        ["Vragen van CIO Rijk", "Welke gegevens gaan naar de VS?"],
        "/registraties/nieuw",
        f"/registraties/{DRAFTED}/risicoanalyse/1/accorderen",
        "Alleen een accordeerder mag concepten accorderen of terugsturen",
        "POST",
    ),
    "accordeerder": Journey(
        ["Overzicht", "Registraties", "Exporteren", "Leveranciers", "Meldingen"],
        ["Wacht op uw accordering", "terugsturen"],
        f"/registraties/{DRAFTED}",
        "/importeren",
        "Alleen een bewerker mag registraties",
    ),
    "cio-rijk": Journey(
        ["Overzicht", "Registraties", "Exporteren", "Leveranciers", "Monitoring", "Meldingen"],
        ["Er wacht nu niets op u"],
        "/monitoring",
        "/registraties/nieuw",
        "Alleen een bewerker mag registraties",
    ),
    "auditor": Journey(
        ["Overzicht", "Registraties", "Exporteren", "Leveranciers", "Monitoring", "Meldingen"],
        ["Oordelen"],
        "/monitoring",
        "/importeren",
        "Alleen een bewerker mag registraties",
    ),
    "beheerder": Journey(
        ["Overzicht"],
        ["U bent ingelogd als beheerder", "Een nieuw account maken"],
        "/account",
        "/registraties/nieuw",
        "Alleen een bewerker mag registraties",
    ),
}


ALL_ITEMS = {item for journey in JOURNEYS.values() for item in journey.menu}


@pytest.fixture(scope="module")
def role_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("e2e-roles") / "cloudtoets.sqlite"
    settings = Settings(database_url=f"sqlite:///{database}", demo=True, auth_mode="accounts")
    with demo_server(settings) as url:
        register = Register.open(settings, clock=FixedClock.on(TODAY))
        try:
            risk_assessments.create_assessment(
                register, EDITOR, DRAFTED, RiskAssessmentIn.model_validate(ASSESSMENT)
            )
            made = notifications.create_notification(register, EDITOR, DRAFTED)
            made = notifications.submit_notification(register, EDITOR, made.id, made.version)
            made = notifications.receive_notification(register, CIO_RIJK, made.id, made.version)
            notifications.ask_question(register, CIO_RIJK, made.id, QUESTION, made.version)
        finally:
            register.close()
        yield url


@pytest.fixture(scope="module")
def logins(role_server: str, browser: Browser) -> dict[str, Any]:
    """The browser state of each role after logging in through the form."""
    states = {}
    for username in JOURNEYS:
        context = browser.new_context(locale="nl-NL")
        page = context.new_page()
        tour.log_in(page, role_server, username)
        states[username] = context.storage_state()
        context.close()
    return states


def _menu(page: Page) -> list[str]:
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    return [link.inner_text().strip() for link in nav.get_by_role("link").all()]


@pytest.mark.parametrize("username", list(JOURNEYS))
def test_each_role_walks_its_own_journey(
    role_server: str, browser: Browser, logins: dict[str, Any], username: str
) -> None:
    journey = JOURNEYS[username]
    for width in WIDTHS:
        context = browser.new_context(
            locale="nl-NL", viewport={"width": width, "height": 900}, storage_state=logins[username]
        )
        page = context.new_page()
        page.goto(role_server + "/", wait_until="networkidle")
        # items of other roles must not show; pages of this role outside ALL_ITEMS may follow
        assert [item for item in _menu(page) if item in ALL_ITEMS] == journey.menu, width
        main = page.locator("main").inner_text()
        for seen in journey.sees:
            assert seen in main, (width, seen)
        if username == "bewerker":  # the question keeps its line break
            assert "VS?\nEn wie beheert" in page.locator("#vragen-tabel").inner_text()
        if SCREENSHOTS is not None and width == WIDTHS[0]:
            page.evaluate("document.fonts.ready")
            page.screenshot(path=str(SCREENSHOTS / f"overzicht-{username}.png"))
        # no horizontal scrolling of the page, also at 320 pixels
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        opened = page.goto(role_server + journey.opens, wait_until="networkidle")
        assert opened is not None and opened.status == 200, (width, journey.opens)
        if journey.method == "POST":
            answer = page.request.post(role_server + journey.refused, form={"versie": "1"})
            status, text = answer.status, answer.text()
        else:
            refused = page.goto(role_server + journey.refused, wait_until="networkidle")
            assert refused is not None
            status, text = refused.status, page.locator("main").inner_text()
        assert status == 403, (width, journey.refused)
        assert journey.may in text and "U bent ingelogd als" in text, text
        assert "kwam niet van cloudtoets" not in text
        context.close()
        pages = ["/", journey.opens if journey.method == "POST" else journey.refused]
        for address in pages:
            found = axe_violations(
                browser, role_server + address, width=width, storage_state=logins[username]
            )
            assert found == [], (username, width, address, found)


def test_the_login_page_has_no_menu(role_server: str, page: Page) -> None:
    page.goto(role_server + "/inloggen", wait_until="networkidle")
    assert page.get_by_role("navigation", name="Hoofdmenu").count() == 0
    assert page.get_by_role("button", name="Inloggen").is_visible()
