"""Inventories over the API: evaluate as `cloudtoets check` does, import all or nothing, export."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from cloudtoets.io.read import read_inventory
from cloudtoets.io.write import write_inventory
from cloudtoets.server.app import create_app
from cloudtoets.services.context import Register
from cloudtoets.yaml12 import load_yaml

from .conftest import API, EXAMPLE, TODAY, assert_problem, client_for, count_registrations

CLI = str(Path(sys.executable).with_name("cloudtoets"))
EVALUATE = f"{API}/inventory/evaluate"
PREVIEW = f"{API}/inventory/import/preview"
IMPORT = f"{API}/inventory/import"
EXPORT = f"{API}/inventory/export"


def example_json() -> bytes:
    return orjson.dumps(load_yaml(EXAMPLE.read_bytes()))


def upload(name: str, data: bytes) -> dict[str, tuple[str, bytes]]:
    return {"file": (name, data)}


# --- evaluate ---------------------------------------------------------------------------------


def test_evaluating_an_inventory_gives_exactly_what_cloudtoets_check_prints(
    empty_client: TestClient,
) -> None:
    check = subprocess.run(
        [CLI, "check", str(EXAMPLE), "--as-of", TODAY.isoformat(), "--format", "json"],
        capture_output=True,
        check=False,
    )
    assert check.returncode == 1, check.stderr  # the example has not-allowed registrations
    response = empty_client.post(
        EVALUATE,
        params={"as_of": TODAY.isoformat()},
        content=example_json(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == orjson.loads(check.stdout)
    assert response.content == check.stdout  # byte for byte
    assert response.json()["summary"]["by_verdict"] == {
        "not-allowed": 5,
        "transition": 7,
        "advised-against": 5,
        "allowed-with-conditions": 5,
        "allowed": 9,
        "incomplete": 1,  # bzk-websites-leaseweb: deployment and open data unknown
    }


def test_an_invalid_inventory_lists_every_problem_and_evaluates_nothing(
    empty_client: TestClient,
) -> None:
    document = load_yaml(EXAMPLE.read_bytes())
    document["registrations"][0]["deployment"] = "publiek"
    document["registrations"][3]["storage_countries"] = ["XX"]
    response = empty_client.post(EVALUATE, content=orjson.dumps(document))
    body = assert_problem(response, 422, "ongeldige-invoer")
    assert str(body["detail"]).endswith("Er is niets getoetst.")
    errors = body["errors"]
    assert isinstance(errors, list) and len(errors) == 2
    first_id = document["registrations"][0]["id"]
    assert errors[0]["where"] == f"registraties nr. 1 (id {first_id}), veld deployment"
    assert errors[0]["field"] == "deployment"
    assert errors[0]["record"] == {"list": "registrations", "index": 0}
    assert errors[1]["record"] == {"list": "registrations", "index": 3}
    assert "XX" in errors[1]["message"]
    not_json = empty_client.post(EVALUATE, content=b"registrations: []")
    (error,) = assert_problem(not_json, 422, "ongeldige-invoer")["errors"]
    assert error["where"] == "regel 1, kolom 1" and error["message"].startswith("geen geldige JSON")


def test_only_built_in_policies_can_be_chosen(empty_client: TestClient) -> None:
    for policy in ("bestaat-niet", "/etc/passwd", "../../README.md"):
        response = empty_client.post(EVALUATE, params={"policy": policy}, content=example_json())
        body = assert_problem(response, 422, "ongeldige-invoer")
        assert body["errors"][0]["field"] == "policy"
        message = body["errors"][0]["message"]
        assert message.startswith(f"onbekend beleid '{policy}'; kies uit ")
        assert "rijksbreed-cloudbeleid-2026" in message
    variant = empty_client.post(
        EVALUATE,
        params={"policy": "rijksbreed-cloudbeleid-2026-eer-ch", "as_of": TODAY.isoformat()},
        content=example_json(),
    )
    assert variant.status_code == 200
    assert variant.json()["policy"]["id"] == "rijksbreed-cloudbeleid-2026-eer-ch"


# --- import -------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".xlsx"])
def test_preview_says_what_an_import_changes_and_the_import_stores_it(
    empty_client: TestClient, empty_register: Register, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"bzk{suffix}"
    write_inventory(read_inventory(EXAMPLE).inventory, path)
    data = path.read_bytes()

    preview = empty_client.post(PREVIEW, files=upload(path.name, data))
    assert preview.status_code == 200, preview.text
    plan = preview.json()
    assert plan["ok"] is True and plan["problems"] == []
    assert plan["source"] == path.name
    assert len(plan["registrations"]["new"]) == 32
    assert sorted(plan["organisations"]["new"]) == ["bzk", "logius", "rvig", "ssc-ict"]
    assert sum(plan["verdicts"].values()) == 32
    assert count_registrations(empty_register) == 0

    stored = empty_client.post(IMPORT, files=upload(path.name, data))
    assert stored.status_code == 200, stored.text
    assert stored.json()["verdicts"] == plan["verdicts"]
    assert count_registrations(empty_register) == 32

    again = empty_client.post(PREVIEW, files=upload(path.name, data)).json()
    assert len(again["registrations"]["unchanged"]) == 32 and again["registrations"]["new"] == []


def test_a_bad_file_stores_nothing_and_names_every_problem(
    empty_client: TestClient, empty_register: Register
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("deployment: public", "deployment: publiek", 1)
    text = text.replace("provider: microsoft-ireland", "provider: microsoft-ierland", 1)
    bad = text.encode()

    preview = empty_client.post(PREVIEW, files=upload("bzk.yaml", bad))
    assert preview.status_code == 200
    assert preview.json()["ok"] is False
    assert len(preview.json()["problems"]) == 2

    before = count_registrations(empty_register)
    response = empty_client.post(IMPORT, files=upload("bzk.yaml", bad))
    body = assert_problem(response, 422, "ongeldige-invoer")
    messages = " ".join(e["message"] for e in body["errors"])
    assert "publiek" in messages and "microsoft-ierland" in messages
    assert "bzk.yaml" in str(body["detail"]) and "niets opgeslagen" in str(body["detail"])
    assert count_registrations(empty_register) == before == 0


def test_an_upload_of_an_unknown_format_or_without_a_file_is_a_dutch_problem(
    empty_client: TestClient,
) -> None:
    unknown = assert_problem(
        empty_client.post(IMPORT, files=upload("bzk.txt", b"x")), 422, "ongeldige-invoer"
    )
    assert "onbekend bestandsformaat" in unknown["errors"][0]["message"]
    missing = assert_problem(empty_client.post(IMPORT), 422, "ongeldige-invoer")
    assert missing["errors"] == [
        {"where": "veld file", "field": "file", "message": "dit veld is verplicht; vul het in"}
    ]


def test_an_oversized_upload_is_refused_with_413_and_stores_nothing(
    empty_register: Register,
) -> None:
    settings = empty_register.settings.model_copy(update={"max_upload_bytes": 4096})
    small = dataclasses.replace(empty_register, settings=settings)
    data = EXAMPLE.read_bytes()  # about 30 kB
    assert 4096 < len(data) < 4096 + 64 * 1024  # passes the body limit, not the file limit
    with client_for(create_app(register=small)) as client:
        for url in (PREVIEW, IMPORT):
            body = assert_problem(client.post(url, files=upload("bzk.yaml", data)), 413, "te-groot")
            assert body["detail"] == (
                "Het verzoek is groter dan 4 kB, het maximum. Splits het bestand op in kleinere "
                "delen."
            )
        huge = b"x" * (4096 + 64 * 1024 + 1)  # refused on its Content-Length, unread
        assert_problem(client.post(IMPORT, files=upload("bzk.yaml", huge)), 413, "te-groot")
        assert_problem(client.post(EVALUATE, content=huge), 413, "te-groot")

        def chunks() -> object:  # no Content-Length: refused while it streams in
            for _ in range(100):
                yield b"x" * 1024

        assert_problem(client.post(EVALUATE, content=chunks()), 413, "te-groot")
    assert count_registrations(empty_register) == 0


# --- export -------------------------------------------------------------------------------------


MEDIA_TYPES = {
    "json": "application/json",
    "yaml": "application/yaml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def download(client: TestClient, tmp_path: Path, fmt: str, **params: str) -> Path:
    response = client.get(EXPORT, params={"format": fmt, **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == MEDIA_TYPES[fmt]
    name = f"cloudtoets-{params.get('organisation', 'register')}-{TODAY.isoformat()}.{fmt}"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    path = tmp_path / name
    path.write_bytes(response.content)
    return path


def test_every_export_format_reads_back_as_the_register(client: TestClient, tmp_path: Path) -> None:
    original = read_inventory(EXAMPLE).inventory
    by_id = {r.id: r for r in original.registrations}
    for fmt in ("json", "yaml", "xlsx"):
        inventory = read_inventory(download(client, tmp_path, fmt)).inventory
        assert {r.id: r for r in inventory.registrations} == by_id, fmt
        assert {o.id for o in inventory.organisations} == {"bzk", "logius", "rvig", "ssc-ict"}
        assert [p.id for p in inventory.providers] == ["visma-raet"]
    # CSV holds the registrations without justifications (io/csv_format.py); organisations and
    # providers come from side files
    side = download(client, tmp_path, "json")
    csv = read_inventory(
        download(client, tmp_path, "csv"), organisations_file=side, providers_file=side
    ).inventory
    assert {r.id: r for r in csv.registrations} == {
        r.id: dataclasses.replace(r, justifications=[]) for r in original.registrations
    }


def test_an_export_of_one_organisation_holds_only_its_registrations(
    client: TestClient, tmp_path: Path
) -> None:
    path = download(client, tmp_path, "json", organisation="logius")
    document = orjson.loads(path.read_bytes())
    assert {r["organisation"] for r in document["registrations"]} == {"logius"}
    assert len(document["registrations"]) == 4
    assert [o["id"] for o in document["organisations"]] == ["logius"]


def test_an_unknown_export_format_is_refused(client: TestClient) -> None:
    body = assert_problem(client.get(EXPORT, params={"format": "pdf"}), 422, "ongeldige-invoer")
    assert body["errors"][0]["field"] == "format"
