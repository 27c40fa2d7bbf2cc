"""The risk assessment and exit plan pages without JavaScript: forms, errors, acceptance, state."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cloudtoets.server.app import create_app
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.context import Register

from .conftest import (
    CENTRAL,
    field_description,
    field_error,
    h1s,
    input_value,
    open_register,
    text,
    title,
)

RID = "fin-chatbot-belastingvragen"
PAGE = f"/registraties/{RID}"
RISK = f"{PAGE}/risicoanalyse"
EXIT = f"{PAGE}/exitplan"


def rules(register: Register, prefix: str) -> set[str]:
    """The rules of the registration's stored outcome (evaluated when it last changed)."""
    decision = registration_service.get_registration(register, CENTRAL, RID).decision
    return {f.rule for f in decision.findings if f.rule.startswith(prefix)}


def risk_form(html: str) -> dict[str, str]:
    """What the form sends as it is: hidden fields, text inputs, textareas, chosen options."""
    data: dict[str, str] = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="radio"' not in tag:
            data[name.group(1)] = value.group(1) if value else ""
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = text(body) if body.strip() else ""
    return data


def filled(html: str, **changes: str) -> dict[str, str]:
    data = risk_form(html)
    rows = int(data["risico-aantal"])
    for index in range(rows):
        theme = data[f"risico-{index}-theme"]
        if theme != "other":
            data[f"risico-{index}-description"] = data.get(f"risico-{index}-description") or (
                f"Het risico voor {theme}."
            )
            data[f"risico-{index}-likelihood"] = "3"
            data[f"risico-{index}-impact"] = "4"
    data |= {"dtia_reference": "DTIA-2026-7", "dpia_reference": "DPIA-2026-7", **changes}
    return data


def test_the_registration_page_shows_the_state_with_links(client: TestClient) -> None:
    html = client.get(PAGE).text
    section = text(html.split('id="risico-exit-titel"', 1)[1].split("</section>", 1)[0])
    assert "Nog geen integrale risicoafweging." in section and "Nog geen exitplan." in section
    assert f'href="{RISK}"' in html and f'href="{EXIT}"' in html


def test_the_new_form_has_every_theme_and_the_foreign_laws(client: TestClient) -> None:
    html = client.get(f"{RISK}/bewerken").text
    assert title(html).startswith("Integrale risicoafweging maken")
    assert h1s(html) == ["Integrale risicoafweging maken"]
    legends = [
        text(h).replace("\u00ad", "")
        for h in re.findall(r"<legend[^>]*><h3[^>]*>(.*?)</h3>", html, re.S)
    ]
    assert legends == [
        "Continuïteit",
        "Leveranciersafhankelijkheid (nodig voor accorderen)",
        "Buitenlandse jurisdictie (nodig voor accorderen)",
        "Informatiebeveiliging",
        "Privacy",
        "Uitvoerbaarheid van een exit",
        "Overig",
    ]
    page = text(html)
    assert "CLOUD Act (18 U.S.C. 2713)" in page and "FISA sectie 702" in page
    assert "Bij deze dienst is dat zo." in page  # a DTIA is needed
    # the jurisdiction risk starts from the laws that apply
    suggestion = risk_form(html)["risico-2-description"]
    assert suggestion.startswith(
        "De leverancier valt (deels) onder het recht van de Verenigde Staten"
    )
    # the suggestion holds facts only; what to do with it is a hint beside the field
    assert "Beschrijf" not in suggestion and "jurist" not in suggestion
    assert "Vul de tekst aan" in (field_description(html, "risico-2-description") or "")
    assert "novalidate" in html and " required" not in html


def test_errors_are_shown_per_field_and_the_input_stays(client: TestClient) -> None:
    html = client.get(f"{RISK}/bewerken").text
    data = filled(
        html, assessed_on="31-2-2026", **{"risico-0-impact": "9", "summary": "Mijn tekst"}
    )
    response = client.post(f"{RISK}/bewerken", data=data)
    assert response.status_code == 422
    page = response.text
    assert title(page).startswith("Fout: ")
    assert (
        field_error(page, "assessed_on") == "31-2-2026 bestaat niet. Schrijf de datum als 3-7-2026."
    )
    assert (
        field_error(page, "risico-0-impact")
        == "Vul bij impact een heel getal in van 1 tot en met 5."
    )
    summary = re.findall(r'<li><a href="#([^"]+)"', page.split('id="foutoverzicht"', 1)[1])
    assert summary == ["assessed_on", "risico-0-impact"]
    assert input_value(page, "assessed_on") == "31-2-2026"
    assert risk_form(page)["summary"] == "Mijn tekst"
    assert client.get(
        RISK
    ).status_code == 200 and "Er is nog geen integrale risicoafweging." in text(
        client.get(RISK).text
    )


