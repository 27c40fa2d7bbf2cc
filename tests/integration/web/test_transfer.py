"""Import (upload, preview, commit all or nothing) and export (download, read back)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cloudtoets.io.read import read_inventory
from cloudtoets.server.app import create_app
from cloudtoets.services.context import Register
from cloudtoets.store.tables import RegistrationRow
from cloudtoets.web.transfer import pack

from .conftest import field_error, input_value, open_register, text, title

GOOD = b"""\
registrations:
  - id: bzk-nieuw-een
    organisation: bzk
    name: Nieuwe dienst een
    deployment: public
    provider: microsoft-ireland
    storage_countries: [NL]
    processing_countries: [NL]
  - id: bzk-nieuw-twee
    organisation: bzk
    deployment: private-internal
"""

BAD = b"""\
registrations:
  - id: bzk-fout-een
    organisation: bzk
    deployment: openbaar
  - id: bzk-fout-twee
    organisation: bzk
    deployment: public
    provider: bestaat-niet
    storage_countries: [XX]
"""


def count(register: Register) -> int:
    with register.sessions() as session:
        return session.scalar(select(func.count()).select_from(RegistrationRow)) or 0


def upload(client: TestClient, name: str, data: bytes) -> object:
    return client.post("/importeren", files={"bestand": (name, data, "application/octet-stream")})


def test_import_page_has_an_upload_form(client: TestClient) -> None:
    html = client.get("/importeren").text
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" id="bestand" name="bestand" accept=".yaml,.yml,.json,.xlsx,.csv"' in html


def test_preview_with_problems_lists_every_problem_and_stores_nothing(
    client: TestClient, register: Register
) -> None:
    before = count(register)
    response = upload(client, "inventaris.yaml", BAD)
    assert response.status_code == 422  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    page = text(html)
    assert title(html) == "Fout: Dit bestand kan niet worden geïmporteerd — cloudtoets"
    # a registration without provider is no problem any more: the provider is unknown
    assert "3 problemen" in page
    assert (
        "Registraties nr. 1 (id bzk-fout-een), veld deployment: Onbekende waarde 'openbaar'" in page
    )
    assert (
        "Registraties nr. 2 (id bzk-fout-twee), veld provider: Onbekende leverancier 'bestaat-niet'"
        in page
    )
    assert "Onbekende landcode 'XX'" in page
    assert "Importeer alles" not in page
    assert count(register) == before


def test_good_file_preview_then_commit_stores_everything(
    client: TestClient, register: Register
) -> None:
    before = count(register)
    response = upload(client, "inventaris.yaml", GOOD)
    html = response.text  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    page = text(html)
    assert "Wat de import verandert" in page
    assert "Registraties 2 0 0" in page  # new, changed, unchanged
    assert "Importeer alles" in page
    assert count(register) == before  # a preview stores nothing
    carried = {
        "bestand": input_value(html, "bestand"),
        "bestandsnaam": input_value(html, "bestandsnaam"),
    }
    assert carried["bestandsnaam"] == "inventaris.yaml"
    committed = client.post("/importeren/bevestigen", data=carried)
    assert committed.status_code == 303
    assert committed.headers["location"] == "/registraties"
    assert count(register) == before + 2
    listing = text(client.get("/registraties").text)
    assert "De inventaris is geïmporteerd: 2 nieuw, 0 gewijzigd en 0 ongewijzigd." in listing
    assert client.get("/registraties/bzk-nieuw-een").status_code == 200


def test_commit_of_a_bad_file_stores_nothing(client: TestClient, register: Register) -> None:
    before = count(register)
    response = client.post(
        "/importeren/bevestigen", data={"bestand": pack(BAD), "bestandsnaam": "inventaris.yaml"}
    )
    assert response.status_code == 422
    assert "De import is niet gelukt. Er is niets opgeslagen." in text(response.text)
    assert count(register) == before


def test_tampered_or_missing_carried_file(client: TestClient) -> None:
    assert (
        client.post(
            "/importeren/bevestigen", data={"bestand": "!!", "bestandsnaam": "a.yaml"}
        ).status_code
        == 400
    )
    assert client.post("/importeren/bevestigen", data={}).status_code == 400


def test_upload_without_a_file_empty_or_too_large(database_url: str) -> None:
    register = open_register(database_url, max_upload_bytes=100)
    try:
        from cloudtoets.store.migrate import upgrade

        upgrade(register.engine)
        client = TestClient(create_app(register=register))
        missing = client.post("/importeren", data={"x": "y"})
        assert missing.status_code == 422
        assert field_error(missing.text, "bestand") == "Kies het bestand dat u wilt importeren."
        assert title(missing.text).startswith("Fout: ")
        empty = upload(client, "leeg.yaml", b"")
        assert empty.status_code == 422  # type: ignore[attr-defined]
        large = upload(client, "groot.yaml", b"#" * 101)
        assert large.status_code == 413  # type: ignore[attr-defined]
        assert "groter dan" in (field_error(large.text, "bestand") or "")  # type: ignore[attr-defined]
    finally:
        register.close()


def test_unknown_format_is_a_problem(client: TestClient) -> None:
    response = upload(client, "inventaris.txt", b"hallo")
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "onbekend bestandsformaat" in text(response.text).lower()  # type: ignore[attr-defined]


def test_export_page(client: TestClient) -> None:
    html = client.get("/exporteren").text
    assert 'action="/exporteren/bestand"' in html and 'method="get"' in html
    assert 'name="formaat" value="xlsx"' in html
    wrong = client.get("/exporteren/bestand?formaat=pdf&organisatie=bestaat-niet")
    assert wrong.status_code == 422
    assert field_error(wrong.text, "formaat") == "Kies een bestandsformaat."
    assert field_error(wrong.text, "organisatie") == "Kies een organisatie uit de lijst."


@pytest.mark.parametrize(
    ("kind", "organisation", "expected"),
    [("xlsx", "bzk", 20), ("json", "bzk", 20), ("yaml", None, 194), ("csv", "uwv", 17)],
)
def test_export_downloads_read_back(
    client: TestClient, tmp_path: Path, kind: str, organisation: str | None, expected: int
) -> None:
    query = f"formaat={kind}" + (f"&organisatie={organisation}" if organisation else "")
    response = client.get(f"/exporteren/bestand?{query}")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert "attachment" in disposition
    assert f"cloudtoets-{organisation or 'register'}-2026-11-29.{kind}" in disposition
    path = tmp_path / f"export.{kind}"
    path.write_bytes(response.content)
    checked = read_inventory(path)
    assert len(checked.inventory.registrations) == expected
    if organisation:
        assert {r.organisation for r in checked.inventory.registrations} == {organisation}


def test_exported_workbook_imports_unchanged(client: TestClient) -> None:
    workbook = client.get("/exporteren/bestand?formaat=xlsx&organisatie=bzk").content
    html = upload(client, "bzk.xlsx", workbook).text  # type: ignore[attr-defined]
    assert "Registraties 0 0 20" in text(html)


WITH_EVIDENCE = b"""\
registrations:
  - id: bzk-met-bewijs
    organisation: bzk
    deployment: public
    provider: microsoft-ireland
    storage_countries: [NL]
    processing_countries: [NL]
    risk_assessment:
      date: 2026-01-15
      covers_lock_in: true
      covers_jurisdiction: true
      accepted_by: ikzelf
      accepted_on: 2026-01-20
