"""axe-core (WCAG 2.2 AA tags) on the monitoring page, for all organisations and for one, at
full width and at 320 px (without sideways scrolling of the page itself), and the overview page
with its reminders."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import axe_violations

pytestmark = pytest.mark.browser

PAGES = [
    ("monitoring", "/monitoring"),
    ("monitoring-organisatie", "/monitoring?organisatie=uwv"),
    ("overzicht-herinneringen", "/?organisatie=fin"),
]


@pytest.mark.parametrize(("name", "path"), PAGES, ids=[p[0] for p in PAGES])
def test_axe_finds_nothing(live_server: str, browser: Browser, name: str, path: str) -> None:
    assert axe_violations(browser, live_server + path) == []


def test_the_monitoring_page_at_320px(live_server: str, browser: Browser, page: Page) -> None:
    assert axe_violations(browser, live_server + "/monitoring", width=320) == []
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server + "/monitoring", wait_until="networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_the_menu_leads_to_monitoring_and_marks_it(live_server: str, page: Page) -> None:
    page.goto(live_server + "/", wait_until="networkidle")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Monitoring").click()
    page.wait_for_url("**/monitoring")
    current = page.locator('nav[aria-label="Hoofdmenu"] [aria-current="page"]')
    assert current.inner_text() == "Monitoring"
    assert page.get_by_role("img", name="Registraties per oordeel").is_visible()
