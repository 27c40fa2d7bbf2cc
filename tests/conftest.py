"""Shared fixtures: a database per test on SQLite and on PostgreSQL.

PostgreSQL is the production database, so every storage test runs on both. A PostgreSQL test is
skipped only when no server is reachable and CLOUDTOETS_REQUIRE_POSTGRES is unset (CI sets it).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


def _fresh_postgres_database(admin_url: str, template_url: str | None = None) -> Iterator[str]:
    """A new database on the server, dropped afterwards; with ``template_url`` a copy of that
    database (CREATE DATABASE ... TEMPLATE: a file copy, far quicker than filling it again)."""
    name = f"cloudtoets_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    copy = f' TEMPLATE "{template_url.rsplit("/", 1)[1]}"' if template_url else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    base, _, _ = admin_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# Filling a register (migrations, demo data, argon2 hashes) takes a second or more; fixtures that
# hand each test a filled register fill one template per test process and give each test a copy:
# a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL. The copy is the database a
# fresh fill gives.


BOTH_DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def filled_templates(prefix: str, fill: Callable[[str], None]) -> tuple[Any, Any, Any]:
    """The session fixtures ``{prefix}_sqlite_template`` (a file) and
    ``{prefix}_postgres_template`` (a database URL, dropped afterwards): registers filled by
    ``fill(url)`` to copy from; and ``{prefix}_database_url``, a copy of its own for each test,
    once on SQLite and once on PostgreSQL. Assign the three to module names in a conftest."""

    @pytest.fixture(scope="session", name=f"{prefix}_sqlite_template")
    def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
        path = tmp_path_factory.mktemp(f"{prefix}-template") / "cloudtoets.sqlite"
        fill(f"sqlite:///{path}")
        return path

    @pytest.fixture(scope="session", name=f"{prefix}_postgres_template")
    def postgres_template(postgres_server: str) -> Iterator[str]:
        for url in _fresh_postgres_database(postgres_server):
            fill(url)
            yield url

    @pytest.fixture(params=BOTH_DATABASES, name=f"{prefix}_database_url")
    def database_copy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
        yield from template_copy(
            request, tmp_path, f"{prefix}_sqlite_template", f"{prefix}_postgres_template"
        )

    return sqlite_template, postgres_template, database_copy


def template_copy(
    request: pytest.FixtureRequest, folder: Path, sqlite: str, postgres: str
) -> Iterator[str]:
    """A copy of the template fixture ``sqlite`` or ``postgres`` (by ``request.param``); on
    PostgreSQL reached as the server's administrator, like ``database_url``."""
    if request.param == "sqlite":
        path = folder / "cloudtoets.sqlite"
        shutil.copyfile(request.getfixturevalue(sqlite), path)
        yield f"sqlite:///{path}"
        return
    yield from _fresh_postgres_database(
        request.getfixturevalue("postgres_server"), request.getfixturevalue(postgres)
    )


@pytest.fixture(params=BOTH_DATABASES)
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
