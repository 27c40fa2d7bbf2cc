"""Backups of the whole database and restoring them: every table, not just the inventory.

- SQLite: ``VACUUM INTO`` writes a compact copy from one read transaction. In WAL mode a reader
  does not block writers and writers do not block it, so the copy does not wait for the
  application to stop writing (the online backup API restarts whenever a writer commits, and
  under steady writes never finishes). Restoring copies the file back with the backup API,
  which takes the target's write lock, so open connections see the old or the new database,
  never a mix.
- PostgreSQL: ``pg_dump -Fc`` at a snapshot this module exports, so the checks it runs (schema
  version, row counts, the audit chain) see exactly the rows in the archive; ``pg_restore`` into
  the configured database in one transaction (all or nothing).

The tables under row-level security are read with the setting ``cloudtoets.organisations`` at
``*`` (PGOPTIONS), so the owner of the tables and the application role (both bound by the
policies, FORCE) dump every row; a superuser passes the policies anyway.

Errors an operator can act on are ``BackupError`` with a Dutch message.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from cloudtoets.store import audit as chain
from cloudtoets.store import row_security
from cloudtoets.store.audit import Verification

T = TypeVar("T")

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
VERSION_TABLE = "alembic_version"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What one consistent view of a database holds, and whether it is sound."""

    revision: str | None
    tables: dict[str, int]  # table -> rows
    audit: Verification
    integrity: list[str]  # problems found by the database's own check (SQLite); [] is fine


# --- what a database holds --------------------------------------------------------------------


def inspect_snapshot(session: Session) -> Snapshot:
    """Schema version, rows per table, the audit chain and (SQLite) the integrity check, all
    read in the session's transaction; on PostgreSQL it must see every organisation."""
    connection = session.connection()
    names = sorted(inspect(connection).get_table_names())
    tables = {
        name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
        for name in names
    }
    revision = None
    if VERSION_TABLE in tables:
        revision = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    audit = (
        chain.verify_records(chain.iter_chain(session))
        if "audit_log" in tables
        else Verification(0, chain.GENESIS)
    )
    integrity = sqlite_integrity(connection) if connection.dialect.name == "sqlite" else []
    return Snapshot(revision, tables, audit, integrity)


def sqlite_integrity(connection: Connection) -> list[str]:
    """What SQLite's own checks find wrong (pages, indexes, foreign keys); [] when nothing."""
    problems = [
        str(row[0])
        for row in connection.exec_driver_sql("PRAGMA integrity_check")
        if row[0] != "ok"
    ]
    problems += [
        f"tabel {row[0]}, rij {row[1]}: verwijst naar een rij die niet bestaat in {row[2]}"
        for row in connection.exec_driver_sql("PRAGMA foreign_key_check")
    ]
    return problems


def snapshot_of(engine: Engine) -> Snapshot:
    """``inspect_snapshot`` of a whole database, in one transaction that sees everything."""
    with _everything(engine) as connection, Session(bind=connection) as session:
        return inspect_snapshot(session)


@contextmanager
def _everything(engine: Engine) -> Iterator[Connection]:
    """A read transaction that sees every organisation (one snapshot on PostgreSQL)."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            if engine.dialect.name == "postgresql":
                row_security.set_scope(
                    connection, row_security.ALL_ORGANISATIONS, transaction_only=True
                )
            yield connection


def holds_data(engine: Engine) -> dict[str, int]:
    """The tables that hold rows (besides the schema version); empty: nothing to lose."""
    with _everything(engine) as connection:
        counts = {}
        for name in inspect(connection).get_table_names():
            if name == VERSION_TABLE:
                continue
            rows = connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
            if rows:
                counts[name] = int(rows)
        return counts


def file_kind(path: Path) -> str | None:
    """``sqlite``, ``postgresql`` (a pg_dump custom archive) or None for anything else."""
    with path.open("rb") as file:
        start = file.read(len(SQLITE_MAGIC))
    if start == SQLITE_MAGIC:
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    return None


# --- SQLite -------------------------------------------------------------------------------


def sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError(
            "Deze database staat alleen in het geheugen; daarvan kan geen reservekopie worden "
            "gemaakt. Gebruik een SQLite-bestand of PostgreSQL."
        )
    return Path(database)


def sqlite_readonly(path: Path) -> Engine:
    """An engine that only reads ``path`` (no WAL files appear next to a backup)."""
    return create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")


def sqlite_backup(engine: Engine, target: Path) -> None:
    """Write a copy of the database to ``target`` (which must not exist) while others write."""
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        connection.execute("VACUUM INTO ?", (str(target),))
    finally:
        raw.close()


def sqlite_restore(source: Path, engine: Engine) -> None:
    """Replace the database of ``engine`` by the copy in ``source``, page by page, under the
    target's write lock (the backup API waits while another connection writes)."""
    raw = engine.raw_connection()
    try:
        target = raw.driver_connection
        assert isinstance(target, sqlite3.Connection)
        copy = sqlite3.connect(f"file:{source.resolve()}?mode=ro", uri=True)
        try:
            copy.backup(target)
        finally:
            copy.close()
    finally:
        raw.close()