def other_user(register: Register) -> TestClient:
    """The same register as another local user (four eyes)."""
    settings = register.settings.model_copy(update={"local_user": "accordeerder-lokaal"})
    other = dataclasses.replace(register, settings=settings)
    return TestClient(create_app(register=other), follow_redirects=False)


def test_save_accept_and_change_an_assessment(client: TestClient, register: Register) -> None:
    assert rules(register, "cb2026.3.1.") == {"cb2026.3.1.risk-assessment"}
    html = client.get(f"{RISK}/bewerken").text
    saved = client.post(f"{RISK}/bewerken", data=filled(html, assessed_on="15-11-2026"))
    assert saved.status_code == 303 and saved.headers["location"] == f"{RISK}/1"
    version = client.get(f"{RISK}/1")
    assert "De integrale risicoafweging is opgeslagen als concept." in text(version.text)
    assert h1s(version.text) == ["Integrale risicoafweging, versie 1"]
    assert rules(register, "cb2026.3.1.") == {"cb2026.3.1.risk-acceptance"}
    assert "Concept (versie 1), nog niet geaccordeerd." in text(client.get(PAGE).text)

    # four eyes: whoever drafted cannot accept; the version page says why
    accept = {
        "versie": "1",
        "accepted_by_name": "E. Heinen",
        "accepted_by_role": "minister",
        "accepted_on": "20-11-2026",
    }
    own = client.post(f"{RISK}/1/accorderen", data=accept)
    assert own.status_code == 403
    assert h1s(own.text) == [
        "Integrale risicoafweging, versie 1"
    ]  # the page itself, not the error page
    assert 'role="alert"' in own.text
    assert (
        "U heeft deze integrale risicoafweging zelf opgesteld of gewijzigd. Een andere accordeerder van uw "
        "organisatie moet accorderen: vier ogen." in text(own.text)
    )
    assert input_value(own.text, "accepted_by_name") == "E. Heinen"
    assert rules(register, "cb2026.3.1.") == {"cb2026.3.1.risk-acceptance"}

    # acceptance: every field is needed; another user of the organisation accepts
    client = other_user(register)
    refused = client.post(f"{RISK}/1/accorderen", data={"versie": "1", "accepted_on": "2026-11-20"})
    assert refused.status_code == 422
    assert (
        field_error(refused.text, "accepted_by_name") == "Vul de naam van de verantwoordelijke in."
    )
    assert input_value(refused.text, "accepted_on") == "2026-11-20"
    accepted = client.post(f"{RISK}/1/accorderen", data=accept)
    assert accepted.status_code == 303 and accepted.headers["location"] == f"{RISK}/1"
    assert "De integrale risicoafweging is geaccordeerd." in text(client.get(f"{RISK}/1").text)
    assert rules(register, "cb2026.3.1.") == set()
    state = text(client.get(PAGE).text)
    assert "Geaccordeerd op 20 november 2026, geldig tot 20 november 2027." in state

    # accepting again: the version page says why not
    again = client.post(f"{RISK}/1/accorderen", data={**accept, "versie": "2"})
    assert again.status_code == 409
    assert "Versie 1 is al geaccordeerd op 20 november 2026." in text(again.text)

    # a change to the accepted version is the next version, a draft
    form = client.get(f"{RISK}/bewerken").text
    assert "Versie 1 is geaccordeerd en blijft gelden." in text(form)
    changed = client.post(f"{RISK}/bewerken", data=filled(form, summary="Herzien"))
    assert changed.headers["location"] == f"{RISK}/2"
    overview = text(client.get(RISK).text)
    assert "De wijziging is opgeslagen als versie 2, een concept." in overview
    assert (
        "Er is een concept: versie 2. Het is nog niet geaccordeerd. Tot dan blijft versie 1 gelden."
        in overview
    )
    rows = re.findall(
        r'scope="row"><a class="nl-link" href="[^"]+">(Versie \d)</a>', client.get(RISK).text
    )
    assert rows == ["Versie 2", "Versie 1"]
    assert rules(register, "cb2026.3.1.") == set()


