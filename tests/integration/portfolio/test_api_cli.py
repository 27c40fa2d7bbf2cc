"""``/api/v1/portfolio``, ``/api/v1/policy-impact`` and ``cloudtoets portfolio`` / ``policy
impact --database`` on the demo register (SQLite and PostgreSQL), against the engine."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cloudtoets.demo import demo_inventory_document
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import evaluate_registrations
from cloudtoets.io.validate import validate_document
from cloudtoets.policy.loader import load_policy
from cloudtoets.server.app import create_app
from cloudtoets.services.context import Register

from .conftest import TODAY

API = "/api/v1"
CLI = str(Path(sys.executable).with_name("cloudtoets"))
BASE = "rijksbreed-cloudbeleid-2026"
CH = "rijksbreed-cloudbeleid-2026-eer-ch"


def _expected_changes() -> dict[str, tuple[str, str]]:
    checked = validate_document(demo_inventory_document(), "demo")
    context = EvaluationContext(checked.organisations, checked.providers)
    registrations = checked.inventory.registrations
    before = evaluate_registrations(registrations, context, load_policy(BASE), TODAY)
    after = evaluate_registrations(registrations, context, load_policy(CH), TODAY)
    return {
        r.id: (b.verdict.value, a.verdict.value)
        for r, b, a in zip(registrations, before, after, strict=True)
        if b.verdict is not a.verdict
    }


def _client(register: Register, organisation: str | None = None) -> TestClient:
    if organisation is not None:
        settings = register.settings.model_copy(update={"local_organisation": organisation})
        register = dataclasses.replace(register, settings=settings)
    return TestClient(create_app(register=register), raise_server_exceptions=False)


@pytest.fixture
def client(demo_register: Register) -> Iterator[TestClient]:
    with _client(demo_register) as client:
        yield client


def test_the_portfolio_of_every_organisation_and_of_ones_own(
    client: TestClient, demo_register: Register
) -> None:
    body: dict[str, Any] = client.get(f"{API}/portfolio").json()
    assert body["registrations"] == 162 and body["as_of"] == TODAY.isoformat()
    assert sum(body["by_deployment"].values()) == 162 and "unknown" in body["by_deployment"]
    assert set(body["material"]) == {"yes", "no", "unknown"}
    parents = body["concentration"]["by_ultimate_parent"]
    assert {"provider", "name", "country", "registrations", "material"} <= set(parents[0])
    assert [p["material"] for p in parents] == sorted(
        (p["material"] for p in parents), reverse=True
    )
    assert {"country", "registrations"} <= set(body["concentration"]["by_jurisdiction"][0])
    assert isinstance(body["concentration"]["hhi_material"], int)
    assert "scenario" not in body

    scenario = client.get(f"{API}/portfolio", params={"without": "microsoft"}).json()["scenario"]
    assert {
        "registrations",
        "material",
        "organisations",
        "critical_or_essential",
        "with_tested_emergency_plan",
    } <= set(scenario)
    assert scenario["registrations"] > 0

    utrecht = "gemeente-utrecht"
    with _client(demo_register, utrecht) as own:
        mine = own.get(f"{API}/portfolio").json()
        assert 0 < mine["registrations"] < 162
        asked = own.get(f"{API}/portfolio", params={"organisation": utrecht}).json()
        assert asked["organisation"] == utrecht
        assert {**asked, "organisation": None} == mine
        hidden = own.get(f"{API}/portfolio", params={"organisation": "bzk"})
        assert hidden.status_code == 404
        impact = own.get(f"{API}/policy-impact", params={"base": BASE, "other": CH}).json()
        assert impact["registrations"] == mine["registrations"]


def test_policy_impact_in_the_api_is_what_the_engine_says(client: TestClient) -> None:
    expected = _expected_changes()
    assert expected
    response = client.get(
        f"{API}/policy-impact", params={"base": BASE, "other": CH, "as_of": TODAY.isoformat()}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["changed"] == len(expected)
    assert {c["registration"]: (c["from"], c["to"]) for c in body["changes"]} == expected


def test_wrong_questions_are_422(client: TestClient) -> None:
    for params in (
        {"without": "bestaat-niet"},
        {"without_country": "XX"},
        {"policy": "bestaat-niet"},
        {"as_of": "1999-01-01"},
    ):
        assert client.get(f"{API}/portfolio", params=params).status_code == 422, params
    assert client.get(f"{API}/policy-impact", params={"base": BASE}).status_code == 422


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, check=False)


def test_the_commands_on_the_database(demo_register: Register) -> None:
    url = demo_register.settings.database_url
    day = TODAY.isoformat()
    done = _cli("portfolio", "--database", url, "--as-of", day, "--format", "json",
                "--without", "microsoft", "--without-country", "us")  # fmt: skip
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["registrations"] == 162
    assert body["scenario"]["kind"] == "combined"
    table = _cli("portfolio", "--database", url, "--as-of", day)
    assert table.returncode == 0, table.stderr
    assert "Concentratie per moederbedrijf" in table.stdout

    impact = _cli("policy", "impact", BASE, CH, "--database", url, "--as-of", day,
                  "--format", "json")  # fmt: skip
    assert impact.returncode == 0, impact.stderr
    found = json.loads(impact.stdout)
    expected = _expected_changes()
    assert {c["registration"]: (c["from"], c["to"]) for c in found["changes"]} == expected
    assert found["changed"] == len(expected)

    wrong = _cli("portfolio", "--database", url, "--as-of", day, "--without", "bestaat-niet")
    assert wrong.returncode == 2 and "bestaat-niet" in wrong.stderr


def test_the_command_on_the_rekenkamer_register(tmp_path: Path) -> None:
    from cloudtoets.demo.rekenkamer import rekenkamer_register

    inventory = tmp_path / "rekenkamer.json"
    inventory.write_text(json.dumps(rekenkamer_register()), encoding="utf-8")
    day = TODAY.isoformat()
    table = _cli("portfolio", str(inventory), "--as-of", day)
    assert table.returncode == 0, table.stderr
    assert "Publiek: 700. Niet publiek (privé, hybride, community): 477. Onbekend: 411." in (
        table.stdout
    )
    assert "Materieel gebruik van publieke cloud: 126." in table.stdout
    for name in ("Microsoft Corporation", "Amazon.com, Inc.", "Alphabet Inc."):
        assert name in table.stdout
    done = _cli("portfolio", str(inventory), "--as-of", day, "--format", "json",
                "--without", "microsoft")  # fmt: skip
    body = json.loads(done.stdout)
    parents = {p["provider"]: p for p in body["concentration"]["by_ultimate_parent"]}
    shares = [parents[p]["share_of_material_public"] for p in ("microsoft", "amazon", "alphabet")]
    assert all(0 < s < 1 for s in shares) and sum(shares) > 0.5
    assert body["scenario"]["material"] == parents["microsoft"]["material"]
    assert len(body["scenario"]["material_registrations"]) == body["scenario"]["material"]