"""


def test_the_import_says_what_it_does_not_take_over(client: TestClient, register: Register) -> None:
    """Evidence in the file is not stored (decision 30): the preview and the page after the
    import list it, per registration, in Dutch."""
    response = upload(client, "inventaris.yaml", WITH_EVIDENCE)
    assert response.status_code == 200  # type: ignore[attr-defined]
    html = response.text  # type: ignore[attr-defined]
    page = text(html)
    note = "Registratie bzk-met-bewijs: "
    assert "Opmerkingen bij de import" in page
    assert note in page
    notes = html.split('id="opmerkingen"', 1)[1].split("</ul>", 1)[0]
    assert notes.count("<li>") == 1 and "integrale risicoafweging" in notes.lower()
    carried = {
        "bestand": input_value(html, "bestand"),
        "bestandsnaam": input_value(html, "bestandsnaam"),
    }
    committed = client.post("/importeren/bevestigen", data=carried)
    assert committed.status_code == 200  # a page of its own, with the notes
    done = text(committed.text)
    assert title(committed.text) == "De inventaris is geïmporteerd — cloudtoets"
    assert "De import is gelukt: 1 nieuw, 0 gewijzigd en 0 ongewijzigd." in done
    assert "Opmerkingen bij de import" in done and note in done
    assert 'href="/registraties"' in committed.text
    assert client.get("/registraties/bzk-met-bewijs").status_code == 200
