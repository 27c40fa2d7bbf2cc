"""Justifications and notifications through the REST API: ETag/If-Match, problems, packages."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.server.app import create_app
from cloudtoets.services import accounts
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.package_signing import instance_public_key
from cloudtoets.store.migrate import upgrade
from cloudtoets.store.tables import OrganisationRow

from .conftest import API, TODAY, assert_problem, client_for

MAIL = "bzk-zivver"  # e-mail in the public cloud: advised against, not material
MATERIAL = "ssc-ict-backup-aws"  # material use of external cloud, not yet notified
CONDITIONS = {
    "continuity_risk_established": True,
    "risk_and_exit_tested": True,
    "minister_consent_on": "2026-10-01",
}


def rules(client: TestClient, registration_id: str) -> dict[str, bool]:
    body = client.get(f"{API}/registrations/{registration_id}").json()
    return {f["rule"]: f["justified"] for f in body["decision"]["findings"]}


def test_a_justification_is_proposed_accepted_and_reported(
    client: TestClient, approver_client: TestClient
) -> None:
    base = f"{API}/registrations/{MAIL}/justifications"
    proposed = client.post(
        base,
        json={"rule": "cb2026.4.5.email", "reason": "Tijdelijk, tot de overstap.", **CONDITIONS},
    )
    assert proposed.status_code == 201, proposed.text
    body = proposed.json()
    assert body["state"] == "proposed" and proposed.headers["etag"] == f'"v{body["version"]}"'
    accept = f"{base}/{body['id']}/accept"
    person = {"name": "A. Jansen", "role": "secretaris-generaal", "accepted_on": "2026-11-28"}
    assert_problem(client.post(accept, json=person), 428, "versie-ontbreekt")
    stale = client.post(accept, json=person, headers={"If-Match": '"v99"'})
    assert assert_problem(stale, 412, "versie-verouderd")["current_version"] == body["version"]
    own = client.post(accept, json=person, headers={"If-Match": proposed.headers["etag"]})
    assert "vier ogen" in str(assert_problem(own, 403, "niet-toegestaan")["detail"])
    accepted = approver_client.post(
        accept, json=person, headers={"If-Match": proposed.headers["etag"]}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["reported_on"] == "2026-11-28"
    assert rules(client, MAIL)["cb2026.4.5.email"] is True
    again = client.post(accept, json=person, headers={"If-Match": accepted.headers["etag"]})
    assert "alleen een voorgestelde" in assert_problem(again, 409, "ongeldige-toestand")["detail"]
    deviations = client.get(f"{API}/deviations").json()
    mine = [d for d in deviations["items"] if d["registration"] == MAIL]
    assert [(d["rule"], d["reported_on"], d["recorded_with"]) for d in mine] == [
        ("cb2026.4.5.email", "2026-11-28", "workflow")
    ]
    listed = client.get(base).json()["items"]
    assert [j["state"] for j in listed] == ["accepted"]


def test_a_rule_without_an_advised_against_finding_is_refused_by_name(client: TestClient) -> None:
    response = client.post(
        f"{API}/registrations/{MAIL}/justifications",
        json={"rule": "cb2026.4.location", "reason": "Omdat."},
    )
    body = assert_problem(response, 422, "ongeldige-invoer")
    (error,) = body["errors"]
    assert error["field"] == "rule" and "cb2026.4.location" in error["message"]


def _step(client: TestClient, notification: dict[str, Any], step: str, **json: Any) -> Any:
    return client.post(
        f"{API}/notifications/{notification['id']}/{step}",
        headers={"If-Match": f'"v{notification["version"]}"'},
        **({"json": json} if json else {}),
    )


def test_a_notification_goes_all_the_way(client: TestClient) -> None:
    assert "cb2026.3.3.notification" in rules(client, MATERIAL)
    created = client.post(f"{API}/registrations/{MATERIAL}/notifications")
    assert created.status_code == 201, created.text
    draft = created.json()
    assert draft["state"] == "draft" and "submit" in draft["allowed_steps"]
    refused = _step(client, draft, "receive")
    assert "concept" in assert_problem(refused, 409, "ongeldige-toestand")["detail"]
    sent = _step(client, draft, "submit")
    assert sent.status_code == 200, sent.text
    notification = sent.json()
    assert notification["snapshot"]["registration"]["id"] == MATERIAL
    assert len(notification["snapshot_hash"]) == 64
    assert "cb2026.3.3.notification" not in rules(client, MATERIAL)
    for step, text in (("receive", None), ("question", "Wanneer is de exit getest?")):
        answer = _step(client, notification, step, **({"text": text} if text else {}))
        assert answer.status_code == 200, answer.text
        notification = answer.json()
    empty = _step(client, notification, "answer", text="")
    assert_problem(empty, 422, "ongeldige-invoer")
    notification = _step(client, notification, "answer", text="In oktober.").json()
    notification = _step(client, notification, "close").json()
    assert notification["state"] == "closed" and notification["allowed_steps"] == []
    assert [m["kind"] for m in notification["messages"]] == ["question", "answer"]
    inbox = client.get(f"{API}/notifications", params={"state": "closed"}).json()
    assert [n["id"] for n in inbox["items"]] == [notification["id"]]
    assert inbox["items"][0]["source_instance"] is None
    assert_problem(
        client.get(f"{API}/notifications", params={"state": "x"}), 422, "ongeldige-invoer"
    )


def test_a_role_refusal_names_who_may_take_the_step(register: Register) -> None:
    settings = register.settings.model_copy(update={"auth_mode": "accounts"})
    with_accounts = dataclasses.replace(register, settings=settings)
    admin = Actor("test", roles=frozenset({"admin"}))
    accounts.create_user(
        with_accounts, admin, "bewerker-ssc", organisation="ssc-ict", roles=["editor"]
    )
    token = accounts.create_token(with_accounts, admin, "bewerker-ssc", "test")
    client = client_for(create_app(register=with_accounts))
    auth = {"Authorization": f"Bearer {token}"}
    draft = client.post(f"{API}/registrations/{MATERIAL}/notifications", headers=auth).json()
    sent = client.post(
        f"{API}/notifications/{draft['id']}/submit",
        headers={**auth, "If-Match": f'"v{draft["version"]}"'},
    ).json()
    assert sent["allowed_steps"] == []  # the rest is CIO Rijk's
    refused = client.post(
        f"{API}/notifications/{sent['id']}/receive",
        headers={**auth, "If-Match": f'"v{sent["version"]}"'},
    )
    detail = assert_problem(refused, 403, "niet-toegestaan")["detail"]
    assert detail == "Alleen CIO Rijk kan een melding in behandeling nemen. Er is niets gewijzigd."


@pytest.fixture
def receiving(register: Register, tmp_path: Path) -> Iterator[TestClient]:
    """CIO Rijk's own installation: an empty register that trusts the sender's key."""
    trusted = tmp_path / "vertrouwd.txt"
    trusted.write_text(
        f"cloudtoets {instance_public_key(register)} bzk,fin,ssc-ict,uwv\n", encoding="utf-8"
    )
    other = Register.open(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'cio.sqlite'}",
            auth_mode="local",
            instance_name="cio-rijk",
            trusted_keys_file=trusted,
        ),
        clock=FixedClock.on(TODAY),
    )
    upgrade(other.engine)
    with other.sessions() as session, session.begin():
        session.add(OrganisationRow(id="ssc-ict", name="SSC-ICT", type="agency"))
    with client_for(create_app(register=other)) as client:
        yield client


def test_a_signed_package_goes_from_one_installation_to_another(
    client: TestClient, receiving: TestClient
) -> None:
    draft = client.post(f"{API}/registrations/{MATERIAL}/notifications").json()
    assert_problem(
        client.get(f"{API}/notifications/{draft['id']}/package"), 409, "ongeldige-toestand"
    )
    sent = _step(client, draft, "submit").json()
    exported = client.get(f"{API}/notifications/{sent['id']}/package")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    package = exported.content
    tampered = package.replace(b'"ssc-ict-backup-aws"', b'"ssc-ict-backup-azu"', 1)
    refused = receiving.post(
        f"{API}/notifications/import", files={"file": ("melding.json", tampered)}
    )
    body = assert_problem(refused, 422, "ongeldige-invoer")
    assert "niets opgeslagen" in body["errors"][0]["message"]
    assert receiving.get(f"{API}/notifications").json()["total"] == 0
    imported = receiving.post(
        f"{API}/notifications/import", files={"file": ("melding.json", package)}
    )
    assert imported.status_code == 201, imported.text
    notification = imported.json()
    assert notification["source_instance"] == "cloudtoets"
    assert notification["organisation"] == "ssc-ict"
    assert notification["snapshot_hash"] == sent["snapshot_hash"]
    assert imported.headers["location"] == f"{API}/notifications/{notification['id']}"
    assert "receive" in notification["allowed_steps"]