# --- PostgreSQL ---------------------------------------------------------------------------


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"Het programma {name} is niet gevonden. Installeer de PostgreSQL-clientprogramma's "
            "(Debian en Ubuntu: sudo apt install postgresql-client), van dezelfde versie als de "
            f"server of nieuwer, en zorg dat {name} in PATH staat. Probeer het daarna opnieuw."
        )
    return found


def _libpq(engine: Engine) -> tuple[str, dict[str, str]]:
    """The connection string for pg_dump and pg_restore, and their environment: the password
    goes in PGPASSWORD (not on the command line, where every user of the machine can read it);
    PGOPTIONS lets the row-level security policies show every organisation."""
    url: URL = engine.url
    environment = {
        **os.environ,
        "PGOPTIONS": f"{os.environ.get('PGOPTIONS', '')} -c {row_security.SETTING}="
        f"{row_security.ALL_ORGANISATIONS}".strip(),
    }
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _failed(tool: str, result: subprocess.CompletedProcess[str]) -> BackupError:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    detail = "; ".join(lines[-3:]) or f"exitcode {result.returncode}"
    return BackupError(f"{tool} is mislukt: {detail}")


def pg_backup(engine: Engine, target: Path, check: Callable[[Session], T]) -> T:
    """Run ``pg_dump -Fc`` into ``target`` at a snapshot of our own, and ``check`` in a session
    on that same snapshot, meanwhile; returns what ``check`` returned."""
    pg_dump = _tool("pg_dump")
    dsn, environment = _libpq(engine)
    with _everything(engine) as connection:
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        command = [
            pg_dump,
            "--format=custom",
            "--no-password",
            "--enable-row-security",
            f"--snapshot={snapshot}",
            f"--file={target}",
            f"--dbname={dsn}",
        ]
        dump = subprocess.Popen(
            command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        try:
            with Session(bind=connection) as session:
                checked = check(session)
        finally:
            _, errors = dump.communicate()
    if dump.returncode != 0:
        raise _failed("pg_dump", subprocess.CompletedProcess(command, dump.returncode, "", errors))
    return checked


def archived_tables(path: Path) -> set[str]:
    """The tables whose rows a pg_dump archive holds (``pg_restore --list``)."""
    result = subprocess.run(
        [_tool("pg_restore"), "--list", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise _failed("pg_restore --list", result)
    tables = set()
    for line in result.stdout.splitlines():
        # "215; 0 16390 TABLE DATA public audit_log owner" (";" starts a comment line)
        words = line.split()
        if not line.startswith(";") and words[3:5] == ["TABLE", "DATA"] and len(words) > 6:
            tables.add(words[6])
    return tables


def pg_restore(source: Path, engine: Engine) -> None:
    """Restore ``source`` into the database of ``engine`` in one transaction: the objects of the
    archive are dropped first (when present) and made again, owned by whoever restores, without
    the archive's grants (the owner's default privileges give the application role its rights)."""
    restore = _tool("pg_restore")
    dsn, environment = _libpq(engine)
    result = subprocess.run(
        [
            restore,
            "--no-password",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={dsn}",
            str(source),
        ],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise _failed("pg_restore", result)
