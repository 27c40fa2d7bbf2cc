"""``cloudtoets db backup`` while a server takes writes, ``db restore`` into a fresh database.

The restored database must hold exactly what the backup holds, table by table: on SQLite the
backup file is itself a database; on PostgreSQL the rows of the archive are read back with
``pg_restore --data-only`` and compared with ``COPY … TO STDOUT`` of the restored database.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import _fresh_postgres_database
from tests.integration.operations.conftest import (
    EXAMPLE,
    Writers,
    cli,
    editor_token,
    ok,
    owned_database,
    server_log,
    serving,
)

WRITE_SECONDS = 2.0


@contextlib.contextmanager
def _database(kind: str, folder: Path, name: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new database: an SQLite file, or on PostgreSQL one owned by an ordinary owner role."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'{name}.sqlite'}"
        return
    with owned_database(request.getfixturevalue("postgres_server")) as url:
        yield url


def _sqlite_tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        return {
            name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in names
        }


def _archive_tables(path: Path) -> dict[str, list[str]]:
    """Table -> the rows of a pg_dump archive, as COPY text lines."""
    text = subprocess.run(
        ["pg_restore", "--data-only", "--file=-", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tables = {}
    for match in re.finditer(
        r"^COPY public\.(\w+) \(.*?\) FROM stdin;\n(.*?)^\\\.$", text, re.M | re.S
    ):
        tables[match.group(1)] = sorted(match.group(2).splitlines())
    return tables


def _postgres_tables(url: str) -> dict[str, list[str]]:
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        connection.execute("SELECT set_config('cloudtoets.organisations', '*', false)")
        names = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        tables = {}
        for name in names:
            with connection.cursor().copy(f'COPY public."{name}" TO STDOUT') as copy:
                data = b"".join(bytes(chunk) for chunk in copy).decode()
            tables[name] = sorted(data.splitlines())
        return tables


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_a_backup_under_writes_restores_to_the_same_tables(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    backup = tmp_path / ("register.sqlite.bak" if kind == "sqlite" else "register.dump")
    with _database(kind, tmp_path, "bron", request) as source:
        ok(cli("db", "upgrade", url=source))
        ok(cli("import", str(EXAMPLE), url=source))
        token = editor_token(source)
        with serving(source, tmp_path) as base:
            writers = Writers(base, token).start()
            try:
                time.sleep(WRITE_SECONDS)
                made = cli("db", "backup", str(backup), url=source, timeout=120)
                time.sleep(WRITE_SECONDS / 2)
            finally:
                writers.stop()
        assert "Traceback" not in server_log(tmp_path)
        assert writers.failures == [] and set(writers.statuses) <= {200, 201}, writers.statuses
        assert writers.statuses[200] >= 10, writers.statuses
        assert "Controle in orde" in ok(made), made.stdout
        if kind == "sqlite":
            assert backup.stat().st_mode & 0o077 == 0  # holds password and token hashes
        assert not list(tmp_path.glob(".*onvolledig"))

        with _database(kind, tmp_path, "terug", request) as target:
            restored = cli("db", "restore", str(backup), url=target, timeout=120)
            assert "Controle in orde" in ok(restored), restored.stdout
            if kind == "sqlite":
                snapshot = _sqlite_tables(backup)
                now = _sqlite_tables(Path(target.removeprefix("sqlite:///")))
            else:
                snapshot = _archive_tables(backup)
                now = _postgres_tables(target)
            assert sorted(now) == sorted(snapshot)
            assert {t: len(rows) for t, rows in now.items()} == {
                t: len(rows) for t, rows in snapshot.items()
            }
            for table in snapshot:
                assert now[table] == snapshot[table], table
            # taken under writes: the writers' registrations are in it, with their history
            assert any("bzk-schrijver-" in repr(row) for row in snapshot["registrations"])
            assert len(snapshot["audit_log"]) > 10 and len(snapshot["users"]) == 1
            assert "Auditlogboek in orde" in ok(cli("audit", "verify", url=target))


def test_restore_refuses_a_database_with_data_unless_forced(tmp_path: Path) -> None:
    source, target = (f"sqlite:///{tmp_path / name}" for name in ("bron.sqlite", "doel.sqlite"))
    ok(cli("import", str(EXAMPLE), url=source))
    ok(cli("demo", url=target))
    backup = tmp_path / "bron.bak"
    ok(cli("db", "backup", str(backup), url=source))
    again = cli("db", "backup", str(backup), url=source)
    assert again.returncode == 2 and "bestaat al" in again.stderr

    refused = cli("db", "restore", str(backup), url=target)
    assert refused.returncode == 2
    assert "De database is niet leeg" in refused.stderr and "--force" in refused.stderr
    assert ok(cli("export", str(tmp_path / "demo.yaml"), url=target)).startswith("162 ")
    forced = cli("db", "restore", str(backup), "--force", url=target)
    assert "Controle in orde" in ok(forced)
    exported = ok(cli("export", str(tmp_path / "bron.yaml"), url=source))
    assert ok(cli("export", str(tmp_path / "terug.yaml"), url=target)) == exported.replace(
        "bron.yaml", "terug.yaml"
    )
    assert (tmp_path / "terug.yaml").read_bytes() == (tmp_path / "bron.yaml").read_bytes()

    missing = cli("db", "backup", str(tmp_path / "y.bak"), url=f"sqlite:///{tmp_path / 'y.sqlite'}")
    assert missing.returncode == 2 and "bestaat niet" in missing.stderr
    assert not (tmp_path / "y.sqlite").exists() and not (tmp_path / "y.bak").exists()
    not_a_backup = cli("db", "restore", str(EXAMPLE), url=f"sqlite:///{tmp_path / 'x.sqlite'}")
    assert not_a_backup.returncode == 2
    assert "geen reservekopie van cloudtoets" in not_a_backup.stderr


@pytest.mark.postgres
def test_without_the_postgresql_client_tools_the_backup_says_what_to_install(
    postgres_server: str, tmp_path: Path
) -> None:
    for url in _fresh_postgres_database(postgres_server):
        ok(cli("db", "upgrade", url=url))
        only_python = {"PATH": str(Path(sys.executable).parent)}
        assert not (Path(sys.executable).parent / "pg_dump").exists()
        result = cli("db", "backup", str(tmp_path / "x.dump"), url=url, env=only_python)
        assert result.returncode == 2
        assert "Het programma pg_dump is niet gevonden" in result.stderr
        assert "postgresql-client" in result.stderr and "Traceback" not in result.stderr
        assert not (tmp_path / "x.dump").exists() and not list(tmp_path.glob(".x.dump.*"))
