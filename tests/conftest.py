"""Shared fixtures: a database per test on SQLite and on PostgreSQL.

PostgreSQL is the production database, so every storage test runs on both. A PostgreSQL test is
skipped only when no server is reachable and CLOUDTOETS_REQUIRE_POSTGRES is unset (CI sets it).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from cloudtoets.store.db import make_engine
from tests.tcp_proxy import TcpProxy

POSTGRES_ADMIN_URL = os.environ.get(
    "CLOUDTOETS_TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/postgres"
)


def _postgres_available() -> str | None:
    """None when reachable, else the reason."""
    try:
        engine = make_engine(POSTGRES_ADMIN_URL, pool_pre_ping=False)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".splitlines()[0]
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    reason = _postgres_available()
    if reason is not None:
        if os.environ.get("CLOUDTOETS_REQUIRE_POSTGRES"):
            pytest.fail(
                f"PostgreSQL is required (CLOUDTOETS_REQUIRE_POSTGRES) but unreachable: {reason}"
            )
        pytest.skip(f"no PostgreSQL server reachable: {reason}")
    return POSTGRES_ADMIN_URL


def _fresh_postgres_database(admin_url: str) -> Iterator[str]:
    name = f"cloudtoets_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = admin_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cloudtoets.sqlite'}"
        return
    admin_url = request.getfixturevalue("postgres_server")
    yield from _fresh_postgres_database(admin_url)


@pytest.fixture
def proxied_postgres(postgres_server: str) -> Iterator[tuple[str, TcpProxy]]:
    """An empty PostgreSQL database reached through a TCP proxy the test can cut and restore
    (tests/tcp_proxy.py): its URL through the proxy, and the proxy."""
    for url in _fresh_postgres_database(postgres_server):
        with TcpProxy.to_url(url) as proxy:
            yield proxy.url(url), proxy
