"""The app as it runs in production: ``auth_mode="accounts"``, Secure cookies, real logins.

Every test here builds the app with ``create_app(register=...)`` on a migrated register with the
demo data (``load_demo``: 162 registrations of 11 organisations and one account per role), on
SQLite and on PostgreSQL. Browsers are imitated with ``TestClient`` on ``https://testserver`` so
the ``__Host-sid`` cookie (Secure) is sent back; API callers use personal bearer tokens made with
``services.accounts.create_token``. Nothing here switches logins off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import ProgrammingError

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.server.app import create_app
from cloudtoets.services import accounts
from cloudtoets.services import registrations as registration_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.demo import DEMO_ACCOUNTS, load_demo
from cloudtoets.services.imports import export_inventory
from cloudtoets.services.uow import system_session
from cloudtoets.store.db import make_engine
from cloudtoets.store.migrate import upgrade
from cloudtoets.store.tables import AuditRow, RegistrationRow
from tests.conftest import (
    BOTH_DATABASES,
    _fresh_postgres_database,
    filled_templates,
    template_copy,
)

TODAY = dt.date(2026, 11, 29)
BASE_URL = "https://testserver"
ORIGIN = BASE_URL
API = "/api/v1"
SESSION_COOKIE = "__Host-sid"

# reads and writes the register on behalf of the tests themselves, never through the app
OPERATOR = Actor.local("security-test")
ADMIN = Actor("security-test-admin", roles=frozenset({"admin"}))
PASSWORDS = {account.username: account.password for account in DEMO_ACCOUNTS}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who calls: a demo account, or nobody (``username`` None)."""

    username: str | None
    organisation: str | None = None
    roles: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        return self.username or "anoniem"

    @property
    def password(self) -> str:
        assert self.username is not None
        return PASSWORDS[self.username]

    @property
    def visible(self) -> set[str] | None:
        """The organisations whose register content this principal may read (None: all)."""
        if self.username is None or self.roles == {"admin"}:
            return set()
        if self.organisation is None:
            return None
        return {self.organisation}

    def relation(self, organisation: str) -> str:
        """How this principal stands to an object of ``organisation`` (the policy's vocabulary)."""
        if self.username is None:
            return "anonymous"
        if "admin" in self.roles:
            return "admin"
        if self.organisation is None:
            return "central"
        if self.organisation != organisation:
            return "stranger"
        return "editor" if "editor" in self.roles else "member"


ANONYMOUS = Principal(None)
PRINCIPALS = (
    ANONYMOUS,
    *(
        Principal(account.username, account.organisation, frozenset(account.roles))
        for account in DEMO_ACCOUNTS
    ),
)
BY_NAME = {p.name: p for p in PRINCIPALS}


def open_register(database_url: str, **settings: Any) -> Register:
    """The production defaults (auth_mode accounts, Secure cookies), with a fixed 'today'."""
    return Register.open(
        Settings(database_url=database_url, **settings), clock=FixedClock.on(TODAY)
    )


def fill(register: Register) -> None:
    upgrade(register.engine)
    load_demo(register)


def browser(app: FastAPI) -> TestClient:
    return TestClient(app, base_url=BASE_URL, follow_redirects=False)


def _fill_at(url: str) -> None:
    register = open_register(url)
    fill(register)
    register.close()


# not the plain per-test copy (the third): ``filled_database_url`` below reaches PostgreSQL as
# the application role
security_sqlite_template, security_postgres_template, _ = filled_templates("security", _fill_at)


def _copy_postgres(admin_url: str, template_url: str) -> Iterator[str]:
    """A copy of the template that the app reaches as an ordinary role (APP_ROLE), the way
    docs/security.md tells operators to run it: row-level security binds every query."""
    for url in _fresh_postgres_database(admin_url, template_url):
        grant_app_role(url)
        yield app_role_url(url)


