"""Risk assessments and exit plans through the API: versions, If-Match, problems, the decision."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cloudtoets.api.risk_exit import ExitPlanOut, RiskAssessmentList, RiskAssessmentOut
from cloudtoets.domain.risk_assessment import THEMES
from cloudtoets.server.app import create_app
from cloudtoets.services.context import Register

from .conftest import API, as_user_of, assert_problem, client_for

ORACLE = f"{API}/registrations/bzk-oracle-financien"
WERKPLEK = f"{API}/registrations/ssc-ict-werkplekbeheer"


def body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "assessed_on": "2026-11-01",
        "dpia_reference": "DPIA-17",
        "dtia_reference": "DTIA-17",
        "risks": [
            {
                "theme": theme.key,
                "description": f"Risico: {theme.label}.",
                "likelihood": 2,
                "impact": 5,
                "measures": "Afspraken in het contract.",
                "residual_risk": "low",
            }
            for theme in THEMES
        ],
    }
    values.update(overrides)
    return values


ACCEPTANCE = {
    "accepted_by_name": "M. Jansen",
    "accepted_by_role": "directeur-generaal",
    "accepted_on": "2026-11-25",
}


def plan(**overrides: Any) -> dict[str, Any]:
    scenario = {
        "trigger": "Einde contract",
        "steps": "Overzetten naar de nieuwe leverancier.",
        "lead_time_days": 5,
        "preconditions": ["Export in open formaat"],
        "alternatives": ["SAP", "AFAS"],
        "responsible_role": "CIO",
    }
    values: dict[str, Any] = {
        "planned": scenario,
        "emergency": {**scenario, "lead_time_days": 2},
        "data_return_format": "CSV",
        "data_volume_gb": 2000,
        "bandwidth_mbps": 100,
        "integrations": 1,
        "data_destruction_method": "Crypto-shredding",
        "data_destruction_evidence": "Verklaring van de leverancier",
    }
    values.update(overrides)
    return values


def rules(client: TestClient, url: str, prefix: str) -> set[str]:
    decision = client.get(url).json()["decision"]
    return {f["rule"] for f in decision["findings"] if f["rule"].startswith(prefix)}


def test_the_assessment_lifecycle(client: TestClient, approver_client: TestClient) -> None:
    listed = client.get(f"{WERKPLEK}/risk-assessments")
    assert listed.status_code == 200
    overview = RiskAssessmentList.model_validate(listed.json())
    assert overview.items == [] and overview.leaves_eea
    assert [law.law for law in overview.foreign_laws] == [
        "us-cloud-act",
        "us-fisa-702",
        "us-eo-12333",
    ]
    assert "Verenigde Staten (via Microsoft Corporation)" in (
        overview.suggested_jurisdiction_description
    )
    assert rules(client, WERKPLEK, "cb2026.3.1.") == {"cb2026.3.1.jurisdiction-risk"}

    created = client.post(f"{WERKPLEK}/risk-assessments", json=body())
    assert created.status_code == 201, created.text
    assert created.headers["etag"] == '"v1"'
    assert created.headers["location"] == f"{WERKPLEK}/risk-assessments/1"
    draft = RiskAssessmentOut.model_validate(created.json())
    assert draft.state == "draft" and draft.risks[0].score == 10
    assert rules(client, WERKPLEK, "cb2026.3.1.") == {"cb2026.3.1.risk-acceptance"}
    assert_problem(
        client.post(f"{WERKPLEK}/risk-assessments", json=body()), 409, "ongeldige-toestand"
    )

    url = created.headers["location"]
    assert client.get(url).json() == created.json()
    assert_problem(client.put(url, json=body()), 428, "versie-ontbreekt")
    stale = assert_problem(
        client.put(url, json=body(), headers={"If-Match": '"v9"'}), 412, "versie-verouderd"
    )
    assert stale["current_version"] == 1 and stale["current"]["state"] == "draft"
    changed = client.put(url, json=body(summary="Klaar."), headers={"If-Match": '"v1"'})
    assert changed.status_code == 200 and changed.headers["etag"] == '"v2"'

    own = client.post(f"{url}/accept", json=ACCEPTANCE, headers={"If-Match": '"v2"'})
    assert "vier ogen" in str(assert_problem(own, 403, "niet-toegestaan")["detail"])
    accepted = approver_client.post(f"{url}/accept", json=ACCEPTANCE, headers={"If-Match": '"v2"'})
    assert accepted.status_code == 200, accepted.text
    out = RiskAssessmentOut.model_validate(accepted.json())
    assert out.state == "accepted" and str(out.review_due) == "2027-11-25"
    assert not out.review_overdue
    assert rules(client, WERKPLEK, "cb2026.3.1.") == set()
    twice = assert_problem(
        client.post(f"{url}/accept", json=ACCEPTANCE, headers={"If-Match": '"v3"'}),
        409,
        "ongeldige-toestand",
    )
    assert twice["detail"].startswith("Versie 1 is al geaccordeerd op 25 november 2026.")

    # changing the accepted version makes version 2, a draft; version 1 keeps counting
    next_version = client.put(url, json=body(summary="Herzien."), headers={"If-Match": '"v3"'})
    assert next_version.status_code == 201
    assert next_version.headers["location"] == f"{WERKPLEK}/risk-assessments/2"
    assert next_version.json()["number"] == 2 and next_version.json()["state"] == "draft"
    assert rules(client, WERKPLEK, "cb2026.3.1.") == set()
    states = [
        (i["number"], i["state"])
        for i in client.get(f"{WERKPLEK}/risk-assessments").json()["items"]
    ]
    assert states == [(2, "draft"), (1, "accepted")]


def test_acceptance_names_what_is_missing(client: TestClient, approver_client: TestClient) -> None:
    thin = body(dtia_reference="", risks=[{"theme": "continuity", "description": "Uitval"}])
    created = client.post(f"{WERKPLEK}/risk-assessments", json=thin)
    assert created.status_code == 201
    refused = assert_problem(
        approver_client.post(
            f"{WERKPLEK}/risk-assessments/1/accept", json=ACCEPTANCE, headers={"If-Match": '"v1"'}
        ),
        422,
        "ongeldige-invoer",
    )
    assert [e["field"] for e in refused["errors"]] == [
        "risks.lock-in.description",
        "risks.jurisdiction.description",
        "dtia_reference",
    ]
    assert client.get(f"{WERKPLEK}/risk-assessments/1").json()["state"] == "draft"


def test_invalid_input_is_named_in_dutch(client: TestClient) -> None:
    wrong = body(assessed_on=20261101, risks=[{"theme": "weer", "likelihood": 6}])
    problem = assert_problem(
        client.post(f"{WERKPLEK}/risk-assessments", json=wrong), 422, "ongeldige-invoer"
    )
    by_field = {e["field"]: e["message"] for e in problem["errors"]}
    assert by_field["assessed_on"] == "schrijf de datum als JJJJ-MM-DD"
    assert by_field["risks.0.theme"].startswith("onbekende waarde 'weer'")
    assert by_field["risks.0.likelihood"].startswith("6 is te groot")
    assert_problem(client.get(f"{WERKPLEK}/risk-assessments/0"), 422, "ongeldige-invoer")
    assert_problem(client.get(f"{WERKPLEK}/risk-assessments/3"), 404, "niet-gevonden")
    assert client.get(f"{WERKPLEK}/risk-assessments").json()["items"] == []


def test_the_exit_plan(client: TestClient) -> None:
    assert rules(client, ORACLE, "cb2026.3.2.") == {
        "cb2026.3.2.data-exit",
        "cb2026.3.2.emergency-plan",
        "cb2026.3.2.exit-plan",
    }
    assert_problem(client.get(f"{ORACLE}/exit-plan"), 404, "niet-gevonden")
    created = client.put(f"{ORACLE}/exit-plan", json=plan())
    assert created.status_code == 201, created.text
    assert created.headers["etag"] == '"v1"'
    out = ExitPlanOut.model_validate(created.json())
    # 2,000 GB over 100 Mbit/s at 70 %: 2.6 days -> 3; one integration: 5 days
    assert out.estimate is not None and out.estimate.total_days == 8
    assert out.planned is not None and out.planned.warning is not None
    assert out.planned.warning.startswith("De doorlooptijd in het plan (5 dagen) is korter")
    assert rules(client, ORACLE, "cb2026.3.2.") == {"cb2026.3.2.exit-tested"}

    assert_problem(client.put(f"{ORACLE}/exit-plan", json=plan()), 428, "versie-ontbreekt")
    longer = plan(planned={**plan()["planned"], "lead_time_days": 120})
    replaced = client.put(f"{ORACLE}/exit-plan", json=longer, headers={"If-Match": '"v1"'})
    assert replaced.status_code == 200 and replaced.json()["planned"]["warning"] is None

    test = {"tested_on": "2026-11-28", "result": "passed", "notes": "Binnen 6 dagen klaar."}
    assert_problem(client.post(f"{ORACLE}/exit-plan/test", json=test), 428, "versie-ontbreekt")
    assert_problem(
        client.post(f"{ORACLE}/exit-plan/test", json=test, headers={"If-Match": '"v1"'}),
        412,
        "versie-verouderd",
    )
    tested = client.post(f"{ORACLE}/exit-plan/test", json=test, headers={"If-Match": '"v2"'})
    assert tested.status_code == 200 and tested.json()["test_result"] == "passed"
    assert rules(client, ORACLE, "cb2026.3.2.") == set()

    reviewed = client.post(
        f"{ORACLE}/exit-plan/review",
        json={"reviewed_on": "2026-11-29"},
        headers={"If-Match": '"v3"'},
    )
    assert reviewed.status_code == 200
    assert reviewed.json()["review_due"] == "2027-11-29"
    future = client.post(
        f"{ORACLE}/exit-plan/review",
        json={"reviewed_on": "2026-12-01"},
        headers={"If-Match": '"v4"'},
    )
    assert assert_problem(future, 422, "ongeldige-invoer")["errors"][0]["field"] == "reviewed_on"
    wrong = client.post(
        f"{ORACLE}/exit-plan/test",
        json={"tested_on": "2026-11-01", "result": "ok"},
        headers={"If-Match": '"v4"'},
    )
    assert assert_problem(wrong, 422, "ongeldige-invoer")["errors"][0]["field"] == "result"


@pytest.fixture
def uwv_client(register: Register) -> Iterator[TestClient]:
    with client_for(create_app(register=as_user_of(register, "uwv"))) as client:
        yield client


def test_another_organisation_gets_404_everywhere(
    client: TestClient, uwv_client: TestClient
) -> None:
    client.post(f"{WERKPLEK}/risk-assessments", json=body())
    client.put(f"{WERKPLEK}/exit-plan", json=plan())
    v1 = {"If-Match": '"v1"'}
    calls = [
        uwv_client.get(f"{WERKPLEK}/risk-assessments"),
        uwv_client.post(f"{WERKPLEK}/risk-assessments", json=body()),
        uwv_client.get(f"{WERKPLEK}/risk-assessments/1"),
        uwv_client.put(f"{WERKPLEK}/risk-assessments/1", json=body(), headers=v1),
        uwv_client.post(f"{WERKPLEK}/risk-assessments/1/accept", json=ACCEPTANCE, headers=v1),
        uwv_client.get(f"{WERKPLEK}/exit-plan"),
        uwv_client.put(f"{WERKPLEK}/exit-plan", json=plan(), headers=v1),
        uwv_client.post(
            f"{WERKPLEK}/exit-plan/test",
            json={"tested_on": "2026-11-01", "result": "passed"},
            headers=v1,
        ),
        uwv_client.post(
            f"{WERKPLEK}/exit-plan/review", json={"reviewed_on": "2026-11-01"}, headers=v1
        ),
    ]
    for response in calls:
        body_ = assert_problem(response, 404, "niet-gevonden")
        assert "ssc-ict-werkplekbeheer" in body_["detail"]
    assert client.get(f"{WERKPLEK}/risk-assessments/1").json()["version"] == 1
    assert client.get(f"{WERKPLEK}/exit-plan").json()["version"] == 1
