"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from cloudtoets.store import row_security
from cloudtoets.store.db import make_engine
from cloudtoets.store.migrate import current_revision, head_revision, upgrade
from cloudtoets.store.tables import Base


def test_migrations_produce_the_models_schema(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert differences == []


def test_upgrade_twice_is_harmless_and_reaches_head(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision() == "0009"
    engine.dispose()


# A process that upgrades the database at the URL once ``go`` exists (all start at once).
UPGRADER = """
import sys, time
from pathlib import Path
from cloudtoets.store.db import make_engine
from cloudtoets.store.migrate import upgrade
url, ready, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
engine = make_engine(url)
ready.touch()
while not go.exists():
    time.sleep(0.001)
upgrade(engine)
"""

UPGRADERS = 4


def _upgrade_at_once(url: str, folder: Path) -> list[subprocess.CompletedProcess[str]]:
    go = folder / "go"
    processes = []
    for number in range(UPGRADERS):
        ready = folder / f"ready-{number}"
        processes.append(
            (
                ready,
                subprocess.Popen(
                    [sys.executable, "-c", UPGRADER, url, str(ready), str(go)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    try:
        deadline = time.monotonic() + 120
        while not all(ready.exists() for ready, _ in processes):
            assert time.monotonic() < deadline, "the upgraders did not start"
            time.sleep(0.01)
        go.touch()
        results = []
        for _, process in processes:
            stdout, stderr = process.communicate(timeout=300)
            results.append(
                subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
            )
        return results
    finally:
        for _, process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.mark.parametrize("start", ["0001", "0004"])
def test_processes_upgrading_at_once_from_an_old_revision_all_succeed(
    database_url: str, tmp_path: Path, start: str
) -> None:
    """Servers starting at once on an old schema raced in the migration (DuplicateColumn: seq)."""
    engine = make_engine(database_url)
    upgrade(engine, start)
    for round_number in range(2):  # a race may need more than one chance to show
        folder = tmp_path / f"round-{round_number}"
        folder.mkdir()
        if round_number:
            _downgrade_to(engine, start)
        results = _upgrade_at_once(database_url, folder)
        assert [r.returncode for r in results] == [0] * UPGRADERS, [r.stderr for r in results]
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
            columns = [c["name"] for c in inspect(connection).get_columns("audit_log")]
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
            )
        assert versions == [(head_revision(),)]
        assert columns.count("seq") == 1
        assert differences == []
    engine.dispose()


def _downgrade_to(engine: Engine, revision: str) -> None:
    from alembic import command

    from cloudtoets.store.migrate import _config

    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def _policies(engine: Engine) -> dict[str, tuple[bool, bool, list[str]]]:
    """Table -> (row security on, forced, the conditions of its policies as PostgreSQL keeps
    them)."""
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                "pg_get_expr(p.polqual, p.polrelid) FROM pg_class c "
                "JOIN pg_policy p ON p.polrelid = c.oid WHERE p.polname = :name ORDER BY 1"
            ),
            {"name": row_security.POLICY},
        ).all()
    found: dict[str, tuple[bool, bool, list[str]]] = {}
    for table, enabled, forced, condition in rows:
        found.setdefault(table, (enabled, forced, []))[2].append(condition)
    return found


@pytest.mark.postgres
def test_the_policies_come_from_a_migration_also_over_ones_made_before(
    postgres_server: str,
) -> None:
    """Migration 0006 makes the policies; on a database whose policies an earlier cloudtoets
    made (after every command, at 0005), it leaves one policy per table, the same as on a new
    database."""
    from tests.conftest import _fresh_postgres_database

    for fresh_url in _fresh_postgres_database(postgres_server):
        fresh = make_engine(fresh_url)
        upgrade(fresh)
        expected = _policies(fresh)
        fresh.dispose()
        for url in _fresh_postgres_database(postgres_server):
            engine = make_engine(url)
            upgrade(engine, "0005")
            assert _policies(engine) == {}
            with engine.begin() as connection:  # what every command used to do at 0005
                for table, condition in row_security.scoped_tables().items():
                    for statement in row_security.policy_statements(table, condition):
                        connection.execute(text(statement))
                # and one policy of an older form, to be replaced
                connection.execute(text("DROP POLICY cloudtoets_tenant ON registrations"))
                connection.execute(
                    text("CREATE POLICY cloudtoets_tenant ON registrations USING (true)")
                )
            upgrade(engine)
            assert _policies(engine) == expected
            engine.dispose()
    assert set(expected) == set(row_security.scoped_tables())
    assert all(enabled and forced and len(c) == 1 for enabled, forced, c in expected.values())
