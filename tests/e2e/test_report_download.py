"""The monitoring page's PDF link says, in a polite live region, that the report is being made
(static/js/report-download.js), saves the PDF when it is ready, and stays a plain download link
without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

pytestmark = pytest.mark.browser

PROGRESS = "Het rapport wordt gemaakt. Dit duurt enkele seconden."
DONE = "Het rapport is klaar en staat bij uw downloads."


def test_the_pdf_link_says_the_report_is_being_made(live_server: str, page: Page) -> None:
    held: list[Route] = []

    # hold the PDF's request, so the message can be seen before the report is ready
    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/monitoring/rapport.pdf*", hold)
    page.goto(live_server + "/monitoring", wait_until="networkidle")
    status = page.locator("#rapport-status")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    assert status.inner_text() == ""

    page.get_by_role("link", name="Rapport als PDF").click()
    expect(status).to_have_text(PROGRESS)
    assert page.url == live_server + "/monitoring"  # the page stays, with the message
    assert len(held) == 1

    with page.expect_download() as download:
        held[0].continue_()
    assert download.value.suggested_filename.startswith("cloudtoets-monitoring-")
    assert download.value.suggested_filename.endswith(".pdf")
    expect(status).to_have_text(DONE)


def test_without_javascript_the_link_is_a_plain_download(
    live_server: str, browser: Browser
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(live_server + "/monitoring")
        link = page.get_by_role("link", name="Rapport als PDF")
        href: Any = link.get_attribute("href")
        assert href == "/monitoring/rapport.pdf"
        response = page.request.get(live_server + href)
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF-")
        assert page.locator("#rapport-status").inner_text() == ""
    finally:
        context.close()


def test_the_dossier_link_says_the_dossier_is_being_made(live_server: str, page: Page) -> None:
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/dossier.pdf", hold)
    page.goto(live_server + "/registraties/fin-m365-mail", wait_until="networkidle")
    status = page.locator("#dossier-status")
    assert status.get_attribute("aria-live") == "polite" and status.inner_text() == ""

    page.get_by_role("link", name="Dossier (PDF)").click()
    expect(status).to_have_text("Het dossier wordt gemaakt. Dit duurt enkele seconden.")
    assert len(held) == 1
    with page.expect_download() as download:
        held[0].continue_()
    assert download.value.suggested_filename.startswith("cloudtoets-dossier-fin-m365-mail-")
    expect(status).to_have_text("Het dossier is klaar en staat bij uw downloads.")
