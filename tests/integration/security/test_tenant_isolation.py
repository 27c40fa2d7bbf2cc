"""Tenant isolation beyond the route walk: what one request cannot show, but a sequence can.

The route walk calls every route once per caller and organisation. These tests cover paths that
need a set-up: a registration id that another organisation used before, moving a registration
to another organisation, the import preview as an oracle, and the totals central roles see.

ASVS: v5.0.0-8.2.2 (data-specific access: no IDOR/BOLA), v5.0.0-8.2.3 (field level),
v5.0.0-8.4.1 (multi-tenant isolation).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from cloudtoets.io.write import inventory_document
from cloudtoets.services.context import Register
from cloudtoets.services.imports import export_inventory
from cloudtoets.web.forms import values_from_registration

from .conftest import (
    API,
    OPERATOR,
    ORIGIN,
    bearer,
    browser,
    facts_body,
    log_in,
    registration_ids,
    snapshot,
    stored,
    token_for,
    version_of,
)

REUSED = "gedeeld-kenmerk"
SECRET = "Vertrouwelijke naam van Financiën"


@pytest.fixture
def tokens(register: Register) -> dict[str, dict[str, str]]:
    return {
        name: bearer(token_for(register, name)) for name in ("bewerker", "bewerker-uwv", "lezer")
    }


@pytest.fixture
def reused(
    client: TestClient, register: Register, tokens: dict[str, dict[str, str]]
) -> Iterator[None]:
    """fin adds a registration, renames and deletes it; then uwv adds one with the same id."""
    fin = facts_body(register, "fin-m365-mail")
    uwv = facts_body(register, "uwv-m365-mail")
    created = client.post(
        f"{API}/registrations",
        json={**fin, "id": REUSED, "name": "Eerst"},
        headers=tokens["bewerker"],
    )
    assert created.status_code == 201
    renamed = client.put(
        f"{API}/registrations/{REUSED}",
        json={**fin, "id": REUSED, "name": SECRET},
        headers={**tokens["bewerker"], "If-Match": '"v1"'},
    )
    assert renamed.status_code == 200
    deleted = client.delete(
        f"{API}/registrations/{REUSED}", headers={**tokens["bewerker"], "If-Match": '"v2"'}
    )
    assert deleted.status_code == 204
    again = client.post(
        f"{API}/registrations",
        json={**uwv, "id": REUSED, "name": "Van UWV", "risk_assessment": None},
        headers=tokens["bewerker-uwv"],
    )
    assert again.status_code == 201, again.text
    yield


def _organisations_in(items: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for item in items:
        for side in ("before", "after", "input"):
            value = item.get(side)
            if isinstance(value, dict) and "organisation" in value:
                found.add(value["organisation"])
    return found


def test_history_of_a_reused_id_shows_only_ones_own_rows(
    client: TestClient, reused: None, tokens: dict[str, dict[str, str]]
) -> None:
    response = client.get(f"{API}/registrations/{REUSED}/history", headers=tokens["bewerker-uwv"])
    assert response.status_code == 200
    assert SECRET not in response.text
    assert _organisations_in(response.json()["items"]) <= {"uwv"}


def test_the_detail_page_of_a_reused_id_shows_only_ones_own_history(
    app: FastAPI, reused: None
) -> None:
    page = log_in(browser(app), "bewerker-uwv").client.get(f"/registraties/{REUSED}")
    assert page.status_code == 200
    assert "Vertrouwelijke naam" not in page.text


def test_history_of_a_deleted_id_shows_not_the_new_owners_rows(
    client: TestClient, reused: None, tokens: dict[str, dict[str, str]]
) -> None:
    response = client.get(f"{API}/registrations/{REUSED}/history", headers=tokens["bewerker"])
    assert response.status_code in (200, 404)
    assert "Van UWV" not in response.text
    if response.status_code == 200:
        assert _organisations_in(response.json()["items"]) <= {"fin"}


def test_decisions_of_a_reused_id_show_only_ones_own(
    client: TestClient, reused: None, tokens: dict[str, dict[str, str]]
) -> None:
    response = client.get(f"{API}/registrations/{REUSED}/decisions", headers=tokens["bewerker-uwv"])
    assert response.status_code == 200
    assert SECRET not in response.text
    assert _organisations_in(response.json()["items"]) <= {"uwv"}


def _uwv_file(register: Register, name: str | None = None) -> bytes:
    inventory = export_inventory(register, OPERATOR, "uwv")
    inventory.registrations = [r for r in inventory.registrations if r.id == "uwv-m365-mail"]
    if name is not None:
        inventory.registrations[0].name = name
    return orjson.dumps(inventory_document(inventory))


def test_the_import_preview_is_no_oracle_on_another_organisations_data(
    client: TestClient, register: Register, tokens: dict[str, dict[str, str]]
) -> None:
    answers = []
    for data in (_uwv_file(register), _uwv_file(register, "Een gok")):
        response = client.post(
            f"{API}/inventory/import/preview",
            files={"file": ("uwv.json", data, "application/json")},
            headers=tokens["bewerker"],
        )
        assert response.status_code == 200
        body = response.json()
        assert body["ok"] is False
        answers.append((body["registrations"], body["organisations"], body["providers"]))
    assert answers[0] == answers[1], answers


def test_a_registration_cannot_be_moved_to_another_organisation(
    app: FastAPI, client: TestClient, register: Register, tokens: dict[str, dict[str, str]]
) -> None:
    target = "fin-zivver"
    before = snapshot(register)
    body = facts_body(register, target)
    moved = client.put(
        f"{API}/registrations/{target}",
        json={**body, "organisation": "uwv"},
        headers={**tokens["bewerker"], "If-Match": f'"v{version_of(register, target)}"'},
    )
    assert moved.status_code in (404, 422), moved.text
    editor = log_in(browser(app), "bewerker")
    values = values_from_registration(stored(register, target).registration)
    form = editor.client.post(
        f"/registraties/{target}/bewerken",
        data={
            **values,
            "organisation": "uwv",
            "versie": str(version_of(register, target)),
            "csrf_token": editor.csrf,
        },
        headers={"Origin": ORIGIN},
    )
    assert form.status_code in (404, 422)
    assert stored(register, target).registration.organisation == "fin"
    assert snapshot(register) == before


def test_an_organisation_cannot_import_for_another_even_in_its_own_file(
    client: TestClient, register: Register, tokens: dict[str, dict[str, str]]
) -> None:
    """A fin file whose registration says organisation uwv: refused, nothing stored."""
    inventory = export_inventory(register, OPERATOR, "fin")
    inventory.registrations = [r for r in inventory.registrations if r.id == "fin-m365-mail"]
    inventory.registrations[0].id = "fin-namens-uwv"
    inventory.registrations[0].organisation = "uwv"
    before = snapshot(register)
    response = client.post(
        f"{API}/inventory/import",
        files={
            "file": ("fin.json", orjson.dumps(inventory_document(inventory)), "application/json")
        },
        headers=tokens["bewerker"],
    )
    assert response.status_code == 422
    assert snapshot(register) == before


def test_totals_match_what_each_role_may_see(
    client: TestClient, register: Register, tokens: dict[str, dict[str, str]]
) -> None:
    everything = registration_ids(register)
    per_organisation = {o: sum(1 for v in everything.values() if v == o) for o in ("fin", "uwv")}
    central = {
        name: bearer(token_for(register, name)) for name in ("cio-rijk", "auditor", "beheerder")
    }
    expected = {
        "lezer": per_organisation["fin"],
        "bewerker-uwv": per_organisation["uwv"],
        "cio-rijk": len(everything),
        "auditor": len(everything),
        "beheerder": 0,
    }
    headers = {**tokens, **central}
    for name, total in expected.items():
        page = client.get(
            f"{API}/registrations", params={"page_size": 1}, headers=headers[name]
        ).json()
        assert page["total"] == total, name
        organisations = client.get(f"{API}/organisations", headers=headers[name]).json()
        counted = sum(o["registrations"] for o in organisations["items"])
        assert counted == total, name
