"""Errors are RFC 9457 problems in Dutch, never a traceback; the OpenAPI document describes
every route and the shapes the routes really send."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from cloudtoets.services import registrations as registration_service

from .conftest import API, TODAY, assert_problem

# --- errors -------------------------------------------------------------------------------------


def test_an_unexpected_error_is_a_500_problem_without_internals(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("geheim: wachtwoord=hunter2 in /srv/cloudtoets/db.py")

    monkeypatch.setattr(registration_service, "registration_detail", broken)  # the detail route
    with caplog.at_level(logging.ERROR, logger="cloudtoets.api"):
        response = client.get(f"{API}/registrations/bzk-m365-mail")
    body = assert_problem(response, 500, "interne-fout")
    for leak in ("Traceback", "RuntimeError", "hunter2", "/srv", ".py"):
        assert leak not in response.text
    request_id = response.headers["x-request-id"]
    assert request_id in str(body["detail"])
    # the operator gets the traceback in the log, under the same request id
    (record,) = [r for r in caplog.records if r.name == "cloudtoets.api"]
    assert request_id in record.getMessage() and record.exc_info is not None


def test_unknown_addresses_and_methods_are_problems_too(client: TestClient) -> None:
    missing = assert_problem(client.get(f"{API}/bestaat-niet"), 404, "niet-gevonden")
    assert "/api/v1/openapi.json" in str(missing["detail"])
    response = client.patch(f"{API}/registrations/bzk-m365-mail")
    assert_problem(response, 405, "methode-niet-toegestaan")
    assert response.headers["allow"] == "DELETE, GET, PUT"
    assert client.get(f"{API}/docs").status_code == 200  # the docs page is still served


def test_every_problem_type_is_explained_at_its_type_uri(client: TestClient) -> None:
    body = assert_problem(client.get(f"{API}/registrations/weg"), 404, "niet-gevonden")
    explained = client.get(str(body["type"]))
    assert explained.status_code == 200
    assert explained.json()["title"] == body["title"] == "Niet gevonden"
    assert_problem(client.get(f"{API}/problemen/onzin"), 404, "niet-gevonden")


# --- OpenAPI ------------------------------------------------------------------------------------

OPERATIONS = {
    ("get", "/organisations"),
    ("get", "/organisations/{organisation_id}"),
    ("get", "/providers"),
    ("get", "/providers/{provider_id}"),
    ("get", "/registrations"),
    ("post", "/registrations"),
    ("get", "/registrations/{registration_id}"),
    ("put", "/registrations/{registration_id}"),
    ("delete", "/registrations/{registration_id}"),
    ("get", "/registrations/{registration_id}/decisions"),
    ("get", "/registrations/{registration_id}/history"),
    ("post", "/registrations/{registration_id}/evaluate"),
    ("post", "/inventory/evaluate"),
    ("post", "/inventory/import/preview"),
    ("post", "/inventory/import"),
    ("get", "/inventory/export"),
}


def refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(refs(v) for v in node))
    return set()


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def test_the_openapi_document_describes_every_route_in_dutch(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")
    operations = {
        (method, path.removeprefix(API)): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    }
    assert set(operations) >= OPERATIONS
    for key, operation in operations.items():
        assert operation.get("summary"), key
        assert operation.get("tags"), key
        assert set(operation["tags"]) <= {
            "organisaties",
            "leveranciers",
            "registraties",
            "inventaris",
            "systeem",
            "afwijkingen",
            "meldingen",
            "ingevoerd bewijs",
            "monitoring",
            "auditlogboek",
        }
        assert "HTTPValidationError" not in str(operation), key  # problems instead
        for status, response in operation["responses"].items():
            if status >= "400":
                assert set(response["content"]) == {"application/problem+json"}, (key, status)
    schemas = spec["components"]["schemas"]
    for name in (
        "RegistrationPage",
        "RegistrationDetail",
        "RegistrationIn",
        "CheckDocument",
        "ImportPlanOut",
        "OrganisationList",
        "ProviderList",
        "DecisionList",
    ):
        assert name in schemas
    for ref in refs(spec):
        assert ref.removeprefix("#/components/schemas/") in schemas, ref
    listing = operations[("get", "/registrations")]["responses"]["200"]
    assert listing["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RegistrationPage"
    }
    put = operations[("put", "/registrations/{registration_id}")]
    assert {p["name"] for p in put["parameters"]} >= {"registration_id", "if-match"}
    assert {"412", "428"} <= set(put["responses"])


def conforms(spec: dict[str, Any], schema: dict[str, Any], instance: Any) -> None:
    validator = Draft202012Validator({**schema, "components": spec["components"]})
    errors = sorted(validator.iter_errors(instance), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def response_schema(spec: dict[str, Any], method: str, path: str, status: str) -> Any:
    content = spec["paths"][API + path][method]["responses"][status]["content"]
    return next(iter(content.values()))["schema"]


def test_responses_have_the_documented_shapes(client: TestClient, spec: dict[str, Any]) -> None:
    url = f"{API}/registrations/bzk-m365-mail"
    cases = [
        ("get", "/registrations", "200", client.get(f"{API}/registrations")),
        ("get", "/registrations/{registration_id}", "200", client.get(url)),
        (
            "get",
            "/registrations/{registration_id}/decisions",
            "200",
            client.get(f"{url}/decisions"),
        ),
        ("get", "/registrations/{registration_id}/history", "200", client.get(f"{url}/history")),
        (
            "post",
            "/registrations/{registration_id}/evaluate",
            "200",
            client.post(f"{url}/evaluate", params={"as_of": TODAY.isoformat()}),
        ),
        ("get", "/organisations", "200", client.get(f"{API}/organisations")),
        ("get", "/organisations/{organisation_id}", "200", client.get(f"{API}/organisations/bzk")),
        ("get", "/providers", "200", client.get(f"{API}/providers")),
        ("get", "/registrations/{registration_id}", "404", client.get(f"{API}/registrations/x")),
        ("get", "/registrations", "422", client.get(f"{API}/registrations?page=0")),
        (
            "put",
            "/registrations/{registration_id}",
            "412",
            client.put(url, json=client.get(url).json(), headers={"If-Match": '"v9"'}),
        ),
    ]
    export = client.get(f"{API}/inventory/export").json()
    check = client.post(f"{API}/inventory/evaluate", json=export)
    cases.append(("post", "/inventory/evaluate", "200", check))
    for method, path, status, response in cases:
        assert str(response.status_code) == status, (path, response.text)
        conforms(spec, response_schema(spec, method, path, status), response.json())
    # the inventory schema in the docs accepts what the export writes
    conforms(spec, response_schema(spec, "get", "/inventory/export", "200"), export)
