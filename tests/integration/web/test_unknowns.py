"""What is not known, on the pages (unknowns.md): the verdict range of an incomplete result, its
possible findings, the questions with links to the form field that answers each, and the form
that shows an unknown fact as Onbekend."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cloudtoets.presentation import texts
from cloudtoets.services import registrations as service
from cloudtoets.services.context import Register
from cloudtoets.web.forms import values_from_registration

from .conftest import CENTRAL, input_value, text


def test_incomplete_verdict_shows_its_range_possible_findings_and_questions(
    shared_client: TestClient,
) -> None:
    html = shared_client.get("/registraties/fin-ai-wetsanalyse").text
    page = text(html)
    assert "Oordeel: onvolledig" in page
    assert "Onvolledig: tussen toegestaan en niet toegestaan." in page
    assert 'class="ct-verdict ct-verdict--incomplete"' in html
    assert "ct-finding--possible" in html and "mogelijk" in page
    section = html.split('id="vragen"', 1)[1].split("</section>", 1)[0]
    links = re.findall(r'<a class="nl-link" href="([^"]+)">([^<]+)</a>', section)
    assert links == [
        (
            "/registraties/fin-ai-wetsanalyse/bewerken#classification",
            "Welke rubricering heeft de informatie (of is die ongerubriceerd)?",
        )
    ]
    assert "Het oordeel staat nog niet vast" in page
    history = text(html.split('id="oordelen-tabel"', 1)[1].split("</table>", 1)[0])
    assert "onvolledig tussen toegestaan en niet toegestaan" in history
    # the facts say what is unknown
    assert re.search(r"Rubricering\S* Onbekend", page) or "Onbekend" in page


def test_certain_verdict_with_open_questions_lists_them(shared_client: TestClient) -> None:
    html = shared_client.get("/registraties/vws-zorgmonitor").text
    page = text(html)
    assert "Oordeel: niet toegestaan" in page
    assert "tussen" not in page.split("Open vragen", 1)[0].split("Oordeel:", 1)[1]
    assert "Het oordeel staat vast. Maar niet alles is bekend" in page
    assert "/registraties/vws-zorgmonitor/bewerken#encrypted_at_rest" in html
    assert "/registraties/vws-zorgmonitor/bewerken#encrypted_in_transit" in html


def test_unknown_deployment_and_open_chain(shared_client: TestClient) -> None:
    page = text(shared_client.get("/registraties/duo-scholenoverleg").text)
    assert "Publieke cloud Onbekend" in page
    assert (
        "/registraties/duo-scholenoverleg/bewerken#deployment"
        in shared_client.get("/registraties/duo-scholenoverleg").text
    )
    html = shared_client.get("/registraties/rws-klimaatscenario").text
    assert "Misschien meer: niet alle leveranciers zijn bekend" in text(html)
    # a list fact's question goes to its first choice (Onbekend / Geen / Deze)
    assert "/registraties/rws-klimaatscenario/bewerken#subprocessors-keuze" in html
    assert "/registraties/rws-klimaatscenario/bewerken#core_task" in html


def test_a_complete_registration_has_no_questions(shared_client: TestClient) -> None:
    html = shared_client.get("/registraties/fin-chatbot-belastingvragen").text
    assert 'id="vragen"' not in html and "mogelijk" not in text(html)


def test_the_anchor_of_each_question_is_on_the_edit_page(shared_client: TestClient) -> None:
    html = shared_client.get("/registraties/rws-klimaatscenario/bewerken").text
    # the list fact's first choice has the field's id, and the stored gap is chosen
    assert re.search(
        r'id="subprocessors-keuze" name="subprocessors-keuze" value="onbekend"\s+checked', html
    )
    assert re.search(r'id="key_custody-4" name="key_custody" value="onbekend"\s+checked', html) or (
        re.search(r'name="key_custody" value="onbekend"\s+checked', html)
    )
    assert 'id="key_custody"' in html


def test_the_list_and_the_overview_know_onvolledig(shared_client: TestClient) -> None:
    html = shared_client.get("/registraties?oordeel=incomplete").text
    page = text(html)
    for key in ("fin-ai-wetsanalyse", "duo-scholenoverleg", "rws-klimaatscenario"):
        assert key in html
    assert "vws-zorgmonitor" not in html
    row = html.split("/registraties/duo-scholenoverleg", 1)[1].split("</tr>", 1)[0]
    assert '<span class="ct-muted">onbekend</span>' in row  # the unknown deployment model
    assert '<option value="incomplete" selected>onvolledig</option>' in html
    assert "onvolledig" in page
    overview = shared_client.get("/").text
    assert "ct-card--incomplete" in overview


def test_answering_a_question_by_the_form_settles_the_verdict(
    client: TestClient, register: Register
) -> None:
    form = client.get("/registraties/fin-ai-wetsanalyse/bewerken").text
    version = input_value(form, "versie")
    stored = service.get_registration(register, CENTRAL, "fin-ai-wetsanalyse")
    assert stored.decision.verdict == "incomplete"
    # post the form as the browser would: every value as shown, classification answered
    values = values_from_registration(stored.registration)
    values["classification"] = "none"
    values["versie"] = version or ""
    response = client.post("/registraties/fin-ai-wetsanalyse/bewerken", data=values)
    assert response.status_code == 303, response.text[:2000]
    after = service.get_registration(register, CENTRAL, "fin-ai-wetsanalyse")
    assert after.registration.classification == "none"
    assert after.decision.verdict == "allowed" and after.decision.questions == ()
    # nothing else became known or unknown on the way
    assert after.registration.encrypted_at_rest is stored.registration.encrypted_at_rest
    assert after.registration.functions == stored.registration.functions


def test_the_list_sorts_a_result_by_its_worst_verdict_and_shows_the_range(
    shared_client: TestClient,
) -> None:
    html = shared_client.get("/registraties?sort=verdict").text
    order = list(texts.VERDICTS)  # worst first
    worst = []
    for row in html.split("<tbody", 1)[1].split("</tbody>", 1)[0].split("</tr>")[:-1]:
        label = re.search(r'class="ct-verdict ct-verdict--([a-z-]+)"', row)
        assert label is not None
        shown = re.search(r'class="ct-verdict-range">tussen [^<]+ en ([^<]+)</span>', row)
        if label.group(1) == "incomplete":
            assert shown is not None  # an incomplete verdict shows its range
            worst.append(next(k for k, v in texts.VERDICTS.items() if v == shown.group(1)))
        else:
            assert shown is None
            worst.append(label.group(1))
    assert worst == sorted(worst, key=order.index)  # sorted by the worst verdict
    assert worst[0] == "not-allowed" and "incomplete" in html
    assert 'href="/registraties?sort=-verdict"' in html  # the column sorts both ways


def test_the_list_filters_on_worst_verdict_and_unknown_fact(shared_client: TestClient) -> None:
    html = shared_client.get("/registraties?onbekend=deployment").text
    assert '<option value="deployment" selected>' in html
    assert "duo-scholenoverleg" in html and "fin-ai-wetsanalyse" not in html
    html = shared_client.get("/registraties?slechtste=not-allowed&oordeel=incomplete").text
    assert "fin-ai-wetsanalyse" in html and "kadaster-bestandsdeling" in html
    assert "vws-zorgmonitor" not in html  # certain: not incomplete
    html = shared_client.get("/registraties?onbekend=bestaat-niet").text  # not chosen
    assert "registraties gevonden" not in text(html)


def test_monitoring_questions_lead_to_the_registrations_that_ask_them(
    shared_client: TestClient,
) -> None:
    html = shared_client.get("/monitoring").text
    section = html.split('id="eerst-vragen-tabel"', 1)[1].split("</table>", 1)[0]
    link = "/registraties?oordeel=incomplete&amp;onbekend=deployment"
    assert f'href="{link}"' in section
    listed = shared_client.get(link.replace("&amp;", "&")).text
    assert "duo-scholenoverleg" in listed
    html = shared_client.get("/monitoring?organisatie=duo").text
    assert "onbekend=deployment&amp;organisatie=duo" in html
