"""cloudtoets as an OpenID Connect relying party of the fake provider, on SQLite and PostgreSQL.

One provider serves the whole test session; each test resets it. The browser is played by hand:
the app's TestClient up to the redirect to the provider, httpx against the provider (a real HTTP
server), and the TestClient again for the way back, so every cookie and redirect is visible.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from cloudtoets.config import Settings
from cloudtoets.server.app import create_app
from cloudtoets.services.context import Register
from cloudtoets.store.accounts import SessionRow, UserRow
from cloudtoets.store.migrate import upgrade
from cloudtoets.store.tables import OrganisationRow
from tests.integration.oidc.fake_op import CLIENT_ID, CLIENT_SECRET, FakeProvider, serve

BASE_URL = "https://testserver"
SESSION_COOKIE = "__Host-sid"
HANDSHAKE_COOKIE = "cloudtoets-oidc"


@pytest.fixture(scope="session")
def provider_server() -> Iterator[FakeProvider]:
    with serve() as provider:
        yield provider


@pytest.fixture
def op(provider_server: FakeProvider) -> Iterator[FakeProvider]:
    provider_server.reset()
    yield provider_server
    provider_server.reset()


def oidc_settings(database_url: str, issuer: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "auth_mode": "accounts",
        "oidc_issuer": issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "secret_key": "x" * 32,
        "demo": False,
        "secure_cookies": True,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def register(database_url: str, op: FakeProvider) -> Iterator[Register]:
    opened = Register.open(oidc_settings(database_url, op.issuer))
    upgrade(opened.engine)
    with opened.sessions() as session, session.begin():
        for org_id, kind in (("bzk", "ministry"), ("uwv", "zbo")):
            session.add(OrganisationRow(id=org_id, name=org_id.upper(), type=kind))
    yield opened
    opened.close()


@pytest.fixture
def client(register: Register) -> TestClient:
    return TestClient(create_app(register=register), base_url=BASE_URL, follow_redirects=False)


# ------------------------------------------------------------------------------ the browser


@dataclass
class Flow:
    start: httpx.Response  # /inloggen/oidc: the redirect to the provider
    authorize: httpx.Response  # the provider's redirect back
    callback: httpx.Response  # /inloggen/oidc/terug: the app's answer

    @property
    def authorize_params(self) -> dict[str, str]:
        query = parse_qs(urlsplit(self.start.headers["location"]).query)
        return {key: values[0] for key, values in query.items()}


def go_to_provider(client: TestClient, volgende: str | None = "/registraties") -> httpx.Response:
    params = {} if volgende is None else {"volgende": volgende}
    response = client.get("/inloggen/oidc", params=params)
    assert response.status_code == 302, response.text
    return response


def at_provider(start: httpx.Response) -> httpx.Response:
    """The provider's answer to the authorization request (a real HTTP call)."""
    answer = httpx.get(start.headers["location"], follow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    assert answer.headers["location"].startswith(f"{BASE_URL}/inloggen/oidc/terug?")
    return answer


def log_in(client: TestClient, volgende: str | None = "/registraties") -> Flow:
    start = go_to_provider(client, volgende)
    answer = at_provider(start)
    return Flow(start, answer, client.get(answer.headers["location"]))


def count_users(register: Register) -> int:
    with register.sessions() as session:
        return session.scalar(select(func.count()).select_from(UserRow)) or 0


def count_sessions(register: Register) -> int:
    with register.sessions() as session:
        return session.scalar(select(func.count()).select_from(SessionRow)) or 0


def user_by_subject(register: Register, subject: str) -> UserRow | None:
    with register.sessions() as session:
        return session.scalar(select(UserRow).where(UserRow.oidc_subject == subject))


def set_cookie_headers(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")


def sets_session(response: httpx.Response) -> bool:
    return any(h.startswith(f"{SESSION_COOKIE}=") for h in set_cookie_headers(response))
