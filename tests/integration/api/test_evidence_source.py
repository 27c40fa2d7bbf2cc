"""Decision 30: in the register the evidence (risk assessment, exit plan, notification,
justifications) comes only from the workflows. Every write path outside the web pages tries to
write it: the API's create and replace, and an import as JSON, YAML and XLSX. None changes the
verdict or the evidence; the API names the workflow endpoint to use instead. (An import keeps the
file's evidence as declared evidence, which counts only once an approver confirms it:
tests/integration/api/test_declared_evidence.py.)"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from cloudtoets.domain.knowledge import LEGACY_DEFAULTS, fill_legacy_defaults
from cloudtoets.domain.model import (
    ExitPlan,
    ExitScenario,
    Justification,
    Notification,
    RiskAssessment,
)
from cloudtoets.io.write import write_inventory
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.imports import commit_import, export_inventory

from .conftest import API, assert_problem, count_registrations

REGISTRATIONS = f"{API}/registrations"
EDITOR = Actor("bewerker-bzk", frozenset({"bzk"}), frozenset({"editor"}))
ID = "bzk-bewijs"
# material use of the public cloud: needs a risk assessment, an exit plan and a notification
MATERIAL = fill_legacy_defaults(
    {
        "id": ID,
        "organisation": "bzk",
        "name": "Kerntaak in de publieke cloud",
        "deployment": "public",
        "provider": "microsoft-ireland",
        "storage_countries": ["NL"],
        "processing_countries": ["NL"],
        "key_custody": "customer-managed",
        "encrypted_at_rest": True,
        "encrypted_in_transit": True,
        "in_use_since": "2020-01-01",
        "material": True,
        "core_task": True,
    },
    LEGACY_DEFAULTS,
)
EVIDENCE: dict[str, Any] = {
    "risk_assessment": {
        "date": "2026-01-05",
        "covers_lock_in": True,
        "covers_jurisdiction": True,
        "accepted_by": "bewerker zelf",
        "accepted_on": "2026-01-06",
    },
    "exit_plan": {
        "planned": {"lead_time_days": 180, "preconditions": ["kennis"]},
        "emergency": {"lead_time_days": 10, "preconditions": ["back-up"]},
        "data_return": True,
        "data_destruction": True,
        "last_tested": "2026-02-01",
        "last_reviewed": "2026-02-01",
    },
    "notification": {"submitted_on": "2026-03-01", "to": "CIO Rijk"},
    "justifications": [
        {"rule": "cb2026.4.location", "reason": "zelf bedacht", "accepted_by": "bewerker zelf"}
    ],
}
EMPTY = {"risk_assessment": None, "exit_plan": None, "notification": None, "justifications": []}


def _state(client: TestClient) -> tuple[str, dict[str, Any], int]:
    """The verdict, the evidence fields and the version of the registration."""
    body = client.get(f"{REGISTRATIONS}/{ID}").json()
    return body["decision"]["verdict"], {k: body[k] for k in EMPTY}, body["version"]


def _with_file_evidence(register: Register) -> Any:
    """The registration as exported, with the evidence an editor would type into the file."""
    inventory = export_inventory(register, Actor.local("test"), "bzk")
    inventory.registrations = [
        dataclasses.replace(
            r,
            risk_assessment=RiskAssessment(
                date=dt.date(2026, 1, 5),
                covers_lock_in=True,
                covers_jurisdiction=True,
                accepted_by="bewerker zelf",
                accepted_on=dt.date(2026, 1, 6),
            ),
            exit_plan=ExitPlan(
                planned=ExitScenario(180, ["kennis"]),
                emergency=ExitScenario(10, ["back-up"]),
                data_return=True,
                data_destruction=True,
                last_tested=dt.date(2026, 2, 1),
                last_reviewed=dt.date(2026, 2, 1),
            ),
            notification=Notification(dt.date(2026, 3, 1), "CIO Rijk"),
            justifications=[Justification(rule="cb2026.4.location", reason="zelf")],
        )
        for r in inventory.registrations
        if r.id == ID
    ]
    return inventory


def test_no_write_path_outside_the_workflows_changes_the_evidence(
    client: TestClient, register: Register, tmp_path: Path
) -> None:
    before = count_registrations(register)
    # create with evidence: a Dutch 422 naming the workflow endpoint per field, nothing stored
    problem = assert_problem(
        client.post(REGISTRATIONS, json={**MATERIAL, **EVIDENCE}), 422, "ongeldige-invoer"
    )
    errors = {e["field"]: e["message"] for e in problem["errors"]}
    assert set(errors) == set(EMPTY)
    assert f"POST /api/v1/registrations/{ID}/risk-assessments" in errors["risk_assessment"]
    assert f"PUT /api/v1/registrations/{ID}/exit-plan" in errors["exit_plan"]
    assert f"POST /api/v1/registrations/{ID}/notifications" in errors["notification"]
    assert f"POST /api/v1/registrations/{ID}/justifications" in errors["justifications"]
    assert "werkstroom" in errors["risk_assessment"]
    assert count_registrations(register) == before

    created = client.post(REGISTRATIONS, json=MATERIAL)
    assert created.status_code == 201, created.text
    verdict, evidence, version = _state(client)
    assert verdict != "allowed"  # the findings of missing evidence stand
    assert evidence == EMPTY

    # replace with evidence: refused, the registration as it was
    read = client.get(f"{REGISTRATIONS}/{ID}").json()
    sent = {k: v for k, v in read.items() if k not in ("version", "decision")}
    for name, value in EVIDENCE.items():
        response = client.put(
            f"{REGISTRATIONS}/{ID}",
            json={**sent, name: value},
            headers={"If-Match": f'"v{version}"'},
        )
        problem = assert_problem(response, 422, "ongeldige-invoer")
        assert [e["field"] for e in problem["errors"]] == [name]
        assert _state(client) == (verdict, evidence, version)
    # sending back what was read is no write of evidence
    same = client.put(f"{REGISTRATIONS}/{ID}", json=sent, headers={"If-Match": f'"v{version}"'})
    assert same.status_code == 200, same.text
    assert _state(client) == (verdict, evidence, version)

    # an import as JSON, YAML or XLSX: evidence not counted (declared, to be confirmed), said
    # per registration
    inventory = _with_file_evidence(register)
    for suffix in ("json", "yaml", "xlsx"):
        path = tmp_path / f"bzk.{suffix}"
        write_inventory(inventory, path)
        plan = commit_import(register, EDITOR, path.name, path.read_bytes())
        assert [n.where for n in plan.notes] == [f"registratie {ID}"]
        # risk assessment, exit plan, notification and justification wait as declared evidence
        assert "opgeslagen als te bevestigen" in plan.notes[0].message
        got_verdict, got_evidence, _ = _state(client)
        assert (got_verdict, got_evidence) == (verdict, evidence), suffix

    # the API's import says the same in its notes
    response = client.post(
        f"{API}/inventory/import",
        files={"file": ("bzk.json", (tmp_path / "bzk.json").read_bytes(), "application/json")},
    )
    assert response.status_code == 200, response.text
    notes = response.json()["notes"]
    assert [n["where"] for n in notes] == [f"registratie {ID}"]
    assert _state(client)[:2] == (verdict, evidence)

    # the same file with its evidence taken over (only the demo may) would change the verdict:
    # the assertions above could fail
    path = tmp_path / "bzk.json"
    commit_import(
        register, Actor.local("test"), path.name, path.read_bytes(), evidence_from_file=True
    )
    assert _state(client)[1] != EMPTY
