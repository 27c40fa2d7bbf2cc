"""What is not known, in the browser (unknowns.md): the ja / nee / onbekend radio groups and the
Onbekend / Geen / Deze choice of a list fact used by keyboard only, the registration page with
its verdict range, possible findings and questions whose links lead to the form field, and axe
(WCAG 2.2 AA tags) on every page and state that changed."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page

from cloudtoets.config import Settings
from tests.e2e.conftest import axe_violations, demo_server
from tests.e2e.helpers import FOCUS_VISIBLE

pytestmark = pytest.mark.browser

Prepare = Callable[[Page], None] | None


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A register of its own: the keyboard test saves a registration."""
    database = tmp_path_factory.mktemp("e2e-unknowns") / "cloudtoets.sqlite"
    with demo_server(
        Settings(database_url=f"sqlite:///{database}", demo=True, auth_mode="local")
    ) as url:
        yield url


def _contradiction(page: Page) -> None:
    """On the new form: Geen sub-processors chosen, and one typed anyway (-> 422)."""
    page.fill("#id", "fin-e2e-tegenspraak")
    page.check("#subprocessors-keuze-geen")
    page.fill("#subprocessors", "microsoft-ireland")
    page.click("button:has-text('Registratie opslaan')")
    page.wait_for_selector("#foutoverzicht")


PAGES: list[tuple[str, str, Prepare]] = [
    ("registratie-onvolledig", "/registraties/fin-ai-wetsanalyse", None),
    ("registratie-zeker-met-vragen", "/registraties/vws-zorgmonitor", None),
    ("registratie-inzetmodel-onbekend", "/registraties/duo-scholenoverleg", None),
    ("bewerken-met-gaten", "/registraties/rws-klimaatscenario/bewerken", None),
    ("nieuw", "/registraties/nieuw", None),
    ("nieuw-tegenspraak", "/registraties/nieuw", _contradiction),
    ("registraties-onvolledig", "/registraties?oordeel=incomplete", None),
    ("overzicht", "/", None),
    ("monitoring", "/monitoring", None),
    ("monitoring-organisatie", "/monitoring?organisatie=duo", None),
]


@pytest.mark.parametrize(("name", "path", "prepare"), PAGES, ids=[p[0] for p in PAGES])
def test_axe_finds_nothing(
    server: str, browser: Browser, name: str, path: str, prepare: Prepare
) -> None:
    assert axe_violations(browser, server + path, prepare=prepare) == []


@pytest.mark.parametrize("path", ["/registraties/fin-ai-wetsanalyse", "/registraties/nieuw"])
def test_320px_wide_without_sideways_scrolling(
    server: str, browser: Browser, page: Page, path: str
) -> None:
    assert axe_violations(browser, server + path, width=320) == []
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(server + path, wait_until="networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def _tab_to(page: Page, predicate: str, limit: int = 200) -> None:
    """Press Tab until ``predicate(document.activeElement)`` holds; every stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_VISIBLE), page.evaluate("document.activeElement.outerHTML")
        if page.evaluate(f"(el => {predicate})(document.activeElement)"):
            return
    raise AssertionError(f"no element reached with Tab: {predicate}")


def _active(page: Page, expression: str) -> object:
    return page.evaluate(f"(el => {expression})(document.activeElement)")


def test_radio_groups_by_keyboard_only(server: str, page: Page) -> None:
    page.goto(server + "/registraties/nieuw", wait_until="networkidle")
    _tab_to(page, "el.id === 'id'")
    page.keyboard.type("fin-e2e-toetsenbord")
    page.select_option("#organisation", "fin")  # a select; the radio groups are the point here
    # a list fact: first Onbekend / Geen / Deze, one tab stop on the checked choice
    _tab_to(page, "el.name === 'subprocessors-keuze'")
    assert _active(page, "el.value") == "onbekend" and _active(page, "el.checked") is True
    page.keyboard.press("ArrowRight")  # Onbekend -> Geen subverwerkers
    assert _active(page, "el.value") == "geen" and _active(page, "el.checked") is True
    # the group of a yes/no fact is one tab stop, on its checked choice: Onbekend
    _tab_to(page, "el.name === 'encrypted_at_rest'")
    assert _active(page, "el.value") == "onbekend" and _active(page, "el.checked") is True
    legend = page.evaluate(
        "document.activeElement.closest('fieldset').querySelector('legend').textContent.trim()"
    )
    assert legend  # the group has a name: its legend
    page.keyboard.press("ArrowLeft")  # Onbekend -> Nee
    assert _active(page, "el.value") == "false" and _active(page, "el.checked") is True
    page.keyboard.press("ArrowLeft")  # Nee -> Ja
    assert _active(page, "el.value") == "true" and _active(page, "el.checked") is True
    assert page.evaluate(FOCUS_VISIBLE)
    page.keyboard.press("Tab")  # leaves the group at once: the next group's Onbekend
    assert _active(page, "el.name") == "encrypted_in_transit"
    assert _active(page, "el.value") == "onbekend"
    page.keyboard.press("ArrowLeft")  # a known no
    assert _active(page, "el.value") == "false"
    _tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Registratie opslaan'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/registraties/fin-e2e-toetsenbord")
    main = page.locator("main").inner_text()
    assert "Geen subverwerkers" in main
    assert "Onbekend" in main  # what was not answered stays unknown
    assert "Oordeel: onvolledig" in main.replace("\n", " ")


def test_questions_link_to_the_field_that_answers_them(server: str, page: Page) -> None:
    page.goto(server + "/registraties/fin-ai-wetsanalyse", wait_until="networkidle")
    heading = page.locator("#oordeel-titel").inner_text()
    assert heading.replace("\n", " ").startswith("Oordeel: onvolledig")
    assert (
        page.locator("#oordeel-bereik")
        .inner_text()
        .startswith("Onvolledig: tussen toegestaan en niet toegestaan.")
    )
    possible = page.locator(".ct-finding--possible")
    assert possible.count() >= 1
    assert possible.first.locator(".ct-possible").inner_text() == "mogelijk"
    # by keyboard: the link in the range goes to the questions, a question to its field
    _tab_to(page, "el.getAttribute('href') === '#vragen'")
    page.keyboard.press("Enter")
    page.wait_for_url("**#vragen")
    question = "Welke rubricering heeft de informatie (of is die ongerubriceerd)?"
    _tab_to(page, f"el.textContent.trim() === {question!r}")
    page.keyboard.press("Enter")
    page.wait_for_url("**/registraties/fin-ai-wetsanalyse/bewerken#classification")
    target = page.locator("#classification")
    assert target.evaluate("el => el.tagName") == "SELECT"
    assert target.input_value() == "onbekend"
    assert target.is_visible() and target.evaluate(
        "el => { const r = el.getBoundingClientRect(); "
        "return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )
    # the next Tab from the fragment reaches the answer's neighbourhood, not the page top
    page.keyboard.press("Tab")
    assert _active(page, "el.closest('#gegevens') !== null") is True


def test_a_list_fact_question_leads_to_its_choice(server: str, page: Page) -> None:
    page.goto(server + "/registraties/rws-klimaatscenario", wait_until="networkidle")
    page.get_by_role("link", name="Welke subverwerkers gebruikt de leverancier (of geen)?").click()
    page.wait_for_url("**/bewerken#subprocessors-keuze")
    choice = page.locator("#subprocessors-keuze")
    assert choice.is_checked() and choice.get_attribute("value") == "onbekend"
    group = page.get_by_role("group", name="Subverwerkers")
    assert group.count() >= 1
