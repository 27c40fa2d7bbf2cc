"""Justifications and notifications in the browser, without JavaScript: forms, errors, steps."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cloudtoets.server.app import create_app
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.context import Register
from cloudtoets.services.package_signing import instance_public_key
from cloudtoets.store.migrate import upgrade
from cloudtoets.store.tables import OrganisationRow

from .conftest import CENTRAL, field_error, h1s, input_value, open_register, text, title

MAIL = "bzk-zivver"  # e-mail in the public cloud: advised against, not material
MATERIAL = "ssc-ict-backup-aws"  # material use of external cloud, not yet notified


def house_rules(html: str) -> None:
    assert title(html).endswith(" — cloudtoets")
    assert len(h1s(html)) == 1
    assert 'aria-label="Kruimelpad"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html
    assert not re.search(r"\s(style|hx-on[:\w-]*|on[a-z]+)=", html)


def version(html: str) -> str:
    found = re.search(r'name="versie" value="(\d+)"', html)
    assert found is not None
    return found.group(1)


def test_a_justification_from_the_registration_page_to_the_deviations(
    client: TestClient, register: Register
) -> None:
    page = client.get(f"/registraties/{MAIL}").text
    assert "Afwijkingen en melding aan CIO Rijk" in text(page)
    assert f'href="/registraties/{MAIL}/afwijkingen/nieuw?regel=cb2026.4.5.email"' in page
    form = client.get(f"/registraties/{MAIL}/afwijkingen/nieuw?regel=cb2026.4.5.email")
    assert form.status_code == 200
    house_rules(form.text)
    assert "Voorwaarden voor e-mail en documenten in de publieke cloud" in text(form.text)
    assert "novalidate" in form.text and " required" not in form.text

    wrong = client.post(
        f"/registraties/{MAIL}/afwijkingen/nieuw",
        data={
            "rule": "cb2026.4.5.email",
            "reason": "Omdat het moet.",
            "minister_consent_on": "31-2-2026",
        },
    )
    assert wrong.status_code == 422
    assert title(wrong.text).startswith("Fout: ")
    assert (
        field_error(wrong.text, "minister_consent_on")
        == "31-2-2026 bestaat niet. Schrijf de datum als 3-7-2026."
    )
    assert "continuïteitsrisico" in (field_error(wrong.text, "continuity_risk_established") or "")
    assert field_error(wrong.text, "risk_and_exit_tested")
    assert "Omdat het moet." in wrong.text  # the input stays
    assert input_value(wrong.text, "minister_consent_on") == "31-2-2026"

    proposed = client.post(
        f"/registraties/{MAIL}/afwijkingen/nieuw",
        data={
            "rule": "cb2026.4.5.email",
            "reason": "Tot de overstap naar de rijksbrede voorziening.",
            "continuity_risk_established": "true",
            "risk_and_exit_tested": "true",
            "minister_consent_on": "1-10-2026",
        },
    )
    assert proposed.status_code == 303
    detail_url = proposed.headers["location"]
    detail = client.get(detail_url).text
    house_rules(detail)
    assert "De afwijking is voorgesteld." in text(detail)
    assert "Accepteer de afwijking" in detail

    # four eyes: whoever proposed cannot accept; another user of the organisation does
    own = client.post(
        f"{detail_url}/accepteren",
        data={
            "versie": version(detail),
            "name": "A. Jansen",
            "role": "secretaris-generaal",
            "accepted_on": "28-11-2026",
        },
    )
    assert own.status_code == 403
    # the page itself says why, not the error page
    assert "Afwijking" in text(own.text) and 'role="alert"' in own.text
    assert (
        "U heeft deze afwijking zelf opgesteld of gewijzigd. Een andere accordeerder van uw "
        "organisatie moet accorderen: vier ogen." in text(own.text)
    )
    settings = register.settings.model_copy(update={"local_user": "accordeerder-lokaal"})
    approver = dataclasses.replace(register, settings=settings)
    client = TestClient(create_app(register=approver), follow_redirects=False)
    missing = client.post(
        f"{detail_url}/accepteren", data={"versie": version(detail), "accepted_on": "28-11-2026"}
    )
    assert missing.status_code == 422
    assert (
        field_error(missing.text, "name")
        == "Vul de naam in van wie namens de verantwoordelijke accepteert."
    )
    assert input_value(missing.text, "accepted_on") == "28-11-2026"
    accepted = client.post(
        f"{detail_url}/accepteren",
        data={
            "versie": version(detail),
            "name": "A. Jansen",
            "role": "secretaris-generaal",
            "accepted_on": "28-11-2026",
        },
    )
    assert accepted.status_code == 303
    shown = text(client.get(detail_url).text)
    assert "De afwijking is geaccepteerd en gemeld bij CIO Rijk." in shown
    assert "Gemeld bij CIO Rijk op 28 november 2026" in shown
    again = client.post(
        f"{detail_url}/accepteren",
        data={"versie": version(detail), "name": "A", "role": "B", "accepted_on": "28-11-2026"},
    )
    assert again.status_code == 409  # an old version: nothing happens twice
    assert "Iemand anders heeft deze afwijking intussen gewijzigd" in text(again.text)

    registration = text(client.get(f"/registraties/{MAIL}").text)
    assert "Geaccepteerd op 28 november 2026 door A. Jansen" in registration
    deviations = client.get("/afwijkingen")
    house_rules(deviations.text)
    rows = deviations.text.split('id="afwijkingen-tabel"', 1)[1]
    assert "Tot de overstap naar de rijksbrede voorziening." in rows


def test_a_notification_through_every_step(client: TestClient) -> None:
    page = client.get(f"/registraties/{MATERIAL}").text
    assert "Nog niet gemeld." in text(page)
    made = client.post(f"/registraties/{MATERIAL}/meldingen/nieuw")
    assert made.status_code == 303
    url = made.headers["location"]
    draft = client.get(url).text
    house_rules(draft)
    assert "De melding is gemaakt als concept." in text(draft)
    assert "Dien de melding in" in draft
    assert client.post(f"/registraties/{MATERIAL}/meldingen/nieuw").status_code == 409  # one draft

    assert client.post(f"{url}/indienen", data={"versie": version(draft)}).status_code == 303
    sent = client.get(url).text
    shown = text(sent)
    assert "De melding is ingediend bij CIO Rijk." in shown
    assert "Wat is gemeld" in shown and "Ontbreekt" in shown  # no risk assessment in the register
    assert "Er is geen risicoafweging in het register." in shown
    assert "Download als ondertekend pakket" in shown
    assert "Nog niet gemeld." not in text(client.get(f"/registraties/{MATERIAL}").text)

    assert client.post(f"{url}/ontvangen", data={"versie": version(sent)}).status_code == 303
    received = client.get(url).text
    empty = client.post(f"{url}/vraag", data={"versie": version(received), "text": " "})
    assert empty.status_code == 422 and title(empty.text).startswith("Fout: ")
    assert field_error(empty.text, "question-text") == "Schrijf de tekst van uw bericht."
    asked = client.post(
        f"{url}/vraag", data={"versie": version(received), "text": "Is de exit getest?"}
    )
    assert asked.status_code == 303
    questions = client.get(url).text
    assert "Vraag van CIO Rijk" in text(questions)
    closing = client.post(f"{url}/afsluiten", data={"versie": version(questions)})
    assert closing.status_code == 409
    assert "Een melding afsluiten kan nu niet: de melding is vraag van CIO Rijk." in text(
        closing.text
    )
    answered = client.post(
        f"{url}/antwoord", data={"versie": version(questions), "text": "Ja, in oktober."}
    )
    assert answered.status_code == 303
    page = client.get(url).text
    assert client.post(f"{url}/afsluiten", data={"versie": version(page)}).status_code == 303
    closed = text(client.get(url).text)
    assert "De melding is afgesloten. Er kan niets meer mee gebeuren." in closed
    assert "Antwoord van de organisatie" in closed and "Ja, in oktober." in closed

    package = client.get(f"{url}/pakket")
    assert package.status_code == 200 and b'"content_hash"' in package.content


def test_the_inbox_shows_by_state_and_filters(client: TestClient) -> None:
    draft = client.post(f"/registraties/{MATERIAL}/meldingen/nieuw").headers["location"]
    client.post(f"{draft}/indienen", data={"versie": "1"})
    inbox = client.get("/meldingen")
    assert inbox.status_code == 200
    house_rules(inbox.text)
    nav = inbox.text.split('aria-label="Hoofdmenu"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'href="/meldingen" aria-current="page"', nav)
    assert 'id="toestand-submitted"' in inbox.text
    assert MATERIAL in inbox.text
    closed = client.get("/meldingen?toestand=closed").text
    assert MATERIAL not in closed.split('id="aantal"', 1)[1]
    unknown = client.get("/meldingen?toestand=bestaat-niet")
    assert unknown.status_code == 200  # an unknown filter counts as not chosen


def test_a_material_change_asks_for_a_new_notification_on_the_page(
    client: TestClient, register: Register
) -> None:
    url = client.post(f"/registraties/{MATERIAL}/meldingen/nieuw").headers["location"]
    client.post(f"{url}/indienen", data={"versie": "1"})
    stored = registration_service.get_registration(register, CENTRAL, MATERIAL)
    changed = dataclasses.replace(stored.registration, storage_countries=["NL", "DE"])
    registration_service.update_registration(register, CENTRAL, MATERIAL, changed, stored.version)
    page = text(client.get(f"/registraties/{MATERIAL}").text)
    assert "Opnieuw melden nodig" in page and "landen van opslag" in page
    assert "Maak een nieuwe melding" in page
    assert "Opnieuw melden nodig" in text(client.get(url).text)
    renewed = client.post(f"/registraties/{MATERIAL}/meldingen/nieuw").headers["location"]
    client.post(f"{renewed}/indienen", data={"versie": "1"})
    assert "Opnieuw melden nodig" not in text(client.get(f"/registraties/{MATERIAL}").text)


@pytest.fixture
def other(tmp_path: Path, register: Register) -> TestClient:
    """CIO Rijk's own installation, which trusts the first one's key."""
    trusted = tmp_path / "vertrouwd.txt"
    trusted.write_text(
        f"cloudtoets {instance_public_key(register)} bzk,fin,ssc-ict,uwv\n", encoding="utf-8"
    )
    opened = open_register(f"sqlite:///{tmp_path / 'cio.sqlite'}", trusted_keys_file=trusted)
    upgrade(opened.engine)
    with opened.sessions() as session, session.begin():
        session.add(OrganisationRow(id="ssc-ict", name="SSC-ICT", type="agency"))
    return TestClient(create_app(register=opened), follow_redirects=False)


def test_a_package_is_imported_on_another_installation(
    client: TestClient, other: TestClient
) -> None:
    url = client.post(f"/registraties/{MATERIAL}/meldingen/nieuw").headers["location"]
    client.post(f"{url}/indienen", data={"versie": "1"})
    package = client.get(f"{url}/pakket").content
    form = other.get("/meldingen/importeren")
    house_rules(form.text)
    tampered = package.replace(b"ssc-ict-backup-aws", b"ssc-ict-backup-xyz", 1)
    refused = other.post("/meldingen/importeren", files={"bestand": ("melding.json", tampered)})
    assert refused.status_code == 422
    assert "het pakket is na het ondertekenen gewijzigd" in text(refused.text)
    assert "Er zijn geen meldingen" in text(other.get("/meldingen").text)
    imported = other.post("/meldingen/importeren", files={"bestand": ("melding.json", package)})
    assert imported.status_code == 303
    page = text(other.get(imported.headers["location"]).text)
    assert "Het pakket is gecontroleerd en de melding is geïmporteerd." in page
    assert "Geïmporteerd uit cloudtoets (ondertekend pakket, gecontroleerd)" in page
    assert "Neem de melding in behandeling" in other.get(imported.headers["location"]).text


def test_a_proposed_justification_is_sent_back_with_a_reason(
    client: TestClient, register: Register
) -> None:
    proposed = client.post(
        f"/registraties/{MAIL}/afwijkingen/nieuw",
        data={
            "rule": "cb2026.4.5.email",
            "reason": "Tot de overstap naar de rijksbrede voorziening.",
            "continuity_risk_established": "true",
            "risk_and_exit_tested": "true",
            "minister_consent_on": "1-10-2026",
        },
    )
    assert proposed.status_code == 303
    detail_url = proposed.headers["location"]
    settings = register.settings.model_copy(update={"local_user": "accordeerder-lokaal"})
    approver = TestClient(
        create_app(register=dataclasses.replace(register, settings=settings)),
        follow_redirects=False,
    )
    detail = approver.get(detail_url).text
    assert "Terugsturen" in detail
    reason = "Noem de datum waarop de overstap klaar is."
    sent = approver.post(
        f"{detail_url}/terugsturen", data={"versie": version(detail), "reason": reason}
    )
    assert sent.status_code == 303, sent.text
    shown = text(client.get(detail_url).text)
    assert "Teruggestuurd" in shown and reason in shown
    assert reason in text(client.get("/").text)
    # a returned proposal cannot be accepted; the editor proposes anew or withdraws it
    accept = approver.post(
        f"{detail_url}/accepteren",
        data={
            "versie": version(client.get(detail_url).text),
            "name": "A",
            "role": "B",
            "accepted_on": "28-11-2026",
        },
    )
    assert accept.status_code == 409
