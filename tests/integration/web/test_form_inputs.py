"""Forms say what is wrong where the reader looks: the error summary first in <main>, dates as
people type them, a warning for a start in the future, file syntax errors in Dutch with their
place, the template to download, and the words of docs/glossary.md."""

from __future__ import annotations

import datetime as dt
import io
import re

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from cloudtoets.services import registrations as registration_service
from cloudtoets.services.context import Register

from .conftest import CENTRAL, TODAY, field_error, input_value, text, title
from .test_risk_exit import EXIT, RISK, exit_form, filled, other_user
from .test_workflows import MATERIAL, version

NEW = "/registraties/nieuw"


def main_of(html: str) -> str:
    return html.split('<main class="ct-main" id="inhoud" tabindex="-1">', 1)[1]


def summary_first(html: str, summary_id: str = "foutoverzicht") -> list[str]:
    """The error summary opens <main>, before the heading, takes the focus, and each of its
    links points at an element of the page; returns the ids it links to."""
    main = main_of(html)
    start = main.index(f'id="{summary_id}"')
    assert start < main.index("<h1"), "the summary comes before the heading"
    assert "<form" not in main[:start] and "<p" not in main[:start]
    tag = main[main.rindex("<", 0, start) : main.index(">", start) + 1]
    assert 'tabindex="-1"' in tag and "autofocus" in tag
    block = main[start:].split("</ul>", 1)[0]
    targets = re.findall(r'href="#([^"]+)"', block)
    assert targets
    for target in targets:
        assert f'id="{target}"' in html, target
    return targets


def registration_form(**changes: str) -> dict[str, str]:
    data = {"id": "bzk-datums", "organisation": "bzk", "name": "Datums", "deployment": "public"}
    data.update(changes)
    return data


# ------------------------------------------------------------------------------ dates


def test_a_date_is_read_the_dutch_and_the_iso_way(client: TestClient, register: Register) -> None:
    for number, typed in enumerate(("3-7-2026", "03-07-2026", "2026-07-03")):
        rid = f"bzk-datum-{number}"
        saved = client.post(NEW, data=registration_form(id=rid, in_use_since=typed))
        assert saved.status_code == 303, typed
        stored = registration_service.get_registration(register, CENTRAL, rid).registration
        assert stored.in_use_since == dt.date(2026, 7, 3), typed
    # the form shows a stored date the way the hint writes it
    edit = client.get("/registraties/bzk-datum-2/bewerken").text
    assert input_value(edit, "in_use_since") == "3-7-2026"
    assert 'type="date"' not in edit  # a date input would empty a wrong date
    assert "bijvoorbeeld 3-7-2026" in text(edit)


def test_a_wrong_date_comes_back_as_typed_with_a_dutch_message(client: TestClient) -> None:
    wrong = client.post(NEW, data=registration_form(in_use_since="31-02-2026"))
    assert wrong.status_code == 422
    html = wrong.text
    assert title(html).startswith("Fout: ")
    assert input_value(html, "in_use_since") == "31-02-2026"
    assert field_error(html, "in_use_since") == (
        "31-02-2026 bestaat niet. Schrijf de datum als 3-7-2026."
    )
    assert summary_first(html) == ["in_use_since"]
    assert "JJJJ" not in text(html) and "2026-02-31" not in html


def test_a_start_in_the_future_is_saved_with_a_warning(
    client: TestClient, register: Register
) -> None:
    future = TODAY + dt.timedelta(days=40)
    typed = f"{future.day}-{future.month}-{future.year}"
    saved = client.post(NEW, data=registration_form(in_use_since=typed))
    assert saved.status_code == 303
    stored = registration_service.get_registration(register, CENTRAL, "bzk-datums").registration
    assert stored.in_use_since == future
    page = text(client.get(saved.headers["location"]).text)
    assert f"Let op: In gebruik sinds ({typed}) ligt in de toekomst." in page
    # today itself is no warning (today comes from the register's clock, not the machine's)
    today = f"{TODAY.day}-{TODAY.month}-{TODAY.year}"
    again = client.post(NEW, data=registration_form(id="bzk-vandaag", in_use_since=today))
    assert "ligt in de toekomst" not in text(client.get(again.headers["location"]).text)


def test_the_accept_form_puts_its_summary_first(client: TestClient, register: Register) -> None:
    html = client.get(f"{RISK}/bewerken").text
    assert client.post(f"{RISK}/bewerken", data=filled(html)).status_code == 303
    approver = other_user(register)
    refused = approver.post(
        f"{RISK}/1/accorderen",
        data={"versie": "1", "accepted_by_name": "E. Heinen", "accepted_on": "31-02-2026"},
    )
    assert refused.status_code == 422
    page = refused.text
    assert summary_first(page) == ["accepted_by_role", "accepted_on"]
    assert input_value(page, "accepted_on") == "31-02-2026"
    assert field_error(page, "accepted_on") == (
        "31-02-2026 bestaat niet. Schrijf de datum als 3-7-2026."
    )
    # the visible word is the letter's, the address stays
    assert "Integrale risicoafweging, versie 1" in text(page)
    assert "isicoanalyse" not in text(page)


