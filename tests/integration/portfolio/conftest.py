"""The demo register on SQLite and PostgreSQL, for the portfolio's API and command."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.services.context import Register
from cloudtoets.services.demo import load_demo
from cloudtoets.store.migrate import upgrade

TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def demo_register(database_url: str) -> Iterator[Register]:
    register = Register.open(
        Settings(database_url=database_url, auth_mode="local"), clock=FixedClock.on(TODAY)
    )
    upgrade(register.engine)
    load_demo(register)
    yield register
    register.close()
