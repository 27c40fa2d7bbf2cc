"""A database outage looks like an outage, not a bug (services/outage.py, docs/operations.md).

PostgreSQL is reached through a TCP proxy (tests/tcp_proxy.py) that the test cuts and restores:
while it is cut, the API answers 503 with Retry-After and a problem document, the pages the
Dutch page "tijdelijk niet bereikbaar", /health/ready 503 and /health/live 200, and the log has
one line for the whole outage and no traceback. After the restore the same app (no restart)
serves again and logs one line "weer bereikbaar". On SQLite a write lock held by another
connection makes a write wait for the busy timeout and then answer 503.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import event

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.server.app import create_app
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.imports import commit_import
from cloudtoets.store.migrate import downgrade, head_revision, upgrade
from tests.integration.operations.conftest import EXAMPLE, registration_body
from tests.tcp_proxy import TcpProxy

API = "/api/v1"
TODAY = dt.date(2026, 11, 29)
OUTAGE_LOGGER = "cloudtoets.database"


def _register(url: str) -> Register:
    register = Register.open(
        Settings(database_url=url, auth_mode="local"), clock=FixedClock.on(TODAY)
    )
    upgrade(register.engine)
    commit_import(
        register, Actor.local("test"), EXAMPLE.name, EXAMPLE.read_bytes(), evidence_from_file=True
    )
    return register


def _client(register: Register) -> TestClient:
    return TestClient(create_app(register=register), raise_server_exceptions=False)


def assert_unavailable(response: Any) -> dict[str, Any]:  # the TestClient's response
    """503, Retry-After of a few seconds, and a problem document of the house style."""
    assert response.status_code == 503, response.text
    assert 1 <= int(response.headers["retry-after"]) <= 30
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == 503
    assert body["type"] == f"{API}/problemen/niet-beschikbaar"
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Interne fout" not in response.text
    return body


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == OUTAGE_LOGGER]


def assert_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    with_trace = [r for r in caplog.records if r.exc_info or r.stack_info]
    assert not with_trace, [f"{r.name}: {r.getMessage()}" for r in with_trace]
    assert "Traceback" not in caplog.text
    errors = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, errors


# ------------------------------------------------------------------------------ PostgreSQL


@pytest.fixture
def proxied_register(proxied_postgres: tuple[str, TcpProxy]) -> Iterator[Register]:
    url, _proxy = proxied_postgres
    register = _register(url)
    yield register
    register.close()


@pytest.mark.postgres
def test_a_lost_postgresql_is_an_outage_and_the_app_recovers_without_restart(
    proxied_postgres: tuple[str, TcpProxy],
    proxied_register: Register,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _url, proxy = proxied_postgres
    register = proxied_register
    clock = register.clock
    assert isinstance(clock, FixedClock)
    with _client(register) as client:
        # the pool holds live connections when the database goes away
        assert client.get(f"{API}/registrations").status_code == 200
        assert client.get("/registraties").status_code == 200
        caplog.set_level(logging.WARNING)
        caplog.clear()

        proxy.cut()
        refused = 0
        for _ in range(6):
            assert_unavailable(client.get(f"{API}/registrations"))
            assert_unavailable(client.get(f"{API}/registrations/bzk-m365-mail"))
            refused += 2
        for number in range(3):
            body = registration_body(f"bzk-tijdens-storing-{number}", "tijdens de storing")
            problem = assert_unavailable(client.post(f"{API}/registrations", json=body))
            assert "niet bereikbaar" in problem["detail"]
            refused += 1
        page = client.get("/registraties")
        refused += 1
        assert page.status_code == 503
        assert page.headers["content-type"].startswith("text/html")
        assert 1 <= int(page.headers["retry-after"]) <= 30
        assert "tijdelijk niet bereikbaar" in page.text
        assert "Er ging iets mis" not in page.text
        ready = client.get(f"{API}/health/ready")
        assert ready.status_code == 503
        assert int(ready.headers["retry-after"]) >= 1
        assert ready.json()["type"] == f"{API}/problemen/niet-gereed"
        assert "niet bereikbaar" in ready.json()["detail"]
        assert ready.json()["checks"]["database"] == "fout"
        assert client.get(f"{API}/health/live").status_code == 200
        assert client.get(f"{API}/health").status_code == 200

        lines = outage_lines(caplog)
        assert len(lines) == 1, lines
        assert "niet bereikbaar" in lines[0] and "GET /api/v1/registrations" in lines[0]
        assert_no_traceback(caplog)
        assert register.outage.refused_count == refused

        clock.advance(dt.timedelta(seconds=3.5))
        proxy.restore()
        assert client.get(f"{API}/registrations").status_code == 200
        created = client.post(
            f"{API}/registrations", json=registration_body("bzk-na-de-storing", "na de storing")
        )
        assert created.status_code == 201, created.text
        assert client.get("/registraties").status_code == 200
        assert client.get(f"{API}/health/ready").status_code == 200

    lines = outage_lines(caplog)
    assert len(lines) == 2, lines
    assert "weer bereikbaar" in lines[1]
    assert "3,5 s" in lines[1] and f"{refused} verzoeken" in lines[1]
    assert_no_traceback(caplog)
    assert not register.outage.active


@pytest.mark.postgres
def test_a_second_outage_is_a_second_episode(
    proxied_postgres: tuple[str, TcpProxy],
    proxied_register: Register,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _url, proxy = proxied_postgres
    caplog.set_level(logging.WARNING)
    with _client(proxied_register) as client:
        for _ in range(2):
            proxy.cut()
            assert_unavailable(client.get(f"{API}/registrations"))
            assert_unavailable(client.get(f"{API}/registrations"))
            proxy.restore()
            assert client.get(f"{API}/registrations").status_code == 200
    lines = outage_lines(caplog)
    assert [("weer bereikbaar" in line) for line in lines] == [False, True, False, True], lines
    assert all("2 verzoeken kregen 503" in line for line in lines[1::2]), lines
    assert_no_traceback(caplog)


@pytest.mark.postgres
def test_a_restart_between_requests_costs_one_503_then_the_pool_is_renewed(
    proxied_postgres: tuple[str, TcpProxy],
    proxied_register: Register,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No ping per checkout (store/db.py): the first request on a connection of before the
    restart finds it broken and gets a 503; SQLAlchemy then renews the whole pool."""
    _url, proxy = proxied_postgres
    caplog.set_level(logging.WARNING)
    with _client(proxied_register) as client:
        assert client.get(f"{API}/registrations").status_code == 200
        proxy.cut()
        proxy.restore()  # no request while it was away
        statuses = [client.get(f"{API}/registrations").status_code for _ in range(4)]
    assert statuses == [503, 200, 200, 200]
    lines = outage_lines(caplog)
    assert len(lines) == 2 and "1 verzoek kreeg 503" in lines[1], lines
    assert_no_traceback(caplog)


