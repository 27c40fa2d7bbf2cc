"""axe-core (WCAG 2.2 AA tags) on every page and state, reflow at 320px, keyboard-only use."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import (
    BAD_INVENTORY,
    FOCUS_VISIBLE,
    make_conflict,
    submit_form_with_errors,
    upload,
)

pytestmark = pytest.mark.browser

Prepare = Callable[[Page], None] | None

PAGES: list[tuple[str, str, Prepare]] = [
    ("overzicht", "/", None),
    ("overzicht-organisatie", "/?organisatie=uwv", None),
    ("registraties", "/registraties", None),
    (
        "registraties-gefilterd",
        "/registraties?oordeel=transition&organisatie=fin&sort=-deadline",
        None,
    ),
    ("registratie", "/registraties/fin-m365-mail", None),
    ("nieuw", "/registraties/nieuw", None),
    ("bewerken", "/registraties/fin-m365-mail/bewerken", None),
    ("formulier-fouten", "/registraties/nieuw", submit_form_with_errors),
    ("conflict", "/registraties/vws-m365-mail/bewerken", make_conflict),
    ("verwijderen", "/registraties/fin-m365-mail/verwijderen", None),
    ("importeren", "/importeren", None),
    ("import-problemen", "/importeren", lambda page: upload(page, BAD_INVENTORY)),
    ("exporteren", "/exporteren", None),
    ("leveranciers", "/leveranciers", None),
    ("te-bevestigen", "/te-bevestigen", None),
    ("toegankelijkheid", "/toegankelijkheid", None),
    ("niet-gevonden", "/bestaat-niet", None),
]


@pytest.mark.parametrize(("name", "path", "prepare"), PAGES, ids=[p[0] for p in PAGES])
def test_axe_finds_nothing(
    live_server: str, browser: Browser, name: str, path: str, prepare: Prepare
) -> None:
    assert axe_violations(browser, live_server + path, prepare=prepare) == []


NARROW = [
    ("registraties", "/registraties", None),
    ("registratie", "/registraties/fin-m365-mail", None),
    ("formulier-fouten", "/registraties/nieuw", submit_form_with_errors),
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


def _tab_to(page: Page, predicate: str, limit: int = 120) -> None:
    """Press Tab until ``predicate(document.activeElement)`` holds; every stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_VISIBLE), page.evaluate("document.activeElement.outerHTML")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"no element reached with Tab: {predicate}")


def test_keyboard_only_main_flow(live_server: str, page: Page) -> None:
    page.goto(live_server + "/", wait_until="networkidle")
    # the skip link comes first and moves focus to the main content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Naar de inhoud"
    assert page.evaluate(FOCUS_VISIBLE)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"

    # to the list through the main menu
    page.goto(live_server + "/", wait_until="networkidle")
    _tab_to(page, "el.matches('.ct-nav__link[href=\"/registraties\"]')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/registraties")

    # search for a registration (the filter form, sent with Enter), then open it
    _tab_to(page, "el.id === 'filter-q'")
    page.keyboard.type("uwv-werkmap")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=uwv-werkmap**")
    _tab_to(page, "el.closest('#registraties-tabel tbody') !== null && el.tagName === 'A'")
    assert (
        page.evaluate("document.activeElement.getAttribute('href')") == "/registraties/uwv-werkmap"
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/registraties/uwv-werkmap")

    # edit it, change the name, save with Enter
    _tab_to(page, "el.textContent.trim() === 'Bewerken'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/registraties/uwv-werkmap/bewerken")
    _tab_to(page, "el.id === 'name'")
    page.keyboard.press("End")
    page.keyboard.type(" (bijgewerkt)")
    page.keyboard.press("Enter")
    page.wait_for_url("**/registraties/uwv-werkmap")
    assert page.locator("h1").inner_text() == "werk.nl en Werkmap (Azure) (bijgewerkt)"
    assert "De registratie is opgeslagen." in page.locator("#meldingen").inner_text()


def test_filter_with_htmx_updates_results_and_address(live_server: str, page: Page) -> None:
    page.goto(live_server + "/registraties", wait_until="networkidle")
    page.evaluate("window.__same_page = true")
    page.select_option("#filter-oordeel", "not-allowed")
    page.click("button:has-text('Filter toepassen')")
    page.wait_for_url("**oordeel=not-allowed**")
    page.wait_for_selector("#filter-status:has-text('gevonden')")
    assert page.evaluate("window.__same_page") is True  # no page load: htmx swapped the results
    labels = page.locator("#registraties-tabel tbody .ct-verdict").all_inner_texts()
    assert labels and set(labels) == {"niet toegestaan"}


def test_filter_works_without_javascript(live_server: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    page.goto(live_server + "/registraties")
    page.select_option("#filter-oordeel", "allowed")
    page.click("button:has-text('Filter toepassen')")
    page.wait_for_url("**oordeel=allowed**")
    labels = page.locator("#registraties-tabel tbody .ct-verdict").all_inner_texts()
    assert labels and set(labels) == {"toegestaan"}
    context.close()
