"""Screenshots of the main pages (1280x900, the first screen) for the README tour.

They are written to docs/screenshots/ only when CLOUDTOETS_SCREENSHOTS=1 (so a test run does not
change tracked files); otherwise to a temporary folder, and the checks still run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

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


def test_screenshots_of_the_main_pages(live_server: str, browser: Browser, tmp_path: Path) -> None:
    folder = SCREENSHOTS if os.environ.get("CLOUDTOETS_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
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
        target: Path = folder / f"{name}.png"
        page.screenshot(path=str(target), full_page=False)
        assert target.stat().st_size > 10_000, name
    context.close()
