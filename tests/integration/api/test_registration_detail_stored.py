"""The registration detail sends the stored decision when it is today's, and evaluates when it
is not: the body is byte for byte what a fresh evaluation gives (the route's body before it read
the stored decision), for every registration of the demo register, with and without workflow
objects, after the date moved on, and after an organisation changed without its registrations
being evaluated again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from cloudtoets.api.registrations import detail_response
from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.server.app import create_app
from cloudtoets.services import registrations as service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.demo import load_demo
from cloudtoets.services.errors import NotFound
from cloudtoets.services.workflow_projection import registrations_with_workflow
from cloudtoets.store.migrate import upgrade
from cloudtoets.store.tables import OrganisationRow, RegistrationRow

from .conftest import API, TODAY, client_for

ACTOR = Actor.local("detail-test")


@pytest.fixture
def demo(database_url: str) -> Iterator[tuple[Register, FixedClock]]:
    clock = FixedClock.on(TODAY)
    register = Register.open(Settings(database_url=database_url, auth_mode="local"), clock=clock)
    upgrade(register.engine)
    load_demo(register)
    yield register, clock
    register.close()


@pytest.fixture
def client(demo: tuple[Register, FixedClock]) -> Iterator[TestClient]:
    with client_for(create_app(register=demo[0])) as client:
        yield client


def _ids(register: Register) -> tuple[list[str], set[str]]:
    with register.sessions() as session:
        ids = list(session.scalars(select(RegistrationRow.id).order_by(RegistrationRow.id)))
        organisations = set(session.scalars(select(OrganisationRow.id)))
        with_workflow = registrations_with_workflow(session, organisations)
    return ids, with_workflow


def _evaluated(register: Register, registration_id: str) -> bytes:
    """The body the detail sent when it evaluated on every read."""
    return bytes(detail_response(service.get_registration(register, ACTOR, registration_id)).body)


def _assert_same_as_evaluated(
    client: TestClient, register: Register, registration_id: str
) -> dict[str, object]:
    response = client.get(f"{API}/registrations/{registration_id}")
    assert response.status_code == 200
    assert response.content == _evaluated(register, registration_id), registration_id
    body = orjson.loads(response.content)
    assert response.headers["ETag"] == f'"v{body["version"]}"'
    return dict(body)


def _with_notifications(client: TestClient, ids: list[str]) -> list[str]:
    """Notifications for three material registrations that need one: a draft, and two sent
    (sending changes the registration's notification field and evaluates it again)."""
    chosen = []
    for registration_id in ids:
        findings = client.get(f"{API}/registrations/{registration_id}").json()["decision"]
        if any(f["rule"] == "cb2026.3.3.notification" for f in findings["findings"]):
            chosen.append(registration_id)
        if len(chosen) == 3:
            break
    for number, registration_id in enumerate(chosen):
        created = client.post(f"{API}/registrations/{registration_id}/notifications")
        assert created.status_code == 201, created.text
        if number:
            draft = created.json()
            sent = client.post(
                f"{API}/notifications/{draft['id']}/submit",
                headers={"If-Match": f'"v{draft["version"]}"'},
            )
            assert sent.status_code == 200, sent.text
    return chosen


def test_the_stored_decision_is_sent_as_evaluated(
    demo: tuple[Register, FixedClock], client: TestClient
) -> None:
    register, _ = demo
    notified = _with_notifications(client, _ids(register)[0])
    ids, with_workflow = _ids(register)
    assert set(notified) <= with_workflow
    assert len(ids) > 20 and len(with_workflow & set(ids)) >= 3
    stored = 0
    for registration_id in ids:
        _assert_same_as_evaluated(client, register, registration_id)
        detail = service.registration_detail(register, ACTOR, registration_id)
        stored += detail.stored
        forced = service.registration_detail(register, ACTOR, registration_id, evaluate=True)
        assert not forced.stored and forced.result == detail.result
    assert stored == len(ids)  # every read came from the stored decision, none evaluated


def test_a_decision_from_before_today_is_evaluated_again(
    demo: tuple[Register, FixedClock], client: TestClient
) -> None:
    register, clock = demo
    ids, _ = _ids(register)
    before = {i: _assert_same_as_evaluated(client, register, i) for i in ids}
    clock.move_to(dt.date(2028, 1, 1))  # deadlines of the transition have passed
    changed = 0
    for registration_id in ids:
        after = _assert_same_as_evaluated(client, register, registration_id)
        assert not service.registration_detail(register, ACTOR, registration_id).stored
        assert after["decision"]["as_of"] == "2028-01-01"  # type: ignore[index]
        changed += after["decision"]["verdict"] != before[registration_id]["decision"]["verdict"]  # type: ignore[index]
    assert changed > 0  # the stored verdicts would have been wrong


def test_a_changed_organisation_makes_its_stored_decisions_stale(
    demo: tuple[Register, FixedClock], client: TestClient
) -> None:
    register, clock = demo
    with register.sessions() as session:
        organisation, registration_id = session.execute(
            select(RegistrationRow.organisation_id, RegistrationRow.id)
            .where(RegistrationRow.is_material.is_(True))
            .order_by(RegistrationRow.id)
            .limit(1)
        ).one()
    assert service.registration_detail(register, ACTOR, registration_id).stored
    clock.advance(dt.timedelta(minutes=5))  # the same day, later
    with register.sessions() as session, session.begin():
        session.execute(
            update(OrganisationRow)
            .where(OrganisationRow.id == organisation)
            .values(name="Hernoemd", critical_entity=True, updated_at=clock.now())
        )
    assert not service.registration_detail(register, ACTOR, registration_id).stored
    _assert_same_as_evaluated(client, register, registration_id)


def test_an_unknown_or_invisible_registration_is_404(
    demo: tuple[Register, FixedClock], client: TestClient
) -> None:
    register, _ = demo
    assert client.get(f"{API}/registrations/bestaat-niet").status_code == 404
    ids, _ = _ids(register)
    with register.sessions() as session:
        organisation = session.get(RegistrationRow, ids[0]).organisation_id  # type: ignore[union-attr]
    other = Actor("iemand", roles=frozenset({"viewer"}), organisations=frozenset({"x"}))
    with pytest.raises(NotFound):
        service.registration_detail(register, other, ids[0])
    assert organisation != "x"