def test_the_exit_plan_test_and_review_forms_put_their_summary_first(
    client: TestClient,
) -> None:
    assert client.post(f"{EXIT}/bewerken", data=exit_form()).status_code == 303
    plan = client.get(EXIT).text
    tested = client.post(
        f"{EXIT}/test", data={"versie": version(plan), "tested_on": "3-13-2026", "notes": ""}
    )
    assert tested.status_code == 422
    assert summary_first(tested.text) == ["tested_on", "result"]
    assert input_value(tested.text, "tested_on") == "3-13-2026"
    reviewed = client.post(
        f"{EXIT}/beoordeling", data={"versie": version(plan), "reviewed_on": "morgen"}
    )
    assert reviewed.status_code == 422
    assert summary_first(reviewed.text, "foutoverzicht-beoordeling") == ["reviewed_on"]
    assert field_error(reviewed.text, "reviewed_on") == (
        '"morgen" is geen datum. Schrijf de datum als 3-7-2026.'
    )
    # a Dutch date is taken, like an ISO one
    ok = client.post(
        f"{EXIT}/test", data={"versie": version(plan), "tested_on": "1-11-2026", "result": "passed"}
    )
    assert ok.status_code == 303


# ------------------------------------------------------------------------------ import


def upload(client: TestClient, name: str, data: bytes) -> str:
    response = client.post(
        "/importeren", files={"bestand": (name, data, "application/octet-stream")}
    )
    assert response.status_code == 422
    return text(response.text)


ENGLISH = ("did not find", "while parsing", "expected", "line ", "column", "unexpected")


def test_syntax_errors_are_dutch_with_line_and_column(client: TestClient) -> None:
    yaml_page = upload(
        client,
        "inventaris.yaml",
        b"organisations:\n  - id: bzk\n    name: [BZK\nregistrations: []\n",
    )
    assert (
        "Regel 4, kolom 14: Geen geldige YAML: een lijst tussen [ en ] is niet goed afgesloten"
        in yaml_page
    )
    assert "(begonnen op regel 3)" in yaml_page
    tab_page = upload(client, "inventaris.yml", b"registrations:\n\t- id: x\n")
    assert (
        "Regel 2, kolom 1: Geen geldige YAML: hier staat een tab; spring in met spaties" in tab_page
    )
    json_page = upload(client, "inventaris.json", b'{"organisations": [\n  {"id": "a",, }\n]}')
    assert "Regel 2, kolom 14:" in json_page
    comma_page = upload(client, "inventaris.json", b'{"registrations": [],\n}')
    assert (
        "Regel 1, kolom 21: Geen geldige JSON: na de laatste waarde staat een komma; haal die weg"
        in comma_page
    )
    xlsx_page = upload(client, "inventaris.xlsx", b"geen werkmap")
    assert "geen geldig Excel-werkboek" in xlsx_page
    for page in (yaml_page, tab_page, json_page, comma_page, xlsx_page):
        assert not any(word in page for word in ENGLISH), page


def test_the_import_page_offers_the_template(client: TestClient) -> None:
    page = client.get("/importeren").text
    assert 'href="/importeren/sjabloon"' in page
    assert "cloudtoets template" not in page
    download = client.get("/importeren/sjabloon")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="cloudtoets-inventaris.xlsx"' in download.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(download.content), read_only=True)
    assert {"registrations", "organisations", "providers"} <= {
        name.lower() for name in workbook.sheetnames
    } or len(workbook.sheetnames) >= 3


# ------------------------------------------------------------------------------ notification


def test_the_notification_names_the_provider_and_keeps_line_breaks(client: TestClient) -> None:
    url = client.post(f"/registraties/{MATERIAL}/meldingen/nieuw").headers["location"]
    assert client.post(f"{url}/indienen", data={"versie": "1"}).status_code == 303
    sent = client.get(url).text
    assert client.post(f"{url}/ontvangen", data={"versie": version(sent)}).status_code == 303
    received = client.get(url).text
    assert "In behandeling bij CIO Rijk" in text(received)
    question = "Twee vragen:\n1. Is de exit getest?\n2. Waar staan de back-ups?"
    asked = client.post(f"{url}/vraag", data={"versie": version(received), "text": question})
    assert asked.status_code == 303
    page = client.get(url).text
    # the provider by its name, not its code
    facts = page.split('id="momentopname"', 1)[1].split("</dl>", 1)[0]
    provider = re.search(r"Leverancier</dt>\s*<dd[^>]*>(.*?)</dd>", facts, re.S)
    assert provider is not None and "Amazon" in text(provider.group(1))
    assert "aws-emea" not in text(provider.group(1))
    # the question keeps its lines: escaped text in an element that shows line breaks
    shown = re.search(r'<p class="nl-paragraph ct-message-text">(.*?)</p>', page, re.S)
    assert shown is not None and shown.group(1) == question
    assert "Status" in text(page) and "Toestand" not in text(page)
