"""axe-core (WCAG 2.2 AA tags) on the risk assessment and exit plan pages in every state, and
reflow at 320px. The steps that fill a form are idempotent: the pages may be visited in any
order on the shared demo register."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.browser

Prepare = Callable[[Page], None] | None

RISK = "/registraties/fin-chatbot-belastingvragen/risicoanalyse"
EXIT = "/registraties/fin-sap-financien/exitplan"


def risk_form_with_errors(page: Page) -> None:
    page.fill("#assessed_on", "31-2-2026")
    page.select_option("#risico-0-impact", "4")
    page.click("button:has-text('Opslaan als concept')")
    page.wait_for_selector("#foutoverzicht")


def save_a_draft(page: Page) -> None:
    """On the form: describe lock-in and save; the version page with the acceptance form."""
    page.fill("#risico-1-description", "Overstappen kost een jaar: eigen formaten.")
    page.fill("#dtia_reference", "DTIA-2026-3")
    page.click("button:has-text('Opslaan als concept')")
    page.wait_for_selector("h1:has-text('Integrale risicoafweging, versie')")


def acceptance_with_errors(page: Page) -> None:
    save_a_draft(page)
    page.fill("#accepted_on", "1-1-2030")
    page.click("button:has-text('Accorderen')")
    page.wait_for_selector("#foutoverzicht")


def exit_form_with_errors(page: Page) -> None:
    page.fill("#planned-lead_time_days", "een half jaar")
    page.fill("#data_volume_gb", "veel")
    page.click("button:has-text('Exitplan opslaan')")
    page.wait_for_selector("#foutoverzicht")


def save_a_plan(page: Page) -> None:
    """On the form: a plan whose emergency lead time is shorter than the estimate."""
    page.fill("#planned-lead_time_days", "180")
    page.fill("#planned-preconditions", "Export in een open formaat")
    page.fill("#emergency-lead_time_days", "2")
    page.fill("#emergency-preconditions", "Noodprocedure")
    page.fill("#data_return_format", "CSV")
    page.fill("#data_volume_gb", "5000")
    page.fill("#bandwidth_mbps", "100")
    page.fill("#integrations", "3")
    page.click("button:has-text('Exitplan opslaan')")
    page.wait_for_selector("text=is korter dan de schatting")


def record_a_test_with_errors(page: Page) -> None:
    """On a saved plan: record a test without a date or a result."""
    save_a_plan(page)
    page.fill("#tested_on", "")
    page.click("button:has-text('Test vastleggen')")
    page.wait_for_selector("#foutoverzicht")


PAGES: list[tuple[str, str, Prepare]] = [
    ("risicoanalyse", RISK, None),
    ("risicoanalyse-formulier", f"{RISK}/bewerken", None),
    ("risicoanalyse-fouten", f"{RISK}/bewerken", risk_form_with_errors),
    ("risicoanalyse-versie", f"{RISK}/bewerken", save_a_draft),
    ("accorderen-fouten", f"{RISK}/bewerken", acceptance_with_errors),
    ("exitplan-formulier", f"{EXIT}/bewerken", None),
    ("exitplan-fouten", f"{EXIT}/bewerken", exit_form_with_errors),
    ("exitplan", f"{EXIT}/bewerken", save_a_plan),
    ("exitplan-test-fouten", f"{EXIT}/bewerken", record_a_test_with_errors),
    ("registratie-met-stand", "/registraties/fin-chatbot-belastingvragen", None),
]


@pytest.mark.parametrize(("name", "path", "prepare"), PAGES, ids=[p[0] for p in PAGES])
def test_axe_finds_nothing(
    live_server: str, browser: Browser, name: str, path: str, prepare: Prepare
) -> None:
    assert axe_violations(browser, live_server + path, prepare=prepare) == []


NARROW = [
    ("risicoanalyse", RISK, None),
    ("risicoanalyse-fouten", f"{RISK}/bewerken", risk_form_with_errors),
    ("risicoanalyse-versie", f"{RISK}/bewerken", save_a_draft),
    ("exitplan", f"{EXIT}/bewerken", save_a_plan),
]


@pytest.mark.parametrize(("name", "path", "prepare"), NARROW, ids=[p[0] for p in NARROW])
def test_320px_wide_without_sideways_scrolling(
    live_server: str, browser: Browser, page: Page, name: str, path: str, prepare: Prepare
) -> None:
    assert axe_violations(browser, live_server + path, prepare=prepare, width=320) == []
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server + path, wait_until="networkidle")
    if prepare is not None:
        prepare(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_the_forms_work_without_javascript(live_server: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    page.goto(live_server + f"{EXIT}/bewerken")
    save_a_plan(page)
    assert "Het exitplan is opgeslagen." in page.locator("#meldingen").inner_text()
    context.close()