def _filled_copy(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield from template_copy(
            request, folder, "security_sqlite_template", "security_postgres_template"
        )
        return
    yield from _copy_postgres(
        request.getfixturevalue("postgres_server"),
        request.getfixturevalue("security_postgres_template"),
    )


APP_ROLE = "cloudtoets_app"


def app_role_url(url: str) -> str:
    """The same database, reached as APP_ROLE (trust authentication on the test server)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{APP_ROLE}@{rest.split('@', 1)[1]}"


def grant_app_role(url: str) -> None:
    """Create APP_ROLE (not a superuser: row-level security applies to it) and let it use the
    tables of this database, as docs/security.md describes."""
    engine = make_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    with engine.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": APP_ROLE}
        )
        if not exists:
            # a test process running beside this one may make it meanwhile
            with contextlib.suppress(ProgrammingError):
                connection.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN"))
        connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}"))
        connection.execute(
            text(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP_ROLE}"
            )
        )
        connection.execute(
            text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
        )
    engine.dispose()


@pytest.fixture(params=BOTH_DATABASES)
def filled_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A register with the demo data, once on SQLite and once on PostgreSQL."""
    yield from _filled_copy(request, tmp_path)


@pytest.fixture
def register(filled_database_url: str) -> Iterator[Register]:
    opened = open_register(filled_database_url)
    yield opened
    opened.close()


@pytest.fixture
def app(register: Register) -> FastAPI:
    return create_app(register=register)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return browser(app)


@pytest.fixture(scope="module", params=BOTH_DATABASES)
def shared_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """Like ``filled_database_url``, once per module."""
    yield from _filled_copy(request, tmp_path_factory.mktemp("security"))


@pytest.fixture(scope="module")
def shared_register(shared_database_url: str) -> Iterator[Register]:
    opened = open_register(shared_database_url)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def shared_app(shared_register: Register) -> FastAPI:
    return create_app(register=shared_register)


# ------------------------------------------------------------------------------ logging in

_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def csrf_of(html: str) -> str:
    found = _CSRF_META.search(html)
    assert found is not None, "page without a CSRF token"
    return found.group(1)


@dataclass
class LoggedIn:
    """A browser with a live session: its client (cookie jar), session token and CSRF token."""

    client: TestClient
    session: str
    csrf: str


def log_in(client: TestClient, username: str, password: str | None = None) -> LoggedIn:
    """Log in through the login form, as a browser does (Origin of our own site)."""
    response = client.post(
        "/inloggen",
        data={"gebruikersnaam": username, "wachtwoord": password or PASSWORDS[username]},
        headers={"Origin": ORIGIN},
    )
    assert response.status_code == 303, response.text
    session = client.cookies.get(SESSION_COOKIE)
    assert session
    account = client.get("/account")
    assert account.status_code == 200
    return LoggedIn(client, session, csrf_of(account.text))


def token_for(register: Register, username: str, name: str = "test") -> str:
    """A personal API token, made the way the account page and the CLI make them."""
    return accounts.create_token(register, ADMIN, username, name)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# ------------------------------------------------------------------------------ the register


def registration_ids(register: Register) -> dict[str, str]:
    """Every stored registration id and its organisation."""
    with system_session(register.sessions) as session:
        rows = session.execute(select(RegistrationRow.id, RegistrationRow.organisation_id))
        return {row[0]: row[1] for row in rows}


def snapshot(register: Register) -> tuple[int, int, int]:
    """(registrations, sum of their versions, audit rows): equal before and after means that
    nothing in the register changed."""
    with system_session(register.sessions) as session:
        count, versions = session.execute(
            select(func.count(), func.coalesce(func.sum(RegistrationRow.version), 0))
        ).one()
        audit = session.scalar(select(func.count()).select_from(AuditRow)) or 0
        return int(count), int(versions), int(audit)


def version_of(register: Register, registration_id: str) -> int | None:
    with system_session(register.sessions) as session:
        row = session.get(RegistrationRow, registration_id)
        return None if row is None else row.version


def stored(register: Register, registration_id: str) -> registration_service.StoredRegistration:
    return registration_service.get_registration(register, OPERATOR, registration_id)


# What the register takes only from its workflows (decision 30): a body for a new registration
# leaves it out, or the API refuses it.
EVIDENCE = ("risk_assessment", "exit_plan", "notification", "justifications")


def facts_body(register: Register, registration_id: str) -> dict[str, Any]:
    """A stored registration as an API body for a new one: everything but its evidence."""
    from cloudtoets.domain.serialise import jsonable

    body: dict[str, Any] = jsonable(stored(register, registration_id).registration)
    return {key: value for key, value in body.items() if key not in EVIDENCE}


def inventory_file(register: Register, organisation: str, registration_id: str, name: str) -> bytes:
    """An inventory (JSON) of one stored registration with a new name: importing it changes the
    register by exactly one version."""
    from cloudtoets.io.write import inventory_document

    inventory = export_inventory(register, OPERATOR, organisation)
    inventory.registrations = [r for r in inventory.registrations if r.id == registration_id]
    inventory.registrations[0].name = name
    return orjson.dumps(inventory_document(inventory))
