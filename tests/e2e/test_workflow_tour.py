"""The README tour "Van niet toegestaan naar toegestaan" in a real browser, through the pages
alone: a new registration of Financiën gets a risk assessment, an approver accepts it, it gets a
tested exit plan and a notification, and CIO Rijk receives that. Each page on the way is checked
with axe-core and for duplicate ids (axe no longer checks those, and a duplicate breaks a link to
an anchor or a label)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e import tour_steps as tour
from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.browser

# the day a notification is submitted comes from the clock, not from the register's date
DAY = r"\d{1,2} \w+ \d{4}"
DUPLICATE_IDS = """() => {
  const seen = {};
  for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
  return Object.keys(seen).filter(id => seen[id] > 1);
}"""


def check(browser: Browser, page: Page) -> None:
    """axe-core on the page as this user sees it, and no id twice."""
    assert page.evaluate(DUPLICATE_IDS) == [], page.url
    violations = axe_violations(browser, page.url, storage_state=page.context.storage_state())
    assert violations == [], page.url


def test_from_not_allowed_to_allowed(accounts_server: str, browser: Browser, page: Page) -> None:
    base = accounts_server
    assert axe_violations(browser, base + "/inloggen") == []

    # --- the editor finds the registration: not allowed, five findings
    tour.log_in(page, base, "bewerker")
    tour.open_registration(page)
    check(browser, page)
    assert tour.verdict(page) == "niet toegestaan"
    assert tour.findings(page) == tour.MISSING
    assert tour.detail(page, "Integrale risicoafweging").startswith(
        "Nog geen integrale risicoafweging."
    )
    assert tour.detail(page, "Exitplan").startswith("Nog geen exitplan.")
    assert tour.detail(page, "Melding").startswith("Nog niet gemeld.")

    # --- the risk assessment: every theme, DPIA and DTIA; saved as a draft
    tour.open_risk_form(page)
    check(browser, page)
    expect(page.get_by_text("Bij deze dienst is dat zo.")).to_be_visible()  # DTIA needed
    suggestion = tour.jurisdiction_suggestion(page)
    assert "Verenigde Staten" in suggestion and "CLOUD Act" in suggestion
    tour.fill_risk_assessment(page)
    tour.save_risk_assessment(page)
    assert "De integrale risicoafweging is opgeslagen als concept." in tour.flash(page)
    check(browser, page)
    risks = page.locator("#risicos-tabel tbody th").all_inner_texts()
    assert len(risks) == 7 and "Buitenlandse jurisdictie" in risks
    expect(page.get_by_role("button", name="Accorderen")).to_have_count(0)  # not an approver

    tour.back_to_registration(page)
    assert tour.verdict(page) == "niet toegestaan"
    found = tour.findings(page)
    assert "cb2026.3.1.risk-assessment" not in found
    assert "cb2026.3.1.risk-acceptance" in found  # written, not yet accepted
    assert tour.detail(page, "Integrale risicoafweging").startswith("Concept (versie 1), nog niet")

    # --- the approver accepts it on behalf of the responsible official
    tour.log_out(page)
    tour.log_in(page, base, "accordeerder")
    tour.open_registration(page)
    tour.open_draft_to_accept(page)
    check(browser, page)
    tour.accept_risk_assessment(page)
    assert "De integrale risicoafweging is geaccordeerd." in tour.flash(page)
    expect(page.locator(".ct-lead")).to_contain_text("geaccordeerd")
    assert tour.detail(page, "Geaccordeerd door") == "J. de Vries (secretaris-generaal Financiën)"
    check(browser, page)

    tour.back_to_registration(page)
    assert not [rule for rule in tour.findings(page) if rule.startswith("cb2026.3.1.")]
    assert tour.detail(page, "Integrale risicoafweging").startswith(
        "Geaccordeerd op 29 november 2026, geldig tot 29 november 2027."
    )

    # --- the editor writes the exit plan and records a passed test
    tour.log_out(page)
    tour.log_in(page, base, "bewerker")
    tour.open_registration(page)
    tour.open_exit_form(page)
    check(browser, page)
    tour.fill_exit_plan(page)
    tour.save_exit_plan(page)
    # the feasibility estimate beside each lead time: 50 GB over 100 Mbit/s and 2 integrations
    lead_times = page.locator(".utrecht-data-list__item:has(> dt:text-is('Doorlooptijd')) > dd")
    expect(lead_times).to_have_text(
        ["120 dagen (schatting: minstens 11 dagen)", "14 dagen (schatting: minstens 11 dagen)"]
    )
    assert tour.detail(page, "Schatting van de doorlooptijd").startswith("Minstens 11 dagen")
    expect(page.get_by_text("is korter dan de schatting")).to_have_count(0)
    check(browser, page)
    tour.record_passed_test(page)
    assert tour.detail(page, "Laatst getest") == "29 november 2026"
    assert tour.detail(page, "Uitkomst") == "geslaagd"
    check(browser, page)

    tour.back_to_registration(page)
    assert tour.verdict(page) == "niet toegestaan"
    assert tour.findings(page) == ["cb2026.3.3.notification"]
    assert tour.detail(page, "Exitplan").startswith("Getest op 29 november 2026 (geslaagd).")

    # --- the editor makes the notification and submits it to CIO Rijk
    tour.create_notification(page)
    assert tour.notification_state(page) == "concept"
    check(browser, page)
    tour.submit_notification(page)
    assert tour.notification_state(page) == "ingediend"
    assert tour.detail(page, "Risicoafweging") == (
        "Versie 1 van 29 november 2026, geaccordeerd op 29 november 2026 door J. de Vries."
    )
    assert tour.detail(page, "Exitplan") == "Aanwezig, getest op 29 november 2026."
    expect(page.get_by_text("CIO Rijk is aan zet.")).to_be_visible()
    check(browser, page)

    page.get_by_role("link", name="Naar de registratie").click()
    page.wait_for_url("**" + tour.REGISTRATION_PATH)
    assert tour.verdict(page) == "toegestaan"
    assert tour.findings(page) == []
    expect(
        page.get_by_text("Geen bevindingen: dit gebruik voldoet aan het beleid.")
    ).to_be_visible()
    assert re.match(f"Ingediend, ingediend op {DAY}\\.", tour.detail(page, "Melding"))

    # --- CIO Rijk sees it in the inbox and on the monitoring page, and receives it
    tour.log_out(page)
    tour.log_in(page, base, "cio-rijk")
    tour.menu(page, "Meldingen")
    waiting = page.locator("#meldingen-submitted")
    expect(waiting.get_by_role("row").filter(has_text=tour.REGISTRATION)).to_contain_text(
        "Ministerie van Financiën"
    )
    check(browser, page)

    tour.menu(page, "Monitoring")
    page.get_by_role("link", name="Meldingen bij CIO Rijk").click()
    heading = page.get_by_role("heading", name="Meldingen bij CIO Rijk")
    expect(heading).to_be_in_viewport()
    submitted = page.get_by_role("table", name="Meldingen per status en leeftijd").get_by_role(
        "row", name=re.compile("^Ingediend")
    )
    expect(submitted.get_by_role("cell").first).to_have_text("1")
    check(browser, page)

    tour.menu(page, "Meldingen")
    tour.receive_notification(page)
    assert tour.notification_state(page) == "in behandeling bij CIO Rijk"
    check(browser, page)
    tour.menu(page, "Meldingen")
    expect(page.locator("#meldingen-received")).to_contain_text(tour.REGISTRATION)
    expect(page.locator("#meldingen-submitted")).to_have_count(0)

    # --- and the registration is allowed
    tour.open_registration(page)
    assert tour.verdict(page) == "toegestaan"
    assert tour.findings(page) == []
    received = tour.detail(page, "Melding")
    assert re.match(f"In behandeling bij CIO Rijk, ingediend op {DAY}\\.", received)
