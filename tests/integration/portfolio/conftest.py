"""The demo register on SQLite and PostgreSQL, for the portfolio's API and command: each test
gets a copy of one filled per test process (tests/conftest.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.services.context import Register
from cloudtoets.services.demo import load_demo
from cloudtoets.store.migrate import upgrade
from tests.conftest import filled_templates

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


portfolio_sqlite_template, portfolio_postgres_template, portfolio_database_url = filled_templates(
    "portfolio", _fill_at
)


@pytest.fixture
def demo_register(portfolio_database_url: str) -> Iterator[Register]:
    register = _open(portfolio_database_url)
    yield register
    register.close()
