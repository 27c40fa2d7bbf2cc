"""The registration list's filters mean what they say: any provider in the chain, the ultimate
parent, public and external cloud, and a repeated filter as "any of" (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cloudtoets.catalogue import catalogue_directory
from cloudtoets.demo import demo_inventory_document
from cloudtoets.io.validate import validate_document
from cloudtoets.policy.loader import load_policy
from cloudtoets.server.app import create_app
from cloudtoets.services import portfolio as pf
from cloudtoets.services.context import Register

from .conftest import TODAY

API = "/api/v1/registrations"


@pytest.fixture
def client(demo_register: Register) -> Iterator[TestClient]:
    with TestClient(create_app(register=demo_register), raise_server_exceptions=False) as client:
        yield client


def _ids(client: TestClient, params: Any) -> set[str]:
    response = client.get(API, params=[*params, ("page_size", "500")])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return {item["id"] for item in body["items"]}


def test_parent_is_any_provider_in_the_chain(client: TestClient) -> None:
    source = pf.source_from_document(demo_inventory_document())
    expected = pf.scenario(source, load_policy("rijksbreed-cloudbeleid-2026"), TODAY,
                           provider="microsoft")  # fmt: skip
    assert expected.registrations
    assert _ids(client, [("parent", "microsoft")]) == set(expected.registrations)
    both = pf.portfolio(source, load_policy("rijksbreed-cloudbeleid-2026"), TODAY,
                        without=["microsoft", "amazon"])  # fmt: skip
    assert both.scenario is not None
    found = _ids(client, [("parent", "microsoft"), ("parent", "amazon")])
    assert found == set(both.scenario.registrations)


def test_ultimate_parent_public_and_external_cloud(client: TestClient) -> None:
    checked = validate_document(demo_inventory_document(), "demo")
    directory = checked.providers
    registrations = checked.inventory.registrations
    by_parent = {
        r.id
        for r in registrations
        if r.provider is not None and directory.chain(r.provider)[-1].id == "microsoft"
    }
    assert by_parent
    assert _ids(client, [("ultimate_parent", "microsoft")]) == by_parent
    source = pf.source_from_document(demo_inventory_document())
    decisions = pf.evaluate_source(source, load_policy("rijksbreed-cloudbeleid-2026"), TODAY)
    public = {d.registration for d in decisions if d.public_cloud is True}
    assert _ids(client, [("public_cloud", "true")]) == public
    external = {
        r.id
        for r in registrations
        if r.deployment is not None and r.deployment != "private-internal"
    }
    assert _ids(client, [("external_cloud", "true")]) == external
    internal = {r.id for r in registrations if r.deployment == "private-internal"}
    assert _ids(client, [("external_cloud", "false")]) == internal
    assert catalogue_directory().get("microsoft") is not None


def test_a_repeated_filter_is_any_of(client: TestClient) -> None:
    allowed = _ids(client, [("verdict", "allowed")])
    not_allowed = _ids(client, [("verdict", "not-allowed")])
    assert allowed and not_allowed
    assert _ids(client, [("verdict", "allowed"), ("verdict", "not-allowed")]) == (
        allowed | not_allowed
    )
    nl = _ids(client, [("jurisdiction", "NL")])
    us = _ids(client, [("jurisdiction", "us")])
    assert _ids(client, [("jurisdiction", "NL"), ("jurisdiction", "US")]) == nl | us
    response = client.get(API, params=[("verdict", "allowed"), ("verdict", "bestaat-niet")])
    assert response.status_code == 422
