"""Hostile input is refused with a 4xx in Dutch, never a 500: NUL and other control characters
in query parameters, paths, ids, names and uploaded inventories (PostgreSQL text cannot hold
NUL), page numbers beyond any integer, and an id another organisation already uses (hidden from
the creator by row-level security on PostgreSQL).

ASVS: v5.0.0-1.2.x / 2.2.1 (input validated, positive), v5.0.0-16.5.3 (no unhandled errors).
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest
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
    facts_body,
    log_in,
    snapshot,
    stored,
    token_for,
)

NUL = "\x00"


def _problem(response: Any, status: int | tuple[int, ...]) -> dict[str, Any]:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["detail"]
    return body


@pytest.fixture
def editor(register: Register) -> dict[str, str]:
    return bearer(token_for(register, "bewerker"))


@pytest.mark.parametrize(
    "query",
    [
        {"q": f"a{NUL}b"},
        {"provider": NUL},
        {"organisation": f"fin{NUL}"},
        {"jurisdiction": f"N{NUL}"},
    ],
)
def test_control_characters_in_api_query_parameters_are_refused(
    client: TestClient, editor: dict[str, str], query: dict[str, str]
) -> None:
    body = _problem(client.get(f"{API}/registrations", params=query, headers=editor), 400)
    assert "stuurteken" in body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/registrations/fin%00",
        f"{API}/registrations/fin%00/history",
        f"{API}/organisations/fin%00",
        f"{API}/providers/microsoft%00",
        f"{API}/notifications?organisation=%00",
        f"{API}/monitoring?organisation=fin%00",
        f"{API}/inventory/export?organisation=fin%00",
    ],
)
def test_control_characters_in_api_paths_are_refused(
    client: TestClient, editor: dict[str, str], path: str
) -> None:
    _problem(client.get(path, headers=editor), 400)


@pytest.mark.parametrize(
    "path",
    [
        "/registraties?q=%00",
        "/registraties?leverancier=%00&organisatie=fin%00",
        "/registraties/fin-m365-mail%00",
        "/leveranciers?q=%00",
        "/monitoring?organisatie=%00",
    ],
)
def test_control_characters_in_web_addresses_give_a_dutch_page(
    client: TestClient, path: str
) -> None:
    log_in(client, "bewerker")
    response = client.get(path)
    assert response.status_code == 400, response.text[:300]
    assert "text/html" in response.headers["content-type"]
    assert "stuurteken" in response.text


@pytest.mark.parametrize("field", ["id", "name", "provider", "organisation"])
def test_control_characters_in_a_new_registration_are_refused(
    client: TestClient, register: Register, editor: dict[str, str], field: str
) -> None:
    before = snapshot(register)
    fin = facts_body(register, "fin-m365-mail")
    value = f"nieuw{NUL}kenmerk" if field in ("id", "name") else f"{fin[field]}{NUL}"
    body = _problem(
        client.post(
            f"{API}/registrations", json={**fin, "id": "nul-test", field: value}, headers=editor
        ),
        (404, 422),
    )
    assert snapshot(register) == before, body


def test_control_characters_in_an_edit_are_refused(
    client: TestClient, register: Register, editor: dict[str, str]
) -> None:
    fin = facts_body(register, "fin-m365-mail")
    version = stored(register, "fin-m365-mail").version
    body = _problem(
        client.put(
            f"{API}/registrations/fin-m365-mail",
            json={**fin, "name": f"Mail{NUL}", "lifecycle_justification": "a\x07b"},
            headers={**editor, "If-Match": f'"v{version}"'},
        ),
        422,
    )
    assert any("stuurteken" in e["message"] for e in body["errors"]), body


@pytest.mark.parametrize("where", ["id", "name"])
def test_control_characters_in_an_imported_file_are_refused(
    client: TestClient, register: Register, editor: dict[str, str], where: str
) -> None:
    inventory = export_inventory(register, OPERATOR, "fin")
    first = inventory.registrations[0]
    setattr(first, where, f"{getattr(first, where)}{NUL}")
    document = orjson.dumps(inventory_document(inventory))
    before = snapshot(register)
    for route in ("import/preview", "import"):
        response = client.post(
            f"{API}/inventory/{route}",
            files={"file": ("fin.json", document, "application/json")},
            headers=editor,
        )
        assert response.status_code in (200, 422), (
            route,
            response.status_code,
            response.text[:300],
        )
        assert "stuurteken" in response.text
    assert snapshot(register) == before


def test_control_characters_in_the_web_form_are_a_form_error(
    client: TestClient, register: Register
) -> None:
    session = log_in(client, "bewerker")
    values = values_from_registration(stored(register, "fin-m365-mail").registration)
    before = snapshot(register)
    for field in ("id", "name"):
        data = {**values, "id": "nul-test", field: f"x{NUL}y", "csrf_token": session.csrf}
        response = client.post("/registraties/nieuw", data=data, headers={"Origin": ORIGIN})
        assert response.status_code == 422, (field, response.status_code, response.text[:300])
        assert "stuurteken" in response.text
    assert snapshot(register) == before


@pytest.mark.parametrize(
    "page", ["99999999999999999999", "9223372036854775808", "-99999999999999999999"]
)
def test_a_huge_page_number_is_refused_or_clamped(
    client: TestClient, editor: dict[str, str], page: str
) -> None:
    response = client.get(f"{API}/registrations", params={"page": page}, headers=editor)
    _problem(response, 422)
    log_in(client, "bewerker")
    assert client.get("/registraties", params={"pagina": page}).status_code == 200


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/notifications/{HUGE}",
        f"{API}/notifications/{HUGE}/package",
        f"{API}/registrations/fin-m365-mail/risk-assessments/{HUGE}",
    ],
)
def test_a_huge_number_in_an_api_path_is_refused(
    client: TestClient, editor: dict[str, str], path: str
) -> None:
    _problem(client.get(path, headers=editor), (404, 422))


@pytest.mark.parametrize(
    "path",
    [
        f"/meldingen/{HUGE}",
        f"/registraties/fin-m365-mail/risicoanalyse/{HUGE}",
        f"/registraties/fin-m365-mail/afwijkingen/{HUGE}",
    ],
)
def test_a_huge_number_in_a_web_address_gives_a_dutch_page(client: TestClient, path: str) -> None:
    log_in(client, "bewerker")
    response = client.get(path)
    assert response.status_code in (400, 404), response.text[:300]
    assert "text/html" in response.headers["content-type"]


def test_another_organisations_id_is_refused_like_on_sqlite(
    client: TestClient, register: Register
) -> None:
    """uwv cannot see fin-m365-mail (row-level security hides it on PostgreSQL): creating it
    gives the same 409 as on SQLite, without a word about fin."""
    uwv = facts_body(register, "uwv-m365-mail")
    token = bearer(token_for(register, "bewerker-uwv"))
    before = snapshot(register)
    body = _problem(
        client.post(f"{API}/registrations", json={**uwv, "id": "fin-m365-mail"}, headers=token),
        409,
    )
    assert body["type"].endswith("/bestaat-al"), body
    assert "fin" not in body["detail"].replace("fin-m365-mail", "")
    assert snapshot(register) == before


def test_another_organisations_id_in_the_web_form_is_a_form_error(
    client: TestClient, register: Register
) -> None:
    session = log_in(client, "bewerker-uwv")
    values = values_from_registration(stored(register, "uwv-m365-mail").registration)
    data = {**values, "id": "fin-m365-mail", "csrf_token": session.csrf}
    before = snapshot(register)
    response = client.post("/registraties/nieuw", data=data, headers={"Origin": ORIGIN})
    assert response.status_code == 422, response.text[:300]
    assert "er is al een registratie met dit kenmerk" in response.text.lower()
    assert snapshot(register) == before


def test_another_organisations_id_in_an_import_is_named_taken(
    client: TestClient, register: Register
) -> None:
    """uwv imports a registration with fin's id (hidden by row-level security on PostgreSQL):
    preview and import both say the id is taken, in the same words on both databases, and
    nothing of fin; the import stores nothing."""
    inventory = export_inventory(register, OPERATOR, "uwv")
    inventory.registrations = [r for r in inventory.registrations if r.id == "uwv-m365-mail"]
    inventory.registrations[0].id = "fin-m365-mail"
    document = orjson.dumps(inventory_document(inventory))
    token = bearer(token_for(register, "bewerker-uwv"))
    files = {"file": ("uwv.json", document, "application/json")}
    before = snapshot(register)
    preview = client.post(f"{API}/inventory/import/preview", files=files, headers=token)
    assert preview.status_code == 200, preview.text[:300]
    plan = preview.json()
    assert plan["ok"] is False
    assert "fin-m365-mail" not in str(plan.get("registrations"))  # not "new"
    messages = [e["message"] for e in plan["problems"]]
    assert messages == ["dit kenmerk is al in gebruik; kies een ander kenmerk"], plan
    committed = client.post(f"{API}/inventory/import", files=files, headers=token)
    body = _problem(committed, 422)
    assert [e["message"] for e in body["errors"]] == messages
    assert "Financi" not in committed.text and "Financi" not in preview.text
    assert snapshot(register) == before
