"""Tenant isolation: another organisation's objects are 404, never 403, on every endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cloudtoets.server.app import create_app
from cloudtoets.services.context import Register

from .conftest import API, EXAMPLE, as_user_of, assert_problem, client_for, count_registrations

BZK_REGISTRATION = f"{API}/registrations/bzk-m365-mail"


@pytest.fixture
def uwv_client(register: Register) -> Iterator[TestClient]:
    """The local user limited to UWV, on a register that holds only BZK's organisations."""
    with client_for(create_app(register=as_user_of(register, "uwv"))) as client:
        yield client


def test_another_organisations_registration_reads_as_missing(
    uwv_client: TestClient, client: TestClient
) -> None:
    hidden = assert_problem(uwv_client.get(BZK_REGISTRATION), 404, "niet-gevonden")
    missing = assert_problem(
        uwv_client.get(f"{API}/registrations/bestaat-niet"), 404, "niet-gevonden"
    )
    assert hidden["title"] == missing["title"]
    assert hidden["detail"] == "Registratie 'bzk-m365-mail' bestaat niet, of u mag deze niet zien."
    for path in ("decisions", "history"):
        assert_problem(uwv_client.get(f"{BZK_REGISTRATION}/{path}"), 404, "niet-gevonden")
    assert_problem(uwv_client.post(f"{BZK_REGISTRATION}/evaluate"), 404, "niet-gevonden")
    assert client.get(BZK_REGISTRATION).status_code == 200  # the central user sees it


def test_another_organisations_registration_cannot_be_changed_or_deleted(
    uwv_client: TestClient, client: TestClient, register: Register
) -> None:
    body = client.get(BZK_REGISTRATION).json()
    changed = {**body, "name": "Overgenomen"}
    response = uwv_client.put(BZK_REGISTRATION, json=changed, headers={"If-Match": '"v1"'})
    assert_problem(response, 404, "niet-gevonden")
    assert_problem(
        uwv_client.delete(BZK_REGISTRATION, headers={"If-Match": '"v1"'}), 404, "niet-gevonden"
    )
    created = uwv_client.post(f"{API}/registrations", json={**body, "id": "uwv-kopie"})
    problem = assert_problem(created, 422, "ongeldige-invoer")
    assert problem["errors"] == [
        {
            "where": "veld organisation",
            "field": "organisation",
            "message": "onbekende organisatie 'bzk'",
            "record": {"list": "registrations", "index": 0},
        }
    ]
    assert client.get(BZK_REGISTRATION).json()["name"] == body["name"]
    assert count_registrations(register) == 32


def test_lists_and_counts_hold_only_the_users_organisations(uwv_client: TestClient) -> None:
    page = uwv_client.get(f"{API}/registrations").json()
    assert page["items"] == [] and page["total"] == 0
    by_filter = uwv_client.get(f"{API}/registrations", params={"organisation": "bzk"}).json()
    assert by_filter["items"] == [] and by_filter["total"] == 0
    assert uwv_client.get(f"{API}/organisations").json() == {"items": [], "total": 0}
    assert_problem(uwv_client.get(f"{API}/organisations/bzk"), 404, "niet-gevonden")
    providers = uwv_client.get(f"{API}/providers").json()["items"]
    assert {p["source"] for p in providers} == {"catalogue"}  # not BZK's own visma-raet
    assert_problem(uwv_client.get(f"{API}/providers/visma-raet"), 404, "niet-gevonden")
    assert_problem(
        uwv_client.get(f"{API}/providers/microsoft-ireland", params={"organisation": "bzk"}),
        404,
        "niet-gevonden",
    )


def test_export_and_import_stay_within_the_users_organisations(
    uwv_client: TestClient, register: Register
) -> None:
    exported = uwv_client.get(f"{API}/inventory/export", params={"format": "json"}).json()
    assert exported == {"organisations": [], "providers": [], "registrations": []}
    only_bzk = uwv_client.get(
        f"{API}/inventory/export", params={"format": "json", "organisation": "bzk"}
    ).json()
    assert only_bzk["registrations"] == []
    response = uwv_client.post(
        f"{API}/inventory/import", files={"file": ("bzk.yaml", EXAMPLE.read_bytes())}
    )
    body = assert_problem(response, 422, "ongeldige-invoer")
    assert {e["where"] for e in body["errors"]} >= {"organisatie bzk"}
    assert all(
        e["message"] == "u mag geen gegevens van deze organisatie importeren"
        for e in body["errors"]
    )
    assert count_registrations(register) == 32
