"""Time is an input: a page and an import under a clock set to two different dates.

The register's clock is moved between two steps; every date the pages show (today, the moment
of an import in the history, the verdicts' reference date) follows it, whatever day the suite
runs on.
"""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from cloudtoets.config import Settings
from cloudtoets.domain.clock import FixedClock
from cloudtoets.server.app import create_app
from cloudtoets.services.context import Register
from cloudtoets.services.imports import commit_import
from cloudtoets.store.migrate import upgrade

from .conftest import CENTRAL, EXAMPLE, text

FIRST = dt.date(2026, 11, 29)
LATER = dt.date(2031, 1, 15)
DETAIL = "/registraties/ssc-ict-werkplekbeheer"


def test_pages_and_imports_follow_the_clock(database_url: str) -> None:
    clock = FixedClock.on(FIRST, dt.time(9, 5))
    register = Register.open(Settings(database_url=database_url, auth_mode="local"), clock=clock)
    try:
        upgrade(register.engine)
        client = TestClient(create_app(register=register), follow_redirects=False)
        commit_import(register, CENTRAL, EXAMPLE.name, EXAMPLE.read_bytes())
        assert "op 29 november 2026." in text(client.get("/").text)
        first = text(client.get(DETAIL).text)
        assert "Geïmporteerd op 29 november 2026 om 09:05" in first
        assert "overgangstermijn" in first and "niet toegestaan" not in first  # before 3 July 2027

        clock.move_to(LATER, dt.time(0, 30))  # just after midnight in Amsterdam
        changed = EXAMPLE.read_text().replace(
            "name: Werkplekbeheer", "name: Werkplekbeheer (nieuw contract)", 1
        )
        assert changed != EXAMPLE.read_text()
        commit_import(register, CENTRAL, EXAMPLE.name, changed.encode())
        assert "op 15 januari 2031." in text(client.get("/").text)
        later = text(client.get(DETAIL).text)
        assert "Geïmporteerd op 15 januari 2031 om 00:30" in later
        assert "Geïmporteerd op 29 november 2026 om 09:05" in later  # the history keeps both
        assert "niet toegestaan" in later  # the deadline has passed on the later date
    finally:
        register.close()
