"""An app on a migrated register (SQLite and PostgreSQL), filled with the BZK example."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.server.app import create_app
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.imports import commit_import
from cloudtoets.store.migrate import upgrade
from cloudtoets.store.tables import RegistrationRow

TODAY = dt.date(2026, 11, 29)
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "ministerie-bzk.yaml"
API = "/api/v1"


@pytest.fixture
def empty_register(database_url: str) -> Iterator[Register]:
    register = Register.open(
        Settings(database_url=database_url, auth_mode="local"), clock=FixedClock.on(TODAY)
    )
    upgrade(register.engine)
    yield register
    register.close()


@pytest.fixture
def register(empty_register: Register) -> Register:
    """The register with the 32 registrations of examples/ministerie-bzk.yaml, their evidence as
    the example states it (as the demo loads it; a user's import leaves evidence out)."""
    commit_import(
        empty_register,
        Actor.local("test"),
        EXAMPLE.name,
        EXAMPLE.read_bytes(),
        evidence_from_file=True,
    )
    return empty_register


def client_for(app: FastAPI) -> TestClient:
    # every failure must come back as a response, never as an exception in the test
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture
def client(register: Register) -> Iterator[TestClient]:
    with client_for(create_app(register=register)) as client:
        yield client


@pytest.fixture
def empty_client(empty_register: Register) -> Iterator[TestClient]:
    with client_for(create_app(register=empty_register)) as client:
        yield client


@pytest.fixture
def approver_client(register: Register) -> Iterator[TestClient]:
    """The same register as another local user: four eyes, the one who drafted cannot accept."""
    settings = register.settings.model_copy(update={"local_user": "accordeerder-lokaal"})
    other = dataclasses.replace(register, settings=settings)
    with client_for(create_app(register=other)) as client:
        yield client


def as_user_of(register: Register, organisation: str) -> Register:
    """The same database, with the local user limited to one organisation."""
    settings = register.settings.model_copy(update={"local_organisation": organisation})
    return dataclasses.replace(register, settings=settings)


def count_registrations(register: Register) -> int:
    with register.sessions() as session:
        return session.scalar(select(func.count()).select_from(RegistrationRow)) or 0


def assert_problem(response: Response, status: int, slug: str) -> dict[str, Any]:
    """A problem+json response of this status and type; its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"] == f"{API}/problemen/{slug}"
    assert {"title", "detail", "instance", "request_id"} <= set(body)
    assert body["request_id"] == response.headers["x-request-id"]
    return body