# ------------------------------------------------------------------------------ SQLite


@pytest.fixture
def sqlite_register(tmp_path: Path) -> Iterator[Register]:
    register = _register(f"sqlite:///{tmp_path / 'cloudtoets.sqlite'}")

    @event.listens_for(register.engine, "connect")
    def _short_wait(dbapi_connection: Any, _record: Any) -> None:
        # after the app's own pragmas: wait 0.2 s for a held lock instead of 10 s
        dbapi_connection.execute("PRAGMA busy_timeout=200")

    register.engine.dispose()  # every connection from now on has the short wait
    yield register
    register.close()


def test_a_held_sqlite_write_lock_answers_503_and_reads_go_on(
    sqlite_register: Register, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    blocker = sqlite3.connect(tmp_path / "cloudtoets.sqlite", isolation_level=None)
    with _client(sqlite_register) as client:
        try:
            blocker.execute("BEGIN IMMEDIATE")  # as a long import holds it
            for number in range(3):
                body = registration_body(f"bzk-op-slot-{number}", "op slot")
                problem = assert_unavailable(client.post(f"{API}/registrations", json=body))
                assert "bezet" in problem["detail"]
            assert client.get(f"{API}/registrations").status_code == 200  # readers pass
            assert client.get(f"{API}/health/ready").status_code == 200
            lines = outage_lines(caplog)
            assert len(lines) == 1 and "bezet" in lines[0], lines
        finally:
            blocker.rollback()
            blocker.close()
        created = client.post(
            f"{API}/registrations", json=registration_body("bzk-na-het-slot", "na het slot")
        )
        assert created.status_code == 201, created.text
    lines = outage_lines(caplog)
    assert len(lines) == 2 and "weer bereikbaar" in lines[1], lines
    assert "bezet" in lines[1] and "3 verzoeken kregen 503" in lines[1]
    assert_no_traceback(caplog)


def test_another_database_error_stays_a_500_with_its_traceback(
    sqlite_register: Register, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Only a lost or busy database is an outage: a broken schema is a bug and says so."""
    blocker = sqlite3.connect(tmp_path / "cloudtoets.sqlite")
    blocker.execute("ALTER TABLE registrations RENAME TO registrations_weg")
    blocker.commit()
    blocker.close()
    with _client(sqlite_register) as client:
        response = client.get(f"{API}/registrations")
    assert response.status_code == 500
    assert response.json()["type"] == f"{API}/problemen/interne-fout"
    assert not outage_lines(caplog)
    assert any(r.exc_info for r in caplog.records)
    assert not sqlite_register.outage.active


# ------------------------------------------------------------------------------ readiness


def test_ready_answers_503_on_a_database_at_an_old_revision(database_url: str) -> None:
    register = _register(database_url)
    try:
        with _client(register) as client:
            ready = client.get(f"{API}/health/ready")
            assert ready.status_code == 200, ready.text
            head = head_revision()
            assert ready.json() == {
                "status": "ready",
                "checks": {"database": "ok", "schema": "ok"},
                "schema": {"current": head, "head": head},
            }
            script = ScriptDirectory.from_config(_alembic_config())
            previous = script.get_revision(head).down_revision
            assert isinstance(previous, str)
            downgrade(register.engine, previous)

            ready = client.get(f"{API}/health/ready")
            assert ready.status_code == 503
            assert int(ready.headers["retry-after"]) >= 1
            body = ready.json()
            assert body["type"] == f"{API}/problemen/niet-gereed"
            assert f"versie {previous}" in body["detail"] and f"versie {head}" in body["detail"]
            assert "cloudtoets db upgrade" in body["detail"]
            assert body["checks"] == {"database": "ok", "schema": "fout"}
            assert client.get(f"{API}/health/live").status_code == 200
            assert not register.outage.active  # an old schema is no outage
    finally:
        register.close()


def _alembic_config() -> Any:
    from alembic.config import Config

    from cloudtoets.store.migrate import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def test_live_and_ready_are_public_and_documented(sqlite_register: Register) -> None:
    settings = sqlite_register.settings.model_copy(update={"auth_mode": "accounts"})
    with _client(dataclasses.replace(sqlite_register, settings=settings)) as client:
        assert client.get(f"{API}/registrations").status_code == 401
        assert client.get(f"{API}/health/live").json() == {"status": "live"}
        assert client.get(f"{API}/health/ready").status_code == 200
        spec = client.get(f"{API}/openapi.json").json()
    for path in ("/health/live", "/health/ready"):
        operation = spec["paths"][f"{API}{path}"]["get"]
        assert operation["tags"] == ["systeem"]
        assert "security" not in operation
    assert "503" in spec["paths"][f"{API}/health/ready"]["get"]["responses"]
    assert "503" not in spec["paths"][f"{API}/health/live"]["get"]["responses"]
    assert "503" in spec["paths"][f"{API}/registrations"]["post"]["responses"]
