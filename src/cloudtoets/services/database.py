"""The database as a whole: its schema version and upgrades.

Only ``upgrade`` changes the schema, run by the owner of the tables (``cloudtoets db upgrade``).
Every other command calls ``prepare``: on PostgreSQL it only reads the schema version and stops
with a Dutch message when it is not the one this cloudtoets needs, so the application can run as
a role without any right on the schema (docs/operations.md). An embedded SQLite file has no
owner apart from whoever opens it: there ``prepare`` brings it up to date itself, which is what
the quick start (``serve --demo`` on a new file) relies on (docs/decisions.md).

"""

from __future__ import annotations

from sqlalchemy.exc import ProgrammingError

from cloudtoets.config import Settings
from cloudtoets.services.context import Register
from cloudtoets.store import migrate
from cloudtoets.store.migrate import SchemaStatus

__all__ = ["DatabaseProblem", "open_prepared", "prepare", "upgrade"]

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
