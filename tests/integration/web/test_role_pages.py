"""Each role sees its own menu, actions and work queue, from the one permission check that the
handlers use too (services/permissions.py ``can``); a refused action names the role that may
take it, before any CSRF message. Real logins with the demo accounts, on SQLite.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cloudtoets.domain.risk_assessment import RiskAssessmentIn
from cloudtoets.server.app import create_app
from cloudtoets.services import notifications, risk_assessments
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from tests.integration.security.conftest import ORIGIN, browser, fill, log_in, open_register
from tests.integration.security.risk_exit_walk import ASSESSMENT
from tests.integration.web.conftest import text

EDITOR = Actor("bewerker", frozenset({"fin"}), frozenset({"editor"}))
CIO_RIJK = Actor("cio-rijk", None, frozenset({"cio-rijk"}))
CHATBOT = "fin-chatbot-belastingvragen"  # material use without any paperwork in the demo
MAIL = "fin-m365-mail"
QUESTION = "Welke gegevens gaan naar de VS?\nEn wie heeft de sleutels?"

# what each role's menu shows, in this order; everything else in ALL_ITEMS it must not show
MENUS = {
    "lezer": ["Overzicht", "Registraties", "Exporteren", "Leveranciers", "Meldingen"],
    "bewerker": [
        "Overzicht",
        "Registraties",
        "Importeren",
        "Exporteren",
        "Leveranciers",
        "Meldingen",
    ],
    "accordeerder": ["Overzicht", "Registraties", "Exporteren", "Leveranciers", "Meldingen"],
    "cio-rijk": [
        "Overzicht",
        "Registraties",
        "Exporteren",
        "Leveranciers",
        "Monitoring",
        "Meldingen",
    ],
    "auditor": [
        "Overzicht",
        "Registraties",
        "Exporteren",
        "Leveranciers",
        "Monitoring",
        "Meldingen",
    ],
    "beheerder": ["Overzicht"],
}
ALL_ITEMS = {item for items in MENUS.values() for item in items}


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    database: Path = tmp_path_factory.mktemp("roles") / "cloudtoets.sqlite"
    opened = open_register(f"sqlite:///{database}")
    fill(opened)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def sessions(register: Register) -> dict[str, TestClient]:
    app = create_app(register=register)
    logged_in = {}
    for username in MENUS:
        client = browser(app)
        log_in(client, username)
        logged_in[username] = client
    return logged_in


def menu(html: str) -> list[str]:
    nav = re.search(r'<nav class="ct-nav" aria-label="Hoofdmenu">(.*?)</nav>', html, re.S)
    return [] if nav is None else [text(a) for a in re.findall(r"<a\b.*?</a>", nav.group(1), re.S)]


@pytest.mark.parametrize("username", list(MENUS))
def test_the_menu_shows_each_role_what_it_may_open(
    sessions: dict[str, TestClient], username: str
) -> None:
    page = sessions[username].get("/")
    assert page.status_code == 200
    shown = menu(page.text)
    # pages of other roles (an audit log, account management) may follow; these may not
    assert [item for item in shown if item in ALL_ITEMS] == MENUS[username]


def test_the_login_page_shows_no_menu(register: Register) -> None:
    page = browser(create_app(register=register)).get("/inloggen")
    assert page.status_code == 200
    assert menu(page.text) == []


@pytest.mark.parametrize("username", ["lezer", "accordeerder", "cio-rijk", "auditor"])
def test_a_reader_gets_no_buttons_to_change(sessions: dict[str, TestClient], username: str) -> None:
    client = sessions[username]
    listing = client.get("/registraties").text
    assert "/registraties/nieuw" not in listing and 'href="/importeren"' not in listing
    detail = client.get(f"/registraties/{MAIL}").text
    assert f"/registraties/{MAIL}/bewerken" not in detail
    assert f"/registraties/{MAIL}/verwijderen" not in detail


def test_the_editor_gets_the_buttons(sessions: dict[str, TestClient]) -> None:
    client = sessions["bewerker"]
    assert "/registraties/nieuw" in client.get("/registraties").text
    detail = client.get(f"/registraties/{MAIL}").text
    assert f"/registraties/{MAIL}/bewerken" in detail
    assert f"/registraties/{MAIL}/verwijderen" in detail


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/registraties/nieuw"),
        ("POST", "/registraties/nieuw"),
        ("POST", f"/registraties/{MAIL}/bewerken"),
        ("POST", f"/registraties/{MAIL}/verwijderen"),
        ("GET", "/importeren"),
        ("POST", "/importeren"),
        ("POST", "/importeren/bevestigen"),
    ],
)
def test_a_refused_action_names_the_role_that_may_before_any_csrf_message(
    sessions: dict[str, TestClient], register: Register, method: str, path: str
) -> None:
    """A reader who sends the form anyway, even without the CSRF token, hears who may."""
    before = len(notifications.list_notifications(register, CIO_RIJK))
    response = sessions["lezer"].request(
        method,
        path,
        data={"id": "nieuw-van-lezer", "organisation": "fin"},
        headers={"Origin": ORIGIN},
    )
    assert response.status_code == 403
    shown = text(response.text)
    assert "Alleen een bewerker mag registraties" in shown
    assert "U bent ingelogd als lezer" in shown
    assert "kwam niet van cloudtoets" not in shown
    assert menu(response.text)  # the user's own menu, to go on from here
    assert sessions["lezer"].get("/registraties/nieuw-van-lezer").status_code == 404
    assert len(notifications.list_notifications(register, CIO_RIJK)) == before


def test_the_administrator_gets_its_own_overview(sessions: dict[str, TestClient]) -> None:
    shown = text(sessions["beheerder"].get("/").text)
    assert "U bent ingelogd als beheerder" in shown
    assert "Uw eigen account en uw API-tokens" in shown
    assert "/beheer/accounts/nieuw" in sessions["beheerder"].get("/").text
    assert "registraties in totaal" not in shown and "in orde" not in shown


def test_each_role_sees_its_own_queue(sessions: dict[str, TestClient], register: Register) -> None:
    """A draft waits for the approver, who sends it back; the editor reads why. CIO Rijk's
    question reaches the editor with its line breaks; what waits for CIO Rijk reaches CIO Rijk."""
    assert "Er wacht nu niets op u" in text(sessions["accordeerder"].get("/").text)
    draft = risk_assessments.create_assessment(
        register, EDITOR, CHATBOT, RiskAssessmentIn.model_validate(ASSESSMENT)
    )
    overview = sessions["accordeerder"].get("/").text
    queue = text(overview.split('id="wacht-op-accordering"', 1)[1].split("</section>", 1)[0])
    assert "Wacht op uw accordering 1" in queue and "bewerker" in queue
    assert f"/registraties/{CHATBOT}/risicoanalyse/{draft.number}#terugsturen-titel" in overview
    # while the draft waits nobody reads "in orde" about it
    for username in ("lezer", "accordeerder"):
        shown = text(sessions[username].get("/").text)
        assert "1 concept of voorstel wacht nog op een accordeerder" in shown

    approver = sessions["accordeerder"]
    version_page = approver.get(f"/registraties/{CHATBOT}/risicoanalyse/{draft.number}").text
    version = re.search(r'name="versie" value="(\d+)"', version_page)
    assert version is not None
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', version_page)
    assert csrf is not None
    reason = "De DTIA ontbreekt nog."
    sent = approver.post(
        f"/registraties/{CHATBOT}/risicoanalyse/{draft.number}/terugsturen",
        data={"versie": version.group(1), "reason": reason, "csrf_token": csrf.group(1)},
        headers={"Origin": ORIGIN},
    )
    assert sent.status_code == 303, sent.text
    editor_view = text(sessions["bewerker"].get("/").text)
    assert "Teruggestuurd 1" in editor_view and reason in editor_view
    assert "Wacht op uw accordering" not in text(approver.get("/").text)

    made = notifications.create_notification(register, EDITOR, CHATBOT)
    made = notifications.submit_notification(register, EDITOR, made.id, made.version)
    assert f"/meldingen/{made.id}" in sessions["cio-rijk"].get("/").text
    made = notifications.receive_notification(register, CIO_RIJK, made.id, made.version)
    notifications.ask_question(register, CIO_RIJK, made.id, QUESTION, made.version)
    overview = sessions["bewerker"].get("/").text
    queue = overview.split('id="vragen-van-cio-rijk"', 1)[1].split("</section>", 1)[0]
    assert "Welke gegevens gaan naar de VS?<br>En wie heeft de sleutels?" in queue
    assert f'href="/meldingen/{made.id}"' in queue
    assert f"/meldingen/{made.id}" not in sessions["cio-rijk"].get("/").text  # now waits for fin
    assert 'id="vragen-van-cio-rijk"' not in sessions["lezer"].get("/").text


@pytest.mark.parametrize(
    ("username", "path", "who"),
    [
        ("bewerker", "/meldingen/1/ontvangen", "CIO Rijk"),
        ("bewerker", "/meldingen/1/vraag", "CIO Rijk"),
        ("bewerker", "/meldingen/importeren", "CIO Rijk"),
        ("cio-rijk", "/meldingen/1/antwoord", "bewerker"),
        ("lezer", "/meldingen/1/indienen", "bewerker"),
    ],
)
def test_a_notification_step_of_another_role_is_refused_before_any_csrf_message(
    sessions: dict[str, TestClient], register: Register, username: str, path: str, who: str
) -> None:
    """Each step of a notification belongs to one side; the other side hears who may take it."""
    before = [(n.id, n.state) for n in notifications.list_notifications(register, CIO_RIJK)]
    response = sessions[username].post(path, data={"text": "Mag dit?"}, headers={"Origin": ORIGIN})
    assert response.status_code == 403
    shown = text(response.text)
    assert who in shown
    assert "kwam niet van cloudtoets" not in shown
    after = [(n.id, n.state) for n in notifications.list_notifications(register, CIO_RIJK)]
    assert after == before
