"""Declared evidence: an import keeps a registration's risk assessment, exit plan and
notification as workflow objects to be confirmed. They do not count until an approver of the
organisation (not the importer: four eyes; not an editor) confirms them; then they count, with
the review dates of evidence made in cloudtoets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cloudtoets.io.write import write_inventory
from cloudtoets.services import declared_evidence
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import InvalidTransition
from cloudtoets.services.imports import commit_import
from cloudtoets.services.reminders import reminders
from cloudtoets.services.workflow_steps import OwnDraft, RoleRefused
from cloudtoets.store.tables import AuditRow
from cloudtoets.store.workflows import RiskAssessmentRow

from .conftest import API
from .test_evidence_source import EMPTY, ID, MATERIAL, REGISTRATIONS, _state, _with_file_evidence

IMPORTER = Actor("bewerker-bzk", frozenset({"bzk"}), frozenset({"editor", "approver"}))
EDITOR = Actor("ander-bewerker", frozenset({"bzk"}), frozenset({"editor"}))
APPROVER = Actor("accordeerder-bzk", frozenset({"bzk"}), frozenset({"approver"}))
OTHER_APPROVER = Actor("accordeerder-ienw", frozenset({"ienw"}), frozenset({"approver"}))


def _import(register: Register, tmp_path: Path, suffix: str = "json") -> None:
    path = tmp_path / f"bzk-papier.{suffix}"
    write_inventory(_with_file_evidence(register), path)
    plan = commit_import(register, IMPORTER, path.name, path.read_bytes())
    assert "opgeslagen als te bevestigen" in plan.notes[0].message


@pytest.fixture
def imported(client: TestClient, register: Register, tmp_path: Path) -> tuple[str, dict[str, Any]]:
    created = client.post(REGISTRATIONS, json=MATERIAL)
    assert created.status_code == 201, created.text
    verdict, evidence, _ = _state(client)
    assert evidence == EMPTY
    _import(register, tmp_path)
    return verdict, evidence


def test_imported_evidence_waits_and_does_not_count(
    client: TestClient, register: Register, imported: tuple[str, dict[str, Any]]
) -> None:
    verdict, evidence = imported
    assert _state(client)[:2] == (verdict, evidence)  # nothing counts yet
    items = declared_evidence.waiting(register, APPROVER)
    assert [(i.kind, i.registration_id) for i in items] == [
        ("exit-plan", ID),
        ("justification", ID),
        ("notification", ID),
        ("risk-assessment", ID),
    ]
    today = register.today()
    for item in items:
        assert item.provenance == (
            f"ingevoerd bij import door bewerker-bzk op {today.day} november 2026, "
            "bron: bzk-papier.json"
        )
        assert not item.confirmed
    assert declared_evidence.waiting(register, OTHER_APPROVER) == []
    # the risk assessment is on record as "declared", not accepted; no review reminder
    with register.sessions() as session:
        states = list(session.scalars(select(RiskAssessmentRow.state)))
    assert states == ["declared"]
    late = reminders(register, APPROVER, dt.date(2027, 3, 1))
    assert not [r for r in late if r.registration == ID and r.kind == "risk-review"]
    # a second import replaces what waits, it does not add to it
    with register.sessions() as session:
        audit = list(session.scalars(select(AuditRow.action).where(AuditRow.action == "declare")))
    assert len(audit) == 4


def test_only_another_approver_confirms_and_then_it_counts(
    client: TestClient, register: Register, imported: tuple[str, dict[str, Any]]
) -> None:
    verdict, _ = imported
    items = {i.kind: i for i in declared_evidence.waiting(register, APPROVER)}
    key = items["risk-assessment"].key
    with pytest.raises(OwnDraft):
        declared_evidence.confirm_declared(register, IMPORTER, key)
    with pytest.raises(RoleRefused):
        declared_evidence.confirm_declared(register, EDITOR, key)
    assert _state(client)[1] == EMPTY

    confirmed = declared_evidence.confirm_declared(register, APPROVER, key)
    assert confirmed.confirmed
    _, evidence, _ = _state(client)
    assert evidence["risk_assessment"] == {
        "date": "2026-01-05",
        "covers_lock_in": True,
        "covers_jurisdiction": True,
        "accepted_by": "bewerker zelf",
        "accepted_on": "2026-01-06",
    }
    with pytest.raises(InvalidTransition):
        declared_evidence.confirm_declared(register, APPROVER, key)
    # reviewed like an assessment accepted in cloudtoets: 12 months after its acceptance
    with register.sessions() as session:
        row = session.scalars(select(RiskAssessmentRow)).one()
        assert (row.state, row.review_due) == ("accepted", dt.date(2027, 1, 6))
    due = [
        r
        for r in reminders(register, APPROVER, dt.date(2026, 12, 1))
        if r.registration == ID and r.kind == "risk-review"
    ]
    assert [r.due for r in due] == [dt.date(2027, 1, 6)]

    # the rest in one confirmation that lists them: now everything counts
    rest = [i.key for i in declared_evidence.waiting(register, APPROVER)]
    assert len(rest) == 3
    with pytest.raises(OwnDraft):  # all or nothing
        declared_evidence.confirm_declared_in_bulk(register, IMPORTER, rest)
    done = declared_evidence.confirm_declared_in_bulk(register, APPROVER, rest)
    assert all(i.confirmed for i in done)
    assert declared_evidence.waiting(register, APPROVER) == []
    new_verdict, evidence, _ = _state(client)
    assert evidence["exit_plan"]["last_reviewed"] == "2026-02-01"
    assert evidence["notification"] == {"submitted_on": "2026-03-01", "to": "CIO Rijk"}
    assert [j["rule"] for j in evidence["justifications"]] == ["cb2026.4.location"]
    assert evidence["justifications"][0]["accepted_by"] == "accordeerder-bzk"  # none in the file
    assert new_verdict != verdict or verdict == "allowed"
    with register.sessions() as session:
        confirmed_audit = list(
            session.scalars(select(AuditRow.object_type).where(AuditRow.action == "confirm"))
        )
    assert sorted(confirmed_audit) == [
        "exit_plan",
        "justification",
        "notification",
        "risk_assessment",
    ]


def test_the_api_lists_and_confirms(
    client: TestClient,
    approver_client: TestClient,
    register: Register,
    imported: tuple[str, dict[str, Any]],
) -> None:
    listed = approver_client.get(f"{API}/declared-evidence", params={"organisation": "bzk"})
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert {i["kind"] for i in items} == {
        "risk-assessment",
        "exit-plan",
        "notification",
        "justification",
    }
    assert all("bron: bzk-papier.json" in i["provenance"] for i in items)
    first = items[0]
    one = approver_client.post(f"{API}/declared-evidence/{first['kind']}/{first['id']}/confirm")
    assert one.status_code == 200, one.text
    assert one.json()["confirmed"] is True
    again = approver_client.post(f"{API}/declared-evidence/{first['kind']}/{first['id']}/confirm")
    assert again.status_code == 409, again.text
    rest = [i["key"] for i in items[1:]]
    bulk = approver_client.post(f"{API}/declared-evidence/confirm", json={"items": rest})
    assert bulk.status_code == 200, bulk.text
    assert [i["key"] for i in bulk.json()["items"]] == rest
    assert client.get(f"{API}/declared-evidence").json()["items"] == []
    missing = approver_client.post(f"{API}/declared-evidence/exit-plan/999999/confirm")
    assert missing.status_code == 404


def test_a_declared_version_is_not_accepted_or_changed_outside_the_confirmation(
    approver_client: TestClient, register: Register, imported: tuple[str, dict[str, Any]]
) -> None:
    """The risk assessment's own accept and replace would bypass the four eyes of confirming."""
    url = f"{REGISTRATIONS}/{ID}/risk-assessments/1"
    read = approver_client.get(url)
    assert read.status_code == 200, read.text
    assert read.json()["state"] == "declared"
    version = read.headers["ETag"]
    acceptance = {
        "accepted_by_name": "A. Accordeerder",
        "accepted_by_role": "secretaris-generaal",
        "accepted_on": "2026-11-28",
    }
    accepted = approver_client.post(f"{url}/accept", json=acceptance, headers={"If-Match": version})
    assert accepted.status_code == 409, accepted.text
    assert "Te bevestigen" in accepted.json()["detail"]
    assert declared_evidence.waiting(register, APPROVER)[3].kind == "risk-assessment"


