"""The administrator makes an account and the auditor reads the audit log, in Chromium through
the menu and the forms; axe (WCAG 2.2 AA) finds nothing on any page of the way, also at 320
pixels, and on the account page with the second factor being set up."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e import tour_steps as tour
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.browser

NEW_PASSWORD = "een-wachtwoord-voor-de-test"


def _logged_in(browser: Browser, base: str, username: str) -> tuple[Page, Any]:
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    tour.log_in(page, base, username)
    return page, context


def _no_violations(browser: Browser, url: str, state: Any, prepare: Any = None) -> None:
    for width in (1280, 320):
        found = axe_violations(browser, url, storage_state=state, width=width, prepare=prepare)
        assert found == [], (url, width, found)


def test_the_administrator_makes_an_account(accounts_server: str, browser: Browser) -> None:
    page, context = _logged_in(browser, accounts_server, "beheerder")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Accounts").click()
    page.wait_for_url("**/beheer/accounts")
    assert page.get_by_role("row").filter(has_text="accordeerder").count() >= 1
    page.get_by_role("link", name="Nieuw account").click()
    page.get_by_label("Gebruikersnaam").fill("nieuwe-bewerker")
    page.get_by_label("Naam", exact=True).fill("Nieuwe bewerker")
    page.get_by_label("Organisatie").fill("fin")
    page.get_by_label("bewerker", exact=True).check()
    page.get_by_label("Wachtwoord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Maak het account").click()
    page.wait_for_url("**/beheer/accounts/nieuwe-bewerker")
    assert "Het account is gemaakt." in page.locator("#meldingen").inner_text()
    assert "bewerker" in page.locator("main").inner_text()
    state = context.storage_state()
    context.close()

    def with_errors(form: Page) -> None:
        form.get_by_label("Gebruikersnaam").fill("zonder-rol")
        form.get_by_label("Wachtwoord").fill(NEW_PASSWORD)
        form.get_by_role("button", name="Maak het account").click()
        form.wait_for_load_state("networkidle")

    for address in ("/beheer/accounts", "/beheer/accounts/nieuwe-bewerker", "/account"):
        _no_violations(browser, accounts_server + address, state)
    _no_violations(browser, accounts_server + "/beheer/accounts/nieuw", state, with_errors)


def test_the_auditor_reads_and_checks_the_audit_log(accounts_server: str, browser: Browser) -> None:
    page, context = _logged_in(browser, accounts_server, "auditor")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Auditlogboek"
    ).click()
    page.wait_for_url("**/auditlog")
    page.get_by_label("Organisatie").fill("fin")
    page.get_by_role("button", name="Filter toepassen").click()
    page.wait_for_url("**/auditlog?**organisatie=fin**")
    assert "met deze filters" in page.locator("#aantal").inner_text()
    page.get_by_role("link", name="Controleer of de hashketen intact is").click()
    page.wait_for_url("**/auditlog/controle")
    assert "De hashketen is intact" in page.locator("main").inner_text()
    state = context.storage_state()
    context.close()

    def open_values(log: Page) -> None:
        log.get_by_text("Toon waarden").first.click()

    _no_violations(browser, accounts_server + "/auditlog?organisatie=fin", state, open_values)
    _no_violations(browser, accounts_server + "/auditlog/controle", state)
    _no_violations(browser, accounts_server + "/auditlog?van=31-02-2026", state)


def test_the_second_factor_setup_page(accounts_server: str, browser: Browser) -> None:
    _, context = _logged_in(browser, accounts_server, "lezer")
    state = context.storage_state()
    context.close()

    def start(account: Page) -> None:
        account.get_by_role("button", name="Stel de tweede stap in").click()
        account.wait_for_load_state("networkidle")
        assert "otpauth://totp/" in account.locator("main").inner_text()

    _no_violations(browser, accounts_server + "/account", state, start)
