"""The database as a whole: its schema version, upgrades, backups and restores.

Only ``upgrade`` changes the schema, run by the owner of the tables (``cloudtoets db upgrade``).
Every other command calls ``prepare``: on PostgreSQL it only reads the schema version and stops
with a Dutch message when it is not the one this cloudtoets needs, so the application can run as
a role without any right on the schema (docs/operations.md). An embedded SQLite file has no
owner apart from whoever opens it: there ``prepare`` brings it up to date itself, which is what
the quick start (``serve --demo`` on a new file) relies on (docs/decisions.md).

A backup holds every table (registrations and their history, workflows, accounts, tokens, the
audit log), unlike an export, which holds the inventory. Each backup and restore is followed by
the checks of store/backup.py: the database's own integrity check (SQLite), the schema version
and the audit chain.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import ProgrammingError, SQLAlchemyError

from cloudtoets.config import Settings
from cloudtoets.services.audit import describe
from cloudtoets.services.context import Register
from cloudtoets.services.outage import Cause
from cloudtoets.store import backup as store_backup
from cloudtoets.store import migrate
from cloudtoets.store.backup import BackupError, Snapshot
from cloudtoets.store.migrate import SchemaStatus

__all__ = [
    "BackupDone",
    "DatabaseProblem",
    "Readiness",
    "RestoreDone",
    "backup",
    "open_prepared",
    "prepare",
    "readiness",
    "restore",
    "upgrade",
]

INSUFFICIENT_PRIVILEGE = "42501"
UPGRADE_AS_OWNER = (
    "Laat de eigenaar van de database `cloudtoets db upgrade` draaien, met de database-URL van "
    "de eigenaar (zie docs/operations.md). Start daarna dit commando opnieuw."
)


class DatabaseProblem(Exception):
    """The database is not in a state this command can work with; the message says what to
    do (the CLI shows it and ends with exit code 2)."""


def schema_problem(status: SchemaStatus) -> str | None:
    """What is wrong with the schema version, in Dutch, or None when it is the right one."""
    if status.at_head:
        return None
    if status.current is None:
        return f"De database heeft nog geen tabellen van cloudtoets. {UPGRADE_AS_OWNER}"
    if not status.known:
        return (
            f"De database heeft schemaversie {status.current}. Die kent deze versie van "
            "cloudtoets niet: een nieuwere cloudtoets heeft de database bijgewerkt. Gebruik "
            "die nieuwere versie."
        )
    return (
        f"Het schema van de database is bij versie {status.current}; deze versie van "
        f"cloudtoets heeft versie {status.head} nodig. {UPGRADE_AS_OWNER}"
    )


def prepare(register: Register) -> None:
    """Make sure the schema is the one this cloudtoets needs, without changing it on
    PostgreSQL (``DatabaseProblem`` when it is not); migrate an embedded SQLite file."""
    status = migrate.status(register.engine)
    problem = schema_problem(status)
    if problem is None:
        return
    if register.engine.dialect.name == "sqlite" and status.known:
        migrate.upgrade(register.engine)
        return
    raise DatabaseProblem(problem)


def open_prepared(settings: Settings) -> Register:
    """The register of ``settings`` on a database with the right schema (``prepare``)."""
    register = Register.open(settings)
    try:
        prepare(register)
    except BaseException:
        register.close()
        raise
    return register


def upgrade(register: Register) -> str:
    """Bring the schema to the newest version (serialised; safe to repeat); the version now."""
    try:
        migrate.upgrade(register.engine)
    except ProgrammingError as error:
        if getattr(error.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        user = register.engine.url.username or "deze gebruiker"
        raise DatabaseProblem(
            f"De databasegebruiker {user} mag het schema niet wijzigen. Draai "
            "`cloudtoets db upgrade` met de database-URL van de eigenaar van de tabellen "
            "(zie docs/operations.md)."
        ) from None
    status = migrate.status(register.engine)
    return status.current or "(geen)"


# --- readiness ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Readiness:
    """Whether this process can serve the register: the database answers a trivial query and
    its schema is the version this cloudtoets needs. ``reason``: Dutch, when it cannot."""

    database: bool
    schema_current: str | None
    schema_head: str | None
    reason: str | None = None

    @property
    def ready(self) -> bool:
        return self.reason is None


def readiness(register: Register) -> Readiness:
    """Check the database for a load balancer or orchestrator (never raises for the database).

    A lost or busy database starts an outage episode (services/outage.py) without counting as
    a refused request; a working one ends it.
    """
    try:
        status = migrate.probe(register.engine)
    except SQLAlchemyError as error:
        cause = register.outage.refuse(error, "GET /api/v1/health/ready", counted=False)
        if cause is Cause.BUSY:
            reason = "De database is bezet en antwoordt niet op tijd."
        elif cause is Cause.UNREACHABLE:
            reason = "De database is niet bereikbaar."
        else:
            original = getattr(error, "orig", None) or error
            reason = f"De database gaf een fout ({type(original).__name__})."
        return Readiness(False, None, None, f"{reason} Probeer het over enkele seconden opnieuw.")
    if status.at_head:
        return Readiness(True, status.current, status.head)
    if status.current is None:
        reason = (
            "De database heeft nog geen tabellen van cloudtoets. Laat de eigenaar van de "
            "database `cloudtoets db upgrade` draaien (docs/operations.md)."
        )
    elif not status.known:
        reason = (
            f"De database heeft schemaversie {status.current}, die deze versie van cloudtoets "
            "niet kent: een nieuwere cloudtoets heeft haar bijgewerkt. Start die nieuwere versie."
        )
    else:
        reason = (
            f"Het schema van de database is bij versie {status.current}; deze versie van "
            f"cloudtoets heeft versie {status.head} nodig. Laat de eigenaar van de database "
            "`cloudtoets db upgrade` draaien (docs/operations.md)."
        )
    return Readiness(True, status.current, status.head, reason)


# --- backup and restore -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackupDone:
    path: Path
    size: int  # bytes
    seconds: float
    snapshot: Snapshot  # what the backup holds, as checked
    head: str  # the schema version this cloudtoets needs
    problems: list[str]  # Dutch; empty when every check passed


@dataclass(frozen=True, slots=True)
class RestoreDone:
    seconds: float
    snapshot: Snapshot  # what the database holds now, as checked
    problems: list[str]


def _problems(snapshot: Snapshot, head: str, *, need_head: bool) -> list[str]:
    problems = [f"integriteitscontrole: {problem}" for problem in snapshot.integrity]
    if snapshot.revision is None:
        problems.append("er staat geen schema van cloudtoets in")
    elif need_head and snapshot.revision != head:
        problems.append(
            f"het schema is bij versie {snapshot.revision}, deze cloudtoets heeft {head} nodig: "
            "draai `cloudtoets db upgrade` als eigenaar van de database"
        )
    if snapshot.audit.broken is not None:
        problems.append(f"auditlogboek NIET in orde: {describe(snapshot.audit.broken)}")
    return problems


def backup(register: Register, target: Path) -> BackupDone:
    """Write a backup of the whole database to ``target`` (a new file) while the application
    keeps running, and check what it holds."""
    if target.exists():
        raise DatabaseProblem(
            f"Het bestand {target} bestaat al. Kies een nieuwe naam; een reservekopie "
            "overschrijft nooit een ander bestand."
        )
    if not target.parent.is_dir():
        raise DatabaseProblem(f"De map {target.parent} bestaat niet. Maak haar eerst aan.")
    _refuse_nothing_to_save(register)
    head = migrate.head_revision()
    started = time.monotonic()
    # a file only its owner can read (the backup holds password and token hashes), named so
    # that nobody takes it for a finished backup until every check has run
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".onvolledig", dir=target.parent)
    os.close(fd)
    partial = Path(name)
    try:
        snapshot = _write_backup(register, partial)
        _publish(partial, target)
    except FileExistsError:
        raise DatabaseProblem(
            f"Het bestand {target} is intussen door iets anders gemaakt. Kies een nieuwe naam."
        ) from None
    except BackupError as error:
        raise DatabaseProblem(str(error)) from None
    finally:
        partial.unlink(missing_ok=True)
    return BackupDone(
        path=target,
        size=target.stat().st_size,
        seconds=time.monotonic() - started,
        snapshot=snapshot,
        head=head,
        problems=_problems(snapshot, head, need_head=False),
    )


def _refuse_nothing_to_save(register: Register) -> None:
    engine = register.engine
    try:
        if engine.dialect.name == "sqlite" and not store_backup.sqlite_path(engine).is_file():
            raise DatabaseProblem(
                f"De database {store_backup.sqlite_path(engine)} bestaat niet. Controleer "
                "--database of CLOUDTOETS_DATABASE_URL."
            )
    except BackupError as error:
        raise DatabaseProblem(str(error)) from None
    if migrate.status(engine).current is None:
        raise DatabaseProblem(
            "De database heeft geen tabellen van cloudtoets; er is niets om te bewaren. "
            "Controleer --database of CLOUDTOETS_DATABASE_URL."
        )


def _publish(partial: Path, target: Path) -> None:
    """Give the finished backup its name, never over a file made meanwhile."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if target.exists():
            raise FileExistsError(target) from None
        partial.replace(target)