def test_accepting_without_lock_in_and_dtia_names_what_is_missing(
    client: TestClient, register: Register
) -> None:
    html = client.get(f"{RISK}/bewerken").text
    data = filled(html, dtia_reference="", **{"risico-1-description": ""})
    assert client.post(f"{RISK}/bewerken", data=data).status_code == 303
    # four eyes: whoever drafted cannot accept; another user of the organisation does
    client = other_user(register)
    refused = client.post(
        f"{RISK}/1/accorderen",
        data={
            "versie": "1",
            "accepted_by_name": "A",
            "accepted_by_role": "B",
            "accepted_on": "2026-11-29",
        },
    )
    assert refused.status_code == 422
    summary = text(refused.text.split('id="foutoverzicht"', 1)[1].split("</ul>", 1)[0])
    assert "Beschrijf het risico van leveranciersafhankelijkheid" in summary
    assert "vul het kenmerk van de DTIA in" in summary


def test_a_stale_version_keeps_the_input(client: TestClient) -> None:
    html = client.get(f"{RISK}/bewerken").text
    client.post(f"{RISK}/bewerken", data=filled(html))
    form = client.get(f"{RISK}/bewerken").text
    client.post(f"{RISK}/bewerken", data=filled(form, summary="Eerst"))
    late = client.post(f"{RISK}/bewerken", data=filled(form, summary="Later"))
    assert late.status_code == 409
    assert "Iemand anders heeft deze integrale risicoafweging intussen opgeslagen." in text(
        late.text
    )
    assert risk_form(late.text)["summary"] == "Later"
    assert input_value(late.text, "versie") == "2"


def exit_form(**changes: str) -> dict[str, str]:
    data = {
        "versie": "",
        "planned-trigger": "Einde van het contract",
        "planned-steps": "Aanbesteden, overzetten, afsluiten",
        "planned-lead_time_days": "180",
        "planned-preconditions": "Export in een open formaat\nBudget voor dubbele kosten",
        "planned-alternatives": "Eigen chatbot",
        "planned-responsible_role": "Directeur IV",
        "emergency-trigger": "De dienst ligt eruit",
        "emergency-steps": "Terugvallen op het contactcentrum",
        "emergency-lead_time_days": "3",
        "emergency-preconditions": "Draaiboek contactcentrum",
        "emergency-alternatives": "",
        "emergency-responsible_role": "Crisisteam",
        "data_return_format": "JSON",
        "data_volume_gb": "2500,5",
        "bandwidth_mbps": "100",
        "integrations": "2",
        "data_destruction_method": "Crypto-shredding",
        "data_destruction_evidence": "Verklaring van de leverancier",
    }
    data.update(changes)
    return data


def test_the_exit_plan_with_estimate_test_and_review(
    client: TestClient, register: Register
) -> None:
    assert rules(register, "cb2026.3.2.") == {
        "cb2026.3.2.data-exit",
        "cb2026.3.2.emergency-plan",
        "cb2026.3.2.exit-plan",
    }
    empty = client.get(EXIT).text
    assert "Er is nog geen exitplan." in text(empty)
    assert h1s(client.get(f"{EXIT}/bewerken").text) == ["Exitplan maken"]

    wrong = client.post(f"{EXIT}/bewerken", data=exit_form(**{"emergency-lead_time_days": "drie"}))
    assert wrong.status_code == 422
    assert field_error(wrong.text, "emergency-lead_time_days") == (
        "Vul bij de doorlooptijd een heel getal in van 0 tot en met 3650."
    )
    assert input_value(wrong.text, "emergency-lead_time_days") == "drie"

    created = client.post(f"{EXIT}/bewerken", data=exit_form())
    assert created.status_code == 303 and created.headers["location"] == EXIT
    page = text(client.get(EXIT).text)
    assert "Het exitplan is opgeslagen." in page
    # 2,500.5 GB at 100 Mbit/s: 4 days; two integrations: 10 days
    assert "Doorlooptijd 180 dagen (schatting: minstens 14 dagen)" in page
    assert "Doorlooptijd 3 dagen (schatting: minstens 14 dagen)" in page
    assert "De doorlooptijd in het plan (3 dagen) is korter dan de schatting (14 dagen)" in page
    assert "Hoeveelheid gegevens 2500,5 GB" in page
    assert rules(register, "cb2026.3.2.") == {"cb2026.3.2.exit-tested"}
    assert input_value(client.get(f"{EXIT}/bewerken").text, "data_volume_gb") == "2500,5"

    test = {"versie": "1", "tested_on": "28-11-2026", "result": "passed", "notes": "Goed"}
    tested = client.post(f"{EXIT}/test", data=test)
    assert tested.status_code == 303
    assert "De test van het exitplan is vastgelegd." in text(client.get(EXIT).text)
    assert rules(register, "cb2026.3.2.") == set()
    assert "Getest op 28 november 2026 (geslaagd)." in text(client.get(PAGE).text)

    future = client.post(f"{EXIT}/beoordeling", data={"versie": "2", "reviewed_on": "2027-01-01"})
    assert future.status_code == 422
    assert "in de toekomst" in (field_error(future.text, "reviewed_on") or "")
    reviewed = client.post(f"{EXIT}/beoordeling", data={"versie": "2", "reviewed_on": "2026-11-29"})
    assert reviewed.status_code == 303
    assert "Volgende beoordeling vóór 29 november 2027" in text(client.get(EXIT).text)
    stale = client.post(f"{EXIT}/test", data=test)
    assert stale.status_code == 409


