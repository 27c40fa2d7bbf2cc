"""Schema migrations (Alembic) run from cloudtoets itself: ``cloudtoets db upgrade``.

Migrations are the only place that changes the schema (tables, triggers and the row-level
security policies of store/row_security.py): on PostgreSQL they are run by the owner of the
tables, once; every other command only reads the version (``status``) and stops when it is not
the one this cloudtoets expects.

Upgrades are serialised, so several processes that start at once on an old schema do not run the
same migration twice (a second ``ADD COLUMN`` fails):

- PostgreSQL: a transaction-level advisory lock is taken before Alembic looks at the version;
  the whole upgrade is one transaction (PostgreSQL's DDL is transactional), so whoever waited
  sees the finished schema and has nothing left to do.
- SQLite: the upgrade runs in one ``BEGIN IMMEDIATE`` transaction on a connection of its own.
  That takes the database's write lock before Alembic reads the version and holds it to the
  commit (pysqlite's default would run each DDL statement on its own, outside any transaction).
  A waiting process waits for the lock for up to ``SQLITE_LOCK_WAIT_MS``.

SQLite changes a column by copying its table (Alembic's batch mode), which drops the old table.
With foreign keys on, that drop would delete every row that refers to it (ON DELETE CASCADE) or
fail (RESTRICT), so SQLite upgrades run with foreign keys off, as SQLite's own procedure for
such changes says, and check every foreign key before they commit.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).with_name("migrations")

# pg_advisory_xact_lock key of schema upgrades ("cloudtoets migrate" folded into a bigint);
# the audit chain has its own key (store/audit.py: CHAIN_LOCK_KEY).
MIGRATION_LOCK_KEY = 0x636C6F7564_6D6967

# How long a second SQLite upgrade waits for the first to finish before it gives up.
SQLITE_LOCK_WAIT_MS = 600_000


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """The database's schema version next to the one this cloudtoets needs."""

    current: str | None  # None: no cloudtoets schema at all (an empty database)
    head: str
    known: bool  # False: a version this cloudtoets does not know (made by a newer one)

    @property
    def at_head(self) -> bool:
        return self.current == self.head


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(_config())


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None, "the migrations folder has no head"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def status(engine: Engine) -> SchemaStatus:
    """Read the schema version (one query; no DDL, no lock): what every command checks."""
    current = current_revision(engine)
    script = _script()
    known = current is None or current in {rev.revision for rev in script.walk_revisions()}
    return SchemaStatus(current=current, head=head_revision(), known=known)


@functools.cache
def _revisions() -> tuple[str, frozenset[str]]:
    """The head and every known revision, read from the migrations folder once per process."""
    script = _script()
    return head_revision(), frozenset(rev.revision for rev in script.walk_revisions())


def probe(engine: Engine) -> SchemaStatus:
    """A trivial query and the schema version on one connection, for a readiness check: no
    DDL, no lock, and the migrations folder is read only once per process."""
    head, known = _revisions()
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
        current = MigrationContext.configure(connection).get_current_revision()
    return SchemaStatus(current=current, head=head, known=current is None or current in known)


class ForeignKeyViolation(RuntimeError):
    """A SQLite upgrade left a row referring to a row that is not there (nothing committed)."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``, one process at a time (see the module docstring)."""
    with _serialised(engine) as connection:
        command.upgrade(_config(connection), revision)
        _check_foreign_keys(connection)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database back to ``revision`` (for developers and tests), as ``upgrade`` runs."""
    with _serialised(engine) as connection:
        command.downgrade(_config(connection), revision)
        _check_foreign_keys(connection)


def _check_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise ForeignKeyViolation(f"foreign keys broken by the migration: {broken[:5]}")


@contextmanager
def _serialised(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds the upgrade lock until it commits."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
            yield connection
        return
    if engine.dialect.name == "sqlite" and _is_file(engine):
        exclusive = _sqlite_immediate_engine(engine)
        try:
            with exclusive.begin() as connection:
                yield connection
        finally:
            exclusive.dispose()
        return
    # an in-memory SQLite database: no one else to wait for; foreign keys off outside the
    # transaction (SQLite ignores the pragma inside one), and on again afterwards
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _is_file(engine: Engine) -> bool:
    database = engine.url.database or ":memory:"
    return database != ":memory:" and engine.url.query.get("mode") != "memory"


def _sqlite_immediate_engine(engine: Engine) -> Engine:
    """An engine on the same SQLite file whose transactions start with BEGIN IMMEDIATE."""
    exclusive = create_engine(engine.url, poolclass=NullPool)

    @event.listens_for(exclusive, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite: no BEGIN of its own, DDL included
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=OFF")  # checked before the commit (``upgrade``)
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_LOCK_WAIT_MS}")
        cursor.close()

    @event.listens_for(exclusive, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return exclusive


def revise(engine: Engine, message: str) -> None:
    """Write a new migration by comparing the models with the database (for developers)."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
