"""Unknown facts through the API and the store (unknowns.md), on SQLite and PostgreSQL: null stays
null, false stays false, none stays none; the evaluation says incomplete with its range and
questions; the list filters on the verdict as shown, the worst verdict and unknown facts."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from cloudtoets.api.errors import NULL_REFUSED
from cloudtoets.domain.knowledge import LEGACY_DEFAULTS, REGISTRATION_FACTS, fill_legacy_defaults
from cloudtoets.domain.vocabulary import Verdict
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.imports import commit_import

from .conftest import API, assert_problem

REGISTRATIONS = f"{API}/registrations"

# what is known is stated, with its known nothings; three facts are left unknown on purpose
KNOWN = fill_legacy_defaults(
    {
        "id": "bzk-half",
        "organisation": "bzk",
        "name": "Half bekende dienst",
        "deployment": "public",
        "provider": "leaseweb",
        "functions": ["hosting"],
        "storage_countries": ["NL"],
        "processing_countries": ["NL"],
        "encrypted_in_transit": True,
        "in_use_since": "2020-01-01",
        "classification": "none",
        "tbb_level": "none",
        "key_register": "none",
        "subprocessors": [],
        "pets": [],
    },
    LEGACY_DEFAULTS,
)
HALF = {**KNOWN, "encrypted_at_rest": None, "key_custody": None, "core_task": None}


def _create(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(REGISTRATIONS, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _ids(client: TestClient, **params: Any) -> list[str]:
    response = client.get(REGISTRATIONS, params={"page_size": 500, **params})
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_null_false_and_none_come_back_as_they_were_sent(
    client: TestClient, register: Register
) -> None:
    created = _create(client, HALF)
    fetched = client.get(f"{REGISTRATIONS}/bzk-half").json()
    for body in (created, fetched):
        for key in ("encrypted_at_rest", "key_custody", "core_task"):
            assert body[key] is None, key
        assert body["encrypted_in_transit"] is True
        assert body["open_data"] is False
        assert (body["classification"], body["tbb_level"], body["key_register"]) == (
            "none",
            "none",
            "none",
        )
        assert body["subprocessors"] == [] and body["pets"] == []
    # the store holds NULL for unknown and the known none as itself (0 for no TBB level)
    with register.engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT encrypted_at_rest, key_custody, core_task, open_data, "
                "classification, tbb_level, key_register, verdict FROM registrations "
                "WHERE id = 'bzk-half'"
            )
        ).one()
    assert tuple(row[:3]) == (None, None, None)
    assert row[3] in (False, 0)
    assert tuple(row[4:7]) == ("none", 0, "none")
    # sending back what GET gave changes nothing: the same version
    again = client.put(f"{REGISTRATIONS}/bzk-half", json=fetched, headers={"If-Match": '"v1"'})
    assert again.status_code == 200, again.text
    assert again.headers["etag"] == '"v1"'


def test_facts_left_out_are_unknown(client: TestClient) -> None:
    body = _create(client, {"id": "bzk-leeg", "organisation": "bzk"})
    for fact in REGISTRATION_FACTS:
        assert body[fact] is None, fact
    assert body["abro_declaration"] is False  # evidence: not recorded
    assert body["justifications"] == []


def test_the_evaluation_says_incomplete_with_its_range_and_questions(client: TestClient) -> None:
    decision = _create(client, HALF)["decision"]
    assert decision["verdict"] == "incomplete"
    best, worst = decision["verdict_range"]["best"], decision["verdict_range"]["worst"]
    assert Verdict(worst).rank < Verdict(best).rank
    fields = [q["field"] for q in decision["questions"]]
    assert "encrypted_at_rest" in fields and fields == sorted(fields)
    question = next(q for q in decision["questions"] if q["field"] == "encrypted_at_rest")
    assert question["question"] == "Wordt de data bij opslag versleuteld?" and question["rules"]
    assert all(isinstance(f["certain"], bool) for f in decision["findings"])
    assert any(not f["certain"] for f in decision["findings"])
    assert decision["jurisdictions_complete"] is True  # provider and sub-processors known
    assert {"existing_use", "external_cloud"} <= set(decision)
    # the same shape on another date and in the decision records
    later = client.post(f"{REGISTRATIONS}/bzk-half/evaluate", params={"as_of": "2027-01-01"})
    assert later.json()["verdict_range"]["worst"] == worst
    record = client.get(f"{REGISTRATIONS}/bzk-half/decisions").json()["items"][0]
    assert record["verdict"] == "incomplete"
    assert record["result"]["verdict_range"] == {"best": best, "worst": worst}
    # the list shows it too
    item = next(
        i
        for i in client.get(REGISTRATIONS, params={"page_size": 500}).json()["items"]
        if i["id"] == "bzk-half"
    )
    assert item["verdict"] == "incomplete"
    assert item["verdict_range"] == {"best": best, "worst": worst}


def test_the_list_filters_incomplete_worst_and_unknown_facts(client: TestClient) -> None:
    _create(client, HALF)
    _create(client, {**KNOWN, "id": "bzk-landen", "storage_countries": []})
    _create(
        client,
        {**KNOWN, "id": "bzk-eigen", "deployment": "private-internal", "provider": None},
    )
    _create(client, {**KNOWN, "id": "bzk-wie", "provider": None})
    assert "bzk-half" in _ids(client, verdict="incomplete")
    assert all(
        i["verdict"] == "incomplete"
        for i in client.get(REGISTRATIONS, params={"verdict": "incomplete"}).json()["items"]
    )
    worst = client.get(f"{REGISTRATIONS}/bzk-half").json()["decision"]["verdict_range"]["worst"]
    by_worst = client.get(REGISTRATIONS, params={"worst": worst, "page_size": 500}).json()
    assert "bzk-half" in [i["id"] for i in by_worst["items"]]
    assert all(i["verdict_range"]["worst"] == worst for i in by_worst["items"])

    # (the example has unknowns of its own: only bzk's new registrations are looked at)
    new = {"organisation": "bzk", "q": "bzk-"}
    assert _ids(client, unknown="encrypted_at_rest", **new) == ["bzk-half"]
    assert _ids(client, unknown="encrypted_at_rest,core_task", **new) == ["bzk-half"]
    repeated = client.get(
        REGISTRATIONS,
        params=[("unknown", "key_custody"), ("unknown", " core_task "), ("organisation", "bzk")],
    )
    assert [i["id"] for i in repeated.json()["items"]] == ["bzk-half"]
    assert _ids(client, unknown="encrypted_at_rest,open_data", **new) == []  # all unknown
    # an empty list of countries is unknown too; private-internal without provider has none
    assert "bzk-landen" in _ids(client, unknown="storage_countries")
    providers = _ids(client, unknown="provider")
    assert "bzk-wie" in providers and "bzk-eigen" not in providers
    assert _ids(client, unknown="provider", **new) == ["bzk-wie"]


def test_the_list_sorts_on_the_worst_verdict_worst_first(client: TestClient) -> None:
    _create(client, HALF)
    items = client.get(REGISTRATIONS, params={"sort": "verdict", "page_size": 500}).json()
    ranks = [Verdict(i["verdict_range"]["worst"]).rank for i in items["items"]]
    assert ranks == sorted(ranks)


def test_unknown_filter_and_worst_values_are_refused_in_dutch(client: TestClient) -> None:
    body = assert_problem(
        client.get(REGISTRATIONS, params={"unknown": "kleur,encrypted_at_rest"}),
        422,
        "ongeldige-invoer",
    )
    assert body["errors"][0]["where"] == "queryparameter unknown"
    assert body["errors"][0]["message"].startswith("onbekend veld 'kleur'; kies uit")
    assert "encrypted_at_rest" in body["errors"][0]["message"]
    two = assert_problem(
        client.get(REGISTRATIONS, params={"unknown": "kleur,smaak"}), 422, "ongeldige-invoer"
    )
    assert two["errors"][0]["message"].startswith("onbekende velden 'kleur', 'smaak'")
    worst = assert_problem(
        client.get(REGISTRATIONS, params={"worst": "incomplete"}), 422, "ongeldige-invoer"
    )
    assert worst["errors"][0]["field"] == "worst"


@pytest.mark.parametrize("field", ["id", "organisation", "abro_declaration", "justifications"])
def test_an_explicit_null_where_there_is_no_unknown_is_refused(
    client: TestClient, field: str
) -> None:
    body = {**KNOWN, field: None}
    problem = assert_problem(client.post(REGISTRATIONS, json=body), 422, "ongeldige-invoer")
    errors = {e["field"]: e for e in problem["errors"]}
    assert errors[field]["message"] == NULL_REFUSED
    assert errors[field]["where"] == f"veld {field}"


def test_organisation_flags_may_be_unknown(register: Register, client: TestClient) -> None:
    inventory = (
        b"organisations:\n"
        b"  - {id: gemeente-x, type: municipality, critical_entity: true}\n"
        b"registrations:\n"
        b"  - {id: gemeente-x-mail, organisation: gemeente-x}\n"
    )
    commit_import(register, Actor.local("test"), "gemeente.yaml", inventory)
    body = client.get(f"{API}/organisations/gemeente-x").json()
    assert body["critical_entity"] is True
    assert body["essential_entity"] is None and body["vital_provider"] is None
    assert _ids(client, unknown="organisation.essential_entity") == ["gemeente-x-mail"]
    assert _ids(client, unknown="organisation.critical_entity") == []


def test_openapi_says_what_null_means(client: TestClient) -> None:
    spec = client.get(f"{API}/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for model in ("RegistrationIn", "RegistrationDetail"):
        properties = schemas[model]["properties"]
        for fact in REGISTRATION_FACTS:
            assert "null: onbekend" in properties[fact]["description"], (model, fact)
            assert {"type": "null"} in properties[fact]["anyOf"], (model, fact)
        assert '"none": bekend dat er geen is' in properties["classification"]["description"]
        assert "[]: bekend dat er geen zijn" in properties["subprocessors"]["description"]
        assert set(schemas[model]["required"]) >= {"id", "organisation"}
    result = schemas["CheckResult"]
    assert {"verdict_range", "questions", "jurisdictions_complete", "existing_use"} <= set(
        result["required"]
    )
    assert "certain" in schemas["FindingOut"]["required"]
    assert "incomplete" in schemas["Verdict"]["enum"]
    parameters = {p["name"]: p for p in spec["paths"][REGISTRATIONS]["get"]["parameters"]}
    assert parameters["unknown"]["schema"]["type"] == "array"
    assert "onbekend" in parameters["unknown"]["description"]
    assert "worst" in parameters
