"""A provider's own sub-processors, end to end: read, stored, in the chain, exported, shown."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cloudtoets.io.write import write_inventory
from cloudtoets.server.app import create_app
from cloudtoets.services import registrations
from cloudtoets.services.context import Register
from cloudtoets.services.imports import commit_import, export_inventory, preview_import
from cloudtoets.services.providers import own_provider_views

from .conftest import CENTRAL

HOSTED_ON_AWS = """
organisations:
  - {id: bzk, type: ministry, critical_entity: false, essential_entity: false, vital_provider: false}
providers:
  - {id: nl-saas, name: "NL SaaS B.V.", country: NL, subprocessors: [aws-emea]}
registrations:
  - id: bzk-saas
    organisation: bzk
    deployment: public
    provider: nl-saas
    storage_countries: [NL]
    processing_countries: [NL]
    encrypted_at_rest: true
    encrypted_in_transit: true
    key_custody: customer-held
    subprocessors: []
    functions: []
    open_data: false
    classification: none
    tbb_level: none
    personal_data: none
    large_scale_personal_data: false
    pets: []
    core_task: false
    business_critical: false
    key_register: none
    holds_source_data: false
    in_use_since: 2026-08-01
"""


@pytest.mark.parametrize("suffix", ["xlsx", "yaml", "json"])
def test_own_subprocessors_are_stored_in_the_chain_and_exported(
    register: Register, tmp_path: Path, suffix: str
) -> None:
    commit_import(register, CENTRAL, "saas.yaml", HOSTED_ON_AWS.encode())

    (own,) = [p for p in own_provider_views(register, CENTRAL) if p.provider.id == "nl-saas"]
    assert own.provider.subprocessors == ["aws-emea"]
    assert [[p.id for p in chain] for chain in own.subprocessor_chains] == [["aws-emea", "amazon"]]
    assert own.jurisdictions == ("LU", "NL", "US")
    stored = registrations.get_registration(register, CENTRAL, "bzk-saas")
    assert stored.decision.jurisdictions == ("LU", "NL", "US")

    exported = export_inventory(register, CENTRAL)
    (provider,) = [p for p in exported.providers if p.id == "nl-saas"]
    assert provider.subprocessors == ["aws-emea"]
    target = tmp_path / f"export.{suffix}"
    write_inventory(exported, target)
    again = preview_import(register, CENTRAL, f"export.{suffix}", target.read_bytes())
    assert again.ok, again.problems
    assert not again.providers.changed and len(again.registrations.unchanged) == 1

    without = HOSTED_ON_AWS.replace("subprocessors: [aws-emea]", "subprocessors: []")
    plan = commit_import(register, CENTRAL, "saas.yaml", without.encode())
    assert plan.providers.changed == ["bzk/nl-saas"]
    stored = registrations.get_registration(register, CENTRAL, "bzk-saas")
    assert stored.decision.jurisdictions == ("NL",)


def test_the_api_and_the_provider_page_show_own_subprocessors(register: Register) -> None:
    commit_import(register, CENTRAL, "saas.yaml", HOSTED_ON_AWS.encode())
    settings = register.settings.model_copy(update={"auth_mode": "local"})
    local = dataclasses.replace(register, settings=settings)
    with TestClient(create_app(register=local)) as client:
        body = client.get("/api/v1/providers").json()
        (item,) = [i for i in body["items"] if i["id"] == "nl-saas"]
        assert item["subprocessors"] == ["aws-emea"]
        assert item["subprocessor_chains"] == [["aws-emea", "amazon"]]
        assert item["jurisdictions"] == ["LU", "NL", "US"]
        assert item["outside_eea"] == ["US"]
        html = client.get("/leveranciers").text
    own = html.split('id="eigen-tabel"', 1)[1]
    assert "Gebruikt zelf (eigen subverwerkers" in own
    assert "Amazon Web Services EMEA SARL" in own.split("</tr>", 2)[1]
    assert "Niet zeker over" not in own.split("</tr>", 2)[1]  # AWS EMEA's entry is confirmed


def test_the_catalogues_doubts_show_beside_an_own_provider_that_rests_on_them(
    register: Register,
) -> None:
    on_zivver = HOSTED_ON_AWS.replace("subprocessors: [aws-emea]", "subprocessors: [zivver]")
    commit_import(register, CENTRAL, "saas.yaml", on_zivver.encode())
    settings = register.settings.model_copy(update={"auth_mode": "local"})
    with TestClient(create_app(register=dataclasses.replace(register, settings=settings))) as c:
        own = c.get("/leveranciers").text.split('id="eigen-tabel"', 1)[1]
    row = own.split("</tr>", 2)[1]
    assert "Niet zeker over Zivver B.V.:" in row and "Niet zeker over Kiteworks" in row


def test_a_document_provider_used_only_as_an_own_subprocessor_is_stored(
    register: Register,
) -> None:
    document = HOSTED_ON_AWS.replace(
        '  - {id: nl-saas, name: "NL SaaS B.V.", country: NL, subprocessors: [aws-emea]}',
        '  - {id: nl-saas, name: "NL SaaS B.V.", country: NL, subprocessors: [ch-hosting]}\n'
        "  - {id: ch-hosting, country: CH}",
    )
    commit_import(register, CENTRAL, "saas.yaml", document.encode())
    stored = registrations.get_registration(register, CENTRAL, "bzk-saas")
    assert stored.decision.jurisdictions == ("CH", "NL")
