"""The demo register on SQLite and PostgreSQL, for the portfolio's API and command: each test
gets a copy of one filled per test process (tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.services.context import Register
from cloudtoets.services.demo import load_demo
from cloudtoets.store.migrate import upgrade
from tests.conftest import filled_templates, template_copy

TODAY = dt.date(2026, 12, 7)


def _open(database_url: str) -> Register:
    return Register.open(
        Settings(database_url=database_url, auth_mode="local"), clock=FixedClock.on(TODAY)
    )


def _fill_at(url: str) -> None:
    register = _open(url)
    upgrade(register.engine)
    load_demo(register)
    register.close()


portfolio_sqlite_template, portfolio_postgres_template = filled_templates("portfolio", _fill_at)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from template_copy(
        request, tmp_path, "portfolio_sqlite_template", "portfolio_postgres_template"
    )


@pytest.fixture
def demo_register(demo_url: str) -> Iterator[Register]:
    register = _open(demo_url)
    yield register
    register.close()