def test_a_declared_exit_plan_says_where_it_came_from_and_waits_unchanged(
    client: TestClient, register: Register, imported: tuple[str, dict[str, Any]]
) -> None:
    """Changing the plan, or recording a test or review, before an approver confirmed it would
    let the importer's evidence count without the second pair of eyes."""
    url = f"{REGISTRATIONS}/{ID}/exit-plan"
    read = client.get(url)
    assert read.status_code == 200, read.text
    plan = read.json()
    assert plan["declaration"] == "to_confirm"
    assert "bzk-papier.json" in plan["provenance"] and IMPORTER.user in plan["provenance"]
    version = {"If-Match": read.headers["ETag"]}
    test = client.post(
        f"{url}/test", json={"tested_on": "2026-11-01", "result": "passed"}, headers=version
    )
    review = client.post(f"{url}/review", json={"reviewed_on": "2026-11-01"}, headers=version)
    for refused in (test, review):
        assert refused.status_code == 409, refused.text
        assert "wacht op bevestiging" in refused.json()["detail"]
    assert client.get(url).json() == plan  # nothing changed

    (item,) = [i for i in declared_evidence.waiting(register, APPROVER) if i.kind == "exit-plan"]
    declared_evidence.confirm_declared(register, APPROVER, item.key)
    confirmed = client.get(url)
    assert confirmed.json()["declaration"] == "confirmed"
    tested = client.post(
        f"{url}/test",
        json={"tested_on": "2026-11-01", "result": "passed"},
        headers={"If-Match": confirmed.headers["ETag"]},
    )
    assert tested.status_code == 200, tested.text
    assert tested.json()["last_tested"] == "2026-11-01"


def test_the_monitoring_says_where_the_evidence_came_from(
    client: TestClient, register: Register, imported: tuple[str, dict[str, Any]]
) -> None:
    def origin() -> dict[str, tuple[int, int, int]]:
        found = client.get(f"{API}/monitoring")
        assert found.status_code == 200, found.text
        return {
            e["kind"]: (e["made_here"], e["confirmed"], e["waiting"])
            for e in found.json()["evidence_origin"]
        }

    before = origin()
    waiting = declared_evidence.waiting(register, APPROVER)
    assert {kind: counts[2] for kind, counts in before.items()} == {
        kind: sum(1 for i in waiting if i.kind == kind) for kind in before
    }
    assert before["exit-plan"] == (0, 0, 1)
    plan = next(i for i in waiting if i.kind == "exit-plan")
    declared_evidence.confirm_declared(register, APPROVER, plan.key)
    assert origin()["exit-plan"] == (0, 1, 0)
    page = client.get("/monitoring")
    assert page.status_code == 200 and "Herkomst van het bewijs" in page.text
