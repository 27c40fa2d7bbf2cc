"""axe-core (WCAG 2.2 AA tags) on the portfolio pages (with a scenario, with wrong choices, one
organisation) and the policy impact page, at full width and at 320 px, and both used with the
keyboard only: choose a scenario, choose another policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import axe_violations
from tests.e2e.helpers import FOCUS_VISIBLE

pytestmark = pytest.mark.browser

PAGES = [
    ("portfolio", "/portfolio"),
    ("portfolio-scenario", "/portfolio?leverancier=aws-emea&land=CN"),
    ("portfolio-fouten", "/portfolio?leverancier=bestaat-niet&land=XX&peildatum=1999-01-01"),
    ("portfolio-organisatie", "/portfolio?organisatie=uwv&peildatum=2030-01-01"),
    ("beleid", "/portfolio/beleid"),
    ("beleid-uitkomst", "/portfolio/beleid?variant=rijksbreed-cloudbeleid-2026-eer-ch"),
]


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_axe_finds_nothing(live_server: str, browser: Browser, name: str, path: str) -> None:
    assert axe_violations(browser, live_server + path) == []


@pytest.mark.parametrize("path", ["/portfolio?leverancier=aws-emea", "/portfolio/beleid"])
def test_at_320px(live_server: str, browser: Browser, page: Page, path: str) -> None:
    assert axe_violations(browser, live_server + path, width=320) == []
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server + path, wait_until="networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def _tab_to(page: Page, predicate: str, limit: int = 150) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_VISIBLE), page.evaluate("document.activeElement.outerHTML")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"no element reached with Tab: {predicate}")


def test_a_scenario_and_a_policy_with_the_keyboard_only(live_server: str, page: Page) -> None:
    page.goto(live_server + "/monitoring", wait_until="networkidle")
    _tab_to(page, "el.getAttribute('href') === '/portfolio'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/portfolio")
    _tab_to(page, "el.id === 'leverancier'")
    page.select_option("#leverancier", "aws-emea")  # a select's own keys differ per platform
    _tab_to(page, "el.textContent.trim() === 'Toon scenario'")
    page.keyboard.press("Enter")
    page.wait_for_url("**leverancier=aws-emea**")
    assert page.locator("#scenario-uitkomst").inner_text().startswith("Uitkomst: Amazon Web")
    assert page.get_by_role("img", name="Wat het scenario raakt: Amazon Web Services EMEA SARL")
    page.goto(live_server + "/portfolio/beleid", wait_until="networkidle")
    _tab_to(page, "el.id === 'variant'")
    page.select_option("#variant", "rijksbreed-cloudbeleid-2026-eer-ch")
    _tab_to(page, "el.textContent.trim() === 'Vergelijk'")
    page.keyboard.press("Enter")
    page.wait_for_url("**variant=**")
    assert page.locator("#uitkomst").inner_text().startswith("Uitkomst:")
    assert page.locator("#veranderingen-tabel").is_visible()
