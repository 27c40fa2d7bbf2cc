"""A form with errors opens at its error summary: focused and in view, also when the form sits at
the bottom of a long page (accepting a risk assessment, recording an exit plan test). The
registration list fits 320 px: the verdict and the deadline need no sideways scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import axe_violations
from tests.e2e.test_risk_exit_accessibility import EXIT, RISK, save_a_draft, save_a_plan

pytestmark = pytest.mark.browser

# the focused element and where it is: is it the summary, and is it inside the window?
FOCUS = """() => {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  return {
    id: el.id,
    top: box.top,
    bottom: box.bottom,
    height: window.innerHeight,
    scrolled: window.scrollY,
  };
}"""


def accept_with_a_wrong_date(page: Page) -> None:
    save_a_draft(page)
    page.fill("#accepted_on", "31-02-2026")
    page.click("button:has-text('Accorderen')")
    page.wait_for_selector("#foutoverzicht")


def record_a_test_with_a_wrong_date(page: Page) -> None:
    save_a_plan(page)
    page.fill("#tested_on", "31-02-2026")
    page.click("button:has-text('Test vastleggen')")
    page.wait_for_selector("#foutoverzicht")


def assert_summary_focused_and_in_view(page: Page, summary_id: str = "foutoverzicht") -> None:
    focus = page.evaluate(FOCUS)
    assert focus["id"] == summary_id, focus
    assert 0 <= focus["top"] < focus["height"], focus
    assert focus["bottom"] <= focus["height"], focus


@pytest.mark.parametrize(
    ("path", "prepare", "field"),
    [
        (f"{RISK}/bewerken", accept_with_a_wrong_date, "accepted_on"),
        (f"{EXIT}/bewerken", record_a_test_with_a_wrong_date, "tested_on"),
    ],
    ids=["accorderen", "exitplan-test"],
)
@pytest.mark.parametrize("width", [1280, 320])
def test_the_error_summary_has_the_focus_and_is_in_view(
    live_server: str, browser: Browser, path: str, prepare: object, field: str, width: int
) -> None:
    context = browser.new_context(locale="nl-NL", viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(live_server + path, wait_until="networkidle")
    prepare(page)  # type: ignore[operator]
    assert_summary_focused_and_in_view(page)
    # the date comes back as typed, and the summary's link leads to its field
    assert page.input_value(f"#{field}") == "31-02-2026"
    page.click(f"#foutoverzicht a[href='#{field}']")
    assert page.evaluate("location.hash") == f"#{field}"
    assert page.locator(f"#{field}").is_visible()
    context.close()
    assert axe_violations(browser, live_server + path, prepare=prepare, width=width) == []


def test_the_registration_list_fits_320_pixels(live_server: str, browser: Browser) -> None:
    context = browser.new_context(locale="nl-NL", viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.goto(live_server + "/registraties", wait_until="networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    table = page.locator(".ct-table-wrap").first
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth")
    row = page.locator("#registraties-tabel tbody tr").first
    for label in ("Oordeel", "Termijn", "Bevindingen"):
        cell = row.locator(f"td[data-label='{label}']")
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320, label
        # the column's name stands before the value
        assert cell.evaluate("el => getComputedStyle(el, '::before').content") == f'"{label}"'
    context.close()
    assert axe_violations(browser, live_server + "/registraties", width=320) == []


def test_every_column_of_the_list_sorts(page: Page, live_server: str) -> None:
    page.goto(live_server + "/registraties", wait_until="networkidle")
    for label, key in (("Oordeel", "verdict"), ("Bevindingen", "findings")):
        page.click(f"#registraties-tabel thead a:has-text('{label}')")
        page.wait_for_selector(f"#registraties-tabel th[aria-sort='ascending'] >> text={label}")
        assert f"sort={key}" in page.url
    counts = [
        int(text)
        for text in page.locator(
            "#registraties-tabel td[data-label='Bevindingen']"
        ).all_inner_texts()
    ]
    assert counts == sorted(counts) and len(counts) > 1
