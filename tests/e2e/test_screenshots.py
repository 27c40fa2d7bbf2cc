"""Screenshots of the main pages (1280x900, the first screen) for the README tours, and of the
pages on the way from "niet toegestaan" to "toegestaan" (tests/e2e/tour_steps.py).

They are written to docs/screenshots/ only when CLOUDTOETS_SCREENSHOTS=1 (so a test run does not
change tracked files); otherwise to a temporary folder, and the checks still run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e import tour_steps as tour
from tests.e2e.conftest import ROOT
from tests.e2e.helpers import GOOD_INVENTORY, submit_form_with_errors, upload

pytestmark = pytest.mark.browser

SCREENSHOTS = ROOT / "docs" / "screenshots"
SHOTS: list[tuple[str, str, Callable[[Page], None] | None]] = [
    ("overzicht", "/", None),
    ("registraties", "/registraties", None),
    ("registratie", "/registraties/kadaster-vastgoedanalyse", None),
    ("formulier-fouten", "/registraties/nieuw", submit_form_with_errors),
    ("import-voorbeeld", "/importeren", lambda page: upload(page, GOOD_INVENTORY)),
    ("leveranciers", "/leveranciers", None),
]


def _folder(tmp_path: Path) -> Path:
    folder = SCREENSHOTS if os.environ.get("CLOUDTOETS_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _shoot(page: Page, folder: Path, name: str) -> None:
    page.evaluate("document.fonts.ready")
    target: Path = folder / f"{name}.png"
    page.screenshot(path=str(target), full_page=False)
    assert target.stat().st_size > 10_000, name


def test_screenshots_of_the_main_pages(live_server: str, browser: Browser, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    for name, path, prepare in SHOTS:
        page.goto(live_server + path, wait_until="networkidle")
        if prepare is not None:
            prepare(page)
        page.evaluate("document.fonts.ready")
        if name == "registraties":  # seven columns, and still no scrolling inside the table
            sizes = page.evaluate(
                "(() => { const w = document.querySelector('.ct-table-wrap');"
                " return [w.scrollWidth, w.clientWidth]; })()"
            )
            assert sizes[0] <= sizes[1], sizes
        _shoot(page, folder, name)
    context.close()


def _scroll_to(page: Page, selector: str, block: str = "start") -> None:
    """Put an element at the top (or the bottom) of the screen, with a little room."""
    page.locator(selector).evaluate(
        "(el, block) => { el.scrollIntoView({block, behavior: 'instant'});"
        " window.scrollBy({top: block === 'start' ? -24 : 24, behavior: 'instant'}); }",
        block,
    )


def test_screenshots_of_the_tour(accounts_server: str, browser: Browser, tmp_path: Path) -> None:
    """From "niet toegestaan" to "toegestaan": the pages the README shows on the way."""
    folder = _folder(tmp_path)
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    tour.log_in(page, accounts_server, "bewerker")
    tour.open_registration(page)
    tour.open_risk_form(page)
    tour.fill_risk_assessment(page)
    tour.save_risk_assessment(page)

    tour.log_out(page)
    tour.log_in(page, accounts_server, "accordeerder")
    tour.open_registration(page)
    tour.open_draft_to_accept(page)
    tour.accept_risk_assessment(page)
    _scroll_to(page, "#risicos-titel")
    _shoot(page, folder, "risicoanalyse")

    tour.log_out(page)
    tour.log_in(page, accounts_server, "bewerker")
    tour.open_registration(page)
    tour.open_exit_form(page)
    tour.fill_exit_plan(page)
    tour.save_exit_plan(page)
    tour.record_passed_test(page)
    _scroll_to(page, "#emergency-titel")
    _shoot(page, folder, "exitplan")

    tour.back_to_registration(page)
    tour.create_notification(page)
    tour.submit_notification(page)
    _scroll_to(page, "#toestand")
    _shoot(page, folder, "melding")

    tour.log_out(page)
    tour.log_in(page, accounts_server, "cio-rijk")
    tour.menu(page, "Meldingen")
    _scroll_to(page, "#meldingen-submitted", block="end")
    _shoot(page, folder, "meldingen")
    tour.menu(page, "Monitoring")
    _scroll_to(page, "#materieel")
    _shoot(page, folder, "monitoring")
    context.close()