def _write_backup(register: Register, partial: Path) -> Snapshot:
    engine = register.engine
    if engine.dialect.name == "sqlite":
        store_backup.sqlite_path(engine)
        store_backup.sqlite_backup(engine, partial)
        copy = store_backup.sqlite_readonly(partial)
        try:
            return store_backup.snapshot_of(copy)
        finally:
            copy.dispose()
    snapshot = store_backup.pg_backup(engine, partial, store_backup.inspect_snapshot)
    missing = sorted(set(snapshot.tables) - store_backup.archived_tables(partial))
    if missing:
        raise BackupError(
            f"pg_dump heeft de rijen van deze tabellen niet in de reservekopie gezet: "
            f"{', '.join(missing)}. Controleer de rechten van de databasegebruiker."
        )
    return snapshot


def restore(register: Register, source: Path, *, force: bool = False) -> RestoreDone:
    """Put the backup in ``source`` back into the configured database and check the result.

    Refuses a database that holds data unless ``force``: everything in it is replaced.
    """
    engine = register.engine
    dialect = engine.dialect.name
    if not source.is_file():
        raise DatabaseProblem(f"Het bestand {source} bestaat niet. Controleer de naam en de map.")
    kind = store_backup.file_kind(source)
    if kind != dialect:
        made_by = {
            "sqlite": "een reservekopie van SQLite",
            "postgresql": "een reservekopie van PostgreSQL (pg_dump)",
        }
        what = made_by.get(kind or "", "geen reservekopie van cloudtoets")
        raise DatabaseProblem(
            f"{source} is {what}; de database is {dialect}. Zet een reservekopie terug in "
            "dezelfde soort database als waar ze vandaan komt."
        )
    try:
        if dialect == "sqlite":
            folder = store_backup.sqlite_path(engine).parent
            if not folder.is_dir():
                raise DatabaseProblem(f"De map {folder} bestaat niet. Maak haar eerst aan.")
            _refuse_broken_sqlite_copy(source)
        held = store_backup.holds_data(engine)
        if held and not force:
            counts = ", ".join(f"{table}: {rows}" for table, rows in sorted(held.items()))
            raise DatabaseProblem(
                "De database is niet leeg (rijen per tabel: "
                f"{counts}). Terugzetten vervangt alles wat erin staat. Wilt u dat, geef dan "
                "--force mee; stop eerst cloudtoets serve en alle andere commando's op deze "
                "database. Of kies een lege database met --database."
            )
        started = time.monotonic()
        engine.dispose()  # no pooled connection outlives the tables it knew
        if dialect == "sqlite":
            store_backup.sqlite_restore(source, engine)
        else:
            store_backup.pg_restore(source, engine)
        engine.dispose()
        seconds = time.monotonic() - started
        snapshot = store_backup.snapshot_of(engine)
    except BackupError as error:
        raise DatabaseProblem(str(error)) from None
    return RestoreDone(
        seconds=seconds,
        snapshot=snapshot,
        problems=_problems(snapshot, migrate.head_revision(), need_head=True),
    )


def _refuse_broken_sqlite_copy(source: Path) -> None:
    copy = store_backup.sqlite_readonly(source)
    try:
        with copy.connect() as connection:
            problems = store_backup.sqlite_integrity(connection)
    finally:
        copy.dispose()
    if problems:
        raise DatabaseProblem(
            f"De reservekopie {source} is beschadigd ({problems[0]}); er is niets teruggezet. "
            "Neem een andere reservekopie."
        )
