"""axe-core (WCAG 2.2 AA tags) on the justification and notification pages, in each state that
shows something else: forms with errors, a thread with questions, re-notification needed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.justifications import Proposal, propose_justification
from tests.e2e.conftest import TODAY, axe_violations

pytestmark = pytest.mark.browser

Prepare = Callable[[Page], None] | None
API = "/api/v1"
JUSTIFIED = "ienw-zivver"  # e-mail in the public cloud: advised against
NOTIFIED = "duo-chatbot"  # material use of external cloud, not yet notified
DRAFTED = "fin-chatbot-belastingvragen"
CHANGED = "duo-mijn-duo"  # notified, then changed: re-notification needed


def _step(client: httpx.Client, notification: dict[str, Any], step: str, text: str = "") -> Any:
    response = client.post(
        f"{API}/notifications/{notification['id']}/{step}",
        headers={"If-Match": f'"v{notification["version"]}"'},
        **({"json": {"text": text}} if text else {}),
    )
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def made(live_server: str, live_settings: Settings) -> dict[str, int]:
    """The objects the pages show, made through the API of the running app (no login: local).

    The justification is proposed by another user beside the app: whoever proposes it may not
    accept it (four eyes), and the page under test is the acceptance by the app's local user.
    """
    register = Register.open(live_settings, clock=FixedClock.on(TODAY))
    try:
        proposal = Proposal(
            rule="cb2026.4.5.email",
            reason="Tot de overstap naar de rijksbrede voorziening.",
            continuity_risk_established=True,
            risk_and_exit_tested=True,
            minister_consent_on=dt.date(2026, 10, 1),
        )
        proposed = propose_justification(register, Actor.local("voorsteller"), JUSTIFIED, proposal)
    finally:
        register.close()
    with httpx.Client(base_url=live_server, timeout=30) as client:
        notification = client.post(f"{API}/registrations/{NOTIFIED}/notifications").json()
        notification = _step(client, notification, "submit")
        notification = _step(client, notification, "receive")
        notification = _step(client, notification, "question", "Is de exit getest?")
        draft = client.post(f"{API}/registrations/{DRAFTED}/notifications").json()
        changed = client.post(f"{API}/registrations/{CHANGED}/notifications").json()
        _step(client, changed, "submit")
        current = client.get(f"{API}/registrations/{CHANGED}")
        body = {**current.json(), "storage_countries": ["NL", "DE"]}
        updated = client.put(
            f"{API}/registrations/{CHANGED}",
            json=body,
            headers={"If-Match": current.headers["etag"]},
        )
        assert updated.status_code == 200, updated.text
    return {
        "justification": proposed.id,
        "notification": notification["id"],
        "draft": draft["id"],
    }


def _propose_with_errors(page: Page) -> None:
    page.fill("#reason", "")
    page.fill("#minister_consent_on", "31-2-2026")
    page.click("button:has-text('Stel de afwijking voor')")
    page.wait_for_selector("#foutoverzicht")


def _accept_with_errors(page: Page) -> None:
    page.click("button:has-text('Accepteer de afwijking')")
    page.wait_for_selector("#foutoverzicht")


def _question_without_text(page: Page) -> None:
    page.click("button:has-text('Stel de vraag')")
    page.wait_for_selector("#foutoverzicht")


def _pages(made: dict[str, int]) -> list[tuple[str, str, Prepare]]:
    justification = f"/registraties/{JUSTIFIED}/afwijkingen/{made['justification']}"
    form = f"/registraties/{JUSTIFIED}/afwijkingen/nieuw?regel=cb2026.4.5.email"
    return [
        ("registratie-met-afwijking", f"/registraties/{JUSTIFIED}", None),
        ("registratie-opnieuw-melden", f"/registraties/{CHANGED}", None),
        ("afwijking-formulier", "/registraties/fin-zivver/afwijkingen/nieuw", None),
        (
            "afwijking-formulier-fouten",
            "/registraties/fin-zivver/afwijkingen/nieuw",
            _propose_with_errors,
        ),
        ("afwijking-geen-bevinding", form, None),
        ("afwijking", justification, None),
        ("afwijking-accepteren-fouten", justification, _accept_with_errors),
        ("afwijkingen", "/afwijkingen", None),
        ("meldingen", "/meldingen", None),
        ("meldingen-gefilterd", "/meldingen?toestand=questions", None),
        ("melding-concept", f"/meldingen/{made['draft']}", None),
        ("melding-met-vraag", f"/meldingen/{made['notification']}", None),
        ("melding-fouten", f"/meldingen/{made['notification']}", _question_without_text),
        ("melding-importeren", "/meldingen/importeren", None),
    ]


NAMES = [
    "registratie-met-afwijking",
    "registratie-opnieuw-melden",
    "afwijking-formulier",
    "afwijking-formulier-fouten",
    "afwijking-geen-bevinding",
    "afwijking",
    "afwijking-accepteren-fouten",
    "afwijkingen",
    "meldingen",
    "meldingen-gefilterd",
    "melding-concept",
    "melding-met-vraag",
    "melding-fouten",
    "melding-importeren",
]


@pytest.mark.parametrize("name", NAMES)
def test_axe_finds_nothing_on_the_workflow_pages(
    live_server: str, browser: Browser, made: dict[str, int], name: str
) -> None:
    (path, prepare) = next((p, f) for n, p, f in _pages(made) if n == name)
    assert axe_violations(browser, live_server + path, prepare=prepare) == []


@pytest.mark.parametrize("name", ["melding-met-vraag", "afwijking-formulier-fouten", "meldingen"])
def test_workflow_pages_at_320px_without_sideways_scrolling(
    live_server: str, browser: Browser, page: Page, made: dict[str, int], name: str
) -> None:
    (path, prepare) = next((p, f) for n, p, f in _pages(made) if n == name)
    assert axe_violations(browser, live_server + path, prepare=prepare, width=320) == []
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(live_server + path, wait_until="networkidle")
    if prepare is not None:
        prepare(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_the_steps_work_without_javascript(
    live_server: str, browser: Browser, made: dict[str, int]
) -> None:
    context = browser.new_context(java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    page.goto(f"{live_server}/meldingen/{made['notification']}")
    page.fill("#answer-text", "Ja, in oktober.")
    page.click("button:has-text('Verstuur het antwoord')")
    page.wait_for_selector("text=Het antwoord is verstuurd naar CIO Rijk.")
    assert "vraag beantwoord" in page.locator("h1 + p").inner_text()
    context.close()