@pytest.fixture
def uwv_client(register: Register) -> Iterator[TestClient]:
    limited = open_register(
        str(register.engine.url.render_as_string(hide_password=False)), local_organisation="uwv"
    )
    yield TestClient(create_app(register=limited), follow_redirects=False)
    limited.close()


def test_another_organisation_gets_the_404_page(client: TestClient, uwv_client: TestClient) -> None:
    client.post(f"{RISK}/bewerken", data=filled(client.get(f"{RISK}/bewerken").text))
    client.post(f"{EXIT}/bewerken", data=exit_form())
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", RISK, None),
        ("GET", f"{RISK}/bewerken", None),
        ("POST", f"{RISK}/bewerken", {"risico-aantal": "0", "assessed_on": "2026-11-01"}),
        ("GET", f"{RISK}/1", None),
        ("POST", f"{RISK}/1/accorderen", {"versie": "1"}),
        ("GET", EXIT, None),
        ("GET", f"{EXIT}/bewerken", None),
        ("POST", f"{EXIT}/bewerken", exit_form()),
        ("POST", f"{EXIT}/test", {"versie": "1", "tested_on": "2026-11-01", "result": "passed"}),
        ("POST", f"{EXIT}/beoordeling", {"versie": "1", "reviewed_on": "2026-11-01"}),
    ]
    for method, url, data in calls:
        response = uwv_client.request(method, url, data=data)
        assert response.status_code == 404, f"{method} {url}"
        assert "Deze pagina bestaat niet" in response.text
    assert client.get(f"{RISK}/9").status_code == 404
    assert client.get(f"{RISK}/abc").status_code == 404


def test_a_post_from_another_site_is_refused(client: TestClient) -> None:
    response = client.post(
        f"{EXIT}/bewerken", data=exit_form(), headers={"Origin": "https://elders.example"}
    )
    assert response.status_code == 403
    assert "Er is nog geen exitplan." in text(client.get(EXIT).text)


def test_an_approver_sends_a_draft_back_and_the_editor_reads_why(
    client: TestClient, register: Register
) -> None:
    html = client.get(f"{RISK}/bewerken").text
    saved = client.post(f"{RISK}/bewerken", data=filled(html, assessed_on="15-11-2026"))
    assert saved.status_code == 303
    approver = other_user(register)
    waiting = approver.get("/").text
    assert 'id="wacht-op-accordering"' in waiting and f"{RISK}/1" in waiting
    assert 'id="wacht-op-accordering"' not in client.get("/").text  # not your own draft

    empty = approver.post(f"{RISK}/1/terugsturen", data={"versie": "1", "reason": "  "})
    assert empty.status_code == 422
    assert field_error(empty.text, "reason")
    reason = "De DTIA ontbreekt nog. Voeg het kenmerk toe."
    sent = approver.post(f"{RISK}/1/terugsturen", data={"versie": "1", "reason": reason})
    assert sent.status_code == 303, sent.text
    version = text(client.get(f"{RISK}/1").text)
    assert "Teruggestuurd" in version and reason in version
    overview = client.get("/").text
    assert 'id="teruggestuurd"' in overview and reason in text(overview)
    assert 'id="wacht-op-accordering"' not in approver.get("/").text  # sent back: not waiting
    # still a draft: the finding stays
    assert rules(register, "cb2026.3.1.") == {"cb2026.3.1.risk-acceptance"}
    stale = approver.post(f"{RISK}/1/terugsturen", data={"versie": "1", "reason": reason})
    assert stale.status_code == 409  # an old version: nothing happens twice
