"""What the catalogue could not confirm shows beside the findings and chains that rest on it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from cloudtoets.services.context import Register
from cloudtoets.services.imports import commit_import

from .conftest import CENTRAL, text

HUAWEI = """
organisations:
  - {id: bzk, type: ministry, critical_entity: false, essential_entity: false, vital_provider: false}
registrations:
  - id: bzk-twijfel
    organisation: bzk
    deployment: public
    provider: huawei-cloud
    storage_countries: [NL]
    processing_countries: [NL]
    encrypted_at_rest: true
    encrypted_in_transit: true
    key_custody: customer-held
    subprocessors: [zivver]
    functions: []
    open_data: false
    classification: none
    tbb_level: none
    personal_data: none
    large_scale_personal_data: false
    pets: []
    core_task: true
    business_critical: false
    key_register: none
    holds_source_data: false
    in_use_since: 2026-08-01
"""


def test_a_jurisdiction_finding_says_what_is_not_certain(
    register: Register, client: TestClient
) -> None:
    commit_import(register, CENTRAL, "twijfel.yaml", HUAWEI.encode())
    html = client.get("/registraties/bzk-twijfel").text
    findings = html.split('id="bevindingen"', 1)[1].split('id="keten"', 1)[0]
    c2000 = findings.split("cb2026.c2000.offensive-cyber", 1)[1].split("</li>", 1)[0]
    assert "Niet zeker:" in text(c2000)
    assert "Huawei Cloud Computing Technologies Co., Ltd.:" in text(c2000)
    chain = text(html.split('id="keten"', 1)[1].split('id="gegevens"', 1)[0])
    # Zivver's own hosting is in the chain, and its doubts are listed once
    assert "Amazon Web Services EMEA SARL" in chain
    assert "Wat niet zeker is over de keten" in chain
    assert chain.count("Zivver B.V.:") == 1
    assert 'href="/leveranciers#leverancier-huawei-cloud"' in html


def test_a_finding_without_jurisdiction_gets_no_note(shared_client: TestClient) -> None:
    html = shared_client.get("/registraties/bzk-zivver").text
    findings = html.split('id="bevindingen"', 1)[1].split('id="keten"', 1)[0]
    assert "Niet zeker:" not in findings
    assert "Wat niet zeker is over de keten" in html  # Kiteworks and Zivver are not confirmed
