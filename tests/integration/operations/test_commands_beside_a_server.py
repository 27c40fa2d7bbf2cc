"""Commands run beside a server that takes writes: no locks on the tables, no deadlocks.

Before migrations made the row-level security policies, every command re-made them (ALTER TABLE
and DROP/CREATE POLICY on every organisation table, in one transaction). Beside a server taking
writes that deadlocked: commands ended with DeadlockDetected and PUTs got 500.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import _fresh_postgres_database
from tests.integration.operations.conftest import (
    EXAMPLE,
    Writers,
    cli,
    editor_token,
    ok,
    server_log,
    serving,
)

pytestmark = pytest.mark.postgres

WRITE_SECONDS = 2.0  # the writers run this long before, between and after the commands


def test_audit_verify_export_and_import_beside_a_server_taking_writes(
    postgres_server: str, tmp_path: Path
) -> None:
    for url in _fresh_postgres_database(postgres_server):
        ok(cli("db", "upgrade", url=url))
        ok(cli("import", str(EXAMPLE), url=url))
        token = editor_token(url)
        original = EXAMPLE.read_text(encoding="utf-8")
        name = "name: E-mail (Exchange Online, Microsoft 365)"
        assert name in original
        changed = tmp_path / "gewijzigd.yaml"
        changed.write_text(original.replace(name, f"{name} gewijzigd", 1), encoding="utf-8")
        with serving(url, tmp_path) as base:
            writers = Writers(base, token).start()
            try:
                time.sleep(WRITE_SECONDS)
                results = []
                for inventory in (changed, EXAMPLE):  # each import changes a registration
                    results.append(cli("audit", "verify", url=url, timeout=120))
                    results.append(cli("export", str(tmp_path / "export.yaml"), url=url))
                    results.append(cli("import", str(inventory), url=url, timeout=120))
                    time.sleep(WRITE_SECONDS / 2)
                verified = cli("audit", "verify", url=url)
            finally:
                writers.stop()
            log = server_log(tmp_path)
        for result in [*results, verified]:
            ok(result)
            assert "Deadlock" not in result.stderr
        assert "Auditlogboek in orde" in verified.stdout
        assert writers.failures == [], writers.failures[:5]
        assert set(writers.statuses) <= {200, 201}, writers.statuses
        assert writers.statuses[200] >= 20, writers.statuses  # they did write meanwhile
        assert "Traceback" not in log, log[-3000:]
